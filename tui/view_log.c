/*
 * view_log.c - the event log.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>

#include "term.h"
#include "view_log.h"

void
view_log_draw(struct ui *ui, const struct player *pl, const struct box *b)
{
	const struct record *rec = player_record(pl);
	size_t shown = record_log_lines(rec);
	unsigned long op = (unsigned long)player_op(pl), lop;
	unsigned event, events;
	bool in_op = player_in_op(pl, &event, &events);
	const char *text;
	char line[RECORD_LINE_MAX + 16];
	int r;

	attron(A_BOLD);
	term_put(b->y, b->x, b->cols, ui->focus == FOCUS_LOG ?
	    ">events of recent ops" : " events of recent ops");
	attroff(A_BOLD);
	if (shown == 0)
		return;
	if (ui->log_scroll > (int)shown - 1)
		ui->log_scroll = (int)shown - 1;
	if (ui->log_scroll < 0)
		ui->log_scroll = 0;
	for (r = b->rows - 1; r >= 1; r--) {
		size_t back = (size_t)ui->log_scroll + (size_t)(b->rows - 1 - r);
		bool newest = back == 0;

		text = record_log_line(rec, back, &lop);
		if (text == NULL || lop + PLAYER_LOG_OPS <= op || lop > op)
			break;		/* only the last PLAYER_LOG_OPS ops */
		snprintf(line, sizeof(line), "%5lu %s", lop, text);
		if (newest && in_op)
			attron(A_REVERSE);
		term_put_text(b->y + r, b->x, b->cols, line, ui->utf8);
		if (newest && in_op)
			attroff(A_REVERSE);
	}
}
