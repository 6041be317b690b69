/*
 * check_bins.c - the 30 small size classes: the size -> bin formula of
 * `zend_mm_small_size_to_bin` for every small size, the bin table of
 * `zend_alloc_sizes.h` (zendmm-php8.md section 2), and one fresh run of
 * each bin as the allocator carves it.
 */
#include "config.h"

#include "tests.h"

/* The table of zendmm-php8.md 2.1: slot size, slots/run, pages/run, waste. */
static const struct {
	unsigned	 size;
	unsigned	 slots;
	unsigned	 pages;
	unsigned	 waste;
} bins[ZMM_BINS] = {
	{    8, 512, 1,   0 }, {   16, 256, 1,   0 }, {   24, 170, 1,  16 },
	{   32, 128, 1,   0 }, {   40, 102, 1,  16 }, {   48,  85, 1,  16 },
	{   56,  73, 1,   8 }, {   64,  64, 1,   0 }, {   80,  51, 1,  16 },
	{   96,  42, 1,  64 }, {  112,  36, 1,  64 }, {  128,  32, 1,   0 },
	{  160,  25, 1,  96 }, {  192,  21, 1,  64 }, {  224,  18, 1,  64 },
	{  256,  16, 1,   0 }, {  320,  64, 5,   0 }, {  384,  32, 3,   0 },
	{  448,   9, 1,  64 }, {  512,   8, 1,   0 }, {  640,  32, 5,   0 },
	{  768,  16, 3,   0 }, {  896,   9, 2, 128 }, { 1024,   8, 2,   0 },
	{ 1280,  16, 5,   0 }, { 1536,   8, 3,   0 }, { 1792,  16, 7,   0 },
	{ 2048,   8, 4,   0 }, { 2560,   8, 5,   0 }, { 3072,   4, 3,   0 },
};

/* The smallest bin whose slot holds SIZE, by a plain search of the table. */
static int
smallest_bin(size_t size)
{
	int bin;

	for (bin = 0; bin < ZMM_BINS; bin++)
		if (bins[bin].size >= size)
			return bin;
	return -1;
}

START_TEST(test_bins_size_to_bin_every_size)
{
	size_t size;

	for (size = 0; size <= ZMM_MAX_SMALL_SIZE; size++) {
		int want = smallest_bin(size);

		ck_assert_msg(zmm_size_to_bin(size) == want,
		    "size %zu: bin %d, want %d", size, zmm_size_to_bin(size),
		    want);
	}
}
END_TEST

START_TEST(test_bins_table)
{
	int bin;

	for (bin = 0; bin < ZMM_BINS; bin++) {
		ck_assert_uint_eq(zmm_bin_size(bin), bins[bin].size);
		ck_assert_uint_eq(zmm_bin_slots(bin), bins[bin].slots);
		ck_assert_uint_eq(zmm_bin_pages(bin), bins[bin].pages);
		/* slots = floor(pages * 4096 / size), the rest is waste */
		ck_assert_uint_eq(zmm_bin_slots(bin),
		    zmm_bin_pages(bin) * 4096 / zmm_bin_size(bin));
		ck_assert_uint_eq(zmm_bin_pages(bin) * 4096 -
		    zmm_bin_slots(bin) * zmm_bin_size(bin), bins[bin].waste);
		/* slot sizes are multiples of 8 and grow with the bin */
		ck_assert_uint_eq(zmm_bin_size(bin) % 8, 0);
		if (bin > 0)
			ck_assert_uint_gt(zmm_bin_size(bin), zmm_bin_size(bin - 1));
	}
	ck_assert_uint_eq(zmm_bin_size(ZMM_BINS - 1), ZMM_MAX_SMALL_SIZE);
}
END_TEST

/* One fresh run of each bin on a fresh heap (loop test over the bins). */
START_TEST(test_bins_fresh_run_of_each_bin)
{
	struct zmm_heap *heap = zt_heap_new();
	const struct zmm_chunk *c0;
	struct zmm_chunk_info info;
	struct zmm_stats st;
	int bin = _i;
	unsigned pages = bins[bin].pages, i;
	const char *p, *q;
	void *ptr;
	size_t n;

	ck_assert_int_eq(zmm_heap_alloc(heap, bins[bin].size, &ptr), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zt_loc(heap, ptr), "c0+0x1000");
	ck_assert_uint_eq(zmm_heap_block_size(heap, ptr), bins[bin].size);
	c0 = zt_chunk(heap, 0);
	zmm_chunk_info(c0, &info);
	ck_assert_uint_eq(info.free_pages, 511 - pages);
	ck_assert_uint_eq(info.free_tail, 1 + pages);
	ck_assert_uint_eq(info.free_map[0], ((uint64_t)1 << (pages + 1)) - 1);
	ck_assert_uint_eq(info.map[0], 0x40000001u);
	ck_assert_uint_eq(info.map[1], 0x80000000u | (unsigned)bin);
	for (i = 1; i < pages; i++)
		ck_assert_uint_eq(info.map[1 + i],
		    0xc0000000u | (unsigned)bin | (i << 16));
	ck_assert_uint_eq(info.map[1 + pages], 0);
	/* the other slots are listed in ascending order */
	ck_assert_uint_eq(zmm_heap_bin_length(heap, bin), bins[bin].slots - 1);
	p = zmm_heap_bin_head(heap, bin);
	ck_assert_ptr_eq(p, (const char *)ptr + bins[bin].size);
	for (n = 1; (q = zmm_slot_next(p)) != NULL; n++, p = q)
		ck_assert_ptr_eq(q, p + bins[bin].size);
	ck_assert_uint_eq(n, bins[bin].slots - 1);
	ck_assert_ptr_eq(p, (const char *)ptr +
	    (size_t)(bins[bin].slots - 1) * bins[bin].size);
	zmm_heap_stats(heap, &st);
	ck_assert_uint_eq(st.size, bins[bin].size);
	ck_assert_uint_eq(st.peak, bins[bin].size);
	ck_assert_uint_eq(st.runs_carved, 1);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_bins_boundaries)
{
	static const struct { size_t size; int bin; } cases[] = {
		{ 0, 0 }, { 1, 0 }, { 8, 0 }, { 9, 1 }, { 16, 1 }, { 17, 2 },
		{ 57, 7 }, { 64, 7 }, { 65, 8 }, { 80, 8 }, { 81, 9 },
		{ 128, 11 }, { 129, 12 }, { 256, 15 }, { 257, 16 },
		{ 2048, 27 }, { 2049, 28 }, { 2560, 28 }, { 2561, 29 },
		{ 3071, 29 }, { 3072, 29 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(zmm_size_to_bin(cases[i].size) == cases[i].bin,
		    "size %zu: bin %d, want %d", cases[i].size,
		    zmm_size_to_bin(cases[i].size), cases[i].bin);
}
END_TEST

/* 0 is a real request: an 8-byte slot; 3072 is small, 3073 large. */
START_TEST(test_bins_boundary_blocks)
{
	struct zmm_heap *heap = zt_heap_new();
	void *zero, *max_small, *min_large;

	ck_assert_int_eq(zmm_heap_alloc(heap, 0, &zero), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_nonnull(zero);
	ck_assert_str_eq(zt_loc(heap, zero), "c0+0x1000");
	ck_assert_uint_eq(zmm_heap_block_size(heap, zero), 8);
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0x80000000u);

	ck_assert_int_eq(zmm_heap_alloc(heap, 3072, &max_small), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zt_loc(heap, max_small), "c0+0x2000");
	ck_assert_uint_eq(zmm_heap_block_size(heap, max_small), 3072);
	ck_assert_uint_eq(zt_map_word(heap, 0, 2), 0x8000001du);

	ck_assert_int_eq(zmm_heap_alloc(heap, 3073, &min_large), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zt_loc(heap, min_large), "c0+0x5000");
	ck_assert_uint_eq(zmm_heap_block_size(heap, min_large), 4096);
	ck_assert_uint_eq(zt_map_word(heap, 0, 5), 0x40000001u);
	zmm_heap_free_all(heap);
}
END_TEST

Suite *
suite_bins(void)
{
	Suite *s = suite_create("bins");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_bins_size_to_bin_every_size);
	tcase_add_test(tc, test_bins_table);
	tcase_add_loop_test(tc, test_bins_fresh_run_of_each_bin, 0, ZMM_BINS);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_bins_boundaries);
	tcase_add_test(tc, test_bins_boundary_blocks);
	suite_add_tcase(s, tc);
	return s;
}
