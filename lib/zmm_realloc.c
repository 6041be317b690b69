/*
 * zmm_realloc.c - every path of `erealloc` (`zend_mm_realloc_heap`,
 * `zend_mm_realloc_huge`, `zend_mm_realloc_slow` in zend_alloc.c).
 *
 *   old small:  fits and not much smaller -> in place
 *               fits but below the next smaller bin -> truncation (move)
 *               up to 3072 -> small extension (move)
 *   old large:  same pages -> in place; fewer -> shrink in place;
 *               more and the following pages free -> grow in place
 *   old huge:   same size -> in place; smaller -> unmap the tail;
 *               larger -> extend the mapping in place if storage can
 *   otherwise:  the general path: allocate, copy, free the old block
 *
 * The new block is always allocated before the old one is freed.
 */
#include "config.h"

#include "zmm_internal.h"

static void
path_event(struct zmm_heap *heap, const void *ptr, size_t size,
    enum zmm_why why)
{
	zmm__ev_block(heap, ZMM_EV_REALLOC_PATH, ptr, size, 0, why);
}

/* The path taken for a huge block, named by its size before the change. */
static void
huge_path_event(struct zmm_heap *heap, size_t old_size, size_t size,
    enum zmm_why why)
{
	struct zmm_event ev;

	zmm_event_init(&ev, ZMM_EV_REALLOC_PATH);
	ev.loc.kind = ZMM_LOC_HUGE;
	ev.loc.size = old_size;
	ev.size = size;
	ev.why = why;
	zmm__emit(heap, &ev);
}

/* A large run resized in place: PAGES now, OLD_PAGES before. */
static void
large_resize_event(struct zmm_heap *heap, const struct zmm_chunk *chunk,
    uint32_t page, uint32_t pages, uint32_t old_pages)
{
	struct zmm_event ev;

	zmm_event_init(&ev, ZMM_EV_LARGE_RESIZE);
	ev.chunk = (int)chunk->serial;
	ev.page = (int)page;
	ev.pages = pages;
	ev.count = old_pages;
	zmm__emit(heap, &ev);
}

static size_t
min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * The general path: PEAK is put back afterwards, so the moment when both
 * blocks exist does not count; `real_peak` is not put back.
 */
static void *
realloc_slow(struct zmm_heap *heap, void *ptr, size_t size, size_t copy_size)
{
	size_t orig_peak = heap->peak;
	void *ret;

	if (heap->observed)
		path_event(heap, ptr, size, ZMM_WHY_GENERAL);
	ret = zmm__alloc(heap, size);
	if (ret == NULL)
		return NULL;
	if (heap->payload)
		memcpy(ret, ptr, copy_size);
	zmm__free(heap, ptr);
	heap->peak = orig_peak > heap->size ? orig_peak : heap->size;
	return ret;
}

/* A huge block PTR to SIZE bytes. */
static void *
realloc_huge(struct zmm_heap *heap, void *ptr, size_t size)
{
	struct zmm_huge *node = zmm__huge_find(heap, ptr);
	size_t old_size, new_size;

	if (node == NULL) {
		heap->status = ZMM_E_INVALID;
		return NULL;
	}
	old_size = node->size;
	if (size > ZMM_MAX_LARGE_SIZE) {
		new_size = (size + ZMM_PAGE_SIZE - 1) & ~(ZMM_PAGE_SIZE - 1);
		if (new_size < size) {
			/* PHP does not check here; the model refuses as for alloc */
			zmm__fail(heap, ZMM_E_OVERFLOW, size, "Possible integer "
			    "overflow in memory allocation (%zu + %zu)", size,
			    ZMM_PAGE_SIZE);
			return NULL;
		}
		if (new_size == old_size) {
			if (heap->observed)
				path_event(heap, ptr, size, ZMM_WHY_HUGE_SAME);
			return ptr;
		}
		if (new_size < old_size) {
			if (heap->storage->truncate(heap->storage_ctx, ptr,
			    old_size, new_size)) {
				heap->real_size -= old_size - new_size;
				heap->size -= old_size - new_size;
				node->size = new_size;
				if (heap->observed) {
					huge_path_event(heap, old_size, size,
					    ZMM_WHY_HUGE_SHRINK);
					zmm__ev_block(heap, ZMM_EV_HUGE_RESIZE,
					    ptr, new_size, old_size,
					    ZMM_WHY_NONE);
				}
				return ptr;
			}
		} else {
			if (new_size - old_size > heap->limit - heap->real_size &&
			    !(zmm__gc(heap) != 0 && new_size - old_size <=
			    heap->limit - heap->real_size)) {
				zmm__fail(heap, ZMM_E_LIMIT, size, "Allowed memory "
				    "size of %zu bytes exhausted (tried to "
				    "allocate %zu bytes)", heap->limit, size);
				return NULL;
			}
			if (heap->storage->extend(heap->storage_ctx, ptr,
			    old_size, new_size)) {
				heap->real_size += new_size - old_size;
				if (heap->real_size > heap->real_peak)
					heap->real_peak = heap->real_size;
				heap->size += new_size - old_size;
				if (heap->size > heap->peak)
					heap->peak = heap->size;
				node->size = new_size;
				if (heap->observed) {
					huge_path_event(heap, old_size, size,
					    ZMM_WHY_HUGE_GROW);
					zmm__ev_block(heap, ZMM_EV_HUGE_RESIZE,
					    ptr, new_size, old_size,
					    ZMM_WHY_NONE);
				}
				return ptr;
			}
		}
	}
	return realloc_slow(heap, ptr, size, min_size(old_size, size));
}

/* A small slot of bin OLD_BIN to SIZE bytes; NULL *DONE means go slow. */
static void *
realloc_small(struct zmm_heap *heap, void *ptr, size_t size, int old_bin,
    int *done)
{
	size_t old_size = zmm__bin_size[old_bin], orig_peak;
	void *ret;

	*done = 1;
	if (size <= old_size) {
		if (old_bin == 0 || size >= zmm__bin_size[old_bin - 1]) {
			if (heap->observed)
				path_event(heap, ptr, size, ZMM_WHY_SMALL_SAME);
			return ptr;
		}
		/* much smaller: move to the smaller bin (peak may rise) */
		if (heap->observed)
			path_event(heap, ptr, size, ZMM_WHY_SMALL_SHRINK);
		ret = zmm__small_alloc(heap, zmm__size_to_bin(size));
		if (ret == NULL)
			return NULL;
		if (heap->payload)
			memcpy(ret, ptr, size);
		zmm__small_free(heap, ptr, old_bin);
		return ret;
	}
	if (size <= ZMM_MAX_SMALL_SIZE) {
		if (heap->observed)
			path_event(heap, ptr, size, ZMM_WHY_SMALL_GROW);
		orig_peak = heap->peak;
		ret = zmm__small_alloc(heap, zmm__size_to_bin(size));
		if (ret == NULL)
			return NULL;
		if (heap->payload)
			memcpy(ret, ptr, old_size);
		zmm__small_free(heap, ptr, old_bin);
		heap->peak = orig_peak > heap->size ? orig_peak : heap->size;
		return ret;
	}
	*done = 0;
	return NULL;
}

/* A large run of PAGES pages at PAGE to SIZE bytes; NULL *DONE: go slow. */
static void *
realloc_large(struct zmm_heap *heap, void *ptr, size_t size,
    struct zmm_chunk *chunk, uint32_t page, uint32_t pages, int *done)
{
	uint32_t new_pages, extra;

	*done = 1;
	new_pages = (uint32_t)((size + ZMM_PAGE_SIZE - 1) / ZMM_PAGE_SIZE);
	if (new_pages == pages) {
		if (heap->observed)
			path_event(heap, ptr, size, ZMM_WHY_LARGE_SAME);
		return ptr;
	}
	if (new_pages < pages) {
		/* neither free_tail nor the freed pages' map words change */
		extra = pages - new_pages;
		heap->size -= (size_t)extra * ZMM_PAGE_SIZE;
		chunk->map[page] = ZMM_LRUN(new_pages);
		chunk->free_pages += extra;
		zmm__bits_clear(chunk->free_map, page + new_pages, extra);
		if (heap->observed) {
			path_event(heap, ptr, size, ZMM_WHY_LARGE_SHRINK);
			large_resize_event(heap, chunk, page, new_pages, pages);
		}
		return ptr;
	}
	extra = new_pages - pages;
	if (page + new_pages <= ZMM_PAGES &&
	    zmm__bits_all_clear(chunk->free_map, page + pages, extra)) {
		heap->size += (size_t)extra * ZMM_PAGE_SIZE;
		if (heap->size > heap->peak)
			heap->peak = heap->size;
		chunk->free_pages -= extra;
		zmm__bits_set(chunk->free_map, page + pages, extra);
		chunk->map[page] = ZMM_LRUN(new_pages);
		if (heap->observed) {
			path_event(heap, ptr, size, ZMM_WHY_LARGE_GROW);
			large_resize_event(heap, chunk, page, new_pages, pages);
		}
		return ptr;
	}
	*done = 0;
	return NULL;
}

int
zmm_heap_realloc(struct zmm_heap *heap, void *ptr, size_t size, void **out)
{
	struct zmm_chunk *chunk;
	size_t offset = zmm__chunk_offset(ptr), old_size;
	uint32_t page, info;
	int done;
	void *ret;

	if (zmm__begin(heap) != ZMM_OK) {
		*out = NULL;
		return ZMM_E_BUSY;
	}
	if (offset == 0) {
		if (ptr == NULL) {
			if (heap->observed)
				path_event(heap, ptr, size, ZMM_WHY_FROM_NULL);
			ret = zmm__alloc(heap, size);
		} else {
			ret = realloc_huge(heap, ptr, size);
		}
		goto out;
	}
	chunk = zmm__chunk_of(ptr);
	if (chunk->heap != heap)
		goto invalid;
	page = (uint32_t)(offset / ZMM_PAGE_SIZE);
	info = chunk->map[page];
	if (info & ZMM_IS_SRUN) {
		ret = realloc_small(heap, ptr, size, (int)ZMM_SRUN_BIN(info),
		    &done);
		if (done)
			goto out;
		old_size = zmm__bin_size[ZMM_SRUN_BIN(info)];
	} else {
		if (offset % ZMM_PAGE_SIZE != 0)
			goto invalid;
		old_size = (size_t)ZMM_LRUN_PAGES(info) * ZMM_PAGE_SIZE;
		if (size > ZMM_MAX_SMALL_SIZE && size <= ZMM_MAX_LARGE_SIZE) {
			ret = realloc_large(heap, ptr, size, chunk, page,
			    ZMM_LRUN_PAGES(info), &done);
			if (done)
				goto out;
		}
	}
	ret = realloc_slow(heap, ptr, size, min_size(old_size, size));
out:
	*out = ret;
	if (ret != NULL)
		return ZMM_OK;
	return heap->status != ZMM_OK ? heap->status : ZMM_E_NOMEM;
invalid:
	*out = NULL;
	return ZMM_E_INVALID;
}
