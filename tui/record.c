/*
 * record.c - the op under way as the viewer highlights it, and the log.
 */
#include "config.h"

#include <string.h>

#include "describe.h"
#include "record.h"

void
record_clear(struct record *rec)
{
	rec->ntouched = 0;
	rec->nslots = 0;
	rec->nfit = 0;
	rec->fit_more = false;
	memset(rec->bin_touched, 0, sizeof(rec->bin_touched));
	rec->log_count = 0;
}

static void
touch(struct record *rec, int chunk, unsigned page, unsigned pages)
{
	struct record_run *t;

	if (rec->ntouched == RECORD_TOUCH_MAX || chunk < 0)
		return;
	t = &rec->touched[rec->ntouched++];
	t->chunk = chunk;
	t->page = page;
	t->pages = pages ? pages : 1;
}

void
record_event(struct record *rec, const struct zmm_event *ev)
{
	struct record_fit *f;
	size_t slot;

	if (ev->type == ZMM_EV_OP_BEGIN) {
		rec->ntouched = 0;
		rec->nslots = 0;
		rec->nfit = 0;
		rec->fit_more = false;
		memset(rec->bin_touched, 0, sizeof(rec->bin_touched));
	}
	switch (ev->type) {
	case ZMM_EV_PAGES_ALLOC:
	case ZMM_EV_PAGES_FREE:
	case ZMM_EV_RUN_CARVE:
	case ZMM_EV_LARGE_RESIZE:
	case ZMM_EV_GC_RUN_FREE:
		if (ev->page >= 0)
			touch(rec, ev->chunk, (unsigned)ev->page, ev->pages);
		break;
	case ZMM_EV_SLOT_POP:
	case ZMM_EV_SLOT_PUSH:
		if (ev->bin >= 0 && ev->bin < ZMM_BINS)
			rec->bin_touched[ev->bin] = true;
		if (ev->loc.kind == ZMM_LOC_CHUNK)
			touch(rec, (int)ev->loc.chunk,
			    ev->loc.offset / (unsigned)ZMM_PAGE_SIZE, 1);
		if (rec->nslots < RECORD_TOUCH_MAX)
			rec->slots[rec->nslots++] = ev->loc;
		break;
	case ZMM_EV_FIT_CANDIDATE:
	case ZMM_EV_FIT_PICK:
		if (rec->nfit == RECORD_FIT_MAX) {
			rec->fit_more = true;
			break;
		}
		f = &rec->fit[rec->nfit++];
		f->chunk = ev->chunk;
		f->page = ev->page;
		f->pages = ev->pages;
		f->why = ev->why;
		f->pick = ev->type == ZMM_EV_FIT_PICK;
		break;
	default:
		break;
	}
	slot = rec->log_count % RECORD_LOG_MAX;
	describe_event(ev, rec->log[slot], sizeof(rec->log[slot]));
	rec->log_op[slot] = ev->op;
	rec->log_count++;
}

bool
record_page_touched(const struct record *rec, unsigned serial, unsigned page)
{
	size_t i;

	for (i = 0; i < rec->ntouched; i++)
		if (rec->touched[i].chunk == (int)serial &&
		    page >= rec->touched[i].page &&
		    page < rec->touched[i].page + rec->touched[i].pages)
			return true;
	return false;
}

bool
record_page_picked(const struct record *rec, unsigned serial, unsigned page)
{
	size_t i;

	for (i = 0; i < rec->nfit; i++)
		if (rec->fit[i].pick && rec->fit[i].chunk == (int)serial &&
		    rec->fit[i].page >= 0 &&
		    page >= (unsigned)rec->fit[i].page &&
		    page < (unsigned)rec->fit[i].page + rec->fit[i].pages)
			return true;
	return false;
}

bool
record_slot_touched(const struct record *rec, const struct zmm_loc *loc)
{
	size_t i;

	for (i = 0; i < rec->nslots; i++)
		if (rec->slots[i].kind == loc->kind &&
		    rec->slots[i].chunk == loc->chunk &&
		    rec->slots[i].offset == loc->offset)
			return true;
	return false;
}

size_t
record_log_lines(const struct record *rec)
{
	return rec->log_count < RECORD_LOG_MAX ? rec->log_count :
	    RECORD_LOG_MAX;
}

const char *
record_log_line(const struct record *rec, size_t back, unsigned long *op)
{
	size_t i;

	if (back >= record_log_lines(rec))
		return NULL;
	i = (rec->log_count - 1 - back) % RECORD_LOG_MAX;
	if (op != NULL)
		*op = rec->log_op[i];
	return rec->log[i];
}
