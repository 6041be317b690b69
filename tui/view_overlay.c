/*
 * view_overlay.c - the help and the breakpoints, in boxes over the screen.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "keys.h"
#include "term.h"
#include "view_overlay.h"

#define HELP_LINES_MAX	160

static const char *const legend[] = {
	"",
	"The map",
	"  H header page, . free page, L first page of a large run, - its",
	"  other pages; a small run shows its bin (0-9, a-t) on its first",
	"  page and how full its slots are on the others. Reverse video:",
	"  pages the op under way touched, the run the best-fit search chose.",
};

/* A box of H rows and W columns at (Y, X): a frame, blank inside. */
static void
frame(int y, int x, int h, int w, const char *title)
{
	int i;

	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	attron(A_BOLD);
	mvaddch(y, x, '+');
	mvhline(y, x + 1, '-', w - 2);
	mvaddch(y, x + w - 1, '+');
	mvaddch(y + h - 1, x, '+');
	mvhline(y + h - 1, x + 1, '-', w - 2);
	mvaddch(y + h - 1, x + w - 1, '+');
	for (i = 1; i < h - 1; i++) {
		mvaddch(y + i, x, '|');
		mvaddch(y + i, x + w - 1, '|');
	}
	term_put(y, x + 2, w - 4, title);
	attroff(A_BOLD);
}

void
view_help_draw(struct ui *ui)
{
	static char lines[HELP_LINES_MAX][KEYS_LINE_MAX];
	size_t nkeys = keys_help_lines(0, lines, HELP_LINES_MAX), n, i;
	int w = COLS < 84 ? COLS : 84, h = LINES - 2;
	int y0 = 1, x0 = (COLS - w) / 2, inner = h - 2;
	char title[96];

	if (nkeys > HELP_LINES_MAX)
		nkeys = HELP_LINES_MAX;
	n = nkeys + sizeof(legend) / sizeof(legend[0]);
	if (ui->help_scroll > (int)n - inner)
		ui->help_scroll = (int)n - inner;
	if (ui->help_scroll < 0)
		ui->help_scroll = 0;
	snprintf(title, sizeof(title), " zmmviz keys  (lines %d-%d of %zu: "
	    "Up/Down scroll, any other key closes) ", ui->help_scroll + 1,
	    ui->help_scroll + inner < (int)n ? ui->help_scroll + inner :
	    (int)n, n);
	frame(y0, x0, h, w, title);
	for (i = 0; (int)i < inner && (size_t)ui->help_scroll + i < n; i++) {
		size_t k = (size_t)ui->help_scroll + i;
		const char *text = k < nkeys ? lines[k] : legend[k - nkeys];
		bool heading = text[0] != ' ' && text[0] != '\0';

		if (heading)
			attron(A_BOLD);
		term_put(y0 + 1 + (int)i, x0 + 2, w - 4, text);
		if (heading)
			attroff(A_BOLD);
	}
}

void
view_breaks_draw(struct ui *ui, const struct player *pl)
{
	const struct breaks *br = player_breaks_const(pl);
	int rows = (int)breaks_rows(br);
	int w = COLS - 4 < 76 ? COLS - 4 : 76, h = rows + 6;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2, i;
	char line[160], bar[256];

	if (y0 < 1)
		y0 = 1;
	if (ui->break_sel >= rows)
		ui->break_sel = rows - 1;
	if (ui->break_sel < 0)
		ui->break_sel = 0;
	frame(y0, x0, h, w, " Breakpoints: play stops after an op where "
	    "one fires ");
	for (i = 0; i < rows && y0 + 2 + i < LINES - 3; i++) {
		breaks_row_text(br, (size_t)i, line, sizeof(line));
		if (i == ui->break_sel)
			attron(A_REVERSE);
		mvaddch(y0 + 2 + i, x0 + 2, i == ui->break_sel ? '>' : ' ');
		term_put(y0 + 2 + i, x0 + 3, w - 5, line);
		if (i == ui->break_sel)
			attroff(A_REVERSE);
	}
	keys_bar(MODE_BREAKS, ui->utf8, (size_t)(w - 4), 0, bar, sizeof(bar));
	term_put_text(y0 + h - 2, x0 + 2, w - 4, bar, ui->utf8);
}
