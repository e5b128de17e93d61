/* fuzz_frames.c — fuzz target for frames: the input, read as a sealed body,
 * never crashes the opener; sealed as a plaintext (frame size, aad and the
 * chunking of update() taken from its first bytes) it opens back whole and
 * in data-derived ranges, by both APIs; a data-derived corrupted copy (bit
 * flips, header changes, truncation, appended bytes, frames swapped,
 * dropped or duplicated, a wrong key) either fails or gives exactly the
 * original bytes of the range, never others. */
#include "storage/frames.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz_frames:%d: invariant failed: %s\n", __LINE__, #c);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_PLAIN 8192
#define H FRAMES_HEADER_LEN
#define T FRAMES_TAG_LEN

static const uint8_t key[FRAMES_KEY_LEN] = {
    0x3c, 0x81, 0x9d, 0x9a, 0x9b, 0xed, 0x08, 0x76, 0x15, 0x03, 0x0b, 0x65, 0xee, 0xb3, 0x5c, 0x92,
    0x07, 0xab, 0x32, 0x3f, 0x4d, 0x0a, 0x67, 0x2b, 0xd1, 0x9c, 0x44, 0xf0, 0x61, 0x28, 0x7e, 0x55};

typedef struct {
    uint8_t *p;
    size_t n, cap;
} vec_t;

static int vec_emit(void *arg, const uint8_t *p, size_t n)
{
    vec_t *v = arg;

    if (v->n + n > v->cap) {
        size_t c = v->cap ? v->cap : 256;
        while (c < v->n + n)
            c *= 2;
        v->p = realloc(v->p, c);
        FUZZ_CHECK(v->p);
        v->cap = c;
    }
    if (n)
        memcpy(v->p + v->n, p, n);
    v->n += n;
    return 0;
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rng_below(uint64_t *s, uint64_t n)
{
    return n ? rng_next(s) % n : 0;
}

static int memfd_of(const uint8_t *p, size_t n)
{
    int fd = memfd_create("fuzz_frames", MFD_CLOEXEC);

    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(n == 0 || write(fd, p, n) == (ssize_t)n);
    return fd;
}

/* Opens [first, last] of fd (slen bytes) with open_range or, when cap is not
 * 0, the pull API cap bytes at a time. The emitted bytes go to out. */
static int open_any(const uint8_t *k, const uint8_t *aad, size_t aadlen, int fd, uint64_t slen,
                    uint64_t first, uint64_t last, size_t cap, vec_t *out)
{
    frames_reader_t *r = NULL;
    uint8_t buf[97];
    size_t got;
    int rc;

    out->n = 0;
    if (cap == 0)
        return frames_open_range(k, aad, aadlen, fd, slen, first, last, vec_emit, out);
    if (cap > sizeof buf)
        cap = sizeof buf;
    rc = frames_read_begin(k, aad, aadlen, fd, slen, first, last, &r);
    if (rc != 0) {
        FUZZ_CHECK(r == NULL);
        return rc;
    }
    while ((rc = frames_read_next(r, buf, cap, &got)) == 1) {
        FUZZ_CHECK(got > 0 && got <= cap);
        vec_emit(out, buf, got);
    }
    FUZZ_CHECK(rc <= 0 && got == 0);
    if (rc == 0)
        FUZZ_CHECK(frames_read_remaining(r) == 0);
    frames_read_end(r);
    return rc;
}

/* The output of a range read of a possibly damaged copy: on success exactly
 * the original bytes; on failure a prefix of them (frames that authenticated
 * before the damaged one). */
static void check_range(int rc, const vec_t *out, const uint8_t *pt, uint64_t n, uint64_t first,
                        uint64_t last)
{
    uint64_t end;

    if (rc == FRAMES_ERANGE || rc == FRAMES_EINVAL) {
        FUZZ_CHECK(out->n == 0);
        return;
    }
    end = last == FRAMES_TO_END ? n : last + 1;
    if (rc == 0) {
        FUZZ_CHECK(end <= n && first <= end);
        FUZZ_CHECK(out->n == end - first);
    } else {
        FUZZ_CHECK(rc == FRAMES_ECORRUPT);
        FUZZ_CHECK(out->n == 0 || (first < n && out->n <= n - first));
    }
    FUZZ_CHECK(out->n == 0 || memcmp(out->p, pt + first, out->n) == 0);
}

/* A random range of a body of n bytes: mostly valid ones, some to the end,
 * some out of range. */
static void pick_range(uint64_t *s, uint64_t n, uint64_t *first, uint64_t *last)
{
    uint64_t a = rng_below(s, n + 2), b;

    switch (rng_below(s, 8)) {
    case 0:
        *first = a;
        *last = FRAMES_TO_END;
        return;
    case 1:
        *first = a;
        *last = a + rng_below(s, 3);
        return;
    default:
        b = a + rng_below(s, n + 1 - (a < n ? a : n));
        *first = a;
        *last = b > 0 && rng_below(s, 4) ? b - 1 : b;
        if (*last < *first)
            *last = *first;
    }
}

/* Applies one data-derived corruption to v (a sealed body with frames of
 * f). Returns 1 when v was changed. */
static int corrupt(uint64_t *s, vec_t *v, uint32_t f)
{
    size_t unit = (size_t)f + T, nfull = v->n > H ? (v->n - H) / unit : 0, i, j, k;
    uint8_t x;

    switch (rng_below(s, 7)) {
    case 0: /* flip a bit */
        if (v->n == 0)
            return 0;
        v->p[rng_below(s, v->n)] ^= (uint8_t)(1u << rng_below(s, 8));
        return 1;
    case 1: /* change a header byte */
        if (v->n < H)
            return 0;
        x = (uint8_t)(1 + rng_below(s, 255));
        v->p[rng_below(s, H)] ^= x;
        return 1;
    case 2: /* truncate */
        if (v->n == 0)
            return 0;
        v->n = rng_below(s, v->n);
        return 1;
    case 3: /* append */
        k = 1 + rng_below(s, unit + 1);
        for (i = 0; i < k; i++) {
            x = (uint8_t)rng_next(s);
            vec_emit(v, &x, 1);
        }
        return 1;
    case 4: /* swap two full frames */
        if (nfull < 2)
            return 0;
        i = rng_below(s, nfull);
        j = (i + 1 + rng_below(s, nfull - 1)) % nfull;
        for (k = 0; k < unit; k++) {
            x = v->p[H + i * unit + k];
            v->p[H + i * unit + k] = v->p[H + j * unit + k];
            v->p[H + j * unit + k] = x;
        }
        return 1;
    case 5: /* drop a full frame */
        if (nfull < 1)
            return 0;
        i = rng_below(s, nfull);
        memmove(v->p + H + i * unit, v->p + H + (i + 1) * unit, v->n - H - (i + 1) * unit);
        v->n -= unit;
        return 1;
    default: /* duplicate a full frame at the end of the full frames */
        if (nfull < 1)
            return 0;
        i = rng_below(s, nfull);
        x = 0;
        for (k = 0; k < unit; k++) /* grow */
            vec_emit(v, &x, 1);
        memmove(v->p + H + (nfull + 1) * unit, v->p + H + nfull * unit,
                v->n - unit - H - nfull * unit);
        memcpy(v->p + H + nfull * unit, v->p + H + i * unit, unit);
        return 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vec_t sealed = {0}, bad = {0}, out = {0};
    frames_sealer_t *sl;
    uint64_t seed = 1469598103934665603ull, first, last;
    uint32_t f;
    size_t aadlen, n, off, c, i;
    const uint8_t *aad, *pt;
    uint8_t badkey[FRAMES_KEY_LEN];
    int fd, rc, changed;

    for (i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 1099511628211ull;

    /* 1. the input itself as a sealed body, with and without an aad */
    fd = memfd_of(data, size);
    rc = open_any(key, NULL, 0, fd, size, 0, FRAMES_TO_END, 0, &out);
    FUZZ_CHECK(rc <= 0);
    rc = open_any(key, data, size < 8 ? size : 8, fd, size, rng_below(&seed, 64),
                  rng_below(&seed, 2) ? FRAMES_TO_END : rng_below(&seed, 256), 7, &out);
    FUZZ_CHECK(rc <= 0);
    close(fd);

    /* 2. seal a plaintext taken from the input */
    f = 1 + (size > 0 ? data[0] % 48 : 0);
    aadlen = size > 1 ? data[1] % 24 : 0;
    if (aadlen > (size > 2 ? size - 2 : 0))
        aadlen = size > 2 ? size - 2 : 0;
    aad = size > 2 ? data + 2 : NULL;
    pt = data + (size > 2 ? 2 + aadlen : size);
    n = size - (size_t)(pt - data);
    if (n > MAX_PLAIN)
        n = MAX_PLAIN;

    sl = frames_seal_begin(key, aad, aadlen, f);
    FUZZ_CHECK(sl);
    for (off = 0; off < n; off += c) {
        c = 1 + rng_below(&seed, 3 * (uint64_t)f);
        if (c > n - off)
            c = n - off;
        FUZZ_CHECK(frames_seal_update(sl, pt + off, c, vec_emit, &sealed) == 0);
        FUZZ_CHECK(frames_seal_buffered(sl) == (off + c) % f);
        FUZZ_CHECK(sealed.n == H + (off + c) / f * ((size_t)f + T));
    }
    FUZZ_CHECK(frames_seal_final(sl, vec_emit, &sealed) == 0);
    FUZZ_CHECK(sealed.n == frames_sealed_size(n, f));
    {
        uint64_t back;
        FUZZ_CHECK(frames_plain_size(sealed.n, f, &back) == 0 && back == n);
    }

    /* 3. whole and random ranges, both APIs */
    fd = memfd_of(sealed.p, sealed.n);
    rc = open_any(key, aad, aadlen, fd, sealed.n, 0, FRAMES_TO_END, 0, &out);
    FUZZ_CHECK(rc == 0 && out.n == n && (n == 0 || memcmp(out.p, pt, n) == 0));
    for (i = 0; i < 8; i++) {
        pick_range(&seed, n, &first, &last);
        rc = open_any(key, aad, aadlen, fd, sealed.n, first, last, rng_below(&seed, 40), &out);
        check_range(rc, &out, pt, n, first, last);
        if (last == FRAMES_TO_END ? first <= n : first <= last && last < n)
            FUZZ_CHECK(rc == 0);
        else
            FUZZ_CHECK(rc == FRAMES_ERANGE);
    }
    /* a wrong key never opens */
    memcpy(badkey, key, sizeof badkey);
    badkey[rng_below(&seed, sizeof badkey)] ^= (uint8_t)(1u << rng_below(&seed, 8));
    rc = open_any(badkey, aad, aadlen, fd, sealed.n, 0, FRAMES_TO_END, 0, &out);
    FUZZ_CHECK(rc == FRAMES_ECORRUPT && out.n == 0);
    close(fd);

    /* 4. a corrupted copy: fails, or gives the original bytes */
    bad.p = malloc(sealed.n);
    FUZZ_CHECK(bad.p);
    bad.cap = sealed.n;
    memcpy(bad.p, sealed.p, sealed.n);
    bad.n = sealed.n;
    changed = 0;
    for (i = 0, c = 1 + rng_below(&seed, 3); i < c; i++)
        changed |= corrupt(&seed, &bad, f);
    if (changed && !(bad.n == sealed.n && memcmp(bad.p, sealed.p, bad.n) == 0)) {
        fd = memfd_of(bad.p, bad.n);
        rc = open_any(key, aad, aadlen, fd, bad.n, 0, FRAMES_TO_END, rng_below(&seed, 20), &out);
        FUZZ_CHECK(rc < 0); /* any change to a whole body is noticed */
        check_range(rc, &out, pt, n, 0, FRAMES_TO_END);
        for (i = 0; i < 8; i++) {
            pick_range(&seed, bad.n, &first, &last);
            rc = open_any(key, aad, aadlen, fd, bad.n, first, last, rng_below(&seed, 20), &out);
            check_range(rc, &out, pt, n, first, last);
        }
        /* told the original length while the file differs */
        rc = open_any(key, aad, aadlen, fd, sealed.n, 0, FRAMES_TO_END, 0, &out);
        check_range(rc, &out, pt, n, 0, FRAMES_TO_END);
        close(fd);
    }

    free(bad.p);
    free(sealed.p);
    free(out.p);
    return 0;
}
