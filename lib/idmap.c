/*
 * idmap.c - interning of trace IDs: an open-addressing hash map from a
 * name's bytes to a dense index 0, 1, 2, ...
 *
 *   slots[]:  linear probing over 16-byte slots
 *             { head: the name's first 8 bytes, zero-padded,
 *               check: 24 more bits of the hash | length (255 = longer),
 *               index + 1 (0 = empty slot) }
 *   offs[]:   index -> offset in the arena; offs[count] is the arena's end
 *   arena:    "a\0" "b12\0" "0x55d0c0a1\0" ...   (names back to back)
 *
 * The low bits of a name's 64-bit hash pick its first slot; the slot
 * holds other bits of the hash, the length and the first 8 bytes, so a
 * name of up to 8 bytes (most trace IDs) is found or refused without
 * touching the arena: one cache miss per lookup in a big table.  Name I
 * is arena + offs[I], NUL-terminated, of length offs[I + 1] - offs[I] - 1.
 * The table doubles when three quarters full, rehashing the names in
 * index order (the arena is read front to back); the arena and offsets
 * double as they fill, so a pointer from idmap_name() is only good until
 * the next idmap_intern().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "idmap.h"

#define SLOTS_MIN	64		/* first table size (a power of two) */
#define COUNT_MAX	(UINT32_MAX - 1) /* index + 1 must fit 32 bits */
#define MAP_MIN		((size_t)4 << 20) /* tables this big are mmap()ed */
#define LEN_LONG	255		/* check's length field: 255 or more */
#define AHEAD		8		/* rehash: prefetch so far ahead */

#ifdef __GNUC__
#define PREFETCH(p)	__builtin_prefetch(p)
#else
#define PREFETCH(p)	((void)(p))
#endif

struct slot {
	uint64_t	 head;		/* the name's first 8 bytes, 0-padded */
	uint32_t	 check;		/* hash bits 40..63 << 8 | length */
	uint32_t	 index1;	/* index + 1; 0 = empty */
};

struct idmap {
	struct slot	*slots;		/* the table */
	size_t		 nslots;	/* a power of two */
	uint32_t	 count;		/* names interned */
	size_t		*offs;		/* count + 1 offsets into the arena */
	size_t		 offs_cap;	/* entries allocated in offs */
	char		*arena;		/* the names, each NUL-terminated */
	size_t		 arena_len;	/* bytes used */
	size_t		 arena_cap;	/* bytes allocated */
};

/* What a probe looks for. */
struct key {
	const char	*name;
	size_t		 len;
	uint64_t	 hash;
	uint64_t	 head;
	uint32_t	 check;
};

/*
 * A 64-bit hash of NAME: eight bytes per multiply (a word-at-a-time
 * variant of FNV-1a's xor-then-multiply), then the murmur3 finalizer so
 * that every bit depends on every byte.
 */
static uint64_t
hash_name(const char *name, size_t len, uint64_t *head)
{
	const unsigned char *s = (const unsigned char *)name;
	uint64_t h = 0xcbf29ce484222325ull ^ len, w;
	size_t i, n = len;

	*head = 0;
	while (n >= 8) {
		memcpy(&w, s, 8);
		if (n == len)
			*head = w;
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	if (n > 0) {
		w = 0;
		for (i = 0; i < n; i++)
			w |= (uint64_t)s[i] << (8 * i);
		if (n == len)
			*head = w;
		h = (h ^ w) * 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static void
make_key(struct key *k, const char *name, size_t len)
{
	k->name = name;
	k->len = len;
	k->hash = hash_name(name, len, &k->head);
	k->check = (uint32_t)(k->hash >> 40) << 8 |
	    (uint32_t)(len < LEN_LONG ? len : LEN_LONG);
}

/*
 * A zeroed table of N slots.  A big one is mapped on its own and asks for
 * huge pages: every probe lands on a random page, and with 4 KiB pages
 * most probes of a table of millions of names would also miss the TLB.
 */
static struct slot *
slots_alloc(size_t n)
{
	void *p;

	if (n > SIZE_MAX / sizeof(struct slot))
		return NULL;
	if (n * sizeof(struct slot) < MAP_MIN)
		return calloc(n, sizeof(struct slot));
	p = mmap(NULL, n * sizeof(struct slot), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, n * sizeof(struct slot), MADV_HUGEPAGE);
#endif
	return p;
}

static void
slots_free(struct slot *slots, size_t n)
{
	if (slots == NULL)
		return;
	if (n * sizeof(struct slot) < MAP_MIN)
		free(slots);
	else
		munmap(slots, n * sizeof(struct slot));
}

struct idmap *
idmap_new(void)
{
	struct idmap *map = calloc(1, sizeof(*map));

	if (map == NULL)
		return NULL;
	map->nslots = SLOTS_MIN;
	map->slots = slots_alloc(map->nslots);
	map->offs_cap = 64;
	map->offs = malloc(map->offs_cap * sizeof(*map->offs));
	map->arena_cap = 1024;
	map->arena = malloc(map->arena_cap);
	if (map->slots == NULL || map->offs == NULL || map->arena == NULL) {
		idmap_free(map);
		return NULL;
	}
	map->offs[0] = 0;
	return map;
}

void
idmap_free(struct idmap *map)
{
	if (map == NULL)
		return;
	slots_free(map->slots, map->nslots);
	free(map->offs);
	free(map->arena);
	free(map);
}

/* The name and length of INDEX. */
static const char *
name_of(const struct idmap *map, uint32_t index, size_t *len)
{
	*len = map->offs[index + 1] - map->offs[index] - 1;
	return map->arena + map->offs[index];
}

/* Whether the used slot S holds the name of K. */
static int
same(const struct idmap *map, const struct slot *s, const struct key *k)
{
	const char *name;
	size_t len;

	if (s->check != k->check || s->head != k->head)
		return 0;
	if (k->len <= 8)
		return 1;	/* the length and all the bytes matched */
	name = name_of(map, s->index1 - 1, &len);
	return len == k->len && memcmp(name + 8, k->name + 8, len - 8) == 0;
}

/*
 * The slot holding K's name, or the empty slot where it would go.  The
 * table is never full, so the probe ends.
 */
static size_t
probe(const struct idmap *map, const struct key *k)
{
	size_t mask = map->nslots - 1, i = (size_t)k->hash & mask;

	while (map->slots[i].index1 != 0 && !same(map, &map->slots[i], k))
		i = (i + 1) & mask;
	return i;
}

/* Doubles the table and places every name again; -1 when out of memory. */
static int
grow_slots(struct idmap *map)
{
	struct slot *slots;
	struct key k;
	const char *name;
	size_t n, i, mask, len;
	uint32_t index;

	if (map->nslots > SIZE_MAX / 2 / sizeof(*slots))
		return -1;
	n = map->nslots * 2;
	if ((slots = slots_alloc(n)) == NULL)
		return -1;
	mask = n - 1;
	for (index = 0; index < map->count; index++) {
		if ((size_t)index + AHEAD < map->count) {
			name = name_of(map, index + AHEAD, &len);
			make_key(&k, name, len);
			PREFETCH(&slots[(size_t)k.hash & mask]);
		}
		name = name_of(map, index, &len);
		make_key(&k, name, len);
		i = (size_t)k.hash & mask;
		while (slots[i].index1 != 0)
			i = (i + 1) & mask;
		slots[i].head = k.head;
		slots[i].check = k.check;
		slots[i].index1 = index + 1;
	}
	slots_free(map->slots, map->nslots);
	map->slots = slots;
	map->nslots = n;
	return 0;
}

/* Makes room for one more name of LEN bytes; -1 when out of memory. */
static int
reserve(struct idmap *map, size_t len)
{
	size_t need, cap;
	void *p;

	if (map->count >= COUNT_MAX)
		return -1;
	if ((size_t)map->count + 2 > map->offs_cap) {
		if (map->offs_cap > SIZE_MAX / 2 / sizeof(*map->offs))
			return -1;
		cap = map->offs_cap * 2;
		p = realloc(map->offs, cap * sizeof(*map->offs));
		if (p == NULL)
			return -1;
		map->offs = p;
		map->offs_cap = cap;
	}
	if (len >= SIZE_MAX - map->arena_len)
		return -1;
	need = map->arena_len + len + 1;
	if (need > map->arena_cap) {
		cap = map->arena_cap;
		while (cap < need) {
			if (cap > SIZE_MAX / 2)
				return -1;
			cap *= 2;
		}
		p = realloc(map->arena, cap);
		if (p == NULL)
			return -1;
		map->arena = p;
		map->arena_cap = cap;
	}
	/* Keep the load at 3/4 or less: count + 1 <= nslots * 3 / 4. */
	if (((size_t)map->count + 1) * 4 > map->nslots * 3 &&
	    grow_slots(map) != 0)
		return -1;
	return 0;
}

int
idmap_intern(struct idmap *map, const char *name, size_t len,
    uint32_t *index)
{
	struct key k;
	size_t i, nslots = map->nslots;
	struct slot *s;

	make_key(&k, name, len);
	i = probe(map, &k);
	if (map->slots[i].index1 != 0) {
		*index = map->slots[i].index1 - 1;
		return 0;
	}
	if (reserve(map, len) != 0)
		return -1;
	if (map->nslots != nslots)	/* the table grew: find the new place */
		i = probe(map, &k);
	memcpy(map->arena + map->arena_len, name, len);
	map->arena[map->arena_len + len] = '\0';
	map->arena_len += len + 1;
	map->offs[map->count + 1] = map->arena_len;
	s = &map->slots[i];
	s->head = k.head;
	s->check = k.check;
	s->index1 = map->count + 1;
	*index = map->count++;
	return 0;
}

void
idmap_prefetch(const struct idmap *map, const char *name, size_t len)
{
	uint64_t head;

	PREFETCH(&map->slots[(size_t)hash_name(name, len, &head) &
	    (map->nslots - 1)]);
}

int
idmap_find(const struct idmap *map, const char *name, size_t len,
    uint32_t *index)
{
	struct key k;
	size_t i;

	make_key(&k, name, len);
	i = probe(map, &k);
	if (map->slots[i].index1 == 0)
		return -1;
	*index = map->slots[i].index1 - 1;
	return 0;
}

const char *
idmap_name(const struct idmap *map, uint32_t index)
{
	return map->arena + map->offs[index];
}

uint32_t
idmap_count(const struct idmap *map)
{
	return map->count;
}
