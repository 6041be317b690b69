/*
 * trace_internal.h - what the .zmt reader (trace.c) and the CS:APP .rep
 * side (trace_rep.c) share: the .rep detection and header state, and the
 * summary of a tokenized line that the header logic looks at.
 */
#ifndef ZMM_TRACE_INTERNAL_H
#define ZMM_TRACE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "trace.h"

/* Longest line the reader parses, in bytes, without its '\n'. */
#define TRACE_LINE_MAX	((size_t)1 << 20)

/* Numbers in a .rep header: heap size, ids, ops, weight. */
#define TRACE_REP_HEADER	4

/* Where the reader stands with respect to a .rep header. */
struct trace__rep {
	bool		 seen;		/* the 1st significant line was read */
	bool		 active;	/* it was a number: this is a .rep */
	unsigned	 header_left;	/* header numbers still expected */
};

/* A tokenized line (not a directive), as the header logic sees it. */
struct trace__line {
	size_t		 ntok;		/* tokens on the line */
	bool		 first_number;	/* the first token is unquoted digits */
	bool		 all_numbers;	/* every token is */
	bool		 bad;		/* rejected anyway (a NUL byte) */
};

/* What trace__rep_line() makes of a line. */
enum trace__rep_verdict {
	TRACE__REP_OP,		/* not part of a header: an op line */
	TRACE__REP_HEADER,	/* taken by the header */
	TRACE__REP_BAD_HEADER	/* stands where the header is, but is not one */
};

/* The .rep predicates of the hot path, inline. */

/* True while a line may still start or continue a .rep header. */
static inline bool
trace__rep_pending(const struct trace__rep *rep)
{
	return !rep->seen || rep->header_left > 0;
}

/*
 * True when ID (LEN bytes) is .rep's "-1": `f -1` is free(NULL), and no
 * other op may name it (a block named -1 could never be freed).
 */
static inline bool
trace__rep_null_id(const struct trace__rep *rep, const char *id, size_t len)
{
	return rep->active && len == 2 && id[0] == '-' && id[1] == '1';
}

/* The flags of an item read now: TRACE_F_REP in a .rep. */
static inline uint8_t
trace__rep_flags(const struct trace__rep *rep)
{
	return rep->active ? TRACE_F_REP : 0;
}

/* trace_rep.c */

/* A directive line was read: it makes later lines not the first. */
void		 trace__rep_directive(struct trace__rep *rep);

/*
 * Detection and header for one tokenized line.  For TRACE__REP_BAD_HEADER,
 * *MISSING is the count of header numbers that did not come, and the
 * header is over.
 */
enum trace__rep_verdict trace__rep_line(struct trace__rep *rep,
		    const struct trace__line *line, unsigned *missing);

/* At the end of the file: header numbers still missing (0 when none). */
unsigned	 trace__rep_end(struct trace__rep *rep);

#endif /* ZMM_TRACE_INTERNAL_H */
