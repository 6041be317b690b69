/*
 * term.c - curses set-up, colours, mouse, signals, bounded writers.
 */
#include "config.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* ncurses' term.h, for setupterm(): "term.h" is this directory's own */
#if __has_include(<ncursesw/term.h>)
#include <ncursesw/term.h>
#else
#include <ncurses/term.h>
#endif

#include "term.h"

static SCREEN *screen;
static volatile sig_atomic_t signalled;

int
term_open(bool mouse, char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	int found;

	/* keys come from standard input: at its end getch() never waits */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "%s", isatty(STDIN_FILENO) ?
		    "standard output is not a terminal (the viewer draws "
		    "there)" : "standard input is not a terminal (the viewer "
		    "reads its keys there)");
		return -1;
	}
	if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0) {
		snprintf(err, errlen, "TERM is %s: the viewer needs a terminal "
		    "that can move the cursor", term && term[0] ? term :
		    "unset");
		return -1;
	}
	/*
	 * An unknown type is found out first: newterm() fails on one only
	 * after allocating what it never frees.
	 */
	if (setupterm(term, STDOUT_FILENO, &found) != OK) {
		snprintf(err, errlen, "cannot use terminal type '%s'", term);
		return -1;
	}
	del_curterm(cur_term);
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		snprintf(err, errlen, "cannot use terminal type '%s'", term);
		return -1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);	/* Esc alone, not the start of a sequence */
	if (mouse) {
		mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED |
		    BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	return 0;
}

void
term_close(void)
{
	if (screen == NULL)
		return;
	endwin();
	delscreen(screen);
	screen = NULL;
}

bool
term_colours(bool mono)
{
	if (mono || getenv("NO_COLOR") != NULL || !has_colors())
		return false;
	start_color();
	use_default_colors();
	init_pair(ROLE_FREE, COLOR_WHITE, -1);
	init_pair(ROLE_LARGE, COLOR_BLUE, -1);
	init_pair(ROLE_SMALL, COLOR_GREEN, -1);
	init_pair(ROLE_HEADER, COLOR_YELLOW, -1);
	init_pair(ROLE_TITLE, COLOR_CYAN, -1);
	init_pair(ROLE_ERROR, COLOR_RED, -1);
	return true;
}

void
term_role(bool colour, enum role role, bool on)
{
	if (!colour || role == ROLE_NONE)
		return;
	if (on)
		attron(COLOR_PAIR(role));
	else
		attroff(COLOR_PAIR(role));
}

static void
on_signal(int sig)
{
	signalled = sig;
}

void
term_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a blocked read returns, and the loop sees the flag */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
term_signalled(void)
{
	return signalled;
}

void
term_put(int y, int x, int width, const char *text)
{
	if (width > 0)
		mvaddnstr(y, x, text, width);
}

/* TEXT with its non-ASCII characters spelt in ASCII, into OUT. */
static void
ascii_fold(const char *text, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t at = 0;

	if (len == 0)
		return;
	while (*p != '\0' && at + 3 < len) {
		if (p[0] == 0xe2 && p[1] == 0x86 && p[2] == 0x92) {
			out[at++] = '-';
			out[at++] = '>';
			p += 3;
		} else if (*p >= 0x80) {
			/* one '?' per character: skip its continuation bytes */
			out[at++] = '?';
			p++;
			while ((*p & 0xc0) == 0x80)
				p++;
		} else {
			out[at++] = (char)*p++;
		}
	}
	out[at] = '\0';
}

void
term_put_text(int y, int x, int width, const char *text, bool utf8)
{
	char folded[512];
	const unsigned char *p;
	int cols = 0;
	size_t bytes = 0;

	if (width <= 0)
		return;
	if (!utf8) {
		ascii_fold(text, folded, sizeof(folded));
		term_put(y, x, width, folded);
		return;
	}
	/* cut at WIDTH columns, never inside a character */
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if ((*p & 0xc0) != 0x80) {
			if (cols == width)
				break;
			cols++;
		}
		bytes++;
	}
	mvaddnstr(y, x, text, (int)bytes);
}
