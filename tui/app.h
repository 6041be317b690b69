/*
 * app.h - the zmmviz viewer: the terminal, the main loop, and what each
 * key's request does to the player (player.h) and the viewer's state
 * (ui.h); the screen itself is draw.h's.
 */
#ifndef ZMM_APP_H
#define ZMM_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "trace.h"

struct app_options {
	bool		 ascii;		/* ASCII glyphs even in a UTF-8 locale */
	bool		 mono;		/* no colour (also NO_COLOR) */
	bool		 no_mouse;	/* leave the mouse to the terminal */
};

struct app;

/* A viewer of TRACE (borrowed); NULL when out of memory. */
struct app	*app_new(const struct trace *trace,
		    const struct app_options *options);
void		 app_free(struct app *app);

/* Whether the locale lets the viewer draw UTF-8 glyphs (main decides). */
void		 app_set_utf8(struct app *app, bool utf8);

/*
 * Runs the terminal UI until the user quits or a signal (SIGINT, SIGTERM,
 * SIGHUP) ends it, restoring the terminal either way.  0 on quit, the
 * signal's number, or -1 with a message in ERR.
 */
int		 app_run(struct app *app, char *err, size_t errlen);

#endif /* ZMM_APP_H */
