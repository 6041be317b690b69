/*
 * check_keys.c - the viewer's key table (tui/keys.c): no key does two
 * things in one mode, lookups, and what is written from the table: the
 * help, the key bar, and the README's key tables, row for row.
 */
#include "config.h"

#include <check.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

Suite	*keys_suite(void);

START_TEST(test_keys_one_meaning)
{
	size_t n, i, j;
	const struct key_binding *t = keys_table(&n);

	ck_assert_uint_gt(n, 50);
	for (i = 0; i < n; i++) {
		ck_assert_msg(t[i].request > REQ_NONE &&
		    t[i].request < REQ_COUNT, "row %zu: no request", i);
		ck_assert_msg((unsigned)t[i].mode < MODE_COUNT, "row %zu", i);
		ck_assert_msg(t[i].name != NULL && t[i].name[0] != '\0',
		    "row %zu: no name", i);
		for (j = i + 1; j < n; j++)
			ck_assert_msg(t[i].mode != t[j].mode ||
			    t[i].key != t[j].key,
			    "%s: key %s (%d) is bound twice: %s and %s",
			    keys_mode_title(t[i].mode), t[i].name, t[i].key,
			    keys_request_name(t[i].request),
			    keys_request_name(t[j].request));
	}
}
END_TEST

/* Every mode can be left, and every request bound has words for the help. */
START_TEST(test_keys_modes_complete)
{
	static const enum request way_out[MODE_COUNT] = {
		[MODE_NORMAL] = REQ_QUIT,
		[MODE_INSPECT] = REQ_LEAVE,
		[MODE_DETAIL] = REQ_LEAVE,
		[MODE_BREAKS] = REQ_BREAK_CLOSE,
		[MODE_PROMPT] = REQ_PROMPT_CANCEL,
		[MODE_HELP] = REQ_HELP_CLOSE,
	};
	size_t n, i;
	const struct key_binding *t = keys_table(&n);
	enum mode m;
	enum request r;

	for (m = 0; m < MODE_COUNT; m++) {
		bool out = false, help = false;

		for (i = 0; i < n; i++) {
			if (t[i].mode != m)
				continue;
			out |= t[i].request == way_out[m];
			help |= t[i].request == REQ_HELP ||
			    m == MODE_HELP || m == MODE_PROMPT;
		}
		ck_assert_msg(out, "%s cannot be left", keys_mode_title(m));
		ck_assert_msg(help, "%s has no help key", keys_mode_title(m));
	}
	/* each request bound belongs to a group that has help text */
	for (i = 0; i < n; i++) {
		r = t[i].request;
		while (r > REQ_NONE && keys_request_help(r)[0] == '\0')
			r--;
		ck_assert_msg(r > REQ_NONE, "%s has no help",
		    keys_request_name(t[i].request));
	}
	ck_assert_str_ne(keys_request_help(REQ_NEXT_OP), "");
}
END_TEST

START_TEST(test_keys_lookup)
{
	enum mode m;

	ck_assert_int_eq(keys_lookup(MODE_NORMAL, 'l'), REQ_NEXT_OP);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, KEY_RIGHT), REQ_NEXT_OP);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, 'h'), REQ_PREV_OP);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, '.'), REQ_NEXT_EVENT);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, ','), REQ_PREV_EVENT);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, 'b'), REQ_BREAKS);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, '/'), REQ_SEARCH);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, 'n'), REQ_NEXT_MATCH);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, 'N'), REQ_PREV_MATCH);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, 'i'), REQ_INSPECT);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, 'x'), REQ_NONE);
	/* the same key, another mode, another request */
	ck_assert_int_eq(keys_lookup(MODE_INSPECT, 'l'), REQ_CURSOR_RIGHT);
	ck_assert_int_eq(keys_lookup(MODE_DETAIL, 'j'), REQ_SLOT_NEXT);
	ck_assert_int_eq(keys_lookup(MODE_INSPECT, '\n'), REQ_DETAIL);
	ck_assert_int_eq(keys_lookup(MODE_INSPECT, KEYS_ESC), REQ_LEAVE);
	ck_assert_int_eq(keys_lookup(MODE_BREAKS, ' '), REQ_BREAK_TOGGLE);
	/* "any other key" */
	ck_assert_int_eq(keys_lookup(MODE_PROMPT, '7'), REQ_PROMPT_TYPE);
	ck_assert_int_eq(keys_lookup(MODE_PROMPT, '\n'), REQ_PROMPT_OK);
	ck_assert_int_eq(keys_lookup(MODE_HELP, 'x'), REQ_HELP_CLOSE);
	ck_assert_int_eq(keys_lookup(MODE_HELP, KEY_DOWN), REQ_HELP_DOWN);
	/* a resize, a mouse report or no key are never "any other key" */
	for (m = 0; m < MODE_COUNT; m++) {
		ck_assert_int_eq(keys_lookup(m, KEY_RESIZE), REQ_NONE);
		ck_assert_int_eq(keys_lookup(m, ERR), REQ_NONE);
	}
	ck_assert_int_eq(keys_lookup(MODE_HELP, KEY_MOUSE), REQ_NONE);
	ck_assert_int_eq(keys_lookup(MODE_NORMAL, KEY_MOUSE), REQ_MOUSE);
}
END_TEST

/* The help's lines, all of them. */
static char (*help_lines(size_t *n))[KEYS_LINE_MAX]
{
	char (*lines)[KEYS_LINE_MAX];
	size_t total = keys_help_lines(0, NULL, 0);

	lines = calloc(total, sizeof(*lines));
	ck_assert_ptr_nonnull(lines);
	ck_assert_uint_eq(keys_help_lines(0, lines, total), total);
	*n = total;
	return lines;
}

/* Each binding is in the help, in its mode's part, on its group's line. */
START_TEST(test_keys_help_lists_every_key)
{
	size_t n, nlines, i, k;
	const struct key_binding *t = keys_table(&n);
	char (*lines)[KEYS_LINE_MAX] = help_lines(&nlines);
	char (*part)[KEYS_LINE_MAX];

	for (i = 0; i < n; i++) {
		enum request head = t[i].request;
		size_t from = SIZE_MAX;
		bool found = false;

		while (keys_request_help(head)[0] == '\0')
			head--;
		for (k = 0; k < nlines; k++)
			if (strcmp(lines[k], keys_mode_title(t[i].mode)) == 0)
				from = k;
		ck_assert_msg(from != SIZE_MAX, "no part for %s",
		    keys_mode_title(t[i].mode));
		for (k = from + 1; k < nlines && lines[k][0] == ' '; k++) {
			if (strstr(lines[k], keys_request_help(head)) == NULL)
				continue;
			/* the name is one of the line's keys */
			found = strstr(lines[k], t[i].name) != NULL;
			break;
		}
		ck_assert_msg(found, "%s: key %s (%s) not in the help",
		    keys_mode_title(t[i].mode), t[i].name,
		    keys_request_name(t[i].request));
	}
	/* a line reads as keys then words */
	part = lines;
	for (k = 0; k < nlines; k++)
		if (strstr(part[k], "previous / next page") != NULL)
			ck_assert_str_eq(part[k], "  Left, h / Right, l "
			    "previous / next page");
	/* each fits an 80-column terminal, inside the box */
	for (k = 0; k < nlines; k++)
		ck_assert_msg(strlen(lines[k]) <= 76, "help line too long:\n%s",
		    lines[k]);
	/* the window: a later FIRST gives the same lines */
	{
		char two[2][KEYS_LINE_MAX];

		ck_assert_uint_eq(keys_help_lines(3, two, 2), nlines);
		ck_assert_str_eq(two[0], lines[3]);
		ck_assert_str_eq(two[1], lines[4]);
	}
	free(lines);
}
END_TEST

START_TEST(test_keys_bar)
{
	char bar[512];
	size_t cols;

	cols = keys_bar(MODE_NORMAL, false, 80, 0, bar, sizeof(bar));
	ck_assert_uint_le(cols, 80);
	ck_assert_uint_eq(cols, strlen(bar));
	/* kept however narrow */
	ck_assert_ptr_nonnull(strstr(bar, " ? help "));
	ck_assert_ptr_nonnull(strstr(bar, " q quit "));
	ck_assert_ptr_nonnull(strstr(bar, " <-/h back "));
	cols = keys_bar(MODE_NORMAL, false, 40, 0, bar, sizeof(bar));
	ck_assert_uint_le(cols, 40);
	ck_assert_ptr_nonnull(strstr(bar, " q quit "));
	/* wide: every item, the groups' keys joined */
	keys_bar(MODE_NORMAL, false, 300, 0, bar, sizeof(bar));
	ck_assert_ptr_nonnull(strstr(bar, " ./, event "));
	ck_assert_ptr_nonnull(strstr(bar, " b break "));
	ck_assert_ptr_nonnull(strstr(bar, " / search "));
	ck_assert_ptr_nonnull(strstr(bar, " i inspect "));
	/* inside an op: only what runs there */
	keys_bar(MODE_NORMAL, false, 300, REQ_F_PAUSED, bar, sizeof(bar));
	ck_assert_ptr_nonnull(strstr(bar, " ./, event "));
	ck_assert_ptr_null(strstr(bar, "play"));
	ck_assert_ptr_null(strstr(bar, "quit"));
	/* arrows as arrows, counted as one column each */
	cols = keys_bar(MODE_INSPECT, true, 300, 0, bar, sizeof(bar));
	ck_assert_ptr_nonnull(strstr(bar, "\u2190/h/\u2192/l page"));
	ck_assert_uint_lt(cols, strlen(bar));
	keys_bar(MODE_HELP, false, 300, 0, bar, sizeof(bar));
	ck_assert_ptr_nonnull(strstr(bar, "any other key close"));
}
END_TEST

/* README.md, from the source tree the tests run for. */
static char *
read_readme(void)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/README.md", top ? top : "..");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (top_srcdir=%s)", path,
	    top ? top : "unset");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/*
 * The README's key tables are the key table: under each mode's heading,
 * one "| keys | help |" row per group of the mode, in the table's order,
 * and no other row.
 */
START_TEST(test_keys_readme_agrees)
{
	static const char begin[] = "<!-- key tables: begin -->";
	static const char end[] = "<!-- key tables: end -->";
	char *readme = read_readme(), *from, *to, *sec, *stop, *copy;
	char *line, *next, want[200], keys[120], title[160];
	size_t n, i;
	const struct key_binding *t = keys_table(&n);
	enum mode m;

	from = strstr(readme, begin);
	ck_assert_msg(from != NULL, "README.md has no '%s'", begin);
	to = strstr(from, end);
	ck_assert_msg(to != NULL, "README.md has no '%s'", end);
	*to = '\0';
	for (m = 0; m < MODE_COUNT; m++) {
		bool seen[REQ_COUNT] = { false };
		char *rows[REQ_COUNT];
		size_t nrows = 0, k = 0;

		snprintf(title, sizeof(title), "\n#### %s\n",
		    keys_mode_title(m));
		sec = strstr(from, title);
		ck_assert_msg(sec != NULL, "README.md has no heading '%s'",
		    keys_mode_title(m));
		sec += strlen(title);
		/* the section, up to the next heading, split into lines */
		stop = strstr(sec, "\n#### ");
		copy = strndup(sec, stop ? (size_t)(stop - sec) : strlen(sec));
		ck_assert_ptr_nonnull(copy);
		for (line = copy; line != NULL; line = next) {
			next = strchr(line, '\n');
			if (next != NULL)
				*next++ = '\0';
			if (strncmp(line, "| ", 2) == 0 &&
			    strncmp(line, "| keys |", 8) != 0 &&
			    nrows < REQ_COUNT)
				rows[nrows++] = line;
		}
		for (i = 0; i < n; i++) {
			enum request head = t[i].request;

			if (t[i].mode != m)
				continue;
			while (keys_request_help(head)[0] == '\0')
				head--;
			if (seen[head])
				continue;
			seen[head] = true;
			keys_markdown(m, head, keys, sizeof(keys));
			snprintf(want, sizeof(want), "| %s | %s |", keys,
			    keys_request_help(head));
			ck_assert_msg(k < nrows, "README.md, %s: row %zu "
			    "missing:\n%s", keys_mode_title(m), k + 1, want);
			ck_assert_msg(strcmp(rows[k], want) == 0, "README.md, "
			    "%s, row %zu is\n%s\nnot\n%s", keys_mode_title(m),
			    k + 1, rows[k], want);
			k++;
		}
		ck_assert_msg(k == nrows, "README.md, %s: a row too many:\n%s",
		    keys_mode_title(m), k < nrows ? rows[k] : "");
		free(copy);
	}
	free(readme);
}
END_TEST

START_TEST(test_keys_markdown)
{
	char buf[120];

	keys_markdown(MODE_NORMAL, REQ_NEXT_OP, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Right, `l`");
	keys_markdown(MODE_NORMAL, REQ_NEXT_MATCH, buf, sizeof(buf));
	ck_assert_str_eq(buf, "`n` / `N`");
	/* a group member gives its group's keys */
	keys_markdown(MODE_NORMAL, REQ_PREV_EVENT, buf, sizeof(buf));
	ck_assert_str_eq(buf, "`.` / `,`");
	keys_markdown(MODE_PROMPT, REQ_PROMPT_ERASE, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Backspace");
	/* cut, still terminated */
	keys_markdown(MODE_NORMAL, REQ_UP, buf, 6);
	ck_assert_uint_le(strlen(buf), 5);
}
END_TEST

Suite *
keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_keys_one_meaning);
	tcase_add_test(tc, test_keys_modes_complete);
	tcase_add_test(tc, test_keys_lookup);
	tcase_add_test(tc, test_keys_help_lists_every_key);
	tcase_add_test(tc, test_keys_bar);
	tcase_add_test(tc, test_keys_markdown);
	tcase_add_test(tc, test_keys_readme_agrees);
	suite_add_tcase(s, tc);
	return s;
}
