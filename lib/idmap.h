/*
 * idmap.h - interning of trace IDs.
 *
 * A trace names its blocks with IDs of 1 to 64 characters.  The reader
 * interns every ID once and hands the replay a dense index (0, 1, 2, ...),
 * so the replay keeps its live blocks in a plain array indexed by it.
 *
 * Most traces name blocks with a prefix and a number ("b0", "b1", ...,
 * or plain "17"): such IDs are looked up in a table indexed by the
 * number, with no hashing.  Every other ID goes to an open-addressing
 * hash map keyed by the ID's bytes.  Which table holds an ID changes
 * nothing that the API shows: "a7" and "a007" are two different IDs.
 */
#ifndef ZMM_IDMAP_H
#define ZMM_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap;

/* A new, empty map; NULL when out of memory. */
struct idmap	*idmap_new(void);

/* Frees the map and every name it holds. */
void		 idmap_free(struct idmap *map);

/*
 * The index of NAME (LEN bytes, no NUL needed), adding it when new.
 * Returns 0 and stores the index in *INDEX, or -1 when out of memory.
 */
int		 idmap_intern(struct idmap *map, const char *name, size_t len,
		    uint32_t *index);

/*
 * A hint that NAME (LEN bytes) will be interned or looked up soon: starts
 * loading its slot into the cache, so that the loader can overlap the
 * cache misses of a big table with parsing the next lines.
 */
void		 idmap_prefetch(const struct idmap *map, const char *name,
		    size_t len);

/* The index of NAME if it is known: 0 and *INDEX set, else -1. */
int		 idmap_find(const struct idmap *map, const char *name,
		    size_t len, uint32_t *index);

/*
 * No more interning: frees the tables that lookups use (the names stay).
 * After it, idmap_intern() fails and idmap_find() finds nothing.
 */
void		 idmap_seal(struct idmap *map);

/* The NUL-terminated name of INDEX (which must be < idmap_count()). */
const char	*idmap_name(const struct idmap *map, uint32_t index);

/* Number of distinct names interned. */
uint32_t	 idmap_count(const struct idmap *map);

/*
 * How many of them are in the hash map: a lookup there is a cache miss
 * once it holds more than the caches do (the others are found by number).
 */
uint32_t	 idmap_hashed_count(const struct idmap *map);

#endif /* ZMM_IDMAP_H */
