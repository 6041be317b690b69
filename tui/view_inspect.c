/*
 * view_inspect.c - the detail pane of inspect mode.  Its text comes from
 * the inspector's view model (inspect.h); this file only lays it out,
 * keeps the selected slot's line in view and highlights it.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "inspect.h"
#include "term.h"
#include "view_inspect.h"

/* The cursor's page through the view model; NULL if there is none. */
static struct inspect_page *
load(const struct ui *ui, const struct player *pl)
{
	struct inspect_page *page;

	if (ui->at.map_shown == 0 || (page = malloc(sizeof(*page))) == NULL)
		return NULL;
	if (inspect_page(player_replay(pl), ui->at.map_serial[0], ui->cursor,
	    page) != 0) {
		free(page);
		return NULL;
	}
	return page;
}

void
view_inspect_summary(const struct ui *ui, const struct player *pl,
    char *buf, size_t len)
{
	struct inspect_page *page = load(ui, pl);
	char lines[2][INSPECT_LINE_MAX];
	size_t n;

	if (page == NULL) {
		snprintf(buf, len, "no page to inspect");
		return;
	}
	/* the detail's first two lines: where the page is, and its word */
	n = inspect_lines(page, 0, lines, 2);
	lines[0][INSPECT_LINE_MAX - 1] = lines[1][INSPECT_LINE_MAX - 1] = '\0';
	snprintf(buf, len, "%s%s%s", n > 0 ? lines[0] : "", n > 1 ? "  " : "",
	    n > 1 ? lines[1] : "");
	free(page);
}

unsigned
view_inspect_slots(const struct ui *ui, const struct player *pl)
{
	struct inspect_page *page = load(ui, pl);
	unsigned n;

	if (page == NULL)
		return 0;
	n = page->bin >= 0 ? page->nslots : 0;
	free(page);
	return n;
}

void
view_inspect_draw(struct ui *ui, const struct player *pl, const struct box *b)
{
	struct inspect_page *page = load(ui, pl);
	char (*lines)[INSPECT_LINE_MAX] = NULL;
	char title[160];
	size_t total, shown, i, max = b->rows > 1 ? (size_t)(b->rows - 1) : 0;
	long sel_line = -1;

	snprintf(title, sizeof(title), ">page %u of c%u, decoded (Enter "
	    "closes, Esc leaves inspect mode)", ui->cursor,
	    ui->at.map_shown ? ui->at.map_serial[0] : 0);
	attron(A_BOLD);
	term_put(b->y, b->x, b->cols, title);
	attroff(A_BOLD);
	if (page == NULL || max == 0 ||
	    (lines = calloc(max, sizeof(*lines))) == NULL) {
		term_put(b->y + 1, b->x, b->cols, page == NULL ?
		    "(no detail for this page)" : "(out of memory)");
		free(page);
		return;
	}
	total = inspect_lines(page, 0, lines, 0);
	/* the slot lines come last, one a slot */
	if (ui->slot_sel >= (int)page->nslots || page->bin < 0)
		ui->slot_sel = page->nslots > 0 && page->bin >= 0 ?
		    (int)page->nslots - 1 : -1;
	if (ui->slot_sel >= 0 && total >= page->nslots) {
		sel_line = (long)(total - page->nslots) + ui->slot_sel;
		if (sel_line < ui->detail_first)
			ui->detail_first = (int)sel_line;
		if (sel_line >= ui->detail_first + (long)max)
			ui->detail_first = (int)(sel_line - (long)max + 1);
	}
	if (ui->detail_first > (int)total - (int)max)
		ui->detail_first = (int)total - (int)max;
	if (ui->detail_first < 0)
		ui->detail_first = 0;
	inspect_lines(page, (size_t)ui->detail_first, lines, max);
	shown = total - (size_t)ui->detail_first < max ?
	    total - (size_t)ui->detail_first : max;
	for (i = 0; i < shown; i++) {
		bool sel = (long)i + ui->detail_first == sel_line;

		lines[i][INSPECT_LINE_MAX - 1] = '\0';
		if (sel)
			attron(A_REVERSE);
		term_put_text(b->y + 1 + (int)i, b->x, b->cols, lines[i],
		    ui->utf8);
		if (sel)
			attroff(A_REVERSE);
	}
	free(lines);
	free(page);
}
