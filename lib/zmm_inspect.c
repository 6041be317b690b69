/*
 * zmm_inspect.c - the read-only view of a heap: chunks in ring and cache
 * order, their bitmaps and page words, free lists, huge blocks, locations
 * and statistics.  Views and printers use only this; nothing here changes
 * the heap.
 */
#include "config.h"

#include <stdio.h>

#include "zmm_internal.h"

const struct zmm_chunk *
zmm_heap_chunk_first(const struct zmm_heap *heap)
{
	return heap->main_chunk;
}

const struct zmm_chunk *
zmm_heap_chunk_next(const struct zmm_heap *heap, const struct zmm_chunk *chunk)
{
	return chunk->next == heap->main_chunk ? NULL : chunk->next;
}

const struct zmm_chunk *
zmm_heap_cached_first(const struct zmm_heap *heap)
{
	return heap->cached_chunks;
}

const struct zmm_chunk *
zmm_heap_cached_next(const struct zmm_chunk *chunk)
{
	return chunk->next;
}

void
zmm_chunk_info(const struct zmm_chunk *chunk, struct zmm_chunk_info *out)
{
	out->serial = chunk->serial;
	out->num = chunk->num;
	out->free_pages = chunk->free_pages;
	out->free_tail = chunk->free_tail;
	out->is_main = chunk->heap != NULL && chunk->heap->main_chunk == chunk;
	out->free_map = chunk->free_map;
	out->map = chunk->map;
}

bool
zmm_chunk_page_used(const struct zmm_chunk *chunk, unsigned page)
{
	return page < ZMM_PAGES && zmm__bit_is_set(chunk->free_map, page);
}

/* Splits a page word into its fields (see ZMM_IS_* in zmm.h). */
void
zmm_map_word_decode(uint32_t word, struct zmm_map_word *out)
{
	memset(out, 0, sizeof(*out));
	out->word = word;
	out->bin = -1;
	if ((word & ZMM_IS_NRUN) == ZMM_IS_NRUN) {
		out->kind = ZMM_PAGE_NRUN;
		out->bin = (int)ZMM_SRUN_BIN(word);
		out->offset = ZMM_NRUN_OFFSET(word);
	} else if (word & ZMM_IS_SRUN) {
		out->kind = ZMM_PAGE_SRUN;
		out->bin = (int)ZMM_SRUN_BIN(word);
		out->free_counter = ZMM_SRUN_FREE_COUNTER(word);
	} else if (word & ZMM_IS_LRUN) {
		out->kind = ZMM_PAGE_LRUN;
		out->pages = ZMM_LRUN_PAGES(word);
	} else {
		out->kind = ZMM_PAGE_FREE;
	}
}

const void *
zmm_heap_bin_head(const struct zmm_heap *heap, int bin)
{
	return bin >= 0 && bin < ZMM_BINS ? heap->free_slot[bin] : NULL;
}

const void *
zmm_slot_next(const void *slot)
{
	return ((const struct zmm_slot *)slot)->next;
}

size_t
zmm_heap_bin_length(const struct zmm_heap *heap, int bin)
{
	const struct zmm_slot *p;
	size_t n = 0;

	if (bin < 0 || bin >= ZMM_BINS)
		return 0;
	for (p = heap->free_slot[bin]; p != NULL; p = p->next)
		n++;
	return n;
}

const struct zmm_huge *
zmm_heap_huge_first(const struct zmm_heap *heap)
{
	return heap->huge_list;
}

const struct zmm_huge *
zmm_heap_huge_next(const struct zmm_huge *huge)
{
	return huge->next;
}

const void *
zmm_huge_ptr(const struct zmm_huge *huge)
{
	return huge->ptr;
}

size_t
zmm_huge_size(const struct zmm_huge *huge)
{
	return huge->size;
}

/* Where PTR lies: chunk serial and offset, or a huge block and its size. */
struct zmm_loc
zmm_heap_loc(const struct zmm_heap *heap, const void *ptr)
{
	struct zmm_loc loc = { ZMM_LOC_NONE, 0, 0, 0 };
	const struct zmm_huge *huge;
	size_t offset = zmm__chunk_offset(ptr);

	if (ptr == NULL)
		return loc;
	if (offset == 0) {
		huge = zmm__huge_find(heap, ptr);
		if (huge != NULL) {
			loc.kind = ZMM_LOC_HUGE;
			loc.size = huge->size;
		}
		return loc;
	}
	if (zmm__chunk_of(ptr)->heap != heap)
		return loc;		/* another heap's block */
	loc.kind = ZMM_LOC_CHUNK;
	loc.chunk = zmm__chunk_of(ptr)->serial;
	loc.offset = (uint32_t)offset;
	return loc;
}

int
zmm_loc_format(const struct zmm_loc *loc, char *buf, size_t len)
{
	switch (loc->kind) {
	case ZMM_LOC_CHUNK:
		return snprintf(buf, len, "c%u+0x%x", loc->chunk, loc->offset);
	case ZMM_LOC_HUGE:
		return snprintf(buf, len, "huge:%zu", loc->size);
	default:
		return snprintf(buf, len, "null");
	}
}

void
zmm_heap_stats(const struct zmm_heap *heap, struct zmm_stats *out)
{
	const struct zmm_huge *huge;

	memset(out, 0, sizeof(*out));
	out->size = heap->size;
	out->peak = heap->peak;
	out->real_size = heap->real_size;
	out->real_peak = heap->real_peak;
	out->limit = heap->limit;
	out->chunks_count = (size_t)heap->chunks_count;
	out->peak_chunks_count = (size_t)heap->peak_chunks_count;
	out->cached_chunks_count = (size_t)heap->cached_chunks_count;
	for (huge = heap->huge_list; huge != NULL; huge = huge->next)
		out->huge_count++;
	out->slots_popped = heap->slots_popped;
	out->slots_pushed = heap->slots_pushed;
	out->runs_carved = heap->runs_carved;
	out->chunks_mapped = heap->chunks_mapped;
	out->gc_runs = heap->gc_runs;
	out->avg_chunks_count = heap->avg_chunks_count;
	out->last_chunks_delete_boundary = heap->last_chunks_delete_boundary;
	out->last_chunks_delete_count = heap->last_chunks_delete_count;
}
