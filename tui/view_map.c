/*
 * view_map.c - the chunk map, the chunk lists and the best-fit line.
 *
 * Cells are glyphs and attributes first, colour on top: H the header,
 * . free, L a large run's first page and - its others, a small run's bin
 * (0-9, a-t) on its first page and its fill on the others.  Reverse
 * video: pages the op under way touched and the run best fit chose; in
 * inspect mode the cursor is bold, underlined and reversed.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "cells.h"
#include "term.h"
#include "view_map.h"

/* The glyph of one page cell, and its colour role and attributes. */
static const char *
cell_glyph(const struct ui *ui, const struct cell *c, enum role *role,
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
		return ui->utf8 ? "\u00b7" : ".";
	case CELL_LRUN_START:
		*role = ROLE_LARGE;
		*attr = A_BOLD;
		return "L";
	case CELL_LRUN_CONT:
		*role = ROLE_LARGE;
		return ui->utf8 ? "\u2500" : "-";
	case CELL_SRUN_START:
		*role = ROLE_SMALL;
		*attr = A_BOLD | A_UNDERLINE;
		one[0] = c->bin >= 0 && c->bin < ZMM_BINS ? bins[c->bin] : '?';
		one[1] = '\0';
		return one;
	case CELL_SRUN_CONT:
		*role = ROLE_SMALL;
		return (ui->utf8 ? fill_utf8 : fill_ascii)
		    [cells_fill_eighths(c)];
	}
	*role = ROLE_FREE;
	return "?";
}

/* One chunk: a label line and 8 rows of 64 cells, from (Y, X). */
static void
draw_chunk(const struct ui *ui, const struct record *rec,
    const struct chunk_cells *cc, int y, int x, bool selected)
{
	bool inspecting = selected && (ui->mode == MODE_INSPECT ||
	    ui->mode == MODE_DETAIL);
	char label[160];
	unsigned p, used = 0;
	int row, col;

	for (p = 0; p < ZMM_PAGES; p++)
		used += cc->page[p].kind != CELL_FREE;
	snprintf(label, sizeof(label), "%sc%u%s  %u of 512 pages used",
	    selected ? ">" : " ", cc->serial, cc->cached ? " (cached)" : "",
	    used);
	if (selected)
		attron(A_BOLD);
	term_put(y, x, 34, label);
	if (selected)
		attroff(A_BOLD);
	for (row = 0; row < 8; row++) {
		for (col = 0; col < 64; col++) {
			unsigned page = (unsigned)(row * 64 + col);
			const struct cell *c = &cc->page[page];
			enum role role;
			attr_t attr;
			const char *g = cell_glyph(ui, c, &role, &attr);

			if (!cc->cached &&
			    (record_page_touched(rec, cc->serial, page) ||
			    record_page_picked(rec, cc->serial, page)))
				attr |= A_REVERSE;
			if (inspecting && page == ui->cursor)
				attr = (attr ^ A_REVERSE) | A_BOLD |
				    A_UNDERLINE;
			term_role(ui->colour, role, true);
			attron(attr);
			mvaddstr(y + 1 + row, x + 1 + col, g);
			attroff(attr);
			term_role(ui->colour, role, false);
		}
	}
}

/*
 * Beside the first chunk's label: which chunk of how many is shown, the
 * ring's serials, the cache and the huge blocks by mapped size.
 */
static void
draw_lists(const struct ui *ui, const struct zmm_heap *heap, int y,
    size_t nchunks)
{
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
	ADD("chunk %d/%zu  ring:", ui->chunk_sel + 1, nchunks);
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
	term_put(y, 34, COLS - 34, line);
}

int
view_map_draw(struct ui *ui, const struct player *pl, int y, int rows)
{
	const struct zmm_heap *heap = player_heap(pl);
	struct chunk_cells *cells = NULL;
	size_t n = 0, i;
	int used = 0;

	ui->at.map_shown = 0;
	if (cells_build(heap, &cells, &n) != 0 || n == 0) {
		free(cells);
		term_put(y, 1, COLS - 2, "(out of memory drawing the map)");
		return 1;
	}
	ui->nchunks = (int)n;
	if (ui->chunk_sel >= (int)n)
		ui->chunk_sel = (int)n - 1;
	if (ui->chunk_sel < 0)
		ui->chunk_sel = 0;
	ui->at.map_y = y;
	ui->at.map_x = 1;
	ui->at.map_first = ui->chunk_sel;
	for (i = (size_t)ui->chunk_sel; i < n &&
	    (used == 0 || used + VIEW_MAP_CHUNK_ROWS <= rows); i++) {
		draw_chunk(ui, player_record(pl), &cells[i], y + used, 0,
		    i == (size_t)ui->chunk_sel);
		if (ui->at.map_shown < (int)(sizeof(ui->at.map_serial) /
		    sizeof(ui->at.map_serial[0])))
			ui->at.map_serial[ui->at.map_shown++] =
			    cells[i].serial;
		used += VIEW_MAP_CHUNK_ROWS;
	}
	draw_lists(ui, heap, y, n);
	free(cells);
	return used;
}

void
view_fit_draw(const struct ui *ui, const struct player *pl, int y)
{
	const struct record *rec = player_record(pl);
	char line[1024], part[64];
	size_t i, at = 0;

	(void)ui;
	move(y, 0);
	clrtoeol();
	if (rec->nfit == 0)
		return;
	at += (size_t)snprintf(line, sizeof(line), "best fit:");
	for (i = 0; i < rec->nfit && at < sizeof(line) - 64; i++) {
		const struct record_fit *f = &rec->fit[i];

		snprintf(part, sizeof(part), " %sc%d:%d+%u %s%s", f->pick ?
		    "[" : "", f->chunk, f->page, f->pages, zmm_why_name(f->why),
		    f->pick ? "]" : "");
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s", part);
	}
	if (rec->fit_more && at < sizeof(line))
		snprintf(line + at, sizeof(line) - at, " ...");
	term_put(y, 0, COLS, line);
}
