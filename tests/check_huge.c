/*
 * check_huge.c - huge blocks (zendmm-php8.md section 10, example 21.5):
 * sizes rounded to 4 KiB, the 24-byte list node in bin 2, the huge list
 * newest first, the "huge:BYTES" location, and the overflow, limit and
 * out-of-storage errors of a huge request.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "tests.h"

#define MIB2	ZMM_CHUNK_SIZE

/* The huge list as "SIZE SIZE ..." (newest first). */
static const char *
huge_list(const struct zmm_heap *heap)
{
	static char buf[512];
	const struct zmm_huge *h;
	size_t at = 0;

	buf[0] = '\0';
	for (h = zmm_heap_huge_first(heap); h != NULL; h = zmm_heap_huge_next(h))
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%zu",
		    at ? " " : "", zmm_huge_size(h));
	return buf;
}

/* Example 21.5: alloc 3000000, then free. */
START_TEST(test_huge_alloc_free)
{
	struct zmm_heap *heap = zt_heap_new();
	const struct zmm_huge *node;
	struct zmm_stats st;
	char *h;

	h = zt_alloc_ok(heap, 3000000);
	ck_assert_uint_eq((uintptr_t)h % MIB2, 0);
	ck_assert_str_eq(zt_loc(heap, h), "huge:3002368");
	ck_assert_uint_eq(zmm_heap_block_size(heap, h), 3002368);
	h[0] = 1;
	h[2999999] = 2;		/* the mapping is usable */
	node = zmm_heap_huge_first(heap);
	ck_assert_ptr_nonnull(node);
	ck_assert_ptr_eq(zmm_huge_ptr(node), h);
	ck_assert_uint_eq(zmm_huge_size(node), 3002368);
	ck_assert_ptr_null(zmm_heap_huge_next(node));
	/* the node is the first slot of a bin-2 run at page 1 */
	ck_assert_str_eq(zt_loc(heap, node), "c0+0x1000");
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0x80000002u);
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x1018");
	zt_assert_sizes(heap, 3002392, 3002392, 5099520, 5099520);
	zmm_heap_stats(heap, &st);
	ck_assert_uint_eq(st.huge_count, 1);
	ck_assert_uint_eq(st.chunks_count, 1);

	zt_free_ok(heap, h);
	zt_assert_sizes(heap, 0, 3002392, 2097152, 5099520);
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x1000");
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 170);
	ck_assert_str_eq(zt_loc(heap, h), "null");
	ck_assert_uint_eq(zmm_heap_block_size(heap, h), 0);
	zmm_heap_free_all(heap);
}
END_TEST

/* Mapped sizes are the request rounded up to 4 KiB. */
START_TEST(test_huge_sizes)
{
	static const struct { size_t size, mapped; const char *loc; } cases[] = {
		{ 2093057, 2097152, "huge:2097152" },
		{ 2097152, 2097152, "huge:2097152" },
		{ 2097153, 2101248, "huge:2101248" },	/* 2 MiB + 4 KiB */
		{ 2500000, 2502656, "huge:2502656" },
		{ 3145728, 3145728, "huge:3145728" },
		{ 10485760, 10485760, "huge:10485760" },
	};
	struct zmm_heap *heap = zt_heap_new();
	size_t i, size = 0, real = MIB2;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p = zt_alloc_ok(heap, cases[i].size);

		ck_assert_str_eq(zt_loc(heap, p), cases[i].loc);
		ck_assert_uint_eq(zmm_heap_block_size(heap, p), cases[i].mapped);
		size += 24 + cases[i].mapped;
		real += cases[i].mapped;
		zt_assert_sizes(heap, size, size, real, real);
	}
	/* 2093056 is still large: 511 pages in the main chunk */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2093056)), "c1+0x1000");
	zmm_heap_free_all(heap);
}
END_TEST

/* The huge list is newest first; nodes are reused LIFO (huge.zmt). */
START_TEST(test_huge_list_order)
{
	struct zmm_heap *heap = zt_heap_new();
	void *h1, *h2, *h5;

	zt_alloc_ok(heap, 8);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 2093056)), "c1+0x1000");
	h1 = zt_alloc_ok(heap, 2093057);
	h2 = zt_alloc_ok(heap, 2097153);
	zt_alloc_ok(heap, 3 * 1024 * 1024);
	zt_alloc_ok(heap, 10 * 1024 * 1024);
	ck_assert_str_eq(huge_list(heap), "10485760 3145728 2101248 2097152");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c0+0x2048");
	zt_free_ok(heap, h2);
	ck_assert_str_eq(huge_list(heap), "10485760 3145728 2097152");
	zt_free_ok(heap, h1);
	ck_assert_str_eq(huge_list(heap), "10485760 3145728");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x2000");
	h5 = zt_alloc_ok(heap, 2500000);
	ck_assert_str_eq(zt_loc(heap, h5), "huge:2502656");
	ck_assert_str_eq(huge_list(heap), "2502656 10485760 3145728");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c0+0x2000");
	ck_assert_str_eq(zt_loc(heap, zmm_heap_bin_head(heap, 2)), "c0+0x2018");
	ck_assert_str_eq(zt_loc(heap, zmm_slot_next(zmm_heap_bin_head(heap, 2))),
	    "c0+0x2060");
	zt_assert_sizes(heap, 18227280, 19923048, 20328448, 22024192);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_huge_loc_format)
{
	struct zmm_loc loc = { ZMM_LOC_HUGE, 0, 0, 3002368 };
	char buf[ZMM_LOC_BUFSIZE];

	ck_assert_int_eq(zmm_loc_format(&loc, buf, sizeof(buf)), 12);
	ck_assert_str_eq(buf, "huge:3002368");
	loc.kind = ZMM_LOC_CHUNK;
	loc.chunk = 3;
	loc.offset = 0x1fe000;
	ck_assert_int_eq(zmm_loc_format(&loc, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "c3+0x1fe000");
	loc.kind = ZMM_LOC_NONE;
	ck_assert_int_eq(zmm_loc_format(&loc, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "null");
	/* truncated like snprintf: the length it needed */
	loc.kind = ZMM_LOC_HUGE;
	ck_assert_int_eq(zmm_loc_format(&loc, buf, 6), 12);
	ck_assert_str_eq(buf, "huge:");
}
END_TEST

/* Rounding up to 4 KiB overflows: PHP's "(size + 4096)" message. */
START_TEST(test_huge_overflow)
{
	struct zmm_heap *heap = zt_heap_new();
	void *p = (void *)1;

	ck_assert_int_eq(zmm_heap_alloc(heap, SIZE_MAX, &p), ZMM_E_OVERFLOW);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Possible integer overflow "
	    "in memory allocation (18446744073709551615 + 4096)");
	ck_assert_int_eq(zmm_heap_alloc(heap, SIZE_MAX - 4094, &p),
	    ZMM_E_OVERFLOW);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Possible integer overflow "
	    "in memory allocation (18446744073709547521 + 4096)");
	/* SIZE_MAX - 4095 rounds without overflow and meets the limit */
	ck_assert_int_eq(zmm_heap_alloc(heap, SIZE_MAX - 4095, &p), ZMM_E_LIMIT);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Allowed memory size of "
	    "9223372036854775807 bytes exhausted (tried to allocate "
	    "18446744073709547520 bytes)");
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0);
	zmm_heap_free_all(heap);
}
END_TEST

/* Storage cannot map it: "Out of memory", nothing changes. */
START_TEST(test_huge_out_of_storage)
{
	struct zmm_heap *heap = zt_heap_new();
	size_t size = (size_t)1 << 62;
	void *p = (void *)1;

	ck_assert_int_eq(zmm_heap_alloc(heap, size, &p), ZMM_E_NOMEM);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Out of memory (allocated "
	    "2097152 bytes) (tried to allocate 4611686018427387904 bytes)");
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	/* the heap goes on working */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 3000000)),
	    "huge:3002368");
	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	zmm_heap_free_all(heap);
}
END_TEST

/* A huge block freed twice: the second free finds no such block. */
START_TEST(test_huge_free_unknown)
{
	struct zmm_heap *heap = zt_heap_new();
	void *h = zt_alloc_ok(heap, 3000000), *k = zt_alloc_ok(heap, 2500000);

	zt_free_ok(heap, h);
	ck_assert_int_eq(zmm_heap_free(heap, h), ZMM_E_INVALID);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(huge_list(heap), "2502656");
	zt_assert_sizes(heap, 2502680, 5505072, MIB2 + 2502656,
	    MIB2 + 3002368 + 2502656);
	zt_free_ok(heap, k);
	zmm_heap_free_all(heap);
}
END_TEST

Suite *
suite_huge(void)
{
	Suite *s = suite_create("huge");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_huge_alloc_free);
	tcase_add_test(tc, test_huge_list_order);
	tcase_add_test(tc, test_huge_loc_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_huge_sizes);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_huge_overflow);
	tcase_add_test(tc, test_huge_out_of_storage);
	tcase_add_test(tc, test_huge_free_unknown);
	suite_add_tcase(s, tc);
	return s;
}
