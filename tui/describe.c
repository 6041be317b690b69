/*
 * describe.c - the allocator's events and a trace's items in plain words.
 *
 * describe_event() turns one struct zmm_event into a sentence that says
 * what happened and, where it helps, why ZendMM does it that way:
 *
 *   slot_push   "slot c0+0x1040 pushed on free_slot[3] (32 B): lists are
 *                LIFO, the next 32-byte alloc takes it back"
 *
 * describe_item() writes an op or directive back as a trace line would
 * say it ("alloc a 24", "strdup s \"hi\\n\"").  Both write into a caller's
 * buffer, never past LEN, always NUL-terminated, and never print "?" for a
 * value the core can emit; unknown values get a plain fallback.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "describe.h"

#define STRDUP_SHOW	40	/* decoded bytes of a strdup text shown */
#define ARROW		"\xe2\x86\x92"	/* U+2192, UTF-8 */

/* A bounded writer: BUF of LEN bytes, AT bytes written so far. */
struct out {
	char	*buf;
	size_t	 len;
	size_t	 at;
};

static void	put(struct out *o, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static void
out_init(struct out *o, char *buf, size_t len)
{
	o->buf = buf;
	o->len = len;
	o->at = 0;
	if (len > 0)
		buf[0] = '\0';
}

/* Appends like snprintf; what does not fit is dropped. */
static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (o->len == 0 || o->at >= o->len - 1)
		return;
	room = o->len - o->at;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->at, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->buf[o->at] = '\0';
		return;
	}
	o->at += (size_t)n < room ? (size_t)n : room - 1;
}

/* Appends one byte. */
static void
put_char(struct out *o, char c)
{
	if (o->len == 0 || o->at >= o->len - 1)
		return;
	o->buf[o->at++] = c;
	o->buf[o->at] = '\0';
}

/*
 * The length written.  A cut that fell inside a UTF-8 sequence (the "→"
 * of op_end) drops the partial character, so a terminal never sees half.
 */
static size_t
out_done(struct out *o)
{
	size_t i, need;
	unsigned char c;

	if (o->len == 0)
		return 0;
	if (o->at == o->len - 1 && o->at > 0) {
		/* find the start of the last character and check it is whole */
		i = o->at;
		while (i > 0 && ((unsigned char)o->buf[i - 1] & 0xc0) == 0x80 &&
		    o->at - i < 3)
			i--;
		if (i > 0) {
			c = (unsigned char)o->buf[i - 1];
			need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 :
			    c >= 0xc0 ? 2 : 1;
			if (c >= 0xc0 && o->at - (i - 1) < need)
				o->at = i - 1;
		}
	}
	o->buf[o->at] = '\0';
	return o->at;
}

/* "s" when N is not 1. */
static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Bytes as "24 B", or "2 MiB" for an exact multiple of a MiB. */
static void
put_bytes(struct out *o, size_t n)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		put(o, "%zu MiB", n / (1024 * 1024));
	else
		put(o, "%zu B", n);
}

/* "c3", or "a chunk" when the event names none. */
static void
put_chunk(struct out *o, int chunk)
{
	if (chunk >= 0)
		put(o, "c%d", chunk);
	else
		put(o, "a chunk");
}

/* "page 7" or "pages 2-4" (PAGES from PAGE). */
static void
put_pages(struct out *o, int page, unsigned pages)
{
	if (page < 0)
		put(o, "%u page%s", pages, plural(pages));
	else if (pages <= 1)
		put(o, "page %d", page);
	else
		put(o, "pages %d-%u", page, (unsigned)page + pages - 1);
}

/* "c0 pages 2-4" */
static void
put_chunk_pages(struct out *o, int chunk, int page, unsigned pages)
{
	put_chunk(o, chunk);
	put(o, " ");
	put_pages(o, page, pages);
}

/* "bin 2 (24 B)" */
static void
put_bin(struct out *o, int bin)
{
	if (bin >= 0 && bin < ZMM_BINS)
		put(o, "bin %d (%u B)", bin, zmm_bin_size(bin));
	else
		put(o, "bin %d", bin);
}

/* "free_slot[3] (32 B)" */
static void
put_list(struct out *o, int bin)
{
	if (bin >= 0 && bin < ZMM_BINS)
		put(o, "free_slot[%d] (%u B)", bin, zmm_bin_size(bin));
	else
		put(o, "free_slot[%d]", bin);
}

/* "c0+0x1040", "huge:3002368" or "null". */
static void
put_loc(struct out *o, const struct zmm_loc *loc)
{
	char buf[ZMM_LOC_BUFSIZE];

	zmm_loc_format(loc, buf, sizeof(buf));
	put(o, "%s", buf);
}

/* TEXT in double quotes, or nothing when there is none. */
static void
put_quoted(struct out *o, const char *text)
{
	if (text != NULL && text[0] != '\0')
		put(o, ": \"%s\"", text);
}

/* Pages of a request of SIZE bytes. */
static size_t
pages_of(size_t size)
{
	return size / ZMM_PAGE_SIZE + (size % ZMM_PAGE_SIZE != 0);
}

/* ------------------------------------------------------------------
 *  Events, one function per family
 * ------------------------------------------------------------------ */

static void
say_op_begin(struct out *o, const struct zmm_event *ev)
{
	const char *id = ev->text;

	switch (ev->why) {
	case ZMM_WHY_OP_ALLOC:
		put(o, "alloc");
		break;
	case ZMM_WHY_OP_FREE:
		if (id == NULL) {
			put(o, "free NULL: nothing to do");
			return;
		}
		put(o, "free %s", id);
		return;
	case ZMM_WHY_OP_REALLOC:
		put(o, "realloc");
		break;
	case ZMM_WHY_OP_CALLOC:
		put(o, "calloc");
		break;
	case ZMM_WHY_OP_STRDUP:
		put(o, "strdup");
		break;
	case ZMM_WHY_OP_GC:
		put(o, "gc");
		return;
	case ZMM_WHY_OP_RESET:
		put(o, "reset");
		return;
	default:
		put(o, "op");
		break;
	}
	if (id != NULL)
		put(o, " %s", id);
	if (ev->why == ZMM_WHY_OP_CALLOC && ev->size == SIZE_MAX)
		put(o, " (N * SIZE overflows)");
	else
		put(o, " (%zu B)", ev->size);
}

static void
say_op_end(struct out *o, const struct zmm_event *ev)
{
	if (ev->loc.kind == ZMM_LOC_NONE) {
		put(o, ARROW " no block");
		return;
	}
	put(o, ARROW " ");
	put_loc(o, &ev->loc);
}

static void
say_chunk_cache(struct out *o, const struct zmm_event *ev)
{
	put_chunk(o, ev->chunk);
	switch (ev->why) {
	case ZMM_WHY_AVERAGE:
		put(o, " is empty and goes to the chunk cache: chunks in use "
		    "plus cached stay below the average demand "
		    "(below_average)");
		break;
	case ZMM_WHY_BOUNDARY:
		put(o, " is empty and goes to the chunk cache: the ring keeps "
		    "shrinking to this size, so it is kept for the next growth "
		    "(delete_boundary)");
		break;
	case ZMM_WHY_SWAP:
		put(o, " is empty and takes the cache head's place: it is the "
		    "older of the two, the head went back to storage "
		    "(swap_with_cache_head)");
		break;
	case ZMM_WHY_REQUEST_END:
		put(o, " goes to the chunk cache: at the end of a request "
		    "every chunk but the main one is cached (request_end)");
		break;
	default:
		put(o, " is empty and goes to the chunk cache");
		break;
	}
}

static void
say_chunk_release(struct out *o, const struct zmm_event *ev)
{
	put_chunk(o, ev->chunk);
	switch (ev->why) {
	case ZMM_WHY_RELEASE:
		put(o, " is empty and goes back to storage (2 MiB less "
		    "real_size): the ring and the cache already hold the "
		    "average demand");
		break;
	case ZMM_WHY_SWAP:
		put(o, ", the cache head, goes back to storage: an emptied "
		    "older chunk takes its place (swap_with_cache_head)");
		break;
	case ZMM_WHY_TRIM:
		put(o, " leaves the chunk cache and goes back to storage: the "
		    "cache is trimmed at a reset or for a lower memory limit "
		    "(cache_trim)");
		break;
	default:
		put(o, " goes back to storage");
		break;
	}
}

static void
say_fit_skip(struct out *o, const struct zmm_event *ev)
{
	put_chunk(o, ev->chunk);
	switch (ev->why) {
	case ZMM_WHY_FEW_PAGES:
		if (ev->pages == 0)
			put(o, " skipped: no free page");
		else
			put(o, " skipped: only %u free page%s", ev->pages,
			    plural(ev->pages));
		break;
	case ZMM_WHY_NO_RUN:
		put(o, " has %u free page%s but no free run long enough: it "
		    "is fragmented", ev->pages, plural(ev->pages));
		break;
	default:
		put(o, " skipped (%u free page%s)", ev->pages,
		    plural(ev->pages));
		break;
	}
}

static void
say_fit_candidate(struct out *o, const struct zmm_event *ev)
{
	put_chunk_pages(o, ev->chunk, ev->page, ev->pages);
	put(o, " (%u free): ", ev->pages);
	switch (ev->why) {
	case ZMM_WHY_TOO_SMALL:
		put(o, "too small for the request");
		break;
	case ZMM_WHY_BEST_SO_FAR:
		put(o, "fits: best so far");
		break;
	case ZMM_WHY_NOT_BETTER:
		put(o, "fits, but not shorter than the best");
		break;
	case ZMM_WHY_PERFECT:
		put(o, "exactly %u page%s: a perfect fit ends the search",
		    ev->pages, plural(ev->pages));
		break;
	case ZMM_WHY_TAIL:
		put(o, "the free tail, shorter than any fitting hole: taken");
		break;
	case ZMM_WHY_TAIL_NOT_BETTER:
		put(o, "the free tail, not shorter than the best hole: the "
		    "best hole is taken");
		break;
	case ZMM_WHY_TAIL_TOO_SMALL:
		put(o, "the free tail, too small for the request: the search "
		    "of this chunk ends");
		break;
	default:
		put(o, "a free run");
		break;
	}
}

static void
say_fit_pick(struct out *o, const struct zmm_event *ev)
{
	put_chunk_pages(o, ev->chunk, ev->page, ev->pages);
	put(o, " chosen for %u page%s: ", ev->pages, plural(ev->pages));
	switch (ev->why) {
	case ZMM_WHY_PERFECT:
		put(o, "a hole of exactly that size");
		break;
	case ZMM_WHY_BEST:
		put(o, "best fit, the start of the shortest hole that fits");
		break;
	case ZMM_WHY_TAIL:
		put(o, "the start of the free tail, no hole fits better");
		break;
	case ZMM_WHY_NEW_CHUNK:
		put(o, "nothing in the ring fits, so page 1 of a chunk just "
		    "taken");
		break;
	default:
		put(o, "the run found");
		break;
	}
}

static void
say_pages_alloc(struct out *o, const struct zmm_event *ev)
{
	put_chunk_pages(o, ev->chunk, ev->page, ev->pages);
	put(o, " marked used in free_map, map[%d] = LRUN(%u): ", ev->page,
	    ev->pages);
	if (ev->bin >= 0) {
		put(o, "pages for a small run of ");
		put_bin(o, ev->bin);
	} else {
		put(o, "a large run of %u page%s (%u KiB)", ev->pages,
		    plural(ev->pages), ev->pages * 4);
	}
}

static void
say_pages_free(struct out *o, const struct zmm_event *ev)
{
	put_chunk_pages(o, ev->chunk, ev->page, ev->pages);
	put(o, " marked free in free_map, map[%d] = 0", ev->page);
	if (ev->pages > 1)
		put(o, " (only the first page's word is cleared)");
}

static void
say_run_carve(struct out *o, const struct zmm_event *ev)
{
	put_bin(o, ev->bin);
	put(o, " gets a fresh run: ");
	put_pages(o, ev->page, ev->pages);
	put(o, " of ");
	put_chunk(o, ev->chunk);
	put(o, " cut into %zu slot%s; the first is returned, the rest are "
	    "listed in address order", ev->count, plural(ev->count));
}

static void
say_slot(struct out *o, const struct zmm_event *ev, bool push)
{
	put(o, "slot ");
	put_loc(o, &ev->loc);
	put(o, push ? " pushed on " : " popped from ");
	put_list(o, ev->bin);
	if (push && ev->bin >= 0 && ev->bin < ZMM_BINS)
		put(o, ": lists are LIFO, the next %u-byte alloc takes it back",
		    zmm_bin_size(ev->bin));
}

static void
say_large_resize(struct out *o, const struct zmm_event *ev)
{
	size_t old = ev->count;

	put(o, "the large run at ");
	put_chunk(o, ev->chunk);
	put(o, " page %d ", ev->page);
	if (ev->pages < old && old - ev->pages == 1)
		put(o, "shrinks in place from %zu to %u page%s: its last page "
		    "becomes free, free_tail is not updated", old, ev->pages,
		    plural(ev->pages));
	else if (ev->pages < old)
		put(o, "shrinks in place from %zu to %u page%s: its last %zu "
		    "become free, free_tail is not updated", old, ev->pages,
		    plural(ev->pages), old - ev->pages);
	else if (ev->pages > old)
		put(o, "grows in place from %zu to %u pages: the pages after "
		    "it were free, free_tail is not updated", old, ev->pages);
	else
		put(o, "keeps its %u page%s", ev->pages, plural(ev->pages));
}

static void
say_huge(struct out *o, const struct zmm_event *ev)
{
	switch (ev->type) {
	case ZMM_EV_HUGE_MAP:
		put(o, "%zu B is huge: ", ev->count);
		put_bytes(o, ev->size);
		put(o, " (whole pages) mapped for it alone, 2 MiB aligned and "
		    "outside every chunk; a 24-byte node in bin 2 lists it");
		break;
	case ZMM_EV_HUGE_UNMAP:
		put(o, "huge block ");
		put_loc(o, &ev->loc);
		put(o, " unmapped: its ");
		put_bytes(o, ev->size);
		put(o, " go back to storage");
		if (ev->why == ZMM_WHY_REQUEST_END)
			put(o, " at the end of the request");
		break;
	default:
		put(o, "huge block resized in place from ");
		put_bytes(o, ev->count);
		put(o, " to ");
		put_bytes(o, ev->size);
		if (ev->size < ev->count)
			put(o, ": the mapping's tail is unmapped");
		else
			put(o, ": storage extended the mapping where it lies");
		break;
	}
}

static void
say_realloc_path(struct out *o, const struct zmm_event *ev)
{
	int bin = ev->size <= ZMM_MAX_SMALL_SIZE ?
	    zmm_size_to_bin(ev->size) : -1;
	size_t pages = pages_of(ev->size);

	if (ev->why == ZMM_WHY_FROM_NULL) {
		put(o, "realloc of NULL to %zu B: an ordinary allocation",
		    ev->size);
		return;
	}
	put(o, "realloc ");
	put_loc(o, &ev->loc);
	put(o, " to %zu B: ", ev->size);
	switch (ev->why) {
	case ZMM_WHY_SMALL_SAME:
		put(o, "the slot still fits and no smaller bin does: it stays "
		    "in place");
		break;
	case ZMM_WHY_SMALL_SHRINK:
		put(o, "a smaller bin fits: moved to a slot of ");
		put_bin(o, bin);
		put(o, ", the old slot freed");
		break;
	case ZMM_WHY_SMALL_GROW:
		put(o, "the slot is too small: moved to a slot of ");
		put_bin(o, bin);
		put(o, ", the old slot freed");
		break;
	case ZMM_WHY_LARGE_SAME:
		put(o, "still %zu page%s: the run stays in place", pages,
		    plural(pages));
		break;
	case ZMM_WHY_LARGE_SHRINK:
		put(o, "%zu page%s are enough: the run shrinks in place", pages,
		    plural(pages));
		break;
	case ZMM_WHY_LARGE_GROW:
		put(o, "%zu pages, and the pages after the run are free: it "
		    "grows in place", pages);
		break;
	case ZMM_WHY_HUGE_SAME:
		put(o, "the same whole pages: the block stays in place");
		break;
	case ZMM_WHY_HUGE_SHRINK:
		put(o, "fewer pages: the mapping is truncated in place");
		break;
	case ZMM_WHY_HUGE_GROW:
		put(o, "more pages: the mapping is extended in place");
		break;
	case ZMM_WHY_GENERAL:
		put(o, "no in-place path fits: allocate a new block, copy, "
		    "free the old one");
		break;
	default:
		put(o, "a realloc path");
		break;
	}
}

static void
say_gc(struct out *o, const struct zmm_event *ev)
{
	switch (ev->type) {
	case ZMM_EV_GC_BEGIN:
		put(o, "gc starts: it counts the free slots of every small "
		    "run, to give back the runs whose slots are all free");
		break;
	case ZMM_EV_GC_SLOTS:
		put(o, "gc unlinks %zu slot%s from ", ev->count,
		    plural(ev->count));
		put_list(o, ev->bin);
		put(o, ": they lie in runs whose slots are all free");
		break;
	case ZMM_EV_GC_RUN_FREE:
		put(o, "gc gives back the run of ");
		put_bin(o, ev->bin);
		put(o, " at ");
		put_chunk_pages(o, ev->chunk, ev->page, ev->pages);
		put(o, ": all its slots are free");
		break;
	case ZMM_EV_GC_MAIN_KEPT:
		put(o, "main chunk ");
		put_chunk(o, ev->chunk);
		put(o, " has no used page left: PHP 8.2 would now delete the "
		    "main chunk and corrupt its heap; the model keeps it");
		break;
	default:
		if (ev->size == 0) {
			put(o, "gc done: no page given back");
		} else {
			put(o, "gc done: ");
			put_bytes(o, ev->size);
			put(o, " of small-run pages given back");
		}
		break;
	}
}

static void
say_reset(struct out *o, const struct zmm_event *ev)
{
	put(o, "end of request: huge blocks unmapped, the main chunk emptied, "
	    "the other chunks cached and the cache trimmed to the average "
	    "demand; %zu chunk%s stay%s cached", ev->count, plural(ev->count),
	    ev->count == 1 ? "s" : "");
}

static void
say_limit_set(struct out *o, const struct zmm_event *ev)
{
	put(o, "memory limit ");
	put_bytes(o, ev->size);
	switch (ev->why) {
	case ZMM_WHY_SET:
		put(o, " set");
		break;
	case ZMM_WHY_TRIMMED:
		put(o, " is below real_size: cached chunks went back to "
		    "storage to make room, and PHP 8.2.0-8.2.34 then keep the "
		    "old limit");
		break;
	case ZMM_WHY_REFUSED:
		put(o, " refused");
		put_quoted(o, ev->text);
		break;
	default:
		put(o, " asked for");
		break;
	}
}

static void
say_error(struct out *o, const struct zmm_event *ev)
{
	switch (ev->why) {
	case ZMM_WHY_LIMIT:
		put(o, "refused, the memory limit is reached");
		break;
	case ZMM_WHY_OVERFLOW:
		put(o, "refused, the size overflows");
		break;
	case ZMM_WHY_NOMEM:
		put(o, "refused, storage is out of memory");
		break;
	default:
		put(o, "refused");
		break;
	}
	put_quoted(o, ev->text);
	put(o, "; no block is created");
}

size_t
describe_event(const struct zmm_event *event, char *buf, size_t len)
{
	struct out o;

	out_init(&o, buf, len);
	if (event == NULL)
		return out_done(&o);
	switch (event->type) {
	case ZMM_EV_OP_BEGIN:
		say_op_begin(&o, event);
		break;
	case ZMM_EV_OP_END:
		say_op_end(&o, event);
		break;
	case ZMM_EV_CHUNK_NEW:
		put(&o, "new chunk ");
		put_chunk(&o, event->chunk);
		put(&o, " mapped from storage (2 MiB): nothing in the ring "
		    "fits and the cache is empty; it joins the end of the "
		    "ring");
		break;
	case ZMM_EV_CHUNK_REUSE:
		put_chunk(&o, event->chunk);
		put(&o, " taken back from the chunk cache: no new mapping, no "
		    "limit check; it joins the end of the ring");
		break;
	case ZMM_EV_CHUNK_CACHE:
		say_chunk_cache(&o, event);
		break;
	case ZMM_EV_CHUNK_RELEASE:
		say_chunk_release(&o, event);
		break;
	case ZMM_EV_CHUNK_MOVE:
		put_chunk(&o, event->chunk);
		put(&o, " moves right after the main chunk: the search walked "
		    "past more than two chunks for a run under 8 pages");
		break;
	case ZMM_EV_FIT_SKIP:
		say_fit_skip(&o, event);
		break;
	case ZMM_EV_FIT_CANDIDATE:
		say_fit_candidate(&o, event);
		break;
	case ZMM_EV_FIT_PICK:
		say_fit_pick(&o, event);
		break;
	case ZMM_EV_PAGES_ALLOC:
		say_pages_alloc(&o, event);
		break;
	case ZMM_EV_PAGES_FREE:
		say_pages_free(&o, event);
		break;
	case ZMM_EV_RUN_CARVE:
		say_run_carve(&o, event);
		break;
	case ZMM_EV_SLOT_POP:
		say_slot(&o, event, false);
		break;
	case ZMM_EV_SLOT_PUSH:
		say_slot(&o, event, true);
		break;
	case ZMM_EV_LARGE_RESIZE:
		say_large_resize(&o, event);
		break;
	case ZMM_EV_HUGE_MAP:
	case ZMM_EV_HUGE_UNMAP:
	case ZMM_EV_HUGE_RESIZE:
		say_huge(&o, event);
		break;
	case ZMM_EV_REALLOC_PATH:
		say_realloc_path(&o, event);
		break;
	case ZMM_EV_GC_BEGIN:
	case ZMM_EV_GC_SLOTS:
	case ZMM_EV_GC_RUN_FREE:
	case ZMM_EV_GC_MAIN_KEPT:
	case ZMM_EV_GC_END:
		say_gc(&o, event);
		break;
	case ZMM_EV_RESET:
		say_reset(&o, event);
		break;
	case ZMM_EV_LIMIT_SET:
		say_limit_set(&o, event);
		break;
	case ZMM_EV_ERROR:
		say_error(&o, event);
		break;
	default:
		put(&o, "event %d", (int)event->type);
		break;
	}
	return out_done(&o);
}

/* ------------------------------------------------------------------
 *  Trace items
 * ------------------------------------------------------------------ */

/* TEXT of N bytes as a .zmt string: quoted, escaped, cut after STRDUP_SHOW. */
static void
put_escaped(struct out *o, const char *text, size_t n)
{
	size_t i, show = n > STRDUP_SHOW ? STRDUP_SHOW : n;
	unsigned char c;

	put_char(o, '"');
	for (i = 0; i < show; i++) {
		c = (unsigned char)text[i];
		if (c == '"')
			put(o, "\\\"");
		else if (c == '\\')
			put(o, "\\\\");
		else if (c == '\n')
			put(o, "\\n");
		else if (c == '\t')
			put(o, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			put(o, "\\x%02x", c);
		else
			put_char(o, (char)c);
	}
	if (show < n)
		put(o, "...");
	put_char(o, '"');
}

/* Directive text, control bytes shown as blanks (it goes to a terminal). */
static void
put_plain(struct out *o, const char *text, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)text[i];
		put_char(o, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
}

size_t
describe_item(const struct trace *trace, const struct trace_item *item,
    char *buf, size_t len)
{
	struct out o;
	const char *id = NULL, *text = NULL;
	size_t n = 0;

	out_init(&o, buf, len);
	if (trace == NULL || item == NULL)
		return out_done(&o);
	switch (item->kind) {
	case TRACE_ALLOC:
	case TRACE_FREE:
	case TRACE_REALLOC:
	case TRACE_CALLOC:
	case TRACE_STRDUP:
		id = trace_id_name(trace, item->id);
		if (id == NULL)
			id = "-";
		break;
	default:
		break;
	}
	text = trace_item_text(trace, item, &n);
	if (text == NULL)
		n = 0;
	switch (item->kind) {
	case TRACE_ALLOC:
		put(&o, "alloc %s %llu", id, (unsigned long long)item->size);
		break;
	case TRACE_FREE:
		put(&o, "free %s", id);
		break;
	case TRACE_REALLOC:
		put(&o, "realloc %s %llu", id, (unsigned long long)item->size);
		break;
	case TRACE_CALLOC:
		put(&o, "calloc %s %llu %llu", id,
		    (unsigned long long)item->count,
		    (unsigned long long)item->size);
		break;
	case TRACE_STRDUP:
		put(&o, "strdup %s ", id);
		put_escaped(&o, text != NULL ? text : "", n);
		break;
	case TRACE_GC:
		put(&o, "gc");
		break;
	case TRACE_RESET:
		put(&o, "reset");
		break;
	case TRACE_FREE_NULL:
		put(&o, "f -1");
		break;
	case TRACE_BAD:
		put(&o, "(error) ");
		put_plain(&o, text != NULL ? text : "", n);
		break;
	case TRACE_TITLE:
		put(&o, "@title ");
		put_plain(&o, text != NULL ? text : "", n);
		break;
	case TRACE_CAPTION:
		put(&o, "@caption ");
		put_plain(&o, text != NULL ? text : "", n);
		break;
	case TRACE_PAUSE:
		put(&o, "@pause");
		break;
	case TRACE_MARK:
		put(&o, "@mark ");
		put_plain(&o, text != NULL ? text : "", n);
		break;
	case TRACE_LIMIT:
		put(&o, "@limit %llu", (unsigned long long)item->size);
		break;
	default:
		put(&o, "(item of kind %d)", (int)item->kind);
		break;
	}
	return out_done(&o);
}
