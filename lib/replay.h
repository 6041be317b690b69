/*
 * replay.h - stepping a trace through the allocator core.
 *
 * The replay owns a heap and walks a loaded trace item by item.  It is the
 * only caller of the mutating heap API: views and printers read the heap
 * through zmm.h.  It keeps the ID table (which block each trace ID names)
 * and checks liveness: a free of a dead ID or an alloc of a live one is a
 * trace error that leaves the heap untouched.
 *
 * Seeking backwards rebuilds the heap and replays from the start with the
 * listeners muted; the storage is deterministic, so the heap comes out
 * identical, serials and offsets included.
 */
#ifndef ZMM_REPLAY_H
#define ZMM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"
#include "zmm.h"
#include "zmm_events.h"

struct replay;

/* What one step did. */
enum replay_status {
	REPLAY_OK,		/* an op or directive was carried out */
	REPLAY_END,		/* no item left */
	REPLAY_TRACE_ERROR,	/* a bad line or a liveness error: skipped */
	REPLAY_OP_FAILED,	/* the allocator refused (limit, overflow) */
	REPLAY_WARNING,		/* a directive could not take effect */
	REPLAY_CHECK_FAILED	/* zmm_heap_check() found a broken invariant */
};

struct replay_step {
	enum replay_status status;
	const struct trace_item *item;	/* the item stepped over, or NULL
					   (good until the next step) */
	const char	*id;		/* its ID, or NULL */
	bool		 has_block;	/* the op returned a block ... */
	struct zmm_loc	 loc;		/* ... here */
	char		 msg[320];	/* error, failure or warning text */
};

struct replay_options {
	bool		 check;		/* zmm_heap_check() after every op */
};

/* A replay of TRACE (borrowed: it must outlive the replay); NULL on error. */
struct replay	*replay_new(const struct trace *trace,
		    const struct replay_options *options, int *status);
void		 replay_free(struct replay *replay);

/* The heap, for reading. */
const struct zmm_heap *replay_heap(const struct replay *replay);
const struct trace *replay_trace(const struct replay *replay);

/* Carries out the next item. */
enum replay_status replay_step(struct replay *replay, struct replay_step *out);

/* Items done so far (the index of the next item). */
size_t		 replay_position(const struct replay *replay);

/* Ops done so far (OPNO of the last op carried out, 0 at the start). */
uint64_t	 replay_op(const struct replay *replay);

/*
 * Puts the replay right after item INDEX - 1 (0: the start), forwards by
 * stepping, backwards by rebuilding the heap, listeners muted throughout.
 * Errors met on the way are skipped as --keep-going would.  0 or a status.
 */
int		 replay_seek_item(struct replay *replay, size_t index);

/* The same for "OPS ops done" (0 .. trace_op_count()). */
int		 replay_seek_op(struct replay *replay, uint64_t ops);

/* Listeners of the heap; kept across the rebuilds of replay_seek_*. */
int		 replay_listen(struct replay *replay, zmm_event_fn *fn, void *arg);
void		 replay_unlisten(struct replay *replay, int id);

/* The caption in force (the last @caption passed), or NULL. */
const char	*replay_caption(const struct replay *replay);

/* The block named ID index IDX if live: its pointer, request and op. */
bool		 replay_block(const struct replay *replay, uint32_t idx,
		    const void **ptr, uint64_t *size, uint64_t *opno);

/*
 * The live trace block whose pointer is PTR (its first byte, not inside
 * it): its ID, request and op.  The first call after the replay moved
 * builds an index of the live blocks (sorted by pointer); the calls after
 * it, until the next op or seek, are binary searches.
 */
bool		 replay_owner(const struct replay *replay, const void *ptr,
		    const char **id, uint64_t *size, uint64_t *opno);

#endif /* ZMM_REPLAY_H */
