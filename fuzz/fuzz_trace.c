/*
 * fuzz_trace.c - a libFuzzer target over the trace reader and the replay.
 *
 * The input is read as a trace (.zmt, or .rep when it looks like one),
 * then every item is replayed with the invariant walk after each op, the
 * replay seeks back to the middle and to the start, and the end state is
 * printed to /dev/null.  Any crash, sanitizer report or broken invariant
 * is a finding.  Built with -DFUZZ_STANDALONE it is a plain program that
 * does the same for each file named on its command line.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dump.h"
#include "replay.h"
#include "trace.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

/* Replays TRACE to the end; false when an invariant broke. */
static int
replay_all(struct replay *replay, size_t *steps)
{
	struct replay_step st;
	enum replay_status rs;

	*steps = 0;
	while ((rs = replay_step(replay, &st)) != REPLAY_END) {
		if (rs == REPLAY_CHECK_FAILED)
			return 0;
		(*steps)++;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_options options = { .check = true };
	struct trace_error err;
	struct trace *trace;
	struct replay *replay;
	size_t steps;
	int status;

	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		abort();
	if (trace_load_mem("fuzz", (const char *)data, size, &trace,
	    &err) != 0)
		return 0;
	replay = replay_new(trace, &options, &status);
	if (replay == NULL) {
		trace_free(trace);
		return 0;
	}
	if (!replay_all(replay, &steps))
		abort();	/* the core broke one of its own invariants */
	dump_state(sink, replay_heap(replay));
	dump_stats(sink, replay_heap(replay));
	if (replay_seek_op(replay, trace_op_count(trace) / 2) != 0 ||
	    replay_seek_op(replay, 0) != 0 ||
	    replay_seek_op(replay, trace_op_count(trace)) != 0)
		abort();
	replay_free(replay);
	trace_free(trace);
	return 0;
}

#ifdef FUZZ_STANDALONE
/* Reads PATH whole into *DATA; 0, or -1 with errno set. */
static int
slurp(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return -1;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	*data = buf;
	*size = len;
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t *data;
	size_t size;
	int i;

	for (i = 1; i < argc; i++) {
		if (slurp(argv[i], &data, &size) != 0) {
			perror(argv[i]);
			return 2;
		}
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		printf("ok %s\n", argv[i]);
	}
	return 0;
}
#endif
