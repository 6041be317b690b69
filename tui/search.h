/*
 * search.h - finding the ops on an ID or touching a location.
 *
 * A search collects every matching op of the whole trace once; `n` and
 * `N` then look the next one up at once.  An ID is found in the loaded
 * items.  A location needs the events: a replay of its own, muted but for
 * a light listener, run in slices (search_run) so the viewer can show
 * progress and stay responsive on traces of millions of ops.  No curses.
 */
#ifndef ZMM_SEARCH_H
#define ZMM_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"
#include "trace.h"

struct search;

enum search_state {
	SEARCH_IDLE,		/* nothing searched yet */
	SEARCH_BUSY,		/* more to scan: call search_run again */
	SEARCH_DONE		/* every match is known */
};

/* A search of TRACE (borrowed); NULL when out of memory. */
struct search	*search_new(const struct trace *trace);
void		 search_free(struct search *search);

/*
 * Starts a search for TARGET, forgetting the last one.  An ID is done at
 * once; a location is SEARCH_BUSY until search_run finishes it.  0, or -1
 * (out of memory, no replay possible) with a message in ERR.
 */
int		 search_start(struct search *search, const struct target *target,
		    char *err, size_t errlen);

/* Scans for about BUDGET_MS milliseconds; the state after. */
enum search_state search_run(struct search *search, double budget_ms);

enum search_state search_state(const struct search *search);

/* How far the scan is, 0..100. */
unsigned	 search_percent(const struct search *search);

const struct target *search_target(const struct search *search);

/* Matching ops found so far. */
size_t		 search_count(const struct search *search);

/*
 * The first match after op OP (FORWARD) or before it, wrapping around the
 * trace; its number among the matches (1-based) in *NTH.  False when
 * there is none.
 */
bool		 search_next(const struct search *search, uint64_t op,
		    bool forward, uint64_t *match, size_t *nth);

#endif /* ZMM_SEARCH_H */
