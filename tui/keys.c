/*
 * keys.c - the key table (mode, key, name, request) and what is written
 * from it: the help lines, the key bar, the README's key cells.
 *
 * A request whose help text is empty belongs to the group of the request
 * before it ("n / N  next / previous match"): one help line, one bar item.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"

/* mode, key, name (as the help writes it), request */
#define KEYS_BINDING_LIST(X)						\
	X(NORMAL,  KEY_LEFT,	"Left",		PREV_OP)		\
	X(NORMAL,  'h',		"h",		PREV_OP)		\
	X(NORMAL,  KEY_RIGHT,	"Right",	NEXT_OP)		\
	X(NORMAL,  'l',		"l",		NEXT_OP)		\
	X(NORMAL,  '.',		".",		NEXT_EVENT)		\
	X(NORMAL,  ',',		",",		PREV_EVENT)		\
	X(NORMAL,  ' ',		"Space",	PLAY)			\
	X(NORMAL,  '+',		"+",		FASTER)			\
	X(NORMAL,  '=',		"=",		FASTER)			\
	X(NORMAL,  '-',		"-",		SLOWER)			\
	X(NORMAL,  'g',		"g",		GOTO)			\
	X(NORMAL,  KEY_HOME,	"Home",		FIRST)			\
	X(NORMAL,  KEY_END,	"End",		LAST)			\
	X(NORMAL,  'm',		"m",		MARK)			\
	X(NORMAL,  '\'',	"'",		JUMP_MARK)		\
	X(NORMAL,  '/',		"/",		SEARCH)			\
	X(NORMAL,  'n',		"n",		NEXT_MATCH)		\
	X(NORMAL,  'N',		"N",		PREV_MATCH)		\
	X(NORMAL,  'b',		"b",		BREAKS)			\
	X(NORMAL,  'i',		"i",		INSPECT)		\
	X(NORMAL,  '\t',	"Tab",		FOCUS)			\
	X(NORMAL,  KEY_UP,	"Up",		UP)			\
	X(NORMAL,  'k',		"k",		UP)			\
	X(NORMAL,  KEY_DOWN,	"Down",		DOWN)			\
	X(NORMAL,  'j',		"j",		DOWN)			\
	X(NORMAL,  KEY_PPAGE,	"PgUp",		PAGE_UP)		\
	X(NORMAL,  KEY_NPAGE,	"PgDn",		PAGE_DOWN)		\
	X(NORMAL,  KEY_MOUSE,	"mouse",	MOUSE)			\
	X(NORMAL,  '?',		"?",		HELP)			\
	X(NORMAL,  KEYS_CTRL('l'), "Ctrl-L",	REDRAW)			\
	X(NORMAL,  'q',		"q",		QUIT)			\
									\
	X(INSPECT, KEY_LEFT,	"Left",		CURSOR_LEFT)		\
	X(INSPECT, 'h',		"h",		CURSOR_LEFT)		\
	X(INSPECT, KEY_RIGHT,	"Right",	CURSOR_RIGHT)		\
	X(INSPECT, 'l',		"l",		CURSOR_RIGHT)		\
	X(INSPECT, KEY_UP,	"Up",		CURSOR_UP)		\
	X(INSPECT, 'k',		"k",		CURSOR_UP)		\
	X(INSPECT, KEY_DOWN,	"Down",		CURSOR_DOWN)		\
	X(INSPECT, 'j',		"j",		CURSOR_DOWN)		\
	X(INSPECT, KEY_HOME,	"Home",		CURSOR_FIRST)		\
	X(INSPECT, KEY_END,	"End",		CURSOR_LAST)		\
	X(INSPECT, KEY_PPAGE,	"PgUp",		CHUNK_PREV)		\
	X(INSPECT, KEY_NPAGE,	"PgDn",		CHUNK_NEXT)		\
	X(INSPECT, '\n',	"Enter",	DETAIL)			\
	X(INSPECT, KEY_ENTER,	"Enter",	DETAIL)			\
	X(INSPECT, '.',		".",		NEXT_EVENT)		\
	X(INSPECT, ',',		",",		PREV_EVENT)		\
	X(INSPECT, KEY_MOUSE,	"mouse",	MOUSE)			\
	X(INSPECT, '?',		"?",		HELP)			\
	X(INSPECT, KEYS_CTRL('l'), "Ctrl-L",	REDRAW)			\
	X(INSPECT, KEYS_ESC,	"Esc",		LEAVE)			\
	X(INSPECT, 'i',		"i",		LEAVE)			\
	X(INSPECT, 'q',		"q",		LEAVE)			\
									\
	X(DETAIL,  KEY_UP,	"Up",		SLOT_PREV)		\
	X(DETAIL,  'k',		"k",		SLOT_PREV)		\
	X(DETAIL,  KEY_DOWN,	"Down",		SLOT_NEXT)		\
	X(DETAIL,  'j',		"j",		SLOT_NEXT)		\
	X(DETAIL,  KEY_LEFT,	"Left",		CURSOR_LEFT)		\
	X(DETAIL,  'h',		"h",		CURSOR_LEFT)		\
	X(DETAIL,  KEY_RIGHT,	"Right",	CURSOR_RIGHT)		\
	X(DETAIL,  'l',		"l",		CURSOR_RIGHT)		\
	X(DETAIL,  KEY_PPAGE,	"PgUp",		DETAIL_UP)		\
	X(DETAIL,  KEY_NPAGE,	"PgDn",		DETAIL_DOWN)		\
	X(DETAIL,  '\n',	"Enter",	DETAIL)			\
	X(DETAIL,  KEY_ENTER,	"Enter",	DETAIL)			\
	X(DETAIL,  '.',		".",		NEXT_EVENT)		\
	X(DETAIL,  ',',		",",		PREV_EVENT)		\
	X(DETAIL,  KEY_MOUSE,	"mouse",	MOUSE)			\
	X(DETAIL,  '?',		"?",		HELP)			\
	X(DETAIL,  KEYS_CTRL('l'), "Ctrl-L",	REDRAW)			\
	X(DETAIL,  KEYS_ESC,	"Esc",		LEAVE)			\
	X(DETAIL,  'i',		"i",		LEAVE)			\
	X(DETAIL,  'q',		"q",		LEAVE)			\
									\
	X(BREAKS,  KEY_UP,	"Up",		BREAK_UP)		\
	X(BREAKS,  'k',		"k",		BREAK_UP)		\
	X(BREAKS,  KEY_DOWN,	"Down",		BREAK_DOWN)		\
	X(BREAKS,  'j',		"j",		BREAK_DOWN)		\
	X(BREAKS,  ' ',		"Space",	BREAK_TOGGLE)		\
	X(BREAKS,  '\n',	"Enter",	BREAK_TOGGLE)		\
	X(BREAKS,  KEY_ENTER,	"Enter",	BREAK_TOGGLE)		\
	X(BREAKS,  'a',		"a",		BREAK_ADD)		\
	X(BREAKS,  'd',		"d",		BREAK_DELETE)		\
	X(BREAKS,  KEY_DC,	"Delete",	BREAK_DELETE)		\
	X(BREAKS,  '?',		"?",		HELP)			\
	X(BREAKS,  KEYS_CTRL('l'), "Ctrl-L",	REDRAW)			\
	X(BREAKS,  KEYS_ESC,	"Esc",		BREAK_CLOSE)		\
	X(BREAKS,  'b',		"b",		BREAK_CLOSE)		\
	X(BREAKS,  'q',		"q",		BREAK_CLOSE)		\
									\
	X(PROMPT,  '\n',	"Enter",	PROMPT_OK)		\
	X(PROMPT,  KEY_ENTER,	"Enter",	PROMPT_OK)		\
	X(PROMPT,  KEYS_ESC,	"Esc",		PROMPT_CANCEL)		\
	X(PROMPT,  KEY_BACKSPACE, "Backspace",	PROMPT_ERASE)		\
	X(PROMPT,  127,		"Backspace",	PROMPT_ERASE)		\
	X(PROMPT,  KEYS_CTRL('h'), "Backspace",	PROMPT_ERASE)		\
	X(PROMPT,  KEYS_CTRL('u'), "Ctrl-U",	PROMPT_CLEAR)		\
	X(PROMPT,  KEYS_ANY,	"other keys",	PROMPT_TYPE)		\
									\
	X(HELP,    KEY_UP,	"Up",		HELP_UP)		\
	X(HELP,    'k',		"k",		HELP_UP)		\
	X(HELP,    KEY_DOWN,	"Down",		HELP_DOWN)		\
	X(HELP,    'j',		"j",		HELP_DOWN)		\
	X(HELP,    KEY_PPAGE,	"PgUp",		HELP_PAGE_UP)		\
	X(HELP,    KEY_NPAGE,	"PgDn",		HELP_PAGE_DOWN)		\
	X(HELP,    KEYS_ANY,	"any other key", HELP_CLOSE)

static const struct key_binding table[] = {
#define X(mode, key, name, req) { MODE_##mode, key, name, REQ_##req },
	KEYS_BINDING_LIST(X)
#undef X
};
#define NTABLE	(sizeof(table) / sizeof(table[0]))

static const struct {
	const char	*name;
	unsigned	 flags;
	const char	*help;
	const char	*bar;
} requests[] = {
#define X(name, flags, help, bar) { #name, flags, help, bar },
	KEYS_REQUEST_LIST(X)
#undef X
};

static const char *const mode_titles[] = {
#define X(name, title) title,
	KEYS_MODE_LIST(X)
#undef X
};

const struct key_binding *
keys_table(size_t *count)
{
	*count = NTABLE;
	return table;
}

enum request
keys_lookup(enum mode mode, int key)
{
	enum request any = REQ_NONE;
	size_t i;

	for (i = 0; i < NTABLE; i++) {
		if (table[i].mode != mode)
			continue;
		if (table[i].key == key)
			return table[i].request;
		if (table[i].key == KEYS_ANY)
			any = table[i].request;
	}
	/* KEY_RESIZE and KEY_MOUSE are never "any other key" */
	if (key == KEY_RESIZE || key == KEY_MOUSE || key == ERR)
		return REQ_NONE;
	return any;
}

const char *
keys_request_help(enum request request)
{
	return (unsigned)request < REQ_COUNT ? requests[request].help : "";
}

const char *
keys_request_bar(enum request request)
{
	return (unsigned)request < REQ_COUNT ? requests[request].bar : "";
}

unsigned
keys_request_flags(enum request request)
{
	return (unsigned)request < REQ_COUNT ? requests[request].flags : 0;
}

const char *
keys_request_name(enum request request)
{
	return (unsigned)request < REQ_COUNT ? requests[request].name : "?";
}

const char *
keys_mode_title(enum mode mode)
{
	return (unsigned)mode < MODE_COUNT ? mode_titles[mode] : "?";
}

/* The request that heads REQUEST's group: itself unless its help is empty. */
static enum request
group_head(enum request request)
{
	while (request > REQ_NONE + 1 && requests[request].help[0] == '\0')
		request--;
	return request;
}

static bool
in_group(enum request head, enum request request)
{
	return request != REQ_NONE && group_head(request) == head;
}

/* Appends TEXT to BUF (AT bytes used, LEN in all), cutting at the end. */
static void
append(char *buf, size_t len, size_t *at, const char *text)
{
	int n;

	if (*at >= len)
		return;
	n = snprintf(buf + *at, len - *at, "%s", text);
	if (n > 0)
		*at += (size_t)n < len - *at ? (size_t)n : len - *at - 1;
}

/* How the key bar names a key: arrows as arrows, " " as space. */
static const char *
short_name(const struct key_binding *b, bool utf8)
{
	switch (b->key) {
	case KEY_LEFT:	return utf8 ? "\u2190" : "<-";
	case KEY_RIGHT:	return utf8 ? "\u2192" : "->";
	case KEY_UP:	return utf8 ? "\u2191" : "^";
	case KEY_DOWN:	return utf8 ? "\u2193" : "v";
	case ' ':	return "space";
	default:	return b->name;
	}
}

enum style { STYLE_HELP, STYLE_BAR, STYLE_MARKDOWN };

/*
 * The keys of the group headed by HEAD in MODE: one request's keys joined
 * by ", " (help, README) or "/" (bar), the group's requests by " / "
 * (help, README) or "/" (bar); a name given twice is written once.
 */
static size_t
group_keys(enum mode mode, enum request head, enum style style, bool utf8,
    char *buf, size_t len)
{
	enum request r, last = REQ_NONE;
	const char *seen[16];
	size_t i, j, nseen = 0, at = 0;

	buf[0] = '\0';
	for (r = head; r < REQ_COUNT && in_group(head, r); r++) {
		for (i = 0; i < NTABLE; i++) {
			const struct key_binding *b = &table[i];
			const char *name;
			bool dup = false;

			if (b->mode != mode || b->request != r)
				continue;
			name = style == STYLE_BAR ? short_name(b, utf8) :
			    b->name;
			for (j = 0; j < nseen; j++)
				dup |= strcmp(seen[j], name) == 0;
			if (dup)
				continue;
			if (nseen < sizeof(seen) / sizeof(seen[0]))
				seen[nseen++] = name;
			if (at > 0)
				append(buf, len, &at, style == STYLE_BAR ? "/" :
				    r != last ? " / " : ", ");
			last = r;
			if (style == STYLE_MARKDOWN && strlen(name) == 1) {
				append(buf, len, &at, "`");
				append(buf, len, &at, name);
				append(buf, len, &at, "`");
			} else {
				append(buf, len, &at, name);
			}
		}
	}
	return at;
}

/* The group heads of MODE, in the order the table lists them. */
static size_t
mode_heads(enum mode mode, enum request *heads, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < NTABLE; i++) {
		enum request head;
		bool dup = false;

		if (table[i].mode != mode)
			continue;
		head = group_head(table[i].request);
		for (j = 0; j < n; j++)
			dup |= heads[j] == head;
		if (!dup && n < max)
			heads[n++] = head;
	}
	return n;
}

size_t
keys_help_lines(size_t first, char (*lines)[KEYS_LINE_MAX], size_t max)
{
	enum request heads[REQ_COUNT];
	size_t total = 0, n, i;
	enum mode mode;
	char keys[80];

#define LINE(...) do {							\
	if (total >= first && total - first < max)			\
		snprintf(lines[total - first], KEYS_LINE_MAX, __VA_ARGS__); \
	total++;							\
} while (0)
	for (mode = 0; mode < MODE_COUNT; mode++) {
		if (mode > 0)
			LINE("%s", "");
		LINE("%s", keys_mode_title(mode));
		n = mode_heads(mode, heads, REQ_COUNT);
		for (i = 0; i < n; i++) {
			group_keys(mode, heads[i], STYLE_HELP, false, keys,
			    sizeof(keys));
			LINE("  %-18s %s", keys, keys_request_help(heads[i]));
		}
		if (mode == MODE_NORMAL) {
			LINE("  %s", "Inside an op (after . or ,) the keys of "
			    "events, views, help");
			LINE("  %s", "and breakpoints act at once; the others "
			    "first finish the op.");
		}
	}
#undef LINE
	return total;
}

size_t
keys_bar(enum mode mode, bool utf8, size_t width, unsigned need, char *buf,
    size_t len)
{
	enum request heads[REQ_COUNT];
	char items[REQ_COUNT][64];
	size_t n, i, keep = 0, at = 0, cols = 0, w[REQ_COUNT];

	if (len == 0)
		return 0;
	buf[0] = '\0';
	n = mode_heads(mode, heads, REQ_COUNT);
	for (i = 0; i < n; i++) {
		const unsigned char *p;
		char keys[48];

		w[i] = 0;
		if (keys_request_bar(heads[i])[0] == '\0' ||
		    (keys_request_flags(heads[i]) & need) != need)
			continue;
		group_keys(mode, heads[i], STYLE_BAR, utf8, keys, sizeof(keys));
		snprintf(items[i], sizeof(items[i]), " %s %s ", keys,
		    keys_request_bar(heads[i]));
		/* columns, not bytes: an arrow is 3 bytes wide 1 */
		for (p = (const unsigned char *)items[i]; *p; p++)
			w[i] += (*p & 0xc0) != 0x80;
		if (keys_request_flags(heads[i]) & REQ_F_KEEP)
			keep += w[i];
	}
	for (i = 0; i < n; i++) {
		if (w[i] == 0)
			continue;
		if (keys_request_flags(heads[i]) & REQ_F_KEEP)
			keep -= w[i];
		else if (cols + w[i] + keep > width)
			continue;
		if (cols + w[i] > width)
			break;
		append(buf, len, &at, items[i]);
		cols += w[i];
	}
	return cols;
}

size_t
keys_markdown(enum mode mode, enum request request, char *buf, size_t len)
{
	return group_keys(mode, group_head(request), STYLE_MARKDOWN, false,
	    buf, len);
}
