/*
 * check_main.c - the one Check runner of the unit tests.  CK_RUN_SUITE and
 * CK_RUN_CASE pick one suite or case; CK_FORK=no runs in one process (gdb).
 */
#include "config.h"

#include <stdlib.h>

#include "tests.h"

Suite	*suite_heapcheck(void);	/* check_heapcheck.c */

int
main(void)
{
	SRunner *runner = srunner_create(suite_bins());
	int failed;

	srunner_add_suite(runner, suite_small());
	srunner_add_suite(runner, suite_large());
	srunner_add_suite(runner, suite_chunk());
	srunner_add_suite(runner, suite_huge());
	srunner_add_suite(runner, suite_realloc());
	srunner_add_suite(runner, suite_gc());
	srunner_add_suite(runner, suite_reset());
	srunner_add_suite(runner, suite_limit());
	srunner_add_suite(runner, suite_events());
	srunner_add_suite(runner, suite_trace());
	srunner_add_suite(runner, suite_trace_rep());
	srunner_add_suite(runner, suite_idmap());
	srunner_add_suite(runner, suite_replay());
	srunner_add_suite(runner, suite_tracestats());
	srunner_add_suite(runner, suite_addrmap());
	srunner_add_suite(runner, suite_heapcheck());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
