/*
 * Where the stand-in's objects come from, and the options that shape a
 * session's delivery.
 *
 * OBJECTS
 *   namespace "synthetic" (any case), on any server:
 *       the object name is a size, "<n>[unit]" with unit B, K/KiB, M/MiB,
 *       G/GiB or T/TiB (powers of 1024), e.g. "64MiB".  The content is
 *       deterministic: the 8 bytes at object offset 8k are the little-endian
 *       value mix(seed, k) (see st_mix; SplitMix64's finaliser).
 *   any other namespace: a file, <root>/<namespace>/<object name>, where
 *       <root> is the server name when that is an absolute path ("/srv/wds"),
 *       else the environment variable WDSTCI_STANDIN_ROOT.  Backslashes count
 *       as '/', ".." components are refused.  A file "<object>.metadata"
 *       beside the object (at most 1 MiB) is delivered as its metadata.
 *   a server name ending in ".invalid" (RFC 2606) is an unknown host.
 *
 * OPTIONS  object name "name?key=value&key=value..." ('?' cannot occur in a
 *          Windows file name, so it never clashes with a real object name)
 *   block=<size>     receive block size (default 64KiB, at most 64MiB); the
 *                    session uses min(block, ulCacheSize) when a cache size
 *                    is given, so that one block always fits the cache
 *   order=seq|wrap|shuffle
 *                    seq: offsets ascending (default); wrap: a client that
 *                    joins mid-stream, from block `start` to the end, then
 *                    from 0; shuffle: a seed-determined permutation
 *   start=<n>        first block for order=wrap (default: half way), modulo
 *                    the block count (known only once the object is open)
 *   seed=<n>         content and shuffle seed (default 0)
 *   fail=<code>[@<size>]
 *                    end the session with Win32 error <code> (decimal or 0x
 *                    hex): without @, before SessionStart; with @, once
 *                    <size> bytes have been delivered
 *   delay=<n>[us|ms|s]  pause before every block (slow delivery; default ms)
 *   linger=<n>[us|ms|s] end a cancelled session only this long after the
 *                    cancel (a DLL slow to honour CancelSession; default ms)
 *   threads=<n>      deliver blocks on n threads at once (1 to 16, default 1):
 *                    a session's ReceiveContents calls then overlap, which
 *                    the documentation neither promises nor rules out
 *   startreturn=<n>[us|ms|s]
 *                    StartSession returns only once SessionComplete has
 *                    returned, and this long after (a DLL that runs the whole
 *                    session before StartSession returns, and still uses it
 *                    then: the documentation allows callbacks "up to and
 *                    including SessionComplete" before the return); default ms
 *   meta=<text>      deliver <text> (its bytes) as the object's metadata
 *   auth=required    refuse requests made with WDS_TRANSPORTCLIENT_NO_AUTH
 *                    (ERROR_ACCESS_DENIED)
 *   poison=0|1       poison a buffer when its last reference goes (default 1)
 *   fill=0|1         0: deliver buffers without writing content into them,
 *                    for benchmarks of the delivery path alone (default 1)
 *   A malformed or unknown option makes InitializeSession fail with
 *   ERROR_INVALID_PARAMETER.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "standin.h"

#define ST_DEFAULT_BLOCK (64u * 1024u)
#define ST_MAX_BLOCK     (64u * 1024u * 1024u)
#define ST_MAX_METADATA  (1024u * 1024u)
#define ST_MAX_NAME      32767u          /* UTF-16 units, as a Windows path */

/* ---- numbers -------------------------------------------------------------- */

/* Parses "<digits>[unit]" (units as documented above); false when malformed
 * or when the value does not fit 64 bits. */
static bool parse_size(const char *s, const char *end, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    if (p == end || !isdigit((unsigned char)*p))
        return false;
    for (; p < end && isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    size_t ulen = (size_t)(end - p);
    unsigned shift;
    if (ulen == 0 || (ulen == 1 && (*p == 'b' || *p == 'B')))
        shift = 0;
    else {
        switch (toupper((unsigned char)*p)) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: return false;
        }
        if (!(ulen == 1 || (ulen == 3 && (p[1] == 'i' || p[1] == 'I') && (p[2] == 'b' || p[2] == 'B'))))
            return false;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* Decimal or 0x-prefixed hex, whole string, fits 32 bits. */
static bool parse_u32(const char *s, const char *end, uint32_t *out)
{
    int base = 10;
    if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (s == end)
        return false;
    uint64_t v = 0;
    for (const char *p = s; p < end; p++) {
        int d;
        if (isdigit((unsigned char)*p))
            d = *p - '0';
        else if (base == 16 && isxdigit((unsigned char)*p))
            d = toupper((unsigned char)*p) - 'A' + 10;
        else
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool key_is(const char *k, size_t klen, const char *name)
{
    return strlen(name) == klen && strncmp(k, name, klen) == 0;
}

static bool value_is(const char *v, const char *end, const char *name)
{
    return (size_t)(end - v) == strlen(name) && strncmp(v, name, (size_t)(end - v)) == 0;
}

/* <n>[us|ms|s], milliseconds without a unit, into nanoseconds. */
static bool parse_duration(const char *v, const char *end, uint64_t *ns)
{
    const char *p = v;
    while (p < end && isdigit((unsigned char)*p))
        p++;
    uint64_t unit, n;
    if (value_is(p, end, "") || value_is(p, end, "ms"))
        unit = 1000000ull;
    else if (value_is(p, end, "us"))
        unit = 1000ull;
    else if (value_is(p, end, "s"))
        unit = 1000000000ull;
    else
        return false;
    if (!parse_size(v, p, &n) || n > UINT64_MAX / unit)
        return false;
    *ns = n * unit;
    return true;
}

static bool parse_bool(const char *v, const char *end, bool *out)
{
    if (value_is(v, end, "1")) { *out = true; return true; }
    if (value_is(v, end, "0")) { *out = false; return true; }
    return false;
}

static bool parse_option(const char *k, size_t klen, const char *v, const char *end,
                         struct st_options *o)
{
    uint64_t n;
    if (key_is(k, klen, "block")) {
        if (!parse_size(v, end, &n) || n == 0 || n > ST_MAX_BLOCK)
            return false;
        o->block = (uint32_t)n;
    } else if (key_is(k, klen, "order")) {
        if (value_is(v, end, "seq"))
            o->order = ST_ORDER_SEQ;
        else if (value_is(v, end, "wrap"))
            o->order = ST_ORDER_WRAP;
        else if (value_is(v, end, "shuffle"))
            o->order = ST_ORDER_SHUFFLE;
        else
            return false;
    } else if (key_is(k, klen, "start")) {
        if (!parse_size(v, end, &o->start))
            return false;
        o->start_set = true;
    } else if (key_is(k, klen, "seed")) {
        if (!parse_size(v, end, &o->seed))
            return false;
    } else if (key_is(k, klen, "fail")) {
        const char *at = memchr(v, '@', (size_t)(end - v));
        uint32_t code;
        if (!parse_u32(v, at ? at : end, &code) || code == 0)
            return false;
        o->fail_code = code;
        o->fail_at_set = at != NULL;
        if (at && !parse_size(at + 1, end, &o->fail_at))
            return false;
    } else if (key_is(k, klen, "delay")) {
        if (!parse_duration(v, end, &o->delay_ns))
            return false;
    } else if (key_is(k, klen, "linger")) {
        if (!parse_duration(v, end, &o->linger_ns))
            return false;
    } else if (key_is(k, klen, "threads")) {
        if (!parse_size(v, end, &n) || n < 1 || n > ST_MAX_THREADS)
            return false;
        o->threads = (unsigned)n;
    } else if (key_is(k, klen, "startreturn")) {
        if (!parse_duration(v, end, &o->start_return_ns))
            return false;
        o->start_return_set = true;
    } else if (key_is(k, klen, "meta")) {
        size_t len = (size_t)(end - v);
        if (len > ST_MAX_METADATA)
            return false;
        free(o->meta);
        o->meta = malloc(len ? len : 1);
        if (!o->meta)
            return false;
        memcpy(o->meta, v, len);
        o->meta_len = len;
    } else if (key_is(k, klen, "auth")) {
        if (!value_is(v, end, "required"))
            return false;
        o->auth_required = true;
    } else if (key_is(k, klen, "poison")) {
        return parse_bool(v, end, &o->poison);
    } else if (key_is(k, klen, "fill")) {
        return parse_bool(v, end, &o->fill);
    } else {
        return false;
    }
    return true;
}

DWORD st_parse_object(const char *object, char **base, struct st_options *o)
{
    memset(o, 0, sizeof *o);
    o->block = ST_DEFAULT_BLOCK;
    o->order = ST_ORDER_SEQ;
    o->poison = true;
    o->fill = true;
    o->threads = 1;

    const char *q = strchr(object, '?');
    size_t blen = q ? (size_t)(q - object) : strlen(object);
    if (blen == 0)
        return ERROR_INVALID_PARAMETER;
    if (q) {
        const char *p = q + 1;
        for (;;) {
            const char *amp = strchr(p, '&');
            const char *end = amp ? amp : p + strlen(p);
            const char *eq = memchr(p, '=', (size_t)(end - p));
            if (!eq || eq == p || !parse_option(p, (size_t)(eq - p), eq + 1, end, o)) {
                st_options_free(o);
                return ERROR_INVALID_PARAMETER;
            }
            if (!amp)
                break;
            p = amp + 1;
        }
    }
    *base = strndup(object, blen);
    if (!*base) {
        st_options_free(o);
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    return ERROR_SUCCESS;
}

void st_options_free(struct st_options *o)
{
    free(o->meta);
    o->meta = NULL;
    o->meta_len = 0;
}

/* ---- UTF-16 --------------------------------------------------------------- */

static uint16_t unit_at(LPCWSTR s, size_t i)
{
    uint16_t u;
    memcpy(&u, (const unsigned char *)s + 2 * i, 2);   /* the caller's pointer may be unaligned */
    return u;
}

DWORD st_utf16_to_utf8(LPCWSTR s, char **out)
{
    if (!s)
        return ERROR_INVALID_PARAMETER;
    size_t n = 0;
    while (unit_at(s, n) != 0) {
        if (++n > ST_MAX_NAME)
            return ERROR_INVALID_PARAMETER;
    }
    char *buf = malloc(n * 3 + 1);   /* a unit never needs more than 3 bytes; a pair needs 4 for 2 */
    if (!buf)
        return ERROR_NOT_ENOUGH_MEMORY;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = unit_at(s, i);
        if (c >= 0xD800 && c <= 0xDBFF) {
            uint32_t lo = (i + 1 < n) ? unit_at(s, i + 1) : 0;
            if (lo < 0xDC00 || lo > 0xDFFF) {
                free(buf);
                return ERROR_INVALID_PARAMETER;    /* lone high surrogate */
            }
            c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
            i++;
        } else if (c >= 0xDC00 && c <= 0xDFFF) {
            free(buf);
            return ERROR_INVALID_PARAMETER;        /* lone low surrogate */
        }
        if (c < 0x80) {
            buf[o++] = (char)c;
        } else if (c < 0x800) {
            buf[o++] = (char)(0xC0 | (c >> 6));
            buf[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            buf[o++] = (char)(0xE0 | (c >> 12));
            buf[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            buf[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            buf[o++] = (char)(0xF0 | (c >> 18));
            buf[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            buf[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            buf[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    buf[o] = '\0';
    *out = buf;
    return ERROR_SUCCESS;
}

/* ---- sources ---------------------------------------------------------------- */

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Turns backslashes into '/', refuses empty names, absolute names and ".."
 * components; returns a new string or NULL (errno ENOMEM or EINVAL). */
static char *safe_relative(const char *name)
{
    if (name[0] == '\0' || name[0] == '/' || name[0] == '\\') {
        errno = EINVAL;
        return NULL;
    }
    char *r = strdup(name);
    if (!r)
        return NULL;
    for (char *p = r; *p; p++)
        if (*p == '\\')
            *p = '/';
    for (const char *c = r; c; ) {
        const char *slash = strchr(c, '/');
        size_t len = slash ? (size_t)(slash - c) : strlen(c);
        if (len == 2 && c[0] == '.' && c[1] == '.') {
            free(r);
            errno = EINVAL;
            return NULL;
        }
        c = slash ? slash + 1 : NULL;
    }
    return r;
}

static DWORD errno_to_win32(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return ERROR_FILE_NOT_FOUND;
    case EACCES:
    case EPERM:   return ERROR_ACCESS_DENIED;
    case ENOMEM:  return ERROR_NOT_ENOUGH_MEMORY;
    case EINVAL:
    case ENAMETOOLONG: return ERROR_INVALID_NAME;
    default:      return ERROR_READ_FAULT;
    }
}

static void read_metadata(const char *path, struct st_source *src)
{
    size_t plen = strlen(path);
    char *mpath = malloc(plen + sizeof ".metadata");
    if (!mpath)
        return;
    memcpy(mpath, path, plen);
    memcpy(mpath + plen, ".metadata", sizeof ".metadata");
    int fd = open(mpath, O_RDONLY | O_CLOEXEC | O_NONBLOCK);    /* see st_source_open */
    free(mpath);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= ST_MAX_METADATA) {
        unsigned char *m = malloc((size_t)st.st_size);
        if (m && pread(fd, m, (size_t)st.st_size, 0) == st.st_size) {
            src->meta = m;
            src->meta_len = (size_t)st.st_size;
        } else {
            free(m);
        }
    }
    close(fd);
}

DWORD st_source_open(const char *server, const char *nspace, const char *base,
                     const struct st_options *opt, struct st_source *src)
{
    memset(src, 0, sizeof *src);
    src->fd = -1;
    if (ends_with_ci(server, ".invalid"))
        return WSAHOST_NOT_FOUND;

    if (strcasecmp(nspace, "synthetic") == 0) {
        if (!parse_size(base, base + strlen(base), &src->size))
            return ERROR_FILE_NOT_FOUND;
        src->synthetic = true;
        src->seed = opt->seed;
        return ERROR_SUCCESS;
    }

    const char *root = server[0] == '/' ? server : getenv("WDSTCI_STANDIN_ROOT");
    if (!root || root[0] == '\0')
        return ERROR_PATH_NOT_FOUND;          /* no content root: no namespace exists */
    char *ns = safe_relative(nspace);
    if (!ns)
        return errno == ENOMEM ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_NAME;
    char *obj = safe_relative(base);
    if (!obj) {
        free(ns);
        return errno == ENOMEM ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_NAME;
    }
    size_t len = strlen(root) + strlen(ns) + strlen(obj) + 3;
    char *path = malloc(len);
    DWORD err = ERROR_SUCCESS;
    if (!path) {
        err = ERROR_NOT_ENOUGH_MEMORY;
        goto out;
    }
    struct stat st;
    snprintf(path, len, "%s/%s", root, ns);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        err = ERROR_PATH_NOT_FOUND;
        goto out;
    }
    snprintf(path, len, "%s/%s/%s", root, ns, obj);
    /* O_NONBLOCK: a FIFO (or a device) under the root is not an object, and opening
     * it must not wait for a writer, where no cancel could reach the delivery thread.
     * It changes nothing for the regular file that is read after the check. */
    src->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (src->fd < 0) {
        err = errno_to_win32(errno);
        goto out;
    }
    if (fstat(src->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err = ERROR_FILE_NOT_FOUND;
        goto out;
    }
    src->size = (uint64_t)st.st_size;
    read_metadata(path, src);
out:
    if (err != ERROR_SUCCESS)
        st_source_close(src);
    free(path);
    free(ns);
    free(obj);
    return err;
}

static inline uint64_t st_mix(uint64_t seed, uint64_t k)
{
    uint64_t z = seed + (k + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void store_le64(unsigned char *p, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &w, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(w >> (8 * i));
#endif
}

void st_fill_synthetic(uint64_t seed, uint64_t off, unsigned char *dst, size_t len)
{
    size_t i = 0;
    for (; i < len && ((off + i) & 7u) != 0; i++)
        dst[i] = (unsigned char)(st_mix(seed, (off + i) >> 3) >> (8 * ((off + i) & 7u)));
    for (; i + 8 <= len; i += 8)
        store_le64(dst + i, st_mix(seed, (off + i) >> 3));
    for (; i < len; i++)
        dst[i] = (unsigned char)(st_mix(seed, (off + i) >> 3) >> (8 * ((off + i) & 7u)));
}

DWORD st_source_read(const struct st_source *src, uint64_t off, unsigned char *dst, uint32_t len)
{
    if (src->synthetic) {
        st_fill_synthetic(src->seed, off, dst, len);
        return ERROR_SUCCESS;
    }
    uint32_t done = 0;
    while (done < len) {
        ssize_t r = pread(src->fd, dst + done, len - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return ERROR_READ_FAULT;         /* error, or the file shrank under us */
        done += (uint32_t)r;
    }
    return ERROR_SUCCESS;
}

void st_source_close(struct st_source *src)
{
    if (src->fd >= 0)
        close(src->fd);
    src->fd = -1;
    free(src->meta);
    src->meta = NULL;
    src->meta_len = 0;
}

/* ---- delivery order ----------------------------------------------------------- */

void st_block_iter_init(struct st_block_iter *it, enum st_order order, uint64_t n,
                        uint64_t start, uint64_t seed)
{
    memset(it, 0, sizeof *it);
    it->order = order;
    it->n = n;
    it->start = n ? start % n : 0;
    if (order == ST_ORDER_SHUFFLE && n > 0) {
        uint64_t m = 1;
        while (m < n)
            m <<= 1;
        it->mask = m - 1;
        /* x -> a*x + c (mod 2^k) has full period when a % 4 == 1 and c is odd,
         * so m steps visit every residue once; values >= n are skipped. */
        it->a = 6364136223846793005ull;
        it->c = (seed << 1) | 1u;
        it->x = (seed * 0x9E3779B97F4A7C15ull) & it->mask;
    }
}

bool st_block_iter_next(struct st_block_iter *it, uint64_t *block)
{
    switch (it->order) {
    case ST_ORDER_SEQ:
        if (it->i >= it->n)
            return false;
        *block = it->i++;
        return true;
    case ST_ORDER_WRAP:
        if (it->i >= it->n)
            return false;
        *block = (it->start + it->i++) % it->n;
        return true;
    case ST_ORDER_SHUFFLE:
        while (it->n > 0 && it->steps <= it->mask) {
            uint64_t v = it->x;
            it->x = (it->a * it->x + it->c) & it->mask;
            it->steps++;
            if (v < it->n) {
                *block = v;
                return true;
            }
        }
        return false;
    }
    return false;
}
