/*
 * A small open-addressing hash map from uint64 keys to uint64 values
 * (linear probing, backward-shift deletion).  Used for the blocks a session
 * has delivered but not seen completed, and for the registry of live buffers.
 * Not thread-safe: callers hold the lock that guards the map.
 */
#include <stdlib.h>

#include "standin.h"

static size_t map_hash(uint64_t key, size_t mask)
{
    /* Fibonacci hashing spreads block offsets (multiples of the block size)
     * and pointers (multiples of their alignment) over the whole table. */
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & mask;
}

static int map_grow(st_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    st_entry *ne = malloc(ncap * sizeof *ne);
    if (!ne)
        return -1;
    for (size_t i = 0; i < ncap; i++)
        ne[i].key = ST_MAP_EMPTY;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->e[i].key == ST_MAP_EMPTY)
            continue;
        size_t j = map_hash(m->e[i].key, ncap - 1);
        while (ne[j].key != ST_MAP_EMPTY)
            j = (j + 1) & (ncap - 1);
        ne[j] = m->e[i];
    }
    free(m->e);
    m->e = ne;
    m->cap = ncap;
    return 0;
}

int st_map_put(st_map *m, uint64_t key, uint64_t val)
{
    if ((m->len + 1) * 4 > m->cap * 3 && map_grow(m) != 0)   /* load <= 3/4 */
        return -1;
    size_t mask = m->cap - 1;
    size_t i = map_hash(key, mask);
    while (m->e[i].key != ST_MAP_EMPTY && m->e[i].key != key)
        i = (i + 1) & mask;
    if (m->e[i].key == ST_MAP_EMPTY)
        m->len++;
    m->e[i].key = key;
    m->e[i].val = val;
    return 0;
}

static size_t map_find(const st_map *m, uint64_t key)
{
    if (m->cap == 0)
        return SIZE_MAX;
    size_t mask = m->cap - 1;
    size_t i = map_hash(key, mask);
    while (m->e[i].key != ST_MAP_EMPTY) {
        if (m->e[i].key == key)
            return i;
        i = (i + 1) & mask;
    }
    return SIZE_MAX;
}

bool st_map_get(const st_map *m, uint64_t key, uint64_t *val)
{
    size_t i = map_find(m, key);
    if (i == SIZE_MAX)
        return false;
    if (val)
        *val = m->e[i].val;
    return true;
}

bool st_map_remove(st_map *m, uint64_t key, uint64_t *val)
{
    size_t i = map_find(m, key);
    if (i == SIZE_MAX)
        return false;
    if (val)
        *val = m->e[i].val;
    /* Backward-shift deletion keeps every probe chain unbroken. */
    size_t mask = m->cap - 1;
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->e[j].key != ST_MAP_EMPTY; j = (j + 1) & mask) {
        size_t home = map_hash(m->e[j].key, mask);
        /* Move e[j] into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = (hole <= j) ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            m->e[hole] = m->e[j];
            hole = j;
        }
    }
    m->e[hole].key = ST_MAP_EMPTY;
    m->len--;
    return true;
}

void st_map_free(st_map *m)
{
    free(m->e);
    m->e = NULL;
    m->cap = m->len = 0;
}
