/*
 * The 14 exported functions of the stand-in for WDSTPTC.dll, the session
 * handle table and the process-wide Initialize/Shutdown state.
 *
 * Choices where the documented contract is silent (each is also listed in
 * the README):
 *  - Initialize may be called repeatedly; calls are counted and the client
 *    stays initialised until as many Shutdown calls have been made.
 *  - Every function but AddRefBuffer/ReleaseBuffer fails with
 *    ERROR_INVALID_STATE (5023) while the client is not initialised; the
 *    buffer functions work at any time, so that a consumer can release
 *    blocks it still holds after Shutdown.  Shutdown without Initialize
 *    returns ERROR_INVALID_STATE and does nothing.
 *  - The last Shutdown cancels every running session (ERROR_CANCELLED),
 *    waits until each has delivered SessionComplete and invalidates every
 *    handle.  Called from a callback thread, when it would have to wait for
 *    that very thread, it fails with ERROR_POSSIBLE_DEADLOCK (1131).
 *  - Unknown, closed or stale handles: ERROR_INVALID_HANDLE (6).  Handles
 *    carry a generation, so a stale handle never reaches a newer session.
 *  - InitializeSession: NULL pointers, ulLength != sizeof(request),
 *    ulApiVersion != 1, an auth level other than AUTH/NO_AUTH, a protocol
 *    other than MULTICAST, NULL, empty or ill-formed UTF-16 names,
 *    ulProtocolDataLength without pvProtocolData, or a malformed stand-in
 *    option: ERROR_INVALID_PARAMETER (87).  The request and its strings are
 *    copied; the caller's memory is not used after the call returns.
 *  - RegisterCallback: NULL function or unknown id: ERROR_INVALID_PARAMETER;
 *    after StartSession: ERROR_INVALID_STATE; registering an id again before
 *    the start replaces the function.
 *  - StartSession needs the three callbacks the documentation calls
 *    required: SESSION_START, RECEIVE_CONTENTS and SESSION_COMPLETE.
 *    SESSION_STARTEX does not stand in for SESSION_START (no source says it
 *    may); it, RECEIVE_METADATA and SESSION_NEGOTIATE are optional.  A
 *    missing required callback is ERROR_INVALID_STATE, not
 *    ERROR_INVALID_PARAMETER: the handle is valid, the session is not yet
 *    ready to start.  A second StartSession: ERROR_INVALID_STATE too.
 *  - CompleteReceive of a block that is not outstanding, or with another
 *    size than delivered: ERROR_INVALID_PARAMETER.
 *  - CancelSession / CancelSessionEx: the first cancel's code wins; cancel
 *    after completion, or again, is a successful no-op; a cancel before
 *    StartSession makes the started session complete at once with that code
 *    (with no other callback).  CancelSessionEx(h, ERROR_SUCCESS) is
 *    refused with ERROR_INVALID_PARAMETER: a cancelled session cannot
 *    succeed.
 *  - WaitForCompletion returns ERROR_SUCCESS once SessionComplete has
 *    returned (whatever the session's result: read it with QueryStatus),
 *    WAIT_TIMEOUT (258) when uTimeout ms pass first (INFINITE waits
 *    forever), ERROR_INVALID_STATE for a session never started, and
 *    ERROR_POSSIBLE_DEADLOCK when called from the session's own callback.
 *  - QueryStatus writes *puErrorCode = 0 unless the status is FAILURE; a
 *    session not yet complete (started or not) is IN_PROGRESS.
 *  - CloseSession does not cancel: a running session goes on to
 *    SessionComplete; the handle is invalid at once.  As no handle is left
 *    to complete blocks with, blocks outstanding at the close, and those
 *    delivered after it, count as completed (once their callback returned).
 *    The last Shutdown also cancels sessions closed while running.
 *  - NegotiateRequiredDataRange is accepted only during the session's
 *    SessionNegotiate callback, with that callback's key (else
 *    ERROR_INVALID_STATE / ERROR_INVALID_PARAMETER); a range must lie within
 *    the object; at most 16 ranges.
 *  - Built with -DSTANDIN_VISTA (libwdstptc-vista.so) the library is shaped
 *    like the Vista SP1 DLL: it exports neither CancelSessionEx nor
 *    NegotiateRequiredDataRange (12 functions), and knows callback ids 0-4
 *    only, so RegisterCallback(SESSION_NEGOTIATE = 5) is
 *    ERROR_INVALID_PARAMETER as any unknown id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "standin.h"
#include "standin_diag.h"

atomic_ullong st_live_sessions;
atomic_ullong st_live_buffers;
atomic_ullong st_live_buffer_bytes;
atomic_ullong st_live_workers;

struct slot {
    uint32_t gen;
    struct session *s;      /* NULL when free */
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_workers_cv = PTHREAD_COND_INITIALIZER;
static unsigned g_init_count;
static struct slot *g_slots;
static uint32_t g_nslots;
static uint32_t *g_free;    /* stack of free slot indexes */
static uint32_t g_nfree;
static struct session *g_running;   /* sessions whose worker runs, closed or not */

static HANDLE encode(uint32_t index, uint32_t gen)
{
    return (HANDLE)(uintptr_t)(((uint64_t)gen << 32) | (uint64_t)(index + 1));
}

/* Finds the session for a handle and takes a reference; g_mu held. */
static struct session *lookup_locked(HANDLE h)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    uint32_t low = (uint32_t)v, gen = (uint32_t)(v >> 32);
    if (low == 0 || low > g_nslots)
        return NULL;
    struct slot *sl = &g_slots[low - 1];
    if (sl->gen != gen || !sl->s)
        return NULL;
    st_session_ref(sl->s);
    return sl->s;
}

/* Resolves a handle for an API call: ERROR_INVALID_STATE before Initialize,
 * ERROR_INVALID_HANDLE when unknown, else a referenced session. */
static DWORD acquire(HANDLE h, struct session **out)
{
    pthread_mutex_lock(&g_mu);
    DWORD err = ERROR_SUCCESS;
    if (g_init_count == 0)
        err = ERROR_INVALID_STATE;
    else if (!(*out = lookup_locked(h)))
        err = ERROR_INVALID_HANDLE;
    pthread_mutex_unlock(&g_mu);
    return err;
}

/* Takes a session out of the table; g_mu held.  Returns the table's reference. */
static struct session *remove_locked(HANDLE h)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    uint32_t low = (uint32_t)v, gen = (uint32_t)(v >> 32);
    if (low == 0 || low > g_nslots)
        return NULL;
    struct slot *sl = &g_slots[low - 1];
    if (sl->gen != gen || !sl->s)
        return NULL;
    struct session *s = sl->s;
    sl->s = NULL;
    sl->gen++;
    g_free[g_nfree++] = low - 1;
    return s;
}

static DWORD insert_locked(struct session *s)
{
    if (g_nfree == 0) {
        uint32_t ncap = g_nslots ? g_nslots * 2 : 64;
        if (ncap <= g_nslots || ncap > 0x7FFFFFFFu)
            return ERROR_NOT_ENOUGH_MEMORY;
        struct slot *ns = realloc(g_slots, ncap * sizeof *ns);
        if (!ns)
            return ERROR_NOT_ENOUGH_MEMORY;
        g_slots = ns;
        uint32_t *nf = realloc(g_free, ncap * sizeof *nf);
        if (!nf)
            return ERROR_NOT_ENOUGH_MEMORY;
        g_free = nf;
        for (uint32_t i = ncap; i > g_nslots; i--) {
            g_slots[i - 1].gen = 1;
            g_slots[i - 1].s = NULL;
            g_free[g_nfree++] = i - 1;
        }
        g_nslots = ncap;
    }
    uint32_t idx = g_free[--g_nfree];
    g_slots[idx].s = s;
    s->handle = encode(idx, g_slots[idx].gen);
    return ERROR_SUCCESS;
}

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

/* Leaves the running list, drops the worker's reference, and only then
 * counts the worker out, so that Shutdown, which waits for the count to reach
 * zero, returns after every session it cancelled is gone. */
void st_worker_exited(struct session *s)
{
    pthread_mutex_lock(&g_mu);
    running_remove_locked(s);
    pthread_mutex_unlock(&g_mu);
    st_session_unref(s);
    pthread_mutex_lock(&g_mu);
    atomic_fetch_sub(&st_live_workers, 1);
    pthread_cond_broadcast(&g_workers_cv);
    pthread_mutex_unlock(&g_mu);
}

static void cancel_locked(struct session *s, DWORD code)
{
    pthread_mutex_lock(&s->mu);
    if (s->state != ST_DONE && !s->cancel_requested) {
        s->cancel_requested = true;
        s->cancel_code = code;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

/* ---- process-wide ------------------------------------------------------------ */

DWORD WDSTCIAPI WdsTransportClientInitialize(void)
{
    pthread_mutex_lock(&g_mu);
    DWORD err = g_init_count == UINT32_MAX ? ERROR_INVALID_STATE : ERROR_SUCCESS;
    if (err == ERROR_SUCCESS)
        g_init_count++;
    pthread_mutex_unlock(&g_mu);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientShutdown(void)
{
    pthread_mutex_lock(&g_mu);
    if (g_init_count == 0) {
        pthread_mutex_unlock(&g_mu);
        return ERROR_INVALID_STATE;
    }
    if (g_init_count == 1 && st_on_any_worker()) {
        pthread_mutex_unlock(&g_mu);
        return ERROR_POSSIBLE_DEADLOCK;
    }
    if (--g_init_count > 0) {
        pthread_mutex_unlock(&g_mu);
        return ERROR_SUCCESS;
    }
    /* Last one: cancel and forget every session, then wait for the workers. */
    struct session **gone = NULL;
    uint32_t ngone = 0;
    if (g_nslots) {
        gone = malloc(g_nslots * sizeof *gone);
    }
    for (uint32_t i = 0; i < g_nslots; i++) {
        struct session *s = g_slots[i].s;
        if (!s)
            continue;
        g_slots[i].s = NULL;
        g_slots[i].gen++;
        g_free[g_nfree++] = i;
        cancel_locked(s, ERROR_CANCELLED);
        if (gone)
            gone[ngone++] = s;
        else
            st_session_unref(s);       /* no memory for the list: drop it now */
    }
    /* Sessions closed while running are no longer in the table. */
    for (struct session *s = g_running; s; s = s->run_next)
        cancel_locked(s, ERROR_CANCELLED);
    while (atomic_load(&st_live_workers) > 0)
        pthread_cond_wait(&g_workers_cv, &g_mu);
    pthread_mutex_unlock(&g_mu);
    for (uint32_t i = 0; i < ngone; i++)
        st_session_unref(gone[i]);
    free(gone);
    return ERROR_SUCCESS;
}

/* ---- sessions -------------------------------------------------------------------- */

DWORD WDSTCIAPI WdsTransportClientInitializeSession(
    PWDS_TRANSPORTCLIENT_REQUEST req, PVOID pCallerData, PHANDLE hSessionKey)
{
    pthread_mutex_lock(&g_mu);
    bool ready = g_init_count > 0;
    pthread_mutex_unlock(&g_mu);
    if (!ready)
        return ERROR_INVALID_STATE;
    if (!req || !hSessionKey)
        return ERROR_INVALID_PARAMETER;
    WDS_TRANSPORTCLIENT_REQUEST r;
    memcpy(&r, req, sizeof r);              /* the caller's struct may be unaligned */
    if (r.ulLength != sizeof r ||
        r.ulApiVersion != WDS_TRANSPORTCLIENT_CURRENT_API_VERSION ||
        (r.ulAuthLevel != WDS_TRANSPORTCLIENT_AUTH && r.ulAuthLevel != WDS_TRANSPORTCLIENT_NO_AUTH) ||
        r.ulProtocol != WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST ||
        (r.ulProtocolDataLength != 0 && r.pvProtocolData == NULL))
        return ERROR_INVALID_PARAMETER;

    struct session *s = calloc(1, sizeof *s);
    if (!s)
        return ERROR_NOT_ENOUGH_MEMORY;
    atomic_fetch_add(&st_live_sessions, 1);
    atomic_init(&s->refs, 1);                /* the table's reference */
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    s->caller_data = pCallerData;
    s->auth_level = r.ulAuthLevel;
    s->cache_size = r.ulCacheSize;
    s->state = ST_CREATED;

    char *object = NULL;
    DWORD err = st_utf16_to_utf8(r.pwszServer, &s->server);
    if (err == ERROR_SUCCESS)
        err = st_utf16_to_utf8(r.pwszNamespace, &s->nspace);
    if (err == ERROR_SUCCESS)
        err = st_utf16_to_utf8(r.pwszObjectName, &object);
    if (err == ERROR_SUCCESS && (!s->server[0] || !s->nspace[0] || !object[0]))
        err = ERROR_INVALID_PARAMETER;
    if (err == ERROR_SUCCESS)
        err = st_parse_object(object, &s->base, &s->opt);
    free(object);
    if (err == ERROR_SUCCESS) {
        pthread_mutex_lock(&g_mu);
        /* Shutdown may have run meanwhile. */
        err = g_init_count > 0 ? insert_locked(s) : ERROR_INVALID_STATE;
        pthread_mutex_unlock(&g_mu);
    }
    if (err != ERROR_SUCCESS) {
        st_session_unref(s);
        return err;
    }
    memcpy(hSessionKey, &s->handle, sizeof s->handle);
    return ERROR_SUCCESS;
}

DWORD WDSTCIAPI WdsTransportClientRegisterCallback(
    HANDLE hSessionKey, TRANSPORTCLIENT_CALLBACK_ID CallbackId, PVOID pfnCallback)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    int id = (int)CallbackId;
    if (id < 0 || id >= STANDIN_CALLBACKS || !pfnCallback) {
        err = ERROR_INVALID_PARAMETER;
    } else {
        pthread_mutex_lock(&s->mu);
        if (s->state != ST_CREATED)
            err = ERROR_INVALID_STATE;
        else
            s->cb[id] = pfnCallback;
        pthread_mutex_unlock(&s->mu);
    }
    st_session_unref(s);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientStartSession(HANDLE hSessionKey)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    pthread_mutex_lock(&s->mu);
    if (s->state != ST_CREATED ||
        !s->cb[WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS] ||
        !s->cb[WDS_TRANSPORTCLIENT_SESSION_COMPLETE] ||
        !s->cb[WDS_TRANSPORTCLIENT_SESSION_START]) {
        pthread_mutex_unlock(&s->mu);
        st_session_unref(s);
        return ERROR_INVALID_STATE;
    }
    s->state = ST_RUNNING;
    pthread_mutex_unlock(&s->mu);

    pthread_mutex_lock(&g_mu);
    atomic_fetch_add(&st_live_workers, 1);
    st_session_ref(s);                       /* the worker's reference */
    running_add_locked(s);
    pthread_mutex_unlock(&g_mu);
    int rc = st_session_start_worker(s);
    if (rc != 0) {
        pthread_mutex_lock(&s->mu);
        s->state = ST_CREATED;
        pthread_mutex_unlock(&s->mu);
        st_worker_exited(s);
        err = ERROR_NOT_ENOUGH_MEMORY;
    }
    st_session_unref(s);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientCompleteReceive(
    HANDLE hSessionKey, ULONG ulSize, PULARGE_INTEGER pullOffset)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    if (!pullOffset) {
        st_session_unref(s);
        return ERROR_INVALID_PARAMETER;
    }
    ULARGE_INTEGER off;
    memcpy(&off, pullOffset, sizeof off);
    uint64_t len;
    pthread_mutex_lock(&s->mu);
    if (st_map_get(&s->outstanding, off.QuadPart, &len) && len == ulSize) {
        st_map_remove(&s->outstanding, off.QuadPart, NULL);
        s->outstanding_bytes -= len;
        pthread_cond_broadcast(&s->cv);
    } else {
        err = ERROR_INVALID_PARAMETER;
    }
    pthread_mutex_unlock(&s->mu);
    st_session_unref(s);
    return err;
}

static DWORD cancel(HANDLE hSessionKey, DWORD code)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    pthread_mutex_lock(&s->mu);
    if (s->state != ST_DONE && !s->cancel_requested) {
        s->cancel_requested = true;
        s->cancel_code = code;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    st_session_unref(s);
    return ERROR_SUCCESS;
}

DWORD WDSTCIAPI WdsTransportClientCancelSession(HANDLE hSessionKey)
{
    return cancel(hSessionKey, ERROR_CANCELLED);
}

#ifndef STANDIN_VISTA
DWORD WDSTCIAPI WdsTransportClientCancelSessionEx(HANDLE hSessionKey, DWORD dwErrorCode)
{
    if (dwErrorCode == ERROR_SUCCESS) {
        struct session *s;
        DWORD err = acquire(hSessionKey, &s);
        if (err != ERROR_SUCCESS)
            return err;
        st_session_unref(s);
        return ERROR_INVALID_PARAMETER;
    }
    return cancel(hSessionKey, dwErrorCode);
}
#endif

DWORD WDSTCIAPI WdsTransportClientWaitForCompletion(HANDLE hSessionKey, ULONG uTimeout)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    if (st_on_worker_of(s)) {
        st_session_unref(s);
        return ERROR_POSSIBLE_DEADLOCK;
    }
    struct timespec deadline;
    if (uTimeout != STANDIN_INFINITE) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        uint64_t ns = (uint64_t)deadline.tv_nsec + (uint64_t)uTimeout * 1000000u;
        deadline.tv_sec += (time_t)(ns / 1000000000u);
        deadline.tv_nsec = (long)(ns % 1000000000u);
    }
    pthread_mutex_lock(&s->mu);
    if (s->state == ST_CREATED) {
        err = ERROR_INVALID_STATE;
    } else {
        while (!s->complete_returned && err == ERROR_SUCCESS) {
            if (uTimeout == STANDIN_INFINITE)
                pthread_cond_wait(&s->cv, &s->mu);
            else if (pthread_cond_timedwait(&s->cv, &s->mu, &deadline) == ETIMEDOUT && !s->complete_returned)
                err = WAIT_TIMEOUT;
        }
    }
    pthread_mutex_unlock(&s->mu);
    st_session_unref(s);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientQueryStatus(HANDLE hSessionKey, PULONG puStatus, PULONG puErrorCode)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    if (!puStatus || !puErrorCode) {
        st_session_unref(s);
        return ERROR_INVALID_PARAMETER;
    }
    pthread_mutex_lock(&s->mu);
    ULONG status = s->state != ST_DONE ? WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS
                 : s->result == ERROR_SUCCESS ? WDS_TRANSPORTCLIENT_STATUS_SUCCESS
                 : WDS_TRANSPORTCLIENT_STATUS_FAILURE;
    ULONG code = status == WDS_TRANSPORTCLIENT_STATUS_FAILURE ? s->result : ERROR_SUCCESS;
    pthread_mutex_unlock(&s->mu);
    memcpy(puStatus, &status, sizeof status);
    memcpy(puErrorCode, &code, sizeof code);
    st_session_unref(s);
    return ERROR_SUCCESS;
}

DWORD WDSTCIAPI WdsTransportClientCloseSession(HANDLE hSessionKey)
{
    pthread_mutex_lock(&g_mu);
    if (g_init_count == 0) {
        pthread_mutex_unlock(&g_mu);
        return ERROR_INVALID_STATE;
    }
    struct session *s = remove_locked(hSessionKey);
    pthread_mutex_unlock(&g_mu);
    if (!s)
        return ERROR_INVALID_HANDLE;
    /* Nobody can complete blocks without the handle: forget the outstanding
     * ones, so that a running session neither stalls on its cache nor waits
     * for completions before reporting success. */
    pthread_mutex_lock(&s->mu);
    s->closed = true;
    st_map_free(&s->outstanding);
    s->outstanding_bytes = 0;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    st_session_unref(s);     /* a running worker keeps its own reference */
    return ERROR_SUCCESS;
}

/* ---- buffers -------------------------------------------------------------------- */

DWORD WDSTCIAPI WdsTransportClientAddRefBuffer(PVOID pvBuffer)
{
    return st_buffer_addref_ptr(pvBuffer);
}

DWORD WDSTCIAPI WdsTransportClientReleaseBuffer(PVOID pvBuffer)
{
    return st_buffer_release_ptr(pvBuffer);
}

/* ---- negotiation ----------------------------------------------------------------- */

#ifndef STANDIN_VISTA
DWORD WDSTCIAPI WdsTransportClientNegotiateRequiredDataRange(
    HANDLE hSessionKey, HANDLE hNegotiateKey,
    ULARGE_INTEGER ullDataRangeStart, ULARGE_INTEGER ullDataRangeSize)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    uint64_t start = ullDataRangeStart.QuadPart, size = ullDataRangeSize.QuadPart;
    pthread_mutex_lock(&s->mu);
    if (!s->negotiating)
        err = ERROR_INVALID_STATE;
    else if (hNegotiateKey != s->negotiate_key || s->nranges == ST_MAX_RANGES ||
             start > s->object_size || size > s->object_size - start)
        err = ERROR_INVALID_PARAMETER;
    else {
        s->range_start[s->nranges] = start;
        s->range_end[s->nranges] = start + size;
        s->nranges++;
    }
    pthread_mutex_unlock(&s->mu);
    st_session_unref(s);
    return err;
}
#endif

/* ---- diagnostics (not part of wdstci.h) ------------------------------------------ */

DWORD WdsStandinQueryCounters(unsigned long long *counters, ULONG count)
{
    if (!counters && count)
        return ERROR_INVALID_PARAMETER;
    unsigned long long v[WDS_STANDIN_COUNTERS] = {
        atomic_load(&st_live_sessions),
        atomic_load(&st_live_buffers),
        atomic_load(&st_live_buffer_bytes),
        atomic_load(&st_live_workers),
    };
    for (ULONG i = 0; i < count && i < WDS_STANDIN_COUNTERS; i++)
        memcpy(&counters[i], &v[i], sizeof v[i]);
    return count > WDS_STANDIN_COUNTERS ? ERROR_INVALID_PARAMETER : ERROR_SUCCESS;
}
