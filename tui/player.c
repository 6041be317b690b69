/*
 * player.c - stepping, seeking, playing and event stepping over a replay.
 *
 * Stepping back rebuilds the heap by replaying silently to a few ops
 * before the target, then replays those with the listener on, so the log
 * and highlights are those a forward step would have left.
 *
 * Event stepping: the player knows how many events each op gives (counted
 * whenever an op runs with the listener on; an op not run yet is run once
 * to count them, then the heap is rebuilt to before it).  Then it runs
 * the op with the listener stopping at event K: the hook runs there, with
 * the core paused in the middle of the op.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "player.h"

#define EVENTS_UNKNOWN	UINT32_MAX

/* Ops per second for each play speed; 0 is "as fast as possible". */
static const unsigned speeds[] = { 1, 2, 5, 10, 25, 50, 100, 250, 1000,
    10000, 0 };
#define NSPEEDS		((int)(sizeof(speeds) / sizeof(speeds[0])))
#define SPEED_DEFAULT	2

struct player {
	const struct trace *trace;
	struct replay	*replay;
	struct record	 rec;
	struct breaks	 breaks;
	struct break_hit hit;		/* the first breakpoint of the op */
	bool		 armed;		/* some breakpoint is on */
	bool		 recording;	/* the listener fills the record */
	bool		 stale;		/* the op shown was not recorded */
	uint32_t	*nevents;	/* events of op N at [N] */
	uint64_t	 step_op;	/* the op the step under way carries out */
	unsigned	 seen;		/* events of the step under way */
	unsigned	 stop_at;	/* stop at this event of it; 0: never */
	bool		 stopped;	/* inside the stop hook */
	unsigned	 back_from;	/* the hook asked for the event before */
	player_stop_fn	*stop_fn;
	void		*stop_arg;
	bool		 playing;
	bool		 noted;		/* the step under way said something */
	bool		 reported;	/* ... and it was an error */
	int		 speed;		/* index into speeds[] */
	double		 last_ms;	/* when play last stepped */
	char		 notice[640];
};

static void
on_event(const struct zmm_event *ev, void *arg)
{
	struct player *pl = arg;
	enum player_resume how;

	pl->seen++;
	if (pl->armed)
		breaks_event(&pl->breaks, replay_heap(pl->replay), ev,
		    &pl->hit);
	if (pl->recording)
		record_event(&pl->rec, ev);
	if (pl->seen != pl->stop_at || pl->stop_fn == NULL)
		return;
	pl->stopped = true;
	how = pl->stop_fn(pl, pl->stop_arg);
	pl->stopped = false;
	switch (how) {
	case PLAYER_NEXT_EVENT:
		pl->stop_at++;		/* past the op's last: the next op's */
		break;
	case PLAYER_PREV_EVENT:
		pl->back_from = pl->seen;
		pl->stop_at = 0;
		break;
	case PLAYER_FINISH:
		pl->stop_at = 0;
		break;
	}
}

struct player *
player_new(const struct trace *trace)
{
	/* checkpoints as it plays: going back from where play stopped is quick */
	static const struct replay_options replay_opts = {
		.checkpoint_steps = true
	};
	struct player *pl = calloc(1, sizeof(*pl));
	uint64_t ops = trace_op_count(trace), i;
	int status;

	if (pl == NULL)
		return NULL;
	pl->trace = trace;
	pl->nevents = malloc((size_t)(ops + 1) * sizeof(*pl->nevents));
	pl->replay = replay_new(trace, &replay_opts, &status);
	if (pl->nevents == NULL || pl->replay == NULL ||
	    replay_listen(pl->replay, on_event, pl) < 0) {
		player_free(pl);
		return NULL;
	}
	for (i = 0; i <= ops; i++)
		pl->nevents[i] = EVENTS_UNKNOWN;
	pl->nevents[0] = 0;
	pl->recording = true;
	pl->speed = SPEED_DEFAULT;
	breaks_init(&pl->breaks);
	return pl;
}

void
player_free(struct player *pl)
{
	if (pl == NULL)
		return;
	replay_free(pl->replay);
	free(pl->nevents);
	free(pl);
}

void
player_on_stop(struct player *pl, player_stop_fn *fn, void *arg)
{
	pl->stop_fn = fn;
	pl->stop_arg = arg;
}

const struct trace *
player_trace(const struct player *pl)
{
	return pl->trace;
}

const struct replay *
player_replay(const struct player *pl)
{
	return pl->replay;
}

const struct zmm_heap *
player_heap(const struct player *pl)
{
	return replay_heap(pl->replay);
}

const struct record *
player_record(const struct player *pl)
{
	return &pl->rec;
}

struct breaks *
player_breaks(struct player *pl)
{
	return &pl->breaks;
}

const struct breaks *
player_breaks_const(const struct player *pl)
{
	return &pl->breaks;
}

uint64_t
player_op(const struct player *pl)
{
	return pl->stopped ? pl->step_op : replay_op(pl->replay);
}

uint64_t
player_ops(const struct player *pl)
{
	return trace_op_count(pl->trace);
}

bool
player_in_op(const struct player *pl, unsigned *event, unsigned *events)
{
	uint64_t op = pl->step_op;

	if (!pl->stopped)
		return false;
	*event = pl->seen;
	*events = pl->nevents[op] != EVENTS_UNKNOWN ? pl->nevents[op] :
	    pl->seen;
	return true;
}

const char *
player_notice(const struct player *pl)
{
	return pl->notice;
}

void
player_say(struct player *pl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pl->notice, sizeof(pl->notice), fmt, ap);
	va_end(ap);
}

void
player_hush(struct player *pl)
{
	pl->notice[0] = '\0';
}

/* Adds to what the step under way said (the notice), after a "; ". */
static void __attribute__((format(printf, 2, 3)))
add_notice(struct player *pl, const char *fmt, ...)
{
	size_t at = 0;
	va_list ap;

	if (pl->noted) {
		at = strlen(pl->notice);
		if (at + 2 >= sizeof(pl->notice))
			return;
		memcpy(pl->notice + at, "; ", 2);
		at += 2;
	}
	va_start(ap, fmt);
	vsnprintf(pl->notice + at, sizeof(pl->notice) - at, fmt, ap);
	va_end(ap);
	pl->noted = true;
}

/*
 * Notes what a step of the replay reported: errors stop play.  A step
 * carries out the directives before its op too, so it may report more
 * than one thing: each is added after those before it.
 */
static void
note(struct player *pl, const struct replay_step *st)
{
	if (st->status == REPLAY_TRACE_ERROR || st->status == REPLAY_WARNING ||
	    st->status == REPLAY_CHECK_FAILED) {
		add_notice(pl, "%s:%lu: %s: %s", trace_name(pl->trace),
		    (unsigned long)st->item->line,
		    st->status == REPLAY_WARNING ? "warning" : "error",
		    st->msg);
		pl->playing = false;
		pl->reported = true;
	} else if (st->status == REPLAY_OP_FAILED) {
		add_notice(pl, "op %lu: %s", (unsigned long)st->item->opno,
		    st->msg);
	}
}

/*
 * After an op: if an @pause follows it (before the next op), carries out
 * the directives up to it, and play stops here, before the next op.
 */
static void
pause_after(struct player *pl)
{
	size_t n = trace_item_count(pl->trace), i;
	struct replay_step st;
	struct trace_item it = { .kind = TRACE_BAD };

	for (i = replay_position(pl->replay); i < n; i++) {
		it = trace_item_at(pl->trace, i);
		if (it.opno != 0 || it.kind == TRACE_PAUSE)
			break;
	}
	if (i >= n || it.kind != TRACE_PAUSE)
		return;
	while (replay_position(pl->replay) <= i &&
	    replay_step(pl->replay, &st) != REPLAY_END)
		note(pl, &st);
	if (pl->playing) {
		pl->playing = false;
		player_say(pl, "@pause at line %lu", (unsigned long)it.line);
	}
}

/*
 * Carries out items up to and including the next op (and an @pause right
 * after it), counting the events.  False at the end of the trace.
 */
static bool
step(struct player *pl)
{
	size_t n = trace_item_count(pl->trace), at;
	struct replay_step st;
	struct trace_item it;

	pl->seen = 0;
	pl->noted = false;
	pl->reported = false;
	pl->armed = breaks_any(&pl->breaks);
	pl->stale = !pl->recording;
	/* the op this step carries out: directives before it are its part */
	pl->step_op = replay_op(pl->replay);
	for (at = replay_position(pl->replay); at < n; at++) {
		it = trace_item_at(pl->trace, at);
		if (it.opno != 0) {
			pl->step_op = it.opno;
			break;
		}
	}
	for (;;) {
		at = replay_position(pl->replay);
		if (at < n && pl->armed &&
		    (it = trace_item_at(pl->trace, at)).opno != 0)
			breaks_item(&pl->breaks, pl->trace, &it, &pl->hit);
		if (replay_step(pl->replay, &st) == REPLAY_END) {
			pl->playing = false;
			return false;
		}
		/* an @pause before the op is where play started: passed */
		note(pl, &st);
		if (st.item->opno != 0) {
			pause_after(pl);
			pl->nevents[st.item->opno] = pl->seen;
			return true;
		}
	}
}

/*
 * The end of the trace: said, unless a line after the last op (a bad
 * directive, a cut .rep header) just gave an error, which is said first.
 */
static void
at_end(struct player *pl)
{
	if (pl->reported)
		add_notice(pl, "end of the trace");
	else
		player_say(pl, "end of the trace");
}

/* Says which breakpoint fired in the op just done, if one did. */
static bool
report_hit(struct player *pl)
{
	if (!pl->hit.fired)
		return false;
	pl->hit.fired = false;
	player_say(pl, "breakpoint at op %llu: %s",
	    (unsigned long long)replay_op(pl->replay), pl->hit.what);
	return true;
}

bool
player_next_op(struct player *pl)
{
	player_hush(pl);
	pl->recording = true;
	pl->hit.fired = false;
	if (!step(pl)) {
		at_end(pl);
		return false;
	}
	report_hit(pl);
	return true;
}

void
player_go_to(struct player *pl, uint64_t target)
{
	uint64_t last = trace_op_count(pl->trace), from;

	if (target > last)
		target = last;
	from = target > PLAYER_LOG_OPS ? target - PLAYER_LOG_OPS : 0;
	player_hush(pl);
	record_clear(&pl->rec);
	pl->recording = false;
	replay_seek_op(pl->replay, from);
	pl->recording = true;
	while (replay_op(pl->replay) < target && step(pl))
		;
	pl->hit.fired = false;
	pl->stale = false;
	if (target == 0)
		player_hush(pl);
}

/* The events of the op after op OP (the state now): run once to count. */
static unsigned
events_of_next(struct player *pl, uint64_t op)
{
	char notice[sizeof(pl->notice)];

	if (pl->nevents[op + 1] == EVENTS_UNKNOWN) {
		memcpy(notice, pl->notice, sizeof(notice));
		pl->recording = false;
		step(pl);
		player_go_to(pl, op);
		memcpy(pl->notice, notice, sizeof(notice));
	}
	return pl->nevents[op + 1];
}

/*
 * From the end of an op, runs the next ops stopping at event FIRST of the
 * first, then wherever the hook asks.
 */
static void
run_events(struct player *pl, unsigned first)
{
	uint64_t last = trace_op_count(pl->trace), op;
	unsigned events;

	pl->playing = false;
	for (;;) {
		op = replay_op(pl->replay);
		if (op >= last) {
			player_say(pl, "end of the trace");
			return;
		}
		events = events_of_next(pl, op);
		pl->recording = true;
		pl->back_from = 0;
		pl->stop_at = events == 0 ? 0 : first < events ? first : events;
		step(pl);
		pl->hit.fired = false;
		if (events == 0) {
			first = 1;	/* nothing to stop at: the next op */
			continue;
		}
		if (pl->back_from != 0) {
			unsigned back = pl->back_from;

			pl->back_from = 0;
			player_go_to(pl, op);
			if (back <= 1)
				return;	/* before the first: the op before */
			first = back - 1;
			continue;
		}
		if (pl->stop_at > events) {
			pl->stop_at = 0;
			first = 1;
			continue;
		}
		pl->stop_at = 0;
		return;
	}
}

void
player_next_event(struct player *pl)
{
	if (pl->stopped)
		return;
	player_hush(pl);
	run_events(pl, 1);
}

void
player_prev_event(struct player *pl)
{
	uint64_t op = replay_op(pl->replay);
	unsigned events;

	if (pl->stopped)
		return;
	pl->playing = false;
	player_hush(pl);
	if (op == 0) {
		player_say(pl, "at the start of the trace");
		return;
	}
	if (pl->nevents[op] == EVENTS_UNKNOWN)
		player_go_to(pl, op);
	events = pl->nevents[op];
	player_go_to(pl, op - 1);
	if (events <= 1)
		return;
	run_events(pl, events - 1);
}

/* After play stopped on an op it did not record: replays it for the log. */
static void
refresh(struct player *pl)
{
	char notice[sizeof(pl->notice)];

	if (!pl->stale)
		return;
	memcpy(notice, pl->notice, sizeof(notice));
	player_go_to(pl, replay_op(pl->replay));
	memcpy(pl->notice, notice, sizeof(notice));
}

void
player_play(struct player *pl, bool on)
{
	pl->playing = on;
	pl->last_ms = clock_ms();
	if (on)
		player_hush(pl);
	else
		refresh(pl);
}

bool
player_playing(const struct player *pl)
{
	return pl->playing;
}

void
player_faster(struct player *pl)
{
	if (pl->speed + 1 < NSPEEDS)
		pl->speed++;
}

void
player_slower(struct player *pl)
{
	if (pl->speed > 0)
		pl->speed--;
}

const char *
player_speed_text(const struct player *pl, char *buf, size_t len)
{
	if (speeds[pl->speed] == 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%u/s", speeds[pl->speed]);
	return buf;
}

/* One op of play: false once play has stopped. */
static bool
play_step(struct player *pl)
{
	pl->hit.fired = false;
	if (!step(pl)) {
		at_end(pl);
		return false;
	}
	if (report_hit(pl))
		pl->playing = false;
	return pl->playing;
}

double
player_frame_left(double draw_ms)
{
	return draw_ms < PLAYER_FRAME_MS - 1 ? PLAYER_FRAME_MS - draw_ms : 1;
}

bool
player_tick(struct player *pl, double now, double frame_ms)
{
	unsigned speed = speeds[pl->speed];
	uint64_t n, i;

	if (!pl->playing) {
		pl->last_ms = now;
		return false;
	}
	if (speed == 0) {
		/*
		 * As fast as possible for FRAME_MS (what the frame has left
		 * after drawing); one batch at least, so that a slow frame
		 * still moves on.
		 */
		double end = clock_ms() + frame_ms;

		pl->recording = false;
		do {
			for (i = 0; i < 256 && play_step(pl); i++)
				;
		} while (pl->playing && clock_ms() < end);
		pl->last_ms = now;
	} else {
		n = (uint64_t)((now - pl->last_ms) * speed / 1000.0);
		if (n == 0)
			return false;
		pl->last_ms += (double)n * 1000.0 / speed;
		if (pl->last_ms < now - frame_ms)
			pl->last_ms = now;	/* fell behind: do not catch up */
		/* only the last op of a frame is recorded and shown */
		for (i = 0; i < n && pl->playing; i++) {
			pl->recording = i + 1 == n;
			play_step(pl);
		}
	}
	pl->recording = true;
	if (!pl->playing)
		refresh(pl);
	return true;
}

double
player_wait_ms(const struct player *pl, double now)
{
	unsigned speed = speeds[pl->speed];
	double due;

	if (!pl->playing)
		return -1;
	if (speed == 0)
		return 0;
	due = pl->last_ms + 1000.0 / speed - now;
	return due > 0 ? due : 0;
}
