/*
 * tests.h - the suites of the check_zmm runner and their shared helpers.
 */
#ifndef ZMM_TESTS_H
#define ZMM_TESTS_H

#include <check.h>
#include <stddef.h>

#include "zmm.h"
#include "zmm_events.h"

Suite	*suite_bins(void);
Suite	*suite_small(void);
Suite	*suite_large(void);
Suite	*suite_chunk(void);
Suite	*suite_huge(void);
Suite	*suite_realloc(void);
Suite	*suite_gc(void);
Suite	*suite_reset(void);
Suite	*suite_limit(void);
Suite	*suite_events(void);
Suite	*suite_trace(void);
Suite	*suite_trace_rep(void);
Suite	*suite_idmap(void);
Suite	*suite_replay(void);
Suite	*suite_tracestats(void);
Suite	*suite_addrmap(void);

/* A fresh heap with the default deterministic storage; fails the test if none. */
struct zmm_heap	*zt_heap_new(void);

/* "c0+0x1000" for PTR, in a static buffer (one call per expression). */
const char	*zt_loc(const struct zmm_heap *heap, const void *ptr);

/* Chunk serial and offset of PTR; fails the test for a huge or foreign one. */
unsigned	 zt_offset(const struct zmm_heap *heap, const void *ptr);

/* zmm_heap_check() with live_bytes unknown; fails the test with its message. */
void		 zt_assert_heap_ok(const struct zmm_heap *heap);

/* zmm_heap_alloc() that must succeed; checks the heap after it. */
void		*zt_alloc_ok(struct zmm_heap *heap, size_t size);

/* zmm_heap_realloc() that must return ZMM_OK; checks the heap after it. */
void		*zt_realloc_ok(struct zmm_heap *heap, void *ptr,
		    size_t size);

/* zmm_heap_free() that must succeed; checks the heap after it. */
void		 zt_free_ok(struct zmm_heap *heap, void *ptr);

/* The heap's statistics, by value. */
struct zmm_stats zt_stats(const struct zmm_heap *heap);

/* Fails the test unless size, peak, real_size and real_peak are these. */
void		 zt_assert_sizes(const struct zmm_heap *heap, size_t size,
		    size_t peak, size_t real_size, size_t real_peak);

/* The first N locations of BIN's free list, space separated; static buffer. */
const char	*zt_bin_list(const struct zmm_heap *heap, int bin, int n);

/* The info of chunk SERIAL (ring or cache); fails the test if there is none. */
struct zmm_chunk_info zt_chunk_info(const struct zmm_heap *heap,
		    unsigned serial);

/* Every non-zero map word of chunk SERIAL as "P:0xWORD ..."; static buffer. */
const char	*zt_map_words(const struct zmm_heap *heap, unsigned serial);

/* The map word of PAGE in the chunk with serial SERIAL (ring or cache). */
uint32_t	 zt_map_word(const struct zmm_heap *heap, unsigned serial,
		    unsigned page);

/* The chunk of the ring with serial SERIAL, or NULL. */
const struct zmm_chunk *zt_chunk(const struct zmm_heap *heap, unsigned serial);

/* Serials of the ring in order as "c0 c3 c1"; static buffer. */
const char	*zt_ring(const struct zmm_heap *heap);

/* Serials of the cache in order as "c2 c1" ("" when empty); static buffer. */
const char	*zt_cache(const struct zmm_heap *heap);

struct trace;
struct trace_item;

/* LEN bytes of TEXT loaded as a trace named NAME; fails the test if not. */
struct trace	*zt_trace_load(const char *name, const char *text, size_t len);

/*
 * Item I of a trace; fails the test when there is no such item.  The
 * pointer holds a copy, good for the next ZT_ITEMS - 1 calls.
 */
#define ZT_ITEMS	16
const struct trace_item *zt_item(const struct trace *trace, size_t i);

/* Item I is a TRACE_BAD at LINE with OPNO and the message MSG. */
void		 zt_assert_bad(const struct trace *trace, size_t i,
		    uint32_t line, uint64_t opno, const char *msg);

/* An event recorder: one text line per event, as zmmreplay --events prints. */
struct zt_recorder {
	char	*text;		/* all lines so far, NUL-terminated */
	size_t	 len;
	size_t	 cap;
};

void		 zt_recorder_listen(struct zmm_heap *heap, struct zt_recorder *rec);
/* The listener itself (ARG: the recorder), for a replay's replay_listen(). */
void		 zt_recorder_event(const struct zmm_event *event, void *arg);
void		 zt_recorder_clear(struct zt_recorder *rec);
void		 zt_recorder_free(struct zt_recorder *rec);

#endif /* ZMM_TESTS_H */
