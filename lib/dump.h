/*
 * dump.h - the headless text outputs of shared/docs/replay-output.md
 * (`zmmreplay --ptrs`, `--state`, `--stats`), byte-exact, and the trace
 * statistics (`--stats`, `--stats --json`), written to a FILE the caller
 * gives.
 */
#ifndef ZMM_DUMP_H
#define ZMM_DUMP_H

#include <stdint.h>
#include <stdio.h>

#include "tracestats.h"
#include "zmm.h"

/* "OPNO ID LOC" */
void	dump_ptr(FILE *out, uint64_t opno, const char *id,
	    const struct zmm_loc *loc);

/* "OPNO ID error: MESSAGE" */
void	dump_ptr_error(FILE *out, uint64_t opno, const char *id,
	    const char *message);

/* The heap block: heap, chunk/free_map/map per ring chunk, bins, cache, huge. */
void	dump_state(FILE *out, const struct zmm_heap *heap);

/* One "NAME VALUE" line per statistics field. */
void	dump_stats(FILE *out, const struct zmm_heap *heap);

/* The trace statistics as a table; its last section is dump_stats(). */
void	dump_tracestats(FILE *out, const struct tracestats *ts);

/* The same as one JSON object on one line (fields: zmmreplay(1)). */
void	dump_tracestats_json(FILE *out, const struct tracestats *ts);

#endif /* ZMM_DUMP_H */
