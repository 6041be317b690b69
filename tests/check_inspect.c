/*
 * check_inspect.c - the inspector's view model on replayed traces: a small
 * run's slots (free or used, places on the LIFO list, owners), a large
 * run's owner, NRUN pages, the header, free pages and leftover words, the
 * map word in hex and bit by bit, the lines' paging, and a sweep that
 * holds every page of a random heap against cells.c and the ID table.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cells.h"
#include "inspect.h"
#include "replay.h"
#include "trace.h"
#include "zmm.h"

Suite	*inspect_suite(void);

#define LINES_MAX	600	/* more than any page's detail */

/* A trace and its replay, run to the end. */
struct run {
	struct trace	*trace;
	struct replay	*replay;
};

static void
run_text(struct run *run, const char *text)
{
	struct trace_error err;
	int status = ZMM_OK;

	run->trace = NULL;
	ck_assert_msg(trace_load_mem("t.zmt", text, strlen(text), &run->trace,
	    &err) == 0, "%s", err.msg);
	run->replay = replay_new(run->trace, NULL, &status);
	ck_assert_msg(run->replay != NULL, "%s", zmm_strerror(status));
	ck_assert_int_eq(replay_seek_item(run->replay,
	    trace_item_count(run->trace)), 0);
}

static void
run_free(struct run *run)
{
	replay_free(run->replay);
	trace_free(run->trace);
}

/* inspect_page() that must succeed; the result is static. */
static struct inspect_page *
page_of(const struct run *run, uint32_t serial, unsigned page)
{
	static struct inspect_page p;

	ck_assert_msg(inspect_page(run->replay, serial, page, &p) == 0,
	    "no c%u page %u", serial, page);
	ck_assert_uint_eq(p.serial, serial);
	ck_assert_uint_eq(p.page, page);
	return &p;
}

/* Every line of P's detail; returns the count. */
static size_t
all_lines(const struct inspect_page *p, char (*lines)[INSPECT_LINE_MAX])
{
	size_t n = inspect_lines(p, 0, lines, LINES_MAX);

	ck_assert_uint_le(n, LINES_MAX);
	return n;
}

/* P's detail has the line LINE; fails listing the lines it has. */
static void
assert_line(const struct inspect_page *p, const char *line)
{
	static char lines[LINES_MAX][INSPECT_LINE_MAX];
	char all[8192];
	size_t n = all_lines(p, lines), i, at = 0;

	for (i = 0; i < n; i++)
		if (strcmp(lines[i], line) == 0)
			return;
	all[0] = '\0';
	for (i = 0; i < n && at < sizeof(all) - 1; i++)
		at += (size_t)snprintf(all + at, sizeof(all) - at, "  |%s\n",
		    lines[i]);
	ck_abort_msg("missing line \"%s\"; got:\n%s", line, all);
}

/* The pointer the replay holds for ID NAME (which must be live). */
static const void *
block_of(const struct run *run, const char *name)
{
	const void *ptr = NULL;
	uint32_t i;

	for (i = 0; i < trace_id_count(run->trace); i++)
		if (strcmp(trace_id_name(run->trace, i), name) == 0)
			ck_assert_msg(replay_block(run->replay, i, &ptr, NULL,
			    NULL), "'%s' not live", name);
	ck_assert_msg(ptr != NULL, "no ID '%s'", name);
	return ptr;
}

/* The chunk offset of the block of ID NAME. */
static uint32_t
offset_of(const struct run *run, const char *name)
{
	struct zmm_loc loc = zmm_heap_loc(replay_heap(run->replay),
	    block_of(run, name));

	ck_assert_int_eq(loc.kind, ZMM_LOC_CHUNK);
	return loc.offset;
}

static void
assert_owner(const struct inspect_owner *o, const char *id, uint64_t size,
    uint64_t opno)
{
	ck_assert_msg(o->live, "no owner, expected '%s'", id);
	ck_assert_str_eq(o->id, id);
	ck_assert_uint_eq(o->size, size);
	ck_assert_uint_eq(o->opno, opno);
}

/* ------------------------------------------------------------------
 *  Small runs
 * ------------------------------------------------------------------ */

START_TEST(test_inspect_small_run_slots)
{
	struct run run;
	struct inspect_page *p;
	const struct zmm_heap *heap;
	const void *slot;
	struct zmm_loc loc;
	unsigned k;
	long pos;

	/* bin 2 (24 bytes): one run at page 1; three frees, then c grows */
	run_text(&run,
	    "alloc a 24\n"
	    "alloc b 24\n"
	    "calloc c 2 10\n"
	    "alloc d 17\n"
	    "strdup s \"twenty-byte string!\"\n"
	    "free b\n"
	    "free d\n"
	    "free a\n"
	    "realloc c 22\n");
	heap = replay_heap(run.replay);
	p = page_of(&run, 0, 1);
	ck_assert_int_eq(p->what, INSPECT_SMALL);
	ck_assert(p->used);
	ck_assert(!p->word_stale);
	ck_assert_int_eq(p->word.kind, ZMM_PAGE_SRUN);
	ck_assert_int_eq(p->bin, 2);
	ck_assert_uint_eq(p->run_start, 1);
	ck_assert_uint_eq(p->run_pages, zmm_bin_pages(2));
	ck_assert_uint_eq(p->nslots, zmm_bin_slots(2));
	ck_assert_uint_eq(p->free_slots, zmm_bin_slots(2) - 2);
	ck_assert_uint_eq(p->list_length, zmm_heap_bin_length(heap, 2));

	/* slot k lies at page 1 + k * 24 */
	for (k = 0; k < p->nslots; k++)
		ck_assert_uint_eq(p->slot[k].offset, 0x1000 + k * 24);
	/* used: c in place (slot 2, its realloc's op 9) and s (slot 4) */
	ck_assert_uint_eq(offset_of(&run, "c"), p->slot[2].offset);
	ck_assert(!p->slot[2].free);
	ck_assert_int_eq(p->slot[2].list_pos, -1);
	assert_owner(&p->slot[2].owner, "c", 22, 9);
	ck_assert_uint_eq(offset_of(&run, "s"), p->slot[4].offset);
	assert_owner(&p->slot[4].owner, "s", 20, 5);
	/* free, LIFO: a (last freed) heads the list, then d, then b */
	ck_assert(p->slot[0].free);
	ck_assert_int_eq(p->slot[0].list_pos, 0);
	ck_assert(!p->slot[0].owner.live);
	ck_assert_int_eq(p->slot[3].list_pos, 1);
	ck_assert_int_eq(p->slot[1].list_pos, 2);
	/* then the slots never handed out, in address order */
	for (k = 5; k < p->nslots; k++) {
		ck_assert(p->slot[k].free);
		ck_assert_int_eq(p->slot[k].list_pos, (long)k - 2);
	}
	/* the same places as a walk of free_slot[2] finds them */
	pos = 0;
	for (slot = zmm_heap_bin_head(heap, 2); slot != NULL;
	    slot = zmm_slot_next(slot), pos++) {
		loc = zmm_heap_loc(heap, slot);
		k = (loc.offset - 0x1000) / 24;
		ck_assert_uint_lt(k, p->nslots);
		ck_assert_int_eq(p->slot[k].list_pos, pos);
	}
	ck_assert_uint_eq((size_t)pos, p->list_length);

	assert_line(p, "c0 page 1 (c0+0x1000): first page of a small run, "
	    "bin 2");
	assert_line(p, "run: pages 1-1 (1 page), bin 2: 170 slots of 24 bytes");
	assert_line(p, "slots: 2 used, 168 free; free_slot[2] holds 168");
	assert_line(p, "slot   0  c0+0x1000    free  list #0");
	assert_line(p, "slot   2  c0+0x1030    used  c  22 bytes  op 9");
	assert_line(p, "slot   3  c0+0x1048    free  list #1");
	assert_line(p, "slot   4  c0+0x1060    used  s  20 bytes  op 5");
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_nrun_points_back)
{
	struct run run;
	struct inspect_page *p;
	unsigned page, k;

	/* bin 16: 320-byte slots, one run of 5 pages at page 2 */
	run_text(&run,
	    "alloc a 8\n"
	    "alloc x 300\n"
	    "alloc y 300\n"
	    "free x\n");
	for (page = 2; page < 2 + zmm_bin_pages(16); page++) {
		p = page_of(&run, 0, page);
		ck_assert_int_eq(p->what, INSPECT_SMALL);
		ck_assert_int_eq(p->bin, 16);
		ck_assert_uint_eq(p->run_start, 2);
		ck_assert_uint_eq(p->run_pages, 5);
		ck_assert(!p->word_stale);
		if (page == 2) {
			ck_assert_int_eq(p->word.kind, ZMM_PAGE_SRUN);
			continue;
		}
		ck_assert_int_eq(p->word.kind, ZMM_PAGE_NRUN);
		ck_assert_int_eq(p->word.bin, 16);
		ck_assert_uint_eq(p->word.offset, page - 2);
		/* every page of the run shows all its slots */
		ck_assert_uint_eq(p->nslots, 64);
		ck_assert_uint_eq(p->free_slots, 63);
		ck_assert(p->slot[0].free);
		ck_assert_int_eq(p->slot[0].list_pos, 0);
		assert_owner(&p->slot[1].owner, "y", 300, 3);
		for (k = 2; k < 64; k++)
			ck_assert_int_eq(p->slot[k].list_pos, (long)k - 1);
	}
	p = page_of(&run, 0, 5);
	assert_line(p, "c0 page 5 (c0+0x5000): page 4 of 5 of the small run "
	    "at page 2, bin 16");
	assert_line(p, "map[5] = 0xc0030010");
	assert_line(p, "  bits 31-0  = 1100 0000 0000 0011 0000 0000 0001 0000");
	assert_line(p, "  bits 31-30 = 11    NRUN: a later page of a small run");
	assert_line(p, "  bits 24-16 = 3     offset: the run starts 3 pages "
	    "back, at page 2");
	assert_line(p, "  bits 4-0   = 16    bin 16 (320-byte slots)");
	assert_line(p, "slot   1  c0+0x2140    used  y  300 bytes  op 3");
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_huge_node_slot)
{
	struct run run;
	struct inspect_page *p;
	const struct zmm_huge *huge;

	/* a huge block's 24-byte list node is a bin 2 slot */
	run_text(&run, "alloc h 3000000\nalloc a 24\n");
	huge = zmm_heap_huge_first(replay_heap(run.replay));
	ck_assert_ptr_nonnull(huge);
	p = page_of(&run, 0, 1);
	ck_assert_int_eq(p->bin, 2);
	ck_assert(!p->slot[0].free);
	ck_assert(!p->slot[0].owner.live);
	ck_assert_uint_eq(p->slot[0].huge_size, zmm_huge_size(huge));
	ck_assert_uint_eq(p->slot[1].huge_size, 0);
	assert_owner(&p->slot[1].owner, "a", 24, 2);
	assert_line(p, "slot   0  c0+0x1000    used  the list node of a huge "
	    "block (huge:3002368)");
	run_free(&run);
}
END_TEST

/* ------------------------------------------------------------------
 *  Large runs, the header, free pages
 * ------------------------------------------------------------------ */

START_TEST(test_inspect_large_run_owner)
{
	struct run run;
	struct inspect_page *p;
	unsigned page;

	run_text(&run,
	    "alloc small 24\n"
	    "alloc big 10000\n"
	    "alloc next 5000\n"
	    "realloc next 9000\n");
	/* big: 3 pages at page 2 */
	ck_assert_uint_eq(offset_of(&run, "big"), 2 * 0x1000);
	for (page = 2; page <= 4; page++) {
		p = page_of(&run, 0, page);
		ck_assert_int_eq(p->what, INSPECT_LARGE);
		ck_assert_int_eq(p->bin, -1);
		ck_assert_uint_eq(p->run_start, 2);
		ck_assert_uint_eq(p->run_pages, 3);
		ck_assert_uint_eq(p->nslots, 0);
		assert_owner(&p->owner, "big", 10000, 2);
		/* only the first page's word is read */
		ck_assert(p->word_stale == (page != 2));
	}
	p = page_of(&run, 0, 2);
	ck_assert_int_eq(p->word.kind, ZMM_PAGE_LRUN);
	ck_assert_uint_eq(p->word.pages, 3);
	assert_line(p, "c0 page 2 (c0+0x2000): first page of a large run");
	assert_line(p, "map[2] = 0x40000003");
	assert_line(p, "  bits 31-0  = 0100 0000 0000 0000 0000 0000 0000 0011");
	assert_line(p, "  bits 31-30 = 01    LRUN: the first page of a large "
	    "run");
	assert_line(p, "  bits 9-0   = 3     pages in the run");
	assert_line(p, "run: pages 2-4 (3 pages, 12288 bytes), one large block");
	assert_line(p, "owner: big, 10000 bytes, op 2");
	p = page_of(&run, 0, 3);
	assert_line(p, "c0 page 3 (c0+0x3000): page 2 of 3 of the large run "
	    "at page 2");
	/* next grew in place from 2 pages to 3 */
	p = page_of(&run, 0, 7);
	ck_assert_uint_eq(p->run_start, 5);
	ck_assert_uint_eq(p->run_pages, 3);
	assert_owner(&p->owner, "next", 9000, 4);
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_header_page)
{
	struct run run;
	struct inspect_page *p;
	struct zmm_chunk_info info;

	run_text(&run, "alloc a 24\nalloc b 5000\n");
	zmm_chunk_info(zmm_heap_chunk_first(replay_heap(run.replay)), &info);
	p = page_of(&run, 0, 0);
	ck_assert_int_eq(p->what, INSPECT_HEADER);
	ck_assert(p->used);
	ck_assert(p->chunk_main);
	ck_assert(!p->cached);
	ck_assert_uint_eq(p->word.word, ZMM_LRUN(1));
	ck_assert_uint_eq(p->run_start, 0);
	ck_assert_uint_eq(p->run_pages, 1);
	ck_assert_uint_eq(p->chunk_free_pages, info.free_pages);
	ck_assert_uint_eq(p->chunk_free_pages, 511 - 1 - 2);
	ck_assert_uint_eq(p->chunk_free_tail, info.free_tail);
	ck_assert_uint_eq(p->chunk_num, 0);
	assert_line(p, "c0 page 0 (c0+0x0): the chunk header");
	assert_line(p, "num 0, free_pages 508, free_tail 4; the main chunk: "
	    "the heap lives here too");
	assert_line(p, "map[0] = 0x40000001  (the header is marked as a "
	    "1-page large run)");
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_free_pages)
{
	struct run run;
	struct inspect_page *p;

	/* a hole of 2 pages between two large runs, then the free tail */
	run_text(&run,
	    "alloc a 5000\n"
	    "alloc b 5000\n"
	    "alloc c 5000\n"
	    "free b\n");
	p = page_of(&run, 0, 4);
	ck_assert_int_eq(p->what, INSPECT_FREE);
	ck_assert(!p->used);
	ck_assert_uint_eq(p->run_pages, 0);
	ck_assert_uint_eq(p->hole_start, 3);
	ck_assert_uint_eq(p->hole_pages, 2);
	ck_assert(!p->owner.live);
	/* a large run's free clears its first word only */
	p = page_of(&run, 0, 3);
	ck_assert_uint_eq(p->word.word, 0);
	ck_assert(!p->word_stale);
	assert_line(p, "c0 page 3 (c0+0x3000): free");
	assert_line(p, "free pages around it: 3-4 (2 pages)");
	assert_line(p, "  bits 31-30 = 00    FRUN: the word of a free page");
	p = page_of(&run, 0, 511);
	ck_assert_uint_eq(p->hole_start, 7);
	ck_assert_uint_eq(p->hole_pages, 505);
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_leftover_nrun_words)
{
	struct run run;
	struct inspect_page *p;

	/* gc frees the empty 5-page run of bin 16; its NRUN words stay */
	run_text(&run, "alloc x 300\nfree x\ngc\n");
	p = page_of(&run, 0, 1);
	ck_assert_int_eq(p->what, INSPECT_FREE);
	ck_assert_uint_eq(p->word.word, 0);
	ck_assert(!p->word_stale);
	p = page_of(&run, 0, 3);
	ck_assert_int_eq(p->what, INSPECT_FREE);
	ck_assert_int_eq(p->word.kind, ZMM_PAGE_NRUN);
	ck_assert_uint_eq(p->word.word, ZMM_NRUN(16, 2));
	ck_assert(p->word_stale);
	ck_assert_uint_eq(p->hole_start, 1);
	ck_assert_uint_eq(p->hole_pages, 511);
	ck_assert_uint_eq(p->nslots, 0);
	assert_line(p, "map[3] = 0xc0020010  (a leftover: the page is free, "
	    "nothing reads it)");
	assert_line(p, "free pages around it: 1-511 (511 pages)");
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_cached_chunk)
{
	struct run run;
	struct inspect_page *p;

	/* three chunks; freeing the last two caches one of them */
	run_text(&run,
	    "alloc b1 2000000\n"
	    "alloc b2 2000000\n"
	    "alloc b3 2000000\n"
	    "free b3\n"
	    "free b2\n");
	ck_assert_ptr_nonnull(zmm_heap_cached_first(replay_heap(run.replay)));
	p = page_of(&run, 1, 0);
	ck_assert(p->cached);
	ck_assert_int_eq(p->what, INSPECT_HEADER);
	ck_assert(!p->chunk_main);
	ck_assert_uint_eq(p->chunk_free_pages, 511);
	p = page_of(&run, 1, 200);
	ck_assert(p->cached);
	ck_assert_int_eq(p->what, INSPECT_FREE);
	ck_assert_uint_eq(p->hole_start, 1);
	ck_assert_uint_eq(p->hole_pages, 511);
	assert_line(p, "c1 page 200 (c1+0xc8000) (cached chunk): free");
	/* the ring's own pages */
	p = page_of(&run, 0, 300);
	assert_owner(&p->owner, "b1", 2000000, 1);
	ck_assert_uint_eq(p->run_start, 1);
	ck_assert_uint_eq(p->run_pages, 489);
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_no_such_page)
{
	struct run run;
	struct inspect_page p;

	run_text(&run, "alloc a 24\nalloc h 3000000\n");
	ck_assert_int_eq(inspect_page(run.replay, 1, 0, &p), -1);
	ck_assert_int_eq(inspect_page(run.replay, 99, 1, &p), -1);
	ck_assert_int_eq(inspect_page(run.replay, 0, ZMM_PAGES, &p), -1);
	ck_assert_int_eq(inspect_page(run.replay, 0, (unsigned)-1, &p), -1);
	ck_assert_int_eq(inspect_page(NULL, 0, 1, &p), -1);
	ck_assert_int_eq(inspect_page(run.replay, 0, ZMM_PAGES - 1, &p), 0);
	run_free(&run);
}
END_TEST

/* ------------------------------------------------------------------
 *  The lines
 * ------------------------------------------------------------------ */

START_TEST(test_inspect_srun_word_lines)
{
	struct run run;
	struct inspect_page *p;
	static char lines[LINES_MAX][INSPECT_LINE_MAX];

	run_text(&run, "alloc a 24\n");
	p = page_of(&run, 0, 1);
	ck_assert_uint_eq(p->word.word, 0x80000002);
	ck_assert_uint_ge(all_lines(p, lines), 7);
	/* the heading, then the word as PHP 8.2 lays it out */
	ck_assert_str_eq(lines[0], "c0 page 1 (c0+0x1000): first page of a "
	    "small run, bin 2");
	ck_assert_str_eq(lines[1], "map[1] = 0x80000002");
	ck_assert_str_eq(lines[2],
	    "  bits 31-0  = 1000 0000 0000 0000 0000 0000 0000 0010");
	ck_assert_str_eq(lines[3],
	    "  bits 31-30 = 10    SRUN: the first page of a small run");
	ck_assert_str_eq(lines[4],
	    "  bits 24-16 = 0     free counter (gc counts free slots here)");
	ck_assert_str_eq(lines[5],
	    "  bits 4-0   = 2     bin 2 (24-byte slots)");
	ck_assert_str_eq(lines[6],
	    "run: pages 1-1 (1 page), bin 2: 170 slots of 24 bytes");
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_lines_paging)
{
	struct run run;
	struct inspect_page *p;
	static char all[LINES_MAX][INSPECT_LINE_MAX];
	char window[3][INSPECT_LINE_MAX], one[1][INSPECT_LINE_MAX];
	size_t n, i;

	run_text(&run, "alloc a 8\nalloc b 8\n");
	p = page_of(&run, 0, 1);
	n = all_lines(p, all);
	/* a heading, 4 word lines, run, counts and one line per slot */
	ck_assert_uint_eq(n, 8 + zmm_bin_slots(0));
	for (i = 0; i < n; i++) {
		ck_assert_uint_lt(strlen(all[i]), INSPECT_LINE_MAX - 1);
		ck_assert_uint_eq(inspect_lines(p, i, one, 1), n);
		ck_assert_str_eq(one[0], all[i]);
	}
	/* a window near the end: only the lines that exist are written */
	memset(window, 'x', sizeof(window));
	ck_assert_uint_eq(inspect_lines(p, n - 2, window, 3), n);
	ck_assert_str_eq(window[0], all[n - 2]);
	ck_assert_str_eq(window[1], all[n - 1]);
	ck_assert_int_eq(window[2][0], 'x');
	/* nothing asked, or past the end: the count alone */
	ck_assert_uint_eq(inspect_lines(p, 0, NULL, 0), n);
	ck_assert_uint_eq(inspect_lines(p, n + 5, one, 1), n);
	ck_assert_str_eq(all[n - 1], "slot 511  c0+0x1ff8    free  list #509");
	run_free(&run);
}
END_TEST

START_TEST(test_inspect_long_id)
{
	struct run run;
	struct inspect_page *p;
	char text[128], id[65];

	memset(id, 'k', 64);
	id[64] = '\0';
	snprintf(text, sizeof(text), "alloc %s 100\n", id);
	run_text(&run, text);
	p = page_of(&run, 0, 1);
	assert_owner(&p->slot[0].owner, id, 100, 1);
	run_free(&run);
}
END_TEST

/* ------------------------------------------------------------------
 *  Every page of a random heap
 * ------------------------------------------------------------------ */

/* A random trace of N ops over small, large and huge blocks. */
static char *
random_trace(uint32_t seed, int n)
{
	static const unsigned sizes[] = { 8, 16, 24, 56, 100, 300, 640, 1792,
	    3072, 4096, 5000, 20000, 100000, 3000000 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool live[400] = { false };
	int i, id;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		id = (int)((seed >> 8) % 400);
		if (live[id] && (seed >> 20) % 5 == 0)
			fprintf(f, "realloc k%d %u\n", id,
			    sizes[(seed >> 24) % 13]);
		else if (live[id])
			fprintf(f, "free k%d\n", id);
		else
			fprintf(f, "alloc k%d %u\n", id,
			    sizes[(seed >> 24) % ((seed & 63) ? 13 : 14)]);
		live[id] = !live[id] || (seed >> 20) % 5 == 0;
		if (i % 900 == 899)
			fprintf(f, "gc\n");
	}
	fclose(f);
	return text;
}

/*
 * Every page of every chunk agrees with cells.c (kind, run, used slots),
 * every owner the inspector names is the replay's block at that place,
 * and every live block is named exactly once.
 */
static void
assert_heap_agrees(const struct run *run)
{
	const struct zmm_heap *heap = replay_heap(run->replay);
	static struct inspect_page p;
	struct chunk_cells *cells;
	const struct cell *c;
	size_t count, k, named = 0, live = 0;
	unsigned page, s;
	uint32_t i;
	const void *ptr;
	struct zmm_loc loc;

	ck_assert_int_eq(cells_build(heap, &cells, &count), 0);
	for (k = 0; k < count; k++) {
		for (page = 0; page < ZMM_PAGES; page++) {
			c = &cells[k].page[page];
			ck_assert_int_eq(inspect_page(run->replay,
			    cells[k].serial, page, &p), 0);
			ck_assert(p.cached == cells[k].cached);
			switch (c->kind) {
			case CELL_HEADER:
				ck_assert_int_eq(p.what, INSPECT_HEADER);
				continue;
			case CELL_FREE:
				ck_assert_int_eq(p.what, INSPECT_FREE);
				continue;
			case CELL_LRUN_START:
			case CELL_LRUN_CONT:
				ck_assert_int_eq(p.what, INSPECT_LARGE);
				ck_assert_int_eq(p.bin, -1);
				break;
			default:
				ck_assert_int_eq(p.what, INSPECT_SMALL);
				ck_assert_int_eq(p.bin, c->bin);
				ck_assert_uint_eq(p.nslots - p.free_slots,
				    c->used_slots);
				break;
			}
			ck_assert_uint_eq(p.run_start, c->run_start);
			ck_assert_uint_eq(p.run_pages, c->run_pages);
			if (page != p.run_start)
				continue;	/* count each run once */
			if (p.what == INSPECT_LARGE) {
				ck_assert(p.owner.live);
				named++;
			}
			for (s = 0; s < p.nslots; s++)
				named += p.slot[s].owner.live;
		}
	}
	free(cells);
	/* every live block in a chunk is one of those named */
	for (i = 0; i < trace_id_count(run->trace); i++) {
		if (!replay_block(run->replay, i, &ptr, NULL, NULL))
			continue;
		loc = zmm_heap_loc(heap, ptr);
		if (loc.kind != ZMM_LOC_CHUNK)
			continue;
		live++;
		ck_assert_int_eq(inspect_page(run->replay, loc.chunk,
		    loc.offset / ZMM_PAGE_SIZE, &p), 0);
		if (p.what == INSPECT_LARGE) {
			ck_assert_str_eq(p.owner.id, trace_id_name(run->trace,
			    i));
			continue;
		}
		ck_assert_int_eq(p.what, INSPECT_SMALL);
		s = (loc.offset - p.run_start * ZMM_PAGE_SIZE) /
		    zmm_bin_size(p.bin);
		ck_assert_uint_lt(s, p.nslots);
		ck_assert_uint_eq(p.slot[s].offset, loc.offset);
		ck_assert(!p.slot[s].free);
		ck_assert_str_eq(p.slot[s].owner.id, trace_id_name(run->trace,
		    i));
	}
	ck_assert_uint_eq(named, live);
}

START_TEST(test_inspect_random_heaps)
{
	struct run run;
	char *text = random_trace(7 + (uint32_t)_i, 4000);
	uint64_t ops;

	run_text(&run, text);
	ops = trace_op_count(run.trace);
	assert_heap_agrees(&run);
	ck_assert_int_eq(replay_seek_op(run.replay, ops / 3), 0);
	assert_heap_agrees(&run);
	ck_assert_int_eq(replay_seek_op(run.replay, ops / 3 + 1), 0);
	assert_heap_agrees(&run);
	run_free(&run);
	free(text);
}
END_TEST

Suite *
inspect_suite(void)
{
	Suite *s = suite_create("inspect");
	TCase *tc = tcase_create("pages");

	tcase_add_test(tc, test_inspect_small_run_slots);
	tcase_add_test(tc, test_inspect_nrun_points_back);
	tcase_add_test(tc, test_inspect_huge_node_slot);
	tcase_add_test(tc, test_inspect_large_run_owner);
	tcase_add_test(tc, test_inspect_header_page);
	tcase_add_test(tc, test_inspect_free_pages);
	tcase_add_test(tc, test_inspect_leftover_nrun_words);
	tcase_add_test(tc, test_inspect_cached_chunk);
	tcase_add_test(tc, test_inspect_no_such_page);
	suite_add_tcase(s, tc);
	tc = tcase_create("lines");
	tcase_add_test(tc, test_inspect_srun_word_lines);
	tcase_add_test(tc, test_inspect_lines_paging);
	tcase_add_test(tc, test_inspect_long_id);
	suite_add_tcase(s, tc);
	tc = tcase_create("random");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_inspect_random_heaps, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
