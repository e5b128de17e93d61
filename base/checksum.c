/* checksum.c — CRC32, CRC32C, CRC64NVME (slice-by-8 tables; on x86 with
 * PCLMULQDQ, inputs of 64 bytes and more are folded with carry-less
 * multiplication first), SHA1/SHA256/MD5 through OpenSSL EVP, and CRC
 * combination for multipart full-object checksums. See checksum.h for the
 * contracts. */
#include "base/checksum.h"
#include "base/evp.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_CLMUL 1
#include <emmintrin.h>
#include <wmmintrin.h>
#endif

/* The three CRCs are all reflected (LSB-first), with init = xorout = all
 * ones. The polynomials in their normal (MSB-first) form: */
#define POLY_CRC32 0x04C11DB7u
#define POLY_CRC32C 0x1EDC6F41u
#define POLY_CRC64NVME 0xAD93D23594C93659ull

/* x^(2^k) mod p for k = 0..X2N_MAX-1: enough for 8 * blen with blen < 2^64. */
#define X2N_MAX 67

static uint32_t tab_crc32[8][256], tab_crc32c[8][256];
static uint64_t tab_crc64[8][256];
static uint64_t x2n_crc32[X2N_MAX], x2n_crc32c[X2N_MAX], x2n_crc64[X2N_MAX];
static uint64_t rpoly_crc32, rpoly_crc32c, rpoly_crc64; /* bit-reversed */
static int use_clmul;

/* Folding constants (see clmul_fold): x^(64+D-1), x^(D-1) mod P as lanes. */
typedef struct {
    uint64_t k512[2], k128[2];
} fold_t;
#ifdef HAVE_CLMUL
static fold_t fold_crc32, fold_crc32c, fold_crc64;
#define FOLD(f) (&(f))
static void fold_init(fold_t *f, const uint64_t *x2n, uint64_t rpoly, int width);
#else
#define FOLD(f) NULL
#endif
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* ---- GF(2) polynomial arithmetic (zlib's crc32_combine, any width) ----- */

static uint64_t reverse_bits(uint64_t v, int width)
{
    uint64_t r = 0;
    int i;
    for (i = 0; i < width; i++, v >>= 1)
        r = (r << 1) | (v & 1);
    return r;
}

/* a * b mod p, both in the reflected representation of a width-bit CRC
 * (bit width-1 is x^0). rpoly is the reflected polynomial. */
static uint64_t multmodp(uint64_t a, uint64_t b, uint64_t rpoly, int width)
{
    uint64_t m, p = 0;
    for (m = (uint64_t)1 << (width - 1); m; m >>= 1) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0)
                break;
        }
        b = (b & 1) ? (b >> 1) ^ rpoly : b >> 1;
    }
    return p;
}

/* x^(n * 2^k) mod p, from the table x2n[i] = x^(2^i) mod p. */
static uint64_t x2nmodp(uint64_t n, int k, const uint64_t *x2n, uint64_t rpoly,
                        int width)
{
    uint64_t p = (uint64_t)1 << (width - 1); /* x^0 */
    for (; n; n >>= 1, k++)
        if (n & 1)
            p = multmodp(x2n[k], p, rpoly, width);
    return p;
}

static void x2n_init(uint64_t *x2n, uint64_t rpoly, int width)
{
    int k;
    x2n[0] = (uint64_t)1 << (width - 2); /* x^1 */
    for (k = 1; k < X2N_MAX; k++)
        x2n[k] = multmodp(x2n[k - 1], x2n[k - 1], rpoly, width);
}

/* ---- tables ------------------------------------------------------------- */

/* t[k][b]: the register after feeding byte b then k zero bytes into 0. */
static void tab32_init(uint32_t t[8][256], uint32_t rpoly)
{
    int i, j, k;
    for (i = 0; i < 256; i++) {
        uint32_t c = (uint32_t)i;
        for (j = 0; j < 8; j++)
            c = (c & 1) ? (c >> 1) ^ rpoly : c >> 1;
        t[0][i] = c;
    }
    for (k = 1; k < 8; k++)
        for (i = 0; i < 256; i++)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
}

static void tab64_init(uint64_t t[8][256], uint64_t rpoly)
{
    int i, j, k;
    for (i = 0; i < 256; i++) {
        uint64_t c = (uint64_t)i;
        for (j = 0; j < 8; j++)
            c = (c & 1) ? (c >> 1) ^ rpoly : c >> 1;
        t[0][i] = c;
    }
    for (k = 1; k < 8; k++)
        for (i = 0; i < 256; i++)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
}

static void tables_init(void)
{
    rpoly_crc32 = reverse_bits(POLY_CRC32, 32);
    rpoly_crc32c = reverse_bits(POLY_CRC32C, 32);
    rpoly_crc64 = reverse_bits(POLY_CRC64NVME, 64);
    tab32_init(tab_crc32, (uint32_t)rpoly_crc32);
    tab32_init(tab_crc32c, (uint32_t)rpoly_crc32c);
    tab64_init(tab_crc64, rpoly_crc64);
    x2n_init(x2n_crc32, rpoly_crc32, 32);
    x2n_init(x2n_crc32c, rpoly_crc32c, 32);
    x2n_init(x2n_crc64, rpoly_crc64, 64);
#ifdef HAVE_CLMUL
    fold_init(&fold_crc32, x2n_crc32, rpoly_crc32, 32);
    fold_init(&fold_crc32c, x2n_crc32c, rpoly_crc32c, 32);
    fold_init(&fold_crc64, x2n_crc64, rpoly_crc64, 64);
    __builtin_cpu_init();
    use_clmul = __builtin_cpu_supports("pclmul") ? 1 : 0;
#endif
}

static void tables(void)
{
    pthread_once(&tables_once, tables_init);
}

/* ---- CRC kernels (on the raw register: no pre/post inversion) ----------- */

static uint64_t load_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
           (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
           (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static uint32_t crc32_sw(const uint32_t t[8][256], uint32_t crc, const uint8_t *p,
                         size_t n)
{
    while (n >= 8) {
        uint64_t w = load_le64(p) ^ crc;
        crc = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^
              t[4][(w >> 24) & 0xff] ^ t[3][(w >> 32) & 0xff] ^
              t[2][(w >> 40) & 0xff] ^ t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    return crc;
}

static uint64_t crc64_sw(const uint64_t t[8][256], uint64_t crc, const uint8_t *p,
                         size_t n)
{
    while (n >= 8) {
        uint64_t w = load_le64(p) ^ crc;
        crc = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^
              t[4][(w >> 24) & 0xff] ^ t[3][(w >> 32) & 0xff] ^
              t[2][(w >> 40) & 0xff] ^ t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    return crc;
}

#ifdef HAVE_CLMUL
/* Folding with carry-less multiplication (Intel, "Fast CRC Computation for
 * Generic Polynomials Using PCLMULQDQ"), for any reflected CRC of width
 * <= 64. A 16-byte block X loaded little-endian holds message bits in
 * reflected order: its low lane H carries x^127..x^64, its high lane L
 * x^63..x^0. Moving X forward by D bits is X * x^D = H x^(64+D) + L x^D
 * (mod P); clmul of reflected operands yields the product times x, hence
 * the constants x^(64+D-1) and x^(D-1) mod P, each as a 64-bit lane with
 * bit j = x^(63-j). The data is folded into one block, whose 16 bytes and
 * the tail then go through the table code: the register is unchanged by
 * replacing a prefix with a congruent one of the same length. */
static uint64_t lane_xnmodp(uint64_t n, const uint64_t *x2n, uint64_t rpoly, int width)
{
    return x2nmodp(n, 0, x2n, rpoly, width) << (64 - width);
}

static void fold_init(fold_t *f, const uint64_t *x2n, uint64_t rpoly, int width)
{
    f->k512[0] = lane_xnmodp(64 + 512 - 1, x2n, rpoly, width);
    f->k512[1] = lane_xnmodp(512 - 1, x2n, rpoly, width);
    f->k128[0] = lane_xnmodp(64 + 128 - 1, x2n, rpoly, width);
    f->k128[1] = lane_xnmodp(128 - 1, x2n, rpoly, width);
}

__attribute__((target("pclmul,sse2"))) static inline __m128i fold(__m128i x, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
                         _mm_clmulepi64_si128(x, k, 0x11));
}

/* Folds p[0..n) (n >= 64) from register crc into 16 bytes written to out;
 * returns the bytes consumed (a multiple of 16). The caller runs the table
 * code over out from register 0, then over the rest of p. */
__attribute__((target("pclmul,sse2"))) static size_t
clmul_fold(const fold_t *f, uint64_t crc, const uint8_t *p, size_t n, uint8_t out[16])
{
    __m128i k512 = _mm_set_epi64x((long long)f->k512[1], (long long)f->k512[0]);
    __m128i k128 = _mm_set_epi64x((long long)f->k128[1], (long long)f->k128[0]);
    __m128i x0, x1, x2, x3;
    size_t done = 64;

    x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p),
                       _mm_cvtsi64_si128((long long)crc));
    x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    x2 = _mm_loadu_si128((const __m128i *)(p + 32));
    x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    for (; n - done >= 64; done += 64) {
        x0 = _mm_xor_si128(fold(x0, k512), _mm_loadu_si128((const __m128i *)(p + done)));
        x1 = _mm_xor_si128(fold(x1, k512), _mm_loadu_si128((const __m128i *)(p + done + 16)));
        x2 = _mm_xor_si128(fold(x2, k512), _mm_loadu_si128((const __m128i *)(p + done + 32)));
        x3 = _mm_xor_si128(fold(x3, k512), _mm_loadu_si128((const __m128i *)(p + done + 48)));
    }
    x1 = _mm_xor_si128(fold(x0, k128), x1);
    x2 = _mm_xor_si128(fold(x1, k128), x2);
    x3 = _mm_xor_si128(fold(x2, k128), x3);
    for (; n - done >= 16; done += 16)
        x3 = _mm_xor_si128(fold(x3, k128), _mm_loadu_si128((const __m128i *)(p + done)));
    _mm_storeu_si128((__m128i *)out, x3);
    return done;
}
#endif

/* Folding starts from four blocks; shorter inputs go to the tables. */
#define CLMUL_MIN 64

static uint32_t crc32_update(const uint32_t t[8][256], const fold_t *f, uint32_t crc,
                             const uint8_t *p, size_t n)
{
#ifdef HAVE_CLMUL
    if (use_clmul && n >= CLMUL_MIN) {
        uint8_t blk[16];
        size_t done = clmul_fold(f, crc, p, n, blk);
        crc = crc32_sw(t, 0, blk, 16);
        p += done;
        n -= done;
    }
#else
    (void)f;
#endif
    return crc32_sw(t, crc, p, n);
}

static uint64_t crc64_update(const uint64_t t[8][256], const fold_t *f, uint64_t crc,
                             const uint8_t *p, size_t n)
{
#ifdef HAVE_CLMUL
    if (use_clmul && n >= CLMUL_MIN) {
        uint8_t blk[16];
        size_t done = clmul_fold(f, crc, p, n, blk);
        crc = crc64_sw(t, 0, blk, 16);
        p += done;
        n -= done;
    }
#else
    (void)f;
#endif
    return crc64_sw(t, crc, p, n);
}

/* ---- names -------------------------------------------------------------- */

static const struct {
    checksum_alg_t alg;
    const char *name, *header;
    size_t len;
} algs[] = {
    {CHECKSUM_CRC32, "CRC32", "x-amz-checksum-crc32", 4},
    {CHECKSUM_CRC32C, "CRC32C", "x-amz-checksum-crc32c", 4},
    {CHECKSUM_CRC64NVME, "CRC64NVME", "x-amz-checksum-crc64nvme", 8},
    {CHECKSUM_SHA1, "SHA1", "x-amz-checksum-sha1", 20},
    {CHECKSUM_SHA256, "SHA256", "x-amz-checksum-sha256", 32},
};

checksum_alg_t checksum_alg_parse(const char *name)
{
    size_t i;
    if (!name)
        return CHECKSUM_NONE;
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (strcasecmp(name, algs[i].name) == 0)
            return algs[i].alg;
    return CHECKSUM_NONE;
}

const char *checksum_alg_name(checksum_alg_t alg)
{
    size_t i;
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (algs[i].alg == alg)
            return algs[i].name;
    return NULL;
}

const char *checksum_header_name(checksum_alg_t alg)
{
    size_t i;
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (algs[i].alg == alg)
            return algs[i].header;
    return NULL;
}

size_t checksum_len(checksum_alg_t alg)
{
    size_t i;
    if (alg == CHECKSUM_MD5)
        return 16;
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (algs[i].alg == alg)
            return algs[i].len;
    return 0;
}

/* ---- streaming ---------------------------------------------------------- */

static const EVP_MD *evp_md(checksum_alg_t alg)
{
    switch (alg) {
    case CHECKSUM_SHA1:
        return evp_sha1();
    case CHECKSUM_SHA256:
        return evp_sha256();
    case CHECKSUM_MD5:
        return evp_md5();
    default:
        return NULL;
    }
}

int checksum_init(checksum_t *c, checksum_alg_t alg)
{
    const EVP_MD *md;
    EVP_MD_CTX *ctx;

    memset(c, 0, sizeof *c);
    tables();
    switch (alg) {
    case CHECKSUM_NONE:
        return 0;
    case CHECKSUM_CRC32:
    case CHECKSUM_CRC32C:
        c->alg = alg;
        c->u.crc32 = 0xFFFFFFFFu;
        return 0;
    case CHECKSUM_CRC64NVME:
        c->alg = alg;
        c->u.crc64 = ~(uint64_t)0;
        return 0;
    case CHECKSUM_SHA1:
    case CHECKSUM_SHA256:
    case CHECKSUM_MD5:
        md = evp_md(alg);
        ctx = EVP_MD_CTX_new();
        if (!md || !ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
            EVP_MD_CTX_free(ctx);
            return -1;
        }
        c->alg = alg;
        c->u.md = ctx;
        return 0;
    }
    return -1;
}

void checksum_update(checksum_t *c, const void *p, size_t n)
{
    if (n == 0)
        return;
    switch (c->alg) {
    case CHECKSUM_CRC32:
        c->u.crc32 = crc32_update(tab_crc32, FOLD(fold_crc32), c->u.crc32, p, n);
        break;
    case CHECKSUM_CRC32C:
        c->u.crc32 = crc32_update(tab_crc32c, FOLD(fold_crc32c), c->u.crc32, p, n);
        break;
    case CHECKSUM_CRC64NVME:
        c->u.crc64 = crc64_update(tab_crc64, FOLD(fold_crc64), c->u.crc64, p, n);
        break;
    case CHECKSUM_SHA1:
    case CHECKSUM_SHA256:
    case CHECKSUM_MD5:
        /* EVP_DigestUpdate only fails on a broken context; the final then
           fails too and reports no digest. */
        if (c->u.md)
            (void)EVP_DigestUpdate(c->u.md, p, n);
        break;
    case CHECKSUM_NONE:
        break;
    }
}

void checksum_final(checksum_t *c, uint8_t out[CHECKSUM_MAX_DIGEST],
                    size_t *len /* OUT */)
{
    unsigned int mdlen = 0;
    uint64_t v;
    int i;

    *len = 0;
    switch (c->alg) {
    case CHECKSUM_CRC32:
    case CHECKSUM_CRC32C:
        v = c->u.crc32 ^ 0xFFFFFFFFu;
        for (i = 0; i < 4; i++)
            out[i] = (uint8_t)(v >> (24 - 8 * i));
        *len = 4;
        break;
    case CHECKSUM_CRC64NVME:
        v = ~c->u.crc64;
        for (i = 0; i < 8; i++)
            out[i] = (uint8_t)(v >> (56 - 8 * i));
        *len = 8;
        break;
    case CHECKSUM_SHA1:
    case CHECKSUM_SHA256:
    case CHECKSUM_MD5:
        if (c->u.md && EVP_DigestFinal_ex(c->u.md, out, &mdlen) == 1)
            *len = mdlen;
        break;
    case CHECKSUM_NONE:
        break;
    }
    checksum_free(c);
}

void checksum_free(checksum_t *c)
{
    if ((c->alg == CHECKSUM_SHA1 || c->alg == CHECKSUM_SHA256 ||
         c->alg == CHECKSUM_MD5) && c->u.md)
        EVP_MD_CTX_free(c->u.md);
    memset(c, 0, sizeof *c);
}

void checksum_b64(const uint8_t *digest, size_t len, char *b64 /* OUT */)
{
    if (len > CHECKSUM_MAX_DIGEST)
        len = CHECKSUM_MAX_DIGEST;
    EVP_EncodeBlock((unsigned char *)b64, digest, (int)len);
}

uint64_t checksum_crc_combine(checksum_alg_t alg, uint64_t crc_a, uint64_t crc_b,
                              uint64_t blen)
{
    /* With init == xorout: crc(a||b) = crc(a) * x^(8 blen) + crc(b) mod p,
       in the reflected representation. */
    tables();
    switch (alg) {
    case CHECKSUM_CRC32:
        crc_a &= 0xFFFFFFFFu;
        return multmodp(x2nmodp(blen, 3, x2n_crc32, rpoly_crc32, 32), crc_a,
                        rpoly_crc32, 32) ^ (crc_b & 0xFFFFFFFFu);
    case CHECKSUM_CRC32C:
        crc_a &= 0xFFFFFFFFu;
        return multmodp(x2nmodp(blen, 3, x2n_crc32c, rpoly_crc32c, 32), crc_a,
                        rpoly_crc32c, 32) ^ (crc_b & 0xFFFFFFFFu);
    case CHECKSUM_CRC64NVME:
        return multmodp(x2nmodp(blen, 3, x2n_crc64, rpoly_crc64, 64), crc_a,
                        rpoly_crc64, 64) ^ crc_b;
    default:
        return 0;
    }
}
