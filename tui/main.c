/*
 * zmmviz - watch PHP 8.2's Zend memory manager work, op by op, in a
 * terminal: every chunk's 512-page map, the bins' free lists, the best-fit
 * search and the allocator's events in words.  With no FILE it opens a
 * built-in guided tour.
 */
#include "config.h"

#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "trace.h"

extern const char zmmviz_demo[];	/* demo.c, made from demo.zmt */

static const char usage_text[] =
"usage: zmmviz [OPTIONS] [TRACE]\n"
"Replays TRACE (.zmt, or a CS:APP .rep) through a model of the PHP 8.2\n"
"Zend memory manager and shows every chunk's page map, the bins' free\n"
"lists and the allocator's decisions, op by op.  With no TRACE, a\n"
"built-in guided tour.\n"
"\n"
"  --ascii        ASCII glyphs only (the default outside UTF-8 locales)\n"
"  --mono         no colour (NO_COLOR in the environment does the same)\n"
"  --no-mouse     leave the mouse to the terminal (no clicks, no wheel)\n"
"  -h, --help     show this help and exit\n"
"  -V, --version  show the version and the modelled PHP version\n"
"\n"
"Keys: Right/l next op, Left/h previous op, ./, next/previous event,\n"
"Space play/pause, +/- speed, g go to op, b breakpoints, / search, n/N\n"
"next/previous match, i inspect, Tab focus, ? help (every key), q quit.\n";

/*
 * A trace with no op has nothing to step through: says so, after the
 * errors of its lines if it has any (a cut .rep header, a bad directive).
 */
static void
say_no_ops(const struct trace *trace)
{
	size_t i, n = trace_item_count(trace);
	struct trace_item it;

	for (i = 0; i < n; i++) {
		trace_item_get(trace, i, &it);
		if (it.kind == TRACE_BAD)
			fprintf(stderr, "%s:%lu: error: %s\n",
			    trace_name(trace), (unsigned long)it.line,
			    trace_item_text(trace, &it, NULL));
	}
	fprintf(stderr, "zmmviz: %s: the trace holds no op, nothing to "
	    "replay\n", trace_name(trace));
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ascii", no_argument, NULL, 'a' },
		{ "mono", no_argument, NULL, 'm' },
		{ "no-mouse", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct app_options opt = { false, false, false };
	struct trace_error terr;
	struct trace *trace;
	struct app *app;
	const char *codeset;
	char err[512];
	int c, rc;

	setlocale(LC_ALL, "");
	while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
		switch (c) {
		case 'a': opt.ascii = true; break;
		case 'm': opt.mono = true; break;
		case 'n': opt.no_mouse = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("zmmviz %s\nmodels the Zend memory manager of %s\n",
			    PACKAGE_VERSION, ZMM_PHP_MODEL);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "zmmviz: give at most one TRACE\n%s", usage_text);
		return 2;
	}
	if (optind < argc)
		rc = trace_load_file(argv[optind], &trace, &terr);
	else
		rc = trace_load_mem("(built-in tour)", zmmviz_demo,
		    strlen(zmmviz_demo), &trace, &terr);
	if (rc != 0) {
		fprintf(stderr, "zmmviz: %s: %s\n", terr.file, terr.msg);
		return 3;
	}
	if (trace_op_count(trace) == 0) {
		say_no_ops(trace);
		trace_free(trace);
		return 3;
	}
	app = app_new(trace, &opt);
	if (app == NULL) {
		fprintf(stderr, "zmmviz: out of memory\n");
		trace_free(trace);
		return 3;
	}
	codeset = nl_langinfo(CODESET);
	app_set_utf8(app, codeset != NULL && strcmp(codeset, "UTF-8") == 0);
	rc = app_run(app, err, sizeof(err));
	app_free(app);
	trace_free(trace);
	if (rc < 0) {
		fprintf(stderr, "zmmviz: %s\n", err);
		return 3;
	}
	/* ended by a signal: the terminal is restored; exit as a shell says */
	return rc > 0 ? 128 + rc : 0;
}
