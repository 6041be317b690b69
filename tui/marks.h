/*
 * marks.h - marks: ops the user set with `m`, and the trace's @mark lines
 * (each standing at the ops done where it is written).  No curses.
 */
#ifndef ZMM_MARKS_H
#define ZMM_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"

#define MARKS_MAX	64

struct marks {
	uint64_t	 op[MARKS_MAX];
	size_t		 n;
};

enum marks_result {
	MARKS_SET,
	MARKS_CLEARED,
	MARKS_FULL
};

/* Sets a mark at op OP, or clears the one there. */
enum marks_result marks_toggle(struct marks *marks, uint64_t op);

/*
 * The next mark after op OP, wrapping to the first: the user's or one of
 * TRACE's @mark lines (then *NAME is its name, else NULL).  False when
 * there is none.
 */
bool	marks_next(const struct marks *marks, const struct trace *trace,
	    uint64_t op, uint64_t *mark, const char **name);

#endif /* ZMM_MARKS_H */
