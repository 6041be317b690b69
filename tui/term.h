/*
 * term.h - the terminal under the viewer: curses set up and torn down,
 * colour roles, mouse, the signals that end it, and small writers that
 * never run past a width.  Everything curses-specific that is not a view.
 */
#ifndef ZMM_TERM_H
#define ZMM_TERM_H

#include <stdbool.h>
#include <stddef.h>

/* Colour roles: what a colour means, never the only carrier of it. */
enum role {
	ROLE_NONE,
	ROLE_FREE,		/* free pages */
	ROLE_LARGE,		/* large runs */
	ROLE_SMALL,		/* small runs */
	ROLE_HEADER,		/* chunk headers */
	ROLE_TITLE,		/* the header line */
	ROLE_ERROR		/* notices */
};

/*
 * Starts curses on standard input and output: keys, no echo, hidden
 * cursor, the mouse if MOUSE.  0, or -1 with a message in ERR (standard
 * input or output not a terminal, TERM unset or dumb, an unknown
 * terminal).
 */
int	term_open(bool mouse, char *err, size_t errlen);

/* Restores the terminal (safe to call twice). */
void	term_close(void);

/* Starts colours unless MONO or NO_COLOR; whether they are on. */
bool	term_colours(bool mono);

/* Turns colour ROLE on or off (nothing when COLOUR is false). */
void	term_role(bool colour, enum role role, bool on);

/*
 * SIGINT, SIGTERM and SIGHUP end the viewer cleanly: the handler only
 * notes the signal; the loops see it with term_signalled() and quit,
 * restoring the terminal.
 */
void	term_catch_signals(void);
int	term_signalled(void);

/* Writes TEXT at (Y, X), at most WIDTH columns (TEXT is ASCII). */
void	term_put(int y, int x, int width, const char *text);

/*
 * Writes TEXT, which may hold UTF-8, at (Y, X) in at most WIDTH columns;
 * with UTF8 false its non-ASCII characters are spelt in ASCII first
 * ("->" for an arrow, "?" for others).
 */
void	term_put_text(int y, int x, int width, const char *text, bool utf8);

#endif /* ZMM_TERM_H */
