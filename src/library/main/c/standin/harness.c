/*
 * Benchmark harness of the Linux stand-in (declared in standin_diag.h; not
 * part of wdstci.h, not in any Windows DLL).  Used only by the JMH suite and
 * the C consumer in src/bench, to measure a downcall and an upcall apart from
 * the stand-in's session machinery (its locks, maps, buffer pool and thread
 * per session).
 *
 *  - WdsStandinHarnessConstant returns a constant: the cheapest downcall there
 *    is, next to QueryStatus, which does real work under a lock.
 *  - WdsStandinHarnessOpen starts a delivery thread; WdsStandinHarnessDeliver
 *    has that thread call a ReceiveContents-shaped callback N times in a
 *    tight loop (one fixed buffer, the offset advancing by the block size, no
 *    lock, map, pool or allocation inside the loop) and times the loop with
 *    CLOCK_MONOTONIC.  The thread lives until WdsStandinHarnessClose, so a
 *    JVM attaches it once, as it would a transport's delivery thread, and a
 *    Deliver costs one hand-off besides the loop.
 *
 * Self-contained on purpose: it shares no state or header with the rest of
 * the stand-in beyond wdstci.h and standin_diag.h.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#ifndef WDSTCI_IMPORT
#  define WDSTCI_IMPORT __attribute__((visibility("default")))
#endif
#include "standin_diag.h"

/* Win32 codes (winerror.h values) the harness reports. */
#define HR_SUCCESS            0u
#define HR_INVALID_HANDLE     6u
#define HR_NOT_ENOUGH_MEMORY  8u
#define HR_INVALID_PARAMETER 87u
#define HR_BUSY             170u
#define HR_POSSIBLE_DEADLOCK 1131u

#define HR_MAX_BLOCK (64u * 1024u * 1024u)   /* the stand-in's largest block */

struct harness {
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* job posted, job done, quit */
    pthread_t thread;
    bool quit;
    bool busy;                     /* a Deliver call owns the harness */
    bool posted;                   /* a job waits for the thread */
    bool done;                     /* the thread finished the job */

    /* the job */
    PFN_WdsTransportClientReceiveContents callback;
    HANDLE key;
    PVOID caller_data;
    ULONG block;
    ULONGLONG count;
    ULONGLONG elapsed_ns;
    DWORD result;

    unsigned char *buffer;         /* the fixed buffer, grown between jobs only */
    ULONG capacity;
};

ULONG WdsStandinHarnessConstant(void)
{
    return WDS_STANDIN_HARNESS_CONSTANT;
}

static uint64_t hr_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs one job on the harness thread: the timed loop and nothing else. */
static void hr_run(struct harness *h)
{
    if (h->capacity < h->block) {
        unsigned char *b = calloc(1, h->block);
        if (!b) {
            h->result = HR_NOT_ENOUGH_MEMORY;
            return;
        }
        free(h->buffer);
        h->buffer = b;
        h->capacity = h->block;
    }
    PFN_WdsTransportClientReceiveContents cb = h->callback;
    HANDLE key = h->key;
    PVOID cd = h->caller_data;
    PVOID data = h->buffer;
    ULONG block = h->block;
    ULONGLONG n = h->count;
    ULARGE_INTEGER off;

    uint64_t t0 = hr_now_ns();
    for (ULONGLONG i = 0; i < n; i++) {
        off.QuadPart = i * block;
        cb(key, cd, data, block, &off);
    }
    h->elapsed_ns = hr_now_ns() - t0;
    h->result = HR_SUCCESS;
}

static void *hr_main(void *arg)
{
    struct harness *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->quit && !h->posted)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->quit)
            break;
        h->posted = false;
        pthread_mutex_unlock(&h->mu);
        hr_run(h);
        pthread_mutex_lock(&h->mu);
        h->done = true;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

DWORD WdsStandinHarnessOpen(HANDLE *harness)
{
    if (!harness)
        return HR_INVALID_PARAMETER;
    *harness = NULL;
    struct harness *h = calloc(1, sizeof *h);
    if (!h)
        return HR_NOT_ENOUGH_MEMORY;
    if (pthread_mutex_init(&h->mu, NULL) != 0) {
        free(h);
        return HR_NOT_ENOUGH_MEMORY;
    }
    if (pthread_cond_init(&h->cv, NULL) != 0) {
        pthread_mutex_destroy(&h->mu);
        free(h);
        return HR_NOT_ENOUGH_MEMORY;
    }
    if (pthread_create(&h->thread, NULL, hr_main, h) != 0) {
        pthread_cond_destroy(&h->cv);
        pthread_mutex_destroy(&h->mu);
        free(h);
        return HR_NOT_ENOUGH_MEMORY;
    }
    *harness = h;
    return HR_SUCCESS;
}

DWORD WdsStandinHarnessDeliver(HANDLE harness, PFN_WdsTransportClientReceiveContents callback,
                               HANDLE hSessionKey, PVOID pCallerData, ULONG blockSize,
                               ULONGLONG count, ULONGLONG *elapsedNs)
{
    struct harness *h = harness;
    if (!h)
        return HR_INVALID_HANDLE;
    if (!callback || blockSize == 0 || blockSize > HR_MAX_BLOCK)
        return HR_INVALID_PARAMETER;
    if (pthread_equal(pthread_self(), h->thread))
        return HR_POSSIBLE_DEADLOCK;             /* a callback cannot wait for its own thread */

    pthread_mutex_lock(&h->mu);
    if (h->busy) {
        pthread_mutex_unlock(&h->mu);
        return HR_BUSY;
    }
    h->busy = true;
    h->callback = callback;
    h->key = hSessionKey;
    h->caller_data = pCallerData;
    h->block = blockSize;
    h->count = count;
    h->done = false;
    h->posted = true;
    pthread_cond_broadcast(&h->cv);
    while (!h->done)
        pthread_cond_wait(&h->cv, &h->mu);
    DWORD rc = h->result;
    if (rc == HR_SUCCESS && elapsedNs)
        *elapsedNs = h->elapsed_ns;
    h->busy = false;
    pthread_mutex_unlock(&h->mu);
    return rc;
}

DWORD WdsStandinHarnessClose(HANDLE harness)
{
    struct harness *h = harness;
    if (!h)
        return HR_INVALID_HANDLE;
    if (pthread_equal(pthread_self(), h->thread))
        return HR_POSSIBLE_DEADLOCK;
    pthread_mutex_lock(&h->mu);
    if (h->busy) {
        pthread_mutex_unlock(&h->mu);
        return HR_BUSY;
    }
    h->quit = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h->buffer);
    free(h);
    return HR_SUCCESS;
}
