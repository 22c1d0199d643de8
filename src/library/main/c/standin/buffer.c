/*
 * Content buffers.  Each block is delivered in a buffer owned by the
 * stand-in, with a reference count: the delivering thread holds one
 * reference for the duration of the ReceiveContents callback, and
 * WdsTransportClientAddRefBuffer / ReleaseBuffer add and drop more.  When
 * the last reference goes the bytes are poisoned (ST_POISON_BYTE) and the
 * buffer returns to its session's pool, so a consumer that kept the pointer
 * without a reference reads garbage rather than its data.
 *
 * A global registry maps each live buffer's data pointer to the buffer, so
 * AddRef/Release of anything else (a stale, interior or random pointer) is
 * refused with ERROR_INVALID_PARAMETER instead of being dereferenced.
 * Buffers keep their session alive while referenced: a consumer may hold a
 * block past SessionComplete, CloseSession and even Shutdown.
 */
#include <stdlib.h>
#include <string.h>

#include "standin.h"

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

struct st_buffer *st_buffer_get(struct session *s, uint32_t len)
{
    struct st_buffer *b = NULL;
    pthread_mutex_lock(&s->mu);
    /* The pool holds buffers of the session's block size; a smaller last
     * block reuses one of them. */
    struct st_buffer **pp = &s->free_buffers;
    while (*pp && (*pp)->cap < len)
        pp = &(*pp)->next_free;
    if (*pp) {
        b = *pp;
        *pp = b->next_free;
    }
    pthread_mutex_unlock(&s->mu);
    if (!b && !(b = buffer_new(len)))
        return NULL;
    b->next_free = NULL;
    b->owner = s;
    b->poison = s->opt.poison;
    b->refs = 1;
    st_session_ref(s);
    pthread_mutex_lock(&g_registry_mu);
    int rc = st_map_put(&g_registry, (uint64_t)(uintptr_t)b->data, (uint64_t)(uintptr_t)b);
    pthread_mutex_unlock(&g_registry_mu);
    if (rc != 0) {
        st_session_unref(s);
        buffer_delete(b);
        return NULL;
    }
    return b;
}

/* The last reference went: poison, back to the pool, drop the session ref. */
static void buffer_retire(struct st_buffer *b)
{
    struct session *s = b->owner;
    if (b->poison)
        memset(b->data, ST_POISON_BYTE, b->cap);
    b->owner = NULL;
    pthread_mutex_lock(&s->mu);
    b->next_free = s->free_buffers;
    s->free_buffers = b;
    pthread_mutex_unlock(&s->mu);
    st_session_unref(s);
}

void st_buffer_release(struct st_buffer *b)
{
    pthread_mutex_lock(&g_registry_mu);
    bool last = --b->refs == 0;
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
        last = --b->refs == 0;
        if (last)
            st_map_remove(&g_registry, (uint64_t)(uintptr_t)data, NULL);
    }
    pthread_mutex_unlock(&g_registry_mu);
    if (!b)
        return ERROR_INVALID_PARAMETER;
    if (last)
        buffer_retire(b);
    return ERROR_SUCCESS;
}

/* Called when the session is destroyed: no buffer is live any more. */
void st_buffer_free_pool(struct session *s)
{
    struct st_buffer *b = s->free_buffers;
    while (b) {
        struct st_buffer *next = b->next_free;
        buffer_delete(b);
        b = next;
    }
    s->free_buffers = NULL;
}
