/*
 * replay.c - the replay engine: owns the heap, the trace position and the
 * ID table, and is the only caller of the mutating heap API.
 *
 *   items:  [@title][@caption][alloc a][alloc b][@pause][free a] ...
 *                                       ^ next
 *   blocks: ID index -> { ptr, requested size, op, epoch, slot }
 *   live:   the live ID indexes, unordered (slot: place in it)
 *   owners: { ptr, ID index } of the live blocks, sorted by ptr (on demand)
 *   checkpoints: at items 0, K, 2K, ...: heap snapshot + live blocks
 *
 * A block is live when its epoch equals the replay's: a `reset` forgets
 * every ID at once by moving to the next epoch.  The reverse index serves
 * the viewer's inspector; it is built by the first replay_owner() after
 * the block table changed, so stepping pays only for counting changes.
 *
 * Seeking restores the last checkpoint at or before the target (backwards
 * always, forwards when it saves enough stepping) and steps from there,
 * muted.  Checkpoints are taken while a seek steps over a multiple of K
 * that has none yet.  K doubles, dropping every other checkpoint, while
 * they hold more than the budget or while one costs more to take than
 * K items cost to step (BYTES_PER_ITEM).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

struct block {
	void		*ptr;
	uint64_t	 size;		/* bytes requested */
	uint64_t	 opno;		/* op that made it */
	uint32_t	 epoch;		/* live when equal to the replay's */
	uint32_t	 slot;		/* its place in the live list, while live */
};

/* A live block as a checkpoint keeps it. */
struct saved_block {
	void		*ptr;
	uint64_t	 size;
	uint64_t	 opno;
	uint32_t	 id;
};

/* The replay's whole state after item POS - 1. */
struct checkpoint {
	size_t		 pos;		/* items done */
	uint64_t	 op;
	size_t		 caption;
	size_t		 live_bytes;
	bool		 size_known;
	struct zmm_snapshot *heap;
	struct saved_block *live;
	uint32_t	 nlive;
	size_t		 bytes;		/* allocated when taken */
	size_t		 size;		/* bytes a restore copies */
};

/*
 * Copying a checkpoint's bytes in or out costs about as much as stepping
 * one item per this many bytes (memcpy against a muted op, measured).
 */
#define BYTES_PER_ITEM	32

/* A live block by address. */
struct owner {
	uintptr_t	 addr;
	uint32_t	 id;
};

/* The live blocks sorted by address; current while gen is the replay's. */
struct owner_index {
	struct owner	*owner;
	struct owner	*spare;		/* the radix sort's other buffer */
	size_t		 n;
	size_t		 cap;
	uint64_t	 gen;
	bool		 built;
};

struct listener {
	zmm_event_fn	*fn;		/* NULL: free */
	void		*arg;
	int		 heap_id;	/* slot in the current heap */
};

struct replay {
	const struct trace *trace;
	struct trace_item item;		/* the last one stepped over */
	size_t		 nitems;
	size_t		 next;		/* index of the next item */
	uint64_t	 op;		/* OPNO of the last op carried out */
	size_t		 caption;	/* item index of the caption + 1, or 0 */
	struct zmm_heap	*heap;
	struct block	*blocks;	/* by ID index */
	uint32_t	*live;		/* live ID indexes, nlive of them */
	uint32_t	 nlive;
	uint32_t	 epoch;
	uint64_t	 gen;		/* bumped by every change of blocks */
	struct owner_index *index;	/* mutable behind a const replay */
	struct replay_options options;
	size_t		 live_bytes;	/* block sizes of live IDs, when checking */
	bool		 size_known;	/* live_bytes tells `size` (no failed op) */
	struct listener	 listeners[ZMM_LISTENERS_MAX];
	struct checkpoint *cps;		/* by position; cps[0] is item 0 */
	size_t		 ncps;
	size_t		 cps_cap;
	size_t		 spacing;	/* K: checkpoints at its multiples */
	bool		 adaptive;	/* K grows with a checkpoint's cost */
	size_t		 budget;
	size_t		 cps_bytes;	/* what they hold together */
};

/* Every ID dead at once: the next epoch (or, when it wraps, a real wipe). */
static void
forget_all(struct replay *r)
{
	r->epoch++;
	if (r->epoch == 0) {
		memset(r->blocks, 0, sizeof(*r->blocks) *
		    trace_id_count(r->trace));
		r->epoch = 1;
	}
	r->nlive = 0;
	r->gen++;
	r->live_bytes = 0;
	r->size_known = true;
}

static int
heap_build(struct replay *r)
{
	int status, i;

	r->heap = zmm_heap_new(NULL, NULL, &status);
	if (r->heap == NULL)
		return status;
	/* a trace's blocks hold nothing worth copying */
	zmm_heap_set_payload(r->heap, false);
	for (i = 0; i < ZMM_LISTENERS_MAX; i++)
		if (r->listeners[i].fn != NULL)
			r->listeners[i].heap_id = zmm_heap_listen(r->heap,
			    r->listeners[i].fn, r->listeners[i].arg);
	r->next = 0;
	r->op = 0;
	r->caption = 0;
	forget_all(r);
	return ZMM_OK;
}

static void
checkpoint_drop(struct replay *r, struct checkpoint *cp)
{
	r->cps_bytes -= zmm_snapshot_free(cp->heap) +
	    (size_t)cp->nlive * sizeof(*cp->live) + sizeof(*cp);
	free(cp->live);
}

static void
checkpoints_clear(struct replay *r)
{
	size_t i;

	for (i = 0; i < r->ncps; i++)
		checkpoint_drop(r, &r->cps[i]);
	r->ncps = 0;
}

/*
 * The state now as a checkpoint placed at I in the list, sharing unchanged
 * chunks with the one before it; 0, or -1 without memory (no checkpoint).
 */
static int
checkpoint_take(struct replay *r, size_t i)
{
	struct checkpoint cp, *grown;
	uint32_t k;

	if (r->ncps == r->cps_cap) {
		size_t cap = r->cps_cap ? 2 * r->cps_cap : 16;

		grown = realloc(r->cps, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		r->cps = grown;
		r->cps_cap = cap;
	}
	cp.pos = r->next;
	cp.op = r->op;
	cp.caption = r->caption;
	cp.live_bytes = r->live_bytes;
	cp.size_known = r->size_known;
	cp.nlive = r->nlive;
	cp.live = malloc((r->nlive ? r->nlive : 1) * sizeof(*cp.live));
	if (cp.live == NULL)
		return -1;
	cp.heap = zmm_heap_snapshot(r->heap, i > 0 ? r->cps[i - 1].heap : NULL,
	    NULL);
	if (cp.heap == NULL) {
		free(cp.live);
		return -1;
	}
	for (k = 0; k < r->nlive; k++) {
		const struct block *b = &r->blocks[r->live[k]];

		cp.live[k].ptr = b->ptr;
		cp.live[k].size = b->size;
		cp.live[k].opno = b->opno;
		cp.live[k].id = r->live[k];
	}
	cp.bytes = zmm_snapshot_bytes(cp.heap) +
	    (size_t)cp.nlive * sizeof(*cp.live) + sizeof(cp);
	cp.size = zmm_snapshot_size(cp.heap) +
	    (size_t)cp.nlive * sizeof(*cp.live);
	r->cps_bytes += cp.bytes;
	memmove(&r->cps[i + 1], &r->cps[i], (r->ncps - i) * sizeof(*r->cps));
	r->cps[i] = cp;
	r->ncps++;
	return 0;
}

/* K doubles: the checkpoints off its multiples go (item 0's stays). */
static void
checkpoints_thin(struct replay *r)
{
	size_t i, n = 1;

	r->spacing *= 2;
	for (i = 1; i < r->ncps; i++) {
		if (r->cps[i].pos % r->spacing != 0)
			checkpoint_drop(r, &r->cps[i]);
		else
			r->cps[n++] = r->cps[i];
	}
	r->ncps = n;
}

/* The index of the last checkpoint at or before item POS (cps[0]: item 0). */
static size_t
checkpoint_find(const struct replay *r, size_t pos)
{
	size_t lo = 0, hi = r->ncps, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (r->cps[mid].pos <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * At a multiple of K with no checkpoint: take one, then thin them out
 * while they hold more than the budget, or (adaptive K) while taking one
 * costs more than stepping K items.
 */
static void
checkpoint_here(struct replay *r)
{
	size_t i = checkpoint_find(r, r->next), size;

	if (r->ncps == 0 || r->cps[i].pos == r->next ||
	    checkpoint_take(r, i + 1) != 0)
		return;
	size = r->cps[i + 1].size;
	while (r->ncps > 1 && r->cps_bytes > r->budget)
		checkpoints_thin(r);
	while (r->adaptive && size / BYTES_PER_ITEM > r->spacing)
		checkpoints_thin(r);
}

/* The state of checkpoint CP: heap, block table, position. */
static int
checkpoint_restore(struct replay *r, const struct checkpoint *cp)
{
	struct block *b;
	uint32_t k;
	int rc;

	rc = zmm_heap_restore(r->heap, cp->heap);
	if (rc != ZMM_OK)
		return rc;
	forget_all(r);
	for (k = 0; k < cp->nlive; k++) {
		b = &r->blocks[cp->live[k].id];
		b->ptr = cp->live[k].ptr;
		b->size = cp->live[k].size;
		b->opno = cp->live[k].opno;
		b->epoch = r->epoch;
		b->slot = k;
		r->live[k] = cp->live[k].id;
	}
	r->nlive = cp->nlive;
	r->next = cp->pos;
	r->op = cp->op;
	r->caption = cp->caption;
	r->live_bytes = cp->live_bytes;
	r->size_known = cp->size_known;
	return ZMM_OK;
}

/* A fresh heap and its checkpoint at item 0 (none without memory). */
static int
heap_start(struct replay *r)
{
	int rc;

	checkpoints_clear(r);
	zmm_heap_free_all(r->heap);
	r->heap = NULL;
	rc = heap_build(r);
	if (rc == ZMM_OK)
		checkpoint_take(r, 0);
	return rc;
}

struct replay *
replay_new(const struct trace *trace, const struct replay_options *options,
    int *status)
{
	struct replay *r;
	uint32_t nids = trace_id_count(trace);
	int rc;

	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->blocks = calloc(nids ? nids : 1,
	    sizeof(*r->blocks))) == NULL ||
	    (r->live = malloc((nids ? nids : 1) * sizeof(*r->live))) == NULL ||
	    (r->index = calloc(1, sizeof(*r->index))) == NULL) {
		if (r != NULL) {
			free(r->blocks);
			free(r->live);
		}
		free(r);
		if (status != NULL)
			*status = ZMM_E_NOMEM;
		return NULL;
	}
	r->trace = trace;
	r->nitems = trace_item_count(trace);
	if (options != NULL)
		r->options = *options;
	r->adaptive = r->options.checkpoint_spacing == 0;
	r->spacing = r->adaptive ? REPLAY_CHECKPOINT_SPACING :
	    r->options.checkpoint_spacing;
	r->budget = r->options.checkpoint_budget ?
	    r->options.checkpoint_budget : REPLAY_CHECKPOINT_BUDGET;
	rc = heap_start(r);
	if (rc != ZMM_OK) {
		free(r->index);
		free(r->live);
		free(r->blocks);
		free(r);
		if (status != NULL)
			*status = rc;
		return NULL;
	}
	if (status != NULL)
		*status = ZMM_OK;
	return r;
}

void
replay_free(struct replay *r)
{
	if (r == NULL)
		return;
	checkpoints_clear(r);
	free(r->cps);
	zmm_heap_free_all(r->heap);
	free(r->blocks);
	free(r->live);
	free(r->index->owner);
	free(r->index->spare);
	free(r->index);
	free(r);
}

void
replay_checkpoints(const struct replay *r, struct replay_checkpoints *out)
{
	out->count = r->ncps;
	out->bytes = r->cps_bytes;
	out->spacing = r->spacing;
	out->budget = r->budget;
}

const struct zmm_heap *
replay_heap(const struct replay *r)
{
	return r->heap;
}

const struct trace *
replay_trace(const struct replay *r)
{
	return r->trace;
}

size_t
replay_position(const struct replay *r)
{
	return r->next;
}

uint64_t
replay_op(const struct replay *r)
{
	return r->op;
}

const char *
replay_caption(const struct replay *r)
{
	struct trace_item it;

	if (r->caption == 0)
		return NULL;
	it = trace_item_at(r->trace, r->caption - 1);
	return trace_item_text(r->trace, &it, NULL);
}

bool
replay_block(const struct replay *r, uint32_t idx, const void **ptr,
    uint64_t *size, uint64_t *opno)
{
	const struct block *b;

	if (idx >= trace_id_count(r->trace))
		return false;
	b = &r->blocks[idx];
	if (b->epoch != r->epoch)
		return false;
	if (ptr != NULL)
		*ptr = b->ptr;
	if (size != NULL)
		*size = b->size;
	if (opno != NULL)
		*opno = b->opno;
	return true;
}

#define RADIX_BITS	11

/*
 * Sorts the N owners of IX by address: LSD radix over the address bits
 * that differ between blocks only (a few passes where qsort took several
 * times as long on a million blocks), through ix->spare.
 */
static void
index_sort(struct owner_index *ix, size_t n)
{
	size_t count[1u << RADIX_BITS], i, sum, c;
	struct owner *from = ix->owner, *to = ix->spare, *t;
	uintptr_t diff = 0;
	unsigned shift, end, d;

	for (i = 1; i < n; i++)
		diff |= from[i].addr ^ from[0].addr;
	if (diff == 0)
		return;
	shift = (unsigned)__builtin_ctzll(diff);
	end = 64 - (unsigned)__builtin_clzll(diff);
	for (; shift < end; shift += RADIX_BITS) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(from[i].addr >> shift) &
			    ((1u << RADIX_BITS) - 1)]++;
		for (sum = 0, d = 0; d < (1u << RADIX_BITS); d++) {
			c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i].addr >> shift) &
			    ((1u << RADIX_BITS) - 1)]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != ix->owner) {
		ix->spare = ix->owner;
		ix->owner = from;
	}
}

/* Rebuilds the reverse index from the block table; -1 when out of memory. */
static int
index_build(const struct replay *r)
{
	struct owner_index *ix = r->index;
	uint32_t nids = trace_id_count(r->trace), i;
	size_t n = 0;

	for (i = 0; i < nids; i++)
		n += r->blocks[i].epoch == r->epoch;
	if (n > ix->cap) {
		free(ix->owner);
		free(ix->spare);
		ix->owner = malloc(n * sizeof(*ix->owner));
		ix->spare = malloc(n * sizeof(*ix->spare));
		if (ix->owner == NULL || ix->spare == NULL) {
			free(ix->owner);
			free(ix->spare);
			ix->owner = ix->spare = NULL;
			ix->cap = 0;
			ix->built = false;
			return -1;
		}
		ix->cap = n;
	}
	n = 0;
	for (i = 0; i < nids; i++) {
		if (r->blocks[i].epoch != r->epoch)
			continue;
		ix->owner[n].addr = (uintptr_t)r->blocks[i].ptr;
		ix->owner[n].id = i;
		n++;
	}
	index_sort(ix, n);
	ix->n = n;
	ix->gen = r->gen;
	ix->built = true;
	return 0;
}

/* The ID index of the live block at ADDR by a plain scan, or UINT32_MAX. */
static uint32_t
owner_scan(const struct replay *r, uintptr_t addr)
{
	uint32_t nids = trace_id_count(r->trace), i;

	for (i = 0; i < nids; i++)
		if (r->blocks[i].epoch == r->epoch &&
		    (uintptr_t)r->blocks[i].ptr == addr)
			return i;
	return UINT32_MAX;
}

/* The ID index of the live block at ADDR by binary search, or UINT32_MAX. */
static uint32_t
owner_search(const struct owner_index *ix, uintptr_t addr)
{
	size_t lo = 0, hi = ix->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ix->owner[mid].addr == addr)
			return ix->owner[mid].id;
		if (ix->owner[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

bool
replay_owner(const struct replay *r, const void *ptr, const char **id,
    uint64_t *size, uint64_t *opno)
{
	const struct owner_index *ix = r->index;
	uintptr_t addr = (uintptr_t)ptr;
	uint32_t idx;

	if (ptr == NULL)
		return false;
	if ((ix->built && ix->gen == r->gen) || index_build(r) == 0)
		idx = owner_search(ix, addr);
	else
		idx = owner_scan(r, addr);	/* no memory for the index */
	if (idx == UINT32_MAX)
		return false;
	if (id != NULL)
		*id = trace_id_name(r->trace, idx);
	return replay_block(r, idx, NULL, size, opno);
}

static void
op_event(struct replay *r, enum zmm_event_type type, const struct trace_item *it,
    const char *id, const void *ptr)
{
	static const enum zmm_why whys[] = {
		[TRACE_ALLOC] = ZMM_WHY_OP_ALLOC,
		[TRACE_FREE] = ZMM_WHY_OP_FREE,
		[TRACE_REALLOC] = ZMM_WHY_OP_REALLOC,
		[TRACE_CALLOC] = ZMM_WHY_OP_CALLOC,
		[TRACE_STRDUP] = ZMM_WHY_OP_STRDUP,
		[TRACE_GC] = ZMM_WHY_OP_GC,
		[TRACE_RESET] = ZMM_WHY_OP_RESET,
		[TRACE_FREE_NULL] = ZMM_WHY_OP_FREE,
	};
	struct zmm_event ev;

	zmm_event_init(&ev, type);
	if (type == ZMM_EV_OP_BEGIN) {
		ev.why = whys[it->kind];
		ev.text = id;
		ev.size = (size_t)it->size;
		if (it->kind == TRACE_CALLOC &&
		    __builtin_mul_overflow(it->count, it->size, &ev.size))
			ev.size = SIZE_MAX;	/* the op will fail: overflow */
	} else {
		ev.loc = zmm_heap_loc(r->heap, ptr);
	}
	zmm_heap_emit(r->heap, &ev);
}

static bool
live(const struct replay *r, uint32_t id)
{
	return r->blocks[id].epoch == r->epoch;
}

static void
block_set(struct replay *r, uint32_t id, void *ptr, uint64_t size)
{
	struct block *b = &r->blocks[id];

	if (b->epoch != r->epoch) {
		b->slot = r->nlive;
		r->live[r->nlive++] = id;
	}
	b->ptr = ptr;
	b->size = size;
	b->opno = r->op;
	b->epoch = r->epoch;
	r->gen++;
	if (r->options.check)
		r->live_bytes += zmm_heap_block_size(r->heap, ptr);
}

static void
block_drop(struct replay *r, uint32_t id)
{
	uint32_t last = r->live[--r->nlive];

	if (r->options.check)
		r->live_bytes -= zmm_heap_block_size(r->heap, r->blocks[id].ptr);
	/* the last live ID takes its place in the list */
	r->live[r->blocks[id].slot] = last;
	r->blocks[last].slot = r->blocks[id].slot;
	r->blocks[id].epoch = 0;
	r->gen++;
}

static enum replay_status
trace_error(struct replay_step *out, const char *what, const char *id,
    const char *state)
{
	snprintf(out->msg, sizeof(out->msg), "%s of '%s', which is %s", what, id,
	    state);
	return REPLAY_TRACE_ERROR;
}

static enum replay_status
op_failed(struct replay *r, struct replay_step *out)
{
	snprintf(out->msg, sizeof(out->msg), "%s", zmm_heap_last_error(r->heap));
	r->size_known = false;	/* a failed small alloc leaves `size` raised */
	return REPLAY_OP_FAILED;
}

/* A liveness error of IT, or REPLAY_OK: checked before anything happens. */
static enum replay_status
check_live(const struct replay *r, const struct trace_item *it,
    struct replay_step *out)
{
	switch (it->kind) {
	case TRACE_ALLOC:
	case TRACE_CALLOC:
	case TRACE_STRDUP:
		if (live(r, it->id))
			return trace_error(out, it->kind == TRACE_ALLOC ? "alloc" :
			    it->kind == TRACE_CALLOC ? "calloc" : "strdup",
			    out->id, "already live");
		break;
	case TRACE_FREE:
		if (!live(r, it->id))
			return trace_error(out, "free", out->id, "not live");
		break;
	case TRACE_REALLOC:
		if (!live(r, it->id) && !(it->flags & TRACE_F_REP))
			return trace_error(out, "realloc", out->id, "not live");
		break;
	default:
		break;
	}
	return REPLAY_OK;
}

/* Carries out one op item, whose IDs check_live() has accepted. */
static enum replay_status
do_op(struct replay *r, const struct trace_item *it, struct replay_step *out)
{
	const char *text;
	void *ptr = NULL, *old;
	uint64_t size = it->size;
	size_t old_bytes;
	int rc = ZMM_OK;

	switch (it->kind) {
	case TRACE_ALLOC:
	case TRACE_CALLOC:
	case TRACE_STRDUP:
		if (it->kind == TRACE_ALLOC) {
			rc = zmm_heap_alloc(r->heap, it->size, &ptr);
		} else if (it->kind == TRACE_CALLOC) {
			rc = zmm_heap_calloc(r->heap, it->count, it->size, &ptr);
			size = it->count * it->size;
		} else {
			text = trace_item_text(r->trace, it, NULL);
			rc = zmm_heap_strdup(r->heap, text, &ptr);
			size = strlen(text) + 1;
		}
		if (rc != ZMM_OK)
			return op_failed(r, out);
		block_set(r, it->id, ptr, size);
		break;
	case TRACE_FREE:
		ptr = r->blocks[it->id].ptr;
		block_drop(r, it->id);
		rc = zmm_heap_free(r->heap, ptr);
		ptr = NULL;
		break;
	case TRACE_REALLOC:
		if (!live(r, it->id)) {
			/* .rep: realloc of a dead ID is realloc(NULL, SIZE) */
			rc = zmm_heap_realloc(r->heap, NULL, it->size, &ptr);
			if (rc != ZMM_OK)
				return op_failed(r, out);
			block_set(r, it->id, ptr, it->size);
			break;
		}
		old = r->blocks[it->id].ptr;
		old_bytes = r->options.check ? zmm_heap_block_size(r->heap, old) :
		    0;
		rc = zmm_heap_realloc(r->heap, old, it->size, &ptr);
		if (rc != ZMM_OK)
			return op_failed(r, out);
		r->live_bytes -= old_bytes;
		block_set(r, it->id, ptr, it->size);
		break;
	case TRACE_FREE_NULL:
		rc = zmm_heap_free(r->heap, NULL);
		break;
	case TRACE_GC:
		zmm_heap_gc(r->heap);
		break;
	case TRACE_RESET:
		zmm_heap_reset(r->heap);
		forget_all(r);
		break;
	default:
		break;
	}
	if (rc != ZMM_OK) {
		snprintf(out->msg, sizeof(out->msg), "internal: %s",
		    zmm_strerror(rc));
		return REPLAY_CHECK_FAILED;
	}
	if (ptr != NULL) {
		out->has_block = true;
		out->loc = zmm_heap_loc(r->heap, ptr);
	}
	return REPLAY_OK;
}

static bool
is_op(const struct trace_item *it)
{
	return it->kind <= TRACE_FREE_NULL;
}

enum replay_status
replay_step(struct replay *r, struct replay_step *out)
{
	const struct trace_item *it;
	enum replay_status st = REPLAY_OK;
	char msg[256];

	memset(out, 0, offsetof(struct replay_step, msg));
	out->msg[0] = '\0';
	if (r->next >= r->nitems)
		return out->status = REPLAY_END;
	if (r->options.checkpoint_steps && r->next % r->spacing == 0)
		checkpoint_here(r);
	trace_item_get(r->trace, r->next++, &r->item);
	it = out->item = &r->item;
	if (it->opno != 0) {
		r->op = it->opno;
		zmm_heap_set_op(r->heap, (unsigned long)it->opno);
	}
	switch (it->kind) {
	case TRACE_BAD:
		snprintf(out->msg, sizeof(out->msg), "%s",
		    trace_item_text(r->trace, it, NULL));
		return out->status = REPLAY_TRACE_ERROR;
	case TRACE_CAPTION:
		r->caption = r->next;
		return out->status = REPLAY_OK;
	case TRACE_LIMIT:
		if (zmm_heap_set_limit(r->heap, it->size) != ZMM_OK) {
			snprintf(out->msg, sizeof(out->msg), "%s",
			    zmm_heap_last_error(r->heap));
			return out->status = REPLAY_WARNING;
		}
		return out->status = REPLAY_OK;
	default:
		if (!is_op(it))
			return out->status = REPLAY_OK;
		break;
	}
	if (it->kind != TRACE_GC && it->kind != TRACE_RESET &&
	    it->kind != TRACE_FREE_NULL)
		out->id = trace_id_name(r->trace, it->id);
	if (check_live(r, it, out) != REPLAY_OK)
		return out->status = REPLAY_TRACE_ERROR;
	op_event(r, ZMM_EV_OP_BEGIN, it, out->id, NULL);
	st = do_op(r, it, out);
	op_event(r, ZMM_EV_OP_END, it, out->id,
	    out->has_block ? r->blocks[it->id].ptr : NULL);
	if (r->options.check &&
	    zmm_heap_check(r->heap, r->size_known ? r->live_bytes : SIZE_MAX,
	    msg, sizeof(msg)) != 0) {
		snprintf(out->msg, sizeof(out->msg), "heap check failed: %s", msg);
		st = REPLAY_CHECK_FAILED;
	}
	return out->status = st;
}

int
replay_seek_item(struct replay *r, size_t index)
{
	struct replay_step step;
	const struct checkpoint *cp;
	size_t stop;
	int rc;

	if (index > r->nitems)
		index = r->nitems;
	cp = r->ncps > 0 ? &r->cps[checkpoint_find(r, index)] : NULL;
	/* forwards, a checkpoint pays when it skips more than it copies */
	if (cp != NULL && (index < r->next || (cp->pos > r->next &&
	    (cp->pos - r->next) * BYTES_PER_ITEM > cp->size)) &&
	    checkpoint_restore(r, cp) != ZMM_OK)
		cp = NULL;
	if (cp == NULL && index < r->next) {
		/* no checkpoint to go back to: from a fresh heap */
		rc = heap_start(r);
		if (rc != ZMM_OK)
			return rc;
	}
	zmm_heap_mute(r->heap, true);
	for (;;) {
		if (r->next % r->spacing == 0)
			checkpoint_here(r);
		if (r->next >= index)
			break;
		/* to the next multiple of K, or the target */
		stop = (r->next / r->spacing + 1) * r->spacing;
		if (stop > index)
			stop = index;
		while (r->next < stop)
			replay_step(r, &step);
	}
	zmm_heap_mute(r->heap, false);
	return ZMM_OK;
}

int
replay_seek_op(struct replay *r, uint64_t ops)
{
	size_t index;

	if (ops == 0)
		return replay_seek_item(r, 0);
	index = trace_item_of_op(r->trace, ops);
	if (index == SIZE_MAX)
		index = r->nitems - 1;
	return replay_seek_item(r, index + 1);
}

int
replay_listen(struct replay *r, zmm_event_fn *fn, void *arg)
{
	int i;

	for (i = 0; i < ZMM_LISTENERS_MAX; i++) {
		if (r->listeners[i].fn == NULL) {
			r->listeners[i].fn = fn;
			r->listeners[i].arg = arg;
			r->listeners[i].heap_id = zmm_heap_listen(r->heap, fn,
			    arg);
			return i;
		}
	}
	return -1;
}

void
replay_unlisten(struct replay *r, int id)
{
	if (id < 0 || id >= ZMM_LISTENERS_MAX || r->listeners[id].fn == NULL)
		return;
	zmm_heap_unlisten(r->heap, r->listeners[id].heap_id);
	r->listeners[id].fn = NULL;
}
