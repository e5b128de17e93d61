/* kms_asym.h — KMS keys beyond SYMMETRIC_DEFAULT: the key specs (RSA, ECC,
 * Ed25519, SM2, HMAC) with their usages and algorithms, their material
 * (generated with OpenSSL EVP, sealed under the master key, parsed keys
 * cached) and the operations on them. Not for other modules. */
#ifndef AWSEMU_KMS_ASYM_H
#define AWSEMU_KMS_ASYM_H

#include <stddef.h>
#include <stdint.h>

#include "services/kms/kms_int.h"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;

enum kms_kind { KMS_KIND_SYMMETRIC, KMS_KIND_RSA, KMS_KIND_EC, KMS_KIND_ED25519, KMS_KIND_SM2,
                KMS_KIND_HMAC, KMS_KIND_ML_DSA };

/* One key spec as AWS serves it (docs: "Key spec reference"). */
typedef struct {
    const char *name;   /* "RSA_2048" */
    enum kms_kind kind;
    int bits;           /* RSA modulus, HMAC key bits */
    const char *group;  /* EC: OpenSSL's group name */
    const char *usages; /* space-separated KeyUsage values */
    const char *sign;   /* SigningAlgorithms, space-separated, or NULL */
    const char *enc;    /* EncryptionAlgorithms */
    const char *mac;    /* MacAlgorithms */
    const char *agree;  /* KeyAgreementAlgorithms */
} kms_spec_t;

/* ---- specs (kms_spec.c) ------------------------------------------------- */

/* The spec named name, or NULL. */
const kms_spec_t *kms_spec(const char *name);
/* CreateKey's checks of a spec and a usage, as AWS makes them: the usage
 * must fit the spec (ValidationException), SM2 only in the China Regions,
 * ML-DSA only where the linked OpenSSL has it (UnsupportedOperationException).
 * 0 or -1 with the error set. */
int kms_spec_check(svc_req_t *r, const char *spec, const char *usage);
/* 1 when alg is one of list's space-separated names. */
int kms_alg_in(const char *list, const char *alg);
/* Adds the algorithm list of k's spec and usage to m (DescribeKey's
 * KeyMetadata, GetPublicKey's answer). */
void kms_spec_algorithms(cJSON *m, const kms_key_t *k);
/* 1 when k is not a SYMMETRIC_DEFAULT key. */
int kms_is_asym(const kms_key_t *k);

/* ---- material (kms_keygen.c) ------------------------------------------- */

/* A fresh key pair of spec (RSA, EC, Ed25519, SM2), or NULL. Slow for big
 * RSA keys: seconds for RSA_4096. */
EVP_PKEY *kms_keygen(const kms_spec_t *s);
/* The PKCS#8 DER of pkey's private key (malloc'd: caller wipes and frees),
 * or NULL. */
uint8_t *kms_pkcs8(EVP_PKEY *pkey, size_t *n /* OUT */);
/* The DER SubjectPublicKeyInfo of pkey (malloc'd), or NULL. */
uint8_t *kms_spki(EVP_PKEY *pkey, size_t *n /* OUT */);
/* Inserts a key row of spec and usage with its material (DER PKCS#8 of an
 * asymmetric key, random bytes of an HMAC key) sealed under the master key
 * (inside the caller's transaction). pkey: the generated pair (NULL for
 * HMAC). key_id gets the new id. */
int kms_insert_asym_key(svc_req_t *r, const kms_spec_t *s, const char *usage, const char *desc,
                        const char *policy, EVP_PKEY *pkey, char key_id[37] /* OUT */);
/* Seals the material of a new key row key_id (ARN arn) of spec s: pkey's
 * PKCS#8 DER, or random bytes of an HMAC key (kms_insert_asym_key's; the
 * multi-Region rows of kms_mrk.c). */
int kms_asym_material(svc_req_t *r, const kms_spec_t *s, const char *key_id, const char *arn,
                      EVP_PKEY *pkey);
/* Drops the cached key of row key_id (its imported material deleted). */
void kms_asym_forget(const char *key_id);
/* k's private key (cached; borrowed: valid until the request ends), or
 * NULL with KMSInternalException set. */
EVP_PKEY *kms_asym_pkey(svc_req_t *r, const kms_key_t *k);
/* Sets up a context of a key for alg, to sign (verify 0) or to verify:
 * 1 done, else failed. */
typedef int kms_ctx_setup_fn(EVP_PKEY_CTX *c, const char *alg, int verify);
/* A context of k's private key set up by setup for (alg, verify), made the
 * first time and kept with the cached key (freed with it), so a request
 * pays an EVP_PKEY_CTX_dup, not a new context, an init and its fetches.
 * alg must be a static string; k's key must be cached (kms_asym_pkey
 * earlier in the request). Borrowed, and only the loop's thread uses it:
 * the caller duplicates it (EVP_PKEY_CTX_dup) and works on the copy. NULL
 * when the key is not cached or setup failed (no error set). */
EVP_PKEY_CTX *kms_asym_ctx(const kms_key_t *k, const char *alg, int verify,
                           kms_ctx_setup_fn *setup);
/* k's HMAC key (cached; borrowed), or NULL with the error set. */
const uint8_t *kms_hmac_key(svc_req_t *r, const kms_key_t *k, size_t *n /* OUT */);
/* Frees the cached keys (reset, shutdown). */
void kms_asym_drop(void);

/* ---- key generation off the loop (kms_worker.c) --------------------------
 *
 * RSA_4096 takes seconds: its pair is made on a thread of its own while
 * the loop serves other clients, and done(r, pkey, arg) runs on the loop's
 * thread when it is ready (pkey NULL when generation failed; done owns
 * it). When r ends first (its client went away), done never runs. */
typedef void kms_keygen_done_fn(svc_req_t *r, EVP_PKEY *pkey, void *arg);
/* 0, or -1 with the error set (no thread could start). */
int kms_keygen_async(svc_req_t *r, const kms_spec_t *s, kms_keygen_done_fn *done, void *arg);
/* 1 when generating a spec's pair takes long enough to go off the loop. */
int kms_keygen_slow(const kms_spec_t *s);
/* Waits for the threads still generating and frees their keys (exit). */
void kms_worker_stop(void);
/* ---- short work off the loop (kms_pool.c) ---------------------------------
 *
 * A signature or a verification on one of a few threads kept waiting (one
 * per CPU): work(arg) runs there and may touch only what arg owns; then
 * done(r, arg) runs on the loop's thread, r NULL when the request ended
 * first (its client went away); done frees arg either way. */
typedef struct kms_job kms_job_t;
typedef void kms_job_fn(void *arg);
typedef void kms_job_done_fn(svc_req_t *r, void *arg);
/* 0 (done will run), or -1: no pool (the caller does the work itself). */
int kms_pool_run(svc_req_t *r, kms_job_fn *work, kms_job_done_fn *done, void *arg);
/* Lets the queued jobs finish, ends the threads (exit). */
void kms_pool_stop(void);

/* Calls fn(arg) when r's KMS state is freed (kms_request.c). */
int kms_on_request_end(svc_req_t *r, void (*fn)(void *), void *arg);

/* ---- operations ---------------------------------------------------------- */

/* Asymmetric Encrypt and Decrypt of an ENCRYPT_DECRYPT RSA or SM2 key
 * (kms_asym.c): alg NULL answers as AWS answers SYMMETRIC_DEFAULT. */
int kms_asym_encrypt(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *pt,
                     size_t n, cJSON *out);
int kms_asym_decrypt(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *ct,
                     size_t n, cJSON *out);
/* The same without a response (ReEncrypt): *ct / *pt malloc'd, the caller
 * frees (and wipes a plaintext). 0 or -1 with the error set. */
int kms_asym_seal(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *pt, size_t n,
                  uint8_t **ct /* OUT */, size_t *ctlen /* OUT */);
int kms_asym_open(svc_req_t *r, const kms_key_t *k, const char *alg, const uint8_t *ct, size_t n,
                  uint8_t **pt /* OUT */, size_t *ptlen /* OUT */);

/* The rows' resource functions, beside their handlers. */
int kms_res_sign(svc_req_t *r, const void *in, struct authz *a);
int kms_res_verify(svc_req_t *r, const void *in, struct authz *a);
int kms_res_derive(svc_req_t *r, const void *in, struct authz *a);
int kms_res_generate_mac(svc_req_t *r, const void *in, struct authz *a);
int kms_res_verify_mac(svc_req_t *r, const void *in, struct authz *a);
int kms_res_data_key_pair(svc_req_t *r, const void *in, struct authz *a);
int kms_res_data_key_pair_np(svc_req_t *r, const void *in, struct authz *a);

int kms_op_sign(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_verify(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_generate_mac(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_verify_mac(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_generate_data_key_pair(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_generate_data_key_pair_np(svc_req_t *r, const cJSON *in, cJSON *out);
int kms_op_derive_shared_secret(svc_req_t *r, const cJSON *in, cJSON *out);

#endif
