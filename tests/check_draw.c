/*
 * check_draw.c - the viewer's screen drawn headless: curses on a virtual
 * terminal whose output goes to /dev/null, a fixed size, a known heap;
 * the rows are read back with mvinnstr() and compared.  Suite "draw".
 */
#include "config.h"

#include <check.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "player.h"
#include "trace.h"
#include "ui.h"
#include "zmm.h"

Suite	*draw_suite(void);

/* tests/golden/bestfit.zmt: holes of 3, 2 and 5 pages */
static const char bestfit[] =
	"alloc pin 8\n"
	"alloc A 12288\n"
	"alloc s1 4096\n"
	"alloc B 8192\n"
	"alloc s2 4096\n"
	"alloc C 20480\n"
	"alloc s3 4096\n"
	"free A\n"
	"free B\n"
	"free C\n"
	"alloc x 8192\n"
	"alloc y 4096\n"
	"alloc z 16384\n"
	"alloc w 40000\n";

static SCREEN *scr;
static FILE *scr_out, *scr_in;
static struct trace *tr;
static struct player *player;
static struct ui ui;

/* A 100x30 virtual terminal, bestfit.zmt, the viewer's start state. */
static void
setup(void)
{
	struct trace_error err;

	setenv("TERM", "xterm", 1);
	scr_out = fopen("/dev/null", "w");
	scr_in = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(scr_out);
	ck_assert_ptr_nonnull(scr_in);
	scr = newterm("xterm", scr_out, scr_in);
	ck_assert_ptr_nonnull(scr);
	resizeterm(30, 100);
	ck_assert_int_eq(trace_load_mem("bestfit.zmt", bestfit,
	    strlen(bestfit), &tr, &err), 0);
	player = player_new(tr);
	ck_assert_ptr_nonnull(player);
	ui_init(&ui, false, false);
}

static void
teardown(void)
{
	player_free(player);
	trace_free(tr);
	endwin();
	delscreen(scr);
	fclose(scr_out);
	fclose(scr_in);
}

/* Row Y of the screen as text, trailing blanks cut. */
static const char *
row(int y)
{
	static char buf[512];
	int n;

	n = mvinnstr(y, 0, buf, COLS);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

/* The first row holding TEXT, or -1. */
static int
find_row(const char *text)
{
	int y;

	for (y = 0; y < LINES; y++)
		if (strstr(row(y), text) != NULL)
			return y;
	return -1;
}

static void
assert_row_has(int y, const char *text)
{
	const char *r = row(y);

	ck_assert_msg(strstr(r, text) != NULL, "row %d is\n%s\nwithout\n%s", y,
	    r, text);
}

static void
assert_shows(const char *text)
{
	int y;

	if (find_row(text) >= 0)
		return;
	for (y = 0; y < LINES; y++)
		fprintf(stderr, "%2d|%s\n", y, row(y));
	ck_abort_msg("the screen does not show \"%s\"", text);
}

static void
steps(int n)
{
	while (n-- > 0)
		ck_assert(player_next_op(player));
}

START_TEST(test_draw_screen)
{
	char dots[64];

	steps(3);
	draw_screen(&ui, player);
	/* the header, right-aligned: where, the op, play, the model */
	assert_row_has(0, " bestfit.zmt");
	assert_row_has(0, "op 3/14  alloc s1 4096    PAUSE 5/s   PHP 8.2");
	/* the chunk's label and the lists beside it */
	ck_assert_str_eq(row(2), ">c0  6 of 512 pages used          "
	    "chunk 1/1  ring: c0");
	/* the map: header, bin 0, A's 3 pages, s1 (touched by op 3) */
	memset(dots, '.', 58);
	dots[58] = '\0';
	ck_assert_str_eq(row(3) + 7, dots);
	ck_assert_int_eq(strncmp(row(3), " H0L--L", 7), 0);
	ck_assert_str_eq(row(4), " ................................................"
	    "................");
	/* op 3's best fit: the tail */
	ck_assert_str_eq(row(11), "best fit: c0:5+507 tail [c0:5+1 tail]");
	/* the bins */
	ck_assert_str_eq(row(12) , " bin  slot pg slots  free head"
	    "            events of recent ops");
	assert_row_has(13, "   0     8  1   512   511 c0+0x1008");
	assert_row_has(15, "*  2    24  1   170     0 -");
	/* the log's newest line: op 3's result */
	assert_row_has(27, "    3 -> c0+0x5000");
	/* statistics and keys */
	ck_assert_str_eq(row(28), "size=16K peak=16K real_size=2048K "
	    "real_peak=2048K  chunks=1 cached=0 huge=0");
	assert_row_has(29, " <-/h back  ->/l next  ./, event  space play");
	assert_row_has(29, "q quit");
}
END_TEST

/* A stop inside op 4 (alloc B 8192): the screen shows that very moment. */
static enum player_resume
draw_at_stop(struct player *pl, void *arg)
{
	int *stops = arg;
	unsigned event, events;
	char want[64];
	bool marked;

	ck_assert(player_in_op(pl, &event, &events));
	ui.paused = true;
	draw_screen(&ui, pl);
	ui.paused = false;
	snprintf(want, sizeof(want), "op 4/14, event %u/%u  alloc B 8192",
	    event, events);
	assert_row_has(0, want);
	/* pages 6-7 are B's only once pages_alloc has run */
	marked = strstr(record_log_line(player_record(pl), 0, NULL),
	    "marked used in free_map") != NULL || stops[1];
	stops[1] |= marked;
	ck_assert_int_eq(strncmp(row(3), marked ? " H0L--LL-." : " H0L--L...",
	    10), 0);
	/* the key bar of a stop inside an op */
	assert_row_has(29, "./, event");
	assert_row_has(29, "(other keys: finish the op)");
	stops[0]++;
	return event < events ? PLAYER_NEXT_EVENT : PLAYER_FINISH;
}

START_TEST(test_draw_inside_op)
{
	int stops[2] = { 0, 0 };

	steps(3);
	player_on_stop(player, draw_at_stop, stops);
	player_next_event(player);
	ck_assert_int_eq(stops[0], 5);
	ck_assert_int_eq(stops[1], 1);
	draw_screen(&ui, player);
	assert_row_has(0, "op 4/14  alloc B 8192");
}
END_TEST

/* Every kind of op: small, large, huge, realloc, gc, a limit error, reset. */
static const char every_op[] =
	"alloc a 24\n"
	"alloc b 3000\n"
	"alloc c 20000\n"
	"alloc h 3000000\n"
	"free b\n"
	"realloc a 100\n"
	"calloc d 3 40\n"
	"strdup s \"hi\"\n"
	"alloc e 600000\n"
	"alloc f 600000\n"
	"alloc g 600000\n"
	"alloc i 600000\n"
	"free e\n"
	"free i\n"
	"realloc c 40000\n"
	"realloc h 4000000\n"
	"gc\n"
	"@limit 12M\n"
	"alloc big 9000000\n"
	"free h\n"
	"reset\n"
	"alloc x 8\n";

/* At each stop: the screen, then the inspector's detail of page 1. */
static enum player_resume
draw_every(struct player *pl, void *arg)
{
	unsigned *stops = arg, event, events;
	char want[64];

	ck_assert(player_in_op(pl, &event, &events));
	snprintf(want, sizeof(want), "op %llu/21, event %u/%u",
	    (unsigned long long)player_op(pl), event, events);
	ui.paused = true;
	ui.mode = MODE_NORMAL;
	draw_screen(&ui, pl);
	assert_row_has(0, want);
	ui.mode = MODE_DETAIL;
	ui.cursor = 1;
	draw_screen(&ui, pl);
	assert_shows(">page 1 of c0, decoded");
	ui.mode = MODE_NORMAL;
	ui.paused = false;
	(*stops)++;
	return PLAYER_NEXT_EVENT;
}

/*
 * Drawing with the core stopped at any event of any op reads a heap in the
 * middle of its work: it must show it, and trip no check, at each one.
 */
START_TEST(test_draw_every_event)
{
	struct trace_error err;
	struct trace *t;
	struct player *p;
	unsigned stops = 0;

	ck_assert_int_eq(trace_load_mem("every.zmt", every_op,
	    strlen(every_op), &t, &err), 0);
	p = player_new(t);
	ck_assert_ptr_nonnull(p);
	player_on_stop(p, draw_every, &stops);
	player_next_event(p);
	ck_assert_uint_gt(stops, 100);
	ck_assert_uint_eq(player_op(p), 21);
	ck_assert_str_eq(player_notice(p), "end of the trace");
	player_free(p);
	trace_free(t);
}
END_TEST

START_TEST(test_draw_inspect)
{
	const struct zmm_chunk *c0;
	struct zmm_chunk_info info;
	char word[64];
	int y;

	steps(4);
	/* the cursor on B's first page, the detail open */
	ui.mode = MODE_DETAIL;
	ui.cursor = 6;
	draw_screen(&ui, player);
	c0 = zmm_heap_chunk_first(player_heap(player));
	zmm_chunk_info(c0, &info);
	ck_assert_uint_eq(info.map[6], ZMM_LRUN(2));
	snprintf(word, sizeof(word), "map[6] = 0x%08x", info.map[6]);
	assert_shows(">page 6 of c0, decoded");
	assert_shows(word);
	assert_shows("LRUN");
	/* the status line sums the page up */
	assert_row_has(28, "c0 page 6");
	assert_row_has(28, word);
	/* the key bar is the detail's */
	assert_row_has(29, "slot");
	assert_row_has(29, "leave");
	/* a small run: the selected slot's line is kept in view */
	ui.cursor = 1;
	ui.slot_sel = 300;
	draw_screen(&ui, player);
	y = find_row("c0+0x1960");	/* slot 300 of bin 0: 0x1000 + 300*8 */
	ck_assert_int_gt(y, 12);
	ck_assert_int_lt(y, 28);
	/* the page cursor alone: the status line, the map, no pane */
	ui.mode = MODE_INSPECT;
	ui.cursor = 3;
	draw_screen(&ui, player);
	assert_row_has(28, "c0 page 3");
	ck_assert_int_eq(find_row(">page 3 of c0"), -1);
}
END_TEST

START_TEST(test_draw_overlays)
{
	steps(2);
	ui_enter(&ui, MODE_HELP);
	draw_screen(&ui, player);
	assert_row_has(1, "zmmviz keys");
	assert_shows("Viewing");
	assert_shows("Right, l");
	assert_shows("next op");
	ui_leave(&ui);
	ck_assert_int_eq(ui.mode, MODE_NORMAL);
	ui_enter(&ui, MODE_BREAKS);
	breaks_toggle(player_breaks(player), BREAK_NO_ROOM);
	draw_screen(&ui, player);
	assert_shows("Breakpoints: play stops after an op where one fires");
	assert_shows("[x] best fit found no room");
	assert_shows(">[ ] new chunk taken");
	/* a prompt over the overlay */
	ui_enter(&ui, MODE_PROMPT);
	ui.prompt = PROMPT_BREAK;
	strcpy(ui.prompt_text, "c0:7");
	ui.prompt_len = 4;
	draw_screen(&ui, player);
	assert_row_has(28, "break on an ID or a location (c0+0x1040, c0:5, "
	    "c0): c0:7");
	assert_shows("[x] best fit found no room");
	ui_leave(&ui);
	ck_assert_int_eq(ui.mode, MODE_BREAKS);
	ui_enter(&ui, MODE_NORMAL);
	ui_enter(&ui, MODE_PROMPT);
	ui.prompt = PROMPT_GOTO;
	draw_screen(&ui, player);
	ck_assert_str_eq(row(28), "go to op:");
}
END_TEST

START_TEST(test_draw_sizes)
{
	steps(3);
	resizeterm(20, 60);
	draw_screen(&ui, player);
	ck_assert_str_eq(row(10), "terminal too small: 60x20, zmmviz needs "
	    "80x24");
	resizeterm(24, 80);
	draw_screen(&ui, player);
	assert_row_has(0, "op 3/14");
	ck_assert_int_eq(strncmp(row(3), " H0L--L", 7), 0);
	assert_row_has(23, "q quit");
	assert_row_has(23, "? help");
	assert_row_has(22, "size=");
	/* a notice takes the status line */
	player_say(player, "mark set at op 3");
	draw_screen(&ui, player);
	ck_assert_str_eq(row(22), "mark set at op 3");
}
END_TEST

START_TEST(test_draw_bin_list)
{
	steps(3);
	ui.focus = FOCUS_BINS;
	ui.bin_sel = 0;
	draw_screen(&ui, player);
	assert_row_has(12, ">bin  slot pg slots  free head");
	assert_row_has(12, ">free_slot[0] (8 B): 511 free, head first");
	assert_row_has(13, "     0 c0+0x1008      page 1  <- next alloc of "
	    "this bin");
	assert_row_has(14, "     1 c0+0x1010      page 1");
	/* the log's place is the list's */
	ck_assert_int_eq(find_row("events of recent ops"), -1);
}
END_TEST

Suite *
draw_suite(void)
{
	Suite *s = suite_create("draw");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_draw_screen);
	tcase_add_test(tc, test_draw_inside_op);
	tcase_add_test(tc, test_draw_every_event);
	tcase_add_test(tc, test_draw_inspect);
	tcase_add_test(tc, test_draw_overlays);
	tcase_add_test(tc, test_draw_sizes);
	tcase_add_test(tc, test_draw_bin_list);
	suite_add_tcase(s, tc);
	return s;
}
