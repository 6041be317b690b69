/*
 * tracestats.c - trace statistics from the replay's events and, at the
 * end, from the inspection API.
 *
 * The live requested bytes move at op_end by the difference between the
 * request of the op's ID before the op (noted at op_begin) and after it,
 * so a failed realloc, which keeps the old block, changes nothing.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tracestats.h"
#include "zmm_events.h"

static const char *const op_names[] = {
#define X(name, text) text,
	TRACESTATS_OP_LIST(X)
#undef X
};

const char *
tracestats_op_name(enum tracestats_op op)
{
	if ((unsigned)op >= TRACESTATS_OPS)
		return "?";
	return op_names[op];
}

/* The trace item being carried out (the replay has moved past it). */
static const struct trace_item *
current_item(const struct tracestats *ts, struct trace_item *buf)
{
	size_t pos = replay_position(ts->replay);

	if (pos == 0)
		return NULL;
	trace_item_get(replay_trace(ts->replay), pos - 1, buf);
	return buf;
}

/* The request of the item's ID if it is live, else 0. */
static uint64_t
id_bytes(const struct tracestats *ts, const struct trace_item *it)
{
	uint64_t size;

	if (it == NULL || !trace_kind_has_id(it->kind) ||
	    !replay_block(ts->replay, it->id, NULL, &size, NULL))
		return 0;
	return size;
}

static void
count_op(struct tracestats *ts, enum zmm_why why)
{
	switch (why) {
	case ZMM_WHY_OP_ALLOC: ts->ops[TRACESTATS_OP_ALLOC]++; break;
	case ZMM_WHY_OP_CALLOC: ts->ops[TRACESTATS_OP_CALLOC]++; break;
	case ZMM_WHY_OP_STRDUP: ts->ops[TRACESTATS_OP_STRDUP]++; break;
	case ZMM_WHY_OP_REALLOC: ts->ops[TRACESTATS_OP_REALLOC]++; break;
	case ZMM_WHY_OP_FREE: ts->ops[TRACESTATS_OP_FREE]++; break;
	case ZMM_WHY_OP_GC: ts->ops[TRACESTATS_OP_GC]++; break;
	case ZMM_WHY_OP_RESET: ts->ops[TRACESTATS_OP_RESET]++; break;
	default: break;
	}
}

static void
note_real_size(struct tracestats *ts, unsigned long op)
{
	struct zmm_stats st;

	zmm_heap_stats(replay_heap(ts->replay), &st);
	if (st.real_size > ts->peak_real_size) {
		ts->peak_real_size = st.real_size;
		ts->peak_real_op = op;
	}
}

/* The block the op left under its ID: which class, asked and got. */
static void
note_rounding(struct tracestats *ts, const struct trace_item *it)
{
	const struct zmm_heap *heap = replay_heap(ts->replay);
	struct tracestats_rounding *r;
	const void *ptr;
	uint64_t size;
	size_t got;

	if (!replay_block(ts->replay, it->id, &ptr, &size, NULL))
		return;
	got = zmm_heap_block_size(heap, ptr);
	if (zmm_heap_loc(heap, ptr).kind == ZMM_LOC_HUGE)
		r = &ts->huge;
	else if (got <= ZMM_MAX_SMALL_SIZE)
		r = &ts->bins[zmm_size_to_bin(got)].rounding;
	else
		r = &ts->large;
	r->blocks++;
	r->requested += size;
	r->rounded += got;
}

static void
op_end(struct tracestats *ts, const struct zmm_event *ev)
{
	struct trace_item buf;
	const struct trace_item *it = current_item(ts, &buf);
	uint64_t now;

	if (it == NULL)
		return;
	if (it->kind == TRACE_RESET) {
		ts->live_bytes = 0;
	} else {
		now = id_bytes(ts, it);
		ts->live_bytes = ts->live_bytes - ts->op_old_bytes + now;
		if (ev->loc.kind != ZMM_LOC_NONE &&
		    trace_kind_has_id(it->kind))
			note_rounding(ts, it);
	}
	if (ts->live_bytes > ts->peak_live_bytes) {
		ts->peak_live_bytes = ts->live_bytes;
		ts->peak_live_op = ev->op;
	}
	note_real_size(ts, ev->op);
}

static void
on_event(const struct zmm_event *ev, void *arg)
{
	struct tracestats *ts = arg;
	struct trace_item buf;

	switch (ev->type) {
	case ZMM_EV_OP_BEGIN:
		count_op(ts, ev->why);
		ts->op_old_bytes = id_bytes(ts, current_item(ts, &buf));
		break;
	case ZMM_EV_OP_END:
		op_end(ts, ev);
		break;
	case ZMM_EV_CHUNK_NEW:
		ts->chunks_from_storage++;
		note_real_size(ts, ev->op);
		break;
	case ZMM_EV_CHUNK_REUSE:
		ts->chunks_from_cache++;
		break;
	case ZMM_EV_CHUNK_CACHE:
		ts->chunks_cached++;
		break;
	case ZMM_EV_CHUNK_RELEASE:
		ts->chunks_released++;
		break;
	case ZMM_EV_HUGE_MAP:
	case ZMM_EV_HUGE_RESIZE:
		/* real_size may fall again before the op ends */
		note_real_size(ts, ev->op);
		break;
	default:
		break;
	}
}

int
tracestats_start(struct tracestats *ts, struct replay *replay)
{
	const struct trace *trace = replay_trace(replay);
	uint32_t nids = trace_id_count(trace), i;
	struct zmm_stats st;
	uint64_t size;

	memset(ts, 0, sizeof(*ts));
	ts->replay = replay;
	for (i = 0; i < nids; i++)
		if (replay_block(replay, i, NULL, &size, NULL))
			ts->live_bytes += size;
	ts->peak_live_bytes = ts->live_bytes;
	ts->peak_live_op = replay_op(replay);
	zmm_heap_stats(replay_heap(replay), &st);
	ts->peak_real_size = st.real_size;
	ts->peak_real_op = replay_op(replay);
	ts->listener = replay_listen(replay, on_event, ts);
	return ts->listener < 0 ? -1 : 0;
}

void
tracestats_step(struct tracestats *ts, const struct replay_step *step)
{
	if (step->status == REPLAY_TRACE_ERROR)
		ts->trace_errors++;
	else if (step->status == REPLAY_OP_FAILED)
		ts->failed_ops++;
}

/* A ring chunk and the free slots counted on each of its pages. */
struct chunk_slots {
	uint32_t	 serial;
	const struct zmm_chunk *chunk;
	uint16_t	 free[ZMM_PAGES];
};

static int
by_serial(const void *a, const void *b)
{
	const struct chunk_slots *x = a, *y = b;

	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* Counts each free slot on the first page of its run. */
static void
count_free_slots(const struct zmm_heap *heap, struct chunk_slots *cs,
    size_t n)
{
	struct chunk_slots key, *c;
	struct zmm_chunk_info info;
	struct zmm_map_word mw;
	struct zmm_loc loc;
	const void *slot;
	unsigned page;
	int bin;

	for (bin = 0; bin < ZMM_BINS; bin++) {
		for (slot = zmm_heap_bin_head(heap, bin); slot != NULL;
		    slot = zmm_slot_next(slot)) {
			loc = zmm_heap_loc(heap, slot);
			if (loc.kind != ZMM_LOC_CHUNK)
				continue;
			key.serial = loc.chunk;
			c = bsearch(&key, cs, n, sizeof(*cs), by_serial);
			if (c == NULL)
				continue;
			page = loc.offset / ZMM_PAGE_SIZE;
			zmm_chunk_info(c->chunk, &info);
			zmm_map_word_decode(info.map[page], &mw);
			if (mw.kind == ZMM_PAGE_NRUN && mw.offset <= page)
				page -= mw.offset;
			c->free[page]++;
		}
	}
}

/* Partly used and empty small runs of one chunk. */
static void
count_runs(struct tracestats *ts, const struct chunk_slots *c)
{
	struct zmm_chunk_info info;
	struct zmm_map_word mw;
	struct tracestats_bin *b;
	unsigned page, slots, pages;

	zmm_chunk_info(c->chunk, &info);
	for (page = ZMM_FIRST_PAGE; page < ZMM_PAGES; page++) {
		zmm_map_word_decode(info.map[page], &mw);
		if (mw.kind != ZMM_PAGE_SRUN || mw.bin < 0 || mw.bin >= ZMM_BINS)
			continue;
		slots = zmm_bin_slots(mw.bin);
		pages = zmm_bin_pages(mw.bin);
		b = &ts->bins[mw.bin];
		if (c->free[page] >= slots) {
			b->empty_runs++;
			b->empty_pages += pages;
		} else if (c->free[page] > 0) {
			b->partial_runs++;
			b->partial_pages += pages;
		}
	}
}

/* The chunk's longest run of free pages. */
static void
largest_free(const struct zmm_chunk *chunk, struct tracestats_chunk *out)
{
	struct zmm_chunk_info info;
	unsigned page, start = 0, len = 0;

	zmm_chunk_info(chunk, &info);
	out->serial = info.serial;
	out->free_pages = info.free_pages;
	out->largest_free = 0;
	out->largest_at = 0;
	for (page = ZMM_FIRST_PAGE; page <= ZMM_PAGES; page++) {
		if (page < ZMM_PAGES && !zmm_chunk_page_used(chunk, page)) {
			if (len++ == 0)
				start = page;
			continue;
		}
		if (len > out->largest_free) {
			out->largest_free = len;
			out->largest_at = start;
		}
		len = 0;
	}
}

int
tracestats_finish(struct tracestats *ts)
{
	const struct zmm_heap *heap = replay_heap(ts->replay);
	const struct zmm_chunk *chunk;
	struct chunk_slots *cs;
	size_t n = 0, i;
	int bin;

	if (ts->listener >= 0) {
		replay_unlisten(ts->replay, ts->listener);
		ts->listener = -1;
	}
	zmm_heap_stats(heap, &ts->heap);
	for (bin = 0; bin < ZMM_BINS; bin++) {
		ts->bins[bin].partial_runs = ts->bins[bin].partial_pages = 0;
		ts->bins[bin].empty_runs = ts->bins[bin].empty_pages = 0;
	}
	for (chunk = zmm_heap_chunk_first(heap); chunk != NULL;
	    chunk = zmm_heap_chunk_next(heap, chunk))
		n++;
	free(ts->chunks);
	ts->chunks = calloc(n ? n : 1, sizeof(*ts->chunks));
	cs = calloc(n ? n : 1, sizeof(*cs));
	if (ts->chunks == NULL || cs == NULL) {
		free(ts->chunks);
		free(cs);
		ts->chunks = NULL;
		ts->nchunks = 0;
		return -1;
	}
	ts->nchunks = n;
	i = 0;
	for (chunk = zmm_heap_chunk_first(heap); chunk != NULL;
	    chunk = zmm_heap_chunk_next(heap, chunk), i++) {
		largest_free(chunk, &ts->chunks[i]);
		cs[i].serial = ts->chunks[i].serial;
		cs[i].chunk = chunk;
	}
	qsort(cs, n, sizeof(*cs), by_serial);
	count_free_slots(heap, cs, n);
	for (i = 0; i < n; i++)
		count_runs(ts, &cs[i]);
	free(cs);
	ts->partial_runs = ts->partial_pages = 0;
	ts->empty_runs = ts->empty_pages = 0;
	for (bin = 0; bin < ZMM_BINS; bin++) {
		ts->partial_runs += ts->bins[bin].partial_runs;
		ts->partial_pages += ts->bins[bin].partial_pages;
		ts->empty_runs += ts->bins[bin].empty_runs;
		ts->empty_pages += ts->bins[bin].empty_pages;
	}
	return 0;
}

void
tracestats_free(struct tracestats *ts)
{
	if (ts->listener >= 0 && ts->replay != NULL) {
		replay_unlisten(ts->replay, ts->listener);
		ts->listener = -1;
	}
	free(ts->chunks);
	ts->chunks = NULL;
	ts->nchunks = 0;
}

double
tracestats_utilisation(const struct tracestats *ts)
{
	if (ts->peak_real_size == 0)
		return 0;
	return 100.0 * (double)ts->peak_live_bytes / (double)ts->peak_real_size;
}

double
tracestats_waste_percent(const struct tracestats_rounding *r)
{
	if (r->rounded == 0)
		return 0;
	return 100.0 * (double)(r->rounded - r->requested) / (double)r->rounded;
}
