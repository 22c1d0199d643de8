/*
 * A session: its state, every change of that state, and its delivery
 * thread.  api.c checks arguments, resolves a handle to a session and calls
 * one of the st_session_* functions below; nothing else changes a session.
 *
 * State: CREATED (InitializeSession) -> RUNNING (StartSession) -> DONE (the
 * result is fixed just before SessionComplete is called; complete_returned
 * once it has returned).  Beside that: callbacks may be registered while
 * CREATED only; StartSession needs SESSION_START, RECEIVE_CONTENTS and
 * SESSION_COMPLETE; the first cancel's code wins (a later one, or one after
 * DONE, changes nothing); closed (CloseSession) forgets the outstanding
 * blocks, since nobody has a handle to complete them with any more.
 *
 * Threads.  Every callback of a session runs on the one thread the stand-in
 * creates for it when StartSession is called; no lock is held while a
 * callback runs, so a callback may call any API function (CompleteReceive,
 * CancelSession, QueryStatus, CloseSession ...).  WaitForCompletion from
 * that thread on its own session would wait for itself: refused with
 * ERROR_POSSIBLE_DEADLOCK.  The sessions whose thread runs are kept in a
 * list, closed or not, so that the last Shutdown can cancel them all and
 * wait for their threads.
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
 *     as completed when its callback returns), so a consumer that completes
 *     blocks asynchronously has finished with all of them by then; after a
 *     failure or a cancel it comes at once, and blocks still outstanding may
 *     be completed afterwards (until CloseSession).
 *   A session cancelled before StartSession gets SessionComplete alone, with
 *   the cancel's code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "standin.h"

atomic_ullong st_live_sessions;
atomic_ullong st_live_workers;
atomic_ullong st_close_during_call;

enum st_state { ST_CREATED, ST_RUNNING, ST_DONE };

#define ST_MAX_RANGES 16

struct session {
    atomic_uint refs;              /* api.c's table, the worker, API calls in progress */
    atomic_uint calls;             /* API calls on the handle that have not returned */
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* any change below, for the worker */
    pthread_cond_t done_cv;        /* complete_returned, for WaitForCompletion: a waiter is
                                      not woken by every block completed or cancel asked */

    /* fixed once the handle is published */
    HANDLE handle;
    PVOID caller_data;
    ULONG auth_level;
    ULONG cache_size;
    char *server, *nspace, *base;
    struct st_options opt;
    struct st_pool *pool;          /* this session's buffers */

    /* guarded by mu */
    void *cb[STANDIN_CALLBACKS];   /* read without mu by the worker: fixed once RUNNING */
    enum st_state state;
    bool closed;                   /* CloseSession ran: nobody can complete blocks any more */
    bool complete_returned;        /* SessionComplete has returned */
    bool cancel_requested;
    DWORD cancel_code;
    DWORD result;

    st_map outstanding;            /* delivered-but-not-completed blocks: offset -> size */
    uint64_t outstanding_bytes;

    bool negotiating;              /* inside SessionNegotiate */
    HANDLE negotiate_key;
    uint64_t object_size;
    unsigned nranges;
    uint64_t range_start[ST_MAX_RANGES], range_end[ST_MAX_RANGES];

    /* guarded by g_run_mu */
    struct session *run_prev, *run_next;
};

/* The sessions whose delivery thread runs, closed or not, and their count. */
static pthread_mutex_t g_run_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_run_cv = PTHREAD_COND_INITIALIZER;   /* st_live_workers dropped */
static struct session *g_running;

/* The session whose callbacks the current thread delivers, if any. */
static __thread struct session *tls_session;

bool st_on_any_worker(void)
{
    return tls_session != NULL;
}

/* ---- lifetime ------------------------------------------------------------ */

DWORD st_session_create(struct st_session_params *p, struct session **out)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return ERROR_NOT_ENOUGH_MEMORY;
    s->pool = st_pool_new(p->opt.poison);
    if (!s->pool) {
        free(s);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    atomic_fetch_add(&st_live_sessions, 1);
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_cond_init(&s->done_cv, &ca);
    pthread_condattr_destroy(&ca);
    s->caller_data = p->caller_data;
    s->auth_level = p->auth_level;
    s->cache_size = p->cache_size;
    s->server = p->server;
    s->nspace = p->nspace;
    s->base = p->base;
    s->opt = p->opt;
    p->server = p->nspace = p->base = NULL;
    memset(&p->opt, 0, sizeof p->opt);
    s->state = ST_CREATED;
    *out = s;
    return ERROR_SUCCESS;
}

void st_session_set_handle(struct session *s, HANDLE h)
{
    s->handle = h;
}

void st_session_ref(struct session *s)
{
    atomic_fetch_add(&s->refs, 1);
}

static void session_destroy(struct session *s)
{
    st_pool_drop(s->pool);
    st_map_free(&s->outstanding);
    st_options_free(&s->opt);
    free(s->server);
    free(s->nspace);
    free(s->base);
    pthread_cond_destroy(&s->cv);
    pthread_cond_destroy(&s->done_cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    atomic_fetch_sub(&st_live_sessions, 1);
}

unsigned st_session_calls(struct session *s, int delta)
{
    return delta >= 0 ? atomic_fetch_add(&s->calls, (unsigned)delta) + (unsigned)delta
                      : atomic_fetch_sub(&s->calls, (unsigned)-delta) - (unsigned)-delta;
}

void st_session_unref(struct session *s)
{
    if (atomic_fetch_sub(&s->refs, 1) == 1)
        session_destroy(s);
}

/* ---- the operations behind the API functions ------------------------------- */

DWORD st_session_register(struct session *s, int id, void *fn)
{
    DWORD err = ERROR_SUCCESS;
    pthread_mutex_lock(&s->mu);
    if (s->state != ST_CREATED)
        err = ERROR_INVALID_STATE;
    else
        s->cb[id] = fn;
    pthread_mutex_unlock(&s->mu);
    return err;
}

void st_session_cancel(struct session *s, DWORD code)
{
    pthread_mutex_lock(&s->mu);
    if (s->state != ST_DONE && !s->cancel_requested) {
        s->cancel_requested = true;
        s->cancel_code = code;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

DWORD st_session_complete_receive(struct session *s, ULONG size, uint64_t offset)
{
    DWORD err = ERROR_SUCCESS;
    uint64_t len;
    pthread_mutex_lock(&s->mu);
    if (st_map_get(&s->outstanding, offset, &len) && len == size) {
        st_map_remove(&s->outstanding, offset, NULL);
        s->outstanding_bytes -= len;
        pthread_cond_broadcast(&s->cv);
    } else {
        err = ERROR_INVALID_PARAMETER;
    }
    pthread_mutex_unlock(&s->mu);
    return err;
}

DWORD st_session_wait(struct session *s, ULONG timeout_ms)
{
    if (tls_session == s)
        return ERROR_POSSIBLE_DEADLOCK;
    struct timespec deadline;
    if (timeout_ms != STANDIN_INFINITE) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        uint64_t ns = (uint64_t)deadline.tv_nsec + (uint64_t)timeout_ms * 1000000u;
        deadline.tv_sec += (time_t)(ns / 1000000000u);
        deadline.tv_nsec = (long)(ns % 1000000000u);
    }
    DWORD err = ERROR_SUCCESS;
    pthread_mutex_lock(&s->mu);
    if (s->state == ST_CREATED) {
        err = ERROR_INVALID_STATE;
    } else {
        while (!s->complete_returned && err == ERROR_SUCCESS) {
            if (timeout_ms == STANDIN_INFINITE)
                pthread_cond_wait(&s->done_cv, &s->mu);
            else if (pthread_cond_timedwait(&s->done_cv, &s->mu, &deadline) == ETIMEDOUT && !s->complete_returned)
                err = WAIT_TIMEOUT;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return err;
}

void st_session_query(struct session *s, ULONG *status, ULONG *error)
{
    pthread_mutex_lock(&s->mu);
    *status = s->state != ST_DONE ? WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS
            : s->result == ERROR_SUCCESS ? WDS_TRANSPORTCLIENT_STATUS_SUCCESS
            : WDS_TRANSPORTCLIENT_STATUS_FAILURE;
    *error = *status == WDS_TRANSPORTCLIENT_STATUS_FAILURE ? s->result : ERROR_SUCCESS;
    pthread_mutex_unlock(&s->mu);
}

void st_session_close(struct session *s)
{
    /* Nobody can complete blocks without the handle: forget the outstanding
     * ones, so that a running session neither stalls on its cache nor waits
     * for completions before reporting success. */
    pthread_mutex_lock(&s->mu);
    s->closed = true;
    st_map_free(&s->outstanding);
    s->outstanding_bytes = 0;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

#ifndef STANDIN_NO_NEGOTIATE
DWORD st_session_negotiate(struct session *s, HANDLE key, uint64_t start, uint64_t size)
{
    DWORD err = ERROR_SUCCESS;
    pthread_mutex_lock(&s->mu);
    if (!s->negotiating)
        err = ERROR_INVALID_STATE;
    else if (key != s->negotiate_key || s->nranges == ST_MAX_RANGES || size == 0 ||
             start > s->object_size || size > s->object_size - start)
        err = ERROR_INVALID_PARAMETER;
    else {
        s->range_start[s->nranges] = start;
        s->range_end[s->nranges] = start + size;
        s->nranges++;
    }
    pthread_mutex_unlock(&s->mu);
    return err;
}
#endif

/* ---- the running list ---------------------------------------------------------- */

static void running_add_locked(struct session *s)
{
    s->run_prev = NULL;
    s->run_next = g_running;
    if (g_running)
        g_running->run_prev = s;
    g_running = s;
}

static void running_remove_locked(struct session *s)
{
    if (s->run_prev)
        s->run_prev->run_next = s->run_next;
    else
        g_running = s->run_next;
    if (s->run_next)
        s->run_next->run_prev = s->run_prev;
    s->run_prev = s->run_next = NULL;
}

void st_sessions_cancel_running(DWORD code)
{
    pthread_mutex_lock(&g_run_mu);
    for (struct session *s = g_running; s; s = s->run_next)
        st_session_cancel(s, code);
    pthread_mutex_unlock(&g_run_mu);
}

void st_sessions_wait_workers(void)
{
    pthread_mutex_lock(&g_run_mu);
    while (atomic_load(&st_live_workers) > 0)
        pthread_cond_wait(&g_run_cv, &g_run_mu);
    pthread_mutex_unlock(&g_run_mu);
}

/* Leaves the running list, drops the worker's reference, and only then
 * counts the worker out, so that a Shutdown waiting for the count to reach
 * zero returns after every session it cancelled is gone. */
static void worker_exited(struct session *s)
{
    pthread_mutex_lock(&g_run_mu);
    running_remove_locked(s);
    pthread_mutex_unlock(&g_run_mu);
    st_session_unref(s);
    pthread_mutex_lock(&g_run_mu);
    atomic_fetch_sub(&st_live_workers, 1);
    pthread_cond_broadcast(&g_run_cv);
    pthread_mutex_unlock(&g_run_mu);
}

/* ---- delivery ------------------------------------------------------------------ */

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

/* The blocks of one session, handed out to its delivery lanes (option threads):
 * one lane, the session's worker, unless threads > 1; then that many threads call
 * ReceiveContents for the same session at once. */
struct lanes {
    struct session *s;
    struct st_source *src;
    uint64_t size;
    uint32_t block;
    PFN_WdsTransportClientReceiveContents on_contents;
    bool shared;                   /* more than one lane: mu is taken (one lane needs no lock) */
    pthread_mutex_t mu;            /* guards it, delivered and err */
    struct st_block_iter it;
    uint64_t delivered;
    DWORD err;                     /* the first error of any lane: every lane stops */
};

/* Takes the next block to deliver; false when there is none or a lane failed. */
static bool next_block(struct lanes *L, uint64_t *k, uint64_t *delivered)
{
    if (L->shared)
        pthread_mutex_lock(&L->mu);
    bool more = L->err == ERROR_SUCCESS && st_block_iter_next(&L->it, k);
    *delivered = L->delivered;
    if (L->shared)
        pthread_mutex_unlock(&L->mu);
    return more;
}

static void add_delivered(struct lanes *L, uint32_t len)
{
    if (L->shared)
        pthread_mutex_lock(&L->mu);
    L->delivered += len;
    if (L->shared)
        pthread_mutex_unlock(&L->mu);
}

static void lane_failed(struct lanes *L, DWORD err)
{
    pthread_mutex_lock(&L->mu);
    if (L->err == ERROR_SUCCESS)
        L->err = err;
    pthread_mutex_unlock(&L->mu);
}

/* One lane: delivers blocks until there are none left or the session ends. */
static DWORD lane(struct lanes *L)
{
    struct session *s = L->s;
    uint64_t k, delivered;
    while (next_block(L, &k, &delivered)) {
        uint64_t off = k * L->block;
        uint32_t len = (uint32_t)((L->size - off < L->block) ? L->size - off : L->block);
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

        struct st_buffer *b = st_pool_get(s->pool, len);
        if (!b)
            return ERROR_NOT_ENOUGH_MEMORY;
        DWORD err = s->opt.fill ? st_source_read(L->src, off, st_buffer_data(b), len) : ERROR_SUCCESS;
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
        L->on_contents(s->handle, s->caller_data, st_buffer_data(b), len, &o);
        st_buffer_release(b);
        add_delivered(L, len);
    }
    return ERROR_SUCCESS;
}

static void *lane_main(void *arg)
{
    struct lanes *L = arg;
    tls_session = L->s;
    DWORD err = lane(L);
    if (err != ERROR_SUCCESS)
        lane_failed(L, err);
    tls_session = NULL;
    return NULL;
}

/* Runs the session's lanes: the calling worker is one of them. The first error. */
static DWORD run_lanes(struct lanes *L)
{
    pthread_t extra[ST_MAX_THREADS];
    unsigned started = 0;
    L->shared = L->s->opt.threads > 1;       /* set before any other lane exists */
    for (unsigned i = 1; i < L->s->opt.threads; i++) {
        if (pthread_create(&extra[started], NULL, lane_main, L) != 0) {
            lane_failed(L, ERROR_NOT_ENOUGH_MEMORY);
            break;
        }
        started++;
    }
    DWORD err = lane(L);
    if (err != ERROR_SUCCESS)
        lane_failed(L, err);
    for (unsigned i = 0; i < started; i++)
        pthread_join(extra[i], NULL);
    return L->err;
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

#ifndef STANDIN_NO_NEGOTIATE
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
    struct lanes L;
    memset(&L, 0, sizeof L);
    L.s = s;
    L.src = src;
    L.size = size;
    L.block = block;
    L.on_contents = on_contents;
    pthread_mutex_init(&L.mu, NULL);
    st_block_iter_init(&L.it, s->opt.order, nblocks,
                       s->opt.start_set ? s->opt.start : nblocks / 2, s->opt.seed);
    DWORD lanes_err = run_lanes(&L);
    pthread_mutex_destroy(&L.mu);
    if (lanes_err != ERROR_SUCCESS)
        return lanes_err;
    if (s->opt.fail_code && s->opt.fail_at_set && L.delivered >= s->opt.fail_at)
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

static void sleep_ns(uint64_t ns)
{
    struct timespec t = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static void *worker_main(void *arg)
{
    struct session *s = arg;
    tls_session = s;
    DWORD result = run(s);

    pthread_mutex_lock(&s->mu);
    bool cancelled = s->cancel_requested;
    pthread_mutex_unlock(&s->mu);
    if (cancelled && s->opt.linger_ns)         /* option linger: slow to honour the cancel */
        sleep_ns(s->opt.linger_ns);

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
    pthread_cond_broadcast(&s->done_cv);
    pthread_mutex_unlock(&s->mu);

    tls_session = NULL;
    worker_exited(s);
    return NULL;
}

DWORD st_session_start(struct session *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->state != ST_CREATED ||
        !s->cb[WDS_TRANSPORTCLIENT_SESSION_START] ||
        !s->cb[WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS] ||
        !s->cb[WDS_TRANSPORTCLIENT_SESSION_COMPLETE]) {
        pthread_mutex_unlock(&s->mu);
        return ERROR_INVALID_STATE;
    }
    s->state = ST_RUNNING;             /* from now on cb[] is fixed */
    pthread_mutex_unlock(&s->mu);

    pthread_mutex_lock(&g_run_mu);
    atomic_fetch_add(&st_live_workers, 1);
    st_session_ref(s);                 /* the worker's reference */
    running_add_locked(s);
    pthread_mutex_unlock(&g_run_mu);

    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t t;
        rc = pthread_create(&t, &attr, worker_main, s);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        pthread_mutex_lock(&s->mu);
        s->state = ST_CREATED;
        pthread_mutex_unlock(&s->mu);
        worker_exited(s);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    if (s->opt.start_return_set) {
        /* option startreturn: return only once SessionComplete has returned, and then
         * later still, as a DLL that runs the session before StartSession returns and
         * still uses it afterwards (the documentation allows callbacks "up to and including
         * SessionComplete" before the return).  The caller holds a reference (api.c). */
        pthread_mutex_lock(&s->mu);
        while (!s->complete_returned)
            pthread_cond_wait(&s->done_cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
        sleep_ns(s->opt.start_return_ns);
    }
    return ERROR_SUCCESS;
}
