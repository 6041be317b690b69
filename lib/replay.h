/*
 * replay.h - stepping a trace through the allocator core.
 *
 * The replay owns a heap and walks a loaded trace item by item.  It is the
 * only caller of the mutating heap API: views and printers read the heap
 * through zmm.h.  It keeps the ID table (which block each trace ID names)
 * and checks liveness: a free of a dead ID or an alloc of a live one is a
 * trace error that leaves the heap untouched.
 *
 * Seeking puts back the last checkpoint at or before the target and
 * steps on from there with the listeners muted (they stay attached):
 *
 *   items        0 ....... K ....... 2K ....... 3K ...
 *   checkpoints  [0]       [K]       [2K]            (3K: not yet passed)
 *   seek to 2K+9: restore [2K], step 9 items
 *
 * A checkpoint is the replay's whole state after an item: a heap
 * snapshot (zmm_heap_snapshot: the heap struct, the storage's bump pointer
 * and committed ranges, every chunk header, the pages of small runs; a
 * replay keeps no block contents, so large runs and huge blocks cost
 * nothing), the live blocks of the ID table, the position, op and
 * caption.  The storage is deterministic and never reuses an address, so
 * a restored heap is the one a straight replay builds, addresses, serials
 * and offsets included, and every step after it does the same.
 *
 * Checkpoints are taken lazily, when a seek steps over a multiple of K
 * that has none yet (the one of item 0 comes with the replay), and with
 * checkpoint_steps when replay_step() does (a viewer: what it played
 * through it can go back to at once).  Each
 * shares the chunks whose saved bytes did not change since the one before
 * it.  What they cost: about 2.2 KB per chunk, the small runs' pages, and
 * 32 bytes per live block, per checkpoint, less what is shared; together
 * at most the budget (REPLAY_CHECKPOINT_BUDGET unless the options say):
 * beyond it K doubles and every other checkpoint goes.  K starts at
 * REPLAY_CHECKPOINT_SPACING items and also doubles while copying one
 * checkpoint costs more than stepping K items (BYTES_PER_ITEM in
 * replay.c), so that taking them slows a first pass by a fraction only;
 * the options may fix K instead (only the budget then doubles it).  A
 * seek over ground covered before steps fewer than K items from a
 * checkpoint, or, going forwards, on from where it is when that costs
 * less than a restore.
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
	size_t		 checkpoint_budget;	/* bytes; 0: the default */
	size_t		 checkpoint_spacing;	/* K, items; 0: adaptive */
	bool		 checkpoint_steps;	/* also take them while stepping */
};

#define REPLAY_CHECKPOINT_BUDGET	((size_t)256 << 20)
#define REPLAY_CHECKPOINT_SPACING	((size_t)4096)

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
 * Puts the replay right after item INDEX - 1 (0: the start), from the
 * last checkpoint before it or by stepping, listeners muted throughout.
 * Errors met on the way are skipped as --keep-going would.  0 or a status.
 */
int		 replay_seek_item(struct replay *replay, size_t index);

/* The same for "OPS ops done" (0 .. trace_op_count()). */
int		 replay_seek_op(struct replay *replay, uint64_t ops);

/* The checkpoints held now. */
struct replay_checkpoints {
	size_t		 count;		/* item 0's included */
	size_t		 bytes;		/* memory they hold */
	size_t		 spacing;	/* K, items */
	size_t		 budget;	/* bytes */
};

void		 replay_checkpoints(const struct replay *replay,
		    struct replay_checkpoints *out);

/* Listeners of the heap; kept, and muted, across replay_seek_*. */
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
