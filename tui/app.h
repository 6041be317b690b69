/*
 * app.h - the zmmviz viewer: a replay, what the current op did (events,
 * touched pages, the best-fit search), and the screen drawn from them.
 */
#ifndef ZMM_APP_H
#define ZMM_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "replay.h"
#include "trace.h"

#define APP_LOG_MAX	512	/* event lines kept for the log */
#define APP_TOUCH_MAX	256	/* page runs the current op touched */
#define APP_FIT_MAX	64	/* best-fit candidates shown */

struct app_options {
	bool		 ascii;		/* ASCII glyphs even in a UTF-8 locale */
	bool		 mono;		/* no colour (also NO_COLOR) */
};

struct app;

/* A viewer of TRACE (borrowed); NULL when out of memory. */
struct app	*app_new(const struct trace *trace,
		    const struct app_options *options);
void		 app_free(struct app *app);

/* Whether the locale lets the viewer draw UTF-8 glyphs (main decides). */
void		 app_set_utf8(struct app *app, bool utf8);

/* Runs the terminal UI until the user quits; 0, or -1 with a message. */
int		 app_run(struct app *app, char *err, size_t errlen);

#endif /* ZMM_APP_H */
