/*
 * view_bins.c - the bins and the selected bin's free list.  Bins whose
 * list the op under way changed, and the slots it pushed or popped, are
 * in reverse video.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "term.h"
#include "view_bins.h"

void
view_bins_draw(struct ui *ui, const struct player *pl, const struct box *b)
{
	const struct zmm_heap *heap = player_heap(pl);
	const struct record *rec = player_record(pl);
	char line[160], loc[ZMM_LOC_BUFSIZE];
	int first, i;

	if (ui->bin_sel < 0)
		ui->bin_sel = 0;
	if (ui->bin_sel >= ZMM_BINS)
		ui->bin_sel = ZMM_BINS - 1;
	attron(A_BOLD);
	term_put(b->y, b->x, b->cols, ui->focus == FOCUS_BINS ?
	    ">bin  slot pg slots  free head" : " bin  slot pg slots  free head");
	attroff(A_BOLD);
	first = ui->bin_sel - (b->rows - 2) / 2;
	if (first > ZMM_BINS - (b->rows - 1))
		first = ZMM_BINS - (b->rows - 1);
	if (first < 0)
		first = 0;
	ui->at.bins = *b;
	ui->at.bins_first = first;
	for (i = 0; i < b->rows - 1 && first + i < ZMM_BINS; i++) {
		int bin = first + i;
		const void *head = zmm_heap_bin_head(heap, bin);
		struct zmm_loc l = zmm_heap_loc(heap, head);
		attr_t attr = A_NORMAL;

		zmm_loc_format(&l, loc, sizeof(loc));
		snprintf(line, sizeof(line), "%c%3d %5u %2u %5u %5zu %s",
		    bin == ui->bin_sel ? '*' : ' ', bin, zmm_bin_size(bin),
		    zmm_bin_pages(bin), zmm_bin_slots(bin),
		    zmm_heap_bin_length(heap, bin), head ? loc : "-");
		if (rec->bin_touched[bin])
			attr |= A_REVERSE;
		if (bin == ui->bin_sel && ui->focus == FOCUS_BINS)
			attr |= A_BOLD;
		attron(attr);
		move(b->y + 1 + i, b->x);
		printw("%-*.*s", b->cols, b->cols, line);
		attroff(attr);
	}
}

void
view_bin_list_draw(struct ui *ui, const struct player *pl,
    const struct box *b)
{
	const struct zmm_heap *heap = player_heap(pl);
	int bin = ui->bin_sel;
	size_t len = zmm_heap_bin_length(heap, bin), i;
	const void *slot = zmm_heap_bin_head(heap, bin);
	char line[160], loc[ZMM_LOC_BUFSIZE];
	int r = 1;

	snprintf(line, sizeof(line), ">free_slot[%d] (%u B): %zu free, "
	    "head first (PgUp/PgDn)", bin, zmm_bin_size(bin), len);
	attron(A_BOLD);
	term_put(b->y, b->x, b->cols, line);
	attroff(A_BOLD);
	if (ui->list_scroll > (int)len - (b->rows - 1))
		ui->list_scroll = (int)len - (b->rows - 1);
	if (ui->list_scroll < 0)
		ui->list_scroll = 0;
	for (i = 0; slot != NULL && r < b->rows; i++,
	    slot = zmm_slot_next(slot)) {
		struct zmm_loc l;

		if (i < (size_t)ui->list_scroll)
			continue;
		l = zmm_heap_loc(heap, slot);
		zmm_loc_format(&l, loc, sizeof(loc));
		snprintf(line, sizeof(line), "%6zu %-14s page %u%s", i, loc,
		    l.offset / (unsigned)ZMM_PAGE_SIZE, i == 0 ?
		    "  <- next alloc of this bin" : "");
		if (record_slot_touched(player_record(pl), &l))
			attron(A_REVERSE);
		term_put(b->y + r, b->x, b->cols, line);
		attroff(A_REVERSE);
		r++;
	}
}
