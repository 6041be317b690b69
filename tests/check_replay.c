/*
 * check_replay.c - the replay engine: stepping, liveness errors that leave
 * the heap untouched, keep-going, seeking back and forth to identical
 * heaps, listeners kept and muted across seeks, captions, .rep rules,
 * and the reverse lookup from a block's address to its trace ID; heap
 * snapshots.
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
	struct replay_options opts = { true };
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
	/* back: rebuilt and replayed with the listener muted */
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
	/* back: a rebuilt heap, the index follows it */
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
	return s;
}
