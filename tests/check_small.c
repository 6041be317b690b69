/*
 * check_small.c - small allocations (zendmm-php8.md sections 7, 9.1, 3.5):
 * a fresh run returns its first slot and lists the rest in ascending
 * order, frees push on the head (LIFO, example 21.1), an exhausted run is
 * followed by a new one, the page words of multi-page runs, the `size` /
 * `peak` accounting and `zend_mm_block_size`.
 */
#include "config.h"

#include <string.h>

#include "tests.h"

START_TEST(test_small_first_slot)
{
	struct zmm_heap *heap = zt_heap_new();

	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 24)), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 24)), "c0+0x1018");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 24)), "c0+0x1030");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x1048");
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 167);
	zmm_heap_free_all(heap);
}
END_TEST

/* Slots come out in ascending order; the 171st 24-byte slot needs page 2. */
START_TEST(test_small_run_exhaustion)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	char *p;
	int i;

	for (i = 0; i < 170; i++) {
		p = zt_alloc_ok(heap, 24);
		ck_assert_uint_eq(zt_offset(heap, p), 0x1000 + 24 * (unsigned)i);
	}
	ck_assert_ptr_null(zmm_heap_bin_head(heap, 2));
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 0);
	p = zt_alloc_ok(heap, 17);
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x2018");
	zmm_chunk_info(zt_chunk(heap, 0), &info);
	ck_assert_uint_eq(info.free_pages, 509);
	ck_assert_uint_eq(info.free_tail, 3);
	ck_assert_uint_eq(info.free_map[0], 0x7);
	ck_assert_uint_eq(info.map[1], 0x80000002u);
	ck_assert_uint_eq(info.map[2], 0x80000002u);
	zt_assert_sizes(heap, 171 * 24, 171 * 24, ZMM_CHUNK_SIZE,
	    ZMM_CHUNK_SIZE);
	zmm_heap_free_all(heap);
}
END_TEST

/* Example 21.1 of zendmm-php8.md, the whole state. */
START_TEST(test_small_lifo_reuse)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	void *a, *b, *c, *d;
	const void *p;
	unsigned page, i, off;

	a = zt_alloc_ok(heap, 24);
	b = zt_alloc_ok(heap, 24);
	c = zt_alloc_ok(heap, 24);
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x1018");
	ck_assert_str_eq(zt_loc(heap, c), "c0+0x1030");
	zt_free_ok(heap, b);
	ck_assert_ptr_eq(zmm_heap_bin_head(heap, 2), b);
	d = zt_alloc_ok(heap, 20);
	ck_assert_ptr_eq(d, b);
	ck_assert_str_eq(zt_loc(heap, d), "c0+0x1018");

	zt_assert_sizes(heap, 72, 72, 2097152, 2097152);
	ck_assert_str_eq(zt_ring(heap), "c0");
	zmm_chunk_info(zt_chunk(heap, 0), &info);
	ck_assert_uint_eq(info.free_pages, 510);
	ck_assert_uint_eq(info.free_map[0], 0x3);
	for (i = 1; i < ZMM_PAGE_MAP_LEN; i++)
		ck_assert_uint_eq(info.free_map[i], 0);
	ck_assert_uint_eq(info.map[0], 0x40000001u);
	ck_assert_uint_eq(info.map[1], 0x80000002u);
	for (page = 2; page < ZMM_PAGES; page++)
		ck_assert_uint_eq(info.map[page], 0);
	/* bin 2 24: c0+0x1048 c0+0x1060 ... (167 slots) */
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 167);
	for (p = zmm_heap_bin_head(heap, 2), off = 0x1048; p != NULL;
	    p = zmm_slot_next(p), off += 24)
		ck_assert_uint_eq(zt_offset(heap, p), off);
	ck_assert_uint_eq(off, 0x1048 + 167 * 24);
	for (i = 0; i < ZMM_BINS; i++)
		if (i != 2)
			ck_assert_ptr_null(zmm_heap_bin_head(heap, (int)i));
	zmm_heap_free_all(heap);
}
END_TEST

/* Frees push on the head; allocations pop from it. */
START_TEST(test_small_free_list_order)
{
	struct zmm_heap *heap = zt_heap_new();
	void *s[5];
	int i;

	for (i = 0; i < 5; i++)
		s[i] = zt_alloc_ok(heap, 32);
	ck_assert_str_eq(zt_loc(heap, s[4]), "c0+0x1080");
	zt_free_ok(heap, s[1]);
	zt_free_ok(heap, s[3]);
	zt_free_ok(heap, s[0]);
	ck_assert_str_eq(zt_bin_list(heap, 3, 5),
	    "c0+0x1000 c0+0x1060 c0+0x1020 c0+0x10a0 c0+0x10c0");
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 3), 126);
	ck_assert_ptr_eq(zt_alloc_ok(heap, 25), s[0]);
	ck_assert_ptr_eq(zt_alloc_ok(heap, 32), s[3]);
	ck_assert_ptr_eq(zt_alloc_ok(heap, 30), s[1]);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 32)), "c0+0x10a0");
	ck_assert_str_eq(zt_bin_list(heap, 3, 2), "c0+0x10c0 c0+0x10e0");
	zmm_heap_free_all(heap);
}
END_TEST

/* Bin 16 at page 3: SRUN then NRUN(16, 1..4); a slot in an NRUN page. */
START_TEST(test_small_multi_page_run)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	void *run, *s[14];
	int i;

	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8)), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 16)), "c0+0x2000");
	run = zt_alloc_ok(heap, 300);
	ck_assert_str_eq(zt_loc(heap, run), "c0+0x3000");
	zmm_chunk_info(zt_chunk(heap, 0), &info);
	ck_assert_uint_eq(info.map[3], 0x80000010u);
	ck_assert_uint_eq(info.map[4], 0xc0010010u);
	ck_assert_uint_eq(info.map[5], 0xc0020010u);
	ck_assert_uint_eq(info.map[6], 0xc0030010u);
	ck_assert_uint_eq(info.map[7], 0xc0040010u);
	ck_assert_uint_eq(info.map[8], 0);
	ck_assert_uint_eq(info.free_pages, 504);
	ck_assert_uint_eq(info.free_tail, 8);
	ck_assert_uint_eq(info.free_map[0], 0xff);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 16), 63);

	for (i = 1; i < 14; i++)
		s[i] = zt_alloc_ok(heap, 320);
	/* slot 13 starts in page 4 (an NRUN page): same bin, same size */
	ck_assert_str_eq(zt_loc(heap, s[12]), "c0+0x3f00");
	ck_assert_str_eq(zt_loc(heap, s[13]), "c0+0x4040");
	ck_assert_uint_eq(zmm_heap_block_size(heap, s[13]), 320);
	zt_assert_sizes(heap, 8 + 16 + 14 * 320, 8 + 16 + 14 * 320,
	    ZMM_CHUNK_SIZE, ZMM_CHUNK_SIZE);
	zt_free_ok(heap, s[13]);
	ck_assert_ptr_eq(zmm_heap_bin_head(heap, 16), s[13]);
	ck_assert_str_eq(zt_bin_list(heap, 16, 2), "c0+0x4040 c0+0x4180");
	zt_assert_sizes(heap, 8 + 16 + 13 * 320, 8 + 16 + 14 * 320,
	    ZMM_CHUNK_SIZE, ZMM_CHUNK_SIZE);
	zmm_heap_free_all(heap);
}
END_TEST

/* A bin of 3 pages and 4 slots: the fifth slot starts a run at page 4. */
START_TEST(test_small_multi_page_run_exhaustion)
{
	struct zmm_heap *heap = zt_heap_new();
	static const char *const want[] = {
		"c0+0x1000", "c0+0x1c00", "c0+0x2800", "c0+0x3400", "c0+0x4000"
	};
	int i;

	for (i = 0; i < 5; i++)
		ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 3000)),
		    want[i]);
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0x8000001du);
	ck_assert_uint_eq(zt_map_word(heap, 0, 2), 0xc001001du);
	ck_assert_uint_eq(zt_map_word(heap, 0, 3), 0xc002001du);
	ck_assert_uint_eq(zt_map_word(heap, 0, 4), 0x8000001du);
	ck_assert_uint_eq(zt_map_word(heap, 0, 5), 0xc001001du);
	ck_assert_uint_eq(zt_map_word(heap, 0, 6), 0xc002001du);
	ck_assert_str_eq(zt_bin_list(heap, 29, 4), "c0+0x4c00 c0+0x5800 c0+0x6400");
	zmm_heap_free_all(heap);
}
END_TEST

/* `size` counts slot sizes, `peak` follows it; real_size does not move. */
START_TEST(test_small_size_and_peak)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_stats st;
	void *a, *b, *c;

	zt_assert_sizes(heap, 0, 0, 2097152, 2097152);
	a = zt_alloc_ok(heap, 20);
	zt_assert_sizes(heap, 24, 24, 2097152, 2097152);
	b = zt_alloc_ok(heap, 100);
	zt_assert_sizes(heap, 136, 136, 2097152, 2097152);
	zt_free_ok(heap, a);
	zt_assert_sizes(heap, 112, 136, 2097152, 2097152);
	c = zt_alloc_ok(heap, 3000);
	zt_assert_sizes(heap, 3184, 3184, 2097152, 2097152);
	zt_free_ok(heap, b);
	zt_free_ok(heap, c);
	zt_assert_sizes(heap, 0, 3184, 2097152, 2097152);
	a = zt_alloc_ok(heap, 0);
	zt_assert_sizes(heap, 8, 3184, 2097152, 2097152);
	zmm_heap_stats(heap, &st);
	ck_assert_uint_eq(st.slots_popped, 4);
	ck_assert_uint_eq(st.slots_pushed, 3);
	ck_assert_uint_eq(st.runs_carved, 4);
	ck_assert_uint_eq(st.chunks_count, 1);
	ck_assert_uint_eq(st.huge_count, 0);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_small_block_size)
{
	static const struct { size_t size, block; } cases[] = {
		{ 0, 8 }, { 1, 8 }, { 20, 24 }, { 100, 112 }, { 300, 320 },
		{ 700, 768 }, { 1025, 1280 }, { 3000, 3072 },
	};
	struct zmm_heap *heap = zt_heap_new();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p = zt_alloc_ok(heap, cases[i].size);

		ck_assert_uint_eq(zmm_heap_block_size(heap, p), cases[i].block);
	}
	ck_assert_uint_eq(zmm_heap_block_size(heap, NULL), 0);
	zmm_heap_free_all(heap);
}
END_TEST

/* `efree(NULL)` does nothing. */
START_TEST(test_small_free_null)
{
	struct zmm_heap *heap = zt_heap_new();

	zt_alloc_ok(heap, 24);
	zt_free_ok(heap, NULL);
	zt_assert_sizes(heap, 24, 24, 2097152, 2097152);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 169);
	zmm_heap_free_all(heap);
}
END_TEST

/* `estrdup`: strlen+1 bytes; `ecalloc`: a reused (dirty) slot is zeroed. */
START_TEST(test_small_strdup_calloc)
{
	struct zmm_heap *heap = zt_heap_new();
	unsigned char zero[24] = { 0 };
	void *s, *e, *a, *z;

	ck_assert_int_eq(zmm_heap_strdup(heap, "hello, world", &s), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(s, "hello, world");
	ck_assert_uint_eq(zmm_heap_block_size(heap, s), 16);	/* 13 bytes */
	ck_assert_int_eq(zmm_heap_strdup(heap, "", &e), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(e, "");
	ck_assert_uint_eq(zmm_heap_block_size(heap, e), 8);
	ck_assert_str_eq(zmm_heap_last_error(heap), "");

	a = zt_alloc_ok(heap, 24);
	memset(a, 0xa5, 24);
	zt_free_ok(heap, a);
	ck_assert_int_eq(zmm_heap_calloc(heap, 3, 8, &z), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_eq(z, a);
	ck_assert_mem_eq(z, zero, 24);
	zt_assert_sizes(heap, 16 + 8 + 24, 16 + 8 + 24, 2097152, 2097152);
	zmm_heap_free_all(heap);
}
END_TEST

/* A block of another heap is refused and changes neither heap. */
START_TEST(test_small_free_foreign)
{
	struct zmm_heap *heap = zt_heap_new(), *other = zt_heap_new();
	void *mine, *theirs;

	mine = zt_alloc_ok(heap, 24);
	theirs = zt_alloc_ok(other, 24);
	ck_assert_int_eq(zmm_heap_free(heap, theirs), ZMM_E_INVALID);
	zt_assert_heap_ok(heap);
	zt_assert_heap_ok(other);
	zt_assert_sizes(heap, 24, 24, 2097152, 2097152);
	zt_assert_sizes(other, 24, 24, 2097152, 2097152);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 169);
	ck_assert_uint_eq(zmm_heap_bin_length(other, 2), 169);
	ck_assert_uint_eq(zmm_heap_block_size(heap, theirs), 0);
	ck_assert_uint_eq(zmm_heap_block_size(heap, mine), 24);
	zmm_heap_free_all(other);
	zmm_heap_free_all(heap);
}
END_TEST

/* A 2 MiB-aligned pointer that is no huge block: refused. */
START_TEST(test_small_free_unknown_aligned)
{
	struct zmm_heap *heap = zt_heap_new();
	char *p = zt_alloc_ok(heap, 24);
	void *base = p - zt_offset(heap, p);

	ck_assert_int_eq(zmm_heap_free(heap, base), ZMM_E_INVALID);
	zt_assert_heap_ok(heap);
	zt_assert_sizes(heap, 24, 24, 2097152, 2097152);
	zmm_heap_free_all(heap);
}
END_TEST

/* zmm.h: "A pointer outside the heap gives ZMM_LOC_NONE." */
START_TEST(test_small_loc_foreign)
{
	struct zmm_heap *heap = zt_heap_new(), *other = zt_heap_new();
	struct zmm_loc loc;
	void *theirs = zt_alloc_ok(other, 24);

	loc = zmm_heap_loc(other, theirs);
	ck_assert_int_eq(loc.kind, ZMM_LOC_CHUNK);
	loc = zmm_heap_loc(heap, theirs);
	ck_assert_int_eq(loc.kind, ZMM_LOC_NONE);
	ck_assert_str_eq(zt_loc(heap, theirs), "null");
	ck_assert_str_eq(zt_loc(heap, NULL), "null");
	zmm_heap_free_all(other);
	zmm_heap_free_all(heap);
}
END_TEST

Suite *
suite_small(void)
{
	Suite *s = suite_create("small");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_small_first_slot);
	tcase_add_test(tc, test_small_run_exhaustion);
	tcase_add_test(tc, test_small_lifo_reuse);
	tcase_add_test(tc, test_small_free_list_order);
	tcase_add_test(tc, test_small_multi_page_run);
	tcase_add_test(tc, test_small_multi_page_run_exhaustion);
	tcase_add_test(tc, test_small_size_and_peak);
	tcase_add_test(tc, test_small_block_size);
	tcase_add_test(tc, test_small_strdup_calloc);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_small_free_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_small_free_foreign);
	tcase_add_test(tc, test_small_free_unknown_aligned);
	tcase_add_test(tc, test_small_loc_foreign);
	suite_add_tcase(s, tc);
	return s;
}
