/* evp.c — OpenSSL algorithms fetched once (see evp.h). */
#include "base/evp.h"

#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const EVP_CIPHER *gcm;
static const EVP_MD *sha256, *sha384, *sha512, *sha1, *md5;

static void fetch_all(void)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    EVP_MD *m;

    gcm = c != NULL ? c : EVP_aes_256_gcm();
    m = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha256 = m != NULL ? m : EVP_sha256();
    m = EVP_MD_fetch(NULL, "SHA384", NULL);
    sha384 = m != NULL ? m : EVP_sha384();
    m = EVP_MD_fetch(NULL, "SHA512", NULL);
    sha512 = m != NULL ? m : EVP_sha512();
    m = EVP_MD_fetch(NULL, "SHA1", NULL);
    sha1 = m != NULL ? m : EVP_sha1();
    m = EVP_MD_fetch(NULL, "MD5", NULL);
    md5 = m != NULL ? m : EVP_md5();
}

const EVP_CIPHER *evp_aes_256_gcm(void)
{
    pthread_once(&once, fetch_all);
    return gcm;
}

const EVP_MD *evp_sha256(void)
{
    pthread_once(&once, fetch_all);
    return sha256;
}

const EVP_MD *evp_sha384(void)
{
    pthread_once(&once, fetch_all);
    return sha384;
}

const EVP_MD *evp_sha512(void)
{
    pthread_once(&once, fetch_all);
    return sha512;
}

const EVP_MD *evp_sha1(void)
{
    pthread_once(&once, fetch_all);
    return sha1;
}

const EVP_MD *evp_md5(void)
{
    pthread_once(&once, fetch_all);
    return md5;
}

int evp_sha256_digest(const void *p, size_t n, unsigned char md[32])
{
    unsigned int len = 0;

    return EVP_Digest(p, n, md, &len, evp_sha256(), NULL) == 1 && len == 32 ? 0 : -1;
}
