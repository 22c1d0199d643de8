/*
 * Internal declarations of the Linux stand-in for WDSTPTC.dll.
 *
 * The stand-in implements the 14 functions of headers/wdstci.h over a
 * loopback "server": objects are files under a content root or synthetic
 * objects with deterministic content.  Everything but the 14 API functions
 * (and one diagnostics function, standin_diag.h) is hidden.
 */
#ifndef STANDIN_H
#define STANDIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WDSTCI_IMPORT __attribute__((visibility("default")))
#include "wdstci.h"

/* Win32 error codes (winerror.h values) the stand-in reports. */
#define ERROR_SUCCESS            0u
#define ERROR_FILE_NOT_FOUND     2u
#define ERROR_PATH_NOT_FOUND     3u
#define ERROR_ACCESS_DENIED      5u
#define ERROR_INVALID_HANDLE     6u
#define ERROR_NOT_ENOUGH_MEMORY  8u
#define ERROR_READ_FAULT        30u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_INVALID_NAME     123u
#define WAIT_TIMEOUT           258u
#define ERROR_POSSIBLE_DEADLOCK 1131u
#define ERROR_CANCELLED       1223u
#define ERROR_INVALID_STATE   5023u
#define WSAHOST_NOT_FOUND    11001u

#define STANDIN_INFINITE 0xFFFFFFFFu

/* Number of callback ids this build knows (MAX_CALLBACKS of its header). */
#ifdef STANDIN_VISTA
#  define STANDIN_CALLBACKS 5   /* like the Vista SP1 DLL: no SESSION_NEGOTIATE */
#else
#  define STANDIN_CALLBACKS 6
#endif

/* ---- open-addressing map from uint64 to uint64 (map.c) ------------------ */
#define ST_MAP_EMPTY UINT64_MAX   /* never a valid key: no offset or pointer is all ones */

typedef struct {
    uint64_t key;
    uint64_t val;
} st_entry;

typedef struct {
    st_entry *e;
    size_t cap;   /* power of two, or 0 */
    size_t len;
} st_map;

int  st_map_put(st_map *m, uint64_t key, uint64_t val);       /* 0, or -1 when out of memory */
bool st_map_get(const st_map *m, uint64_t key, uint64_t *val);
bool st_map_remove(st_map *m, uint64_t key, uint64_t *val);
void st_map_free(st_map *m);

/* ---- object options and sources (source.c) ----------------------------- */
enum st_order { ST_ORDER_SEQ, ST_ORDER_WRAP, ST_ORDER_SHUFFLE };

/* Options given after '?' in an object name; see source.c for the grammar. */
struct st_options {
    uint32_t block;           /* receive block size (before cache clamping)  */
    enum st_order order;
    bool start_set;
    uint64_t start;           /* first block of ORDER_WRAP                    */
    uint64_t seed;            /* content seed and shuffle seed               */
    DWORD fail_code;          /* 0: no injected failure                      */
    bool fail_at_set;         /* false: fail before SessionStart             */
    uint64_t fail_at;         /* fail once this many bytes were delivered    */
    uint64_t delay_ns;        /* pause before each block                     */
    unsigned char *meta;      /* metadata to deliver, or NULL                */
    size_t meta_len;
    bool poison;              /* poison buffers on last release (default on) */
    bool fill;                /* generate/read content (default on)          */
    bool auth_required;       /* NO_AUTH requests are refused                */
};

struct st_source {
    bool synthetic;
    int fd;                   /* file objects                                 */
    uint64_t size;
    uint64_t seed;
    unsigned char *meta;      /* metadata found beside a file object          */
    size_t meta_len;
};

DWORD st_parse_object(const char *object, char **base, struct st_options *opt);
void  st_options_free(struct st_options *opt);
DWORD st_source_open(const char *server, const char *nspace, const char *base,
                     const struct st_options *opt, struct st_source *src);
DWORD st_source_read(const struct st_source *src, uint64_t off, unsigned char *dst, uint32_t len);
void  st_source_close(struct st_source *src);
void  st_fill_synthetic(uint64_t seed, uint64_t off, unsigned char *dst, size_t len);
DWORD st_utf16_to_utf8(LPCWSTR s, char **out);

/* Iterates block indexes 0..n-1 in the chosen order, each exactly once. */
struct st_block_iter {
    enum st_order order;
    uint64_t n, i;            /* i: blocks produced so far (seq/wrap)         */
    uint64_t start;
    uint64_t mask, x, a, c;   /* shuffle: full-period LCG modulo mask+1       */
    uint64_t steps;           /* shuffle: LCG steps taken                     */
};
void st_block_iter_init(struct st_block_iter *it, enum st_order order, uint64_t n,
                        uint64_t start, uint64_t seed);
bool st_block_iter_next(struct st_block_iter *it, uint64_t *block);

/* ---- sessions (session.c) ------------------------------------------------ */
enum st_state { ST_CREATED, ST_RUNNING, ST_DONE };

struct st_buffer;

#define ST_MAX_RANGES 16

struct session {
    atomic_uint refs;              /* table, worker, in-flight calls, live buffers */
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* any change below                        */

    HANDLE handle;
    PVOID caller_data;
    void *cb[STANDIN_CALLBACKS];

    /* copy of the request */
    ULONG auth_level;
    ULONG cache_size;
    char *server, *nspace, *base;
    struct st_options opt;

    enum st_state state;
    bool closed;                   /* CloseSession ran: nobody can complete blocks any more */
    bool complete_returned;        /* SessionComplete has returned (or none was due) */
    bool cancel_requested;
    DWORD cancel_code;
    DWORD result;

    /* delivered-but-not-completed blocks: offset -> size */
    st_map outstanding;
    uint64_t outstanding_bytes;

    /* negotiation (SESSION_NEGOTIATE) */
    bool negotiating;
    HANDLE negotiate_key;
    uint64_t object_size;
    unsigned nranges;
    uint64_t range_start[ST_MAX_RANGES], range_end[ST_MAX_RANGES];

    struct st_buffer *free_buffers;

    /* list of sessions whose worker runs (api.c, guarded by its lock) */
    struct session *run_prev, *run_next;
};

void st_session_ref(struct session *s);
void st_session_unref(struct session *s);
int  st_session_start_worker(struct session *s);   /* 0, or an errno value */
bool st_on_worker_of(const struct session *s);     /* current thread delivers s's callbacks */
bool st_on_any_worker(void);

/* ---- buffers (buffer.c) -------------------------------------------------- */
struct st_buffer {
    struct st_buffer *next_free;
    struct session *owner;         /* referenced while the buffer is live     */
    uint32_t refs;                 /* guarded by the registry lock            */
    uint32_t cap;
    bool poison;
    unsigned char *data;
};

struct st_buffer *st_buffer_get(struct session *s, uint32_t len);   /* refs = 1, registered */
void  st_buffer_release(struct st_buffer *b);
DWORD st_buffer_addref_ptr(const void *data);
DWORD st_buffer_release_ptr(const void *data);
void  st_buffer_free_pool(struct session *s);

#define ST_POISON_BYTE 0xDB

/* ---- global diagnostics counters (api.c) -------------------------------- */
extern atomic_ullong st_live_sessions;
extern atomic_ullong st_live_buffers;
extern atomic_ullong st_live_buffer_bytes;
extern atomic_ullong st_live_workers;

/* Called by the worker when it is done with a session; drops the worker's
 * reference to it (api.c). */
void st_worker_exited(struct session *s);

#endif /* STANDIN_H */
