/*
 * zmm_heap.c - the heap: start-up, size dispatch, the public calls, the
 * memory limit and request shutdown ("Heap", "Initialization" and "PUBLIC
 * API" in zend_alloc.c: `zend_mm_init`, `zend_mm_alloc_heap`,
 * `zend_mm_free_heap`, `zend_mm_shutdown`, `zend_set_memory_limit`,
 * `zend_safe_address`, `_estrdup`).
 *
 *   size  0 .. 3072          small: a slot of one of 30 bins
 *   size  3073 .. 2093056    large: ceil(size/4096) pages in a chunk
 *   size  2093057 ..         huge:  a mapping of its own
 *
 * Failures that PHP reports with a fatal error (limit, overflow, out of
 * memory) return a status here instead, with PHP's message in
 * heap->error, and leave the heap as PHP leaves it at that point.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "zmm_internal.h"

static const char *const status_texts[] = {
#define X(name, value, text) text,
	ZMM_STATUS_LIST(X)
#undef X
};

const char *
zmm_strerror(int status)
{
	if (status > 0 || -status >= (int)(sizeof(status_texts) /
	    sizeof(status_texts[0])))
		return "unknown status";
	return status_texts[-status];
}

/* `zend_mm_small_size_to_bin`. */
int
zmm_size_to_bin(size_t size)
{
	return zmm__size_to_bin(size);
}

uint32_t
zmm_bin_size(int bin)
{
	return bin >= 0 && bin < ZMM_BINS ? zmm__bin_size[bin] : 0;
}

uint32_t
zmm_bin_slots(int bin)
{
	return bin >= 0 && bin < ZMM_BINS ? zmm__bin_slots[bin] : 0;
}

uint32_t
zmm_bin_pages(int bin)
{
	return bin >= 0 && bin < ZMM_BINS ? zmm__bin_pages[bin] : 0;
}

/* Records a failure: the status, PHP's message and an `error` event. */
void
zmm__fail(struct zmm_heap *heap, int status, size_t size, const char *fmt, ...)
{
	va_list ap;

	heap->status = status;
	va_start(ap, fmt);
	vsnprintf(heap->error, sizeof(heap->error), fmt, ap);
	va_end(ap);
	if (heap->observed) {
		struct zmm_event ev;

		zmm_event_init(&ev, ZMM_EV_ERROR);
		ev.size = size;
		ev.why = status == ZMM_E_LIMIT ? ZMM_WHY_LIMIT :
		    status == ZMM_E_OVERFLOW ? ZMM_WHY_OVERFLOW : ZMM_WHY_NOMEM;
		ev.text = heap->error;
		zmm__emit(heap, &ev);
	}
}


struct zmm_heap *
zmm_heap_new(const struct zmm_storage_ops *ops, void *ctx, int *status)
{
	struct zmm_heap *heap;
	struct zmm_chunk *chunk;
	int own = 0;

	if (ops == NULL) {
		ops = &zmm_storage_default_ops;
		ctx = zmm_storage_default_new(0);
		if (ctx == NULL) {
			if (status != NULL)
				*status = ZMM_E_SYSTEM;
			return NULL;
		}
		own = 1;
	}
	heap = calloc(1, sizeof(*heap));
	chunk = heap != NULL ? ops->map(ctx, ZMM_CHUNK_SIZE) : NULL;
	if (chunk == NULL) {
		free(heap);
		if (own && ops->destroy != NULL)
			ops->destroy(ctx);
		if (status != NULL)
			*status = ZMM_E_NOMEM;
		return NULL;
	}
	heap->storage = ops;
	heap->storage_ctx = ctx;
	heap->own_storage = own;
	/* the main chunk, as `zend_mm_init` sets it up */
	chunk->heap = heap;
	chunk->next = chunk;
	chunk->prev = chunk;
	chunk->free_pages = ZMM_PAGES - ZMM_FIRST_PAGE;
	chunk->free_tail = ZMM_FIRST_PAGE;
	chunk->num = 0;
	chunk->free_map[0] = 1;
	chunk->map[0] = ZMM_LRUN(ZMM_FIRST_PAGE);
	chunk->serial = heap->next_serial++;
	heap->chunks_mapped = 1;
	heap->main_chunk = chunk;
	heap->chunks_count = 1;
	heap->peak_chunks_count = 1;
	heap->avg_chunks_count = 1.0;
	heap->real_size = ZMM_CHUNK_SIZE;
	heap->real_peak = ZMM_CHUNK_SIZE;
	heap->limit = ZMM_DEFAULT_LIMIT;
	heap->payload = 1;
	if (status != NULL)
		*status = ZMM_OK;
	return heap;
}

/* `zend_mm_shutdown(full=1)`: every mapping back to storage. */
void
zmm_heap_free_all(struct zmm_heap *heap)
{
	struct zmm_chunk *chunk, *next;
	struct zmm_huge *huge, *hnext;

	if (heap == NULL)
		return;
	for (huge = heap->huge_list; huge != NULL; huge = hnext) {
		hnext = huge->next;
		heap->storage->unmap(heap->storage_ctx, huge->ptr, huge->size);
	}
	for (chunk = heap->cached_chunks; chunk != NULL; chunk = next) {
		next = chunk->next;
		heap->storage->unmap(heap->storage_ctx, chunk, ZMM_CHUNK_SIZE);
	}
	chunk = heap->main_chunk->next;
	while (chunk != heap->main_chunk) {
		next = chunk->next;
		heap->storage->unmap(heap->storage_ctx, chunk, ZMM_CHUNK_SIZE);
		chunk = next;
	}
	heap->storage->unmap(heap->storage_ctx, heap->main_chunk, ZMM_CHUNK_SIZE);
	if (heap->own_storage && heap->storage->destroy != NULL)
		heap->storage->destroy(heap->storage_ctx);
	free(heap);
}

/* A status for a failed allocation (heap->status was set by zmm__fail). */
static int
failed(struct zmm_heap *heap)
{
	return heap->status != ZMM_OK ? heap->status : ZMM_E_NOMEM;
}

int
zmm_heap_alloc(struct zmm_heap *heap, size_t size, void **out)
{
	int rc = zmm__begin(heap);
	void *ptr;

	if (rc != ZMM_OK) {
		*out = NULL;
		return rc;
	}
	ptr = zmm__alloc(heap, size);
	*out = ptr;
	return ZMM_LIKELY(ptr != NULL) ? ZMM_OK : failed(heap);
}

int
zmm_heap_free(struct zmm_heap *heap, void *ptr)
{
	int rc = zmm__begin(heap);

	if (rc != ZMM_OK)
		return rc;
	return zmm__free(heap, ptr);
}

/* `ecalloc`: N*SIZE checked as `zend_safe_address`, then zero-filled. */
int
zmm_heap_calloc(struct zmm_heap *heap, size_t n, size_t size, void **out)
{
	size_t total;
	int rc = zmm__begin(heap);

	*out = NULL;
	if (rc != ZMM_OK)
		return rc;
	if (__builtin_mul_overflow(n, size, &total)) {
		zmm__fail(heap, ZMM_E_OVERFLOW, size, "Possible integer overflow "
		    "in memory allocation (%zu * %zu + %zu)", n, size, (size_t)0);
		return ZMM_E_OVERFLOW;
	}
	*out = zmm__alloc(heap, total);
	if (*out == NULL)
		return failed(heap);
	if (heap->payload)
		memset(*out, 0, total);
	return ZMM_OK;
}

/* `estrdup`: strlen+1 bytes; a length that wraps is PHP's overflow error. */
int
zmm_heap_strdup(struct zmm_heap *heap, const char *str, void **out)
{
	size_t len = strlen(str);
	int rc = zmm__begin(heap);

	*out = NULL;
	if (rc != ZMM_OK)
		return rc;
	if (len + 1 == 0) {
		zmm__fail(heap, ZMM_E_OVERFLOW, len, "Possible integer overflow "
		    "in memory allocation (1 * %zu + 1)", len);
		return ZMM_E_OVERFLOW;
	}
	*out = zmm__alloc(heap, len + 1);
	if (*out == NULL)
		return failed(heap);
	if (heap->payload)
		memcpy(*out, str, len + 1);
	return ZMM_OK;
}

size_t
zmm_heap_gc(struct zmm_heap *heap)
{
	if (zmm__begin(heap) != ZMM_OK)
		return 0;
	return zmm__gc(heap);
}

static void
limit_event(struct zmm_heap *heap, size_t limit, enum zmm_why why)
{
	struct zmm_event ev;

	zmm_event_init(&ev, ZMM_EV_LIMIT_SET);
	ev.size = limit;
	ev.why = why;
	ev.text = heap->error[0] != '\0' ? heap->error : NULL;
	zmm__emit(heap, &ev);
}

/*
 * `zend_set_memory_limit` of PHP 8.2.0-8.2.34: a limit below `real_size`
 * first gives cached chunks back; when that suffices the call succeeds but
 * (a quirk of those releases) the old limit stays in force.
 */
int
zmm_heap_set_limit(struct zmm_heap *heap, size_t limit)
{
	struct zmm_chunk *chunk;
	int rc = zmm__begin(heap);

	if (rc != ZMM_OK)
		return rc;
	if (limit >= heap->real_size) {
		heap->limit = limit;
		if (heap->observed)
			limit_event(heap, limit, ZMM_WHY_SET);
		return ZMM_OK;
	}
	if (limit >= heap->real_size -
	    (size_t)heap->cached_chunks_count * ZMM_CHUNK_SIZE) {
		do {
			chunk = heap->cached_chunks;
			heap->cached_chunks = chunk->next;
			zmm__chunk_release(heap, chunk, ZMM_WHY_TRIM);
			heap->cached_chunks_count--;
			heap->real_size -= ZMM_CHUNK_SIZE;
		} while (limit < heap->real_size);
		if (heap->observed)
			limit_event(heap, limit, ZMM_WHY_TRIMMED);
		return ZMM_OK;
	}
	heap->status = ZMM_E_LIMIT_SET;
	snprintf(heap->error, sizeof(heap->error), "Failed to set memory limit "
	    "to %zu bytes (Current memory usage is %zu bytes)", limit,
	    heap->real_size);
	if (heap->observed)
		limit_event(heap, limit, ZMM_WHY_REFUSED);
	return ZMM_E_LIMIT_SET;
}

/*
 * `zend_mm_shutdown(heap, full=0, silent=1)`: huge blocks unmapped, every
 * chunk but the main one cached, the cache trimmed to the average demand,
 * the main chunk and the statistics reset.
 */
void
zmm_heap_reset(struct zmm_heap *heap)
{
	struct zmm_chunk *main_chunk = heap->main_chunk, *p, *q;
	struct zmm_huge *huge, *hnext;

	if (zmm__begin(heap) != ZMM_OK)
		return;
	huge = heap->huge_list;
	heap->huge_list = NULL;
	for (; huge != NULL; huge = hnext) {
		hnext = huge->next;
		if (heap->observed)
			zmm__ev_block(heap, ZMM_EV_HUGE_UNMAP, huge->ptr,
			    huge->size, 0, ZMM_WHY_REQUEST_END);
		heap->storage->unmap(heap->storage_ctx, huge->ptr, huge->size);
	}
	/* the ring goes into the cache: its last chunk ends up at the head */
	for (p = main_chunk->next; p != main_chunk; p = q) {
		q = p->next;
		p->next = heap->cached_chunks;
		heap->cached_chunks = p;
		heap->chunks_count--;
		heap->cached_chunks_count++;
		if (heap->observed)
			zmm__ev_chunk(heap, ZMM_EV_CHUNK_CACHE, p,
			    ZMM_WHY_REQUEST_END);
	}
	heap->avg_chunks_count = (heap->avg_chunks_count +
	    (double)heap->peak_chunks_count) / 2.0;
	while ((double)heap->cached_chunks_count + 0.9 > heap->avg_chunks_count &&
	    heap->cached_chunks != NULL) {
		p = heap->cached_chunks;
		heap->cached_chunks = p->next;
		zmm__chunk_release(heap, p, ZMM_WHY_TRIM);
		heap->cached_chunks_count--;
	}
	/* kept chunks get a zeroed header (their serial is ours, not PHP's) */
	for (p = heap->cached_chunks; p != NULL; p = q) {
		uint32_t serial = p->serial;

		q = p->next;
		memset(p, 0, sizeof(*p));
		p->next = q;
		p->serial = serial;
	}
	main_chunk->heap = heap;
	main_chunk->next = main_chunk;
	main_chunk->prev = main_chunk;
	main_chunk->free_pages = ZMM_PAGES - ZMM_FIRST_PAGE;
	main_chunk->free_tail = ZMM_FIRST_PAGE;
	main_chunk->num = 0;
	heap->size = 0;
	heap->peak = 0;
	memset(heap->free_slot, 0, sizeof(heap->free_slot));
	heap->real_size = (size_t)(heap->cached_chunks_count + 1) * ZMM_CHUNK_SIZE;
	heap->real_peak = heap->real_size;
	heap->chunks_count = 1;
	heap->peak_chunks_count = 1;
	heap->last_chunks_delete_boundary = 0;
	heap->last_chunks_delete_count = 0;
	memset(main_chunk->free_map, 0, sizeof(main_chunk->free_map));
	memset(main_chunk->map, 0, sizeof(main_chunk->map));
	main_chunk->free_map[0] = 1;
	main_chunk->map[0] = ZMM_LRUN(ZMM_FIRST_PAGE);
	if (heap->observed) {
		struct zmm_event ev;

		zmm_event_init(&ev, ZMM_EV_RESET);
		ev.count = (size_t)heap->cached_chunks_count;
		zmm__emit(heap, &ev);
	}
}

/* `zend_mm_size`: what a block occupies. */
size_t
zmm_heap_block_size(const struct zmm_heap *heap, const void *ptr)
{
	const struct zmm_chunk *chunk;
	const struct zmm_huge *huge;
	size_t offset = zmm__chunk_offset(ptr);
	uint32_t info;

	if (offset == 0) {
		huge = ptr != NULL ? zmm__huge_find(heap, ptr) : NULL;
		return huge != NULL ? huge->size : 0;
	}
	chunk = zmm__chunk_of(ptr);
	if (chunk->heap != heap)
		return 0;
	info = chunk->map[offset / ZMM_PAGE_SIZE];
	if (info & ZMM_IS_SRUN)
		return zmm__bin_size[ZMM_SRUN_BIN(info)];
	return (size_t)ZMM_LRUN_PAGES(info) * ZMM_PAGE_SIZE;
}

const char *
zmm_heap_last_error(const struct zmm_heap *heap)
{
	return heap->error;
}

void
zmm_heap_set_payload(struct zmm_heap *heap, bool keep)
{
	heap->payload = keep;
}

void
zmm_heap_set_op(struct zmm_heap *heap, unsigned long op)
{
	heap->op = op;
}
