/*
 * zmmreplay - replay an allocation trace through the zmmviz allocator core
 * and print what PHP 8.2's Zend memory manager would have done, as stable
 * text (shared/docs/replay-output.md), JSON event lines (docs/events.md)
 * and statistics; or convert a CS:APP .rep trace to .zmt.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "replay.h"
#include "trace.h"
#include "tracestats.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_TRACE = 1,		/* the trace had errors */
	EXIT_USAGE = 2,
	EXIT_INTERNAL = 3	/* unreadable file, out of memory, check failed */
};

static const char usage_text[] =
"usage: zmmreplay [OPTIONS] TRACE\n"
"       zmmreplay --to-zmt [-o FILE] [--keep-going] TRACE.rep\n"
"Replays TRACE (.zmt, or a CS:APP .rep; - for standard input) through a\n"
"model of the PHP 8.2 Zend memory manager and prints what it did.\n"
"\n"
"  --ptrs         one line per op that returns a block: OPNO ID LOC\n"
"  --state        the heap at the end: statistics, chunks, bins, cache, huge\n"
"  --events       every allocator event as a JSON line (docs/events.md)\n"
"  --stats        trace statistics: ops, peaks, utilisation, rounding waste,\n"
"                 small runs and chunks at the end, then the heap's counters\n"
"  --json         print --stats as one JSON object (implies --stats)\n"
"  --to-zmt       convert a CS:APP .rep TRACE to .zmt (a .zmt is refused)\n"
"  -o FILE        write the --to-zmt output to FILE, not standard output\n"
"  --keep-going   report trace errors and skip them instead of stopping\n"
"  --check        check every heap invariant after every op\n"
"  -h, --help     show this help and exit\n"
"  -V, --version  show the version and the modelled PHP version\n"
"\n"
"With no output option, --state is printed.  Locations are cN+0xOFF (chunk\n"
"serial and offset) or huge:BYTES.  Exit status: 0 ok, 1 the trace had\n"
"errors, 2 usage error, 3 the file could not be read or a check failed.\n";

/* Reports a step's trace error, warning or check failure on stderr. */
static void
report(const char *name, const struct replay_step *step)
{
	const char *what = step->status == REPLAY_WARNING ? "warning" :
	    step->status == REPLAY_TRACE_ERROR ? "error" : "internal error";

	fflush(stdout);
	fprintf(stderr, "%s:%lu: %s: %s\n", name,
	    (unsigned long)step->item->line, what, step->msg);
}

/* TEXT (LEN bytes) as a .zmt quoted string. */
static void
write_quoted(FILE *out, const char *text, size_t len)
{
	unsigned char c;
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		c = (unsigned char)text[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);	/* UTF-8 was checked by the reader */
	}
	fputc('"', out);
}

/*
 * The .zmt line of item IT.  WAS_LIVE tells whether its ID named a live
 * block before the item: a .rep `r` on a dead ID is realloc(NULL, SIZE),
 * which is what `alloc` does.
 */
static void
write_item(FILE *out, const struct trace *trace, const struct trace_item *it,
    bool was_live)
{
	const char *id = NULL, *text;
	size_t len;

	if (trace_kind_has_id(it->kind))
		id = trace_id_name(trace, it->id);
	text = trace_item_text(trace, it, &len);
	switch (it->kind) {
	case TRACE_ALLOC:
		fprintf(out, "alloc %s %" PRIu64 "\n", id, it->size);
		break;
	case TRACE_FREE:
		fprintf(out, "free %s\n", id);
		break;
	case TRACE_REALLOC:
		if (was_live)
			fprintf(out, "realloc %s %" PRIu64 "\n", id, it->size);
		else
			fprintf(out, "alloc %s %" PRIu64 "\t# r on a dead ID: "
			    "realloc(NULL, %" PRIu64 ")\n", id, it->size,
			    it->size);
		break;
	case TRACE_CALLOC:
		fprintf(out, "calloc %s %" PRIu64 " %" PRIu64 "\n", id,
		    it->count, it->size);
		break;
	case TRACE_STRDUP:
		fprintf(out, "strdup %s ", id);
		write_quoted(out, text, len);
		fputc('\n', out);
		break;
	case TRACE_GC:
		fputs("gc\n", out);
		break;
	case TRACE_RESET:
		fputs("reset\n", out);
		break;
	case TRACE_FREE_NULL:
		/* .zmt has no op that does nothing: later OPNOs drop by one */
		fprintf(out, "# f -1 (op %" PRIu64 "): free(NULL), a no-op\n",
		    it->opno);
		break;
	case TRACE_TITLE:
	case TRACE_CAPTION:
		fputs(it->kind == TRACE_TITLE ? "@title " : "@caption ", out);
		write_quoted(out, text, len);
		fputc('\n', out);
		break;
	case TRACE_PAUSE:
		fputs("@pause\n", out);
		break;
	case TRACE_MARK:
		fprintf(out, "@mark %s\n", text);
		break;
	case TRACE_LIMIT:
		fprintf(out, "@limit %" PRIu64 "\n", it->size);
		break;
	default:
		break;
	}
}

/*
 * --to-zmt: steps a replay of the .rep TRACE so that its errors are the
 * ones a replay reports and the liveness of every `r` is known, writing
 * each item carried out as .zmt.  Returns the exit code.
 */
static int
to_zmt(struct trace *trace, const char *outname, bool keep_going)
{
	struct trace_item next;
	const char *name = trace_name(trace);
	struct replay_options ropts = { false };
	struct replay_step step;
	struct replay *replay;
	FILE *out = stdout;
	bool was_live;
	int status, code = EXIT_OK, errors = 0;

	if (trace_format(trace) != TRACE_FORMAT_REP) {
		fprintf(stderr, "zmmreplay: %s: not a CS:APP .rep trace (no "
		    "four-number header): --to-zmt only converts .rep files\n",
		    name);
		return EXIT_USAGE;
	}
	replay = replay_new(trace, &ropts, &status);
	if (replay == NULL) {
		fprintf(stderr, "zmmreplay: cannot create a heap: %s\n",
		    zmm_strerror(status));
		return EXIT_INTERNAL;
	}
	if (outname != NULL && (out = fopen(outname, "w")) == NULL) {
		fprintf(stderr, "zmmreplay: %s: %s\n", outname, strerror(errno));
		replay_free(replay);
		return EXIT_INTERNAL;
	}
	fprintf(out, "# %s, converted from CS:APP .rep to .zmt\n", name);
	for (;;) {
		was_live = false;
		if (replay_position(replay) < trace_item_count(trace)) {
			next = trace_item_at(trace, replay_position(replay));
			was_live = trace_kind_has_id(next.kind) &&
			    replay_block(replay, next.id, NULL, NULL, NULL);
		}
		if (replay_step(replay, &step) == REPLAY_END)
			break;
		switch (step.status) {
		case REPLAY_TRACE_ERROR:
			report(name, &step);
			errors++;
			code = EXIT_TRACE;
			break;
		case REPLAY_CHECK_FAILED:
			report(name, &step);
			code = EXIT_INTERNAL;
			break;
		case REPLAY_WARNING:
			report(name, &step);
			/* FALLTHROUGH */
		default:
			write_item(out, trace, step.item, was_live);
			break;
		}
		if (code == EXIT_INTERNAL || (code == EXIT_TRACE && !keep_going))
			break;
	}
	if (errors > 1)
		fprintf(stderr, "%s: %d errors\n", name, errors);
	replay_free(replay);
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(stderr, "zmmreplay: write error on %s\n",
		    outname != NULL ? outname : "standard output");
		code = EXIT_INTERNAL;
	}
	if (outname != NULL) {
		if (fclose(out) != 0 && code == EXIT_OK) {
			fprintf(stderr, "zmmreplay: write error on %s\n",
			    outname);
			code = EXIT_INTERNAL;
		}
		/* no half-converted file is left behind */
		if (code != EXIT_OK)
			remove(outname);
	}
	return code;
}

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
		{ "json", no_argument, NULL, 'j' },
		{ "to-zmt", no_argument, NULL, 'z' },
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
	struct tracestats ts;
	struct trace *trace;
	struct replay *replay;
	const char *name, *outname = NULL;
	int ptrs = 0, state = 0, events = 0, stats = 0, keep_going = 0;
	int json = 0, zmt = 0;
	int c, status, errors = 0, code = EXIT_OK;

	while ((c = getopt_long(argc, argv, "hVo:", options, NULL)) != -1) {
		switch (c) {
		case 'p': ptrs = 1; break;
		case 's': state = 1; break;
		case 'e': events = 1; break;
		case 'S': stats = 1; break;
		case 'j': json = stats = 1; break;
		case 'z': zmt = 1; break;
		case 'o': outname = optarg; break;
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
	if (zmt && (ptrs || state || events || stats || ropts.check)) {
		fprintf(stderr, "zmmreplay: --to-zmt takes no other output "
		    "option\n%s", usage_text);
		return EXIT_USAGE;
	}
	if (outname != NULL && !zmt) {
		fprintf(stderr, "zmmreplay: -o goes with --to-zmt\n%s",
		    usage_text);
		return EXIT_USAGE;
	}
	if (!ptrs && !state && !events && !stats && !zmt)
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
	if (zmt) {
		code = to_zmt(trace, outname, keep_going);
		trace_free(trace);
		return code;
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
	if (stats && tracestats_start(&ts, replay) != 0) {
		fprintf(stderr, "zmmreplay: no listener slot for --stats\n");
		replay_free(replay);
		trace_free(trace);
		return EXIT_INTERNAL;
	}
	while (replay_step(replay, &step) != REPLAY_END) {
		if (stats)
			tracestats_step(&ts, &step);
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
			report(name, &step);
			break;
		case REPLAY_TRACE_ERROR:
			report(name, &step);
			errors++;
			code = EXIT_TRACE;
			break;
		case REPLAY_CHECK_FAILED:
			report(name, &step);
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
	if (stats) {
		if (tracestats_finish(&ts) != 0) {
			fprintf(stderr, "zmmreplay: out of memory\n");
			code = EXIT_INTERNAL;
		} else if (json) {
			dump_tracestats_json(stdout, &ts);
		} else {
			dump_tracestats(stdout, &ts);
		}
		tracestats_free(&ts);
	}
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
