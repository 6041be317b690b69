/*
 * check_replay.c - the replay engine: stepping, liveness errors that leave
 * the heap untouched, keep-going, seeking back and forth to identical
 * heaps, listeners kept and muted across seeks, captions, .rep rules,
 * and the reverse lookup from a block's address to its trace ID; heap
 * snapshots, and seeking through checkpoints against straight replays.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "replay.h"
#include "tests.h"
#include "trace.h"

static struct trace *
load(const char *text)
{
	return zt_trace_load("t.zmt", text, strlen(text));
}

static struct replay *
start(const struct trace *trace)
{
	struct replay_options opts = { .check = true };
	int status;
	struct replay *r = replay_new(trace, &opts, &status);

	ck_assert_msg(r != NULL, "replay_new: %s", zmm_strerror(status));
	return r;
}

/* The --ptrs and --state text of the heap, malloc'd. */
static char *
state_text(const struct replay *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	dump_state(f, replay_heap(r));
	fclose(f);
	return buf;
}

/* Steps to the end; returns how many steps had status ST. */
static int
run_all(struct replay *r, enum replay_status st)
{
	struct replay_step step;
	int n = 0;

	while (replay_step(r, &step) != REPLAY_END) {
		ck_assert_msg(step.status != REPLAY_CHECK_FAILED, "%s", step.msg);
		n += step.status == st;
	}
	return n;
}

static const char trace_small[] =
	"@title demo\n"
	"@caption three slots\n"
	"alloc a 24\n"
	"alloc b 24\n"
	"alloc c 24\n"
	"@caption LIFO\n"
	"free b\n"
	"alloc d 20\n"
	"alloc big 5000\n"
	"realloc big 9000\n"
	"alloc h 3000000\n"
	"gc\n";

START_TEST(test_replay_steps)
{
	struct trace *t = load(trace_small);
	struct replay *r = start(t);
	struct replay_step step;
	char loc[ZMM_LOC_BUFSIZE];

	ck_assert_int_eq(replay_op(r), 0);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);	/* @title */
	ck_assert_int_eq(step.item->kind, TRACE_TITLE);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);	/* @caption */
	ck_assert_str_eq(replay_caption(r), "three slots");
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);
	ck_assert(step.has_block);
	ck_assert_str_eq(step.id, "a");
	zmm_loc_format(&step.loc, loc, sizeof(loc));
	ck_assert_str_eq(loc, "c0+0x1000");
	ck_assert_int_eq(replay_op(r), 1);
	ck_assert_int_eq(replay_position(r), 3);
	replay_step(r, &step);
	replay_step(r, &step);
	replay_step(r, &step);			/* @caption LIFO */
	ck_assert_str_eq(replay_caption(r), "LIFO");
	replay_step(r, &step);			/* free b */
	ck_assert(!step.has_block);
	replay_step(r, &step);			/* alloc d: b's slot */
	zmm_loc_format(&step.loc, loc, sizeof(loc));
	ck_assert_str_eq(loc, "c0+0x1018");
	ck_assert_int_eq(run_all(r, REPLAY_OK), 4);
	ck_assert_int_eq(replay_op(r), 9);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_END);
	replay_free(r);
	trace_free(t);
}
END_TEST

START_TEST(test_replay_liveness_errors_leave_heap)
{
	struct trace *t = load("alloc a 24\nfree b\nalloc a 8\nrealloc z 8\n"
	    "alloc b 100\n");
	struct replay *r = start(t);
	struct replay_step step;
	char *before, *after;

	replay_step(r, &step);
	before = state_text(r);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_TRACE_ERROR);
	ck_assert_str_eq(step.msg, "free of 'b', which is not live");
	ck_assert_int_eq(replay_step(r, &step), REPLAY_TRACE_ERROR);
	ck_assert_str_eq(step.msg, "alloc of 'a', which is already live");
	ck_assert_int_eq(replay_step(r, &step), REPLAY_TRACE_ERROR);
	ck_assert_str_eq(step.msg, "realloc of 'z', which is not live");
	ck_assert_int_eq(step.item->line, 4);
	ck_assert_int_eq(step.item->opno, 4);
	after = state_text(r);
	ck_assert_str_eq(before, after);
	/* keep going: the next op works */
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);
	ck_assert(step.has_block);
	free(before);
	free(after);
	replay_free(r);
	trace_free(t);
}
END_TEST

START_TEST(test_replay_bad_line_is_an_error_step)
{
	struct trace *t = load("alloc a 24\nfrob x\nalloc b 8\n");
	struct replay *r = start(t);
	struct replay_step step;

	replay_step(r, &step);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_TRACE_ERROR);
	ck_assert_str_eq(step.msg, "unknown op 'frob'");
	ck_assert_int_eq(step.item->opno, 2);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);
	ck_assert_int_eq(step.item->opno, 3);
	replay_free(r);
	trace_free(t);
}
END_TEST

START_TEST(test_replay_reset_forgets_ids)
{
	struct trace *t = load("alloc a 24\nreset\nfree a\nalloc a 24\n");
	struct replay *r = start(t);
	struct replay_step step;
	char loc[ZMM_LOC_BUFSIZE];

	replay_step(r, &step);
	replay_step(r, &step);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_TRACE_ERROR);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);
	zmm_loc_format(&step.loc, loc, sizeof(loc));
	ck_assert_str_eq(loc, "c0+0x1000");
	replay_free(r);
	trace_free(t);
}
END_TEST

START_TEST(test_replay_rep_realloc_of_dead_id_allocates)
{
	struct trace *t = load("1\n1\n3\n1\nr 5 100\nr 5 0\nf -1\n");
	struct replay *r = start(t);
	struct replay_step step;
	char loc[ZMM_LOC_BUFSIZE];

	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);
	ck_assert(step.has_block);
	zmm_loc_format(&step.loc, loc, sizeof(loc));
	ck_assert_str_eq(loc, "c0+0x1000");
	/* r ID 0 keeps a block: a truncation into bin 0 */
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);
	ck_assert(step.has_block);
	zmm_loc_format(&step.loc, loc, sizeof(loc));
	ck_assert_str_eq(loc, "c0+0x2000");
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);	/* f -1 */
	ck_assert(!step.has_block);
	replay_free(r);
	trace_free(t);
}
END_TEST

static int events_seen;

static void
count_event(const struct zmm_event *event, void *arg)
{
	(void)event;
	(void)arg;
	events_seen++;
}

START_TEST(test_replay_seek_back_gives_same_heap)
{
	struct trace *t = load(trace_small);
	struct replay *r = start(t);
	char *at5, *at5_again, *end, *end_again;

	ck_assert_int_ge(replay_listen(r, count_event, NULL), 0);
	ck_assert_int_eq(replay_seek_op(r, 5), 0);
	ck_assert_int_eq(replay_op(r), 5);
	at5 = state_text(r);
	run_all(r, REPLAY_OK);
	end = state_text(r);
	events_seen = 0;
	/* back: restored and replayed with the listener muted */
	ck_assert_int_eq(replay_seek_op(r, 5), 0);
	ck_assert_int_eq(events_seen, 0);
	ck_assert_int_eq(replay_op(r), 5);
	at5_again = state_text(r);
	ck_assert_str_eq(at5, at5_again);
	/* the listener is back for ordinary steps */
	run_all(r, REPLAY_OK);
	ck_assert_int_gt(events_seen, 0);
	end_again = state_text(r);
	ck_assert_str_eq(end, end_again);
	/* to the start: a fresh heap */
	ck_assert_int_eq(replay_seek_op(r, 0), 0);
	ck_assert_int_eq(replay_position(r), 0);
	ck_assert_uint_eq(zmm_heap_bin_length(replay_heap(r), 2), 0);
	free(at5);
	free(at5_again);
	free(end);
	free(end_again);
	replay_free(r);
	trace_free(t);
}
END_TEST

START_TEST(test_replay_seek_forward_and_item)
{
	struct trace *t = load(trace_small);
	struct replay *r = start(t);
	const void *ptr;
	uint64_t size, opno;

	ck_assert_int_eq(replay_seek_op(r, 3), 0);
	ck_assert(replay_block(r, trace_item_at(t, 4).id, &ptr, &size, &opno));
	ck_assert_uint_eq(size, 24);
	ck_assert_uint_eq(opno, 3);
	ck_assert_int_eq(replay_seek_op(r, 100), 0);	/* past the end */
	ck_assert_int_eq(replay_op(r), 9);
	ck_assert_int_eq(replay_seek_item(r, 2), 0);
	ck_assert_int_eq(replay_position(r), 2);
	ck_assert_str_eq(replay_caption(r), "three slots");
	replay_free(r);
	trace_free(t);
}
END_TEST

START_TEST(test_replay_limit_directive)
{
	struct trace *t = load("alloc a 24\n@limit 1M\n@limit 8M\n"
	    "alloc h 7000000\n");
	struct replay *r = start(t);
	struct replay_step step;

	replay_step(r, &step);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_WARNING);
	ck_assert_str_eq(step.msg, "Failed to set memory limit to 1048576 bytes "
	    "(Current memory usage is 2097152 bytes)");
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OK);
	ck_assert_int_eq(replay_step(r, &step), REPLAY_OP_FAILED);
	ck_assert_str_eq(step.msg, "Allowed memory size of 8388608 bytes "
	    "exhausted (tried to allocate 7000000 bytes)");
	ck_assert(!step.has_block);
	replay_free(r);
	trace_free(t);
}
END_TEST

/* ------------------------------------------------------------------
 *  replay_owner: address -> trace ID
 * ------------------------------------------------------------------ */

/*
 * Every live ID is found at its own pointer with its own request and op,
 * and nothing at the byte after it; returns how many IDs are live.
 */
static uint32_t
assert_owners(const struct replay *r)
{
	const struct trace *t = replay_trace(r);
	const void *ptr;
	const char *id;
	uint64_t size, opno, osize, oopno;
	uint32_t i, live = 0;

	for (i = 0; i < trace_id_count(t); i++) {
		if (!replay_block(r, i, &ptr, &size, &opno))
			continue;
		live++;
		id = NULL;
		ck_assert_msg(replay_owner(r, ptr, &id, &osize, &oopno),
		    "no owner for live '%s'", trace_id_name(t, i));
		ck_assert_str_eq(id, trace_id_name(t, i));
		ck_assert_uint_eq(osize, size);
		ck_assert_uint_eq(oopno, opno);
		/* no block starts at an odd address */
		ck_assert(!replay_owner(r, (const char *)ptr + 1, NULL, NULL,
		    NULL));
	}
	return live;
}

/* The ID owning PTR, or "" when none does. */
static const char *
owner_of(const struct replay *r, const void *ptr)
{
	const char *id;

	return replay_owner(r, ptr, &id, NULL, NULL) ? id : "";
}

START_TEST(test_replay_owner_follows_steps)
{
	struct trace *t = load(trace_small);
	struct replay *r = start(t);
	struct replay_step step;
	const void *a, *b, *big, *moved;
	uint64_t size, opno;

	ck_assert(!replay_owner(r, NULL, NULL, NULL, NULL));
	ck_assert_uint_eq(assert_owners(r), 0);
	ck_assert_int_eq(replay_seek_op(r, 3), 0);		/* a b c */
	ck_assert_uint_eq(assert_owners(r), 3);
	ck_assert(replay_block(r, trace_item_at(t, 2).id, &a, NULL, NULL));
	ck_assert(replay_block(r, trace_item_at(t, 3).id, &b, NULL, NULL));
	ck_assert_str_eq(owner_of(r, a), "a");
	ck_assert_str_eq(owner_of(r, b), "b");
	replay_step(r, &step);				/* @caption */
	replay_step(r, &step);				/* free b */
	ck_assert_str_eq(owner_of(r, b), "");
	ck_assert_uint_eq(assert_owners(r), 2);
	replay_step(r, &step);				/* alloc d: b's slot */
	ck_assert_str_eq(owner_of(r, b), "d");
	ck_assert(replay_owner(r, b, NULL, &size, &opno));
	ck_assert_uint_eq(size, 20);
	ck_assert_uint_eq(opno, 5);
	replay_step(r, &step);				/* alloc big 5000 */
	ck_assert(replay_block(r, trace_item_at(t, 8).id, &big, NULL, NULL));
	ck_assert_str_eq(owner_of(r, big), "big");
	replay_step(r, &step);				/* realloc big 9000 */
	ck_assert_uint_eq(assert_owners(r), 4);
	ck_assert(replay_block(r, trace_item_at(t, 9).id, &moved, NULL, NULL));
	ck_assert(replay_owner(r, moved, NULL, &size, &opno));
	ck_assert_uint_eq(size, 9000);
	ck_assert_uint_eq(opno, 7);
	if (moved != big)
		ck_assert_str_eq(owner_of(r, big), "");
	run_all(r, REPLAY_OK);				/* huge h, gc */
	ck_assert_uint_eq(assert_owners(r), 5);
	replay_free(r);
	trace_free(t);
}
END_TEST

START_TEST(test_replay_owner_after_seek_and_reset)
{
	struct trace *t = load("alloc a 24\nalloc l 20000\nalloc h 3000000\n"
	    "reset\nalloc b 24\n");
	struct replay *r = start(t);
	const void *a, *l, *h, *b;

	ck_assert_int_eq(replay_seek_op(r, 3), 0);
	ck_assert_uint_eq(assert_owners(r), 3);
	ck_assert(replay_block(r, trace_item_at(t, 0).id, &a, NULL, NULL));
	ck_assert(replay_block(r, trace_item_at(t, 1).id, &l, NULL, NULL));
	ck_assert(replay_block(r, trace_item_at(t, 2).id, &h, NULL, NULL));
	ck_assert_str_eq(owner_of(r, h), "h");
	/* reset: every ID forgotten, the slot of a goes to b */
	ck_assert_int_eq(replay_seek_op(r, 4), 0);
	ck_assert_uint_eq(assert_owners(r), 0);
	ck_assert_str_eq(owner_of(r, a), "");
	ck_assert_str_eq(owner_of(r, l), "");
	ck_assert_str_eq(owner_of(r, h), "");
	ck_assert_int_eq(replay_seek_op(r, 5), 0);
	ck_assert(replay_block(r, trace_item_at(t, 4).id, &b, NULL, NULL));
	ck_assert_ptr_eq(b, a);
	ck_assert_str_eq(owner_of(r, b), "b");
	/* back: a restored heap, the index follows it */
	ck_assert_int_eq(replay_seek_op(r, 1), 0);
	ck_assert_uint_eq(assert_owners(r), 1);
	ck_assert_int_eq(replay_seek_op(r, 3), 0);
	ck_assert_uint_eq(assert_owners(r), 3);
	replay_free(r);
	trace_free(t);
}
END_TEST

/* Asks replay_owner() from inside the op's events, then checks after it. */
static void
owner_in_event(const struct zmm_event *event, void *arg)
{
	const struct replay *r = arg;

	(void)event;
	assert_owners(r);
}

START_TEST(test_replay_owner_asked_during_an_op)
{
	struct trace *t = load("alloc a 24\nalloc b 24\nfree a\nalloc c 24\n"
	    "realloc c 5000\n");
	struct replay *r = start(t);
	struct replay_step step;

	ck_assert_int_ge(replay_listen(r, owner_in_event, r), 0);
	while (replay_step(r, &step) != REPLAY_END) {
		ck_assert_int_eq(step.status, REPLAY_OK);
		/* an index built halfway through the op is not kept */
		assert_owners(r);
	}
	ck_assert_uint_eq(assert_owners(r), 2);
	replay_free(r);
	trace_free(t);
}
END_TEST

/* Thousands of blocks of every class, freed in a scattered order. */
START_TEST(test_replay_owner_many_blocks)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);
	static const unsigned sizes[] = { 8, 24, 300, 3072, 5000, 70000,
	    2000000, 2200000 };
	static bool freed[6000];
	struct trace *t;
	struct replay *r;
	uint32_t seed = 12345;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 6000; i++) {
		seed = seed * 1103515245 + 12345;
		/* big ones rarely, so the heap stays small */
		fprintf(f, "alloc b%zu %u\n", i,
		    sizes[(seed >> 16) % (i % 97 == 0 ? 8 : 6)]);
		if (i % 3 == 2 && !freed[(i * 7919) % i]) {
			freed[(i * 7919) % i] = true;
			fprintf(f, "free b%zu\n", (i * 7919) % i);
		}
	}
	fclose(f);
	t = zt_trace_load("many.zmt", text, len);
	r = start(t);
	ck_assert_int_eq(run_all(r, REPLAY_TRACE_ERROR), 0);
	ck_assert_uint_gt(assert_owners(r), 3000);
	/* half way back and forth */
	ck_assert_int_eq(replay_seek_op(r, trace_op_count(t) / 2), 0);
	ck_assert_uint_gt(assert_owners(r), 1500);
	replay_free(r);
	trace_free(t);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------
 *  Heap snapshots
 * ------------------------------------------------------------------ */

/* The --state text and the counters of HEAP, malloc'd. */
static char *
heap_text(const struct zmm_heap *heap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	dump_state(f, heap);
	dump_stats(f, heap);
	fclose(f);
	return buf;
}

static void
fill(void *p, size_t n, unsigned seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = (unsigned char)(seed + i * 7);
}

static bool
filled(const void *p, size_t n, unsigned seed)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != (unsigned char)(seed + i * 7))
			return false;
	return true;
}

static bool
zeroed(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return false;
	return true;
}

/*
 * With the payload kept, a restore brings back every block's bytes, the
 * same layout, and memory handed out after the snapshot reads as zero
 * again when it is handed out the second time.
 */
START_TEST(test_snapshot_restores_contents_and_layout)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_snapshot *snap;
	void *s1, *s2, *l1, *h1, *h2, *h2_first, *again, *fresh, *p;
	char *before, *after, *later, *later_again;
	int status;

	s1 = zt_alloc_ok(heap, 40);
	s2 = zt_alloc_ok(heap, 40);
	l1 = zt_alloc_ok(heap, 20000);
	h1 = zt_alloc_ok(heap, 3000000);
	fill(s1, 40, 1);
	fill(s2, 40, 2);
	fill(l1, 20000, 3);
	fill(h1, 3000000, 4);
	zt_free_ok(heap, s2);
	before = heap_text(heap);
	snap = zmm_heap_snapshot(heap, NULL, &status);
	ck_assert_int_eq(status, ZMM_OK);
	ck_assert_ptr_nonnull(snap);
	ck_assert_uint_gt(zmm_snapshot_bytes(snap), 3000000);

	/* change everything: contents, the free lists, huge blocks in place */
	fill(s1, 40, 9);
	zt_free_ok(heap, l1);
	h1 = zt_realloc_ok(heap, h1, 2500000);		/* shrinks in place */
	h2 = h2_first = zt_alloc_ok(heap, 4000000);
	fill(h2, 4000000, 5);
	h2 = zt_realloc_ok(heap, h2, 6000000);		/* grows in place */
	fresh = zt_alloc_ok(heap, 1000000);
	fill(fresh, 1000000, 6);
	zmm_heap_gc(heap);
	zmm_heap_reset(heap);
	ck_assert_int_eq(zmm_heap_alloc(heap, 5000000, &p), ZMM_OK);
	fill(p, 5000000, 7);

	ck_assert_int_eq(zmm_heap_restore(heap, snap), ZMM_OK);
	zt_assert_heap_ok(heap);
	after = heap_text(heap);
	ck_assert_str_eq(before, after);
	ck_assert(filled(s1, 40, 1));
	ck_assert(filled(l1, 20000, 3));
	ck_assert(filled(h1, 3000000, 4));

	/*
	 * The same calls give the same blocks; storage handed out again is
	 * zeroed (a free page inside a chunk keeps what it held, as in PHP).
	 */
	again = zt_alloc_ok(heap, 40);
	ck_assert_ptr_eq(again, s2);
	ck_assert_ptr_eq(zt_realloc_ok(heap, h1, 2500000), h1);
	h2 = zt_alloc_ok(heap, 4000000);
	ck_assert_ptr_eq(h2, h2_first);		/* the bump pointer went back */
	ck_assert(zeroed(h2, 4000000));
	ck_assert_ptr_eq(zt_realloc_ok(heap, h2, 6000000), h2);
	ck_assert(zeroed(h2, 6000000));
	ck_assert_int_eq(zmm_heap_alloc(heap, 1000000, &p), ZMM_OK);
	ck_assert_ptr_eq(p, fresh);
	later = heap_text(heap);

	/* and once more from the same snapshot */
	ck_assert_int_eq(zmm_heap_restore(heap, snap), ZMM_OK);
	zt_assert_heap_ok(heap);
	zt_alloc_ok(heap, 40);
	zt_realloc_ok(heap, h1, 2500000);
	h2 = zt_alloc_ok(heap, 4000000);
	zt_realloc_ok(heap, h2, 6000000);
	zt_alloc_ok(heap, 1000000);
	later_again = heap_text(heap);
	ck_assert_str_eq(later, later_again);

	zmm_snapshot_free(snap);
	free(before);
	free(after);
	free(later);
	free(later_again);
	zmm_heap_free_all(heap);
}
END_TEST

/* A restore goes forwards as well as back, across resets and the cache. */
START_TEST(test_snapshot_forwards_and_back)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_snapshot *early, *late;
	void *p[64];
	char *at_early, *at_late, *text;
	int i;

	zmm_heap_set_payload(heap, false);
	for (i = 0; i < 64; i++)
		p[i] = zt_alloc_ok(heap, i % 4 == 0 ? 300000 : 24 + 8 * i);
	early = zmm_heap_snapshot(heap, NULL, NULL);
	ck_assert_ptr_nonnull(early);
	at_early = heap_text(heap);
	for (i = 0; i < 64; i += 2)
		zt_free_ok(heap, p[i]);
	zmm_heap_reset(heap);			/* chunks into the cache */
	for (i = 0; i < 16; i++)
		zt_alloc_ok(heap, 1000000);
	late = zmm_heap_snapshot(heap, early, NULL);
	ck_assert_ptr_nonnull(late);
	at_late = heap_text(heap);

	ck_assert_int_eq(zmm_heap_restore(heap, early), ZMM_OK);
	zt_assert_heap_ok(heap);
	text = heap_text(heap);
	ck_assert_str_eq(text, at_early);
	free(text);
	ck_assert_int_eq(zmm_heap_restore(heap, late), ZMM_OK);
	zt_assert_heap_ok(heap);
	text = heap_text(heap);
	ck_assert_str_eq(text, at_late);
	free(text);
	zmm_snapshot_free(early);
	zmm_snapshot_free(late);
	free(at_early);
	free(at_late);
	zmm_heap_free_all(heap);
}
END_TEST

/* Unchanged chunks are shared with the base; freeing counts what goes. */
START_TEST(test_snapshot_shares_unchanged_chunks)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_snapshot *a, *b, *c;
	size_t first, shared, changed, freed;
	void *first_block = NULL, *p;
	int i;

	zmm_heap_set_payload(heap, false);
	for (i = 0; i < 4000; i++) {
		ck_assert_int_eq(zmm_heap_alloc(heap, 8 + (size_t)(i % 300) * 8,
		    &p), ZMM_OK);
		if (i == 0)
			first_block = p;
	}
	zt_assert_heap_ok(heap);
	a = zmm_heap_snapshot(heap, NULL, NULL);
	b = zmm_heap_snapshot(heap, a, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	first = zmm_snapshot_bytes(a);
	shared = zmm_snapshot_bytes(b);
	ck_assert_uint_gt(first, 10 * ZMM_PAGE_SIZE);
	ck_assert_uint_lt(shared, 1024);	/* only its own frame */
	ck_assert_uint_eq(zmm_snapshot_size(b), zmm_snapshot_size(a));
	zt_free_ok(heap, first_block);		/* a link written: one chunk */
	c = zmm_heap_snapshot(heap, b, NULL);
	ck_assert_ptr_nonnull(c);
	changed = zmm_snapshot_bytes(c);
	ck_assert_uint_gt(changed, shared);
	ck_assert_uint_lt(changed, first);
	/* a's pieces live on in b: freeing a gives back its frame only */
	freed = zmm_snapshot_free(a);
	ck_assert_uint_eq(freed, shared);
	freed = zmm_snapshot_free(b) + zmm_snapshot_free(c);
	ck_assert_uint_eq(freed, first + changed);
	zmm_heap_free_all(heap);
}
END_TEST

static void
no_event(const struct zmm_event *event, void *arg)
{
	(void)event;
	(*(int *)arg)++;
}

/* Foreign snapshots and storages are refused; listeners are those of now. */
START_TEST(test_snapshot_refusals_and_listeners)
{
	struct zmm_heap *heap = zt_heap_new(), *other = zt_heap_new(), *own;
	struct zmm_storage_ops ops = zmm_storage_default_ops;
	struct zmm_snapshot *snap;
	int status, events = 0;
	void *ctx = zmm_storage_default_new(0);

	ck_assert_ptr_nonnull(ctx);
	own = zmm_heap_new(&ops, ctx, &status);
	ck_assert_ptr_nonnull(own);
	ck_assert_ptr_null(zmm_heap_snapshot(own, NULL, &status));
	ck_assert_int_eq(status, ZMM_E_INVALID);
	zmm_heap_free_all(own);
	ops.destroy(ctx);			/* not the heap's own storage */

	snap = zmm_heap_snapshot(heap, NULL, &status);
	ck_assert_ptr_nonnull(snap);
	ck_assert_int_eq(zmm_heap_restore(other, snap), ZMM_E_INVALID);
	/* a listener added after the snapshot stays, muting too */
	ck_assert_int_ge(zmm_heap_listen(heap, no_event, &events), 0);
	zmm_heap_mute(heap, true);
	ck_assert_int_eq(zmm_heap_restore(heap, snap), ZMM_OK);
	zt_alloc_ok(heap, 8);
	ck_assert_int_eq(events, 0);
	zmm_heap_mute(heap, false);
	zt_alloc_ok(heap, 8);
	ck_assert_int_gt(events, 0);
	zmm_snapshot_free(snap);
	zmm_heap_free_all(heap);
	zmm_heap_free_all(other);
}
END_TEST

/* ------------------------------------------------------------------
 *  Seeking through checkpoints against straight replays
 * ------------------------------------------------------------------ */

static uint32_t
lcg(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

/*
 * A seeded random trace of N lines over what a checkpoint must carry:
 * small, large and huge blocks, huge blocks grown and shrunk in place,
 * calloc and strdup, gc and reset (the chunk cache), @limit directives
 * that hold, are refused or make ops fail, captions, bad lines, liveness
 * errors and an overflowing calloc.  Malloc'd text.
 */
static char *
random_trace(uint32_t seed, int n, size_t *len)
{
	static const char *const limits[] = { "1G", "64M", "8M", "2M" };
	static unsigned live[4096];
	static bool huge[4096];		/* live[i] is a huge block */
	unsigned nlive = 0, next = 0, id, k;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	uint32_t r, size;
	int i;

	ck_assert_ptr_nonnull(f);
	fputs("@title random\n", f);
	for (i = 0; i < n; i++) {
		r = lcg(&seed) % 100;
		k = nlive ? lcg(&seed) % nlive : 0;
		size = lcg(&seed) % 100;
		/* few huge ones: each costs memcheck a few ms */
		size = size < 70 ? 1 + lcg(&seed) % 3072 : size < 98 ?
		    3073 + lcg(&seed) % 300000 : 2100000 + lcg(&seed) % 300000;
		if ((r < 35 || r >= 87) && nlive < 4096) {
			size = r >= 87 ? 1 + size % 200 : size;
			fprintf(f, "alloc b%u %u\n", next, size);
			huge[nlive] = size > 2093056;
			live[nlive++] = next++;
		} else if (r < 60 && nlive > 0) {
			fprintf(f, "free b%u\n", live[k]);
			huge[k] = huge[--nlive];
			live[k] = live[nlive];
		} else if (r < 70 && nlive > 0) {
			/* often a huge one, growing or shrinking (in place?) */
			for (id = 0; r >= 65 && id < nlive && !huge[k]; id++)
				k = (k + 1) % nlive;
			if (huge[k] || r == 69)
				size = 2100000 + (lcg(&seed) % 64) * 4096;
			fprintf(f, "realloc b%u %u\n", live[k], size);
			huge[k] = size > 2093056;
		} else if (r < 74 && nlive < 4096) {
			fprintf(f, "calloc b%u %u %u\n", next, 1 + r % 3,
			    size / 3 + 1);
			live[nlive++] = next++;
		} else if (r < 77 && nlive < 4096) {
			fprintf(f, "strdup b%u \"text %u\"\n", next, size);
			live[nlive++] = next++;
		} else if (r < 80 || (r < 81 && lcg(&seed) % 4 != 0)) {
			fputs("gc\n", f);
		} else if (r < 81) {
			fputs("reset\n", f);
			nlive = 0;
		} else if (r < 83) {
			fprintf(f, "@limit %s\n", limits[lcg(&seed) % 4]);
		} else if (r < 84) {
			fprintf(f, "@caption at line %d\n", i);
		} else if (r < 85) {
			fputs("frob x\n", f);
		} else if (r < 86) {
			id = nlive ? live[k] : 0;
			fprintf(f, nlive && r % 2 ? "alloc b%u 8\n" :
			    "free b%u\n", nlive ? id : next + 100000);
		} else {
			fputs("calloc over 4611686018427387904 8\n", f);
		}
	}
	fclose(f);
	return text;
}

/* An empty recorder, for zt_recorder_event() through replay_listen(). */
static void
recorder_init(struct zt_recorder *rec)
{
	rec->len = 0;
	rec->cap = 4096;
	rec->text = calloc(1, rec->cap);
	ck_assert_ptr_nonnull(rec->text);
}

/* PTR as an offset from the main chunk: where storage put it. */
static unsigned long long
address(const struct zmm_heap *heap, const void *ptr)
{
	return (unsigned long long)((uintptr_t)ptr -
	    (uintptr_t)zmm_heap_chunk_first(heap));
}

/*
 * Everything a replay shows: position, op, caption, last error, the
 * --state text and counters, every chunk's address and header fields (the
 * cache's too), the huge blocks' addresses, and each live ID's block.
 * Malloc'd.
 */
static char *
replay_text(const struct replay *r)
{
	const struct zmm_heap *heap = replay_heap(r);
	const struct trace *t = replay_trace(r);
	const struct zmm_chunk *c;
	const struct zmm_huge *h;
	struct zmm_chunk_info info;
	struct zmm_loc loc;
	char *buf = NULL, where[ZMM_LOC_BUFSIZE];
	const char *caption = replay_caption(r);
	const void *ptr;
	uint64_t size, opno;
	size_t len = 0;
	uint32_t i;
	FILE *f = open_memstream(&buf, &len);
	int pass, p;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "at %zu op %llu caption %s error '%s'\n",
	    replay_position(r), (unsigned long long)replay_op(r),
	    caption ? caption : "-", zmm_heap_last_error(heap));
	dump_state(f, heap);
	dump_stats(f, heap);
	for (pass = 0; pass < 2; pass++) {
		c = pass == 0 ? zmm_heap_chunk_first(heap) :
		    zmm_heap_cached_first(heap);
		for (; c != NULL; c = pass == 0 ? zmm_heap_chunk_next(heap, c) :
		    zmm_heap_cached_next(c)) {
			zmm_chunk_info(c, &info);
			fprintf(f, "c%u at %llx num %u free_tail %u map",
			    info.serial, address(heap, c), info.num,
			    info.free_tail);
			for (p = 0; p < ZMM_PAGES; p++)
				if (info.map[p] != 0)
					fprintf(f, " %d:%x", p, info.map[p]);
			fputc('\n', f);
		}
	}
	for (h = zmm_heap_huge_first(heap); h != NULL; h = zmm_heap_huge_next(h))
		fprintf(f, "huge at %llx\n", address(heap, zmm_huge_ptr(h)));
	for (i = 0; i < trace_id_count(t); i++) {
		if (!replay_block(r, i, &ptr, &size, &opno))
			continue;
		loc = zmm_heap_loc(heap, ptr);
		zmm_loc_format(&loc, where, sizeof(where));
		fprintf(f, "%s %s at %llx %llu %llu\n", trace_id_name(t, i),
		    where, address(heap, ptr), (unsigned long long)size,
		    (unsigned long long)opno);
	}
	fclose(f);
	return buf;
}

/* GOT must equal WANT; the first line that differs says how. */
static void
assert_same_text(const char *what, const char *got, const char *want)
{
	size_t i = 0, line = 1, start = 0, end;

	while (got[i] != '\0' && got[i] == want[i]) {
		if (got[i++] == '\n') {
			line++;
			start = i;
		}
	}
	if (got[i] == want[i])
		return;
	for (end = i; want[end] != '\0' && want[end] != '\n'; end++)
		;
	ck_abort_msg("%s, line %zu: want '%.*s', got '%.*s'", what, line,
	    (int)(end - start > 200 ? 200 : end - start), want + start,
	    (int)strcspn(got + start, "\n") > 200 ? 200 :
	    (int)strcspn(got + start, "\n"), got + start);
}

/* Steps N items of both replays; results and events must agree. */
static void
assert_same_steps(struct replay *r, struct zt_recorder *rec,
    struct replay *ref, struct zt_recorder *ref_rec, int n)
{
	struct replay_step a, b;
	char la[ZMM_LOC_BUFSIZE], lb[ZMM_LOC_BUFSIZE];
	int i;

	zt_recorder_clear(rec);
	zt_recorder_clear(ref_rec);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(replay_step(r, &a), replay_step(ref, &b));
		ck_assert_msg(a.status != REPLAY_CHECK_FAILED, "%s", a.msg);
		/* the same trace item: each replay keeps its own copy of it */
		ck_assert_uint_eq(replay_position(r), replay_position(ref));
		ck_assert((a.item == NULL) == (b.item == NULL));
		if (a.item != NULL) {
			ck_assert_uint_eq(a.item->kind, b.item->kind);
			ck_assert_uint_eq(a.item->id, b.item->id);
			ck_assert_uint_eq(a.item->line, b.item->line);
			ck_assert_uint_eq(a.item->opno, b.item->opno);
			ck_assert_uint_eq(a.item->size, b.item->size);
			ck_assert_uint_eq(a.item->count, b.item->count);
		}
		ck_assert_str_eq(a.msg, b.msg);
		ck_assert_int_eq(a.has_block, b.has_block);
		zmm_loc_format(&a.loc, la, sizeof(la));
		zmm_loc_format(&b.loc, lb, sizeof(lb));
		ck_assert_str_eq(la, lb);
	}
	assert_same_text("events after the seek", rec->text, ref_rec->text);
}

/*
 * Seeks R to item INDEX, then checks it against a replay that stepped
 * there straight: the same state, zmm_heap_check() content, no event
 * while seeking, and the same results and events for the next steps.
 */
static void
assert_seek_straight(struct replay *r, struct zt_recorder *rec, size_t index)
{
	const struct trace *t = replay_trace(r);
	struct replay *ref;
	struct zt_recorder ref_rec;
	struct replay_step step;
	char *got, *want;
	size_t i;

	recorder_init(&ref_rec);
	zt_recorder_clear(rec);
	ck_assert_int_eq(replay_seek_item(r, index), 0);
	ck_assert_uint_eq(rec->len, 0);
	ck_assert_uint_eq(replay_position(r), index);
	zt_assert_heap_ok(replay_heap(r));
	ref = replay_new(t, NULL, NULL);
	ck_assert_ptr_nonnull(ref);
	for (i = 0; i < index; i++)
		replay_step(ref, &step);
	got = replay_text(r);
	want = replay_text(ref);
	assert_same_text("state after the seek", got, want);
	ck_assert_int_ge(replay_listen(ref, zt_recorder_event, &ref_rec), 0);
	assert_same_steps(r, rec, ref, &ref_rec, 25);
	free(got);
	free(want);
	zt_recorder_free(&ref_rec);
	replay_free(ref);
}

/*
 * Random seeks back and forth over a random trace with checkpoints every
 * few items, each against a straight replay; returns the replay's
 * checkpoints at the end.
 */
static void
seek_at_random(uint32_t seed, const struct replay_options *opts,
    struct replay_checkpoints *out)
{
	size_t len, n, target;
	char *text = random_trace(seed, 1500, &len);
	struct trace *t = zt_trace_load("random.zmt", text, len);
	struct replay *r = replay_new(t, opts, NULL);
	struct replay_checkpoints cps;
	struct zt_recorder rec;
	int i;

	ck_assert_ptr_nonnull(r);
	recorder_init(&rec);
	ck_assert_int_ge(replay_listen(r, zt_recorder_event, &rec), 0);
	n = trace_item_count(t);
	/*
	 * The first pass, partly after a restore (the checkpoints it takes
	 * then must be as good), then everywhere, near checkpoints too.
	 */
	assert_seek_straight(r, &rec, n / 3);
	assert_seek_straight(r, &rec, n / 6);
	assert_seek_straight(r, &rec, n);
	for (i = 0; i < 40; i++) {
		target = lcg(&seed) % (n + 1);
		if (i % 4 == 1)		/* on a multiple of K, or next to one */
			target = target / 64 * 64 + lcg(&seed) % 3;
		if (target > n)
			target = n;
		assert_seek_straight(r, &rec, target);
		replay_checkpoints(r, &cps);
		ck_assert_uint_le(cps.bytes, cps.budget);
	}
	assert_seek_straight(r, &rec, 0);
	replay_checkpoints(r, out);
	zt_recorder_free(&rec);
	replay_free(r);
	trace_free(t);
	free(text);
}

/*
 * checkpoint_steps: stepping forwards takes the checkpoints a seek would,
 * so seeks back over what was stepped restore one; without it stepping
 * takes none.  Either way the seeks match a straight replay.
 */
START_TEST(test_replay_checkpoints_while_stepping)
{
	struct replay_options opts = { .checkpoint_spacing = 64,
	    .checkpoint_steps = _i == 0 };
	size_t len, n, k;
	char *text = random_trace(31, 1500, &len);
	struct trace *t = zt_trace_load("random.zmt", text, len);
	struct replay *r = replay_new(t, &opts, NULL);
	struct replay_checkpoints cps;
	struct replay_step step;
	struct zt_recorder rec;

	ck_assert_ptr_nonnull(r);
	recorder_init(&rec);
	ck_assert_int_ge(replay_listen(r, zt_recorder_event, &rec), 0);
	n = trace_item_count(t);
	ck_assert_uint_gt(n, 640);
	while (replay_step(r, &step) != REPLAY_END)
		;
	replay_checkpoints(r, &cps);
	/* item 0's, then one at each multiple of 64 that a step started at */
	ck_assert_uint_eq(cps.count, _i == 0 ? (n - 1) / 64 + 1 : 1);
	for (k = n; k > 0; k = k * 2 / 3)
		assert_seek_straight(r, &rec, k - 1);
	zt_recorder_free(&rec);
	replay_free(r);
	trace_free(t);
	free(text);
}
END_TEST

START_TEST(test_replay_seek_checkpoints_match_straight)
{
	/* the first run checks the heap after every op (and `size`) */
	struct replay_options opts = { .check = _i == 0,
	    .checkpoint_spacing = 64 };
	struct replay_checkpoints cps;

	seek_at_random(7 + (uint32_t)_i, &opts, &cps);
	ck_assert_uint_gt(cps.count, 10);
	ck_assert_uint_eq(cps.spacing, 64);
}
END_TEST

/* Back onto a checkpoint right after a failed op: its message too. */
START_TEST(test_replay_seek_restores_the_last_error)
{
	struct trace *t = load("alloc a 8\n@limit 2M\nalloc h 3000000\n"
	    "alloc b 8\nfree b\nfree a\n");
	struct replay_options opts = { .checkpoint_spacing = 3 };
	struct replay *r = replay_new(t, &opts, NULL);
	struct replay_checkpoints cps;
	const char *msg = "Allowed memory size of 2097152 bytes exhausted "
	    "(tried to allocate 3000000 bytes)";

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(replay_seek_item(r, 3), 0);
	ck_assert_str_eq(zmm_heap_last_error(replay_heap(r)), msg);
	ck_assert_int_eq(replay_seek_item(r, 6), 0);
	ck_assert_str_eq(zmm_heap_last_error(replay_heap(r)), "");
	replay_checkpoints(r, &cps);
	ck_assert_uint_eq(cps.count, 3);	/* items 0, 3 and 6 */
	ck_assert_int_eq(replay_seek_item(r, 3), 0);
	ck_assert_str_eq(zmm_heap_last_error(replay_heap(r)), msg);
	replay_free(r);
	trace_free(t);
}
END_TEST

/* A small budget: K doubles and checkpoints go, seeks stay exact. */
START_TEST(test_replay_seek_checkpoint_budget)
{
	struct replay_options opts = { .checkpoint_budget = 1 << 20,
	    .checkpoint_spacing = 16 };
	struct replay_checkpoints cps;

	seek_at_random(99, &opts, &cps);
	ck_assert_uint_gt(cps.spacing, 16);
	ck_assert_uint_gt(cps.count, 1);
	ck_assert_uint_le(cps.bytes, 1 << 20);
}
END_TEST

/*
 * Adaptive K: at least REPLAY_CHECKPOINT_SPACING, and more when a
 * checkpoint costs more to copy than stepping K items (32 bytes each).
 */
START_TEST(test_replay_seek_checkpoint_spacing_follows_cost)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct replay_checkpoints cps;
	struct trace *t;
	struct replay *r;
	int i;

	/* one slot taken and given back: cheap checkpoints */
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 20000; i++)
		fputs("alloc b 8\nfree b\n", f);
	/* then 40000 slots of 64 bytes kept: dear ones */
	for (i = 0; i < 40000; i++)
		fprintf(f, "alloc b%d 64\n", i);
	fclose(f);
	t = zt_trace_load("slots.zmt", text, len);
	r = replay_new(t, NULL, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(replay_seek_op(r, 40000), 0);
	replay_checkpoints(r, &cps);
	ck_assert_uint_eq(cps.spacing, REPLAY_CHECKPOINT_SPACING);
	ck_assert_uint_eq(cps.count, 40000 / REPLAY_CHECKPOINT_SPACING + 1);
	ck_assert_int_eq(replay_seek_op(r, 80000), 0);
	replay_checkpoints(r, &cps);
	/* 32768 slots and live IDs, at 32 bytes per item of K */
	ck_assert_uint_ge(cps.spacing, 65536);
	ck_assert_uint_le(cps.count, 80000 / cps.spacing + 1);
	ck_assert_int_eq(replay_seek_op(r, 1000), 0);
	ck_assert_int_eq(replay_op(r), 1000);
	zt_assert_heap_ok(replay_heap(r));
	ck_assert_int_eq(replay_seek_op(r, 70000), 0);
	ck_assert_int_eq(replay_op(r), 70000);
	zt_assert_heap_ok(replay_heap(r));
	replay_free(r);
	trace_free(t);
	free(text);
}
END_TEST

Suite *
suite_replay(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_replay_steps);
	tcase_add_test(tc, test_replay_reset_forgets_ids);
	tcase_add_test(tc, test_replay_rep_realloc_of_dead_id_allocates);
	tcase_add_test(tc, test_replay_seek_back_gives_same_heap);
	tcase_add_test(tc, test_replay_seek_forward_and_item);
	tcase_add_test(tc, test_replay_limit_directive);
	suite_add_tcase(s, tc);
	tc = tcase_create("owner");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_replay_owner_follows_steps);
	tcase_add_test(tc, test_replay_owner_after_seek_and_reset);
	tcase_add_test(tc, test_replay_owner_asked_during_an_op);
	tcase_add_test(tc, test_replay_owner_many_blocks);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_replay_liveness_errors_leave_heap);
	tcase_add_test(tc, test_replay_bad_line_is_an_error_step);
	suite_add_tcase(s, tc);
	tc = tcase_create("snapshot");
	tcase_add_test(tc, test_snapshot_restores_contents_and_layout);
	tcase_add_test(tc, test_snapshot_forwards_and_back);
	tcase_add_test(tc, test_snapshot_shares_unchanged_chunks);
	tcase_add_test(tc, test_snapshot_refusals_and_listeners);
	suite_add_tcase(s, tc);
	tc = tcase_create("checkpoints");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_replay_seek_checkpoints_match_straight,
	    0, 4);
	tcase_add_test(tc, test_replay_seek_restores_the_last_error);
	tcase_add_test(tc, test_replay_seek_checkpoint_budget);
	tcase_add_loop_test(tc, test_replay_checkpoints_while_stepping, 0, 2);
	tcase_add_test(tc, test_replay_seek_checkpoint_spacing_follows_cost);
	suite_add_tcase(s, tc);
	return s;
}
