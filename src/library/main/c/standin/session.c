/*
 * A session's delivery thread.  Every callback of a session runs on the one
 * thread the stand-in creates for it when StartSession is called; no lock is
 * held while a callback runs, so a callback may call any API function
 * (CompleteReceive, CancelSession, QueryStatus, CloseSession ...).
 *
 * Order of callbacks:
 *   SessionStart (required), then SessionStartEx (if registered): when both
 *     are registered both fire, SessionStart first;
 *   ReceiveMetadata (if registered and the object has metadata);
 *   SessionNegotiate (if registered): the consumer may answer, during that
 *     callback only, with NegotiateRequiredDataRange calls; each adds a byte
 *     range it needs, and only blocks overlapping one of them are delivered.
 *     No answer means the whole object;
 *   ReceiveContents for each block, in the order the options choose, each
 *     block exactly once, never more than ulCacheSize bytes delivered and not
 *     yet completed (ulCacheSize 0, WDS_TRANSPORTCLIENT_NO_CACHE, means no
 *     limit);
 *   SessionComplete, exactly once and last.  On success it comes after every
 *     delivered block has been completed (once CloseSession has run, nobody
 *     holds a handle to complete blocks with, so from then on a block counts
 *     as completed when its callback returns), so a consumer that completes blocks
 *     asynchronously has finished with all of them by then; after a failure
 *     or a cancel it comes at once, and blocks still outstanding may be
 *     completed afterwards (until CloseSession).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "standin.h"

/* The session whose callbacks the current thread delivers, if any. */
static __thread struct session *tls_session;

bool st_on_worker_of(const struct session *s)
{
    return tls_session == s;
}

bool st_on_any_worker(void)
{
    return tls_session != NULL;
}

void st_session_ref(struct session *s)
{
    atomic_fetch_add(&s->refs, 1);
}

static void session_destroy(struct session *s)
{
    st_buffer_free_pool(s);
    st_map_free(&s->outstanding);
    st_options_free(&s->opt);
    free(s->server);
    free(s->nspace);
    free(s->base);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    atomic_fetch_sub(&st_live_sessions, 1);
}

void st_session_unref(struct session *s)
{
    if (atomic_fetch_sub(&s->refs, 1) == 1)
        session_destroy(s);
}

/* Waits on s->cv (s->mu held) until the deadline; false once it passed. */
static bool wait_until(struct session *s, const struct timespec *deadline)
{
    return pthread_cond_timedwait(&s->cv, &s->mu, deadline) != ETIMEDOUT;
}

static void deadline_after(struct timespec *ts, uint64_t ns)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ns += (uint64_t)ts->tv_nsec;
    ts->tv_sec += (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

static bool block_wanted(const struct session *s, uint64_t off, uint64_t end)
{
    if (s->nranges == 0)
        return true;
    for (unsigned i = 0; i < s->nranges; i++)
        if (off < s->range_end[i] && s->range_start[i] < end)
            return true;
    return false;
}

/* Returns the error that ends the session, or ERROR_SUCCESS. */
static DWORD deliver(struct session *s, struct st_source *src)
{
    HANDLE h = s->handle;
    PVOID cd = s->caller_data;
    uint64_t size = src->size;
    uint32_t block = s->opt.block;
    if (s->cache_size != WDS_TRANSPORTCLIENT_NO_CACHE && s->cache_size < block)
        block = s->cache_size;               /* one block always fits the cache */

    PFN_WdsTransportClientSessionStart on_start = (PFN_WdsTransportClientSessionStart)s->cb[WDS_TRANSPORTCLIENT_SESSION_START];
    PFN_WdsTransportClientSessionStartEx on_start_ex = (PFN_WdsTransportClientSessionStartEx)s->cb[WDS_TRANSPORTCLIENT_SESSION_STARTEX];
    PFN_WdsTransportClientReceiveMetadata on_meta = (PFN_WdsTransportClientReceiveMetadata)s->cb[WDS_TRANSPORTCLIENT_RECEIVE_METADATA];
    PFN_WdsTransportClientReceiveContents on_contents = (PFN_WdsTransportClientReceiveContents)s->cb[WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS];

    ULARGE_INTEGER fs;                       /* StartSession made sure it is registered */
    fs.QuadPart = size;
    on_start(h, cd, &fs);
    if (on_start_ex) {
        TRANSPORTCLIENT_SESSION_INFO info;
        memset(&info, 0, sizeof info);
        info.ulStructureLength = (ULONG)sizeof info;
        info.ullFileSize.QuadPart = size;
        info.ulBlockSize = block;
        on_start_ex(h, cd, &info);
    }

    const unsigned char *meta = s->opt.meta ? s->opt.meta : src->meta;
    size_t meta_len = s->opt.meta ? s->opt.meta_len : src->meta_len;
    if (on_meta && meta) {
        /* The consumer sees a copy valid only during the call. */
        unsigned char *copy = malloc(meta_len ? meta_len : 1);
        if (!copy)
            return ERROR_NOT_ENOUGH_MEMORY;
        memcpy(copy, meta, meta_len);
        on_meta(h, cd, copy, (ULONG)meta_len);
        memset(copy, ST_POISON_BYTE, meta_len);
        free(copy);
    }

#ifndef STANDIN_VISTA
    PFN_WdsTransportClientSessionNegotiate on_negotiate = (PFN_WdsTransportClientSessionNegotiate)s->cb[WDS_TRANSPORTCLIENT_SESSION_NEGOTIATE];
    if (on_negotiate) {
        static atomic_ullong next_key = 1;
        TRANSPORTCLIENT_SESSION_INFO info;
        memset(&info, 0, sizeof info);
        info.ulStructureLength = (ULONG)sizeof info;
        info.ullFileSize.QuadPart = size;
        info.ulBlockSize = block;
        HANDLE key = (HANDLE)(uintptr_t)(0x4E00000000000000ull | atomic_fetch_add(&next_key, 1));
        pthread_mutex_lock(&s->mu);
        s->negotiating = true;
        s->negotiate_key = key;
        s->object_size = size;
        pthread_mutex_unlock(&s->mu);
        on_negotiate(h, cd, &info, key);
        pthread_mutex_lock(&s->mu);
        s->negotiating = false;
        s->negotiate_key = NULL;
        pthread_mutex_unlock(&s->mu);
    }
#endif

    uint64_t nblocks = size / block + (size % block != 0);
    struct st_block_iter it;
    st_block_iter_init(&it, s->opt.order, nblocks,
                       s->opt.start_set ? s->opt.start : nblocks / 2, s->opt.seed);
    uint64_t delivered = 0;
    uint64_t k;
    while (st_block_iter_next(&it, &k)) {
        uint64_t off = k * block;
        uint32_t len = (uint32_t)((size - off < block) ? size - off : block);
        if (!block_wanted(s, off, off + len))
            continue;
        if (s->opt.fail_code && s->opt.fail_at_set && delivered >= s->opt.fail_at)
            return s->opt.fail_code;

        pthread_mutex_lock(&s->mu);
        if (s->opt.delay_ns) {
            struct timespec until;
            deadline_after(&until, s->opt.delay_ns);
            while (!s->cancel_requested && wait_until(s, &until))
                ;
        }
        while (!s->cancel_requested && s->cache_size != WDS_TRANSPORTCLIENT_NO_CACHE &&
               s->outstanding_bytes + len > s->cache_size)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->cancel_requested) {
            DWORD code = s->cancel_code;
            pthread_mutex_unlock(&s->mu);
            return code;
        }
        pthread_mutex_unlock(&s->mu);

        struct st_buffer *b = st_buffer_get(s, len);
        if (!b)
            return ERROR_NOT_ENOUGH_MEMORY;
        DWORD err = s->opt.fill ? st_source_read(src, off, b->data, len) : ERROR_SUCCESS;
        if (err != ERROR_SUCCESS) {
            st_buffer_release(b);
            return err;
        }
        pthread_mutex_lock(&s->mu);
        if (!s->closed) {                    /* a closed session's blocks need no completion */
            if (st_map_put(&s->outstanding, off, len) != 0) {
                pthread_mutex_unlock(&s->mu);
                st_buffer_release(b);
                return ERROR_NOT_ENOUGH_MEMORY;
            }
            s->outstanding_bytes += len;
        }
        pthread_mutex_unlock(&s->mu);

        ULARGE_INTEGER o;
        o.QuadPart = off;
        on_contents(h, cd, b->data, len, &o);
        st_buffer_release(b);
        delivered += len;
    }
    if (s->opt.fail_code && s->opt.fail_at_set && delivered >= s->opt.fail_at)
        return s->opt.fail_code;

    /* Success is reported once the consumer has completed every block. */
    pthread_mutex_lock(&s->mu);
    while (!s->cancel_requested && s->outstanding_bytes > 0)
        pthread_cond_wait(&s->cv, &s->mu);
    DWORD err = s->cancel_requested ? s->cancel_code : ERROR_SUCCESS;
    pthread_mutex_unlock(&s->mu);
    return err;
}

static DWORD run(struct session *s)
{
    pthread_mutex_lock(&s->mu);
    bool cancelled = s->cancel_requested;
    DWORD code = s->cancel_code;
    pthread_mutex_unlock(&s->mu);
    if (cancelled)
        return code;                               /* cancelled before it started */
    if (s->opt.fail_code && !s->opt.fail_at_set)
        return s->opt.fail_code;                   /* injected: fails while connecting */
    if (s->opt.auth_required && s->auth_level == WDS_TRANSPORTCLIENT_NO_AUTH)
        return ERROR_ACCESS_DENIED;

    struct st_source src;
    DWORD err = st_source_open(s->server, s->nspace, s->base, &s->opt, &src);
    if (err != ERROR_SUCCESS)
        return err;
    err = deliver(s, &src);
    st_source_close(&src);
    return err;
}

static void *worker_main(void *arg)
{
    struct session *s = arg;
    tls_session = s;
    DWORD result = run(s);

    pthread_mutex_lock(&s->mu);
    s->state = ST_DONE;
    s->result = result;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);

    PFN_WdsTransportClientSessionComplete on_complete = (PFN_WdsTransportClientSessionComplete)s->cb[WDS_TRANSPORTCLIENT_SESSION_COMPLETE];
    on_complete(s->handle, s->caller_data, result);

    pthread_mutex_lock(&s->mu);
    s->complete_returned = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);

    tls_session = NULL;
    st_worker_exited(s);
    return NULL;
}

int st_session_start_worker(struct session *s)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0)
        return rc;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    /* The caller took the worker's reference and drops it if this fails. */
    rc = pthread_create(&t, &attr, worker_main, s);
    pthread_attr_destroy(&attr);
    return rc;
}
