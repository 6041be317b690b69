/*
 * app.c - the viewer's main loop and the requests of its keys.
 *
 * A key is looked up in the key table of the current mode (keys.h); the
 * request it names moves the player, changes the viewer's state, or opens
 * a mode.  Each frame is drawn whole from the player and that state.
 *
 * Stepping by event (. and ,) stops the core inside an op and calls
 * on_stop(): a loop of its own that draws and reads keys with the core
 * paused.  Requests flagged REQ_F_PAUSED only read the heap and run there;
 * any other key lets the op finish, then is handled here as usual.
 */
#include "config.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "clock.h"
#include "describe.h"
#include "draw.h"
#include "keys.h"
#include "marks.h"
#include "player.h"
#include "search.h"
#include "target.h"
#include "term.h"
#include "ui.h"
#include "view_inspect.h"

#define IDLE_MS		500		/* how often an idle loop looks up */
#define SEARCH_SLICE_MS	30		/* a search's share of a frame */
#define SEARCH_FIRST_MS	150		/* searched before "searching..." */

struct app {
	const struct trace *trace;
	struct app_options opt;
	bool		 utf8;		/* the locale's */
	struct player	*player;
	struct search	*search;
	struct marks	 marks;
	struct ui	 ui;
	int		 pending;	/* a key to handle when the op ends */
	bool		 quit;
};

static void	do_request(struct app *app, enum request req, int key);

/* A key, Enter as '\n' whatever the terminal sends. */
static int
read_key(int wait_ms)
{
	int key;

	timeout(wait_ms);
	key = getch();
	return key == '\r' ? '\n' : key;
}

/* ------------------------------------------------------------------
 *  Marks and search
 * ------------------------------------------------------------------ */

static void
toggle_mark(struct app *app)
{
	unsigned long long op = player_op(app->player);

	switch (marks_toggle(&app->marks, op)) {
	case MARKS_SET:
		player_say(app->player, "mark set at op %llu (' jumps to the "
		    "next mark)", op);
		break;
	case MARKS_CLEARED:
		player_say(app->player, "mark at op %llu cleared", op);
		break;
	case MARKS_FULL:
		player_say(app->player, "all %d marks are in use: clear one "
		    "with m", MARKS_MAX);
		break;
	}
}

static void
jump_mark(struct app *app)
{
	const char *name = NULL;
	uint64_t op;

	player_play(app->player, false);
	if (!marks_next(&app->marks, app->trace, player_op(app->player), &op,
	    &name)) {
		player_say(app->player, "no marks: set one with m, or write "
		    "@mark NAME in the trace");
		return;
	}
	player_go_to(app->player, op);
	player_say(app->player, "mark %s%sat op %llu", name ? name : "",
	    name ? " " : "", (unsigned long long)op);
}

/* Goes to the next (FORWARD) or previous match of the last search. */
static void
go_to_match(struct app *app, bool forward)
{
	const struct target *t = search_target(app->search);
	struct trace_item it;
	uint64_t op;
	size_t nth, at;
	char what[128] = "";

	switch (search_state(app->search)) {
	case SEARCH_IDLE:
		player_say(app->player, "no search yet: / searches an ID or a "
		    "location");
		return;
	case SEARCH_BUSY:
		player_say(app->player, "still searching %s: %u%%", t->text,
		    search_percent(app->search));
		return;
	case SEARCH_DONE:
		break;
	}
	player_play(app->player, false);
	if (!search_next(app->search, player_op(app->player), forward, &op,
	    &nth)) {
		player_say(app->player, "not found: no op %s %s",
		    target_is_place(t) ? "touches location" : "on ID", t->text);
		return;
	}
	player_go_to(app->player, op);
	if ((at = trace_item_of_op(app->trace, op)) != SIZE_MAX) {
		it = trace_item_at(app->trace, at);
		describe_item(app->trace, &it, what, sizeof(what));
	}
	player_say(app->player, "%s %s: match %zu of %zu, op %llu (%s)%s",
	    target_is_place(t) ? "location" : "ID", t->text, nth,
	    search_count(app->search), (unsigned long long)op, what,
	    search_count(app->search) == 1 ? ", the only one" : "");
}

static void
search_progress(struct app *app)
{
	snprintf(app->ui.busy, sizeof(app->ui.busy), "searching %s... %u%%",
	    search_target(app->search)->text, search_percent(app->search));
}

/* Runs the search for BUDGET_MS; when it is done, goes to the match. */
static void
search_continue(struct app *app, double budget_ms)
{
	if (search_state(app->search) != SEARCH_BUSY)
		return;
	if (search_run(app->search, budget_ms) == SEARCH_BUSY) {
		search_progress(app);
		return;
	}
	app->ui.busy[0] = '\0';
	go_to_match(app, true);
}

static void
start_search(struct app *app, const char *text)
{
	struct target t;
	char err[200];

	if (target_parse(app->trace, text, &t, err, sizeof(err)) != 0 ||
	    search_start(app->search, &t, err, sizeof(err)) != 0) {
		player_say(app->player, "%s", err);
		return;
	}
	if (search_state(app->search) == SEARCH_BUSY)
		search_continue(app, SEARCH_FIRST_MS);
	else
		go_to_match(app, true);
}

/* ------------------------------------------------------------------
 *  Prompts
 * ------------------------------------------------------------------ */

static void
prompt(struct app *app, enum prompt_kind kind)
{
	ui_enter(&app->ui, MODE_PROMPT);
	app->ui.prompt = kind;
}

static void
prompt_accept(struct app *app)
{
	struct ui *ui = &app->ui;
	const char *text = ui->prompt_text;
	struct target t;
	char err[200], *end;
	unsigned long long v;

	ui_leave(ui);
	switch (ui->prompt) {
	case PROMPT_GOTO:
		v = strtoull(text, &end, 10);
		if (text[0] == '\0')
			break;
		if (!isdigit((unsigned char)text[0]) || *end != '\0') {
			player_say(app->player, "not an op number: %s", text);
			break;
		}
		player_go_to(app->player, v);
		break;
	case PROMPT_SEARCH:
		if (text[0] != '\0')
			start_search(app, text);
		break;
	case PROMPT_BREAK:
		if (text[0] == '\0')
			break;
		if (target_parse(app->trace, text, &t, err, sizeof(err)) != 0) {
			player_say(app->player, "%s", err);
			break;
		}
		if (breaks_add(player_breaks(app->player), &t) != 0) {
			player_say(app->player, "all %d breakpoints on IDs and "
			    "locations are set: delete one with d",
			    BREAKS_TARGETS_MAX);
			break;
		}
		ui->break_sel = (int)breaks_rows(player_breaks(app->player));
		ui->break_sel--;
		player_say(app->player, "breakpoint on %s %s", t.kind ==
		    TARGET_ID ? "ID" : "location", t.text);
		break;
	}
}

static void
prompt_type(struct app *app, int key)
{
	struct ui *ui = &app->ui;

	if (key < 0 || key > 255 || !isprint(key) ||
	    ui->prompt_len + 1 >= sizeof(ui->prompt_text))
		return;
	ui->prompt_text[ui->prompt_len++] = (char)key;
	ui->prompt_text[ui->prompt_len] = '\0';
}

/* ------------------------------------------------------------------
 *  The mouse
 * ------------------------------------------------------------------ */

static void
wheel(struct app *app, int y, int x, int dir)
{
	struct ui *ui = &app->ui;
	const struct box *r = &ui->at.right, *b = &ui->at.bins;

	if (y >= r->y && y < r->y + r->rows && x >= r->x) {
		switch (ui->at.right_panel) {
		case PANEL_LOG:
			ui->log_scroll -= 3 * dir;
			break;
		case PANEL_LIST:
			ui->list_scroll += 3 * dir;
			break;
		case PANEL_DETAIL:
			ui->slot_sel = -1;
			ui->detail_first += 3 * dir;
			break;
		}
	} else if (b->rows > 0 && y >= b->y && y < b->y + b->rows &&
	    x < b->x + b->cols) {
		ui->bin_sel += dir;
		ui->list_scroll = 0;
	} else if (y < ui->at.map_y + ui->at.map_shown * 9) {
		ui->chunk_sel += dir;
	}
}

static void
click(struct app *app, int y, int x)
{
	struct ui *ui = &app->ui;
	const struct ui_layout *at = &ui->at;
	const struct box *b = &at->bins;
	int j;

	for (j = 0; j < at->map_shown; j++) {
		int top = at->map_y + j * 9;

		if (y == top && x < 34) {
			ui->chunk_sel = at->map_first + j;
			ui->focus = FOCUS_MAP;
			return;
		}
		if (y > top && y <= top + 8 && x >= at->map_x &&
		    x < at->map_x + 64) {
			ui->chunk_sel = at->map_first + j;
			ui->cursor = (unsigned)((y - top - 1) * 64 +
			    (x - at->map_x));
			ui->focus = FOCUS_MAP;
			ui->slot_sel = -1;
			ui->detail_first = 0;
			if (ui->mode == MODE_NORMAL)
				ui_enter(ui, MODE_INSPECT);
			return;
		}
	}
	if (b->rows > 0 && y > b->y && y < b->y + b->rows && x >= b->x &&
	    x < b->x + b->cols && at->bins_first + (y - b->y - 1) < ZMM_BINS) {
		ui->bin_sel = at->bins_first + (y - b->y - 1);
		ui->list_scroll = 0;
		ui->focus = FOCUS_BINS;
	}
}

static void
on_mouse(struct app *app)
{
	MEVENT me;

	if (getmouse(&me) != OK)
		return;
	if (me.bstate & BUTTON4_PRESSED)
		wheel(app, me.y, me.x, -1);
	else if (me.bstate & BUTTON5_PRESSED)
		wheel(app, me.y, me.x, 1);
	else if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
		click(app, me.y, me.x);
}

/* ------------------------------------------------------------------
 *  Requests
 * ------------------------------------------------------------------ */

static void
move_cursor(struct ui *ui, int delta)
{
	int page = (int)ui->cursor + delta;

	if (page < 0 || page >= ZMM_PAGES)
		return;
	ui->cursor = (unsigned)page;
	ui->slot_sel = -1;
	ui->detail_first = 0;
}

static void
do_request(struct app *app, enum request req, int key)
{
	struct player *pl = app->player;
	struct ui *ui = &app->ui;
	struct breaks *br = player_breaks(pl);
	uint64_t op = player_op(pl);
	unsigned n;
	int page;

	switch (req) {
	case REQ_NONE:
	case REQ_COUNT:
		break;
	case REQ_NEXT_OP:
		player_next_op(pl);
		break;
	case REQ_PREV_OP:
		if (op > 0)
			player_go_to(pl, op - 1);
		else
			player_say(pl, "at the start of the trace");
		break;
	case REQ_NEXT_EVENT:
		player_next_event(pl);
		break;
	case REQ_PREV_EVENT:
		player_prev_event(pl);
		break;
	case REQ_PLAY:
		player_play(pl, !player_playing(pl));
		break;
	case REQ_FASTER:
		player_faster(pl);
		break;
	case REQ_SLOWER:
		player_slower(pl);
		break;
	case REQ_GOTO:
		player_play(pl, false);
		prompt(app, PROMPT_GOTO);
		break;
	case REQ_FIRST:
		player_go_to(pl, 0);
		break;
	case REQ_LAST:
		player_go_to(pl, player_ops(pl));
		break;
	case REQ_MARK:
		toggle_mark(app);
		break;
	case REQ_JUMP_MARK:
		jump_mark(app);
		break;
	case REQ_BREAKS:
		ui_enter(ui, MODE_BREAKS);
		break;
	case REQ_SEARCH:
		player_play(pl, false);
		prompt(app, PROMPT_SEARCH);
		break;
	case REQ_NEXT_MATCH:
	case REQ_PREV_MATCH:
		go_to_match(app, req == REQ_NEXT_MATCH);
		break;
	case REQ_FOCUS:
		ui->focus = (enum focus)((ui->focus + 1) % FOCUS_COUNT);
		break;
	case REQ_UP:
		if (ui->focus == FOCUS_MAP)
			ui->chunk_sel--;
		else if (ui->focus == FOCUS_BINS) {
			ui->bin_sel--;
			ui->list_scroll = 0;
		} else
			ui->log_scroll++;
		break;
	case REQ_DOWN:
		if (ui->focus == FOCUS_MAP && ui->chunk_sel + 1 < ui->nchunks)
			ui->chunk_sel++;
		else if (ui->focus == FOCUS_BINS) {
			ui->bin_sel++;
			ui->list_scroll = 0;
		} else if (ui->focus == FOCUS_LOG)
			ui->log_scroll--;
		break;
	case REQ_PAGE_UP:
	case REQ_PAGE_DOWN:
		page = req == REQ_PAGE_UP ? -(LINES / 2) : LINES / 2;
		/* the log counts lines up from the newest */
		if (ui->focus == FOCUS_LOG)
			ui->log_scroll -= page;
		else
			ui->list_scroll += page;
		break;
	case REQ_INSPECT:
		ui_enter(ui, MODE_INSPECT);
		ui->focus = FOCUS_MAP;
		ui->slot_sel = -1;
		ui->detail_first = 0;
		break;
	case REQ_MOUSE:
		on_mouse(app);
		break;
	case REQ_HELP:
		ui_enter(ui, MODE_HELP);
		break;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		break;
	case REQ_QUIT:
		app->quit = true;
		break;
	case REQ_CURSOR_LEFT:
		move_cursor(ui, -1);
		break;
	case REQ_CURSOR_RIGHT:
		move_cursor(ui, 1);
		break;
	case REQ_CURSOR_UP:
		move_cursor(ui, -64);
		break;
	case REQ_CURSOR_DOWN:
		move_cursor(ui, 64);
		break;
	case REQ_CURSOR_FIRST:
		move_cursor(ui, -(int)ui->cursor);
		break;
	case REQ_CURSOR_LAST:
		move_cursor(ui, ZMM_PAGES - 1 - (int)ui->cursor);
		break;
	case REQ_CHUNK_PREV:
		ui->chunk_sel--;
		break;
	case REQ_CHUNK_NEXT:
		if (ui->chunk_sel + 1 < ui->nchunks)
			ui->chunk_sel++;
		break;
	case REQ_DETAIL:
		ui_enter(ui, ui->mode == MODE_DETAIL ? MODE_INSPECT :
		    MODE_DETAIL);
		ui->slot_sel = -1;
		ui->detail_first = 0;
		break;
	case REQ_LEAVE:
		ui_enter(ui, MODE_NORMAL);
		break;
	case REQ_SLOT_PREV:
		if (ui->slot_sel > 0) {
			ui->slot_sel--;
		} else if (ui->slot_sel == 0) {
			ui->slot_sel = -1;
			ui->detail_first = 0;
		} else {
			ui->detail_first--;
		}
		break;
	case REQ_SLOT_NEXT:
		n = view_inspect_slots(ui, pl);
		if (n == 0)
			ui->detail_first++;
		else if (ui->slot_sel + 1 < (int)n)
			ui->slot_sel++;
		break;
	case REQ_DETAIL_UP:
	case REQ_DETAIL_DOWN:
		ui->slot_sel = -1;
		ui->detail_first += (req == REQ_DETAIL_UP ? -1 : 1) *
		    (ui->at.right.rows > 2 ? ui->at.right.rows - 2 : 1);
		break;
	case REQ_BREAK_UP:
		ui->break_sel--;
		break;
	case REQ_BREAK_DOWN:
		ui->break_sel++;
		break;
	case REQ_BREAK_TOGGLE:
		if (ui->break_sel >= 0)
			breaks_toggle(br, (size_t)ui->break_sel);
		break;
	case REQ_BREAK_ADD:
		prompt(app, PROMPT_BREAK);
		break;
	case REQ_BREAK_DELETE:
		if (ui->break_sel < 0 ||
		    !breaks_delete(br, (size_t)ui->break_sel))
			player_say(pl, "the kinds stay: Space turns one off");
		break;
	case REQ_BREAK_CLOSE:
		ui_enter(ui, MODE_NORMAL);
		break;
	case REQ_PROMPT_OK:
		prompt_accept(app);
		break;
	case REQ_PROMPT_CANCEL:
		ui_leave(ui);
		break;
	case REQ_PROMPT_ERASE:
		if (ui->prompt_len > 0)
			ui->prompt_text[--ui->prompt_len] = '\0';
		break;
	case REQ_PROMPT_CLEAR:
		ui->prompt_len = 0;
		ui->prompt_text[0] = '\0';
		break;
	case REQ_PROMPT_TYPE:
		prompt_type(app, key);
		break;
	case REQ_HELP_UP:
		ui->help_scroll--;
		break;
	case REQ_HELP_DOWN:
		ui->help_scroll++;
		break;
	case REQ_HELP_PAGE_UP:
		ui->help_scroll -= LINES - 4;
		break;
	case REQ_HELP_PAGE_DOWN:
		ui->help_scroll += LINES - 4;
		break;
	case REQ_HELP_CLOSE:
		ui_leave(ui);
		break;
	}
}

/* Handles KEY, and then any key a stop inside an op left pending. */
static void
handle_key(struct app *app, int key)
{
	for (;;) {
		app->pending = ERR;
		do_request(app, keys_lookup(app->ui.mode, key), key);
		if (app->pending == ERR || app->quit)
			return;
		key = app->pending;
	}
}

/*
 * The core is stopped right after an event: draw, and read keys until one
 * says how to go on.  Nothing here may move the core.
 */
static enum player_resume
on_stop(struct player *pl, void *arg)
{
	struct app *app = arg;
	enum player_resume how = PLAYER_FINISH;
	enum request req;
	bool dirty = true;
	int key;

	(void)pl;
	app->ui.paused = true;
	while (!term_signalled()) {
		if (dirty)
			draw_screen(&app->ui, app->player);
		key = read_key(IDLE_MS);
		dirty = key != ERR;
		if (key == ERR || key == KEY_RESIZE)
			continue;
		req = keys_lookup(app->ui.mode, key);
		if (req == REQ_NEXT_EVENT) {
			how = PLAYER_NEXT_EVENT;
			break;
		}
		if (req == REQ_PREV_EVENT) {
			how = PLAYER_PREV_EVENT;
			break;
		}
		if (req == REQ_NONE && app->ui.mode == MODE_NORMAL)
			break;		/* Esc and the like: finish the op */
		if (req != REQ_NONE &&
		    !(keys_request_flags(req) & REQ_F_PAUSED)) {
			app->pending = key;
			break;
		}
		do_request(app, req, key);
	}
	app->ui.paused = false;
	return how;
}

/* How long the main loop may wait for a key. */
static int
wait_ms(const struct app *app, double now)
{
	double w = player_wait_ms(app->player, now);

	if (search_state(app->search) == SEARCH_BUSY)
		return 0;
	if (w < 0)
		return IDLE_MS;
	return w < PLAYER_FRAME_MS ? (int)w + 1 : PLAYER_FRAME_MS;
}

struct app *
app_new(const struct trace *trace, const struct app_options *options)
{
	struct app *app = calloc(1, sizeof(*app));

	if (app == NULL)
		return NULL;
	app->trace = trace;
	if (options != NULL)
		app->opt = *options;
	app->player = player_new(trace);
	app->search = search_new(trace);
	if (app->player == NULL || app->search == NULL) {
		app_free(app);
		return NULL;
	}
	ui_init(&app->ui, false, false);
	app->pending = ERR;
	player_on_stop(app->player, on_stop, app);
	return app;
}

void
app_free(struct app *app)
{
	if (app == NULL)
		return;
	player_free(app->player);
	search_free(app->search);
	free(app);
}

void
app_set_utf8(struct app *app, bool utf8)
{
	app->utf8 = utf8;
}

int
app_run(struct app *app, char *err, size_t errlen)
{
	bool dirty = true;
	int key;

	if (term_open(!app->opt.no_mouse, err, errlen) != 0)
		return -1;
	term_catch_signals();
	app->ui.utf8 = app->utf8 && !app->opt.ascii;
	app->ui.colour = term_colours(app->opt.mono);
	while (!app->quit && !term_signalled()) {
		double draw_ms = 0, start;

		if (dirty) {
			start = clock_ms();
			draw_screen(&app->ui, app->player);
			draw_ms = clock_ms() - start;
		}
		key = read_key(wait_ms(app, clock_ms()));
		dirty = key != ERR;
		if (key != ERR && key != KEY_RESIZE)
			handle_key(app, key);
		if (search_state(app->search) == SEARCH_BUSY) {
			search_continue(app, SEARCH_SLICE_MS);
			dirty = true;
		}
		if (player_playing(app->player) &&
		    player_tick(app->player, clock_ms(),
		    player_frame_left(draw_ms)))
			dirty = true;
	}
	term_close();
	return term_signalled();
}
