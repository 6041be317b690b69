/*
 * check_player.c - the viewer's player (tui/player.c) and what it works
 * with: stepping by op and by event, where every stop inside an op must
 * show the heap exactly as it is right after that event (checked against
 * an independent replay); play with breakpoints and @pause; targets,
 * breakpoints, searches and marks.  Suites "player" and "targets".
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breaks.h"
#include "describe.h"
#include "marks.h"
#include "player.h"
#include "record.h"
#include "replay.h"
#include "search.h"
#include "target.h"
#include "trace.h"
#include "zmm.h"
#include "zmm_events.h"

Suite	*player_suite(void);
Suite	*targets_suite(void);

static struct trace *
load(const char *text)
{
	struct trace_error err;
	struct trace *t = NULL;

	ck_assert_msg(trace_load_mem("test.zmt", text, strlen(text), &t,
	    &err) == 0, "load: %s", err.msg);
	return t;
}

/* ------------------------------------------------------------------
 *  The heap's state as a number, from the inspection API only
 * ------------------------------------------------------------------ */

static void
mix(uint64_t *h, uint64_t v)
{
	*h ^= v;
	*h *= 0x100000001b3ULL;
}

static void
mix_chunk(uint64_t *h, const struct zmm_chunk *c)
{
	struct zmm_chunk_info info;
	unsigned i;

	zmm_chunk_info(c, &info);
	mix(h, info.serial);
	mix(h, info.free_pages);
	mix(h, info.free_tail);
	for (i = 0; i < ZMM_PAGE_MAP_LEN; i++)
		mix(h, info.free_map[i]);
	for (i = 0; i < ZMM_PAGES; i++)
		mix(h, info.map[i]);
}

static uint64_t
fingerprint(const struct zmm_heap *heap)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const struct zmm_chunk *c;
	const struct zmm_huge *g;
	struct zmm_stats st;
	struct zmm_loc l;
	int bin;

	for (c = zmm_heap_chunk_first(heap); c != NULL;
	    c = zmm_heap_chunk_next(heap, c))
		mix_chunk(&h, c);
	mix(&h, 0xcace);
	for (c = zmm_heap_cached_first(heap); c != NULL;
	    c = zmm_heap_cached_next(c))
		mix_chunk(&h, c);
	for (bin = 0; bin < ZMM_BINS; bin++) {
		l = zmm_heap_loc(heap, zmm_heap_bin_head(heap, bin));
		mix(&h, zmm_heap_bin_length(heap, bin));
		mix(&h, ((uint64_t)l.chunk << 32) | l.offset);
	}
	for (g = zmm_heap_huge_first(heap); g != NULL; g = zmm_heap_huge_next(g))
		mix(&h, zmm_huge_size(g));
	zmm_heap_stats(heap, &st);
	mix(&h, st.size);
	mix(&h, st.real_size);
	mix(&h, st.chunks_count);
	mix(&h, st.cached_chunks_count);
	return h;
}

/* ------------------------------------------------------------------
 *  The reference: every event of a trace, by an independent replay
 * ------------------------------------------------------------------ */

#define REF_MAX	4096

struct ref {
	const struct replay *replay;
	size_t		 n;
	uint64_t	 fp[REF_MAX];		/* the heap after event I */
	char		 text[REF_MAX][RECORD_LINE_MAX];
	size_t		 first[REF_MAX];	/* op N's first event */
	unsigned	 events[REF_MAX];	/* op N's events */
};

static void
ref_event(const struct zmm_event *ev, void *arg)
{
	struct ref *r = arg;

	ck_assert_uint_lt(r->n, REF_MAX);
	r->fp[r->n] = fingerprint(replay_heap(r->replay));
	describe_event(ev, r->text[r->n], sizeof(r->text[0]));
	r->n++;
}

/*
 * Replays TRACE noting the heap after each event, and which events each
 * op has (with the directives before it, as the player counts them).
 */
static struct ref *
ref_build(const struct trace *trace)
{
	struct ref *r = calloc(1, sizeof(*r));
	struct replay *rp;
	struct replay_step st;
	size_t start = 0;
	int status;

	ck_assert_ptr_nonnull(r);
	rp = replay_new(trace, NULL, &status);
	ck_assert_ptr_nonnull(rp);
	r->replay = rp;
	ck_assert_int_ge(replay_listen(rp, ref_event, r), 0);
	while (replay_step(rp, &st) != REPLAY_END) {
		if (st.item->opno == 0)
			continue;
		ck_assert_uint_lt(st.item->opno, REF_MAX);
		r->first[st.item->opno] = start;
		r->events[st.item->opno] = (unsigned)(r->n - start);
		start = r->n;
	}
	replay_free(rp);
	r->replay = NULL;
	return r;
}

/* ------------------------------------------------------------------
 *  A stop hook that checks each stop, then follows a script
 * ------------------------------------------------------------------ */

struct script {
	struct ref	*ref;
	const enum player_resume *say;	/* what to answer, in turn */
	size_t		 nsay;		/* then: FINISH (or NEXT if all) */
	bool		 all_next;	/* answer NEXT forever */
	size_t		 stops;
	uint64_t	 op[64];	/* where the first stops were */
	unsigned	 event[64];
};

static enum player_resume
check_stop(struct player *pl, void *arg)
{
	struct script *s = arg;
	const struct record *rec = player_record(pl);
	uint64_t op = player_op(pl);
	unsigned event, events;
	size_t idx;
	const char *newest;

	ck_assert_msg(player_in_op(pl, &event, &events), "stop not in an op");
	ck_assert_uint_ge(op, 1);
	ck_assert_uint_eq(events, s->ref->events[op]);
	ck_assert_uint_ge(event, 1);
	ck_assert_uint_le(event, events);
	idx = s->ref->first[op] + event - 1;
	/* the heap as it is right after the event, not after the op */
	ck_assert_msg(fingerprint(player_heap(pl)) == s->ref->fp[idx],
	    "op %llu event %u/%u: the heap differs from the reference",
	    (unsigned long long)op, event, events);
	/* the log's newest line is that event */
	newest = record_log_line(rec, 0, NULL);
	ck_assert_ptr_nonnull(newest);
	ck_assert_str_eq(newest, s->ref->text[idx]);
	if (s->stops < 64) {
		s->op[s->stops] = op;
		s->event[s->stops] = event;
	}
	s->stops++;
	if (s->all_next)
		return PLAYER_NEXT_EVENT;
	if (s->stops <= s->nsay)
		return s->say[s->stops - 1];
	return PLAYER_FINISH;
}

/* Every kind of op, an error line and a directive between ops. */
static const char mixed_trace[] =
	"@title every op\n"
	"alloc a 24\n"
	"alloc b 3000\n"
	"alloc c 20000\n"
	"alloc h 3000000\n"
	"free b\n"
	"realloc a 100\n"
	"calloc d 3 40\n"
	"strdup s \"hello\"\n"
	"free zz\n"
	"alloc e 600000\n"
	"alloc f 600000\n"
	"alloc g 600000\n"
	"alloc i 600000\n"
	"@caption four large blocks\n"
	"free e\n"
	"free i\n"
	"realloc c 40000\n"
	"realloc h 4000000\n"
	"gc\n"
	"free h\n"
	"@limit 64M\n"
	"reset\n"
	"alloc x 8\n";

/* Walking every event of the trace with `.` stops at each, in order. */
/* A frame plays for what its drawing left of PLAYER_FRAME_MS, 1 ms at least. */
START_TEST(test_player_frame_left)
{
	ck_assert(player_frame_left(0) == PLAYER_FRAME_MS);
	ck_assert(player_frame_left(8) == PLAYER_FRAME_MS - 8);
	ck_assert(player_frame_left(PLAYER_FRAME_MS - 1) == 1);
	ck_assert(player_frame_left(PLAYER_FRAME_MS + 50) == 1);
}
END_TEST

START_TEST(test_player_every_event)
{
	struct trace *t = load(mixed_trace);
	struct ref *ref = ref_build(t);
	struct player *pl = player_new(t);
	struct script s = { ref, NULL, 0, true, 0, { 0 }, { 0 } };

	ck_assert_ptr_nonnull(pl);
	ck_assert_uint_gt(ref->n, 50);
	player_on_stop(pl, check_stop, &s);
	player_next_event(pl);
	/* every event once (the error line has none), then the end */
	ck_assert_uint_eq(s.stops, ref->n);
	ck_assert_uint_eq(player_op(pl), trace_op_count(t));
	ck_assert_str_eq(player_notice(pl), "end of the trace");
	player_free(pl);
	free(ref);
	trace_free(t);
}
END_TEST

/* `,` inside an op goes back one event; at the first, to the op before. */
START_TEST(test_player_event_back)
{
	static const enum player_resume say[] = {
		PLAYER_NEXT_EVENT,	/* 1.1 -> 1.2 */
		PLAYER_NEXT_EVENT,	/* 1.2 -> 1.3 */
		PLAYER_PREV_EVENT,	/* 1.3 -> 1.2 */
		PLAYER_PREV_EVENT,	/* 1.2 -> 1.1 */
		PLAYER_PREV_EVENT,	/* 1.1 -> the start: no stop */
	};
	struct trace *t = load(mixed_trace);
	struct ref *ref = ref_build(t);
	struct player *pl = player_new(t);
	struct script s = { ref, say, 5, false, 0, { 0 }, { 0 } };
	unsigned k5;

	player_on_stop(pl, check_stop, &s);
	player_next_event(pl);
	ck_assert_uint_eq(s.stops, 5);
	ck_assert_uint_eq(s.event[0], 1);
	ck_assert_uint_eq(s.event[1], 2);
	ck_assert_uint_eq(s.event[2], 3);
	ck_assert_uint_eq(s.event[3], 2);
	ck_assert_uint_eq(s.event[4], 1);
	ck_assert_uint_eq(player_op(pl), 0);
	/* from the end of op 5, `,` stops at its last event but one */
	player_go_to(pl, 5);
	k5 = ref->events[5];
	ck_assert_uint_ge(k5, 3);
	s.stops = 0;
	s.nsay = 0;
	player_prev_event(pl);
	ck_assert_uint_eq(s.stops, 1);
	ck_assert_uint_eq(s.op[0], 5);
	ck_assert_uint_eq(s.event[0], k5 - 1);
	/* FINISH left the op done: the state after op 5 */
	ck_assert_uint_eq(player_op(pl), 5);
	ck_assert(!player_in_op(pl, &k5, &k5));
	player_free(pl);
	free(ref);
	trace_free(t);
}
END_TEST

/* `.` at an op's last event goes on to the next op's first. */
START_TEST(test_player_event_across_ops)
{
	struct trace *t = load(mixed_trace);
	struct ref *ref = ref_build(t);
	struct player *pl = player_new(t);
	enum player_resume say[64];
	struct script s = { ref, say, 0, false, 0, { 0 }, { 0 } };
	unsigned i, k1 = ref->events[1];

	for (i = 0; i < 64; i++)
		say[i] = PLAYER_NEXT_EVENT;
	s.nsay = k1 + 1;	/* through op 1, then op 2's first two */
	player_on_stop(pl, check_stop, &s);
	player_next_event(pl);
	ck_assert_uint_eq(s.stops, k1 + 2);
	ck_assert_uint_eq(s.op[k1 - 1], 1);
	ck_assert_uint_eq(s.event[k1 - 1], k1);
	ck_assert_uint_eq(s.op[k1], 2);
	ck_assert_uint_eq(s.event[k1], 1);
	ck_assert_uint_eq(s.op[k1 + 1], 2);
	ck_assert_uint_eq(s.event[k1 + 1], 2);
	ck_assert_uint_eq(player_op(pl), 2);
	player_free(pl);
	free(ref);
	trace_free(t);
}
END_TEST

START_TEST(test_player_steps)
{
	struct trace *t = load(mixed_trace);
	struct player *pl = player_new(t);
	uint64_t fp3;
	unsigned a, b;

	ck_assert_uint_eq(player_op(pl), 0);
	ck_assert_uint_eq(player_ops(pl), 21);
	ck_assert(player_next_op(pl));
	ck_assert(player_next_op(pl));
	ck_assert(player_next_op(pl));
	ck_assert_uint_eq(player_op(pl), 3);
	ck_assert(!player_in_op(pl, &a, &b));
	fp3 = fingerprint(player_heap(pl));
	player_go_to(pl, 7);
	ck_assert_uint_eq(player_op(pl), 7);
	player_go_to(pl, 3);
	ck_assert_uint_eq(player_op(pl), 3);
	ck_assert(fingerprint(player_heap(pl)) == fp3);
	/* the log: the last ops' events, newest last */
	ck_assert_uint_gt(record_log_lines(player_record(pl)), 3);
	/* the error line: its op is done, with a notice */
	player_go_to(pl, 8);
	ck_assert(player_next_op(pl));
	ck_assert_ptr_nonnull(strstr(player_notice(pl),
	    "test.zmt:10: error: free of 'zz'"));
	player_go_to(pl, 1000);
	ck_assert_uint_eq(player_op(pl), 21);
	ck_assert(!player_next_op(pl));
	ck_assert_str_eq(player_notice(pl), "end of the trace");
	player_free(pl);
	trace_free(t);
}
END_TEST

/* ------------------------------------------------------------------
 *  Play, breakpoints, @pause
 * ------------------------------------------------------------------ */

/*
 * op 4 empties bin 29's list; op 8 finds no room in c0 and takes c1;
 * op 9 releases it; op 10 maps a huge block; op 11 hits the limit.
 */
static const char breaks_trace[] =
	"alloc s1 3072\n"
	"alloc s2 3072\n"
	"alloc s3 3072\n"
	"alloc s4 3072\n"
	"alloc L1 600000\n"
	"alloc L2 600000\n"
	"alloc L3 600000\n"
	"alloc L4 600000\n"
	"free L4\n"
	"alloc h 3000000\n"
	"@limit 16M\n"
	"alloc big 20000000\n"
	"alloc t 8\n";

/* Plays at full speed until play stops; the op it stopped at. */
static uint64_t
play_until_stop(struct player *pl)
{
	int i;

	for (i = 0; i < 20; i++)
		player_faster(pl);
	player_play(pl, true);
	for (i = 0; i < 100000 && player_playing(pl); i++)
		player_tick(pl, 0, 5);
	ck_assert(!player_playing(pl));
	return player_op(pl);
}

/*
 * An error on a line after the last op (a bad directive, a cut .rep
 * header) is shown when the step past the last op reaches it, by a step
 * and by play; a trace with no op at all shows its errors that way too.
 */
START_TEST(test_player_error_after_last_op)
{
	static const char *const texts[] = {
		"alloc a 8\n@bogus\n",
		"@limit\n",
		"20000\n2\n",
	};
	static const char *const notices[] = {
		"test.zmt:2: error: unknown directive '@bogus'; end of the trace",
		"test.zmt:1: error: '@limit' takes SIZE, got 0 argument(s); "
		    "end of the trace",
		"test.zmt:2: error: .rep header: expected 2 more number(s); "
		    "end of the trace",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct trace *t = load(texts[i]);
		struct player *pl = player_new(t);
		uint64_t last = player_ops(pl);

		player_go_to(pl, last);
		ck_assert(!player_next_op(pl));
		ck_assert_str_eq(player_notice(pl), notices[i]);
		ck_assert_uint_eq(player_op(pl), last);
		/* once past it, the end is only the end */
		ck_assert(!player_next_op(pl));
		ck_assert_str_eq(player_notice(pl), "end of the trace");
		/* play from the start stops there with the same notice */
		player_go_to(pl, 0);
		ck_assert_uint_eq(play_until_stop(pl), last);
		ck_assert_str_eq(player_notice(pl), notices[i]);
		player_free(pl);
		trace_free(t);
	}
}
END_TEST

/* One step, several things said: each after those before it. */
START_TEST(test_player_errors_of_one_step)
{
	struct trace *t = load("alloc a 8\n@bogus\nfree zz\n@limit 4M\n"
	    "@limit 1M\nalloc big 8M\n");
	struct player *pl = player_new(t);

	ck_assert(player_next_op(pl));
	ck_assert(player_next_op(pl));
	ck_assert_str_eq(player_notice(pl), "test.zmt:2: error: unknown "
	    "directive '@bogus'; test.zmt:3: error: free of 'zz', which is "
	    "not live");
	ck_assert(player_next_op(pl));
	ck_assert_str_eq(player_notice(pl), "test.zmt:5: warning: Failed to "
	    "set memory limit to 1048576 bytes (Current memory usage is "
	    "2097152 bytes); op 3: Allowed memory size of 4194304 bytes "
	    "exhausted (tried to allocate 8388608 bytes)");
	player_free(pl);
	trace_free(t);
}
END_TEST

/* With only breakpoint ROW on, play stops at STOP1, then at STOP2. */
static void
assert_breaks_at(const struct trace *t, const char *target, size_t row,
    uint64_t stop1, uint64_t stop2, const char *words)
{
	struct player *pl = player_new(t);
	struct breaks *br = player_breaks(pl);
	char want[64], err[200];
	unsigned long op;

	if (target != NULL) {
		struct target tg;

		ck_assert_msg(target_parse(t, target, &tg, err, sizeof(err)) ==
		    0, "%s", err);
		ck_assert_int_eq(breaks_add(br, &tg), 0);
		row = BREAK_KINDS;
	} else {
		breaks_toggle(br, row);
	}
	ck_assert(breaks_any(br));
	ck_assert_uint_eq(play_until_stop(pl), stop1);
	snprintf(want, sizeof(want), "breakpoint at op %llu: ",
	    (unsigned long long)stop1);
	ck_assert_msg(strncmp(player_notice(pl), want, strlen(want)) == 0 &&
	    strstr(player_notice(pl), words) != NULL,
	    "notice \"%s\", want \"%s...%s\"", player_notice(pl), want, words);
	/* the log shows the op play stopped at, though play did not record */
	ck_assert_ptr_nonnull(record_log_line(player_record(pl), 0, &op));
	ck_assert_uint_eq(op, stop1);
	ck_assert_uint_eq(play_until_stop(pl), stop2);
	player_free(pl);
}

START_TEST(test_player_breakpoints)
{
	struct trace *t = load(breaks_trace);
	uint64_t end = trace_op_count(t);

	assert_breaks_at(t, NULL, BREAK_BIN_EMPTIED, 4, end,
	    "bin list emptied: free_slot[29] (3072 B) gave its last slot");
	assert_breaks_at(t, NULL, BREAK_NO_ROOM, 8, end,
	    "best fit found no room: 147 pages on new chunk c1");
	assert_breaks_at(t, NULL, BREAK_CHUNK_TAKEN, 8, end,
	    "new chunk taken: c1 mapped from storage");
	assert_breaks_at(t, NULL, BREAK_CHUNK_RELEASED, 9, end,
	    "chunk released: c1");
	assert_breaks_at(t, NULL, BREAK_HUGE, 10, end,
	    "huge block: huge:");
	assert_breaks_at(t, NULL, BREAK_LIMIT, 11, end,
	    "memory limit error: Allowed memory size of 16777216 bytes");
	assert_breaks_at(t, "L4", 0, 8, 9, "ID L4: alloc L4 600000");
	assert_breaks_at(t, "c1", 0, 8, 9, "location c1: ");
	assert_breaks_at(t, "c0:2", 0, 1, 3, "location c0:2: ");
	trace_free(t);
}
END_TEST

START_TEST(test_player_play_pause)
{
	struct trace *t = load("alloc a 8\nalloc b 8\n@pause\nalloc c 8\n"
	    "alloc d 8\n");
	struct player *pl = player_new(t);
	struct breaks *br = player_breaks(pl);
	char speed[16];

	ck_assert_str_eq(player_speed_text(pl, speed, sizeof(speed)), "5/s");
	ck_assert(!breaks_any(br));
	ck_assert_uint_eq(play_until_stop(pl), 2);
	ck_assert_str_eq(player_speed_text(pl, speed, sizeof(speed)), "max");
	ck_assert_str_eq(player_notice(pl), "@pause at line 3");
	ck_assert_uint_eq(play_until_stop(pl), 4);
	ck_assert_str_eq(player_notice(pl), "end of the trace");
	/* at a speed: only the ops due */
	player_go_to(pl, 0);
	for (int i = 0; i < 20; i++)
		player_slower(pl);
	ck_assert_str_eq(player_speed_text(pl, speed, sizeof(speed)), "1/s");
	player_play(pl, true);
	ck_assert(player_wait_ms(pl, 0) >= 0);
	player_play(pl, false);
	ck_assert(player_wait_ms(pl, 0) < 0);
	player_free(pl);
	trace_free(t);
}
END_TEST

/* ------------------------------------------------------------------
 *  Targets, breakpoints, searches, marks
 * ------------------------------------------------------------------ */

START_TEST(test_target_parse)
{
	struct trace *t = load("alloc a 8\nalloc c7 8\n");
	struct target tg;
	char err[200];

	ck_assert_int_eq(target_parse(t, "a", &tg, err, sizeof(err)), 0);
	ck_assert_int_eq(tg.kind, TARGET_ID);
	ck_assert(!target_is_place(&tg));
	ck_assert_int_eq(target_parse(t, "c3", &tg, err, sizeof(err)), 0);
	ck_assert_int_eq(tg.kind, TARGET_CHUNK);
	ck_assert_uint_eq(tg.chunk, 3);
	ck_assert_int_eq(target_parse(t, "c12:511", &tg, err, sizeof(err)), 0);
	ck_assert_int_eq(tg.kind, TARGET_PAGE);
	ck_assert_uint_eq(tg.chunk, 12);
	ck_assert_uint_eq(tg.page, 511);
	ck_assert_int_eq(target_parse(t, "c0+0x1040", &tg, err, sizeof(err)),
	    0);
	ck_assert_int_eq(tg.kind, TARGET_OFFSET);
	ck_assert_uint_eq(tg.offset, 0x1040);
	ck_assert_uint_eq(tg.page, 1);
	ck_assert_str_eq(tg.text, "c0+0x1040");
	/* an ID that looks like a location is the ID */
	ck_assert_int_eq(target_parse(t, "c7", &tg, err, sizeof(err)), 0);
	ck_assert_int_eq(tg.kind, TARGET_ID);
	/* neither */
	ck_assert_int_eq(target_parse(t, "zz", &tg, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'zz' is no ID of the trace and no location "
	    "(c0+0x1040, c0:5, c0)");
	ck_assert_int_eq(target_parse(t, "", &tg, err, sizeof(err)), -1);
	ck_assert_int_eq(target_parse(t, "c", &tg, err, sizeof(err)), -1);
	ck_assert_int_eq(target_parse(t, "c1:512", &tg, err, sizeof(err)), -1);
	ck_assert_int_eq(target_parse(t, "c1:-1", &tg, err, sizeof(err)), -1);
	ck_assert_int_eq(target_parse(t, "c1+1040", &tg, err, sizeof(err)), -1);
	ck_assert_int_eq(target_parse(t, "c1+0x", &tg, err, sizeof(err)), -1);
	ck_assert_int_eq(target_parse(t, "c1+0x200000", &tg, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(target_parse(t, "c1 ", &tg, err, sizeof(err)), -1);
	trace_free(t);
}
END_TEST

static struct zmm_event
event(enum zmm_event_type type, int chunk, int page, unsigned pages,
    uint32_t loc_chunk, uint32_t offset)
{
	struct zmm_event ev;

	zmm_event_init(&ev, type);
	ev.chunk = chunk;
	ev.page = page;
	ev.pages = pages;
	if (offset != UINT32_MAX) {
		ev.loc.kind = ZMM_LOC_CHUNK;
		ev.loc.chunk = loc_chunk;
		ev.loc.offset = offset;
	}
	return ev;
}

static bool
matches(const char *where, const struct zmm_event *ev)
{
	struct trace *t = load("alloc a 8\n");
	struct target tg;
	char err[200];
	bool m;

	ck_assert_int_eq(target_parse(t, where, &tg, err, sizeof(err)), 0);
	m = target_event(&tg, ev);
	trace_free(t);
	return m;
}

START_TEST(test_target_event)
{
	struct zmm_event pop = event(ZMM_EV_SLOT_POP, -1, -1, 0, 0, 0x1040);
	struct zmm_event run = event(ZMM_EV_PAGES_ALLOC, 1, 5, 3, 0,
	    UINT32_MAX);
	struct zmm_event cand = event(ZMM_EV_FIT_CANDIDATE, 1, 5, 3, 0,
	    UINT32_MAX);
	struct zmm_event chunk = event(ZMM_EV_CHUNK_NEW, 2, -1, 0, 0,
	    UINT32_MAX);

	ck_assert(matches("c0+0x1040", &pop));
	ck_assert(!matches("c0+0x1048", &pop));
	ck_assert(matches("c0:1", &pop));
	ck_assert(!matches("c0:2", &pop));
	ck_assert(matches("c0", &pop));
	ck_assert(!matches("c1", &pop));
	/* a run covers its pages */
	ck_assert(matches("c1:5", &run));
	ck_assert(matches("c1:7", &run));
	ck_assert(!matches("c1:8", &run));
	ck_assert(!matches("c1:4", &run));
	ck_assert(matches("c1+0x6010", &run));
	ck_assert(!matches("c0:6", &run));
	ck_assert(matches("c1", &run));
	/* looking at a run is not touching it */
	ck_assert(!matches("c1:5", &cand));
	ck_assert(!matches("c1", &cand));
	/* a chunk event is about the chunk, no page of it */
	ck_assert(matches("c2", &chunk));
	ck_assert(!matches("c2:0", &chunk));
}
END_TEST

START_TEST(test_breaks_rows)
{
	struct trace *t = load(breaks_trace);
	struct breaks b;
	struct target tg;
	char line[160], err[200];
	size_t i;

	breaks_init(&b);
	ck_assert(!breaks_any(&b));
	ck_assert_uint_eq(breaks_rows(&b), BREAK_KINDS);
	breaks_row_text(&b, 0, line, sizeof(line));
	ck_assert_str_eq(line, "[ ] new chunk taken (from storage or the "
	    "cache)");
	ck_assert(breaks_toggle(&b, 0));
	breaks_row_text(&b, 0, line, sizeof(line));
	ck_assert_str_eq(line, "[x] new chunk taken (from storage or the "
	    "cache)");
	ck_assert(breaks_any(&b));
	ck_assert(!breaks_toggle(&b, 0));
	ck_assert(!breaks_any(&b));
	/* the kinds stay */
	ck_assert(!breaks_delete(&b, 0));
	ck_assert_int_eq(target_parse(t, "c0:2", &tg, err, sizeof(err)), 0);
	for (i = 0; i < BREAKS_TARGETS_MAX; i++)
		ck_assert_int_eq(breaks_add(&b, &tg), 0);
	ck_assert_int_eq(breaks_add(&b, &tg), -1);
	ck_assert_uint_eq(breaks_rows(&b), BREAK_KINDS + BREAKS_TARGETS_MAX);
	breaks_row_text(&b, BREAK_KINDS, line, sizeof(line));
	ck_assert_str_eq(line, "[x] location c0:2");
	ck_assert(breaks_delete(&b, BREAK_KINDS));
	ck_assert_uint_eq(breaks_rows(&b), BREAK_KINDS + BREAKS_TARGETS_MAX - 1);
	ck_assert(!breaks_toggle(&b, BREAK_KINDS));
	breaks_row_text(&b, BREAK_KINDS, line, sizeof(line));
	ck_assert_str_eq(line, "[ ] location c0:2");
	breaks_row_text(&b, 1000, line, sizeof(line));
	ck_assert_str_eq(line, "");
	trace_free(t);
}
END_TEST

/* Searches TEXT in T to the end; the matches in order, as a string. */
static void
assert_search(struct search *s, const struct trace *t, const char *text,
    const char *want)
{
	struct target tg;
	char err[200], got[256] = "";
	uint64_t op = 0, m;
	size_t nth, i, at = 0;

	ck_assert_int_eq(target_parse(t, text, &tg, err, sizeof(err)), 0);
	ck_assert_int_eq(search_start(s, &tg, err, sizeof(err)), 0);
	for (i = 0; search_state(s) == SEARCH_BUSY && i < 100000; i++)
		search_run(s, 50);
	ck_assert_int_eq(search_state(s), SEARCH_DONE);
	ck_assert_uint_eq(search_percent(s), 100);
	for (i = 0; i < search_count(s); i++) {
		ck_assert(search_next(s, op, true, &m, &nth));
		ck_assert_uint_eq(nth, i + 1);
		at += (size_t)snprintf(got + at, sizeof(got) - at, "%s%llu",
		    i ? " " : "", (unsigned long long)m);
		op = m;
	}
	ck_assert_str_eq(got, want);
}

START_TEST(test_search)
{
	struct trace *t = load(breaks_trace);
	struct search *s = search_new(t);
	uint64_t m;
	size_t nth;

	ck_assert_int_eq(search_state(s), SEARCH_IDLE);
	ck_assert(!search_next(s, 0, true, &m, &nth));
	assert_search(s, t, "L4", "8 9");
	/* n wraps after the last, N before the first */
	ck_assert(search_next(s, 9, true, &m, &nth));
	ck_assert_uint_eq(m, 8);
	ck_assert(search_next(s, 9, false, &m, &nth));
	ck_assert_uint_eq(m, 8);
	ck_assert(search_next(s, 8, false, &m, &nth));
	ck_assert_uint_eq(m, 9);
	ck_assert_uint_eq(nth, 2);
	ck_assert(search_next(s, 5, false, &m, &nth));
	ck_assert_uint_eq(m, 9);
	/* locations: from the events */
	assert_search(s, t, "c0:2", "1 3");
	assert_search(s, t, "c0:1", "1 2");
	assert_search(s, t, "c0+0x1c00", "1 2");
	assert_search(s, t, "c1", "8 9");
	assert_search(s, t, "c0:480", "");
	ck_assert(!search_next(s, 0, true, &m, &nth));
	search_free(s);
	trace_free(t);
}
END_TEST

/* A location search of a long trace runs in slices, and finds them all. */
START_TEST(test_search_slices)
{
	size_t n = 100000, i, at = 0, slices = 0;
	char *text = malloc(n * 24);
	struct trace *t;
	struct search *s;
	struct target tg;
	char err[200];
	unsigned pct = 0;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < n / 2; i++)
		at += (size_t)sprintf(text + at, "alloc a 24\nfree a\n");
	t = load(text);
	s = search_new(t);
	ck_assert_int_eq(target_parse(t, "c0+0x1000", &tg, err, sizeof(err)),
	    0);
	ck_assert_int_eq(search_start(s, &tg, err, sizeof(err)), 0);
	while (search_run(s, 1) == SEARCH_BUSY) {
		ck_assert_uint_ge(search_percent(s), pct);
		pct = search_percent(s);
		slices++;
	}
	ck_assert_uint_ge(slices, 2);
	/* every op pops or pushes that one slot */
	ck_assert_uint_eq(search_count(s), n);
	search_free(s);
	trace_free(t);
	free(text);
}
END_TEST

START_TEST(test_marks)
{
	struct trace *t = load("alloc a 8\n@mark one\nalloc b 8\nalloc c 8\n"
	    "@mark three\nalloc d 8\n");
	struct marks m = { { 0 }, 0 };
	const char *name;
	uint64_t op;
	size_t i;

	/* the trace's marks, at the ops done where they stand */
	ck_assert(marks_next(&m, t, 0, &op, &name));
	ck_assert_uint_eq(op, 1);
	ck_assert_str_eq(name, "one");
	ck_assert(marks_next(&m, t, 1, &op, &name));
	ck_assert_uint_eq(op, 3);
	ck_assert_str_eq(name, "three");
	/* wrapping */
	ck_assert(marks_next(&m, t, 3, &op, &name));
	ck_assert_uint_eq(op, 1);
	ck_assert_int_eq(marks_toggle(&m, 2), MARKS_SET);
	ck_assert(marks_next(&m, t, 1, &op, &name));
	ck_assert_uint_eq(op, 2);
	ck_assert_ptr_null(name);
	ck_assert_int_eq(marks_toggle(&m, 2), MARKS_CLEARED);
	ck_assert(marks_next(&m, t, 1, &op, &name));
	ck_assert_uint_eq(op, 3);
	for (i = 0; i < MARKS_MAX; i++)
		ck_assert_int_eq(marks_toggle(&m, 100 + i), MARKS_SET);
	ck_assert_int_eq(marks_toggle(&m, 7), MARKS_FULL);
	trace_free(t);
	t = load("alloc a 8\n");
	m.n = 0;
	ck_assert(!marks_next(&m, t, 0, &op, &name));
	trace_free(t);
}
END_TEST

/* The record: highlights of the op under way, the log across ops. */
START_TEST(test_record)
{
	static struct record rec;
	struct zmm_event ev;
	struct zmm_loc l = { ZMM_LOC_CHUNK, 0, 0x1040, 0 };
	unsigned long op;
	size_t i;

	record_clear(&rec);
	zmm_event_init(&ev, ZMM_EV_OP_BEGIN);
	ev.op = 1;
	record_event(&rec, &ev);
	ev = event(ZMM_EV_PAGES_ALLOC, 0, 5, 3, 0, UINT32_MAX);
	ev.op = 1;
	record_event(&rec, &ev);
	ev = event(ZMM_EV_SLOT_PUSH, -1, -1, 0, 0, 0x1040);
	ev.bin = 3;
	ev.op = 1;
	record_event(&rec, &ev);
	ck_assert(record_page_touched(&rec, 0, 5));
	ck_assert(record_page_touched(&rec, 0, 7));
	ck_assert(!record_page_touched(&rec, 0, 8));
	ck_assert(!record_page_touched(&rec, 1, 5));
	ck_assert(record_page_touched(&rec, 0, 1));
	ck_assert(record_slot_touched(&rec, &l));
	ck_assert(rec.bin_touched[3]);
	ck_assert_uint_eq(record_log_lines(&rec), 3);
	ck_assert_ptr_nonnull(record_log_line(&rec, 0, &op));
	ck_assert_uint_eq(op, 1);
	ck_assert_ptr_null(record_log_line(&rec, 3, &op));
	/* a new op: the highlights go, the log stays */
	zmm_event_init(&ev, ZMM_EV_OP_BEGIN);
	ev.op = 2;
	record_event(&rec, &ev);
	ck_assert(!record_page_touched(&rec, 0, 5));
	ck_assert(!record_slot_touched(&rec, &l));
	ck_assert(!rec.bin_touched[3]);
	ck_assert_uint_eq(record_log_lines(&rec), 4);
	/* the ring keeps the newest RECORD_LOG_MAX */
	for (i = 0; i < 2 * RECORD_LOG_MAX; i++)
		record_event(&rec, &ev);
	ck_assert_uint_eq(record_log_lines(&rec), RECORD_LOG_MAX);
	ck_assert_ptr_nonnull(record_log_line(&rec, RECORD_LOG_MAX - 1, &op));
	ck_assert_uint_eq(op, 2);
}
END_TEST

Suite *
player_suite(void)
{
	Suite *s = suite_create("player");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_player_steps);
	tcase_add_test(tc, test_player_frame_left);
	tcase_add_test(tc, test_player_every_event);
	tcase_add_test(tc, test_player_event_back);
	tcase_add_test(tc, test_player_event_across_ops);
	tcase_add_test(tc, test_player_breakpoints);
	tcase_add_test(tc, test_player_play_pause);
	tcase_add_test(tc, test_player_error_after_last_op);
	tcase_add_test(tc, test_player_errors_of_one_step);
	suite_add_tcase(s, tc);
	return s;
}

Suite *
targets_suite(void)
{
	Suite *s = suite_create("targets");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_target_parse);
	tcase_add_test(tc, test_target_event);
	tcase_add_test(tc, test_breaks_rows);
	tcase_add_test(tc, test_search);
	tcase_add_test(tc, test_search_slices);
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_record);
	suite_add_tcase(s, tc);
	return s;
}
