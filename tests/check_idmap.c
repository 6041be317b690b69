/*
 * check_idmap.c - the ID table (lib/idmap.c): dense indices in order of
 * first appearance, names kept byte-exact and NUL-terminated, lookups
 * that do not add, names that differ only in length or past their first
 * 8 bytes, and growth through many rehashes; names of the direct form
 * (a prefix and a number) against their look-alikes: leading zeros, long
 * and overflowing numbers, the same number under many prefixes, numbers
 * far ahead of the table, and the two tables mixed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "idmap.h"
#include "tests.h"

static struct idmap *
zt_idmap_new(void)
{
	struct idmap *map = idmap_new();

	ck_assert_ptr_nonnull(map);
	return map;
}

static uint32_t
intern_ok(struct idmap *map, const char *name, size_t len)
{
	uint32_t index = UINT32_MAX;

	ck_assert_int_eq(idmap_intern(map, name, len, &index), 0);
	ck_assert_uint_lt(index, idmap_count(map));
	return index;
}

START_TEST(test_idmap_empty)
{
	struct idmap *map = zt_idmap_new();
	uint32_t index = 7;

	ck_assert_uint_eq(idmap_count(map), 0);
	ck_assert_int_eq(idmap_find(map, "a", 1, &index), -1);
	ck_assert_uint_eq(index, 7);
	idmap_free(map);
	idmap_free(NULL);
}
END_TEST

START_TEST(test_idmap_dense_indices)
{
	struct idmap *map = zt_idmap_new();

	ck_assert_uint_eq(intern_ok(map, "a", 1), 0);
	ck_assert_uint_eq(intern_ok(map, "b", 1), 1);
	ck_assert_uint_eq(intern_ok(map, "a", 1), 0);
	ck_assert_uint_eq(intern_ok(map, "0x55d0c0a1", 10), 2);
	ck_assert_uint_eq(intern_ok(map, "b", 1), 1);
	ck_assert_uint_eq(idmap_count(map), 3);
	ck_assert_str_eq(idmap_name(map, 0), "a");
	ck_assert_str_eq(idmap_name(map, 1), "b");
	ck_assert_str_eq(idmap_name(map, 2), "0x55d0c0a1");
	idmap_free(map);
}
END_TEST

/* NAME is LEN bytes of a longer buffer: no NUL needed, none read past. */
START_TEST(test_idmap_not_nul_terminated)
{
	struct idmap *map = zt_idmap_new();
	const char line[] = "alloc abcdefghijkl 24";
	uint32_t index;

	ck_assert_uint_eq(intern_ok(map, line + 6, 12), 0);
	ck_assert_uint_eq(intern_ok(map, line + 6, 3), 1);
	ck_assert_str_eq(idmap_name(map, 0), "abcdefghijkl");
	ck_assert_str_eq(idmap_name(map, 1), "abc");
	ck_assert_int_eq(idmap_find(map, "abcdefghijkl", 12, &index), 0);
	ck_assert_uint_eq(index, 0);
	ck_assert_int_eq(idmap_find(map, "abcdefghijk", 11, &index), -1);
	idmap_free(map);
}
END_TEST

START_TEST(test_idmap_find_does_not_add)
{
	struct idmap *map = zt_idmap_new();
	uint32_t index;

	intern_ok(map, "x", 1);
	ck_assert_int_eq(idmap_find(map, "y", 1, &index), -1);
	ck_assert_uint_eq(idmap_count(map), 1);
	ck_assert_int_eq(idmap_find(map, "x", 1, &index), 0);
	ck_assert_uint_eq(index, 0);
	idmap_free(map);
}
END_TEST

/*
 * Names that share their first 8 bytes (the part kept in the slot), or
 * differ only in length, including by a trailing NUL byte.
 */
START_TEST(test_idmap_similar_names)
{
	static const struct {
		const char	*name;
		size_t		 len;
	} names[] = {
		{ "a", 1 }, { "a\0", 2 }, { "aa", 2 }, { "", 0 },
		{ "abcdefgh", 8 }, { "abcdefghi", 9 }, { "abcdefghj", 9 },
		{ "abcdefgh\0", 9 }, { "abcdefghijklmnopq", 17 },
		{ "abcdefghijklmnopr", 17 }, { "abcdefghijklmnop", 16 }
	};
	struct idmap *map = zt_idmap_new();
	size_t i, n = sizeof(names) / sizeof(names[0]);
	uint32_t index;

	for (i = 0; i < n; i++)
		ck_assert_uint_eq(intern_ok(map, names[i].name, names[i].len),
		    i);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(idmap_find(map, names[i].name, names[i].len,
		    &index), 0);
		ck_assert_uint_eq(index, i);
		ck_assert_mem_eq(idmap_name(map, (uint32_t)i), names[i].name,
		    names[i].len);
		ck_assert_int_eq(idmap_name(map, (uint32_t)i)[names[i].len],
		    '\0');
	}
	ck_assert_uint_eq(idmap_count(map), n);
	idmap_free(map);
}
END_TEST

START_TEST(test_idmap_long_names)
{
	struct idmap *map = zt_idmap_new();
	char a[300], b[300];

	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	b[299] = 'y';
	ck_assert_uint_eq(intern_ok(map, a, 64), 0);
	ck_assert_uint_eq(intern_ok(map, a, 300), 1);
	ck_assert_uint_eq(intern_ok(map, b, 300), 2);
	ck_assert_uint_eq(intern_ok(map, a, 299), 3);
	ck_assert_uint_eq(intern_ok(map, a, 300), 1);
	ck_assert_uint_eq(strlen(idmap_name(map, 1)), 300);
	idmap_free(map);
}
END_TEST

/* Many rehashes: every name keeps its index and bytes. */
START_TEST(test_idmap_growth)
{
	enum { N = 200000 };
	struct idmap *map = zt_idmap_new();
	char name[32];
	uint32_t i, index;
	int len;

	for (i = 0; i < N; i++) {
		len = snprintf(name, sizeof(name), "%s%u", i % 2 ? "id" :
		    "a.long.prefix:", i);
		ck_assert_uint_eq(intern_ok(map, name, (size_t)len), i);
	}
	ck_assert_uint_eq(idmap_count(map), N);
	for (i = 0; i < N; i++) {
		len = snprintf(name, sizeof(name), "%s%u", i % 2 ? "id" :
		    "a.long.prefix:", i);
		ck_assert_int_eq(idmap_find(map, name, (size_t)len, &index), 0);
		ck_assert_uint_eq(index, i);
		ck_assert_str_eq(idmap_name(map, i), name);
		ck_assert_uint_eq(intern_ok(map, name, (size_t)len), i);
	}
	ck_assert_uint_eq(idmap_count(map), N);
	ck_assert_int_eq(idmap_find(map, "id1x", 4, &index), -1);
	idmap_free(map);
}
END_TEST

/* A prefetch is a hint only: it neither adds nor changes anything. */
START_TEST(test_idmap_prefetch)
{
	struct idmap *map = zt_idmap_new();
	uint32_t index;

	idmap_prefetch(map, "a", 1);
	ck_assert_uint_eq(idmap_count(map), 0);
	intern_ok(map, "a", 1);
	idmap_prefetch(map, "a", 1);
	idmap_prefetch(map, "b", 1);
	ck_assert_int_eq(idmap_find(map, "a", 1, &index), 0);
	ck_assert_uint_eq(index, 0);
	ck_assert_uint_eq(idmap_count(map), 1);
	idmap_free(map);
}
END_TEST

/*
 * Interns every name of NAMES (NULL-terminated) and expects index I for
 * the I-th, then finds each one again, by interning and by idmap_find().
 */
static void
assert_distinct(const char *const *names)
{
	struct idmap *map = zt_idmap_new();
	uint32_t i, n, index;

	for (n = 0; names[n] != NULL; n++)
		ck_assert_msg(intern_ok(map, names[n], strlen(names[n])) == n,
		    "'%s' is not new", names[n]);
	ck_assert_uint_eq(idmap_count(map), n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(idmap_find(map, names[i], strlen(names[i]),
		    &index), 0);
		ck_assert_uint_eq(index, i);
		ck_assert_uint_eq(intern_ok(map, names[i], strlen(names[i])), i);
		ck_assert_str_eq(idmap_name(map, i), names[i]);
	}
	ck_assert_uint_eq(idmap_count(map), n);
	idmap_free(map);
}

/* A number written with leading zeros is another ID. */
START_TEST(test_idmap_leading_zeros)
{
	static const char *const names[] = {
		"a7", "a007", "a07", "a0", "a00", "a000", "0", "00", "7",
		"07", "a70", "a0070", NULL
	};

	assert_distinct(names);
}
END_TEST

/* Numbers up to, at and past 9 digits, past 2^32 and past 2^64. */
START_TEST(test_idmap_long_numbers)
{
	static const char *const names[] = {
		"a123456789", "a1234567890", "a12345678901234567890",
		"a4294967295", "a4294967296", "a4294967297", "a1", "a0",
		"a999999999", "a1000000000", "a18446744073709551616",
		"a99999999999999999999999999999999999999999999999999999999999",
		"a99999999999999999999999999999999999999999999999999999999998",
		"4294967296", "999999999", "1000000000", "296", NULL
	};

	assert_distinct(names);
}
END_TEST

/* Names with digits in other places, and no digits at all. */
START_TEST(test_idmap_numeric_and_not)
{
	static const char *const names[] = {
		"a", "a1", "1a", "x1y2", "x1y", "x1", "y2", "1", "a-1", "-1",
		"a.1", "a:1", "a_1", "1.5", "abcdefghijklmnop1",
		"abcdefghijklmnopq1", "abcdefghijklmnopq", "2", "b", "b2", NULL
	};

	assert_distinct(names);
}
END_TEST

/* The same numbers under more prefixes than get a table of their own. */
START_TEST(test_idmap_many_prefixes)
{
	static const char *const prefixes[] = {
		"a", "b", "", "blk_", "c", "d", "e", "0x", "f"
	};
	enum { NP = sizeof(prefixes) / sizeof(prefixes[0]), N = 3000 };
	struct idmap *map = zt_idmap_new();
	char name[32];
	uint32_t i, p, index;
	int len;

	for (i = 0; i < N; i++)
		for (p = 0; p < NP; p++) {
			len = snprintf(name, sizeof(name), "%s%u", prefixes[p],
			    i);
			ck_assert_uint_eq(intern_ok(map, name, (size_t)len),
			    i * NP + p);
		}
	for (i = 0; i < N; i++)
		for (p = 0; p < NP; p++) {
			len = snprintf(name, sizeof(name), "%s%u", prefixes[p],
			    i);
			ck_assert_int_eq(idmap_find(map, name, (size_t)len,
			    &index), 0);
			ck_assert_uint_eq(index, i * NP + p);
			ck_assert_str_eq(idmap_name(map, index), name);
		}
	ck_assert_uint_eq(idmap_count(map), N * NP);
	ck_assert_int_eq(idmap_find(map, "a3000", 5, &index), -1);
	ck_assert_int_eq(idmap_find(map, "f3000", 5, &index), -1);
	ck_assert_int_eq(idmap_find(map, "g1", 2, &index), -1);
	idmap_free(map);
}
END_TEST

/*
 * Numbers far ahead of what the table holds are hashed at first; once
 * the table has grown past them, they keep their index, a miss finds
 * nothing new, and they are found by idmap_find() and by interning.
 */
START_TEST(test_idmap_far_numbers)
{
	enum { N = 300000 };
	static const uint32_t far[] = {
		999999999, 1000000, 250000, 5000, 4096, 299999, 123456789
	};
	enum { NF = sizeof(far) / sizeof(far[0]) };
	struct idmap *map = zt_idmap_new();
	char name[32];
	uint32_t i, j, index, want, next = NF;
	int len;

	for (i = 0; i < NF; i++) {
		len = snprintf(name, sizeof(name), "b%u", far[i]);
		ck_assert_uint_eq(intern_ok(map, name, (size_t)len), i);
	}
	/* a miss before the table grows: asks the hash map, adds nothing */
	ck_assert_int_eq(idmap_find(map, "b7", 2, &index), -1);
	for (i = 0; i < N; i++) {
		for (j = 0; j < NF && far[j] != i; j++)
			;
		want = j < NF ? j : next++;
		len = snprintf(name, sizeof(name), "b%u", i);
		ck_assert_msg(intern_ok(map, name, (size_t)len) == want,
		    "%s: not %u", name, want);
	}
	ck_assert_uint_eq(idmap_count(map), NF + N - 4);
	for (i = 0; i < NF; i++) {
		len = snprintf(name, sizeof(name), "b%u", far[i]);
		ck_assert_int_eq(idmap_find(map, name, (size_t)len, &index),
		    0);
		ck_assert_uint_eq(index, i);
		ck_assert_uint_eq(intern_ok(map, name, (size_t)len), i);
		ck_assert_str_eq(idmap_name(map, i), name);
	}
	ck_assert_int_eq(idmap_find(map, "b300000", 7, &index), -1);
	ck_assert_int_eq(idmap_find(map, "b1000001", 8, &index), -1);
	ck_assert_uint_eq(intern_ok(map, "b300000", 7), NF + N - 4);
	idmap_free(map);
}
END_TEST

/* A sealed map keeps its names and refuses to intern or find. */
START_TEST(test_idmap_seal)
{
	struct idmap *map = zt_idmap_new();
	char name[32];
	uint32_t i, index = 7;
	int len;

	for (i = 0; i < 50000; i++) {
		len = snprintf(name, sizeof(name), i % 2 ? "b%u" : "0x%x", i);
		ck_assert_uint_eq(intern_ok(map, name, (size_t)len), i);
	}
	idmap_seal(map);
	idmap_seal(map);
	ck_assert_uint_eq(idmap_count(map), 50000);
	for (i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), i % 2 ? "b%u" : "0x%x", i);
		ck_assert_str_eq(idmap_name(map, i), name);
	}
	ck_assert_int_eq(idmap_find(map, "b1", 2, &index), -1);
	ck_assert_int_eq(idmap_intern(map, "b1", 2, &index), -1);
	ck_assert_int_eq(idmap_intern(map, "new", 3, &index), -1);
	ck_assert_uint_eq(index, 7);
	idmap_prefetch(map, "b1", 2);
	ck_assert_uint_eq(idmap_count(map), 50000);
	idmap_free(map);
}
END_TEST

/* Which names the hash map holds: those not found by number. */
START_TEST(test_idmap_hashed_count)
{
	struct idmap *map = zt_idmap_new();

	intern_ok(map, "b1", 2);
	intern_ok(map, "7", 1);
	ck_assert_uint_eq(idmap_hashed_count(map), 0);
	intern_ok(map, "x", 1);
	intern_ok(map, "b007", 4);
	intern_ok(map, "b1234567890", 11);
	intern_ok(map, "b1", 2);
	ck_assert_uint_eq(idmap_hashed_count(map), 3);
	intern_ok(map, "b99999999", 9);		/* far ahead: spilled */
	ck_assert_uint_eq(idmap_hashed_count(map), 4);
	ck_assert_uint_eq(idmap_count(map), 6);
	idmap_free(map);
}
END_TEST

/* Direct and hashed names interleaved: indices in order of appearance. */
START_TEST(test_idmap_mixed_order)
{
	enum { N = 100000 };
	struct idmap *map = zt_idmap_new();
	char name[32];
	uint32_t i, index;
	int len;

	for (i = 0; i < N; i++) {
		if (i % 3 == 0)
			len = snprintf(name, sizeof(name), "b%u", i);
		else if (i % 3 == 1)
			len = snprintf(name, sizeof(name), "0x%08x", i * 2654435761u);
		else
			len = snprintf(name, sizeof(name), "b%07u", i);
		ck_assert_uint_eq(intern_ok(map, name, (size_t)len), i);
	}
	for (i = 0; i < N; i++) {
		if (i % 3 == 0)
			len = snprintf(name, sizeof(name), "b%u", i);
		else if (i % 3 == 1)
			len = snprintf(name, sizeof(name), "0x%08x", i * 2654435761u);
		else
			len = snprintf(name, sizeof(name), "b%07u", i);
		ck_assert_int_eq(idmap_find(map, name, (size_t)len, &index), 0);
		ck_assert_uint_eq(index, i);
		ck_assert_str_eq(idmap_name(map, i), name);
	}
	ck_assert_uint_eq(idmap_count(map), N);
	idmap_free(map);
}
END_TEST

Suite *
suite_idmap(void)
{
	Suite *s = suite_create("idmap");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_idmap_empty);
	tcase_add_test(tc, test_idmap_dense_indices);
	tcase_add_test(tc, test_idmap_not_nul_terminated);
	tcase_add_test(tc, test_idmap_find_does_not_add);
	tcase_add_test(tc, test_idmap_prefetch);
	tcase_add_test(tc, test_idmap_hashed_count);
	tcase_add_test(tc, test_idmap_seal);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_idmap_similar_names);
	tcase_add_test(tc, test_idmap_long_names);
	tcase_add_test(tc, test_idmap_growth);
	tcase_add_test(tc, test_idmap_leading_zeros);
	tcase_add_test(tc, test_idmap_long_numbers);
	tcase_add_test(tc, test_idmap_numeric_and_not);
	tcase_add_test(tc, test_idmap_many_prefixes);
	tcase_add_test(tc, test_idmap_far_numbers);
	tcase_add_test(tc, test_idmap_mixed_order);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
