/*
 * check_gc.c - `zend_mm_gc` (zendmm-php8.md section 15, example 21.3):
 * fully free small runs go back (their NRUN words stay), their slots leave
 * the free lists while the others keep their order, bin-0 runs are never
 * released, emptied chunks are deleted by the cache rule, the gc counters
 * are reset, and the model keeps a main chunk that gc left empty.
 */
#include "config.h"

#include "tests.h"

#define MIB2	ZMM_CHUNK_SIZE

static size_t
gc_ok(struct zmm_heap *heap)
{
	size_t n = zmm_heap_gc(heap);

	zt_assert_heap_ok(heap);
	return n;
}

/* Example 21.3 of zendmm-php8.md. */
START_TEST(test_gc_multi_page_run)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	struct zmm_stats st;
	void *s[64];
	int i;

	for (i = 0; i < 64; i++)
		s[i] = zt_alloc_ok(heap, 300);
	ck_assert_str_eq(zt_loc(heap, s[63]), "c0+0x5ec0");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 24)), "c0+0x6000");
	for (i = 0; i < 64; i++)
		zt_free_ok(heap, s[i]);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x80000010 "
	    "2:0xc0010010 3:0xc0020010 4:0xc0030010 5:0xc0040010 "
	    "6:0x80000002");
	ck_assert_str_eq(zt_bin_list(heap, 16, 2), "c0+0x5ec0 c0+0x5d80");
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 16), 64);

	ck_assert_uint_eq(gc_ok(heap), 20480);
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_pages, 510);
	ck_assert_uint_eq(info.free_map[0], 0x41);
	ck_assert_uint_eq(info.free_tail, 7);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 2:0xc0010010 "
	    "3:0xc0020010 4:0xc0030010 5:0xc0040010 6:0x80000002");
	ck_assert_ptr_null(zmm_heap_bin_head(heap, 16));
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 169);
	ck_assert_str_eq(zt_bin_list(heap, 2, 1), "c0+0x6018");
	zt_assert_sizes(heap, 24, 20504, MIB2, MIB2);
	zmm_heap_stats(heap, &st);
	ck_assert_uint_eq(st.gc_runs, 1);
	/* nothing left to collect */
	ck_assert_uint_eq(gc_ok(heap), 0);
	/* the released pages are reused; the stale words stay until then */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x1000");
	ck_assert_uint_eq(zt_map_word(heap, 0, 2), 0xc0010010u);
	zmm_heap_free_all(heap);
}
END_TEST

/* A 1-page run goes back; slots of the next run stay (gc.zmt). */
START_TEST(test_gc_one_page_run)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a[17];
	int i;

	zt_alloc_ok(heap, 8);
	for (i = 0; i < 17; i++)
		a[i] = zt_alloc_ok(heap, 256);
	ck_assert_str_eq(zt_loc(heap, a[15]), "c0+0x2f00");
	ck_assert_str_eq(zt_loc(heap, a[16]), "c0+0x3000");
	for (i = 0; i < 16; i++)
		zt_free_ok(heap, a[i]);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 15), 31);
	ck_assert_uint_eq(gc_ok(heap), 4096);
	ck_assert_str_eq(zt_map_words(heap, 0),
	    "0:0x40000001 1:0x80000000 3:0x8000000f");
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 15), 15);
	ck_assert_str_eq(zt_bin_list(heap, 15, 16), "c0+0x3100 c0+0x3200 "
	    "c0+0x3300 c0+0x3400 c0+0x3500 c0+0x3600 c0+0x3700 c0+0x3800 "
	    "c0+0x3900 c0+0x3a00 c0+0x3b00 c0+0x3c00 c0+0x3d00 c0+0x3e00 "
	    "c0+0x3f00");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 509);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_map[0], 0xb);
	zt_assert_sizes(heap, 8 + 256, 8 + 17 * 256, MIB2, MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* Slots of a released run leave the list; the others keep their order. */
START_TEST(test_gc_unlink_keeps_order)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a[170], *b[5];
	int i;

	for (i = 0; i < 170; i++)
		a[i] = zt_alloc_ok(heap, 24);
	for (i = 0; i < 5; i++)
		b[i] = zt_alloc_ok(heap, 24);
	ck_assert_str_eq(zt_loc(heap, b[0]), "c0+0x2000");
	zt_free_ok(heap, b[1]);
	for (i = 0; i < 85; i++)
		zt_free_ok(heap, a[i]);
	zt_free_ok(heap, b[3]);
	for (i = 85; i < 170; i++)
		zt_free_ok(heap, a[i]);
	zt_free_ok(heap, b[2]);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 3 + 170 + 165);
	ck_assert_uint_eq(gc_ok(heap), 4096);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 168);
	ck_assert_str_eq(zt_bin_list(heap, 2, 6), "c0+0x2030 c0+0x2048 "
	    "c0+0x2018 c0+0x2078 c0+0x2090 c0+0x20a8");
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 2:0x80000002");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_map[0], 0x5);
	zt_assert_sizes(heap, 48, 175 * 24, MIB2, MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* A fully free bin-0 run is never released (9-bit counter). */
START_TEST(test_gc_bin0_never_released)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a, *b;

	a = zt_alloc_ok(heap, 8);
	b = zt_alloc_ok(heap, 16);
	zt_alloc_ok(heap, 24);
	zt_free_ok(heap, a);
	zt_free_ok(heap, b);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 0), 512);
	ck_assert_uint_eq(gc_ok(heap), 4096);		/* the bin-1 page only */
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 0), 512);
	ck_assert_str_eq(zt_bin_list(heap, 0, 3),
	    "c0+0x1000 c0+0x1008 c0+0x1010");
	ck_assert_ptr_null(zmm_heap_bin_head(heap, 1));
	ck_assert_str_eq(zt_map_words(heap, 0),
	    "0:0x40000001 1:0x80000000 3:0x80000002");
	/* and not on a second pass either */
	ck_assert_uint_eq(gc_ok(heap), 0);
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0x80000000u);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 16)), "c0+0x2000");
	zt_assert_sizes(heap, 40, 48, MIB2, MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* Runs with live slots get their counters reset to SRUN(bin). */
START_TEST(test_gc_counters_reset)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a, *b, *c, *m, *n;

	a = zt_alloc_ok(heap, 24);
	b = zt_alloc_ok(heap, 24);
	c = zt_alloc_ok(heap, 24);
	m = zt_alloc_ok(heap, 300);			/* bin 16, pages 2-6 */
	n = zt_alloc_ok(heap, 300);
	zt_free_ok(heap, b);
	zt_free_ok(heap, m);
	ck_assert_str_eq(zt_bin_list(heap, 2, 3),
	    "c0+0x1018 c0+0x1048 c0+0x1060");
	ck_assert_uint_eq(gc_ok(heap), 0);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x80000002 "
	    "2:0x80000010 3:0xc0010010 4:0xc0020010 5:0xc0030010 "
	    "6:0xc0040010");
	ck_assert_str_eq(zt_bin_list(heap, 2, 3),
	    "c0+0x1018 c0+0x1048 c0+0x1060");
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 168);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 16), 63);
	ck_assert_ptr_eq(zmm_heap_bin_head(heap, 16), m);
	zt_assert_sizes(heap, 48 + 320, 72 + 640, MIB2, MIB2);
	(void)a;
	(void)c;
	(void)n;
	zmm_heap_free_all(heap);
}
END_TEST

/* gc empties c1 in a full heap: c1 is deleted into the cache (gc.zmt). */
START_TEST(test_gc_deletes_chunk_into_cache)
{
	struct zmm_heap *heap = zt_heap_new();
	void *x1, *x2;

	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, 510 * 4096);
	x1 = zt_alloc_ok(heap, 64);
	x2 = zt_alloc_ok(heap, 64);
	ck_assert_str_eq(zt_loc(heap, x1), "c1+0x1000");
	ck_assert_str_eq(zt_loc(heap, x2), "c1+0x1040");
	zt_free_ok(heap, x1);
	zt_free_ok(heap, x2);
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	ck_assert_uint_eq(gc_ok(heap), 4096);
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "c1");
	ck_assert_ptr_null(zmm_heap_bin_head(heap, 7));
	zt_assert_sizes(heap, 8 + 510 * 4096, 8 + 510 * 4096 + 128,
	    2 * MIB2, 2 * MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * gc empties c1 and c2: in ring order c1 is released (2 + 0 < 1.1 is
 * false) and c2 cached (1 + 0 < 1.1).
 */
START_TEST(test_gc_deletes_chunks_in_ring_order)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_stats st;
	void *x, *fill, *y;

	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, 510 * 4096);
	x = zt_alloc_ok(heap, 64);
	fill = zt_alloc_ok(heap, 510 * 4096);
	y = zt_alloc_ok(heap, 128);
	ck_assert_str_eq(zt_loc(heap, x), "c1+0x1000");
	ck_assert_str_eq(zt_loc(heap, fill), "c1+0x2000");
	ck_assert_str_eq(zt_loc(heap, y), "c2+0x1000");
	zt_free_ok(heap, x);
	zt_free_ok(heap, fill);
	zt_free_ok(heap, y);
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2");
	ck_assert_uint_eq(gc_ok(heap), 8192);
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "c2");
	zt_assert_sizes(heap, 2088968, 4178120, 2 * MIB2, 3 * MIB2);
	zmm_heap_stats(heap, &st);
	ck_assert_int_eq(st.last_chunks_delete_boundary, 2);
	ck_assert_int_eq(st.last_chunks_delete_count, 0);
	ck_assert_uint_eq(st.chunks_count, 1);
	ck_assert_uint_eq(st.cached_chunks_count, 1);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * gc leaves the main chunk without a used page: PHP 8.2 would delete it;
 * the model keeps it and says so with a gc_main_kept event.
 */
START_TEST(test_gc_main_chunk_kept)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *a;

	a = zt_alloc_ok(heap, 16);
	zt_free_ok(heap, a);
	zt_recorder_listen(heap, &rec);
	ck_assert_uint_eq(gc_ok(heap), 4096);
	ck_assert_str_eq(rec.text,
	    "{\"op\":0,\"ev\":\"gc_begin\"}\n"
	    "{\"op\":0,\"ev\":\"gc_slots\",\"bin\":1,\"count\":256}\n"
	    "{\"op\":0,\"ev\":\"gc_run_free\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":1}\n"
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1}\n"
	    "{\"op\":0,\"ev\":\"gc_main_kept\",\"chunk\":\"c0\"}\n"
	    "{\"op\":0,\"ev\":\"gc_end\",\"size\":4096}\n");
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "");
	ck_assert(zt_chunk_info(heap, 0).is_main);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 511);
	zt_assert_sizes(heap, 0, 16, MIB2, MIB2);
	/* the heap goes on working from its main chunk */
	zt_recorder_clear(&rec);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 16)), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2093056 - 4096)),
	    "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c1+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* gc on a fresh heap: nothing to release, the empty main chunk is kept. */
START_TEST(test_gc_fresh_heap)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;

	zt_recorder_listen(heap, &rec);
	ck_assert_uint_eq(gc_ok(heap), 0);
	ck_assert_str_eq(rec.text,
	    "{\"op\":0,\"ev\":\"gc_begin\"}\n"
	    "{\"op\":0,\"ev\":\"gc_main_kept\",\"chunk\":\"c0\"}\n"
	    "{\"op\":0,\"ev\":\"gc_end\",\"size\":0}\n");
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "");
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

Suite *
suite_gc(void)
{
	Suite *s = suite_create("gc");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_gc_multi_page_run);
	tcase_add_test(tc, test_gc_one_page_run);
	tcase_add_test(tc, test_gc_unlink_keeps_order);
	tcase_add_test(tc, test_gc_counters_reset);
	tcase_add_test(tc, test_gc_deletes_chunk_into_cache);
	tcase_add_test(tc, test_gc_deletes_chunks_in_ring_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_gc_bin0_never_released);
	tcase_add_test(tc, test_gc_main_chunk_kept);
	tcase_add_test(tc, test_gc_fresh_heap);
	suite_add_tcase(s, tc);
	return s;
}
