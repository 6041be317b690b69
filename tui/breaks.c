/*
 * breaks.c - breakpoints on event kinds, IDs and locations.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "breaks.h"
#include "describe.h"

static const char *const kind_text[] = {
#define X(name, text) text,
	BREAKS_KIND_LIST(X)
#undef X
};

void
breaks_init(struct breaks *b)
{
	memset(b, 0, sizeof(*b));
}

bool
breaks_any(const struct breaks *b)
{
	size_t i;

	for (i = 0; i < BREAK_KINDS; i++)
		if (b->kind_on[i])
			return true;
	for (i = 0; i < b->ntargets; i++)
		if (b->target_on[i])
			return true;
	return false;
}

size_t
breaks_rows(const struct breaks *b)
{
	return BREAK_KINDS + b->ntargets;
}

void
breaks_row_text(const struct breaks *b, size_t row, char *buf, size_t len)
{
	const struct target *t;

	if (row < BREAK_KINDS) {
		snprintf(buf, len, "[%c] %s", b->kind_on[row] ? 'x' : ' ',
		    kind_text[row]);
		return;
	}
	row -= BREAK_KINDS;
	if (row >= b->ntargets) {
		buf[0] = '\0';
		return;
	}
	t = &b->target[row];
	snprintf(buf, len, "[%c] %s %s", b->target_on[row] ? 'x' : ' ',
	    t->kind == TARGET_ID ? "ID" : "location", t->text);
}

bool
breaks_toggle(struct breaks *b, size_t row)
{
	if (row < BREAK_KINDS)
		return b->kind_on[row] = !b->kind_on[row];
	row -= BREAK_KINDS;
	if (row >= b->ntargets)
		return false;
	return b->target_on[row] = !b->target_on[row];
}

int
breaks_add(struct breaks *b, const struct target *t)
{
	if (b->ntargets == BREAKS_TARGETS_MAX)
		return -1;
	b->target[b->ntargets] = *t;
	b->target_on[b->ntargets] = true;
	b->ntargets++;
	return 0;
}

bool
breaks_delete(struct breaks *b, size_t row)
{
	size_t i;

	if (row < BREAK_KINDS || row - BREAK_KINDS >= b->ntargets)
		return false;
	for (i = row - BREAK_KINDS; i + 1 < b->ntargets; i++) {
		b->target[i] = b->target[i + 1];
		b->target_on[i] = b->target_on[i + 1];
	}
	b->ntargets--;
	return true;
}

void
breaks_item(const struct breaks *b, const struct trace *trace,
    const struct trace_item *it, struct break_hit *hit)
{
	char op[128];
	size_t i;

	if (hit->fired)
		return;
	for (i = 0; i < b->ntargets; i++) {
		if (!b->target_on[i] || !target_item(&b->target[i], it))
			continue;
		describe_item(trace, it, op, sizeof(op));
		hit->fired = true;
		hit->row = BREAK_KINDS + i;
		/* cut to fit: the ID, then as much of the op as there is */
		snprintf(hit->what, sizeof(hit->what), "ID %.40s: %.150s",
		    b->target[i].text, op);
		return;
	}
}

/* Whether EV is one of kind KIND; its words into WHAT. */
static bool
kind_fires(enum break_kind kind, const struct zmm_heap *heap,
    const struct zmm_event *ev, char *what, size_t len)
{
	char loc[ZMM_LOC_BUFSIZE];

	switch (kind) {
	case BREAK_CHUNK_TAKEN:
		if (ev->type != ZMM_EV_CHUNK_NEW &&
		    ev->type != ZMM_EV_CHUNK_REUSE)
			return false;
		snprintf(what, len, "new chunk taken: c%d %s", ev->chunk,
		    ev->type == ZMM_EV_CHUNK_NEW ? "mapped from storage" :
		    "from the cache");
		return true;
	case BREAK_CHUNK_RELEASED:
		if (ev->type != ZMM_EV_CHUNK_CACHE &&
		    ev->type != ZMM_EV_CHUNK_RELEASE)
			return false;
		snprintf(what, len, "chunk released: c%d %s (%s)", ev->chunk,
		    ev->type == ZMM_EV_CHUNK_CACHE ? "to the cache" :
		    "back to storage", zmm_why_name(ev->why));
		return true;
	case BREAK_NO_ROOM:
		if (ev->type != ZMM_EV_FIT_PICK || ev->why != ZMM_WHY_NEW_CHUNK)
			return false;
		snprintf(what, len, "best fit found no room: %u pages on new "
		    "chunk c%d", ev->pages, ev->chunk);
		return true;
	case BREAK_BIN_EMPTIED:
		if ((ev->type != ZMM_EV_SLOT_POP && (ev->type !=
		    ZMM_EV_GC_SLOTS || ev->count == 0)) || ev->bin < 0 ||
		    ev->bin >= ZMM_BINS ||
		    zmm_heap_bin_head(heap, ev->bin) != NULL)
			return false;
		snprintf(what, len, "bin list emptied: free_slot[%d] (%u B) "
		    "%s", ev->bin, zmm_bin_size(ev->bin),
		    ev->type == ZMM_EV_SLOT_POP ? "gave its last slot" :
		    "lost its slots to gc");
		return true;
	case BREAK_HUGE:
		if (ev->type != ZMM_EV_HUGE_MAP &&
		    ev->type != ZMM_EV_HUGE_UNMAP &&
		    ev->type != ZMM_EV_HUGE_RESIZE)
			return false;
		zmm_loc_format(&ev->loc, loc, sizeof(loc));
		snprintf(what, len, "huge block: %s %s", loc,
		    ev->type == ZMM_EV_HUGE_MAP ? "mapped" :
		    ev->type == ZMM_EV_HUGE_UNMAP ? "unmapped" : "resized");
		return true;
	case BREAK_LIMIT:
		if (ev->type != ZMM_EV_ERROR || ev->why != ZMM_WHY_LIMIT)
			return false;
		snprintf(what, len, "memory limit error: %s",
		    ev->text ? ev->text : "");
		return true;
	default:
		return false;
	}
}

void
breaks_event(const struct breaks *b, const struct zmm_heap *heap,
    const struct zmm_event *ev, struct break_hit *hit)
{
	char sentence[160];
	size_t i;

	if (hit->fired)
		return;
	for (i = 0; i < BREAK_KINDS; i++) {
		if (b->kind_on[i] && kind_fires((enum break_kind)i, heap, ev,
		    hit->what, sizeof(hit->what))) {
			hit->fired = true;
			hit->row = i;
			return;
		}
	}
	for (i = 0; i < b->ntargets; i++) {
		if (!b->target_on[i] || !target_event(&b->target[i], ev))
			continue;
		describe_event(ev, sentence, sizeof(sentence));
		hit->fired = true;
		hit->row = BREAK_KINDS + i;
		snprintf(hit->what, sizeof(hit->what), "location %.40s: %.140s",
		    b->target[i].text, sentence);
		return;
	}
}
