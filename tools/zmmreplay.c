/*
 * zmmreplay - replay an allocation trace through the zmmviz allocator core
 * and print what PHP 8.2's Zend memory manager would have done, as stable
 * text (shared/docs/replay-output.md) and JSON event lines (docs/events.md).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "replay.h"
#include "trace.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_TRACE = 1,		/* the trace had errors */
	EXIT_USAGE = 2,
	EXIT_INTERNAL = 3	/* unreadable file, out of memory, check failed */
};

static const char usage_text[] =
"usage: zmmreplay [OPTIONS] TRACE\n"
"Replays TRACE (.zmt, or a CS:APP .rep; - for standard input) through a\n"
"model of the PHP 8.2 Zend memory manager and prints what it did.\n"
"\n"
"  --ptrs         one line per op that returns a block: OPNO ID LOC\n"
"  --state        the heap at the end: statistics, chunks, bins, cache, huge\n"
"  --events       every allocator event as a JSON line (docs/events.md)\n"
"  --stats        the heap's statistics counters at the end\n"
"  --keep-going   report trace errors and skip them instead of stopping\n"
"  --check        check every heap invariant after every op\n"
"  -h, --help     show this help and exit\n"
"  -V, --version  show the version and the modelled PHP version\n"
"\n"
"With no output option, --state is printed.  Locations are cN+0xOFF (chunk\n"
"serial and offset) or huge:BYTES.  Exit status: 0 ok, 1 the trace had\n"
"errors, 2 usage error, 3 the file could not be read or a check failed.\n";

struct output {
	FILE	*out;
	char	 buf[1024];
};

static void
print_event(const struct zmm_event *event, void *arg)
{
	struct output *o = arg;
	int n = zmm_event_to_json(event, o->buf, sizeof(o->buf));

	if (n >= 0 && (size_t)n < sizeof(o->buf)) {
		fputs(o->buf, o->out);
	} else {
		char *big = malloc((size_t)n + 1);

		if (big == NULL)
			return;
		zmm_event_to_json(event, big, (size_t)n + 1);
		fputs(big, o->out);
		free(big);
	}
	fputc('\n', o->out);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ptrs", no_argument, NULL, 'p' },
		{ "state", no_argument, NULL, 's' },
		{ "events", no_argument, NULL, 'e' },
		{ "stats", no_argument, NULL, 'S' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct replay_options ropts = { false };
	struct output out = { stdout, "" };
	struct replay_step step;
	struct trace_error terr;
	struct trace *trace;
	struct replay *replay;
	const char *name;
	int ptrs = 0, state = 0, events = 0, stats = 0, keep_going = 0;
	int c, status, errors = 0, code = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
		switch (c) {
		case 'p': ptrs = 1; break;
		case 's': state = 1; break;
		case 'e': events = 1; break;
		case 'S': stats = 1; break;
		case 'k': keep_going = 1; break;
		case 'c': ropts.check = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("zmmreplay (zmmviz) %s\nmodels the Zend memory "
			    "manager of %s\n", PACKAGE_VERSION, ZMM_PHP_MODEL);
			return EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "zmmreplay: %s\n%s", optind < argc ?
		    "give exactly one TRACE" : "no TRACE given", usage_text);
		return EXIT_USAGE;
	}
	if (!ptrs && !state && !events && !stats)
		state = 1;
	if (trace_load_file(argv[optind], &trace, &terr) != 0) {
		if (terr.line != 0)
			fprintf(stderr, "%s:%lu: error: %s\n", terr.file,
			    terr.line, terr.msg);
		else
			fprintf(stderr, "zmmreplay: %s: %s\n", terr.file,
			    terr.msg);
		return EXIT_INTERNAL;
	}
	name = trace_name(trace);
	replay = replay_new(trace, &ropts, &status);
	if (replay == NULL) {
		fprintf(stderr, "zmmreplay: cannot create a heap: %s\n",
		    zmm_strerror(status));
		trace_free(trace);
		return EXIT_INTERNAL;
	}
	if (events)
		replay_listen(replay, print_event, &out);
	while (replay_step(replay, &step) != REPLAY_END) {
		switch (step.status) {
		case REPLAY_OK:
			if (ptrs && step.has_block)
				dump_ptr(stdout, step.item->opno, step.id,
				    &step.loc);
			break;
		case REPLAY_OP_FAILED:
			if (ptrs)
				dump_ptr_error(stdout, step.item->opno, step.id,
				    step.msg);
			break;
		case REPLAY_WARNING:
			fflush(stdout);
			fprintf(stderr, "%s:%lu: warning: %s\n", name,
			    (unsigned long)step.item->line, step.msg);
			break;
		case REPLAY_TRACE_ERROR:
			fflush(stdout);
			fprintf(stderr, "%s:%lu: error: %s\n", name,
			    (unsigned long)step.item->line, step.msg);
			errors++;
			code = EXIT_TRACE;
			break;
		case REPLAY_CHECK_FAILED:
			fflush(stdout);
			fprintf(stderr, "%s:%lu: internal error: %s\n", name,
			    (unsigned long)step.item->line, step.msg);
			code = EXIT_INTERNAL;
			break;
		case REPLAY_END:
			break;
		}
		if (code == EXIT_INTERNAL || (code == EXIT_TRACE && !keep_going))
			break;
	}
	if (state)
		dump_state(stdout, replay_heap(replay));
	if (stats)
		dump_stats(stdout, replay_heap(replay));
	if (errors > 1)
		fprintf(stderr, "%s: %d errors\n", name, errors);
	replay_free(replay);
	trace_free(trace);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "zmmreplay: write error on standard output\n");
		return EXIT_INTERNAL;
	}
	return code;
}
