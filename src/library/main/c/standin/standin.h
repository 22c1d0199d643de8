/*
 * Internal declarations of the Linux stand-in for WDSTPTC.dll.
 *
 * The stand-in implements the 14 functions of headers/wdstci.h over a
 * loopback "server": objects are files under a content root or synthetic
 * objects with deterministic content.  Everything but the 14 API functions
 * (and the diagnostics of standin_diag.h) is hidden.
 *
 * Files, each calling only files listed below it (no cycle):
 *   api.c      the exported functions: checks arguments, resolves handles,
 *              forwards; owns the handle table and the Initialize count
 *   session.c  a session's state, every change of it, and its delivery
 *              thread; the list of sessions whose thread runs
 *   buffer.c   reference-counted content buffers, pooled per session
 *   source.c   objects, object options, UTF-16 names, delivery order
 *   map.c      a hash map from uint64 to uint64
 * Lock order: api.c's table lock, then session.c's running-list lock, then
 * a session's lock, then a buffer pool's lock or the buffer registry's.
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

/* The Vista SP1 DLL has no negotiation either (api.c lists the builds). */
#if defined(STANDIN_VISTA) && !defined(STANDIN_NO_NEGOTIATE)
#  define STANDIN_NO_NEGOTIATE 1
#endif

/* Number of callback ids this build knows (MAX_CALLBACKS of its header). */
#ifdef STANDIN_NO_NEGOTIATE
#  define STANDIN_CALLBACKS 5   /* no SESSION_NEGOTIATE, like the Vista SP1 header */
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
#define ST_MAX_THREADS 16         /* option threads: at most this many lanes    */
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
    uint64_t linger_ns;       /* a cancelled session ends this much later    */
    unsigned threads;         /* lanes delivering blocks at once (default 1)  */
    bool start_return_set;    /* StartSession returns after SessionComplete   */
    uint64_t start_return_ns; /* ... and this much later                      */
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

/* ---- buffers (buffer.c) -------------------------------------------------- */
struct st_pool;     /* the buffers of one session; outlives it while one is live */
struct st_buffer;   /* one delivered block */

struct st_pool   *st_pool_new(bool poison);       /* NULL when out of memory; the owner's reference */
void              st_pool_drop(struct st_pool *p); /* drops the owner's reference */
struct st_buffer *st_pool_get(struct st_pool *p, uint32_t len);   /* lent to the caller, registered; NULL: no memory */
unsigned char    *st_buffer_data(const struct st_buffer *b);
void  st_buffer_release(struct st_buffer *b);   /* ends the loan of st_pool_get */
DWORD st_buffer_addref_ptr(const void *data);
DWORD st_buffer_release_ptr(const void *data);

#define ST_POISON_BYTE 0xDB

extern atomic_ullong st_live_buffers;        /* allocated, live or pooled */
extern atomic_ullong st_live_buffer_bytes;

/* ---- sessions (session.c) ------------------------------------------------ */
struct session;

/* What InitializeSession checked and converted. */
struct st_session_params {
    PVOID caller_data;
    ULONG auth_level;
    ULONG cache_size;
    char *server, *nspace, *base;  /* UTF-8 */
    struct st_options opt;
};

/* Creates a session in state CREATED with one reference (the caller's).
 * On success the strings and options of *p are moved into it (p's pointers
 * become NULL); the caller frees what is left in *p either way. */
DWORD st_session_create(struct st_session_params *p, struct session **out);
void  st_session_set_handle(struct session *s, HANDLE h);   /* once, before h is published */
void  st_session_ref(struct session *s);
void  st_session_unref(struct session *s);
/* Adds delta to the count of API calls on the session that have not returned; the new count. */
unsigned st_session_calls(struct session *s, int delta);

/* The operations behind the API functions; each takes the session's lock. */
DWORD st_session_register(struct session *s, int id, void *fn);   /* id already checked */
DWORD st_session_start(struct session *s);
DWORD st_session_complete_receive(struct session *s, ULONG size, uint64_t offset);
void  st_session_cancel(struct session *s, DWORD code);
DWORD st_session_wait(struct session *s, ULONG timeout_ms);
void  st_session_query(struct session *s, ULONG *status, ULONG *error);
void  st_session_close(struct session *s);
#ifndef STANDIN_NO_NEGOTIATE
DWORD st_session_negotiate(struct session *s, HANDLE key, uint64_t start, uint64_t size);
#endif

bool st_on_any_worker(void);                /* the current thread delivers some session's callbacks */
void st_sessions_cancel_running(DWORD code); /* every session whose thread runs, closed or not */
void st_sessions_wait_workers(void);         /* until no delivery thread runs */

extern atomic_ullong st_live_sessions;       /* allocated: open, or closed but running */
extern atomic_ullong st_live_workers;        /* delivery threads running */
extern atomic_ullong st_close_during_call;   /* CloseSession while a call on the handle ran */

#endif /* STANDIN_H */
