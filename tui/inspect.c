/*
 * inspect.c - the inspector's view model: one page of one chunk, read from
 * the heap's inspection API (zmm.h) and the replay's ID table (replay.h).
 *
 *   c0 page 4 (c0+0x4000): page 3 of 5 of the small run at page 2, bin 16
 *   map[4] = 0xc0020010
 *     bits 31-0  = 1100 0000 0000 0010 0000 0000 0001 0000
 *     bits 31-30 = 11    NRUN: a later page of a small run
 *     bits 24-16 = 2     offset: the run starts 2 pages back, at page 2
 *     bits 4-0   = 16    bin 16 (320-byte slots)
 *   run: pages 2-6 (5 pages), bin 16: 64 slots of 320 bytes
 *   slots: 1 used, 63 free; free_slot[16] holds 63
 *   slot   0  c0+0x2000    free  list #0
 *   slot   1  c0+0x2140    used  y  300 bytes  op 3
 *
 * Which run holds a page is found as cells.c finds it, by walking the
 * runs from page 1 along the free_map and the first pages' words: only a
 * run's first page has a word the allocator reads, so the word of a free
 * page or of a later page of a large run may be a leftover.  The free
 * slots of a small run and their places on the list come from one walk
 * of the bin's free list; the owners of used blocks from replay_owner().
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"

/* The chunk with serial SERIAL, ring first, then the cache; or NULL. */
static const struct zmm_chunk *
chunk_find(const struct zmm_heap *heap, uint32_t serial, bool *cached)
{
	const struct zmm_chunk *chunk;
	struct zmm_chunk_info info;

	for (chunk = zmm_heap_chunk_first(heap); chunk != NULL;
	    chunk = zmm_heap_chunk_next(heap, chunk)) {
		zmm_chunk_info(chunk, &info);
		if (info.serial == serial) {
			*cached = false;
			return chunk;
		}
	}
	for (chunk = zmm_heap_cached_first(heap); chunk != NULL;
	    chunk = zmm_heap_cached_next(chunk)) {
		zmm_chunk_info(chunk, &info);
		if (info.serial == serial) {
			*cached = true;
			return chunk;
		}
	}
	return NULL;
}

/*
 * The run holding the used page PAGE: its first page, length and bin (-1
 * for a large run).  Walks the runs from page 1 as the heap check does; a
 * used page whose word starts no run counts as a one-page run.
 */
static void
run_find(const struct zmm_chunk *chunk, const uint32_t *map, unsigned page,
    unsigned *start, unsigned *pages, int *bin)
{
	struct zmm_map_word w;
	unsigned p = ZMM_FIRST_PAGE, n;
	int b;

	while (p < ZMM_PAGES) {
		if (!zmm_chunk_page_used(chunk, p)) {
			p++;
			continue;
		}
		zmm_map_word_decode(map[p], &w);
		b = -1;
		if (w.kind == ZMM_PAGE_SRUN && w.bin < ZMM_BINS) {
			b = w.bin;
			n = zmm_bin_pages(b);
		} else {
			n = w.kind == ZMM_PAGE_LRUN && w.pages > 0 ? w.pages : 1;
		}
		if (n > ZMM_PAGES - p)
			n = ZMM_PAGES - p;
		if (page < p + n) {
			/* the walk jumped no further than PAGE: P starts its run */
			*start = p;
			*pages = n;
			*bin = b;
			return;
		}
		p += n;
	}
	*start = page;
	*pages = 1;
	*bin = -1;
}

/* The free pages around the free page PAGE (a cached chunk: all free). */
static void
hole_find(const struct zmm_chunk *chunk, bool cached, unsigned page,
    unsigned *start, unsigned *pages)
{
	unsigned lo = page, hi = page + 1;

	if (cached) {
		*start = ZMM_FIRST_PAGE;
		*pages = ZMM_PAGES - ZMM_FIRST_PAGE;
		return;
	}
	while (lo > ZMM_FIRST_PAGE && !zmm_chunk_page_used(chunk, lo - 1))
		lo--;
	while (hi < ZMM_PAGES && !zmm_chunk_page_used(chunk, hi))
		hi++;
	*start = lo;
	*pages = hi - lo;
}

/* The trace block starting at PTR, if one is live. */
static void
owner_find(const struct replay *replay, const void *ptr,
    struct inspect_owner *owner)
{
	const char *id;

	memset(owner, 0, sizeof(*owner));
	if (!replay_owner(replay, ptr, &id, &owner->size, &owner->opno))
		return;
	owner->live = true;
	snprintf(owner->id, sizeof(owner->id), "%s", id);
}

/*
 * Marks the free slots of the small run at RUN (OUT's run) with their
 * places on the bin's list.  A list that loops (a broken heap) is walked
 * only until the loop shows (Floyd's two pointers).
 */
static void
slots_mark_free(const struct zmm_heap *heap, uintptr_t run,
    struct inspect_page *out)
{
	const void *p, *slow;
	uintptr_t at;
	uint32_t size = zmm_bin_size(out->bin);
	uintptr_t end = run + (uintptr_t)size * out->nslots;
	size_t k, pos = 0;

	slow = p = zmm_heap_bin_head(heap, out->bin);
	while (p != NULL) {
		at = (uintptr_t)p;
		if (at >= run && at < end && (at - run) % size == 0) {
			k = (at - run) / size;
			if (!out->slot[k].free) {
				out->slot[k].free = true;
				out->slot[k].list_pos = (long)pos;
				out->free_slots++;
			}
		}
		p = zmm_slot_next(p);
		if (pos & 1)
			slow = zmm_slot_next(slow);
		pos++;
		if (p == slow)
			break;
	}
	out->list_length = pos;
}

/* The slots of the small run at RUN: free or used, and who uses them. */
static void
slots_fill(const struct replay *replay, const struct zmm_heap *heap,
    uintptr_t run, struct inspect_page *out)
{
	const struct zmm_huge *huge;
	uint32_t size = zmm_bin_size(out->bin);
	uintptr_t at;
	unsigned k;

	out->nslots = zmm_bin_slots(out->bin);
	if (out->nslots > INSPECT_SLOTS_MAX)
		out->nslots = INSPECT_SLOTS_MAX;
	for (k = 0; k < out->nslots; k++) {
		memset(&out->slot[k], 0, sizeof(out->slot[k]));
		out->slot[k].offset = out->run_start * (uint32_t)ZMM_PAGE_SIZE +
		    k * size;
		out->slot[k].list_pos = -1;
	}
	slots_mark_free(heap, run, out);
	for (k = 0; k < out->nslots; k++)
		if (!out->slot[k].free)
			owner_find(replay, (const void *)(run + (uintptr_t)k *
			    size), &out->slot[k].owner);
	/* the nodes of huge blocks are small blocks no trace ID names */
	for (huge = zmm_heap_huge_first(heap); huge != NULL;
	    huge = zmm_heap_huge_next(huge)) {
		at = (uintptr_t)huge;
		if (at < run || (at - run) % size != 0 ||
		    (at - run) / size >= out->nslots)
			continue;
		k = (unsigned)((at - run) / size);
		if (!out->slot[k].free)
			out->slot[k].huge_size = zmm_huge_size(huge);
	}
}

int
inspect_page(const struct replay *replay, uint32_t serial, unsigned page,
    struct inspect_page *out)
{
	const struct zmm_heap *heap;
	const struct zmm_chunk *chunk;
	struct zmm_chunk_info info;
	struct zmm_loc loc;
	uintptr_t run;
	bool cached;

	if (replay == NULL || out == NULL || page >= ZMM_PAGES)
		return -1;
	heap = replay_heap(replay);
	chunk = chunk_find(heap, serial, &cached);
	if (chunk == NULL)
		return -1;
	zmm_chunk_info(chunk, &info);
	memset(out, 0, offsetof(struct inspect_page, slot));
	out->serial = serial;
	out->page = page;
	out->cached = cached;
	out->chunk_main = info.is_main;
	out->chunk_num = info.num;
	out->chunk_free_pages = info.free_pages;
	out->chunk_free_tail = info.free_tail;
	out->used = zmm_chunk_page_used(chunk, page);
	zmm_map_word_decode(info.map[page], &out->word);
	out->bin = -1;
	out->run_start = page;
	if (page == 0) {
		out->what = INSPECT_HEADER;
		out->run_pages = 1;
		return 0;
	}
	if (cached || !out->used) {
		out->what = INSPECT_FREE;
		out->word_stale = out->word.word != 0;
		hole_find(chunk, cached, page, &out->hole_start,
		    &out->hole_pages);
		return 0;
	}
	run_find(chunk, info.map, page, &out->run_start, &out->run_pages,
	    &out->bin);
	out->what = out->bin >= 0 ? INSPECT_SMALL : INSPECT_LARGE;
	if (page != out->run_start)
		out->word_stale = out->bin < 0 ||
		    out->word.kind != ZMM_PAGE_NRUN ||
		    out->word.bin != out->bin ||
		    out->word.offset != page - out->run_start;

	/*
	 * A chunk's header is its first bytes (zmm.h), so the chunk handle
	 * is its address; zmm_heap_loc() confirms it before owners are read.
	 */
	run = (uintptr_t)chunk + (uintptr_t)out->run_start * ZMM_PAGE_SIZE;
	loc = zmm_heap_loc(heap, (const void *)run);
	if (loc.kind != ZMM_LOC_CHUNK || loc.chunk != serial ||
	    loc.offset != out->run_start * ZMM_PAGE_SIZE)
		return 0;
	if (out->bin < 0)
		owner_find(replay, (const void *)run, &out->owner);
	else
		slots_fill(replay, heap, run, out);
	return 0;
}

/* ------------------------------------------------------------------
 *  The detail as lines
 * ------------------------------------------------------------------ */

/* Lines counted from 0; those in [first, first + max) are kept. */
struct lines {
	char		(*line)[INSPECT_LINE_MAX];
	size_t		 first;
	size_t		 max;
	size_t		 n;
};

static void	emit(struct lines *l, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static void
emit(struct lines *l, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= l->first && l->n - l->first < l->max) {
		va_start(ap, fmt);
		vsnprintf(l->line[l->n - l->first], INSPECT_LINE_MAX, fmt, ap);
		va_end(ap);
	}
	l->n++;
}

/* "c0+0x1040" for OFFSET in chunk SERIAL. */
static const char *
loc_text(uint32_t serial, uint32_t offset, char *buf, size_t len)
{
	struct zmm_loc loc = { ZMM_LOC_CHUNK, serial, offset, 0 };

	zmm_loc_format(&loc, buf, len);
	return buf;
}

/* Bits HI..LO of WORD. */
static uint32_t
bits(uint32_t word, unsigned hi, unsigned lo)
{
	return (word >> lo) & (uint32_t)((1ull << (hi - lo + 1)) - 1);
}

/* One field line: "  bits 24-16 = 2     TEXT" (VALUE as it is printed). */
static void
emit_field(struct lines *l, unsigned hi, unsigned lo, const char *value,
    const char *text)
{
	char range[16];

	snprintf(range, sizeof(range), "%u-%u", hi, lo);
	emit(l, "  bits %-5s = %-5s %s", range, value, text);
}

/* A numeric field, in decimal. */
static void
emit_number(struct lines *l, uint32_t word, unsigned hi, unsigned lo,
    const char *text)
{
	char value[16];

	snprintf(value, sizeof(value), "%u", bits(word, hi, lo));
	emit_field(l, hi, lo, value, text);
}

/* An unused field: shown only when something is set in it. */
static void
emit_unused(struct lines *l, uint32_t word, unsigned hi, unsigned lo)
{
	char value[16];

	if (bits(word, hi, lo) == 0)
		return;
	snprintf(value, sizeof(value), "0x%x", bits(word, hi, lo));
	emit_field(l, hi, lo, value, "(unused, yet set)");
}

/* Bits 4-0 of a small run's word: the bin. */
static void
emit_bin(struct lines *l, uint32_t word, int bin)
{
	char text[64];

	if (bin >= 0 && bin < ZMM_BINS)
		snprintf(text, sizeof(text), "bin %d (%u-byte slots)", bin,
		    zmm_bin_size(bin));
	else
		snprintf(text, sizeof(text), "bin %d (no such bin)", bin);
	emit_number(l, word, 4, 0, text);
}

/* The map word in hex, in binary and field by field (PHP 8.2's layout). */
static void
emit_word(struct lines *l, const struct inspect_page *p)
{
	const struct zmm_map_word *w = &p->word;
	uint32_t word = w->word;
	char binary[40], kind[3], text[INSPECT_LINE_MAX];
	const char *note = "";
	unsigned i, at = 0;

	if (p->what == INSPECT_HEADER && word == ZMM_LRUN(1))
		note = "  (the header is marked as a 1-page large run)";
	else if (p->what == INSPECT_LARGE && p->page != p->run_start)
		note = "  (a leftover: only a large run's first page has a word)";
	else if (p->what == INSPECT_FREE && p->word_stale)
		note = "  (a leftover: the page is free, nothing reads it)";
	else if (p->word_stale)
		note = "  (does not match the run)";
	emit(l, "map[%u] = 0x%08x%s", p->page, word, note);
	for (i = 0; i < 32; i++) {
		if (i > 0 && i % 4 == 0)
			binary[at++] = ' ';
		binary[at++] = (char)('0' + ((word >> (31 - i)) & 1));
	}
	binary[at] = '\0';
	emit(l, "  bits 31-0  = %s", binary);

	kind[0] = (char)('0' + bits(word, 31, 31));
	kind[1] = (char)('0' + bits(word, 30, 30));
	kind[2] = '\0';
	switch (w->kind) {
	case ZMM_PAGE_LRUN:
		emit_field(l, 31, 30, kind,
		    "LRUN: the first page of a large run");
		emit_unused(l, word, 29, 10);
		emit_number(l, word, 9, 0, "pages in the run");
		break;
	case ZMM_PAGE_SRUN:
		emit_field(l, 31, 30, kind,
		    "SRUN: the first page of a small run");
		emit_unused(l, word, 29, 25);
		emit_number(l, word, 24, 16,
		    "free counter (gc counts free slots here)");
		emit_unused(l, word, 15, 5);
		emit_bin(l, word, w->bin);
		break;
	case ZMM_PAGE_NRUN:
		emit_field(l, 31, 30, kind,
		    "NRUN: a later page of a small run");
		emit_unused(l, word, 29, 25);
		if (w->offset <= p->page)
			snprintf(text, sizeof(text), "offset: the run starts "
			    "%u page%s back, at page %u", w->offset,
			    w->offset == 1 ? "" : "s", p->page - w->offset);
		else
			snprintf(text, sizeof(text), "offset: %u pages back, "
			    "before the chunk's start", w->offset);
		emit_number(l, word, 24, 16, text);
		emit_unused(l, word, 15, 5);
		emit_bin(l, word, w->bin);
		break;
	default:
		emit_field(l, 31, 30, kind, "FRUN: the word of a free page");
		emit_unused(l, word, 29, 0);
		break;
	}
}

static const char *
plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

/* "a, 24 bytes, op 3" or why nobody holds it. */
static void
owner_text(const struct inspect_owner *o, char *buf, size_t len)
{
	if (o->live)
		snprintf(buf, len, "%s, %llu bytes, op %llu", o->id,
		    (unsigned long long)o->size, (unsigned long long)o->opno);
	else
		snprintf(buf, len, "no live trace block starts here");
}

static void
emit_slot(struct lines *l, const struct inspect_page *p, unsigned k)
{
	const struct inspect_slot *s = &p->slot[k];
	char loc[ZMM_LOC_BUFSIZE], who[INSPECT_ID_MAX + 64];

	loc_text(p->serial, s->offset, loc, sizeof(loc));
	if (s->free)
		emit(l, "slot %3u  %-12s free  list #%ld", k, loc, s->list_pos);
	else if (s->owner.live)
		emit(l, "slot %3u  %-12s used  %s  %llu bytes  op %llu", k, loc,
		    s->owner.id, (unsigned long long)s->owner.size,
		    (unsigned long long)s->owner.opno);
	else if (s->huge_size != 0)
		emit(l, "slot %3u  %-12s used  the list node of a huge block "
		    "(huge:%zu)", k, loc, s->huge_size);
	else {
		owner_text(&s->owner, who, sizeof(who));
		emit(l, "slot %3u  %-12s used  (%s)", k, loc, who);
	}
}

size_t
inspect_lines(const struct inspect_page *p, size_t first,
    char (*lines)[INSPECT_LINE_MAX], size_t max)
{
	struct lines l = { lines, first, max, 0 };
	char loc[ZMM_LOC_BUFSIZE], who[INSPECT_ID_MAX + 64];
	const char *cached = p->cached ? " (cached chunk)" : "";
	unsigned last = p->run_start + p->run_pages - 1, k;
	uint32_t size;

	loc_text(p->serial, p->page * (uint32_t)ZMM_PAGE_SIZE, loc, sizeof(loc));
	switch (p->what) {
	case INSPECT_HEADER:
		emit(&l, "c%u page 0 (%s)%s: the chunk header", p->serial, loc,
		    cached);
		emit(&l, "num %u, free_pages %u, free_tail %u%s", p->chunk_num,
		    p->chunk_free_pages, p->chunk_free_tail,
		    p->chunk_main ? "; the main chunk: the heap lives here too" : "");
		break;
	case INSPECT_FREE:
		emit(&l, "c%u page %u (%s)%s: free", p->serial, p->page, loc,
		    cached);
		break;
	case INSPECT_LARGE:
		if (p->page == p->run_start)
			emit(&l, "c%u page %u (%s): first page of a large run",
			    p->serial, p->page, loc);
		else
			emit(&l, "c%u page %u (%s): page %u of %u of the large "
			    "run at page %u", p->serial, p->page, loc,
			    p->page - p->run_start + 1, p->run_pages,
			    p->run_start);
		break;
	case INSPECT_SMALL:
		if (p->page == p->run_start)
			emit(&l, "c%u page %u (%s): first page of a small run, "
			    "bin %d", p->serial, p->page, loc, p->bin);
		else
			emit(&l, "c%u page %u (%s): page %u of %u of the small "
			    "run at page %u, bin %d", p->serial, p->page, loc,
			    p->page - p->run_start + 1, p->run_pages,
			    p->run_start, p->bin);
		break;
	}
	emit_word(&l, p);

	switch (p->what) {
	case INSPECT_FREE:
		emit(&l, "free pages around it: %u-%u (%u page%s)",
		    p->hole_start, p->hole_start + p->hole_pages - 1,
		    p->hole_pages, plural(p->hole_pages));
		break;
	case INSPECT_LARGE:
		emit(&l, "run: pages %u-%u (%u page%s, %zu bytes), one large "
		    "block", p->run_start, last, p->run_pages,
		    plural(p->run_pages), p->run_pages * ZMM_PAGE_SIZE);
		owner_text(&p->owner, who, sizeof(who));
		emit(&l, "owner: %s", who);
		break;
	case INSPECT_SMALL:
		size = zmm_bin_size(p->bin);
		emit(&l, "run: pages %u-%u (%u page%s), bin %d: %u slots of %u "
		    "bytes", p->run_start, last, p->run_pages,
		    plural(p->run_pages), p->bin, zmm_bin_slots(p->bin), size);
		emit(&l, "slots: %u used, %u free; free_slot[%d] holds %zu",
		    p->nslots - p->free_slots, p->free_slots, p->bin,
		    p->list_length);
		for (k = 0; k < p->nslots; k++)
			emit_slot(&l, p, k);
		break;
	default:
		break;
	}
	return l.n;
}
