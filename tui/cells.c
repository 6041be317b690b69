/*
 * cells.c - the page map's view model: what each of a chunk's 512 pages
 * shows, read from the heap's inspection API only.
 *
 *   page   0      1..3       4      5..9             10 .. 511
 *          HEADER LRUN(3)    free   SRUN bin 16 (5)  free
 *
 * A page is used iff its free_map bit is set.  Runs are found as the heap
 * check finds them: walking from page 1, a used page starts a run whose
 * length its map word gives (LRUN pages, or the bin's pages for SRUN), and
 * the walk jumps over it.  Words of free pages are never read, so the
 * stale NRUN words a freed small run leaves behind show as free pages (or
 * as pages of whatever large run later covers them).  Used slots of a
 * small run are its slots minus its free slots, counted by one walk over
 * the 30 free lists.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"

/* Page 0 and the free pages of one chunk. */
static void
cells_empty(struct chunk_cells *cc)
{
	unsigned page;

	for (page = 0; page < ZMM_PAGES; page++) {
		struct cell *c = &cc->page[page];

		memset(c, 0, sizeof(*c));
		c->kind = page == 0 ? CELL_HEADER : CELL_FREE;
		c->bin = -1;
		c->run_start = page;
		c->run_pages = page == 0 ? 1 : 0;
	}
}

/*
 * The runs of a chunk of the ring.  CAPACITY[bin] grows by the slots of
 * each small run found (it bounds the free-list walk).
 */
static void
cells_ring_chunk(const struct zmm_chunk *chunk, struct chunk_cells *cc,
    size_t *capacity)
{
	struct zmm_chunk_info info;
	struct zmm_map_word w;
	unsigned page = ZMM_FIRST_PAGE, n, i;
	enum cell_kind first, rest;
	int bin;

	zmm_chunk_info(chunk, &info);
	while (page < ZMM_PAGES) {
		if (!zmm_chunk_page_used(chunk, page)) {
			page++;
			continue;
		}
		zmm_map_word_decode(info.map[page], &w);
		bin = -1;
		if (w.kind == ZMM_PAGE_SRUN && w.bin < ZMM_BINS) {
			bin = w.bin;
			n = zmm_bin_pages(bin);
			first = CELL_SRUN_START;
			rest = CELL_SRUN_CONT;
		} else {
			/* LRUN; a word that starts no run counts as one page */
			n = w.kind == ZMM_PAGE_LRUN && w.pages > 0 ?
			    w.pages : 1;
			first = CELL_LRUN_START;
			rest = CELL_LRUN_CONT;
		}
		if (n > ZMM_PAGES - page)
			n = ZMM_PAGES - page;
		for (i = 0; i < n; i++) {
			struct cell *c = &cc->page[page + i];

			c->kind = i == 0 ? first : rest;
			c->bin = bin;
			c->run_start = page;
			c->run_pages = n;
			c->used_slots = 0;	/* free slots until the end */
			c->slots = bin >= 0 ? zmm_bin_slots(bin) : 0;
		}
		if (bin >= 0)
			capacity[bin] += zmm_bin_slots(bin);
		page += n;
	}
}

/* A ring chunk's serial and its place in the cells array. */
struct serial_ix {
	uint32_t	 serial;
	size_t		 k;
};

static int
serial_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct serial_ix *)a)->serial;
	uint32_t y = ((const struct serial_ix *)b)->serial;

	return x < y ? -1 : x > y;
}

/* The place of SERIAL among the N sorted ring chunks, or SIZE_MAX. */
static size_t
serial_find(const struct serial_ix *ix, size_t n, uint32_t serial)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ix[mid].serial == serial)
			return ix[mid].k;
		if (ix[mid].serial < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/*
 * Counts every free slot in the used_slots of its run's first cell, then
 * turns the counts into used slots on every page of each small run.  IX
 * holds the NRING ring chunks sorted by serial.
 */
static void
count_slots(const struct zmm_heap *heap, struct chunk_cells *cells,
    const struct serial_ix *ix, size_t nring, const size_t *capacity)
{
	const void *slot;
	struct zmm_loc loc;
	struct cell *c;
	size_t k = SIZE_MAX, steps;
	uint32_t last = 0;
	unsigned page, i;
	int bin;

	for (bin = 0; bin < ZMM_BINS; bin++) {
		steps = 0;
		for (slot = zmm_heap_bin_head(heap, bin); slot != NULL &&
		    steps <= capacity[bin]; slot = zmm_slot_next(slot)) {
			/* a list longer than its runs' slots has a loop */
			steps++;
			loc = zmm_heap_loc(heap, slot);
			if (loc.kind != ZMM_LOC_CHUNK)
				continue;
			/* neighbours on a list mostly share a chunk */
			if (k == SIZE_MAX || loc.chunk != last) {
				k = serial_find(ix, nring, loc.chunk);
				last = loc.chunk;
			}
			if (k == SIZE_MAX)
				continue;
			page = (unsigned)(loc.offset / ZMM_PAGE_SIZE);
			if (page >= ZMM_PAGES)
				continue;
			c = &cells[k].page[page];
			if (c->kind != CELL_SRUN_START &&
			    c->kind != CELL_SRUN_CONT)
				continue;
			c = &cells[k].page[c->run_start];
			if (c->used_slots < c->slots)
				c->used_slots++;
		}
	}
	for (k = 0; k < nring; k++) {
		for (page = ZMM_FIRST_PAGE; page < ZMM_PAGES; page++) {
			c = &cells[k].page[page];
			if (c->kind != CELL_SRUN_START)
				continue;
			c->used_slots = c->slots - c->used_slots;
			for (i = 1; i < c->run_pages; i++)
				cells[k].page[page + i].used_slots =
				    c->used_slots;
		}
	}
}

int
cells_build(const struct zmm_heap *heap, struct chunk_cells **out,
    size_t *count)
{
	const struct zmm_chunk *chunk;
	struct chunk_cells *cells;
	struct zmm_chunk_info info;
	struct serial_ix *ix;
	size_t capacity[ZMM_BINS] = { 0 };
	size_t nring = 0, n, k;

	*out = NULL;
	*count = 0;
	for (chunk = zmm_heap_chunk_first(heap); chunk != NULL;
	    chunk = zmm_heap_chunk_next(heap, chunk))
		nring++;
	n = nring;
	for (chunk = zmm_heap_cached_first(heap); chunk != NULL;
	    chunk = zmm_heap_cached_next(chunk))
		n++;
	cells = calloc(n, sizeof(*cells));
	ix = malloc(nring * sizeof(*ix));
	if (cells == NULL || ix == NULL) {
		free(cells);
		free(ix);
		return -1;
	}

	k = 0;
	for (chunk = zmm_heap_chunk_first(heap); chunk != NULL;
	    chunk = zmm_heap_chunk_next(heap, chunk), k++) {
		zmm_chunk_info(chunk, &info);
		cells[k].serial = info.serial;
		cells[k].cached = false;
		ix[k].serial = info.serial;
		ix[k].k = k;
		cells_empty(&cells[k]);
		cells_ring_chunk(chunk, &cells[k], capacity);
	}
	/* cached chunks: only the header is in use (it may be zeroed) */
	for (chunk = zmm_heap_cached_first(heap); chunk != NULL;
	    chunk = zmm_heap_cached_next(chunk), k++) {
		zmm_chunk_info(chunk, &info);
		cells[k].serial = info.serial;
		cells[k].cached = true;
		cells_empty(&cells[k]);
	}
	qsort(ix, nring, sizeof(*ix), serial_cmp);
	count_slots(heap, cells, ix, nring, capacity);
	free(ix);
	*out = cells;
	*count = n;
	return 0;
}

/*
 * 0 only for an empty run (or a cell with no slots), 8 only for a full
 * one; in between the nearest eighth, kept within 1..7 so a glyph never
 * hides the difference.
 */
unsigned
cells_fill_eighths(const struct cell *cell)
{
	unsigned e;

	if (cell->slots == 0 || cell->used_slots == 0)
		return 0;
	if (cell->used_slots >= cell->slots)
		return 8;
	e = (unsigned)(((unsigned long)cell->used_slots * 8 + cell->slots / 2) /
	    cell->slots);
	if (e < 1)
		e = 1;
	if (e > 7)
		e = 7;
	return e;
}
