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

#include "../tools/recorder/addrmap.h"

#define ZMMRECORD_VERSION "0.1.0"

/* What the handlers chain to: the real heap, or earlier custom handlers. */
static zend_mm_heap *heap;
static void *(*prev_malloc)(size_t);
static void (*prev_free)(void *);
static void *(*prev_realloc)(void *, size_t);
static int installed;

static FILE *out;

/* Live recorded blocks: address -> serial, in libc memory. */
static void *live_get(size_t bytes);
static void live_put(void *mem, size_t bytes);
static struct addrmap live = { NULL, 0, 0, live_get, live_put };
static uint64_t next_id;
static int table_failed;	/* out of memory: stop recording, keep running */

static void *
live_get(size_t bytes)
{
	return calloc(1, bytes);
}

static void
live_put(void *mem, size_t bytes)
{
	(void)bytes;
	free(mem);
}

static void
note_new(const void *p, const char *op, size_t size)
{
	uint64_t id = next_id++;

	if (table_failed)
		return;
	if (addrmap_put(&live, p, id) != 0) {
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

	if (p != NULL && !table_failed && (id = addrmap_take(&live, p)) != 0)
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
	if (old == NULL || (id = addrmap_take(&live, old)) == 0) {
		note_new(p, "alloc", size);
		return p;
	}
	if (addrmap_put(&live, p, id) != 0) {
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
	    "peak memory_get_peak_usage %zu\n", live.len,
	    zend_memory_peak_usage(0));
	fclose(out);
	out = NULL;
	addrmap_clear(&live);
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
