/*
 * view_overlay.h - boxes drawn over the screen: the help (every key of
 * every mode, from the key table, and the map's legend) and the
 * breakpoints.
 */
#ifndef ZMM_VIEW_OVERLAY_H
#define ZMM_VIEW_OVERLAY_H

#include "player.h"
#include "ui.h"

/* The help from ui->help_scroll (clamped). */
void	view_help_draw(struct ui *ui);

/* The breakpoints, ui->break_sel highlighted (clamped). */
void	view_breaks_draw(struct ui *ui, const struct player *player);

#endif /* ZMM_VIEW_OVERLAY_H */
