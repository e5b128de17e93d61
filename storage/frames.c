/* frames.c — framed AES-256-GCM for object bodies (layout in frames.h). */
#include "storage/frames.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/codec.h"
#include "base/evp.h"

#define IV_LEN 12
#define AAD_FIXED (FRAMES_HEADER_LEN + 8 + 1) /* header | index | final flag */

static const uint8_t magic[4] = {'A', 'W', 'S', 'F'};
#define VERSION 1

struct frames_sealer {
    EVP_CIPHER_CTX *ctx;
    uint32_t frame; /* plaintext bytes per frame */
    uint64_t index; /* the next frame's index */
    size_t fill;    /* plaintext bytes in buf */
    int header_sent;
    int err;            /* sticky failure, 0 while fine */
    uint8_t iv[IV_LEN]; /* base IV */
    uint8_t *buf;       /* frame + FRAMES_TAG_LEN */
    uint8_t *aad;       /* AAD_FIXED + caller aad; starts with the header */
    size_t aadlen;
};

struct frames_reader {
    EVP_CIPHER_CTX *ctx;
    int fd;              /* the sealed body: a file, or (fd -1) mem */
    const uint8_t *mem;  /* borrowed: sealed_len bytes */
    uint64_t sealed_len;
    int err; /* sticky failure */
    uint32_t frame;
    uint64_t nframes; /* frames in the body; the last is final */
    uint64_t plain_len;
    uint64_t pos;            /* the next plaintext offset to hand out */
    uint64_t end;            /* one past the range */
    uint64_t next_frame;     /* the next frame to load */
    uint64_t last_frame;     /* the last frame of the range */
    size_t cur_off, cur_end; /* unconsumed part of the range in buf */
    size_t cur_len;          /* plaintext bytes in buf (wiped when done) */
    uint8_t iv[IV_LEN];
    uint8_t *buf; /* frame + FRAMES_TAG_LEN */
    uint8_t *aad;
    size_t aadlen;
};

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int frame_size_ok(uint32_t f)
{
    return f >= 1 && f <= FRAMES_MAX_FRAME;
}

/* nonce(i) = base XOR i (big-endian) in the last 8 bytes. */
static void frame_nonce(const uint8_t base[IV_LEN], uint64_t i, uint8_t out[IV_LEN])
{
    int k;

    memcpy(out, base, IV_LEN);
    for (k = 0; k < 8; k++)
        out[IV_LEN - 1 - k] ^= (uint8_t)(i >> (8 * k));
}

/* Sets the index and final flag of an AAD buffer (header | i | final | aad). */
static void frame_aad(uint8_t *aad, uint64_t i, int final)
{
    int k;

    for (k = 0; k < 8; k++)
        aad[FRAMES_HEADER_LEN + k] = (uint8_t)(i >> (56 - 8 * k));
    aad[FRAMES_HEADER_LEN + 8] = final ? 1 : 0;
}

/* Allocates the AAD buffer with the caller's aad after the fixed part. */
static uint8_t *aad_new(const uint8_t *aad, size_t aadlen, size_t *total /* OUT */)
{
    uint8_t *p = malloc(AAD_FIXED + aadlen);

    if (p == NULL)
        return NULL;
    memset(p, 0, AAD_FIXED);
    if (aadlen)
        memcpy(p + AAD_FIXED, aad, aadlen);
    *total = AAD_FIXED + aadlen;
    return p;
}

size_t frames_header_len(void)
{
    return FRAMES_HEADER_LEN;
}

uint64_t frames_sealed_size(uint64_t plaintext_len, uint32_t frame_size)
{
    uint64_t tags, total;

    if (!frame_size_ok(frame_size))
        return 0;
    if (__builtin_mul_overflow(plaintext_len / frame_size + 1, (uint64_t)FRAMES_TAG_LEN, &tags) ||
        __builtin_add_overflow(plaintext_len, tags, &total) ||
        __builtin_add_overflow(total, (uint64_t)FRAMES_HEADER_LEN, &total))
        return 0;
    return total;
}

int frames_plain_size(uint64_t sealed_len, uint32_t frame_size, uint64_t *plaintext_len)
{
    uint64_t body, unit, q, r;

    if (!frame_size_ok(frame_size))
        return FRAMES_EINVAL;
    if (sealed_len < FRAMES_HEADER_LEN + FRAMES_TAG_LEN)
        return FRAMES_ECORRUPT;
    body = sealed_len - FRAMES_HEADER_LEN;
    unit = (uint64_t)frame_size + FRAMES_TAG_LEN;
    q = body / unit; /* full frames */
    r = body % unit; /* the final frame: its plaintext and tag */
    if (r < FRAMES_TAG_LEN)
        return FRAMES_ECORRUPT;
    *plaintext_len = q * frame_size + (r - FRAMES_TAG_LEN);
    return 0;
}

/* ---- sealing ------------------------------------------------------------ */

frames_sealer_t *frames_seal_begin(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad,
                                   size_t aadlen, uint32_t frame_size)
{
    frames_sealer_t *s = NULL;

    if (frame_size == 0)
        frame_size = FRAMES_DEFAULT_FRAME;
    if (!frame_size_ok(frame_size) || aadlen > FRAMES_MAX_AAD || (aadlen && aad == NULL))
        return NULL;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return NULL;
    s->frame = frame_size;
    if ((s->buf = malloc((size_t)frame_size + FRAMES_TAG_LEN)) == NULL)
        goto fail;
    if ((s->aad = aad_new(aad, aadlen, &s->aadlen)) == NULL)
        goto fail;
    codec_random(s->iv, IV_LEN);
    memcpy(s->aad, magic, 4);
    s->aad[4] = VERSION;
    put_be32(s->aad + 8, frame_size);
    memcpy(s->aad + 12, s->iv, IV_LEN);
    if ((s->ctx = EVP_CIPHER_CTX_new()) == NULL)
        goto fail;
    if (EVP_EncryptInit_ex(s->ctx, evp_aes_256_gcm(), NULL, key, NULL) != 1)
        goto fail;
    return s;
fail:
    frames_seal_abort(s);
    return NULL;
}

/* Seals frame s->index from pt (n bytes) into out (n + tag bytes; out may
 * equal pt) and advances the index. Returns 0 or FRAMES_ECRYPTO. */
static int seal_frame(frames_sealer_t *s, const uint8_t *pt, size_t n, int final, uint8_t *out)
{
    uint8_t nonce[IV_LEN];
    int len;

    frame_nonce(s->iv, s->index, nonce);
    frame_aad(s->aad, s->index, final);
    if (EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, nonce) != 1 ||
        EVP_EncryptUpdate(s->ctx, NULL, &len, s->aad, (int)s->aadlen) != 1 ||
        (n && EVP_EncryptUpdate(s->ctx, out, &len, pt, (int)n) != 1) ||
        EVP_EncryptFinal_ex(s->ctx, out + n, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_GET_TAG, FRAMES_TAG_LEN, out + n) != 1)
        return FRAMES_ECRYPTO;
    s->index++;
    return 0;
}

/* Emits p (n bytes); records a failure in s. */
static int seal_emit(frames_sealer_t *s, frames_emit_fn emit, void *arg, const uint8_t *p, size_t n)
{
    if (emit(arg, p, n) != 0)
        s->err = FRAMES_EEMIT;
    return s->err;
}

static int seal_header(frames_sealer_t *s, frames_emit_fn emit, void *arg)
{
    if (s->header_sent)
        return 0;
    s->header_sent = 1;
    return seal_emit(s, emit, arg, s->aad, FRAMES_HEADER_LEN);
}

int frames_seal_update(frames_sealer_t *s, const uint8_t *in, size_t n, frames_emit_fn emit,
                       void *arg)
{
    size_t take;

    if (s->err || seal_header(s, emit, arg) != 0)
        return s->err;
    while (n > 0) {
        if (s->fill == 0 && n >= s->frame) {
            /* a whole frame straight from the input, no copy */
            if ((s->err = seal_frame(s, in, s->frame, 0, s->buf)) != 0)
                return s->err;
            in += s->frame;
            n -= s->frame;
        } else {
            take = s->frame - s->fill < n ? s->frame - s->fill : n;
            memcpy(s->buf + s->fill, in, take);
            s->fill += take;
            in += take;
            n -= take;
            if (s->fill < s->frame)
                break;
            /* in place: the plaintext is overwritten by the ciphertext */
            if ((s->err = seal_frame(s, s->buf, s->frame, 0, s->buf)) != 0)
                return s->err;
            s->fill = 0;
        }
        if (seal_emit(s, emit, arg, s->buf, (size_t)s->frame + FRAMES_TAG_LEN) != 0)
            return s->err;
    }
    return 0;
}

int frames_seal_final(frames_sealer_t *s, frames_emit_fn emit, void *arg)
{
    int rc = s->err;

    if (rc == 0)
        rc = seal_header(s, emit, arg);
    if (rc == 0)
        rc = s->err = seal_frame(s, s->buf, s->fill, 1, s->buf);
    if (rc == 0) {
        s->fill += FRAMES_TAG_LEN; /* now ciphertext; nothing left to wipe */
        rc = seal_emit(s, emit, arg, s->buf, s->fill);
        s->fill = 0;
    }
    frames_seal_abort(s);
    return rc;
}

void frames_seal_abort(frames_sealer_t *s)
{
    if (s == NULL)
        return;
    if (s->buf)
        OPENSSL_cleanse(s->buf, s->fill);
    free(s->buf);
    free(s->aad);
    EVP_CIPHER_CTX_free(s->ctx); /* wipes the key schedule */
    free(s);
}

size_t frames_seal_buffered(const frames_sealer_t *s)
{
    return s->fill;
}

/* ---- opening ------------------------------------------------------------ */

/* Reads n bytes at off. Returns 0, FRAMES_ECORRUPT (end of file first) or
 * FRAMES_EIO. */
static int pread_full(int fd, uint8_t *p, size_t n, uint64_t off)
{
    ssize_t got;

    if (off > (uint64_t)INT64_MAX - n)
        return FRAMES_ECORRUPT;
    while (n > 0) {
        got = pread(fd, p, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return FRAMES_EIO;
        if (got == 0)
            return FRAMES_ECORRUPT;
        p += got;
        n -= (size_t)got;
        off += (uint64_t)got;
    }
    return 0;
}

/* Reads n sealed bytes at off from r's source (file or memory). */
static int src_read(const frames_reader_t *r, uint8_t *p, size_t n, uint64_t off)
{
    if (r->mem == NULL)
        return pread_full(r->fd, p, n, off);
    if (off > r->sealed_len || n > r->sealed_len - off)
        return FRAMES_ECORRUPT;
    memcpy(p, r->mem + off, n);
    return 0;
}

/* Reads frame i, holding n plaintext bytes, into buf (n + tag bytes) and
 * opens it in place. Returns 0 or negative (buf may then hold unauthentic
 * bytes: the caller wipes them). */
static int open_frame(frames_reader_t *r, uint64_t i, size_t n, uint8_t *buf)
{
    int final = i == r->nframes - 1, len, rc;
    uint8_t nonce[IV_LEN];

    rc = src_read(r, buf, n + FRAMES_TAG_LEN,
                  FRAMES_HEADER_LEN + i * ((uint64_t)r->frame + FRAMES_TAG_LEN));
    if (rc != 0)
        return rc;
    frame_nonce(r->iv, i, nonce);
    frame_aad(r->aad, i, final);
    if (EVP_DecryptInit_ex(r->ctx, NULL, NULL, NULL, nonce) != 1 ||
        EVP_CIPHER_CTX_ctrl(r->ctx, EVP_CTRL_GCM_SET_TAG, FRAMES_TAG_LEN, buf + n) != 1 ||
        EVP_DecryptUpdate(r->ctx, NULL, &len, r->aad, (int)r->aadlen) != 1 ||
        (n && EVP_DecryptUpdate(r->ctx, buf, &len, buf, (int)n) != 1))
        return FRAMES_ECRYPTO;
    if (EVP_DecryptFinal_ex(r->ctx, buf + n, &len) != 1)
        return FRAMES_ECORRUPT;
    return 0;
}

/* Opens frame r->next_frame into buf and sets cur_* to the part of the range
 * in it. An empty final frame right after it that the range covers is opened
 * too, so the range is wholly authenticated once its last byte is handed
 * out. Returns 0 or negative (cur_len bytes of buf to wipe). */
static int load_frame(frames_reader_t *r)
{
    uint64_t i = r->next_frame, start = i * r->frame, lo, hi;
    size_t n = i == r->nframes - 1 ? (size_t)(r->plain_len - start) : r->frame;
    uint8_t tag[FRAMES_TAG_LEN];
    int rc;

    r->cur_len = n; /* from here buf may hold plaintext */
    if ((rc = open_frame(r, i, n, r->buf)) != 0)
        return rc;
    lo = r->pos > start ? r->pos : start;
    hi = r->end < start + n ? r->end : start + n;
    r->cur_off = (size_t)(lo - start);
    r->cur_end = hi > lo ? (size_t)(hi - start) : r->cur_off;
    r->next_frame++;
    if (r->next_frame == r->last_frame && r->last_frame == r->nframes - 1 &&
        r->plain_len % r->frame == 0) {
        if ((rc = open_frame(r, r->next_frame, 0, tag)) != 0)
            return rc;
        r->next_frame++;
    }
    return 0;
}

/* frames_read_begin over a file (fd) or, when mem is not NULL, memory. */
static int read_begin(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad, size_t aadlen, int fd,
                      const uint8_t *mem, uint64_t sealed_len, uint64_t first, uint64_t last,
                      frames_reader_t **out)
{
    frames_reader_t *r = NULL;
    uint8_t hdr[FRAMES_HEADER_LEN];
    int rc;

    *out = NULL;
    if (aadlen > FRAMES_MAX_AAD || (aadlen && aad == NULL))
        return FRAMES_EINVAL;
    if (sealed_len < FRAMES_HEADER_LEN)
        return FRAMES_ECORRUPT;
    if (mem != NULL)
        memcpy(hdr, mem, sizeof hdr);
    else if ((rc = pread_full(fd, hdr, sizeof hdr, 0)) != 0)
        return rc;
    if (memcmp(hdr, magic, 4) != 0 || hdr[4] != VERSION || hdr[5] || hdr[6] || hdr[7])
        return FRAMES_ECORRUPT;
    if ((r = calloc(1, sizeof *r)) == NULL)
        return FRAMES_ENOMEM;
    r->fd = mem ? -1 : fd;
    r->mem = mem;
    r->sealed_len = sealed_len;
    r->frame = get_be32(hdr + 8);
    if (!frame_size_ok(r->frame) || frames_plain_size(sealed_len, r->frame, &r->plain_len) != 0) {
        rc = FRAMES_ECORRUPT;
        goto fail;
    }
    r->nframes = r->plain_len / r->frame + 1;
    if (last == FRAMES_TO_END) {
        if (first > r->plain_len) {
            rc = FRAMES_ERANGE;
            goto fail;
        }
        r->end = r->plain_len;
    } else {
        if (first > last || last >= r->plain_len) {
            rc = FRAMES_ERANGE;
            goto fail;
        }
        r->end = last + 1;
    }
    r->pos = first;
    r->next_frame = first / r->frame;
    /* a range up to the end of the body includes the final frame, even when
     * that frame is empty, so a dropped final frame is always noticed */
    r->last_frame = r->end == r->plain_len ? r->nframes - 1 : (r->end - 1) / r->frame;
    memcpy(r->iv, hdr + 12, IV_LEN);
    rc = FRAMES_ENOMEM;
    /* no frame holds more plaintext than the body: small bodies, small buffers */
    if ((r->buf = malloc((size_t)(r->plain_len < r->frame ? r->plain_len : r->frame) +
                         FRAMES_TAG_LEN)) == NULL)
        goto fail;
    if ((r->aad = aad_new(aad, aadlen, &r->aadlen)) == NULL)
        goto fail;
    memcpy(r->aad, hdr, FRAMES_HEADER_LEN);
    rc = FRAMES_ECRYPTO;
    if ((r->ctx = EVP_CIPHER_CTX_new()) == NULL)
        goto fail;
    if (EVP_DecryptInit_ex(r->ctx, evp_aes_256_gcm(), NULL, key, NULL) != 1)
        goto fail;
    if (r->end == r->pos) {
        /* an empty range (at the end of the body): check the final frame now */
        rc = load_frame(r);
        OPENSSL_cleanse(r->buf, r->cur_len);
        r->cur_len = 0;
        if (rc != 0)
            goto fail;
    }
    *out = r;
    return 0;
fail:
    frames_read_end(r);
    return rc;
}

int frames_read_begin(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad, size_t aadlen, int fd,
                      uint64_t sealed_len, uint64_t first, uint64_t last, frames_reader_t **out)
{
    return read_begin(key, aad, aadlen, fd, NULL, sealed_len, first, last, out);
}

int frames_read_begin_mem(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad, size_t aadlen,
                          const uint8_t *sealed, uint64_t sealed_len, uint64_t first,
                          uint64_t last, frames_reader_t **out)
{
    *out = NULL;
    if (sealed == NULL)
        return FRAMES_EINVAL;
    return read_begin(key, aad, aadlen, -1, sealed, sealed_len, first, last, out);
}

/* Points *p at the unconsumed part of the current frame, loading frames as
 * needed. Returns 1 (bytes), 0 (done) or negative. */
static int reader_peek(frames_reader_t *r, const uint8_t **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    if (r->err)
        return r->err;
    while (r->cur_off == r->cur_end) {
        OPENSSL_cleanse(r->buf, r->cur_len);
        r->cur_len = 0;
        if (r->next_frame > r->last_frame)
            return 0;
        if ((r->err = load_frame(r)) != 0) {
            OPENSSL_cleanse(r->buf, r->cur_len);
            r->cur_len = 0;
            return r->err;
        }
    }
    *p = r->buf + r->cur_off;
    *n = r->cur_end - r->cur_off;
    return 1;
}

static void reader_consume(frames_reader_t *r, size_t n)
{
    r->cur_off += n;
    r->pos += n;
}

int frames_read_view(frames_reader_t *r, const uint8_t **p, size_t *n)
{
    int rc = reader_peek(r, p, n);

    if (rc == 1)
        reader_consume(r, *n);
    return rc;
}

int frames_read_next(frames_reader_t *r, uint8_t *out, size_t cap, size_t *got)
{
    const uint8_t *p;
    size_t n;
    int rc;

    *got = 0;
    if (cap == 0)
        return r->err ? r->err : FRAMES_EINVAL;
    rc = reader_peek(r, &p, &n);
    if (rc != 1)
        return rc;
    if (n > cap)
        n = cap;
    memcpy(out, p, n);
    reader_consume(r, n);
    *got = n;
    return 1;
}

uint64_t frames_read_remaining(const frames_reader_t *r)
{
    return r->end - r->pos;
}

void frames_read_end(frames_reader_t *r)
{
    if (r == NULL)
        return;
    if (r->buf)
        OPENSSL_cleanse(r->buf, r->cur_len);
    free(r->buf);
    free(r->aad);
    EVP_CIPHER_CTX_free(r->ctx);
    free(r);
}

int frames_open_range(const uint8_t key[FRAMES_KEY_LEN], const uint8_t *aad, size_t aadlen, int fd,
                      uint64_t sealed_len, uint64_t first, uint64_t last, frames_emit_fn emit,
                      void *arg)
{
    frames_reader_t *r = NULL;
    const uint8_t *p;
    size_t n;
    int rc;

    if ((rc = frames_read_begin(key, aad, aadlen, fd, sealed_len, first, last, &r)) != 0)
        return rc;
    while ((rc = frames_read_view(r, &p, &n)) == 1) {
        if (emit(arg, p, n) != 0) {
            rc = FRAMES_EEMIT;
            break;
        }
    } /* each frame's plaintext is wiped as the next one loads, the last at end */
    frames_read_end(r);
    return rc;
}
