/*
 * keys.h - the viewer's key table: per mode, each key and the request it
 * triggers.  The help overlay, the key bar and the README's key tables are
 * all written from this one list, so they cannot disagree with what a key
 * does.  No curses calls here (only the KEY_* codes).
 */
#ifndef ZMM_KEYS_H
#define ZMM_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Modes: which keys mean what.  name, title in the help */
#define KEYS_MODE_LIST(X)						\
	X(NORMAL,	"Viewing")					\
	X(INSPECT,	"Inspect mode (i): a cursor over the pages")	\
	X(DETAIL,	"Inspect mode, the detail pane open (Enter)")	\
	X(BREAKS,	"Breakpoints (b)")				\
	X(PROMPT,	"Typing an op, a search or a breakpoint")	\
	X(HELP,		"This help")

enum mode {
#define X(name, title) MODE_##name,
	KEYS_MODE_LIST(X)
#undef X
	MODE_COUNT
};

/* Request flags. */
#define REQ_F_PAUSED	0x1	/* may run with the core stopped inside an op */
#define REQ_F_KEEP	0x2	/* the key bar shows it however narrow */

/*
 * Requests: name, flags, help text (the help overlay, the README),
 * key-bar label (empty: not on the bar).
 */
#define KEYS_REQUEST_LIST(X)						\
	X(NONE,		0, "", "")					\
	X(NEXT_OP,	0, "next op", "next")				\
	X(PREV_OP,	0, "previous op (replayed: exactly the state after it)", "back") \
	X(NEXT_EVENT,	REQ_F_PAUSED, "next / previous event of an op: the heap right after it", "event") \
	X(PREV_EVENT,	REQ_F_PAUSED, "", "")				\
	X(PLAY,		0, "play / pause (stops at @pause, errors, breakpoints)", "play") \
	X(FASTER,	REQ_F_PAUSED, "play faster (up to as fast as possible)", "") \
	X(SLOWER,	REQ_F_PAUSED, "play slower (down to 1 op a second)", "") \
	X(GOTO,		0, "go to op N", "go to") \
	X(FIRST,	0, "first / last op", "")			\
	X(LAST,		0, "", "")					\
	X(MARK,		0, "set (or clear) a mark at this op", "")	\
	X(JUMP_MARK,	0, "jump to the next mark, yours or a trace's @mark", "") \
	X(BREAKS,	REQ_F_PAUSED, "breakpoints: on event kinds, an ID, a location", "break") \
	X(SEARCH,	0, "search an ID or a location (c0+0x1040, c0:5, c0)", "search") \
	X(NEXT_MATCH,	0, "next / previous match of the search", "") \
	X(PREV_MATCH,	0, "", "")					\
	X(FOCUS,	REQ_F_PAUSED, "focus: map, bins (with the bin's whole free list), log", "focus") \
	X(UP,		REQ_F_PAUSED, "map: chunk; bins: bin; log: scroll", "") \
	X(DOWN,		REQ_F_PAUSED, "", "")				\
	X(PAGE_UP,	REQ_F_PAUSED, "scroll the bin's free list or the log a page", "") \
	X(PAGE_DOWN,	REQ_F_PAUSED, "", "")				\
	X(INSPECT,	REQ_F_PAUSED, "inspect the selected chunk's pages", "inspect") \
	X(MOUSE,	REQ_F_PAUSED, "click a page, a chunk label or a bin; the wheel scrolls", "") \
	X(HELP,		REQ_F_PAUSED | REQ_F_KEEP, "help: every key of every mode", "help") \
	X(REDRAW,	REQ_F_PAUSED, "redraw the screen", "")		\
	X(QUIT,		REQ_F_KEEP, "quit", "quit")				\
	/* inspect mode */						\
	X(CURSOR_LEFT,	REQ_F_PAUSED, "previous / next page", "page")	\
	X(CURSOR_RIGHT,	REQ_F_PAUSED, "", "")				\
	X(CURSOR_UP,	REQ_F_PAUSED, "a row of the map up / down (64 pages)", "row") \
	X(CURSOR_DOWN,	REQ_F_PAUSED, "", "")				\
	X(CURSOR_FIRST,	REQ_F_PAUSED, "first / last page of the chunk", "") \
	X(CURSOR_LAST,	REQ_F_PAUSED, "", "")				\
	X(CHUNK_PREV,	REQ_F_PAUSED, "previous / next chunk", "chunk")	\
	X(CHUNK_NEXT,	REQ_F_PAUSED, "", "")				\
	X(DETAIL,	REQ_F_PAUSED, "open / close the page's detail", "detail") \
	X(LEAVE,	REQ_F_PAUSED | REQ_F_KEEP, "leave inspect mode", "leave")	\
	/* the detail pane */						\
	X(SLOT_PREV,	REQ_F_PAUSED, "previous / next slot (or scroll the detail)", "slot") \
	X(SLOT_NEXT,	REQ_F_PAUSED, "", "")				\
	X(DETAIL_UP,	REQ_F_PAUSED, "scroll the detail a page", "")	\
	X(DETAIL_DOWN,	REQ_F_PAUSED, "", "")				\
	/* the breakpoints overlay */					\
	X(BREAK_UP,	REQ_F_PAUSED, "select a breakpoint", "select")	\
	X(BREAK_DOWN,	REQ_F_PAUSED, "", "")				\
	X(BREAK_TOGGLE,	REQ_F_PAUSED, "turn the selected breakpoint on / off", "on/off") \
	X(BREAK_ADD,	REQ_F_PAUSED, "add one on an ID or a location (c0+0x1040, c0:5, c0)", "add") \
	X(BREAK_DELETE,	REQ_F_PAUSED, "delete the selected ID or location", "delete") \
	X(BREAK_CLOSE,	REQ_F_PAUSED | REQ_F_KEEP, "close the overlay", "close")	\
	/* prompts */							\
	X(PROMPT_OK,	REQ_F_PAUSED, "accept", "accept")		\
	X(PROMPT_CANCEL, REQ_F_PAUSED, "cancel", "cancel")		\
	X(PROMPT_ERASE,	REQ_F_PAUSED, "erase a character", "")		\
	X(PROMPT_CLEAR,	REQ_F_PAUSED, "erase the whole line", "")	\
	X(PROMPT_TYPE,	REQ_F_PAUSED, "type the text", "")		\
	/* help */							\
	X(HELP_UP,	REQ_F_PAUSED, "scroll the help", "scroll")	\
	X(HELP_DOWN,	REQ_F_PAUSED, "", "")				\
	X(HELP_PAGE_UP,	REQ_F_PAUSED, "scroll the help a page", "")	\
	X(HELP_PAGE_DOWN, REQ_F_PAUSED, "", "")				\
	X(HELP_CLOSE,	REQ_F_PAUSED | REQ_F_KEEP, "close the help", "close")

enum request {
#define X(name, flags, help, bar) REQ_##name,
	KEYS_REQUEST_LIST(X)
#undef X
	REQ_COUNT
};

/* Key codes that are not characters or curses KEY_* codes. */
#define KEYS_ANY	(-2)	/* any key the mode lists nowhere else */
#define KEYS_ESC	27
#define KEYS_CTRL(c)	((c) & 0x1f)

struct key_binding {
	enum mode	 mode;
	int		 key;		/* character, KEY_*, or KEYS_ANY */
	const char	*name;		/* as the help writes it: "Right" */
	enum request	 request;
};

/* The whole table in order (the help lists it in this order). */
const struct key_binding *keys_table(size_t *count);

/* What KEY does in MODE: the request, or REQ_NONE. */
enum request	 keys_lookup(enum mode mode, int key);

/* The request's help text, key-bar label and REQ_F_* flags. */
const char	*keys_request_help(enum request request);
const char	*keys_request_bar(enum request request);
unsigned	 keys_request_flags(enum request request);
const char	*keys_request_name(enum request request);	/* "NEXT_OP" */

/* The mode's title in the help ("Inspect mode ..."). */
const char	*keys_mode_title(enum mode mode);

/*
 * The help, one entry per line: each mode's title, then one line per
 * group of requests with a help text: "  Right, l      next op", at most
 * 76 columns (the inside of an 80-column box).  Returns the number of
 * lines the help has; writes at most MAX of them, from the FIRST.
 */
#define KEYS_LINE_MAX	120

size_t		 keys_help_lines(size_t first, char (*lines)[KEYS_LINE_MAX],
		    size_t max);

/*
 * The key bar of MODE into BUF (LEN bytes), at most WIDTH columns: " <-/h
 * back  ->/l next ..."; only requests with all the REQ_F_* flags NEED (0:
 * any); an item that does not fit is left out whole, and the REQ_F_KEEP
 * ones always fit.  UTF8 writes arrows as arrows.  Returns the columns.
 */
size_t		 keys_bar(enum mode mode, bool utf8, size_t width,
		    unsigned need, char *buf, size_t len);

/*
 * The keys of REQUEST's group in MODE as the README writes them: "Right,
 * `l`"; plain names for named keys, code spans for characters.
 */
size_t		 keys_markdown(enum mode mode, enum request request, char *buf,
		    size_t len);

#endif /* ZMM_KEYS_H */
