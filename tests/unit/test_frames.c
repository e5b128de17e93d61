/* test_frames.c — unit tests for frames: sizes, round trips with odd input
 * chunking, the documented layout checked against OpenSSL directly, every
 * range of short bodies, every kind of tampering (bit flips, wrong key or
 * aad, truncation, dropped, swapped, spliced and appended frames), ranges
 * that read only their frames, pulled ranges complete only when wholly
 * authenticated, bounded sealer memory, emit failures. */
#include "storage/frames.h"
#include "unit.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define H FRAMES_HEADER_LEN
#define T FRAMES_TAG_LEN

static const uint8_t key1[FRAMES_KEY_LEN] = {
    0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae, 0xf0, 0x85, 0x7d, 0x77, 0x81,
    0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61, 0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
static const char arn[] = "arn:aws:s3:::bucket/some/key.bin";
#define AAD ((const uint8_t *)arn)
#define AADLEN (sizeof arn - 1)

/* ---- helpers -------------------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
    size_t calls;
    long fail_at; /* fail the call with this number (0-based), -1: never */
} vec_t;

static void vec_init(vec_t *v)
{
    memset(v, 0, sizeof *v);
    v->fail_at = -1;
}

static int vec_emit(void *arg, const uint8_t *p, size_t n)
{
    vec_t *v = arg;

    if (v->fail_at >= 0 && (long)v->calls == v->fail_at)
        return -1;
    v->calls++;
    if (v->n + n > v->cap) {
        size_t c = v->cap ? v->cap : 64;
        uint8_t *q;
        while (c < v->n + n)
            c *= 2;
        if ((q = realloc(v->p, c)) == NULL)
            return -1;
        v->p = q;
        v->cap = c;
    }
    if (n)
        memcpy(v->p + v->n, p, n);
    v->n += n;
    return 0;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    size_t i;

    for (i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

/* Sealing violations of the memory bound: emitted bytes must always be the
 * header plus every full frame of the input so far. */
static int bound_violations;

/* Seals pt (n bytes) into out, feeding update() in chunks cycling through
 * chunks[] (NULL: one call). Returns the seal's result. */
static int seal(const uint8_t *key, const uint8_t *aad, size_t aadlen, uint32_t f,
                const uint8_t *pt, size_t n, const size_t *chunks, size_t nchunks, vec_t *out)
{
    frames_sealer_t *s = frames_seal_begin(key, aad, aadlen, f);
    size_t off = 0, k = 0, c;
    int rc;

    vec_init(out);
    if (s == NULL)
        return -100;
    if (f == 0)
        f = FRAMES_DEFAULT_FRAME;
    do {
        c = chunks ? chunks[k++ % nchunks] : n;
        if (c > n - off)
            c = n - off;
        if ((rc = frames_seal_update(s, pt + off, c, vec_emit, out)) != 0) {
            frames_seal_abort(s);
            return rc;
        }
        off += c;
        if (frames_seal_buffered(s) >= f || frames_seal_buffered(s) != off % f ||
            out->n != H + (off / f) * ((size_t)f + T))
            bound_violations++;
    } while (off < n);
    return frames_seal_final(s, vec_emit, out);
}

static int mem_mismatches; /* frames_read_begin_mem disagreeing with the fd reader */

static int memfd_of(const uint8_t *p, size_t n)
{
    int fd = memfd_create("frames", MFD_CLOEXEC);

    if (fd < 0)
        return -1;
    if (n && write(fd, p, n) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Opens [first, last] of the sealed bytes s (slen of them, of which the
 * file holds flen) into out. */
static int open_mem(const uint8_t *key, const uint8_t *aad, size_t aadlen, const uint8_t *s,
                    size_t flen, uint64_t slen, uint64_t first, uint64_t last, vec_t *out)
{
    int fd = memfd_of(s, flen), rc;

    vec_init(out);
    if (fd < 0)
        return -100;
    rc = frames_open_range(key, aad, aadlen, fd, slen, first, last, vec_emit, out);
    close(fd);
    if (flen >= slen) {
        /* the in-memory source must agree byte for byte and error for error */
        frames_reader_t *r = NULL;
        const uint8_t *p;
        size_t n;
        vec_t m;
        int mrc;
        vec_init(&m);
        mrc = frames_read_begin_mem(key, aad, aadlen, s, slen, first, last, &r);
        while (mrc == 0 && (mrc = frames_read_view(r, &p, &n)) == 1)
            mrc = vec_emit(&m, p, n) != 0 ? -101 : 0;
        frames_read_end(r);
        if (mrc != rc || (rc == 0 && (m.n != out->n || (m.n && memcmp(m.p, out->p, m.n)))))
            mem_mismatches++;
        free(m.p);
    }
    return rc;
}

/* Reads [first, last] with the pull API, cap bytes at a time (0: view). */
static int read_mem(const uint8_t *s, size_t slen, uint64_t first, uint64_t last, size_t cap,
                    vec_t *out)
{
    frames_reader_t *r = NULL;
    uint8_t tmp[64];
    const uint8_t *p;
    size_t n;
    int fd = memfd_of(s, slen), rc;
    uint64_t want;

    vec_init(out);
    if (fd < 0)
        return -100;
    rc = frames_read_begin(key1, AAD, AADLEN, fd, slen, first, last, &r);
    if (rc == 0) {
        want = frames_read_remaining(r);
        for (;;) {
            if (cap) {
                rc = frames_read_next(r, tmp, cap < sizeof tmp ? cap : sizeof tmp, &n);
                p = tmp;
            } else {
                rc = frames_read_view(r, &p, &n);
            }
            if (rc != 1)
                break;
            if (n == 0 || vec_emit(out, p, n) != 0) {
                rc = -101;
                break;
            }
            if (frames_read_remaining(r) != want - out->n)
                rc = -102;
        }
        if (rc == 0 && frames_read_remaining(r) != 0)
            rc = -103;
    }
    frames_read_end(r);
    close(fd);
    return rc;
}

static int is_prefix_of(const vec_t *v, const uint8_t *want, size_t n)
{
    return v->n <= n && (v->n == 0 || memcmp(v->p, want, v->n) == 0);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_sizes(void)
{
    static const uint32_t fs[] = {1, 2, 7, 16, 1000, FRAMES_DEFAULT_FRAME};
    uint64_t plain, len;
    size_t i;
    int bad = 0;

    CHECK(frames_header_len() == 24);
    CHECK(frames_sealed_size(0, 7) == H + T);
    CHECK(frames_sealed_size(6, 7) == H + 6 + T);
    CHECK(frames_sealed_size(7, 7) == H + 7 + 2 * T);
    CHECK(frames_sealed_size(8, 7) == H + 8 + 2 * T);
    CHECK(frames_sealed_size(1u << 30, FRAMES_DEFAULT_FRAME) ==
          H + (1ull << 30) + ((1ull << 30) / 65536 + 1) * T);
    CHECK(frames_sealed_size(5, 0) == 0);
    CHECK(frames_sealed_size(5, FRAMES_MAX_FRAME + 1) == 0);
    CHECK(frames_sealed_size(UINT64_MAX - 10, 1) == 0);
    CHECK(frames_sealed_size(UINT64_MAX - 20, FRAMES_MAX_FRAME) == 0);
    CHECK(frames_plain_size(100, 0, &plain) == FRAMES_EINVAL);

    /* every sealed length either is the size of exactly one plaintext
     * length or is refused */
    for (i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        uint32_t f = fs[i];
        uint64_t expect_next = 0;
        for (len = 0; len < 3 * ((uint64_t)f + T) + 100; len++) {
            int rc = frames_plain_size(len, f, &plain);
            if (rc == 0) {
                if (plain != expect_next || frames_sealed_size(plain, f) != len)
                    bad++;
                expect_next++;
            } else if (rc != FRAMES_ECORRUPT) {
                bad++;
            }
        }
        for (len = 0; len < 5000; len += 13)
            if (frames_plain_size(frames_sealed_size(len, f), f, &plain) != 0 || plain != len)
                bad++;
    }
    CHECK(bad == 0);
    CHECK(frames_plain_size(H + T - 1, 7, &plain) == FRAMES_ECORRUPT);
    CHECK(frames_plain_size(H + 7 + T + 15, 7, &plain) == FRAMES_ECORRUPT); /* final tag cut */
    CHECK(frames_plain_size(H + T, 7, &plain) == 0 && plain == 0);
}

static void test_roundtrip(void)
{
    static const uint32_t fs[] = {1, 16, 1000, 0 /* default */};
    static const size_t odd[] = {3, 1, 17, 250, 2, 999, 1001, 7};
    size_t i, j, c;
    int rt_ok = 1, layout_ok = 1, hidden_ok = 1, read_ok = 1;

    for (i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        uint32_t f = fs[i] ? fs[i] : FRAMES_DEFAULT_FRAME;
        size_t sizes[] = {0, 1, f - 1, f, f + 1, 2 * (size_t)f, 3 * (size_t)f + 5};
        for (j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
            size_t n = sizes[j];
            uint8_t *pt = malloc(n + 1);
            fill(pt, n, (uint32_t)(i * 100 + j));
            for (c = 0; c < 3; c++) {
                vec_t s, o;
                size_t one = 1;
                const size_t *ch = c == 0 ? NULL : c == 1 ? odd : &one;
                size_t nch = c == 0 ? 0 : c == 1 ? sizeof odd / sizeof odd[0] : 1;
                if (c == 2 && n > 5000)
                    continue;
                if (seal(key1, AAD, AADLEN, fs[i], pt, n, ch, nch, &s) != 0 ||
                    s.n != frames_sealed_size(n, f)) {
                    rt_ok = 0;
                    free(s.p);
                    continue;
                }
                /* header: magic, version, zeros, frame size */
                if (memcmp(s.p, "AWSF\1\0\0\0", 8) != 0 || s.p[8] != (uint8_t)(f >> 24) ||
                    s.p[9] != (uint8_t)(f >> 16) || s.p[10] != (uint8_t)(f >> 8) ||
                    s.p[11] != (uint8_t)f)
                    layout_ok = 0;
                if (n >= 16 && memmem(s.p, s.n, pt, 16) != NULL)
                    hidden_ok = 0;
                if (open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) != 0 ||
                    o.n != n || (n && memcmp(o.p, pt, n) != 0))
                    rt_ok = 0;
                free(o.p);
                if (n > 0) {
                    if (open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, n - 1, &o) != 0 || o.n != n ||
                        memcmp(o.p, pt, n) != 0)
                        rt_ok = 0;
                    free(o.p);
                }
                if (read_mem(s.p, s.n, 0, FRAMES_TO_END,
                             c == 2   ? 1
                             : c == 1 ? 5
                                      : 0,
                             &o) != 0 ||
                    o.n != n || (n && memcmp(o.p, pt, n) != 0))
                    read_ok = 0;
                free(o.p);
                free(s.p);
            }
            free(pt);
        }
    }
    CHECK(rt_ok);
    CHECK(layout_ok);
    CHECK(hidden_ok);
    CHECK(read_ok);
    CHECK(bound_violations == 0);

    /* the same body twice: different base IVs, different ciphertexts */
    {
        uint8_t pt[100];
        vec_t a, b;
        fill(pt, sizeof pt, 9);
        CHECK(seal(key1, AAD, AADLEN, 32, pt, sizeof pt, NULL, 0, &a) == 0);
        CHECK(seal(key1, AAD, AADLEN, 32, pt, sizeof pt, NULL, 0, &b) == 0);
        CHECK(a.n == b.n && memcmp(a.p + 12, b.p + 12, 12) != 0);
        CHECK(memcmp(a.p + H, b.p + H, a.n - H) != 0);
        free(a.p);
        free(b.p);
    }
}

/* Several MiB in odd chunks; memory stays one frame. */
static void test_big(void)
{
    static const size_t odd[] = {1, 7, 4093, 65535, 65536, 65537, 300001, 13};
    size_t n = (5u << 20) + 12345;
    uint8_t *pt = malloc(n);
    vec_t s, o;
    int fd;

    fill(pt, n, 77);
    bound_violations = 0;
    CHECK(seal(key1, AAD, AADLEN, 0, pt, n, odd, sizeof odd / sizeof odd[0], &s) == 0);
    CHECK(bound_violations == 0);
    CHECK(s.n == frames_sealed_size(n, FRAMES_DEFAULT_FRAME));
    CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) == 0);
    CHECK(o.n == n && memcmp(o.p, pt, n) == 0);
    free(o.p);
    /* ranges across frame boundaries */
    fd = memfd_of(s.p, s.n);
    {
        static const uint64_t r[][2] = {{65535, 65536},
                                        {65536, 65536},
                                        {100, 3 * 65536 + 7},
                                        {5u << 20, (5u << 20) + 12344},
                                        {0, 0},
                                        {(5u << 20) + 12344, FRAMES_TO_END}};
        size_t i;
        for (i = 0; i < sizeof r / sizeof r[0]; i++) {
            uint64_t last = r[i][1] == FRAMES_TO_END ? n - 1 : r[i][1];
            vec_init(&o);
            CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, r[i][0], r[i][1], vec_emit, &o) ==
                  0);
            CHECK(o.n == last - r[i][0] + 1 && memcmp(o.p, pt + r[i][0], o.n) == 0);
            free(o.p);
        }
    }
    close(fd);
    CHECK(read_mem(s.p, s.n, 12345, 2 * 65536 + 99, 63, &o) == 0);
    CHECK(o.n == 2 * 65536 + 99 - 12345 + 1 && memcmp(o.p, pt + 12345, o.n) == 0);
    free(o.p);
    free(s.p);
    free(pt);
}

/* The layout documented in frames.h, opened with OpenSSL directly. */
static int evp_frame(const uint8_t *sealed, uint32_t f, uint64_t i, size_t n, int final,
                     uint8_t *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const uint8_t *ct = sealed + H + i * ((uint64_t)f + T);
    uint8_t nonce[12], aad[H + 9 + sizeof arn];
    int len, rc = -1, k;

    memcpy(nonce, sealed + 12, 12);
    for (k = 0; k < 8; k++)
        nonce[4 + k] ^= (uint8_t)(i >> (56 - 8 * k));
    memcpy(aad, sealed, H);
    for (k = 0; k < 8; k++)
        aad[H + k] = (uint8_t)(i >> (56 - 8 * k));
    aad[H + 8] = (uint8_t) final;
    memcpy(aad + H + 9, arn, AADLEN);
    if (ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key1, nonce) == 1 &&
        EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)(H + 9 + AADLEN)) == 1 &&
        (n == 0 || EVP_DecryptUpdate(ctx, out, &len, ct, (int)n) == 1) &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, T, (void *)(ct + n)) == 1 &&
        EVP_DecryptFinal_ex(ctx, out + n, &len) == 1)
        rc = 0;
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static void test_layout(void)
{
    uint8_t pt[45], out[45];
    vec_t s;

    fill(pt, sizeof pt, 3);
    CHECK(seal(key1, AAD, AADLEN, 16, pt, sizeof pt, NULL, 0, &s) == 0);
    CHECK(s.n == H + 45 + 3 * T);
    CHECK(evp_frame(s.p, 16, 0, 16, 0, out) == 0 && memcmp(out, pt, 16) == 0);
    CHECK(evp_frame(s.p, 16, 1, 16, 0, out) == 0 && memcmp(out, pt + 16, 16) == 0);
    CHECK(evp_frame(s.p, 16, 2, 13, 1, out) == 0 && memcmp(out, pt + 32, 13) == 0);
    CHECK(evp_frame(s.p, 16, 2, 13, 0, out) != 0); /* the final flag is bound */
    CHECK(evp_frame(s.p, 16, 1, 16, 1, out) != 0);
    free(s.p);

    /* a multiple of the frame size ends with an empty final frame */
    CHECK(seal(key1, AAD, AADLEN, 16, pt, 32, NULL, 0, &s) == 0);
    CHECK(s.n == H + 32 + 3 * T);
    CHECK(evp_frame(s.p, 16, 2, 0, 1, out) == 0);
    free(s.p);

    /* frame size 0 is the default */
    CHECK(seal(key1, NULL, 0, 0, pt, 3, NULL, 0, &s) == 0);
    CHECK(s.p[8] == 0 && s.p[9] == 1 && s.p[10] == 0 && s.p[11] == 0);
    free(s.p);
}

/* Every range of short bodies, for several frame sizes, by both APIs. */
static void test_ranges(void)
{
    static const uint32_t fs[] = {1, 3, 7, 16, 50, 64};
    uint8_t pt[50];
    size_t n = sizeof pt, i, a, b;
    int bad = 0, bad_pull = 0, ranges = 0;

    fill(pt, n, 5);
    for (i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        vec_t s, o;
        int fd;
        if (seal(key1, AAD, AADLEN, fs[i], pt, n, NULL, 0, &s) != 0) {
            bad++;
            continue;
        }
        fd = memfd_of(s.p, s.n);
        for (a = 0; a <= n; a++) {
            for (b = a; b <= n; b++) {
                uint64_t last = b == n ? FRAMES_TO_END : b;
                size_t want = (b == n ? n - 1 : b) + 1 - a;
                vec_init(&o);
                ranges++;
                if (frames_open_range(key1, AAD, AADLEN, fd, s.n, a, last, vec_emit, &o) != 0 ||
                    o.n != want || (want && memcmp(o.p, pt + a, want) != 0))
                    bad++;
                free(o.p);
            }
            if (a <= n - 1 - a / 2 && (read_mem(s.p, s.n, a, n - 1 - a / 2, 1 + a % 4, &o) != 0 ||
                                       o.n != n - a / 2 - a || memcmp(o.p, pt + a, o.n) != 0))
                bad_pull++;
            if (a <= n - 1 - a / 2)
                free(o.p);
        }
        close(fd);
        free(s.p);
    }
    CHECK(ranges == 6 * 51 * 52 / 2);
    CHECK(bad == 0);
    CHECK(bad_pull == 0);
}

static void test_range_errors(void)
{
    uint8_t pt[20];
    vec_t s, o;
    int fd;

    fill(pt, sizeof pt, 1);
    CHECK(seal(key1, AAD, AADLEN, 8, pt, sizeof pt, NULL, 0, &s) == 0);
    fd = memfd_of(s.p, s.n);
    vec_init(&o);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 5, 4, vec_emit, &o) == FRAMES_ERANGE);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 0, 20, vec_emit, &o) == FRAMES_ERANGE);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 20, 20, vec_emit, &o) == FRAMES_ERANGE);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 21, FRAMES_TO_END, vec_emit, &o) ==
          FRAMES_ERANGE);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 20, FRAMES_TO_END, vec_emit, &o) == 0);
    CHECK(o.n == 0 && o.calls == 0);
    close(fd);
    free(s.p);

    /* the empty body: only (0, TO_END), which still checks the final frame */
    CHECK(seal(key1, AAD, AADLEN, 8, pt, 0, NULL, 0, &s) == 0);
    CHECK(s.n == H + T);
    fd = memfd_of(s.p, s.n);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 0, 0, vec_emit, &o) == FRAMES_ERANGE);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 0, FRAMES_TO_END, vec_emit, &o) == 0);
    CHECK(frames_open_range(key1, AAD, AADLEN - 1, fd, s.n, 0, FRAMES_TO_END, vec_emit, &o) ==
          FRAMES_ECORRUPT);
    CHECK(o.n == 0);
    close(fd);
    free(s.p);
}

static void test_tamper(void)
{
    uint8_t pt[56], key2[FRAMES_KEY_LEN];
    vec_t s, s2, o;
    size_t n = sizeof pt, i;
    int bit, all_fail = 1, frame_fail = 1, nothing_bad = 1;
    uint32_t f = 16;
    size_t unit = f + T;

    fill(pt, n, 11);
    CHECK(seal(key1, AAD, AADLEN, f, pt, n, NULL, 0, &s) == 0); /* 3 full frames + 8 */
    CHECK(s.n == H + 4 * unit - 8);

    /* one flipped bit anywhere: header, ciphertext, tag of any frame */
    for (i = 0; i < s.n; i++) {
        for (bit = 0; bit < 8; bit++) {
            s.p[i] ^= (uint8_t)(1u << bit);
            if (open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) >= 0)
                all_fail = 0;
            if (!is_prefix_of(&o, pt, n))
                nothing_bad = 0;
            free(o.p);
            /* the range of just that frame fails too */
            if (i >= H) {
                uint64_t fi = (i - H) / unit, last = fi * f + f - 1;
                if (last >= n)
                    last = FRAMES_TO_END;
                if (open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, fi * f, last, &o) >= 0)
                    frame_fail = 0;
                if (o.n != 0)
                    nothing_bad = 0;
                free(o.p);
            }
            s.p[i] ^= (uint8_t)(1u << bit);
        }
    }
    CHECK(all_fail);
    CHECK(frame_fail);
    CHECK(nothing_bad); /* never a byte of a frame that did not authenticate */
    CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) == 0 && o.n == n);
    free(o.p);

    /* wrong key: each bit */
    all_fail = 1;
    for (i = 0; i < 8 * FRAMES_KEY_LEN; i++) {
        memcpy(key2, key1, sizeof key2);
        key2[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (open_mem(key2, AAD, AADLEN, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) != FRAMES_ECORRUPT ||
            o.n)
            all_fail = 0;
        free(o.p);
    }
    CHECK(all_fail);

    /* wrong aad: none, a prefix, longer, another object */
    CHECK(open_mem(key1, NULL, 0, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) == FRAMES_ECORRUPT);
    free(o.p);
    CHECK(open_mem(key1, AAD, AADLEN - 1, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) == FRAMES_ECORRUPT);
    free(o.p);
    CHECK(open_mem(key1, AAD, AADLEN + 1, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) == FRAMES_ECORRUPT);
    free(o.p);
    CHECK(open_mem(key1, (const uint8_t *)"arn:aws:s3:::bucket/other", 25, s.p, s.n, s.n, 0, 3,
                   &o) == FRAMES_ECORRUPT);
    free(o.p);

    /* truncated at every length, told the truncated length (as fstat would)
     * or the original one */
    all_fail = 1;
    for (i = 0; i < s.n; i++) {
        if (open_mem(key1, AAD, AADLEN, s.p, i, i, 0, FRAMES_TO_END, &o) >= 0)
            all_fail = 0;
        free(o.p);
        if (open_mem(key1, AAD, AADLEN, s.p, i, s.n, 0, FRAMES_TO_END, &o) >= 0)
            all_fail = 0;
        free(o.p);
    }
    CHECK(all_fail);
    /* dropped last frame, at a frame boundary */
    CHECK(open_mem(key1, AAD, AADLEN, s.p, H + 3 * unit, H + 3 * unit, 0, FRAMES_TO_END, &o) ==
          FRAMES_ECORRUPT);
    free(o.p);
    CHECK(open_mem(key1, AAD, AADLEN, s.p, H + 3 * unit, H + 3 * unit, 40, 47, &o) ==
          FRAMES_ECORRUPT);
    free(o.p);

    /* appended garbage: a byte, a tag's worth, a whole copied frame */
    {
        uint8_t *big = malloc(s.n + unit);
        size_t extra[] = {1, T, unit};
        memcpy(big, s.p, s.n);
        memcpy(big + s.n, s.p + H + unit, unit);
        for (i = 0; i < 3; i++) {
            CHECK(open_mem(key1, AAD, AADLEN, big, s.n + extra[i], s.n + extra[i], 0, FRAMES_TO_END,
                           &o) < 0);
            CHECK(is_prefix_of(&o, pt, n));
            free(o.p);
        }
        free(big);
    }

    /* swapped frames */
    {
        uint8_t *sw = malloc(s.n);
        memcpy(sw, s.p, s.n);
        memcpy(sw + H, s.p + H + unit, unit);
        memcpy(sw + H + unit, s.p + H, unit);
        CHECK(open_mem(key1, AAD, AADLEN, sw, s.n, s.n, 0, FRAMES_TO_END, &o) == FRAMES_ECORRUPT);
        CHECK(o.n == 0);
        free(o.p);
        CHECK(open_mem(key1, AAD, AADLEN, sw, s.n, s.n, 16, 31, &o) == FRAMES_ECORRUPT);
        free(o.p);
        CHECK(open_mem(key1, AAD, AADLEN, sw, s.n, s.n, 32, 47, &o) == 0); /* untouched */
        free(o.p);
        free(sw);
    }

    /* a frame (or the header) from another body under the same key and aad */
    CHECK(seal(key1, AAD, AADLEN, f, pt, n, NULL, 0, &s2) == 0);
    {
        uint8_t *mix = malloc(s.n);
        memcpy(mix, s.p, s.n);
        memcpy(mix + H + unit, s2.p + H + unit, unit);
        CHECK(open_mem(key1, AAD, AADLEN, mix, s.n, s.n, 16, 31, &o) == FRAMES_ECORRUPT);
        free(o.p);
        memcpy(mix, s.p, s.n);
        memcpy(mix, s2.p, H);
        CHECK(open_mem(key1, AAD, AADLEN, mix, s.n, s.n, 0, 3, &o) == FRAMES_ECORRUPT);
        free(o.p);
        /* its final frame in place of ours */
        memcpy(mix, s.p, s.n);
        memcpy(mix + H + 3 * unit, s2.p + H + 3 * unit, s.n - H - 3 * unit);
        CHECK(open_mem(key1, AAD, AADLEN, mix, s.n, s.n, 0, FRAMES_TO_END, &o) == FRAMES_ECORRUPT);
        free(o.p);
        free(mix);
    }
    free(s2.p);
    free(s.p);

    /* a body of whole frames: dropping its empty final frame fails */
    CHECK(seal(key1, AAD, AADLEN, f, pt, 32, NULL, 0, &s) == 0);
    CHECK(s.n == H + 2 * unit + T);
    CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n - T, s.n - T, 0, FRAMES_TO_END, &o) ==
          FRAMES_ECORRUPT);
    free(o.p);
    CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, FRAMES_TO_END, &o) == 0 && o.n == 32);
    free(o.p);
    free(s.p);
}

/* A range reads only its frames: a damaged frame elsewhere is not noticed. */
static void test_only_needed_frames(void)
{
    uint8_t pt[80];
    vec_t s, o;
    size_t unit = 16 + T;
    int fd;

    fill(pt, sizeof pt, 21);
    CHECK(seal(key1, AAD, AADLEN, 16, pt, sizeof pt, NULL, 0, &s) == 0); /* 5 frames + empty */
    s.p[H + 2 * unit + 3] ^= 1;                                          /* frame 2 */
    fd = memfd_of(s.p, s.n);
    vec_init(&o);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 0, 31, vec_emit, &o) == 0);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 48, 79, vec_emit, &o) == 0);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 80, FRAMES_TO_END, vec_emit, &o) == 0);
    CHECK(o.n == 64 && memcmp(o.p, pt, 32) == 0 && memcmp(o.p + 32, pt + 48, 32) == 0);
    free(o.p);
    vec_init(&o);
    CHECK(frames_open_range(key1, AAD, AADLEN, fd, s.n, 31, 32, vec_emit, &o) == FRAMES_ECORRUPT);
    CHECK(o.n == 1 && o.p[0] == pt[31]); /* frame 1's byte, then frame 2 failed */
    free(o.p);
    close(fd);
    free(s.p);
}

/* With the pull API, a range is wholly authenticated once remaining is 0:
 * a caller that stops there still notices a damaged trailing empty frame,
 * and an empty range is checked by read_begin. */
static void test_pull_complete(void)
{
    uint8_t pt[32];
    frames_reader_t *r = NULL;
    const uint8_t *p;
    size_t n, got = 0;
    vec_t s;
    int fd, rc = 1;

    fill(pt, sizeof pt, 13);
    CHECK(seal(key1, AAD, AADLEN, 16, pt, 32, NULL, 0, &s) == 0); /* 2 frames + empty */
    s.p[s.n - 1] ^= 0x10;                                         /* its tag */
    fd = memfd_of(s.p, s.n);
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 0, FRAMES_TO_END, &r) == 0);
    while (frames_read_remaining(r) > 0 && (rc = frames_read_view(r, &p, &n)) == 1)
        got += n;
    CHECK(rc == FRAMES_ECORRUPT);
    CHECK(got == 16); /* frame 0 only: frame 1 is handed out with the final frame */
    frames_read_end(r);
    r = NULL;
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 20, 31, &r) == 0);
    CHECK(frames_read_view(r, &p, &n) == FRAMES_ECORRUPT);
    CHECK(frames_read_view(r, &p, &n) == FRAMES_ECORRUPT); /* sticky */
    frames_read_end(r);
    r = NULL;
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 20, 30, &r) == 0); /* not the end */
    CHECK(frames_read_view(r, &p, &n) == 1 && n == 11 && memcmp(p, pt + 20, 11) == 0);
    CHECK(frames_read_view(r, &p, &n) == 0);
    frames_read_end(r);
    r = (frames_reader_t *)&r;
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 32, FRAMES_TO_END, &r) == FRAMES_ECORRUPT);
    CHECK(r == NULL);
    close(fd);
    s.p[s.n - 1] ^= 0x10;
    fd = memfd_of(s.p, s.n);
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 32, FRAMES_TO_END, &r) == 0);
    CHECK(frames_read_remaining(r) == 0);
    CHECK(frames_read_view(r, &p, &n) == 0 && n == 0);
    frames_read_end(r);
    close(fd);
    free(s.p);

    /* an empty range in a non-empty final frame; the empty body */
    CHECK(seal(key1, AAD, AADLEN, 16, pt, 20, NULL, 0, &s) == 0);
    fd = memfd_of(s.p, s.n);
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 20, FRAMES_TO_END, &r) == 0);
    frames_read_end(r);
    CHECK(frames_read_begin(key1, AAD, 3, fd, s.n, 20, FRAMES_TO_END, &r) == FRAMES_ECORRUPT);
    close(fd);
    free(s.p);
    CHECK(seal(key1, AAD, AADLEN, 16, pt, 0, NULL, 0, &s) == 0);
    fd = memfd_of(s.p, s.n);
    CHECK(frames_read_begin(key1, NULL, 0, fd, s.n, 0, FRAMES_TO_END, &r) == FRAMES_ECORRUPT);
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 0, FRAMES_TO_END, &r) == 0);
    CHECK(frames_read_remaining(r) == 0);
    frames_read_end(r);
    close(fd);
    free(s.p);
}

static void test_emit_errors(void)
{
    uint8_t pt[100];
    frames_sealer_t *sl;
    vec_t v;
    int fd;

    fill(pt, sizeof pt, 4);
    /* failing at the header */
    vec_init(&v);
    v.fail_at = 0;
    sl = frames_seal_begin(key1, AAD, AADLEN, 16);
    CHECK(sl != NULL);
    CHECK(frames_seal_update(sl, pt, 10, vec_emit, &v) == FRAMES_EEMIT);
    CHECK(frames_seal_update(sl, pt, 10, vec_emit, &v) == FRAMES_EEMIT);
    CHECK(frames_seal_final(sl, vec_emit, &v) == FRAMES_EEMIT);
    free(v.p);
    /* failing at the second frame; sticky; abort frees */
    vec_init(&v);
    v.fail_at = 2;
    sl = frames_seal_begin(key1, AAD, AADLEN, 16);
    CHECK(frames_seal_update(sl, pt, 20, vec_emit, &v) == 0);
    CHECK(frames_seal_update(sl, pt, 20, vec_emit, &v) == FRAMES_EEMIT);
    v.fail_at = -1;
    CHECK(frames_seal_update(sl, pt, 1, vec_emit, &v) == FRAMES_EEMIT);
    frames_seal_abort(sl);
    free(v.p);
    /* failing at the final frame */
    vec_init(&v);
    v.fail_at = 1;
    sl = frames_seal_begin(key1, AAD, AADLEN, 16);
    CHECK(frames_seal_update(sl, pt, 5, vec_emit, &v) == 0);
    CHECK(frames_seal_final(sl, vec_emit, &v) == FRAMES_EEMIT);
    free(v.p);
    frames_seal_abort(NULL);

    /* open_range stops at a failing emit */
    CHECK(seal(key1, AAD, AADLEN, 16, pt, sizeof pt, NULL, 0, &v) == 0);
    fd = memfd_of(v.p, v.n);
    {
        vec_t o;
        vec_init(&o);
        o.fail_at = 1;
        CHECK(frames_open_range(key1, AAD, AADLEN, fd, v.n, 0, 99, vec_emit, &o) == FRAMES_EEMIT);
        CHECK(o.n == 16);
        free(o.p);
    }
    close(fd);
    free(v.p);
}

static void test_args(void)
{
    static uint8_t big_aad[FRAMES_MAX_AAD + 1];
    uint8_t pt[30], hdr[H + T];
    frames_reader_t *r = (frames_reader_t *)&r;
    vec_t s, o;
    int fd;

    CHECK(frames_seal_begin(key1, AAD, AADLEN, FRAMES_MAX_FRAME + 1) == NULL);
    CHECK(frames_seal_begin(key1, big_aad, sizeof big_aad, 16) == NULL);
    CHECK(frames_seal_begin(key1, NULL, 3, 16) == NULL);
    frames_seal_abort(frames_seal_begin(key1, big_aad, FRAMES_MAX_AAD, FRAMES_MAX_FRAME));

    fill(pt, sizeof pt, 8);
    CHECK(seal(key1, AAD, AADLEN, 16, pt, sizeof pt, NULL, 0, &s) == 0);
    fd = memfd_of(s.p, s.n);
    CHECK(frames_read_begin(key1, AAD, AADLEN, -1, s.n, 0, 1, &r) == FRAMES_EIO);
    CHECK(r == NULL);
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, H - 1, 0, 1, &r) == FRAMES_ECORRUPT);
    CHECK(frames_read_begin(key1, big_aad, sizeof big_aad, fd, s.n, 0, 1, &r) == FRAMES_EINVAL);
    CHECK(frames_read_begin(key1, AAD, AADLEN, fd, s.n, 0, 1, &r) == 0);
    {
        uint8_t b[4];
        size_t got = 9;
        CHECK(frames_read_next(r, b, 0, &got) == FRAMES_EINVAL && got == 0);
        CHECK(frames_read_next(r, b, 2, &got) == 1 && got == 2 && memcmp(b, pt, 2) == 0);
        CHECK(frames_read_next(r, b, 2, &got) == 0 && got == 0);
        CHECK(frames_read_next(r, b, 2, &got) == 0);
    }
    frames_read_end(r);
    frames_read_end(NULL);
    close(fd);

    /* bad headers: magic, version, reserved, frame size 0 and too big */
    {
        static const struct {
            size_t at;
            uint8_t val;
        } bad[] = {{0, 'X'}, {4, 2}, {5, 1}, {7, 1}, {8, 0x80}};
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            uint8_t save = s.p[bad[i].at];
            s.p[bad[i].at] = bad[i].val;
            CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, 0, &o) == FRAMES_ECORRUPT);
            free(o.p);
            s.p[bad[i].at] = save;
        }
        memcpy(hdr, s.p, H + T);
        memset(hdr + 8, 0, 4); /* frame size 0 */
        CHECK(open_mem(key1, AAD, AADLEN, hdr, H + T, H + T, 0, FRAMES_TO_END, &o) ==
              FRAMES_ECORRUPT);
        free(o.p);
        /* another frame size: a length no body has (15), or one that parses
         * (17) but is not what the frames were sealed with */
        s.p[11] = 15;
        CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, 0, &o) == FRAMES_ECORRUPT);
        free(o.p);
        s.p[11] = 17;
        CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, 0, &o) == FRAMES_ECORRUPT);
        free(o.p);
        s.p[11] = 16;
        CHECK(open_mem(key1, AAD, AADLEN, s.p, s.n, s.n, 0, 0, &o) == 0);
        free(o.p);
    }
    free(s.p);
}

int main(void)
{
    test_sizes();
    test_roundtrip();
    test_big();
    test_layout();
    test_ranges();
    test_range_errors();
    test_tamper();
    test_only_needed_frames();
    test_pull_complete();
    test_emit_errors();
    test_args();
    CHECK(mem_mismatches == 0);
    return unit_report("frames");
}
