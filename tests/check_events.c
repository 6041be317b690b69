/*
 * check_events.c - the event stream (lib/zmm_events.h, docs/events.md):
 * the exact sequence of JSON lines each operation gives, written from the
 * spec and compared as text logs (the libvterm way), the listener slots,
 * muting, what a listener may do during a callback, the names of every
 * event and verdict, and the JSON encoding itself.
 */
#include "config.h"

#include <string.h>

#include "tests.h"

#define FILL_C0	((size_t)510 * 4096)
#define CHUNK_BLOCK ((size_t)511 * 4096)

/* The log so far must be WANT; then it starts over. */
static void
expect_log(struct zt_recorder *rec, const char *want)
{
	ck_assert_str_eq(rec->text, want);
	zt_recorder_clear(rec);
}

/* The replay's op events around one call (op_begin / op_end). */
static void
op_begin(struct zmm_heap *heap, unsigned long op, enum zmm_why why,
    size_t size, const char *id)
{
	struct zmm_event ev;

	zmm_heap_set_op(heap, op);
	zmm_event_init(&ev, ZMM_EV_OP_BEGIN);
	ev.size = size;
	ev.why = why;
	ev.text = id;
	zmm_heap_emit(heap, &ev);
}

static void
op_end(struct zmm_heap *heap, const void *ptr)
{
	struct zmm_event ev;

	zmm_event_init(&ev, ZMM_EV_OP_END);
	ev.loc = zmm_heap_loc(heap, ptr);
	zmm_heap_emit(heap, &ev);
}

/* docs/events.md's example, then a second alloc and a free. */
START_TEST(test_events_small_alloc_free)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *a, *b;

	zt_recorder_listen(heap, &rec);
	op_begin(heap, 1, ZMM_WHY_OP_ALLOC, 24, "a");
	a = zt_alloc_ok(heap, 24);
	op_end(heap, a);
	expect_log(&rec,
	    "{\"op\":1,\"ev\":\"op_begin\",\"size\":24,\"why\":\"alloc\","
	    "\"text\":\"a\"}\n"
	    "{\"op\":1,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":511,\"why\":\"tail\"}\n"
	    "{\"op\":1,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"why\":\"tail\"}\n"
	    "{\"op\":1,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":2}\n"
	    "{\"op\":1,\"ev\":\"run_carve\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":2,\"count\":170}\n"
	    "{\"op\":1,\"ev\":\"slot_pop\",\"bin\":2,\"loc\":\"c0+0x1000\"}\n"
	    "{\"op\":1,\"ev\":\"op_end\",\"loc\":\"c0+0x1000\"}\n");

	op_begin(heap, 2, ZMM_WHY_OP_ALLOC, 20, "b");
	b = zt_alloc_ok(heap, 20);
	op_end(heap, b);
	expect_log(&rec,
	    "{\"op\":2,\"ev\":\"op_begin\",\"size\":20,\"why\":\"alloc\","
	    "\"text\":\"b\"}\n"
	    "{\"op\":2,\"ev\":\"slot_pop\",\"bin\":2,\"loc\":\"c0+0x1018\"}\n"
	    "{\"op\":2,\"ev\":\"op_end\",\"loc\":\"c0+0x1018\"}\n");

	op_begin(heap, 3, ZMM_WHY_OP_FREE, 0, "b");
	zt_free_ok(heap, b);
	op_end(heap, NULL);
	expect_log(&rec,
	    "{\"op\":3,\"ev\":\"op_begin\",\"size\":0,\"why\":\"free\","
	    "\"text\":\"b\"}\n"
	    "{\"op\":3,\"ev\":\"slot_push\",\"bin\":2,\"loc\":\"c0+0x1018\"}\n"
	    "{\"op\":3,\"ev\":\"op_end\"}\n");

	/* free(NULL) changes nothing and says nothing */
	zmm_heap_set_op(heap, 0);
	zt_free_ok(heap, NULL);
	expect_log(&rec, "");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* Example 21.2: each hole judged in address order, then the pick. */
START_TEST(test_events_best_fit)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *a, *c, *e;

	a = zt_alloc_ok(heap, 12288);
	zt_alloc_ok(heap, 4096);
	c = zt_alloc_ok(heap, 8192);
	zt_alloc_ok(heap, 4096);
	e = zt_alloc_ok(heap, 20480);
	zt_alloc_ok(heap, 4096);
	zt_recorder_listen(heap, &rec);
	zt_free_ok(heap, a);
	zt_free_ok(heap, c);
	zt_free_ok(heap, e);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":3}\n"
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c0\",\"page\":5,"
	    "\"pages\":2}\n"
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c0\",\"page\":8,"
	    "\"pages\":5}\n");

	zt_alloc_ok(heap, 8192);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":3,\"why\":\"best_so_far\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":5,"
	    "\"pages\":2,\"why\":\"perfect_fit\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":5,"
	    "\"pages\":2,\"why\":\"perfect_fit\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":5,"
	    "\"pages\":2}\n");

	zt_alloc_ok(heap, 4096);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":3,\"why\":\"best_so_far\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":8,"
	    "\"pages\":5,\"why\":\"not_better\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":14,"
	    "\"pages\":498,\"why\":\"tail_not_better\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"why\":\"best_fit\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1}\n");

	zt_alloc_ok(heap, 16384);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":2,"
	    "\"pages\":2,\"why\":\"too_small\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":8,"
	    "\"pages\":5,\"why\":\"best_so_far\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":14,"
	    "\"pages\":498,\"why\":\"tail_not_better\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":8,"
	    "\"pages\":4,\"why\":\"best_fit\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":8,"
	    "\"pages\":4}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* A fragmented chunk is skipped; a new chunk is mapped and used. */
START_TEST(test_events_new_chunk)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *a;

	a = zt_alloc_ok(heap, 4096);			/* page 1 */
	zt_alloc_ok(heap, 507 * 4096);			/* pages 2-508 */
	zt_free_ok(heap, a);
	zt_recorder_listen(heap, &rec);
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 4 * 4096)),
	    "c1+0x1000");
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"why\":\"too_small\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":509,"
	    "\"pages\":3,\"why\":\"tail_too_small\"}\n"
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c0\",\"pages\":4,"
	    "\"why\":\"no_run_long_enough\"}\n"
	    "{\"op\":0,\"ev\":\"chunk_new\",\"chunk\":\"c1\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c1\",\"page\":1,"
	    "\"pages\":4,\"why\":\"new_chunk\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c1\",\"page\":1,"
	    "\"pages\":4}\n");
	ck_assert_str_eq(zt_loc(heap, zt_alloc_ok(heap, 8 * 4096)),
	    "c1+0x5000");
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c0\",\"pages\":4,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c1\",\"page\":5,"
	    "\"pages\":507,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c1\",\"page\":5,"
	    "\"pages\":8,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c1\",\"page\":5,"
	    "\"pages\":8}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* The node's slot_pop comes before huge_map; slot_push before unmap. */
START_TEST(test_events_huge)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *h;

	zt_recorder_listen(heap, &rec);
	h = zt_alloc_ok(heap, 3000000);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":511,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":2}\n"
	    "{\"op\":0,\"ev\":\"run_carve\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":2,\"count\":170}\n"
	    "{\"op\":0,\"ev\":\"slot_pop\",\"bin\":2,\"loc\":\"c0+0x1000\"}\n"
	    "{\"op\":0,\"ev\":\"huge_map\",\"loc\":\"huge:3002368\","
	    "\"size\":3002368,\"count\":3000000}\n");
	zt_free_ok(heap, h);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"slot_push\",\"bin\":2,\"loc\":\"c0+0x1000\"}\n"
	    "{\"op\":0,\"ev\":\"huge_unmap\",\"loc\":\"huge:3002368\","
	    "\"size\":3002368}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* Chunk deletion: released, released, cached; reused; a fresh one. */
START_TEST(test_events_chunk_delete)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *a, *b, *c;

	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, FILL_C0);
	a = zt_alloc_ok(heap, CHUNK_BLOCK);
	b = zt_alloc_ok(heap, CHUNK_BLOCK);
	c = zt_alloc_ok(heap, CHUNK_BLOCK);
	zt_recorder_listen(heap, &rec);
	zt_free_ok(heap, c);
	zt_free_ok(heap, b);
	zt_free_ok(heap, a);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c3\",\"page\":1,"
	    "\"pages\":511}\n"
	    "{\"op\":0,\"ev\":\"chunk_release\",\"chunk\":\"c3\","
	    "\"why\":\"release\"}\n"
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c2\",\"page\":1,"
	    "\"pages\":511}\n"
	    "{\"op\":0,\"ev\":\"chunk_release\",\"chunk\":\"c2\","
	    "\"why\":\"release\"}\n"
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c1\",\"page\":1,"
	    "\"pages\":511}\n"
	    "{\"op\":0,\"ev\":\"chunk_cache\",\"chunk\":\"c1\","
	    "\"why\":\"below_average\"}\n");
	zt_alloc_ok(heap, CHUNK_BLOCK);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c0\",\"pages\":0,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":0,\"ev\":\"chunk_reuse\",\"chunk\":\"c1\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c1\",\"page\":1,"
	    "\"pages\":511,\"why\":\"new_chunk\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c1\",\"page\":1,"
	    "\"pages\":511}\n");
	zt_alloc_ok(heap, CHUNK_BLOCK);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c0\",\"pages\":0,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c1\",\"pages\":0,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":0,\"ev\":\"chunk_new\",\"chunk\":\"c4\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c4\",\"page\":1,"
	    "\"pages\":511,\"why\":\"new_chunk\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c4\",\"page\":1,"
	    "\"pages\":511}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* The delete-boundary rule and the swap with the cache head. */
START_TEST(test_events_chunk_boundary_swap)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *p, *q;
	int i;

	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, FILL_C0);
	p = zt_alloc_ok(heap, CHUNK_BLOCK);
	for (i = 0; i < 5; i++)
		zt_free_ok(heap, zt_alloc_ok(heap, CHUNK_BLOCK));
	q = zt_alloc_ok(heap, CHUNK_BLOCK);
	ck_assert_str_eq(zt_loc(heap, q), "c7+0x1000");
	zt_recorder_listen(heap, &rec);
	zt_free_ok(heap, q);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c7\",\"page\":1,"
	    "\"pages\":511}\n"
	    "{\"op\":0,\"ev\":\"chunk_cache\",\"chunk\":\"c7\","
	    "\"why\":\"delete_boundary\"}\n");
	zt_free_ok(heap, p);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c1\",\"page\":1,"
	    "\"pages\":511}\n"
	    "{\"op\":0,\"ev\":\"chunk_release\",\"chunk\":\"c7\","
	    "\"why\":\"swap_with_cache_head\"}\n"
	    "{\"op\":0,\"ev\":\"chunk_cache\",\"chunk\":\"c1\","
	    "\"why\":\"swap_with_cache_head\"}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* A chunk found after 3 steps is moved before its pages are taken. */
START_TEST(test_events_chunk_move)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;

	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, FILL_C0);
	zt_alloc_ok(heap, CHUNK_BLOCK);
	zt_alloc_ok(heap, CHUNK_BLOCK);
	zt_alloc_ok(heap, 4096);
	zt_recorder_listen(heap, &rec);
	zt_alloc_ok(heap, 4096);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c0\",\"pages\":0,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c1\",\"pages\":0,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":0,\"ev\":\"fit_skip\",\"chunk\":\"c2\",\"pages\":0,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c3\",\"page\":2,"
	    "\"pages\":510,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c3\",\"page\":2,"
	    "\"pages\":1,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"chunk_move\",\"chunk\":\"c3\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c3\",\"page\":2,"
	    "\"pages\":1}\n");
	ck_assert_str_eq(zt_ring(heap), "c0 c3 c1 c2");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* Example 21.3's gc. */
START_TEST(test_events_gc)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *s[64];
	int i;

	for (i = 0; i < 64; i++)
		s[i] = zt_alloc_ok(heap, 300);
	zt_alloc_ok(heap, 24);
	for (i = 0; i < 64; i++)
		zt_free_ok(heap, s[i]);
	zt_recorder_listen(heap, &rec);
	ck_assert_uint_eq(zmm_heap_gc(heap), 20480);
	zt_assert_heap_ok(heap);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"gc_begin\"}\n"
	    "{\"op\":0,\"ev\":\"gc_slots\",\"bin\":16,\"count\":64}\n"
	    "{\"op\":0,\"ev\":\"gc_run_free\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":5,\"bin\":16}\n"
	    "{\"op\":0,\"ev\":\"pages_free\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":5}\n"
	    "{\"op\":0,\"ev\":\"gc_end\",\"size\":20480}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* realloc_path names the path and the old block; resizes follow. */
START_TEST(test_events_realloc_small_large)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *a, *l;

	a = zt_alloc_ok(heap, 32);			/* c0+0x1000 */
	l = zt_alloc_ok(heap, 8192);			/* pages 2-3 */
	zt_recorder_listen(heap, &rec);
	zt_realloc_ok(heap, a, 24);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"c0+0x1000\","
	    "\"size\":24,\"why\":\"small_in_place\"}\n");
	a = zt_realloc_ok(heap, a, 100);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"c0+0x1000\","
	    "\"size\":100,\"why\":\"small_extend\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":4,"
	    "\"pages\":508,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":4,"
	    "\"pages\":1,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":4,"
	    "\"pages\":1,\"bin\":10}\n"
	    "{\"op\":0,\"ev\":\"run_carve\",\"chunk\":\"c0\",\"page\":4,"
	    "\"pages\":1,\"bin\":10,\"count\":36}\n"
	    "{\"op\":0,\"ev\":\"slot_pop\",\"bin\":10,\"loc\":\"c0+0x4000\"}\n"
	    "{\"op\":0,\"ev\":\"slot_push\",\"bin\":3,\"loc\":\"c0+0x1000\"}\n");
	a = zt_realloc_ok(heap, a, 5000);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"c0+0x4000\","
	    "\"size\":5000,\"why\":\"general\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":5,"
	    "\"pages\":507,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":5,"
	    "\"pages\":2,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":5,"
	    "\"pages\":2}\n"
	    "{\"op\":0,\"ev\":\"slot_push\",\"bin\":10,\"loc\":\"c0+0x4000\"}\n");
	ck_assert_str_eq(zt_loc(heap, a), "c0+0x5000");
	zt_realloc_ok(heap, l, 8000);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"c0+0x2000\","
	    "\"size\":8000,\"why\":\"large_in_place\"}\n");
	/* large_resize: count is the old length, as huge_resize's */
	zt_realloc_ok(heap, l, 4096);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"c0+0x2000\","
	    "\"size\":4096,\"why\":\"large_shrink\"}\n"
	    "{\"op\":0,\"ev\":\"large_resize\",\"chunk\":\"c0\",\"page\":2,"
	    "\"pages\":1,\"count\":2}\n");
	zt_realloc_ok(heap, l, 8192);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"c0+0x2000\","
	    "\"size\":8192,\"why\":\"large_grow\"}\n"
	    "{\"op\":0,\"ev\":\"large_resize\",\"chunk\":\"c0\",\"page\":2,"
	    "\"pages\":2,\"count\":1}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* Huge reallocs: realloc_path names the old block, huge_resize the new. */
START_TEST(test_events_realloc_huge)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *h;

	zt_recorder_listen(heap, &rec);
	zt_realloc_ok(heap, NULL, 16);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"size\":16,"
	    "\"why\":\"from_null\"}\n"
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":511,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":1}\n"
	    "{\"op\":0,\"ev\":\"run_carve\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":1,\"count\":256}\n"
	    "{\"op\":0,\"ev\":\"slot_pop\",\"bin\":1,\"loc\":\"c0+0x1000\"}\n");
	h = zt_alloc_ok(heap, 3000000);
	zt_recorder_clear(&rec);
	zt_realloc_ok(heap, h, 3002000);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"huge:3002368\","
	    "\"size\":3002000,\"why\":\"huge_in_place\"}\n");
	zt_realloc_ok(heap, h, 4000000);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"huge:3002368\","
	    "\"size\":4000000,\"why\":\"huge_grow\"}\n"
	    "{\"op\":0,\"ev\":\"huge_resize\",\"loc\":\"huge:4001792\","
	    "\"size\":4001792,\"count\":3002368}\n");
	zt_realloc_ok(heap, h, 2500000);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"realloc_path\",\"loc\":\"huge:4001792\","
	    "\"size\":2500000,\"why\":\"huge_shrink\"}\n"
	    "{\"op\":0,\"ev\":\"huge_resize\",\"loc\":\"huge:2502656\","
	    "\"size\":2502656,\"count\":4001792}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* A limit error: the gc attempt, then the error with PHP's message. */
START_TEST(test_events_limit_error)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	void *p;

	zt_alloc_ok(heap, 8);
	zt_alloc_ok(heap, FILL_C0);
	ck_assert_int_eq(zmm_heap_set_limit(heap, ZMM_CHUNK_SIZE), ZMM_OK);
	zt_assert_heap_ok(heap);
	zt_recorder_listen(heap, &rec);
	zmm_heap_set_op(heap, 9);
	ck_assert_int_eq(zmm_heap_alloc(heap, 5000, &p), ZMM_E_LIMIT);
	zt_assert_heap_ok(heap);
	expect_log(&rec,
	    "{\"op\":9,\"ev\":\"fit_skip\",\"chunk\":\"c0\",\"pages\":0,"
	    "\"why\":\"few_free_pages\"}\n"
	    "{\"op\":9,\"ev\":\"gc_begin\"}\n"
	    "{\"op\":9,\"ev\":\"gc_end\",\"size\":0}\n"
	    "{\"op\":9,\"ev\":\"error\",\"size\":8192,\"why\":\"limit\","
	    "\"text\":\"Allowed memory size of 2097152 bytes exhausted "
	    "(tried to allocate 8192 bytes)\"}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* The event reaches listeners after the change: they may read the heap. */
struct probe {
	struct zmm_heap	*heap;
	int		 events;
	int		 busy;		/* mutations refused with ZMM_E_BUSY */
	size_t		 size_at_pop;
	const void	*head_at_pop;
	const void	*head_at_push;
};

static void
probe_fn(const struct zmm_event *ev, void *arg)
{
	struct probe *pr = arg;
	struct zmm_stats st;
	void *p = NULL;

	pr->events++;
	if (ev->type == ZMM_EV_SLOT_POP) {
		zmm_heap_stats(pr->heap, &st);
		pr->size_at_pop = st.size;
		pr->head_at_pop = zmm_heap_bin_head(pr->heap, ev->bin);
	}
	if (ev->type == ZMM_EV_SLOT_PUSH)
		pr->head_at_push = zmm_heap_bin_head(pr->heap, ev->bin);
	pr->busy += zmm_heap_alloc(pr->heap, 24, &p) == ZMM_E_BUSY;
	pr->busy += p == NULL;
	pr->busy += zmm_heap_free(pr->heap, NULL) == ZMM_E_BUSY;
	pr->busy += zmm_heap_realloc(pr->heap, NULL, 8, &p) == ZMM_E_BUSY;
	pr->busy += zmm_heap_calloc(pr->heap, 1, 8, &p) == ZMM_E_BUSY;
	pr->busy += zmm_heap_strdup(pr->heap, "x", &p) == ZMM_E_BUSY;
	pr->busy += zmm_heap_set_limit(pr->heap, 1) == ZMM_E_BUSY;
	pr->busy += zmm_heap_gc(pr->heap) == 0;
}

START_TEST(test_events_listener_reads_heap)
{
	struct zmm_heap *heap = zt_heap_new();
	struct probe pr;
	struct zmm_stats st;
	void *a;

	memset(&pr, 0, sizeof(pr));
	pr.heap = heap;
	ck_assert_int_eq(zmm_heap_listen(heap, probe_fn, &pr), 0);
	a = zt_alloc_ok(heap, 24);
	ck_assert_int_eq(pr.events, 5);
	ck_assert_int_eq(pr.busy, 5 * 8);
	ck_assert_uint_eq(pr.size_at_pop, 24);
	ck_assert_str_eq(zt_loc(heap, pr.head_at_pop), "c0+0x1018");
	zt_free_ok(heap, a);
	ck_assert_ptr_eq(pr.head_at_push, a);
	zmm_heap_stats(heap, &st);
	ck_assert_uint_eq(st.size, 0);
	ck_assert_uint_eq(st.slots_popped, 1);
	ck_assert_uint_eq(st.gc_runs, 0);
	ck_assert_uint_eq(zmm_heap_bin_length(heap, 2), 170);
	zmm_heap_free_all(heap);
}
END_TEST

struct counter {
	struct zmm_heap	*heap;
	int		 events;
	int		 id;		/* own listener id */
	int		 drop;		/* id to remove at the first event */
};

static void
count_fn(const struct zmm_event *ev, void *arg)
{
	struct counter *c = arg;

	(void)ev;
	c->events++;
	if (c->drop >= 0) {
		zmm_heap_unlisten(c->heap, c->drop);
		c->drop = -1;
	}
}

/* ZMM_LISTENERS_MAX slots; a freed slot is used again. */
START_TEST(test_events_listener_slots)
{
	struct zmm_heap *heap = zt_heap_new();
	struct counter c[ZMM_LISTENERS_MAX + 1];
	int i;

	memset(c, 0, sizeof(c));
	for (i = 0; i < ZMM_LISTENERS_MAX; i++) {
		c[i].heap = heap;
		c[i].drop = -1;
		c[i].id = zmm_heap_listen(heap, count_fn, &c[i]);
		ck_assert_int_eq(c[i].id, i);
	}
	c[i].heap = heap;
	c[i].drop = -1;
	ck_assert_int_eq(zmm_heap_listen(heap, count_fn, &c[i]), -1);
	zt_alloc_ok(heap, 24);				/* 5 events */
	for (i = 0; i < ZMM_LISTENERS_MAX; i++)
		ck_assert_int_eq(c[i].events, 5);
	ck_assert_int_eq(c[ZMM_LISTENERS_MAX].events, 0);
	zmm_heap_unlisten(heap, 1);
	zmm_heap_unlisten(heap, -1);			/* ignored */
	zmm_heap_unlisten(heap, ZMM_LISTENERS_MAX);	/* ignored */
	zt_alloc_ok(heap, 24);				/* 1 event */
	ck_assert_int_eq(c[0].events, 6);
	ck_assert_int_eq(c[1].events, 5);
	ck_assert_int_eq(zmm_heap_listen(heap, count_fn,
	    &c[ZMM_LISTENERS_MAX]), 1);
	zt_alloc_ok(heap, 24);
	ck_assert_int_eq(c[ZMM_LISTENERS_MAX].events, 1);
	ck_assert_int_eq(c[1].events, 5);
	ck_assert_int_eq(c[3].events, 7);
	zmm_heap_free_all(heap);
}
END_TEST

/* A listener removes itself, then another one, from inside a callback. */
START_TEST(test_events_unlisten_in_callback)
{
	struct zmm_heap *heap = zt_heap_new();
	struct counter self, victim, dropper, other;

	memset(&self, 0, sizeof(self));
	memset(&victim, 0, sizeof(victim));
	memset(&dropper, 0, sizeof(dropper));
	memset(&other, 0, sizeof(other));
	self.heap = victim.heap = dropper.heap = other.heap = heap;
	victim.drop = other.drop = -1;
	self.id = zmm_heap_listen(heap, count_fn, &self);
	self.drop = self.id;
	other.id = zmm_heap_listen(heap, count_fn, &other);
	zt_alloc_ok(heap, 24);				/* 5 events */
	ck_assert_int_eq(self.events, 1);
	ck_assert_int_eq(other.events, 5);

	dropper.id = zmm_heap_listen(heap, count_fn, &dropper);
	ck_assert_int_eq(dropper.id, self.id);		/* slot reused */
	victim.id = zmm_heap_listen(heap, count_fn, &victim);
	dropper.drop = victim.id;
	zt_alloc_ok(heap, 24);				/* 1 event */
	zt_alloc_ok(heap, 24);				/* 1 event */
	ck_assert_int_eq(dropper.events, 2);
	ck_assert_int_le(victim.events, 1);	/* nothing after removal */
	ck_assert_int_eq(other.events, 7);
	zmm_heap_free_all(heap);
}
END_TEST

/* Muted listeners hear nothing; unmuted they hear again. */
START_TEST(test_events_mute)
{
	struct zmm_heap *heap = zt_heap_new();
	struct zt_recorder rec;
	struct zmm_event ev;
	void *a;

	zt_recorder_listen(heap, &rec);
	zmm_heap_mute(heap, true);
	a = zt_alloc_ok(heap, 24);
	zt_free_ok(heap, a);
	zmm_event_init(&ev, ZMM_EV_OP_END);
	zmm_heap_emit(heap, &ev);
	ck_assert_uint_eq(zmm_heap_gc(heap), 4096);
	zt_assert_heap_ok(heap);
	expect_log(&rec, "");
	zmm_heap_mute(heap, false);
	a = zt_alloc_ok(heap, 24);
	expect_log(&rec,
	    "{\"op\":0,\"ev\":\"fit_candidate\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":511,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"fit_pick\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"why\":\"tail\"}\n"
	    "{\"op\":0,\"ev\":\"pages_alloc\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":2}\n"
	    "{\"op\":0,\"ev\":\"run_carve\",\"chunk\":\"c0\",\"page\":1,"
	    "\"pages\":1,\"bin\":2,\"count\":170}\n"
	    "{\"op\":0,\"ev\":\"slot_pop\",\"bin\":2,\"loc\":\"c0+0x1000\"}\n");
	zmm_heap_emit(heap, &ev);
	expect_log(&rec, "{\"op\":0,\"ev\":\"op_end\"}\n");
	zmm_heap_free_all(heap);
	zt_recorder_free(&rec);
}
END_TEST

/* Every event and verdict name (docs/events.md), in enum order. */
START_TEST(test_events_names)
{
	static const char *const events[] = {
		"op_begin", "op_end", "chunk_new", "chunk_reuse", "chunk_cache",
		"chunk_release", "chunk_move", "fit_skip", "fit_candidate",
		"fit_pick", "pages_alloc", "pages_free", "run_carve",
		"slot_pop", "slot_push", "large_resize", "huge_map",
		"huge_unmap", "huge_resize", "realloc_path", "gc_begin",
		"gc_slots", "gc_run_free", "gc_main_kept", "gc_end", "reset",
		"limit_set", "error",
	};
	static const char *const whys[] = {
		"none", "alloc", "free", "realloc", "calloc", "strdup", "gc",
		"reset", "few_free_pages", "no_run_long_enough", "too_small",
		"best_so_far", "not_better", "perfect_fit", "tail",
		"tail_not_better", "tail_too_small", "best_fit", "new_chunk",
		"below_average", "delete_boundary", "release",
		"swap_with_cache_head", "cache_trim", "request_end",
		"from_null", "small_in_place", "small_truncate",
		"small_extend", "large_in_place", "large_shrink",
		"large_grow", "huge_in_place", "huge_shrink", "huge_grow",
		"general", "limit", "overflow", "out_of_memory", "set",
		"trimmed_cache", "refused",
	};
	int i;

	ck_assert_int_eq(ZMM_EV_COUNT, sizeof(events) / sizeof(events[0]));
	for (i = 0; i < ZMM_EV_COUNT; i++)
		ck_assert_str_eq(zmm_event_name((enum zmm_event_type)i),
		    events[i]);
	ck_assert_str_eq(zmm_event_name(ZMM_EV_COUNT), "?");
	ck_assert_str_eq(zmm_event_name(ZMM_EV_SLOT_POP), "slot_pop");
	ck_assert_int_eq(ZMM_WHY_COUNT, sizeof(whys) / sizeof(whys[0]));
	for (i = 0; i < ZMM_WHY_COUNT; i++)
		ck_assert_str_eq(zmm_why_name((enum zmm_why)i), whys[i]);
	ck_assert_str_eq(zmm_why_name(ZMM_WHY_COUNT), "?");
	ck_assert_str_eq(zmm_why_name(ZMM_WHY_PERFECT), "perfect_fit");
}
END_TEST

/* The fields each event carries, as docs/events.md lists them. */
START_TEST(test_events_fields)
{
	ck_assert_uint_eq(zmm_event_fields(ZMM_EV_SLOT_POP),
	    ZMM_F_BIN | ZMM_F_LOC);
	ck_assert_uint_eq(zmm_event_fields(ZMM_EV_GC_BEGIN), 0);
	ck_assert_uint_eq(zmm_event_fields(ZMM_EV_HUGE_MAP),
	    ZMM_F_LOC | ZMM_F_SIZE | ZMM_F_COUNT);
	ck_assert_uint_eq(zmm_event_fields(ZMM_EV_COUNT), 0);
}
END_TEST

/* Field order, empty fields left out, escapes, truncation. */
START_TEST(test_events_json)
{
	struct zmm_event ev;
	char buf[256], small[16];
	int n;

	zmm_event_init(&ev, ZMM_EV_SLOT_POP);
	ck_assert_int_eq(ev.chunk, -1);
	ck_assert_int_eq(ev.page, -1);
	ck_assert_int_eq(ev.bin, -1);
	ck_assert_int_eq(ev.why, ZMM_WHY_NONE);
	ck_assert_int_eq(ev.loc.kind, ZMM_LOC_NONE);
	ck_assert_ptr_null(ev.text);
	n = zmm_event_to_json(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"op\":0,\"ev\":\"slot_pop\"}");
	ck_assert_int_eq(n, (int)strlen(buf));

	/* fields the event does not carry are not printed */
	ev.op = 12;
	ev.bin = 3;
	ev.chunk = 1;
	ev.page = 4;
	ev.pages = 2;
	ev.size = 99;
	ev.why = ZMM_WHY_TAIL;
	ev.text = "id";
	ev.loc.kind = ZMM_LOC_CHUNK;
	ev.loc.chunk = 0;
	ev.loc.offset = 0x1040;
	zmm_event_to_json(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf,
	    "{\"op\":12,\"ev\":\"slot_pop\",\"bin\":3,\"loc\":\"c0+0x1040\"}");

	/* every field, in the documented order */
	zmm_event_init(&ev, ZMM_EV_RUN_CARVE);
	ev.chunk = 2;
	ev.page = 7;
	ev.pages = 5;
	ev.bin = 16;
	ev.count = 64;
	zmm_event_to_json(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"op\":0,\"ev\":\"run_carve\",\"chunk\":\"c2\","
	    "\"page\":7,\"pages\":5,\"bin\":16,\"count\":64}");
	zmm_event_init(&ev, ZMM_EV_HUGE_RESIZE);
	ev.loc.kind = ZMM_LOC_HUGE;
	ev.loc.size = 4096;
	zmm_event_to_json(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"op\":0,\"ev\":\"huge_resize\","
	    "\"loc\":\"huge:4096\",\"size\":0,\"count\":0}");

	/* text is escaped as a JSON string */
	zmm_event_init(&ev, ZMM_EV_ERROR);
	ev.size = 5;
	ev.why = ZMM_WHY_OVERFLOW;
	ev.text = "say \"hi\" \\ a\nb\tc\x01\x1f \xc3\xa9/";
	n = zmm_event_to_json(&ev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{\"op\":0,\"ev\":\"error\",\"size\":5,"
	    "\"why\":\"overflow\",\"text\":\"say \\\"hi\\\" \\\\ "
	    "a\\u000ab\\u0009c\\u0001\\u001f \xc3\xa9/\"}");
	ck_assert_int_eq(n, (int)strlen(buf));

	/* truncated like snprintf: NUL-terminated, the full length back */
	ck_assert_int_eq(zmm_event_to_json(&ev, small, sizeof(small)), n);
	ck_assert_str_eq(small, "{\"op\":0,\"ev\":\"e");
	ck_assert_int_eq(zmm_event_to_json(&ev, NULL, 0), n);
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(zmm_event_to_json(&ev, small, 1), n);
	ck_assert_int_eq(small[0], '\0');
	ck_assert_int_eq(small[1], 'x');
}
END_TEST

Suite *
suite_events(void)
{
	Suite *s = suite_create("events");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_events_small_alloc_free);
	tcase_add_test(tc, test_events_best_fit);
	tcase_add_test(tc, test_events_new_chunk);
	tcase_add_test(tc, test_events_huge);
	tcase_add_test(tc, test_events_chunk_delete);
	tcase_add_test(tc, test_events_chunk_boundary_swap);
	tcase_add_test(tc, test_events_chunk_move);
	tcase_add_test(tc, test_events_gc);
	tcase_add_test(tc, test_events_realloc_small_large);
	tcase_add_test(tc, test_events_realloc_huge);
	tcase_add_test(tc, test_events_names);
	tcase_add_test(tc, test_events_fields);
	tcase_add_test(tc, test_events_json);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_events_listener_reads_heap);
	tcase_add_test(tc, test_events_listener_slots);
	tcase_add_test(tc, test_events_unlisten_in_callback);
	tcase_add_test(tc, test_events_mute);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_events_limit_error);
	suite_add_tcase(s, tc);
	return s;
}
