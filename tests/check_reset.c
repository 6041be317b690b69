/*
 * check_reset.c - the end of a request, `zend_mm_shutdown(heap, full=0)`
 * (zendmm-php8.md section 16, example 21.4): huge blocks unmapped, ring
 * chunks cached last-first, the cache trimmed to the average demand, kept
 * headers zeroed, the main chunk and the statistics started over.
 */
#include "config.h"

#include <stdio.h>

#include "tests.h"

#define MIB2	ZMM_CHUNK_SIZE
#define CHUNK_BLOCK ((size_t)511 * 4096)

static void
reset_ok(struct zmm_heap *heap)
{
	zmm_heap_reset(heap);
	zt_assert_heap_ok(heap);
}

/* The main chunk as a fresh heap has it; every free list empty. */
static void
assert_fresh_main(const struct zmm_heap *heap)
{
	struct zmm_chunk_info info = zt_chunk_info(heap, 0);
	unsigned i;
	int bin;

	ck_assert(info.is_main);
	ck_assert_uint_eq(info.free_pages, 511);
	ck_assert_uint_eq(info.free_tail, 1);
	ck_assert_uint_eq(info.num, 0);
	ck_assert_uint_eq(info.free_map[0], 1);
	for (i = 1; i < ZMM_PAGE_MAP_LEN; i++)
		ck_assert_uint_eq(info.free_map[i], 0);
	ck_assert_uint_eq(info.map[0], 0x40000001u);
	for (i = 1; i < ZMM_PAGES; i++)
		ck_assert_msg(info.map[i] == 0, "map[%u] = 0x%08x", i,
		    info.map[i]);
	for (bin = 0; bin < ZMM_BINS; bin++)
		ck_assert_ptr_null(zmm_heap_bin_head(heap, bin));
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	ck_assert_str_eq(zt_ring(heap), "c0");
}

/* A cached chunk whose whole header was zeroed. */
static void
assert_zeroed_header(const struct zmm_heap *heap, unsigned serial)
{
	struct zmm_chunk_info info = zt_chunk_info(heap, serial);
	unsigned i;

	ck_assert(!info.is_main);
	ck_assert_uint_eq(info.free_pages, 0);
	ck_assert_uint_eq(info.free_tail, 0);
	ck_assert_uint_eq(info.num, 0);
	for (i = 0; i < ZMM_PAGE_MAP_LEN; i++)
		ck_assert_uint_eq(info.free_map[i], 0);
	for (i = 0; i < ZMM_PAGES; i++)
		ck_assert_uint_eq(info.map[i], 0);
}

/* Example 21.4 of zendmm-php8.md. */
START_TEST(test_reset_example)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_stats st;
	void *b[5], *s;
	char want[16];
	int i;

	for (i = 0; i < 5; i++) {
		b[i] = zt_alloc_ok(heap, 2000000);
		snprintf(want, sizeof(want), "c%d+0x1000", i);
		ck_assert_str_eq(zt_loc(heap, b[i]), want);
	}
	s = zt_alloc_ok(heap, 100);
	ck_assert_str_eq(zt_loc(heap, s), "c0+0x1ea000");
	zt_free_ok(heap, b[4]);
	zt_free_ok(heap, b[3]);
	zt_free_ok(heap, b[2]);
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	ck_assert_str_eq(zt_cache(heap), "");
	zt_free_ok(heap, b[1]);
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "c1");
	zt_assert_sizes(heap, 2003056, 10014832, 4194304, 10485760);
	st = zt_stats(heap);
	ck_assert_uint_eq(st.peak_chunks_count, 5);

	reset_ok(heap);
	st = zt_stats(heap);
	ck_assert(st.avg_chunks_count == 3.0);
	ck_assert_uint_eq(st.chunks_count, 1);
	ck_assert_uint_eq(st.peak_chunks_count, 1);
	ck_assert_uint_eq(st.cached_chunks_count, 1);
	ck_assert_int_eq(st.last_chunks_delete_boundary, 0);
	ck_assert_int_eq(st.last_chunks_delete_count, 0);
	zt_assert_sizes(heap, 0, 0, 4194304, 4194304);
	ck_assert_str_eq(zt_cache(heap), "c1");
	assert_fresh_main(heap);
	assert_zeroed_header(heap, 1);

	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2000000)), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2000000)), "c1+0x1000");
	ck_assert_str_eq(zt_cache(heap), "");
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	ck_assert_uint_eq(zt_chunk_info(heap, 1).num, 1);
	zt_assert_sizes(heap, 2 * 2002944, 2 * 2002944, 4194304, 4194304);
	/* the next chunk comes from storage: a fresh serial */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2000000)), "c5+0x1000");
	ck_assert_uint_eq(zt_stats(heap).chunks_mapped, 6);
	zmm_heap_free_all(heap);
}
END_TEST

/* reset.zmt: huge blocks go, the cache is trimmed to the average. */
START_TEST(test_reset_trims_cache)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_stats st;
	void *x;

	zt_alloc_ok(heap, 8);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 100)), "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, CHUNK_BLOCK)), "c1+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, CHUNK_BLOCK)), "c2+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 5 * 1024 * 1024)),
	    "huge:5242880");
	reset_ok(heap);
	/* cache c2 c1, avg (1 + 3) / 2 = 2: c2 trimmed */
	st = zt_stats(heap);
	ck_assert(st.avg_chunks_count == 2.0);
	ck_assert_uint_eq(st.huge_count, 0);
	ck_assert_str_eq(zt_cache(heap), "c1");
	zt_assert_sizes(heap, 0, 0, 2 * MIB2, 2 * MIB2);
	assert_fresh_main(heap);

	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8)), "c0+0x1000");
	x = zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, x), "c1+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, CHUNK_BLOCK)), "c3+0x1000");
	zt_free_ok(heap, x);		/* 2 + 0 < 2.0 + 0.1: cached */
	ck_assert_str_eq(zt_cache(heap), "c1");
	ck_assert_str_eq(zt_ring(heap), "c0 c3");
	reset_ok(heap);
	/* cache c3 c1, avg (2 + 3) / 2 = 2.5: c3 trimmed */
	st = zt_stats(heap);
	ck_assert(st.avg_chunks_count == 2.5);
	ck_assert_str_eq(zt_cache(heap), "c1");
	zt_assert_sizes(heap, 0, 0, 2 * MIB2, 2 * MIB2);
	assert_fresh_main(heap);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 16)), "c0+0x1000");
	zt_assert_sizes(heap, 16, 16, 2 * MIB2, 2 * MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* The ring goes into the cache in ring order: its last chunk first. */
START_TEST(test_reset_cache_order)
{
	struct zmm_heap *heap = zt_heap_new();
	int i;

	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, 510 * 4096);
	for (i = 0; i < 4; i++)
		zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2 c3 c4");
	reset_ok(heap);
	/* c4 c3 c2 c1, avg (1 + 5) / 2 = 3: two kept */
	ck_assert_str_eq(zt_cache(heap), "c2 c1");
	zt_assert_sizes(heap, 0, 0, 3 * MIB2, 3 * MIB2);
	assert_zeroed_header(heap, 2);
	assert_zeroed_header(heap, 1);
	zmm_heap_free_all(heap);

	/* ring c0 c3 c1 c2 after a move to the front: cache c2 c1 c3 */
	heap = zt_heap_new();
	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, 510 * 4096);
	zt_alloc_ok(heap, CHUNK_BLOCK);
	zt_alloc_ok(heap, CHUNK_BLOCK);
	zt_alloc_ok(heap, 4096);
	zt_alloc_ok(heap, 4096);
	ck_assert_str_eq(zt_ring(heap), "c0 c3 c1 c2");
	reset_ok(heap);
	/* avg (1 + 4) / 2 = 2.5: c2 and c1 trimmed, c3 kept */
	ck_assert(zt_stats(heap).avg_chunks_count == 2.5);
	ck_assert_str_eq(zt_cache(heap), "c3");
	zt_assert_sizes(heap, 0, 0, 2 * MIB2, 2 * MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* avg 1.0 and a peak of 2 chunks: avg 1.5, nothing kept. */
START_TEST(test_reset_trims_everything)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	struct zmm_stats st;

	zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 24)), "c1+0x1000");
	zt_recorder_listen(heap, &rec);
	reset_ok(heap);
	ck_assert_str_eq(rec.text,
	    "{\"op\":0,\"ev\":\"chunk_cache\",\"chunk\":\"c1\","
	    "\"why\":\"request_end\"}\n"
	    "{\"op\":0,\"ev\":\"chunk_release\",\"chunk\":\"c1\","
	    "\"why\":\"cache_trim\"}\n"
	    "{\"op\":0,\"ev\":\"reset\",\"count\":0}\n");
	st = zt_stats(heap);
	ck_assert(st.avg_chunks_count == 1.5);
	ck_assert_str_eq(zt_cache(heap), "");
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	assert_fresh_main(heap);
	/* a later chunk is a fresh one from storage */
	zt_recorder_clear(&rec);
	zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 24)), "c2+0x1000");
	/* a request that never left c0: avg (1.5 + 2) / 2, then 1.375 */
	reset_ok(heap);
	ck_assert(zt_stats(heap).avg_chunks_count == 1.75);
	reset_ok(heap);
	ck_assert(zt_stats(heap).avg_chunks_count == 1.375);
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* Huge blocks are unmapped; the limit is kept; a fresh heap resets too. */
START_TEST(test_reset_huge_and_limit)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_stats st;

	ck_assert_int_eq(zmm_heap_set_limit(heap, 64 * MIB2), ZMM_OK);
	zt_assert_heap_ok(heap);
	zt_alloc_ok(heap, 3000000);
	zt_alloc_ok(heap, 2500000);
	zt_alloc_ok(heap, 100);
	zt_assert_sizes(heap, 3002368 + 2502656 + 48 + 112,
	    3002368 + 2502656 + 48 + 112, MIB2 + 3002368 + 2502656,
	    MIB2 + 3002368 + 2502656);
	reset_ok(heap);
	st = zt_stats(heap);
	ck_assert_uint_eq(st.huge_count, 0);
	ck_assert_uint_eq(st.limit, 64 * MIB2);
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	assert_fresh_main(heap);
	reset_ok(heap);
	assert_fresh_main(heap);
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 24)), "c0+0x1000");
	zmm_heap_free_all(heap);
}
END_TEST

Suite *
suite_reset(void)
{
	Suite *s = suite_create("reset");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_reset_example);
	tcase_add_test(tc, test_reset_trims_cache);
	tcase_add_test(tc, test_reset_cache_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_reset_trims_everything);
	tcase_add_test(tc, test_reset_huge_and_limit);
	suite_add_tcase(s, tc);
	return s;
}
