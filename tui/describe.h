/*
 * describe.h - the allocator's events and a trace's ops in plain words,
 * for the event log and the header of the viewer (no curses here).
 */
#ifndef ZMM_DESCRIBE_H
#define ZMM_DESCRIBE_H

#include <stddef.h>

#include "trace.h"
#include "zmm_events.h"

/*
 * EVENT as one sentence that teaches, e.g. "slot c0+0x1040 pushed on
 * free_slot[3] (32 B): lists are LIFO, the next 32-byte alloc takes it
 * back".  NUL-terminated, cut to LEN.  Returns the length written.
 */
size_t	describe_event(const struct zmm_event *event, char *buf, size_t len);

/* The op or directive ITEM as written in a trace: "alloc a 24", "gc". */
size_t	describe_item(const struct trace *trace, const struct trace_item *item,
	    char *buf, size_t len);

#endif /* ZMM_DESCRIBE_H */
