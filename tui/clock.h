/*
 * clock.h - the viewer's clock: CLOCK_MONOTONIC in milliseconds, for
 * frames, play speed and the slices of a long search.
 */
#ifndef ZMM_CLOCK_H
#define ZMM_CLOCK_H

#include <time.h>

static inline double
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#endif /* ZMM_CLOCK_H */
