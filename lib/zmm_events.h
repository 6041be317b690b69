/*
 * zmm_events.h - what the allocator core tells its listeners.
 *
 * Every state change of the heap is reported, after it is complete, as a
 * small value (struct zmm_event) with no pointer into the heap, so a
 * listener may inspect the heap during the callback.  The TUI, `zmmreplay
 * --events` and the tests' recorder are listeners of the same stream.
 * Every event and field is documented in docs/events.md.
 *
 * With no listener attached an event site costs one predictable branch.
 */
#ifndef ZMM_EVENTS_H
#define ZMM_EVENTS_H

#include <stddef.h>

#include "zmm.h"

/* Which fields an event carries (and zmm_event_to_json() prints). */
#define ZMM_F_CHUNK	0x001	/* chunk: serial */
#define ZMM_F_PAGE	0x002	/* page: first page */
#define ZMM_F_PAGES	0x004	/* pages: run or hole length */
#define ZMM_F_BIN	0x008	/* bin */
#define ZMM_F_LOC	0x010	/* loc: block or slot location */
#define ZMM_F_SIZE	0x020	/* size: bytes */
#define ZMM_F_COUNT	0x040	/* count: slots, old size, ... (see docs) */
#define ZMM_F_WHY	0x080	/* why: a zmm_why name */
#define ZMM_F_TEXT	0x100	/* text: ID or message */

/* name, JSON name, fields */
#define ZMM_EVENT_LIST(X)						\
	X(OP_BEGIN,	"op_begin",	ZMM_F_WHY | ZMM_F_TEXT | ZMM_F_SIZE) \
	X(OP_END,	"op_end",	ZMM_F_LOC)			\
	X(CHUNK_NEW,	"chunk_new",	ZMM_F_CHUNK)			\
	X(CHUNK_REUSE,	"chunk_reuse",	ZMM_F_CHUNK)			\
	X(CHUNK_CACHE,	"chunk_cache",	ZMM_F_CHUNK | ZMM_F_WHY)	\
	X(CHUNK_RELEASE, "chunk_release", ZMM_F_CHUNK | ZMM_F_WHY)	\
	X(CHUNK_MOVE,	"chunk_move",	ZMM_F_CHUNK)			\
	X(FIT_SKIP,	"fit_skip",	ZMM_F_CHUNK | ZMM_F_PAGES | ZMM_F_WHY) \
	X(FIT_CANDIDATE, "fit_candidate", ZMM_F_CHUNK | ZMM_F_PAGE | ZMM_F_PAGES | ZMM_F_WHY) \
	X(FIT_PICK,	"fit_pick",	ZMM_F_CHUNK | ZMM_F_PAGE | ZMM_F_PAGES | ZMM_F_WHY) \
	X(PAGES_ALLOC,	"pages_alloc",	ZMM_F_CHUNK | ZMM_F_PAGE | ZMM_F_PAGES | ZMM_F_BIN) \
	X(PAGES_FREE,	"pages_free",	ZMM_F_CHUNK | ZMM_F_PAGE | ZMM_F_PAGES) \
	X(RUN_CARVE,	"run_carve",	ZMM_F_CHUNK | ZMM_F_PAGE | ZMM_F_PAGES | ZMM_F_BIN | ZMM_F_COUNT) \
	X(SLOT_POP,	"slot_pop",	ZMM_F_BIN | ZMM_F_LOC)		\
	X(SLOT_PUSH,	"slot_push",	ZMM_F_BIN | ZMM_F_LOC)		\
	X(LARGE_RESIZE,	"large_resize",	ZMM_F_CHUNK | ZMM_F_PAGE | ZMM_F_PAGES | ZMM_F_COUNT) \
	X(HUGE_MAP,	"huge_map",	ZMM_F_LOC | ZMM_F_SIZE | ZMM_F_COUNT)	\
	X(HUGE_UNMAP,	"huge_unmap",	ZMM_F_LOC | ZMM_F_SIZE)	\
	X(HUGE_RESIZE,	"huge_resize",	ZMM_F_LOC | ZMM_F_SIZE | ZMM_F_COUNT) \
	X(REALLOC_PATH,	"realloc_path",	ZMM_F_LOC | ZMM_F_SIZE | ZMM_F_WHY) \
	X(GC_BEGIN,	"gc_begin",	0)				\
	X(GC_SLOTS,	"gc_slots",	ZMM_F_BIN | ZMM_F_COUNT)	\
	X(GC_RUN_FREE,	"gc_run_free",	ZMM_F_CHUNK | ZMM_F_PAGE | ZMM_F_PAGES | ZMM_F_BIN) \
	X(GC_MAIN_KEPT,	"gc_main_kept",	ZMM_F_CHUNK)			\
	X(GC_END,	"gc_end",	ZMM_F_SIZE)			\
	X(RESET,	"reset",	ZMM_F_COUNT)			\
	X(LIMIT_SET,	"limit_set",	ZMM_F_SIZE | ZMM_F_WHY | ZMM_F_TEXT) \
	X(ERROR,	"error",	ZMM_F_SIZE | ZMM_F_WHY | ZMM_F_TEXT)

enum zmm_event_type {
#define X(name, json, fields) ZMM_EV_##name,
	ZMM_EVENT_LIST(X)
#undef X
	ZMM_EV_COUNT
};

/* The reasons and verdicts in an event's `why` field. */
#define ZMM_WHY_LIST(X)							\
	X(NONE,		"none")						\
	/* op_begin: the op */						\
	X(OP_ALLOC,	"alloc")					\
	X(OP_FREE,	"free")						\
	X(OP_REALLOC,	"realloc")					\
	X(OP_CALLOC,	"calloc")					\
	X(OP_STRDUP,	"strdup")					\
	X(OP_GC,	"gc")						\
	X(OP_RESET,	"reset")					\
	/* fit_skip: why a chunk was passed over */			\
	X(FEW_PAGES,	"few_free_pages")				\
	X(NO_RUN,	"no_run_long_enough")				\
	/* fit_candidate: verdict on one free run */			\
	X(TOO_SMALL,	"too_small")					\
	X(BEST_SO_FAR,	"best_so_far")					\
	X(NOT_BETTER,	"not_better")					\
	X(PERFECT,	"perfect_fit")					\
	X(TAIL,		"tail")						\
	X(TAIL_NOT_BETTER, "tail_not_better")				\
	X(TAIL_TOO_SMALL, "tail_too_small")				\
	/* fit_pick: how the run was chosen */				\
	X(BEST,		"best_fit")					\
	X(NEW_CHUNK,	"new_chunk")					\
	/* chunk_cache / chunk_release */				\
	X(AVERAGE,	"below_average")				\
	X(BOUNDARY,	"delete_boundary")				\
	X(RELEASE,	"release")					\
	X(SWAP,		"swap_with_cache_head")				\
	X(TRIM,		"cache_trim")					\
	X(REQUEST_END,	"request_end")					\
	/* realloc_path */						\
	X(FROM_NULL,	"from_null")					\
	X(SMALL_SAME,	"small_in_place")				\
	X(SMALL_SHRINK,	"small_truncate")				\
	X(SMALL_GROW,	"small_extend")					\
	X(LARGE_SAME,	"large_in_place")				\
	X(LARGE_SHRINK,	"large_shrink")					\
	X(LARGE_GROW,	"large_grow")					\
	X(HUGE_SAME,	"huge_in_place")				\
	X(HUGE_SHRINK,	"huge_shrink")					\
	X(HUGE_GROW,	"huge_grow")					\
	X(GENERAL,	"general")					\
	/* error / limit_set */						\
	X(LIMIT,	"limit")					\
	X(OVERFLOW,	"overflow")					\
	X(NOMEM,	"out_of_memory")				\
	X(SET,		"set")						\
	X(TRIMMED,	"trimmed_cache")				\
	X(REFUSED,	"refused")

enum zmm_why {
#define X(name, json) ZMM_WHY_##name,
	ZMM_WHY_LIST(X)
#undef X
	ZMM_WHY_COUNT
};

/* Fields ordered so that none needs padding: 80 bytes on LP64. */
struct zmm_event {
	enum zmm_event_type type;
	enum zmm_why	 why;
	unsigned long	 op;		/* 1-based trace op; 0 outside a replay */
	int		 chunk;		/* chunk serial, -1 when none */
	int		 page;		/* first page, -1 when none */
	unsigned	 pages;		/* run length in pages */
	int		 bin;		/* -1 when not about a bin */
	struct zmm_loc	 loc;		/* block or slot */
	size_t		 size;		/* bytes */
	size_t		 count;		/* slots, old size, ... */
	const char	*text;		/* ID or message; valid during the call */
};

typedef void zmm_event_fn(const struct zmm_event *event, void *arg);

#define ZMM_LISTENERS_MAX	4

/* Adds a listener: its slot number (>= 0), or -1 when all slots are taken. */
int		 zmm_heap_listen(struct zmm_heap *heap, zmm_event_fn *fn,
		    void *arg);

/* Removes listener ID; safe from inside a callback. */
void		 zmm_heap_unlisten(struct zmm_heap *heap, int id);

/* Mutes (MUTED true) or restores all listeners, e.g. while seeking. */
void		 zmm_heap_mute(struct zmm_heap *heap, bool muted);

/* Sends EVENT to the heap's listeners (for the replay's op events). */
void		 zmm_heap_emit(struct zmm_heap *heap, struct zmm_event *event);

/* "slot_pop" for ZMM_EV_SLOT_POP; "?" for an unknown type. */
const char	*zmm_event_name(enum zmm_event_type type);

/* The ZMM_F_* fields TYPE carries. */
unsigned	 zmm_event_fields(enum zmm_event_type type);

/* "perfect_fit" for ZMM_WHY_PERFECT. */
const char	*zmm_why_name(enum zmm_why why);

/*
 * The event as one JSON object, no newline, into BUF (NUL-terminated,
 * truncated to LEN).  Returns the length it needed, as snprintf does.
 */
int		 zmm_event_to_json(const struct zmm_event *event, char *buf,
		    size_t len);

/* An event with every field empty. */
void		 zmm_event_init(struct zmm_event *event, enum zmm_event_type type);

#endif /* ZMM_EVENTS_H */
