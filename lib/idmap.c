/*
 * idmap.c - interning of trace IDs: names to a dense index 0, 1, 2, ...
 *
 *   direct[]: "b" -> [0: index + 1][1: index + 1][2: 0] ...  by number
 *             "c" -> ...                      (up to PREFIXES prefixes)
 *   slots[]:  linear probing over 16-byte slots, for every other name
 *             { head: the name's first 8 bytes, zero-padded,
 *               check: 24 more bits of the hash | length (255 = longer),
 *               index + 1 (0 = empty slot) }
 *   hashed[]: the indices in slots[], in the order they came
 *   offs[]:   index -> 32-bit offset in the arena from bases[index >> 16];
 *             the entry of index count marks the arena's end
 *   bases[]:  arena offset of the first name of each 2^16 indices
 *   arena:    "a\0" "b12\0" "0x55d0c0a1\0" ...   (names back to back)
 *
 * A name of the direct form is a prefix of at most PREFIX_MAX bytes
 * without digits, then a number of at most DIGITS_MAX digits written
 * without leading zeros ("b17", "17", "blk_0"; not "b017", "x1y2").  The
 * first PREFIXES prefixes seen get a table indexed by the number, so the
 * usual trace, whose blocks are b0, b1, b2 ... in order, is interned
 * without hashing and with its lookups close together in memory.  A
 * table only grows to numbers below DIRECT_FREE + 4 x (its names): a
 * number beyond that is "spilled" to the hash map, and from then on a
 * miss in that table asks the hash map too (and copies what it finds
 * into the table, once the table reaches it).  So each name has one
 * index whichever table holds it.
 *
 * In the hash map, the low bits of a name's 64-bit hash pick its first
 * slot; the slot holds other bits of the hash, the length and the first
 * 8 bytes, so a name of up to 8 bytes is found or refused without
 * touching the arena: one cache miss per lookup in a big table.  The hash
 * map doubles when three quarters full, placing its names again in the
 * order they came (the arena is read front to back).
 *
 * Name I starts at bases[I >> 16] + offs[I], NUL-terminated, and ends
 * where name I + 1 starts.  The arena and offsets double as they fill, so
 * a pointer from idmap_name() is only good until the next idmap_intern().
 * idmap_seal() frees the direct tables and the hash map once the loader
 * is done: the names stay.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "idmap.h"

#define SLOTS_MIN	64		/* first table size (a power of two) */
#define COUNT_MAX	(UINT32_MAX - 1) /* index + 1 must fit 32 bits */
#define MAP_MIN		((size_t)4 << 20) /* tables this big are mmap()ed */
#define LEN_LONG	255		/* check's length field: 255 or more */
#define AHEAD		8		/* rehash: prefetch so far ahead */
#define PREFIXES	4		/* prefixes with a direct table */
#define PREFIX_MAX	16		/* longest prefix of a direct name */
#define DIGITS_MAX	9		/* longest number: below 10^9 */
#define DIRECT_FREE	((size_t)1 << 17) /* numbers a table always takes */
#define DIRECT_MIN	64		/* first direct table size */
#define SEG_SHIFT	16		/* 2^16 names share an offset base */

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

/* The names of one prefix, by number. */
struct direct {
	char		 prefix[PREFIX_MAX];
	size_t		 plen;		/* bytes in prefix */
	uint32_t	*index1;	/* number -> index + 1; 0 = none */
	size_t		 reach;		/* index1[0, reach) is set */
	size_t		 cap;		/* entries allocated: 0 or a power of 2 */
	uint32_t	 count;		/* names placed in index1 */
	bool		 spilled;	/* some names of the form are hashed */
};

struct idmap {
	bool		 sealed;	/* idmap_seal(): names only */
	struct slot	*slots;		/* the hash map */
	size_t		 nslots;	/* a power of two */
	uint32_t	*hashed;	/* indices in the hash map, in order */
	uint32_t	 nhashed;	/* entries in use */
	size_t		 hashed_cap;	/* entries allocated */
	struct direct	 direct[PREFIXES];
	unsigned	 ndirect;	/* prefixes in use */
	unsigned	 last;		/* the prefix found last */
	uint32_t	 count;		/* names interned */
	uint32_t	*offs;		/* count + 1 offsets from their base */
	size_t		 offs_cap;	/* entries allocated in offs */
	size_t		*bases;		/* a base per 2^SEG_SHIFT offsets */
	size_t		 bases_cap;	/* entries allocated in bases */
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

/* A name of the direct form, split: NAME[0, PLEN) and NUMBER. */
struct split {
	size_t		 plen;
	uint32_t	 number;
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
	map->bases_cap = 4;
	map->bases = malloc(map->bases_cap * sizeof(*map->bases));
	map->arena_cap = 1024;
	map->arena = malloc(map->arena_cap);
	if (map->slots == NULL || map->offs == NULL || map->bases == NULL ||
	    map->arena == NULL) {
		idmap_free(map);
		return NULL;
	}
	map->offs[0] = 0;
	map->bases[0] = 0;
	return map;
}

void
idmap_free(struct idmap *map)
{
	unsigned i;

	if (map == NULL)
		return;
	slots_free(map->slots, map->nslots);
	free(map->hashed);
	for (i = 0; i < map->ndirect; i++)
		free(map->direct[i].index1);
	free(map->offs);
	free(map->bases);
	free(map->arena);
	free(map);
}

/* Where the name of INDEX (or the arena's end, for count) starts. */
static inline size_t
start_of(const struct idmap *map, size_t index)
{
	return map->bases[index >> SEG_SHIFT] + map->offs[index];
}

/* The name and length of INDEX. */
static const char *
name_of(const struct idmap *map, uint32_t index, size_t *len)
{
	size_t start = start_of(map, index);

	*len = start_of(map, (size_t)index + 1) - start - 1;
	return map->arena + start;
}

/* ------------------------------------------------------------------
 * Direct tables
 * ------------------------------------------------------------------ */

/*
 * Whether NAME has the direct form (see the top), and its split.  One
 * pass: the prefix ends at the first digit, and all after it are digits.
 */
static bool
split_name(const char *name, size_t len, struct split *sp)
{
	size_t i, j;
	uint32_t v = 0, d;

	for (i = 0; i < len && (unsigned char)(name[i] - '0') > 9; i++)
		;
	if (i > PREFIX_MAX || len - i == 0 || len - i > DIGITS_MAX ||
	    (name[i] == '0' && len - i > 1))
		return false;
	for (j = i; j < len; j++) {
		d = (uint32_t)(unsigned char)(name[j] - '0');
		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	sp->plen = i;
	sp->number = v;
	return true;
}

/* Whether D is the table of NAME's prefix (PLEN bytes; mostly 1 or 0). */
static inline bool
is_prefix(const struct direct *d, const char *name, size_t plen)
{
	size_t i;

	if (d->plen != plen)
		return false;
	for (i = 0; i < plen; i++)
		if (d->prefix[i] != name[i])
			return false;
	return true;
}

/* The table of NAME's prefix (SP->plen bytes), or NULL. */
static struct direct *
direct_of(const struct idmap *map, const char *name, const struct split *sp)
{
	const struct direct *d = &map->direct[map->last];
	unsigned i;

	if (map->ndirect == 0)
		return NULL;
	if (is_prefix(d, name, sp->plen))
		return (struct direct *)d;
	for (i = 0; i < map->ndirect; i++)
		if (is_prefix(&map->direct[i], name, sp->plen))
			return (struct direct *)&map->direct[i];
	return NULL;
}

/* The table of NAME's prefix, taking a new one if there is room. */
static struct direct *
direct_take(struct idmap *map, const char *name, const struct split *sp)
{
	struct direct *d = direct_of(map, name, sp);

	if (d == NULL && map->ndirect < PREFIXES) {
		d = &map->direct[map->ndirect++];
		memcpy(d->prefix, name, sp->plen);
		d->plen = sp->plen;
	}
	if (d != NULL)
		map->last = (unsigned)(d - map->direct);
	return d;
}

/*
 * Makes D reach NUMBER.  0, or 1 when the number is too far beyond the
 * names D holds (it goes to the hash map), or -1 when out of memory.
 * Entries are cleared only as numbers reach them, so the memory of a
 * table is that of its largest number, not of its capacity.
 */
static int
direct_reach(struct direct *d, uint32_t number)
{
	size_t cap = d->cap ? d->cap : DIRECT_MIN;
	uint32_t *p;

	if (number < d->reach)
		return 0;
	if ((uint64_t)number >= DIRECT_FREE + (uint64_t)d->count * 4)
		return 1;
	if (number >= d->cap) {
		while (cap <= number)
			cap *= 2;
		p = realloc(d->index1, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		d->index1 = p;
		d->cap = cap;
	}
	memset(d->index1 + d->reach, 0,
	    ((size_t)number + 1 - d->reach) * sizeof(*d->index1));
	d->reach = (size_t)number + 1;
	return 0;
}

/* ------------------------------------------------------------------
 * The hash map
 * ------------------------------------------------------------------ */

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

/* Doubles the table and places its names again; -1 when out of memory. */
static int
grow_slots(struct idmap *map)
{
	struct slot *slots;
	struct key k;
	const char *name;
	size_t n, i, mask, len;
	uint32_t j, index;

	if (map->nslots > SIZE_MAX / 2 / sizeof(*slots))
		return -1;
	n = map->nslots * 2;
	if ((slots = slots_alloc(n)) == NULL)
		return -1;
	mask = n - 1;
	for (j = 0; j < map->nhashed; j++) {
		if ((size_t)j + AHEAD < map->nhashed) {
			name = name_of(map, map->hashed[j + AHEAD], &len);
			make_key(&k, name, len);
			PREFETCH(&slots[(size_t)k.hash & mask]);
		}
		index = map->hashed[j];
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

/* Room for one more name in the hash map; -1 when out of memory. */
static int
reserve_slot(struct idmap *map)
{
	size_t cap;
	void *p;

	if (map->nhashed == map->hashed_cap) {
		cap = map->hashed_cap ? map->hashed_cap * 2 : 64;
		if (cap > SIZE_MAX / sizeof(*map->hashed))
			return -1;
		p = realloc(map->hashed, cap * sizeof(*map->hashed));
		if (p == NULL)
			return -1;
		map->hashed = p;
		map->hashed_cap = cap;
	}
	/* Keep the load at 3/4 or less: nhashed + 1 <= nslots * 3 / 4. */
	if (((size_t)map->nhashed + 1) * 4 > map->nslots * 3 &&
	    grow_slots(map) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------ */

/* Makes room for one more name of LEN bytes; -1 when out of memory. */
static int
reserve_name(struct idmap *map, size_t len)
{
	size_t need, cap, end = (size_t)map->count + 1;
	void *p;

	if (map->count >= COUNT_MAX)
		return -1;
	if ((end >> SEG_SHIFT) >= map->bases_cap) {
		cap = map->bases_cap * 2;
		p = realloc(map->bases, cap * sizeof(*map->bases));
		if (p == NULL)
			return -1;
		map->bases = p;
		map->bases_cap = cap;
	}
	/* The end's offset from its base must fit 32 bits. */
	if ((end & (((size_t)1 << SEG_SHIFT) - 1)) != 0 &&
	    map->arena_len + len + 1 - map->bases[end >> SEG_SHIFT] >
	    UINT32_MAX)
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
	return 0;
}

/* Stores NAME, for which reserve_name() made room; returns its index. */
static uint32_t
add_name(struct idmap *map, const char *name, size_t len)
{
	size_t end = (size_t)map->count + 1;

	memcpy(map->arena + map->arena_len, name, len);
	map->arena[map->arena_len + len] = '\0';
	map->arena_len += len + 1;
	if ((end & (((size_t)1 << SEG_SHIFT) - 1)) == 0)
		map->bases[end >> SEG_SHIFT] = map->arena_len;
	map->offs[end] = (uint32_t)(map->arena_len -
	    map->bases[end >> SEG_SHIFT]);
	return map->count++;
}

/* Interns NAME in the hash map. */
static int
intern_hashed(struct idmap *map, const char *name, size_t len,
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
	if (reserve_name(map, len) != 0 || reserve_slot(map) != 0)
		return -1;
	if (map->nslots != nslots)	/* the table grew: find the new place */
		i = probe(map, &k);
	s = &map->slots[i];
	s->head = k.head;
	s->check = k.check;
	s->index1 = add_name(map, name, len) + 1;
	map->hashed[map->nhashed++] = s->index1 - 1;
	*index = s->index1 - 1;
	return 0;
}

/* The index of NAME in the hash map: 0 and *INDEX, or -1. */
static int
find_hashed(const struct idmap *map, const char *name, size_t len,
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

int
idmap_intern(struct idmap *map, const char *name, size_t len,
    uint32_t *index)
{
	struct split sp;
	struct direct *d;
	int rc;

	if (map->sealed)
		return -1;
	if (!split_name(name, len, &sp) ||
	    (d = direct_take(map, name, &sp)) == NULL)
		return intern_hashed(map, name, len, index);
	if (sp.number < d->reach && d->index1[sp.number] != 0) {
		*index = d->index1[sp.number] - 1;
		return 0;
	}
	if (d->spilled && find_hashed(map, name, len, index) == 0) {
		if (sp.number < d->reach)
			d->index1[sp.number] = *index + 1;
		return 0;
	}
	if ((rc = direct_reach(d, sp.number)) < 0)
		return -1;
	if (rc > 0) {
		d->spilled = true;
		return intern_hashed(map, name, len, index);
	}
	if (reserve_name(map, len) != 0)
		return -1;
	*index = add_name(map, name, len);
	d->index1[sp.number] = *index + 1;
	d->count++;
	return 0;
}

void
idmap_prefetch(const struct idmap *map, const char *name, size_t len)
{
	const struct direct *d;
	struct split sp;
	uint64_t head;

	if (map->sealed)
		return;
	if (split_name(name, len, &sp) &&
	    (d = direct_of(map, name, &sp)) != NULL) {
		if (sp.number < d->reach)
			PREFETCH(&d->index1[sp.number]);
		if (!d->spilled)
			return;
	}
	PREFETCH(&map->slots[(size_t)hash_name(name, len, &head) &
	    (map->nslots - 1)]);
}

int
idmap_find(const struct idmap *map, const char *name, size_t len,
    uint32_t *index)
{
	const struct direct *d;
	struct split sp;

	if (map->sealed)
		return -1;
	if (split_name(name, len, &sp) &&
	    (d = direct_of(map, name, &sp)) != NULL) {
		if (sp.number < d->reach && d->index1[sp.number] != 0) {
			*index = d->index1[sp.number] - 1;
			return 0;
		}
		if (!d->spilled)
			return -1;
	}
	return find_hashed(map, name, len, index);
}

void
idmap_seal(struct idmap *map)
{
	unsigned i;

	if (map->sealed)
		return;
	map->sealed = true;
	slots_free(map->slots, map->nslots);
	map->slots = NULL;
	map->nslots = 0;
	free(map->hashed);
	map->hashed = NULL;
	map->nhashed = 0;
	for (i = 0; i < map->ndirect; i++)
		free(map->direct[i].index1);
	map->ndirect = 0;
}

const char *
idmap_name(const struct idmap *map, uint32_t index)
{
	return map->arena + start_of(map, index);
}

uint32_t
idmap_count(const struct idmap *map)
{
	return map->count;
}

uint32_t
idmap_hashed_count(const struct idmap *map)
{
	return map->nhashed;
}
