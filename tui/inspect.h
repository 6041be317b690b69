/*
 * inspect.h - the inspector's view model: everything the viewer shows about
 * one page of one chunk (its map word decoded field by field, its run, and
 * for a small run every slot: free or used, its place on the bin's free
 * list, the trace ID, request and op that own it).  No curses: the viewer
 * draws the lines this module writes.
 */
#ifndef ZMM_INSPECT_H
#define ZMM_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay.h"
#include "zmm.h"

#define INSPECT_ID_MAX		65	/* an ID's 64 characters and the NUL */
#define INSPECT_SLOTS_MAX	512	/* most slots a small run has (bin 0) */

struct inspect_owner {
	bool		 live;		/* a live trace block starts here */
	char		 id[INSPECT_ID_MAX];
	uint64_t	 size;		/* its requested size */
	uint64_t	 opno;		/* the op that allocated it */
};

struct inspect_slot {
	uint32_t	 offset;	/* byte offset in the chunk */
	bool		 free;		/* on the bin's free list */
	long		 list_pos;	/* 0 = head of free_slot[bin]; -1 if used */
	struct inspect_owner owner;	/* used slots: who holds it */
	size_t		 huge_size;	/* used by a huge block's list node:
					   that block's mapped size, else 0 */
};

/* What the page is, as the free_map and the runs say. */
enum inspect_what {
	INSPECT_HEADER,		/* page 0 */
	INSPECT_FREE,		/* a free page (every page of a cached chunk) */
	INSPECT_LARGE,		/* a page of a large run */
	INSPECT_SMALL		/* a page of a small run */
};

struct inspect_page {
	uint32_t	 serial;	/* chunk c<serial> */
	unsigned	 page;
	bool		 cached;	/* a chunk of the cache */
	bool		 used;		/* the page's free_map bit */
	enum inspect_what what;
	struct zmm_map_word word;	/* map[page] decoded */
	bool		 word_stale;	/* a leftover nothing reads, or a word
					   that does not match the run */
	uint32_t	 chunk_num;	/* the chunk's header fields */
	uint32_t	 chunk_free_pages;
	uint32_t	 chunk_free_tail;
	bool		 chunk_main;	/* the main chunk (holds the heap) */
	unsigned	 run_start;	/* first page of the run holding it */
	unsigned	 run_pages;	/* its length; 0 for a free page */
	unsigned	 hole_start;	/* free pages: the free pages around it */
	unsigned	 hole_pages;
	int		 bin;		/* small runs: bin, else -1 */
	struct inspect_owner owner;	/* large runs: who holds the run */
	unsigned	 nslots;	/* small runs: slots in the run */
	unsigned	 free_slots;	/* ... of them on the free list */
	size_t		 list_length;	/* slots on free_slot[bin], all runs */
	struct inspect_slot slot[INSPECT_SLOTS_MAX];	/* [0, nslots) set */
};

/*
 * Fills OUT for page PAGE of the chunk with serial SERIAL (ring or cache)
 * of the replay's heap.  0, or -1 when there is no such chunk or page.
 */
int	inspect_page(const struct replay *replay, uint32_t serial,
	    unsigned page, struct inspect_page *out);

/*
 * The detail as text lines, one per row of the viewer's pane: the map word
 * in hex and bit by bit, the run, then one line per slot.  Writes at most
 * MAX lines of at most INSPECT_LINE_MAX bytes each into LINES; returns the
 * number of lines the whole detail has (may exceed MAX: the caller scrolls
 * by asking again with FIRST, the first line wanted).
 */
#define INSPECT_LINE_MAX	160

size_t	inspect_lines(const struct inspect_page *page, size_t first,
	    char (*lines)[INSPECT_LINE_MAX], size_t max);

#endif /* ZMM_INSPECT_H */
