/*
 * The null transport: the wdstci.h ABI with no transport behind it, for the
 * benchmarks only.  The Session API, the raw FFM consumer, JNA and the C
 * consumer run unchanged against it (it is built as a libwdstptc.so of its
 * own, loaded in place of the stand-in), and what they then pay per block is
 * their own cost: the upcall, their dispatch, and one CompleteReceive that
 * returns at once.  The stand-in's per-block work (locks, the outstanding
 * map, the buffer pool, content) is not there.
 *
 * What it does:
 *  - object names "<size>[unit][?block=<size>[&...]]" (units B, K/KiB, M/MiB,
 *    G/GiB); other options are ignored; the default block is 64 KiB;
 *  - StartSession starts one thread that calls SessionStart and/or
 *    SessionStartEx, then ReceiveContents for each block in order, from ONE
 *    fixed, zeroed buffer (no content is written), then SessionComplete;
 *    between blocks it only reads the cancel flag (a relaxed atomic load);
 *  - CompleteReceive, AddRefBuffer and ReleaseBuffer return ERROR_SUCCESS and
 *    do nothing: no bookkeeping, no backpressure (the cache size is ignored);
 *  - WaitForCompletion, QueryStatus and the cancels behave as documented;
 *  - CloseSession waits for the delivery thread to end (a running session is
 *    not cancelled), so it must not be called from a callback;
 *  - NegotiateRequiredDataRange and the stand-in's diagnostics are absent.
 * A handle is the session's address; it is checked only for a magic number.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WDSTCI_IMPORT __attribute__((visibility("default")))
#include "wdstci.h"

#define NT_SUCCESS             0u
#define NT_INVALID_HANDLE      6u
#define NT_NOT_ENOUGH_MEMORY   8u
#define NT_INVALID_PARAMETER  87u
#define NT_WAIT_TIMEOUT      258u
#define NT_POSSIBLE_DEADLOCK 1131u
#define NT_CANCELLED         1223u
#define NT_INVALID_STATE     5023u
#define NT_INFINITE    0xFFFFFFFFu

#define NT_MAGIC 0x4E554C4Cu
#define NT_DEFAULT_BLOCK (64u * 1024u)
#define NT_MAX_BLOCK (64u * 1024u * 1024u)
#define NT_CALLBACKS 5                          /* ids 0..4: no SESSION_NEGOTIATE */

struct nt_session {
    uint32_t magic;
    PVOID caller_data;
    void *cb[NT_CALLBACKS];
    uint64_t size;
    uint32_t block;
    unsigned char *buffer;

    pthread_t thread;
    bool started;
    atomic_bool cancel;
    atomic_uint cancel_code;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool complete_returned;                     /* guarded by mu */
    DWORD result;                               /* guarded by mu */
};

static atomic_uint nt_initialized;

static struct nt_session *nt_get(HANDLE h)
{
    struct nt_session *s = h;
    return s && s->magic == NT_MAGIC ? s : NULL;
}

/* "<digits>[unit]" up to end; false when malformed or too large. */
static bool nt_size(const char *p, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    if (p == end || *p < '0' || *p > '9')
        return false;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    size_t ulen = (size_t)(end - p);
    unsigned shift = 0;
    if (ulen > 0) {
        char u = (char)(*p | 0x20);
        if (u == 'b' && ulen == 1)
            shift = 0;
        else if ((u == 'k' || u == 'm' || u == 'g')
                 && (ulen == 1 || (ulen == 3 && (p[1] | 0x20) == 'i' && (p[2] | 0x20) == 'b')))
            shift = u == 'k' ? 10 : u == 'm' ? 20 : 30;
        else
            return false;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* Reads size and block from the object name (ASCII in UTF-16). */
static DWORD nt_parse(LPCWSTR name, uint64_t *size, uint32_t *block)
{
    char buf[256];
    size_t n = 0;
    for (; name[n]; n++) {
        if (n + 1 >= sizeof buf || name[n] > 0x7F)
            return NT_INVALID_PARAMETER;
        buf[n] = (char)name[n];
    }
    buf[n] = '\0';
    char *q = strchr(buf, '?');
    char *end = q ? q : buf + n;
    if (!nt_size(buf, end, size))
        return NT_INVALID_PARAMETER;
    *block = NT_DEFAULT_BLOCK;
    for (char *opt = q ? q + 1 : NULL; opt && *opt;) {
        char *amp = strchr(opt, '&');
        char *stop = amp ? amp : opt + strlen(opt);
        if (strncmp(opt, "block=", 6) == 0) {
            uint64_t b;
            if (!nt_size(opt + 6, stop, &b) || b == 0 || b > NT_MAX_BLOCK)
                return NT_INVALID_PARAMETER;
            *block = (uint32_t)b;
        }
        opt = amp ? amp + 1 : NULL;
    }
    return NT_SUCCESS;
}

DWORD WdsTransportClientInitialize(void)
{
    atomic_fetch_add(&nt_initialized, 1);
    return NT_SUCCESS;
}

DWORD WdsTransportClientShutdown(void)
{
    unsigned v = atomic_load(&nt_initialized);
    while (v > 0 && !atomic_compare_exchange_weak(&nt_initialized, &v, v - 1))
        ;
    return v > 0 ? NT_SUCCESS : NT_INVALID_STATE;
}

DWORD WdsTransportClientInitializeSession(PWDS_TRANSPORTCLIENT_REQUEST r, PVOID pCallerData, PHANDLE hSessionKey)
{
    if (atomic_load(&nt_initialized) == 0)
        return NT_INVALID_STATE;
    if (!r || !hSessionKey || r->ulLength != sizeof *r || !r->pwszObjectName)
        return NT_INVALID_PARAMETER;
    struct nt_session *s = calloc(1, sizeof *s);
    if (!s)
        return NT_NOT_ENOUGH_MEMORY;
    DWORD rc = nt_parse(r->pwszObjectName, &s->size, &s->block);
    if (rc != NT_SUCCESS) {
        free(s);
        return rc;
    }
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        return NT_NOT_ENOUGH_MEMORY;
    }
    if (pthread_cond_init(&s->cv, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NT_NOT_ENOUGH_MEMORY;
    }
    s->magic = NT_MAGIC;
    s->caller_data = pCallerData;
    *hSessionKey = s;
    return NT_SUCCESS;
}

DWORD WdsTransportClientRegisterCallback(HANDLE h, TRANSPORTCLIENT_CALLBACK_ID id, PVOID fn)
{
    struct nt_session *s = nt_get(h);
    if (!s)
        return NT_INVALID_HANDLE;
    if ((unsigned)id >= NT_CALLBACKS || !fn)
        return NT_INVALID_PARAMETER;
    if (s->started)
        return NT_INVALID_STATE;
    s->cb[id] = fn;
    return NT_SUCCESS;
}

static void *nt_deliver(void *arg)
{
    struct nt_session *s = arg;
    HANDLE h = s;
    PVOID cd = s->caller_data;
    PFN_WdsTransportClientSessionStart on_start = (PFN_WdsTransportClientSessionStart)s->cb[WDS_TRANSPORTCLIENT_SESSION_START];
    PFN_WdsTransportClientSessionStartEx on_start_ex = (PFN_WdsTransportClientSessionStartEx)s->cb[WDS_TRANSPORTCLIENT_SESSION_STARTEX];
    PFN_WdsTransportClientReceiveContents on_contents = (PFN_WdsTransportClientReceiveContents)s->cb[WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS];
    PFN_WdsTransportClientSessionComplete on_complete = (PFN_WdsTransportClientSessionComplete)s->cb[WDS_TRANSPORTCLIENT_SESSION_COMPLETE];
    DWORD result = NT_SUCCESS;

    if (on_start) {
        ULARGE_INTEGER fs;
        fs.QuadPart = s->size;
        on_start(h, cd, &fs);
    }
    if (on_start_ex) {
        TRANSPORTCLIENT_SESSION_INFO info;
        memset(&info, 0, sizeof info);
        info.ulStructureLength = (ULONG)sizeof info;
        info.ullFileSize.QuadPart = s->size;
        info.ulBlockSize = s->block;
        on_start_ex(h, cd, &info);
    }
    ULARGE_INTEGER off;
    for (uint64_t o = 0; o < s->size; o += s->block) {
        if (atomic_load_explicit(&s->cancel, memory_order_relaxed)) {
            result = atomic_load(&s->cancel_code);
            break;
        }
        uint64_t left = s->size - o;
        off.QuadPart = o;
        on_contents(h, cd, s->buffer, left < s->block ? (ULONG)left : s->block, &off);
    }
    if (result == NT_SUCCESS && atomic_load(&s->cancel))
        result = atomic_load(&s->cancel_code);

    pthread_mutex_lock(&s->mu);
    s->result = result;
    pthread_mutex_unlock(&s->mu);
    on_complete(h, cd, result);
    pthread_mutex_lock(&s->mu);
    s->complete_returned = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

DWORD WdsTransportClientStartSession(HANDLE h)
{
    struct nt_session *s = nt_get(h);
    if (!s)
        return NT_INVALID_HANDLE;
    if (s->started || !s->cb[WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS] || !s->cb[WDS_TRANSPORTCLIENT_SESSION_COMPLETE]
            || (!s->cb[WDS_TRANSPORTCLIENT_SESSION_START] && !s->cb[WDS_TRANSPORTCLIENT_SESSION_STARTEX]))
        return NT_INVALID_STATE;
    s->buffer = calloc(1, s->block);
    if (!s->buffer)
        return NT_NOT_ENOUGH_MEMORY;
    if (pthread_create(&s->thread, NULL, nt_deliver, s) != 0) {
        free(s->buffer);
        s->buffer = NULL;
        return NT_NOT_ENOUGH_MEMORY;
    }
    s->started = true;
    return NT_SUCCESS;
}

DWORD WdsTransportClientCompleteReceive(HANDLE h, ULONG ulSize, PULARGE_INTEGER pullOffset)
{
    (void)ulSize;
    return h && pullOffset ? NT_SUCCESS : NT_INVALID_PARAMETER;
}

static DWORD nt_cancel(HANDLE h, DWORD code)
{
    struct nt_session *s = nt_get(h);
    if (!s)
        return NT_INVALID_HANDLE;
    unsigned none = 0;
    if (atomic_compare_exchange_strong(&s->cancel_code, &none, code))
        atomic_store(&s->cancel, true);
    return NT_SUCCESS;
}

DWORD WdsTransportClientCancelSession(HANDLE h)
{
    return nt_cancel(h, NT_CANCELLED);
}

DWORD WdsTransportClientCancelSessionEx(HANDLE h, DWORD dwErrorCode)
{
    return dwErrorCode == NT_SUCCESS ? NT_INVALID_PARAMETER : nt_cancel(h, dwErrorCode);
}

DWORD WdsTransportClientWaitForCompletion(HANDLE h, ULONG uTimeout)
{
    struct nt_session *s = nt_get(h);
    if (!s)
        return NT_INVALID_HANDLE;
    if (!s->started)
        return NT_INVALID_STATE;
    if (pthread_equal(pthread_self(), s->thread))
        return NT_POSSIBLE_DEADLOCK;
    struct timespec until;
    if (uTimeout != NT_INFINITE) {
        clock_gettime(CLOCK_REALTIME, &until);
        uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)uTimeout * 1000000u;
        until.tv_sec += (time_t)(ns / 1000000000u);
        until.tv_nsec = (long)(ns % 1000000000u);
    }
    DWORD rc = NT_SUCCESS;
    pthread_mutex_lock(&s->mu);
    while (!s->complete_returned && rc == NT_SUCCESS) {
        if (uTimeout == NT_INFINITE)
            pthread_cond_wait(&s->cv, &s->mu);
        else if (pthread_cond_timedwait(&s->cv, &s->mu, &until) != 0 && !s->complete_returned)
            rc = NT_WAIT_TIMEOUT;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

DWORD WdsTransportClientQueryStatus(HANDLE h, PULONG puStatus, PULONG puErrorCode)
{
    struct nt_session *s = nt_get(h);
    if (!s)
        return NT_INVALID_HANDLE;
    if (!puStatus || !puErrorCode)
        return NT_INVALID_PARAMETER;
    pthread_mutex_lock(&s->mu);
    bool done = s->complete_returned;
    DWORD result = s->result;
    pthread_mutex_unlock(&s->mu);
    *puStatus = !done ? WDS_TRANSPORTCLIENT_STATUS_IN_PROGRESS
              : result == NT_SUCCESS ? WDS_TRANSPORTCLIENT_STATUS_SUCCESS : WDS_TRANSPORTCLIENT_STATUS_FAILURE;
    *puErrorCode = done ? result : 0;
    return NT_SUCCESS;
}

DWORD WdsTransportClientCloseSession(HANDLE h)
{
    struct nt_session *s = nt_get(h);
    if (!s)
        return NT_INVALID_HANDLE;
    if (s->started) {
        if (pthread_equal(pthread_self(), s->thread))
            return NT_POSSIBLE_DEADLOCK;
        pthread_join(s->thread, NULL);
    }
    s->magic = 0;
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->buffer);
    free(s);
    return NT_SUCCESS;
}

DWORD WdsTransportClientAddRefBuffer(PVOID pvBuffer)
{
    return pvBuffer ? NT_SUCCESS : NT_INVALID_PARAMETER;
}

DWORD WdsTransportClientReleaseBuffer(PVOID pvBuffer)
{
    return pvBuffer ? NT_SUCCESS : NT_INVALID_PARAMETER;
}
