/*
 * zmm_internal.h - the allocator core's private types, shared by lib/zmm_*.c.
 *
 *   struct zmm_heap    `zend_mm_heap`: statistics, free_slot[30], the chunk
 *                      ring and cache, the huge list, storage, listeners.
 *                      Kept in ordinary memory (ZendMM keeps it in the main
 *                      chunk's header; nothing observable depends on that).
 *   struct zmm_chunk   `zend_mm_chunk`: the header in page 0 of each 2 MiB
 *                      chunk; `free_map` has a bit per page (set = used) and
 *                      `map` a word per page (see ZMM_IS_* in zmm.h).
 *   struct zmm_huge    `zend_mm_huge_list`: a 24-byte node per huge block,
 *                      itself a small allocation of bin 2 inside the heap.
 *   struct zmm_slot    `zend_mm_free_slot`: a free slot's first word links
 *                      to the next free slot of the same bin.
 *
 * Names: zmm__noun_verb() crosses files inside lib/ and is declared here,
 * grouped by the file that defines it.
 */
#ifndef ZMM_INTERNAL_H
#define ZMM_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "zmm.h"
#include "zmm_events.h"

#ifndef ZMM_DEBUG
#define ZMM_DEBUG 0
#endif

#if ZMM_DEBUG >= 1
#include <assert.h>
#define ZMM_ASSERT(x)	assert(x)
#else
#define ZMM_ASSERT(x)	((void)0)
#endif

#if ZMM_DEBUG >= 2
/*
 * The debug build (configure --enable-debug) walks the whole heap after
 * every public op and aborts on the first broken invariant.  Inside the
 * core (every file that includes this header) the public names of the
 * ops name these unchecked ones instead, which zmm_heap.c, zmm_realloc.c
 * and zmm_snapshot.c define; zmm_check.c defines the public names around
 * them, each calling its op and then the check.  So the heap is checked
 * when a caller's op is done, never half-way through one.
 */
#define zmm_heap_new		zmm__op_heap_new
#define zmm_heap_alloc		zmm__op_alloc
#define zmm_heap_free		zmm__op_free
#define zmm_heap_realloc	zmm__op_realloc
#define zmm_heap_calloc		zmm__op_calloc
#define zmm_heap_strdup		zmm__op_strdup
#define zmm_heap_gc		zmm__op_gc
#define zmm_heap_reset		zmm__op_reset
#define zmm_heap_set_limit	zmm__op_set_limit
#define zmm_heap_restore	zmm__op_restore

struct zmm_heap	*zmm__op_heap_new(const struct zmm_storage_ops *ops,
		    void *ctx, int *status);
int		 zmm__op_alloc(struct zmm_heap *heap, size_t size, void **out);
int		 zmm__op_free(struct zmm_heap *heap, void *ptr);
int		 zmm__op_realloc(struct zmm_heap *heap, void *ptr, size_t size,
		    void **out);
int		 zmm__op_calloc(struct zmm_heap *heap, size_t n, size_t size,
		    void **out);
int		 zmm__op_strdup(struct zmm_heap *heap, const char *str,
		    void **out);
size_t		 zmm__op_gc(struct zmm_heap *heap);
void		 zmm__op_reset(struct zmm_heap *heap);
int		 zmm__op_set_limit(struct zmm_heap *heap, size_t limit);
struct zmm_snapshot;
int		 zmm__op_restore(struct zmm_heap *heap,
		    const struct zmm_snapshot *snap);
#endif

#define ZMM_LIKELY(x)	__builtin_expect(!!(x), 1)
#define ZMM_UNLIKELY(x)	__builtin_expect(!!(x), 0)

struct zmm_slot {
	struct zmm_slot	*next;		/* next free slot of the bin, or NULL */
};

struct zmm_chunk {
	struct zmm_heap	*heap;		/* owner; checked on every free */
	struct zmm_chunk *next;		/* ring (or cache) successor */
	struct zmm_chunk *prev;		/* ring predecessor; stale in the cache */
	uint32_t	 free_pages;	/* free pages among 1..511 */
	uint32_t	 free_tail;	/* hint: first page of the free tail */
	uint32_t	 num;		/* age: ring's last num + 1 when added */
	uint64_t	 free_map[ZMM_PAGE_MAP_LEN];	/* bit set = page used */
	uint32_t	 map[ZMM_PAGES];		/* page words */
	uint32_t	 serial;	/* c0, c1, ...: not part of `zend_mm_chunk` */
};

struct zmm_huge {
	void		*ptr;		/* the 2 MiB-aligned block */
	size_t		 size;		/* mapped bytes */
	struct zmm_huge	*next;		/* older block */
};

struct zmm_listener {
	zmm_event_fn	*fn;		/* NULL: free slot */
	void		*arg;
};

struct zmm_heap {
	size_t		 size;		/* `size`: slot/page/mapping bytes in use */
	size_t		 peak;
	struct zmm_slot	*free_slot[ZMM_BINS];	/* LIFO free lists */
	size_t		 real_size;	/* chunks (ring + cache) and huge bytes */
	size_t		 real_peak;
	size_t		 limit;
	struct zmm_huge	*huge_list;	/* newest first */
	struct zmm_chunk *main_chunk;
	struct zmm_chunk *cached_chunks;	/* LIFO through `next` */
	int		 chunks_count;
	int		 peak_chunks_count;
	int		 cached_chunks_count;
	double		 avg_chunks_count;
	int		 last_chunks_delete_boundary;
	int		 last_chunks_delete_count;

	const struct zmm_storage_ops *storage;
	void		*storage_ctx;
	int		 own_storage;	/* destroy the storage with the heap */
	int		 payload;	/* calloc zeroes, strdup/realloc copy */
	uint32_t	 next_serial;	/* serial of the next chunk from storage */

	/* teaching counters (zmm_stats) */
	size_t		 slots_popped;
	size_t		 slots_pushed;
	size_t		 runs_carved;
	size_t		 chunks_mapped;
	size_t		 gc_runs;

	/* events */
	int		 observed;	/* listeners attached and not muted */
	int		 muted;
	int		 dispatching;	/* inside a callback: no mutation */
	unsigned long	 op;
	int		 listeners_top;	/* slots in use are below this */
	struct zmm_listener listeners[ZMM_LISTENERS_MAX];
	struct zmm_listener target;	/* the one listener, or the fan-out */
	struct zmm_event slot_event;	/* reused by zmm__ev_slot() */

	int		 status;	/* ZMM_OK or why the current call failed */
	char		 error[192];	/* PHP's message for the last failure */
};

/* Bin tables, from ZMM_BINS_INFO. */
extern const uint32_t zmm__bin_size[ZMM_BINS];
extern const uint32_t zmm__bin_slots[ZMM_BINS];
extern const uint32_t zmm__bin_pages[ZMM_BINS];

static inline struct zmm_chunk *
zmm__chunk_of(const void *ptr)
{
	return (struct zmm_chunk *)((uintptr_t)ptr & ~(uintptr_t)(ZMM_CHUNK_SIZE - 1));
}

static inline size_t
zmm__chunk_offset(const void *ptr)
{
	return (uintptr_t)ptr & (ZMM_CHUNK_SIZE - 1);
}

static inline void *
zmm__page_addr(struct zmm_chunk *chunk, uint32_t page)
{
	return (char *)chunk + (size_t)page * ZMM_PAGE_SIZE;
}

/* Bitmap helpers over a chunk's `free_map` (bit set = used). */
static inline int
zmm__bit_is_set(const uint64_t *map, uint32_t bit)
{
	ZMM_ASSERT(bit < ZMM_PAGES);
	return (int)((map[bit / 64] >> (bit % 64)) & 1);
}

static inline void
zmm__bits_set(uint64_t *map, uint32_t start, uint32_t len)
{
	ZMM_ASSERT(start + len <= ZMM_PAGES);
	while (len > 0) {
		uint32_t word = start / 64, bit = start % 64;
		uint32_t n = 64 - bit < len ? 64 - bit : len;
		uint64_t mask = n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1) << bit;
		map[word] |= mask;
		start += n;
		len -= n;
	}
}

static inline void
zmm__bits_clear(uint64_t *map, uint32_t start, uint32_t len)
{
	ZMM_ASSERT(start + len <= ZMM_PAGES);
	while (len > 0) {
		uint32_t word = start / 64, bit = start % 64;
		uint32_t n = 64 - bit < len ? 64 - bit : len;
		uint64_t mask = n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1) << bit;
		map[word] &= ~mask;
		start += n;
		len -= n;
	}
}

static inline int
zmm__bits_all_clear(const uint64_t *map, uint32_t start, uint32_t len)
{
	ZMM_ASSERT(start + len <= ZMM_PAGES);
	while (len > 0) {
		uint32_t word = start / 64, bit = start % 64;
		uint32_t n = 64 - bit < len ? 64 - bit : len;
		uint64_t mask = n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1) << bit;
		if (map[word] & mask)
			return 0;
		start += n;
		len -= n;
	}
	return 1;
}

/*
 * Every public call starts here: listeners may not mutate the heap, and
 * the status and message of an earlier failure are cleared.
 */
static inline int
zmm__begin(struct zmm_heap *heap)
{
	/* one test on the fast path: both are zero almost always */
	if (ZMM_UNLIKELY((heap->dispatching | heap->status) != 0)) {
		if (heap->dispatching)
			return ZMM_E_BUSY;
		heap->status = ZMM_OK;
		heap->error[0] = '\0';
	}
	return ZMM_OK;
}

/*
 * Delivers EVENT, stamped with the current op, to the listeners: straight
 * to the only one in the common case, through a fan-out loop otherwise.
 * Inline: with an observer attached every event passes here.
 */
static inline void
zmm__emit(struct zmm_heap *heap, struct zmm_event *event)
{
	event->op = heap->op;
	heap->dispatching++;
	heap->target.fn(event, heap->target.arg);
	heap->dispatching--;
}

/* zmm_events.c */
void	 zmm__ev_chunk(struct zmm_heap *heap, enum zmm_event_type type,
	    const struct zmm_chunk *chunk, enum zmm_why why);
void	 zmm__ev_block(struct zmm_heap *heap, enum zmm_event_type type,
	    const void *ptr, size_t size, size_t count, enum zmm_why why);

/*
 * An event with no field set.  Field by field, not memset or an
 * initializer: compilers turn those into `rep stos`, which costs more than
 * the rest of an event.
 */
static inline void
zmm__event_init(struct zmm_event *event, enum zmm_event_type type)
{
	event->type = type;
	event->why = ZMM_WHY_NONE;
	event->op = 0;
	event->chunk = -1;
	event->page = -1;
	event->pages = 0;
	event->bin = -1;
	event->loc.kind = ZMM_LOC_NONE;
	event->loc.chunk = 0;
	event->loc.offset = 0;
	event->loc.size = 0;
	event->size = 0;
	event->count = 0;
	event->text = NULL;
}

/*
 * An event about a run of pages (PAGES long at PAGE).  Inline: the page
 * paths are long enough to carry its frame, and the best-fit search emits
 * one per candidate.
 */
static inline void
zmm__ev_pages(struct zmm_heap *heap, enum zmm_event_type type,
    const struct zmm_chunk *chunk, uint32_t page, uint32_t pages, int bin,
    enum zmm_why why)
{
	struct zmm_event ev;

	zmm__event_init(&ev, type);
	ev.chunk = (int)chunk->serial;
	ev.page = (int)page;
	ev.pages = pages;
	ev.bin = bin;
	if (type == ZMM_EV_RUN_CARVE && bin >= 0)
		ev.count = zmm__bin_slots[bin];
	ev.why = why;
	zmm__emit(heap, &ev);
}

/*
 * Out of line: inlined, its event frame would cost the unobserved slot
 * fast paths a stack frame of their own.
 */
void	 zmm__ev_slot(struct zmm_heap *heap, enum zmm_event_type type,
	    int bin, const void *slot);

/* zmm_small.c */
void	*zmm__small_alloc_slow(struct zmm_heap *heap, int bin);

/* `zend_mm_small_size_to_bin`, inline for the hot paths. */
static inline int
zmm__size_to_bin(size_t size)
{
	unsigned n, k;

	ZMM_ASSERT(size <= ZMM_MAX_SMALL_SIZE);
	if (size <= 64)
		return (int)((size - (size != 0)) >> 3);
	n = (unsigned)size - 1;
	k = 32 - (unsigned)__builtin_clz(n);	/* bit length of n */
	return (int)((n >> (k - 3)) + 4 * (k - 6));
}

/*
 * A slot of BIN (`zend_mm_alloc_small`).  `size` and `peak` grow first,
 * before memory is found, and stay raised if no run can be had (as in PHP
 * 8.2.0-8.2.34).  The fast path pops the head of `free_slot[bin]`.
 */
static inline void *
zmm__small_alloc(struct zmm_heap *heap, int bin)
{
	struct zmm_slot *p;

	ZMM_ASSERT(bin >= 0 && bin < ZMM_BINS);
	heap->size += zmm__bin_size[bin];
	if (heap->size > heap->peak)
		heap->peak = heap->size;
	p = heap->free_slot[bin];
	if (ZMM_LIKELY(p != NULL)) {
		/* a free slot lies in a run of its own bin */
		ZMM_ASSERT(zmm__chunk_of(p)->heap == heap &&
		    (zmm__chunk_of(p)->map[zmm__chunk_offset(p) / ZMM_PAGE_SIZE] &
		    ZMM_IS_SRUN) != 0);
		heap->free_slot[bin] = p->next;
		heap->slots_popped++;
		if (ZMM_UNLIKELY(heap->observed))
			zmm__ev_slot(heap, ZMM_EV_SLOT_POP, bin, p);
		return p;
	}
	return zmm__small_alloc_slow(heap, bin);
}

/* Pushes PTR on the head of `free_slot[bin]` (`zend_mm_free_small`). */
static inline void
zmm__small_free(struct zmm_heap *heap, void *ptr, int bin)
{
	struct zmm_slot *p = ptr;

	ZMM_ASSERT(bin >= 0 && bin < ZMM_BINS);
	/* freed twice in a row: the slot would point at itself */
	ZMM_ASSERT(p != heap->free_slot[bin]);
	heap->size -= zmm__bin_size[bin];
	p->next = heap->free_slot[bin];
	heap->free_slot[bin] = p;
	heap->slots_pushed++;
	if (ZMM_UNLIKELY(heap->observed))
		zmm__ev_slot(heap, ZMM_EV_SLOT_PUSH, bin, p);
}

/* zmm_chunk.c */
struct zmm_chunk *zmm__chunk_take(struct zmm_heap *heap, uint32_t pages);
void	 zmm__chunk_init(struct zmm_heap *heap, struct zmm_chunk *chunk);
void	 zmm__chunk_delete(struct zmm_heap *heap, struct zmm_chunk *chunk);
void	 zmm__chunk_release(struct zmm_heap *heap, struct zmm_chunk *chunk,
	    enum zmm_why why);

/* zmm_large.c */
void	*zmm__pages_alloc(struct zmm_heap *heap, uint32_t pages, int bin);
void	 zmm__pages_free(struct zmm_heap *heap, struct zmm_chunk *chunk,
	    uint32_t page, uint32_t pages, int may_delete_chunk);
void	*zmm__large_alloc(struct zmm_heap *heap, size_t size);
void	 zmm__large_free(struct zmm_heap *heap, struct zmm_chunk *chunk,
	    uint32_t page, uint32_t pages);


/* zmm_huge.c */
void	*zmm__huge_alloc(struct zmm_heap *heap, size_t size);
int	 zmm__huge_free(struct zmm_heap *heap, void *ptr);
struct zmm_huge *zmm__huge_find(const struct zmm_heap *heap, const void *ptr);

/* zmm_heap.c */
void	 zmm__fail(struct zmm_heap *heap, int status, size_t size,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* `zend_mm_alloc_heap`: dispatch on the size class (inline: the hot path). */
static inline void *
zmm__alloc(struct zmm_heap *heap, size_t size)
{
	if (size <= ZMM_MAX_SMALL_SIZE)
		return zmm__small_alloc(heap, zmm__size_to_bin(size));
	if (size <= ZMM_MAX_LARGE_SIZE)
		return zmm__large_alloc(heap, size);
	return zmm__huge_alloc(heap, size);
}

/*
 * `zend_mm_free_heap`: a pointer with zero low 21 bits is huge (or NULL);
 * otherwise its page's map word says small (bin) or large (pages).
 */
static inline int
zmm__free(struct zmm_heap *heap, void *ptr)
{
	struct zmm_chunk *chunk;
	size_t offset = zmm__chunk_offset(ptr);
	uint32_t page, info;

	if (offset == 0) {
		if (ptr == NULL)
			return ZMM_OK;
		return zmm__huge_free(heap, ptr);
	}
	chunk = zmm__chunk_of(ptr);
	if (chunk->heap != heap)
		return ZMM_E_INVALID;
	page = (uint32_t)(offset / ZMM_PAGE_SIZE);
	info = chunk->map[page];
	if (info & ZMM_IS_SRUN) {
		zmm__small_free(heap, ptr, (int)ZMM_SRUN_BIN(info));
		return ZMM_OK;
	}
	if (offset % ZMM_PAGE_SIZE != 0 || ZMM_LRUN_PAGES(info) == 0)
		return ZMM_E_INVALID;
	zmm__large_free(heap, chunk, page, ZMM_LRUN_PAGES(info));
	return ZMM_OK;
}

/* zmm_gc.c */
size_t	 zmm__gc(struct zmm_heap *heap);

/* zmm_storage.c: the default storage's state, for zmm_snapshot.c */
struct zmm__storage_mark {
	uintptr_t	 top;		/* bump pointer */
	uintptr_t	 last;		/* the block `extend` may grow */
	size_t		 used;		/* bytes handed out, ever */
};

void	 zmm__storage_mark_save(const void *ctx, struct zmm__storage_mark *out);
void	 zmm__storage_mark_load(void *ctx, const struct zmm__storage_mark *mark);
int	 zmm__storage_commit(void *ctx, uintptr_t addr, size_t len);

#endif /* ZMM_INTERNAL_H */
