/*
 * draw.c - the screen's layout, its header, status line and key bar; the
 * panels are drawn by the view_*.c files.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "describe.h"
#include "draw.h"
#include "term.h"
#include "view_bins.h"
#include "view_inspect.h"
#include "view_log.h"
#include "view_map.h"
#include "view_overlay.h"

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

static void
draw_header(const struct ui *ui, const struct player *pl)
{
	const struct trace *trace = player_trace(pl);
	struct trace_item it;
	uint64_t opno = player_op(pl);
	const char *title = trace_title(trace);
	char op[128] = "", where[64], line[512], right[200], speed[16];
	unsigned event, events;
	size_t at;
	int rlen;

	/* the op done, or under way, as written */
	if (opno > 0 && (at = trace_item_of_op(trace, opno)) != SIZE_MAX) {
		it = trace_item_at(trace, at);
		describe_item(trace, &it, op, sizeof(op));
	}
	if (player_in_op(pl, &event, &events))
		snprintf(where, sizeof(where), "op %llu/%llu, event %u/%u",
		    (unsigned long long)opno,
		    (unsigned long long)player_ops(pl), event, events);
	else
		snprintf(where, sizeof(where), "op %llu/%llu",
		    (unsigned long long)opno,
		    (unsigned long long)player_ops(pl));
	term_role(ui->colour, ROLE_TITLE, true);
	attron(A_BOLD);
	mvhline(0, 0, ' ', COLS);
	/* right-aligned: where, the op, play state and speed, the model */
	rlen = snprintf(right, sizeof(right), "%s  %-16.16s %-5s %-5s "
	    "PHP 8.2 ", where, op, player_playing(pl) ? "PLAY" : "PAUSE",
	    player_speed_text(pl, speed, sizeof(speed)));
	if (rlen > COLS)
		rlen = COLS;
	snprintf(line, sizeof(line), " %s", title ? title : trace_name(trace));
	term_put(0, 0, COLS - rlen - 1, line);
	term_put(0, COLS - rlen, rlen, right);
	attroff(A_BOLD);
	term_role(ui->colour, ROLE_TITLE, false);
}

static void
draw_caption(const struct ui *ui, const struct player *pl, int y)
{
	const char *caption = replay_caption(player_replay(pl));

	if (caption == NULL)
		return;
	attron(A_ITALIC);
	term_put_text(y, 1, COLS - 2, caption, ui->utf8);
	attroff(A_ITALIC);
}

static const char *
prompt_label(enum prompt_kind kind)
{
	switch (kind) {
	case PROMPT_GOTO:
		return "go to op: ";
	case PROMPT_SEARCH:
		return "search an ID or a location (c0+0x1040, c0:5, c0): ";
	case PROMPT_BREAK:
		return "break on an ID or a location (c0+0x1040, c0:5, c0): ";
	}
	return "? ";
}

static void
draw_status(struct ui *ui, const struct player *pl, int y)
{
	const char *notice = player_notice(pl);
	struct zmm_stats st;
	char line[512], a[16], b[16], c[16], d[16];

	if (ui->mode == MODE_PROMPT) {
		snprintf(line, sizeof(line), "%s%s",
		    prompt_label(ui->prompt), ui->prompt_text);
		term_put(y, 0, COLS - 1, line);
		return;
	}
	if (ui->busy[0] != '\0' || notice[0] != '\0') {
		term_role(ui->colour, ROLE_ERROR, true);
		attron(A_BOLD);
		term_put_text(y, 0, COLS, ui->busy[0] ? ui->busy : notice,
		    ui->utf8);
		attroff(A_BOLD);
		term_role(ui->colour, ROLE_ERROR, false);
		return;
	}
	if (ui->mode == MODE_INSPECT || ui->mode == MODE_DETAIL) {
		view_inspect_summary(ui, pl, line, sizeof(line));
		term_put(y, 0, COLS, line);
		return;
	}
	zmm_heap_stats(player_heap(pl), &st);
	snprintf(line, sizeof(line), "size=%s peak=%s real_size=%s "
	    "real_peak=%s  chunks=%zu cached=%zu huge=%zu",
	    human(st.size, a, sizeof(a)), human(st.peak, b, sizeof(b)),
	    human(st.real_size, c, sizeof(c)), human(st.real_peak, d, sizeof(d)),
	    st.chunks_count, st.cached_chunks_count, st.huge_count);
	term_put(y, 0, COLS, line);
}

static void
draw_keybar(const struct ui *ui, int y)
{
	static const char finish[] = " (other keys: finish the op)";
	char bar[512];
	size_t cols;

	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	if (ui->paused && ui->mode == MODE_NORMAL) {
		cols = keys_bar(ui->mode, ui->utf8, (size_t)COLS -
		    (sizeof(finish) - 1), REQ_F_PAUSED, bar, sizeof(bar));
		if (strlen(bar) + sizeof(finish) <= sizeof(bar))
			strcat(bar, finish);
		(void)cols;
	} else {
		keys_bar(ui->mode, ui->utf8, (size_t)COLS, 0, bar, sizeof(bar));
	}
	term_put_text(y, 0, COLS, bar, ui->utf8);
	attroff(A_REVERSE);
}

/* Whether the overlay of the breakpoints is up (under a prompt or help). */
static bool
breaks_up(const struct ui *ui)
{
	return ui->mode == MODE_BREAKS ||
	    (ui->mode == MODE_PROMPT && ui->prompt_from == MODE_BREAKS) ||
	    (ui->mode == MODE_HELP && ui->help_from == MODE_BREAKS);
}

static bool
detail_up(const struct ui *ui)
{
	return ui->mode == MODE_DETAIL ||
	    (ui->mode == MODE_HELP && ui->help_from == MODE_DETAIL);
}

void
draw_screen(struct ui *ui, const struct player *pl)
{
	struct box lower;
	int y, rows_left, map_rows, nlower, bins_w;

	erase();
	if (COLS < DRAW_MIN_COLS || LINES < DRAW_MIN_LINES) {
		char msg[128];

		snprintf(msg, sizeof(msg), "terminal too small: %dx%d, zmmviz "
		    "needs %dx%d", COLS, LINES, DRAW_MIN_COLS, DRAW_MIN_LINES);
		term_put(LINES / 2, 0, COLS, msg);
		refresh();
		return;
	}
	draw_header(ui, pl);
	draw_caption(ui, pl, 1);
	rows_left = LINES - 2 - 3;	/* header, caption; fit, status, keys */
	nlower = rows_left - VIEW_MAP_CHUNK_ROWS >= 10 ?
	    rows_left - VIEW_MAP_CHUNK_ROWS : 10;
	map_rows = rows_left - nlower;
	if (map_rows < VIEW_MAP_CHUNK_ROWS)
		map_rows = VIEW_MAP_CHUNK_ROWS;
	y = 2 + view_map_draw(ui, pl, 2, map_rows);
	view_fit_draw(ui, pl, y);
	y++;
	lower.y = y;
	lower.x = 0;
	lower.rows = LINES - 2 - y;
	lower.cols = COLS;
	if (detail_up(ui)) {
		ui->at.bins.rows = 0;
		ui->at.right = lower;
		ui->at.right_panel = PANEL_DETAIL;
		view_inspect_draw(ui, pl, &lower);
	} else {
		struct box bins = lower, right = lower;

		bins_w = COLS >= 120 ? 44 : 40;
		bins.cols = bins_w;
		right.x = bins_w + 1;
		right.cols = COLS - bins_w - 1;
		view_bins_draw(ui, pl, &bins);
		ui->at.right = right;
		if (ui->focus == FOCUS_BINS) {
			ui->at.right_panel = PANEL_LIST;
			view_bin_list_draw(ui, pl, &right);
		} else {
			ui->at.right_panel = PANEL_LOG;
			view_log_draw(ui, pl, &right);
		}
	}
	draw_status(ui, pl, LINES - 2);
	draw_keybar(ui, LINES - 1);
	if (breaks_up(ui))
		view_breaks_draw(ui, pl);
	if (ui->mode == MODE_HELP)
		view_help_draw(ui);
	if (ui->mode == MODE_PROMPT) {
		move(LINES - 2, (int)(strlen(prompt_label(ui->prompt)) +
		    ui->prompt_len));
		curs_set(1);
	} else {
		curs_set(0);
	}
	refresh();
}
