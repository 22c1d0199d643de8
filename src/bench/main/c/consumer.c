/*
 * The plain C consumer: the same measurements as the JMH suite, made from C
 * against the same stand-in, as the floor ("physical limit") a Java binding
 * is compared with.
 *
 *   consumer OUT.json [E2E_REPEATS]
 *
 * Measures (each a median of several runs, after one warm-up run):
 *   - downcall: QueryStatus on a live session, ns per call;
 *   - upcall:   ns per delivered block with fill=0&poison=0 (the callback
 *               completes each block at once), 65536 blocks per run;
 *   - e2e:      a 1 GiB synthetic object, every 64-bit word summed, ms per
 *               run, for 4 KiB, 64 KiB and 1 MiB blocks.
 * Writes the figures as JSON for the report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wdstci.h"

#define UPCALL_BLOCKS 65536
#define OBJECT_SIZE   (1ULL << 30)
#define CACHE_SIZE    (32U << 20)
#define MAX_RUNS      15

struct ctx {
    int touch;
    uint64_t sum;
    uint64_t blocks;
    DWORD result;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, DWORD rc)
{
    fprintf(stderr, "consumer: %s failed: %u\n", what, rc);
    exit(1);
}

static void check(const char *what, DWORD rc)
{
    if (rc != 0)
        die(what, rc);
}

/* ASCII to the UTF-16 the API takes. */
static WCHAR *wide(const char *s)
{
    size_t n = strlen(s);
    WCHAR *w = calloc(n + 1, sizeof *w);
    if (!w)
        die("calloc", 8);
    for (size_t i = 0; i < n; i++)
        w[i] = (WCHAR)(unsigned char)s[i];
    return w;
}

static void WDSTCI_CALLBACK on_start(HANDLE h, PVOID cd, PULARGE_INTEGER size)
{
    (void)h;
    (void)cd;
    (void)size;
}

static void WDSTCI_CALLBACK on_contents(HANDLE h, PVOID cd, PVOID data, ULONG size, PULARGE_INTEGER off)
{
    struct ctx *c = cd;
    if (c->touch) {
        const unsigned char *p = data;
        uint64_t s = 0;
        for (ULONG i = 0; i + 8 <= size; i += 8) {
            uint64_t w;
            memcpy(&w, p + i, sizeof w);   /* little-endian host, as the Java side reads */
            s += w;
        }
        c->sum += s;
    }
    c->blocks++;
    WdsTransportClientCompleteReceive(h, size, off);
}

static void WDSTCI_CALLBACK on_complete(HANDLE h, PVOID cd, DWORD err)
{
    (void)h;
    ((struct ctx *)cd)->result = err;
}

static HANDLE open_session(const char *object, ULONG cache, struct ctx *c, WCHAR **names)
{
    names[0] = wide("bench");
    names[1] = wide("synthetic");
    names[2] = wide(object);
    WDS_TRANSPORTCLIENT_REQUEST r;
    memset(&r, 0, sizeof r);
    r.ulLength = sizeof r;
    r.ulApiVersion = WDS_TRANSPORTCLIENT_CURRENT_API_VERSION;
    r.ulAuthLevel = WDS_TRANSPORTCLIENT_NO_AUTH;
    r.pwszServer = names[0];
    r.pwszNamespace = names[1];
    r.pwszObjectName = names[2];
    r.ulCacheSize = cache;
    r.ulProtocol = WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST;
    HANDLE h = NULL;
    check("InitializeSession", WdsTransportClientInitializeSession(&r, c, &h));
    check("RegisterCallback", WdsTransportClientRegisterCallback(h, WDS_TRANSPORTCLIENT_SESSION_START, (PVOID)on_start));
    check("RegisterCallback", WdsTransportClientRegisterCallback(h, WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS, (PVOID)on_contents));
    check("RegisterCallback", WdsTransportClientRegisterCallback(h, WDS_TRANSPORTCLIENT_SESSION_COMPLETE, (PVOID)on_complete));
    return h;
}

/* One whole session; returns its duration in ns. */
static uint64_t run_session(const char *object, ULONG cache, int touch, uint64_t *blocks)
{
    struct ctx c = {.touch = touch, .result = 0xFFFFFFFFu};
    WCHAR *names[3];
    uint64_t t0 = now_ns();
    HANDLE h = open_session(object, cache, &c, names);
    check("StartSession", WdsTransportClientStartSession(h));
    check("WaitForCompletion", WdsTransportClientWaitForCompletion(h, 0xFFFFFFFFu));
    check("CloseSession", WdsTransportClientCloseSession(h));
    uint64_t t = now_ns() - t0;
    check("session", c.result);
    for (int i = 0; i < 3; i++)
        free(names[i]);
    *blocks = c.blocks;
    return t;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    return v[n / 2];
}

static double downcall_ns(void)
{
    struct ctx c = {0};
    WCHAR *names[3];
    HANDLE h = open_session("1MiB?delay=1000s", 0, &c, names);
    check("StartSession", WdsTransportClientStartSession(h));
    enum { CALLS = 5000000, RUNS = 5 };
    uint64_t t[RUNS];
    ULONG st, err;
    for (int r = 0; r <= RUNS; r++) {         /* run 0 warms up */
        uint64_t t0 = now_ns();
        for (int i = 0; i < CALLS; i++)
            WdsTransportClientQueryStatus(h, &st, &err);
        if (r > 0)
            t[r - 1] = now_ns() - t0;
    }
    WdsTransportClientCancelSession(h);
    WdsTransportClientWaitForCompletion(h, 0xFFFFFFFFu);
    WdsTransportClientCloseSession(h);
    for (int i = 0; i < 3; i++)
        free(names[i]);
    return (double)median(t, RUNS) / CALLS;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: consumer OUT.json [E2E_REPEATS]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    if (repeats < 1 || repeats > MAX_RUNS)
        repeats = 3;
    static const ULONG sizes[] = {4096, 65536, 1048576};
    check("Initialize", WdsTransportClientInitialize());

    double down = downcall_ns();
    double up[3], e2e_ms[3];
    char object[128];
    for (int s = 0; s < 3; s++) {
        uint64_t t[MAX_RUNS], blocks;
        snprintf(object, sizeof object, "%" PRIu64 "?block=%u&fill=0&poison=0",
                 (uint64_t)UPCALL_BLOCKS * sizes[s], sizes[s]);
        run_session(object, 0, 0, &blocks);
        for (int r = 0; r < 5; r++)
            t[r] = run_session(object, 0, 0, &blocks);
        up[s] = (double)median(t, 5) / (double)blocks;

        snprintf(object, sizeof object, "%llu?block=%u", OBJECT_SIZE, sizes[s]);
        run_session(object, CACHE_SIZE, 1, &blocks);
        for (int r = 0; r < repeats; r++)
            t[r] = run_session(object, CACHE_SIZE, 1, &blocks);
        e2e_ms[s] = (double)median(t, repeats) / 1e6;
        fprintf(stderr, "consumer: block %u: upcall %.1f ns/block, 1 GiB in %.1f ms\n", sizes[s], up[s], e2e_ms[s]);
    }
    check("Shutdown", WdsTransportClientShutdown());

    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fprintf(f, "{\n  \"downcallNs\": %.3f,\n  \"upcallNsPerBlock\": {", down);
    for (int s = 0; s < 3; s++)
        fprintf(f, "%s\"%u\": %.3f", s ? ", " : "", sizes[s], up[s]);
    fprintf(f, "},\n  \"endToEndMsPerGiB\": {");
    for (int s = 0; s < 3; s++)
        fprintf(f, "%s\"%u\": %.3f", s ? ", " : "", sizes[s], e2e_ms[s]);
    fprintf(f, "}\n}\n");
    fclose(f);
    fprintf(stderr, "consumer: QueryStatus %.2f ns; wrote %s\n", down, argv[1]);
    return 0;
}
