/*
 * app.c - the zmmviz viewer: main loop, keys, and the screen.
 *
 *   +- header: title | op N/M | current op | play state | PHP version -+
 *   | caption (@caption narration)                                     |
 *   | chunk map: 512 pages as 8 rows of 64 cells                       |
 *   | best-fit search of the current op                                |
 *   | bins (slot size, pages, slots, free, head) | event log           |
 *   | status: heap statistics                                          |
 *   +- key bar ---------------------------------------------------------+
 *
 * The replay is the model; this file only reads the heap through
 * lib/zmm.h and keeps, from the events of the current op, what to
 * highlight and what to write in the log.  Stepping back re-replays
 * silently to the op before, then replays that op with the listener on,
 * so its highlights and log lines are those of a forward step.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "cells.h"
#include "describe.h"
#include "zmm_events.h"

#define MIN_COLS	80
#define MIN_LINES	24
#define FRAME_MS	33		/* at most ~30 frames a second */
#define LOG_OPS		8		/* the log shows the last 8 ops */
#define MARKS_MAX	64		/* marks set with `m` */
#define KEY_CTRL_L	12

enum focus { FOCUS_MAP, FOCUS_BINS, FOCUS_LOG, FOCUS_COUNT };

struct touched {
	int		 chunk;		/* serial */
	unsigned	 page;
	unsigned	 pages;
};

struct fit {
	int		 chunk;
	int		 page;
	unsigned	 pages;
	enum zmm_why	 why;
	bool		 pick;
};

struct app {
	const struct trace *trace;
	struct replay	*replay;
	struct app_options opt;
	bool		 utf8;
	bool		 colour;
	bool		 playing;
	int		 speed;		/* index into speeds[] */
	bool		 recording;	/* the listener keeps events */
	bool		 help;		/* the help overlay is open */
	enum focus	 focus;
	int		 chunk_sel;	/* index among ring + cache */
	int		 nchunks;	/* ring + cache, as last drawn */
	int		 bin_sel;
	int		 log_scroll;	/* lines up from the newest */
	int		 list_scroll;	/* first entry shown of a bin's list */
	uint64_t	 marks[MARKS_MAX];	/* ops marked with `m` */
	size_t		 nmarks;
	char		 status[640];	/* last error or notice */
	/* what the current op did */
	struct touched	 touched[APP_TOUCH_MAX];
	size_t		 ntouched;
	bool		 bin_touched[ZMM_BINS];
	struct zmm_loc	 slots[APP_TOUCH_MAX];	/* slots popped or pushed */
	size_t		 nslots;
	struct fit	 fit[APP_FIT_MAX];
	size_t		 nfit;
	bool		 fit_more;	/* candidates past APP_FIT_MAX */
	/* the event log, a ring of lines */
	char		 log[APP_LOG_MAX][200];
	unsigned long	 log_op[APP_LOG_MAX];
	size_t		 log_count;	/* lines ever written */
};

/* Ops per second for each play speed; 0 is "as fast as possible". */
static const unsigned speeds[] = { 1, 2, 5, 10, 25, 50, 100, 250, 1000,
    10000, 0 };
#define NSPEEDS	(sizeof(speeds) / sizeof(speeds[0]))

/* Colour roles. */
enum role { ROLE_FREE = 1, ROLE_LARGE, ROLE_SMALL, ROLE_HEADER, ROLE_TITLE,
    ROLE_ERROR };

/* ------------------------------------------------------------------
 *  Events of the current op
 * ------------------------------------------------------------------ */

static void
touch(struct app *app, int chunk, unsigned page, unsigned pages)
{
	if (app->ntouched < APP_TOUCH_MAX && chunk >= 0) {
		app->touched[app->ntouched].chunk = chunk;
		app->touched[app->ntouched].page = page;
		app->touched[app->ntouched].pages = pages ? pages : 1;
		app->ntouched++;
	}
}

static void
on_event(const struct zmm_event *ev, void *arg)
{
	struct app *app = arg;
	size_t slot;

	if (!app->recording)
		return;
	if (ev->type == ZMM_EV_OP_BEGIN) {
		app->ntouched = 0;
		app->nslots = 0;
		app->nfit = 0;
		app->fit_more = false;
		memset(app->bin_touched, 0, sizeof(app->bin_touched));
	}
	switch (ev->type) {
	case ZMM_EV_PAGES_ALLOC:
	case ZMM_EV_PAGES_FREE:
	case ZMM_EV_RUN_CARVE:
	case ZMM_EV_LARGE_RESIZE:
	case ZMM_EV_GC_RUN_FREE:
		touch(app, ev->chunk, (unsigned)ev->page, ev->pages);
		break;
	case ZMM_EV_SLOT_POP:
	case ZMM_EV_SLOT_PUSH:
		if (ev->bin >= 0 && ev->bin < ZMM_BINS)
			app->bin_touched[ev->bin] = true;
		if (ev->loc.kind == ZMM_LOC_CHUNK)
			touch(app, (int)ev->loc.chunk,
			    ev->loc.offset / (unsigned)ZMM_PAGE_SIZE, 1);
		if (app->nslots < APP_TOUCH_MAX)
			app->slots[app->nslots++] = ev->loc;
		break;
	case ZMM_EV_FIT_CANDIDATE:
	case ZMM_EV_FIT_PICK:
		if (app->nfit < APP_FIT_MAX) {
			struct fit *f = &app->fit[app->nfit++];

			f->chunk = ev->chunk;
			f->page = ev->page;
			f->pages = ev->pages;
			f->why = ev->why;
			f->pick = ev->type == ZMM_EV_FIT_PICK;
		} else {
			app->fit_more = true;
		}
		break;
	default:
		break;
	}
	slot = app->log_count % APP_LOG_MAX;
	describe_event(ev, app->log[slot], sizeof(app->log[slot]));
	app->log_op[slot] = ev->op;
	app->log_count++;
}

/* ------------------------------------------------------------------
 *  Stepping
 * ------------------------------------------------------------------ */

/*
 * Carries out items up to and including the next op.  A @pause on the way
 * stops play.  Returns false at the end of the trace.
 */
static bool
step_op(struct app *app)
{
	struct replay_step st;

	for (;;) {
		if (replay_step(app->replay, &st) == REPLAY_END) {
			app->playing = false;
			return false;
		}
		if (st.status == REPLAY_TRACE_ERROR ||
		    st.status == REPLAY_WARNING ||
		    st.status == REPLAY_CHECK_FAILED) {
			snprintf(app->status, sizeof(app->status),
			    "%s:%lu: %s: %s", trace_name(app->trace),
			    (unsigned long)st.item->line,
			    st.status == REPLAY_WARNING ? "warning" : "error",
			    st.msg);
			app->playing = false;
		} else if (st.status == REPLAY_OP_FAILED) {
			snprintf(app->status, sizeof(app->status),
			    "op %lu: %s", (unsigned long)st.item->opno, st.msg);
		}
		if (st.item->kind == TRACE_PAUSE && app->playing) {
			app->playing = false;
			snprintf(app->status, sizeof(app->status),
			    "@pause at line %lu", (unsigned long)st.item->line);
		}
		if (st.item->opno != 0)
			return true;
	}
}

/*
 * Shows the state after op TARGET: silently to LOG_OPS ops before it, then
 * those ops with the listener on, so the log and the highlights are what
 * stepping forward to TARGET would have left.
 */
static void
go_to_op(struct app *app, uint64_t target)
{
	uint64_t last = trace_op_count(app->trace);
	uint64_t from;

	if (target > last)
		target = last;
	from = target > LOG_OPS ? target - LOG_OPS : 0;
	app->status[0] = '\0';
	app->ntouched = 0;
	app->nslots = 0;
	app->nfit = 0;
	app->fit_more = false;
	memset(app->bin_touched, 0, sizeof(app->bin_touched));
	app->log_count = 0;
	app->log_scroll = 0;
	app->recording = false;
	replay_seek_op(app->replay, from);
	app->recording = true;
	while (replay_op(app->replay) < target && step_op(app))
		;
	if (target == 0)
		app->status[0] = '\0';
}

/* ------------------------------------------------------------------
 *  Drawing
 * ------------------------------------------------------------------ */

static void
set_role(struct app *app, enum role role, bool on)
{
	if (!app->colour)
		return;
	if (on)
		attron(COLOR_PAIR(role));
	else
		attroff(COLOR_PAIR(role));
}

static const char *
human(size_t bytes, char *buf, size_t len)
{
	if (bytes >= 10u * 1024 * 1024)
		snprintf(buf, len, "%zuM", bytes / (1024 * 1024));
	else if (bytes >= 10u * 1024)
		snprintf(buf, len, "%zuK", bytes / 1024);
	else
		snprintf(buf, len, "%zu", bytes);
	return buf;
}

/* Writes TEXT at (Y, X), cut to WIDTH columns (bytes: texts are ASCII). */
static void
put(int y, int x, int width, const char *text)
{
	if (width > 0)
		mvaddnstr(y, x, text, width);
}

/* The play speed as shown in the header: "25/s" or "max". */
static const char *
speed_text(const struct app *app)
{
	static char buf[16];

	if (speeds[app->speed] == 0)
		return "max";
	snprintf(buf, sizeof(buf), "%u/s", speeds[app->speed]);
	return buf;
}

static void
draw_header(struct app *app)
{
	const struct trace_item *items = trace_items(app->trace);
	size_t pos = replay_position(app->replay);
	const char *title = trace_title(app->trace);
	char op[128] = "", line[512], right[160];
	size_t i;
	int rlen;

	/* the op just done: the last op item before the position */
	for (i = pos; i > 0; i--) {
		if (items[i - 1].opno != 0) {
			describe_item(app->trace, &items[i - 1], op, sizeof(op));
			break;
		}
	}
	set_role(app, ROLE_TITLE, true);
	attron(A_BOLD);
	mvhline(0, 0, ' ', COLS);
	/* right-aligned: op N/M, the op, play state and speed, the model */
	rlen = snprintf(right, sizeof(right), "op %llu/%llu  %-16.16s %-5s "
	    "%-5s PHP 8.2 ", (unsigned long long)replay_op(app->replay),
	    (unsigned long long)trace_op_count(app->trace), op,
	    app->playing ? "PLAY" : "PAUSE", speed_text(app));
	if (rlen > COLS)
		rlen = COLS;
	snprintf(line, sizeof(line), " %s", title ? title :
	    trace_name(app->trace));
	put(0, 0, COLS - rlen - 1, line);
	put(0, COLS - rlen, rlen, right);
	attroff(A_BOLD);
	set_role(app, ROLE_TITLE, false);
}

static void
draw_caption(struct app *app, int y)
{
	const char *caption = replay_caption(app->replay);

	move(y, 0);
	clrtoeol();
	if (caption != NULL) {
		attron(A_ITALIC);
		put(y, 1, COLS - 2, caption);
		attroff(A_ITALIC);
	}
}

static bool
is_touched(const struct app *app, unsigned serial, unsigned page)
{
	size_t i;

	for (i = 0; i < app->ntouched; i++)
		if (app->touched[i].chunk == (int)serial &&
		    page >= app->touched[i].page &&
		    page < app->touched[i].page + app->touched[i].pages)
			return true;
	return false;
}

static bool
is_picked(const struct app *app, unsigned serial, unsigned page)
{
	size_t i;

	for (i = 0; i < app->nfit; i++)
		if (app->fit[i].pick && app->fit[i].chunk == (int)serial &&
		    (int)page >= app->fit[i].page &&
		    page < (unsigned)app->fit[i].page + app->fit[i].pages)
			return true;
	return false;
}

/* The glyph of one page cell, and its colour role and attributes. */
static const char *
cell_glyph(const struct app *app, const struct cell *c, enum role *role,
    attr_t *attr)
{
	static const char bins[] = "0123456789abcdefghijklmnopqrst";
	static const char *const fill_utf8[] = { " ", "\u2581", "\u2582",
	    "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char *const fill_ascii[] = { "_", "1", "2", "3", "4",
	    "5", "6", "7", "8" };
	static char one[2];

	*attr = A_NORMAL;
	switch (c->kind) {
	case CELL_HEADER:
		*role = ROLE_HEADER;
		*attr = A_BOLD;
		return "H";
	case CELL_FREE:
		*role = ROLE_FREE;
		*attr = A_DIM;
		return app->utf8 ? "\u00b7" : ".";
	case CELL_LRUN_START:
		*role = ROLE_LARGE;
		*attr = A_BOLD;
		return "L";
	case CELL_LRUN_CONT:
		*role = ROLE_LARGE;
		return app->utf8 ? "\u2500" : "-";
	case CELL_SRUN_START:
		*role = ROLE_SMALL;
		*attr = A_BOLD | A_UNDERLINE;
		one[0] = c->bin >= 0 && c->bin < ZMM_BINS ? bins[c->bin] : '?';
		one[1] = '\0';
		return one;
	case CELL_SRUN_CONT:
		*role = ROLE_SMALL;
		return (app->utf8 ? fill_utf8 : fill_ascii)
		    [cells_fill_eighths(c)];
	}
	*role = ROLE_FREE;
	return "?";
}

/* One chunk: a label line and 8 rows of 64 cells, from (Y, X). */
static void
draw_chunk(struct app *app, const struct chunk_cells *cc, int y, int x,
    bool selected)
{
	char label[160];
	unsigned p, used = 0;
	int row;

	for (p = 0; p < ZMM_PAGES; p++)
		used += cc->page[p].kind != CELL_FREE;
	snprintf(label, sizeof(label), "%sc%u%s  %u of 512 pages used",
	    selected ? ">" : " ", cc->serial, cc->cached ? " (cached)" : "",
	    used);
	if (selected)
		attron(A_BOLD);
	put(y, x, 66, label);
	if (selected)
		attroff(A_BOLD);
	for (row = 0; row < 8; row++) {
		int col;

		for (col = 0; col < 64; col++) {
			const struct cell *c = &cc->page[row * 64 + col];
			enum role role;
			attr_t attr;
			const char *g = cell_glyph(app, c, &role, &attr);
			unsigned page = (unsigned)(row * 64 + col);

			if (!cc->cached && (is_touched(app, cc->serial, page) ||
			    is_picked(app, cc->serial, page)))
				attr |= A_REVERSE;
			set_role(app, role, true);
			attron(attr);
			mvaddstr(y + 1 + row, x + 1 + col, g);
			attroff(attr);
			set_role(app, role, false);
		}
	}
}

/*
 * Beside the first chunk's label: which chunk of how many is shown, the
 * ring's serials, the cache and the huge blocks by mapped size.
 */
static void
draw_lists(struct app *app, int y, size_t nchunks)
{
	const struct zmm_heap *heap = replay_heap(app->replay);
	const struct zmm_chunk *c;
	const struct zmm_huge *h;
	struct zmm_chunk_info info;
	char line[512];
	size_t at = 0;

#define ADD(...) do {							\
	if (at < sizeof(line))						\
		at += (size_t)snprintf(line + at, sizeof(line) - at,	\
		    __VA_ARGS__);					\
} while (0)
	ADD("chunk %d/%zu  ring:", app->chunk_sel + 1, nchunks);
	for (c = zmm_heap_chunk_first(heap); c != NULL;
	    c = zmm_heap_chunk_next(heap, c)) {
		zmm_chunk_info(c, &info);
		ADD(" c%u", info.serial);
	}
	if ((c = zmm_heap_cached_first(heap)) != NULL) {
		ADD("  cache:");
		for (; c != NULL; c = zmm_heap_cached_next(c)) {
			zmm_chunk_info(c, &info);
			ADD(" c%u", info.serial);
		}
	}
	if ((h = zmm_heap_huge_first(heap)) != NULL) {
		ADD("  huge:");
		for (; h != NULL; h = zmm_heap_huge_next(h))
			ADD(" %zu", zmm_huge_size(h));
	}
#undef ADD
	put(y, 34, COLS - 34, line);
}

/* The chunk map: as many chunks as fit in ROWS, the selected one first. */
static int
draw_map(struct app *app, int y, int rows)
{
	struct chunk_cells *cells = NULL;
	size_t n = 0, i;
	int used = 0;

	if (cells_build(replay_heap(app->replay), &cells, &n) != 0 || n == 0) {
		free(cells);
		put(y, 1, COLS - 2, "(out of memory drawing the map)");
		return 1;
	}
	app->nchunks = (int)n;
	if (app->chunk_sel >= (int)n)
		app->chunk_sel = (int)n - 1;
	if (app->chunk_sel < 0)
		app->chunk_sel = 0;
	for (i = (size_t)app->chunk_sel; i < n && used + 9 <= rows; i++) {
		draw_chunk(app, &cells[i], y + used, 0, i == (size_t)app->chunk_sel);
		used += 9;
	}
	draw_lists(app, y, n);
	free(cells);
	return used;
}

static void
draw_fit(struct app *app, int y)
{
	char line[1024], part[64];
	size_t i, at = 0;

	move(y, 0);
	clrtoeol();
	if (app->nfit == 0)
		return;
	at += (size_t)snprintf(line, sizeof(line), "best fit:");
	for (i = 0; i < app->nfit && at < sizeof(line) - 64; i++) {
		const struct fit *f = &app->fit[i];

		snprintf(part, sizeof(part), " %sc%d:%d+%u %s%s", f->pick ?
		    "[" : "", f->chunk, f->page, f->pages, zmm_why_name(f->why),
		    f->pick ? "]" : "");
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s", part);
	}
	if (app->fit_more)
		snprintf(line + at, sizeof(line) - at, " ...");
	put(y, 0, COLS, line);
}

static void
draw_bins(struct app *app, int y, int x, int rows, int width)
{
	const struct zmm_heap *heap = replay_heap(app->replay);
	char line[160], loc[ZMM_LOC_BUFSIZE];
	int first, i;

	attron(A_BOLD);
	put(y, x, width, app->focus == FOCUS_BINS ?
	    ">bin  slot pg slots  free head" : " bin  slot pg slots  free head");
	attroff(A_BOLD);
	first = app->bin_sel - (rows - 2) / 2;
	if (first > ZMM_BINS - (rows - 1))
		first = ZMM_BINS - (rows - 1);
	if (first < 0)
		first = 0;
	for (i = 0; i < rows - 1 && first + i < ZMM_BINS; i++) {
		int bin = first + i;
		const void *head = zmm_heap_bin_head(heap, bin);
		struct zmm_loc l = zmm_heap_loc(heap, head);
		attr_t attr = A_NORMAL;

		zmm_loc_format(&l, loc, sizeof(loc));
		snprintf(line, sizeof(line), "%c%3d %5u %2u %5u %5zu %s",
		    bin == app->bin_sel ? '*' : ' ', bin, zmm_bin_size(bin),
		    zmm_bin_pages(bin), zmm_bin_slots(bin),
		    zmm_heap_bin_length(heap, bin), head ? loc : "-");
		if (app->bin_touched[bin])
			attr |= A_REVERSE;
		if (bin == app->bin_sel && app->focus == FOCUS_BINS)
			attr |= A_BOLD;
		attron(attr);
		move(y + 1 + i, x);
		printw("%-*.*s", width, width, line);
		attroff(attr);
	}
}

static bool
slot_touched(const struct app *app, const struct zmm_loc *loc)
{
	size_t i;

	for (i = 0; i < app->nslots; i++)
		if (app->slots[i].chunk == loc->chunk &&
		    app->slots[i].offset == loc->offset)
			return true;
	return false;
}

/*
 * The whole free list of the selected bin, head first, one slot a line:
 * its position, location, page, and whether the current op pushed or
 * popped it (reverse video).  PgUp/PgDn scroll it.
 */
static void
draw_bin_list(struct app *app, int y, int x, int rows, int width)
{
	const struct zmm_heap *heap = replay_heap(app->replay);
	int bin = app->bin_sel;
	size_t len = zmm_heap_bin_length(heap, bin), i;
	const void *slot = zmm_heap_bin_head(heap, bin);
	char line[160], loc[ZMM_LOC_BUFSIZE];
	int r = 1;

	snprintf(line, sizeof(line), ">free_slot[%d] (%u B): %zu free, "
	    "head first (PgUp/PgDn)", bin, zmm_bin_size(bin), len);
	attron(A_BOLD);
	put(y, x, width, line);
	attroff(A_BOLD);
	if (app->list_scroll > (int)len - (rows - 1))
		app->list_scroll = (int)len - (rows - 1);
	if (app->list_scroll < 0)
		app->list_scroll = 0;
	for (i = 0; slot != NULL && r < rows; i++, slot = zmm_slot_next(slot)) {
		struct zmm_loc l;

		if (i < (size_t)app->list_scroll)
			continue;
		l = zmm_heap_loc(heap, slot);
		zmm_loc_format(&l, loc, sizeof(loc));
		snprintf(line, sizeof(line), "%6zu %-14s page %u%s", i, loc,
		    l.offset / (unsigned)ZMM_PAGE_SIZE, i == 0 ?
		    "  <- next alloc of this bin" : "");
		if (slot_touched(app, &l))
			attron(A_REVERSE);
		put(y + r, x, width, line);
		attroff(A_REVERSE);
		r++;
	}
}

/* TEXT with its non-ASCII characters spelt in ASCII ("->" for an arrow). */
static void
ascii_fold(const char *text, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t at = 0;

	while (*p != '\0' && at + 3 < len) {
		if (p[0] == 0xe2 && p[1] == 0x86 && p[2] == 0x92) {
			out[at++] = '-';
			out[at++] = '>';
			p += 3;
		} else if (*p >= 0x80) {
			/* one '?' per character: skip its continuation bytes */
			out[at++] = '?';
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		} else {
			out[at++] = (char)*p++;
		}
	}
	out[at] = '\0';
}

static void
draw_log(struct app *app, int y, int x, int rows, int width)
{
	size_t shown = app->log_count < APP_LOG_MAX ? app->log_count :
	    APP_LOG_MAX;
	unsigned long op = (unsigned long)replay_op(app->replay);
	size_t last, i;
	int r;

	attron(A_BOLD);
	put(y, x, width, app->focus == FOCUS_LOG ? ">events of recent ops" :
	    " events of recent ops");
	attroff(A_BOLD);
	if (shown == 0)
		return;
	if (app->log_scroll > (int)shown - 1)
		app->log_scroll = (int)shown - 1;
	if (app->log_scroll < 0)
		app->log_scroll = 0;
	last = app->log_count - 1 - (size_t)app->log_scroll;
	for (r = rows - 1; r >= 1; r--) {
		size_t back = (size_t)(rows - 1 - r);
		char line[240];

		if (back >= shown - (size_t)app->log_scroll)
			break;
		i = (last - back) % APP_LOG_MAX;
		if (app->log_op[i] + LOG_OPS <= op || app->log_op[i] > op)
			break;		/* only the last LOG_OPS ops */
		snprintf(line, sizeof(line), "%5lu %s", app->log_op[i],
		    app->log[i]);
		if (!app->utf8) {
			char folded[240];

			ascii_fold(line, folded, sizeof(folded));
			put(y + r, x, width, folded);
		} else {
			put(y + r, x, width, line);
		}
	}
}

static void
draw_status(struct app *app, int y)
{
	struct zmm_stats st;
	char line[512], a[16], b[16], c[16], d[16];

	zmm_heap_stats(replay_heap(app->replay), &st);
	move(y, 0);
	clrtoeol();
	if (app->status[0] != '\0') {
		set_role(app, ROLE_ERROR, true);
		attron(A_BOLD);
		put(y, 0, COLS, app->status);
		attroff(A_BOLD);
		set_role(app, ROLE_ERROR, false);
		return;
	}
	snprintf(line, sizeof(line), "size=%s peak=%s real_size=%s "
	    "real_peak=%s  chunks=%zu cached=%zu huge=%zu",
	    human(st.size, a, sizeof(a)), human(st.peak, b, sizeof(b)),
	    human(st.real_size, c, sizeof(c)), human(st.real_peak, d, sizeof(d)),
	    st.chunks_count, st.cached_chunks_count, st.huge_count);
	put(y, 0, COLS, line);
}

static void
draw_keybar(const struct app *app, int y)
{
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	mvaddstr(y, 0, app->utf8 ?
	    " \u2190/h back  \u2192/l next  space play  +/- speed  g go to op"
	    "  Tab focus  \u2191\u2193 select  ? help  q quit" :
	    " <-/h back  ->/l next  space play  +/- speed  g go to op"
	    "  Tab focus  up/down select  ? help  q quit");
	attroff(A_REVERSE);
}

static const char *const help_lines[] = {
	"zmmviz keys",
	"",
	"  Right, l      next op",
	"  Left, h       previous op",
	"  Space         play / pause (stops at @pause)",
	"  + / -         faster / slower",
	"  g             go to op N",
	"  Home / End    first / last op",
	"  m             set (or clear) a mark at this op",
	"  '             jump to the next mark, yours or a trace's @mark",
	"  Tab           focus: map, bins (with the bin's whole free list), log",
	"  Up / Down     map: chunk; bins: bin; log: scroll",
	"  PgUp / PgDn   scroll the selected bin's free list",
	"  ?             this help (any key closes it)",
	"  Ctrl-L        redraw",
	"  q             quit",
	"",
	"Map: H header page, . free page, L first page of a large run,",
	"- its other pages; a small run shows its bin (0-9, a-t) on its",
	"first page and how full its slots are on the others. Reverse video:",
	"pages the current op touched, and the run the best-fit search chose.",
};

static void
draw_help(void)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int w = 72, h = n + 2, y0 = (LINES - h) / 2, x0 = (COLS - w) / 2, i;

	if (y0 < 0)
		y0 = 0;
	if (x0 < 0)
		x0 = 0;
	for (i = 0; i < h; i++)
		mvhline(y0 + i, x0, ' ', w);
	attron(A_BOLD);
	mvaddstr(y0, x0, "+");
	mvhline(y0, x0 + 1, '-', w - 2);
	mvaddstr(y0, x0 + w - 1, "+");
	mvaddstr(y0 + h - 1, x0, "+");
	mvhline(y0 + h - 1, x0 + 1, '-', w - 2);
	mvaddstr(y0 + h - 1, x0 + w - 1, "+");
	attroff(A_BOLD);
	for (i = 0; i < n; i++)
		put(y0 + 1 + i, x0 + 2, w - 4, help_lines[i]);
}

static void
draw(struct app *app)
{
	int y, rows_left, map_rows, lower, bins_w;

	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		char msg[128];

		snprintf(msg, sizeof(msg), "terminal too small: %dx%d, zmmviz "
		    "needs %dx%d", COLS, LINES, MIN_COLS, MIN_LINES);
		put(LINES / 2, 0, COLS, msg);
		refresh();
		return;
	}
	draw_header(app);
	draw_caption(app, 1);
	rows_left = LINES - 2 - 3;	/* header, caption; fit, status, keys */
	lower = rows_left - 9 >= 10 ? rows_left - 9 : 10;
	map_rows = rows_left - lower;
	if (map_rows < 9)
		map_rows = 9;
	y = 2 + draw_map(app, 2, map_rows);
	draw_fit(app, y);
	y++;
	lower = LINES - 2 - y;
	bins_w = COLS >= 120 ? 44 : 40;
	draw_bins(app, y, 0, lower, bins_w);
	if (app->focus == FOCUS_BINS)
		draw_bin_list(app, y, bins_w + 1, lower, COLS - bins_w - 1);
	else
		draw_log(app, y, bins_w + 1, lower, COLS - bins_w - 1);
	draw_status(app, LINES - 2);
	draw_keybar(app, LINES - 1);
	if (app->help)
		draw_help();
	refresh();
}

/* ------------------------------------------------------------------
 *  Marks: `m` sets or clears one at the current op; `'` jumps to the next
 *  mark, the user's or a trace's @mark (the ops done where it stands)
 * ------------------------------------------------------------------ */

static void
toggle_mark(struct app *app)
{
	uint64_t op = replay_op(app->replay);
	size_t i;

	for (i = 0; i < app->nmarks; i++) {
		if (app->marks[i] == op) {
			app->marks[i] = app->marks[--app->nmarks];
			snprintf(app->status, sizeof(app->status),
			    "mark at op %llu cleared", (unsigned long long)op);
			return;
		}
	}
	if (app->nmarks == MARKS_MAX) {
		snprintf(app->status, sizeof(app->status), "all %d marks are "
		    "in use: clear one with m", MARKS_MAX);
		return;
	}
	app->marks[app->nmarks++] = op;
	snprintf(app->status, sizeof(app->status), "mark set at op %llu "
	    "(' jumps to the next mark)", (unsigned long long)op);
}

/* The next mark after the current op, wrapping; false when there is none. */
static bool
next_mark(const struct app *app, uint64_t *op, const char **name)
{
	const struct trace_item *items = trace_items(app->trace);
	size_t n = trace_item_count(app->trace), i;
	uint64_t cur = replay_op(app->replay), done = 0;
	uint64_t best_after = UINT64_MAX, best_any = UINT64_MAX;
	const char *name_after = NULL, *name_any = NULL;

#define CONSIDER(at, label) do {					\
	if ((at) > cur && (at) < best_after) {				\
		best_after = (at);					\
		name_after = (label);					\
	}								\
	if ((at) < best_any) {						\
		best_any = (at);					\
		name_any = (label);					\
	}								\
} while (0)
	for (i = 0; i < n; i++) {
		if (items[i].opno != 0)
			done = items[i].opno;
		else if (items[i].kind == TRACE_MARK)
			CONSIDER(done, trace_item_text(app->trace, &items[i],
			    NULL));
	}
	for (i = 0; i < app->nmarks; i++)
		CONSIDER(app->marks[i], NULL);
#undef CONSIDER
	if (best_after != UINT64_MAX) {
		*op = best_after;
		*name = name_after;
		return true;
	}
	if (best_any != UINT64_MAX) {
		*op = best_any;
		*name = name_any;
		return true;
	}
	return false;
}

static void
jump_mark(struct app *app)
{
	const char *name = NULL;
	uint64_t op;

	if (!next_mark(app, &op, &name)) {
		snprintf(app->status, sizeof(app->status), "no marks: set one "
		    "with m, or write @mark NAME in the trace");
		return;
	}
	go_to_op(app, op);
	snprintf(app->status, sizeof(app->status), "mark %s%sat op %llu",
	    name ? name : "", name ? " " : "", (unsigned long long)op);
}

/* ------------------------------------------------------------------
 *  Keys and the main loop
 * ------------------------------------------------------------------ */

/* Asks for an op number on the status line; -1 when cancelled. */
static long long
prompt_op(void)
{
	char buf[32];
	long long v;
	char *end;

	move(LINES - 2, 0);
	clrtoeol();
	mvaddstr(LINES - 2, 0, "go to op: ");
	echo();
	curs_set(1);
	timeout(-1);
	if (getnstr(buf, (int)sizeof(buf) - 1) != OK)
		buf[0] = '\0';
	noecho();
	curs_set(0);
	v = strtoll(buf, &end, 10);
	if (buf[0] == '\0' || *end != '\0' || v < 0)
		return -1;
	return v;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Handles KEY; returns false to quit. */
static bool
handle_key(struct app *app, int key)
{
	uint64_t op = replay_op(app->replay);
	long long target;

	if (app->help && key != ERR) {
		app->help = false;
		return true;
	}
	switch (key) {
	case 'q':
		return false;
	case KEY_RIGHT:
	case 'l':
		app->status[0] = '\0';
		app->recording = true;
		if (!step_op(app))
			snprintf(app->status, sizeof(app->status),
			    "end of the trace");
		break;
	case KEY_LEFT:
	case 'h':
		if (op > 0)
			go_to_op(app, op - 1);
		break;
	case KEY_HOME:
		go_to_op(app, 0);
		break;
	case KEY_END:
		go_to_op(app, trace_op_count(app->trace));
		break;
	case ' ':
		app->playing = !app->playing;
		app->status[0] = '\0';
		break;
	case '+':
	case '=':
		if (app->speed + 1 < (int)NSPEEDS)
			app->speed++;
		break;
	case '-':
		if (app->speed > 0)
			app->speed--;
		break;
	case 'g':
		app->playing = false;
		target = prompt_op();
		if (target >= 0)
			go_to_op(app, (uint64_t)target);
		break;
	case '\t':
		app->focus = (enum focus)((app->focus + 1) % FOCUS_COUNT);
		break;
	case KEY_UP:
	case 'k':
		if (app->focus == FOCUS_MAP && app->chunk_sel > 0)
			app->chunk_sel--;
		else if (app->focus == FOCUS_BINS && app->bin_sel > 0) {
			app->bin_sel--;
			app->list_scroll = 0;
		}
		else if (app->focus == FOCUS_LOG)
			app->log_scroll++;
		break;
	case KEY_DOWN:
	case 'j':
		if (app->focus == FOCUS_MAP && app->chunk_sel + 1 < app->nchunks)
			app->chunk_sel++;
		else if (app->focus == FOCUS_BINS && app->bin_sel + 1 < ZMM_BINS) {
			app->bin_sel++;
			app->list_scroll = 0;
		}
		else if (app->focus == FOCUS_LOG && app->log_scroll > 0)
			app->log_scroll--;
		break;
	case 'm':
		toggle_mark(app);
		break;
	case '\'':
		app->playing = false;
		jump_mark(app);
		break;
	case KEY_NPAGE:
		app->list_scroll += LINES / 2;
		break;
	case KEY_PPAGE:
		app->list_scroll -= LINES / 2;
		break;
	case '?':
		app->help = true;
		break;
	case KEY_CTRL_L:
		clearok(curscr, TRUE);
		break;
	default:
		break;
	}
	return true;
}

/* Plays: as many ops as the speed allows since LAST_MS, at most a frame's worth. */
static void
play(struct app *app, double *last_ms)
{
	double t = now_ms(), budget;
	unsigned speed = speeds[app->speed];
	uint64_t n, i;

	if (speed == 0) {
		/* as fast as possible: a frame's worth of stepping */
		budget = t + FRAME_MS;
		app->recording = false;
		while (app->playing && now_ms() < budget) {
			for (i = 0; i < 256 && app->playing; i++)
				if (!step_op(app))
					break;
		}
		app->recording = true;
		*last_ms = t;
		return;
	}
	n = (uint64_t)((t - *last_ms) * speed / 1000.0);
	if (n == 0)
		return;
	*last_ms = t;
	for (i = 0; i < n && app->playing; i++) {
		/* only the last op of a frame is logged and highlighted */
		app->recording = i + 1 == n;
		if (!step_op(app))
			break;
	}
	app->recording = true;
}

static void
init_colours(struct app *app)
{
	app->colour = !app->opt.mono && getenv("NO_COLOR") == NULL &&
	    has_colors();
	if (!app->colour)
		return;
	start_color();
	use_default_colors();
	init_pair(ROLE_FREE, COLOR_WHITE, -1);
	init_pair(ROLE_LARGE, COLOR_BLUE, -1);
	init_pair(ROLE_SMALL, COLOR_GREEN, -1);
	init_pair(ROLE_HEADER, COLOR_YELLOW, -1);
	init_pair(ROLE_TITLE, COLOR_CYAN, -1);
	init_pair(ROLE_ERROR, COLOR_RED, -1);
}

struct app *
app_new(const struct trace *trace, const struct app_options *options)
{
	struct app *app = calloc(1, sizeof(*app));
	int status;

	if (app == NULL)
		return NULL;
	app->trace = trace;
	if (options != NULL)
		app->opt = *options;
	app->replay = replay_new(trace, NULL, &status);
	if (app->replay == NULL) {
		free(app);
		return NULL;
	}
	replay_listen(app->replay, on_event, app);
	app->recording = true;
	app->speed = 2;
	app->focus = FOCUS_MAP;
	app->bin_sel = 2;
	return app;
}

void
app_free(struct app *app)
{
	if (app == NULL)
		return;
	replay_free(app->replay);
	free(app);
}

int
app_run(struct app *app, char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	SCREEN *screen;
	double last = now_ms();
	int key;

	if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0) {
		snprintf(err, errlen, "zmmviz needs a terminal that can move "
		    "the cursor (TERM is %s)", term && term[0] ? term : "unset");
		return -1;
	}
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		snprintf(err, errlen, "cannot use terminal type '%s'", term);
		return -1;
	}
	app->utf8 = app->utf8 && !app->opt.ascii;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	init_colours(app);
	for (;;) {
		draw(app);
		timeout(app->playing ? FRAME_MS : -1);
		key = getch();
		if (key == KEY_RESIZE)
			continue;
		if (key != ERR && !handle_key(app, key))
			break;
		if (app->playing)
			play(app, &last);
		else
			last = now_ms();
	}
	endwin();
	delscreen(screen);
	return 0;
}

void
app_set_utf8(struct app *app, bool utf8)
{
	app->utf8 = utf8;
}
