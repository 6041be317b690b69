/*
 * zmm_storage.c - the default storage: where chunks and huge blocks come
 * from (the `zend_mm_storage` handlers' analogue, "OS Allocation" in
 * zend_alloc.c).
 *
 * To make every replay give the same chunk serials and offsets, the storage
 * follows shared/docs/replay-output.md: one range of address space is
 * reserved up front (PROT_NONE), blocks are handed out 2 MiB aligned by a
 * bump pointer and committed on demand, and no address is ever handed out
 * twice, so a stale pointer faults instead of aliasing.
 *
 *   base                  last             top                 end
 *   | given back | chunk | huge block ... | (never used yet) ... |
 *
 * Shrinking a block in place always succeeds; growing one in place
 * succeeds only for the block obtained most recently (`last`), as mremap
 * without MREMAP_MAYMOVE would in a bottom-up address space.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "zmm_internal.h"

#define DEFAULT_REGION	((size_t)1 << 40)	/* 1 TiB of address space */
#define MIN_REGION	((size_t)1 << 32)

struct storage {
	void		*reserved;	/* the mapping, as mmap returned it */
	size_t		 reserved_len;
	uintptr_t	 base;		/* first 2 MiB-aligned address */
	uintptr_t	 end;
	uintptr_t	 top;		/* bump pointer */
	uintptr_t	 last;		/* start of the newest block, 0 if none */
	size_t		 used;		/* bytes handed out, ever */
};

static uintptr_t
align_up(uintptr_t v, size_t a)
{
	return (v + a - 1) & ~(uintptr_t)(a - 1);
}

/* Gives pages back to the system but keeps the range reserved. */
static void
decommit(uintptr_t addr, size_t len)
{
	if (len == 0)
		return;
	/* MAP_FIXED over our own reservation cannot fail for lack of room */
	(void)mmap((void *)addr, len, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
}

static void *
storage_map(void *ctx, size_t size)
{
	struct storage *st = ctx;
	uintptr_t p = align_up(st->top, ZMM_CHUNK_SIZE);

	if (size == 0 || p >= st->end || size > st->end - p)
		return NULL;
	if (mprotect((void *)p, size, PROT_READ | PROT_WRITE) != 0)
		return NULL;
	st->top = p + size;
	st->last = p;
	st->used += size;
	return (void *)p;
}

static void
storage_unmap(void *ctx, void *addr, size_t size)
{
	(void)ctx;
	decommit((uintptr_t)addr, size);
}

static bool
storage_truncate(void *ctx, void *addr, size_t old_size, size_t new_size)
{
	(void)ctx;
	decommit((uintptr_t)addr + new_size, old_size - new_size);
	return true;
}

static bool
storage_extend(void *ctx, void *addr, size_t old_size, size_t new_size)
{
	struct storage *st = ctx;
	uintptr_t p = (uintptr_t)addr;

	if (p != st->last || new_size > st->end - p)
		return false;
	if (mprotect((void *)(p + old_size), new_size - old_size,
	    PROT_READ | PROT_WRITE) != 0)
		return false;
	if (p + new_size > st->top)
		st->top = p + new_size;
	st->used += new_size - old_size;
	return true;
}

static void
storage_destroy(void *ctx)
{
	struct storage *st = ctx;

	munmap(st->reserved, st->reserved_len);
	free(st);
}

const struct zmm_storage_ops zmm_storage_default_ops = {
	storage_map,
	storage_unmap,
	storage_truncate,
	storage_extend,
	storage_destroy
};

/* Reserves REGION bytes (0: 1 TiB), halving until the system agrees. */
void *
zmm_storage_default_new(size_t region)
{
	struct storage *st;
	void *p = MAP_FAILED;
	size_t len = region ? region : DEFAULT_REGION;

	len = align_up(len, ZMM_CHUNK_SIZE);
	if (len < ZMM_CHUNK_SIZE || len > SIZE_MAX - ZMM_CHUNK_SIZE)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	for (;;) {
		p = mmap(NULL, len + ZMM_CHUNK_SIZE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED || region != 0 || len / 2 < MIN_REGION)
			break;
		len /= 2;
	}
	if (p == MAP_FAILED) {
		free(st);
		return NULL;
	}
	st->reserved = p;
	st->reserved_len = len + ZMM_CHUNK_SIZE;
	st->base = align_up((uintptr_t)p, ZMM_CHUNK_SIZE);
	st->end = st->base + len;
	st->top = st->base;
	return st;
}

/* Bytes handed out so far, including blocks given back since. */
size_t
zmm_storage_default_used(void *ctx)
{
	const struct storage *st = ctx;

	return st->used;
}

/* The bump state, saved with a snapshot. */
void
zmm__storage_mark_save(const void *ctx, struct zmm__storage_mark *out)
{
	const struct storage *st = ctx;

	out->top = st->top;
	out->last = st->last;
	out->used = st->used;
}

/*
 * The bump state of a snapshot put back.  The caller has already made the
 * committed ranges those of the snapshot: what lies above the restored
 * `top` is decommitted, so it reads as zero when handed out again.
 */
void
zmm__storage_mark_load(void *ctx, const struct zmm__storage_mark *mark)
{
	struct storage *st = ctx;

	st->top = mark->top;
	st->last = mark->last;
	st->used = mark->used;
}

/* Commits a range a snapshot had committed; 0, or -1 when refused. */
int
zmm__storage_commit(void *ctx, uintptr_t addr, size_t len)
{
	const struct storage *st = ctx;

	if (addr < st->base || addr > st->end || len > st->end - addr)
		return -1;
	return mprotect((void *)addr, len, PROT_READ | PROT_WRITE) == 0 ? 0 : -1;
}
