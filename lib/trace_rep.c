/*
 * trace_rep.c - the CS:APP malloc-lab .rep side of the reader.
 *
 *   20000\r\n      <- header: heap size, number of ids, number of ops,
 *   3\r\n             weight (several per line is accepted too); only the
 *   8\r\n             ops count means anything and nothing checks it
 *   1\r\n
 *   a 0 2040\r\n   <- op lines, the same grammar as .zmt: a ID SIZE,
 *   f -1\r\n          f ID, r ID SIZE (other .zmt ops are accepted too)
 *
 * A file is a .rep when its first significant line (not blank, not a
 * comment, not a directive, and tokenized without error) starts with a
 * number; that line then begins the header.  CRLF needs nothing here: the
 * tokenizer takes '\r' for a blank.  The quirks that legal .rep files have
 * are left to the replay, which sees TRACE_F_REP on every item:
 *   - `f -1` is free(NULL), a no-op (TRACE_FREE_NULL, made here); the
 *     ID -1 means NULL, so any other op naming it is an error (the
 *     reference accepts `a -1 8`, and then frees that block at `f -1`);
 *   - `r ID SIZE` on an ID that is not live is realloc(NULL, SIZE): it
 *     allocates;
 *   - `r ID 0` keeps a block, as ZendMM's erealloc(p, 0) does (the lab's
 *     mm_realloc(p, 0) frees it);
 *   - a file may end with live blocks.
 * Header lines carry no OPNO; a line that stands where the header should
 * be but is not one is an error with OPNO 0, and the header ends there.
 */
#include "config.h"

#include <string.h>

#include "trace_internal.h"

void
trace__rep_directive(struct trace__rep *rep)
{
	rep->seen = true;
}

enum trace__rep_verdict
trace__rep_line(struct trace__rep *rep, const struct trace__line *line,
    unsigned *missing)
{
	if (!rep->seen) {
		rep->seen = true;
		if (line->first_number) {
			rep->active = true;
			rep->header_left = TRACE_REP_HEADER;
		}
	}
	if (rep->header_left == 0)
		return TRACE__REP_OP;
	if (!line->bad && line->all_numbers &&
	    line->ntok <= rep->header_left) {
		rep->header_left -= (unsigned)line->ntok;
		return TRACE__REP_HEADER;
	}
	*missing = rep->header_left;
	rep->header_left = 0;
	return TRACE__REP_BAD_HEADER;
}

unsigned
trace__rep_end(struct trace__rep *rep)
{
	unsigned missing = rep->header_left;

	rep->header_left = 0;
	return missing;
}
