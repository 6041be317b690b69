/*
 * check_tui.c - the viewer's view models, on real heaps: the sentences of
 * describe.c (exact for the key events, clean for every event and reason
 * the core emits, safe when cut) and the page cells of cells.c.  The
 * runner of the viewer's tests: suites "describe" and "cells" here, and
 * those of check_inspect.c, check_keys.c, check_player.c and check_draw.c
 * (the one that needs curses, on a virtual screen).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "describe.h"
#include "replay.h"
#include "trace.h"
#include "zmm.h"
#include "zmm_events.h"

#define BIG		((size_t)2000000)	/* 489 pages: one per chunk */
#define FULL		ZMM_MAX_LARGE_SIZE	/* 511 pages: a whole chunk */
#define SENTENCE_MAX	400

/* ------------------------------------------------------------------
 *  A recorder: every event described as it happens
 * ------------------------------------------------------------------ */

struct rec_event {
	enum zmm_event_type type;
	enum zmm_why	 why;
	char		 text[SENTENCE_MAX];
};

struct rec {
	struct rec_event *ev;
	size_t		 n;
	size_t		 cap;
	/* every type x why ever seen, over all scenarios run into it */
	unsigned char	 seen[ZMM_EV_COUNT][ZMM_WHY_COUNT];
};

static void
rec_event(const struct zmm_event *event, void *arg)
{
	struct rec *r = arg;
	struct rec_event *e;
	size_t n;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->ev = realloc(r->ev, r->cap * sizeof(*r->ev));
		ck_assert_ptr_nonnull(r->ev);
	}
	e = &r->ev[r->n++];
	e->type = event->type;
	e->why = event->why;
	n = describe_event(event, e->text, sizeof(e->text));
	ck_assert_uint_eq(n, strlen(e->text));
	ck_assert_msg(n < sizeof(e->text) - 1, "sentence cut: %s", e->text);
	if ((unsigned)event->type < ZMM_EV_COUNT &&
	    (unsigned)event->why < ZMM_WHY_COUNT)
		r->seen[event->type][event->why] = 1;
}

static void
rec_clear(struct rec *r)
{
	r->n = 0;
}

static void
rec_free(struct rec *r)
{
	free(r->ev);
	memset(r, 0, sizeof(*r));
}

/* Whether SENTENCE was described; fails listing what was. */
static void
rec_assert_has(const struct rec *r, const char *sentence)
{
	char all[16384];
	size_t i, at = 0;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->ev[i].text, sentence) == 0)
			return;
	all[0] = '\0';
	for (i = 0; i < r->n && at < sizeof(all) - 1; i++)
		at += (size_t)snprintf(all + at, sizeof(all) - at, "  %s\n",
		    r->ev[i].text);
	ck_abort_msg("missing \"%s\"; got:\n%s", sentence, all);
}

/* The sentence of the first event of TYPE (and WHY unless -1). */
static const char *
rec_first(const struct rec *r, enum zmm_event_type type, int why)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->ev[i].type == type &&
		    (why < 0 || (int)r->ev[i].why == why))
			return r->ev[i].text;
	ck_abort_msg("no %s event (why %d)", zmm_event_name(type), why);
	return NULL;
}

static struct zmm_heap *
heap_new(struct rec *r)
{
	int status = ZMM_OK;
	struct zmm_heap *heap = zmm_heap_new(NULL, NULL, &status);

	ck_assert_msg(heap != NULL, "zmm_heap_new: %s", zmm_strerror(status));
	if (r != NULL)
		ck_assert_int_ge(zmm_heap_listen(heap, rec_event, r), 0);
	return heap;
}

static void *
alloc_ok(struct zmm_heap *heap, size_t size)
{
	void *p = NULL;
	int rc = zmm_heap_alloc(heap, size, &p);

	ck_assert_msg(rc == ZMM_OK, "alloc %zu: %s", size, zmm_strerror(rc));
	return p;
}

static void *
realloc_ok(struct zmm_heap *heap, void *ptr, size_t size)
{
	void *p = NULL;
	int rc = zmm_heap_realloc(heap, ptr, size, &p);

	ck_assert_msg(rc == ZMM_OK, "realloc %zu: %s", size, zmm_strerror(rc));
	return p;
}

static void
free_ok(struct zmm_heap *heap, void *ptr)
{
	ck_assert_int_eq(zmm_heap_free(heap, ptr), ZMM_OK);
}

static void
heap_ok(const struct zmm_heap *heap)
{
	char msg[256];

	ck_assert_msg(zmm_heap_check(heap, SIZE_MAX, msg, sizeof(msg)) == 0,
	    "heap check: %s", msg);
}

/* ------------------------------------------------------------------
 *  Scenarios: real ops that make the core emit every kind of event
 * ------------------------------------------------------------------ */

/* First slots, a LIFO push and pop. */
static void
scen_small(struct rec *r)
{
	struct zmm_heap *heap = heap_new(r);
	void *a, *b, *c, *d, *e;

	a = alloc_ok(heap, 24);		/* c0 page 1, bin 2 */
	b = alloc_ok(heap, 32);		/* c0 page 2, bin 3: +0x2000 */
	c = alloc_ok(heap, 32);		/* +0x2020 */
	d = alloc_ok(heap, 32);		/* +0x2040 */
	free_ok(heap, d);
	e = alloc_ok(heap, 32);		/* +0x2040 again */
	ck_assert_ptr_eq(d, e);
	free_ok(heap, a);
	free_ok(heap, b);
	free_ok(heap, c);
	free_ok(heap, e);
	heap_ok(heap);
	zmm_heap_free_all(heap);
}

/*
 * c0 laid out as holes of 3, 4 and 3 pages and the tail from page 14, then
 * requests that get every verdict of the best-fit search.
 */
static void
scen_fit(struct rec *r)
{
	struct zmm_heap *heap = heap_new(NULL);
	void *a1, *a2, *a3, *p1, *p2, *p3, *x, *big, *w, *v;

	a1 = alloc_ok(heap, 3 * 4096);		/* pages 1-3 */
	p1 = alloc_ok(heap, 4096);		/* 4 */
	a2 = alloc_ok(heap, 4 * 4096);		/* 5-8 */
	p2 = alloc_ok(heap, 4096);		/* 9 */
	a3 = alloc_ok(heap, 3 * 4096);		/* 10-12 */
	p3 = alloc_ok(heap, 4096);		/* 13 */
	free_ok(heap, a1);
	free_ok(heap, a2);
	free_ok(heap, a3);
	ck_assert_int_ge(zmm_heap_listen(heap, rec_event, r), 0);

	x = alloc_ok(heap, 2 * 4096);		/* best fit: pages 1-2 */
	free_ok(heap, x);
	x = alloc_ok(heap, 4 * 4096);		/* perfect fit: 5-8 */
	free_ok(heap, x);
	x = alloc_ok(heap, 5 * 4096);		/* the tail: 14-18 */
	free_ok(heap, x);
	big = alloc_ok(heap, 487 * 4096);	/* 14-500, tail 501-511 */
	w = alloc_ok(heap, 12 * 4096);		/* no run in c0: c1 */
	v = alloc_ok(heap, 30 * 4096);		/* c0 has 21 free pages */
	heap_ok(heap);
	free_ok(heap, p1);
	free_ok(heap, p2);
	free_ok(heap, p3);
	free_ok(heap, big);
	free_ok(heap, w);
	free_ok(heap, v);
	heap_ok(heap);
	zmm_heap_free_all(heap);
}

/*
 * Chunks released, cached by the delete boundary, swapped with the cache
 * head, reused and cached below the average.
 */
static void
scen_chunks(struct rec *r)
{
	struct zmm_heap *heap = heap_new(r);
	void *a, *b, *c, *d;
	int i;

	a = alloc_ok(heap, BIG);		/* c0 */
	b = alloc_ok(heap, BIG);		/* c1 */
	for (i = 0; i < 6; i++) {		/* c2 .. c7 */
		c = alloc_ok(heap, BIG);
		free_ok(heap, c);		/* released 5 times, cached */
	}
	free_ok(heap, b);			/* c1 swaps with c7 */
	d = alloc_ok(heap, BIG);		/* c1 reused */
	free_ok(heap, d);			/* cached below the average */
	heap_ok(heap);
	free_ok(heap, a);
	zmm_heap_free_all(heap);
}

/* Four full chunks: a small request walks to a new c4 and moves it. */
static struct zmm_heap *
heap_moved(struct rec *r)
{
	struct zmm_heap *heap = heap_new(r);
	int i;

	for (i = 0; i < 4; i++)
		alloc_ok(heap, FULL);		/* c0 .. c3, full */
	alloc_ok(heap, 24);			/* c4, moved after c0 */
	heap_ok(heap);
	return heap;
}

/* Reset with three chunks and a huge block, then the memory limit. */
static void
scen_reset_limit(struct rec *r)
{
	struct zmm_heap *heap = heap_new(r);
	void *p = NULL;

	alloc_ok(heap, BIG);			/* c0 */
	alloc_ok(heap, BIG);			/* c1 */
	alloc_ok(heap, BIG);			/* c2 */
	alloc_ok(heap, 3000000);		/* huge */
	zmm_heap_reset(heap);			/* c1 kept, c2 trimmed */
	heap_ok(heap);
	/* 3 MiB < real_size 4 MiB: the cached chunk is given back */
	ck_assert_int_eq(zmm_heap_set_limit(heap, 3 * 1024 * 1024), ZMM_OK);
	ck_assert_int_eq(zmm_heap_set_limit(heap, 1024 * 1024),
	    ZMM_E_LIMIT_SET);
	ck_assert_int_eq(zmm_heap_set_limit(heap, 4 * 1024 * 1024), ZMM_OK);
	ck_assert_int_eq(zmm_heap_alloc(heap, 3 * 1024 * 1024, &p),
	    ZMM_E_LIMIT);
	ck_assert_int_eq(zmm_heap_alloc(heap, SIZE_MAX, &p), ZMM_E_OVERFLOW);
	heap_ok(heap);
	zmm_heap_free_all(heap);
}

/* Every realloc path of small and large blocks. */
static void
scen_realloc(struct rec *r)
{
	struct zmm_heap *heap = heap_new(r);
	void *a, *n;

	a = alloc_ok(heap, 24);			/* c0+0x1000 */
	a = realloc_ok(heap, a, 20);		/* small_in_place */
	a = realloc_ok(heap, a, 8);		/* small_truncate: bin 0 */
	a = realloc_ok(heap, a, 100);		/* small_extend: bin 10 */
	a = realloc_ok(heap, a, 10000);		/* general: pages 4-6 */
	a = realloc_ok(heap, a, 9000);		/* large_in_place */
	a = realloc_ok(heap, a, 5000);		/* large_shrink: 2 pages */
	a = realloc_ok(heap, a, 12000);		/* large_grow: 3 pages */
	n = realloc_ok(heap, NULL, 100);	/* from_null */
	heap_ok(heap);
	free_ok(heap, a);
	free_ok(heap, n);
	zmm_heap_free_all(heap);
}

/* A huge block mapped, kept, truncated, extended, moved and freed. */
static void
scen_huge(struct rec *r)
{
	struct zmm_heap *heap = heap_new(r);
	void *h;

	h = alloc_ok(heap, 3000000);		/* 3002368 B mapped */
	h = realloc_ok(heap, h, 3000001);	/* huge_in_place */
	h = realloc_ok(heap, h, 2500000);	/* huge_shrink: 2502656 */
	h = realloc_ok(heap, h, 4000000);	/* huge_grow: 4001792 */
	h = realloc_ok(heap, h, 10000);		/* general: to a large run */
	free_ok(heap, h);
	h = alloc_ok(heap, 3000000);
	free_ok(heap, h);			/* huge_unmap by free */
	heap_ok(heap);
	zmm_heap_free_all(heap);
}

/* gc of an emptied run in the main chunk: it is kept. */
static void
scen_gc(struct rec *r)
{
	struct zmm_heap *heap = heap_new(r);
	void *a;

	a = alloc_ok(heap, 24);
	free_ok(heap, a);
	ck_assert_uint_eq(zmm_heap_gc(heap), 4096);
	heap_ok(heap);
	zmm_heap_free_all(heap);
}

/* A storage that refuses every map after the first MAPS. */
struct stingy {
	void	*inner;
	int	 maps;
};

static void *
stingy_map(void *ctx, size_t size)
{
	struct stingy *s = ctx;

	if (s->maps <= 0)
		return NULL;
	s->maps--;
	return zmm_storage_default_ops.map(s->inner, size);
}

static void
stingy_unmap(void *ctx, void *addr, size_t size)
{
	struct stingy *s = ctx;

	zmm_storage_default_ops.unmap(s->inner, addr, size);
}

static bool
stingy_truncate(void *ctx, void *addr, size_t old_size, size_t new_size)
{
	return zmm_storage_default_ops.truncate(((struct stingy *)ctx)->inner,
	    addr, old_size, new_size);
}

static bool
stingy_extend(void *ctx, void *addr, size_t old_size, size_t new_size)
{
	return zmm_storage_default_ops.extend(((struct stingy *)ctx)->inner,
	    addr, old_size, new_size);
}

static const struct zmm_storage_ops stingy_ops = {
	stingy_map, stingy_unmap, stingy_truncate, stingy_extend, NULL
};

/* Storage out of memory for a huge block. */
static void
scen_nomem(struct rec *r)
{
	struct stingy s;
	struct zmm_heap *heap;
	void *p = NULL;
	int status = ZMM_OK;

	s.inner = zmm_storage_default_new(0);
	s.maps = 1;
	ck_assert_ptr_nonnull(s.inner);
	heap = zmm_heap_new(&stingy_ops, &s, &status);
	ck_assert_ptr_nonnull(heap);
	ck_assert_int_ge(zmm_heap_listen(heap, rec_event, r), 0);
	ck_assert_int_eq(zmm_heap_alloc(heap, 3000000, &p), ZMM_E_NOMEM);
	zmm_heap_free_all(heap);
	zmm_storage_default_ops.destroy(s.inner);
}

/* Replays TEXT (loaded as NAME) to the end, recording its events. */
static void
replay_text(struct rec *r, const char *name, const char *text)
{
	struct trace *trace = NULL;
	struct trace_error err;
	struct replay *replay;
	struct replay_step step;
	int status = ZMM_OK;

	ck_assert_msg(trace_load_mem(name, text, strlen(text), &trace,
	    &err) == 0, "%s", err.msg);
	replay = replay_new(trace, NULL, &status);
	ck_assert_ptr_nonnull(replay);
	ck_assert_int_ge(replay_listen(replay, rec_event, r), 0);
	while (replay_step(replay, &step) != REPLAY_END)
		;
	replay_free(replay);
	trace_free(trace);
}

static const char zmt_ops[] =
    "alloc a 24\n"
    "realloc a 100\n"
    "calloc t 10 8\n"
    "strdup s \"hi\"\n"
    "free a\n"
    "calloc o 4G 4G\n"
    "gc\n"
    "reset\n";

static const char rep_ops[] =
    "20000\n1\n3\n1\n"
    "a 0 8\n"
    "f -1\n"
    "f 0\n";

static void
scen_ops(struct rec *r)
{
	replay_text(r, "ops.zmt", zmt_ops);
	replay_text(r, "ops.rep", rep_ops);
}

/* ------------------------------------------------------------------
 *  describe_event: exact sentences
 * ------------------------------------------------------------------ */

START_TEST(test_describe_slots)
{
	struct rec r = { 0 };

	scen_small(&r);
	rec_assert_has(&r, "c0 pages 1-511 (511 free): the free tail, "
	    "shorter than any fitting hole: taken");
	rec_assert_has(&r, "c0 page 1 chosen for 1 page: the start of the "
	    "free tail, no hole fits better");
	rec_assert_has(&r, "c0 page 1 marked used in free_map, map[1] = "
	    "LRUN(1): pages for a small run of bin 2 (24 B)");
	rec_assert_has(&r, "bin 2 (24 B) gets a fresh run: page 1 of c0 cut "
	    "into 170 slots; the first is returned, the rest are listed in "
	    "address order");
	rec_assert_has(&r, "slot c0+0x1000 popped from free_slot[2] (24 B)");
	rec_assert_has(&r, "bin 3 (32 B) gets a fresh run: page 2 of c0 cut "
	    "into 128 slots; the first is returned, the rest are listed in "
	    "address order");
	rec_assert_has(&r, "slot c0+0x2040 pushed on free_slot[3] (32 B): "
	    "lists are LIFO, the next 32-byte alloc takes it back");
	rec_assert_has(&r, "slot c0+0x2040 popped from free_slot[3] (32 B)");
	rec_free(&r);
}
END_TEST

START_TEST(test_describe_fit)
{
	struct rec r = { 0 };

	scen_fit(&r);
	/* 2 pages */
	rec_assert_has(&r, "c0 pages 1-3 (3 free): fits: best so far");
	rec_assert_has(&r, "c0 pages 5-8 (4 free): fits, but not shorter "
	    "than the best");
	rec_assert_has(&r, "c0 pages 10-12 (3 free): fits, but not shorter "
	    "than the best");
	rec_assert_has(&r, "c0 pages 14-511 (498 free): the free tail, not "
	    "shorter than the best hole: the best hole is taken");
	rec_assert_has(&r, "c0 pages 1-2 chosen for 2 pages: best fit, the "
	    "start of the shortest hole that fits");
	/* 4 pages */
	rec_assert_has(&r, "c0 pages 1-3 (3 free): too small for the request");
	rec_assert_has(&r, "c0 pages 5-8 (4 free): exactly 4 pages: a "
	    "perfect fit ends the search");
	rec_assert_has(&r, "c0 pages 5-8 chosen for 4 pages: a hole of "
	    "exactly that size");
	/* 5 pages */
	rec_assert_has(&r, "c0 pages 14-511 (498 free): the free tail, "
	    "shorter than any fitting hole: taken");
	rec_assert_has(&r, "c0 pages 14-18 chosen for 5 pages: the start of "
	    "the free tail, no hole fits better");
	/* 12 pages: no run in c0 */
	rec_assert_has(&r, "c0 pages 501-511 (11 free): the free tail, too "
	    "small for the request: the search of this chunk ends");
	rec_assert_has(&r, "c0 has 21 free pages but no free run long "
	    "enough: it is fragmented");
	rec_assert_has(&r, "new chunk c1 mapped from storage (2 MiB): "
	    "nothing in the ring fits and the cache is empty; it joins the "
	    "end of the ring");
	rec_assert_has(&r, "c1 pages 1-12 chosen for 12 pages: nothing in "
	    "the ring fits, so page 1 of a chunk just taken");
	/* 30 pages */
	rec_assert_has(&r, "c0 skipped: only 21 free pages");
	/* frees */
	rec_assert_has(&r, "c0 pages 14-500 marked free in free_map, map[14] "
	    "= 0 (only the first page's word is cleared)");
	rec_assert_has(&r, "c0 pages 14-500 marked used in free_map, map[14] "
	    "= LRUN(487): a large run of 487 pages (1948 KiB)");
	rec_free(&r);
}
END_TEST

START_TEST(test_describe_chunks)
{
	struct rec r = { 0 };
	struct zmm_heap *heap;

	scen_chunks(&r);
	rec_assert_has(&r, "c2 is empty and goes back to storage (2 MiB less "
	    "real_size): the ring and the cache already hold the average "
	    "demand");
	rec_assert_has(&r, "c7 is empty and goes to the chunk cache: the "
	    "ring keeps shrinking to this size, so it is kept for the next "
	    "growth (delete_boundary)");
	rec_assert_has(&r, "c7, the cache head, goes back to storage: an "
	    "emptied older chunk takes its place (swap_with_cache_head)");
	rec_assert_has(&r, "c1 is empty and takes the cache head's place: it "
	    "is the older of the two, the head went back to storage "
	    "(swap_with_cache_head)");
	rec_assert_has(&r, "c1 taken back from the chunk cache: no new "
	    "mapping, no limit check; it joins the end of the ring");
	rec_assert_has(&r, "c1 is empty and goes to the chunk cache: chunks "
	    "in use plus cached stay below the average demand (below_average)");

	rec_clear(&r);
	heap = heap_moved(&r);
	rec_assert_has(&r, "c3 skipped: no free page");
	rec_assert_has(&r, "c4 moves right after the main chunk: the search "
	    "walked past more than two chunks for a run under 8 pages");
	zmm_heap_free_all(heap);

	rec_clear(&r);
	scen_reset_limit(&r);
	rec_assert_has(&r, "huge block huge:3002368 unmapped: its 3002368 B "
	    "go back to storage at the end of the request");
	rec_assert_has(&r, "c1 goes to the chunk cache: at the end of a "
	    "request every chunk but the main one is cached (request_end)");
	rec_assert_has(&r, "c2 leaves the chunk cache and goes back to "
	    "storage: the cache is trimmed at a reset or for a lower memory "
	    "limit (cache_trim)");
	rec_assert_has(&r, "end of request: huge blocks unmapped, the main "
	    "chunk emptied, the other chunks cached and the cache trimmed to "
	    "the average demand; 1 chunk stays cached");
	rec_assert_has(&r, "c1 leaves the chunk cache and goes back to "
	    "storage: the cache is trimmed at a reset or for a lower memory "
	    "limit (cache_trim)");
	rec_free(&r);
}
END_TEST

START_TEST(test_describe_limit_errors)
{
	struct rec r = { 0 };

	scen_reset_limit(&r);
	rec_assert_has(&r, "memory limit 3 MiB is below real_size: cached "
	    "chunks went back to storage to make room, and PHP 8.2.0-8.2.34 "
	    "then keep the old limit");
	rec_assert_has(&r, "memory limit 1 MiB refused: \"Failed to set "
	    "memory limit to 1048576 bytes (Current memory usage is 2097152 "
	    "bytes)\"");
	rec_assert_has(&r, "memory limit 4 MiB set");
	rec_assert_has(&r, "refused, the memory limit is reached: \"Allowed "
	    "memory size of 4194304 bytes exhausted (tried to allocate "
	    "3145728 bytes)\"; no block is created");
	rec_assert_has(&r, "refused, the size overflows: \"Possible integer "
	    "overflow in memory allocation (18446744073709551615 + 4096)\"; "
	    "no block is created");
	rec_clear(&r);
	scen_nomem(&r);
	rec_assert_has(&r, "refused, storage is out of memory: \"Out of "
	    "memory (allocated 2097152 bytes) (tried to allocate 3000000 "
	    "bytes)\"; no block is created");
	rec_free(&r);
}
END_TEST

START_TEST(test_describe_huge)
{
	struct rec r = { 0 };

	scen_huge(&r);
	rec_assert_has(&r, "3000000 B is huge: 3002368 B (whole pages) "
	    "mapped for it alone, 2 MiB aligned and outside every chunk; a "
	    "24-byte node in bin 2 lists it");
	rec_assert_has(&r, "realloc huge:3002368 to 3000001 B: the same "
	    "whole pages: the block stays in place");
	rec_assert_has(&r, "realloc huge:3002368 to 2500000 B: fewer pages: "
	    "the mapping is truncated in place");
	rec_assert_has(&r, "huge block resized in place from 3002368 B to "
	    "2502656 B: the mapping's tail is unmapped");
	rec_assert_has(&r, "realloc huge:2502656 to 4000000 B: more pages: "
	    "the mapping is extended in place");
	rec_assert_has(&r, "huge block resized in place from 2502656 B to "
	    "4001792 B: storage extended the mapping where it lies");
	rec_assert_has(&r, "realloc huge:4001792 to 10000 B: no in-place "
	    "path fits: allocate a new block, copy, free the old one");
	rec_assert_has(&r, "huge block huge:4001792 unmapped: its 4001792 B "
	    "go back to storage");
	rec_free(&r);
}
END_TEST

START_TEST(test_describe_realloc)
{
	struct rec r = { 0 };

	scen_realloc(&r);
	rec_assert_has(&r, "realloc c0+0x1000 to 20 B: the slot still fits "
	    "and no smaller bin does: it stays in place");
	rec_assert_has(&r, "realloc c0+0x1000 to 8 B: a smaller bin fits: "
	    "moved to a slot of bin 0 (8 B), the old slot freed");
	rec_assert_has(&r, "realloc c0+0x2000 to 100 B: the slot is too "
	    "small: moved to a slot of bin 10 (112 B), the old slot freed");
	rec_assert_has(&r, "realloc c0+0x3000 to 10000 B: no in-place path "
	    "fits: allocate a new block, copy, free the old one");
	rec_assert_has(&r, "realloc c0+0x4000 to 9000 B: still 3 pages: the "
	    "run stays in place");
	rec_assert_has(&r, "realloc c0+0x4000 to 5000 B: 2 pages are enough: "
	    "the run shrinks in place");
	rec_assert_has(&r, "the large run at c0 page 4 shrinks in place from "
	    "3 to 2 pages: its last page becomes free, free_tail is not "
	    "updated");
	rec_assert_has(&r, "realloc c0+0x4000 to 12000 B: 3 pages, and the "
	    "pages after the run are free: it grows in place");
	rec_assert_has(&r, "the large run at c0 page 4 grows in place from 2 "
	    "to 3 pages: the pages after it were free, free_tail is not "
	    "updated");
	rec_assert_has(&r, "realloc of NULL to 100 B: an ordinary allocation");
	rec_free(&r);
}
END_TEST

START_TEST(test_describe_gc)
{
	struct rec r = { 0 };

	scen_gc(&r);
	rec_assert_has(&r, "gc starts: it counts the free slots of every "
	    "small run, to give back the runs whose slots are all free");
	rec_assert_has(&r, "gc unlinks 170 slots from free_slot[2] (24 B): "
	    "they lie in runs whose slots are all free");
	rec_assert_has(&r, "gc gives back the run of bin 2 (24 B) at c0 page "
	    "1: all its slots are free");
	rec_assert_has(&r, "main chunk c0 has no used page left: PHP 8.2 "
	    "would now delete the main chunk and corrupt its heap; the model "
	    "keeps it");
	rec_assert_has(&r, "gc done: 4096 B of small-run pages given back");
	rec_free(&r);
}
END_TEST

START_TEST(test_describe_ops)
{
	struct rec r = { 0 };

	scen_ops(&r);
	rec_assert_has(&r, "alloc a (24 B)");
	rec_assert_has(&r, "\xe2\x86\x92 c0+0x1000");
	rec_assert_has(&r, "realloc a (100 B)");
	rec_assert_has(&r, "calloc t (80 B)");
	rec_assert_has(&r, "free a");
	rec_assert_has(&r, "\xe2\x86\x92 no block");
	rec_assert_has(&r, "calloc o (N * SIZE overflows)");
	rec_assert_has(&r, "gc");
	rec_assert_has(&r, "reset");
	rec_assert_has(&r, "alloc 0 (8 B)");
	rec_assert_has(&r, "free NULL: nothing to do");
	rec_assert_has(&r, "free 0");
	ck_assert_msg(strncmp(rec_first(&r, ZMM_EV_OP_BEGIN, ZMM_WHY_OP_STRDUP),
	    "strdup s (", 10) == 0, "strdup op");
	rec_free(&r);
}
END_TEST

/* Each (event, why) pair the core emits, driven by the scenarios above. */
static const struct {
	enum zmm_event_type type;
	enum zmm_why	 why;
} emitted[] = {
	{ ZMM_EV_OP_BEGIN, ZMM_WHY_OP_ALLOC },
	{ ZMM_EV_OP_BEGIN, ZMM_WHY_OP_FREE },
	{ ZMM_EV_OP_BEGIN, ZMM_WHY_OP_REALLOC },
	{ ZMM_EV_OP_BEGIN, ZMM_WHY_OP_CALLOC },
	{ ZMM_EV_OP_BEGIN, ZMM_WHY_OP_STRDUP },
	{ ZMM_EV_OP_BEGIN, ZMM_WHY_OP_GC },
	{ ZMM_EV_OP_BEGIN, ZMM_WHY_OP_RESET },
	{ ZMM_EV_OP_END, ZMM_WHY_NONE },
	{ ZMM_EV_CHUNK_NEW, ZMM_WHY_NONE },
	{ ZMM_EV_CHUNK_REUSE, ZMM_WHY_NONE },
	{ ZMM_EV_CHUNK_CACHE, ZMM_WHY_AVERAGE },
	{ ZMM_EV_CHUNK_CACHE, ZMM_WHY_BOUNDARY },
	{ ZMM_EV_CHUNK_CACHE, ZMM_WHY_SWAP },
	{ ZMM_EV_CHUNK_CACHE, ZMM_WHY_REQUEST_END },
	{ ZMM_EV_CHUNK_RELEASE, ZMM_WHY_RELEASE },
	{ ZMM_EV_CHUNK_RELEASE, ZMM_WHY_SWAP },
	{ ZMM_EV_CHUNK_RELEASE, ZMM_WHY_TRIM },
	{ ZMM_EV_CHUNK_MOVE, ZMM_WHY_NONE },
	{ ZMM_EV_FIT_SKIP, ZMM_WHY_FEW_PAGES },
	{ ZMM_EV_FIT_SKIP, ZMM_WHY_NO_RUN },
	{ ZMM_EV_FIT_CANDIDATE, ZMM_WHY_TOO_SMALL },
	{ ZMM_EV_FIT_CANDIDATE, ZMM_WHY_BEST_SO_FAR },
	{ ZMM_EV_FIT_CANDIDATE, ZMM_WHY_NOT_BETTER },
	{ ZMM_EV_FIT_CANDIDATE, ZMM_WHY_PERFECT },
	{ ZMM_EV_FIT_CANDIDATE, ZMM_WHY_TAIL },
	{ ZMM_EV_FIT_CANDIDATE, ZMM_WHY_TAIL_NOT_BETTER },
	{ ZMM_EV_FIT_CANDIDATE, ZMM_WHY_TAIL_TOO_SMALL },
	{ ZMM_EV_FIT_PICK, ZMM_WHY_PERFECT },
	{ ZMM_EV_FIT_PICK, ZMM_WHY_BEST },
	{ ZMM_EV_FIT_PICK, ZMM_WHY_TAIL },
	{ ZMM_EV_FIT_PICK, ZMM_WHY_NEW_CHUNK },
	{ ZMM_EV_PAGES_ALLOC, ZMM_WHY_NONE },
	{ ZMM_EV_PAGES_FREE, ZMM_WHY_NONE },
	{ ZMM_EV_RUN_CARVE, ZMM_WHY_NONE },
	{ ZMM_EV_SLOT_POP, ZMM_WHY_NONE },
	{ ZMM_EV_SLOT_PUSH, ZMM_WHY_NONE },
	{ ZMM_EV_LARGE_RESIZE, ZMM_WHY_NONE },
	{ ZMM_EV_HUGE_MAP, ZMM_WHY_NONE },
	{ ZMM_EV_HUGE_UNMAP, ZMM_WHY_NONE },
	{ ZMM_EV_HUGE_UNMAP, ZMM_WHY_REQUEST_END },
	{ ZMM_EV_HUGE_RESIZE, ZMM_WHY_NONE },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_FROM_NULL },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_SMALL_SAME },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_SMALL_SHRINK },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_SMALL_GROW },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_LARGE_SAME },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_LARGE_SHRINK },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_LARGE_GROW },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_HUGE_SAME },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_HUGE_SHRINK },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_HUGE_GROW },
	{ ZMM_EV_REALLOC_PATH, ZMM_WHY_GENERAL },
	{ ZMM_EV_GC_BEGIN, ZMM_WHY_NONE },
	{ ZMM_EV_GC_SLOTS, ZMM_WHY_NONE },
	{ ZMM_EV_GC_RUN_FREE, ZMM_WHY_NONE },
	{ ZMM_EV_GC_MAIN_KEPT, ZMM_WHY_NONE },
	{ ZMM_EV_GC_END, ZMM_WHY_NONE },
	{ ZMM_EV_RESET, ZMM_WHY_NONE },
	{ ZMM_EV_LIMIT_SET, ZMM_WHY_SET },
	{ ZMM_EV_LIMIT_SET, ZMM_WHY_TRIMMED },
	{ ZMM_EV_LIMIT_SET, ZMM_WHY_REFUSED },
	{ ZMM_EV_ERROR, ZMM_WHY_LIMIT },
	{ ZMM_EV_ERROR, ZMM_WHY_OVERFLOW },
	{ ZMM_EV_ERROR, ZMM_WHY_NOMEM },
};

START_TEST(test_describe_every_emitted)
{
	struct rec r = { 0 };
	struct zmm_heap *heap;
	size_t i, total = 0;
	int t, w;

	scen_small(&r);
	scen_fit(&r);
	scen_chunks(&r);
	heap = heap_moved(&r);
	zmm_heap_free_all(heap);
	scen_reset_limit(&r);
	scen_realloc(&r);
	scen_huge(&r);
	scen_gc(&r);
	scen_nomem(&r);
	scen_ops(&r);
	/* every sentence is clean */
	for (i = 0; i < r.n; i++) {
		ck_assert_msg(r.ev[i].text[0] != '\0', "empty sentence for %s",
		    zmm_event_name(r.ev[i].type));
		ck_assert_msg(strchr(r.ev[i].text, '?') == NULL &&
		    strstr(r.ev[i].text, "(null)") == NULL, "%s/%s: %s",
		    zmm_event_name(r.ev[i].type), zmm_why_name(r.ev[i].why),
		    r.ev[i].text);
	}
	/* every pair of the table was driven, and nothing else came */
	for (i = 0; i < sizeof(emitted) / sizeof(emitted[0]); i++)
		ck_assert_msg(r.seen[emitted[i].type][emitted[i].why],
		    "%s/%s never emitted", zmm_event_name(emitted[i].type),
		    zmm_why_name(emitted[i].why));
	for (t = 0; t < ZMM_EV_COUNT; t++)
		for (w = 0; w < ZMM_WHY_COUNT; w++)
			total += r.seen[t][w];
	ck_assert_uint_eq(total, sizeof(emitted) / sizeof(emitted[0]));
	rec_free(&r);
}
END_TEST

/* Every type with every reason, odd fields too: a sentence, no crash. */
START_TEST(test_describe_any_value)
{
	struct zmm_event ev;
	char buf[SENTENCE_MAX];
	size_t n;
	int t, w, v;

	for (t = 0; t < ZMM_EV_COUNT + 3; t++) {
		for (w = 0; w < ZMM_WHY_COUNT + 3; w++) {
			for (v = 0; v < 2; v++) {
				zmm_event_init(&ev, (enum zmm_event_type)t);
				ev.why = (enum zmm_why)w;
				if (v == 1) {
					ev.bin = 99;
					ev.chunk = 7;
					ev.page = 3;
					ev.pages = 2;
					ev.loc.kind = 42;
					ev.text = "text";
					ev.size = SIZE_MAX;
					ev.count = SIZE_MAX;
				}
				memset(buf, 'x', sizeof(buf));
				n = describe_event(&ev, buf, sizeof(buf));
				ck_assert_uint_eq(n, strlen(buf));
				ck_assert_uint_gt(n, 0);
				if (t < ZMM_EV_COUNT)
					ck_assert_msg(strchr(buf, '?') == NULL,
					    "%d/%d: %s", t, w, buf);
			}
		}
	}
	ck_assert_uint_eq(describe_event(NULL, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_describe_truncation)
{
	struct zmm_event ev;
	char full[SENTENCE_MAX], buf[16];
	size_t n, len;

	zmm_event_init(&ev, ZMM_EV_SLOT_PUSH);
	ev.bin = 3;
	ev.loc.kind = ZMM_LOC_CHUNK;
	ev.loc.chunk = 0;
	ev.loc.offset = 0x1040;
	n = describe_event(&ev, full, sizeof(full));
	ck_assert_str_eq(full, "slot c0+0x1040 pushed on free_slot[3] (32 B): "
	    "lists are LIFO, the next 32-byte alloc takes it back");
	ck_assert_uint_eq(n, strlen(full));

	memset(buf, 'x', sizeof(buf));
	ck_assert_uint_eq(describe_event(&ev, buf, 0), 0);
	ck_assert_int_eq(buf[0], 'x');			/* untouched */
	ck_assert_uint_eq(describe_event(&ev, buf, 1), 0);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'x');
	ck_assert_uint_eq(describe_event(&ev, buf, 5), 4);
	ck_assert_str_eq(buf, "slot");
	ck_assert_int_eq(buf[5], 'x');
	for (len = 1; len < sizeof(buf); len++) {
		memset(buf, 'x', sizeof(buf));
		n = describe_event(&ev, buf, len);
		ck_assert_uint_eq(n, len - 1);
		ck_assert_int_eq(memcmp(buf, full, n), 0);
		ck_assert_int_eq(buf[n], '\0');
	}

	/* the arrow of op_end is never cut in half */
	zmm_event_init(&ev, ZMM_EV_OP_END);
	ev.loc.kind = ZMM_LOC_CHUNK;
	ev.loc.offset = 0x1000;
	ck_assert_uint_eq(describe_event(&ev, buf, 2), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(describe_event(&ev, buf, 3), 0);
	ck_assert_uint_eq(describe_event(&ev, buf, 4), 3);
	ck_assert_str_eq(buf, "\xe2\x86\x92");
	ck_assert_uint_eq(describe_event(&ev, buf, 5), 4);
	ck_assert_str_eq(buf, "\xe2\x86\x92 ");
}
END_TEST

/* ------------------------------------------------------------------
 *  describe_item
 * ------------------------------------------------------------------ */

static struct trace *
load(const char *name, const char *text)
{
	struct trace *trace = NULL;
	struct trace_error err;

	ck_assert_msg(trace_load_mem(name, text, strlen(text), &trace,
	    &err) == 0, "%s", err.msg);
	return trace;
}

/* The items of TRACE described, one per line. */
static char *
items_text(const struct trace *trace)
{
	static char all[4096];
	char buf[256];
	struct trace_item it;
	size_t i, at = 0;

	all[0] = '\0';
	for (i = 0; i < trace_item_count(trace); i++) {
		it = trace_item_at(trace, i);
		ck_assert_uint_eq(describe_item(trace, &it, buf, sizeof(buf)),
		    strlen(buf));
		at += (size_t)snprintf(all + at, sizeof(all) - at, "%s\n", buf);
		ck_assert_uint_lt(at, sizeof(all));
	}
	return all;
}

START_TEST(test_item_kinds)
{
	static const char zmt[] =
	    "@title Demo \"one\"\n"
	    "@caption \"two\\tlines\\nhere\"\n"
	    "alloc a 24\n"
	    "a b 1K\n"
	    "realloc a 100\n"
	    "calloc t 10 8\n"
	    "strdup s \"hi\\n\"\n"
	    "strdup q \"a\\\"b\\\\c\\td\\x01\\xff\\x7f~\"\n"
	    "strdup z \"x\\x00y\"\n"
	    "strdup l \"0123456789012345678901234567890123456789ABCDEF\"\n"
	    "free a\n"
	    "gc\n"
	    "reset\n"
	    "@pause\n"
	    "@mark here\n"
	    "@limit 4M\n"
	    "bogus 1\n";
	static const char rep[] =
	    "20000\n2\n3\n1\n"
	    "a 0 8\n"
	    "f -1\n"
	    "r 1 16\n";
	struct trace *trace;
	struct trace_item bad;
	const char *msg;

	trace = load("kinds.zmt", zmt);
	bad = trace_item_at(trace, 16);
	msg = trace_item_text(trace, &bad, NULL);
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(items_text(trace),
	    "@title Demo \"one\"\n"
	    "@caption two lines here\n"
	    "alloc a 24\n"
	    "alloc b 1024\n"
	    "realloc a 100\n"
	    "calloc t 10 8\n"
	    "strdup s \"hi\\n\"\n"
	    "strdup q \"a\\\"b\\\\c\\td\\x01\\xff\\x7f~\"\n"
	    "strdup z \"x\\x00y\"\n"
	    "strdup l \"0123456789012345678901234567890123456789...\"\n"
	    "free a\n"
	    "gc\n"
	    "reset\n"
	    "@pause\n"
	    "@mark here\n"
	    "@limit 4194304\n"
	    "(error) unknown op 'bogus'\n");
	ck_assert_str_eq(msg, "unknown op 'bogus'");
	trace_free(trace);

	trace = load("kinds.rep", rep);
	ck_assert_str_eq(items_text(trace),
	    "alloc 0 8\n"
	    "f -1\n"
	    "realloc 1 16\n");
	trace_free(trace);
}
END_TEST

START_TEST(test_item_truncation)
{
	struct trace *trace = load("t.zmt",
	    "strdup s \"hi\\n\"\nalloc abc 24\n");
	const struct trace_item it[2] = {
		trace_item_at(trace, 0), trace_item_at(trace, 1)
	};
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	ck_assert_uint_eq(describe_item(trace, &it[0], buf, 0), 0);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_uint_eq(describe_item(trace, &it[0], buf, 1), 0);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_uint_eq(describe_item(trace, &it[0], buf, 5), 4);
	ck_assert_str_eq(buf, "strd");
	ck_assert_uint_eq(describe_item(trace, &it[0], buf, 14), 13);
	ck_assert_str_eq(buf, "strdup s \"hi\\");
	ck_assert_uint_eq(describe_item(trace, &it[1], buf, 5), 4);
	ck_assert_str_eq(buf, "allo");
	ck_assert_uint_eq(describe_item(trace, &it[1], buf, sizeof(buf)), 12);
	ck_assert_str_eq(buf, "alloc abc 24");
	trace_free(trace);
}
END_TEST

static Suite *
suite_describe(void)
{
	Suite *s = suite_create("describe");
	TCase *tc = tcase_create("events");
	TCase *tc_items = tcase_create("items");
	TCase *tc_limits = tcase_create("limits");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_describe_slots);
	tcase_add_test(tc, test_describe_fit);
	tcase_add_test(tc, test_describe_chunks);
	tcase_add_test(tc, test_describe_limit_errors);
	tcase_add_test(tc, test_describe_huge);
	tcase_add_test(tc, test_describe_realloc);
	tcase_add_test(tc, test_describe_gc);
	tcase_add_test(tc, test_describe_ops);
	tcase_add_test(tc, test_describe_every_emitted);
	suite_add_tcase(s, tc);
	tcase_add_test(tc_items, test_item_kinds);
	suite_add_tcase(s, tc_items);
	tcase_add_test(tc_limits, test_describe_any_value);
	tcase_add_test(tc_limits, test_describe_truncation);
	tcase_add_test(tc_limits, test_item_truncation);
	suite_add_tcase(s, tc_limits);
	return s;
}

/* ------------------------------------------------------------------
 *  cells
 * ------------------------------------------------------------------ */

static struct chunk_cells *
build(const struct zmm_heap *heap, size_t *count)
{
	struct chunk_cells *cells = NULL;

	ck_assert_int_eq(cells_build(heap, &cells, count), 0);
	ck_assert_ptr_nonnull(cells);
	return cells;
}

/* Fails unless PAGE is a cell of KIND, BIN, run START+PAGES, SLOTS. */
static void
assert_cell(const struct chunk_cells *cc, unsigned page, enum cell_kind kind,
    int bin, unsigned start, unsigned pages, unsigned used, unsigned slots)
{
	const struct cell *c = &cc->page[page];

	if (c->kind != kind || c->bin != bin || c->run_start != start ||
	    c->run_pages != pages || c->used_slots != used ||
	    c->slots != slots)
		ck_abort_msg("c%u page %u: kind %d bin %d run %u+%u used "
		    "%u/%u; want kind %d bin %d run %u+%u used %u/%u",
		    cc->serial, page, c->kind, c->bin, c->run_start,
		    c->run_pages, c->used_slots, c->slots, kind, bin, start,
		    pages, used, slots);
}

/* Pages FROM..TO of CC are free. */
static void
assert_free(const struct chunk_cells *cc, unsigned from, unsigned to)
{
	unsigned p;

	for (p = from; p <= to; p++)
		assert_cell(cc, p, CELL_FREE, -1, p, 0, 0, 0);
}

static void
assert_empty_chunk(const struct chunk_cells *cc)
{
	assert_cell(cc, 0, CELL_HEADER, -1, 0, 1, 0, 0);
	assert_free(cc, 1, ZMM_PAGES - 1);
}

START_TEST(test_cells_fresh)
{
	struct zmm_heap *heap = heap_new(NULL);
	struct chunk_cells *cells;
	size_t count;

	cells = build(heap, &count);
	ck_assert_uint_eq(count, 1);
	ck_assert_uint_eq(cells[0].serial, 0);
	ck_assert(!cells[0].cached);
	assert_empty_chunk(&cells[0]);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[0]), 0);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[1]), 0);
	free(cells);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_cells_large)
{
	struct zmm_heap *heap = heap_new(NULL);
	struct chunk_cells *cells;
	size_t count;

	alloc_ok(heap, 3 * 4096 - 100);		/* pages 1-3 */
	cells = build(heap, &count);
	ck_assert_uint_eq(count, 1);
	assert_cell(&cells[0], 0, CELL_HEADER, -1, 0, 1, 0, 0);
	assert_cell(&cells[0], 1, CELL_LRUN_START, -1, 1, 3, 0, 0);
	assert_cell(&cells[0], 2, CELL_LRUN_CONT, -1, 1, 3, 0, 0);
	assert_cell(&cells[0], 3, CELL_LRUN_CONT, -1, 1, 3, 0, 0);
	assert_free(&cells[0], 4, ZMM_PAGES - 1);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[1]), 0);
	free(cells);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_cells_small_run)
{
	struct zmm_heap *heap = heap_new(NULL);
	struct chunk_cells *cells;
	void *slot[64];
	size_t count;
	unsigned i, p;

	/* bin 16: 320-byte slots, 64 per run of 5 pages */
	for (i = 0; i < 5; i++)
		slot[i] = alloc_ok(heap, 300);
	free_ok(heap, slot[2]);
	cells = build(heap, &count);
	assert_cell(&cells[0], 1, CELL_SRUN_START, 16, 1, 5, 4, 64);
	for (p = 2; p <= 5; p++)
		assert_cell(&cells[0], p, CELL_SRUN_CONT, 16, 1, 5, 4, 64);
	assert_free(&cells[0], 6, ZMM_PAGES - 1);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[1]), 1);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[5]), 1);
	free(cells);

	/* full, then one free slot that lies in page 3 of the run */
	slot[2] = alloc_ok(heap, 300);
	for (i = 5; i < 64; i++)
		slot[i] = alloc_ok(heap, 300);
	cells = build(heap, &count);
	assert_cell(&cells[0], 3, CELL_SRUN_CONT, 16, 1, 5, 64, 64);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[3]), 8);
	assert_free(&cells[0], 6, ZMM_PAGES - 1);
	free(cells);
	ck_assert_uint_eq(zmm_heap_loc(heap, slot[30]).offset / 4096, 3);
	free_ok(heap, slot[30]);
	cells = build(heap, &count);
	for (p = 1; p <= 5; p++)
		ck_assert_uint_eq(cells[0].page[p].used_slots, 63);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[1]), 7);
	free(cells);

	/* half full */
	for (i = 0; i < 32; i++)
		if (i != 30)
			free_ok(heap, slot[i]);
	cells = build(heap, &count);
	assert_cell(&cells[0], 1, CELL_SRUN_START, 16, 1, 5, 32, 64);
	ck_assert_uint_eq(cells_fill_eighths(&cells[0].page[1]), 4);
	free(cells);
	heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_cells_eighths)
{
	struct cell c = { CELL_SRUN_START, 2, 1, 1, 0, 170 };

	ck_assert_uint_eq(cells_fill_eighths(&c), 0);
	c.used_slots = 1;
	ck_assert_uint_eq(cells_fill_eighths(&c), 1);
	c.used_slots = 85;
	ck_assert_uint_eq(cells_fill_eighths(&c), 4);
	c.used_slots = 169;
	ck_assert_uint_eq(cells_fill_eighths(&c), 7);
	c.used_slots = 170;
	ck_assert_uint_eq(cells_fill_eighths(&c), 8);
	c.slots = 0;
	ck_assert_uint_eq(cells_fill_eighths(&c), 0);
}
END_TEST

/*
 * gc frees a bin-16 run at pages 2-6 and leaves NRUN words in 3-6; a large
 * run then covers 2-4 over two of them.  Neither shows as a small run.
 */
START_TEST(test_cells_stale_nrun)
{
	struct zmm_heap *heap = heap_new(NULL);
	struct chunk_cells *cells;
	struct zmm_chunk_info info;
	void *a, *b;
	size_t count;
	unsigned p;

	alloc_ok(heap, 4096);			/* page 1 keeps c0 used */
	a = alloc_ok(heap, 300);		/* bin 16 run: pages 2-6 */
	b = alloc_ok(heap, 300);
	free_ok(heap, a);
	free_ok(heap, b);
	ck_assert_uint_eq(zmm_heap_gc(heap), 5 * 4096);
	zmm_chunk_info(zmm_heap_chunk_first(heap), &info);
	for (p = 3; p <= 6; p++)
		ck_assert_uint_eq(info.map[p], ZMM_NRUN(16, p - 2));
	cells = build(heap, &count);
	assert_cell(&cells[0], 1, CELL_LRUN_START, -1, 1, 1, 0, 0);
	assert_free(&cells[0], 2, ZMM_PAGES - 1);
	free(cells);

	alloc_ok(heap, 3 * 4096);		/* pages 2-4 */
	zmm_chunk_info(zmm_heap_chunk_first(heap), &info);
	ck_assert_uint_eq(info.map[2], ZMM_LRUN(3));
	ck_assert_uint_eq(info.map[3], ZMM_NRUN(16, 1));
	ck_assert(zmm_chunk_page_used(zmm_heap_chunk_first(heap), 3));
	cells = build(heap, &count);
	assert_cell(&cells[0], 2, CELL_LRUN_START, -1, 2, 3, 0, 0);
	assert_cell(&cells[0], 3, CELL_LRUN_CONT, -1, 2, 3, 0, 0);
	assert_cell(&cells[0], 4, CELL_LRUN_CONT, -1, 2, 3, 0, 0);
	assert_free(&cells[0], 5, ZMM_PAGES - 1);
	free(cells);
	heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_cells_cached)
{
	struct zmm_heap *heap = heap_new(NULL);
	struct chunk_cells *cells;
	void *b;
	size_t count;

	alloc_ok(heap, BIG);			/* c0 */
	b = alloc_ok(heap, BIG);		/* c1 */
	free_ok(heap, b);			/* c1 cached */
	cells = build(heap, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(cells[0].serial, 0);
	ck_assert(!cells[0].cached);
	assert_cell(&cells[0], 1, CELL_LRUN_START, -1, 1, 489, 0, 0);
	assert_cell(&cells[0], 489, CELL_LRUN_CONT, -1, 1, 489, 0, 0);
	assert_free(&cells[0], 490, ZMM_PAGES - 1);
	ck_assert_uint_eq(cells[1].serial, 1);
	ck_assert(cells[1].cached);
	assert_empty_chunk(&cells[1]);
	free(cells);

	/* after a reset the cached chunks' headers are zeroed */
	alloc_ok(heap, BIG);			/* c1 again */
	alloc_ok(heap, BIG);			/* c2 */
	zmm_heap_reset(heap);
	cells = build(heap, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert(!cells[0].cached);
	assert_empty_chunk(&cells[0]);
	ck_assert(cells[1].cached);
	ck_assert_uint_eq(cells[1].serial, 1);
	assert_empty_chunk(&cells[1]);
	free(cells);
	zmm_heap_free_all(heap);
}
END_TEST

START_TEST(test_cells_ring_order)
{
	static const unsigned order[] = { 0, 4, 1, 2, 3 };
	struct zmm_heap *heap = heap_moved(NULL);
	struct chunk_cells *cells;
	size_t count, i;
	void *h;

	h = alloc_ok(heap, 3000000);	/* a huge node: bin 2 in c4 too */
	cells = build(heap, &count);
	ck_assert_uint_eq(count, 5);
	for (i = 0; i < count; i++) {
		ck_assert_uint_eq(cells[i].serial, order[i]);
		ck_assert(!cells[i].cached);
		ck_assert_int_eq(cells[i].page[0].kind, CELL_HEADER);
	}
	for (i = 0; i < count; i++) {
		if (order[i] == 4)
			continue;
		assert_cell(&cells[i], 1, CELL_LRUN_START, -1, 1, 511, 0, 0);
		assert_cell(&cells[i], 511, CELL_LRUN_CONT, -1, 1, 511, 0, 0);
	}
	assert_cell(&cells[1], 1, CELL_SRUN_START, 2, 1, 1, 2, 170);
	assert_free(&cells[1], 2, ZMM_PAGES - 1);
	free(cells);
	free_ok(heap, h);
	cells = build(heap, &count);
	assert_cell(&cells[1], 1, CELL_SRUN_START, 2, 1, 1, 1, 170);
	ck_assert_uint_eq(cells_fill_eighths(&cells[1].page[1]), 1);
	free(cells);
	zmm_heap_free_all(heap);
}
END_TEST

/* Cells built from inside listeners, while the heap is mid-op. */
static void
build_in_callback(const struct zmm_event *event, void *arg)
{
	struct chunk_cells *cells = NULL;
	size_t count;

	(void)event;
	ck_assert_int_eq(cells_build(arg, &cells, &count), 0);
	ck_assert_uint_ge(count, 1);
	free(cells);
}

START_TEST(test_cells_during_events)
{
	struct zmm_heap *heap = heap_new(NULL);
	void *a, *b;

	ck_assert_int_ge(zmm_heap_listen(heap, build_in_callback, heap), 0);
	a = alloc_ok(heap, 300);
	b = alloc_ok(heap, 24);
	free_ok(heap, a);
	free_ok(heap, b);
	zmm_heap_gc(heap);
	a = alloc_ok(heap, 3000000);
	free_ok(heap, a);
	alloc_ok(heap, BIG);
	alloc_ok(heap, BIG);
	zmm_heap_reset(heap);
	zmm_heap_free_all(heap);
}
END_TEST

/*
 * Fails with the condition unless COND holds.  Plain C on the hot path:
 * each passing ck_assert costs a message to the runner, and this one is
 * checked for every page of every chunk after every op.
 */
#define AGREE(cond, c, p)						\
	do {								\
		if (!(cond))						\
			ck_abort_msg("c%u page %u: %s", (c), (p), #cond); \
	} while (0)

/* Every cell agrees with the heap: bitmap, runs, and free-list lengths. */
static void
assert_cells_agree(const struct zmm_heap *heap)
{
	const struct zmm_chunk *chunk;
	struct chunk_cells *cells;
	struct zmm_chunk_info info;
	struct zmm_map_word w;
	struct zmm_stats st;
	size_t count, k = 0, free_slots[ZMM_BINS] = { 0 };
	unsigned p, i;
	int bin;

	cells = build(heap, &count);
	zmm_heap_stats(heap, &st);
	ck_assert_uint_eq(count, st.chunks_count + st.cached_chunks_count);
	for (chunk = zmm_heap_chunk_first(heap); chunk != NULL;
	    chunk = zmm_heap_chunk_next(heap, chunk), k++) {
		const struct chunk_cells *cc = &cells[k];
		unsigned sn = cc->serial;

		zmm_chunk_info(chunk, &info);
		AGREE(sn == info.serial && !cc->cached, sn, 0u);
		AGREE(cc->page[0].kind == CELL_HEADER, sn, 0u);
		for (p = 1; p < ZMM_PAGES; p++) {
			const struct cell *c = &cc->page[p];

			AGREE((c->kind == CELL_FREE) ==
			    !zmm_chunk_page_used(chunk, p), sn, p);
			if (c->kind != CELL_LRUN_START &&
			    c->kind != CELL_SRUN_START)
				continue;
			AGREE(c->run_start == p, sn, p);
			zmm_map_word_decode(info.map[p], &w);
			if (c->kind == CELL_SRUN_START) {
				AGREE(w.kind == ZMM_PAGE_SRUN, sn, p);
				AGREE(w.bin == c->bin, sn, p);
				AGREE(c->run_pages == zmm_bin_pages(c->bin),
				    sn, p);
				AGREE(c->slots == zmm_bin_slots(c->bin), sn, p);
				AGREE(c->used_slots <= c->slots, sn, p);
				free_slots[c->bin] += c->slots - c->used_slots;
			} else {
				AGREE(w.kind == ZMM_PAGE_LRUN, sn, p);
				AGREE(c->run_pages == w.pages, sn, p);
				AGREE(c->bin == -1 && c->slots == 0, sn, p);
			}
			for (i = 1; i < c->run_pages; i++) {
				const struct cell *d = &cc->page[p + i];

				/* each _CONT kind follows its _START */
				AGREE(d->kind == c->kind + 1, sn, p + i);
				AGREE(d->bin == c->bin, sn, p + i);
				AGREE(d->run_start == p, sn, p + i);
				AGREE(d->run_pages == c->run_pages, sn, p + i);
				AGREE(d->used_slots == c->used_slots, sn,
				    p + i);
			}
		}
	}
	for (; k < count; k++) {
		AGREE(cells[k].cached, cells[k].serial, 0u);
		for (p = 0; p < ZMM_PAGES; p++)
			AGREE(cells[k].page[p].kind ==
			    (p == 0 ? CELL_HEADER : CELL_FREE),
			    cells[k].serial, p);
	}
	for (bin = 0; bin < ZMM_BINS; bin++)
		ck_assert_uint_eq(free_slots[bin],
		    zmm_heap_bin_length(heap, bin));
	free(cells);
}

/* A deterministic mix of every op, the cells checked after each one. */
START_TEST(test_cells_random)
{
	struct zmm_heap *heap = heap_new(NULL);
	void *live[128] = { NULL };
	uint64_t seed = 0x2545f4914f6cdd1dULL, r;
	struct zmm_stats st;
	size_t size, most_chunks = 0, most_cached = 0;
	unsigned op, slot;

	for (op = 0; op < 1500; op++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r = seed >> 16;
		slot = (unsigned)(r % 128);
		r /= 128;
		if (r % 100 < 70)
			size = 1 + r / 100 % 3072;		/* small */
		else if (r % 100 < 97)
			size = 3073 + r / 100 % 400000;	/* large */
		else
			size = 2200000 + r / 100 % 1000000;	/* huge */
		if (op % 500 == 499) {
			zmm_heap_reset(heap);
			memset(live, 0, sizeof(live));
		} else if (op % 97 == 96) {
			zmm_heap_gc(heap);
		} else if (live[slot] == NULL) {
			live[slot] = alloc_ok(heap, size);
		} else if (r % 3 == 0) {
			live[slot] = realloc_ok(heap, live[slot], size);
		} else {
			free_ok(heap, live[slot]);
			live[slot] = NULL;
		}
		assert_cells_agree(heap);
		zmm_heap_stats(heap, &st);
		if (st.chunks_count > most_chunks)
			most_chunks = st.chunks_count;
		if (st.cached_chunks_count > most_cached)
			most_cached = st.cached_chunks_count;
	}
	/* the mix did reach several chunks and the cache */
	ck_assert_uint_ge(most_chunks, 3);
	ck_assert_uint_ge(most_cached, 1);
	heap_ok(heap);
	zmm_heap_free_all(heap);
}
END_TEST

static Suite *
suite_cells(void)
{
	Suite *s = suite_create("cells");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cells_fresh);
	tcase_add_test(tc, test_cells_large);
	tcase_add_test(tc, test_cells_small_run);
	tcase_add_test(tc, test_cells_eighths);
	tcase_add_test(tc, test_cells_stale_nrun);
	tcase_add_test(tc, test_cells_cached);
	tcase_add_test(tc, test_cells_ring_order);
	tcase_add_test(tc, test_cells_during_events);
	tcase_add_test(tc, test_cells_random);
	suite_add_tcase(s, tc);
	return s;
}

Suite	*inspect_suite(void);	/* check_inspect.c */
Suite	*keys_suite(void);	/* check_keys.c */
Suite	*player_suite(void);	/* check_player.c */
Suite	*targets_suite(void);	/* check_player.c */
Suite	*draw_suite(void);	/* check_draw.c */

int
main(void)
{
	SRunner *runner = srunner_create(suite_describe());
	int failed;

	srunner_add_suite(runner, suite_cells());
	srunner_add_suite(runner, inspect_suite());
	srunner_add_suite(runner, keys_suite());
	srunner_add_suite(runner, player_suite());
	srunner_add_suite(runner, targets_suite());
	srunner_add_suite(runner, draw_suite());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
