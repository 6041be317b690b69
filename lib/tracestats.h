/*
 * tracestats.h - statistics of a replayed trace: what the trace asked for
 * and what the heap made of it (`zmmreplay --stats`).
 *
 * A listener on the replay's events counts ops, follows the live requested
 * bytes and real_size to their peaks, sums the rounding of every block the
 * trace got, and counts chunk traffic.  At the end, tracestats_finish()
 * reads the heap through the inspection API: partly used small runs, the
 * largest free run of each chunk, and the heap's own counters.  Nothing
 * here prints; dump.h prints a struct tracestats as text or JSON.
 *
 *   struct tracestats ts;
 *   tracestats_start(&ts, replay);
 *   while (replay_step(replay, &step) != REPLAY_END)
 *           tracestats_step(&ts, &step);
 *   tracestats_finish(&ts);
 *   ... read ts ...
 *   tracestats_free(&ts);
 *
 * Counting starts where the replay stands (live bytes included), and the
 * replay must only step forwards until tracestats_finish(): a seek replays
 * with the listeners muted.
 */
#ifndef ZMM_TRACESTATS_H
#define ZMM_TRACESTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay.h"
#include "zmm.h"

/* The op kinds counted, in the order they are printed. */
#define TRACESTATS_OP_LIST(X)						\
	X(ALLOC,	"alloc")					\
	X(CALLOC,	"calloc")					\
	X(STRDUP,	"strdup")					\
	X(REALLOC,	"realloc")					\
	X(FREE,		"free")						\
	X(GC,		"gc")						\
	X(RESET,	"reset")

enum tracestats_op {
#define X(name, text) TRACESTATS_OP_##name,
	TRACESTATS_OP_LIST(X)
#undef X
	TRACESTATS_OPS
};

/* The name of an op kind ("alloc"), "?" when out of range. */
const char	*tracestats_op_name(enum tracestats_op op);

/* Rounding of the blocks one size class handed out. */
struct tracestats_rounding {
	uint64_t	 blocks;	/* blocks the trace's ops got */
	uint64_t	 requested;	/* bytes they asked for */
	uint64_t	 rounded;	/* bytes they got (slot, pages, mapping) */
};

/* One bin: its rounding, and its runs at the end. */
struct tracestats_bin {
	struct tracestats_rounding rounding;
	uint64_t	 partial_runs;	/* runs with used and free slots */
	uint64_t	 partial_pages;	/* their pages */
	uint64_t	 empty_runs;	/* runs with no used slot (gc frees them) */
	uint64_t	 empty_pages;
};

/* One chunk of the ring at the end. */
struct tracestats_chunk {
	uint32_t	 serial;
	uint32_t	 free_pages;
	uint32_t	 largest_free;	/* longest run of free pages */
	uint32_t	 largest_at;	/* its first page; 0 when no page is free */
};

struct tracestats {
	/* Counted while stepping. */
	uint64_t	 ops[TRACESTATS_OPS];	/* ops that reached the heap */
	uint64_t	 trace_errors;	/* bad lines and liveness errors */
	uint64_t	 failed_ops;	/* refused by the allocator */
	uint64_t	 live_bytes;	/* requested bytes of live trace blocks */
	uint64_t	 peak_live_bytes;
	uint64_t	 peak_live_op;	/* op after which it was reached */
	size_t		 peak_real_size;
	uint64_t	 peak_real_op;	/* op during which it was reached */
	struct tracestats_bin bins[ZMM_BINS];
	struct tracestats_rounding large;
	struct tracestats_rounding huge;
	uint64_t	 chunks_from_storage;	/* chunk_new */
	uint64_t	 chunks_from_cache;	/* chunk_reuse */
	uint64_t	 chunks_cached;		/* chunk_cache */
	uint64_t	 chunks_released;	/* chunk_release */

	/* Filled by tracestats_finish(): the heap at the end. */
	uint64_t	 partial_runs;	/* over all bins */
	uint64_t	 partial_pages;
	uint64_t	 empty_runs;
	uint64_t	 empty_pages;
	struct tracestats_chunk *chunks;	/* the ring, in ring order */
	size_t		 nchunks;
	struct zmm_stats heap;		/* the heap's own counters */

	/* Used while counting. */
	struct replay	*replay;
	int		 listener;
	uint64_t	 op_old_bytes;	/* request of the op's ID before it */
};

/*
 * Zeroes TS and starts counting on REPLAY.  TS must stay where it is
 * until tracestats_finish().  0, or -1 when the replay has no listener
 * slot left.
 */
int		 tracestats_start(struct tracestats *ts, struct replay *replay);

/* Counts what replay_step() reported for one step. */
void		 tracestats_step(struct tracestats *ts,
		    const struct replay_step *step);

/* Stops counting and reads the heap.  0, or -1 when out of memory. */
int		 tracestats_finish(struct tracestats *ts);

/* Frees what tracestats_finish() allocated. */
void		 tracestats_free(struct tracestats *ts);

/* Malloc-lab utilisation: peak live requested / peak real_size, in %. */
double		 tracestats_utilisation(const struct tracestats *ts);

/* Waste of a rounding (rounded - requested) in % of rounded; 0 if empty. */
double		 tracestats_waste_percent(const struct tracestats_rounding *r);

#endif /* ZMM_TRACESTATS_H */
