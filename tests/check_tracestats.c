/*
 * check_tracestats.c - trace statistics on small traces whose numbers are
 * worked out by hand: ops, peak live bytes and the op of the peak, peak
 * real_size, utilisation, rounding per bin/large/huge, partly used and
 * empty small runs (multi-page runs included), the largest free run of
 * each chunk, and chunk traffic through the cache.
 */
#include "config.h"

#include <string.h>

#include "replay.h"
#include "tests.h"
#include "trace.h"
#include "tracestats.h"

#define MIB	((size_t)1024 * 1024)

static struct trace *trace;
static struct replay *replay;
static struct tracestats ts;

/* Replays TEXT to its end (errors skipped) with statistics. */
static void
run(const char *text)
{
	struct replay_step step;
	int status;

	trace = zt_trace_load("t.zmt", text, strlen(text));
	replay = replay_new(trace, NULL, &status);
	ck_assert_msg(replay != NULL, "replay_new: %s", zmm_strerror(status));
	ck_assert_int_eq(tracestats_start(&ts, replay), 0);
	while (replay_step(replay, &step) != REPLAY_END) {
		ck_assert_int_ne(step.status, REPLAY_CHECK_FAILED);
		tracestats_step(&ts, &step);
	}
	ck_assert_int_eq(tracestats_finish(&ts), 0);
}

static void
done(void)
{
	tracestats_free(&ts);
	replay_free(replay);
	trace_free(trace);
}

static void
assert_rounding(const struct tracestats_rounding *r, uint64_t blocks,
    uint64_t requested, uint64_t rounded)
{
	ck_assert_uint_eq(r->blocks, blocks);
	ck_assert_uint_eq(r->requested, requested);
	ck_assert_uint_eq(r->rounded, rounded);
}

START_TEST(test_small_and_large)
{
	int bin;

	run("alloc a 24\nalloc b 100\nfree a\nalloc c 5000\n");
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_ALLOC], 3);
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_FREE], 1);
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_REALLOC], 0);
	ck_assert_uint_eq(ts.trace_errors, 0);
	ck_assert_uint_eq(ts.failed_ops, 0);
	/* 24, 124, 100, then 100 + 5000 */
	ck_assert_uint_eq(ts.live_bytes, 5100);
	ck_assert_uint_eq(ts.peak_live_bytes, 5100);
	ck_assert_uint_eq(ts.peak_live_op, 4);
	ck_assert_uint_eq(ts.peak_real_size, 2 * MIB);
	ck_assert_uint_eq(ts.peak_real_op, 0);
	ck_assert_double_eq_tol(tracestats_utilisation(&ts),
	    100.0 * 5100 / (2.0 * MIB), 1e-9);
	/* 24 fits bin 2 exactly; 100 rounds to bin 10's 112; 5000 to 2 pages */
	assert_rounding(&ts.bins[2].rounding, 1, 24, 24);
	assert_rounding(&ts.bins[10].rounding, 1, 100, 112);
	assert_rounding(&ts.large, 1, 5000, 8192);
	assert_rounding(&ts.huge, 0, 0, 0);
	for (bin = 0; bin < ZMM_BINS; bin++)
		if (bin != 2 && bin != 10)
			ck_assert_uint_eq(ts.bins[bin].rounding.blocks, 0);
	ck_assert_double_eq_tol(tracestats_waste_percent(&ts.bins[10].rounding),
	    100.0 * 12 / 112, 1e-9);
	ck_assert_double_eq_tol(tracestats_waste_percent(&ts.large),
	    100.0 * 3192 / 8192, 1e-9);
	/* bin 2's run lost its only block; bin 10's still holds b */
	ck_assert_uint_eq(ts.bins[2].empty_runs, 1);
	ck_assert_uint_eq(ts.bins[2].partial_runs, 0);
	ck_assert_uint_eq(ts.bins[10].partial_runs, 1);
	ck_assert_uint_eq(ts.bins[10].partial_pages, 1);
	ck_assert_uint_eq(ts.partial_runs, 1);
	ck_assert_uint_eq(ts.empty_pages, 1);
	/* c0: header, bin 2 run, bin 10 run, c's pages 3-4: 5..511 free */
	ck_assert_uint_eq(ts.nchunks, 1);
	ck_assert_uint_eq(ts.chunks[0].serial, 0);
	ck_assert_uint_eq(ts.chunks[0].free_pages, 507);
	ck_assert_uint_eq(ts.chunks[0].largest_free, 507);
	ck_assert_uint_eq(ts.chunks[0].largest_at, 5);
	ck_assert_uint_eq(ts.chunks_from_storage, 0);
	ck_assert_uint_eq(ts.heap.size, 112 + 8192);
	done();
}
END_TEST

/* A hole in the middle: the largest free run is the tail, not the hole. */
START_TEST(test_largest_free_run)
{
	run("alloc a 40K\nalloc b 4K\nalloc c 8K\nfree a\n");
	/* a: pages 1-10 (freed), b: 11, c: 12-13, free 14..511 */
	ck_assert_uint_eq(ts.chunks[0].free_pages, 508);
	ck_assert_uint_eq(ts.chunks[0].largest_free, 498);
	ck_assert_uint_eq(ts.chunks[0].largest_at, 14);
	ck_assert_uint_eq(ts.peak_live_bytes, 53248);
	ck_assert_uint_eq(ts.peak_live_op, 3);
	ck_assert_uint_eq(ts.live_bytes, 12288);
	done();
}
END_TEST

/* Bin 29: 4 slots of 3072 in a 3-page run; free slots on its later pages. */
START_TEST(test_multi_page_run)
{
	run("alloc a 3000\nalloc b 3072\n");
	assert_rounding(&ts.bins[29].rounding, 2, 6072, 6144);
	ck_assert_uint_eq(ts.bins[29].partial_runs, 1);
	ck_assert_uint_eq(ts.bins[29].partial_pages, 3);
	ck_assert_uint_eq(ts.partial_pages, 3);
	ck_assert_uint_eq(ts.empty_runs, 0);
	done();
	run("alloc a 3000\nalloc b 3072\nfree a\nfree b\n");
	ck_assert_uint_eq(ts.bins[29].partial_runs, 0);
	ck_assert_uint_eq(ts.bins[29].empty_runs, 1);
	ck_assert_uint_eq(ts.bins[29].empty_pages, 3);
	/* gc gives the empty run back: nothing left to count */
	done();
	run("alloc a 3000\nalloc b 3072\nfree a\nfree b\ngc\n");
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_GC], 1);
	ck_assert_uint_eq(ts.empty_runs, 0);
	ck_assert_uint_eq(ts.chunks[0].free_pages, 511);
	ck_assert_uint_eq(ts.chunks[0].largest_free, 511);
	ck_assert_uint_eq(ts.chunks[0].largest_at, 1);
	done();
}
END_TEST

/*
 * a takes all 511 pages of c0, so b needs chunk c1 from storage; freeing
 * b empties c1, which goes to the cache (1 + 0 chunks < average 1 + 0.1);
 * c takes it back from there.
 */
START_TEST(test_chunk_traffic)
{
	run("alloc a 2093056\nalloc b 8192\nfree b\nalloc c 8192\n");
	ck_assert_uint_eq(ts.chunks_from_storage, 1);
	ck_assert_uint_eq(ts.chunks_cached, 1);
	ck_assert_uint_eq(ts.chunks_from_cache, 1);
	ck_assert_uint_eq(ts.chunks_released, 0);
	ck_assert_uint_eq(ts.peak_real_size, 4 * MIB);
	ck_assert_uint_eq(ts.peak_real_op, 2);
	ck_assert_uint_eq(ts.peak_live_bytes, 2093056 + 8192);
	ck_assert_uint_eq(ts.peak_live_op, 2);
	ck_assert_double_eq_tol(tracestats_utilisation(&ts),
	    100.0 * (2093056 + 8192) / (4.0 * MIB), 1e-9);
	assert_rounding(&ts.large, 3, 2093056 + 2 * 8192, 2093056 + 2 * 8192);
	ck_assert_uint_eq(ts.nchunks, 2);
	ck_assert_uint_eq(ts.chunks[0].serial, 0);
	ck_assert_uint_eq(ts.chunks[0].free_pages, 0);
	ck_assert_uint_eq(ts.chunks[0].largest_free, 0);
	ck_assert_uint_eq(ts.chunks[0].largest_at, 0);
	ck_assert_uint_eq(ts.chunks[1].serial, 1);
	ck_assert_uint_eq(ts.chunks[1].free_pages, 509);
	ck_assert_uint_eq(ts.chunks[1].largest_free, 509);
	ck_assert_uint_eq(ts.chunks[1].largest_at, 3);
	ck_assert_uint_eq(ts.heap.chunks_count, 2);
	done();
}
END_TEST

/*
 * A huge block: its mapping is rounded to pages and real_size peaks
 * inside the op.  A trace error and a refused op are counted apart, and
 * reset forgets every live byte.
 */
START_TEST(test_huge_errors_reset)
{
	run("alloc h 3000000\nfree h\n@limit 3M\nalloc a 8\nfree zz\n"
	    "alloc big 4M\nreset\nalloc b 4\n");
	assert_rounding(&ts.huge, 1, 3000000, 3002368);
	ck_assert_uint_eq(ts.peak_real_size, 2 * MIB + 3002368);
	ck_assert_uint_eq(ts.peak_real_op, 1);
	ck_assert_uint_eq(ts.peak_live_bytes, 3000000);
	ck_assert_uint_eq(ts.peak_live_op, 1);
	ck_assert_uint_eq(ts.trace_errors, 1);
	ck_assert_uint_eq(ts.failed_ops, 1);
	/* the refused alloc reached the heap; the bad free did not */
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_ALLOC], 4);
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_FREE], 1);
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_RESET], 1);
	ck_assert_uint_eq(ts.live_bytes, 4);
	assert_rounding(&ts.bins[0].rounding, 2, 12, 16);
	done();
}
END_TEST

/* Counting started mid-trace takes the live blocks it finds. */
START_TEST(test_start_midway)
{
	struct replay_step step;
	int status;
	const char *text = "alloc a 100\nalloc b 50\nfree a\n";

	trace = zt_trace_load("t.zmt", text, strlen(text));
	replay = replay_new(trace, NULL, &status);
	ck_assert_ptr_nonnull(replay);
	ck_assert_int_eq(replay_step(replay, &step), REPLAY_OK);
	ck_assert_int_eq(replay_step(replay, &step), REPLAY_OK);
	ck_assert_int_eq(tracestats_start(&ts, replay), 0);
	ck_assert_uint_eq(ts.live_bytes, 150);
	ck_assert_uint_eq(ts.peak_live_op, 2);
	while (replay_step(replay, &step) != REPLAY_END)
		tracestats_step(&ts, &step);
	ck_assert_int_eq(tracestats_finish(&ts), 0);
	ck_assert_uint_eq(ts.live_bytes, 50);
	ck_assert_uint_eq(ts.peak_live_bytes, 150);
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_FREE], 1);
	ck_assert_uint_eq(ts.ops[TRACESTATS_OP_ALLOC], 0);
	done();
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(tracestats_op_name(TRACESTATS_OP_ALLOC), "alloc");
	ck_assert_str_eq(tracestats_op_name(TRACESTATS_OP_RESET), "reset");
	ck_assert_str_eq(tracestats_op_name(TRACESTATS_OPS), "?");
}
END_TEST

Suite *
suite_tracestats(void)
{
	Suite *s = suite_create("tracestats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_small_and_large);
	tcase_add_test(tc, test_largest_free_run);
	tcase_add_test(tc, test_multi_page_run);
	tcase_add_test(tc, test_chunk_traffic);
	tcase_add_test(tc, test_huge_errors_reset);
	tcase_add_test(tc, test_start_midway);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}
