/*
 * view_bins.h - the 30 bins (slot size, pages and slots per run, free
 * slots, the head of each free_slot list) and the selected bin's whole
 * free list, head first.
 */
#ifndef ZMM_VIEW_BINS_H
#define ZMM_VIEW_BINS_H

#include "player.h"
#include "ui.h"

/* The bins table in BOX (a title row, then a row a bin, scrolled). */
void	view_bins_draw(struct ui *ui, const struct player *player,
	    const struct box *box);

/* The selected bin's free list in BOX, from ui->list_scroll. */
void	view_bin_list_draw(struct ui *ui, const struct player *player,
	    const struct box *box);

#endif /* ZMM_VIEW_BINS_H */
