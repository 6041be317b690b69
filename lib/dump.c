/*
 * dump.c - `--ptrs`, `--state` and `--stats` text, byte for byte as
 * shared/docs/replay-output.md specifies; the differential tests compare
 * this output with the real allocator's.
 */
#include "config.h"

#include <inttypes.h>

#include "dump.h"

void
dump_ptr(FILE *out, uint64_t opno, const char *id, const struct zmm_loc *loc)
{
	char buf[ZMM_LOC_BUFSIZE];

	zmm_loc_format(loc, buf, sizeof(buf));
	fprintf(out, "%" PRIu64 " %s %s\n", opno, id, buf);
}

void
dump_ptr_error(FILE *out, uint64_t opno, const char *id, const char *message)
{
	fprintf(out, "%" PRIu64 " %s error: %s\n", opno, id, message);
}

static void
dump_chunk(FILE *out, const struct zmm_chunk *chunk)
{
	struct zmm_chunk_info info;
	int i;

	zmm_chunk_info(chunk, &info);
	fprintf(out, "chunk c%u free_pages=%u\nfree_map", info.serial,
	    info.free_pages);
	for (i = 0; i < ZMM_PAGE_MAP_LEN; i++)
		fprintf(out, " 0x%016" PRIx64, info.free_map[i]);
	fputs("\nmap", out);
	for (i = 0; i < ZMM_PAGES; i++)
		if (info.map[i] != 0)
			fprintf(out, " %d:0x%08" PRIx32, i, info.map[i]);
	fputc('\n', out);
}

void
dump_state(FILE *out, const struct zmm_heap *heap)
{
	const struct zmm_chunk *chunk;
	const struct zmm_huge *huge;
	const void *slot;
	struct zmm_stats st;
	struct zmm_loc loc;
	struct zmm_chunk_info info;
	char buf[ZMM_LOC_BUFSIZE];
	int bin;

	zmm_heap_stats(heap, &st);
	fprintf(out, "heap size=%zu peak=%zu real_size=%zu real_peak=%zu\n",
	    st.size, st.peak, st.real_size, st.real_peak);
	for (chunk = zmm_heap_chunk_first(heap); chunk != NULL;
	    chunk = zmm_heap_chunk_next(heap, chunk))
		dump_chunk(out, chunk);
	for (bin = 0; bin < ZMM_BINS; bin++) {
		slot = zmm_heap_bin_head(heap, bin);
		if (slot == NULL)
			continue;
		fprintf(out, "bin %d %u:", bin, zmm_bin_size(bin));
		for (; slot != NULL; slot = zmm_slot_next(slot)) {
			loc = zmm_heap_loc(heap, slot);
			zmm_loc_format(&loc, buf, sizeof(buf));
			fprintf(out, " %s", buf);
		}
		fputc('\n', out);
	}
	chunk = zmm_heap_cached_first(heap);
	if (chunk != NULL) {
		fputs("cached", out);
		for (; chunk != NULL; chunk = zmm_heap_cached_next(chunk)) {
			zmm_chunk_info(chunk, &info);
			fprintf(out, " c%u", info.serial);
		}
		fputc('\n', out);
	}
	huge = zmm_heap_huge_first(heap);
	if (huge != NULL) {
		fputs("huge", out);
		for (; huge != NULL; huge = zmm_heap_huge_next(huge))
			fprintf(out, " %zu", zmm_huge_size(huge));
		fputc('\n', out);
	}
}

void
dump_stats(FILE *out, const struct zmm_heap *heap)
{
	struct zmm_stats st;

	zmm_heap_stats(heap, &st);
#define X(name, text) fprintf(out, "%-20s %zu\n", #name, st.name);
	ZMM_STAT_FIELDS(X)
#undef X
	fprintf(out, "%-20s %g\n", "avg_chunks_count", st.avg_chunks_count);
	fprintf(out, "%-20s %d\n", "last_delete_boundary",
	    st.last_chunks_delete_boundary);
	fprintf(out, "%-20s %d\n", "last_delete_count",
	    st.last_chunks_delete_count);
}
