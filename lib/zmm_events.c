/*
 * zmm_events.c - the listener registry and the event helpers of the core.
 *
 * Listeners sit in a few fixed slots of the heap, so notifying never
 * allocates.  The core calls the zmm__ev_* helpers only behind
 * `heap->observed`, so an unobserved heap pays one branch per site.  While a
 * listener runs, `heap->dispatching` is set: listeners only read.
 */
#include "config.h"

#include <stdio.h>

#include "zmm_internal.h"

static const char *const event_names[] = {
#define X(name, json, fields) json,
	ZMM_EVENT_LIST(X)
#undef X
};

static const unsigned event_fields[] = {
#define X(name, json, fields) (fields),
	ZMM_EVENT_LIST(X)
#undef X
};

static const char *const why_names[] = {
#define X(name, json) json,
	ZMM_WHY_LIST(X)
#undef X
};

/* Every listener in slot order; one that is removed meanwhile is skipped. */
static void
fan_out(const struct zmm_event *event, void *arg)
{
	struct zmm_heap *heap = arg;
	int i;

	for (i = 0; i < heap->listeners_top; i++) {
		zmm_event_fn *fn = heap->listeners[i].fn;

		if (fn != NULL)
			fn(event, heap->listeners[i].arg);
	}
}

/* Recomputes `observed` and where zmm__emit() sends events. */
static void
update_observed(struct zmm_heap *heap)
{
	int i, count = 0, last = -1;

	heap->listeners_top = 0;
	for (i = 0; i < ZMM_LISTENERS_MAX; i++)
		if (heap->listeners[i].fn != NULL) {
			count++;
			last = i;
			heap->listeners_top = i + 1;
		}
	if (count == 1 && !heap->dispatching) {
		heap->target = heap->listeners[last];
	} else {
		/* during a dispatch too: the loop sees removals at once */
		heap->target.fn = fan_out;
		heap->target.arg = heap;
	}
	heap->observed = count > 0 && !heap->muted;
	zmm__event_init(&heap->slot_event, ZMM_EV_SLOT_POP);
	heap->slot_event.loc.kind = ZMM_LOC_CHUNK;
}

/* Adds a listener in the first free slot. */
int
zmm_heap_listen(struct zmm_heap *heap, zmm_event_fn *fn, void *arg)
{
	int i;

	for (i = 0; i < ZMM_LISTENERS_MAX; i++) {
		if (heap->listeners[i].fn == NULL) {
			heap->listeners[i].fn = fn;
			heap->listeners[i].arg = arg;
			update_observed(heap);
			return i;
		}
	}
	return -1;
}

/* Removes a listener; the dispatch loop skips an emptied slot. */
void
zmm_heap_unlisten(struct zmm_heap *heap, int id)
{
	if (id < 0 || id >= ZMM_LISTENERS_MAX)
		return;
	heap->listeners[id].fn = NULL;
	heap->listeners[id].arg = NULL;
	update_observed(heap);
}

/* Mutes or restores every listener (seeking replays ops silently). */
void
zmm_heap_mute(struct zmm_heap *heap, bool muted)
{
	heap->muted = muted;
	update_observed(heap);
}

/* Public entry for events made outside the core (the replay's op events). */
void
zmm_heap_emit(struct zmm_heap *heap, struct zmm_event *event)
{
	if (heap->observed)
		zmm__emit(heap, event);
}

/* An event with no field set (the public face of zmm__event_init). */
void
zmm_event_init(struct zmm_event *event, enum zmm_event_type type)
{
	zmm__event_init(event, type);
}

/* An event about a whole chunk. */
void
zmm__ev_chunk(struct zmm_heap *heap, enum zmm_event_type type,
    const struct zmm_chunk *chunk, enum zmm_why why)
{
	struct zmm_event ev;

	zmm__event_init(&ev, type);
	ev.chunk = (int)chunk->serial;
	ev.why = why;
	zmm__emit(heap, &ev);
}

/*
 * An event about one slot of a bin, the hottest site: it reuses an event
 * kept in the heap whose other fields never change, so only four are
 * written and no stack frame is built.
 */
void
zmm__ev_slot(struct zmm_heap *heap, enum zmm_event_type type, int bin,
    const void *slot)
{
	struct zmm_event *ev = &heap->slot_event;

	ev->type = type;
	ev->bin = bin;
	ev->loc.chunk = zmm__chunk_of(slot)->serial;
	ev->loc.offset = (uint32_t)zmm__chunk_offset(slot);
	zmm__emit(heap, ev);
}

/* An event about a block (huge blocks, realloc paths). */
void
zmm__ev_block(struct zmm_heap *heap, enum zmm_event_type type,
    const void *ptr, size_t size, size_t count, enum zmm_why why)
{
	struct zmm_event ev;

	zmm__event_init(&ev, type);
	if (type == ZMM_EV_HUGE_MAP || type == ZMM_EV_HUGE_UNMAP ||
	    type == ZMM_EV_HUGE_RESIZE) {
		/* the node may already be gone: name the block by its size */
		ev.loc.kind = ZMM_LOC_HUGE;
		ev.loc.size = size;
	} else if (ptr != NULL && zmm__chunk_offset(ptr) != 0) {
		/*
		 * A block inside one of this heap's chunks: filled in place,
		 * as copying zmm_heap_loc()'s returned struct stalls on
		 * store forwarding.
		 */
		ev.loc.kind = ZMM_LOC_CHUNK;
		ev.loc.chunk = zmm__chunk_of(ptr)->serial;
		ev.loc.offset = (uint32_t)zmm__chunk_offset(ptr);
	} else if (ptr != NULL) {
		ev.loc = zmm_heap_loc(heap, ptr);
	}
	ev.size = size;
	ev.count = count;
	ev.why = why;
	zmm__emit(heap, &ev);
}

const char *
zmm_event_name(enum zmm_event_type type)
{
	if ((unsigned)type >= ZMM_EV_COUNT)
		return "?";
	return event_names[type];
}

unsigned
zmm_event_fields(enum zmm_event_type type)
{
	if ((unsigned)type >= ZMM_EV_COUNT)
		return 0;
	return event_fields[type];
}

const char *
zmm_why_name(enum zmm_why why)
{
	if ((unsigned)why >= ZMM_WHY_COUNT)
		return "?";
	return why_names[why];
}

/* Appends TEXT to BUF as a JSON string body (quotes and escapes). */
static size_t
json_string(char *buf, size_t len, size_t at, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)text;
	char tmp[8];

	for (; *p != '\0'; p++) {
		const char *piece = tmp;
		size_t n, k;

		if (*p == '"' || *p == '\\') {
			tmp[0] = '\\';
			tmp[1] = (char)*p;
			n = 2;
		} else if (*p < 0x20) {
			memcpy(tmp, "\\u00", 4);
			tmp[4] = hex[*p >> 4];
			tmp[5] = hex[*p & 15];
			n = 6;
		} else {
			tmp[0] = (char)*p;
			n = 1;
		}
		for (k = 0; k < n; k++, at++)
			if (at + 1 < len)
				buf[at] = piece[k];
	}
	return at;
}

/* The event as one JSON object; fields in a fixed order. */
int
zmm_event_to_json(const struct zmm_event *ev, char *buf, size_t len)
{
	unsigned f = zmm_event_fields(ev->type);
	char loc[ZMM_LOC_BUFSIZE];
	size_t at = 0;
	int n;

#define PUT(...) do {							\
	n = snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, \
	    __VA_ARGS__);						\
	if (n > 0)							\
		at += (size_t)n;					\
} while (0)
	if (len > 0)
		buf[0] = '\0';
	PUT("{\"op\":%lu,\"ev\":\"%s\"", ev->op, zmm_event_name(ev->type));
	if ((f & ZMM_F_CHUNK) && ev->chunk >= 0)
		PUT(",\"chunk\":\"c%d\"", ev->chunk);
	if ((f & ZMM_F_PAGE) && ev->page >= 0)
		PUT(",\"page\":%d", ev->page);
	if (f & ZMM_F_PAGES)
		PUT(",\"pages\":%u", ev->pages);
	if ((f & ZMM_F_BIN) && ev->bin >= 0)
		PUT(",\"bin\":%d", ev->bin);
	if ((f & ZMM_F_LOC) && ev->loc.kind != ZMM_LOC_NONE) {
		zmm_loc_format(&ev->loc, loc, sizeof(loc));
		PUT(",\"loc\":\"%s\"", loc);
	}
	if (f & ZMM_F_SIZE)
		PUT(",\"size\":%zu", ev->size);
	if (f & ZMM_F_COUNT)
		PUT(",\"count\":%zu", ev->count);
	if ((f & ZMM_F_WHY) && ev->why != ZMM_WHY_NONE)
		PUT(",\"why\":\"%s\"", zmm_why_name(ev->why));
	if ((f & ZMM_F_TEXT) && ev->text != NULL) {
		PUT(",\"text\":\"");
		at = json_string(buf, len, at, ev->text);
		if (at < len)
			buf[at] = '\0';
		PUT("\"");
	}
	PUT("}");
#undef PUT
	if (len > 0)
		buf[at < len ? at : len - 1] = '\0';
	return (int)at;
}
