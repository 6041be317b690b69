/*
 * zmm_large.c - runs of whole pages ("Large Runs" in zend_alloc.c:
 * `zend_mm_alloc_pages`, `zend_mm_free_pages_ex`, `zend_mm_alloc_large`,
 * `zend_mm_free_large`).
 *
 * A run of n pages is found by walking the chunk ring from the main chunk
 * and running a best-fit search over each chunk's `free_map`:
 *
 *   free_map  1111 0001 1100 0000 ... 0000
 *             ^hdr  ^hole ^hole  ^---- tail (runs to page 511)
 *
 * Holes are examined in address order; an exact fit is taken at once,
 * otherwise the shortest hole wins (the lowest on ties), and the tail only
 * when strictly shorter than the best hole.  `free_tail` lets the search
 * stop early at the tail; its stale values are part of the model.
 */
#include "config.h"

#include "zmm_internal.h"

static void
candidate(struct zmm_heap *heap, const struct zmm_chunk *chunk, uint32_t page,
    uint32_t len, enum zmm_why why)
{
	zmm__ev_pages(heap, ZMM_EV_FIT_CANDIDATE, chunk, page, len, -1, why);
}

/*
 * The best-fit search of one chunk for N pages.  Returns the first page of
 * the chosen run, or 0 when nothing fits.  *PICK says how it was chosen.
 * Word by word, as `zend_mm_alloc_pages` does: find the first free page,
 * then the end of its free run, and judge the run.
 */
static uint32_t
search_chunk(struct zmm_heap *heap, struct zmm_chunk *chunk, uint32_t n,
    enum zmm_why *pick)
{
	const uint64_t *word = chunk->free_map + 1;
	uint64_t tmp = chunk->free_map[0];
	uint32_t free_tail = chunk->free_tail;
	uint32_t best = 0, best_len = ZMM_PAGES;
	uint32_t i = 0, page, len;

	*pick = ZMM_WHY_BEST;
	for (;;) {
		/* skip words with no free page */
		while (tmp == ~(uint64_t)0) {
			i += ZMM_BITSET_LEN;
			if (i == ZMM_PAGES)
				return best;
			tmp = *word++;
		}
		/* first free page, then clear the used bits below it */
		page = i + (uint32_t)__builtin_ctzll(~tmp);
		tmp &= tmp + 1;
		/* the free run reaches the end of this word */
		while (tmp == 0) {
			i += ZMM_BITSET_LEN;
			if (i >= free_tail || i == ZMM_PAGES) {
				/* taken as the free tail, to page 511 */
				len = ZMM_PAGES - page;
				if (len >= n && len < best_len) {
					if (heap->observed)
						candidate(heap, chunk, page, len,
						    ZMM_WHY_TAIL);
					chunk->free_tail = page + n;
					*pick = ZMM_WHY_TAIL;
					return page;
				}
				if (heap->observed)
					candidate(heap, chunk, page, len, len < n ?
					    ZMM_WHY_TAIL_TOO_SMALL :
					    ZMM_WHY_TAIL_NOT_BETTER);
				chunk->free_tail = page;	/* accurate again */
				return best;
			}
			tmp = *word++;
		}
		/* a hole: free pages followed by a used one */
		len = i + (uint32_t)__builtin_ctzll(tmp) - page;
		if (len >= n) {
			if (len == n) {
				if (heap->observed)
					candidate(heap, chunk, page, len,
					    ZMM_WHY_PERFECT);
				*pick = ZMM_WHY_PERFECT;
				return page;
			}
			if (len < best_len) {
				best = page;
				best_len = len;
				if (heap->observed)
					candidate(heap, chunk, page, len,
					    ZMM_WHY_BEST_SO_FAR);
			} else if (heap->observed) {
				candidate(heap, chunk, page, len,
				    ZMM_WHY_NOT_BETTER);
			}
		} else if (heap->observed) {
			candidate(heap, chunk, page, len, ZMM_WHY_TOO_SMALL);
		}
		/* mark the hole as used and go on after it */
		tmp |= tmp - 1;
	}
}

/* Unlinks CHUNK and puts it right after the main chunk. */
static void
move_to_front(struct zmm_heap *heap, struct zmm_chunk *chunk)
{
	chunk->prev->next = chunk->next;
	chunk->next->prev = chunk->prev;
	chunk->next = heap->main_chunk->next;
	chunk->prev = heap->main_chunk;
	chunk->prev->next = chunk;
	chunk->next->prev = chunk;
	if (heap->observed)
		zmm__ev_chunk(heap, ZMM_EV_CHUNK_MOVE, chunk, ZMM_WHY_NONE);
}

/*
 * A run of PAGES pages for a large block (BIN -1) or a small run of BIN
 * (`zend_mm_alloc_pages`).  NULL with heap->status set on failure.
 */
void *
zmm__pages_alloc(struct zmm_heap *heap, uint32_t pages, int bin)
{
	struct zmm_chunk *chunk = heap->main_chunk;
	enum zmm_why pick = ZMM_WHY_NEW_CHUNK;
	uint32_t page = 0;
	int steps = 0;

	for (;;) {
		if (chunk->free_pages < pages) {
			if (heap->observed)
				zmm__ev_pages(heap, ZMM_EV_FIT_SKIP, chunk, 0,
				    chunk->free_pages, -1, ZMM_WHY_FEW_PAGES);
		} else {
			page = search_chunk(heap, chunk, pages, &pick);
			if (page != 0)
				break;
			if (heap->observed)
				zmm__ev_pages(heap, ZMM_EV_FIT_SKIP, chunk, 0,
				    chunk->free_pages, -1, ZMM_WHY_NO_RUN);
		}
		if (chunk->next == heap->main_chunk) {
			chunk = zmm__chunk_take(heap, pages);
			if (chunk == NULL)
				return NULL;
			page = ZMM_FIRST_PAGE;
			pick = ZMM_WHY_NEW_CHUNK;
			break;
		}
		chunk = chunk->next;
		steps++;
	}
	if (heap->observed)
		zmm__ev_pages(heap, ZMM_EV_FIT_PICK, chunk, page, pages, -1, pick);
	/* a small request that had to walk far: keep that chunk near the front */
	if (steps > 2 && pages < 8)
		move_to_front(heap, chunk);
	chunk->free_pages -= pages;
	zmm__bits_set(chunk->free_map, page, pages);
	chunk->map[page] = ZMM_LRUN(pages);
	if (page == chunk->free_tail)
		chunk->free_tail = page + pages;
	if (heap->observed)
		zmm__ev_pages(heap, ZMM_EV_PAGES_ALLOC, chunk, page, pages, bin,
		    ZMM_WHY_NONE);
	return zmm__page_addr(chunk, page);
}

/*
 * Gives back PAGES pages at PAGE (`zend_mm_free_pages_ex`).  Only the run's
 * first map word is cleared.  An emptied chunk other than the main one is
 * deleted when MAY_DELETE_CHUNK (gc decides that itself).
 */
void
zmm__pages_free(struct zmm_heap *heap, struct zmm_chunk *chunk, uint32_t page,
    uint32_t pages, int may_delete_chunk)
{
	chunk->free_pages += pages;
	zmm__bits_clear(chunk->free_map, page, pages);
	chunk->map[page] = 0;
	/* may leave free_tail too high when pages before PAGE are free too */
	if (chunk->free_tail == page + pages)
		chunk->free_tail = page;
	if (heap->observed)
		zmm__ev_pages(heap, ZMM_EV_PAGES_FREE, chunk, page, pages, -1,
		    ZMM_WHY_NONE);
	if (may_delete_chunk && chunk != heap->main_chunk &&
	    chunk->free_pages == ZMM_PAGES - ZMM_FIRST_PAGE)
		zmm__chunk_delete(heap, chunk);
}

/* A large block: ceil(size / 4096) pages; statistics after success. */
void *
zmm__large_alloc(struct zmm_heap *heap, size_t size)
{
	uint32_t pages = (uint32_t)((size + ZMM_PAGE_SIZE - 1) / ZMM_PAGE_SIZE);
	void *ptr;

	ptr = zmm__pages_alloc(heap, pages, -1);
	if (ptr == NULL)
		return NULL;
	heap->size += (size_t)pages * ZMM_PAGE_SIZE;
	if (heap->size > heap->peak)
		heap->peak = heap->size;
	return ptr;
}

/* Frees a large block of PAGES pages at PAGE. */
void
zmm__large_free(struct zmm_heap *heap, struct zmm_chunk *chunk, uint32_t page,
    uint32_t pages)
{
	heap->size -= (size_t)pages * ZMM_PAGE_SIZE;
	zmm__pages_free(heap, chunk, page, pages, 1);
}
