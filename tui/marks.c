/*
 * marks.c - the user's marks and the trace's @mark lines.
 */
#include "config.h"

#include "marks.h"

enum marks_result
marks_toggle(struct marks *m, uint64_t op)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->op[i] == op) {
			m->op[i] = m->op[--m->n];
			return MARKS_CLEARED;
		}
	}
	if (m->n == MARKS_MAX)
		return MARKS_FULL;
	m->op[m->n++] = op;
	return MARKS_SET;
}

struct best {
	uint64_t	 after;		/* the first mark after the op */
	const char	*after_name;
	uint64_t	 any;		/* the first mark of all */
	const char	*any_name;
};

static void
consider(struct best *b, uint64_t cur, uint64_t at, const char *name)
{
	if (at > cur && at < b->after) {
		b->after = at;
		b->after_name = name;
	}
	if (at < b->any) {
		b->any = at;
		b->any_name = name;
	}
}

bool
marks_next(const struct marks *m, const struct trace *trace, uint64_t cur,
    uint64_t *mark, const char **name)
{
	size_t n = trace_item_count(trace), i;
	struct best b = { UINT64_MAX, NULL, UINT64_MAX, NULL };
	struct trace_item it;
	uint64_t done = 0;

	for (i = 0; i < n; i++) {
		it = trace_item_at(trace, i);
		if (it.opno != 0)
			done = it.opno;
		else if (it.kind == TRACE_MARK)
			consider(&b, cur, done, trace_item_text(trace, &it, NULL));
	}
	for (i = 0; i < m->n; i++)
		consider(&b, cur, m->op[i], NULL);
	if (b.after != UINT64_MAX) {
		*mark = b.after;
		*name = b.after_name;
		return true;
	}
	if (b.any != UINT64_MAX) {
		*mark = b.any;
		*name = b.any_name;
		return true;
	}
	return false;
}
