/*
 * The plain C consumer: the JMH suite's measurements made from C against the
 * same library, as the floor a Java binding is compared with.
 *
 *   consumer [--smoke] BUILD OUT.json
 *
 * BUILD names the compiler flags it was built with (the report picks the
 * faster build per figure and says which).  Built against the stand-in, it
 * measures:
 *   downcall.constant      ns per call of WdsStandinHarnessConstant (harness)
 *   downcall.queryStatus   ns per QueryStatus on a live session
 *   upcall.harness         ns per callback: the harness thread calling a C
 *                          function pointer in a tight loop
 *   delivery.<block>       ns per block: stand-in delivery with fill=0, the
 *                          callback completing each block at once
 *   e2e.<block>            GiB/s: a synthetic object (1 GiB) received, every
 *                          64-bit word summed
 *   lifecycle.<size>       us per session (initialize, start, complete, close)
 *   concurrency.<k>        aggregate GiB/s of k concurrent sessions of 64 MiB,
 *                          every word summed
 *   memory.<k>             bytes of RSS per live session, k sessions each
 *                          holding its first block (in a child process)
 * Built with -DNULL_TRANSPORT against the null transport (nulltransport.c),
 * it measures only delivery.null.<block>, the same loop as delivery.<block>.
 * Each figure is the median of several timed runs after one warm-up run;
 * min and max are written beside it.  --smoke: small sizes, one run each,
 * to check that everything still works (the figures mean nothing).
 */
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wdstci.h"
#ifndef NULL_TRANSPORT
#include "standin_diag.h"
#endif

#define MAX_RUNS   15
#define CACHE_SIZE (32U << 20)
#define MAX_FIGURES 64
#define MAX_SESSIONS 64
#define GIB ((double)(1ULL << 30))

static int smoke;

/* ---- figures ------------------------------------------------------------------------ */

struct figure {
    char key[48];
    const char *unit;
    double value, min, max;
    int runs;
};

static struct figure figures[MAX_FIGURES];
static int nfigures;

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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Records the median (and range) of n values, each already in the figure's unit. */
static void record(const char *key, const char *unit, double *v, int n)
{
    if (nfigures == MAX_FIGURES)
        die("record (too many figures)", 8);
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    struct figure *f = &figures[nfigures++];
    snprintf(f->key, sizeof f->key, "%s", key);
    f->unit = unit;
    f->value = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    f->min = v[0];
    f->max = v[n - 1];
    f->runs = n;
    fprintf(stderr, "consumer: %-24s %12.3f %s (%d runs, %.3f..%.3f)\n", key, f->value, unit, n, f->min, f->max);
}

static int runs(int n)
{
    return smoke ? 1 : n;
}

/* ---- sessions ----------------------------------------------------------------------- */

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

struct gate;

struct ctx {
    int touch;
    uint64_t sum;
    uint64_t blocks;
    DWORD result;
    sem_t completed;          /* posted by SessionComplete */
    struct gate *hold;        /* memory: wait here in the first block */
    WCHAR *names[3];
    HANDLE h;
};

static void WDSTCI_CALLBACK on_start(HANDLE h, PVOID cd, PULARGE_INTEGER size)
{
    (void)h;
    (void)cd;
    (void)size;
}

struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int arrived;
    int open;
};

static void gate_hold(struct gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->arrived++;
    pthread_cond_broadcast(&g->cv);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
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
    if (c->hold && c->blocks == 0)
        gate_hold(c->hold);
    c->blocks++;
    WdsTransportClientCompleteReceive(h, size, off);
}

static void WDSTCI_CALLBACK on_complete(HANDLE h, PVOID cd, DWORD err)
{
    (void)h;
    struct ctx *c = cd;
    c->result = err;
    sem_post(&c->completed);
}

static void open_session(const char *object, ULONG cache, struct ctx *c)
{
    c->result = 0xFFFFFFFFu;
    if (sem_init(&c->completed, 0, 0) != 0)
        die("sem_init", 8);
    c->names[0] = wide("bench");
    c->names[1] = wide("synthetic");
    c->names[2] = wide(object);
    WDS_TRANSPORTCLIENT_REQUEST r;
    memset(&r, 0, sizeof r);
    r.ulLength = sizeof r;
    r.ulApiVersion = WDS_TRANSPORTCLIENT_CURRENT_API_VERSION;
    r.ulAuthLevel = WDS_TRANSPORTCLIENT_NO_AUTH;
    r.pwszServer = c->names[0];
    r.pwszNamespace = c->names[1];
    r.pwszObjectName = c->names[2];
    r.ulCacheSize = cache;
    r.ulProtocol = WDS_TRANSPORTCLIENT_PROTOCOL_MULTICAST;
    check("InitializeSession", WdsTransportClientInitializeSession(&r, c, &c->h));
    check("RegisterCallback", WdsTransportClientRegisterCallback(c->h, WDS_TRANSPORTCLIENT_SESSION_START, (PVOID)on_start));
    check("RegisterCallback", WdsTransportClientRegisterCallback(c->h, WDS_TRANSPORTCLIENT_RECEIVE_CONTENTS, (PVOID)on_contents));
    check("RegisterCallback", WdsTransportClientRegisterCallback(c->h, WDS_TRANSPORTCLIENT_SESSION_COMPLETE, (PVOID)on_complete));
}

/*
 * Waits for SessionComplete on the consumer's own semaphore, then closes
 * (WaitForCompletion then returns at once).  The Session API waits on its
 * future in the same way; every consumer of the suite does.  Stand-ins before
 * 2026-11-26 woke WaitForCompletion's waiters at every CompleteReceive, a
 * per-block cost of theirs; waiting the same way keeps runs comparable.
 */
static void close_session(struct ctx *c, int expect_success)
{
    while (sem_wait(&c->completed) != 0)
        ;
    check("WaitForCompletion", WdsTransportClientWaitForCompletion(c->h, 0xFFFFFFFFu));
    check("CloseSession", WdsTransportClientCloseSession(c->h));
    sem_destroy(&c->completed);
    if (expect_success)
        check("session", c->result);
    for (int i = 0; i < 3; i++)
        free(c->names[i]);
}

/* One whole session; returns its duration in ns. */
static uint64_t run_session(const char *object, ULONG cache, int touch, uint64_t *blocks)
{
    struct ctx c = {.touch = touch};
    uint64_t t0 = now_ns();
    open_session(object, cache, &c);
    check("StartSession", WdsTransportClientStartSession(c.h));
    close_session(&c, 1);
    uint64_t t = now_ns() - t0;
    *blocks = c.blocks;
    return t;
}

static const ULONG sizes[] = {4096, 65536, 1048576};
#define NSIZES 3

/* ns per block of delivery with no content, the callback completing each block. */
static void delivery(const char *prefix, uint64_t blocks_per_run)
{
    char object[128], key[48];
    for (int s = 0; s < NSIZES; s++) {
        double v[MAX_RUNS];
        uint64_t blocks;
        snprintf(object, sizeof object, "%" PRIu64 "?block=%u&fill=0&poison=0", blocks_per_run * sizes[s], sizes[s]);
        run_session(object, 0, 0, &blocks);
        int n = runs(5);
        for (int r = 0; r < n; r++)
            v[r] = (double)run_session(object, 0, 0, &blocks) / (double)blocks;
        snprintf(key, sizeof key, "%s.%u", prefix, sizes[s]);
        record(key, "ns/block", v, n);
    }
}

#ifndef NULL_TRANSPORT

static void downcalls(void)
{
    int n = runs(5);
    long calls = smoke ? 100000 : 20000000;
    double v[MAX_RUNS];
    volatile ULONG sink = 0;
    for (int r = 0; r <= n; r++) {         /* run 0 warms up */
        uint64_t t0 = now_ns();
        ULONG acc = 0;
        for (long i = 0; i < calls; i++)
            acc += WdsStandinHarnessConstant();
        uint64_t t = now_ns() - t0;
        sink += acc;
        if (r > 0)
            v[r - 1] = (double)t / (double)calls;
    }
    record("downcall.constant", "ns/call", v, n);

    struct ctx c = {0};
    open_session("1MiB?delay=1000s", 0, &c);
    check("StartSession", WdsTransportClientStartSession(c.h));
    ULONG st, err;
    calls = smoke ? 100000 : 5000000;
    for (int r = 0; r <= n; r++) {
        uint64_t t0 = now_ns();
        for (long i = 0; i < calls; i++)
            WdsTransportClientQueryStatus(c.h, &st, &err);
        if (r > 0)
            v[r - 1] = (double)(now_ns() - t0) / (double)calls;
    }
    record("downcall.queryStatus", "ns/call", v, n);
    check("CancelSession", WdsTransportClientCancelSession(c.h));
    close_session(&c, 0);
}

static void WDSTCI_CALLBACK count_block(HANDLE h, PVOID cd, PVOID data, ULONG size, PULARGE_INTEGER off)
{
    (void)h;
    (void)data;
    (void)size;
    (void)off;
    ++*(uint64_t *)cd;
}

static void harness_upcall(void)
{
    HANDLE hr;
    check("HarnessOpen", WdsStandinHarnessOpen(&hr));
    uint64_t count = 0;
    ULONGLONG calls = smoke ? 100000 : 50000000, ns;
    int n = runs(5);
    double v[MAX_RUNS];
    for (int r = 0; r <= n; r++) {
        check("HarnessDeliver", WdsStandinHarnessDeliver(hr, count_block, NULL, &count, 4096, calls, &ns));
        if (r > 0)
            v[r - 1] = (double)ns / (double)calls;
    }
    if (count != calls * (ULONGLONG)(n + 1))
        die("harness (callback count)", 13);
    check("HarnessClose", WdsStandinHarnessClose(hr));
    record("upcall.harness", "ns/callback", v, n);
}

static void end_to_end(void)
{
    uint64_t object_size = smoke ? 4ULL << 20 : 1ULL << 30;
    char object[128], key[48];
    for (int s = 0; s < NSIZES; s++) {
        double v[MAX_RUNS];
        uint64_t blocks;
        snprintf(object, sizeof object, "%" PRIu64 "?block=%u", object_size, sizes[s]);
        run_session(object, CACHE_SIZE, 1, &blocks);
        int n = runs(5);
        for (int r = 0; r < n; r++)
            v[r] = (double)object_size / GIB / ((double)run_session(object, CACHE_SIZE, 1, &blocks) / 1e9);
        snprintf(key, sizeof key, "e2e.%u", sizes[s]);
        record(key, "GiB/s", v, n);
    }
}

static void lifecycle(void)
{
    static const char *objects[] = {"0", "4096"};
    static const char *keys[] = {"lifecycle.0", "lifecycle.4096"};
    int per_run = smoke ? 20 : 2000;
    for (int o = 0; o < 2; o++) {
        double v[MAX_RUNS];
        uint64_t blocks;
        int n = runs(5);
        for (int r = 0; r <= n; r++) {
            uint64_t t0 = now_ns();
            for (int i = 0; i < per_run; i++)
                run_session(objects[o], CACHE_SIZE, 1, &blocks);
            if (r > 0)
                v[r - 1] = (double)(now_ns() - t0) / per_run / 1e3;
        }
        record(keys[o], "us/session", v, n);
    }
}

static const int concurrent[] = {1, 4, 16, 64};
#define NCONCURRENT 4

static void concurrency(void)
{
    static struct ctx c[MAX_SESSIONS];
    uint64_t session_size = smoke ? 1ULL << 20 : 64ULL << 20;
    char object[64], key[48];
    snprintf(object, sizeof object, "%" PRIu64, session_size);
    for (int k = 0; k < NCONCURRENT; k++) {
        int sessions = concurrent[k];
        int n = runs(3);
        double v[MAX_RUNS];
        for (int r = 0; r <= n; r++) {
            uint64_t t0 = now_ns();
            for (int i = 0; i < sessions; i++) {
                memset(&c[i], 0, sizeof c[i]);
                c[i].touch = 1;
                open_session(object, CACHE_SIZE, &c[i]);
                check("StartSession", WdsTransportClientStartSession(c[i].h));
            }
            for (int i = 0; i < sessions; i++)
                close_session(&c[i], 1);
            if (r > 0)
                v[r - 1] = (double)session_size * sessions / GIB / ((double)(now_ns() - t0) / 1e9);
        }
        snprintf(key, sizeof key, "concurrency.%d", sessions);
        record(key, "GiB/s", v, n);
    }
}

/* Resident set size in bytes, from /proc/self/smaps_rollup: it walks the page
 * tables, where VmRSS in /proc/self/status lags behind (per-thread counters). */
static double rss_bytes(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f)
        die("fopen /proc/self/smaps_rollup", 2);
    char line[256];
    double kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Rss: %lf kB", &kb) == 1)
            break;
    fclose(f);
    if (kb < 0)
        die("Rss in smaps_rollup", 13);
    return kb * 1024;
}

/* RSS growth per session with k sessions live, each holding its first block,
 * after one session has come and gone; measured in a child process, so that
 * no earlier phase has left freed memory behind for the sessions to reuse. */
static double memory_once(int sessions)
{
    static struct ctx c[MAX_SESSIONS];
    struct gate g = {.arrived = 0, .open = 0};
    pthread_mutex_init(&g.mu, NULL);
    pthread_cond_init(&g.cv, NULL);
    uint64_t blocks;
    run_session("64KiB", CACHE_SIZE, 1, &blocks);          /* one session warms the process up */
    double before = rss_bytes();
    for (int i = 0; i < sessions; i++) {
        memset(&c[i], 0, sizeof c[i]);
        c[i].touch = 1;
        c[i].hold = &g;
        open_session("64MiB", CACHE_SIZE, &c[i]);
        check("StartSession", WdsTransportClientStartSession(c[i].h));
    }
    pthread_mutex_lock(&g.mu);
    while (g.arrived < sessions)
        pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);
    double after = rss_bytes();
    for (int i = 0; i < sessions; i++)
        check("CancelSession", WdsTransportClientCancelSession(c[i].h));
    pthread_mutex_lock(&g.mu);
    g.open = 1;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    for (int i = 0; i < sessions; i++)
        close_session(&c[i], 0);
    pthread_cond_destroy(&g.cv);
    pthread_mutex_destroy(&g.mu);
    return (after - before) / sessions;
}

static void memory(void)
{
    char key[48];
    for (int k = 0; k < NCONCURRENT; k++) {
        int n = runs(3);
        double v[MAX_RUNS];
        for (int r = 0; r < n; r++) {
            int fd[2];
            if (pipe(fd) != 0)
                die("pipe", 8);
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0)
                die("fork", 8);
            if (pid == 0) {
                close(fd[0]);
                check("Initialize", WdsTransportClientInitialize());
                double b = memory_once(concurrent[k]);
                check("Shutdown", WdsTransportClientShutdown());
                _exit(write(fd[1], &b, sizeof b) == (ssize_t)sizeof b ? 0 : 1);
            }
            close(fd[1]);
            ssize_t got = read(fd[0], &v[r], sizeof v[r]);
            close(fd[0]);
            int status;
            if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0
                    || got != (ssize_t)sizeof v[r])
                die("memory (child process)", 13);
        }
        snprintf(key, sizeof key, "memory.%d", concurrent[k]);
        record(key, "B/session", v, n);
    }
}

#endif /* !NULL_TRANSPORT */

static void write_json(const char *path, const char *build)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "{\n  \"build\": \"%s\",\n  \"smoke\": %s,\n  \"figures\": {\n", build, smoke ? "true" : "false");
    for (int i = 0; i < nfigures; i++) {
        struct figure *g = &figures[i];
        fprintf(f, "    \"%s\": {\"value\": %.4f, \"min\": %.4f, \"max\": %.4f, \"runs\": %d, \"unit\": \"%s\"}%s\n",
                g->key, g->value, g->min, g->max, g->runs, g->unit, i + 1 < nfigures ? "," : "");
    }
    fprintf(f, "  }\n}\n");
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    fprintf(stderr, "consumer: wrote %s\n", path);
}

int main(int argc, char **argv)
{
    int a = 1;
    if (a < argc && strcmp(argv[a], "--smoke") == 0) {
        smoke = 1;
        a++;
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: consumer [--smoke] BUILD OUT.json\n");
        return 2;
    }
    const char *build = argv[a], *out = argv[a + 1];
    uint64_t blocks_per_run = smoke ? 1024 : 65536;
    check("Initialize", WdsTransportClientInitialize());
#ifdef NULL_TRANSPORT
    delivery("delivery.null", blocks_per_run);
#else
    memory();               /* first: its child processes must not inherit freed memory to reuse */
    downcalls();
    harness_upcall();
    delivery("delivery", blocks_per_run);
    end_to_end();
    lifecycle();
    concurrency();
#endif
    check("Shutdown", WdsTransportClientShutdown());
    write_json(out, build);
    return 0;
}
