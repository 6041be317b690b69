/*
 * player.h - the replay as the viewer drives it: by op, by event inside an
 * op, by seeking, or playing at a speed; with breakpoints; keeping the
 * record of what the op under way did and the notice for the status line.
 *
 * Stepping by event stops the core in the middle of an op: at the event
 * asked for, the player calls the stop hook from inside the listener, so
 * the heap the hook sees (through lib/zmm.h) is exactly the heap right
 * after that event.  The hook draws, reads keys, and says how to resume.
 * The core must not be moved from inside the hook.  No curses here.
 */
#ifndef ZMM_PLAYER_H
#define ZMM_PLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "breaks.h"
#include "record.h"
#include "replay.h"
#include "trace.h"

#define PLAYER_LOG_OPS	8	/* a seek replays the last 8 ops for the log */

struct player;

/* How the core goes on after a stop inside an op. */
enum player_resume {
	PLAYER_NEXT_EVENT,	/* on to the next event (of this op or the next) */
	PLAYER_PREV_EVENT,	/* back to the event before this one */
	PLAYER_FINISH		/* finish the op without stopping */
};

typedef enum player_resume player_stop_fn(struct player *player, void *arg);

/* A player of TRACE (borrowed); NULL when out of memory. */
struct player	*player_new(const struct trace *trace);
void		 player_free(struct player *player);

/* The hook called at each stop inside an op (NULL: never stop). */
void		 player_on_stop(struct player *player, player_stop_fn *fn,
		    void *arg);

const struct trace *player_trace(const struct player *player);
const struct replay *player_replay(const struct player *player);
const struct zmm_heap *player_heap(const struct player *player);
const struct record *player_record(const struct player *player);
struct breaks	*player_breaks(struct player *player);
const struct breaks *player_breaks_const(const struct player *player);

/* Ops done; inside an op, the op under way.  And the trace's ops. */
uint64_t	 player_op(const struct player *player);
uint64_t	 player_ops(const struct player *player);

/*
 * Whether the core is stopped inside an op; then *EVENT of *EVENTS events
 * of it are done (1-based).
 */
bool		 player_in_op(const struct player *player, unsigned *event,
		    unsigned *events);

/* The next op; false (and a notice) at the end of the trace. */
bool		 player_next_op(struct player *player);

/*
 * The state after op OP (clamped to the trace): rebuilt by replaying,
 * the last PLAYER_LOG_OPS ops recorded for the log and highlights.
 */
void		 player_go_to(struct player *player, uint64_t op);

/*
 * The next or the previous event, from the end of an op: the core stops
 * there and calls the hook, and goes on as the hook says until it returns
 * PLAYER_FINISH (or the trace ends).
 */
void		 player_next_event(struct player *player);
void		 player_prev_event(struct player *player);

/* Play: on or off, the speed, and a frame's worth of ops. */
void		 player_play(struct player *player, bool on);
bool		 player_playing(const struct player *player);
void		 player_faster(struct player *player);
void		 player_slower(struct player *player);

/* "5/s", or "max" as fast as possible. */
const char	*player_speed_text(const struct player *player, char *buf,
		    size_t len);

#define PLAYER_FRAME_MS	33	/* a frame: at most ~30 a second */

/*
 * What a frame that spent DRAW_MS drawing has left for playing (1 ms at
 * least): the FRAME_MS to give player_tick() so that frames keep their
 * rate whatever drawing costs.
 */
double		 player_frame_left(double draw_ms);

/*
 * Plays the ops due at NOW_MS (a clock in milliseconds), or at full speed
 * as many as FRAME_MS allows (a few at least).  Play stops at the end, a
 * trace error, an @pause or a breakpoint, with a notice saying which.
 * Whether anything changed.
 */
bool		 player_tick(struct player *player, double now_ms,
		    double frame_ms);

/* Milliseconds until the next op is due (0 at full speed, -1: paused). */
double		 player_wait_ms(const struct player *player, double now_ms);

/* The status line's notice ("" when none), setting and clearing it. */
const char	*player_notice(const struct player *player);
void		 player_say(struct player *player, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 player_hush(struct player *player);

#endif /* ZMM_PLAYER_H */
