/*
 * addrmap.h - the recorders' table of live blocks: a block's address to
 * the serial that names it in the trace.
 *
 * Open addressing with linear probing, and backward-shift deletion so that
 * probe chains stay whole without tombstones.  The table takes its memory
 * from functions the caller gives, because the LD_PRELOAD recorder must
 * not call the malloc it is recording (it maps pages) while the PHP
 * extension uses libc.  Address 0 marks an empty slot, so NULL is never a
 * key.  Not thread-safe: the callers hold their own lock.
 */
#ifndef ZMM_ADDRMAP_H
#define ZMM_ADDRMAP_H

#include <stddef.h>
#include <stdint.h>

struct addrmap_slot {
	uintptr_t	 addr;		/* 0: empty */
	uint64_t	 id;
};

struct addrmap {
	struct addrmap_slot *slots;
	size_t		 cap;		/* 0, or a power of two */
	size_t		 len;		/* slots in use */
	/* BYTES of zeroed memory, or NULL; and giving it back. */
	void		*(*get)(size_t bytes);
	void		 (*put)(void *mem, size_t bytes);
};

/* Records P as the block ID (replacing what P had).  0, or -1 when no memory. */
int		 addrmap_put(struct addrmap *map, const void *p, uint64_t id);

/* Removes P and returns its ID; 0 when P is not in the map. */
uint64_t	 addrmap_take(struct addrmap *map, const void *p);

/* Gives the slots back; the map is empty and usable again. */
void		 addrmap_clear(struct addrmap *map);

#endif /* ZMM_ADDRMAP_H */
