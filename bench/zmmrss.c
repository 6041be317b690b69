/*
 * zmmrss - runs a command and prints its peak resident set size, so that
 * `make bench` can weigh zmmreplay and the viewer against a trace's size
 * without GNU time.
 *
 *   zmmrss CMD [ARGS...]
 *
 * The command's output passes through; after it ends, one line
 * "peak_rss_kib N" goes to standard error.  The exit status is the
 * command's (126/127 when it cannot be run, 128+N for a signal).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage usage;
	pid_t pid;
	int status;

	if (argc < 2) {
		fputs("usage: zmmrss CMD [ARGS...]\n", stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "zmmrss: fork: %s\n", strerror(errno));
		return 126;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "zmmrss: %s: %s\n", argv[1], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (wait4(pid, &status, 0, &usage) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "zmmrss: wait: %s\n", strerror(errno));
			return 126;
		}
	fprintf(stderr, "peak_rss_kib %ld\n", usage.ru_maxrss);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
