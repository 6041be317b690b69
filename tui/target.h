/*
 * target.h - what the user names to search for or to break on: a trace ID,
 * or a place in the heap written as the viewer writes locations:
 *
 *   c1            chunk c1: every event about it or inside it
 *   c1:5          page 5 of c1: runs covering it, slots and blocks in it
 *   c1+0x5040     the byte at that offset: a slot or block starting there,
 *                 and the runs covering its page
 *
 * A best-fit search looking at a run does not touch it: candidate and skip
 * events match no location.  No curses.
 */
#ifndef ZMM_TARGET_H
#define ZMM_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace.h"
#include "zmm_events.h"

enum target_kind {
	TARGET_ID,		/* a trace ID */
	TARGET_CHUNK,		/* cN */
	TARGET_PAGE,		/* cN:P */
	TARGET_OFFSET		/* cN+0xOFF */
};

struct target {
	enum target_kind kind;
	uint32_t	 id;		/* TARGET_ID: the ID's index */
	uint32_t	 chunk;		/* locations: serial */
	unsigned	 page;		/* TARGET_PAGE and _OFFSET: the page */
	uint32_t	 offset;	/* TARGET_OFFSET */
	char		 text[72];	/* as the user wrote it (cut) */
};

/*
 * Parses TEXT: an ID of TRACE if the trace has one of that name, else a
 * location.  0, or -1 with a message in ERR.
 */
int	target_parse(const struct trace *trace, const char *text,
	    struct target *out, char *err, size_t errlen);

/* Whether TARGET is a location (not an ID). */
bool	target_is_place(const struct target *target);

/* Whether ITEM is an op on TARGET's ID (always false for locations). */
bool	target_item(const struct target *target, const struct trace_item *item);

/* Whether EVENT touches TARGET's location (always false for IDs). */
bool	target_event(const struct target *target,
	    const struct zmm_event *event);

#endif /* ZMM_TARGET_H */
