/*
 * draw.h - the whole screen, from the player and the viewer's state:
 *
 *   +- header: title | op N/M (, event k/K) | the op | play | PHP 8.2 -+
 *   | caption (@caption narration)                                    |
 *   | chunk map: 512 pages as 8 rows of 64 cells, per chunk           |
 *   | best-fit search of the op under way                             |
 *   | bins | event log, or the bin's free list (or inspect's detail)  |
 *   | status: a notice, a prompt, or the heap statistics              |
 *   +- key bar of the mode -------------------------------------------+
 *
 * plus the help and breakpoint overlays.  Reads the heap only through
 * lib/zmm.h (and the view models), so it may draw with the core stopped
 * in the middle of an op.
 */
#ifndef ZMM_DRAW_H
#define ZMM_DRAW_H

#include "player.h"
#include "ui.h"

#define DRAW_MIN_COLS	80
#define DRAW_MIN_LINES	24

/* Draws one frame on stdscr and refreshes the terminal. */
void	draw_screen(struct ui *ui, const struct player *player);

#endif /* ZMM_DRAW_H */
