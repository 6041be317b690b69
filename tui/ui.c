/*
 * ui.c - the viewer's own state: its start and its mode changes.
 */
#include "config.h"

#include <string.h>

#include "ui.h"

void
ui_init(struct ui *ui, bool utf8, bool colour)
{
	memset(ui, 0, sizeof(*ui));
	ui->mode = MODE_NORMAL;
	ui->utf8 = utf8;
	ui->colour = colour;
	ui->focus = FOCUS_MAP;
	ui->bin_sel = 2;
	ui->cursor = 1;
	ui->slot_sel = -1;
}

void
ui_enter(struct ui *ui, enum mode mode)
{
	if (mode == MODE_HELP && ui->mode != MODE_HELP) {
		ui->help_from = ui->mode;
		ui->help_scroll = 0;
	} else if (mode == MODE_PROMPT && ui->mode != MODE_PROMPT) {
		ui->prompt_from = ui->mode;
		ui->prompt_text[0] = '\0';
		ui->prompt_len = 0;
	}
	ui->mode = mode;
}

void
ui_leave(struct ui *ui)
{
	if (ui->mode == MODE_HELP)
		ui->mode = ui->help_from;
	else if (ui->mode == MODE_PROMPT)
		ui->mode = ui->prompt_from;
	else
		ui->mode = MODE_NORMAL;
}
