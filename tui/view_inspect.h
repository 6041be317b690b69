/*
 * view_inspect.h - inspect mode's detail pane: the page under the cursor
 * decoded (its map word bit by bit, its run, each slot of a small run with
 * its owner), from the inspect.h view model; and the one-line summary the
 * status line shows while the cursor moves.
 */
#ifndef ZMM_VIEW_INSPECT_H
#define ZMM_VIEW_INSPECT_H

#include <stddef.h>

#include "player.h"
#include "ui.h"

/* The detail of the cursor's page in BOX; clamps the scroll and slot. */
void	view_inspect_draw(struct ui *ui, const struct player *player,
	    const struct box *box);

/*
 * The cursor's page of the selected chunk (as the map last drew it) in a
 * line, into BUF: where it is and its map word.
 */
void	view_inspect_summary(const struct ui *ui, const struct player *player,
	    char *buf, size_t len);

/* Slots of the small run under the cursor (0 for other pages). */
unsigned view_inspect_slots(const struct ui *ui, const struct player *player);

#endif /* ZMM_VIEW_INSPECT_H */
