/*
 * zmmgen.c - write a seeded random allocation trace (.zmt) for the
 * differential tests and the benchmark.
 *
 * The same arguments always give the same bytes: the generator has its
 * own PRNG (xoshiro256**, seeded through splitmix64) and uses integer
 * arithmetic only.  Every free and realloc names a live block, every block
 * gets a name of its own, and `alloc __pin 8` comes first and after every
 * reset, so that a gc never empties the main chunk (PHP 8.2's zend_mm_gc()
 * would then delete it; see shared/docs/trace-format.md).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmm_sizes.h"

#define NBINS		30
#define PAGE		4096u
#define LARGE_MIN	3073u		/* smallest large request */
#define LARGE_PAGES	511u			/* largest large run */
#define HUGE_MIN	(LARGE_PAGES * PAGE + 1)	/* 2 MiB - 4 KiB + 1 */
#define WEIGHT_ONE	1000000u		/* fixed point of weights */

#define BIN_SLOT(n, size, count, pages)	size,
static const uint32_t bin_slot[NBINS] = { ZMM_BINS_INFO(BIN_SLOT) };

/* ------------------------------------------------------------------ */
/*  PRNG                                                               */
/* ------------------------------------------------------------------ */

static uint64_t rng[4];

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void
rng_seed(uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		rng[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t
rng_next(void)
{
	uint64_t result = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;

	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return result;
}

/* Uniform in [0, n); 0 when n is 0. */
static uint64_t
rng_below(uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rng_next() * n) >> 64);
}

/* Uniform in [lo, hi]. */
static uint64_t
rng_range(uint64_t lo, uint64_t hi)
{
	return lo + rng_below(hi - lo + 1);
}

/* True with probability PERCENT/100. */
static bool
rng_percent(unsigned percent)
{
	return rng_below(100) < percent;
}

static int
log2_floor(uint64_t x)
{
	return 63 - __builtin_clzll(x);
}

/*
 * Log-uniform in [lo, hi] (lo >= 1): a power-of-two band first, then a
 * uniform value inside it.
 */
static uint64_t
rng_log(uint64_t lo, uint64_t hi)
{
	int k = log2_floor(lo) + (int)rng_below((uint64_t)(log2_floor(hi) -
	    log2_floor(lo) + 1));
	uint64_t a = (uint64_t)1 << k, b = k < 63 ? (a << 1) - 1 : UINT64_MAX;

	if (a < lo)
		a = lo;
	if (b > hi)
		b = hi;
	return rng_range(a, b);
}

/* ------------------------------------------------------------------ */
/*  Options                                                            */
/* ------------------------------------------------------------------ */

enum { CLASS_SMALL, CLASS_LARGE, CLASS_HUGE, NCLASSES };
enum { OP_ALLOC, OP_FREE, OP_REALLOC, OP_CALLOC, OP_STRDUP, OP_GC, OP_RESET,
	NOPS };

static const char *const class_names[NCLASSES] = { "small", "large", "huge" };
static const char *const op_names[NOPS] = {
	"alloc", "free", "realloc", "calloc", "strdup", "gc", "reset"
};

struct options {
	uint64_t	 seed;
	uint64_t	 ops;
	uint64_t	 max_live;
	uint64_t	 huge_max;
	bool		 pin;
	const char	*output;
	uint64_t	 mix[NCLASSES];	/* weights, fixed point */
	uint64_t	 op_mix[NOPS];
};

static const char usage_text[] =
"usage: zmmgen [OPTIONS]\n"
"Writes a random, valid allocation trace (.zmt); the same options always\n"
"give the same trace.\n"
"\n"
"  --seed N          PRNG seed (default 1)\n"
"  --ops N           number of operation lines (default 1000)\n"
"  --mix small=90,large=9,huge=1\n"
"                    weights of the size classes\n"
"  --ops-mix alloc=40,free=34,realloc=15,calloc=5,strdup=5,gc=0.05,reset=0.02\n"
"                    weights of the operations\n"
"  --max-live N      most blocks live at once (default 2000)\n"
"  --huge-max SIZE   largest huge request, K/M/G allowed (default 8M)\n"
"  --no-pin          no `alloc __pin 8` first and after each reset\n"
"  -o FILE           write to FILE instead of standard output\n"
"  -h, --help        show this help\n"
"  -V, --version     show the version\n";

static void
usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "zmmgen: %s '%s'\nTry 'zmmgen --help'.\n", msg, arg);
	exit(2);
}

/* A decimal count, or a SIZE with an optional K/M/G suffix. */
static uint64_t
parse_number(const char *s, bool suffix, const char *what)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		usage_error(what, s);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			usage_error(what, s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (suffix && *p != '\0' && p[1] == '\0') {
		if (*p == 'K')
			mult = (uint64_t)1 << 10;
		else if (*p == 'M')
			mult = (uint64_t)1 << 20;
		else if (*p == 'G')
			mult = (uint64_t)1 << 30;
		else
			usage_error(what, s);
		p++;
	}
	if (*p != '\0' || v > (UINT64_MAX >> 2) / mult)
		usage_error(what, s);
	return v * mult;
}

/* A weight such as 40 or 0.05, in millionths. */
static uint64_t
parse_weight(const char *s, size_t len, const char *whole)
{
	uint64_t v = 0, frac = WEIGHT_ONE;
	size_t i = 0;
	bool digits = false;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits = true) {
		if (v > 1000000)
			usage_error("weight too large in", whole);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	v *= WEIGHT_ONE;
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			digits = true;
			frac /= 10;
			v += (uint64_t)(s[i] - '0') * frac;
		}
	}
	if (i != len || !digits)
		usage_error("bad weight in", whole);
	return v;
}

/* "name=w,name=w": names not given get weight 0. */
static void
parse_mix(const char *arg, const char *const *names, int n, uint64_t *out)
{
	const char *p = arg, *eq, *end;
	uint64_t total = 0;
	int i;

	memset(out, 0, (size_t)n * sizeof(*out));
	while (*p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			usage_error("expected NAME=WEIGHT in", arg);
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == (size_t)(eq - p) &&
			    memcmp(names[i], p, (size_t)(eq - p)) == 0)
				break;
		if (i == n)
			usage_error("unknown name in", arg);
		out[i] = parse_weight(eq + 1, (size_t)(end - eq - 1), arg);
		p = *end == ',' ? end + 1 : end;
	}
	for (i = 0; i < n; i++)
		total += out[i];
	if (total == 0)
		usage_error("all weights are 0 in", arg);
}

/* Index picked with the given weights. */
static int
pick(const uint64_t *weights, int n)
{
	uint64_t total = 0, r;
	int i;

	for (i = 0; i < n; i++)
		total += weights[i];
	r = rng_below(total);
	for (i = 0; i < n - 1; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return n - 1;
}

/* ------------------------------------------------------------------ */
/*  Output buffer                                                      */
/* ------------------------------------------------------------------ */

#define OUT_SIZE	(1u << 20)

static struct {
	FILE	*f;
	char	 buf[OUT_SIZE];
	size_t	 len;
} out;

static void
out_flush(void)
{
	if (out.len != 0 && fwrite(out.buf, 1, out.len, out.f) != out.len) {
		fprintf(stderr, "zmmgen: write error: %s\n", strerror(errno));
		exit(3);
	}
	out.len = 0;
}

/* Makes room for N more bytes (N < OUT_SIZE). */
static char *
out_room(size_t n)
{
	if (out.len + n > OUT_SIZE)
		out_flush();
	return out.buf + out.len;
}

static void
out_str(const char *s, size_t n)
{
	while (n > OUT_SIZE / 2) {
		out_str(s, OUT_SIZE / 2);
		s += OUT_SIZE / 2;
		n -= OUT_SIZE / 2;
	}
	memcpy(out_room(n), s, n);
	out.len += n;
}

static void
out_cstr(const char *s)
{
	out_str(s, strlen(s));
}

static void
out_u64(uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	out_str(tmp + i, sizeof(tmp) - (size_t)i);
}

static void
out_id(uint64_t name)
{
	out_str(" b", 2);
	out_u64(name);
}

/* ------------------------------------------------------------------ */
/*  Sizes                                                              */
/* ------------------------------------------------------------------ */

static uint64_t
small_size(void)
{
	int bin;
	uint64_t lo;

	if (rng_percent(2))
		return 0;
	bin = (int)rng_below(NBINS);
	if (rng_percent(25))
		return bin_slot[bin];
	lo = bin == 0 ? 1 : bin_slot[bin - 1] + 1;
	return rng_range(lo, bin_slot[bin]);
}

static uint64_t
large_size(void)
{
	uint64_t pages = rng_log(1, LARGE_PAGES), lo;

	if (rng_percent(30))
		return pages * PAGE;
	lo = (pages - 1) * PAGE + 1;
	return rng_range(lo < LARGE_MIN ? LARGE_MIN : lo, pages * PAGE);
}

static uint64_t
huge_size(const struct options *o)
{
	uint64_t hi = o->huge_max < HUGE_MIN ? HUGE_MIN : o->huge_max;
	uint64_t size = rng_log(HUGE_MIN, hi);

	if (rng_percent(30))
		size = (size + PAGE - 1) / PAGE * PAGE;
	return size;
}

static uint64_t
class_size(const struct options *o)
{
	switch (pick(o->mix, NCLASSES)) {
	case CLASS_SMALL:
		return small_size();
	case CLASS_LARGE:
		return large_size();
	default:
		return huge_size(o);
	}
}

/* ------------------------------------------------------------------ */
/*  Trace                                                              */
/* ------------------------------------------------------------------ */

struct block {
	uint64_t	 name;		/* the ID is "b" NAME */
	uint64_t	 size;		/* bytes asked for */
};

struct gen {
	const struct options	*o;
	struct block		*live;
	uint64_t		 nlive;
	uint64_t		 next_name;
	char			 pool[4096];	/* text for strdup */
};

static void
add_block(struct gen *g, uint64_t size)
{
	g->live[g->nlive].name = g->next_name++;
	g->live[g->nlive].size = size;
	g->nlive++;
}

static void
emit_alloc(struct gen *g)
{
	uint64_t size = class_size(g->o);

	out_str("alloc", 5);
	out_id(g->next_name);
	out_str(" ", 1);
	out_u64(size);
	out_str("\n", 1);
	add_block(g, size);
}

static void
emit_free(struct gen *g)
{
	uint64_t i = rng_below(g->nlive);

	out_str("free", 4);
	out_id(g->live[i].name);
	out_str("\n", 1);
	g->live[i] = g->live[--g->nlive];
}

/* Half near the old size (x0.5 to x2), half a fresh size of any class. */
static void
emit_realloc(struct gen *g)
{
	struct block *b = &g->live[rng_below(g->nlive)];
	uint64_t size, cap = g->o->huge_max < HUGE_MIN ? 2 * HUGE_MIN :
	    2 * g->o->huge_max;

	if (!rng_percent(50))
		size = class_size(g->o);
	else if (b->size == 0)
		size = small_size();
	else {
		size = b->size / 2 + rng_below(b->size + b->size / 2 + 1);
		if (size > cap)
			size = cap;
	}
	out_str("realloc", 7);
	out_id(b->name);
	out_str(" ", 1);
	out_u64(size);
	out_str("\n", 1);
	b->size = size;
}

static void
emit_calloc(struct gen *g)
{
	uint64_t total = class_size(g->o), n = rng_range(1, 16), size;

	size = (total + n - 1) / n;
	out_str("calloc", 6);
	out_id(g->next_name);
	out_str(" ", 1);
	out_u64(n);
	out_str(" ", 1);
	out_u64(size);
	out_str("\n", 1);
	add_block(g, n * size);
}

/*
 * A string mostly of plain characters; now and then an escape, and rarely
 * a \x00 that makes estrdup() copy less than the whole text.
 */
static void
emit_strdup(struct gen *g)
{
	static const char *const escapes[] = {
		"\\n", "\\t", "\\\"", "\\\\", "\\x41", "#"
	};
	uint64_t len, start, size, prefix = 0;
	bool cut = false;
	const char *e;

	if (rng_percent(75))
		len = rng_log(1, 256) - 1;
	else {
		len = small_size();
		len = len == 0 ? 0 : len - 1;
	}
	out_str("strdup", 6);
	out_id(g->next_name);
	out_str(" \"", 2);
	if (len > 0 && rng_percent(10)) {
		e = escapes[rng_below(sizeof(escapes) / sizeof(escapes[0]))];
		out_cstr(e);
		len--;
		prefix = 1;
	}
	if (len > 0 && rng_percent(1)) {
		size = rng_below(len);
		start = rng_below(sizeof(g->pool) - size);
		out_str(g->pool + start, size);
		out_str("\\x00", 4);
		len -= size + 1;
		prefix += size;
		cut = true;
	}
	start = rng_below(sizeof(g->pool) - len);
	out_str(g->pool + start, len);
	out_str("\"\n", 2);
	add_block(g, (cut ? prefix : prefix + len) + 1);
}

static void
generate(const struct options *o)
{
	static const char alphabet[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    " .,:;!?-_+*/=()<>";
	struct gen g;
	uint64_t i;
	bool need_pin = o->pin;
	int op;

	memset(&g, 0, sizeof(g));
	g.o = o;
	g.live = malloc((o->max_live + 1) * sizeof(*g.live));
	if (g.live == NULL) {
		fprintf(stderr, "zmmgen: out of memory\n");
		exit(3);
	}
	rng_seed(o->seed);
	for (i = 0; i < sizeof(g.pool); i++)
		g.pool[i] = alphabet[rng_below(sizeof(alphabet) - 1)];

	for (i = 0; i < o->ops; i++) {
		if (need_pin) {
			out_cstr("alloc __pin 8\n");
			need_pin = false;
			continue;
		}
		op = pick(o->op_mix, NOPS);
		if ((op == OP_FREE || op == OP_REALLOC) && g.nlive == 0)
			op = OP_ALLOC;
		if ((op == OP_ALLOC || op == OP_CALLOC || op == OP_STRDUP) &&
		    g.nlive >= o->max_live)
			op = g.nlive > 0 ? OP_FREE : OP_GC;
		switch (op) {
		case OP_ALLOC:
			emit_alloc(&g);
			break;
		case OP_FREE:
			emit_free(&g);
			break;
		case OP_REALLOC:
			emit_realloc(&g);
			break;
		case OP_CALLOC:
			emit_calloc(&g);
			break;
		case OP_STRDUP:
			emit_strdup(&g);
			break;
		case OP_GC:
			out_str("gc\n", 3);
			break;
		default:
			out_str("reset\n", 6);
			g.nlive = 0;
			need_pin = o->pin;
			break;
		}
	}
	free(g.live);
}

/* The options as one line, for the trace's header comment. */
static void
out_weights(const char *flag, const char *const *names, const uint64_t *w,
    int n)
{
	char buf[64];
	size_t len;
	int i;
	bool first = true;

	out_cstr(flag);
	for (i = 0; i < n; i++) {
		if (w[i] == 0)
			continue;
		snprintf(buf, sizeof(buf), "%s%s=%" PRIu64 ".%06" PRIu64,
		    first ? " " : ",", names[i], w[i] / WEIGHT_ONE,
		    w[i] % WEIGHT_ONE);
		len = strlen(buf);
		while (buf[len - 1] == '0')
			len--;		/* 0.050000 -> 0.05 */
		if (buf[len - 1] == '.')
			len--;
		out_str(buf, len);
		first = false;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "mix", required_argument, NULL, 'm' },
		{ "ops-mix", required_argument, NULL, 'O' },
		{ "max-live", required_argument, NULL, 'L' },
		{ "huge-max", required_argument, NULL, 'H' },
		{ "no-pin", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct options o;
	int c;

	memset(&o, 0, sizeof(o));
	o.seed = 1;
	o.ops = 1000;
	o.max_live = 2000;
	o.huge_max = (uint64_t)8 << 20;
	o.pin = true;
	parse_mix("small=90,large=9,huge=1", class_names, NCLASSES, o.mix);
	parse_mix("alloc=40,free=34,realloc=15,calloc=5,strdup=5,gc=0.05,"
	    "reset=0.02", op_names, NOPS, o.op_mix);

	while ((c = getopt_long(argc, argv, "o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.seed = parse_number(optarg, false, "bad --seed");
			break;
		case 'n':
			o.ops = parse_number(optarg, false, "bad --ops");
			break;
		case 'm':
			parse_mix(optarg, class_names, NCLASSES, o.mix);
			break;
		case 'O':
			parse_mix(optarg, op_names, NOPS, o.op_mix);
			break;
		case 'L':
			o.max_live = parse_number(optarg, false,
			    "bad --max-live");
			if (o.max_live == 0 || o.max_live > ((uint64_t)1 << 32))
				usage_error("bad --max-live", optarg);
			break;
		case 'H':
			o.huge_max = parse_number(optarg, true,
			    "bad --huge-max");
			if (o.huge_max > ((uint64_t)1 << 40))
				usage_error("--huge-max above 1T:", optarg);
			break;
		case 'P':
			o.pin = false;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("zmmgen (zmmviz) %s, modelling PHP 8.2 ZendMM\n",
			    PACKAGE_VERSION);
			return 0;
		default:
			fputs("Try 'zmmgen --help'.\n", stderr);
			return 2;
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", argv[optind]);

	out.f = stdout;
	if (o.output != NULL && (out.f = fopen(o.output, "w")) == NULL) {
		fprintf(stderr, "zmmgen: %s: %s\n", o.output, strerror(errno));
		return 3;
	}
	out_cstr("# zmmgen --seed ");
	out_u64(o.seed);
	out_cstr(" --ops ");
	out_u64(o.ops);
	out_cstr(" --max-live ");
	out_u64(o.max_live);
	out_cstr(" --huge-max ");
	out_u64(o.huge_max);
	out_cstr(o.pin ? "\n# " : " --no-pin\n# ");
	out_weights("--mix", class_names, o.mix, NCLASSES);
	out_weights("\n# --ops-mix", op_names, o.op_mix, NOPS);
	out_cstr("\n");
	generate(&o);
	out_flush();
	if (fflush(out.f) != 0 || (o.output != NULL && fclose(out.f) != 0)) {
		fprintf(stderr, "zmmgen: write error: %s\n", strerror(errno));
		return 3;
	}
	return 0;
}
