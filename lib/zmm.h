/*
 * zmm.h - the zmmviz allocator core: a faithful model of PHP 8.2's Zend
 * memory manager (Zend/zend_alloc.c), and its read-only inspection API.
 *
 * ZendMM sorts requests into three classes.  Small ones (0..3072 bytes) get
 * a slot of one of 30 bins; the slots are carved from runs of pages and kept
 * on LIFO free lists (`free_slot[bin]`).  Large ones (up to 511 pages) get a
 * run of whole pages inside a 2 MiB chunk, found by a best-fit search over
 * each chunk's page bitmap (`free_map`).  Huge ones get a 2 MiB-aligned
 * mapping of their own.  Page 0 of every chunk holds the chunk header:
 *
 *   chunk (2 MiB) = | header | page 1 | page 2 | ... | page 511 |
 *   header        = links, free_pages, free_tail, num, free_map[8], map[512]
 *
 * The memory is real: blocks come from a deterministic storage layer (one
 * reserved address range, a bump pointer, no address ever reused), so the
 * same trace always gives the same chunk serials and offsets, and a C
 * program could use the heap as its allocator.
 *
 * Mutating calls return a status (ZMM_OK or a negative ZMM_E_*); the core
 * never prints and never exits.  Every state change is also reported as an
 * event to listeners (zmm_events.h).
 */
#ifndef ZMM_H
#define ZMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zmm_sizes.h"

/* ------------------------------------------------------------------
 *  Constants (the `ZEND_MM_*` values of PHP 8.2, x86-64)
 * ------------------------------------------------------------------ */
#define ZMM_CHUNK_SIZE		((size_t)2 * 1024 * 1024)
#define ZMM_PAGE_SIZE		((size_t)4096)
#define ZMM_PAGES		512
#define ZMM_FIRST_PAGE		1
#define ZMM_BINS		30
#define ZMM_MAX_SMALL_SIZE	((size_t)3072)
#define ZMM_MAX_LARGE_SIZE	(ZMM_CHUNK_SIZE - ZMM_PAGE_SIZE)
#define ZMM_BITSET_LEN		64
#define ZMM_PAGE_MAP_LEN	(ZMM_PAGES / ZMM_BITSET_LEN)
#define ZMM_HUGE_NODE_SIZE	((size_t)24)	/* sizeof(zend_mm_huge_list) */
#define ZMM_DEFAULT_LIMIT	(SIZE_MAX >> 1)

/* Page map words (`map[page]`), as `ZEND_MM_IS_SRUN` and friends. */
#define ZMM_IS_FRUN		0x00000000u
#define ZMM_IS_LRUN		0x40000000u
#define ZMM_IS_SRUN		0x80000000u
#define ZMM_IS_NRUN		0xc0000000u
#define ZMM_LRUN_PAGES(w)	((w) & 0x3ffu)
#define ZMM_SRUN_BIN(w)		((w) & 0x1fu)
#define ZMM_SRUN_FREE_COUNTER(w) (((w) >> 16) & 0x1ffu)
#define ZMM_NRUN_OFFSET(w)	(((w) >> 16) & 0x1ffu)
#define ZMM_LRUN(n)		(ZMM_IS_LRUN | (uint32_t)(n))
#define ZMM_SRUN(b)		(ZMM_IS_SRUN | (uint32_t)(b))
#define ZMM_SRUN_EX(b, c)	(ZMM_IS_SRUN | (uint32_t)(b) | ((uint32_t)(c) << 16))
#define ZMM_NRUN(b, i)		(ZMM_IS_NRUN | (uint32_t)(b) | ((uint32_t)(i) << 16))

/* ------------------------------------------------------------------
 *  Status codes
 * ------------------------------------------------------------------ */
#define ZMM_STATUS_LIST(X)						\
	X(OK,		 0, "success")					\
	X(E_LIMIT,	-1, "memory limit exhausted")			\
	X(E_OVERFLOW,	-2, "integer overflow in allocation size")	\
	X(E_NOMEM,	-3, "storage refused memory")			\
	X(E_INVALID,	-4, "pointer does not belong to this heap")	\
	X(E_LIMIT_SET,	-5, "memory limit below current usage")	\
	X(E_BUSY,	-6, "heap is dispatching events")		\
	X(E_SYSTEM,	-7, "cannot reserve address space")

enum zmm_status {
#define X(name, value, text) ZMM_##name = value,
	ZMM_STATUS_LIST(X)
#undef X
};

/* A short English text for a status code. */
const char	*zmm_strerror(int status);

/* ------------------------------------------------------------------
 *  Bins
 * ------------------------------------------------------------------ */

/* The bin of a small request (SIZE <= ZMM_MAX_SMALL_SIZE). */
int		 zmm_size_to_bin(size_t size);

/* Slot size, slots per run and pages per run of BIN (0..29). */
uint32_t	 zmm_bin_size(int bin);
uint32_t	 zmm_bin_slots(int bin);
uint32_t	 zmm_bin_pages(int bin);

/* ------------------------------------------------------------------
 *  Storage: where chunks and huge blocks come from
 * ------------------------------------------------------------------ */

/*
 * The `zend_mm_handlers` analogue.  Every block is 2 MiB aligned.  The
 * default storage follows shared/docs/replay-output.md: one reserved range,
 * bump allocation, committed on demand, no address reuse; `truncate` always
 * succeeds; `extend` succeeds only for the block obtained most recently.
 */
struct zmm_storage_ops {
	void	*(*map)(void *ctx, size_t size);		/* NULL: refused */
	void	 (*unmap)(void *ctx, void *addr, size_t size);
	bool	 (*truncate)(void *ctx, void *addr, size_t old_size,
		    size_t new_size);
	bool	 (*extend)(void *ctx, void *addr, size_t old_size,
		    size_t new_size);
	void	 (*destroy)(void *ctx);				/* may be NULL */
};

/*
 * Creates the default deterministic storage, reserving REGION bytes of
 * address space (0: 1 TiB, halved until the system agrees).  Returns the
 * context for zmm_heap_new(), or NULL.
 */
void		*zmm_storage_default_new(size_t region);
extern const struct zmm_storage_ops zmm_storage_default_ops;

/* Bytes the default storage has handed out so far (for tests). */
size_t		 zmm_storage_default_used(void *ctx);

/* ------------------------------------------------------------------
 *  Heap lifecycle and operations (the `zend_mm_*` public API)
 * ------------------------------------------------------------------ */
struct zmm_heap;

/*
 * A new heap, exactly as `zend_mm_startup()` builds it: one main chunk c0,
 * size=0, real_size=2 MiB.  OPS/CTX select the storage; OPS NULL means a
 * default storage of its own (freed with the heap).  On failure returns
 * NULL and, if STATUS is not NULL, stores the reason there.
 */
struct zmm_heap	*zmm_heap_new(const struct zmm_storage_ops *ops, void *ctx,
		    int *status);

/* Releases everything (`zend_mm_shutdown(full=1)`), storage included. */
void		 zmm_heap_free_all(struct zmm_heap *heap);

/* `emalloc(size)`: 0 and *OUT, or ZMM_E_LIMIT / ZMM_E_OVERFLOW / ZMM_E_NOMEM. */
int		 zmm_heap_alloc(struct zmm_heap *heap, size_t size, void **out);

/*
 * `efree(ptr)`; NULL is allowed.  PTR must be NULL or a block of some zmm
 * heap: one of another heap, or a huge block this heap does not list,
 * gives ZMM_E_INVALID (as ZendMM, no double free is detected).
 */
int		 zmm_heap_free(struct zmm_heap *heap, void *ptr);

/* `erealloc(ptr, size)`; on failure the old block is untouched. */
int		 zmm_heap_realloc(struct zmm_heap *heap, void *ptr, size_t size,
		    void **out);

/* `ecalloc(n, size)`: overflow checked as `zend_safe_address`, zero-filled. */
int		 zmm_heap_calloc(struct zmm_heap *heap, size_t n, size_t size,
		    void **out);

/* `estrdup(str)`: strlen(STR)+1 bytes holding STR. */
int		 zmm_heap_strdup(struct zmm_heap *heap, const char *str,
		    void **out);

/* `zend_mm_gc()`: bytes of small-run pages given back. */
size_t		 zmm_heap_gc(struct zmm_heap *heap);

/* `zend_mm_shutdown(heap, full=0, silent=1)`: the end of a request. */
void		 zmm_heap_reset(struct zmm_heap *heap);

/* `zend_set_memory_limit()` with 8.2.0-8.2.34 semantics (section 14.3). */
int		 zmm_heap_set_limit(struct zmm_heap *heap, size_t limit);

/* `zend_mm_block_size()`: slot, page-run or mapping size of PTR; 0 if none. */
size_t		 zmm_heap_block_size(const struct zmm_heap *heap,
		    const void *ptr);

/*
 * PHP's message for the last failed call ("Allowed memory size of ..."),
 * valid until the next call; "" when the last call succeeded.
 */
const char	*zmm_heap_last_error(const struct zmm_heap *heap);

/*
 * With KEEP false, calloc does not zero, and strdup and realloc do not copy
 * the block contents: allocation decisions never depend on contents, so a
 * replay that only shows the heap's structure skips touching their pages.
 * The default is true: the heap is an ordinary allocator.
 */
void		 zmm_heap_set_payload(struct zmm_heap *heap, bool keep);

/* The op number stamped on events (the replay sets it; 0 outside a replay). */
void		 zmm_heap_set_op(struct zmm_heap *heap, unsigned long op);

/* ------------------------------------------------------------------
 *  Snapshots: a heap's whole state, copied out and put back (seeking)
 * ------------------------------------------------------------------ */
struct zmm_snapshot;

/*
 * A copy of HEAP's state: the heap struct, the storage's bump pointer,
 * which ranges are committed, and the bytes later calls read (chunk
 * headers and small runs; large runs and huge blocks too while the payload
 * is kept).  A chunk whose saved bytes are those BASE (an earlier snapshot
 * of HEAP, or NULL) holds shares them.  The default storage only: NULL and
 * ZMM_E_INVALID otherwise, ZMM_E_NOMEM without memory, ZMM_E_BUSY inside
 * a listener.
 */
struct zmm_snapshot *zmm_heap_snapshot(const struct zmm_heap *heap,
		    const struct zmm_snapshot *base, int *status);

/*
 * Puts HEAP back as it was when SNAP was taken, committed memory and
 * storage included, so that every later call behaves as it did then; the
 * listeners and muting stay as they are now.  SNAP must be of HEAP
 * (ZMM_E_INVALID).  On failure (ZMM_E_NOMEM: memory could not be
 * committed again; ZMM_E_BUSY) HEAP is unchanged.
 */
int		 zmm_heap_restore(struct zmm_heap *heap,
		    const struct zmm_snapshot *snap);

/* Bytes allocated when SNAP was taken (what it shares with BASE excluded). */
size_t		 zmm_snapshot_bytes(const struct zmm_snapshot *snap);

/* Bytes of heap memory SNAP holds, shared or not: what a restore copies. */
size_t		 zmm_snapshot_size(const struct zmm_snapshot *snap);

/* Frees SNAP; returns the bytes given back (shared ones still in use stay). */
size_t		 zmm_snapshot_free(struct zmm_snapshot *snap);

/* ------------------------------------------------------------------
 *  Locations: a block named as chunk serial + offset, or huge
 * ------------------------------------------------------------------ */
enum zmm_loc_kind {
	ZMM_LOC_NONE,		/* NULL or unknown */
	ZMM_LOC_CHUNK,		/* inside chunk `chunk` at `offset` */
	ZMM_LOC_HUGE		/* a huge block of `size` mapped bytes */
};

struct zmm_loc {
	uint8_t		 kind;		/* enum zmm_loc_kind */
	uint32_t	 chunk;		/* chunk serial (c0, c1, ...) */
	uint32_t	 offset;	/* byte offset inside the chunk */
	size_t		 size;		/* huge: mapped bytes */
};

/*
 * Where PTR lies.  NULL, or a block of another zmm heap, gives
 * ZMM_LOC_NONE; PTR must be NULL or come from some zmm heap.
 */
struct zmm_loc	 zmm_heap_loc(const struct zmm_heap *heap, const void *ptr);

/* "c0+0x1040", "huge:3002368" or "null" into BUF; returns the length. */
int		 zmm_loc_format(const struct zmm_loc *loc, char *buf, size_t len);

#define ZMM_LOC_BUFSIZE	48

/* ------------------------------------------------------------------
 *  Statistics
 * ------------------------------------------------------------------ */

/* name, meaning: every field is a size_t copied out by zmm_heap_stats(). */
#define ZMM_STAT_FIELDS(X)						\
	X(size,			"bytes in use as ZendMM counts them")	\
	X(peak,			"highest size")				\
	X(real_size,		"bytes held from storage")		\
	X(real_peak,		"highest real_size")			\
	X(limit,		"memory limit")				\
	X(chunks_count,		"chunks in the ring")			\
	X(peak_chunks_count,	"most chunks in the ring this request")	\
	X(cached_chunks_count,	"chunks in the cache")			\
	X(huge_count,		"huge blocks")				\
	X(slots_popped,		"slots handed out (total)")		\
	X(slots_pushed,		"slots freed (total)")			\
	X(runs_carved,		"small runs carved (total)")		\
	X(chunks_mapped,	"chunks obtained from storage (total)")	\
	X(gc_runs,		"gc passes, asked for or before a limit error (total)")

struct zmm_stats {
#define X(name, text) size_t name;
	ZMM_STAT_FIELDS(X)
#undef X
	double		 avg_chunks_count;	/* smoothed demand across requests */
	int		 last_chunks_delete_boundary;
	int		 last_chunks_delete_count;
};

void		 zmm_heap_stats(const struct zmm_heap *heap, struct zmm_stats *out);

/* ------------------------------------------------------------------
 *  Inspection (read-only; what views and printers use)
 * ------------------------------------------------------------------ */
struct zmm_chunk;
struct zmm_huge;

/* The main chunk, then the ring in `next` order; NULL after the last. */
const struct zmm_chunk *zmm_heap_chunk_first(const struct zmm_heap *heap);
const struct zmm_chunk *zmm_heap_chunk_next(const struct zmm_heap *heap,
		    const struct zmm_chunk *chunk);

/* The chunk cache in list order; NULL after the last. */
const struct zmm_chunk *zmm_heap_cached_first(const struct zmm_heap *heap);
const struct zmm_chunk *zmm_heap_cached_next(const struct zmm_chunk *chunk);

struct zmm_chunk_info {
	uint32_t	 serial;	/* c0, c1, ... */
	uint32_t	 num;		/* `num`: age in the ring */
	uint32_t	 free_pages;
	uint32_t	 free_tail;
	bool		 is_main;
	const uint64_t	*free_map;	/* ZMM_PAGE_MAP_LEN words, bit set = used */
	const uint32_t	*map;		/* ZMM_PAGES page words */
};

void		 zmm_chunk_info(const struct zmm_chunk *chunk,
		    struct zmm_chunk_info *out);

/* Whether PAGE is marked used in the chunk's `free_map`. */
bool		 zmm_chunk_page_used(const struct zmm_chunk *chunk, unsigned page);

/* What a page map word says, field by field. */
enum zmm_page_kind {
	ZMM_PAGE_FREE,		/* 0: free run (or an unused word) */
	ZMM_PAGE_LRUN,		/* first page of a large run */
	ZMM_PAGE_SRUN,		/* first page of a small run */
	ZMM_PAGE_NRUN		/* later page of a small run */
};

struct zmm_map_word {
	enum zmm_page_kind kind;
	uint32_t	 word;
	unsigned	 pages;		/* LRUN: run length */
	int		 bin;		/* SRUN/NRUN: bin, else -1 */
	unsigned	 offset;	/* NRUN: pages back to the run's first page */
	unsigned	 free_counter;	/* SRUN: gc's free-slot counter */
};

void		 zmm_map_word_decode(uint32_t word, struct zmm_map_word *out);

/* Head of `free_slot[bin]`, and the next slot on a list (NULL at the end). */
const void	*zmm_heap_bin_head(const struct zmm_heap *heap, int bin);
const void	*zmm_slot_next(const void *slot);

/* Length of the free list of BIN (walks it). */
size_t		 zmm_heap_bin_length(const struct zmm_heap *heap, int bin);

/* The huge list, newest first; NULL after the last. */
const struct zmm_huge *zmm_heap_huge_first(const struct zmm_heap *heap);
const struct zmm_huge *zmm_heap_huge_next(const struct zmm_huge *huge);
const void	*zmm_huge_ptr(const struct zmm_huge *huge);
size_t		 zmm_huge_size(const struct zmm_huge *huge);

/*
 * Full invariant walk: free counts agree with the bitmaps, free lists hold
 * only free slots of their own bin and none twice, the ring and cache are
 * well linked, and `size` equals LIVE_BYTES (the sum of the block sizes the
 * caller believes live, plus 24 per huge block) when LIVE_BYTES is not
 * SIZE_MAX.  Returns 0, or -1 with the first broken invariant as text in
 * MSG (e.g. "chunk c1 page 7: ...").
 */
int		 zmm_heap_check(const struct zmm_heap *heap, size_t live_bytes,
		    char *msg, size_t msglen);

#endif /* ZMM_H */
