/*
 * check_addrmap.c - the recorders' live-block table (tools/recorder/addrmap.c):
 * every address put is found once with its ID, a put on a live address
 * replaces its ID, takes in any order keep the rest reachable (the
 * backward shift), growth keeps every entry, and memory comes only from
 * the caller's functions.
 */
#include "config.h"

#include <stdlib.h>

#include "../tools/recorder/addrmap.h"
#include "tests.h"

static size_t bytes_out;	/* given by test_get, not yet put back */

static void *
test_get(size_t bytes)
{
	void *mem = calloc(1, bytes);

	if (mem != NULL)
		bytes_out += bytes;
	return mem;
}

static void
test_put(void *mem, size_t bytes)
{
	ck_assert_uint_ge(bytes_out, bytes);
	bytes_out -= bytes;
	free(mem);
}

/*
 * Distinct addresses aligned like malloc's blocks but scattered, so that
 * probe chains form (a bijective mix of I: no two are equal).
 */
static const void *
addr_of(size_t i)
{
	uint32_t x = (uint32_t)i;

	x ^= x >> 16;
	x *= 0x45d9f3bU;
	x ^= x >> 16;
	return (const void *)(uintptr_t)(0x7f0000000000ULL + 16 * ((uint64_t)x + 1));
}

START_TEST(test_addrmap_put_take)
{
	struct addrmap map = { NULL, 0, 0, test_get, test_put };

	ck_assert_uint_eq(addrmap_take(&map, addr_of(0)), 0);
	ck_assert_int_eq(addrmap_put(&map, addr_of(0), 7), 0);
	ck_assert_int_eq(addrmap_put(&map, addr_of(1), 8), 0);
	ck_assert_int_eq(addrmap_put(&map, addr_of(0), 9), 0);	/* replaces */
	ck_assert_uint_eq(map.len, 2);
	ck_assert_uint_eq(addrmap_take(&map, NULL), 0);
	ck_assert_uint_eq(addrmap_take(&map, addr_of(0)), 9);
	ck_assert_uint_eq(addrmap_take(&map, addr_of(0)), 0);	/* gone */
	ck_assert_uint_eq(addrmap_take(&map, addr_of(1)), 8);
	ck_assert_uint_eq(map.len, 0);
	addrmap_clear(&map);
	ck_assert_uint_eq(bytes_out, 0);
}
END_TEST

/* 200000 blocks through many growths, taken back in a shuffled order. */
START_TEST(test_addrmap_many)
{
	struct addrmap map = { NULL, 0, 0, test_get, test_put };
	enum { N = 200000 };
	size_t *order = malloc(N * sizeof(*order)), i, j, t;

	ck_assert_ptr_nonnull(order);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(addrmap_put(&map, addr_of(i), i + 1), 0);
		order[i] = i;
	}
	ck_assert_uint_eq(map.len, N);
	ck_assert_uint_ge(map.cap * 3, map.len * 4);	/* at most 3/4 full */
	srand(5);
	for (i = N - 1; i > 0; i--) {
		j = (size_t)rand() % (i + 1);
		t = order[i], order[i] = order[j], order[j] = t;
	}
	for (i = 0; i < N; i++) {
		ck_assert_uint_eq(addrmap_take(&map, addr_of(order[i])),
		    order[i] + 1);
		/* every tenth time, one still live must stay reachable */
		if (i % 10 == 0 && i + 1 < N) {
			t = order[N - 1 - i / 10 % (N - i - 1)];
			ck_assert_uint_eq(addrmap_take(&map, addr_of(t)), t + 1);
			ck_assert_int_eq(addrmap_put(&map, addr_of(t), t + 1),
			    0);
		}
	}
	ck_assert_uint_eq(map.len, 0);
	addrmap_clear(&map);
	ck_assert_uint_eq(bytes_out, 0);
	free(order);
}
END_TEST

static void *
no_memory(size_t bytes)
{
	(void)bytes;
	return NULL;
}

START_TEST(test_addrmap_no_memory)
{
	struct addrmap map = { NULL, 0, 0, no_memory, test_put };

	ck_assert_int_eq(addrmap_put(&map, addr_of(0), 1), -1);
	ck_assert_uint_eq(map.len, 0);
	ck_assert_uint_eq(addrmap_take(&map, addr_of(0)), 0);
}
END_TEST

Suite *
suite_addrmap(void)
{
	Suite *s = suite_create("addrmap");
	TCase *tc = tcase_create("addrmap");

	tcase_add_test(tc, test_addrmap_put_take);
	tcase_add_test(tc, test_addrmap_many);
	tcase_add_test(tc, test_addrmap_no_memory);
	suite_add_tcase(s, tc);
	return s;
}
