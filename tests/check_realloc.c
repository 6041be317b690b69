/*
 * check_realloc.c - every path of `erealloc` (zendmm-php8.md section 11,
 * examples 21.5 and 21.6) with the statistics each one leaves: small in
 * place / truncation / extension, large in place / shrink / grow / moved,
 * huge in place / truncated / extended / moved, across the size classes,
 * and realloc(NULL).
 */
#include "config.h"

#include <stdint.h>

#include "tests.h"

#define MIB2	ZMM_CHUNK_SIZE

/* zt_realloc_ok() that also returns a block and leaves no last error. */
static void *
realloc_clean(struct zmm_heap *heap, void *ptr, size_t size)
{
	void *ret = zt_realloc_ok(heap, ptr, size);

	ck_assert_ptr_nonnull(ret);
	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	return ret;
}

static void
fill(void *ptr, size_t len, unsigned seed)
{
	unsigned char *p = ptr;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static void
assert_filled(const void *ptr, size_t len, unsigned seed)
{
	const unsigned char *p = ptr;
	size_t i;

	for (i = 0; i < len; i++)
		ck_assert_msg(p[i] == (unsigned char)(seed + i * 7),
		    "byte %zu of the moved block differs", i);
}

/* Storage that never grows a block in place (the 21.5 harness). */
static bool
never_extend(void *ctx, void *addr, size_t old_size, size_t new_size)
{
	(void)ctx;
	(void)addr;
	(void)old_size;
	(void)new_size;
	return false;
}

/* Example 21.6 of zendmm-php8.md, exactly. */
START_TEST(test_realloc_paths_example)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	void *a, *b;

	a = zt_alloc_ok(heap, 100);
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x1000");
	a = realloc_clean(heap, a, 50);			/* truncation, bin 6 */
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x2000");
	zt_assert_sizes(heap, 56, 168, MIB2, MIB2);
	a = realloc_clean(heap, a, 3000);		/* extension, bin 29 */
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x3000");
	zt_assert_sizes(heap, 3072, 3072, MIB2, MIB2);
	a = realloc_clean(heap, a, 5000);		/* small -> large */
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x6000");
	zt_assert_sizes(heap, 8192, 8192, MIB2, MIB2);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 8);
	a = realloc_clean(heap, a, 9000);		/* grown in place */
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x6000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 8);
	zt_assert_sizes(heap, 12288, 12288, MIB2, MIB2);
	b = zt_alloc_ok(heap, 10);
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x9000");
	ck_assert_ptr_eq(realloc_clean(heap, a, 12000), a);
	ck_assert_ptr_eq(realloc_clean(heap, a, 4097), a);	/* shrunk */

	zt_assert_sizes(heap, 8208, 12304, MIB2, MIB2);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x8000000a "
	    "2:0x80000006 3:0x8000001d 4:0xc001001d 5:0xc002001d "
	    "6:0x40000002 9:0x80000001");
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_map[0], 0x2ff);
	ck_assert_uint_eq(info.free_pages, 503);
	ck_assert_uint_eq(info.free_tail, 10);
	zmm_heap_free_all(heap);
}
END_TEST

/* Fits the slot and not below the next smaller one: in place. */
START_TEST(test_realloc_small_in_place)
{
	static const struct { size_t from, to; } cases[] = {
		{ 32, 24 }, { 32, 25 }, { 32, 32 }, { 112, 96 }, { 112, 97 },
		{ 8, 0 }, { 8, 1 }, { 1, 8 }, { 3072, 2561 }, { 17, 24 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct zmm_heap *heap = zt_heap_new();
		void *p = zt_alloc_ok(heap, cases[i].from);
		size_t slot = zmm_heap_block_size(heap, p);

		ck_assert_ptr_eq(realloc_clean(heap, p, cases[i].to), p);
		zt_assert_sizes(heap, slot, slot, MIB2, MIB2);
		ck_assert_uint_eq(zmm_heap_block_size(heap, p), slot);
		ck_assert_uint_eq(zmm_heap_bin_length(heap,
		    zmm_size_to_bin(slot)), zmm_bin_slots(zmm_size_to_bin(slot)) - 1);
		zmm_heap_free_all(heap);
	}
}
END_TEST

/* Below the next smaller slot: moved; the transient use counts in peak. */
START_TEST(test_realloc_small_truncate)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a, *b;

	a = zt_alloc_ok(heap, 32);
	fill(a, 32, 1);
	b = realloc_clean(heap, a, 16);
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x2000");
	assert_filled(b, 16, 1);
	zt_assert_sizes(heap, 16, 48, MIB2, MIB2);
	ck_assert_ptr_eq(zmm_heap_bin_head(heap, 3), a);
	ck_assert_uint_eq(zmm_heap_block_size(heap, b), 16);
	/* 24 -> 8: bin 2 to bin 0 */
	a = zt_alloc_ok(heap, 24);
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x3000");
	b = realloc_clean(heap, a, 8);
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x4000");
	zt_assert_sizes(heap, 16 + 8, 48, MIB2, MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* A larger small size: moved; peak = max(orig_peak, size). */
START_TEST(test_realloc_small_extend)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a, *b;

	a = zt_alloc_ok(heap, 24);
	fill(a, 24, 3);
	a = realloc_clean(heap, a, 100);
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x2000");
	assert_filled(a, 24, 3);
	zt_assert_sizes(heap, 112, 112, MIB2, MIB2);	/* not 136 */
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x1000");

	b = zt_alloc_ok(heap, 3000);
	zt_free_ok(heap, b);
	zt_assert_sizes(heap, 112, 3184, MIB2, MIB2);
	a = realloc_clean(heap, a, 200);
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x6000");
	zt_assert_sizes(heap, 224, 3184, MIB2, MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* Small -> large: the general path; the old slot goes back to its bin. */
START_TEST(test_realloc_small_to_large)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a, *b;

	a = zt_alloc_ok(heap, 100);
	fill(a, 112, 5);
	b = realloc_clean(heap, a, 5000);
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x2000");
	assert_filled(b, 112, 5);
	zt_assert_sizes(heap, 8192, 8192, MIB2, MIB2);	/* not 8304 */
	ck_assert_ptr_eq(zmm_heap_bin_head(heap, 10), a);
	ck_assert_uint_eq(zt_map_word(heap, 0, 2), 0x40000002u);
	zmm_heap_free_all(heap);
}
END_TEST

/* Same number of pages: nothing changes. */
START_TEST(test_realloc_large_same)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a;

	a = zt_alloc_ok(heap, 5000);
	ck_assert_ptr_eq(realloc_clean(heap, a, 8192), a);
	ck_assert_ptr_eq(realloc_clean(heap, a, 4097), a);
	zt_assert_sizes(heap, 8192, 8192, MIB2, MIB2);
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0x40000002u);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 509);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 3);
	zmm_heap_free_all(heap);
}
END_TEST

/* Shrink in place: free_tail and the freed pages' map words untouched. */
START_TEST(test_realloc_large_shrink)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	void *a, *s;

	a = zt_alloc_ok(heap, 20000);			/* pages 1-5 */
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 6);
	ck_assert_ptr_eq(realloc_clean(heap, a, 8000), a);	/* 2 pages */
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_tail, 6);
	ck_assert_uint_eq(info.free_pages, 509);
	ck_assert_uint_eq(info.free_map[0], 0x7);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x40000002");
	zt_assert_sizes(heap, 8192, 20480, MIB2, MIB2);
	ck_assert_uint_eq(zmm_heap_block_size(heap, a), 8192);
	zmm_heap_free_all(heap);

	/* over pages that hold stale NRUN words from a collected run */
	heap = zt_heap_new();
	zt_alloc_ok(heap, 8);				/* page 1 */
	s = zt_alloc_ok(heap, 300);			/* bin 16, pages 2-6 */
	ck_assert_str_eq(zt_loc(heap, s), "c0+0x2000");
	zt_free_ok(heap, s);
	ck_assert_uint_eq(zmm_heap_gc(heap), 20480);
	zt_assert_heap_ok(heap);
	a = zt_alloc_ok(heap, 20000);
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x2000");
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x80000000 "
	    "2:0x40000005 3:0xc0010010 4:0xc0020010 5:0xc0030010 "
	    "6:0xc0040010");
	ck_assert_ptr_eq(realloc_clean(heap, a, 8000), a);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x80000000 "
	    "2:0x40000002 3:0xc0010010 4:0xc0020010 5:0xc0030010 "
	    "6:0xc0040010");
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_tail, 7);
	ck_assert_uint_eq(info.free_pages, 508);
	zt_assert_sizes(heap, 8 + 8192, 8 + 20480, MIB2, MIB2);
	/* the next page comes from the tail search, which starts at 4 */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x4000");
	ck_assert_uint_eq(zt_map_word(heap, 0, 4), 0x40000001u);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 5);
	zmm_heap_free_all(heap);
}
END_TEST

/* Grow in place into free pages; free_tail is not updated. */
START_TEST(test_realloc_large_grow)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk_info info;
	void *a;

	a = zt_alloc_ok(heap, 8192);			/* pages 1-2 */
	fill(a, 8192, 9);
	ck_assert_ptr_eq(realloc_clean(heap, a, 12288), a);
	assert_filled(a, 8192, 9);
	info = zt_chunk_info(heap, 0);
	ck_assert_uint_eq(info.free_tail, 3);	/* points into the run */
	ck_assert_uint_eq(info.free_pages, 508);
	ck_assert_uint_eq(info.free_map[0], 0xf);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x40000003");
	zt_assert_sizes(heap, 12288, 12288, MIB2, MIB2);
	ck_assert_ptr_eq(realloc_clean(heap, a, 5 * 4096), a);
	zt_assert_sizes(heap, 20480, 20480, MIB2, MIB2);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 3);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0x6000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_tail, 7);
	zmm_heap_free_all(heap);
}
END_TEST

/* The next page is used: the general path moves the block. */
START_TEST(test_realloc_large_blocked_grow)
{
	struct zmm_heap *heap = zt_heap_new();
	void *l, *n;

	l = zt_alloc_ok(heap, 8192);			/* pages 1-2 */
	zt_alloc_ok(heap, 4096);			/* page 3 */
	fill(l, 8192, 11);
	n = realloc_clean(heap, l, 12288);
	ck_assert_str_eq(zt_loc(heap, n), "c0+0x4000");
	assert_filled(n, 8192, 11);
	zt_assert_sizes(heap, 16384, 16384, MIB2, MIB2);	/* not 24576 */
	ck_assert_str_eq(zt_map_words(heap, 0),
	    "0:0x40000001 3:0x40000001 4:0x40000003");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 507);
	zmm_heap_free_all(heap);
}
END_TEST

/* A run ending at page 511 cannot grow in place. */
START_TEST(test_realloc_large_grow_at_chunk_end)
{
	struct zmm_heap *heap = zt_heap_new();
	void *a, *n;

	zt_alloc_ok(heap, 509 * 4096);			/* pages 1-509 */
	a = zt_alloc_ok(heap, 8192);			/* pages 510-511 */
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x1fe000");
	n = realloc_clean(heap, a, 12288);
	ck_assert_str_eq(zt_loc(heap, n), "c1+0x1000");
	zt_assert_sizes(heap, 509 * 4096 + 12288, 509 * 4096 + 12288,
	    2 * MIB2, 2 * MIB2);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 2);
	zmm_heap_free_all(heap);
}
END_TEST

/* Large -> small: the general path; the pages are freed after. */
START_TEST(test_realloc_large_to_small)
{
	struct zmm_heap *heap = zt_heap_new();
	void *l, *n;

	l = zt_alloc_ok(heap, 8192);
	fill(l, 100, 13);
	n = realloc_clean(heap, l, 100);
	ck_assert_str_eq(zt_loc(heap, n), "c0+0x3000");
	assert_filled(n, 100, 13);
	zt_assert_sizes(heap, 112, 8192, MIB2, MIB2);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 3:0x8000000a");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 510);
	zmm_heap_free_all(heap);
}
END_TEST

/* Large -> huge: a mapping and its node, then the pages are freed. */
START_TEST(test_realloc_large_to_huge)
{
	struct zmm_heap *heap = zt_heap_new();
	void *l, *h;

	l = zt_alloc_ok(heap, 8192);
	fill(l, 8192, 15);
	h = realloc_clean(heap, l, 3000000);
	ck_assert_str_eq(zt_loc(heap, h), "huge:3002368");
	assert_filled(h, 8192, 15);
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c0+0x3000");
	zt_assert_sizes(heap, 3002392, 3002392, MIB2 + 3002368, MIB2 + 3002368);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 3:0x80000002");
	zmm_heap_free_all(heap);
}
END_TEST

/* Huge, same mapped size: in place, nothing changes. */
START_TEST(test_realloc_huge_same)
{
	struct zmm_heap *heap = zt_heap_new();
	void *h = zt_alloc_ok(heap, 3000000);

	ck_assert_ptr_eq(realloc_clean(heap, h, 3002368), h);
	ck_assert_ptr_eq(realloc_clean(heap, h, 2998273), h);
	zt_assert_sizes(heap, 3002392, 3002392, MIB2 + 3002368, MIB2 + 3002368);
	ck_assert_uint_eq(zmm_huge_size(zmm_heap_huge_first(heap)), 3002368);
	zmm_heap_free_all(heap);
}
END_TEST

/* Huge, smaller: the tail is unmapped; the peaks stay. */
START_TEST(test_realloc_huge_truncate)
{
	struct zmm_heap *heap = zt_heap_new();
	char *h = zt_alloc_ok(heap, 3000000);

	fill(h, 4096, 17);
	ck_assert_ptr_eq(realloc_clean(heap, h, 2500000), h);
	assert_filled(h, 4096, 17);
	h[2499999] = 1;
	ck_assert_str_eq(zt_loc(heap, h), "huge:2502656");
	ck_assert_uint_eq(zmm_heap_block_size(heap, h), 2502656);
	ck_assert_uint_eq(zmm_huge_size(zmm_heap_huge_first(heap)), 2502656);
	zt_assert_sizes(heap, 2502680, 3002392, MIB2 + 2502656, MIB2 + 3002368);
	/* down to the smallest huge size */
	ck_assert_ptr_eq(realloc_clean(heap, h, 2093057), h);
	zt_assert_sizes(heap, 2097176, 3002392, 2 * MIB2, MIB2 + 3002368);
	zmm_heap_free_all(heap);
}
END_TEST

/* Huge, larger, and the newest storage block: extended in place. */
START_TEST(test_realloc_huge_extend)
{
	struct zmm_heap *heap = zt_heap_new();
	char *h = zt_alloc_ok(heap, 3000000);

	fill(h, 4096, 19);
	ck_assert_ptr_eq(realloc_clean(heap, h, 4000000), h);
	assert_filled(h, 4096, 19);
	h[3999999] = 1;
	ck_assert_str_eq(zt_loc(heap, h), "huge:4001792");
	ck_assert_uint_eq(zmm_huge_size(zmm_heap_huge_first(heap)), 4001792);
	zt_assert_sizes(heap, 4001816, 4001816, MIB2 + 4001792, MIB2 + 4001792);
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c0+0x1000");
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 169);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * Huge, larger, with a chunk mapped after it: the general path.  `peak` is
 * restored, `real_peak` keeps both mappings.
 */
START_TEST(test_realloc_huge_move)
{
	struct zmm_heap *heap = zt_heap_new();
	char *h, *n;

	h = zt_alloc_ok(heap, 3000000);
	fill(h, 4096, 21);
	h[3000000 - 1] = 0x5a;
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2093056)), "c1+0x1000");
	zt_assert_sizes(heap, 5095448, 5095448, 2 * MIB2 + 3002368,
	    2 * MIB2 + 3002368);
	n = realloc_clean(heap, h, 5000000);
	ck_assert_ptr_ne(n, h);
	ck_assert_str_eq(zt_loc(heap, n), "huge:5001216");
	assert_filled(n, 4096, 21);
	ck_assert_int_eq(n[3000000 - 1], 0x5a);
	/* the new node was popped before the old one was pushed back */
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c0+0x1018");
	ck_assert_ptr_null(zmm_heap_huge_next(zmm_heap_huge_first(heap)));
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x1000");
	zt_assert_sizes(heap, 7094296, 7094296, 2 * MIB2 + 5001216,
	    2 * MIB2 + 3002368 + 5001216);
	zmm_heap_free_all(heap);
}
END_TEST

/* Example 21.5's realloc, with storage that never extends in place. */
START_TEST(test_realloc_huge_move_example)
{
	struct zmm_storage_ops ops = zmm_storage_default_ops;
	void *ctx = zmm_storage_default_new(0);
	struct zmm_heap *heap;
	void *h, *n;
	int status;

	ck_assert_ptr_nonnull(ctx);
	ops.extend = never_extend;
	heap = zmm_heap_new(&ops, ctx, &status);
	ck_assert_ptr_nonnull(heap);
	h = zt_alloc_ok(heap, 3000000);
	n = realloc_clean(heap, h, 5000000);
	ck_assert_str_eq(zt_loc(heap, n), "huge:5001216");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c0+0x1018");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x1000");
	zt_assert_sizes(heap, 5001240, 5001240, MIB2 + 5001216, 10100736);
	zmm_heap_free_all(heap);
	zmm_storage_default_ops.destroy(ctx);
}
END_TEST

static bool
never_truncate(void *ctx, void *addr, size_t old_size, size_t new_size)
{
	(void)ctx;
	(void)addr;
	(void)old_size;
	(void)new_size;
	return false;
}

/* Storage that cannot unmap a tail: a huge shrink takes the general path. */
START_TEST(test_realloc_huge_shrink_refused)
{
	struct zmm_storage_ops ops = zmm_storage_default_ops;
	void *ctx = zmm_storage_default_new(0);
	struct zmm_heap *heap;
	char *h, *n;
	int status;

	ck_assert_ptr_nonnull(ctx);
	ops.truncate = never_truncate;
	heap = zmm_heap_new(&ops, ctx, &status);
	ck_assert_ptr_nonnull(heap);
	h = zt_alloc_ok(heap, 3000000);
	fill(h, 4096, 29);
	n = realloc_clean(heap, h, 2500000);
	ck_assert_ptr_ne(n, h);
	assert_filled(n, 4096, 29);
	ck_assert_str_eq(zt_loc(heap, n), "huge:2502656");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c0+0x1018");
	ck_assert_ptr_null(zmm_heap_huge_next(zmm_heap_huge_first(heap)));
	zt_assert_sizes(heap, 2502680, 3002392, MIB2 + 2502656,
	    MIB2 + 3002368 + 2502656);
	zmm_heap_free_all(heap);
	zmm_storage_default_ops.destroy(ctx);
}
END_TEST

/* Huge -> large and huge -> small: the general path. */
START_TEST(test_realloc_huge_to_large_and_small)
{
	struct zmm_heap *heap = zt_heap_new();
	void *h, *n;

	h = zt_alloc_ok(heap, 3000000);
	fill(h, 100000, 23);
	n = realloc_clean(heap, h, 100000);
	ck_assert_str_eq(zt_loc(heap, n), "c0+0x2000");
	assert_filled(n, 100000, 23);
	ck_assert_uint_eq(zmm_heap_block_size(heap, n), 102400);
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x1000");
	zt_assert_sizes(heap, 102400, 3002392, MIB2, MIB2 + 3002368);

	h = zt_alloc_ok(heap, 2500000);
	fill(h, 100, 25);
	n = realloc_clean(heap, h, 100);
	ck_assert_str_eq(zt_loc(heap, n), "c0+0x1b000");
	assert_filled(n, 100, 25);
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	zt_assert_sizes(heap, 102400 + 112, 3002392, MIB2, MIB2 + 3002368);
	zmm_heap_free_all(heap);
}
END_TEST

/* realloc(NULL, size) is alloc(size). */
START_TEST(test_realloc_null)
{
	struct zmm_heap *heap = zt_heap_new();
	void *p;

	p = realloc_clean(heap, NULL, 24);
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x1000");
	p = realloc_clean(heap, NULL, 0);
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x2000");
	p = realloc_clean(heap, NULL, 5000);
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x3000");
	p = realloc_clean(heap, NULL, 3000000);
	ck_assert_str_eq(zt_loc(heap, p), "huge:3002368");
	zt_assert_sizes(heap, 24 + 8 + 8192 + 24 + 3002368,
	    24 + 8 + 8192 + 24 + 3002368, MIB2 + 3002368, MIB2 + 3002368);
	zmm_heap_free_all(heap);
}
END_TEST

/* Every path in one heap; the locations are the real ZendMM's. */
START_TEST(test_realloc_trace)
{
	struct zmm_heap *heap = zt_heap_new();
	void *s, *l, *h, *h2;

	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8)), "c0+0x1000");
	s = zt_alloc_ok(heap, 20);
	ck_assert_str_eq(zt_loc(heap, s), "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, s = realloc_clean(heap, s, 24)), "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, s = realloc_clean(heap, s, 17)), "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, s = realloc_clean(heap, s, 8)),
	    "c0+0x1008");
	ck_assert_str_eq(zt_loc(heap, s = realloc_clean(heap, s, 100)), "c0+0x3000");
	ck_assert_str_eq(zt_loc(heap, s = realloc_clean(heap, s, 3000)), "c0+0x4000");
	ck_assert_str_eq(zt_loc(heap, s = realloc_clean(heap, s, 5000)), "c0+0x7000");
	l = zt_alloc_ok(heap, 8192);
	ck_assert_str_eq(zt_loc(heap, l), "c0+0x9000");
	ck_assert_str_eq(zt_loc(heap, l = realloc_clean(heap, l, 12288)), "c0+0x9000");
	ck_assert_str_eq(zt_loc(heap, l = realloc_clean(heap, l, 20000)), "c0+0x9000");
	ck_assert_str_eq(zt_loc(heap, l = realloc_clean(heap, l, 8000)), "c0+0x9000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c0+0xb000");
	ck_assert_str_eq(zt_loc(heap, l = realloc_clean(heap, l, 16384)), "c0+0xc000");
	ck_assert_str_eq(zt_loc(heap, l = realloc_clean(heap, l, 16000)), "c0+0xc000");
	ck_assert_str_eq(zt_loc(heap, l = realloc_clean(heap, l, 2000)), "c0+0x10000");
	h = zt_alloc_ok(heap, 3 * 1024 * 1024);
	ck_assert_str_eq(zt_loc(heap, h), "huge:3145728");
	ck_assert_str_eq(zt_loc(heap,
	    h = realloc_clean(heap, h, 4 * 1024 * 1024)), "huge:4194304");
	ck_assert_str_eq(zt_loc(heap, h = realloc_clean(heap, h, 3500000)),
	    "huge:3502080");
	h2 = zt_alloc_ok(heap, 5 * 1024 * 1024);
	ck_assert_str_eq(zt_loc(heap, h2), "huge:5242880");
	ck_assert_str_eq(zt_loc(heap,
	    h = realloc_clean(heap, h, 6 * 1024 * 1024)), "huge:6291456");
	ck_assert_str_eq(zt_loc(heap, h = realloc_clean(heap, h, 2093056)),
	    "c1+0x1000");
	ck_assert_str_eq(zt_loc(heap, h2 = realloc_clean(heap, h2, 100)),
	    "c0+0x3000");
	zt_assert_sizes(heap, 2107512, 11548728, 4194304, 17133568);
	ck_assert_str_eq(zt_map_words(heap, 0), "0:0x40000001 1:0x80000000 "
	    "2:0x80000002 3:0x8000000a 4:0x8000001d 5:0xc001001d "
	    "6:0xc002001d 7:0x40000002 11:0x40000001 16:0x8000001b "
	    "17:0xc001001b 18:0xc002001b 19:0xc003001b");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_map[0], 0xf09ff);
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	zmm_heap_free_all(heap);
}
END_TEST

/* A pointer of another heap is refused; nothing changes. */
START_TEST(test_realloc_foreign)
{
	struct zmm_heap *heap = zt_heap_new(), *other = zt_heap_new();
	void *theirs = zt_alloc_ok(other, 24), *out = (void *)1;
	char *p = zt_alloc_ok(heap, 24);

	ck_assert_int_eq(zmm_heap_realloc(heap, theirs, 100, &out),
	    ZMM_E_INVALID);
	ck_assert_ptr_null(out);
	zt_assert_heap_ok(heap);
	zt_assert_heap_ok(other);
	zt_assert_sizes(heap, 24, 24, MIB2, MIB2);
	zt_assert_sizes(other, 24, 24, MIB2, MIB2);
	/* a 2 MiB-aligned pointer that is no huge block */
	ck_assert_int_eq(zmm_heap_realloc(heap, p - zt_offset(heap, p), 100,
	    &out), ZMM_E_INVALID);
	zt_assert_heap_ok(heap);
	zt_assert_sizes(heap, 24, 24, MIB2, MIB2);
	zmm_heap_free_all(other);
	zmm_heap_free_all(heap);
}
END_TEST

/* A failing general path leaves the old block as it was. */
START_TEST(test_realloc_overflow_keeps_block)
{
	struct zmm_heap *heap = zt_heap_new();
	void *p = zt_alloc_ok(heap, 100), *out = (void *)1;

	fill(p, 112, 27);
	ck_assert_int_eq(zmm_heap_realloc(heap, p, SIZE_MAX, &out),
	    ZMM_E_OVERFLOW);
	ck_assert_ptr_null(out);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Possible integer overflow "
	    "in memory allocation (18446744073709551615 + 4096)");
	assert_filled(p, 112, 27);
	zt_assert_sizes(heap, 112, 112, MIB2, MIB2);
	ck_assert_uint_eq(zmm_heap_block_size(heap, p), 112);
	zt_free_ok(heap, p);
	zmm_heap_free_all(heap);
}
END_TEST

Suite *
suite_realloc(void)
{
	Suite *s = suite_create("realloc");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_realloc_paths_example);
	tcase_add_test(tc, test_realloc_small_in_place);
	tcase_add_test(tc, test_realloc_small_truncate);
	tcase_add_test(tc, test_realloc_small_extend);
	tcase_add_test(tc, test_realloc_small_to_large);
	tcase_add_test(tc, test_realloc_large_same);
	tcase_add_test(tc, test_realloc_large_shrink);
	tcase_add_test(tc, test_realloc_large_grow);
	tcase_add_test(tc, test_realloc_large_blocked_grow);
	tcase_add_test(tc, test_realloc_large_to_small);
	tcase_add_test(tc, test_realloc_large_to_huge);
	tcase_add_test(tc, test_realloc_huge_same);
	tcase_add_test(tc, test_realloc_huge_truncate);
	tcase_add_test(tc, test_realloc_huge_extend);
	tcase_add_test(tc, test_realloc_huge_move);
	tcase_add_test(tc, test_realloc_huge_move_example);
	tcase_add_test(tc, test_realloc_huge_to_large_and_small);
	tcase_add_test(tc, test_realloc_null);
	tcase_add_test(tc, test_realloc_trace);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_realloc_large_grow_at_chunk_end);
	tcase_add_test(tc, test_realloc_huge_shrink_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_realloc_foreign);
	tcase_add_test(tc, test_realloc_overflow_keeps_block);
	suite_add_tcase(s, tc);
	return s;
}
