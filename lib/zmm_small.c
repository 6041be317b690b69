/*
 * zmm_small.c - small runs and their free lists ("Small Runs" in
 * zend_alloc.c: `zend_mm_alloc_small`, `zend_mm_alloc_small_slow`,
 * `zend_mm_free_small`).
 *
 * A bin's run is pages(bin) pages cut into slots(bin) slots.  A new run
 * returns its first slot and links the others in address order:
 *
 *   free_slot[2] -> +0x18 -> +0x30 -> ... -> +0xfd8 -> NULL
 *
 * Frees push on the head, allocations pop the head: the lists are LIFO.
 * The run's pages stay allocated when all its slots are free; only
 * `zend_mm_gc` gives them back.
 */
#include "config.h"

#include "zmm_internal.h"

#define BIN_SIZE(num, size, slots, pages)	size,
#define BIN_SLOTS(num, size, slots, pages)	slots,
#define BIN_PAGES(num, size, slots, pages)	pages,
const uint32_t zmm__bin_size[ZMM_BINS] = { ZMM_BINS_INFO(BIN_SIZE) };
const uint32_t zmm__bin_slots[ZMM_BINS] = { ZMM_BINS_INFO(BIN_SLOTS) };
const uint32_t zmm__bin_pages[ZMM_BINS] = { ZMM_BINS_INFO(BIN_PAGES) };

/* A fresh run for BIN: its first slot is returned, the rest are listed. */
void *
zmm__small_alloc_slow(struct zmm_heap *heap, int bin)
{
	uint32_t size = zmm__bin_size[bin], pages = zmm__bin_pages[bin];
	struct zmm_chunk *chunk;
	struct zmm_slot *p, *end;
	char *run;
	uint32_t page, i;

	run = zmm__pages_alloc(heap, pages, bin);
	if (run == NULL)
		return NULL;
	chunk = zmm__chunk_of(run);
	page = (uint32_t)(zmm__chunk_offset(run) / ZMM_PAGE_SIZE);
	chunk->map[page] = ZMM_SRUN(bin);
	for (i = 1; i < pages; i++)
		chunk->map[page + i] = ZMM_NRUN(bin, i);
	/* slots 1 .. slots-1 in ascending order */
	end = (struct zmm_slot *)(run + (size_t)size * (zmm__bin_slots[bin] - 1));
	p = (struct zmm_slot *)(run + size);
	heap->free_slot[bin] = p;
	while (p != end) {
		p->next = (struct zmm_slot *)((char *)p + size);
		p = p->next;
	}
	p->next = NULL;
	heap->runs_carved++;
	if (heap->observed) {
		zmm__ev_pages(heap, ZMM_EV_RUN_CARVE, chunk, page, pages, bin,
		    ZMM_WHY_NONE);
		zmm__ev_slot(heap, ZMM_EV_SLOT_POP, bin, run);
	}
	heap->slots_popped++;
	return run;
}
