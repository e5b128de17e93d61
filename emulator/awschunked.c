/* awschunked.c — the aws-chunked decoder: a byte-driven state machine over
 * size lines, chunk data and trailer lines, verifying the SigV4 chunk and
 * trailer signatures on the fly. See awschunked.h for the contracts.
 *
 * Grammar accepted (strict: CRLF only, no whitespace in size lines):
 *   chunk     = hex-size [ ";chunk-signature=" 64*lower-hex ] CRLF data CRLF
 *   last      = "0" [ ";chunk-signature=" 64*lower-hex ] CRLF
 *   trailer   = token ":" OWS value OWS CRLF        (name lower-cased)
 *   body      = *chunk last *trailer [ "x-amz-trailer-signature:" 64*lower-hex
 *               CRLF ] CRLF
 * hex-size is 1-16 hex digits of at most 2^40; either every size line carries
 * a chunk signature or none does. With verify, every chunk must be signed,
 * and trailers other than the signature need x-amz-trailer-signature.
 * prev_sig is updated as the chain advances: after the final chunk it holds
 * that chunk's signature. A chunk's bytes are emitted as they arrive and its
 * signature is checked at its closing CRLF, so on AWSCHUNKED_BADSIG the
 * caller discards everything emitted. */
#include "emulator/awschunked.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "authz/sigv4.h"
#include "base/evp.h"

#define MAX_CHUNK ((uint64_t)1 << 40)
#define MAX_SIZE_DIGITS 16
#define SIG_EXT ";chunk-signature="
#define TRAILER_SIG "x-amz-trailer-signature"
#define EMPTY_SHA256                                                           \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* st->state: the step in the low byte, flags above it. */
enum {
    S_SIZE = 0,   /* reading a size line */
    S_SIZE_LF,    /* size line: CR seen */
    S_DATA,       /* chunk data, st->remaining bytes to go */
    S_DATA_CR,    /* CRLF after the data */
    S_DATA_LF,
    S_TRAILER,    /* reading a trailer line (or the final empty line) */
    S_TRAILER_LF, /* trailer line: CR seen */
    S_DONE,
    S_FAILED,     /* an error was returned; sticky */
};
#define STEP_MASK 0xff
#define F_SIGNED 0x100   /* size lines carry chunk signatures */
#define F_UNSIGNED 0x200 /* size lines carry none */
#define F_TRSIG 0x400    /* x-amz-trailer-signature seen */

void awschunked_init(awschunked_t *st)
{
    memset(st, 0, sizeof *st);
}

void awschunked_free(awschunked_t *st)
{
    EVP_MD_CTX_free(st->sha);
    st->sha = NULL;
    OPENSSL_cleanse(st->signing_key, sizeof st->signing_key);
}

const char *awschunked_trailer(const awschunked_t *st, const char *name)
{
    int i;
    for (i = 0; i < st->ntrailers && i < AWSCHUNKED_MAX_TRAILERS; i++)
        if (strcmp(st->trailers[i].name, name) == 0)
            return st->trailers[i].value;
    return NULL;
}

/* ---- helpers ------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int is_sig(const char *s, size_t n)
{
    size_t i;
    if (n != 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int is_tchar(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A configuration string: at most size - 1 bytes, NUL or not. */
static int cfg_len(const char *s, size_t size)
{
    return (int)strnlen(s, size - 1);
}

/* Checks st->chunk_sig against the chunk whose data hashes to hash_hex and
 * advances prev_sig. Returns 0, AWSCHUNKED_BADSIG or AWSCHUNKED_ERROR. */
static int verify_chunk(awschunked_t *st, const char *hash_hex)
{
    char sts[512], hex[65];
    int n, rc;

    n = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256-PAYLOAD\n%.*s\n%.*s\n%.*s\n"
                 EMPTY_SHA256 "\n%s",
                 cfg_len(st->amz_date, sizeof st->amz_date), st->amz_date,
                 cfg_len(st->scope, sizeof st->scope), st->scope,
                 cfg_len(st->prev_sig, sizeof st->prev_sig), st->prev_sig, hash_hex);
    if (n < 0 || (size_t)n >= sizeof sts)
        return AWSCHUNKED_ERROR;
    if (sigv4_hex_hmac(st->signing_key, sts, (size_t)n, hex) != 0)
        return AWSCHUNKED_ERROR;
    rc = CRYPTO_memcmp(hex, st->chunk_sig, 64) == 0 ? 0 : AWSCHUNKED_BADSIG;
    OPENSSL_cleanse(hex, sizeof hex);
    if (rc == 0)
        memcpy(st->prev_sig, st->chunk_sig, 65);
    return rc;
}

/* Checks the trailer signature sig (64 hex) over the trailers so far. */
static int verify_trailer(awschunked_t *st, const char *sig)
{
    char text[AWSCHUNKED_MAX_TRAILERS * (64 + 160 + 2)], hex[65];
    char date[sizeof st->amz_date], scope[sizeof st->scope], prev[sizeof st->prev_sig];
    size_t len = 0;
    int i, rc;

    for (i = 0; i < st->ntrailers; i++) {
        int n = snprintf(text + len, sizeof text - len, "%s:%s\n",
                         st->trailers[i].name, st->trailers[i].value);
        if (n < 0 || (size_t)n >= sizeof text - len)
            return AWSCHUNKED_ERROR;
        len += (size_t)n;
    }
    snprintf(date, sizeof date, "%.*s", cfg_len(st->amz_date, sizeof date), st->amz_date);
    snprintf(scope, sizeof scope, "%.*s", cfg_len(st->scope, sizeof scope), st->scope);
    snprintf(prev, sizeof prev, "%.*s", cfg_len(st->prev_sig, sizeof prev), st->prev_sig);
    if (sigv4_trailer_signature(st->signing_key, date, scope, prev, text, len, hex) != 0)
        return AWSCHUNKED_ERROR;
    rc = CRYPTO_memcmp(hex, sig, 64) == 0 ? 0 : AWSCHUNKED_BADSIG;
    OPENSSL_cleanse(hex, sizeof hex);
    return rc;
}

/* Parses the size line in st->line. Sets st->remaining and st->chunk_sig
 * (empty when unsigned). Returns 0 or a negative code. */
static int parse_size_line(awschunked_t *st)
{
    const char *s = st->line;
    size_t n = st->line_len, i = 0;
    uint64_t size = 0;
    int signed_line;

    for (; i < n && hexval((unsigned char)s[i]) >= 0; i++) {
        if (i >= MAX_SIZE_DIGITS)
            return AWSCHUNKED_TOOBIG;
        size = size << 4 | (uint64_t)hexval((unsigned char)s[i]);
    }
    if (i == 0)
        return AWSCHUNKED_ERROR;
    if (size > MAX_CHUNK)
        return AWSCHUNKED_TOOBIG;
    st->chunk_sig[0] = '\0';
    signed_line = i < n;
    if (signed_line) {
        size_t el = sizeof SIG_EXT - 1;
        if (n - i < el || memcmp(s + i, SIG_EXT, el) != 0 || !is_sig(s + i + el, n - i - el))
            return AWSCHUNKED_ERROR;
        memcpy(st->chunk_sig, s + i + el, 64);
        st->chunk_sig[64] = '\0';
    }
    /* every chunk signed, or none; verify wants them signed */
    if (st->state & (signed_line ? F_UNSIGNED : F_SIGNED))
        return AWSCHUNKED_ERROR;
    if (st->verify && !signed_line)
        return AWSCHUNKED_ERROR;
    st->state |= signed_line ? F_SIGNED : F_UNSIGNED;
    st->remaining = size;
    return 0;
}

/* Parses the trailer line in st->line (not empty). Returns 0 or a negative
 * code. */
static int parse_trailer_line(awschunked_t *st)
{
    const char *s = st->line;
    size_t n = st->line_len, i, nl, vs, ve;
    char name[64];

    if (st->state & F_TRSIG) /* nothing may follow the trailer signature */
        return AWSCHUNKED_ERROR;
    for (i = 0; i < n && is_tchar((unsigned char)s[i]); i++)
        ;
    nl = i;
    if (nl == 0 || i == n || s[i] != ':')
        return AWSCHUNKED_ERROR;
    if (nl >= sizeof name)
        return AWSCHUNKED_TOOBIG;
    for (i = 0; i < nl; i++)
        name[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + ('a' - 'A') : s[i]);
    name[nl] = '\0';
    vs = nl + 1;
    ve = n;
    while (vs < ve && (s[vs] == ' ' || s[vs] == '\t'))
        vs++;
    while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t'))
        ve--;
    for (i = vs; i < ve; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c >= 0x7f)
            return AWSCHUNKED_ERROR;
    }

    if (strcmp(name, TRAILER_SIG) == 0) {
        if (!is_sig(s + vs, ve - vs))
            return AWSCHUNKED_ERROR;
        st->state |= F_TRSIG;
        return st->verify ? verify_trailer(st, s + vs) : 0;
    }
    if (awschunked_trailer(st, name))
        return AWSCHUNKED_ERROR;
    if (st->ntrailers >= AWSCHUNKED_MAX_TRAILERS)
        return AWSCHUNKED_TOOBIG;
    if (ve - vs >= sizeof st->trailers[0].value)
        return AWSCHUNKED_TOOBIG;
    memcpy(st->trailers[st->ntrailers].name, name, nl + 1);
    memcpy(st->trailers[st->ntrailers].value, s + vs, ve - vs);
    st->trailers[st->ntrailers].value[ve - vs] = '\0';
    st->ntrailers++;
    return 0;
}

/* Starts the chunk just announced: hashing for verify, or for the final
 * chunk its signature check. */
static int begin_chunk(awschunked_t *st)
{
    if (st->remaining == 0)
        return st->verify ? verify_chunk(st, EMPTY_SHA256) : 0;
    if (!st->verify)
        return 0;
    if (!st->sha && !(st->sha = EVP_MD_CTX_new()))
        return AWSCHUNKED_ERROR;
    if (EVP_DigestInit_ex(st->sha, evp_sha256(), NULL) != 1)
        return AWSCHUNKED_ERROR;
    return 0;
}

static int end_chunk(awschunked_t *st)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    char hex[65];
    int i;

    if (!st->verify)
        return 0;
    if (EVP_DigestFinal_ex(st->sha, md, &mdlen) != 1 || mdlen != sizeof md)
        return AWSCHUNKED_ERROR;
    for (i = 0; i < 32; i++) {
        hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
    }
    hex[64] = '\0';
    return verify_chunk(st, hex);
}

/* Appends c to the line being read. Returns 0 or a negative code. */
static int line_byte(awschunked_t *st, uint8_t c)
{
    if (c == '\n' || c == '\0')
        return AWSCHUNKED_ERROR;
    if (st->line_len >= sizeof st->line - 1)
        return AWSCHUNKED_TOOBIG;
    st->line[st->line_len++] = (char)c;
    return 0;
}

/* ---- the state machine -------------------------------------------------- */

ssize_t awschunked_feed(awschunked_t *st, const uint8_t *in, size_t n,
                        int (*emit)(void *arg, const uint8_t *p, size_t n), void *arg)
{
    size_t i = 0;
    int rc = 0;

    if ((st->state & STEP_MASK) == S_FAILED)
        return AWSCHUNKED_ERROR;
    while (i < n) {
        int step = st->state & STEP_MASK;
        uint8_t c = in[i];

        switch (step) {
        case S_SIZE:
        case S_TRAILER:
            if (c == '\r')
                st->state = (st->state & ~STEP_MASK) | (step == S_SIZE ? S_SIZE_LF : S_TRAILER_LF);
            else if ((rc = line_byte(st, c)) != 0)
                goto fail;
            i++;
            break;

        case S_SIZE_LF:
            if (c != '\n') {
                rc = AWSCHUNKED_ERROR;
                goto fail;
            }
            i++;
            if ((rc = parse_size_line(st)) != 0 || (rc = begin_chunk(st)) != 0)
                goto fail;
            st->line_len = 0;
            st->state = (st->state & ~STEP_MASK) | (st->remaining ? S_DATA : S_TRAILER);
            break;

        case S_DATA: {
            size_t take = n - i;
            if ((uint64_t)take > st->remaining)
                take = (size_t)st->remaining;
            if (st->verify && EVP_DigestUpdate(st->sha, in + i, take) != 1) {
                rc = AWSCHUNKED_ERROR;
                goto fail;
            }
            st->remaining -= take;
            st->decoded_len += take;
            if (emit && (rc = emit(arg, in + i, take)) != 0) {
                st->state = (st->state & ~STEP_MASK) | S_FAILED;
                return rc;
            }
            i += take;
            if (st->remaining == 0)
                st->state = (st->state & ~STEP_MASK) | S_DATA_CR;
            break;
        }

        case S_DATA_CR:
        case S_DATA_LF:
            if (c != (step == S_DATA_CR ? '\r' : '\n')) {
                rc = AWSCHUNKED_ERROR;
                goto fail;
            }
            i++;
            if (step == S_DATA_CR) {
                st->state = (st->state & ~STEP_MASK) | S_DATA_LF;
                break;
            }
            if ((rc = end_chunk(st)) != 0)
                goto fail;
            st->state = (st->state & ~STEP_MASK) | S_SIZE;
            break;

        case S_TRAILER_LF:
            if (c != '\n') {
                rc = AWSCHUNKED_ERROR;
                goto fail;
            }
            i++;
            if (st->line_len > 0) {
                if ((rc = parse_trailer_line(st)) != 0)
                    goto fail;
                st->line_len = 0;
                st->state = (st->state & ~STEP_MASK) | S_TRAILER;
                break;
            }
            /* the empty line: the end */
            if (st->verify && st->ntrailers > 0 && !(st->state & F_TRSIG)) {
                rc = AWSCHUNKED_BADSIG;
                goto fail;
            }
            st->state = (st->state & ~STEP_MASK) | S_DONE;
            st->done = 1;
            EVP_MD_CTX_free(st->sha);
            st->sha = NULL;
            return (ssize_t)i;

        case S_DONE:
            return (ssize_t)i;

        default:
            rc = AWSCHUNKED_ERROR;
            goto fail;
        }
    }
    return (ssize_t)i;

fail:
    st->state = (st->state & ~STEP_MASK) | S_FAILED;
    return rc;
}
