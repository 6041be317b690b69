/*
 * breaks.h - breakpoints: on kinds of events (a new chunk taken, a chunk
 * released, ...) and on targets (an ID's ops, a location's events).  The
 * player asks after each op whether one fired; play stops there.  No
 * curses.
 */
#ifndef ZMM_BREAKS_H
#define ZMM_BREAKS_H

#include <stdbool.h>
#include <stddef.h>

#include "target.h"
#include "trace.h"
#include "zmm.h"
#include "zmm_events.h"

/* name, as the overlay and the status line write it */
#define BREAKS_KIND_LIST(X)						\
	X(CHUNK_TAKEN,	 "new chunk taken (from storage or the cache)")	\
	X(CHUNK_RELEASED, "chunk released (to the cache or storage)")	\
	X(NO_ROOM,	 "best fit found no room (so a new chunk)")	\
	X(BIN_EMPTIED,	 "bin list emptied")				\
	X(HUGE,		 "huge block mapped, resized or unmapped")	\
	X(LIMIT,	 "memory limit error")

enum break_kind {
#define X(name, text) BREAK_##name,
	BREAKS_KIND_LIST(X)
#undef X
	BREAK_KINDS
};

#define BREAKS_TARGETS_MAX	16	/* breakpoints on IDs and locations */

struct breaks {
	bool		 kind_on[BREAK_KINDS];
	struct target	 target[BREAKS_TARGETS_MAX];
	bool		 target_on[BREAKS_TARGETS_MAX];
	size_t		 ntargets;
};

/* What fired: the row (BREAK_KINDS + i for target I) and in words. */
struct break_hit {
	bool		 fired;
	size_t		 row;
	char		 what[200];
};

/* All off, no targets. */
void	breaks_init(struct breaks *breaks);

/* Whether any breakpoint is on (the player skips the checks otherwise). */
bool	breaks_any(const struct breaks *breaks);

/* Rows of the overlay: the kinds, then the targets. */
size_t	breaks_rows(const struct breaks *breaks);

/* "[x] new chunk taken ..." / "[ ] ID a" / "[x] location c0:5". */
void	breaks_row_text(const struct breaks *breaks, size_t row, char *buf,
	    size_t len);

/* Turns the breakpoint of ROW on or off; returns its new state. */
bool	breaks_toggle(struct breaks *breaks, size_t row);

/* Adds TARGET, on; 0, or -1 when BREAKS_TARGETS_MAX are set. */
int	breaks_add(struct breaks *breaks, const struct target *target);

/* Deletes the target of ROW; false if ROW is a kind (kinds stay). */
bool	breaks_delete(struct breaks *breaks, size_t row);

/*
 * Checks, before it runs, op ITEM of TRACE against the ID breakpoints;
 * then each EVENT of it against the kinds and locations (HEAP is read:
 * "bin list emptied" looks at the list after a pop).  The first that
 * fires is kept in HIT (later ones are ignored until HIT is cleared).
 */
void	breaks_item(const struct breaks *breaks, const struct trace *trace,
	    const struct trace_item *item, struct break_hit *hit);
void	breaks_event(const struct breaks *breaks, const struct zmm_heap *heap,
	    const struct zmm_event *event, struct break_hit *hit);

#endif /* ZMM_BREAKS_H */
