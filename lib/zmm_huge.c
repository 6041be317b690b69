/*
 * zmm_huge.c - huge blocks ("Huge Runs" in zend_alloc.c:
 * `zend_mm_alloc_huge`, `zend_mm_free_huge`, `zend_mm_add_huge_block`).
 *
 * A request over 2 MiB - 4 KiB gets a mapping of its own, rounded up to
 * 4 KiB and 2 MiB aligned.  Each is remembered by a 24-byte node that is
 * itself a small allocation (bin 2) inside the heap, so it shows in the
 * page map, the free lists and `size`:
 *
 *   huge_list -> { ptr, size, next } -> { ptr, size, NULL }   newest first
 */
#include "config.h"

#include "zmm_internal.h"

/* The node of PTR, or NULL. */
struct zmm_huge *
zmm__huge_find(const struct zmm_heap *heap, const void *ptr)
{
	struct zmm_huge *h;

	for (h = heap->huge_list; h != NULL; h = h->next)
		if (h->ptr == ptr)
			return h;
	return NULL;
}

/* Maps SIZE bytes of storage, trying once more after a gc. */
static void *
huge_map(struct zmm_heap *heap, size_t size)
{
	void *ptr = heap->storage->map(heap->storage_ctx, size);

	if (ptr == NULL && zmm__gc(heap) != 0)
		ptr = heap->storage->map(heap->storage_ctx, size);
	return ptr;
}

/* A huge block for a request of SIZE bytes; NULL with heap->status set. */
void *
zmm__huge_alloc(struct zmm_heap *heap, size_t size)
{
	size_t new_size = (size + ZMM_PAGE_SIZE - 1) & ~(ZMM_PAGE_SIZE - 1);
	struct zmm_huge *node;
	void *ptr;

	if (new_size < size) {
		zmm__fail(heap, ZMM_E_OVERFLOW, size, "Possible integer overflow "
		    "in memory allocation (%zu + %zu)", size, ZMM_PAGE_SIZE);
		return NULL;
	}
	if (new_size > heap->limit - heap->real_size &&
	    !(zmm__gc(heap) != 0 && new_size <= heap->limit - heap->real_size)) {
		zmm__fail(heap, ZMM_E_LIMIT, size, "Allowed memory size of %zu "
		    "bytes exhausted (tried to allocate %zu bytes)",
		    heap->limit, size);
		return NULL;
	}
	ptr = huge_map(heap, new_size);
	if (ptr == NULL) {
		zmm__fail(heap, ZMM_E_NOMEM, size, "Out of memory (allocated %zu "
		    "bytes) (tried to allocate %zu bytes)", heap->real_size, size);
		return NULL;
	}
	/* the node comes first: it may itself need a new run or chunk */
	node = zmm__small_alloc(heap, zmm__size_to_bin(sizeof(*node)));
	if (node == NULL) {
		heap->storage->unmap(heap->storage_ctx, ptr, new_size);
		return NULL;
	}
	node->ptr = ptr;
	node->size = new_size;
	node->next = heap->huge_list;
	heap->huge_list = node;
	heap->real_size += new_size;
	if (heap->real_size > heap->real_peak)
		heap->real_peak = heap->real_size;
	heap->size += new_size;
	if (heap->size > heap->peak)
		heap->peak = heap->size;
	if (heap->observed)
		zmm__ev_block(heap, ZMM_EV_HUGE_MAP, ptr, new_size, size,
		    ZMM_WHY_NONE);
	return ptr;
}

/* Frees the huge block PTR: its node first, then the mapping. */
int
zmm__huge_free(struct zmm_heap *heap, void *ptr)
{
	struct zmm_huge **link, *node;
	size_t size;

	for (link = &heap->huge_list; *link != NULL; link = &(*link)->next)
		if ((*link)->ptr == ptr)
			break;
	node = *link;
	if (node == NULL)
		return ZMM_E_INVALID;
	*link = node->next;
	size = node->size;
	zmm__small_free(heap, node, zmm__size_to_bin(sizeof(*node)));
	heap->storage->unmap(heap->storage_ctx, ptr, size);
	heap->real_size -= size;
	heap->size -= size;
	if (heap->observed)
		zmm__ev_block(heap, ZMM_EV_HUGE_UNMAP, ptr, size, 0, ZMM_WHY_NONE);
	return ZMM_OK;
}
