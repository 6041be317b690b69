/*
 * helpers.c - fixtures shared by the unit suites: heaps, locations, ring
 * and cache listings, and an event recorder that keeps one JSON line per
 * event (the libvterm way: compare a log of callbacks with the expected
 * text).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "trace.h"

struct zmm_heap *
zt_heap_new(void)
{
	int status;
	struct zmm_heap *heap = zmm_heap_new(NULL, NULL, &status);

	ck_assert_msg(heap != NULL, "zmm_heap_new: %s", zmm_strerror(status));
	return heap;
}

const char *
zt_loc(const struct zmm_heap *heap, const void *ptr)
{
	static char buf[ZMM_LOC_BUFSIZE];
	struct zmm_loc loc = zmm_heap_loc(heap, ptr);

	zmm_loc_format(&loc, buf, sizeof(buf));
	return buf;
}

unsigned
zt_offset(const struct zmm_heap *heap, const void *ptr)
{
	struct zmm_loc loc = zmm_heap_loc(heap, ptr);

	ck_assert_msg(loc.kind == ZMM_LOC_CHUNK, "%p is not in a chunk", ptr);
	return loc.offset;
}

void
zt_assert_heap_ok(const struct zmm_heap *heap)
{
	char msg[256];

	ck_assert_msg(zmm_heap_check(heap, SIZE_MAX, msg, sizeof(msg)) == 0,
	    "heap check: %s", msg);
}

void *
zt_alloc_ok(struct zmm_heap *heap, size_t size)
{
	void *ptr = NULL;
	int rc = zmm_heap_alloc(heap, size, &ptr);

	ck_assert_msg(rc == ZMM_OK, "alloc %zu: %s (%s)", size,
	    zmm_strerror(rc), zmm_heap_last_error(heap));
	ck_assert_ptr_nonnull(ptr);
	zt_assert_heap_ok(heap);
	return ptr;
}

void *
zt_realloc_ok(struct zmm_heap *heap, void *ptr, size_t size)
{
	void *ret = NULL;
	int rc = zmm_heap_realloc(heap, ptr, size, &ret);

	ck_assert_msg(rc == ZMM_OK, "realloc %p %zu: %s", ptr, size,
	    zmm_strerror(rc));
	zt_assert_heap_ok(heap);
	return ret;
}

void
zt_free_ok(struct zmm_heap *heap, void *ptr)
{
	int rc = zmm_heap_free(heap, ptr);

	ck_assert_msg(rc == ZMM_OK, "free %p: %s", ptr, zmm_strerror(rc));
	zt_assert_heap_ok(heap);
}

struct zmm_stats
zt_stats(const struct zmm_heap *heap)
{
	struct zmm_stats st;

	zmm_heap_stats(heap, &st);
	return st;
}

void
zt_assert_sizes(const struct zmm_heap *heap, size_t size, size_t peak,
    size_t real_size, size_t real_peak)
{
	struct zmm_stats st = zt_stats(heap);

	ck_assert_uint_eq(st.size, size);
	ck_assert_uint_eq(st.peak, peak);
	ck_assert_uint_eq(st.real_size, real_size);
	ck_assert_uint_eq(st.real_peak, real_peak);
}

const char *
zt_bin_list(const struct zmm_heap *heap, int bin, int n)
{
	static char buf[2048];
	const void *p;
	size_t at = 0;

	buf[0] = '\0';
	for (p = zmm_heap_bin_head(heap, bin); p != NULL && n > 0;
	    p = zmm_slot_next(p), n--)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s",
		    at ? " " : "", zt_loc(heap, p));
	return buf;
}

const struct zmm_chunk *
zt_chunk(const struct zmm_heap *heap, unsigned serial)
{
	const struct zmm_chunk *c;
	struct zmm_chunk_info info;

	for (c = zmm_heap_chunk_first(heap); c != NULL;
	    c = zmm_heap_chunk_next(heap, c)) {
		zmm_chunk_info(c, &info);
		if (info.serial == serial)
			return c;
	}
	for (c = zmm_heap_cached_first(heap); c != NULL;
	    c = zmm_heap_cached_next(c)) {
		zmm_chunk_info(c, &info);
		if (info.serial == serial)
			return c;
	}
	return NULL;
}

struct zmm_chunk_info
zt_chunk_info(const struct zmm_heap *heap, unsigned serial)
{
	struct zmm_chunk_info info;
	const struct zmm_chunk *c = zt_chunk(heap, serial);

	ck_assert_msg(c != NULL, "no chunk c%u", serial);
	zmm_chunk_info(c, &info);
	return info;
}

uint32_t
zt_map_word(const struct zmm_heap *heap, unsigned serial, unsigned page)
{
	return zt_chunk_info(heap, serial).map[page];
}

const char *
zt_map_words(const struct zmm_heap *heap, unsigned serial)
{
	static char buf[4096];
	struct zmm_chunk_info info = zt_chunk_info(heap, serial);
	size_t at = 0;
	unsigned p;

	buf[0] = '\0';
	for (p = 0; p < ZMM_PAGES; p++)
		if (info.map[p] != 0)
			at += (size_t)snprintf(buf + at, sizeof(buf) - at,
			    "%s%u:0x%08x", at ? " " : "", p, info.map[p]);
	return buf;
}

static const char *
list_serials(const struct zmm_chunk *c, const struct zmm_heap *heap, int ring)
{
	static char buf[1024];
	struct zmm_chunk_info info;
	size_t at = 0;

	buf[0] = '\0';
	for (; c != NULL && at < sizeof(buf) - 16;
	    c = ring ? zmm_heap_chunk_next(heap, c) : zmm_heap_cached_next(c)) {
		zmm_chunk_info(c, &info);
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%sc%u",
		    at ? " " : "", info.serial);
	}
	return buf;
}

const char *
zt_ring(const struct zmm_heap *heap)
{
	return list_serials(zmm_heap_chunk_first(heap), heap, 1);
}

const char *
zt_cache(const struct zmm_heap *heap)
{
	return list_serials(zmm_heap_cached_first(heap), heap, 0);
}

void
zt_recorder_event(const struct zmm_event *event, void *arg)
{
	struct zt_recorder *rec = arg;
	char line[1024];
	int n = zmm_event_to_json(event, line, sizeof(line));

	ck_assert_int_lt(n, (int)sizeof(line) - 1);
	while (rec->len + (size_t)n + 2 > rec->cap) {
		rec->cap = rec->cap ? rec->cap * 2 : 4096;
		rec->text = realloc(rec->text, rec->cap);
		ck_assert_ptr_nonnull(rec->text);
	}
	memcpy(rec->text + rec->len, line, (size_t)n);
	rec->len += (size_t)n;
	rec->text[rec->len++] = '\n';
	rec->text[rec->len] = '\0';
}

void
zt_recorder_listen(struct zmm_heap *heap, struct zt_recorder *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->cap = 4096;
	rec->text = calloc(1, rec->cap);
	ck_assert_ptr_nonnull(rec->text);
	ck_assert_int_ge(zmm_heap_listen(heap, zt_recorder_event, rec), 0);
}

void
zt_recorder_clear(struct zt_recorder *rec)
{
	rec->len = 0;
	rec->text[0] = '\0';
}

void
zt_recorder_free(struct zt_recorder *rec)
{
	free(rec->text);
	rec->text = NULL;
}

struct trace *
zt_trace_load(const char *name, const char *text, size_t len)
{
	struct trace *t = NULL;
	struct trace_error err;

	memset(&err, 0, sizeof(err));
	ck_assert_msg(trace_load_mem(name, text, len, &t, &err) == 0,
	    "load failed: %s:%lu: %s", err.file, err.line, err.msg);
	ck_assert_ptr_nonnull(t);
	return t;
}

/*
 * The trace gives items by value; a test compares a few at a time, so
 * they are decoded into a ring of ZT_ITEMS.
 */
const struct trace_item *
zt_item(const struct trace *trace, size_t i)
{
	static struct trace_item ring[ZT_ITEMS];
	static unsigned next;
	struct trace_item *it = &ring[next++ % ZT_ITEMS];

	ck_assert_uint_lt(i, trace_item_count(trace));
	trace_item_get(trace, i, it);
	return it;
}

void
zt_assert_bad(const struct trace *trace, size_t i, uint32_t line,
    uint64_t opno, const char *msg)
{
	const struct trace_item *it = zt_item(trace, i);

	ck_assert_msg(it->kind == TRACE_BAD, "item %zu: kind %d, not BAD",
	    i, it->kind);
	ck_assert_uint_eq(it->line, line);
	ck_assert_uint_eq(it->opno, opno);
	ck_assert_str_eq(trace_item_text(trace, it, NULL), msg);
}
