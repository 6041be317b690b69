/*
 * zmmbench - how fast the zmmviz core replays a trace, against the real
 * ZendMM of libphp8.2 and glibc malloc, on the same pre-parsed ops; and how
 * fast traces are read and a replay seeks.
 *
 *   zmmbench [--runs N] [--listener play|log] TRACE...
 *
 * Each allocator replays the ops N times (best time kept), on a fresh heap
 * each time; only the op loop is timed.  The core runs twice: with no
 * listener, and with the viewer's: by default what zmmviz's listener does
 * while it plays (counts the event, tests for breakpoints; the log is kept
 * only for the last op of a frame), or with --listener log what it does
 * for an op it shows (keeps every event, by value).  Output: one line per
 * trace: the best times in ms and the ratios to the real ZendMM.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay.h"
#include "trace.h"
#include "zmm.h"
#include "zmm_events.h"

#ifdef HAVE_LIBPHP
#include "zend.h"
#include "zend_alloc.h"
#endif

struct op {
	uint8_t		 kind;		/* enum trace_kind */
	uint8_t		 rep;		/* .rep realloc of a dead ID allocates */
	uint32_t	 id;
	size_t		 size;
	size_t		 count;
	const char	*text;
};

struct program {
	struct op	*ops;
	size_t		 nops;
	uint32_t	 nids;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
program_build(const struct trace *trace, struct program *prog)
{
	size_t i, n = trace_item_count(trace);

	prog->ops = calloc(n ? n : 1, sizeof(*prog->ops));
	if (prog->ops == NULL)
		return -1;
	prog->nops = 0;
	prog->nids = trace_id_count(trace);
	for (i = 0; i < n; i++) {
		const struct trace_item item = trace_item_at(trace, i);
		const struct trace_item *it = &item;
		struct op *o;

		if (it->kind == TRACE_BAD || it->kind == TRACE_LIMIT) {
			fprintf(stderr, "zmmbench: %s:%lu: the benchmark needs "
			    "an error-free trace without @limit\n",
			    trace_name(trace), (unsigned long)it->line);
			return -1;
		}
		if (it->kind > TRACE_FREE_NULL)
			continue;
		o = &prog->ops[prog->nops++];
		o->kind = it->kind;
		o->rep = (it->flags & TRACE_F_REP) != 0;
		o->id = it->id;
		o->size = it->size;
		o->count = it->count;
		if (it->kind == TRACE_STRDUP)
			o->text = trace_item_text(trace, it, NULL);
	}
	return 0;
}

/* ------------------------------------------------------------------
 *  The three allocators behind one small interface
 * ------------------------------------------------------------------ */
struct alloc_ops {
	const char	*name;
	void		*(*start)(void);
	void		 (*stop)(void *ctx);
	void		*(*alloc)(void *ctx, size_t size);
	void		 (*free)(void *ctx, void *ptr);
	void		*(*realloc)(void *ctx, void *ptr, size_t size);
	void		 (*gc)(void *ctx);
	void		 (*reset)(void *ctx);	/* live blocks are forgotten */
};

static int observe;
static bool listen_log;		/* --listener log */
static struct zmm_event event_ring[256];
static size_t event_count;
static volatile bool breakpoints_armed;	/* never set: as during plain play */

/*
 * What zmmviz's listener (tui/player.c) does with an event while it plays:
 * counts it, and hands it to the breakpoints when any is set.
 */
static void
play_event(const struct zmm_event *event, void *arg)
{
	(void)arg;
	event_count++;
	if (breakpoints_armed)
		event_ring[0] = *event;
}

/* ... and for an op it shows: keeps the event for the log, by value. */
static void
log_event(const struct zmm_event *event, void *arg)
{
	(void)arg;
	event_ring[event_count++ % 256] = *event;
}

static void *
zmm_start(void)
{
	struct zmm_heap *heap = zmm_heap_new(NULL, NULL, NULL);

	if (heap != NULL && observe)
		zmm_heap_listen(heap, listen_log ? log_event : play_event,
		    NULL);
	return heap;
}

static void zmm_stop(void *ctx) { zmm_heap_free_all(ctx); }

static void *
zmm_alloc(void *ctx, size_t size)
{
	void *p;

	return zmm_heap_alloc(ctx, size, &p) == ZMM_OK ? p : NULL;
}

static void zmm_free(void *ctx, void *ptr) { zmm_heap_free(ctx, ptr); }

static void *
zmm_realloc(void *ctx, void *ptr, size_t size)
{
	void *p;

	return zmm_heap_realloc(ctx, ptr, size, &p) == ZMM_OK ? p : NULL;
}

static void zmm_gc(void *ctx) { zmm_heap_gc(ctx); }
static void zmm_reset(void *ctx) { zmm_heap_reset(ctx); }

static const struct alloc_ops zmm_ops = {
	"zmmviz", zmm_start, zmm_stop, zmm_alloc, zmm_free, zmm_realloc,
	zmm_gc, zmm_reset
};

#ifdef HAVE_LIBPHP
static void *php_start(void) { return zend_mm_startup(); }
static void php_stop(void *ctx) { zend_mm_shutdown(ctx, 1, 1); }
static void *php_alloc(void *ctx, size_t size) { return _zend_mm_alloc(ctx, size); }
static void php_free(void *ctx, void *ptr) { _zend_mm_free(ctx, ptr); }
static void *
php_realloc(void *ctx, void *ptr, size_t size)
{
	return _zend_mm_realloc(ctx, ptr, size);
}
static void php_gc(void *ctx) { zend_mm_gc(ctx); }
static void php_reset(void *ctx) { zend_mm_shutdown(ctx, 0, 1); }

static const struct alloc_ops php_ops = {
	"zendmm", php_start, php_stop, php_alloc, php_free, php_realloc,
	php_gc, php_reset
};
#endif

/* glibc keeps no heap object: the live table is freed by `reset`. */
static void *libc_start(void) { return (void *)1; }
static void libc_stop(void *ctx) { (void)ctx; }
static void *libc_alloc(void *ctx, size_t size) { (void)ctx; return malloc(size ? size : 1); }
static void libc_free(void *ctx, void *ptr) { (void)ctx; free(ptr); }
static void *
libc_realloc(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	return realloc(ptr, size ? size : 1);
}
static void libc_gc(void *ctx) { (void)ctx; malloc_trim(0); }
static void libc_reset(void *ctx) { (void)ctx; }

static const struct alloc_ops libc_ops = {
	"glibc", libc_start, libc_stop, libc_alloc, libc_free, libc_realloc,
	libc_gc, libc_reset
};

/* One timed replay of PROG; returns seconds, or a negative value on error. */
static double
replay_once(const struct alloc_ops *a, const struct program *prog, void **live)
{
	void *ctx = a->start();
	double t0, t1;
	size_t i, len;

	if (ctx == NULL)
		return -1;
	memset(live, 0, sizeof(*live) * (prog->nids ? prog->nids : 1));
	t0 = now();
	for (i = 0; i < prog->nops; i++) {
		const struct op *o = &prog->ops[i];

		switch (o->kind) {
		case TRACE_ALLOC:
			live[o->id] = a->alloc(ctx, o->size);
			break;
		case TRACE_CALLOC:
			len = o->count * o->size;
			live[o->id] = a->alloc(ctx, len);
			if (live[o->id] != NULL)
				memset(live[o->id], 0, len);
			break;
		case TRACE_STRDUP:
			len = strlen(o->text) + 1;
			live[o->id] = a->alloc(ctx, len);
			if (live[o->id] != NULL)
				memcpy(live[o->id], o->text, len);
			break;
		case TRACE_FREE:
			a->free(ctx, live[o->id]);
			live[o->id] = NULL;
			break;
		case TRACE_REALLOC:
			live[o->id] = a->realloc(ctx, live[o->id], o->size);
			break;
		case TRACE_GC:
			a->gc(ctx);
			break;
		case TRACE_RESET:
			if (a == &libc_ops) {
				size_t k;

				for (k = 0; k < prog->nids; k++) {
					free(live[k]);
					live[k] = NULL;
				}
			}
			a->reset(ctx);
			memset(live, 0, sizeof(*live) * prog->nids);
			break;
		default:
			break;
		}
	}
	t1 = now();
	if (a == &libc_ops)
		for (i = 0; i < prog->nids; i++)
			free(live[i]);
	a->stop(ctx);
	return t1 - t0;
}

/* The allocators timed, in the order each round runs them. */
enum { CORE, OBSERVED, ZENDMM, GLIBC, NALLOC };

/*
 * Best of RUNS replays of PROG through each wanted allocator, into BEST[]
 * (seconds; -1 for those not run).  The allocators take turns, and the
 * turn order rotates from round to round: a run pays for what the run
 * before it left behind (glibc's trimming slows the next mappings), so
 * each allocator gets rounds after each of the others and none is
 * favoured by its place.
 */
static int
best_of(const struct program *prog, int runs, const bool want[NALLOC],
    double best[NALLOC])
{
	static const struct alloc_ops *const ops[NALLOC] = {
		&zmm_ops, &zmm_ops,
#ifdef HAVE_LIBPHP
		&php_ops,
#else
		NULL,
#endif
		&libc_ops
	};
	void **live = calloc(prog->nids ? prog->nids : 1, sizeof(*live));
	double t;
	int i, j, k;

	if (live == NULL)
		return -1;
	for (k = 0; k < NALLOC; k++)
		best[k] = -1;
	for (i = 0; i < runs; i++) {
		for (j = 0; j < NALLOC; j++) {
			k = (i + j) % NALLOC;
			if (!want[k] || ops[k] == NULL)
				continue;
			observe = k == OBSERVED;
			t = replay_once(ops[k], prog, live);
			if (t >= 0 && (best[k] < 0 || t < best[k]))
				best[k] = t;
		}
	}
	observe = 0;
	free(live);
	return 0;
}

/* Reading speed: best of RUNS loads of PATH, in MB/s. */
static double
read_speed(const char *path, int runs, size_t *bytes)
{
	struct trace_error err;
	struct trace *trace;
	double best = -1, t0, t;
	FILE *f;
	int i;

	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0)
		return -1;
	*bytes = (size_t)ftell(f);
	fclose(f);
	for (i = 0; i < runs; i++) {
		t0 = now();
		if (trace_load_file(path, &trace, &err) != 0)
			return -1;
		t = now() - t0;
		trace_free(trace);
		if (best < 0 || t < best)
			best = t;
	}
	return best > 0 ? (double)*bytes / 1e6 / best : -1;
}

#define SEEK_SAMPLES	200

struct seek_result {
	double		 first;		/* ms: to the end, taking checkpoints */
	double		 mean;		/* ms: random seeks after it */
	double		 worst;
	struct replay_checkpoints cps;
};

/*
 * Seek latency: one seek to the end first (the first pass, which takes
 * the checkpoints), then SEEK_SAMPLES seeks to random ops, back and forth.
 */
static int
seek_speed(const struct trace *trace, struct seek_result *out)
{
	struct replay *r = replay_new(trace, NULL, NULL);
	uint64_t nops = trace_op_count(trace), seed = 0x9e3779b97f4a7c15u;
	double total = 0, t0, t;
	int i;

	memset(out, 0, sizeof(*out));
	if (r == NULL || nops == 0) {
		replay_free(r);
		return -1;
	}
	t0 = now();
	replay_seek_op(r, nops);
	out->first = (now() - t0) * 1e3;
	for (i = 0; i < SEEK_SAMPLES; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		t0 = now();
		replay_seek_op(r, seed % (nops + 1));
		t = (now() - t0) * 1e3;
		total += t;
		if (t > out->worst)
			out->worst = t;
	}
	out->mean = total / SEEK_SAMPLES;
	replay_checkpoints(r, &out->cps);
	replay_free(r);
	return 0;
}

/* Seek latency, each figure the best of RUNS fresh replays. */
static void
print_seek(const struct trace *trace, int runs)
{
	struct seek_result sr, run;
	int i;

	if (seek_speed(trace, &sr) != 0) {
		printf("  seek: no ops\n");
		return;
	}
	for (i = 1; i < runs && seek_speed(trace, &run) == 0; i++) {
		sr.first = run.first < sr.first ? run.first : sr.first;
		sr.mean = run.mean < sr.mean ? run.mean : sr.mean;
		sr.worst = run.worst < sr.worst ? run.worst : sr.worst;
	}
	printf("  seek: %llu ops, first pass %.0f ms, then %d random seeks: "
	    "mean %.1f ms, worst %.1f ms\n"
	    "        %zu checkpoints every %zu items, %.1f MiB (budget %zu MiB)\n",
	    (unsigned long long)trace_op_count(trace), sr.first, SEEK_SAMPLES,
	    sr.mean, sr.worst, sr.cps.count, sr.cps.spacing,
	    (double)sr.cps.bytes / 1048576.0, sr.cps.budget >> 20);
}

static void
usage(FILE *out)
{
	fputs("usage: zmmbench [--runs N] [--read] [--seek] [--only NAME]\n"
	    "                [--listener play|log] TRACE...\n"
	    "       zmmbench [--runs N] --read-only | --seek-only TRACE...\n"
	    "Times replays of each TRACE through the zmmviz core (without and\n"
	    "with an event listener), the real ZendMM (libphp8.2) and glibc.\n"
	    "  --runs N   replays per allocator, best kept (default 5)\n"
	    "  --read     also time loading each trace (MB/s)\n"
	    "  --seek     also time seeks in each trace: the first pass to the\n"
	    "             end, then random seeks (ms)\n"
	    "  --read-only  only time loading each trace (MB/s)\n"
	    "  --seek-only  only time seeks in each trace (best of N runs)\n"
	    "  --only NAME  replay only through NAME (core, observed, zendmm,\n"
	    "             glibc), e.g. under a profiler\n"
	    "  --listener play|log  the observed run's listener: what zmmviz\n"
	    "             does while playing (count, breakpoints; the default)\n"
	    "             or for an op it shows (every event kept by value)\n",
	    out);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "read", no_argument, NULL, 'R' },
		{ "seek", no_argument, NULL, 'S' },
		{ "read-only", no_argument, NULL, 'O' },
		{ "seek-only", no_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "listener", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int runs = 5, do_read = 0, do_seek = 0, read_only = 0, seek_only = 0;
	int c, i, rc = 0;
	const char *only = NULL;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'r': runs = atoi(optarg); break;
		case 'R': do_read = 1; break;
		case 'S': do_seek = 1; break;
		case 'O': read_only = 1; break;
		case 's': seek_only = 1; break;
		case 'o': only = optarg; break;
		case 'l':
			if (strcmp(optarg, "log") != 0 &&
			    strcmp(optarg, "play") != 0) {
				usage(stderr);
				return 2;
			}
			listen_log = strcmp(optarg, "log") == 0;
			break;
		case 'h': usage(stdout); return 0;
		case 'V':
			printf("zmmbench (zmmviz) %s\nmodels the Zend memory "
			    "manager of %s\n", PACKAGE_VERSION, ZMM_PHP_MODEL);
			return 0;
		default: usage(stderr); return 2;
		}
	}
	if (runs < 1 || optind >= argc || (only != NULL &&
	    strcmp(only, "core") != 0 && strcmp(only, "observed") != 0 &&
	    strcmp(only, "zendmm") != 0 && strcmp(only, "glibc") != 0)) {
		usage(stderr);
		return 2;
	}
	if (!read_only && !seek_only)
		printf("%-28s %10s %10s %10s %10s %10s %8s %8s\n", "trace",
		    "ops", "core_ms", "observed", "zendmm_ms", "glibc_ms",
		    "core/zmm", "obs/zmm");
	for (i = optind; i < argc; i++) {
		struct trace_error err;
		struct trace *trace;
		struct program prog;
		static const char *const names[NALLOC] = { "core",
		    "observed", "zendmm", "glibc" };
		bool want[NALLOC];
		double best[NALLOC], core, obs, php, libc;
		int k;
		const char *base = strrchr(argv[i], '/');

		base = base ? base + 1 : argv[i];
		if (read_only) {
			size_t bytes = 0;
			double mbs = read_speed(argv[i], runs, &bytes);

			printf("%-28s read: %zu bytes, %.0f MB/s\n", base, bytes,
			    mbs);
			continue;
		}
		if (trace_load_file(argv[i], &trace, &err) != 0) {
			fprintf(stderr, "zmmbench: %s: %s\n", argv[i], err.msg);
			rc = 1;
			continue;
		}
		if (seek_only) {
			printf("%s\n", base);
			print_seek(trace, runs);
			trace_free(trace);
			fflush(stdout);
			continue;
		}
		if (program_build(trace, &prog) != 0) {
			trace_free(trace);
			rc = 1;
			continue;
		}
		for (k = 0; k < NALLOC; k++)
			want[k] = only == NULL || strcmp(only, names[k]) == 0;
		if (best_of(&prog, runs, want, best) != 0) {
			free(prog.ops);
			trace_free(trace);
			rc = 1;
			continue;
		}
		core = best[CORE];
		obs = best[OBSERVED];
		php = best[ZENDMM];
		libc = best[GLIBC];
		printf("%-28s %10zu %10.3f %10.3f %10.3f %10.3f %8.2f %8.2f\n",
		    base, prog.nops, core * 1e3, obs * 1e3, php * 1e3,
		    libc * 1e3, php > 0 && core > 0 ? core / php : 0,
		    php > 0 && obs > 0 ? obs / php : 0);
		if (do_read) {
			size_t bytes = 0;
			double mbs = read_speed(argv[i], runs, &bytes);

			printf("  read: %zu bytes, %.0f MB/s\n", bytes, mbs);
		}
		if (do_seek)
			print_seek(trace, 1);
		free(prog.ops);
		trace_free(trace);
		fflush(stdout);
	}
	return rc;
}
