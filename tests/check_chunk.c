/*
 * check_chunk.c - the chunk ring and the chunk cache (zendmm-php8.md
 * sections 5, 6.4, 6.5): a new chunk when the ring is full, move-to-front,
 * what happens to an emptied chunk (cache, release, the delete-boundary
 * rule, the swap with an older cache head), chunk serials, `real_size`.
 */
#include "config.h"

#include <stdio.h>

#include "tests.h"

#define MIB2	ZMM_CHUNK_SIZE
#define FILL_C0	((size_t)510 * 4096)	/* c0 after an 8-byte pin */
#define CHUNK_BLOCK ((size_t)511 * 4096)	/* a whole chunk */

/* A heap whose main chunk is full: an 8-byte pin and 510 pages. */
static struct zmm_heap *
heap_with_full_c0(void)
{
	struct zmm_heap *heap = zt_heap_new();

	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8)), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, FILL_C0)), "c0+0x2000");
	ck_assert_uint_eq(zt_chunk_info(heap, 0).free_pages, 0);
	return heap;
}

START_TEST(test_chunk_new_when_full)
{
	struct zmm_heap *heap = heap_with_full_c0();
	struct zmm_chunk_info info;
	struct zmm_stats st;

	/* a slot of an existing run needs no page */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8)), "c0+0x1008");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c1+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	info = zt_chunk_info(heap, 1);
	ck_assert_uint_eq(info.num, 1);
	ck_assert(!info.is_main);
	ck_assert(zt_chunk_info(heap, 0).is_main);
	ck_assert_uint_eq(info.free_pages, 510);
	ck_assert_uint_eq(info.free_tail, 2);
	ck_assert_uint_eq(info.map[0], 0x40000001u);
	st = zt_stats(heap);
	ck_assert_uint_eq(st.chunks_count, 2);
	ck_assert_uint_eq(st.peak_chunks_count, 2);
	ck_assert_uint_eq(st.chunks_mapped, 2);
	ck_assert_uint_eq(st.real_size, 2 * MIB2);
	ck_assert_uint_eq(st.real_peak, 2 * MIB2);
	/* 511 pages need an empty chunk: c2, at the end of the ring */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, CHUNK_BLOCK)), "c2+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2");
	ck_assert_uint_eq(zt_chunk_info(heap, 2).num, 2);
	/* a new bin-1 run: the first chunk with a free page is c1 */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 16)), "c1+0x2000");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.size, 16 + 4186128);
	ck_assert_uint_eq(st.real_size, 3 * MIB2);
	ck_assert_uint_eq(st.real_peak, 3 * MIB2);
	ck_assert_uint_eq(st.chunks_count, 3);
	zmm_heap_free_all(heap);
}
END_TEST

/* Found after 3 steps and under 8 pages: moved right after main. */
START_TEST(test_chunk_move_to_front)
{
	struct zmm_heap *heap = heap_with_full_c0();

	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, CHUNK_BLOCK)), "c1+0x1000");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, CHUNK_BLOCK)), "c2+0x1000");
	/* new chunk after 2 steps: stays last */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c3+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2 c3");
	/* found after 3 steps: moved */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c3+0x2000");
	ck_assert_str_eq(zt_ring(heap), "c0 c3 c1 c2");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c3+0x3000");
	ck_assert_str_eq(zt_ring(heap), "c0 c3 c1 c2");
	ck_assert_uint_eq(zt_chunk_info(heap, 3).num, 3);
	/* a chunk added now follows c2 (num 2): its num repeats c3's */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, CHUNK_BLOCK)), "c4+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c3 c1 c2 c4");
	ck_assert_uint_eq(zt_chunk_info(heap, 4).num, 3);
	ck_assert_uint_eq(zt_chunk_info(heap, 2).num, 2);
	ck_assert_uint_eq(zt_chunk_info(heap, 1).num, 1);
	ck_assert_uint_eq(zt_chunk_info(heap, 0).num, 0);
	zmm_heap_free_all(heap);
}
END_TEST

/* A chunk just added after more than 2 steps is moved as well. */
START_TEST(test_chunk_new_chunk_moved)
{
	struct zmm_heap *heap = heap_with_full_c0();
	int i;

	for (i = 1; i <= 3; i++)
		zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2 c3");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 7 * 4096)),
	    "c4+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c4 c1 c2 c3");
	ck_assert_uint_eq(zt_chunk_info(heap, 4).num, 4);
	/* 8 pages: found at step 1 now */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8 * 4096)),
	    "c4+0x8000");
	ck_assert_str_eq(zt_ring(heap), "c0 c4 c1 c2 c3");
	zmm_heap_free_all(heap);
}
END_TEST

/* 8 pages or more: never moved, even after many steps. */
START_TEST(test_chunk_eight_pages_not_moved)
{
	struct zmm_heap *heap = heap_with_full_c0();
	int i;

	for (i = 1; i <= 3; i++)
		zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8 * 4096)),
	    "c4+0x1000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2 c3 c4");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8 * 4096)),
	    "c4+0x9000");
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2 c3 c4");
	/* a small run found at step 4 is moved */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 16)), "c4+0x11000");
	ck_assert_str_eq(zt_ring(heap), "c0 c4 c1 c2 c3");
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * With avg_chunks_count 1.0 only the last non-main chunk is cached; the
 * cached chunk comes back with its serial, a fresh one gets a new serial.
 */
START_TEST(test_chunk_cache_last_only)
{
	struct zmm_heap *heap = heap_with_full_c0();
	struct zmm_stats st;
	void *a, *b, *c, *d, *e;

	a = zt_alloc_ok(heap, CHUNK_BLOCK);
	b = zt_alloc_ok(heap, CHUNK_BLOCK);
	c = zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, c), "c3+0x1000");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 4 * MIB2);
	ck_assert_uint_eq(st.chunks_count, 4);

	zt_free_ok(heap, c);			/* 3 + 0 < 1.1: no */
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c2");
	ck_assert_str_eq(zt_cache(heap), "");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 3 * MIB2);
	ck_assert_uint_eq(st.chunks_count, 3);
	ck_assert_int_eq(st.last_chunks_delete_boundary, 3);
	ck_assert_int_eq(st.last_chunks_delete_count, 0);
	zt_free_ok(heap, b);
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 2 * MIB2);
	ck_assert_int_eq(st.last_chunks_delete_boundary, 2);
	ck_assert_int_eq(st.last_chunks_delete_count, 0);
	zt_free_ok(heap, a);			/* 1 + 0 < 1.1: cached */
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "c1");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 2 * MIB2);	/* still counted */
	ck_assert_uint_eq(st.real_peak, 4 * MIB2);
	ck_assert_uint_eq(st.chunks_count, 1);
	ck_assert_uint_eq(st.cached_chunks_count, 1);
	ck_assert_uint_eq(st.peak_chunks_count, 4);
	ck_assert_int_eq(st.last_chunks_delete_boundary, 2);
	ck_assert_int_eq(st.last_chunks_delete_count, 0);
	ck_assert_uint_eq(st.size, 8 + FILL_C0);
	ck_assert_uint_eq(st.chunks_mapped, 4);

	d = zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, d), "c1+0x1000");	/* from the cache */
	ck_assert_str_eq(zt_cache(heap), "");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 2 * MIB2);
	ck_assert_uint_eq(st.chunks_mapped, 4);
	ck_assert_uint_eq(zt_chunk_info(heap, 1).num, 1);
	e = zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, e), "c4+0x1000");	/* fresh serial */
	ck_assert_str_eq(zt_ring(heap), "c0 c1 c4");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 3 * MIB2);
	ck_assert_uint_eq(st.real_peak, 4 * MIB2);
	ck_assert_uint_eq(st.chunks_mapped, 5);
	ck_assert_uint_eq(zt_chunk_info(heap, 4).num, 2);
	zt_free_ok(heap, e);			/* 2 + 0 < 1.1: no */
	ck_assert_str_eq(zt_ring(heap), "c0 c1");
	ck_assert_str_eq(zt_cache(heap), "");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 2 * MIB2);
	ck_assert_uint_eq(st.size, 8 + FILL_C0 + CHUNK_BLOCK);
	ck_assert_uint_eq(st.peak, 8 + FILL_C0 + 3 * CHUNK_BLOCK);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * The delete-boundary rule: the fifth deletion at the same ring size
 * (count 4) caches the chunk although the average says no; the next
 * deletion, with the cache not empty, swaps: the older chunk c1 (num 1,
 * not above the cache head's num 2) takes the cache head's place and the
 * head goes back to storage.
 */
START_TEST(test_chunk_boundary_and_swap)
{
	struct zmm_heap *heap = heap_with_full_c0();
	struct zmm_stats st;
	char want[16];
	void *p, *q;
	int i;

	p = zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, p), "c1+0x1000");
	for (i = 0; i < 6; i++) {
		q = zt_alloc_ok(heap, CHUNK_BLOCK);
		snprintf(want, sizeof(want), "c%d+0x1000", i + 2);
		ck_assert_str_eq(zt_loc(heap, q), want);
		ck_assert_uint_eq(zt_chunk_info(heap, (unsigned)i + 2).num, 2);
		zt_free_ok(heap, q);
		st = zt_stats(heap);
		ck_assert_int_eq(st.last_chunks_delete_boundary, 2);
		if (i < 5) {
			ck_assert_str_eq(zt_cache(heap), "");
			ck_assert_int_eq(st.last_chunks_delete_count, i);
			ck_assert_uint_eq(st.real_size, 2 * MIB2);
		} else {
			ck_assert_str_eq(zt_cache(heap), "c7");
			ck_assert_int_eq(st.last_chunks_delete_count, 4);
			ck_assert_uint_eq(st.real_size, 3 * MIB2);
		}
		ck_assert_str_eq(zt_ring(heap), "c0 c1");
	}
	zt_free_ok(heap, p);
	ck_assert_str_eq(zt_ring(heap), "c0");
	ck_assert_str_eq(zt_cache(heap), "c1");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.real_size, 2 * MIB2);
	ck_assert_uint_eq(st.real_peak, 3 * MIB2);
	ck_assert_uint_eq(st.cached_chunks_count, 1);
	ck_assert_int_eq(st.last_chunks_delete_boundary, 2);
	ck_assert_int_eq(st.last_chunks_delete_count, 4);
	/* c1 comes back from the cache with its serial */
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4096)), "c1+0x1000");
	ck_assert_str_eq(zt_cache(heap), "");
	ck_assert_uint_eq(zt_stats(heap).chunks_mapped, 8);
	zmm_heap_free_all(heap);
}
END_TEST

/* Storage that refuses every mapping once REFUSE_MAPS is set. */
static int refuse_maps;

static void *
refusing_map(void *ctx, size_t size)
{
	if (refuse_maps)
		return NULL;
	return zmm_storage_default_ops.map(ctx, size);
}

/*
 * Storage refuses a chunk: gc, then PHP's "Out of memory" message with
 * real_size and 4096 x pages; a small request keeps its raised size.
 */
START_TEST(test_chunk_storage_refuses)
{
	struct zmm_storage_ops ops = zmm_storage_default_ops;
	void *ctx = zmm_storage_default_new(0);
	struct zmm_heap *heap;
	struct zmm_stats st;
	void *p = (void *)1, *x;
	int status;

	ck_assert_ptr_nonnull(ctx);
	ops.map = refusing_map;
	refuse_maps = 0;
	heap = zmm_heap_new(&ops, ctx, &status);
	ck_assert_ptr_nonnull(heap);
	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, FILL_C0);
	refuse_maps = 1;
	ck_assert_int_eq(zmm_heap_alloc(heap, 5000, &p), ZMM_E_NOMEM);
	zt_assert_heap_ok(heap);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Out of memory (allocated "
	    "2097152 bytes) (tried to allocate 8192 bytes)");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.size, 8 + FILL_C0);
	ck_assert_uint_eq(st.real_size, MIB2);
	ck_assert_uint_eq(st.chunks_count, 1);
	ck_assert_int_eq(zmm_heap_alloc(heap, 300, &p), ZMM_E_NOMEM);
	zt_assert_heap_ok(heap);
	ck_assert_str_eq(zmm_heap_last_error(heap), "Out of memory (allocated "
	    "2097152 bytes) (tried to allocate 20480 bytes)");
	st = zt_stats(heap);
	ck_assert_uint_eq(st.size, 8 + FILL_C0 + 320);
	ck_assert_uint_eq(st.peak, 8 + FILL_C0 + 320);
	/* a cached chunk needs no mapping */
	refuse_maps = 0;
	x = zt_alloc_ok(heap, CHUNK_BLOCK);
	zt_free_ok(heap, x);
	ck_assert_str_eq(zt_cache(heap), "c1");
	refuse_maps = 1;
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 5000)), "c1+0x1000");
	ck_assert_str_eq(zmm_heap_last_error(heap), "");
	refuse_maps = 0;
	zmm_heap_free_all(heap);
	zmm_storage_default_ops.destroy(ctx);
}
END_TEST

Suite *
suite_chunk(void)
{
	Suite *s = suite_create("chunk");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_chunk_new_when_full);
	tcase_add_test(tc, test_chunk_move_to_front);
	tcase_add_test(tc, test_chunk_new_chunk_moved);
	tcase_add_test(tc, test_chunk_cache_last_only);
	tcase_add_test(tc, test_chunk_boundary_and_swap);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_chunk_eight_pages_not_moved);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_chunk_storage_refuses);
	suite_add_tcase(s, tc);
	return s;
}
