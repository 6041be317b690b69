/*
 * view_log.h - the event log: the sentences of the last few ops' events,
 * newest at the bottom; inside an op, the event just done is the last
 * line, in reverse video.
 */
#ifndef ZMM_VIEW_LOG_H
#define ZMM_VIEW_LOG_H

#include "player.h"
#include "ui.h"

/* The log in BOX (a title row, then the lines), from ui->log_scroll. */
void	view_log_draw(struct ui *ui, const struct player *player,
	    const struct box *box);

#endif /* ZMM_VIEW_LOG_H */
