/*
 * ui.h - the viewer's own state, apart from the replay: the mode, the
 * focus and selections, scroll positions, the inspect cursor, the prompt
 * being typed, and where the last frame put things (for the mouse).  The
 * keys change it; the views read it (and clamp what they must).
 */
#ifndef ZMM_UI_H
#define ZMM_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"

enum focus { FOCUS_MAP, FOCUS_BINS, FOCUS_LOG, FOCUS_COUNT };

/* What the right-hand panel (or the whole lower part) shows. */
enum panel { PANEL_LOG, PANEL_LIST, PANEL_DETAIL };

/* What a prompt asks for. */
enum prompt_kind { PROMPT_GOTO, PROMPT_SEARCH, PROMPT_BREAK };

struct box {
	int		 y, x;		/* top left */
	int		 rows, cols;
};

/* Where the last frame drew things. */
struct ui_layout {
	int		 map_y;		/* label row of the first chunk drawn */
	int		 map_x;		/* column of page 0 */
	int		 map_first;	/* index of the first chunk drawn */
	int		 map_shown;	/* chunks drawn (9 rows each) */
	uint32_t	 map_serial[16];	/* their serials */
	struct box	 bins;		/* bin rows from bins.y + 1 */
	int		 bins_first;	/* bin on the row bins.y + 1 */
	struct box	 right;		/* the log, a list or the detail */
	enum panel	 right_panel;
};

#define UI_PROMPT_MAX	80

struct ui {
	enum mode	 mode;
	enum mode	 help_from;	/* the mode help returns to */
	enum mode	 prompt_from;	/* the mode a prompt returns to */
	bool		 utf8;		/* UTF-8 glyphs */
	bool		 colour;
	bool		 paused;	/* the core is stopped in an op */
	enum focus	 focus;
	int		 chunk_sel;	/* index among ring + cache */
	int		 nchunks;	/* ring + cache, as last drawn */
	int		 bin_sel;
	int		 log_scroll;	/* lines up from the newest */
	int		 list_scroll;	/* first entry shown of a bin's list */
	int		 help_scroll;	/* first help line shown */
	int		 break_sel;	/* row of the breakpoints overlay */
	/* inspect mode */
	unsigned	 cursor;	/* page under the cursor */
	int		 slot_sel;	/* detail: slot under the cursor, -1 */
	int		 detail_first;	/* first detail line shown */
	/* the prompt */
	enum prompt_kind prompt;
	char		 prompt_text[UI_PROMPT_MAX];
	size_t		 prompt_len;
	/* a long search: "searching c0:5... 37%", or "" */
	char		 busy[96];
	struct ui_layout at;
};

/* The state a viewer starts in. */
void	ui_init(struct ui *ui, bool utf8, bool colour);

/* Enters MODE, remembering where help and prompts return to. */
void	ui_enter(struct ui *ui, enum mode mode);

/* Leaves help or a prompt for the mode it came from. */
void	ui_leave(struct ui *ui);

#endif /* ZMM_UI_H */
