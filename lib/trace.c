/*
 * trace.c - the .zmt reader: turns a trace into the array of items that
 * the replay steps through (grammar: shared/docs/trace-format.md; every
 * message: docs/trace-errors.md).
 *
 *   file --1 MiB reads--> buf [carried partial line | new bytes]
 *        --'\n'--> line --tokens--> item { kind, flags, id, line, opno,
 *                                          size, count }
 *   IDs   --> idmap (dense index in the item's id)
 *   texts --> pool  [u64 length][bytes][NUL] ...  the item's count = the
 *                   offset of the bytes (strdup TEXT, @title, @caption,
 *                   @mark, and the message of a TRACE_BAD item)
 *
 * Items are kept packed, 9 bytes each, in three parallel arrays:
 *   meta[i]  kind | flags << 4 | M_EXTRA
 *   id[i]    the ID index (0 when the item has none)
 *   arg[i]   the item's one value when it fits 32 bits (SIZE, or the text
 *            offset of a text-only item), else, with M_EXTRA, an index
 *            into extra[] = { size, count } (calloc, strdup, big values)
 * and what follows from the order is not stored: OPNO is the item's
 * index + 1 less the OPNO-0 items before it (nonops[], which
 * trace_item_of_op() searches too), and LINE is one more than the line
 * before, except at the items listed in jumps[] (after comments, blank
 * lines, a .rep header).  A trace has fewer than 2^32 lines and at most
 * one item per line (and the end-of-file .rep error), so every index
 * fits 32 bits.
 *
 * What is an error and how ops are numbered follows the reference harness
 * of the differential tests exactly: every significant line that is
 * not a directive and not part of a .rep header takes the next OPNO, even
 * when it is rejected.  On top of it this reader rejects NUL bytes,
 * invalid UTF-8 in texts, malformed @mark/@limit/@pause, and lines longer
 * than TRACE_LINE_MAX; a line too long to parse is still classified, by a
 * byte-at-a-time scanner that needs no memory, so that numbering agrees.
 * Liveness (free of a dead ID, alloc of a live one) is the replay's job.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idmap.h"
#include "trace_internal.h"

#define READ_SIZE	((size_t)1 << 20)	/* bytes per read() */
#define BUF_SIZE	(TRACE_LINE_MAX + READ_SIZE) /* carried line + a read */
#define MAXTOK		8			/* tokens on an op line */
#define SIZE_LIMIT	((uint64_t)1 << 63)	/* largest SIZE or N */
#define SHOW_MAX	80			/* token bytes in a message */
#define SHOW_BUF	(4 * SHOW_MAX + 16)
#define PENDING		16			/* IDs in flight: defer_id() */
#define DEFER_FROM	32768			/* hashed IDs before deferring pays */

#ifdef __GNUC__
#define PRINTF_LIKE(f, a)	__attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Bits of meta[]. */
#define M_KIND		0x0f	/* enum trace_kind */
#define M_FLAGS_SHIFT	4	/* TRACE_F_* above the kind */
#define M_EXTRA		0x20	/* arg is an index into extra[] */

_Static_assert(TRACE_LIMIT <= M_KIND, "a kind fits the low bits of meta");
_Static_assert((TRACE_F_REP << M_FLAGS_SHIFT) < M_EXTRA,
    "the flags fit between the kind and M_EXTRA");

/* The values of an item that do not fit arg. */
struct extra {
	uint64_t	 size;
	uint64_t	 count;
};

/* An item whose LINE is not one more than its predecessor's. */
struct jump {
	uint32_t	 item;		/* its index */
	uint32_t	 line;		/* its LINE */
};

struct trace {
	char			*name;		/* as given to the loader */
	enum trace_format	 format;	/* .zmt, or .rep if detected */
	uint8_t			*meta;		/* items, see the top */
	uint32_t		*id;
	uint32_t		*arg;
	size_t			 nitems;	/* items in use */
	size_t			 items_cap;	/* items allocated */
	struct extra		*extra;		/* values too big for arg */
	size_t			 nextra;
	size_t			 extra_cap;
	struct jump		*jumps;		/* lines that do not follow */
	size_t			 njumps;
	size_t			 jumps_cap;
	char			*pool;		/* texts, see the top */
	size_t			 pool_len;	/* bytes in use */
	size_t			 pool_cap;	/* bytes allocated */
	struct idmap		*ids;		/* ID index <-> name */
	uint64_t		 nops;		/* the largest OPNO */
	size_t			 nbad;		/* TRACE_BAD items */
	size_t			 title;		/* 1 + item of 1st @title */
	uint32_t		*nonops;	/* items of OPNO 0, in order */
	size_t			 nnonops;	/* entries in use */
	size_t			 nonops_cap;	/* entries allocated */
};

/* One token of a line; a quoted one is decoded into the loader's scratch. */
struct tok {
	const char	*s;		/* as written (quotes included) */
	size_t		 n;		/* bytes at s */
	const char	*dec;		/* quoted: the decoded text */
	size_t		 declen;	/* its length (it may hold NULs) */
	bool		 quoted;	/* the token opened with '"' */
};

/* States of the scanner of over-long lines (a tokenizer without memory). */
enum {
	LL_LEAD,		/* blanks before the first character */
	LL_SKIP,		/* comment, directive, or after an error */
	LL_BLANK,		/* between tokens */
	LL_WORD,		/* in an unquoted token */
	LL_QUOTE,		/* in a quoted token */
	LL_ESC,			/* after a backslash */
	LL_HEX1,		/* after \x */
	LL_HEX2,		/* after \xH */
	LL_CLOSED		/* right after a closing quote */
};

/* What an over-long line turned out to be. */
enum {
	LK_BLANK,		/* blanks only (so far) */
	LK_COMMENT,
	LK_DIRECTIVE,
	LK_TOKENS
};

struct longline {
	uint8_t		 state;		/* LL_* */
	uint8_t		 kind;		/* LK_* */
	bool		 tokerr;	/* the tokenizer would fail */
	bool		 nul;		/* a NUL byte was seen */
	bool		 digits;	/* the token so far is all digits */
	bool		 first_number;	/* the first token was a number */
	bool		 all_numbers;	/* every finished token was */
	size_t		 ntok;		/* tokens started */
};

/* An ID waiting to be interned, see defer_id(). */
struct pending {
	size_t		 item;		/* index of its item */
	size_t		 len;		/* bytes in name */
	char		 name[TRACE_ID_MAX]; /* a copy: the line goes away */
};

struct loader {
	struct trace	*t;		/* being built */
	struct trace__rep rep;		/* .rep detection and header */
	uint32_t	 line;		/* lines read so far */
	uint32_t	 item_line;	/* LINE of the last item */
	bool		 nul;		/* the bytes read may hold a NUL */
	bool		 failed;	/* the load fails: see fail_msg */
	char		 fail_msg[256];
	char		*scratch;	/* decoded quoted texts of one line */
	size_t		 scratch_cap;	/* bytes allocated */
	bool		 in_long;	/* inside an over-long line */
	struct longline	 ll;		/* its scanner */
	char		 esc[SHOW_BUF];	/* message of a bad escape */
	struct pending	 pend[PENDING];	/* FIFO of IDs to intern */
	unsigned	 pend_first;	/* oldest entry */
	unsigned	 pend_n;	/* entries in use */
};

static const struct op {
	const char	*name;		/* as written in a trace */
	size_t		 len;		/* strlen(name) */
	uint8_t		 kind;		/* enum trace_kind */
	int		 nargs;		/* arguments after the name */
	const char	*usage;		/* for "'OP' takes USAGE, ..." */
} ops[] = {
	{ "alloc",	5, TRACE_ALLOC,		2, "ID SIZE" },
	{ "a",		1, TRACE_ALLOC,		2, "ID SIZE" },
	{ "emalloc",	7, TRACE_ALLOC,		2, "ID SIZE" },
	{ "free",	4, TRACE_FREE,		1, "ID" },
	{ "f",		1, TRACE_FREE,		1, "ID" },
	{ "efree",	5, TRACE_FREE,		1, "ID" },
	{ "realloc",	7, TRACE_REALLOC,	2, "ID SIZE" },
	{ "r",		1, TRACE_REALLOC,	2, "ID SIZE" },
	{ "erealloc",	8, TRACE_REALLOC,	2, "ID SIZE" },
	{ "calloc",	6, TRACE_CALLOC,	3, "ID N SIZE" },
	{ "c",		1, TRACE_CALLOC,	3, "ID N SIZE" },
	{ "ecalloc",	7, TRACE_CALLOC,	3, "ID N SIZE" },
	{ "strdup",	6, TRACE_STRDUP,	2, "ID \"TEXT\"" },
	{ "s",		1, TRACE_STRDUP,	2, "ID \"TEXT\"" },
	{ "estrdup",	7, TRACE_STRDUP,	2, "ID \"TEXT\"" },
	{ "gc",		2, TRACE_GC,		0, "no arguments" },
	{ "reset",	5, TRACE_RESET,		0, "no arguments" }
};

static const struct directive {
	const char	*name;		/* after the '@' */
	size_t		 len;		/* strlen(name) */
	uint8_t		 kind;		/* enum trace_kind */
} directives[] = {
	{ "title",	5, TRACE_TITLE },
	{ "caption",	7, TRACE_CAPTION },
	{ "pause",	5, TRACE_PAUSE },
	{ "mark",	4, TRACE_MARK },
	{ "limit",	5, TRACE_LIMIT }
};

/* ------------------------------------------------------------------
 * Characters
 * ------------------------------------------------------------------ */

/* Character classes of the tokenizer. */
#define C_BLANK		0x01	/* ' ', '\t', '\r' (so CRLF needs nothing) */
#define C_STOP		0x02	/* ends an unquoted token: blanks, '#', '"' */

static const uint8_t cclass[256] = {
	[' '] = C_BLANK | C_STOP, ['\t'] = C_BLANK | C_STOP,
	['\r'] = C_BLANK | C_STOP, ['#'] = C_STOP, ['"'] = C_STOP
};

/* Token separators. */
static inline bool
is_blank(unsigned char c)
{
	return cclass[c] & C_BLANK;
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A-Z a-z 0-9 _ . : - */
static const bool id_char[256] = {
	['-'] = true, ['.'] = true, [':'] = true, ['_'] = true,
	['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true,
	['5'] = true, ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
	['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true, ['E'] = true,
	['F'] = true, ['G'] = true, ['H'] = true, ['I'] = true, ['J'] = true,
	['K'] = true, ['L'] = true, ['M'] = true, ['N'] = true, ['O'] = true,
	['P'] = true, ['Q'] = true, ['R'] = true, ['S'] = true, ['T'] = true,
	['U'] = true, ['V'] = true, ['W'] = true, ['X'] = true, ['Y'] = true,
	['Z'] = true,
	['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true, ['e'] = true,
	['f'] = true, ['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true,
	['k'] = true, ['l'] = true, ['m'] = true, ['n'] = true, ['o'] = true,
	['p'] = true, ['q'] = true, ['r'] = true, ['s'] = true, ['t'] = true,
	['u'] = true, ['v'] = true, ['w'] = true, ['x'] = true, ['y'] = true,
	['z'] = true
};

/* An ID or a @mark NAME: 1 to TRACE_ID_MAX characters of id_char. */
static bool
valid_id(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > TRACE_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!id_char[(unsigned char)s[i]])
			return false;
	return true;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return false;
	return true;
}

/* SIZE or N: digits, then K, M or G; at most 2^63.  False if not one. */
static bool
parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0, d;
	unsigned shift = 0;
	size_t i;

	if (n > 0) {
		switch (s[n - 1]) {
		case 'K':
			shift = 10;
			n--;
			break;
		case 'M':
			shift = 20;
			n--;
			break;
		case 'G':
			shift = 30;
			n--;
			break;
		default:
			break;
		}
	}
	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		d = (uint64_t)((unsigned char)s[i] - '0');
		if (d > 9)
			return false;
		/* v * 10 + d <= 2^63 = 9223372036854775808 */
		if (v >= SIZE_LIMIT / 10 && (v > SIZE_LIMIT / 10 ||
		    d > SIZE_LIMIT % 10))
			return false;
		v = v * 10 + d;
	}
	if (v > SIZE_LIMIT >> shift)
		return false;
	*out = v << shift;
	return true;
}

/* Length of the well-formed UTF-8 character at S (N bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
	    (s[3] & 0xc0) != 0x80 || (c == 0xf0 && s[1] < 0x90) ||
	    (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return 4;
}

static bool
utf8_valid(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, l;
	uint64_t w;

	while (i < n) {
		if (n - i >= 8) {	/* eight ASCII bytes at a time */
			memcpy(&w, s + i, 8);
			if ((w & UINT64_C(0x8080808080808080)) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((l = utf8_len(s + i, n - i)) == 0)
			return false;
		i += l;
	}
	return true;
}

/*
 * S (N bytes) for a message, in BUF (SHOW_BUF bytes): control bytes and
 * bytes that are not UTF-8 as \xHH, cut after SHOW_MAX bytes with "...".
 */
static const char *
show(char *buf, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, o = 0, l;

	while (i < n) {
		if (i >= SHOW_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			buf[o++] = (char)s[i++];
		} else if (s[i] >= 0x80 && (l = utf8_len(s + i, n - i)) > 0) {
			memcpy(buf + o, s + i, l);
			o += l;
			i += l;
		} else {
			o += (size_t)snprintf(buf + o, SHOW_BUF - o, "\\x%02x",
			    s[i++]);
		}
	}
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------------
 * Items and texts
 * ------------------------------------------------------------------ */

/* Fails the load with MSG (the first failure wins). */
static int
fail(struct loader *ld, const char *msg)
{
	if (!ld->failed) {
		ld->failed = true;
		snprintf(ld->fail_msg, sizeof(ld->fail_msg), "%s", msg);
	}
	return -1;
}

/* Grows *P (*CAP elements of SIZE bytes) to hold NEED; -1 when it cannot. */
static int
grow(void **p, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t n = *cap ? *cap : first;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -1;
	q = realloc(*p, n * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* Stores N bytes of TEXT in the pool; *OFF is where the bytes start. */
static int
pool_add(struct loader *ld, const char *text, size_t n, uint64_t *off)
{
	struct trace *t = ld->t;
	uint64_t len = n;
	size_t need;

	if (n > SIZE_MAX - sizeof(len) - 1 - t->pool_len)
		return fail(ld, "out of memory");
	need = t->pool_len + sizeof(len) + n + 1;
	if (grow((void **)&t->pool, &t->pool_cap, need, 1, 4096) != 0)
		return fail(ld, "out of memory");
	memcpy(t->pool + t->pool_len, &len, sizeof(len));
	t->pool_len += sizeof(len);
	*off = t->pool_len;
	if (n > 0)
		memcpy(t->pool + t->pool_len, text, n);
	t->pool[t->pool_len + n] = '\0';
	t->pool_len += n + 1;
	return 0;
}

/* Room for one more item in each array; -1 when out of memory. */
static int
items_reserve(struct loader *ld)
{
	struct trace *t = ld->t;
	size_t cap = t->items_cap ? t->items_cap * 2 : 1024;
	void *p;

	if (t->nitems < t->items_cap)
		return 0;
	if (t->items_cap > SIZE_MAX / 2 / sizeof(*t->id))
		return fail(ld, "out of memory");
	if ((p = realloc(t->meta, cap * sizeof(*t->meta))) == NULL)
		return fail(ld, "out of memory");
	t->meta = p;
	if ((p = realloc(t->id, cap * sizeof(*t->id))) == NULL)
		return fail(ld, "out of memory");
	t->id = p;
	if ((p = realloc(t->arg, cap * sizeof(*t->arg))) == NULL)
		return fail(ld, "out of memory");
	t->arg = p;
	t->items_cap = cap;
	return 0;
}

/* Kinds whose one value is the offset of their text (count), not SIZE. */
static inline bool
text_only(uint8_t kind)
{
	return kind == TRACE_BAD || kind == TRACE_TITLE ||
	    kind == TRACE_CAPTION || kind == TRACE_MARK;
}

/*
 * Appends an item of KIND with SIZE and COUNT, read on the current line,
 * with no ID yet (defer_id() gives it one); OPNO follows from nonops[].
 */
static inline int
put_item(struct loader *ld, uint8_t kind, uint64_t size, uint64_t count)
{
	struct trace *t = ld->t;
	uint64_t one = text_only(kind) ? count : size;
	uint64_t other = text_only(kind) ? size : count;
	uint8_t meta = (uint8_t)(kind |
	    trace__rep_flags(&ld->rep) << M_FLAGS_SHIFT);
	size_t i = t->nitems;

	if (i == t->items_cap && items_reserve(ld) != 0)
		return -1;
	/* Not reached (next_line() stops first), but indices are 32-bit. */
	if ((uint64_t)i > UINT32_MAX)
		return fail(ld, "more than 4294967295 lines");
	if (ld->line != ld->item_line + 1) {
		if (t->njumps == t->jumps_cap && grow((void **)&t->jumps,
		    &t->jumps_cap, t->njumps + 1, sizeof(*t->jumps), 16) != 0)
			return fail(ld, "out of memory");
		t->jumps[t->njumps].item = (uint32_t)i;
		t->jumps[t->njumps++].line = ld->line;
	}
	ld->item_line = ld->line;
	if (other == 0 && one <= UINT32_MAX) {
		t->arg[i] = (uint32_t)one;
	} else {
		if (t->nextra == t->extra_cap && grow((void **)&t->extra,
		    &t->extra_cap, t->nextra + 1, sizeof(*t->extra), 64) != 0)
			return fail(ld, "out of memory");
		t->extra[t->nextra].size = size;
		t->extra[t->nextra].count = count;
		t->arg[i] = (uint32_t)t->nextra++;
		meta |= M_EXTRA;
	}
	t->meta[i] = meta;
	t->id[i] = 0;
	t->nitems++;
	return 0;
}

/*
 * Appends IT (kind, opno, size, count), read on the current line, with
 * TEXT (N bytes, stored in the pool and pointed to by count) unless TEXT
 * is NULL.
 */
static int
push(struct loader *ld, struct trace_item *it, const char *text, size_t n)
{
	struct trace *t = ld->t;

	if (text != NULL && pool_add(ld, text, n, &it->count) != 0)
		return -1;
	if (it->opno == 0) {
		if (t->nnonops == t->nonops_cap && grow((void **)&t->nonops,
		    &t->nonops_cap, t->nnonops + 1, sizeof(*t->nonops),
		    64) != 0)
			return fail(ld, "out of memory");
		t->nonops[t->nnonops++] = (uint32_t)t->nitems;
	}
	if (it->kind == TRACE_BAD)
		t->nbad++;
	else if (it->kind == TRACE_TITLE && t->title == 0)
		t->title = t->nitems + 1;
	return put_item(ld, it->kind, it->size, it->count);
}

/* A TRACE_BAD item with OPNO (0 for a directive or header line). */
static int PRINTF_LIKE(3, 4)
bad(struct loader *ld, uint64_t opno, const char *fmt, ...)
{
	struct trace_item it = { .kind = TRACE_BAD, .opno = opno };
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	return push(ld, &it, msg, (size_t)n);
}

/* The next line begins. */
static int
next_line(struct loader *ld)
{
	if (ld->line == UINT32_MAX)
		return fail(ld, "more than 4294967295 lines");
	ld->line++;
	return 0;
}

/* ------------------------------------------------------------------
 * Tokens
 * ------------------------------------------------------------------ */

/* Room for the decoded texts of a line of N bytes. */
static int
scratch_reserve(struct loader *ld, size_t n)
{
	if (n < 64)
		n = 64;
	if (grow((void **)&ld->scratch, &ld->scratch_cap, n, 1, n) != 0)
		return fail(ld, "out of memory");
	return 0;
}

/*
 * Decodes the quoted text that opens at *P (a '"'), up to E, into DST;
 * *DLEN is its length and *P moves past the closing quote.  Returns NULL,
 * or the message of what is wrong with it.
 */
static const char *
decode(struct loader *ld, const char **p, const char *e, char *dst,
    size_t *dlen)
{
	const char *q = *p + 1, *quote = NULL, *run;
	char c, sbuf[SHOW_BUF];
	size_t n = 0, l;
	int hi, lo;

	for (;;) {
		/* Bytes up to the next quote or backslash are copied as is. */
		if (quote == NULL || quote < q) {
			quote = memchr(q, '"', (size_t)(e - q));
			if (quote == NULL)
				quote = e;
		}
		run = memchr(q, '\\', (size_t)(quote - q));
		if (run == NULL)
			run = quote;
		memcpy(dst + n, q, (size_t)(run - q));
		n += (size_t)(run - q);
		q = run;
		if (q >= e)
			return "unterminated string";
		c = *q++;
		if (c == '"')
			break;
		/* c is a backslash */
		if (q >= e)
			return "unterminated string";
		c = *q++;
		switch (c) {
		case '"':
		case '\\':
			dst[n++] = c;
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'x':
			hi = q < e ? hex_value((unsigned char)q[0]) : -1;
			lo = q + 1 < e ? hex_value((unsigned char)q[1]) : -1;
			if (hi < 0 || lo < 0)
				return "bad \\x escape in string";
			dst[n++] = (char)(hi << 4 | lo);
			q += 2;
			break;
		default:	/* show the whole character after the '\\' */
			l = utf8_len((const unsigned char *)q - 1,
			    (size_t)(e - q) + 1);
			snprintf(ld->esc, sizeof(ld->esc),
			    "bad escape '\\%s' in string",
			    show(sbuf, q - 1, l > 0 ? l : 1));
			return ld->esc;
		}
	}
	*p = q;
	*dlen = n;
	return NULL;
}

/*
 * Splits [P, E) into at most MAXTOK tokens, up to a '#' outside quotes.
 * 0 and *NTK, 1 with *ERR for a line the grammar rejects, -1 on failure.
 */
static int
tokenize(struct loader *ld, const char *p, const char *e, struct tok *tk,
    size_t *ntk, const char **err)
{
	size_t n = 0, used = 0;
	bool reserved = false;
	const char *q;
	struct tok *t;

	for (;;) {
		while (p < e && is_blank((unsigned char)*p))
			p++;
		if (p >= e || *p == '#')
			break;
		if (n == MAXTOK) {
			*err = "too many tokens";
			return 1;
		}
		t = &tk[n++];
		t->s = p;
		if (*p == '"') {
			/* Decoded texts are never longer than the line. */
			if (!reserved && scratch_reserve(ld, (size_t)(e - p)))
				return -1;
			reserved = true;
			t->quoted = true;
			t->dec = ld->scratch + used;
			if ((*err = decode(ld, &p, e, ld->scratch + used,
			    &t->declen)) != NULL)
				return 1;
			used += t->declen;
			if (p < e && !(cclass[(unsigned char)*p] & C_BLANK) &&
			    *p != '#') {
				*err = "junk after closing quote";
				return 1;
			}
		} else {
			t->quoted = false;
			t->dec = NULL;
			t->declen = 0;
			for (q = p + 1; q < e && !(cclass[(unsigned char)*q] &
			    C_STOP); q++)
				;
			if (q < e && *q == '"') {
				*err = "stray '\"'";
				return 1;
			}
			p = q;
		}
		t->n = (size_t)(p - t->s);
	}
	*ntk = n;
	return 0;
}

/* ------------------------------------------------------------------
 * Lines
 * ------------------------------------------------------------------ */

/* Blank-separated words of [P, E) up to a '#': how many, and the first. */
static size_t
words(const char *p, const char *e, const char **w, size_t *wn)
{
	size_t n = 0;
	const char *q;

	*w = NULL;
	*wn = 0;
	for (;;) {
		while (p < e && is_blank((unsigned char)*p))
			p++;
		if (p >= e || *p == '#')
			return n;
		for (q = p; q < e && !is_blank((unsigned char)*q) && *q != '#';
		    q++)
			;
		if (n++ == 0) {
			*w = p;
			*wn = (size_t)(q - p);
		}
		p = q;
	}
}

/* The TEXT of @title or @caption: [P, E) after the directive's word. */
static int
directive_text(struct loader *ld, struct trace_item *it, const char *p,
    const char *e)
{
	const char *err, *body, *q;
	size_t n;

	while (p < e && is_blank((unsigned char)*p))
		p++;
	if (p < e && *p == '"') {
		body = p + 1;
		if (scratch_reserve(ld, (size_t)(e - p)) != 0)
			return -1;
		if ((err = decode(ld, &p, e, ld->scratch, &n)) != NULL)
			return bad(ld, 0, "%s", err);
		if (!utf8_valid(body, (size_t)(p - 1 - body)))
			return bad(ld, 0, "invalid UTF-8 in text");
		for (q = p; q < e && is_blank((unsigned char)*q); q++)
			;
		if (q < e && *q != '#')
			return bad(ld, 0, "junk after closing quote");
		return push(ld, it, ld->scratch, n);
	}
	q = memchr(p, '#', (size_t)(e - p));
	if (q == NULL)
		q = e;
	while (q > p && is_blank((unsigned char)q[-1]))
		q--;
	if (!utf8_valid(p, (size_t)(q - p)))
		return bad(ld, 0, "invalid UTF-8 in text");
	return push(ld, it, p, (size_t)(q - p));
}

/* A line whose first character is '@' (at LS); OPNO 0 in every case. */
static int
directive(struct loader *ld, const char *ls, const char *e, bool nul)
{
	const struct directive *d = NULL;
	struct trace_item it = { .opno = 0 };
	const char *name = ls + 1, *q, *w;
	char sbuf[SHOW_BUF];
	size_t i, n, nw, wn;

	trace__rep_directive(&ld->rep);
	if (nul)
		return bad(ld, 0, "NUL byte in line");
	for (q = name; q < e && !is_blank((unsigned char)*q) && *q != '#'; q++)
		;
	n = (size_t)(q - name);
	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (directives[i].len == n &&
		    memcmp(directives[i].name, name, n) == 0)
			d = &directives[i];
	if (d == NULL)
		return bad(ld, 0, "unknown directive '@%s'",
		    show(sbuf, name, n));
	it.kind = d->kind;
	switch (d->kind) {
	case TRACE_TITLE:
	case TRACE_CAPTION:
		return directive_text(ld, &it, q, e);
	case TRACE_PAUSE:
		if ((nw = words(q, e, &w, &wn)) != 0)
			return bad(ld, 0, "'@pause' takes no arguments, "
			    "got %zu argument(s)", nw);
		return push(ld, &it, NULL, 0);
	case TRACE_MARK:
		if ((nw = words(q, e, &w, &wn)) != 1)
			return bad(ld, 0, "'@mark' takes NAME, "
			    "got %zu argument(s)", nw);
		if (!valid_id(w, wn))
			return bad(ld, 0, "bad NAME '%s'", show(sbuf, w, wn));
		return push(ld, &it, w, wn);
	default:		/* TRACE_LIMIT */
		if ((nw = words(q, e, &w, &wn)) != 1)
			return bad(ld, 0, "'@limit' takes SIZE, "
			    "got %zu argument(s)", nw);
		if (!parse_size(w, wn, &it.size))
			return bad(ld, 0, "bad SIZE '%s'", show(sbuf, w, wn));
		return push(ld, &it, NULL, 0);
	}
}

/* The op named by T, or NULL (on every line: no library call). */
static const struct op *
find_op(const struct tok *t)
{
	size_t i, j;

	if (t->quoted)
		return NULL;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].len != t->n)
			continue;
		for (j = 0; j < t->n && ops[i].name[j] == t->s[j]; j++)
			;
		if (j == t->n)
			return &ops[i];
	}
	return NULL;
}

/* Interns the oldest deferred ID into its item. */
static int
resolve_id(struct loader *ld)
{
	struct pending *p = &ld->pend[ld->pend_first];
	uint32_t id;

	if (idmap_intern(ld->t->ids, p->name, p->len, &id) != 0)
		return fail(ld, "out of memory");
	ld->t->id[p->item] = id;
	ld->pend_first = (ld->pend_first + 1) % PENDING;
	ld->pend_n--;
	return 0;
}

/*
 * Gives the item just pushed the index of ID (LEN bytes).  Once the hash
 * map is too big for the caches, a lookup is a cache miss that parsing
 * cannot hide, so IDs are interned PENDING ops late, their slots
 * prefetched when their line is read.  Indices are still given in order
 * of appearance.  (IDs found by number, b0, b1, ..., need no such help.)
 */
static int
defer_id(struct loader *ld, const char *id, size_t len)
{
	struct trace *t = ld->t;
	struct pending *p;

	if (ld->pend_n == 0 && idmap_hashed_count(t->ids) < DEFER_FROM)
		return idmap_intern(t->ids, id, len,
		    &t->id[t->nitems - 1]) == 0 ? 0 :
		    fail(ld, "out of memory");
	if (ld->pend_n == PENDING && resolve_id(ld) != 0)
		return -1;
	idmap_prefetch(t->ids, id, len);
	p = &ld->pend[(ld->pend_first + ld->pend_n++) % PENDING];
	p->item = t->nitems - 1;
	p->len = len;
	memcpy(p->name, id, len);
	return 0;
}

/* An op line of NTK tokens; it takes the next OPNO whatever it holds. */
static int
op_line(struct loader *ld, const struct tok *tk, size_t ntk, bool nul)
{
	struct trace_item it = { .opno = ++ld->t->nops };
	const struct op *op;
	char sbuf[SHOW_BUF];
	int rc;

	if (nul)
		return bad(ld, it.opno, "NUL byte in line");
	if ((op = find_op(&tk[0])) == NULL)
		return bad(ld, it.opno, "unknown op '%s'",
		    show(sbuf, tk[0].s, tk[0].n));
	if (ntk - 1 != (size_t)op->nargs)
		return bad(ld, it.opno, "'%s' takes %s, got %zu argument(s)",
		    op->name, op->usage, ntk - 1);
	if (op->nargs >= 1 && (tk[1].quoted || !valid_id(tk[1].s, tk[1].n)))
		return bad(ld, it.opno, "bad ID '%s'",
		    show(sbuf, tk[1].s, tk[1].n));
	if (op->nargs >= 1 && op->kind != TRACE_FREE &&
	    trace__rep_null_id(&ld->rep, tk[1].s, tk[1].n))
		return bad(ld, it.opno, "ID '-1' is NULL in a .rep file: "
		    "only 'f -1' may name it");
	it.kind = op->kind;
	switch (op->kind) {
	case TRACE_ALLOC:
	case TRACE_REALLOC:
		if (tk[2].quoted || !parse_size(tk[2].s, tk[2].n, &it.size))
			return bad(ld, it.opno, "bad SIZE '%s'",
			    show(sbuf, tk[2].s, tk[2].n));
		break;
	case TRACE_CALLOC:
		if (tk[2].quoted || !parse_size(tk[2].s, tk[2].n, &it.count))
			return bad(ld, it.opno, "bad N '%s'",
			    show(sbuf, tk[2].s, tk[2].n));
		if (tk[3].quoted || !parse_size(tk[3].s, tk[3].n, &it.size))
			return bad(ld, it.opno, "bad SIZE '%s'",
			    show(sbuf, tk[3].s, tk[3].n));
		break;
	case TRACE_STRDUP:
		if (!tk[2].quoted)
			return bad(ld, it.opno,
			    "strdup TEXT must be double-quoted");
		if (!utf8_valid(tk[2].s + 1, tk[2].n - 2))
			return bad(ld, it.opno, "invalid UTF-8 in text");
		/* estrdup copies up to the first NUL: a block of strlen + 1 */
		it.size = (uint64_t)strnlen(tk[2].dec, tk[2].declen) + 1;
		break;
	case TRACE_FREE:
		if (trace__rep_null_id(&ld->rep, tk[1].s, tk[1].n)) {
			it.kind = TRACE_FREE_NULL;
			return push(ld, &it, NULL, 0);
		}
		break;
	default:		/* gc, reset: no ID */
		return push(ld, &it, NULL, 0);
	}
	if (it.kind == TRACE_STRDUP)
		rc = push(ld, &it, tk[2].dec, tk[2].declen);
	else
		rc = push(ld, &it, NULL, 0);
	return rc != 0 ? rc : defer_id(ld, tk[1].s, tk[1].n);
}

/* One line of at most TRACE_LINE_MAX bytes, [P, E) without its '\n'. */
static int
do_line(struct loader *ld, const char *p, const char *e)
{
	struct tok tk[MAXTOK];
	struct trace__line sum;
	const char *err = NULL;
	unsigned missing = 0;
	size_t ntk = 0, i;
	bool nul;
	int rc;

	if (next_line(ld) != 0)
		return -1;
	while (p < e && is_blank((unsigned char)*p))
		p++;
	if (p == e || *p == '#')
		return 0;
	nul = ld->nul && memchr(p, '\0', (size_t)(e - p)) != NULL;
	if (*p == '@')
		return directive(ld, p, e, nul);
	if ((rc = tokenize(ld, p, e, tk, &ntk, &err)) != 0) {
		if (rc < 0)
			return -1;
		/* Like the reference: counted, and not "significant". */
		return bad(ld, ++ld->t->nops, "%s",
		    nul ? "NUL byte in line" : err);
	}
	if (trace__rep_pending(&ld->rep)) {
		sum.ntok = ntk;
		sum.bad = nul;
		sum.first_number = !tk[0].quoted && all_digits(tk[0].s,
		    tk[0].n);
		sum.all_numbers = true;
		for (i = 0; i < ntk; i++)
			if (tk[i].quoted || !all_digits(tk[i].s, tk[i].n))
				sum.all_numbers = false;
		switch (trace__rep_line(&ld->rep, &sum, &missing)) {
		case TRACE__REP_HEADER:
			return 0;
		case TRACE__REP_BAD_HEADER:
			if (nul)
				return bad(ld, 0, "NUL byte in line");
			return bad(ld, 0, ".rep header: expected %u more "
			    "number(s)", missing);
		case TRACE__REP_OP:
			break;
		}
	}
	return op_line(ld, tk, ntk, nul);
}

/* ------------------------------------------------------------------
 * The fast path
 * ------------------------------------------------------------------ */

/*
 * The kind of the op named by the N letters at S when it is one of those
 * that fast_line() reads (the ops[] entries with an ID and numbers), or
 * -1.  Any other name takes the general path, which knows every op.
 */
static int
fast_op(const char *s, size_t n)
{
	switch (n) {
	case 1:
		switch (s[0]) {
		case 'a': return TRACE_ALLOC;
		case 'f': return TRACE_FREE;
		case 'r': return TRACE_REALLOC;
		case 'c': return TRACE_CALLOC;
		default: return -1;
		}
	case 4:
		return memcmp(s, "free", 4) == 0 ? TRACE_FREE : -1;
	case 5:
		if (memcmp(s, "alloc", 5) == 0)
			return TRACE_ALLOC;
		return memcmp(s, "efree", 5) == 0 ? TRACE_FREE : -1;
	case 6:
		return memcmp(s, "calloc", 6) == 0 ? TRACE_CALLOC : -1;
	case 7:
		if (memcmp(s, "realloc", 7) == 0)
			return TRACE_REALLOC;
		if (memcmp(s, "emalloc", 7) == 0)
			return TRACE_ALLOC;
		return memcmp(s, "ecalloc", 7) == 0 ? TRACE_CALLOC : -1;
	case 8:
		return memcmp(s, "erealloc", 8) == 0 ? TRACE_REALLOC : -1;
	default:
		return -1;
	}
}

/*
 * Blanks, then a SIZE or N of at most 18 digits (so below 2^63) and an
 * optional K, M or G, followed by a blank or the '\n': *V and the end, or
 * NULL for anything else (the general path then says what is wrong).
 */
static const unsigned char *
fast_number(const unsigned char *s, uint64_t *v)
{
	const unsigned char *digits;
	uint64_t n = 0;
	unsigned shift = 0;

	if (!is_blank(*s))
		return NULL;
	while (is_blank(*s))
		s++;
	for (digits = s; is_digit(*s); s++)
		n = n * 10 + (uint64_t)(*s - '0');
	if (s == digits || s - digits > 18)
		return NULL;
	switch (*s) {
	case 'K': shift = 10; s++; break;
	case 'M': shift = 20; s++; break;
	case 'G': shift = 30; s++; break;
	default: break;
	}
	if (!is_blank(*s) && *s != '\n')
		return NULL;
	if (n > SIZE_LIMIT >> shift)
		return NULL;
	*v = n << shift;
	return s;
}

/*
 * Reads the line at LINE if it is a plain "OP ID [N] SIZE" (or "OP ID")
 * with nothing else on it, into the same item as the general path would
 * make.  The caller knows that a '\n' ends the line within the buffer,
 * and that the .rep header is behind.  1 and *NEXT past the '\n'; 0 when
 * the line needs the general path (untouched); -1 when the load fails.
 */
static int
fast_line(struct loader *ld, const char *line, const char **next)
{
	const unsigned char *s = (const unsigned char *)line, *id;
	uint64_t size = 0, count = 0;
	size_t n, idlen;
	int kind;

	for (n = 0; s[n] >= 'a' && s[n] <= 'z'; n++)
		;
	if ((kind = fast_op(line, n)) < 0 || !is_blank(s[n]))
		return 0;
	for (s += n; is_blank(*s); s++)
		;
	for (id = s; id_char[*s]; s++)
		;
	idlen = (size_t)(s - id);
	if (idlen == 0 || idlen > TRACE_ID_MAX)
		return 0;
	if (kind == TRACE_CALLOC && (s = fast_number(s, &count)) == NULL)
		return 0;
	if (kind != TRACE_FREE && (s = fast_number(s, &size)) == NULL)
		return 0;
	while (is_blank(*s))
		s++;
	if (*s != '\n' || (size_t)((const char *)s - line) > TRACE_LINE_MAX ||
	    trace__rep_null_id(&ld->rep, (const char *)id, idlen) ||
	    ld->line == UINT32_MAX)
		return 0;
	ld->line++;
	ld->t->nops++;
	if (put_item(ld, (uint8_t)kind, size, count) != 0 ||
	    defer_id(ld, (const char *)id, idlen) != 0)
		return -1;
	*next = (const char *)s + 1;
	return 1;
}

/* ------------------------------------------------------------------
 * Over-long lines
 * ------------------------------------------------------------------ */

static void
long_begin(struct loader *ld)
{
	memset(&ld->ll, 0, sizeof(ld->ll));
	ld->ll.state = LL_LEAD;
	ld->ll.kind = LK_BLANK;
	ld->ll.all_numbers = true;
	ld->in_long = true;
}

static void
long_token_end(struct longline *ll, bool number)
{
	if (ll->ntok == 1)
		ll->first_number = number;
	if (!number)
		ll->all_numbers = false;
}

/* Feeds [P, E) of an over-long line to the scanner: tokenize() in steps. */
static void
long_feed(struct loader *ld, const char *p, const char *e)
{
	struct longline *ll = &ld->ll;
	unsigned char c;

	for (; p < e; p++) {
		if (ll->state == LL_SKIP) {
			if (!ll->nul &&
			    memchr(p, '\0', (size_t)(e - p)) != NULL)
				ll->nul = true;
			return;
		}
		c = (unsigned char)*p;
		if (c == '\0')
			ll->nul = true;
		switch (ll->state) {
		case LL_LEAD:
			if (is_blank(c))
				break;
			if (c == '#' || c == '@') {
				ll->kind = c == '#' ? LK_COMMENT : LK_DIRECTIVE;
				ll->state = LL_SKIP;
				break;
			}
			ll->kind = LK_TOKENS;
			ll->state = LL_BLANK;
			/* FALLTHROUGH */
		case LL_BLANK:
			if (is_blank(c))
				break;
			if (c == '#') {
				ll->state = LL_SKIP;
			} else if (ll->ntok == MAXTOK) {
				ll->tokerr = true;
				ll->state = LL_SKIP;
			} else {
				ll->ntok++;
				ll->state = c == '"' ? LL_QUOTE : LL_WORD;
				ll->digits = is_digit(c);
			}
			break;
		case LL_WORD:
			if (is_blank(c) || c == '#') {
				long_token_end(ll, ll->digits);
				ll->state = c == '#' ? LL_SKIP : LL_BLANK;
			} else if (c == '"') {
				ll->tokerr = true;
				ll->state = LL_SKIP;
			} else if (!is_digit(c)) {
				ll->digits = false;
			}
			break;
		case LL_QUOTE:
			if (c == '"')
				ll->state = LL_CLOSED;
			else if (c == '\\')
				ll->state = LL_ESC;
			break;
		case LL_ESC:
			if (c == '"' || c == '\\' || c == 'n' || c == 't') {
				ll->state = LL_QUOTE;
			} else if (c == 'x') {
				ll->state = LL_HEX1;
			} else {
				ll->tokerr = true;
				ll->state = LL_SKIP;
			}
			break;
		case LL_HEX1:
		case LL_HEX2:
			if (hex_value(c) < 0) {
				ll->tokerr = true;
				ll->state = LL_SKIP;
			} else {
				ll->state = ll->state == LL_HEX1 ? LL_HEX2 :
				    LL_QUOTE;
			}
			break;
		case LL_CLOSED:
			long_token_end(ll, false);
			if (is_blank(c)) {
				ll->state = LL_BLANK;
			} else {
				ll->tokerr = c != '#';
				ll->state = LL_SKIP;
			}
			break;
		}
	}
}

/*
 * The over-long line has ended: it is skipped if blank or a comment, a
 * header line if it would have been one, and otherwise an error at the
 * place, and with the OPNO, that the reference gives the line.
 */
static int
long_end(struct loader *ld)
{
	static const char msg[] = "line is longer than %zu bytes";
	struct longline *ll = &ld->ll;
	struct trace__line sum;
	unsigned missing;

	ld->in_long = false;
	switch (ll->state) {
	case LL_WORD:
		long_token_end(ll, ll->digits);
		break;
	case LL_CLOSED:
		long_token_end(ll, false);
		break;
	case LL_QUOTE:
	case LL_ESC:
	case LL_HEX1:
	case LL_HEX2:
		ll->tokerr = true;
		break;
	default:
		break;
	}
	switch (ll->kind) {
	case LK_BLANK:
	case LK_COMMENT:
		return 0;
	case LK_DIRECTIVE:
		trace__rep_directive(&ld->rep);
		return bad(ld, 0, msg, TRACE_LINE_MAX);
	default:
		break;
	}
	if (ll->tokerr)
		return bad(ld, ++ld->t->nops, msg, TRACE_LINE_MAX);
	if (trace__rep_pending(&ld->rep)) {
		sum.ntok = ll->ntok;
		sum.first_number = ll->first_number;
		sum.all_numbers = ll->all_numbers;
		sum.bad = ll->nul;
		switch (trace__rep_line(&ld->rep, &sum, &missing)) {
		case TRACE__REP_HEADER:
			return 0;
		case TRACE__REP_BAD_HEADER:
			return bad(ld, 0, msg, TRACE_LINE_MAX);
		case TRACE__REP_OP:
			break;
		}
	}
	return bad(ld, ++ld->t->nops, msg, TRACE_LINE_MAX);
}

/* A whole over-long line [P, E). */
static int
long_line(struct loader *ld, const char *p, const char *e)
{
	if (next_line(ld) != 0)
		return -1;
	long_begin(ld);
	long_feed(ld, p, e);
	return long_end(ld);
}

/* ------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------ */

/*
 * Reads the lines of [P, END); the first KNOWN bytes hold no '\n'.  A line
 * that is not finished (no '\n' yet, and not AT_EOF) is left for the next
 * call and its start returned, unless it is already over-long: then it is
 * fed to the long-line scanner, which carries it across calls.  Returns
 * NULL when the load fails.
 */
static const char *
scan(struct loader *ld, const char *p, const char *end, size_t known,
    bool at_eof)
{
	const char *nl, *fast_end = end;
	int rc;

	/* Lines that start before the last '\n' end within the buffer. */
	while (fast_end > p && fast_end[-1] != '\n')
		fast_end--;
	if (ld->in_long) {
		nl = memchr(p, '\n', (size_t)(end - p));
		long_feed(ld, p, nl != NULL ? nl : end);
		if (nl == NULL && !at_eof)
			return end;
		if (long_end(ld) != 0)
			return NULL;
		if (nl == NULL)
			return end;
		p = nl + 1;
		known = 0;
	}
	while (p < end) {
		if (p < fast_end && !ld->nul && !trace__rep_pending(&ld->rep)) {
			if ((rc = fast_line(ld, p, &p)) < 0)
				return NULL;
			if (rc > 0) {
				known = 0;
				continue;
			}
		}
		nl = memchr(p + known, '\n', (size_t)(end - p) - known);
		known = 0;
		if (nl == NULL && !at_eof) {
			if ((size_t)(end - p) <= TRACE_LINE_MAX)
				return p;
			if (next_line(ld) != 0)
				return NULL;
			long_begin(ld);
			long_feed(ld, p, end);
			return end;
		}
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) > TRACE_LINE_MAX) {
			if (long_line(ld, p, nl) != 0)
				return NULL;
		} else if (do_line(ld, p, nl) != 0) {
			return NULL;
		}
		p = nl < end ? nl + 1 : end;
	}
	return end;
}

static void
set_error(struct trace_error *err, const char *file, unsigned long line,
    const char *msg)
{
	if (err == NULL)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = line;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

static int
loader_init(struct loader *ld, const char *name)
{
	memset(ld, 0, sizeof(*ld));
	ld->t = calloc(1, sizeof(*ld->t));
	if (ld->t == NULL)
		return -1;
	ld->t->name = strdup(name);
	ld->t->ids = idmap_new();
	if (ld->t->name == NULL || ld->t->ids == NULL) {
		trace_free(ld->t);
		ld->t = NULL;
		return -1;
	}
	return 0;
}

/* Ends the load: 0 and *OUT, or -1 with ERR. */
static int
loader_done(struct loader *ld, struct trace **out, struct trace_error *err)
{
	struct trace *t = ld->t;
	unsigned missing;
	void *p;

	while (!ld->failed && ld->pend_n > 0)
		resolve_id(ld);
	if (!ld->failed && (missing = trace__rep_end(&ld->rep)) > 0)
		bad(ld, 0, ".rep header: expected %u more number(s)", missing);
	free(ld->scratch);
	ld->scratch = NULL;
	if (ld->failed) {
		set_error(err, t->name, 0, ld->fail_msg);
		trace_free(t);
		return -1;
	}
	t->format = ld->rep.active ? TRACE_FORMAT_REP : TRACE_FORMAT_ZMT;
	/* Nothing looks IDs up by name from here on: keep just the names. */
	idmap_seal(t->ids);
	/* Give back the slack of the doublings (the arrays only shrink). */
	if (t->nitems > 0 && t->nitems < t->items_cap) {
		if ((p = realloc(t->meta, t->nitems * sizeof(*t->meta))) != NULL)
			t->meta = p;
		if ((p = realloc(t->id, t->nitems * sizeof(*t->id))) != NULL)
			t->id = p;
		if ((p = realloc(t->arg, t->nitems * sizeof(*t->arg))) != NULL)
			t->arg = p;
		t->items_cap = t->nitems;
	}
	if (t->nextra > 0 && t->nextra < t->extra_cap &&
	    (p = realloc(t->extra, t->nextra * sizeof(*t->extra))) != NULL) {
		t->extra = p;
		t->extra_cap = t->nextra;
	}
	if (t->njumps > 0 && t->njumps < t->jumps_cap &&
	    (p = realloc(t->jumps, t->njumps * sizeof(*t->jumps))) != NULL) {
		t->jumps = p;
		t->jumps_cap = t->njumps;
	}
	if (t->pool_len > 0 && t->pool_len < t->pool_cap &&
	    (p = realloc(t->pool, t->pool_len)) != NULL) {
		t->pool = p;
		t->pool_cap = t->pool_len;
	}
	*out = t;
	return 0;
}

int
trace_load_mem(const char *name, const char *buf, size_t len,
    struct trace **out, struct trace_error *err)
{
	struct loader ld;

	*out = NULL;
	if (name == NULL)
		name = "(memory)";
	if (loader_init(&ld, name) != 0) {
		set_error(err, name, 0, "out of memory");
		return -1;
	}
	if (len > 0) {
		ld.nul = memchr(buf, '\0', len) != NULL;
		scan(&ld, buf, buf + len, 0, true);
	}
	return loader_done(&ld, out, err);
}

int
trace_load_file(const char *path, struct trace **out,
    struct trace_error *err)
{
	struct loader ld;
	struct stat st;
	char *buf, msg[256];
	const char *rest;
	size_t have = 0;
	bool tail_nul = false;
	ssize_t n;
	int fd;

	*out = NULL;
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
		set_error(err, path, 0, msg);
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		set_error(err, path, 0, "is a directory");
		if (fd != STDIN_FILENO)
			close(fd);
		return -1;
	}
	buf = malloc(BUF_SIZE);
	if (buf == NULL || loader_init(&ld, path) != 0) {
		free(buf);
		set_error(err, path, 0, "out of memory");
		if (fd != STDIN_FILENO)
			close(fd);
		return -1;
	}
	for (;;) {
		n = read(fd, buf + have, READ_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(msg, sizeof(msg), "read error: %s",
			    strerror(errno));
			fail(&ld, msg);
			break;
		}
		/* The NUL check per line is only needed if a NUL came in. */
		ld.nul = tail_nul || (n > 0 && memchr(buf + have, '\0',
		    (size_t)n) != NULL);
		rest = scan(&ld, buf, buf + have + n, have, n == 0);
		if (rest == NULL || n == 0)
			break;
		have = (size_t)(buf + have + n - rest);
		memmove(buf, rest, have);
		tail_nul = have > 0 && ld.nul;
	}
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return loader_done(&ld, out, err);
}

void
trace_free(struct trace *trace)
{
	if (trace == NULL)
		return;
	free(trace->name);
	free(trace->meta);
	free(trace->id);
	free(trace->arg);
	free(trace->extra);
	free(trace->jumps);
	free(trace->pool);
	free(trace->nonops);
	idmap_free(trace->ids);
	free(trace);
}

/* ------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------ */

const char *
trace_name(const struct trace *trace)
{
	return trace->name;
}

enum trace_format
trace_format(const struct trace *trace)
{
	return trace->format;
}

size_t
trace_item_count(const struct trace *trace)
{
	return trace->nitems;
}

/* Entries of the sorted ITEMS (N of them) below INDEX. */
static inline size_t
count_below(const uint32_t *items, size_t n, size_t index)
{
	size_t lo = 0, hi = n, mid;

	if (n == 0 || items[n - 1] < index)	/* mostly: all of them */
		return n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (items[mid] < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* LINE of item INDEX: from the last jump at or before it. */
static inline uint32_t
line_of(const struct trace *trace, size_t index)
{
	size_t lo = 0, hi = trace->njumps, mid;

	if (hi > 0 && trace->jumps[hi - 1].item <= index)	/* mostly */
		lo = hi;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (trace->jumps[mid].item <= index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return (uint32_t)(index + 1);
	return trace->jumps[lo - 1].line +
	    (uint32_t)(index - trace->jumps[lo - 1].item);
}

void
trace_item_get(const struct trace *trace, size_t index,
    struct trace_item *it)
{
	uint8_t meta = trace->meta[index];
	uint32_t arg = trace->arg[index];
	size_t j;

	it->kind = meta & M_KIND;
	it->flags = (uint8_t)(meta >> M_FLAGS_SHIFT) & TRACE_F_REP;
	it->id = trace->id[index];
	it->size = 0;
	it->count = 0;
	if (meta & M_EXTRA) {
		it->size = trace->extra[arg].size;
		it->count = trace->extra[arg].count;
	} else if (text_only(it->kind)) {
		it->count = arg;
	} else {
		it->size = arg;
	}
	it->line = line_of(trace, index);
	j = count_below(trace->nonops, trace->nnonops, index);
	it->opno = 0;
	if (j == trace->nnonops || trace->nonops[j] != index)
		it->opno = (uint64_t)(index + 1 - j);
}

struct trace_item
trace_item_at(const struct trace *trace, size_t index)
{
	struct trace_item it;

	trace_item_get(trace, index, &it);
	return it;
}

uint64_t
trace_op_count(const struct trace *trace)
{
	return trace->nops;
}

size_t
trace_bad_count(const struct trace *trace)
{
	return trace->nbad;
}

const char *
trace_item_text(const struct trace *trace, const struct trace_item *item,
    size_t *len)
{
	uint64_t n;

	switch (item->kind) {
	case TRACE_STRDUP:
	case TRACE_TITLE:
	case TRACE_CAPTION:
	case TRACE_MARK:
	case TRACE_BAD:
		memcpy(&n, trace->pool + item->count - sizeof(n), sizeof(n));
		if (len != NULL)
			*len = (size_t)n;
		return trace->pool + item->count;
	default:
		if (len != NULL)
			*len = 0;
		return NULL;
	}
}

const char *
trace_id_name(const struct trace *trace, uint32_t id)
{
	if (id >= idmap_count(trace->ids))
		return NULL;
	return idmap_name(trace->ids, id);
}

uint32_t
trace_id_count(const struct trace *trace)
{
	return idmap_count(trace->ids);
}

const char *
trace_title(const struct trace *trace)
{
	struct trace_item it;

	if (trace->title == 0)
		return NULL;
	it = trace_item_at(trace, trace->title - 1);
	return trace_item_text(trace, &it, NULL);
}

/*
 * Op K sits at index K - 1 + J, J being the number of OPNO-0 items before
 * it.  nonops[j] - j is the number of ops before the j-th of those, which
 * never decreases, so J is a binary search: the count of j whose
 * nonops[j] - j is at most K - 1.
 */
size_t
trace_item_of_op(const struct trace *trace, uint64_t opno)
{
	size_t lo = 0, hi = trace->nnonops, mid;

	if (opno == 0 || opno > trace->nops)
		return SIZE_MAX;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (trace->nonops[mid] - mid <= opno - 1)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (size_t)(opno - 1) + lo;
}
