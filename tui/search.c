/*
 * search.c - every op on an ID, or touching a location, of a trace.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "replay.h"
#include "search.h"

struct search {
	const struct trace *trace;
	struct target	 target;
	enum search_state state;
	struct replay	*scan;		/* locations: the replay scanning */
	uint64_t	*ops;		/* matching ops, ascending */
	size_t		 nops;
	size_t		 cap;
	bool		 failed;	/* out of memory while scanning */
};

/* Adds op OP to the matches unless it is the last one added. */
static void
add(struct search *s, uint64_t op)
{
	uint64_t *grown;

	if (op == 0 || (s->nops > 0 && s->ops[s->nops - 1] == op))
		return;
	if (s->nops == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		grown = realloc(s->ops, cap * sizeof(*grown));
		if (grown == NULL) {
			s->failed = true;
			return;
		}
		s->ops = grown;
		s->cap = cap;
	}
	s->ops[s->nops++] = op;
}

static void
on_event(const struct zmm_event *ev, void *arg)
{
	struct search *s = arg;

	if (target_event(&s->target, ev))
		add(s, ev->op);
}

struct search *
search_new(const struct trace *trace)
{
	struct search *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->trace = trace;
	return s;
}

static void
stop_scan(struct search *s)
{
	replay_free(s->scan);
	s->scan = NULL;
}

void
search_free(struct search *s)
{
	if (s == NULL)
		return;
	stop_scan(s);
	free(s->ops);
	free(s);
}

int
search_start(struct search *s, const struct target *target, char *err,
    size_t errlen)
{
	size_t n = trace_item_count(s->trace), i;
	struct trace_item it;
	int status = ZMM_E_NOMEM;

	stop_scan(s);
	s->target = *target;
	s->nops = 0;
	s->failed = false;
	s->state = SEARCH_DONE;
	if (!target_is_place(target)) {
		for (i = 0; i < n; i++) {
			it = trace_item_at(s->trace, i);
			if (target_item(target, &it))
				add(s, it.opno);
		}
	} else {
		s->scan = replay_new(s->trace, NULL, &status);
		if (s->scan == NULL ||
		    replay_listen(s->scan, on_event, s) < 0) {
			stop_scan(s);
			s->state = SEARCH_IDLE;
			snprintf(err, errlen, "cannot replay the trace to search "
			    "it: %s", zmm_strerror(status));
			return -1;
		}
		s->state = SEARCH_BUSY;
	}
	if (s->failed) {
		s->state = SEARCH_IDLE;
		snprintf(err, errlen, "out of memory searching");
		return -1;
	}
	return 0;
}

enum search_state
search_run(struct search *s, double budget_ms)
{
	struct replay_step st;
	double end = clock_ms() + budget_ms;
	unsigned i;

	while (s->state == SEARCH_BUSY) {
		/* the clock is read every 1024 items, not every one */
		for (i = 0; i < 1024; i++) {
			if (replay_step(s->scan, &st) == REPLAY_END) {
				stop_scan(s);
				s->state = SEARCH_DONE;
				break;
			}
		}
		if (clock_ms() >= end)
			break;
	}
	return s->state;
}

enum search_state
search_state(const struct search *s)
{
	return s->state;
}

unsigned
search_percent(const struct search *s)
{
	size_t n = trace_item_count(s->trace);

	if (s->state != SEARCH_BUSY || n == 0)
		return s->state == SEARCH_DONE ? 100 : 0;
	return (unsigned)(replay_position(s->scan) * 100 / n);
}

const struct target *
search_target(const struct search *s)
{
	return &s->target;
}

size_t
search_count(const struct search *s)
{
	return s->nops;
}

bool
search_next(const struct search *s, uint64_t op, bool forward,
    uint64_t *match, size_t *nth)
{
	size_t lo = 0, hi = s->nops, i;

	if (s->nops == 0)
		return false;
	/* lo: the first match after OP */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ops[mid] <= op)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (forward) {
		i = lo < s->nops ? lo : 0;
	} else {
		/* the last match before OP */
		i = lo;
		while (i > 0 && s->ops[i - 1] >= op)
			i--;
		i = i > 0 ? i - 1 : s->nops - 1;
	}
	*match = s->ops[i];
	*nth = i + 1;
	return true;
}
