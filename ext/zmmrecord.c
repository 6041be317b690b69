/*
 * zmmrecord - a PHP 8.2 extension that writes every emalloc, efree and
 * erealloc of a request as a .zmt trace, while PHP keeps running on its
 * own Zend memory manager.
 *
 * Enabled by the ini setting zmmrecord.output=FILE (zmmrecord --php sets
 * it).  At request start it puts three handlers on the main heap with
 * zend_mm_set_custom_handlers(); each calls the real ZendMM (or the
 * handlers that were there before) and writes the op.  At request end,
 * before the heap is torn down, the old handlers come back.
 *
 * Blocks are named b<serial>.  A block allocated before recording began
 * is not in the live table: its efree is left out, and an erealloc of it
 * is written as an alloc of a new block, so the trace never frees an ID
 * it did not create.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "php.h"
#include "php_ini.h"
#include "SAPI.h"
#include "ext/standard/info.h"
#include "zend_alloc.h"

#define ZMMRECORD_VERSION "0.1.0"

/* What the handlers chain to: the real heap, or earlier custom handlers. */
static zend_mm_heap *heap;
static void *(*prev_malloc)(size_t);
static void (*prev_free)(void *);
static void *(*prev_realloc)(void *, size_t);
static int installed;

static FILE *out;

/* Live recorded blocks: address -> serial, open addressing, libc memory. */
struct slot {
	uintptr_t	 addr;		/* 0: empty */
	uint64_t	 id;
};
static struct slot *table;
static size_t table_cap;	/* a power of two */
static size_t table_len;
static uint64_t next_id;
static int table_failed;	/* out of memory: stop recording, keep running */

static size_t
hash_addr(uintptr_t a, size_t cap)
{
	return (size_t)(((uint64_t)a * 0x9e3779b97f4a7c15ULL) >> 17) &
	    (cap - 1);
}

static int
table_grow(void)
{
	size_t ncap = table_cap ? table_cap * 2 : 4096, i;
	struct slot *nt = calloc(ncap, sizeof(*nt));

	if (nt == NULL)
		return -1;
	for (i = 0; i < table_cap; i++) {
		size_t j;

		if (table[i].addr == 0)
			continue;
		j = hash_addr(table[i].addr, ncap);
		while (nt[j].addr != 0)
			j = (j + 1) & (ncap - 1);
		nt[j] = table[i];
	}
	free(table);
	table = nt;
	table_cap = ncap;
	return 0;
}

static int
table_put(const void *p, uint64_t id)
{
	uintptr_t a = (uintptr_t)p;
	size_t i;

	if ((table_len + 1) * 4 > table_cap * 3 && table_grow() != 0)
		return -1;
	i = hash_addr(a, table_cap);
	while (table[i].addr != 0 && table[i].addr != a)
		i = (i + 1) & (table_cap - 1);
	if (table[i].addr == 0)
		table_len++;
	table[i].addr = a;
	table[i].id = id;
	return 0;
}

/* Removes p and returns its serial; 0 if it was never recorded. */
static uint64_t
table_take(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	size_t i, j;
	uint64_t id;

	if (table_cap == 0)
		return 0;
	i = hash_addr(a, table_cap);
	while (table[i].addr != a) {
		if (table[i].addr == 0)
			return 0;
		i = (i + 1) & (table_cap - 1);
	}
	id = table[i].id;
	table[i].addr = 0;
	table_len--;
	/* backward shift: probe chains stay whole without tombstones */
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & (table_cap - 1);
		if (table[j].addr == 0)
			break;
		home = hash_addr(table[j].addr, table_cap);
		if (((j - home) & (table_cap - 1)) >= ((j - i) & (table_cap - 1))) {
			table[i] = table[j];
			table[j].addr = 0;
			i = j;
		}
	}
	return id;
}

static void
note_new(const void *p, const char *op, size_t size)
{
	uint64_t id = next_id++;

	if (table_failed)
		return;
	if (table_put(p, id) != 0) {
		table_failed = 1;
		fputs("# recording stopped: out of memory for the live table\n",
		    out);
		return;
	}
	fprintf(out, "%s b%" PRIu64 " %zu\n", op, id, size);
}

/* ---- the handlers ------------------------------------------------- */

static void *
rec_malloc(size_t size)
{
	void *p = prev_malloc != NULL ? prev_malloc(size) :
	    zend_mm_alloc(heap, size);

	/* ZendMM bails out instead of returning NULL; others may not */
	if (p != NULL)
		note_new(p, "alloc", size);
	return p;
}

static void
rec_free(void *p)
{
	uint64_t id;

	if (p != NULL && !table_failed && (id = table_take(p)) != 0)
		fprintf(out, "free b%" PRIu64 "\n", id);
	if (prev_free != NULL)
		prev_free(p);
	else
		zend_mm_free(heap, p);
}

static void *
rec_realloc(void *old, size_t size)
{
	void *p = prev_realloc != NULL ? prev_realloc(old, size) :
	    zend_mm_realloc(heap, old, size);
	uint64_t id;

	if (p == NULL || table_failed)
		return p;
	if (old == NULL || (id = table_take(old)) == 0) {
		note_new(p, "alloc", size);
		return p;
	}
	if (table_put(p, id) != 0) {
		table_failed = 1;
		return p;
	}
	fprintf(out, "realloc b%" PRIu64 " %zu\n", id, size);
	return p;
}

/* ---- start and stop ----------------------------------------------- */

PHP_INI_BEGIN()
	PHP_INI_ENTRY("zmmrecord.output", "", PHP_INI_SYSTEM, NULL)
PHP_INI_END()

static void
put_comment_text(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static void
start_recording(void)
{
	const char *path = INI_STR("zmmrecord.output");
	const char *script = SG(request_info).path_translated;
	const char *version = zend_get_module_version("core");

	if (path == NULL || *path == '\0')
		return;
	out = fopen(path, "w");
	if (out == NULL) {
		php_error_docref(NULL, E_WARNING,
		    "zmmrecord: cannot write %s: %s", path, strerror(errno));
		return;
	}
	/* stdio's own buffer is libc memory, never the heap we watch */
	setvbuf(out, NULL, _IOFBF, 1 << 16);
	fputs("# zmmrecord: emalloc/efree/erealloc of PHP ", out);
	put_comment_text(version != NULL ? version : PHP_VERSION);
	fputs(" (Zend memory manager, main heap)\n# script: ", out);
	put_comment_text(script != NULL ? script : "(none)");
	fprintf(out, "\n# heap size when recording began: %zu bytes "
	    "(memory_get_usage), peak %zu\n",
	    zend_memory_usage(0), zend_memory_peak_usage(0));
	fputs("# ecalloc and estrdup reach the handlers as plain allocations\n"
	    "@title PHP ", out);
	put_comment_text(version != NULL ? version : PHP_VERSION);
	fputs(": ", out);
	put_comment_text(script != NULL ? script : "(none)");
	fputc('\n', out);

	heap = zend_mm_get_heap();
	if (zend_mm_is_custom_heap(heap))
		zend_mm_get_custom_handlers(heap, &prev_malloc, &prev_free,
		    &prev_realloc);
	else
		prev_malloc = NULL, prev_free = NULL, prev_realloc = NULL;
	next_id = 1;
	table_failed = 0;
	zend_mm_set_custom_handlers(heap, rec_malloc, rec_free, rec_realloc);
	installed = 1;
}

/* The heap's request-end teardown must not run through our handlers. */
static void
stop_recording(void)
{
	if (!installed)
		return;
	zend_mm_set_custom_handlers(heap, prev_malloc, prev_free,
	    prev_realloc);
	installed = 0;
	fprintf(out, "# recording ended: %zu blocks still live, "
	    "peak memory_get_peak_usage %zu\n", table_len,
	    zend_memory_peak_usage(0));
	fclose(out);
	out = NULL;
	free(table);
	table = NULL;
	table_cap = table_len = 0;
}

static PHP_MINIT_FUNCTION(zmmrecord)
{
	(void)type;
	(void)module_number;
	REGISTER_INI_ENTRIES();
	return SUCCESS;
}

static PHP_MSHUTDOWN_FUNCTION(zmmrecord)
{
	(void)type;
	(void)module_number;
	stop_recording();
	UNREGISTER_INI_ENTRIES();
	return SUCCESS;
}

static PHP_RINIT_FUNCTION(zmmrecord)
{
	(void)type;
	(void)module_number;
	start_recording();
	return SUCCESS;
}

static ZEND_MODULE_POST_ZEND_DEACTIVATE_D(zmmrecord)
{
	stop_recording();
	return SUCCESS;
}

static PHP_MINFO_FUNCTION(zmmrecord)
{
	(void)zend_module;
	php_info_print_table_start();
	php_info_print_table_row(2, "zmmrecord", installed ?
	    "recording" : "idle");
	php_info_print_table_end();
	DISPLAY_INI_ENTRIES();
}

static zend_module_entry zmmrecord_module_entry = {
	STANDARD_MODULE_HEADER,
	"zmmrecord",
	NULL,
	PHP_MINIT(zmmrecord),
	PHP_MSHUTDOWN(zmmrecord),
	PHP_RINIT(zmmrecord),
	NULL,
	PHP_MINFO(zmmrecord),
	ZMMRECORD_VERSION,
	NO_MODULE_GLOBALS,
	ZEND_MODULE_POST_ZEND_DEACTIVATE_N(zmmrecord),
	STANDARD_MODULE_PROPERTIES_EX
};

ZEND_GET_MODULE(zmmrecord)
