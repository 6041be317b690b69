/*
 * zmmvizbench - how fast the viewer draws, plays and seeks: zmmviz's own
 * player and screen code (tui/libzmmtui.a) on a virtual terminal whose
 * output goes to /dev/null, so the figures are the viewer's work without
 * a terminal emulator's.
 *
 *   zmmvizbench [--cols N] [--lines N] [--chunks N] [--frames N]
 *               [--seeks N] [--play-seconds S] TRACE
 *
 * frame: the heap at the first op where the ring holds --chunks chunks;
 *        a full repaint (every cell sent again), and one op step + its
 *        frame, --frames times each: mean and worst.
 * play:  from op 0 at full speed, frames as zmmviz makes them (the ops a
 *        frame has time for after drawing, then the drawing), for
 *        --play-seconds, starting again at the end of the trace: frames a
 *        second, the longest frame, ops a second; the frames where play
 *        stopped at the end are timed apart.
 * seek:  --seeks jumps to random ops, each with the frame that shows it,
 *        as `g` does: mean and worst.
 */
#include "config.h"

#include <curses.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "draw.h"
#include "player.h"
#include "trace.h"
#include "ui.h"
#include "zmm.h"

static const char usage_text[] =
"usage: zmmvizbench [OPTIONS] TRACE\n"
"Times zmmviz's drawing, full-speed play and seeking on TRACE, on a\n"
"virtual terminal (output to /dev/null).\n"
"\n"
"  --cols N          terminal width (default 200)\n"
"  --lines N         terminal height (default 60)\n"
"  --chunks N        time frames where the ring first holds N chunks\n"
"                    (default 16; the last op if never)\n"
"  --frames N        frames timed for each kind (default 200)\n"
"  --seeks N         random seeks (default 50)\n"
"  --play-seconds S  how long to play (default 3)\n"
"  -h, --help        show this help\n";

struct timing {
	double		 total, worst;
	unsigned long	 n;
};

static void
timing_add(struct timing *t, double ms)
{
	t->total += ms;
	if (ms > t->worst)
		t->worst = ms;
	t->n++;
}

static double
timing_mean(const struct timing *t)
{
	return t->n ? t->total / (double)t->n : 0;
}

static unsigned long
ring_chunks(const struct player *player)
{
	struct zmm_stats st;

	zmm_heap_stats(player_heap(player), &st);
	return (unsigned long)st.chunks_count;
}

static size_t
heap_real_peak(const struct player *player)
{
	struct zmm_stats st;

	zmm_heap_stats(player_heap(player), &st);
	return st.real_peak;
}

/* Steps to the first op where the ring holds CHUNKS chunks (or the end). */
static void
go_to_chunks(struct player *player, unsigned long chunks)
{
	player_go_to(player, 0);
	while (ring_chunks(player) < chunks && player_next_op(player))
		;
}

static double
timed_frame(struct ui *ui, const struct player *player, bool repaint)
{
	double start = clock_ms();

	if (repaint)
		clearok(curscr, TRUE);	/* the next refresh sends every cell */
	draw_screen(ui, player);
	return clock_ms() - start;
}

/*
 * Full-speed play for SECONDS, as zmmviz plays: draw, then play for what
 * the frame has left.  At the end of the trace play stops (the viewer then
 * records the last ops for the log: that frame is timed apart) and starts
 * again from op 0.
 */
static void
bench_play(struct ui *ui, struct player *player, double seconds)
{
	double start, end, frame_start, draw_ms, ms, longest = 0;
	double stop_ms = 0;
	uint64_t ops = 0, from;
	unsigned long frames = 0, stops = 0;
	int i;

	for (i = 0; i < 64; i++)
		player_faster(player);		/* up to "max" */
	player_go_to(player, 0);
	player_play(player, true);
	from = player_op(player);
	start = clock_ms();
	end = start + seconds * 1e3;
	while (clock_ms() < end) {
		frame_start = clock_ms();
		draw_screen(ui, player);
		draw_ms = clock_ms() - frame_start;
		player_tick(player, clock_ms(), player_frame_left(draw_ms));
		ms = clock_ms() - frame_start;
		frames++;
		if (player_playing(player)) {
			if (ms > longest)
				longest = ms;
			continue;
		}
		/* the end of the trace: the stop, then from the start again */
		stops++;
		if (ms > stop_ms)
			stop_ms = ms;
		ops += player_op(player) - from;
		player_go_to(player, 0);
		player_play(player, true);
		from = player_op(player);
	}
	ops += player_op(player) - from;
	seconds = (clock_ms() - start) / 1e3;
	printf("play   %lu frames in %.2f s: %.1f frames/s, longest frame "
	    "%.1f ms, %.0f ops/s\n", frames, seconds,
	    (double)frames / seconds, longest, (double)ops / seconds);
	if (stops > 0)
		printf("stops  %lu at the end of the trace, the longest frame "
		    "%.1f ms\n", stops, stop_ms);
	player_play(player, false);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "cols", required_argument, NULL, 'c' },
		{ "lines", required_argument, NULL, 'l' },
		{ "chunks", required_argument, NULL, 'k' },
		{ "frames", required_argument, NULL, 'f' },
		{ "seeks", required_argument, NULL, 's' },
		{ "play-seconds", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int cols = 200, lines = 60, frames = 200, seeks = 50, c, i;
	unsigned long chunks = 16, nchunks;
	double play_seconds = 3, ms;
	struct timing repaint = { 0, 0, 0 }, step = { 0, 0, 0 };
	struct timing seek = { 0, 0, 0 };
	struct trace_error err;
	struct trace *trace;
	struct player *player;
	struct ui ui;
	SCREEN *screen;
	FILE *out, *in;
	uint64_t op, ops;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'c': cols = atoi(optarg); break;
		case 'l': lines = atoi(optarg); break;
		case 'k': chunks = strtoul(optarg, NULL, 10); break;
		case 'f': frames = atoi(optarg); break;
		case 's': seeks = atoi(optarg); break;
		case 'p': play_seconds = atof(optarg); break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind + 1 != argc || cols < 80 || lines < 24 || frames < 1 ||
	    seeks < 0 || play_seconds < 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (trace_load_file(argv[optind], &trace, &err) != 0) {
		fprintf(stderr, "zmmvizbench: %s:%lu: %s\n", err.file,
		    err.line, err.msg);
		return 3;
	}
	player = player_new(trace);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (player == NULL || out == NULL || in == NULL ||
	    (screen = newterm("xterm-256color", out, in)) == NULL) {
		fprintf(stderr, "zmmvizbench: cannot set up the player and a "
		    "virtual xterm-256color terminal\n");
		return 3;
	}
	resizeterm(lines, cols);
	start_color();
	ui_init(&ui, true, has_colors());
	ops = player_ops(player);
	printf("trace  %s: %llu ops; terminal %dx%d\n", argv[optind],
	    (unsigned long long)ops, cols, lines);

	go_to_chunks(player, chunks);
	draw_screen(&ui, player);
	for (i = 0; i < frames; i++)
		timing_add(&repaint, timed_frame(&ui, player, true));
	op = player_op(player);
	nchunks = ring_chunks(player);
	for (i = 0; i < frames && player_next_op(player); i++)
		timing_add(&step, timed_frame(&ui, player, false));
	printf("frame  at op %llu, %lu chunks: full repaint mean %.2f ms, "
	    "worst %.2f ms; a step and its frame mean %.2f ms, worst %.2f ms\n",
	    (unsigned long long)op, nchunks, timing_mean(&repaint),
	    repaint.worst, timing_mean(&step), step.worst);

	bench_play(&ui, player, play_seconds);

	srand(1);
	for (i = 0; i < seeks; i++) {
		op = (uint64_t)(((double)rand() / RAND_MAX) * (double)ops);
		ms = clock_ms();
		player_go_to(player, op);
		draw_screen(&ui, player);
		timing_add(&seek, clock_ms() - ms);
	}
	if (seeks > 0)
		printf("seek   %d random ops, each with its frame: mean %.1f ms, "
		    "worst %.1f ms\n", seeks, timing_mean(&seek), seek.worst);

	printf("heap   real_peak %zu bytes (the modelled heap, at the end)\n",
	    heap_real_peak(player));
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	player_free(player);
	trace_free(trace);
	return 0;
}
