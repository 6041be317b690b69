/*
 * check_trace_rep.c - the CS:APP malloc-lab .rep side of the reader
 * (lib/trace_rep.c): detection by the first significant line, the
 * 4-number header however it is split over lines, header errors (OPNO 0),
 * CRLF, `f -1` as free(NULL), TRACE_F_REP on every item, and, when the
 * shared folder is there, the 63 real traces of
 * shared/traces-external/malloclab/.
 */
#include "config.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "trace.h"

static struct trace *
zt_load(const char *text, size_t len)
{
	return zt_trace_load("t.rep", text, len);
}

#define LOAD(lit)	zt_load((lit), sizeof(lit) - 1)



/* Item I is an op of KIND at LINE and OPNO, from a .rep. */
static void
assert_op(const struct trace *t, size_t i, int kind, uint32_t line,
    uint64_t opno)
{
	const struct trace_item *it = zt_item(t, i);

	ck_assert_int_eq(it->kind, kind);
	ck_assert_uint_eq(it->line, line);
	ck_assert_uint_eq(it->opno, opno);
	ck_assert_int_eq(it->flags & TRACE_F_REP, TRACE_F_REP);
}

/* Header, CRLF, f -1, r on a dead ID, r ID 0: every quirk in one file. */
START_TEST(test_rep_quirks)
{
	struct trace *t = LOAD("1\r\n4\r\n8\r\n1\r\na 7 1000\r\na 8 5000\r\n"
	    "f -1\r\nr 9 64\r\nr 7 6000\r\nf 8\r\nr 9 0\r\na 10 40\r\n");
	const struct trace_item *it;

	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_REP);
	ck_assert_uint_eq(trace_item_count(t), 8);
	ck_assert_uint_eq(trace_op_count(t), 8);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	assert_op(t, 0, TRACE_ALLOC, 5, 1);
	ck_assert_uint_eq(zt_item(t, 0)->size, 1000);
	ck_assert_str_eq(trace_id_name(t, zt_item(t, 0)->id), "7");
	assert_op(t, 1, TRACE_ALLOC, 6, 2);
	assert_op(t, 2, TRACE_FREE_NULL, 7, 3);
	assert_op(t, 3, TRACE_REALLOC, 8, 4);	/* r on a dead ID */
	ck_assert_str_eq(trace_id_name(t, zt_item(t, 3)->id), "9");
	assert_op(t, 4, TRACE_REALLOC, 9, 5);
	ck_assert_uint_eq(zt_item(t, 4)->size, 6000);
	assert_op(t, 5, TRACE_FREE, 10, 6);
	assert_op(t, 6, TRACE_REALLOC, 11, 7);
	it = zt_item(t, 6);
	ck_assert_uint_eq(it->size, 0);		/* r ID 0 keeps a block */
	assert_op(t, 7, TRACE_ALLOC, 12, 8);
	ck_assert_uint_eq(trace_id_count(t), 4);	/* 7 8 9 10, not -1 */
	ck_assert_uint_eq(trace_item_of_op(t, 3), 2);
	trace_free(t);
}
END_TEST

/* The header's four numbers, however they are laid out. */
static const struct header_case {
	const char	*text;
	uint32_t	 op_line;	/* line of the one op, "a 0 8" */
} header_cases[] = {
	{ "1\n6\n9\n1\na 0 8\n", 5 },
	{ "20000 3 8 1\na 0 8\n", 2 },
	{ "1 2\n3 4\na 0 8\n", 3 },
	{ "1\n2 3 4\na 0 8", 3 },
	{ "1\n\n# comment\n2 3\n  4\r\na 0 8\n", 6 },
	{ "1\r\n2\r\n3\r\n4\r\na 0 8\r\n", 5 },
	{ "0 1 # a comment\n\t2\t3\t\na 0 8\n", 3 },
	{ "# leading comment\n\n7\n0\n0\n0\na 0 8\n", 7 },
	{ "99999999999999999999999999\n2\n3\n4\na 0 8\n", 5 },
	{ "1\n@pause\n2\n3\n4\na 0 8\n", 6 }
};

START_TEST(test_rep_header_layouts)
{
	const struct header_case *c = &header_cases[_i];
	struct trace *t = zt_load(c->text, strlen(c->text));
	size_t i;

	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_REP);
	ck_assert_uint_eq(trace_op_count(t), 1);
	ck_assert_uint_eq(trace_bad_count(t), 0);
	for (i = 0; i < trace_item_count(t); i++)
		if (zt_item(t, i)->opno != 0)
			break;
	assert_op(t, i, TRACE_ALLOC, c->op_line, 1);
	ck_assert_uint_eq(zt_item(t, i)->size, 8);
	trace_free(t);
}
END_TEST

/* Lines where the header should be but is not: OPNO 0, header over. */
START_TEST(test_rep_header_errors)
{
	struct trace *t;

	/* Three numbers, then an op: the op line is taken as the error. */
	t = LOAD("1\n2\n3\na 0 8\nf 0\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_REP);
	ck_assert_uint_eq(trace_item_count(t), 2);
	zt_assert_bad(t, 0, 4, 0, ".rep header: expected 1 more number(s)");
	assert_op(t, 1, TRACE_FREE, 5, 1);
	ck_assert_uint_eq(trace_op_count(t), 1);
	trace_free(t);

	/* Too many numbers on a line. */
	t = LOAD("1 2 3 4 5\na 0 8\n");
	zt_assert_bad(t, 0, 1, 0, ".rep header: expected 4 more number(s)");
	assert_op(t, 1, TRACE_ALLOC, 2, 1);
	trace_free(t);
	t = LOAD("1 2\n3 4 5\na 0 8");
	zt_assert_bad(t, 0, 2, 0, ".rep header: expected 2 more number(s)");
	assert_op(t, 1, TRACE_ALLOC, 3, 1);
	trace_free(t);

	/* A number and a word: a .rep, with a broken header. */
	t = LOAD("20 abc\na 0 8\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_REP);
	zt_assert_bad(t, 0, 1, 0, ".rep header: expected 4 more number(s)");
	assert_op(t, 1, TRACE_ALLOC, 2, 1);
	trace_free(t);

	/* Quoted, or not only digits. */
	t = LOAD("1\n2\n3\n\"4\"\na 0 8\n");
	zt_assert_bad(t, 0, 4, 0, ".rep header: expected 1 more number(s)");
	trace_free(t);
	t = LOAD("1\n2\n3\n4K\na 0 8\n");
	zt_assert_bad(t, 0, 4, 0, ".rep header: expected 1 more number(s)");
	ck_assert_uint_eq(trace_op_count(t), 1);
	trace_free(t);

	/* The file ends in the header: the error is on the last line. */
	t = LOAD("1\n2\n");
	ck_assert_uint_eq(trace_item_count(t), 1);
	zt_assert_bad(t, 0, 2, 0, ".rep header: expected 2 more number(s)");
	trace_free(t);
	t = LOAD("1\n2\n\n\n");
	zt_assert_bad(t, 0, 4, 0, ".rep header: expected 2 more number(s)");
	trace_free(t);

	/* A NUL byte ends the header too, then numbers are ops. */
	t = LOAD("1\n2\n\0\n3\n");
	zt_assert_bad(t, 0, 3, 0, "NUL byte in line");
	zt_assert_bad(t, 1, 4, 1, "unknown op '3'");
	trace_free(t);
}
END_TEST

/* Only a first significant line that starts with a number makes a .rep. */
START_TEST(test_rep_detection)
{
	struct trace *t;

	t = LOAD("@title x\n4\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_ZMT);
	zt_assert_bad(t, 1, 2, 1, "unknown op '4'");
	ck_assert_int_eq(zt_item(t, 1)->flags, 0);
	trace_free(t);

	t = LOAD("@nope\n1\n2\n3\n4\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_ZMT);
	ck_assert_uint_eq(trace_op_count(t), 4);
	trace_free(t);

	t = LOAD("\"20\"\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_ZMT);
	zt_assert_bad(t, 0, 1, 1, "unknown op '\"20\"'");
	trace_free(t);

	t = LOAD("alloc a 1\n1\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_ZMT);
	zt_assert_bad(t, 1, 2, 2, "unknown op '1'");
	trace_free(t);

	t = LOAD("12a 1 2\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_ZMT);
	trace_free(t);

	/*
	 * As in the reference parser, a line the tokenizer rejects is an op
	 * line (OPNO 1) but not the "first significant" one.
	 */
	t = LOAD("x\"\n20\n1\n2\n3\na 0 8\n");
	ck_assert_int_eq(trace_format(t), TRACE_FORMAT_REP);
	zt_assert_bad(t, 0, 1, 1, "stray '\"'");
	ck_assert_int_eq(zt_item(t, 0)->flags, 0);	/* read before detection */
	assert_op(t, 1, TRACE_ALLOC, 6, 2);
	trace_free(t);
}
END_TEST

START_TEST(test_rep_free_null)
{
	struct trace *t;

	t = LOAD("0\n0\n3\n0\nf -1\nf -01\nf -1 # comment\r\n");
	assert_op(t, 0, TRACE_FREE_NULL, 5, 1);
	ck_assert_uint_eq(zt_item(t, 0)->id, 0);
	assert_op(t, 1, TRACE_FREE, 6, 2);		/* just an ID */
	ck_assert_str_eq(trace_id_name(t, zt_item(t, 1)->id), "-01");
	assert_op(t, 2, TRACE_FREE_NULL, 7, 3);
	ck_assert_uint_eq(trace_id_count(t), 1);
	trace_free(t);

	/* In a .zmt, -1 is an ordinary ID. */
	t = LOAD("alloc -1 8\nfree -1\n");
	ck_assert_int_eq(zt_item(t, 1)->kind, TRACE_FREE);
	ck_assert_str_eq(trace_id_name(t, zt_item(t, 1)->id), "-1");
	trace_free(t);

	/* In a .rep, -1 is NULL: no other op may name it. */
	t = LOAD("1\n1\n1\n1\na -1 8\nr -1 8\nc -1 1 1\nf -1 x\n");
	zt_assert_bad(t, 0, 5, 1,
	    "ID '-1' is NULL in a .rep file: only 'f -1' may name it");
	zt_assert_bad(t, 1, 6, 2,
	    "ID '-1' is NULL in a .rep file: only 'f -1' may name it");
	zt_assert_bad(t, 2, 7, 3,
	    "ID '-1' is NULL in a .rep file: only 'f -1' may name it");
	zt_assert_bad(t, 3, 8, 4, "'f' takes ID, got 2 argument(s)");
	trace_free(t);
}
END_TEST

/* Every item after detection carries TRACE_F_REP; .zmt ops are accepted. */
START_TEST(test_rep_flags_and_zmt_ops)
{
	struct trace *t = LOAD("1\n2\n3\n4\n@caption hi\na 7 16\ngc\n"
	    "s 8 \"x\"\nfrob\nr 7 0\n");
	size_t i;

	ck_assert_uint_eq(trace_item_count(t), 6);
	for (i = 0; i < trace_item_count(t); i++)
		ck_assert_int_eq(zt_item(t, i)->flags, TRACE_F_REP);
	ck_assert_int_eq(zt_item(t, 0)->kind, TRACE_CAPTION);
	assert_op(t, 1, TRACE_ALLOC, 6, 1);
	assert_op(t, 2, TRACE_GC, 7, 2);
	assert_op(t, 3, TRACE_STRDUP, 8, 3);
	zt_assert_bad(t, 4, 9, 4, "unknown op 'frob'");
	assert_op(t, 5, TRACE_REALLOC, 10, 5);
	trace_free(t);
}
END_TEST

/* Damage seen in the wild (alaska.rep): `a ID` without SIZE. */
START_TEST(test_rep_missing_size)
{
	struct trace *t = LOAD("0\r\n50\r\n100000\r\n0\r\na 4916\r\n"
	    "a 22 3\r\nf 4916\r\n");

	zt_assert_bad(t, 0, 5, 1, "'a' takes ID SIZE, got 1 argument(s)");
	assert_op(t, 1, TRACE_ALLOC, 6, 2);
	assert_op(t, 2, TRACE_FREE, 7, 3);	/* liveness is the replay's */
	trace_free(t);
}
END_TEST

/* The directory of the CS:APP traces, or NULL if it is not there. */
static DIR *
open_malloclab(char *dir, size_t size)
{
	static const char *const roots[] = {
		"abs_top_srcdir", "top_srcdir", NULL
	};
	const char *root;
	DIR *d;
	size_t i;

	for (i = 0; i < 4; i++) {
		if (i < 2) {
			if ((root = getenv(roots[i])) == NULL)
				continue;
			snprintf(dir, size, "%s/../shared/traces-external/"
			    "malloclab", root);
		} else {
			snprintf(dir, size, "%s../shared/traces-external/"
			    "malloclab", i == 2 ? "" : "../");
		}
		if ((d = opendir(dir)) != NULL)
			return d;
	}
	return NULL;
}

/*
 * The real traces: each is a .rep, read without error, and every item is
 * a .rep item.  alaska.rep is broken from line 7 on: 29924 `a ID` lines
 * with no SIZE.
 */
START_TEST(test_rep_malloclab)
{
	char dir[512], path[1024];
	struct trace_error err;
	struct dirent *de;
	struct trace *t;
	size_t n = 0, len, i;
	DIR *d = open_malloclab(dir, sizeof(dir));

	if (d == NULL)
		return;		/* the shared folder is not there */
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".rep") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_msg(trace_load_file(path, &t, &err) == 0, "%s: %s",
		    path, err.msg);
		ck_assert_int_eq(trace_format(t), TRACE_FORMAT_REP);
		ck_assert_uint_gt(trace_op_count(t), 0);
		if (strcmp(de->d_name, "alaska.rep") == 0)
			ck_assert_uint_eq(trace_bad_count(t), 29924);
		else
			ck_assert_msg(trace_bad_count(t) == 0, "%s: %zu errors",
			    de->d_name, trace_bad_count(t));
		for (i = 0; i < trace_item_count(t); i++)
			ck_assert_int_eq(zt_item(t, i)->flags, TRACE_F_REP);
		trace_free(t);
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, 61);
}
END_TEST

Suite *
suite_trace_rep(void)
{
	Suite *s = suite_create("trace_rep");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_rep_quirks);
	tcase_add_loop_test(tc, test_rep_header_layouts, 0,
	    sizeof(header_cases) / sizeof(header_cases[0]));
	tcase_add_test(tc, test_rep_detection);
	tcase_add_test(tc, test_rep_free_null);
	tcase_add_test(tc, test_rep_flags_and_zmt_ops);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_rep_header_errors);
	tcase_add_test(tc, test_rep_missing_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("malloclab");
	tcase_add_test(tc, test_rep_malloclab);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
