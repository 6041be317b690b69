/*
 * zmmreal.c - replay a trace through the real Zend memory manager of
 * libphp8.2 and print `--ptrs` and `--state` exactly as zmmreplay does
 * (shared/docs/replay-output.md), so the two can be compared byte for byte.
 *
 * The heap gets storage handlers of our own: every chunk and huge block is
 * carved 2 MiB aligned out of one PROT_NONE reservation by a bump pointer
 * and no address is ever handed out twice, which makes chunk serials and
 * the huge realloc paths deterministic.  Locations in `--ptrs` come from
 * those storage records alone (public API only); `--state` and the gc
 * safety check read ZendMM's private structures through mirror structs
 * whose offsets are checked at start-up.  A library whose layout does not
 * match still replays, with `--ptrs` only.
 *
 *	zmmreal [--ptrs] [--state] [--keep-going] [--no-layout] TRACE
 *
 * Exit status: 0 ok, 1 trace errors, 2 usage or `@limit`, 3 internal
 * (unreadable trace, storage exhausted), 4 a gc was refused because real
 * PHP 8.2 would delete the main chunk.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zend.h"
#include "php_version.h"
#include "zend_alloc.h"
#include "zend_alloc_sizes.h"

#include "trace.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_TRACE = 1,
	EXIT_USAGE = 2,
	EXIT_INTERNAL = 3,
	EXIT_GC_REFUSED = 4
};

#define CHUNK		((uintptr_t)ZEND_MM_CHUNK_SIZE)	/* 2 MiB */
#define CHUNK_MASK	(CHUNK - 1)
#define PAGE		((uintptr_t)ZEND_MM_PAGE_SIZE)	/* 4 KiB */
#define NPAGES		512
#define NBINS		30
#define REGION_WANT	((uint64_t)1 << 40)		/* 1 TiB */
#define REGION_MIN	((uint64_t)1 << 28)

/*
 * The storage block that zend_mm_startup_ex() allocates inside the new
 * heap is made exactly one chunk big, so it becomes a huge block outside
 * the main chunk (see heap_create()).
 */
#define STORAGE_DATA	(ZEND_MM_CHUNK_SIZE - sizeof(zend_mm_storage))

/* ------------------------------------------------------------------ */
/*  Private ZendMM layout (libphp8.2.so 8.2.36, x86-64, NTS, release)  */
/* ------------------------------------------------------------------ */

struct real_chunk;

struct real_huge {		/* zend_mm_huge_list */
	void		*ptr;		/* the block */
	size_t		 size;		/* its mapped size */
	struct real_huge *next;
};

/* zend_mm_heap: it lives in the main chunk, at offset 0x40. */
struct real_heap {
	int32_t		 use_custom_heap;
	int32_t		 pad0;
	zend_mm_storage	*storage;
	size_t		 size;		/* requested-size accounting */
	size_t		 peak;
	void		*free_slot[NBINS];	/* bin free lists */
	size_t		 real_size;	/* chunks + huge bytes */
	size_t		 real_peak;
	size_t		 limit;
	size_t		 hard_limit;	/* added in 8.2.35 */
	int64_t		 hard_limit_percent;
	int32_t		 overflow;
	uint8_t		 fallible;
	uint8_t		 pad1[3];
	struct real_huge *huge_list;
	struct real_chunk *main_chunk;
	struct real_chunk *cached_chunks;	/* the chunk cache */
	int32_t		 chunks_count;
	int32_t		 peak_chunks_count;
	int32_t		 cached_chunks_count;
	int32_t		 pad2;
	double		 avg_chunks_count;
	int32_t		 last_chunks_delete_boundary;
	int32_t		 last_chunks_delete_count;
	void		*custom[3];	/* custom malloc/free/realloc */
	void		*tracked_allocs;
	uint64_t	 max_allocs;	/* added in 8.2.35 */
};

struct real_chunk {		/* zend_mm_chunk */
	struct real_heap *heap;
	struct real_chunk *next;	/* ring; the cache's link */
	struct real_chunk *prev;
	uint32_t	 free_pages;
	uint32_t	 free_tail;
	uint32_t	 num;
	uint8_t		 reserve[0x1c];
	struct real_heap heap_slot;	/* the heap, in the main chunk */
	uint64_t	 free_map[NPAGES / 64];
	uint32_t	 map[NPAGES];	/* one word per page */
};

_Static_assert(sizeof(void *) == 8, "x86-64 layout");
_Static_assert(offsetof(struct real_heap, storage) == 0x08, "heap layout");
_Static_assert(offsetof(struct real_heap, size) == 0x10, "heap layout");
_Static_assert(offsetof(struct real_heap, free_slot) == 0x20, "heap layout");
_Static_assert(offsetof(struct real_heap, real_size) == 0x110, "heap layout");
_Static_assert(offsetof(struct real_heap, limit) == 0x120, "heap layout");
_Static_assert(offsetof(struct real_heap, hard_limit) == 0x128, "heap layout");
_Static_assert(offsetof(struct real_heap, overflow) == 0x138, "heap layout");
_Static_assert(offsetof(struct real_heap, fallible) == 0x13c, "heap layout");
_Static_assert(offsetof(struct real_heap, huge_list) == 0x140, "heap layout");
_Static_assert(offsetof(struct real_heap, main_chunk) == 0x148, "heap layout");
_Static_assert(offsetof(struct real_heap, chunks_count) == 0x158,
    "heap layout");
_Static_assert(offsetof(struct real_heap, avg_chunks_count) == 0x168,
    "heap layout");
_Static_assert(offsetof(struct real_heap, last_chunks_delete_boundary) ==
    0x170, "heap layout");
_Static_assert(offsetof(struct real_heap, custom) == 0x178, "heap layout");
_Static_assert(offsetof(struct real_heap, max_allocs) == 0x198, "heap layout");
_Static_assert(sizeof(struct real_heap) == 0x1a0, "heap layout");
_Static_assert(offsetof(struct real_chunk, free_pages) == 0x18, "chunk layout");
_Static_assert(offsetof(struct real_chunk, num) == 0x20, "chunk layout");
_Static_assert(offsetof(struct real_chunk, heap_slot) == 0x40, "chunk layout");
_Static_assert(offsetof(struct real_chunk, free_map) == 0x1e0, "chunk layout");
_Static_assert(offsetof(struct real_chunk, map) == 0x220, "chunk layout");
_Static_assert(sizeof(struct real_huge) == 24, "huge list node");

/* Page map words. */
#define MAP_LRUN	0x40000000u	/* first page of a large run */
#define MAP_SRUN	0x80000000u	/* page of a small run */
/* The 9-bit field: gc's free-slot counter, or an NRUN page's offset. */
#define MAP_COUNTER(w)	(((w) >> 16) & 0x1ffu)
#define MAP_BIN(w)	((w) & 0x1fu)
#define MAP_PAGES(w)	((w) & 0x3ffu)

/* The bin table of the library's own headers. */
#define BIN_SLOT(n, size, count, pages, x, y)	size,
#define BIN_COUNT(n, size, count, pages, x, y)	count,
#define BIN_PAGES(n, size, count, pages, x, y)	pages,
static const uint32_t bin_slot[NBINS] = { ZEND_MM_BINS_INFO(BIN_SLOT, x, y) };
static const uint32_t bin_count[NBINS] = { ZEND_MM_BINS_INFO(BIN_COUNT, x, y) };
static const uint32_t bin_pages[NBINS] = { ZEND_MM_BINS_INFO(BIN_PAGES, x, y) };

/* ------------------------------------------------------------------ */
/*  Storage                                                            */
/* ------------------------------------------------------------------ */

enum rec_kind {
	REC_NEW,		/* obtained during the current op */
	REC_CHUNK,		/* a chunk: has a serial */
	REC_HUGE,		/* a huge block */
	REC_BOOT		/* the storage block of zend_mm_startup_ex() */
};

/* One block obtained from storage. */
struct rec {
	uintptr_t	 base;
	size_t		 size;		/* mapped size now */
	int32_t		 serial;	/* chunk serial, -1 if none */
	uint8_t		 kind;		/* enum rec_kind */
	uint8_t		 live;		/* not yet given back */
};

static struct {
	uintptr_t	 base;		/* region [base, end), aligned */
	uintptr_t	 end;
	uintptr_t	 top;		/* bump pointer */
	uintptr_t	 last;		/* the most recent block */
	uint32_t	*slot;		/* per 2 MiB: rec index + 1 */
	struct rec	*recs;
	size_t		 nrecs;
	size_t		 cap;
	size_t		 settled;	/* recs classified so far */
	int32_t		 serials;	/* next chunk serial */
} st;

static const char	*progname = "zmmreal";

static void	 fatal(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));

/* Prints "zmmreal: MESSAGE" and exits with EXIT_INTERNAL. */
static void
fatal(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_INTERNAL);
}

/* Reserves the region: 1 TiB, halved until the kernel agrees. */
static void
region_reserve(void)
{
	uint64_t size;
	void *p = MAP_FAILED;

	for (size = REGION_WANT; size >= REGION_MIN; size /= 2) {
		p = mmap(NULL, size + CHUNK, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED)
			break;
	}
	if (p == MAP_FAILED)
		fatal("cannot reserve address space for storage: %s",
		    strerror(errno));
	st.base = ((uintptr_t)p + CHUNK_MASK) & ~CHUNK_MASK;
	st.end = st.base + size;
	st.top = st.base;
	st.slot = calloc(size / CHUNK, sizeof(*st.slot));
	if (st.slot == NULL)
		fatal("out of memory");
}

static struct rec *
rec_at(uintptr_t base)
{
	uint32_t i;

	if (base < st.base || base >= st.end || (base & CHUNK_MASK) != 0)
		return NULL;
	i = st.slot[(base - st.base) / CHUNK];
	return i != 0 ? &st.recs[i - 1] : NULL;
}

/* The chunk serial of the chunk at BASE, or -1. */
static int
serial_of(uintptr_t base)
{
	const struct rec *r = rec_at(base);

	return r != NULL && r->kind == REC_CHUNK ? r->serial : -1;
}

/* Gives the next serial to a chunk record. */
static void
rec_make_chunk(struct rec *r)
{
	r->kind = REC_CHUNK;
	r->serial = st.serials++;
}

static void *
storage_alloc(zend_mm_storage *storage, size_t size, size_t alignment)
{
	uintptr_t p;
	struct rec *r;

	(void)storage;
	if (alignment != CHUNK || size == 0 || (size & (PAGE - 1)) != 0)
		fatal("storage: unexpected request of %zu bytes aligned %zu",
		    size, alignment);
	p = (st.top + CHUNK_MASK) & ~CHUNK_MASK;
	if (p >= st.end || size > st.end - p)
		fatal("storage region exhausted (%zu bytes wanted)", size);
	if (mprotect((void *)p, size, PROT_READ | PROT_WRITE) != 0)
		fatal("storage: mprotect: %s", strerror(errno));
	if (st.nrecs == st.cap) {
		st.cap = st.cap ? st.cap * 2 : 256;
		st.recs = realloc(st.recs, st.cap * sizeof(*st.recs));
		if (st.recs == NULL)
			fatal("out of memory");
	}
	r = &st.recs[st.nrecs++];
	r->base = p;
	r->size = size;
	r->serial = -1;
	r->kind = REC_NEW;
	r->live = 1;
	st.slot[(p - st.base) / CHUNK] = (uint32_t)st.nrecs;
	st.top = p + size;
	st.last = p;
	return (void *)p;
}

/* Gives address space back, keeping the reservation (PROT_NONE). */
static void
decommit(uintptr_t p, size_t size)
{
	if (mmap((void *)p, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
		fatal("storage: mmap(PROT_NONE): %s", strerror(errno));
}

static void
storage_free(zend_mm_storage *storage, void *block, size_t size)
{
	struct rec *r = rec_at((uintptr_t)block);

	(void)storage;
	if (r == NULL || !r->live || r->size != size)
		fatal("storage: bad free of %p (%zu bytes)", block, size);
	r->live = 0;
	if (r->kind == REC_BOOT)
		return;		/* may still hold the handlers */
	if (r->kind == REC_NEW) {
		/* Obtained and given back within one op: only a chunk can. */
		if (size != CHUNK)
			fatal("storage: unknown %zu-byte block freed",
			    size);
		rec_make_chunk(r);
	}
	decommit(r->base, size);
}

static bool
storage_truncate(zend_mm_storage *storage, void *block, size_t old_size,
    size_t new_size)
{
	struct rec *r = rec_at((uintptr_t)block);

	(void)storage;
	if (r == NULL || !r->live || r->size != old_size ||
	    new_size >= old_size || (new_size & (PAGE - 1)) != 0)
		fatal("storage: bad truncate of %p", block);
	decommit(r->base + new_size, old_size - new_size);
	r->size = new_size;
	return true;
}

static bool
storage_extend(zend_mm_storage *storage, void *block, size_t old_size,
    size_t new_size)
{
	struct rec *r = rec_at((uintptr_t)block);

	(void)storage;
	if (r == NULL || !r->live || r->size != old_size ||
	    new_size <= old_size || (new_size & (PAGE - 1)) != 0)
		fatal("storage: bad extend of %p", block);
	/* Only the most recent block can grow: bump-pointer storage. */
	if (r->base != st.last || new_size > st.end - r->base)
		return false;
	if (mprotect((void *)(r->base + old_size), new_size - old_size,
	    PROT_READ | PROT_WRITE) != 0)
		fatal("storage: mprotect: %s", strerror(errno));
	r->size = new_size;
	if (r->base + new_size > st.top)
		st.top = r->base + new_size;
	return true;
}

static const zend_mm_handlers handlers = {
	storage_alloc, storage_free, storage_truncate, storage_extend
};

/* What heap->storage points to once the layout is known. */
static zend_mm_storage storage_desc = {
	{ storage_alloc, storage_free, storage_truncate, storage_extend },
	NULL
};

/*
 * Classifies the blocks obtained during the op that returned RET: a huge
 * block is always returned itself, at offset 0 of its block; everything
 * else ZendMM asks storage for is a chunk.
 */
static void
settle(const void *ret)
{
	struct rec *r;

	for (; st.settled < st.nrecs; st.settled++) {
		r = &st.recs[st.settled];
		if (r->kind != REC_NEW)
			continue;
		if (r->base == (uintptr_t)ret)
			r->kind = REC_HUGE;
		else if (r->size == CHUNK)
			rec_make_chunk(r);
		else
			fatal("storage block %p (%zu bytes) is neither a chunk "
			    "nor the block returned", (void *)r->base, r->size);
	}
}

/* Bytes that can still come from the region. */
static uint64_t
region_left(void)
{
	uintptr_t p = (st.top + CHUNK_MASK) & ~CHUNK_MASK;

	return p < st.end ? st.end - p : 0;
}

/* ------------------------------------------------------------------ */
/*  Output                                                             */
/* ------------------------------------------------------------------ */

/* Writes "cN+0xOFF" or "huge:BYTES" for PTR into BUF (>= 48 bytes). */
static void
format_loc(char *buf, size_t len, const void *ptr)
{
	uintptr_t a = (uintptr_t)ptr, off = a & CHUNK_MASK;
	const struct rec *r;
	int serial;

	if (off == 0) {
		r = rec_at(a);
		if (r != NULL && r->kind == REC_HUGE)
			snprintf(buf, len, "huge:%zu", r->size);
		else
			snprintf(buf, len, "?%p", ptr);
		return;
	}
	serial = serial_of(a - off);
	if (serial < 0)
		snprintf(buf, len, "?%p", ptr);
	else
		snprintf(buf, len, "c%d+0x%" PRIxPTR, serial, off);
}

static void
print_ptr(uint64_t opno, const char *id, const void *ptr)
{
	char loc[48];

	format_loc(loc, sizeof(loc), ptr);
	printf("%" PRIu64 " %s %s\n", opno, id, loc);
}

static void
print_chunk(const struct real_chunk *c)
{
	int i;

	printf("chunk c%d free_pages=%" PRIu32 "\nfree_map",
	    serial_of((uintptr_t)c), c->free_pages);
	for (i = 0; i < NPAGES / 64; i++)
		printf(" 0x%016" PRIx64, c->free_map[i]);
	fputs("\nmap", stdout);
	for (i = 0; i < NPAGES; i++)
		if (c->map[i] != 0)
			printf(" %d:0x%08" PRIx32, i, c->map[i]);
	putchar('\n');
}

/* The `--state` block, read from the heap's own structures. */
static void
print_state(const struct real_heap *h)
{
	const struct real_chunk *c;
	const struct real_huge *node;
	void *const *slot;
	char loc[48];
	int b;

	printf("heap size=%zu peak=%zu real_size=%zu real_peak=%zu\n",
	    h->size, h->peak, h->real_size, h->real_peak);
	c = h->main_chunk;
	do {
		if (serial_of((uintptr_t)c) < 0)
			fatal("chunk ring reaches %p, not a chunk", (void *)c);
		print_chunk(c);
		c = c->next;
	} while (c != h->main_chunk);
	for (b = 0; b < NBINS; b++) {
		if (h->free_slot[b] == NULL)
			continue;
		printf("bin %d %" PRIu32 ":", b, bin_slot[b]);
		for (slot = h->free_slot[b]; slot != NULL; slot = *slot) {
			format_loc(loc, sizeof(loc), slot);
			printf(" %s", loc);
		}
		putchar('\n');
	}
	if (h->cached_chunks != NULL) {
		fputs("cached", stdout);
		for (c = h->cached_chunks; c != NULL; c = c->next)
			printf(" c%d", serial_of((uintptr_t)c));
		putchar('\n');
	}
	if (h->huge_list != NULL) {
		fputs("huge", stdout);
		for (node = h->huge_list; node != NULL; node = node->next)
			printf(" %zu", node->size);
		putchar('\n');
	}
}

/* ------------------------------------------------------------------ */
/*  Heap creation and the layout check                                 */
/* ------------------------------------------------------------------ */

/* Why the layout was not recognised (the first failed check). */
static char	 layout_why[256];

static void	 mismatch(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* Records the first layout mismatch. */
static void
mismatch(const char *fmt, ...)
{
	va_list ap;

	if (layout_why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(layout_why, sizeof(layout_why), fmt, ap);
	va_end(ap);
}

#define EXPECT(cond, ...)	do {		\
	if (!(cond))				\
		mismatch(__VA_ARGS__);		\
} while (0)

static bool
in_chunk(const void *p, uintptr_t chunk)
{
	return ((uintptr_t)p & ~CHUNK_MASK) == chunk && p != (void *)chunk;
}

/*
 * The heap as zend_mm_startup_ex() builds it around a one-chunk storage
 * block: that block is a huge block, its 24-byte list node the first slot
 * of a bin-2 run on page 1.  Only memory inside the main chunk is read.
 */
static bool
check_startup(const struct real_heap *h, uintptr_t c0, uintptr_t boot)
{
	const struct real_chunk *c = (const struct real_chunk *)c0;
	const struct real_huge *node;
	void *const *slot;
	uintptr_t want;
	int i, n;

	EXPECT((uintptr_t)h == c0 + 0x40, "heap %p is not main chunk + 0x40",
	    (const void *)h);
	if (layout_why[0] != '\0')
		return false;
	EXPECT(c->heap == h, "chunk->heap (0x00) is not the heap");
	EXPECT((uintptr_t)c->next == c0 && (uintptr_t)c->prev == c0,
	    "chunk->next/prev (0x08/0x10) do not point at the chunk");
	EXPECT(c->free_pages == 510, "chunk->free_pages (0x18) is %" PRIu32
	    ", not 510", c->free_pages);
	EXPECT(c->free_tail == 2, "chunk->free_tail (0x1c) is %" PRIu32
	    ", not 2", c->free_tail);
	EXPECT(c->num == 0, "chunk->num (0x20) is %" PRIu32, c->num);
	EXPECT(c->free_map[0] == 3, "free_map (0x1e0) word 0 is 0x%" PRIx64,
	    c->free_map[0]);
	for (i = 1; i < NPAGES / 64; i++)
		EXPECT(c->free_map[i] == 0, "free_map word %d is not 0", i);
	EXPECT(c->map[0] == (MAP_LRUN | 1), "map[0] (0x220) is 0x%08" PRIx32,
	    c->map[0]);
	EXPECT(c->map[1] == (MAP_SRUN | 2), "map[1] is 0x%08" PRIx32
	    ", not a bin-2 run", c->map[1]);
	for (i = 2; i < NPAGES; i++)
		EXPECT(c->map[i] == 0, "map[%d] is 0x%08" PRIx32, i, c->map[i]);
	EXPECT(h->use_custom_heap == 0, "use_custom_heap (0x00) is not 0");
	EXPECT((uintptr_t)h->storage == boot, "storage (0x08) is not the "
	    "storage block");
	EXPECT(h->size == CHUNK + 24 && h->peak == CHUNK + 24,
	    "size/peak (0x10/0x18) are %zu/%zu", h->size, h->peak);
	EXPECT(h->real_size == 2 * CHUNK && h->real_peak == 2 * CHUNK,
	    "real_size/real_peak (0x110/0x118) are %zu/%zu", h->real_size,
	    h->real_peak);
	EXPECT(h->limit == SIZE_MAX >> 1, "limit (0x120) is 0x%zx", h->limit);
	EXPECT(h->overflow == 0 && h->fallible == 0,
	    "overflow/fallible (0x138/0x13c) are not 0");
	EXPECT((uintptr_t)h->main_chunk == c0, "main_chunk (0x148) is wrong");
	EXPECT(h->cached_chunks == NULL && h->cached_chunks_count == 0,
	    "cached_chunks (0x150/0x160) are not empty");
	EXPECT(h->chunks_count == 1 && h->peak_chunks_count == 1,
	    "chunks_count/peak_chunks_count (0x158/0x15c) are %d/%d",
	    h->chunks_count, h->peak_chunks_count);
	EXPECT(h->avg_chunks_count == 1.0, "avg_chunks_count (0x168) is %g",
	    h->avg_chunks_count);
	EXPECT(h->last_chunks_delete_boundary == 0 &&
	    h->last_chunks_delete_count == 0,
	    "last_chunks_delete_* (0x170/0x174) are not 0");
	for (i = 0; i < NBINS; i++)
		EXPECT(i == 2 || h->free_slot[i] == NULL,
		    "free_slot[%d] is not empty", i);
	EXPECT((uintptr_t)h->huge_list == c0 + PAGE,
	    "huge_list (0x140) is not the first bin-2 slot");
	if (layout_why[0] != '\0')
		return false;
	node = h->huge_list;
	EXPECT((uintptr_t)node->ptr == boot && node->size == CHUNK &&
	    node->next == NULL, "the huge list node is not {block, 2 MiB}");
	want = c0 + PAGE + 24;
	n = 0;
	for (slot = h->free_slot[2]; slot != NULL && n < 200; slot = *slot) {
		if ((uintptr_t)slot != want || !in_chunk(slot, c0)) {
			mismatch("free_slot[2] (0x30) slot %d is off", n);
			break;
		}
		want += 24;
		n++;
	}
	EXPECT(n == (int)bin_count[2] - 1, "free_slot[2] holds %d slots", n);
	return layout_why[0] == '\0';
}

/*
 * After the reset: byte for byte the heap of a plain zend_mm_startup(),
 * apart from the pointers that must differ and the two hard-limit fields
 * that zend_mm_startup_ex() leaves 0.
 */
static bool
check_pristine(const struct real_heap *h)
{
	const struct real_chunk *c = h->main_chunk, *d;
	struct real_heap a, b;
	struct real_heap *plain;
	size_t i;

	plain = (struct real_heap *)zend_mm_startup();
	if (plain == NULL)
		fatal("zend_mm_startup() failed");
	d = plain->main_chunk;
	a = *h;
	b = *plain;
	EXPECT(a.hard_limit == 0 && a.hard_limit_percent == 0,
	    "hard_limit fields (0x128/0x130) are not 0 after startup_ex");
	EXPECT(b.hard_limit == SIZE_MAX >> 1 && b.hard_limit_percent == -1,
	    "hard_limit fields (0x128/0x130) of zend_mm_startup() are "
	    "0x%zx/%" PRId64, b.hard_limit, b.hard_limit_percent);
	a.storage = b.storage = NULL;
	a.main_chunk = b.main_chunk = NULL;
	a.hard_limit = b.hard_limit = 0;
	a.hard_limit_percent = b.hard_limit_percent = 0;
	for (i = 0; i < sizeof(a); i++) {
		if (((unsigned char *)&a)[i] != ((unsigned char *)&b)[i]) {
			mismatch("heap byte 0x%zx differs from "
			    "zend_mm_startup()'s", i);
			break;
		}
	}
	EXPECT(c->heap == h && c->next == c && c->prev == c,
	    "main chunk links after the reset");
	EXPECT(c->free_pages == d->free_pages && c->free_tail == d->free_tail &&
	    c->num == d->num && memcmp(c->reserve, d->reserve,
	    sizeof(c->reserve)) == 0, "chunk header differs from "
	    "zend_mm_startup()'s");
	EXPECT(memcmp(c->free_map, d->free_map, sizeof(c->free_map)) == 0 &&
	    memcmp(c->map, d->map, sizeof(c->map)) == 0,
	    "free_map/map differ from zend_mm_startup()'s");
	zend_mm_shutdown((zend_mm_heap *)plain, 1, 1);
	return layout_why[0] == '\0';
}

/*
 * Makes a heap that is exactly what zend_mm_startup() gives, on our storage.
 * zend_mm_startup_ex() puts its storage descriptor in a block allocated
 * from the new heap; asking for one chunk's worth makes that a huge block,
 * outside the main chunk.  A reset (zend_mm_shutdown(full=0)) then gives
 * that block back (storage_free keeps it readable, since heap->storage
 * still points at it) and reinitialises the main chunk and the counters,
 * which leaves the plain start-up heap.  Only the public API is needed for
 * this; when the layout is known, heap->storage is also pointed at a static
 * descriptor and the two hard-limit fields get zend_mm_init()'s values.
 * Returns whether the layout is known (never with NO_LAYOUT).
 */
static bool
heap_create(zend_mm_heap **out, bool no_layout)
{
	zend_mm_heap *zh;
	struct real_heap *h;
	uintptr_t c0, boot;
	bool known;

	zh = zend_mm_startup_ex(&handlers, NULL, STORAGE_DATA);
	if (zh == NULL)
		fatal("zend_mm_startup_ex() failed");
	if (st.nrecs != 2 || st.recs[1].size != CHUNK ||
	    (uintptr_t)zend_mm_get_storage(zh) != st.recs[1].base)
		fatal("zend_mm_startup_ex() did not put its storage block in "
		    "a huge block of its own; cannot build a clean heap");
	c0 = st.recs[0].base;
	boot = st.recs[1].base;
	rec_make_chunk(&st.recs[0]);
	st.recs[1].kind = REC_BOOT;
	st.settled = st.nrecs;
	h = (struct real_heap *)zh;

	if (no_layout) {
		mismatch("--no-layout given");
		known = false;
	} else
		known = check_startup(h, c0, boot);
	zend_mm_shutdown(zh, 0, 1);
	if (st.recs[1].live || !st.recs[0].live || st.nrecs != 2)
		fatal("the first reset did not give back just the storage "
		    "block");
	if (known)
		known = check_pristine(h);
	if (known) {
		h->storage = &storage_desc;
		h->hard_limit = SIZE_MAX >> 1;
		h->hard_limit_percent = -1;
	}
	*out = zh;
	return known;
}

/* ------------------------------------------------------------------ */
/*  gc safety                                                          */
/* ------------------------------------------------------------------ */

/*
 * Would zend_mm_gc() leave the main chunk without a used page?  PHP 8.2
 * then deletes the main chunk itself, the one that holds the heap.  This
 * follows gc step by step for the main chunk: the first pass adds each
 * free slot to the 9-bit counter in its run's first map word, the second
 * walks the pages below free_tail and frees every small run whose counter
 * equals its slot count (never true for bin 0's 512 slots).
 */
static bool
gc_empties_main(const struct real_heap *h)
{
	const struct real_chunk *c = h->main_chunk;
	uintptr_t c0 = (uintptr_t)c;
	uint32_t nfree[NPAGES];
	uint32_t i, w, freed = 0, count;
	void *const *slot;
	int b;
	uintptr_t page;

	memset(nfree, 0, sizeof(nfree));
	for (b = 0; b < NBINS; b++) {
		for (slot = h->free_slot[b]; slot != NULL; slot = *slot) {
			if (!in_chunk(slot, c0))
				continue;
			page = ((uintptr_t)slot & CHUNK_MASK) / PAGE;
			w = c->map[page];
			if (w & MAP_LRUN)
				page -= MAP_COUNTER(w);
			nfree[page]++;
		}
	}
	for (i = 1; i < c->free_tail && i < NPAGES;) {
		if (!(c->free_map[i / 64] & ((uint64_t)1 << (i % 64)))) {
			i++;
			continue;
		}
		w = c->map[i];
		if (w & MAP_SRUN) {
			count = (MAP_COUNTER(w) + nfree[i]) & 0x1ffu;
			if (count == bin_count[MAP_BIN(w)])
				freed += bin_pages[MAP_BIN(w)];
			i += bin_pages[MAP_BIN(w)];
		} else {
			if (MAP_PAGES(w) == 0)
				return false;
			i += MAP_PAGES(w);
		}
	}
	return c->free_pages + freed == NPAGES - 1;
}

/* ------------------------------------------------------------------ */
/*  Replay                                                             */
/* ------------------------------------------------------------------ */

struct replay {
	const struct trace	*trace;
	zend_mm_heap		*heap;
	bool			 known;	/* layout recognised */
	bool			 no_layout;	/* --no-layout */
	bool			 ptrs;
	bool			 state;
	bool			 keep_going;
	void			**ptr;		/* by ID index */
	uint32_t		*epoch;	/* live iff == cur_epoch */
	uint32_t		 cur_epoch;
	uintptr_t		 c0;		/* the main chunk */
	int			 errors;
	bool			 gc_refused;
};

static bool
live(const struct replay *r, uint32_t id)
{
	return r->epoch[id] == r->cur_epoch;
}

static void
set_live(struct replay *r, uint32_t id, void *ptr)
{
	r->ptr[id] = ptr;
	r->epoch[id] = r->cur_epoch;
}

static void
trace_error(struct replay *r, const struct trace_item *it, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* "FILE:LINE: error: MESSAGE" on stderr. */
static void
trace_error(struct replay *r, const struct trace_item *it, const char *fmt,
    ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s:%" PRIu32 ": error: ", trace_name(r->trace),
	    it->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->errors++;
}

static void
liveness_error(struct replay *r, const struct trace_item *it,
    const char *what, bool is_live)
{
	trace_error(r, it, "%s of '%s', which is %s", what,
	    trace_id_name(r->trace, it->id), is_live ? "already live" :
	    "not live");
}

/* The region cannot supply SIZE bytes: stop before ZendMM is asked. */
static void
check_room(struct replay *r, const struct trace_item *it, uint64_t size)
{
	if (size <= region_left())
		return;
	fflush(stdout);
	fprintf(stderr, "%s:%" PRIu32 ": fatal: %" PRIu64 " bytes cannot come "
	    "from the storage region (%" PRIu64 " bytes left)\n",
	    trace_name(r->trace), it->line, size, region_left());
	if (r->state && r->known)
		print_state((const struct real_heap *)r->heap);
	fflush(stdout);
	exit(EXIT_INTERNAL);
}

/*
 * Without the layout, gc is only called when one of the trace's own
 * small or large blocks is in the main chunk, which keeps that chunk.
 */
static bool
gc_unsafe(const struct replay *r)
{
	uint32_t id, n = trace_id_count(r->trace);

	if (r->known)
		return gc_empties_main((const struct real_heap *)r->heap);
	for (id = 0; id < n; id++)
		if (live(r, id) && in_chunk(r->ptr[id], r->c0))
			return false;
	return true;
}

/* After a gc: the main chunk must still head the ring. */
static void
check_main_kept(const struct replay *r)
{
	const struct real_heap *h = (const struct real_heap *)r->heap;
	const struct real_chunk *c;

	if (!r->known)
		return;
	if ((uintptr_t)h->main_chunk != r->c0 || !rec_at(r->c0)->live)
		fatal("zend_mm_gc() deleted the main chunk");
	for (c = h->cached_chunks; c != NULL; c = c->next)
		if ((uintptr_t)c == r->c0)
			fatal("zend_mm_gc() put the main chunk in the cache");
}

/*
 * Carries out one item.  Returns false when the replay must stop.  *RET is
 * set to the block the op returned, if any.
 */
static bool
step(struct replay *r, const struct trace_item *it, void **ret)
{
	const char *text;
	unsigned __int128 total;
	size_t len;
	void *p;

	*ret = NULL;
	switch (it->kind) {
	case TRACE_ALLOC:
		if (live(r, it->id)) {
			liveness_error(r, it, "alloc", true);
			return r->keep_going;
		}
		check_room(r, it, it->size);
		p = _zend_mm_alloc(r->heap, it->size);
		set_live(r, it->id, p);
		*ret = p;
		break;
	case TRACE_FREE:
		if (!live(r, it->id)) {
			liveness_error(r, it, "free", false);
			return r->keep_going;
		}
		_zend_mm_free(r->heap, r->ptr[it->id]);
		r->epoch[it->id] = 0;
		break;
	case TRACE_REALLOC:
		if (!live(r, it->id) && !(it->flags & TRACE_F_REP)) {
			liveness_error(r, it, "realloc", false);
			return r->keep_going;
		}
		check_room(r, it, it->size);
		p = _zend_mm_realloc(r->heap, live(r, it->id) ?
		    r->ptr[it->id] : NULL, it->size);
		set_live(r, it->id, p);
		*ret = p;
		break;
	case TRACE_CALLOC:
		if (live(r, it->id)) {
			liveness_error(r, it, "calloc", true);
			return r->keep_going;
		}
		total = (unsigned __int128)it->count * it->size;
		if (total > SIZE_MAX) {
			if (r->ptrs)
				printf("%" PRIu64 " %s error: Possible integer "
				    "overflow in memory allocation (%" PRIu64
				    " * %" PRIu64 " + 0)\n", it->opno,
				    trace_id_name(r->trace, it->id), it->count,
				    it->size);
			break;
		}
		check_room(r, it, (uint64_t)total);
		p = _zend_mm_alloc(r->heap, (size_t)total);
		memset(p, 0, (size_t)total);
		set_live(r, it->id, p);
		*ret = p;
		break;
	case TRACE_STRDUP:
		if (live(r, it->id)) {
			liveness_error(r, it, "strdup", true);
			return r->keep_going;
		}
		text = trace_item_text(r->trace, it, NULL);
		len = text != NULL ? strlen(text) : 0;
		check_room(r, it, (uint64_t)len + 1);
		p = _zend_mm_alloc(r->heap, len + 1);
		memcpy(p, text != NULL ? text : "", len + 1);
		set_live(r, it->id, p);
		*ret = p;
		break;
	case TRACE_FREE_NULL:
		_zend_mm_free(r->heap, NULL);
		break;
	case TRACE_GC:
		if (gc_unsafe(r)) {
			fflush(stdout);
			fprintf(stderr, "%s:%" PRIu32 ": error: gc refused: it "
			    "would leave the main chunk c0 without a used "
			    "page, and PHP 8.2's zend_mm_gc() then deletes c0, "
			    "which holds the heap (keep a block in c0, e.g. "
			    "`alloc __pin 8` first)\n", trace_name(r->trace),
			    it->line);
			r->gc_refused = true;
			return r->keep_going;
		}
		zend_mm_gc(r->heap);
		check_main_kept(r);
		break;
	case TRACE_RESET:
		zend_mm_shutdown(r->heap, 0, 1);
		if (++r->cur_epoch == 0) {
			memset(r->epoch, 0, trace_id_count(r->trace) *
			    sizeof(*r->epoch));
			r->cur_epoch = 1;
		}
		break;
	case TRACE_BAD:
		text = trace_item_text(r->trace, it, NULL);
		trace_error(r, it, "%s", text != NULL ? text : "malformed line");
		return r->keep_going;
	default:
		break;		/* directives */
	}
	return true;
}

static int
replay(struct replay *r)
{
	size_t i, n = trace_item_count(r->trace);
	struct trace_item item;
	const struct trace_item *it = &item;
	void *ret;

	for (i = 0; i < n; i++) {
		item = trace_item_at(r->trace, i);
		if (!step(r, it, &ret))
			break;
		if (st.settled < st.nrecs)
			settle(ret);
		if (ret != NULL && r->ptrs)
			print_ptr(it->opno, trace_id_name(r->trace, it->id),
			    ret);
	}
	if (r->state && r->known)
		print_state((const struct real_heap *)r->heap);
	if (fflush(stdout) != 0 || ferror(stdout))
		fatal("write error on standard output");
	if (r->gc_refused)
		return EXIT_GC_REFUSED;
	return r->errors > 0 ? EXIT_TRACE : EXIT_OK;
}

/* ------------------------------------------------------------------ */
/*  main                                                               */
/* ------------------------------------------------------------------ */

static const char usage_text[] =
"usage: zmmreal [--ptrs] [--state] [--keep-going] [--no-layout] TRACE\n"
"Replays TRACE (.zmt or CS:APP .rep) through the real Zend memory manager\n"
"of libphp8.2 and prints what it did, in zmmreplay's format.\n"
"\n"
"  --ptrs         one line per op that returns a block: OPNO ID LOC\n"
"  --state        the heap at the end (the default with no option)\n"
"  --keep-going   report trace errors and skip them instead of stopping\n"
"  --no-layout    act as if the library's private layout were unknown:\n"
"                 public API only, no --state (tests that fallback)\n"
"  -h, --help     show this help\n"
"  -V, --version  show the versions of zmmviz and of the linked PHP\n"
"\n"
"Exit status: 0 ok, 1 trace errors, 2 usage or @limit, 3 internal error,\n"
"4 a gc was refused (it would delete the main chunk in PHP 8.2).\n";

int
main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct replay r;
	struct trace *trace;
	struct trace_error terr;
	struct trace_item item;
	const char *path = NULL;
	size_t i, n;
	int a, rc;

	memset(&r, 0, sizeof(r));
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--ptrs") == 0)
			r.ptrs = true;
		else if (strcmp(argv[a], "--state") == 0)
			r.state = true;
		else if (strcmp(argv[a], "--keep-going") == 0)
			r.keep_going = true;
		else if (strcmp(argv[a], "--no-layout") == 0)
			r.no_layout = true;
		else if (strcmp(argv[a], "-h") == 0 ||
		    strcmp(argv[a], "--help") == 0) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else if (strcmp(argv[a], "-V") == 0 ||
		    strcmp(argv[a], "--version") == 0) {
			printf("zmmreal (zmmviz) %s\nreplays through the real "
			    "Zend memory manager of libphp (PHP %s)\n",
			    PACKAGE_VERSION, PHP_VERSION);
			return EXIT_OK;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "%s: unknown option %s\n%s", progname,
			    argv[a], usage_text);
			return EXIT_USAGE;
		} else if (path == NULL)
			path = argv[a];
		else {
			fprintf(stderr, "%s: give exactly one TRACE\n%s",
			    progname, usage_text);
			return EXIT_USAGE;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "%s: no TRACE given\n%s", progname, usage_text);
		return EXIT_USAGE;
	}
	if (!r.ptrs && !r.state)
		r.state = true;
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	if (trace_load_file(path, &trace, &terr) != 0) {
		if (terr.line != 0)
			fprintf(stderr, "%s:%lu: error: %s\n", terr.file,
			    terr.line, terr.msg);
		else
			fprintf(stderr, "%s: %s: %s\n", progname, terr.file,
			    terr.msg);
		return EXIT_INTERNAL;
	}
	n = trace_item_count(trace);
	for (i = 0; i < n; i++) {
		item = trace_item_at(trace, i);
		if (item.kind == TRACE_LIMIT) {
			fprintf(stderr, "%s:%" PRIu32 ": error: @limit cannot "
			    "be replayed on the real allocator\n",
			    trace_name(trace), item.line);
			trace_free(trace);
			return EXIT_USAGE;
		}
	}

	r.trace = trace;
	r.ptr = calloc((size_t)trace_id_count(trace) + 1, sizeof(*r.ptr));
	r.epoch = calloc((size_t)trace_id_count(trace) + 1, sizeof(*r.epoch));
	if (r.ptr == NULL || r.epoch == NULL)
		fatal("out of memory");
	r.cur_epoch = 1;

	region_reserve();
	r.known = heap_create(&r.heap, r.no_layout);
	r.c0 = st.recs[0].base;
	if (!r.known) {
		fprintf(stderr, "%s: libphp8.2 layout not recognised: %s; "
		    "--state comparison skipped\nlayout-unknown\n", progname,
		    layout_why);
	}
	rc = replay(&r);
	fflush(stdout);
	free(r.ptr);
	free(r.epoch);
	trace_free(trace);
	return rc;
}
