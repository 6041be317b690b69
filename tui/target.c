/*
 * target.c - trace IDs and heap locations the user names.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

/* The index of ID NAME in TRACE, or -1 (a linear walk: done once a search). */
static long
find_id(const struct trace *trace, const char *name)
{
	uint32_t i, n = trace_id_count(trace);

	for (i = 0; i < n; i++) {
		const char *s = trace_id_name(trace, i);

		if (s != NULL && strcmp(s, name) == 0)
			return (long)i;
	}
	return -1;
}

/* Reads an unsigned number of BASE at *P; false if none or too big. */
static bool
number(const char **p, int base, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isxdigit((unsigned char)**p))
		return false;	/* strtoul would take a sign or blanks */
	errno = 0;
	v = strtoul(*p, &end, base);
	if (end == *p || errno != 0 || v > max)
		return false;
	*p = end;
	*out = v;
	return true;
}

static int
parse_place(const char *text, struct target *t)
{
	const char *p = text;
	unsigned long serial, v;

	if (*p != 'c')
		return -1;
	p++;
	if (!number(&p, 10, UINT32_MAX, &serial))
		return -1;
	t->chunk = (uint32_t)serial;
	if (*p == '\0') {
		t->kind = TARGET_CHUNK;
		return 0;
	}
	if (*p == ':') {
		p++;
		if (!number(&p, 10, ZMM_PAGES - 1, &v) || *p != '\0')
			return -1;
		t->kind = TARGET_PAGE;
		t->page = (unsigned)v;
		return 0;
	}
	if (p[0] == '+' && p[1] == '0' && (p[2] == 'x' || p[2] == 'X')) {
		p += 3;
		if (!number(&p, 16, ZMM_CHUNK_SIZE - 1, &v) || *p != '\0')
			return -1;
		t->kind = TARGET_OFFSET;
		t->offset = (uint32_t)v;
		t->page = (unsigned)(v / ZMM_PAGE_SIZE);
		return 0;
	}
	return -1;
}

int
target_parse(const struct trace *trace, const char *text, struct target *out,
    char *err, size_t errlen)
{
	long id;

	memset(out, 0, sizeof(*out));
	snprintf(out->text, sizeof(out->text), "%s", text);
	if (text[0] == '\0') {
		snprintf(err, errlen, "give an ID or a location "
		    "(c0+0x1040, c0:5, c0)");
		return -1;
	}
	if ((id = find_id(trace, text)) >= 0) {
		out->kind = TARGET_ID;
		out->id = (uint32_t)id;
		return 0;
	}
	if (parse_place(text, out) == 0)
		return 0;
	snprintf(err, errlen, "'%.60s' is no ID of the trace and no location "
	    "(c0+0x1040, c0:5, c0)", text);
	return -1;
}

bool
target_is_place(const struct target *t)
{
	return t->kind != TARGET_ID;
}

bool
target_item(const struct target *t, const struct trace_item *it)
{
	return t->kind == TARGET_ID && trace_kind_has_id(it->kind) &&
	    it->id == t->id;
}

bool
target_event(const struct target *t, const struct zmm_event *ev)
{
	unsigned fields = zmm_event_fields(ev->type);
	bool at_loc, in_run;

	if (t->kind == TARGET_ID || ev->type == ZMM_EV_FIT_CANDIDATE ||
	    ev->type == ZMM_EV_FIT_SKIP)
		return false;
	at_loc = (fields & ZMM_F_LOC) && ev->loc.kind == ZMM_LOC_CHUNK &&
	    ev->loc.chunk == t->chunk;
	in_run = (fields & ZMM_F_CHUNK) && ev->chunk >= 0 &&
	    (uint32_t)ev->chunk == t->chunk;
	switch (t->kind) {
	case TARGET_CHUNK:
		return at_loc || in_run;
	case TARGET_OFFSET:
		if (at_loc && ev->loc.offset == t->offset)
			return true;
		break;
	case TARGET_PAGE:
		if (at_loc && ev->loc.offset / ZMM_PAGE_SIZE == t->page)
			return true;
		break;
	default:
		return false;
	}
	/* a run covering the page */
	return in_run && (fields & ZMM_F_PAGE) && ev->page >= 0 &&
	    t->page >= (unsigned)ev->page &&
	    t->page < (unsigned)ev->page + (ev->pages ? ev->pages : 1);
}
