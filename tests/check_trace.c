/*
 * check_trace.c - the .zmt reader (lib/trace.c, shared/docs/trace-format.md):
 * every op and alias, SIZE and N, IDs, quoted TEXT and its escapes,
 * directives, the exact error messages of docs/trace-errors.md with their
 * lines and OPNOs, OPNO counting, trace_item_of_op, NUL bytes, over-long
 * lines, and loading from a file (streamed in blocks, so lines cross the
 * block ends) or from memory, which must give the same items.
 */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"
#include "trace.h"

#define LINE_MAX_BYTES	1048576		/* the reader's line cap */

/* ------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------ */

/* Loads LEN bytes of TEXT; fails the test if the load fails. */
static struct trace *
zt_load(const char *text, size_t len)
{
	return zt_trace_load("t.zmt", text, len);
}

/* A string literal, NUL bytes included. */
#define LOAD(lit)	zt_load((lit), sizeof(lit) - 1)

static struct trace *
zt_load_str(const char *text)
{
	return zt_load(text, strlen(text));
}



/* A one-line trace LINE gives exactly one TRACE_BAD with MSG and OPNO. */
static void
assert_line_bad(const char *line, uint64_t opno, const char *msg)
{
	struct trace *t = zt_load_str(line);

	ck_assert_msg(trace_item_count(t) == 1, "'%s': %zu items", line,
	    trace_item_count(t));
	zt_assert_bad(t, 0, 1, opno, msg);
	ck_assert_uint_eq(trace_bad_count(t), 1);
	ck_assert_uint_eq(trace_op_count(t), opno);
	trace_free(t);
}

/* Writes LEN bytes of DATA to a new temporary file named in PATH. */
static void
zt_write_temp(char path[64], const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	snprintf(path, 64, "%s/zmt-XXXXXX", dir != NULL && strlen(dir) < 40 ?
	    dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Two loads of the same bytes hold the same items, texts and IDs. */
static void
assert_same_trace(const struct trace *a, const struct trace *b)
{
	const struct trace_item *x, *y;
	const char *tx, *ty;
	size_t i, lx, ly;
	uint32_t id;

	ck_assert_uint_eq(trace_item_count(a), trace_item_count(b));
	ck_assert_uint_eq(trace_op_count(a), trace_op_count(b));
	ck_assert_uint_eq(trace_bad_count(a), trace_bad_count(b));
	ck_assert_int_eq(trace_format(a), trace_format(b));
	ck_assert_uint_eq(trace_id_count(a), trace_id_count(b));
	for (i = 0; i < trace_item_count(a); i++) {
		x = zt_item(a, i);
		y = zt_item(b, i);
		ck_assert_int_eq(x->kind, y->kind);
		ck_assert_int_eq(x->flags, y->flags);
		ck_assert_uint_eq(x->id, y->id);
		ck_assert_uint_eq(x->line, y->line);
		ck_assert_uint_eq(x->opno, y->opno);
		ck_assert_uint_eq(x->size, y->size);
		tx = trace_item_text(a, x, &lx);
		ty = trace_item_text(b, y, &ly);
		ck_assert_int_eq(tx == NULL, ty == NULL);
		if (tx == NULL)
			ck_assert_uint_eq(x->count, y->count);
		else {
			ck_assert_uint_eq(lx, ly);
			ck_assert_mem_eq(tx, ty, lx);
		}
	}
	for (id = 0; id < trace_id_count(a); id++)
		ck_assert_str_eq(trace_id_name(a, id), trace_id_name(b, id));
}

/* ------------------------------------------------------------------
 * SIZE and N
 * ------------------------------------------------------------------ */

static const struct size_case {
	const char	*text;
	bool		 ok;
	uint64_t	 value;
} size_cases[] = {
	{ "0", true, 0 },
	{ "24", true, 24 },
	{ "4K", true, 4096 },
	{ "1M", true, 1048576 },
	{ "1G", true, 1073741824 },
	{ "0K", true, 0 },
	{ "007", true, 7 },
	{ "000000000000000000000000000000000000000001", true, 1 },
	{ "2093056", true, 2093056 },
	{ "9223372036854775807", true, UINT64_C(9223372036854775807) },
	{ "9223372036854775808", true, UINT64_C(9223372036854775808) },
	{ "9007199254740992K", true, UINT64_C(9223372036854775808) },
	{ "8796093022208M", true, UINT64_C(9223372036854775808) },
	{ "8589934592G", true, UINT64_C(9223372036854775808) },
	{ "9223372036854775809", false, 0 },
	{ "9223372036854775810", false, 0 },
	{ "18446744073709551615", false, 0 },
	{ "18446744073709551616", false, 0 },
	{ "99999999999999999999999999", false, 0 },
	{ "9007199254740993K", false, 0 },
	{ "8796093022209M", false, 0 },
	{ "8589934593G", false, 0 },
	{ "18014398509481984K", false, 0 },
	{ "12X", false, 0 },
	{ "-1", false, 0 },
	{ "+1", false, 0 },
	{ "1k", false, 0 },
	{ "1m", false, 0 },
	{ "1KK", false, 0 },
	{ "1KB", false, 0 },
	{ "K", false, 0 },
	{ "G", false, 0 },
	{ "0x10", false, 0 },
	{ "1.5", false, 0 },
	{ "1e3", false, 0 },
	{ "1_000", false, 0 },
	{ "1,000", false, 0 },
	{ "\xef\xbc\x91", false, 0 },		/* U+FF11, a fullwidth 1 */
	{ "\"12\"", false, 0 },
	{ "\"\"", false, 0 }
};

/* One SIZE text as alloc SIZE, realloc SIZE, calloc N, calloc SIZE, @limit. */
START_TEST(test_trace_size_table)
{
	const struct size_case *c = &size_cases[_i];
	char line[256], msg[256];
	const struct trace_item *it;
	struct trace *t;
	int k;

	for (k = 0; k < 5; k++) {
		switch (k) {
		case 0:
			snprintf(line, sizeof(line), "alloc a %s", c->text);
			break;
		case 1:
			snprintf(line, sizeof(line), "realloc a %s", c->text);
			break;
		case 2:
			snprintf(line, sizeof(line), "calloc a %s 8", c->text);
			break;
		case 3:
			snprintf(line, sizeof(line), "calloc a 8 %s", c->text);
			break;
		default:
			snprintf(line, sizeof(line), "@limit %s", c->text);
			break;
		}
		t = zt_load_str(line);
		ck_assert_uint_eq(trace_item_count(t), 1);
		it = zt_item(t, 0);
		if (!c->ok) {
			snprintf(msg, sizeof(msg), "bad %s '%s'", k == 2 ? "N" :
			    "SIZE", c->text);
			zt_assert_bad(t, 0, 1, k == 4 ? 0 : 1, msg);
		} else if (k == 2) {
			ck_assert_int_eq(it->kind, TRACE_CALLOC);
			ck_assert_uint_eq(it->count, c->value);
			ck_assert_uint_eq(it->size, 8);
		} else {
			ck_assert_int_eq(it->kind, k == 0 ? TRACE_ALLOC :
			    k == 1 ? TRACE_REALLOC : k == 3 ? TRACE_CALLOC :
			    TRACE_LIMIT);
			ck_assert_uint_eq(it->size, c->value);
			if (k == 3)
				ck_assert_uint_eq(it->count, 8);
		}
		trace_free(t);
	}
}
END_TEST

/* N * SIZE overflowing is the replay's business (PHP's own error). */
START_TEST(test_trace_calloc_overflow_is_not_a_reader_error)
{
	struct trace *t = zt_load_str("calloc a 4294967296 4294967296\n");

	ck_assert_int_eq(zt_item(t, 0)->kind, TRACE_CALLOC);
	ck_assert_uint_eq(zt_item(t, 0)->count, UINT64_C(4294967296));
	ck_assert_uint_eq(zt_item(t, 0)->size, UINT64_C(4294967296));
	ck_assert_uint_eq(trace_bad_count(t), 0);
	trace_free(t);
}
END_TEST

/*
 * Items are stored packed: a value that fits 32 bits inline, a bigger
 * one (or two values) aside.  Every value on both sides of the boundary.
 */
static const struct packed_case {
	const char	*line;
	int		 kind;
	uint64_t	 size;
	uint64_t	 count;
} packed_cases[] = {
	{ "alloc a 0", TRACE_ALLOC, 0, 0 },
	{ "alloc a 4294967295", TRACE_ALLOC, UINT32_MAX, 0 },
	{ "alloc a 4294967296", TRACE_ALLOC, UINT64_C(4294967296), 0 },
	{ "alloc a 4G", TRACE_ALLOC, UINT64_C(4294967296), 0 },
	{ "realloc a 4294967295", TRACE_REALLOC, UINT32_MAX, 0 },
	{ "realloc a 9223372036854775808", TRACE_REALLOC,
	    UINT64_C(9223372036854775808), 0 },
	{ "calloc a 0 4294967295", TRACE_CALLOC, UINT32_MAX, 0 },
	{ "calloc a 0 4294967296", TRACE_CALLOC, UINT64_C(4294967296), 0 },
	{ "calloc a 1 0", TRACE_CALLOC, 0, 1 },
	{ "calloc a 4294967295 4294967295", TRACE_CALLOC, UINT32_MAX,
	    UINT32_MAX },
	{ "calloc a 8589934592G 8589934592G", TRACE_CALLOC,
	    UINT64_C(9223372036854775808), UINT64_C(9223372036854775808) },
	{ "@limit 0", TRACE_LIMIT, 0, 0 },
	{ "@limit 4294967295", TRACE_LIMIT, UINT32_MAX, 0 },
	{ "@limit 4294967296", TRACE_LIMIT, UINT64_C(4294967296), 0 },
	{ "free a", TRACE_FREE, 0, 0 },
	{ "gc", TRACE_GC, 0, 0 }
};

START_TEST(test_trace_packed_values)
{
	const struct packed_case *c = &packed_cases[_i];
	char text[128];
	const struct trace_item *it;
	struct trace_item direct;
	struct trace *t;
	size_t i;

	/* twice, after a comment: the first line is read apart (.rep?) */
	snprintf(text, sizeof(text), "%s\n# x\n%s\n", c->line, c->line);
	t = zt_load_str(text);
	ck_assert_uint_eq(trace_item_count(t), 2);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	for (i = 0; i < 2; i++) {
		it = zt_item(t, i);
		ck_assert_int_eq(it->kind, c->kind);
		ck_assert_uint_eq(it->size, c->size);
		ck_assert_uint_eq(it->count, c->count);
		ck_assert_uint_eq(it->line, 1 + 2 * i);
		ck_assert_uint_eq(it->opno, c->kind == TRACE_LIMIT ? 0 : 1 + i);
		ck_assert_uint_eq(it->id, 0);
		direct = trace_item_at(t, i);
		ck_assert_int_eq(direct.kind, it->kind);
		ck_assert_int_eq(direct.flags, it->flags);
		ck_assert_uint_eq(direct.id, it->id);
		ck_assert_uint_eq(direct.line, it->line);
		ck_assert_uint_eq(direct.opno, it->opno);
		ck_assert_uint_eq(direct.size, it->size);
		ck_assert_uint_eq(direct.count, it->count);
	}
	trace_free(t);
}
END_TEST

/*
 * LINE and OPNO are not stored but follow from the order: a long random
 * mix of every kind of line, blank lines and comments, against what each
 * item must say.  Texts must come back too (strdup, @caption, messages).
 */
START_TEST(test_trace_lines_and_opnos)
{
	enum { LINES = 60000 };
	struct want {
		int		 kind;
		uint32_t	 line;
		uint64_t	 opno;
		uint64_t	 size;
	};
	struct want *want = malloc(LINES * sizeof(*want));
	char *buf = malloc(LINES * 64);
	unsigned seed = 4242u;
	size_t at = 0, n = 0, i, k;
	uint32_t line = 0;
	uint64_t opno = 0, v;
	struct trace_item it;
	struct trace *t;
	char text[32];

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(buf);
	while (line < LINES - 40) {
		seed = seed * 1103515245u + 12345u;
		v = seed >> 8;
		line++;
		switch ((seed >> 16) % 12) {
		case 0:		/* a run of skipped lines */
			for (k = v % 30; k > 0; k--, line++)
				at += (size_t)sprintf(buf + at,
				    k % 3 ? "# c\n" : "\n");
			line--;
			continue;
		case 1:
			at += (size_t)sprintf(buf + at, "@caption c%u\n",
			    line);
			want[n++] = (struct want){ TRACE_CAPTION, line, 0, 0 };
			continue;
		case 2:
			at += (size_t)sprintf(buf + at, "frob\n");
			want[n++] = (struct want){ TRACE_BAD, line, ++opno, 0 };
			continue;
		case 3:
			at += (size_t)sprintf(buf + at, "@nope\n");
			want[n++] = (struct want){ TRACE_BAD, line, 0, 0 };
			continue;
		case 4:
			at += (size_t)sprintf(buf + at, "@limit %" PRIu64 "\n",
			    v << 16);
			want[n++] = (struct want){ TRACE_LIMIT, line, 0,
			    v << 16 };
			continue;
		case 5:
			at += (size_t)sprintf(buf + at, "strdup s \"%u\"\n",
			    line);
			want[n++] = (struct want){ TRACE_STRDUP, line, ++opno,
			    (uint64_t)snprintf(text, sizeof(text), "%u",
			    line) + 1 };
			continue;
		case 6:
			at += (size_t)sprintf(buf + at, "alloc b%" PRIu64
			    " %" PRIu64 "\n", v % 1000, v << (v % 40));
			want[n++] = (struct want){ TRACE_ALLOC, line, ++opno,
			    v << (v % 40) };
			continue;
		default:
			at += (size_t)sprintf(buf + at, "free b%" PRIu64 "\n",
			    v % 1000);
			want[n++] = (struct want){ TRACE_FREE, line, ++opno,
			    0 };
			continue;
		}
	}
	t = zt_load(buf, at);
	ck_assert_uint_eq(trace_item_count(t), n);
	ck_assert_uint_eq(trace_op_count(t), opno);
	for (i = 0; i < n; i++) {
		it = trace_item_at(t, i);
		ck_assert_msg(it.kind == want[i].kind && it.line ==
		    want[i].line && it.opno == want[i].opno && it.size ==
		    want[i].size, "item %zu: kind %d line %u opno %" PRIu64
		    " size %" PRIu64 ", not %d %u %" PRIu64 " %" PRIu64, i,
		    it.kind, it.line, it.opno, it.size, want[i].kind,
		    want[i].line, want[i].opno, want[i].size);
		if (it.kind == TRACE_STRDUP) {
			snprintf(text, sizeof(text), "%u", it.line);
			ck_assert_str_eq(trace_item_text(t, &it, NULL), text);
		} else if (it.kind == TRACE_CAPTION) {
			snprintf(text, sizeof(text), "c%u", it.line);
			ck_assert_str_eq(trace_item_text(t, &it, NULL), text);
		} else if (it.kind == TRACE_BAD) {
			ck_assert_str_eq(trace_item_text(t, &it, NULL),
			    it.opno ? "unknown op 'frob'" :
			    "unknown directive '@nope'");
		}
		if (it.opno != 0)
			ck_assert_uint_eq(trace_item_of_op(t, it.opno), i);
	}
	trace_free(t);
	free(buf);
	free(want);
}
END_TEST

/* ------------------------------------------------------------------
 * Ops and aliases
 * ------------------------------------------------------------------ */

static const struct op_case {
	const char	*line;
	int		 kind;
	const char	*id;		/* NULL: no ID */
	uint64_t	 size;
	uint64_t	 count;		/* calloc N */
} op_cases[] = {
	{ "alloc a 24", TRACE_ALLOC, "a", 24, 0 },
	{ "a a 24", TRACE_ALLOC, "a", 24, 0 },
	{ "emalloc a 24", TRACE_ALLOC, "a", 24, 0 },
	{ "free b", TRACE_FREE, "b", 0, 0 },
	{ "f b", TRACE_FREE, "b", 0, 0 },
	{ "efree b", TRACE_FREE, "b", 0, 0 },
	{ "realloc c 1K", TRACE_REALLOC, "c", 1024, 0 },
	{ "r c 1K", TRACE_REALLOC, "c", 1024, 0 },
	{ "erealloc c 1K", TRACE_REALLOC, "c", 1024, 0 },
	{ "calloc d 3 8", TRACE_CALLOC, "d", 8, 3 },
	{ "c d 3 8", TRACE_CALLOC, "d", 8, 3 },
	{ "ecalloc d 3 8", TRACE_CALLOC, "d", 8, 3 },
	{ "strdup e \"hi\"", TRACE_STRDUP, "e", 3, 0 },
	{ "s e \"hi\"", TRACE_STRDUP, "e", 3, 0 },
	{ "estrdup e \"hi\"", TRACE_STRDUP, "e", 3, 0 },
	{ "gc", TRACE_GC, NULL, 0, 0 },
	{ "reset", TRACE_RESET, NULL, 0, 0 },
	{ "  \talloc\t 0x55d0c0a1   2M  # a comment", TRACE_ALLOC,
	    "0x55d0c0a1", 2097152, 0 },
	{ "alloc _.:-Az09 0", TRACE_ALLOC, "_.:-Az09", 0, 0 },
	{ "free -1", TRACE_FREE, "-1", 0, 0 },	/* a plain ID in .zmt */
	{ "gc#comment", TRACE_GC, NULL, 0, 0 },
	{ "alloc\ra\r24\r", TRACE_ALLOC, "a", 24, 0 }	/* '\r' is a blank */
};

START_TEST(test_trace_ops_and_aliases)
{
	const struct op_case *c = &op_cases[_i];
	struct trace *t = zt_load_str(c->line);
	const struct trace_item *it;
	size_t len;

	ck_assert_uint_eq(trace_item_count(t), 1);
	ck_assert_uint_eq(trace_op_count(t), 1);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_ZMT);
	it = zt_item(t, 0);
	ck_assert_int_eq(it->kind, c->kind);
	ck_assert_int_eq(it->flags, 0);
	ck_assert_uint_eq(it->line, 1);
	ck_assert_uint_eq(it->opno, 1);
	ck_assert_uint_eq(it->size, c->size);
	if (c->kind == TRACE_CALLOC)
		ck_assert_uint_eq(it->count, c->count);
	if (c->id != NULL) {
		ck_assert_uint_eq(trace_id_count(t), 1);
		ck_assert_uint_eq(it->id, 0);
		ck_assert_str_eq(trace_id_name(t, it->id), c->id);
	} else {
		ck_assert_uint_eq(trace_id_count(t), 0);
	}
	if (c->kind == TRACE_STRDUP) {
		ck_assert_str_eq(trace_item_text(t, it, &len), "hi");
		ck_assert_uint_eq(len, 2);
	} else {
		ck_assert_ptr_null(trace_item_text(t, it, &len));
		ck_assert_uint_eq(len, 0);
	}
	trace_free(t);
}
END_TEST

/*
 * Plain op lines are read by a fast path once the first line is behind
 * (it may start a .rep header); the first line always takes the general
 * path.  Every line here, well-formed or nearly so, must give the same
 * item both ways.
 */
static const char *const path_lines[] = {
	"alloc b1 8", "a b1 8", "emalloc x 8", "free b1", "f b1", "efree b1",
	"realloc b1 16", "r b1 16", "erealloc b1 16", "calloc b1 3 8",
	"c b1 3 8", "ecalloc b1 3 8", "alloc\tb1\t8", "alloc b1 8\r",
	"alloc   b1   8   ", "free b1 \t\r", "alloc b1 1K", "alloc b1 1M",
	"alloc b1 1G", "alloc b1 0", "alloc b1 007", "calloc b1 0 0",
	"alloc b1 999999999999999999", "alloc b1 9999999999999999999",
	"alloc b1 9223372036854775808", "alloc b1 9223372036854775809",
	"alloc b1 000000000000000000001", "alloc b1 8589934592G",
	"alloc b1 8589934593G", "alloc b1 9007199254740992K",
	"alloc b1 4294967296", "calloc b1 4294967296 1",
	"alloc 0123456789012345678901234567890123456789012345678901234567890123 1",
	"alloc 01234567890123456789012345678901234567890123456789012345678901234 1",
	"free -1", "alloc _.:-Az09 1",
	"alloc b1", "alloc b1 8 9", "alloc b1 8x", "alloc b1 8K9",
	"alloc b1 1KB", "alloc b1 -1", "alloc b$ 8", "alloc b1\"x\" 8",
	"alloc b1 \"8\"", "alloc 8", "free", "free b1 8", "calloc b1 8",
	"alloc b1 8 # comment", "alloc b1 8#c", "free b1#c", "allocb1 8",
	"Alloc b1 8", "alloc b1 k", "alloc b1 K", "free b1\"",
	"calloc b1 3K 8M", "calloc b1 3X 8", "realloc b1", "gc", "reset",
	"strdup s \"x\"", "alloc \xc3\xa9 8", "alloc b1 \xef\xbc\x91",
	"free b1 b2", "a b1 8 8", "f", "r b1 8\"", "emalloc b1 -0"
};

START_TEST(test_trace_fast_and_general_paths)
{
	const char *line = path_lines[_i];
	char text[256];
	struct trace *general, *fast;
	const struct trace_item *g, *f;
	const char *gt, *ft;

	snprintf(text, sizeof(text), "%s\n", line);
	general = zt_load_str(text);
	snprintf(text, sizeof(text), "@pause\n%s\n", line);
	fast = zt_load_str(text);
	ck_assert_uint_eq(trace_item_count(general), 1);
	ck_assert_uint_eq(trace_item_count(fast), 2);
	g = zt_item(general, 0);
	f = zt_item(fast, 1);
	ck_assert_msg(g->kind == f->kind, "'%s': kind %d, not %d", line,
	    f->kind, g->kind);
	ck_assert_int_eq(g->flags, f->flags);
	ck_assert_uint_eq(g->opno, f->opno);
	ck_assert_uint_eq(g->size, f->size);
	ck_assert_uint_eq(f->line, 2);
	ck_assert_uint_eq(trace_bad_count(general), trace_bad_count(fast));
	ck_assert_uint_eq(trace_id_count(general), trace_id_count(fast));
	if (trace_id_count(general) > 0)
		ck_assert_str_eq(trace_id_name(general, g->id),
		    trace_id_name(fast, f->id));
	gt = trace_item_text(general, g, NULL);
	ft = trace_item_text(fast, f, NULL);
	ck_assert_int_eq(gt == NULL, ft == NULL);
	if (gt != NULL)
		ck_assert_str_eq(gt, ft);
	else
		ck_assert_uint_eq(g->count, f->count);
	trace_free(general);
	trace_free(fast);
}
END_TEST

/* The reader does not track liveness: the replay reports those errors. */
START_TEST(test_trace_liveness_is_not_checked)
{
	struct trace *t = zt_load_str("free a\nalloc a 1\nalloc a 2\n"
	    "realloc z 5\nreset\nfree a\n");

	ck_assert_uint_eq(trace_item_count(t), 6);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	ck_assert_uint_eq(trace_op_count(t), 6);
	trace_free(t);
}
END_TEST

START_TEST(test_trace_ids_are_interned)
{
	struct trace *t = zt_load_str("alloc a 1\nalloc b 1\nfree a\n"
	    "realloc b 2\nalloc q 12X\ngc\nfree zz\n");

	ck_assert_uint_eq(trace_id_count(t), 3);	/* not q: bad line */
	ck_assert_uint_eq(zt_item(t, 0)->id, 0);
	ck_assert_uint_eq(zt_item(t, 1)->id, 1);
	ck_assert_uint_eq(zt_item(t, 2)->id, 0);
	ck_assert_uint_eq(zt_item(t, 3)->id, 1);
	ck_assert_uint_eq(zt_item(t, 6)->id, 2);
	ck_assert_str_eq(trace_id_name(t, 0), "a");
	ck_assert_str_eq(trace_id_name(t, 1), "b");
	ck_assert_str_eq(trace_id_name(t, 2), "zz");
	ck_assert_ptr_null(trace_id_name(t, 3));
	trace_free(t);
}
END_TEST

/* Past the loader's deferred-interning threshold, indices stay in order. */
START_TEST(test_trace_many_ids)
{
	enum { N = 100000 };
	char *buf = malloc((size_t)N * 2 * 32), name[32];
	const struct trace_item *it;
	struct trace *t;
	size_t at = 0, i;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < N; i++)
		at += (size_t)sprintf(buf + at, "alloc id%zu %zu\n", i, i);
	for (i = 0; i < N; i++)
		at += (size_t)sprintf(buf + at, "free id%zu\n", N - 1 - i);
	t = zt_load(buf, at);
	ck_assert_uint_eq(trace_id_count(t), N);
	ck_assert_uint_eq(trace_item_count(t), 2 * N);
	for (i = 0; i < N; i++) {
		it = zt_item(t, i);
		ck_assert_uint_eq(it->id, i);
		ck_assert_uint_eq(it->size, i);
		snprintf(name, sizeof(name), "id%zu", i);
		ck_assert_str_eq(trace_id_name(t, (uint32_t)i), name);
		ck_assert_uint_eq(zt_item(t, N + i)->id, N - 1 - i);
	}
	trace_free(t);
	free(buf);
}
END_TEST

/* The ID of block I in test_trace_many_hashed_ids: hashed, or b + I. */
static const char *
mixed_id(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, i % 4 == 3 ? "b%zu" : "x%zu.h", i);
	return buf;
}

/*
 * IDs that are hashed (not a prefix and a number) past the deferred-
 * interning threshold, between IDs found by number: indices stay in order
 * of first appearance across both, and every op gets its own ID back.
 */
START_TEST(test_trace_many_hashed_ids)
{
	enum { N = 120000 };
	char *buf = malloc((size_t)N * 2 * 32), name[32];
	const struct trace_item *it;
	struct trace *t;
	size_t at = 0, i, k = 0;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < N; i++) {
		at += (size_t)sprintf(buf + at, "alloc %s %zu\n",
		    mixed_id(name, sizeof(name), i), i);
		if (i % 5 == 0)		/* an ID seen before, maybe queued */
			at += (size_t)sprintf(buf + at, "free %s\n",
			    mixed_id(name, sizeof(name), i / 2));
	}
	t = zt_load(buf, at);
	ck_assert_uint_eq(trace_id_count(t), N);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	for (i = 0; i < N; i++) {
		it = zt_item(t, k++);
		ck_assert_int_eq(it->kind, TRACE_ALLOC);
		ck_assert_uint_eq(it->size, i);
		ck_assert_uint_eq(it->id, i);
		ck_assert_str_eq(trace_id_name(t, it->id),
		    mixed_id(name, sizeof(name), i));
		if (i % 5 == 0) {
			it = zt_item(t, k++);
			ck_assert_int_eq(it->kind, TRACE_FREE);
			ck_assert_uint_eq(it->id, i / 2);
		}
	}
	ck_assert_uint_eq(k, trace_item_count(t));
	trace_free(t);
	free(buf);
}
END_TEST

/* ------------------------------------------------------------------
 * Quoted TEXT
 * ------------------------------------------------------------------ */

static const struct text_case {
	const char	*line;
	size_t		 line_len;	/* 0: strlen */
	const char	*msg;		/* NULL: accepted */
	const char	*text;		/* decoded */
	size_t		 text_len;
} text_cases[] = {
	{ "s x \"hi\"", 0, NULL, "hi", 2 },
	{ "s x \"\"", 0, NULL, "", 0 },
	{ "s x \"a\\\"b\"", 0, NULL, "a\"b", 3 },
	{ "s x \"a\\\\b\"", 0, NULL, "a\\b", 3 },
	{ "s x \"a\\nb\\tc\"", 0, NULL, "a\nb\tc", 5 },
	{ "s x \"\\x41\\x62\\xfF\\x7e\"", 0, NULL, "Ab\xff~", 4 },
	{ "s x \"a\\x00b\"", 0, NULL, "a\0b", 3 },
	{ "s x \"a#b\" # c", 0, NULL, "a#b", 3 },
	{ "s x \"a b\"\t", 0, NULL, "a b", 3 },
	{ "s x \"ab\"#c", 0, NULL, "ab", 2 },
	{ "s x \"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80\"", 0, NULL,
	    "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", 9 },
	{ "s x \"\\\\\"", 0, NULL, "\\", 1 },
	/* runs between escapes, escaped quotes before the closing one */
	{ "s x \"ab\\\"cd\\\"ef\\\\gh\\n\"", 0, NULL, "ab\"cd\"ef\\gh\n", 12 },
	{ "s x \"\\\"\"", 0, NULL, "\"", 1 },
	{ "s x \"\\\"\\\"\\\"\"", 0, NULL, "\"\"\"", 3 },
	{ "s x \"ab\\qcd", 0, "bad escape '\\q' in string", NULL, 0 },
	{ "s x \"ab\\x4", 0, "bad \\x escape in string", NULL, 0 },
	{ "s x \"ab\\\"cd", 0, "unterminated string", NULL, 0 },
	{ "s x \"a\\qb\"", 0, "bad escape '\\q' in string", NULL, 0 },
	{ "s x \"\\\xc3\xa9\"", 0, "bad escape '\\\xc3\xa9' in string",
	    NULL, 0 },
	{ "s x \"\\\t\"", 0, "bad escape '\\\\x09' in string", NULL, 0 },
	{ "s x \"\\x4\"", 0, "bad \\x escape in string", NULL, 0 },
	{ "s x \"\\x4g\"", 0, "bad \\x escape in string", NULL, 0 },
	{ "s x \"\\xg4\"", 0, "bad \\x escape in string", NULL, 0 },
	{ "s x \"\\x", 0, "bad \\x escape in string", NULL, 0 },
	{ "s x \"abc", 0, "unterminated string", NULL, 0 },
	{ "s x \"abc\\", 0, "unterminated string", NULL, 0 },
	{ "s x \"abc\\\"", 0, "unterminated string", NULL, 0 },
	{ "s x \"", 0, "unterminated string", NULL, 0 },
	{ "s x \"a\"b", 0, "junk after closing quote", NULL, 0 },
	{ "s x \"a\"\"b\"", 0, "junk after closing quote", NULL, 0 },
	{ "s x abc", 0, "strdup TEXT must be double-quoted", NULL, 0 },
	{ "s x a\"b\"", 0, "stray '\"'", NULL, 0 },
	{ "s x \"\xff\"", 0, "invalid UTF-8 in text", NULL, 0 },
	{ "s x \"\xc3\"", 0, "invalid UTF-8 in text", NULL, 0 },
	{ "s x \"\xc0\xaf\"", 0, "invalid UTF-8 in text", NULL, 0 },
	{ "s x \"\xed\xa0\x80\"", 0, "invalid UTF-8 in text", NULL, 0 },
	{ "s x \"\xf4\x90\x80\x80\"", 0, "invalid UTF-8 in text", NULL, 0 },
	{ "s x \"a\0b\"", 10, "NUL byte in line", NULL, 0 },
	/* Tokens are read left to right: the first problem wins. */
	{ "alloc \"\\q\" 1", 0, "bad escape '\\q' in string", NULL, 0 },
	{ "frob \"open", 0, "unterminated string", NULL, 0 },
	{ "a 1 2 3 4 5 6 7 \"\\q\"", 0, "too many tokens", NULL, 0 },
	{ "a \"\\q\" 2 3 4 5 6 7 8", 0, "bad escape '\\q' in string", NULL, 0 },
	{ "s \"x\" \"\\q\"", 0, "bad escape '\\q' in string", NULL, 0 },
	{ "s \"x\" \"t\"", 0, "bad ID '\"x\"'", NULL, 0 }
};

START_TEST(test_trace_quoted_text)
{
	const struct text_case *c = &text_cases[_i];
	const struct trace_item *it;
	struct trace *t;
	const char *text;
	size_t len;

	t = zt_load(c->line, c->line_len ? c->line_len : strlen(c->line));
	ck_assert_uint_eq(trace_item_count(t), 1);
	if (c->msg != NULL) {
		zt_assert_bad(t, 0, 1, 1, c->msg);
		trace_free(t);
		return;
	}
	it = zt_item(t, 0);
	ck_assert_int_eq(it->kind, TRACE_STRDUP);
	text = trace_item_text(t, it, &len);
	ck_assert_uint_eq(len, c->text_len);
	ck_assert_mem_eq(text, c->text, len);
	ck_assert_int_eq(text[len], '\0');
	/* estrdup copies up to the first NUL: SIZE is strlen + 1 */
	ck_assert_uint_eq(it->size, strlen(c->text) + 1);
	trace_free(t);
}
END_TEST

/* ------------------------------------------------------------------
 * Rejected op lines
 * ------------------------------------------------------------------ */

static const struct bad_case {
	const char	*line;
	const char	*msg;
} bad_cases[] = {
	/* argument counts */
	{ "alloc a", "'alloc' takes ID SIZE, got 1 argument(s)" },
	{ "a a 1 2", "'a' takes ID SIZE, got 3 argument(s)" },
	{ "emalloc", "'emalloc' takes ID SIZE, got 0 argument(s)" },
	{ "free", "'free' takes ID, got 0 argument(s)" },
	{ "f a b", "'f' takes ID, got 2 argument(s)" },
	{ "efree a 1", "'efree' takes ID, got 2 argument(s)" },
	{ "realloc a", "'realloc' takes ID SIZE, got 1 argument(s)" },
	{ "r a", "'r' takes ID SIZE, got 1 argument(s)" },
	{ "erealloc", "'erealloc' takes ID SIZE, got 0 argument(s)" },
	{ "calloc a 1", "'calloc' takes ID N SIZE, got 2 argument(s)" },
	{ "c a 1 2 3", "'c' takes ID N SIZE, got 4 argument(s)" },
	{ "ecalloc a", "'ecalloc' takes ID N SIZE, got 1 argument(s)" },
	{ "strdup a", "'strdup' takes ID \"TEXT\", got 1 argument(s)" },
	{ "s a \"x\" \"y\"", "'s' takes ID \"TEXT\", got 3 argument(s)" },
	{ "estrdup", "'estrdup' takes ID \"TEXT\", got 0 argument(s)" },
	{ "gc x", "'gc' takes no arguments, got 1 argument(s)" },
	{ "reset 1 2", "'reset' takes no arguments, got 2 argument(s)" },
	{ "alloc a 1 2 3 4 5 6", "'alloc' takes ID SIZE, got 7 argument(s)" },
	{ "alloc a 1 2 3 4 5 6 7", "too many tokens" },
	{ "alloc a # 24", "'alloc' takes ID SIZE, got 1 argument(s)" },
	/* unknown ops */
	{ "frob x", "unknown op 'frob'" },
	{ "ALLOC a 1", "unknown op 'ALLOC'" },
	{ "allocate a 1", "unknown op 'allocate'" },
	{ "\"alloc\" a 1", "unknown op '\"alloc\"'" },
	{ "\x01 a", "unknown op '\\x01'" },
	{ "\xff\xfe", "unknown op '\\xff\\xfe'" },
	{ "\xc3\xa9t\xc3\xa9", "unknown op '\xc3\xa9t\xc3\xa9'" },
	/* IDs */
	{ "free \"\"", "bad ID '\"\"'" },
	{ "free \"a\"", "bad ID '\"a\"'" },
	{ "free a!", "bad ID 'a!'" },
	{ "free a/b", "bad ID 'a/b'" },
	{ "free a,b", "bad ID 'a,b'" },
	{ "free \xc3\xa9", "bad ID '\xc3\xa9'" },
	{ "free \xff", "bad ID '\\xff'" },
	{ "free a\x7f", "bad ID 'a\\x7f'" },
	{ "alloc a! 12X", "bad ID 'a!'" },	/* the ID is checked first */
	{ "calloc a 12X 12Y", "bad N '12X'" },	/* then N, then SIZE */
	{ "strdup a! abc", "bad ID 'a!'" },
	/* tokens */
	{ "alloc a\"b 1", "stray '\"'" },
	{ "alloc a 1\"", "stray '\"'" },
	{ "alloc a 1 \"x", "unterminated string" }
};

START_TEST(test_trace_bad_lines)
{
	assert_line_bad(bad_cases[_i].line, 1, bad_cases[_i].msg);
}
END_TEST

/* IDs and @mark NAMEs of 64 characters pass, of 65 do not. */
START_TEST(test_trace_id_length)
{
	char id[66], line[256], msg[256];
	struct trace *t;

	memset(id, 'q', 65);
	id[64] = '\0';
	snprintf(line, sizeof(line), "alloc %s 8\n@mark %s\n", id, id);
	t = zt_load_str(line);
	ck_assert_int_eq(zt_item(t, 0)->kind, TRACE_ALLOC);
	ck_assert_str_eq(trace_id_name(t, 0), id);
	ck_assert_str_eq(trace_item_text(t, zt_item(t, 1), NULL), id);
	trace_free(t);
	id[64] = 'q';
	id[65] = '\0';
	snprintf(line, sizeof(line), "alloc %s 8", id);
	snprintf(msg, sizeof(msg), "bad ID '%s'", id);
	assert_line_bad(line, 1, msg);
	snprintf(line, sizeof(line), "@mark %s", id);
	snprintf(msg, sizeof(msg), "bad NAME '%s'", id);
	assert_line_bad(line, 0, msg);
}
END_TEST

/* A token quoted in a message is cut after 80 bytes, at a character. */
START_TEST(test_trace_long_token_in_message)
{
	char line[512], msg[512];

	memset(line, 'x', 200);
	line[200] = '\0';
	memset(msg, 0, sizeof(msg));
	memcpy(msg, "unknown op '", 12);
	memset(msg + 12, 'x', 80);
	memcpy(msg + 92, "...'", 4);
	assert_line_bad(line, 1, msg);
	/* 79 ASCII bytes, then a 2-byte character: kept whole */
	memset(line, 'y', 79);
	strcpy(line + 79, "\xc3\xa9zzzzzzzzzz");
	memcpy(msg, "unknown op '", 12);
	memset(msg + 12, 'y', 79);
	strcpy(msg + 91, "\xc3\xa9...'");
	assert_line_bad(line, 1, msg);
}
END_TEST

START_TEST(test_trace_nul)
{
	struct trace *t;

	/* An op line: counted, rejected. */
	t = LOAD("alloc a\0 1\ngc\n");
	zt_assert_bad(t, 0, 1, 1, "NUL byte in line");
	ck_assert_int_eq(zt_item(t, 1)->kind, TRACE_GC);
	ck_assert_uint_eq(zt_item(t, 1)->opno, 2);
	trace_free(t);
	/* Anywhere in a significant line, comments included. */
	t = LOAD("alloc a 24 # \0\n\0\n   \0x\n");
	zt_assert_bad(t, 0, 1, 1, "NUL byte in line");
	zt_assert_bad(t, 1, 2, 2, "NUL byte in line");
	zt_assert_bad(t, 2, 3, 3, "NUL byte in line");
	trace_free(t);
	/* Raw NUL in a quoted text, unlike the \x00 escape. */
	t = LOAD("s x \"a\0b\"\ns y \"a\\x00b\"\n");
	zt_assert_bad(t, 0, 1, 1, "NUL byte in line");
	ck_assert_int_eq(zt_item(t, 1)->kind, TRACE_STRDUP);
	trace_free(t);
	/* A directive: OPNO 0. */
	t = LOAD("@title a\0b\ngc\n");
	zt_assert_bad(t, 0, 1, 0, "NUL byte in line");
	ck_assert_uint_eq(zt_item(t, 1)->opno, 1);
	trace_free(t);
	/* A comment-only line is skipped, whatever it holds. */
	t = LOAD("# \0\n  #\0\ngc\n");
	ck_assert_uint_eq(trace_item_count(t), 1);
	ck_assert_uint_eq(zt_item(t, 0)->line, 3);
	trace_free(t);
}
END_TEST

/* ------------------------------------------------------------------
 * Directives
 * ------------------------------------------------------------------ */

static const struct directive_case {
	const char	*line;
	int		 kind;
	const char	*text;		/* NULL: no text */
	uint64_t	 size;
} directive_cases[] = {
	{ "@title Hello world", TRACE_TITLE, "Hello world", 0 },
	{ "@title   Hello   world  # a comment", TRACE_TITLE,
	    "Hello   world", 0 },
	{ "@title\tTab\r", TRACE_TITLE, "Tab", 0 },
	{ "@title", TRACE_TITLE, "", 0 },
	{ "@title#x", TRACE_TITLE, "", 0 },
	{ "@title \"A \\\"quoted\\\" # title\"  # c", TRACE_TITLE,
	    "A \"quoted\" # title", 0 },
	{ "@title say \"hi\" \\q", TRACE_TITLE, "say \"hi\" \\q", 0 },
	{ "@title \xc3\xa9t\xc3\xa9", TRACE_TITLE, "\xc3\xa9t\xc3\xa9", 0 },
	{ "@caption Three 24-byte blocks come from bin 2", TRACE_CAPTION,
	    "Three 24-byte blocks come from bin 2", 0 },
	{ "@caption \"line\\nbreak\"", TRACE_CAPTION, "line\nbreak", 0 },
	{ "@caption", TRACE_CAPTION, "", 0 },
	{ "@pause", TRACE_PAUSE, NULL, 0 },
	{ "  @pause   # stop here", TRACE_PAUSE, NULL, 0 },
	{ "@mark m1", TRACE_MARK, "m1", 0 },
	{ "@mark 0x55d0c0a1#c", TRACE_MARK, "0x55d0c0a1", 0 },
	{ "@limit 64M", TRACE_LIMIT, NULL, 67108864 },
	{ "@limit\t0\r", TRACE_LIMIT, NULL, 0 }
};

START_TEST(test_trace_directives)
{
	const struct directive_case *c = &directive_cases[_i];
	struct trace *t = zt_load_str(c->line);
	const struct trace_item *it;
	const char *text;
	size_t len;

	ck_assert_uint_eq(trace_item_count(t), 1);
	ck_assert_uint_eq(trace_op_count(t), 0);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	it = zt_item(t, 0);
	ck_assert_int_eq(it->kind, c->kind);
	ck_assert_uint_eq(it->opno, 0);
	ck_assert_uint_eq(it->line, 1);
	ck_assert_uint_eq(it->size, c->size);
	text = trace_item_text(t, it, &len);
	if (c->text == NULL) {
		ck_assert_ptr_null(text);
	} else {
		ck_assert_str_eq(text, c->text);
		ck_assert_uint_eq(len, strlen(c->text));
	}
	if (c->kind == TRACE_TITLE)
		ck_assert_str_eq(trace_title(t), c->text);
	else
		ck_assert_ptr_null(trace_title(t));
	trace_free(t);
}
END_TEST

static const struct bad_case bad_directive_cases[] = {
	{ "@nope", "unknown directive '@nope'" },
	{ "@", "unknown directive '@'" },
	{ "@ title", "unknown directive '@'" },
	{ "@TITLE x", "unknown directive '@TITLE'" },
	{ "@title\"x\"", "unknown directive '@title\"x\"'" },
	{ "@pause now", "'@pause' takes no arguments, got 1 argument(s)" },
	{ "@mark", "'@mark' takes NAME, got 0 argument(s)" },
	{ "@mark # x", "'@mark' takes NAME, got 0 argument(s)" },
	{ "@mark a b", "'@mark' takes NAME, got 2 argument(s)" },
	{ "@mark a!", "bad NAME 'a!'" },
	{ "@mark \"a\"", "bad NAME '\"a\"'" },
	{ "@limit", "'@limit' takes SIZE, got 0 argument(s)" },
	{ "@limit 1 2", "'@limit' takes SIZE, got 2 argument(s)" },
	{ "@limit 12X", "bad SIZE '12X'" },
	{ "@limit 9223372036854775809", "bad SIZE '9223372036854775809'" },
	{ "@title \"x", "unterminated string" },
	{ "@title \"a\\qb\"", "bad escape '\\q' in string" },
	{ "@caption \"\\x4\"", "bad \\x escape in string" },
	{ "@title \"a\" b", "junk after closing quote" },
	{ "@title \"a\"b", "junk after closing quote" },
	{ "@caption \xff", "invalid UTF-8 in text" },
	{ "@caption \"\xe2\x82\"", "invalid UTF-8 in text" },
	{ "@title ok # \xff", NULL }		/* in a comment: accepted */
};

START_TEST(test_trace_bad_directives)
{
	const struct bad_case *c = &bad_directive_cases[_i];
	struct trace *t;

	if (c->msg != NULL) {
		assert_line_bad(c->line, 0, c->msg);
		return;
	}
	t = zt_load_str(c->line);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	trace_free(t);
}
END_TEST

START_TEST(test_trace_title_is_the_first)
{
	struct trace *t = zt_load_str("@title \"bad\n@caption c\n"
	    "@title First\n@title Second\n");

	ck_assert_str_eq(trace_title(t), "First");
	ck_assert_int_eq(zt_item(t, 0)->kind, TRACE_BAD);
	ck_assert_int_eq(zt_item(t, 1)->kind, TRACE_CAPTION);
	trace_free(t);
}
END_TEST

/* ------------------------------------------------------------------
 * Lines, OPNOs and trace_item_of_op
 * ------------------------------------------------------------------ */

START_TEST(test_trace_numbering)
{
	static const char text[] =
	    "# comment\n"			/*  1: skipped */
	    "\n"				/*  2: skipped */
	    "@title T\n"			/*  3: TITLE, OPNO 0 */
	    "alloc a 24\n"			/*  4: OPNO 1 */
	    "frob\n"				/*  5: BAD, OPNO 2 */
	    "@nope\n"				/*  6: BAD, OPNO 0 */
	    "   # indented comment\n"		/*  7: skipped */
	    "alloc b 12X\n"			/*  8: BAD, OPNO 3 */
	    "s c \"unterminated\n"		/*  9: BAD, OPNO 4 */
	    "@mark m\n"				/* 10: MARK, OPNO 0 */
	    "\t\r\n"				/* 11: skipped */
	    "free a\n"				/* 12: OPNO 5 */
	    "@limit x\n"			/* 13: BAD, OPNO 0 */
	    "gc";				/* 14: OPNO 6, no '\n' */
	struct trace *t = LOAD(text);
	static const struct {
		int		 kind;
		uint32_t	 line;
		uint64_t	 opno;
	} want[] = {
		{ TRACE_TITLE, 3, 0 }, { TRACE_ALLOC, 4, 1 },
		{ TRACE_BAD, 5, 2 }, { TRACE_BAD, 6, 0 }, { TRACE_BAD, 8, 3 },
		{ TRACE_BAD, 9, 4 }, { TRACE_MARK, 10, 0 },
		{ TRACE_FREE, 12, 5 }, { TRACE_BAD, 13, 0 }, { TRACE_GC, 14, 6 }
	};
	size_t i;

	ck_assert_uint_eq(trace_item_count(t), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(zt_item(t, i)->kind, want[i].kind);
		ck_assert_uint_eq(zt_item(t, i)->line, want[i].line);
		ck_assert_uint_eq(zt_item(t, i)->opno, want[i].opno);
	}
	ck_assert_uint_eq(trace_op_count(t), 6);
	ck_assert_uint_eq(trace_bad_count(t), 5);
	zt_assert_bad(t, 2, 5, 2, "unknown op 'frob'");
	zt_assert_bad(t, 3, 6, 0, "unknown directive '@nope'");
	zt_assert_bad(t, 4, 8, 3, "bad SIZE '12X'");
	zt_assert_bad(t, 5, 9, 4, "unterminated string");
	zt_assert_bad(t, 8, 13, 0, "bad SIZE 'x'");
	ck_assert_str_eq(trace_title(t), "T");
	ck_assert_uint_eq(trace_item_of_op(t, 1), 1);
	ck_assert_uint_eq(trace_item_of_op(t, 2), 2);
	ck_assert_uint_eq(trace_item_of_op(t, 3), 4);
	ck_assert_uint_eq(trace_item_of_op(t, 4), 5);
	ck_assert_uint_eq(trace_item_of_op(t, 5), 7);
	ck_assert_uint_eq(trace_item_of_op(t, 6), 9);
	ck_assert_uint_eq(trace_item_of_op(t, 0), SIZE_MAX);
	ck_assert_uint_eq(trace_item_of_op(t, 7), SIZE_MAX);
	ck_assert_uint_eq(trace_item_of_op(t, UINT64_MAX), SIZE_MAX);
	trace_free(t);
}
END_TEST

/* Random mixes of ops and OPNO-0 items: the binary search against a scan. */
START_TEST(test_trace_item_of_op)
{
	static const char *const lines[] = {
		"gc\n", "@pause\n", "@nope\n", "frob\n", "@mark m\n",
		"alloc a 1\n", "@limit 1K\n", "@title x\n"
	};
	char *buf = malloc(20000 * 16);
	unsigned seed = 12345u;
	size_t at, i, n, nlines;
	uint64_t opno;
	struct trace *t;
	int round;

	ck_assert_ptr_nonnull(buf);
	for (round = 0; round < 40; round++) {
		nlines = (size_t)round * round * 10;
		at = 0;
		for (i = 0; i < nlines; i++) {
			seed = seed * 1103515245u + 12345u;
			/* op-heavy and directive-heavy rounds */
			n = (seed >> 16) % (round % 2 ? 8 : 4) +
			    (round % 3 == 0 ? 4 : 0);
			at += (size_t)sprintf(buf + at, "%s", lines[n % 8]);
		}
		t = zt_load(buf, at);
		opno = 0;
		for (i = 0; i < trace_item_count(t); i++) {
			if (zt_item(t, i)->opno == 0)
				continue;
			ck_assert_uint_eq(zt_item(t, i)->opno, ++opno);
			ck_assert_uint_eq(trace_item_of_op(t, opno), i);
		}
		ck_assert_uint_eq(trace_op_count(t), opno);
		ck_assert_uint_eq(trace_item_of_op(t, opno + 1), SIZE_MAX);
		trace_free(t);
	}
	free(buf);
}
END_TEST

/* Lines far apart: long runs of blank and comment lines between items. */
START_TEST(test_trace_far_lines)
{
	enum { RUN = 70000 };
	char *buf = malloc(4 * RUN + 64);
	struct trace *t;
	size_t at = 0, i;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < RUN; i++)
		buf[at++] = '\n';
	at += (size_t)sprintf(buf + at, "alloc a 1\nfree a\n");
	for (i = 0; i < RUN; i++)
		at += (size_t)sprintf(buf + at, "#\n");
	at += (size_t)sprintf(buf + at, "@mark m\nalloc b 2");
	t = zt_load(buf, at);
	ck_assert_uint_eq(trace_item_count(t), 4);
	ck_assert_uint_eq(zt_item(t, 0)->line, RUN + 1);
	ck_assert_uint_eq(zt_item(t, 1)->line, RUN + 2);
	ck_assert_uint_eq(zt_item(t, 2)->line, 2 * RUN + 3);
	ck_assert_uint_eq(zt_item(t, 2)->opno, 0);
	ck_assert_uint_eq(zt_item(t, 3)->line, 2 * RUN + 4);
	ck_assert_uint_eq(zt_item(t, 3)->opno, 3);
	ck_assert_uint_eq(zt_item(t, 3)->size, 2);
	trace_free(t);
	free(buf);
}
END_TEST

START_TEST(test_trace_empty)
{
	static const char *const texts[] = {
		"", "\n", "\n\n\n", "# only\n# comments", "  \t\r\n\r\n", "#"
	};
	struct trace *t;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		t = zt_load_str(texts[i]);
		ck_assert_uint_eq(trace_item_count(t), 0);
		ck_assert_uint_eq(trace_op_count(t), 0);
		ck_assert_uint_eq(trace_bad_count(t), 0);
		ck_assert_uint_eq(trace_id_count(t), 0);
		ck_assert_int_eq(trace_format(t), TRACE_FORMAT_ZMT);
		ck_assert_ptr_null(trace_title(t));
		ck_assert_uint_eq(trace_item_of_op(t, 1), SIZE_MAX);
		ck_assert_str_eq(trace_name(t), "t.zmt");
		trace_free(t);
	}
	/* A NULL buffer of no bytes, and no name. */
	ck_assert_int_eq(trace_load_mem(NULL, NULL, 0, &t, NULL), 0);
	ck_assert_uint_eq(trace_item_count(t), 0);
	ck_assert_str_eq(trace_name(t), "(memory)");
	trace_free(t);
	trace_free(NULL);
}
END_TEST

START_TEST(test_trace_crlf_and_last_line)
{
	struct trace *t = zt_load_str("@title Hello\r\nalloc a 24\r\n\r\n"
	    "free a\r\n\n\ngc");

	ck_assert_uint_eq(trace_item_count(t), 4);
	ck_assert_str_eq(trace_title(t), "Hello");
	ck_assert_uint_eq(zt_item(t, 1)->size, 24);
	ck_assert_uint_eq(zt_item(t, 2)->line, 4);
	ck_assert_uint_eq(zt_item(t, 3)->line, 7);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	trace_free(t);
}
END_TEST

/* ------------------------------------------------------------------
 * Over-long lines
 * ------------------------------------------------------------------ */

/* "gc\n" PREFIX, FILL repeated to N bytes of line, SUFFIX "\ngc\n". */
static char *
long_text(const char *prefix, char fill, size_t n, const char *suffix,
    size_t *len)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *buf = malloc(n + sl + 16);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "gc\n", 3);
	memcpy(buf + 3, prefix, pl);
	memset(buf + 3 + pl, fill, n - pl - sl);
	memcpy(buf + 3 + n - sl, suffix, sl);
	memcpy(buf + 3 + n, "\ngc\n", 4);
	*len = n + 7;
	return buf;
}

/* The same bytes through trace_load_mem and trace_load_file. */
static void
both_ways(const char *buf, size_t len, struct trace **mem,
    struct trace **file)
{
	struct trace_error err;
	char path[64];

	*mem = zt_load(buf, len);
	zt_write_temp(path, buf, len);
	ck_assert_msg(trace_load_file(path, file, &err) == 0, "%s", err.msg);
	unlink(path);
	assert_same_trace(*mem, *file);
}

static const struct long_case {
	const char	*prefix;
	char		 fill;
	size_t		 n;		/* bytes of the line */
	const char	*suffix;
	int		 kind;		/* of the middle line; -1: skipped */
	uint64_t	 opno;
} long_cases[] = {
	{ "alloc a ", '1', 2 * LINE_MAX_BYTES, "", TRACE_BAD, 2 },
	{ "s x \"", 'a', LINE_MAX_BYTES + 1, "\"", TRACE_BAD, 2 },
	{ "s x \"", 'a', LINE_MAX_BYTES, "\"", TRACE_STRDUP, 2 },
	{ "#", 'x', 3 * LINE_MAX_BYTES, "", -1, 0 },
	{ " ", '\t', 2 * LINE_MAX_BYTES, "", -1, 0 },
	{ "@title ", 'x', 2 * LINE_MAX_BYTES, "", TRACE_BAD, 0 },
	{ "frob ", ' ', 5 * LINE_MAX_BYTES / 2, "# x", TRACE_BAD, 2 },
	{ "s x \"", 'a', 2 * LINE_MAX_BYTES, "", TRACE_BAD, 2 }
};

START_TEST(test_trace_long_lines)
{
	const struct long_case *c = &long_cases[_i];
	struct trace *mem, *file;
	size_t len;
	char *buf = long_text(c->prefix, c->fill, c->n, c->suffix, &len);

	both_ways(buf, len, &mem, &file);
	free(buf);
	if (c->kind < 0) {
		ck_assert_uint_eq(trace_item_count(mem), 2);
		ck_assert_uint_eq(zt_item(mem, 1)->line, 3);
		ck_assert_uint_eq(zt_item(mem, 1)->opno, 2);
	} else {
		ck_assert_uint_eq(trace_item_count(mem), 3);
		ck_assert_int_eq(zt_item(mem, 1)->kind, c->kind);
		ck_assert_uint_eq(zt_item(mem, 1)->line, 2);
		ck_assert_uint_eq(zt_item(mem, 1)->opno, c->opno);
		if (c->kind == TRACE_BAD)
			zt_assert_bad(mem, 1, 2, c->opno,
			    "line is longer than 1048576 bytes");
		ck_assert_uint_eq(zt_item(mem, 2)->line, 3);
		ck_assert_uint_eq(zt_item(mem, 2)->opno, c->opno ? 3 : 2);
	}
	trace_free(mem);
	trace_free(file);
}
END_TEST

/* A last line without '\n' that is too long, through both loaders. */
START_TEST(test_trace_long_last_line)
{
	size_t n = 3 * LINE_MAX_BYTES, len = n + 6;
	char *buf = malloc(len);
	struct trace *mem, *file;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "gc\nr x", 6);
	memset(buf + 6, '7', n);
	both_ways(buf, len, &mem, &file);
	free(buf);
	ck_assert_uint_eq(trace_item_count(mem), 2);
	zt_assert_bad(mem, 1, 2, 2, "line is longer than 1048576 bytes");
	trace_free(mem);
	trace_free(file);
}
END_TEST

/* ------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------ */

START_TEST(test_trace_file_missing)
{
	struct trace *t = (struct trace *)&t;
	struct trace_error err;

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(trace_load_file("/nonexistent/dir/x.zmt", &t, &err),
	    -1);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(err.file, "/nonexistent/dir/x.zmt");
	ck_assert_uint_eq(err.line, 0);
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_trace_file_directory)
{
	struct trace *t = (struct trace *)&t;
	struct trace_error err;

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(trace_load_file(".", &t, &err), -1);
	ck_assert_ptr_null(t);
	ck_assert_str_eq(err.file, ".");
	ck_assert_str_eq(err.msg, "is a directory");
}
END_TEST

/*
 * Some megabytes of mixed lines, loaded from a file in blocks (lines
 * cross the block ends) and from memory: the same items.
 */
START_TEST(test_trace_file_streaming)
{
	size_t cap = 8u << 20, at = 0, i;
	char *buf = malloc(cap), path[64];
	struct trace *mem, *file;
	struct trace_error err;
	unsigned seed = 99u;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; at < cap - 300000; i++) {
		seed = seed * 1103515245u + 12345u;
		switch ((seed >> 16) % 9) {
		case 0:
			at += (size_t)sprintf(buf + at, "alloc id%zu %zuK\n",
			    i % 5000, i % 97);
			break;
		case 1:
			at += (size_t)sprintf(buf + at, "free id%zu\r\n",
			    i % 5000);
			break;
		case 2:
			at += (size_t)sprintf(buf + at,
			    "strdup s%zu \"x\\ty\\x41\\\"%zu\"  # c\n", i, i);
			break;
		case 3:
			at += (size_t)sprintf(buf + at, "@caption %zu\n", i);
			break;
		case 4:
			at += (size_t)sprintf(buf + at, "frob %zu\n", i);
			break;
		case 5:		/* a longish line now and then */
			at += (size_t)sprintf(buf + at, "s big \"");
			memset(buf + at, 'z', (seed >> 8) % 200000);
			at += (seed >> 8) % 200000;
			at += (size_t)sprintf(buf + at, "\"\n");
			break;
		case 6:
			at += (size_t)sprintf(buf + at, "\n# comment %zu\n", i);
			break;
		case 7:
			at += (size_t)sprintf(buf + at, "calloc c%zu 3 8\n", i);
			break;
		default:
			at += (size_t)sprintf(buf + at, "gc\n");
			break;
		}
	}
	at += (size_t)sprintf(buf + at, "reset");	/* no final '\n' */
	mem = zt_load(buf, at);
	zt_write_temp(path, buf, at);
	free(buf);
	ck_assert_msg(trace_load_file(path, &file, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(trace_name(file), path);
	unlink(path);
	assert_same_trace(mem, file);
	ck_assert_int_eq(zt_item(mem, trace_item_count(mem) - 1)->kind,
	    TRACE_RESET);
	trace_free(mem);
	trace_free(file);
}
END_TEST

Suite *
suite_trace(void)
{
	Suite *s = suite_create("trace");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_loop_test(tc, test_trace_ops_and_aliases, 0,
	    sizeof(op_cases) / sizeof(op_cases[0]));
	tcase_add_loop_test(tc, test_trace_quoted_text, 0,
	    sizeof(text_cases) / sizeof(text_cases[0]));
	tcase_add_loop_test(tc, test_trace_directives, 0,
	    sizeof(directive_cases) / sizeof(directive_cases[0]));
	tcase_add_loop_test(tc, test_trace_fast_and_general_paths, 0,
	    sizeof(path_lines) / sizeof(path_lines[0]));
	tcase_add_test(tc, test_trace_liveness_is_not_checked);
	tcase_add_test(tc, test_trace_ids_are_interned);
	tcase_add_test(tc, test_trace_title_is_the_first);
	tcase_add_test(tc, test_trace_numbering);
	tcase_add_test(tc, test_trace_item_of_op);
	tcase_add_test(tc, test_trace_far_lines);
	tcase_add_test(tc, test_trace_empty);
	tcase_add_test(tc, test_trace_crlf_and_last_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_trace_size_table, 0,
	    sizeof(size_cases) / sizeof(size_cases[0]));
	tcase_add_test(tc, test_trace_calloc_overflow_is_not_a_reader_error);
	tcase_add_loop_test(tc, test_trace_packed_values, 0,
	    sizeof(packed_cases) / sizeof(packed_cases[0]));
	tcase_add_test(tc, test_trace_lines_and_opnos);
	tcase_add_test(tc, test_trace_id_length);
	tcase_add_test(tc, test_trace_long_token_in_message);
	tcase_add_test(tc, test_trace_many_ids);
	tcase_add_test(tc, test_trace_many_hashed_ids);
	tcase_add_loop_test(tc, test_trace_long_lines, 0,
	    sizeof(long_cases) / sizeof(long_cases[0]));
	tcase_add_test(tc, test_trace_long_last_line);
	tcase_add_test(tc, test_trace_file_streaming);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_trace_bad_lines, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_loop_test(tc, test_trace_bad_directives, 0,
	    sizeof(bad_directive_cases) / sizeof(bad_directive_cases[0]));
	tcase_add_test(tc, test_trace_nul);
	tcase_add_test(tc, test_trace_file_missing);
	tcase_add_test(tc, test_trace_file_directory);
	suite_add_tcase(s, tc);
	return s;
}
