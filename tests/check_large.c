/*
 * check_large.c - large blocks, runs of whole pages (zendmm-php8.md
 * sections 6 and 8, 9.2): the best-fit search over `free_map` (example
 * 21.2), ties, the tail rule, `free_tail`, the page words and bitmap
 * words of large runs, large frees, and a 511-page block.
 */
#include "config.h"

#include "tests.h"

/* The heap's size and peak (real_size and real_peak are not checked). */
static void
assert_size_peak(const struct zmm_heap *heap, size_t size, size_t peak)
{
	struct zmm_stats st = zt_stats(heap);

	ck_assert_uint_eq(st.size, size);
	ck_assert_uint_eq(st.peak, peak);
}

/* Example 21.2 of zendmm-php8.md, exactly. */
START_TEST(test_large_best_fit)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	void *a, *b, *c, *d, *e, *f, *g, *k, *l;
	unsigned i;

	a = zt_alloc_ok(heap, 12288);
	b = zt_alloc_ok(heap, 4096);
	c = zt_alloc_ok(heap, 8192);
	d = zt_alloc_ok(heap, 4096);
	e = zt_alloc_ok(heap, 20480);
	f = zt_alloc_ok(heap, 4096);
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x4000");
	ck_assert_str_eq(zt_loc(heap, c), "c0+0x5000");
	ck_assert_str_eq(zt_loc(heap, d), "c0+0x7000");
	ck_assert_str_eq(zt_loc(heap, e), "c0+0x8000");
	ck_assert_str_eq(zt_loc(heap, f), "c0+0xd000");
	assert_size_peak(heap, 53248, 53248);
	zt_free_ok(heap, a);
	zt_free_ok(heap, c);
	zt_free_ok(heap, e);
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_tail, 14);

	g = zt_alloc_ok(heap, 8192);
	ck_assert_str_eq(zt_loc(heap, g), "c0+0x5000");	/* perfect fit */
	k = zt_alloc_ok(heap, 4096);
	ck_assert_str_eq(zt_loc(heap, k), "c0+0x1000");	/* shortest hole */
	l = zt_alloc_ok(heap, 16384);
	ck_assert_str_eq(zt_loc(heap, l), "c0+0x8000");	/* beats the tail */

	assert_size_peak(heap, 40960, 53248);
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_map[0], 0x2ff3);
	for (i = 1; i < ZMM_PAGE_MAP_LEN; i++)
		ck_assert_uint_eq(info.free_map[i], 0);
	ck_assert_uint_eq(info.free_pages, 501);
	ck_assert_uint_eq(info.free_tail, 14);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x40000001 "
	    "4:0x40000001 5:0x40000002 7:0x40000001 8:0x40000004 "
	    "13:0x40000001");
	zmm_heap_free_all(heap);
}
END_TEST

/* Holes of equal length: the lowest address wins. */
START_TEST(test_large_tie_lowest_address)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a, *c;

	a = zt_alloc_ok(heap, 8192);			/* pages 1-2 */
	zt_alloc_ok(heap, 4096);			/* page 3 */
	c = zt_alloc_ok(heap, 8192);			/* pages 4-5 */
	zt_alloc_ok(heap, 4096);			/* page 6 */
	zt_free_ok(heap, a);
	zt_free_ok(heap, c);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x1000");
	/* holes now: page 2 (1 page), pages 4-5: the perfect fit */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8192)), "c0+0x4000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x7000");
	zmm_heap_free_all(heap);
}
END_TEST

/* A tail as long as the best hole loses; a strictly shorter one wins. */
START_TEST(test_large_tail_strictly_shorter)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a;

	/* tail of 3 pages (509-511), hole of 3 pages (1-3) */
	a = zt_alloc_ok(heap, 12288);
	zt_alloc_ok(heap, 4096);
	zt_alloc_ok(heap, 504 * 4096);
	zt_free_ok(heap, a);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 509);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8192)), "c0+0x1000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 509);
	zmm_heap_free_all(heap);

	/* tail of 2 pages (510-511), hole of 3 pages (1-3) */
	heap = zt_heap_new();
	a = zt_alloc_ok(heap, 12288);
	zt_alloc_ok(heap, 4096);
	zt_alloc_ok(heap, 505 * 4096);
	zt_free_ok(heap, a);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8192)), "c0+0x1fe000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 512);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 3);
	/* no hole fits 4 pages and the tail is full: a new chunk */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 16384)), "c1+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 12288)), "c0+0x1000");
	zmm_heap_free_all(heap);
}
END_TEST

/* The free_tail rules of zendmm-php8.md 6.6, step by step. */
START_TEST(test_large_free_tail)
{
	struct zmm_heap *heap = zt_heap_new();
	void *x, *z, *q, *p4, *p5, *p6, *p;

	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 1);
	x = zt_alloc_ok(heap, 8192);			/* 1-2, tail taken */
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 3);
	zt_alloc_ok(heap, 4096);			/* 3 */
	z = zt_alloc_ok(heap, 4096);			/* 4 */
	q = zt_alloc_ok(heap, 4096);			/* 5 */
	ck_assert_str_eq(zt_loc(heap, q), "c0+0x5000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 6);
	zt_free_ok(heap, z);		/* ends at 5, not at free_tail */
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 6);
	zt_free_ok(heap, q);		/* ends at free_tail: lowered to 5 */
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 5);
	zt_free_ok(heap, x);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 5);
	/* hole 1-2 beats the tail; the tail start is written back: 4 */
	p = zt_alloc_ok(heap, 4096);
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x1000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 4);
	/* perfect fit: free_tail untouched */
	p = zt_alloc_ok(heap, 4096);
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x2000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 4);

	p4 = zt_alloc_ok(heap, 4096);
	p5 = zt_alloc_ok(heap, 4096);
	p6 = zt_alloc_ok(heap, 4096);
	ck_assert_str_eq(zt_loc(heap, p6), "c0+0x6000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 7);
	zt_free_ok(heap, p5);
	zt_free_ok(heap, p6);		/* free_tail 6, page 5 free too: stale */
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 6);
	zt_free_ok(heap, p);		/* page 2: a 1-page hole */
	p = zt_alloc_ok(heap, 4096);	/* perfect fit: the stale 6 stays */
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x2000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 6);
	p = zt_alloc_ok(heap, 4096);	/* tail from page 5: free_tail = 6 */
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x5000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 6);
	(void)p4;
	zmm_heap_free_all(heap);
}
END_TEST

/* Only a run's first page gets a map word; bits span bitmap words. */
START_TEST(test_large_map_and_bitmap_words)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	void *a, *b;
	unsigned i;

	a = zt_alloc_ok(heap, 100 * 4096 - 5);		/* pages 1-100 */
	b = zt_alloc_ok(heap, 3 * 4096);		/* pages 101-103 */
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x65000");
	ck_assert_uint_eq(zmm_heap_block_size(heap, a), 100 * 4096);
	info = zt_chunk_info(heap, 0);
	ck_assert_str_eq(zt_map_words(heap, 0),
	    "0:0x40000001 1:0x40000064 101:0x40000003");
	ck_assert_uint_eq(info.free_map[0], ~(uint64_t)0);
	ck_assert_uint_eq(info.free_map[1], ((uint64_t)1 << 40) - 1);
	for (i = 2; i < ZMM_PAGE_MAP_LEN; i++)
		ck_assert_uint_eq(info.free_map[i], 0);
	ck_assert_uint_eq(info.free_pages, 511 - 103);
	for (i = 0; i < 104; i++)
		ck_assert(zmm_chunk_page_used(zt_chunk(heap, 0), i));
	ck_assert(!zmm_chunk_page_used(zt_chunk(heap, 0), 104));
	assert_size_peak(heap, 103 * 4096, 103 * 4096);

	/* the free clears the bits and the first word only */
	zt_free_ok(heap, a);
	info = zt_chunk_info(heap, 0);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 101:0x40000003");
	ck_assert_uint_eq(info.free_map[0], 1);
	ck_assert_uint_eq(info.free_map[1], ((uint64_t)0x7) << 37);
	ck_assert_uint_eq(info.free_pages, 511 - 3);
	ck_assert_uint_eq(info.free_tail, 104);
	assert_size_peak(heap, 3 * 4096, 103 * 4096);
	zt_free_ok(heap, b);		/* ends at free_tail: back to 101 */
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_tail, 101);
	ck_assert_uint_eq(info.free_pages, 511);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001");
	ck_assert_str_eq(zt_ring(heap), "c0");	/* the main chunk stays */
	assert_size_peak(heap, 0, 103 * 4096);
	zmm_heap_free_all(heap);
}
END_TEST

/* Request sizes round up to pages: 3073..4096 is 1 page, 4097 is 2. */
START_TEST(test_large_sizes)
{
	static const struct { size_t size, block; } cases[] = {
		{ 3073, 4096 }, { 4096, 4096 }, { 4097, 8192 },
		{ 5000, 8192 }, { 100000, 102400 },
	};
	struct zmm_heap *heap = zt_heap_new();
	size_t i, total = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p = zt_alloc_ok(heap, cases[i].size);

		ck_assert_uint_eq(zt_offset(heap, p) % 4096, 0);
		ck_assert_uint_eq(zmm_heap_block_size(heap, p), cases[i].block);
		ck_assert_uint_eq(zt_map_word(heap, 0, zt_offset(heap, p) / 4096),
		    0x40000000u | (unsigned)(cases[i].block / 4096));
		total += cases[i].block;
		assert_size_peak(heap, total, total);
	}
	zmm_heap_free_all(heap);
}
END_TEST

/* 2093056 bytes = 511 pages: a whole chunk. */
START_TEST(test_large_whole_chunk)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	struct zmm_stats st;
	void *big, *s;
	unsigned i;

	big = zt_alloc_ok(heap, 2093056);
	ck_assert_str_eq(zt_loc(heap, big), "c0+0x1000");
	ck_assert_uint_eq(zmm_heap_block_size(heap, big), 2093056);
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_pages, 0);
	for (i = 0; i < ZMM_PAGE_MAP_LEN; i++)
		ck_assert_uint_eq(info.free_map[i], ~(uint64_t)0);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x400001ff");
	ck_assert_uint_eq(info.free_tail, 512);
	/* a small request needs a run: c0 is full, so c1 */
	s = zt_alloc_ok(heap, 24);
	ck_assert_str_eq(zt_loc(heap, s), "c1+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	zmm_heap_stats(heap, &st);
	ck_assert_uint_eq(st.size, 2093056 + 24);
	ck_assert_uint_eq(st.real_size, 2 * ZMM_CHUNK_SIZE);
	/* c1 has a used page: another 511 pages need a third chunk */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2093056)), "c2+0x1000");
	zt_free_ok(heap, big);
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 511);
	zmm_heap_free_all(heap);
}
END_TEST

/* Enough free pages but no run long enough: the next chunk. */
START_TEST(test_large_fragmented_chunk)
{
	struct zmm_heap *heap = zt_heap_new();
	void *pages[ZMM_PAGES];
	unsigned i;

	for (i = 1; i < ZMM_PAGES; i++) {
		pages[i] = zt_alloc_ok(heap, 4096);
		ck_assert_uint_eq(zt_offset(heap, pages[i]), i * 4096);
	}
	for (i = 1; i < ZMM_PAGES; i += 2)
		zt_free_ok(heap, pages[i]);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 256);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8192)), "c1+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	/* one page still fits the first one-page hole of c0 */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x3000");
	zmm_heap_free_all(heap);
}
END_TEST

/* A pointer inside a large run (not page aligned) is refused. */
START_TEST(test_large_free_unaligned)
{
	struct zmm_heap *heap = zt_heap_new();
	char *p = zt_alloc_ok(heap, 8192);

	ck_assert_int_eq(zmm_heap_free(heap, p + 16), ZMM_E_INVALID);
	zt_assert_heap_ok(heap);
	assert_size_peak(heap, 8192, 8192);
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0x40000002u);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 509);
	zt_free_ok(heap, p);
	assert_size_peak(heap, 0, 8192);
	zmm_heap_free_all(heap);
}
END_TEST

Suite *
suite_large(void)
{
	Suite *s = suite_create("large");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_large_best_fit);
	tcase_add_test(tc, test_large_tie_lowest_address);
	tcase_add_test(tc, test_large_tail_strictly_shorter);
	tcase_add_test(tc, test_large_free_tail);
	tcase_add_test(tc, test_large_map_and_bitmap_words);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_large_sizes);
	tcase_add_test(tc, test_large_whole_chunk);
	tcase_add_test(tc, test_large_fragmented_chunk);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_large_free_unaligned);
	suite_add_tcase(s, tc);
	return s;
}
