/*
 * check_heapcheck.c - zmm_heap_check() on heaps broken on purpose: each
 * test builds a heap through the public API, breaks one invariant by
 * writing into the chunk header or a free slot (the layout is
 * lib/zmm_internal.h), checks that the walk reports it, and mends it.
 * In the debug build (ZMM_DEBUG=2) the next op on a broken heap aborts.
 *
 * Heaps are built with the zt_* helpers only: in the debug build
 * zmm_internal.h renames the core's ops, and the helpers call the public,
 * checked ones.
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests.h"
#include "zmm_internal.h"

Suite	*suite_heapcheck(void);

/* The check fails with exactly WANT. */
static void
assert_broken(const struct zmm_heap *heap, const char *want)
{
	char msg[256];

	ck_assert_int_eq(zmm_heap_check(heap, SIZE_MAX, msg, sizeof(msg)), -1);
	ck_assert_str_eq(msg, want);
}

/* The check fails with a message that starts with PREFIX and holds WORDS. */
static void
assert_broken_like(const struct zmm_heap *heap, const char *prefix,
    const char *words)
{
	char msg[256];

	ck_assert_int_eq(zmm_heap_check(heap, SIZE_MAX, msg, sizeof(msg)), -1);
	ck_assert_msg(strncmp(msg, prefix, strlen(prefix)) == 0 &&
	    strstr(msg, words) != NULL, "message \"%s\", want \"%s...%s...\"",
	    msg, prefix, words);
}

/* Free counts agree with the bitmap: free_pages, then a stray bit. */
START_TEST(test_check_free_pages)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk *c0 = heap->main_chunk;

	zt_alloc_ok(heap, 8);		/* bin 0's run: page 1 */
	c0->free_pages--;
	assert_broken(heap, "chunk c0: free_pages=509 but free_map has 2 "
	    "used pages");
	c0->free_pages++;
	zt_assert_heap_ok(heap);
	zmm__bits_set(c0->free_map, 100, 1);
	assert_broken(heap, "chunk c0: free_pages=510 but free_map has 3 "
	    "used pages");
	zmm__bits_clear(c0->free_map, 100, 1);
	zt_assert_heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

/* A page inside a used run, free in the bitmap (the counts made to agree). */
START_TEST(test_check_run_page_free)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk *c0 = heap->main_chunk;

	zt_alloc_ok(heap, 3 * 4096);	/* a large run: pages 1-3 */
	zmm__bits_clear(c0->free_map, 2, 1);
	c0->free_pages++;
	assert_broken(heap, "chunk c0 page 2: inside a run but free in "
	    "free_map");
	zmm__bits_set(c0->free_map, 2, 1);
	c0->free_pages--;
	zt_assert_heap_ok(heap);
	/* a used page whose map word starts no run */
	c0->map[1] = 0;
	assert_broken(heap, "chunk c0 page 1: used, but its map word "
	    "0x00000000 starts no run");
	c0->map[1] = ZMM_LRUN(3);
	zt_assert_heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * Lists hold only slots of their own bin: a bin-1 slot put on bin 0's
 * list (so it is on two lists at once), and a pointer between two slots.
 */
START_TEST(test_check_slot_of_other_bin)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_slot *head0;
	char *a, *b;

	a = zt_alloc_ok(heap, 8);	/* bin 0, page 1 */
	b = zt_alloc_ok(heap, 16);	/* bin 1, page 2 */
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x1000");
	ck_assert_str_eq(zt_loc(heap, b), "c0+0x2000");
	zt_free_ok(heap, b);
	head0 = heap->free_slot[0];
	heap->free_slot[0] = (struct zmm_slot *)b;
	assert_broken(heap, "bin 0: slot c0+0x2000 lies in page 2 "
	    "(0x80000001), not in a run of bin 0");
	heap->free_slot[0] = (struct zmm_slot *)(a + 4);
	assert_broken(heap, "bin 0: c0+0x1004 is not a slot of the run at "
	    "page 1");
	heap->free_slot[0] = head0;
	zt_assert_heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * No slot twice: a slot freed twice points at itself, and a list whose
 * last slot points back at its head.  Both would be walked for ever; the
 * walk stops once a list is longer than its bin's runs hold.
 */
START_TEST(test_check_slot_twice)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_slot *a, *last;

	a = zt_alloc_ok(heap, 8);
	zt_free_ok(heap, a);
	ck_assert_ptr_eq(heap->free_slot[0], a);
	a->next = a;
	assert_broken(heap, "slot c0+0x1000 is on a free list twice");
	a->next = (struct zmm_slot *)((char *)a + 8);
	zt_assert_heap_ok(heap);
	for (last = a; last->next != NULL; last = last->next)
		;
	ck_assert_str_eq(zt_loc(heap, last), "c0+0x1ff8");
	last->next = a;
	assert_broken(heap, "slot c0+0x1000 is on a free list twice");
	last->next = NULL;
	zt_assert_heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

/* A live huge block's list node freed as if it were a free slot. */
START_TEST(test_check_huge_node_freed)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_huge *node;
	struct zmm_slot *head2;
	void *ptr;

	zt_alloc_ok(heap, 3000000);
	node = heap->huge_list;
	ptr = node->ptr;
	head2 = heap->free_slot[2];
	/* what efree of the node would do: its first word links the list */
	((struct zmm_slot *)node)->next = head2;
	heap->free_slot[2] = (struct zmm_slot *)node;
	assert_broken_like(heap, "huge block ", ": bad address or size");
	node->ptr = ptr;
	heap->free_slot[2] = head2;
	zt_assert_heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

/* The ring's links and the statistics. */
START_TEST(test_check_ring_and_sizes)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_chunk *c0 = heap->main_chunk;

	c0->prev = NULL;
	assert_broken(heap, "chunk c0: next->prev does not point back");
	c0->prev = c0;
	heap->real_size += 4096;
	assert_broken(heap, "real_size=2101248 but chunks and huge blocks "
	    "hold 2097152");
	heap->real_size -= 4096;
	heap->cached_chunks_count = 1;
	assert_broken(heap, "cached_chunks_count=1 but the cache has 0 chunks");
	heap->cached_chunks_count = 0;
	zt_assert_heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

#if ZMM_DEBUG >= 2
/* The debug build checks after every op: an op on a broken heap aborts. */
START_TEST(test_debug_op_aborts)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zmm_slot *a;

	a = zt_alloc_ok(heap, 8);
	zt_free_ok(heap, a);
	a->next = a;
	zt_alloc_ok(heap, 8);	/* pops a, and a is the head again */
	ck_abort_msg("the op on a broken heap did not abort");
}
END_TEST
#endif

Suite *
suite_heapcheck(void)
{
	Suite *s = suite_create("heapcheck");
	TCase *tc = tcase_create("broken heaps");

	tcase_add_test(tc, test_check_free_pages);
	tcase_add_test(tc, test_check_run_page_free);
	tcase_add_test(tc, test_check_slot_of_other_bin);
	tcase_add_test(tc, test_check_slot_twice);
	tcase_add_test(tc, test_check_huge_node_freed);
	tcase_add_test(tc, test_check_ring_and_sizes);
#if ZMM_DEBUG >= 2
	/* needs Check's fork mode: with CK_FORK=no the abort ends the run */
	tcase_add_test_raise_signal(tc, test_debug_op_aborts, SIGABRT);
#endif
	suite_add_tcase(s, tc);
	return s;
}
