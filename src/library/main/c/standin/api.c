/*
 * The 14 exported functions of the stand-in for WDSTPTC.dll, the session
 * handle table and the process-wide Initialize/Shutdown state.  Each
 * function checks its arguments, resolves the handle and forwards to
 * session.c (a session's state) or buffer.c (buffer references); it changes
 * no session itself.
 *
 * Choices where the documented contract is silent (each is also listed in
 * docs/standin.md):
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
 *    other than MULTICAST, NULL, empty or ill-formed UTF-16 names (a lone
 *    surrogate), names longer than 32767 UTF-16 units, protocol data at all
 *    (the documentation: pvProtocolData "is NULL for
 *    WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST", so a non-NULL pointer or a
 *    non-zero ulProtocolDataLength), or a malformed stand-in option:
 *    ERROR_INVALID_PARAMETER (87).  ulLength is read before the rest of the
 *    request, so a shorter struct is refused without being read past.  The request and its strings are
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
 *  - AddRefBuffer / ReleaseBuffer accept only the exact pContents pointer
 *    of a block that is still referenced (else ERROR_INVALID_PARAMETER);
 *    ReleaseBuffer drops only references taken with AddRefBuffer, so one
 *    release too many is refused instead of freeing the block under the
 *    ReceiveContents call that delivers it.  The metadata buffer is not
 *    one of them: it is valid during the ReceiveMetadata call only (copy
 *    it to keep it), so AddRefBuffer on it is ERROR_INVALID_PARAMETER too.
 *  - CloseSession does not cancel: a running session goes on to
 *    SessionComplete; the handle is invalid at once.  As no handle is left
 *    to complete blocks with, blocks outstanding at the close, and those
 *    delivered after it, count as completed (once their callback returned).
 *    The last Shutdown also cancels sessions closed while running.
 *  - NegotiateRequiredDataRange is accepted only during the session's
 *    SessionNegotiate callback, with that callback's key (else
 *    ERROR_INVALID_STATE / ERROR_INVALID_PARAMETER); a range must be
 *    non-empty and lie within the object (an empty one would silently turn
 *    "the whole object" into "nothing"); at most 16 ranges.
 *  - Built with -DSTANDIN_VISTA (libwdstptc-vista.so) the library is shaped
 *    like the Vista SP1 DLL: it exports neither CancelSessionEx nor
 *    NegotiateRequiredDataRange (12 functions), and knows callback ids 0-4
 *    only, so RegisterCallback(SESSION_NEGOTIATE = 5) is
 *    ERROR_INVALID_PARAMETER as any unknown id.
 *  - Built with -DSTANDIN_NO_NEGOTIATE (libwdstptc-nonegotiate.so) it has the
 *    exports the import libraries show for later DLLs (mingw-w64's
 *    libwdstptc.a; Microsoft's metadata, which has CancelSessionEx but no
 *    NegotiateRequiredDataRange): 13 functions, CancelSessionEx included.
 *    Without NegotiateRequiredDataRange no negotiation can be answered, so
 *    this build knows callback ids 0-4 only, as the Vista one: registering
 *    SESSION_NEGOTIATE is ERROR_INVALID_PARAMETER (the stricter of the two
 *    choices; what such a DLL does with id 5 is not documented).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "standin.h"
#include "standin_diag.h"

struct slot {
    uint32_t gen;
    struct session *s;      /* NULL when free */
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned g_init_count;
static struct slot *g_slots;
static uint32_t g_nslots;
static uint32_t *g_free;    /* stack of free slot indexes */
static uint32_t g_nfree;

/* ---- the handle table -------------------------------------------------------- */

static HANDLE encode(uint32_t index, uint32_t gen)
{
    return (HANDLE)(uintptr_t)(((uint64_t)gen << 32) | (uint64_t)(index + 1));
}

/* The slot a handle names, if it is in use with the handle's generation; g_mu held. */
static struct slot *slot_of_locked(HANDLE h)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    uint32_t low = (uint32_t)v, gen = (uint32_t)(v >> 32);
    if (low == 0 || low > g_nslots)
        return NULL;
    struct slot *sl = &g_slots[low - 1];
    if (sl->gen != gen || !sl->s)
        return NULL;
    return sl;
}

/* Resolves a handle for an API call: ERROR_INVALID_STATE before Initialize,
 * ERROR_INVALID_HANDLE when unknown, else a referenced session. */
static DWORD acquire(HANDLE h, struct session **out)
{
    pthread_mutex_lock(&g_mu);
    DWORD err = ERROR_SUCCESS;
    struct slot *sl;
    if (g_init_count == 0) {
        err = ERROR_INVALID_STATE;
    } else if (!(sl = slot_of_locked(h))) {
        err = ERROR_INVALID_HANDLE;
    } else {
        st_session_ref(sl->s);
        st_session_calls(sl->s, 1);
        *out = sl->s;
    }
    pthread_mutex_unlock(&g_mu);
    return err;
}

/* Ends an API call begun with acquire. */
static void release(struct session *s)
{
    st_session_calls(s, -1);
    st_session_unref(s);
}

/* Frees slot i and returns its session (with the table's reference); g_mu held. */
static struct session *take_slot_locked(uint32_t i)
{
    struct session *s = g_slots[i].s;
    g_slots[i].s = NULL;
    g_slots[i].gen++;
    g_free[g_nfree++] = i;
    return s;
}

/* Puts a session in the table and gives it its handle; g_mu held. */
static DWORD insert_locked(struct session *s, HANDLE *out)
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
    *out = encode(idx, g_slots[idx].gen);
    st_session_set_handle(s, *out);          /* before anyone can look it up */
    g_slots[idx].s = s;
    return ERROR_SUCCESS;
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
    /* Last one: forget and cancel every session, then wait for the workers. */
    struct session **gone = NULL;
    uint32_t ngone = 0;
    if (g_nslots)
        gone = malloc(g_nslots * sizeof *gone);
    for (uint32_t i = 0; i < g_nslots; i++) {
        if (!g_slots[i].s)
            continue;
        struct session *s = take_slot_locked(i);
        st_session_cancel(s, ERROR_CANCELLED);
        if (gone)
            gone[ngone++] = s;
        else
            st_session_unref(s);       /* no memory for the list: drop it now */
    }
    /* Sessions closed while running are no longer in the table. */
    st_sessions_cancel_running(ERROR_CANCELLED);
    pthread_mutex_unlock(&g_mu);
    st_sessions_wait_workers();
    for (uint32_t i = 0; i < ngone; i++)
        st_session_unref(gone[i]);
    free(gone);
    return ERROR_SUCCESS;
}

/* ---- sessions -------------------------------------------------------------------- */

static void params_free(struct st_session_params *p)
{
    free(p->server);
    free(p->nspace);
    free(p->base);
    st_options_free(&p->opt);
}

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
    /* ulLength first: a caller's shorter struct must not be read past its end */
    ULONG length;
    memcpy(&length, (const char *)req + offsetof(WDS_TRANSPORTCLIENT_REQUEST, ulLength), sizeof length);
    if (length != sizeof(WDS_TRANSPORTCLIENT_REQUEST))
        return ERROR_INVALID_PARAMETER;
    WDS_TRANSPORTCLIENT_REQUEST r;
    memcpy(&r, req, sizeof r);              /* the caller's struct may be unaligned */
    if (r.ulApiVersion != WDS_TRANSPORTCLIENT_CURRENT_API_VERSION ||
        r.ulApiVersion != WDS_TRANSPORTCLIENT_CURRENT_API_VERSION ||
        (r.ulAuthLevel != WDS_TRANSPORTCLIENT_AUTH && r.ulAuthLevel != WDS_TRANSPORTCLIENT_NO_AUTH) ||
        r.ulProtocol != WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST ||
        r.pvProtocolData != NULL || r.ulProtocolDataLength != 0)   /* "NULL for ... MULTICAST" */
        return ERROR_INVALID_PARAMETER;

    struct st_session_params p;
    memset(&p, 0, sizeof p);
    p.caller_data = pCallerData;
    p.auth_level = r.ulAuthLevel;
    p.cache_size = r.ulCacheSize;
    char *object = NULL;
    DWORD err = st_utf16_to_utf8(r.pwszServer, &p.server);
    if (err == ERROR_SUCCESS)
        err = st_utf16_to_utf8(r.pwszNamespace, &p.nspace);
    if (err == ERROR_SUCCESS)
        err = st_utf16_to_utf8(r.pwszObjectName, &object);
    if (err == ERROR_SUCCESS && (!p.server[0] || !p.nspace[0] || !object[0]))
        err = ERROR_INVALID_PARAMETER;
    if (err == ERROR_SUCCESS)
        err = st_parse_object(object, &p.base, &p.opt);
    free(object);

    struct session *s = NULL;
    if (err == ERROR_SUCCESS)
        err = st_session_create(&p, &s);
    params_free(&p);
    HANDLE h = NULL;
    if (err == ERROR_SUCCESS) {
        pthread_mutex_lock(&g_mu);
        /* Shutdown may have run meanwhile. */
        err = g_init_count > 0 ? insert_locked(s, &h) : ERROR_INVALID_STATE;
        pthread_mutex_unlock(&g_mu);
    }
    if (err != ERROR_SUCCESS) {
        if (s)
            st_session_unref(s);
        return err;
    }
    memcpy(hSessionKey, &h, sizeof h);
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
    if (id < 0 || id >= STANDIN_CALLBACKS || !pfnCallback)
        err = ERROR_INVALID_PARAMETER;
    else
        err = st_session_register(s, id, pfnCallback);
    release(s);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientStartSession(HANDLE hSessionKey)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    err = st_session_start(s);
    release(s);
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
        err = ERROR_INVALID_PARAMETER;
    } else {
        ULARGE_INTEGER off;
        memcpy(&off, pullOffset, sizeof off);
        err = st_session_complete_receive(s, ulSize, off.QuadPart);
    }
    release(s);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientCancelSession(HANDLE hSessionKey)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    st_session_cancel(s, ERROR_CANCELLED);
    release(s);
    return ERROR_SUCCESS;
}

#ifndef STANDIN_VISTA
DWORD WDSTCIAPI WdsTransportClientCancelSessionEx(HANDLE hSessionKey, DWORD dwErrorCode)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    if (dwErrorCode == ERROR_SUCCESS)
        err = ERROR_INVALID_PARAMETER;
    else
        st_session_cancel(s, dwErrorCode);
    release(s);
    return err;
}
#endif

DWORD WDSTCIAPI WdsTransportClientWaitForCompletion(HANDLE hSessionKey, ULONG uTimeout)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    err = st_session_wait(s, uTimeout);
    release(s);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientQueryStatus(HANDLE hSessionKey, PULONG puStatus, PULONG puErrorCode)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    if (!puStatus || !puErrorCode) {
        err = ERROR_INVALID_PARAMETER;
    } else {
        ULONG status, code;
        st_session_query(s, &status, &code);
        memcpy(puStatus, &status, sizeof status);
        memcpy(puErrorCode, &code, sizeof code);
    }
    release(s);
    return err;
}

DWORD WDSTCIAPI WdsTransportClientCloseSession(HANDLE hSessionKey)
{
    pthread_mutex_lock(&g_mu);
    if (g_init_count == 0) {
        pthread_mutex_unlock(&g_mu);
        return ERROR_INVALID_STATE;
    }
    struct slot *sl = slot_of_locked(hSessionKey);
    struct session *s = sl ? take_slot_locked((uint32_t)(sl - g_slots)) : NULL;
    /* Exact under g_mu: every call that acquired the handle is counted, none can start now. */
    bool during_call = s && st_session_calls(s, 0) > 0;
    pthread_mutex_unlock(&g_mu);
    if (!s)
        return ERROR_INVALID_HANDLE;
    if (during_call) {
        /* The real DLL frees the session here, under the call still running on it: a
         * caller's error the stand-in survives (the call holds a reference) but counts. */
        atomic_fetch_add(&st_close_during_call, 1);
    }
    st_session_close(s);
    st_session_unref(s);     /* the table's; a running worker keeps its own */
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

#ifndef STANDIN_NO_NEGOTIATE
DWORD WDSTCIAPI WdsTransportClientNegotiateRequiredDataRange(
    HANDLE hSessionKey, HANDLE hNegotiateKey,
    ULARGE_INTEGER ullDataRangeStart, ULARGE_INTEGER ullDataRangeSize)
{
    struct session *s;
    DWORD err = acquire(hSessionKey, &s);
    if (err != ERROR_SUCCESS)
        return err;
    err = st_session_negotiate(s, hNegotiateKey, ullDataRangeStart.QuadPart, ullDataRangeSize.QuadPart);
    release(s);
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
        atomic_load(&st_close_during_call),
    };
    for (ULONG i = 0; i < count && i < WDS_STANDIN_COUNTERS; i++)
        memcpy(&counters[i], &v[i], sizeof v[i]);
    return count > WDS_STANDIN_COUNTERS ? ERROR_INVALID_PARAMETER : ERROR_SUCCESS;
}
