/*
 * zmm_chunk.c - chunks: the ring, the chunk cache, and taking and giving
 * back 2 MiB chunks ("Chunks" in zend_alloc.c: `zend_mm_chunk_init`,
 * `zend_mm_delete_chunk`, the get_chunk part of `zend_mm_alloc_pages`).
 *
 *   main -> c3 -> c1 -> c2 -> (main)      the ring, searched from main
 *   cached_chunks: c5 -> c4 -> NULL       emptied chunks kept for reuse
 *
 * A chunk from storage gets the next serial; one taken back from the cache
 * keeps its serial.  Cached chunks keep counting in `real_size`.
 */
#include "config.h"

#include "zmm_internal.h"

/* Links CHUNK in at the end of the ring (`zend_mm_chunk_init`). */
void
zmm__chunk_init(struct zmm_heap *heap, struct zmm_chunk *chunk)
{
	chunk->heap = heap;
	chunk->next = heap->main_chunk;
	chunk->prev = heap->main_chunk->prev;
	chunk->prev->next = chunk;
	chunk->next->prev = chunk;
	chunk->free_pages = ZMM_PAGES - ZMM_FIRST_PAGE;
	chunk->free_tail = ZMM_FIRST_PAGE;
	/* younger chunks get bigger numbers; the cache compares them */
	chunk->num = chunk->prev->num + 1;
	/* only word 0 is written: an emptied chunk's other words are 0 */
	chunk->free_map[0] = 1;
	chunk->map[0] = ZMM_LRUN(ZMM_FIRST_PAGE);
}

/* Maps a fresh chunk from storage; NULL when storage refuses. */
static struct zmm_chunk *
chunk_map(struct zmm_heap *heap)
{
	struct zmm_chunk *chunk;

	chunk = heap->storage->map(heap->storage_ctx, ZMM_CHUNK_SIZE);
	if (chunk == NULL)
		return NULL;
	chunk->serial = heap->next_serial++;
	heap->chunks_mapped++;
	return chunk;
}

/*
 * Nothing in the ring fits a run of PAGES pages: take a chunk from the
 * cache, or map a new one when the memory limit allows.  The chunk is added
 * at the end of the ring.  NULL (with heap->status set) on failure.
 */
struct zmm_chunk *
zmm__chunk_take(struct zmm_heap *heap, uint32_t pages)
{
	struct zmm_chunk *chunk;

	for (;;) {
		if (heap->cached_chunks != NULL) {
			heap->cached_chunks_count--;
			chunk = heap->cached_chunks;
			heap->cached_chunks = chunk->next;
			if (heap->observed)
				zmm__ev_chunk(heap, ZMM_EV_CHUNK_REUSE, chunk,
				    ZMM_WHY_NONE);
			break;
		}
		/* the limit is checked only when new memory must be mapped */
		if (ZMM_CHUNK_SIZE > heap->limit - heap->real_size) {
			if (zmm__gc(heap) != 0)
				continue;	/* gc may have cached a chunk */
			zmm__fail(heap, ZMM_E_LIMIT, (size_t)pages * ZMM_PAGE_SIZE,
			    "Allowed memory size of %zu bytes exhausted "
			    "(tried to allocate %zu bytes)",
			    heap->limit, (size_t)pages * ZMM_PAGE_SIZE);
			return NULL;
		}
		chunk = chunk_map(heap);
		if (chunk == NULL && !(zmm__gc(heap) != 0 &&
		    (chunk = chunk_map(heap)) != NULL)) {
			zmm__fail(heap, ZMM_E_NOMEM, (size_t)pages * ZMM_PAGE_SIZE,
			    "Out of memory (allocated %zu bytes) "
			    "(tried to allocate %zu bytes)",
			    heap->real_size, (size_t)pages * ZMM_PAGE_SIZE);
			return NULL;
		}
		heap->real_size += ZMM_CHUNK_SIZE;
		if (heap->real_size > heap->real_peak)
			heap->real_peak = heap->real_size;
		if (heap->observed)
			zmm__ev_chunk(heap, ZMM_EV_CHUNK_NEW, chunk, ZMM_WHY_NONE);
		break;
	}
	heap->chunks_count++;
	if (heap->chunks_count > heap->peak_chunks_count)
		heap->peak_chunks_count = heap->chunks_count;
	zmm__chunk_init(heap, chunk);
	return chunk;
}

/* Gives CHUNK's memory back to storage. */
void
zmm__chunk_release(struct zmm_heap *heap, struct zmm_chunk *chunk,
    enum zmm_why why)
{
	if (heap->observed)
		zmm__ev_chunk(heap, ZMM_EV_CHUNK_RELEASE, chunk, why);
	heap->storage->unmap(heap->storage_ctx, chunk, ZMM_CHUNK_SIZE);
}

/*
 * CHUNK (not the main one) has no used page left (`zend_mm_delete_chunk`):
 * unlink it, then cache it or give one chunk back to storage.
 */
void
zmm__chunk_delete(struct zmm_heap *heap, struct zmm_chunk *chunk)
{
	struct zmm_chunk *head;
	int below_average, at_boundary;

	chunk->next->prev = chunk->prev;
	chunk->prev->next = chunk->next;
	heap->chunks_count--;
	below_average = (double)(heap->chunks_count + heap->cached_chunks_count) <
	    heap->avg_chunks_count + 0.1;
	at_boundary = heap->chunks_count == heap->last_chunks_delete_boundary &&
	    heap->last_chunks_delete_count >= 4;
	if (below_average || at_boundary) {
		/* demand has been this high before: keep it for reuse */
		heap->cached_chunks_count++;
		chunk->next = heap->cached_chunks;
		heap->cached_chunks = chunk;
		if (heap->observed)
			zmm__ev_chunk(heap, ZMM_EV_CHUNK_CACHE, chunk,
			    below_average ? ZMM_WHY_AVERAGE : ZMM_WHY_BOUNDARY);
		return;
	}
	heap->real_size -= ZMM_CHUNK_SIZE;
	if (heap->cached_chunks == NULL) {
		if (heap->chunks_count != heap->last_chunks_delete_boundary) {
			heap->last_chunks_delete_boundary = heap->chunks_count;
			heap->last_chunks_delete_count = 0;
		} else {
			heap->last_chunks_delete_count++;
		}
	}
	if (heap->cached_chunks == NULL || chunk->num > heap->cached_chunks->num) {
		zmm__chunk_release(heap, chunk, ZMM_WHY_RELEASE);
		return;
	}
	/* an older chunk sits at the cache head: release it instead */
	head = heap->cached_chunks;
	chunk->next = head->next;
	heap->cached_chunks = chunk;
	zmm__chunk_release(heap, head, ZMM_WHY_SWAP);
	if (heap->observed)
		zmm__ev_chunk(heap, ZMM_EV_CHUNK_CACHE, chunk, ZMM_WHY_SWAP);
}
