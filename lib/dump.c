/*
 * dump.c - `--ptrs`, `--state` and the heap's counters of `--stats`, byte
 * for byte as shared/docs/replay-output.md specifies (the differential
 * tests compare this output with the real allocator's), and the trace
 * statistics of `--stats` as a table or one JSON object.
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

/* The heap's counters, one "NAME VALUE" line each. */
static void
dump_stats_fields(FILE *out, const struct zmm_stats *st)
{
#define X(name, text) fprintf(out, "%-20s %zu\n", #name, st->name);
	ZMM_STAT_FIELDS(X)
#undef X
	fprintf(out, "%-20s %g\n", "avg_chunks_count", st->avg_chunks_count);
	fprintf(out, "%-20s %d\n", "last_delete_boundary",
	    st->last_chunks_delete_boundary);
	fprintf(out, "%-20s %d\n", "last_delete_count",
	    st->last_chunks_delete_count);
}

void
dump_stats(FILE *out, const struct zmm_heap *heap)
{
	struct zmm_stats st;

	zmm_heap_stats(heap, &st);
	dump_stats_fields(out, &st);
}

static void
dump_rounding_row(FILE *out, const char *label,
    const struct tracestats_rounding *r)
{
	fprintf(out, "  %-12s %8" PRIu64 " %12" PRIu64 " %12" PRIu64
	    " %12" PRIu64 " %6.2f\n", label, r->blocks, r->requested,
	    r->rounded, r->rounded - r->requested,
	    tracestats_waste_percent(r));
}

void
dump_tracestats(FILE *out, const struct tracestats *ts)
{
	struct tracestats_rounding total = { 0, 0, 0 };
	const struct tracestats_rounding *r;
	const struct tracestats_bin *b;
	char label[32];
	size_t i;
	int op, bin;

	fputs("ops\n", out);
	for (op = 0; op < TRACESTATS_OPS; op++)
		fprintf(out, "  %-18s %" PRIu64 "\n", tracestats_op_name(op),
		    ts->ops[op]);
	fprintf(out, "  %-18s %" PRIu64 "\n", "trace errors",
	    ts->trace_errors);
	fprintf(out, "  %-18s %" PRIu64 "\n", "failed ops", ts->failed_ops);

	fputs("\nmemory\n", out);
	if (ts->peak_live_op == 0)
		fprintf(out, "  %-18s %" PRIu64 " bytes, at the start\n",
		    "peak live", ts->peak_live_bytes);
	else
		fprintf(out, "  %-18s %" PRIu64 " bytes, after op %" PRIu64
		    "\n", "peak live", ts->peak_live_bytes, ts->peak_live_op);
	if (ts->peak_real_op == 0)
		fprintf(out, "  %-18s %zu bytes, at the start\n",
		    "peak real_size", ts->peak_real_size);
	else
		fprintf(out, "  %-18s %zu bytes, at op %" PRIu64 "\n",
		    "peak real_size", ts->peak_real_size, ts->peak_real_op);
	fprintf(out, "  %-18s %.2f%% (peak live / peak real_size)\n",
	    "utilisation", tracestats_utilisation(ts));

	fputs("\nrounding waste\n", out);
	fprintf(out, "  %-12s %8s %12s %12s %12s %6s\n", "class", "blocks",
	    "requested", "rounded", "waste", "waste%");
	for (bin = 0; bin < ZMM_BINS; bin++) {
		r = &ts->bins[bin].rounding;
		if (r->blocks == 0)
			continue;
		snprintf(label, sizeof(label), "bin %d %u", bin,
		    zmm_bin_size(bin));
		dump_rounding_row(out, label, r);
	}
	for (i = 0; i < ZMM_BINS + 2; i++) {
		r = i < ZMM_BINS ? &ts->bins[i].rounding :
		    i == ZMM_BINS ? &ts->large : &ts->huge;
		total.blocks += r->blocks;
		total.requested += r->requested;
		total.rounded += r->rounded;
	}
	dump_rounding_row(out, "large", &ts->large);
	dump_rounding_row(out, "huge", &ts->huge);
	dump_rounding_row(out, "total", &total);

	fputs("\nsmall runs at the end\n", out);
	fprintf(out, "  %-12s %8s %8s %8s %8s\n", "bin", "partly", "pages",
	    "empty", "pages");
	for (bin = 0; bin < ZMM_BINS; bin++) {
		b = &ts->bins[bin];
		if (b->partial_runs == 0 && b->empty_runs == 0)
			continue;
		snprintf(label, sizeof(label), "bin %d %u", bin,
		    zmm_bin_size(bin));
		fprintf(out, "  %-12s %8" PRIu64 " %8" PRIu64 " %8" PRIu64
		    " %8" PRIu64 "\n", label, b->partial_runs,
		    b->partial_pages, b->empty_runs, b->empty_pages);
	}
	fprintf(out, "  %-12s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
	    "\n", "total", ts->partial_runs, ts->partial_pages,
	    ts->empty_runs, ts->empty_pages);

	fputs("\nchunks at the end\n", out);
	fprintf(out, "  %-12s %10s %12s %8s\n", "chunk", "free_pages",
	    "largest_free", "at_page");
	for (i = 0; i < ts->nchunks; i++) {
		snprintf(label, sizeof(label), "c%u", ts->chunks[i].serial);
		fprintf(out, "  %-12s %10u %12u %8u\n", label,
		    ts->chunks[i].free_pages, ts->chunks[i].largest_free,
		    ts->chunks[i].largest_at);
	}

	fputs("\nchunk traffic\n", out);
	fprintf(out, "  %-18s %" PRIu64 "\n", "from storage",
	    ts->chunks_from_storage);
	fprintf(out, "  %-18s %" PRIu64 "\n", "from the cache",
	    ts->chunks_from_cache);
	fprintf(out, "  %-18s %" PRIu64 "\n", "cached", ts->chunks_cached);
	fprintf(out, "  %-18s %" PRIu64 "\n", "released",
	    ts->chunks_released);

	fputs("\nheap counters\n", out);
	dump_stats_fields(out, &ts->heap);
}

static void
json_rounding(FILE *out, const struct tracestats_rounding *r)
{
	fprintf(out, "\"blocks\":%" PRIu64 ",\"requested\":%" PRIu64
	    ",\"rounded\":%" PRIu64 ",\"waste\":%" PRIu64
	    ",\"waste_percent\":%.2f", r->blocks, r->requested, r->rounded,
	    r->rounded - r->requested, tracestats_waste_percent(r));
}

void
dump_tracestats_json(FILE *out, const struct tracestats *ts)
{
	const struct tracestats_bin *b;
	const char *sep = "";
	size_t i;
	int op, bin;

	fputs("{\"ops\":{", out);
	for (op = 0; op < TRACESTATS_OPS; op++)
		fprintf(out, "%s\"%s\":%" PRIu64, op ? "," : "",
		    tracestats_op_name(op), ts->ops[op]);
	fprintf(out, "},\"trace_errors\":%" PRIu64 ",\"failed_ops\":%" PRIu64,
	    ts->trace_errors, ts->failed_ops);
	fprintf(out, ",\"peak_live_bytes\":%" PRIu64 ",\"peak_live_op\":%"
	    PRIu64 ",\"peak_real_size\":%zu,\"peak_real_op\":%" PRIu64
	    ",\"utilisation_percent\":%.2f", ts->peak_live_bytes,
	    ts->peak_live_op, ts->peak_real_size, ts->peak_real_op,
	    tracestats_utilisation(ts));
	fputs(",\"bins\":[", out);
	for (bin = 0; bin < ZMM_BINS; bin++) {
		b = &ts->bins[bin];
		if (b->rounding.blocks == 0 && b->partial_runs == 0 &&
		    b->empty_runs == 0)
			continue;
		fprintf(out, "%s{\"bin\":%d,\"slot_size\":%u,", sep, bin,
		    zmm_bin_size(bin));
		json_rounding(out, &b->rounding);
		fprintf(out, ",\"partial_runs\":%" PRIu64 ",\"partial_pages\":%"
		    PRIu64 ",\"empty_runs\":%" PRIu64 ",\"empty_pages\":%"
		    PRIu64 "}", b->partial_runs, b->partial_pages,
		    b->empty_runs, b->empty_pages);
		sep = ",";
	}
	fputs("],\"large\":{", out);
	json_rounding(out, &ts->large);
	fputs("},\"huge\":{", out);
	json_rounding(out, &ts->huge);
	fprintf(out, "},\"partial_runs\":%" PRIu64 ",\"partial_pages\":%"
	    PRIu64 ",\"empty_runs\":%" PRIu64 ",\"empty_pages\":%" PRIu64,
	    ts->partial_runs, ts->partial_pages, ts->empty_runs,
	    ts->empty_pages);
	fputs(",\"chunks\":[", out);
	for (i = 0; i < ts->nchunks; i++)
		fprintf(out, "%s{\"chunk\":%u,\"free_pages\":%u,"
		    "\"largest_free\":%u,\"at_page\":%u}", i ? "," : "",
		    ts->chunks[i].serial, ts->chunks[i].free_pages,
		    ts->chunks[i].largest_free, ts->chunks[i].largest_at);
	fprintf(out, "],\"chunks_from_storage\":%" PRIu64
	    ",\"chunks_from_cache\":%" PRIu64 ",\"chunks_cached\":%" PRIu64
	    ",\"chunks_released\":%" PRIu64, ts->chunks_from_storage,
	    ts->chunks_from_cache, ts->chunks_cached, ts->chunks_released);
	fputs(",\"heap\":{", out);
#define X(name, text) fprintf(out, "\"%s\":%zu,", #name, ts->heap.name);
	ZMM_STAT_FIELDS(X)
#undef X
	fprintf(out, "\"avg_chunks_count\":%g,\"last_delete_boundary\":%d,"
	    "\"last_delete_count\":%d}}\n", ts->heap.avg_chunks_count,
	    ts->heap.last_chunks_delete_boundary,
	    ts->heap.last_chunks_delete_count);
}
