/*
 * zmm_snapshot.c - a heap's whole state copied out and put back, so that a
 * replay can seek without replaying from the start.
 *
 * The state is the struct zmm_heap, the default storage's bump pointer,
 * which ranges are committed, and the bytes inside them that later calls
 * read.  Those are each chunk's header and, in the ring, the pages of its
 * small runs (free lists and huge list nodes live in the slots); with the
 * payload kept, large runs and huge blocks too.  Free pages are never read
 * before they are written, nor, without the payload, block contents.
 *
 *   snapshot = heap struct | storage mark | committed spans | pieces
 *   piece    = one chunk's (or huge block's) saved spans and their bytes,
 *              shared, by reference count, with the base snapshot's piece
 *              for the same address while the bytes are equal
 *
 * Restoring commits what was committed then and is not now, gives back
 * what is committed now and was not then (so that the storage hands it
 * out as zeroes again, as it did the first time), copies the saved bytes
 * back and the heap struct over, keeping the listeners of now.  Addresses
 * are never reused along one trace, so a range's role never changes
 * between two snapshots; only a huge block's length does.
 */
#include "config.h"

#include <stdlib.h>

#include "zmm_internal.h"

struct span {
	uintptr_t	 addr;
	size_t		 len;
};

struct piece {
	unsigned	 refs;		/* snapshots holding it */
	uintptr_t	 base;		/* its chunk or huge block */
	size_t		 bytes;		/* the whole allocation */
	size_t		 nspans;
	struct span	*spans;		/* saved ranges, in address order */
	unsigned char	*data;		/* their bytes, one after another */
};

struct zmm_snapshot {
	const struct zmm_heap *owner;
	struct zmm_heap	 heap;
	struct zmm__storage_mark mark;
	struct span	*committed;	/* sorted by address */
	size_t		 ncommitted;
	struct piece	**pieces;	/* sorted by base */
	size_t		 npieces;
	size_t		 frame;		/* bytes of this struct and its arrays */
	size_t		 bytes;		/* allocated when taken: frame + new pieces */
	size_t		 size;		/* saved heap bytes, shared ones too */
};

/* A growing list of spans; adjacent ones merge. */
struct spans {
	struct span	*v;
	size_t		 n;
	size_t		 cap;
};

static int
spans_add(struct spans *s, uintptr_t addr, size_t len)
{
	struct span *v;

	if (s->n > 0 && s->v[s->n - 1].addr + s->v[s->n - 1].len == addr) {
		s->v[s->n - 1].len += len;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;

		v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].addr = addr;
	s->v[s->n].len = len;
	s->n++;
	return 0;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
piece_cmp(const void *a, const void *b)
{
	const struct piece *x = *(struct piece *const *)a;
	const struct piece *y = *(struct piece *const *)b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* What is committed now: every chunk of the ring and cache, every huge block. */
static int
committed_now(const struct zmm_heap *heap, struct spans *out)
{
	const struct zmm_chunk *c = heap->main_chunk;
	const struct zmm_huge *h;

	do {
		if (spans_add(out, (uintptr_t)c, ZMM_CHUNK_SIZE) != 0)
			return -1;
		c = c->next;
	} while (c != heap->main_chunk);
	for (c = heap->cached_chunks; c != NULL; c = c->next)
		if (spans_add(out, (uintptr_t)c, ZMM_CHUNK_SIZE) != 0)
			return -1;
	for (h = heap->huge_list; h != NULL; h = h->next)
		if (spans_add(out, (uintptr_t)h->ptr, h->size) != 0)
			return -1;
	/* merged as they came; sorting keeps them disjoint */
	qsort(out->v, out->n, sizeof(*out->v), span_cmp);
	return 0;
}

/*
 * The spans of CHUNK a snapshot saves: its header, and in the ring the
 * pages of its small runs (of every run while the payload is kept).
 */
static int
chunk_spans(const struct zmm_heap *heap, const struct zmm_chunk *chunk,
    bool in_ring, struct spans *out)
{
	uint32_t page, len, info;
	bool keep;

	out->n = 0;
	if (spans_add(out, (uintptr_t)chunk, sizeof(*chunk)) != 0)
		return -1;
	if (!in_ring)
		return 0;
	for (page = ZMM_FIRST_PAGE; page < ZMM_PAGES; page += len) {
		len = 1;
		if (!zmm__bit_is_set(chunk->free_map, page))
			continue;
		info = chunk->map[page];
		if (info & ZMM_IS_SRUN) {
			len = zmm__bin_pages[ZMM_SRUN_BIN(info)];
			keep = true;
		} else {
			len = ZMM_LRUN_PAGES(info);
			keep = heap->payload;
		}
		if (len == 0 || len > ZMM_PAGES - page)
			len = len == 0 ? 1 : ZMM_PAGES - page;
		if (keep && spans_add(out, (uintptr_t)chunk + (size_t)page *
		    ZMM_PAGE_SIZE, (size_t)len * ZMM_PAGE_SIZE) != 0)
			return -1;
	}
	return 0;
}

/* Whether P saved exactly SPANS and memory still holds its bytes. */
static bool
piece_current(const struct piece *p, const struct spans *spans)
{
	const unsigned char *d = p->data;
	size_t i;

	if (p->nspans != spans->n)
		return false;
	for (i = 0; i < spans->n; i++) {
		if (p->spans[i].addr != spans->v[i].addr ||
		    p->spans[i].len != spans->v[i].len ||
		    memcmp(d, (const void *)spans->v[i].addr, spans->v[i].len) != 0)
			return false;
		d += spans->v[i].len;
	}
	return true;
}

/* BASE's piece for the chunk or huge block at ADDR, or NULL. */
static struct piece *
piece_find(const struct zmm_snapshot *base, uintptr_t addr)
{
	size_t lo = 0, hi, mid;

	if (base == NULL)
		return NULL;
	hi = base->npieces;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (base->pieces[mid]->base == addr)
			return base->pieces[mid];
		if (base->pieces[mid]->base < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A piece holding SPANS of the block at ADDR: BASE's if unchanged, or a copy. */
static int
piece_add(struct zmm_snapshot *snap, const struct zmm_snapshot *base,
    uintptr_t addr, const struct spans *spans)
{
	struct piece *p = piece_find(base, addr);
	size_t data = 0, i;
	unsigned char *d;

	for (i = 0; i < spans->n; i++)
		data += spans->v[i].len;
	snap->size += data;
	if (p != NULL && piece_current(p, spans)) {
		p->refs++;
		snap->pieces[snap->npieces++] = p;
		return 0;
	}
	p = malloc(sizeof(*p) + spans->n * sizeof(*p->spans) + data);
	if (p == NULL)
		return -1;
	p->refs = 1;
	p->base = addr;
	p->bytes = sizeof(*p) + spans->n * sizeof(*p->spans) + data;
	p->nspans = spans->n;
	p->spans = (struct span *)(p + 1);
	p->data = (unsigned char *)(p->spans + spans->n);
	memcpy(p->spans, spans->v, spans->n * sizeof(*p->spans));
	for (d = p->data, i = 0; i < spans->n; i++) {
		memcpy(d, (const void *)spans->v[i].addr, spans->v[i].len);
		d += spans->v[i].len;
	}
	snap->pieces[snap->npieces++] = p;
	snap->bytes += p->bytes;
	return 0;
}

/* Drops one reference to P; returns the bytes freed. */
static size_t
piece_release(struct piece *p)
{
	size_t bytes = p->bytes;

	if (--p->refs > 0)
		return 0;
	free(p);
	return bytes;
}

size_t
zmm_snapshot_free(struct zmm_snapshot *snap)
{
	size_t bytes, i;

	if (snap == NULL)
		return 0;
	bytes = snap->frame;
	for (i = 0; i < snap->npieces; i++)
		bytes += piece_release(snap->pieces[i]);
	free(snap->committed);
	free(snap->pieces);
	free(snap);
	return bytes;
}

size_t
zmm_snapshot_bytes(const struct zmm_snapshot *snap)
{
	return snap->bytes;
}

size_t
zmm_snapshot_size(const struct zmm_snapshot *snap)
{
	return snap->size;
}

/* Saves every chunk of the ring (IN_RING) or of the cache from FIRST on. */
static int
save_chunks(struct zmm_snapshot *snap, const struct zmm_snapshot *base,
    const struct zmm_chunk *first, bool in_ring, struct spans *tmp)
{
	const struct zmm_heap *heap = snap->owner;
	const struct zmm_chunk *c;

	for (c = first; c != NULL; c = c->next) {
		if (chunk_spans(heap, c, in_ring, tmp) != 0 ||
		    piece_add(snap, base, (uintptr_t)c, tmp) != 0)
			return -1;
		if (in_ring && c->next == heap->main_chunk)
			break;
	}
	return 0;
}

static struct zmm_snapshot *
snapshot_fail(struct zmm_snapshot *snap, struct spans *tmp, int why,
    int *status)
{
	free(tmp->v);
	zmm_snapshot_free(snap);
	if (status != NULL)
		*status = why;
	return NULL;
}

struct zmm_snapshot *
zmm_heap_snapshot(const struct zmm_heap *heap, const struct zmm_snapshot *base,
    int *status)
{
	struct zmm_snapshot *snap;
	struct spans committed = { NULL, 0, 0 }, tmp = { NULL, 0, 0 };
	const struct zmm_chunk *c;
	const struct zmm_huge *h;
	size_t npieces = 0;

	if (heap->storage != &zmm_storage_default_ops)
		return snapshot_fail(NULL, &tmp, ZMM_E_INVALID, status);
	if (heap->dispatching)
		return snapshot_fail(NULL, &tmp, ZMM_E_BUSY, status);
	if (base != NULL && base->owner != heap)
		base = NULL;
	snap = calloc(1, sizeof(*snap));
	if (snap == NULL || committed_now(heap, &committed) != 0) {
		free(committed.v);
		return snapshot_fail(snap, &tmp, ZMM_E_NOMEM, status);
	}
	snap->owner = heap;
	snap->committed = committed.v;
	snap->ncommitted = committed.n;
	/* a piece per chunk, and per huge block with the payload */
	c = heap->main_chunk;
	do {
		npieces++;
		c = c->next;
	} while (c != heap->main_chunk);
	for (c = heap->cached_chunks; c != NULL; c = c->next)
		npieces++;
	for (h = heap->huge_list; heap->payload && h != NULL; h = h->next)
		npieces++;
	snap->pieces = malloc(npieces * sizeof(*snap->pieces));
	snap->frame = sizeof(*snap) + committed.n * sizeof(*snap->committed) +
	    npieces * sizeof(*snap->pieces);
	snap->bytes = snap->frame;
	if (snap->pieces == NULL ||
	    save_chunks(snap, base, heap->main_chunk, true, &tmp) != 0 ||
	    save_chunks(snap, base, heap->cached_chunks, false, &tmp) != 0)
		return snapshot_fail(snap, &tmp, ZMM_E_NOMEM, status);
	for (h = heap->huge_list; heap->payload && h != NULL; h = h->next) {
		tmp.n = 0;
		if (spans_add(&tmp, (uintptr_t)h->ptr, h->size) != 0 ||
		    piece_add(snap, base, (uintptr_t)h->ptr, &tmp) != 0)
			return snapshot_fail(snap, &tmp, ZMM_E_NOMEM, status);
	}
	free(tmp.v);
	qsort(snap->pieces, snap->npieces, sizeof(*snap->pieces), piece_cmp);
	snap->heap = *heap;
	zmm__storage_mark_save(heap->storage_ctx, &snap->mark);
	if (status != NULL)
		*status = ZMM_OK;
	return snap;
}

typedef int span_fn(struct zmm_heap *heap, uintptr_t addr, size_t len);

/*
 * Calls FN on every part of A's spans that no span of B covers (both
 * sorted and disjoint); stops at FN's first non-zero return.
 */
static int
spans_minus(struct zmm_heap *heap, const struct span *a, size_t na,
    const struct span *b, size_t nb, span_fn *fn)
{
	size_t i, j = 0;
	uintptr_t from, end;
	int rc;

	for (i = 0; i < na; i++) {
		from = a[i].addr;
		end = a[i].addr + a[i].len;
		while (j < nb && b[j].addr + b[j].len <= from)
			j++;
		for (; j < nb && b[j].addr < end; j++) {
			if (b[j].addr > from && (rc = fn(heap, from,
			    b[j].addr - from)) != 0)
				return rc;
			if (b[j].addr + b[j].len >= end) {
				from = end;
				break;
			}
			from = b[j].addr + b[j].len;
		}
		if (from < end && (rc = fn(heap, from, end - from)) != 0)
			return rc;
	}
	return 0;
}

static int
commit(struct zmm_heap *heap, uintptr_t addr, size_t len)
{
	return zmm__storage_commit(heap->storage_ctx, addr, len);
}

static int
decommit(struct zmm_heap *heap, uintptr_t addr, size_t len)
{
	heap->storage->unmap(heap->storage_ctx, (void *)addr, len);
	return 0;
}

int
zmm_heap_restore(struct zmm_heap *heap, const struct zmm_snapshot *snap)
{
	struct spans now = { NULL, 0, 0 };
	struct zmm_heap keep;
	const struct piece *p;
	const unsigned char *d;
	size_t i, k;

	if (snap->owner != heap)
		return ZMM_E_INVALID;
	if (heap->dispatching)
		return ZMM_E_BUSY;
	if (committed_now(heap, &now) != 0) {
		free(now.v);
		return ZMM_E_NOMEM;
	}
	/* commit first: if the system refuses, nothing has changed yet */
	if (spans_minus(heap, snap->committed, snap->ncommitted, now.v, now.n,
	    commit) != 0) {
		spans_minus(heap, snap->committed, snap->ncommitted, now.v,
		    now.n, decommit);
		free(now.v);
		return ZMM_E_NOMEM;
	}
	spans_minus(heap, now.v, now.n, snap->committed, snap->ncommitted,
	    decommit);
	free(now.v);
	for (i = 0; i < snap->npieces; i++) {
		p = snap->pieces[i];
		for (d = p->data, k = 0; k < p->nspans; k++) {
			memcpy((void *)p->spans[k].addr, d, p->spans[k].len);
			d += p->spans[k].len;
		}
	}
	/* everything but the listeners, which are those of now */
	keep = *heap;
	*heap = snap->heap;
	heap->observed = keep.observed;
	heap->muted = keep.muted;
	heap->dispatching = keep.dispatching;
	heap->listeners_top = keep.listeners_top;
	memcpy(heap->listeners, keep.listeners, sizeof(heap->listeners));
	heap->target = keep.target;
	heap->slot_event = keep.slot_event;
	zmm__storage_mark_load(heap->storage_ctx, &snap->mark);
	return ZMM_OK;
}
