/*
 * record.h - what the op under way did, as the viewer highlights it: the
 * page runs it touched, the slots it pushed or popped, the bins whose
 * lists changed, the best-fit candidates in order; and the event log, a
 * ring of sentences.  Filled event by event (so mid-op it holds the
 * events so far); no curses.
 */
#ifndef ZMM_RECORD_H
#define ZMM_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "zmm.h"
#include "zmm_events.h"

#define RECORD_LOG_MAX		512	/* sentences kept for the log */
#define RECORD_LINE_MAX		200	/* bytes of one sentence */
#define RECORD_TOUCH_MAX	256	/* page runs and slots of one op */
#define RECORD_FIT_MAX		64	/* best-fit candidates of one op */

struct record_run {
	int		 chunk;		/* serial */
	unsigned	 page;
	unsigned	 pages;
};

struct record_fit {
	int		 chunk;		/* serial */
	int		 page;
	unsigned	 pages;
	enum zmm_why	 why;		/* the verdict */
	bool		 pick;		/* the run chosen (fit_pick) */
};

struct record {
	struct record_run touched[RECORD_TOUCH_MAX];
	size_t		 ntouched;
	bool		 bin_touched[ZMM_BINS];	/* a push or pop */
	struct zmm_loc	 slots[RECORD_TOUCH_MAX];	/* pushed or popped */
	size_t		 nslots;
	struct record_fit fit[RECORD_FIT_MAX];
	size_t		 nfit;
	bool		 fit_more;	/* candidates past RECORD_FIT_MAX */
	/* the log: line I of those ever written is log[I % RECORD_LOG_MAX] */
	char		 log[RECORD_LOG_MAX][RECORD_LINE_MAX];
	unsigned long	 log_op[RECORD_LOG_MAX];
	size_t		 log_count;	/* lines ever written */
};

/* Forgets the op and the log. */
void	record_clear(struct record *rec);

/* Adds EVENT: an op_begin starts a new op (the log goes on). */
void	record_event(struct record *rec, const struct zmm_event *event);

/* Whether the op touched page PAGE of chunk SERIAL. */
bool	record_page_touched(const struct record *rec, unsigned serial,
	    unsigned page);

/* Whether PAGE of chunk SERIAL is in the run the best-fit search picked. */
bool	record_page_picked(const struct record *rec, unsigned serial,
	    unsigned page);

/* Whether the op pushed or popped the slot at LOC. */
bool	record_slot_touched(const struct record *rec,
	    const struct zmm_loc *loc);

/* Lines kept in the log (at most RECORD_LOG_MAX). */
size_t	record_log_lines(const struct record *rec);

/* Log line BACK lines before the newest (0: the newest), and its op. */
const char *record_log_line(const struct record *rec, size_t back,
	    unsigned long *op);

#endif /* ZMM_RECORD_H */
