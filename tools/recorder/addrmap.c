/*
 * addrmap.c - live blocks by address for the recorders (addrmap.h).
 */
#include "addrmap.h"

/* Fibonacci hashing: the high bits of the product spread aligned pointers. */
static size_t
home_of(uintptr_t addr, size_t cap)
{
	return (size_t)(((uint64_t)addr * 0x9e3779b97f4a7c15ULL) >> 17) &
	    (cap - 1);
}

static int
grow(struct addrmap *map)
{
	size_t cap = map->cap ? map->cap * 2 : 4096, i, j;
	struct addrmap_slot *slots;

	if (cap < map->cap || cap > SIZE_MAX / sizeof(*slots))
		return -1;
	slots = map->get(cap * sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (i = 0; i < map->cap; i++) {
		if (map->slots[i].addr == 0)
			continue;
		j = home_of(map->slots[i].addr, cap);
		while (slots[j].addr != 0)
			j = (j + 1) & (cap - 1);
		slots[j] = map->slots[i];
	}
	if (map->slots != NULL)
		map->put(map->slots, map->cap * sizeof(*slots));
	map->slots = slots;
	map->cap = cap;
	return 0;
}

int
addrmap_put(struct addrmap *map, const void *p, uint64_t id)
{
	uintptr_t addr = (uintptr_t)p;
	size_t i;

	/* at most 3/4 full, so probes stay short */
	if ((map->len + 1) * 4 > map->cap * 3 && grow(map) != 0)
		return -1;
	i = home_of(addr, map->cap);
	while (map->slots[i].addr != 0 && map->slots[i].addr != addr)
		i = (i + 1) & (map->cap - 1);
	if (map->slots[i].addr == 0)
		map->len++;
	map->slots[i].addr = addr;
	map->slots[i].id = id;
	return 0;
}

uint64_t
addrmap_take(struct addrmap *map, const void *p)
{
	uintptr_t addr = (uintptr_t)p;
	size_t mask = map->cap - 1, i, j, home;
	uint64_t id;

	if (map->cap == 0 || addr == 0)
		return 0;
	i = home_of(addr, map->cap);
	while (map->slots[i].addr != addr) {
		if (map->slots[i].addr == 0)
			return 0;
		i = (i + 1) & mask;
	}
	id = map->slots[i].id;
	map->slots[i].addr = 0;
	map->len--;
	/*
	 * Pull later entries of the chain back into the hole when their home
	 * is not between the hole and them, so lookups never stop early.
	 */
	for (j = (i + 1) & mask; map->slots[j].addr != 0; j = (j + 1) & mask) {
		home = home_of(map->slots[j].addr, map->cap);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			map->slots[i] = map->slots[j];
			map->slots[j].addr = 0;
			i = j;
		}
	}
	return id;
}

void
addrmap_clear(struct addrmap *map)
{
	if (map->slots != NULL)
		map->put(map->slots, map->cap * sizeof(*map->slots));
	map->slots = NULL;
	map->cap = 0;
	map->len = 0;
}
