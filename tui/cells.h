/*
 * cells.h - what each page of a chunk shows in the viewer's page map (a
 * view model: computed from the heap's inspection API, no curses).
 */
#ifndef ZMM_CELLS_H
#define ZMM_CELLS_H

#include <stdbool.h>
#include <stddef.h>

#include "zmm.h"

enum cell_kind {
	CELL_HEADER,		/* page 0: the chunk header */
	CELL_FREE,		/* free page */
	CELL_LRUN_START,	/* first page of a large run */
	CELL_LRUN_CONT,		/* later page of a large run */
	CELL_SRUN_START,	/* first page of a small run */
	CELL_SRUN_CONT		/* later page of a small run */
};

struct cell {
	enum cell_kind	 kind;
	int		 bin;		/* small runs: bin, else -1 */
	unsigned	 run_start;	/* first page of the run holding this page */
	unsigned	 run_pages;	/* length of that run (0 for free pages) */
	unsigned	 used_slots;	/* small runs: slots in use in the run */
	unsigned	 slots;		/* small runs: slots in the run */
};

/* The 512 cells of one chunk. */
struct chunk_cells {
	unsigned	 serial;
	bool		 cached;	/* a chunk of the cache, not the ring */
	struct cell	 page[ZMM_PAGES];
};

/*
 * The cells of every chunk, ring order then the cache, into a malloc'd
 * array (*OUT, *COUNT chunks; free() it).  Free slots are counted by one
 * walk over all free lists.  0, or -1 when out of memory.
 */
int	cells_build(const struct zmm_heap *heap, struct chunk_cells **out,
	    size_t *count);

/* Used slots of a run as eighths (0 = empty .. 8 = full), for a fill glyph. */
unsigned cells_fill_eighths(const struct cell *cell);

#endif /* ZMM_CELLS_H */
