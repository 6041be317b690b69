/*
 * check_limit.c - the memory limit of PHP 8.2.0-8.2.34 (zendmm-php8.md
 * sections 14 and 18): `zend_set_memory_limit` (including the trimming
 * quirk that keeps the old limit), where the limit is checked, the gc
 * that runs first, the messages and the statistics a failure leaves, the
 * `ecalloc` overflow check, and the last-error text.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tests.h"

#define MIB2	ZMM_CHUNK_SIZE
#define FILL_C0	((size_t)510 * 4096)
#define CHUNK_BLOCK ((size_t)511 * 4096)

/* zt_alloc_ok() that also leaves no last error. */
static void *
alloc_clean(struct zmm_heap *heap, size_t size)
{
	void *ptr = zt_alloc_ok(heap, size);

	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	return ptr;
}

/* An allocation that must fail with STATUS and PHP's MESSAGE. */
static void
alloc_fails(struct zmm_heap *heap, size_t size, int status,
    const char *message)
{
	void *ptr = (void *)1;

	ck_assert_int_eq(zmm_heap_alloc(heap, size, &ptr), status);
	ck_assert_ptr_null(ptr);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), message);
}

static void
set_limit_ok(struct zmm_heap *heap, size_t limit)
{
	ck_assert_int_eq(zmm_heap_set_limit(heap, limit), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "");
}

/* c0 full and an emptied c1 in the cache: real_size 4 MiB. */
static struct zmm_heap *
heap_with_cached_chunk(void)
{
	struct zmm_heap *heap = zt_heap_new();
	void *b;

	alloc_clean(heap, 8);
	alloc_clean(heap, FILL_C0);
	b = alloc_clean(heap, CHUNK_BLOCK);
	zt_free_ok(heap, b);
	ck_assert_str_eq(zt_cache(heap), "c1");
	ck_assert_uint_eq(zt_stats(heap).real_size, 2 * MIB2);
	return heap;
}

/* A limit at or above real_size is stored. */
START_TEST(test_limit_set)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;

	ck_assert_uint_eq(zt_stats(heap).limit, ZMM_DEFAULT_LIMIT);
	ck_assert_uint_eq(ZMM_DEFAULT_LIMIT, (size_t)9223372036854775807u);
	zt_recorder_listen(heap, &rec);
	set_limit_ok(heap, 4 * MIB2);
	ck_assert_uint_eq(zt_stats(heap).limit, 4 * MIB2);
	set_limit_ok(heap, MIB2);			/* == real_size */
	ck_assert_uint_eq(zt_stats(heap).limit, MIB2);
	set_limit_ok(heap, SIZE_MAX);			/* "-1", stored as is */
	ck_assert_uint_eq(zt_stats(heap).limit, SIZE_MAX);
	ck_assert_str_eq(rec.text,
	    "{\"op\":0,\"ev\":\"limit_set\",\"size\":8388608,\"why\":\"set\"}\n"
	    "{\"op\":0,\"ev\":\"limit_set\",\"size\":2097152,\"why\":\"set\"}\n"
	    "{\"op\":0,\"ev\":\"limit_set\",\"size\":18446744073709551615,"
	    "\"why\":\"set\"}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/*
 * Below real_size but reachable by giving cached chunks back: they go,
 * the call succeeds, and (8.2.0-8.2.34) the old limit stays.
 */
START_TEST(test_limit_set_trims_cache)
{
	struct zmm_heap *heap = heap_with_cached_chunk();
	struct zt_recorder rec;
	int i;

	set_limit_ok(heap, 100 * MIB2);
	zt_recorder_listen(heap, &rec);
	set_limit_ok(heap, 3 * MIB2 / 2);		/* 3 MiB */
	ck_assert_str_eq(zt_cache(heap), "");
	ck_assert_uint_eq(zt_stats(heap).cached_chunks_count, 0);
	ck_assert_uint_eq(zt_stats(heap).limit, 100 * MIB2);	/* not stored */
	zt_assert_sizes(heap, 8 + FILL_C0, 8 + FILL_C0 + CHUNK_BLOCK, MIB2,
	    2 * MIB2);
	ck_assert_str_eq(rec.text,
	    "{\"op\":0,\"ev\":\"chunk_release\",\"chunk\":\"c1\","
	    "\"why\":\"cache_trim\"}\n"
	    "{\"op\":0,\"ev\":\"limit_set\",\"size\":3145728,"
	    "\"why\":\"trimmed_cache\"}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);

	/* two cached chunks: only as many as needed go, head first */
	heap = zt_heap_new();
	alloc_clean(heap, 8);
	alloc_clean(heap, FILL_C0);
	for (i = 0; i < 4; i++)
		alloc_clean(heap, CHUNK_BLOCK);
	zmm_heap_reset(heap);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zt_cache(heap), "c2 c1");
	ck_assert_uint_eq(zt_stats(heap).real_size, 3 * MIB2);
	set_limit_ok(heap, 2 * MIB2 + 1);
	ck_assert_str_eq(zt_cache(heap), "c1");
	ck_assert_uint_eq(zt_stats(heap).real_size, 2 * MIB2);
	ck_assert_uint_eq(zt_stats(heap).limit, ZMM_DEFAULT_LIMIT);
	set_limit_ok(heap, 2 * MIB2);			/* now stored */
	ck_assert_uint_eq(zt_stats(heap).limit, 2 * MIB2);
	ck_assert_str_eq(zt_cache(heap), "c1");
	zmm_heap_free_all(heap);
}
END_TEST

/* Below what trimming can reach: refused, nothing changes. */
START_TEST(test_limit_set_refused)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;

	zt_recorder_listen(heap, &rec);
	ck_assert_int_eq(zmm_heap_set_limit(heap, 1048576), ZMM_E_LIMIT_SET);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Failed to set memory limit "
	    "to 1048576 bytes (Current memory usage is 2097152 bytes)");
	ck_assert_uint_eq(zt_stats(heap).limit, ZMM_DEFAULT_LIMIT);
	ck_assert_str_eq(rec.text,
	    "{\"op\":0,\"ev\":\"limit_set\",\"size\":1048576,\"why\":\"refused\","
	    "\"text\":\"Failed to set memory limit to 1048576 bytes (Current "
	    "memory usage is 2097152 bytes)\"}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);

	/* the cache would not be enough: it is kept */
	heap = heap_with_cached_chunk();
	ck_assert_int_eq(zmm_heap_set_limit(heap, MIB2 - 1), ZMM_E_LIMIT_SET);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Failed to set memory limit "
	    "to 2097151 bytes (Current memory usage is 4194304 bytes)");
	ck_assert_str_eq(zt_cache(heap), "c1");
	ck_assert_uint_eq(zt_stats(heap).real_size, 2 * MIB2);
	ck_assert_uint_eq(zt_stats(heap).limit, ZMM_DEFAULT_LIMIT);
	/* the next successful call clears the message */
	alloc_clean(heap, 8);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * A small request whose run needs a new chunk: "tried to allocate"
 * 4096 x pages of the run; size/peak stay raised by the slot size.
 */
START_TEST(test_limit_small_needs_chunk)
{
	struct zmm_heap *heap = zt_heap_new();

	set_limit_ok(heap, MIB2);
	ck_assert_str_eq(zt_loc(heap, alloc_clean(heap, FILL_C0)), "c0+0x1000");
	alloc_fails(heap, 300, ZMM_E_LIMIT, "Allowed memory size of 2097152 "
	    "bytes exhausted (tried to allocate 20480 bytes)");
	zt_assert_sizes(heap, FILL_C0 + 320, FILL_C0 + 320, MIB2, MIB2);
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_ptr_null(zmm_heap_bin_head(heap, 16));
	/* a one-page run still fits page 511: no limit check */
	ck_assert_str_eq(zt_loc(heap, alloc_clean(heap, 24)), "c0+0x1ff000");
	zt_assert_sizes(heap, FILL_C0 + 344, FILL_C0 + 344, MIB2, MIB2);
	alloc_fails(heap, 16, ZMM_E_LIMIT, "Allowed memory size of 2097152 "
	    "bytes exhausted (tried to allocate 4096 bytes)");
	zt_assert_sizes(heap, FILL_C0 + 360, FILL_C0 + 360, MIB2, MIB2);
	/* slots of the existing run need no page */
	alloc_clean(heap, 24);
	zt_assert_sizes(heap, FILL_C0 + 384, FILL_C0 + 384, MIB2, MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* A large request: 4096 x pages in the message, statistics untouched. */
START_TEST(test_limit_large_needs_chunk)
{
	struct zmm_heap *heap = zt_heap_new();

	set_limit_ok(heap, MIB2);
	alloc_clean(heap, FILL_C0);
	alloc_fails(heap, 5000, ZMM_E_LIMIT, "Allowed memory size of 2097152 "
	    "bytes exhausted (tried to allocate 8192 bytes)");
	zt_assert_sizes(heap, FILL_C0, FILL_C0, MIB2, MIB2);
	alloc_fails(heap, CHUNK_BLOCK, ZMM_E_LIMIT, "Allowed memory size of "
	    "2097152 bytes exhausted (tried to allocate 2093056 bytes)");
	zt_assert_sizes(heap, FILL_C0, FILL_C0, MIB2, MIB2);
	ck_assert_str_eq(zt_ring(heap), "c0");
	/* the last free page needs no new chunk */
	ck_assert_str_eq(zt_loc(heap, alloc_clean(heap, 4096)), "c0+0x1ff000");
	zmm_heap_free_all(heap);
}
END_TEST

/* Huge: the unrounded size in the message; exactly at the limit is fine. */
START_TEST(test_limit_huge)
{
	struct zmm_heap *heap = zt_heap_new();

	set_limit_ok(heap, 2 * MIB2);
	alloc_fails(heap, 3000000, ZMM_E_LIMIT, "Allowed memory size of "
	    "4194304 bytes exhausted (tried to allocate 3000000 bytes)");
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	set_limit_ok(heap, MIB2 + 3002368);
	ck_assert_str_eq(zt_loc(heap, alloc_clean(heap, 3000000)),
	    "huge:3002368");
	zt_assert_sizes(heap, 3002392, 3002392, MIB2 + 3002368, MIB2 + 3002368);
	alloc_fails(heap, 2093057, ZMM_E_LIMIT, "Allowed memory size of "
	    "5099520 bytes exhausted (tried to allocate 2093057 bytes)");
	zmm_heap_free_all(heap);
}
END_TEST

/* gc before the error: it empties c1, which is cached and then reused. */
START_TEST(test_limit_gc_frees_chunk)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_stats st;
	void *x;

	alloc_clean(heap, 8);
	alloc_clean(heap, FILL_C0);
	x = alloc_clean(heap, 64);
	ck_assert_str_eq(zt_loc(heap, x), "c1+0x1000");
	zt_free_ok(heap, x);
	set_limit_ok(heap, 2 * MIB2);
	ck_assert_str_eq(zt_loc(heap, alloc_clean(heap, CHUNK_BLOCK)), "c1+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	ck_assert_str_eq(zt_cache(heap), "");
	ck_assert_ptr_null(zmm_heap_bin_head(heap, 7));
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 2 * MIB2);
	ck_assert_uint_eq(st.chunks_mapped, 2);
	zmm_heap_free_all(heap);
}
END_TEST

/* c0 full; c1 (small run, emptied) and c2 (small run, emptied). */
static struct zmm_heap *
heap_with_two_empty_runs(void)
{
	struct zmm_heap *heap = zt_heap_new();
	void *x, *fill, *y;

	alloc_clean(heap, 8);
	alloc_clean(heap, FILL_C0);
	x = alloc_clean(heap, 64);
	fill = alloc_clean(heap, FILL_C0);
	y = alloc_clean(heap, 128);
	ck_assert_str_eq(zt_loc(heap, y), "c2+0x1000");
	zt_free_ok(heap, x);
	zt_free_ok(heap, fill);
	zt_free_ok(heap, y);
	ck_assert_uint_eq(zt_stats(heap).real_size, 3 * MIB2);
	return heap;
}

/* gc releases c1 and caches c2: enough room for the huge block. */
START_TEST(test_limit_gc_frees_enough_for_huge)
{
	struct zmm_heap *heap = heap_with_two_empty_runs();

	set_limit_ok(heap, 2 * MIB2 + 3002368);
	ck_assert_str_eq(zt_loc(heap, alloc_clean(heap, 3000000)),
	    "huge:3002368");
	/* the node needs a new bin-2 run: c0 is full, c2 leaves the cache */
	ck_assert_str_eq(zt_loc(heap, zmm_heap_huge_first(heap)), "c2+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c2");
	ck_assert_str_eq(zt_cache(heap), "");
	ck_assert_uint_eq(zt_stats(heap).real_size, 2 * MIB2 + 3002368);
	zmm_heap_free_all(heap);
}
END_TEST

/* gc runs and frees something, but not enough: its effects stay. */
START_TEST(test_limit_gc_not_enough)
{
	struct zmm_heap *heap = heap_with_two_empty_runs();
	struct zt_recorder rec;

	set_limit_ok(heap, 2 * MIB2 + 3002368 - 4096);
	zt_recorder_listen(heap, &rec);
	alloc_fails(heap, 3000000, ZMM_E_LIMIT, "Allowed memory size of "
	    "7192576 bytes exhausted (tried to allocate 3000000 bytes)");
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "c2");
	zt_assert_sizes(heap, 8 + FILL_C0, 8 + 2 * FILL_C0 + 64 + 128, 2 * MIB2,
	    3 * MIB2);
	ck_assert_ptr_null(zmm_heap_huge_first(heap));
	ck_assert_ptr_nonnull(strstr(rec.text, "\"ev\":\"gc_begin\""));
	ck_assert_ptr_nonnull(strstr(rec.text,
	    "{\"op\":0,\"ev\":\"gc_end\",\"size\":8192}\n"
	    "{\"op\":0,\"ev\":\"error\",\"size\":3000000,\"why\":\"limit\","
	    "\"text\":\"Allowed memory size of 7192576 bytes exhausted (tried "
	    "to allocate 3000000 bytes)\"}\n"));
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* A cached chunk is taken without a limit check; a new one is not. */
START_TEST(test_limit_cached_chunk_unchecked)
{
	struct zmm_heap *heap = heap_with_cached_chunk();

	set_limit_ok(heap, 2 * MIB2);
	ck_assert_uint_eq(zt_stats(heap).limit, 2 * MIB2);
	ck_assert_str_eq(zt_loc(heap, alloc_clean(heap, CHUNK_BLOCK)), "c1+0x1000");
	alloc_fails(heap, CHUNK_BLOCK, ZMM_E_LIMIT, "Allowed memory size of "
	    "4194304 bytes exhausted (tried to allocate 2093056 bytes)");
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	zt_assert_sizes(heap, 8 + FILL_C0 + CHUNK_BLOCK,
	    8 + FILL_C0 + CHUNK_BLOCK, 2 * MIB2, 2 * MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* Growing a huge block checks the growth; shrinking never checks. */
START_TEST(test_limit_huge_grow)
{
	struct zmm_heap *heap = zt_heap_new();
	void *h, *out = (void *)1;

	h = alloc_clean(heap, 3000000);
	set_limit_ok(heap, MIB2 + 3002368 + 4096);
	ck_assert_int_eq(zmm_heap_realloc(heap, h, 3004000, &out), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_eq(out, h);
	ck_assert_str_eq(zt_loc(heap, h), "huge:3006464");
	ck_assert_int_eq(zmm_heap_realloc(heap, h, 3010000, &out), ZMM_E_LIMIT);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Allowed memory size of "
	    "5103616 bytes exhausted (tried to allocate 3010000 bytes)");
	ck_assert_str_eq(zt_loc(heap, h), "huge:3006464");
	zt_assert_sizes(heap, 3006488, 3006488, MIB2 + 3006464, MIB2 + 3006464);
	ck_assert_int_eq(zmm_heap_realloc(heap, h, 2500000, &out), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_eq(out, h);
	zt_assert_sizes(heap, 2502680, 3006488, MIB2 + 2502656, MIB2 + 3006464);
	zmm_heap_free_all(heap);
}
END_TEST

/* Small and large requests served by existing chunks are never checked. */
START_TEST(test_limit_not_checked_in_chunks)
{
	struct zmm_heap *heap = zt_heap_new();

	set_limit_ok(heap, MIB2);
	alloc_clean(heap, 1024 * 1024);
	alloc_clean(heap, 1000 * 1024);
	alloc_clean(heap, 3000);
	ck_assert_uint_eq(zt_stats(heap).size,
	    1024 * 1024 + 1000 * 1024 + 3072);
	ck_assert_str_eq(zt_ring(heap), "c0");
	zmm_heap_free_all(heap);
}
END_TEST

/* `ecalloc` overflow: PHP's message, nothing allocated. */
START_TEST(test_limit_calloc_overflow)
{
	struct zmm_heap *heap = zt_heap_new();
	unsigned char zero[24] = { 0 };
	void *p = (void *)1;

	ck_assert_int_eq(zmm_heap_calloc(heap, (SIZE_MAX >> 1) + 1, 2, &p),
	    ZMM_E_OVERFLOW);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Possible integer overflow "
	    "in memory allocation (9223372036854775808 * 2 + 0)");
	ck_assert_int_eq(zmm_heap_calloc(heap, 3, SIZE_MAX / 2, &p),
	    ZMM_E_OVERFLOW);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Possible integer overflow "
	    "in memory allocation (3 * 9223372036854775807 + 0)");
	zt_assert_heap_ok(heap);
	zt_assert_sizes(heap, 0, 0, MIB2, MIB2);
	ck_assert_uint_eq(zt_map_word(heap, 0, 1), 0);
	ck_assert_uint_eq(zt_stats(heap).slots_popped, 0);

	/* no overflow in the product: ordinary requests */
	ck_assert_int_eq(zmm_heap_calloc(heap, 2, 12, &p), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	ck_assert_mem_eq(p, zero, 24);
	ck_assert_str_eq(zt_loc(heap, p), "c0+0x1000");
	ck_assert_int_eq(zmm_heap_calloc(heap, 0, SIZE_MAX, &p), ZMM_OK);
	zt_assert_heap_ok(heap);
	ck_assert_uint_eq(zmm_heap_block_size(heap, p), 8);
	ck_assert_int_eq(zmm_heap_calloc(heap, SIZE_MAX, 1, &p), ZMM_E_OVERFLOW);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Possible integer overflow "
	    "in memory allocation (18446744073709551615 + 4096)");
	zt_assert_sizes(heap, 32, 32, MIB2, MIB2);
	zmm_heap_free_all(heap);
}
END_TEST

/* Every call starts with an empty message. */
START_TEST(test_limit_last_error_cleared)
{
	struct zmm_heap *heap = zt_heap_new();
	void *p = alloc_clean(heap, 24);

	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	set_limit_ok(heap, MIB2);
	alloc_fails(heap, 3000000, ZMM_E_LIMIT, "Allowed memory size of "
	    "2097152 bytes exhausted (tried to allocate 3000000 bytes)");
	zt_free_ok(heap, p);
	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	alloc_fails(heap, 3000000, ZMM_E_LIMIT, "Allowed memory size of "
	    "2097152 bytes exhausted (tried to allocate 3000000 bytes)");
	alloc_clean(heap, 24);
	alloc_fails(heap, 3000000, ZMM_E_LIMIT, "Allowed memory size of "
	    "2097152 bytes exhausted (tried to allocate 3000000 bytes)");
	ck_assert_uint_eq(zmm_heap_gc(heap), 0);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	ck_assert_int_eq(zmm_heap_set_limit(heap, 1), ZMM_E_LIMIT_SET);
	zt_assert_heap_ok(heap);
	set_limit_ok(heap, 4 * MIB2);
	ck_assert_str_eq(zmm_strerror(ZMM_OK), "success");
	ck_assert_str_eq(zmm_strerror(ZMM_E_LIMIT), "memory limit exhausted");
	ck_assert_str_eq(zmm_strerror(ZMM_E_LIMIT_SET),
	    "memory limit below current usage");
	zmm_heap_free_all(heap);
}
END_TEST

Suite *
suite_limit(void)
{
	Suite *s = suite_create("limit");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_limit_set);
	tcase_add_test(tc, test_limit_set_trims_cache);
	tcase_add_test(tc, test_limit_not_checked_in_chunks);
	tcase_add_test(tc, test_limit_cached_chunk_unchecked);
	tcase_add_test(tc, test_limit_gc_frees_chunk);
	tcase_add_test(tc, test_limit_gc_frees_enough_for_huge);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_limit_set_refused);
	tcase_add_test(tc, test_limit_small_needs_chunk);
	tcase_add_test(tc, test_limit_large_needs_chunk);
	tcase_add_test(tc, test_limit_huge);
	tcase_add_test(tc, test_limit_gc_not_enough);
	tcase_add_test(tc, test_limit_huge_grow);
	tcase_add_test(tc, test_limit_calloc_overflow);
	tcase_add_test(tc, test_limit_last_error_cleared);
	suite_add_tcase(s, tc);
	return s;
}
