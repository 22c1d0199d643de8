/*
 * Content buffers.  Each block is delivered in a buffer owned by the
 * stand-in, with a reference count: the delivering thread holds one
 * reference for the duration of the ReceiveContents callback, and
 * WdsTransportClientAddRefBuffer / ReleaseBuffer add and drop more.
 * ReleaseBuffer drops only references taken with AddRefBuffer: one more
 * ReleaseBuffer than AddRefBuffer calls (which would drop the delivering
 * thread's reference in the middle of the callback) is refused with
 * ERROR_INVALID_PARAMETER and changes nothing.  When the last reference goes the bytes are poisoned (ST_POISON_BYTE, unless the
 * session's options say poison=0) and the buffer returns to its pool, so a
 * consumer that kept the pointer without a reference reads garbage rather
 * than its data.
 *
 * A global registry maps each live buffer's data pointer to the buffer, so
 * AddRef/Release of anything else (a stale, interior or random pointer) is
 * refused with ERROR_INVALID_PARAMETER instead of being dereferenced.
 *
 * Each session owns one pool.  A live buffer keeps its pool (not its
 * session) alive, so a consumer may hold a block past SessionComplete,
 * CloseSession and even Shutdown; the pool, with the memory of every buffer
 * in it, is freed once its session has dropped it and no buffer of it is
 * live.  Until then a released buffer's memory stays allocated (poisoned).
 *
 * This file knows nothing of sessions: session.c creates, uses and drops
 * pools.
 */
#include <stdlib.h>
#include <string.h>

#include "standin.h"

atomic_ullong st_live_buffers;
atomic_ullong st_live_buffer_bytes;

struct st_pool {
    pthread_mutex_t mu;
    unsigned long refs;            /* the owner's (until st_pool_drop) + one per live buffer */
    bool poison;
    struct st_buffer *free;        /* released buffers, for reuse */
};

struct st_buffer {
    struct st_buffer *next_free;   /* in its pool's free list; pool->mu */
    struct st_pool *pool;
    uint32_t refs;                 /* AddRefBuffer references not yet released; registry lock */
    bool lent;                     /* the delivering thread's reference; registry lock */
    uint32_t cap;
    unsigned char *data;
};

static pthread_mutex_t g_registry_mu = PTHREAD_MUTEX_INITIALIZER;
static st_map g_registry;   /* data pointer -> struct st_buffer *, live buffers only */

static struct st_buffer *buffer_new(uint32_t cap)
{
    struct st_buffer *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    /* Page alignment, as a real receive buffer would have; at least 1 byte. */
    if (posix_memalign((void **)&b->data, 4096, cap ? cap : 1) != 0) {
        free(b);
        return NULL;
    }
    b->cap = cap;
    atomic_fetch_add(&st_live_buffers, 1);
    atomic_fetch_add(&st_live_buffer_bytes, cap);
    return b;
}

static void buffer_delete(struct st_buffer *b)
{
    atomic_fetch_sub(&st_live_buffers, 1);
    atomic_fetch_sub(&st_live_buffer_bytes, b->cap);
    free(b->data);
    free(b);
}

/* ---- pools ------------------------------------------------------------------ */

struct st_pool *st_pool_new(bool poison)
{
    struct st_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    p->refs = 1;
    p->poison = poison;
    return p;
}

/* No reference is left: no buffer of the pool is live. */
static void pool_destroy(struct st_pool *p)
{
    struct st_buffer *b = p->free;
    while (b) {
        struct st_buffer *next = b->next_free;
        buffer_delete(b);
        b = next;
    }
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static void pool_unref(struct st_pool *p)
{
    pthread_mutex_lock(&p->mu);
    bool last = --p->refs == 0;
    pthread_mutex_unlock(&p->mu);
    if (last)
        pool_destroy(p);
}

void st_pool_drop(struct st_pool *p)
{
    pool_unref(p);
}

struct st_buffer *st_pool_get(struct st_pool *p, uint32_t len)
{
    struct st_buffer *b = NULL;
    pthread_mutex_lock(&p->mu);
    /* The pool holds buffers of the session's block size; a smaller last
     * block reuses one of them. */
    struct st_buffer **pp = &p->free;
    while (*pp && (*pp)->cap < len)
        pp = &(*pp)->next_free;
    if (*pp) {
        b = *pp;
        *pp = b->next_free;
    }
    pthread_mutex_unlock(&p->mu);
    if (!b && !(b = buffer_new(len)))
        return NULL;
    b->next_free = NULL;
    b->pool = p;
    b->refs = 0;
    b->lent = true;
    pthread_mutex_lock(&g_registry_mu);
    int rc = st_map_put(&g_registry, (uint64_t)(uintptr_t)b->data, (uint64_t)(uintptr_t)b);
    pthread_mutex_unlock(&g_registry_mu);
    if (rc != 0) {
        buffer_delete(b);
        return NULL;
    }
    pthread_mutex_lock(&p->mu);
    p->refs++;                     /* the live buffer's */
    pthread_mutex_unlock(&p->mu);
    return b;
}

unsigned char *st_buffer_data(const struct st_buffer *b)
{
    return b->data;
}

/* ---- references -------------------------------------------------------------- */

/* The last reference went: poison, back to the pool, drop the pool reference. */
static void buffer_retire(struct st_buffer *b)
{
    struct st_pool *p = b->pool;
    if (p->poison)
        memset(b->data, ST_POISON_BYTE, b->cap);
    b->pool = NULL;
    pthread_mutex_lock(&p->mu);
    b->next_free = p->free;
    p->free = b;
    pthread_mutex_unlock(&p->mu);
    pool_unref(p);
}

void st_buffer_release(struct st_buffer *b)
{
    pthread_mutex_lock(&g_registry_mu);
    b->lent = false;
    bool last = b->refs == 0;
    if (last)
        st_map_remove(&g_registry, (uint64_t)(uintptr_t)b->data, NULL);
    pthread_mutex_unlock(&g_registry_mu);
    if (last)
        buffer_retire(b);
}

DWORD st_buffer_addref_ptr(const void *data)
{
    if (!data)
        return ERROR_INVALID_PARAMETER;
    uint64_t v;
    DWORD err = ERROR_INVALID_PARAMETER;
    pthread_mutex_lock(&g_registry_mu);
    if (st_map_get(&g_registry, (uint64_t)(uintptr_t)data, &v)) {
        struct st_buffer *b = (struct st_buffer *)(uintptr_t)v;
        if (b->refs < UINT32_MAX) {
            b->refs++;
            err = ERROR_SUCCESS;
        }
    }
    pthread_mutex_unlock(&g_registry_mu);
    return err;
}

DWORD st_buffer_release_ptr(const void *data)
{
    if (!data)
        return ERROR_INVALID_PARAMETER;
    uint64_t v;
    struct st_buffer *b = NULL;
    bool last = false;
    pthread_mutex_lock(&g_registry_mu);
    if (st_map_get(&g_registry, (uint64_t)(uintptr_t)data, &v)) {
        b = (struct st_buffer *)(uintptr_t)v;
        if (b->refs == 0) {
            b = NULL;              /* no AddRefBuffer reference to drop */
        } else {
            last = --b->refs == 0 && !b->lent;
            if (last)
                st_map_remove(&g_registry, (uint64_t)(uintptr_t)data, NULL);
        }
    }
    pthread_mutex_unlock(&g_registry_mu);
    if (!b)
        return ERROR_INVALID_PARAMETER;
    if (last)
        buffer_retire(b);
    return ERROR_SUCCESS;
}
