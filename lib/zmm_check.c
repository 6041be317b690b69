/*
 * zmm_check.c - zmm_heap_check(): the whole heap walked against its
 * invariants.  Tests call it after every op; the first broken invariant
 * comes back as text such as "chunk c1 page 7: ...".
 *
 *   ring and cache   well linked, counted, owned by the heap
 *   each chunk       header page used, popcount(free_map) + free_pages =
 *                    512, every used page inside a run its map word starts
 *   free lists       slots of their own bin's runs, at slot boundaries,
 *                    in chunks of the ring, none twice (a list that
 *                    comes back to a slot is cut at its runs' slot count,
 *                    so a cycle is reported, not walked for ever)
 *   statistics       real_size = chunks and cache + huge bytes; size = the
 *                    caller's live bytes + 24 per huge block
 *
 * The debug build (ZMM_DEBUG >= 2) defines the public ops here, around the
 * core's own: after each one the heap is checked, and a block just handed
 * out must be live (on no free list); a broken invariant aborts.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmm_internal.h"

#define RING_MAX	(1u << 24)	/* far more chunks than any address space */

static int	fail(char *msg, size_t len, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Writes the message of a broken invariant; returns -1 for the caller. */
static int
fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
in_ring(const struct zmm_heap *heap, const struct zmm_chunk *chunk)
{
	const struct zmm_chunk *c = heap->main_chunk;

	do {
		if (c == chunk)
			return 1;
		c = c->next;
	} while (c != heap->main_chunk);
	return 0;
}

/*
 * Pages of one chunk: bitmap, counters, and the runs the map words start.
 * Adds the slots of each bin's runs to SLOTS[bin].
 */
static int
check_chunk(const struct zmm_chunk *c, size_t *slots, char *msg, size_t len)
{
	uint32_t used = 0, page, i, n, info;
	int bin;

	for (i = 0; i < ZMM_PAGE_MAP_LEN; i++)
		used += (uint32_t)__builtin_popcountll(c->free_map[i]);
	if (used + c->free_pages != ZMM_PAGES)
		return fail(msg, len, "chunk c%u: free_pages=%u but free_map "
		    "has %u used pages", c->serial, c->free_pages, used);
	if (!zmm__bit_is_set(c->free_map, 0) || c->map[0] != ZMM_LRUN(1))
		return fail(msg, len, "chunk c%u page 0: header page not "
		    "marked used (map 0x%08x)", c->serial, c->map[0]);
	if (c->free_tail < ZMM_FIRST_PAGE || c->free_tail > ZMM_PAGES)
		return fail(msg, len, "chunk c%u: free_tail=%u out of range",
		    c->serial, c->free_tail);
	page = ZMM_FIRST_PAGE;
	while (page < ZMM_PAGES) {
		if (!zmm__bit_is_set(c->free_map, page)) {
			page++;
			continue;
		}
		info = c->map[page];
		if ((info & ZMM_IS_NRUN) == ZMM_IS_SRUN) {
			bin = (int)ZMM_SRUN_BIN(info);
			if (bin >= ZMM_BINS)
				return fail(msg, len, "chunk c%u page %u: bad bin "
				    "in 0x%08x", c->serial, page, info);
			if (ZMM_SRUN_FREE_COUNTER(info) != 0)
				return fail(msg, len, "chunk c%u page %u: gc "
				    "counter left in 0x%08x", c->serial, page,
				    info);
			n = zmm__bin_pages[bin];
			slots[bin] += zmm__bin_slots[bin];
			for (i = 1; i < n; i++)
				if (c->map[page + i] != ZMM_NRUN(bin, i))
					return fail(msg, len, "chunk c%u page %u: "
					    "0x%08x, want NRUN(%d, %u)",
					    c->serial, page + i,
					    c->map[page + i], bin, i);
		} else if ((info & ZMM_IS_NRUN) == ZMM_IS_LRUN) {
			n = ZMM_LRUN_PAGES(info);
			if (n == 0)
				return fail(msg, len, "chunk c%u page %u: large "
				    "run of 0 pages", c->serial, page);
		} else {
			return fail(msg, len, "chunk c%u page %u: used, but its "
			    "map word 0x%08x starts no run", c->serial, page,
			    info);
		}
		if (page + n > ZMM_PAGES)
			return fail(msg, len, "chunk c%u page %u: run of %u pages "
			    "passes page 511", c->serial, page, n);
		for (i = 0; i < n; i++)
			if (!zmm__bit_is_set(c->free_map, page + i))
				return fail(msg, len, "chunk c%u page %u: inside "
				    "a run but free in free_map", c->serial,
				    page + i);
		page += n;
	}
	return 0;
}

static int
compare_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * One free slot: a slot boundary inside a run of BIN in a ring chunk.
 * *RING is a chunk known to be in the ring (NULL: none yet): the slots of
 * a list mostly share a chunk, and the ring is walked only for another.
 */
static int
check_slot(const struct zmm_heap *heap, const void *slot, int bin,
    const struct zmm_chunk **ring, char *msg, size_t len)
{
	const struct zmm_chunk *c = zmm__chunk_of(slot);
	size_t offset = zmm__chunk_offset(slot), start;
	uint32_t page, info;

	if (offset < ZMM_PAGE_SIZE || (c != *ring && !in_ring(heap, c)))
		return fail(msg, len, "bin %d: slot %p is in no chunk of the "
		    "ring", bin, slot);
	*ring = c;
	page = (uint32_t)(offset / ZMM_PAGE_SIZE);
	info = c->map[page];
	if ((info & ZMM_IS_NRUN) == ZMM_IS_NRUN)
		page -= ZMM_NRUN_OFFSET(info);
	info = c->map[page];
	if ((info & ZMM_IS_NRUN) != ZMM_IS_SRUN || (int)ZMM_SRUN_BIN(info) != bin ||
	    !zmm__bit_is_set(c->free_map, page))
		return fail(msg, len, "bin %d: slot c%u+0x%zx lies in page %u "
		    "(0x%08x), not in a run of bin %d", bin, c->serial, offset,
		    page, info, bin);
	start = (size_t)page * ZMM_PAGE_SIZE;
	if ((offset - start) % zmm__bin_size[bin] != 0 ||
	    (offset - start) / zmm__bin_size[bin] >= zmm__bin_slots[bin])
		return fail(msg, len, "bin %d: c%u+0x%zx is not a slot of the "
		    "run at page %u", bin, c->serial, offset, page);
	return 0;
}

/*
 * The first N slots of BIN's list, sorted, in a new array (NULL when out
 * of memory).  N is at most the slots its runs hold, plus one.
 */
static uintptr_t *
sorted_list(const struct zmm_heap *heap, int bin, size_t n)
{
	const struct zmm_slot *p = heap->free_slot[bin];
	uintptr_t *slots = malloc((n > 0 ? n : 1) * sizeof(*slots));
	size_t i;

	if (slots == NULL)
		return NULL;
	for (i = 0; i < n; i++, p = p->next)
		slots[i] = (uintptr_t)p;
	qsort(slots, n, sizeof(*slots), compare_ptr);
	return slots;
}

/* BIN's list holds N slots where its runs hold fewer: names the one twice. */
static int
report_twice(const struct zmm_heap *heap, int bin, size_t n, char *msg,
    size_t len)
{
	uintptr_t *slots = sorted_list(heap, bin, n);
	size_t i;

	if (slots == NULL)
		return fail(msg, len, "out of memory while checking");
	for (i = 1; i < n && slots[i] != slots[i - 1]; i++)
		;
	fail(msg, len, "slot c%u+0x%zx is on a free list twice",
	    zmm__chunk_of((void *)slots[i])->serial,
	    zmm__chunk_offset((void *)slots[i]));
	free(slots);
	return -1;
}

int
zmm_heap_check(const struct zmm_heap *heap, size_t live_bytes, char *msg,
    size_t msglen)
{
	const struct zmm_chunk *c, *main_chunk = heap->main_chunk, *ring = NULL;
	const struct zmm_huge *huge;
	const struct zmm_slot *p;
	uintptr_t *slots, key;
	size_t huge_bytes = 0, huge_count = 0, n;
	size_t bin_slots[ZMM_BINS], on_list[ZMM_BINS];
	int bin, rc = 0;

	if (msglen > 0)
		msg[0] = '\0';
	memset(bin_slots, 0, sizeof(bin_slots));
	/* the ring */
	n = 0;
	c = main_chunk;
	do {
		if (c->heap != heap)
			return fail(msg, msglen, "chunk c%u: not owned by the "
			    "heap", c->serial);
		if (c->next->prev != c)
			return fail(msg, msglen, "chunk c%u: next->prev does "
			    "not point back", c->serial);
		if (++n > RING_MAX)
			return fail(msg, msglen, "the chunk ring does not close");
		if (check_chunk(c, bin_slots, msg, msglen) != 0)
			return -1;
		c = c->next;
	} while (c != main_chunk);
	if (n != (size_t)heap->chunks_count)
		return fail(msg, msglen, "chunks_count=%d but the ring has %zu "
		    "chunks", heap->chunks_count, n);
	/* the cache */
	n = 0;
	for (c = heap->cached_chunks; c != NULL; c = c->next) {
		if (++n > RING_MAX)
			return fail(msg, msglen, "the chunk cache loops");
		if (in_ring(heap, c))
			return fail(msg, msglen, "chunk c%u: both cached and in "
			    "the ring", c->serial);
	}
	if (n != (size_t)heap->cached_chunks_count)
		return fail(msg, msglen, "cached_chunks_count=%d but the cache "
		    "has %zu chunks", heap->cached_chunks_count, n);
	/* huge blocks */
	for (huge = heap->huge_list; huge != NULL; huge = huge->next) {
		if (zmm__chunk_offset(huge->ptr) != 0 || huge->size == 0 ||
		    huge->size % ZMM_PAGE_SIZE != 0)
			return fail(msg, msglen, "huge block %p: bad address "
			    "or size %zu", huge->ptr, huge->size);
		huge_bytes += huge->size;
		if (++huge_count > RING_MAX)
			return fail(msg, msglen, "the huge list loops");
	}
	/* statistics */
	if (heap->real_size != (size_t)(heap->chunks_count +
	    heap->cached_chunks_count) * ZMM_CHUNK_SIZE + huge_bytes)
		return fail(msg, msglen, "real_size=%zu but chunks and huge "
		    "blocks hold %zu", heap->real_size, (size_t)(heap->chunks_count +
		    heap->cached_chunks_count) * ZMM_CHUNK_SIZE + huge_bytes);
	if (heap->peak < heap->size || heap->real_peak < heap->real_size)
		return fail(msg, msglen, "a peak is below its current value");
	if (live_bytes != SIZE_MAX &&
	    heap->size != live_bytes + huge_count * ZMM_HUGE_NODE_SIZE)
		return fail(msg, msglen, "size=%zu but the live blocks and huge "
		    "nodes take %zu", heap->size,
		    live_bytes + huge_count * ZMM_HUGE_NODE_SIZE);
	/*
	 * Free lists.  A slot lies in one run of one bin, so a slot on two
	 * lists fails the run check; on one list twice, the list comes back
	 * to it and never ends: it is cut once it holds more slots than its
	 * bin's runs.
	 */
	for (bin = 0; bin < ZMM_BINS; bin++) {
		on_list[bin] = 0;
		for (p = heap->free_slot[bin]; p != NULL; p = p->next) {
			if (check_slot(heap, p, bin, &ring, msg, msglen) != 0)
				return -1;
			if (++on_list[bin] > bin_slots[bin])
				return report_twice(heap, bin, on_list[bin],
				    msg, msglen);
		}
	}
	/* a huge block's node is a live bin-2 slot, never a free one */
	if (heap->huge_list == NULL)
		return 0;
	slots = sorted_list(heap, 2, on_list[2]);
	if (slots == NULL)
		return fail(msg, msglen, "out of memory while checking");
	for (huge = heap->huge_list; huge != NULL; huge = huge->next) {
		key = (uintptr_t)huge;
		if (check_slot(heap, huge, 2, &ring, msg, msglen) != 0) {
			rc = -1;
			break;
		}
		if (bsearch(&key, slots, on_list[2], sizeof(*slots),
		    compare_ptr) != NULL) {
			rc = fail(msg, msglen, "huge node %p is on a free list",
			    (const void *)huge);
			break;
		}
	}
	free(slots);
	return rc;
}

#if ZMM_DEBUG >= 2

/*
 * Whether PTR, just handed out, is a live block: a slot on no free list,
 * the first page of a used large run, or a block on the huge list.
 */
static int
check_live(const struct zmm_heap *heap, const void *ptr, char *msg,
    size_t len)
{
	const struct zmm_chunk *c = zmm__chunk_of(ptr);
	const struct zmm_slot *p;
	size_t offset = zmm__chunk_offset(ptr);
	uint32_t page = (uint32_t)(offset / ZMM_PAGE_SIZE), info;
	int bin;

	if (offset == 0)
		return zmm__huge_find(heap, ptr) != NULL ? 0 : fail(msg, len,
		    "huge block %p is not on the huge list", ptr);
	info = c->map[page];
	if ((info & ZMM_IS_NRUN) == ZMM_IS_NRUN)
		info = c->map[page - ZMM_NRUN_OFFSET(info)];
	if ((info & ZMM_IS_NRUN) == ZMM_IS_SRUN) {
		bin = (int)ZMM_SRUN_BIN(info);
		for (p = heap->free_slot[bin]; p != NULL; p = p->next)
			if (p == ptr)
				return fail(msg, len, "block c%u+0x%zx was "
				    "handed out but is still on free_slot[%d]",
				    c->serial, offset, bin);
		return 0;
	}
	if ((info & ZMM_IS_NRUN) == ZMM_IS_LRUN && offset % ZMM_PAGE_SIZE == 0 &&
	    zmm__bit_is_set(c->free_map, page))
		return 0;
	return fail(msg, len, "block c%u+0x%zx was handed out but starts no "
	    "used run", c->serial, offset);
}

/*
 * After op OP: the whole heap, and BLOCK (NULL: none) handed out by it.
 * A broken invariant is a bug of the core: like assert(), say it and
 * abort, the one place where the library prints.
 */
static void
check_after(const struct zmm_heap *heap, const char *op, const void *block)
{
	char msg[256];

	/* called from a listener: refused (ZMM_E_BUSY), mid-way in an op */
	if (heap->dispatching)
		return;
	if (zmm_heap_check(heap, SIZE_MAX, msg, sizeof(msg)) == 0 &&
	    (block == NULL || check_live(heap, block, msg, sizeof(msg)) == 0))
		return;
	fprintf(stderr, "zmm debug check after %s (op %lu): %s\n", op,
	    heap->op, msg);
	abort();
}

/* The bin of the small block PTR of HEAP, or -1 (not small, not HEAP's). */
static int
small_bin(const struct zmm_heap *heap, const void *ptr)
{
	const struct zmm_chunk *c = zmm__chunk_of(ptr);
	uint32_t info;

	if (zmm__chunk_offset(ptr) == 0 || c->heap != heap)
		return -1;
	info = c->map[zmm__chunk_offset(ptr) / ZMM_PAGE_SIZE];
	return (info & ZMM_IS_SRUN) ? (int)ZMM_SRUN_BIN(info) : -1;
}

#undef zmm_heap_new
#undef zmm_heap_alloc
#undef zmm_heap_free
#undef zmm_heap_realloc
#undef zmm_heap_calloc
#undef zmm_heap_strdup
#undef zmm_heap_gc
#undef zmm_heap_reset
#undef zmm_heap_set_limit
#undef zmm_heap_restore

struct zmm_heap *
zmm_heap_new(const struct zmm_storage_ops *ops, void *ctx, int *status)
{
	struct zmm_heap *heap = zmm__op_heap_new(ops, ctx, status);

	if (heap != NULL)
		check_after(heap, "zmm_heap_new", NULL);
	return heap;
}

int
zmm_heap_alloc(struct zmm_heap *heap, size_t size, void **out)
{
	int rc = zmm__op_alloc(heap, size, out);

	check_after(heap, "alloc", *out);
	return rc;
}

int
zmm_heap_free(struct zmm_heap *heap, void *ptr)
{
	int bin = small_bin(heap, ptr);
	int rc = zmm__op_free(heap, ptr);

	check_after(heap, "free", NULL);
	/* LIFO: a freed slot is the head of its bin's list */
	if (rc == ZMM_OK && bin >= 0 && !heap->dispatching &&
	    heap->free_slot[bin] != ptr) {
		fprintf(stderr, "zmm debug check after free (op %lu): slot %p "
		    "is not the head of free_slot[%d]\n", heap->op, ptr, bin);
		abort();
	}
	return rc;
}

int
zmm_heap_realloc(struct zmm_heap *heap, void *ptr, size_t size, void **out)
{
	int rc = zmm__op_realloc(heap, ptr, size, out);

	check_after(heap, "realloc", *out);
	return rc;
}

int
zmm_heap_calloc(struct zmm_heap *heap, size_t n, size_t size, void **out)
{
	int rc = zmm__op_calloc(heap, n, size, out);

	check_after(heap, "calloc", *out);
	return rc;
}

int
zmm_heap_strdup(struct zmm_heap *heap, const char *str, void **out)
{
	int rc = zmm__op_strdup(heap, str, out);

	check_after(heap, "strdup", *out);
	return rc;
}

size_t
zmm_heap_gc(struct zmm_heap *heap)
{
	size_t freed = zmm__op_gc(heap);

	check_after(heap, "gc", NULL);
	return freed;
}

void
zmm_heap_reset(struct zmm_heap *heap)
{
	zmm__op_reset(heap);
	check_after(heap, "reset", NULL);
}

int
zmm_heap_set_limit(struct zmm_heap *heap, size_t limit)
{
	int rc = zmm__op_set_limit(heap, limit);

	check_after(heap, "set_limit", NULL);
	return rc;
}

int
zmm_heap_restore(struct zmm_heap *heap, const struct zmm_snapshot *snap)
{
	int rc = zmm__op_restore(heap, snap);

	check_after(heap, "restore", NULL);
	return rc;
}

#endif /* ZMM_DEBUG >= 2 */
