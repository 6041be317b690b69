/*
 * trace.h - allocation traces: the .zmt format and CS:APP .rep files.
 *
 * A trace is loaded whole into a compact array of items (trace_load_*),
 * which is what the replay engine steps through, forwards and backwards.
 * Every line that the grammar rejects becomes an item of kind TRACE_BAD
 * carrying its message, at the place where it stood, so a replay reports
 * errors in trace order and can skip them (--keep-going).  Only problems
 * with the file itself (cannot open, is a directory, read error, out of
 * memory) fail the load.
 *
 * The grammar is shared/docs/trace-format.md; error texts are listed in
 * docs/trace-errors.md.
 */
#ifndef ZMM_TRACE_H
#define ZMM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_ID_MAX	64		/* longest ID, in characters */

/* What an item is.  Ops first (they carry an OPNO), directives after. */
enum trace_kind {
	TRACE_ALLOC,		/* alloc ID SIZE: emalloc */
	TRACE_FREE,		/* free ID: efree */
	TRACE_REALLOC,		/* realloc ID SIZE: erealloc */
	TRACE_CALLOC,		/* calloc ID N SIZE: ecalloc */
	TRACE_STRDUP,		/* strdup ID "TEXT": estrdup */
	TRACE_GC,		/* gc: zend_mm_gc */
	TRACE_RESET,		/* reset: zend_mm_shutdown(full=0) */
	TRACE_FREE_NULL,	/* .rep "f -1": efree(NULL), does nothing */
	TRACE_BAD,		/* a rejected line; text = the message */
	TRACE_TITLE,		/* @title TEXT */
	TRACE_CAPTION,		/* @caption TEXT */
	TRACE_PAUSE,		/* @pause */
	TRACE_MARK,		/* @mark NAME */
	TRACE_LIMIT		/* @limit SIZE */
};

/* Whether items of KIND name a block by an ID (alloc .. strdup). */
static inline int
trace_kind_has_id(unsigned kind)
{
	return kind <= TRACE_STRDUP;
}

/* Item flags. */
#define TRACE_F_REP	0x01	/* read from a .rep file: "r" on a dead ID allocates */

enum trace_format {
	TRACE_FORMAT_ZMT,
	TRACE_FORMAT_REP
};

/*
 * One item, as trace_item_at() gives it (the trace keeps its items packed
 * in 9 bytes each).  OPNO is the 1-based number of the operation line
 * (TRACE_BAD lines that stood where an op stands count too, as
 * trace-format.md and the reference harness count them; a bad directive
 * or .rep header line has OPNO 0).  A trace has fewer than 2^32 lines, so
 * LINE, ID and OPNO all fit 32 bits; SIZE and N take any 64-bit value.
 */
struct trace_item {
	uint8_t		 kind;		/* enum trace_kind */
	uint8_t		 flags;		/* TRACE_F_* */
	uint32_t	 id;		/* ID index (trace_id_name), ops with an ID */
	uint32_t	 line;		/* 1-based line in the file */
	uint64_t	 opno;		/* 1-based op number, 0 for directives */
	uint64_t	 size;		/* SIZE (alloc/realloc/calloc/@limit) */
	uint64_t	 count;		/* N for calloc; for text items the text's offset */
};

/* A problem with the trace as a file, or an out-of-memory while reading. */
struct trace_error {
	char		 file[256];	/* the name given to the loader */
	unsigned long	 line;		/* 0 when not about a line */
	char		 msg[256];
};

struct trace;

/* Loads PATH ("-" is standard input).  0 and *OUT, or -1 with ERR filled. */
int		 trace_load_file(const char *path, struct trace **out,
		    struct trace_error *err);

/* Loads LEN bytes of BUF, naming them NAME in messages. */
int		 trace_load_mem(const char *name, const char *buf, size_t len,
		    struct trace **out, struct trace_error *err);

void		 trace_free(struct trace *trace);

/* The name given to the loader. */
const char	*trace_name(const struct trace *trace);

enum trace_format trace_format(const struct trace *trace);

/* How many items, and item INDEX (< trace_item_count()) in file order. */
size_t		 trace_item_count(const struct trace *trace);
struct trace_item trace_item_at(const struct trace *trace, size_t index);

/* The same into *ITEM, for loops that step through many. */
void		 trace_item_get(const struct trace *trace, size_t index,
		    struct trace_item *item);

/* Number of operation lines (the largest OPNO). */
uint64_t	 trace_op_count(const struct trace *trace);

/* Number of TRACE_BAD items. */
size_t		 trace_bad_count(const struct trace *trace);

/*
 * The text of an item: the decoded TEXT of strdup (it may hold NUL bytes:
 * *LEN is its full decoded length), @title/@caption text, @mark name, or a
 * TRACE_BAD message.  Always NUL-terminated.  NULL for other kinds.
 */
const char	*trace_item_text(const struct trace *trace,
		    const struct trace_item *item, size_t *len);

/* The ID table: names by index, and the count. */
const char	*trace_id_name(const struct trace *trace, uint32_t id);
uint32_t	 trace_id_count(const struct trace *trace);

/* The first @title, or NULL. */
const char	*trace_title(const struct trace *trace);

/* Index of the item with this OPNO (1..trace_op_count()); SIZE_MAX if none. */
size_t		 trace_item_of_op(const struct trace *trace, uint64_t opno);

#endif /* ZMM_TRACE_H */
