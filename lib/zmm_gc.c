/*
 * zmm_gc.c - `zend_mm_gc`: give back the pages of small runs whose slots
 * are all free.
 *
 * Phase 1 walks each bin's free list and counts, in the first page's map
 * word of each run, how many of its slots are free (SRUN_EX(bin, count));
 * slots of runs found entirely free are unlinked from the list.  Phase 2
 * walks every chunk's pages up to `free_tail`: fully free runs are
 * released, other counters reset; a chunk left empty is deleted.
 *
 * The counter has 9 bits, so a bin-0 run (512 slots) never reads as
 * fully free: gc never releases one.  PHP 8.2's phase 2 does not spare the
 * main chunk, which corrupts its heap; the model keeps the main chunk and
 * says so with a `gc_main_kept` event.
 */
#include "config.h"

#include "zmm_internal.h"

/* The first page of the run holding SLOT, and its chunk. */
static uint32_t
run_page(const void *slot, struct zmm_chunk **chunk)
{
	uint32_t page = (uint32_t)(zmm__chunk_offset(slot) / ZMM_PAGE_SIZE);
	uint32_t info;

	*chunk = zmm__chunk_of(slot);
	info = (*chunk)->map[page];
	if (info & ZMM_IS_LRUN)		/* NRUN: step back to the first page */
		page -= ZMM_NRUN_OFFSET(info);
	return page;
}

size_t
zmm__gc(struct zmm_heap *heap)
{
	struct zmm_chunk *chunk, *next;
	struct zmm_slot *p, **link;
	size_t collected = 0, unlinked;
	uint32_t page, info, counter;
	int bin, has_free_runs;

	heap->gc_runs++;
	if (heap->observed) {
		struct zmm_event ev;

		zmm_event_init(&ev, ZMM_EV_GC_BEGIN);
		zmm__emit(heap, &ev);
	}
	for (bin = 0; bin < ZMM_BINS; bin++) {
		has_free_runs = 0;
		for (p = heap->free_slot[bin]; p != NULL; p = p->next) {
			page = run_page(p, &chunk);
			counter = ZMM_SRUN_FREE_COUNTER(chunk->map[page]) + 1;
			if (counter == zmm__bin_slots[bin])
				has_free_runs = 1;
			chunk->map[page] = ZMM_SRUN_EX(bin, counter);
		}
		if (!has_free_runs)
			continue;
		unlinked = 0;
		link = &heap->free_slot[bin];
		while ((p = *link) != NULL) {
			page = run_page(p, &chunk);
			if (ZMM_SRUN_FREE_COUNTER(chunk->map[page]) ==
			    zmm__bin_slots[bin]) {
				*link = p->next;
				unlinked++;
			} else {
				link = &p->next;
			}
		}
		if (heap->observed && unlinked > 0) {
			struct zmm_event ev;

			zmm_event_init(&ev, ZMM_EV_GC_SLOTS);
			ev.bin = bin;
			ev.count = unlinked;
			zmm__emit(heap, &ev);
		}
	}

	chunk = heap->main_chunk;
	do {
		page = ZMM_FIRST_PAGE;
		while (page < chunk->free_tail) {
			if (!zmm__bit_is_set(chunk->free_map, page)) {
				page++;
				continue;
			}
			info = chunk->map[page];
			if (!(info & ZMM_IS_SRUN)) {
				page += ZMM_LRUN_PAGES(info);
				continue;
			}
			bin = (int)ZMM_SRUN_BIN(info);
			if (ZMM_SRUN_FREE_COUNTER(info) == zmm__bin_slots[bin]) {
				if (heap->observed)
					zmm__ev_pages(heap, ZMM_EV_GC_RUN_FREE,
					    chunk, page, zmm__bin_pages[bin], bin,
					    ZMM_WHY_NONE);
				zmm__pages_free(heap, chunk, page,
				    zmm__bin_pages[bin], 0);
				collected += zmm__bin_pages[bin];
			} else {
				chunk->map[page] = ZMM_SRUN(bin);
			}
			page += zmm__bin_pages[bin];
		}
		next = chunk->next;
		if (chunk->free_pages == ZMM_PAGES - ZMM_FIRST_PAGE) {
			if (chunk == heap->main_chunk) {
				/* PHP 8.2 would delete the main chunk here */
				if (heap->observed)
					zmm__ev_chunk(heap, ZMM_EV_GC_MAIN_KEPT,
					    chunk, ZMM_WHY_NONE);
			} else {
				zmm__chunk_delete(heap, chunk);
			}
		}
		chunk = next;
	} while (chunk != heap->main_chunk);

	if (heap->observed) {
		struct zmm_event ev;

		zmm_event_init(&ev, ZMM_EV_GC_END);
		ev.size = collected * ZMM_PAGE_SIZE;
		zmm__emit(heap, &ev);
	}
	return collected * ZMM_PAGE_SIZE;
}
