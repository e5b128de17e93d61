/* kms_authz.c — KMS requests as IAM sees them: the action, the key ARN,
 * the key policy (which must allow, itself or by delegating to IAM), the
 * key's grants (an allow for their grantee on the operations they list,
 * asked only when no policy allows), and the condition keys
 * kms:EncryptionContext:<key>, kms:EncryptionContextKeys, kms:CallerAccount,
 * kms:ViaService, kms:KeySpec/KeyUsage/KeyOrigin, kms:RequestAlias,
 * kms:ResourceAliases, aws:ResourceTag/<key>, aws:RequestTag/<key>,
 * aws:TagKeys, CreateGrant's kms:Grant* keys, and the request's algorithms:
 * kms:SigningAlgorithm, MessageType, MacAlgorithm, KeyAgreementAlgorithm,
 * EncryptionAlgorithm. */
#include "services/kms/kms_errors.h"
#include "services/kms/kms_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/iam/iam.h"
#include "services/kms/kms_grant_rules.h"
#include "storage/db.h"

#define MAX_TAGS 50                       /* per key, as AWS allows */
#define NAME_LEN 160                      /* "aws:RequestTag/" + a 128-character tag key */
#define MAX_KEYS (64 + 2 * MAX_TAGS + 32) /* room for a usual request; more go to the heap */

/* ---- a key's tags and aliases, cached ------------------------------------- */

/* Every request on a key offers the key's tags and aliases as condition
 * keys. They are read from the database once per key and kept until any
 * tag or alias changes (kms_attrs_changed), so an allowed request does not
 * query for them. */
#define ATTR_SLOTS 256

typedef struct {
    char *name; /* "aws:ResourceTag/<key>" */
    char *value;
} attr_tag_t;

typedef struct {
    char key_id[KMS_ROW_LEN + 1];
    unsigned gen; /* attr_gen when read; 0: empty */
    attr_tag_t *tags;
    size_t ntags, tagcap;
    char **aliases; /* "alias/x" */
    size_t naliases, aliascap;
} attr_slot_t;

static attr_slot_t attrs[ATTR_SLOTS];
static unsigned attr_gen = 1;

void kms_attrs_changed(void)
{
    if (++attr_gen == 0)
        attr_gen = 1;
}

static void attr_clear(attr_slot_t *s)
{
    size_t i;

    for (i = 0; i < s->ntags; i++) {
        free(s->tags[i].name);
        free(s->tags[i].value);
    }
    for (i = 0; i < s->naliases; i++)
        free(s->aliases[i]);
    free(s->tags);
    free(s->aliases);
    memset(s, 0, sizeof *s);
}

void kms_attrs_reset(void)
{
    size_t i;

    for (i = 0; i < ATTR_SLOTS; i++)
        attr_clear(&attrs[i]);
    kms_attrs_changed();
}

/* prefix + the text of column col, malloc'd; NULL when out of memory. */
static char *col_with(sqlite3_stmt *st, int col, const char *prefix)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    size_t pn = strlen(prefix), n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;
    char *s = malloc(pn + n + 1);

    if (s == NULL)
        return NULL;
    memcpy(s, prefix, pn);
    if (n)
        memcpy(s + pn, v, n);
    s[pn + n] = '\0';
    return s;
}

/* arr (n of *cap elements of size bytes used) with room for one more:
 * grown when full; NULL when out of memory (arr is left as it was). */
static void *room(void *arr, size_t n, size_t *cap, size_t size)
{
    size_t want = *cap ? *cap * 2 : 8;
    void *a;

    if (n < *cap)
        return arr;
    if ((a = realloc(arr, want * size)) != NULL)
        *cap = want;
    return a;
}

static int load_attrs(svc_req_t *r, attr_slot_t *s)
{
    sqlite3_stmt *st;
    int rc = 0;

    st = db_query(r->emu->db,
                  "SELECT tag_key, tag_value FROM kms_tags WHERE key_id=?1 "
                  "ORDER BY tag_key",
                  "s", s->key_id);
    if (st == NULL)
        return -1;
    while (rc == 0 && db_row(st) == 1) {
        attr_tag_t t, *tags = room(s->tags, s->ntags, &s->tagcap, sizeof *s->tags);
        if (tags == NULL) {
            rc = -1;
            break;
        }
        s->tags = tags;
        t.name = col_with(st, 0, "aws:ResourceTag/");
        t.value = col_with(st, 1, "");
        if (t.name == NULL || t.value == NULL) {
            free(t.name);
            free(t.value);
            rc = -1;
            break;
        }
        s->tags[s->ntags++] = t;
    }
    db_done(st);
    if (rc != 0)
        return -1;
    st = db_query(r->emu->db, "SELECT name FROM kms_aliases WHERE key_id=?1 ORDER BY name", "s",
                  s->key_id);
    if (st == NULL)
        return -1;
    while (rc == 0 && db_row(st) == 1) {
        char **aliases = room(s->aliases, s->naliases, &s->aliascap, sizeof *s->aliases);
        if (aliases == NULL) {
            rc = -1;
            break;
        }
        s->aliases = aliases;
        if ((s->aliases[s->naliases] = col_with(st, 0, "")) == NULL)
            rc = -1;
        else
            s->naliases++;
    }
    db_done(st);
    return rc;
}

/* k's tags and aliases (the cache owns them), or NULL with
 * KMSInternalException set. */
static const attr_slot_t *key_attrs(svc_req_t *r, const kms_key_t *k)
{
    unsigned h = 2166136261u;
    const char *p;
    attr_slot_t *s;

    for (p = k->key_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    s = &attrs[h % ATTR_SLOTS];
    if (s->gen == attr_gen && strcmp(s->key_id, k->key_id) == 0)
        return s;
    attr_clear(s);
    memcpy(s->key_id, k->key_id, sizeof s->key_id);
    if (load_attrs(r, s) != 0) {
        attr_clear(s);
        svc_error(r, KMS_E_DB);
        return NULL;
    }
    s->gen = attr_gen;
    return s;
}

/* ---- condition keys ------------------------------------------------------- */

typedef struct {
    authz_key_t *keys; /* inline, or on the heap once it outgrows it */
    authz_key_t inline_keys[MAX_KEYS];
    size_t n, cap;
    int failed;          /* out of memory: the request is refused */
    const char *one[24]; /* single values */
    size_t none;
    char *ctx_block; /* kms:EncryptionContext:<k> names and their arrays */
    char tag_names[MAX_TAGS][NAME_LEN];
    const char *tag_vals[MAX_TAGS];
    const char **list; /* aws:TagKeys or kms:GrantOperations (malloc'd) */
} keys_t;

static void keys_init(keys_t *ks)
{
    ks->keys = ks->inline_keys;
    ks->cap = MAX_KEYS;
    ks->n = ks->none = 0;
    ks->failed = 0;
    ks->ctx_block = NULL;
    ks->list = NULL;
}

static void keys_free(keys_t *ks)
{
    if (ks->keys != ks->inline_keys)
        free(ks->keys);
    free(ks->ctx_block);
    free(ks->list);
}

/* Every key the request has is added: one left out could let a Deny that
 * names it pass. lens/keylen: as in policy_ctx_t (NULL/0 for C strings). */
static void add_n(keys_t *ks, const char *key, size_t keylen, const char *const *values,
                  const size_t *lens, size_t n)
{
    if (ks->n == ks->cap) {
        authz_key_t *k = malloc(2 * ks->cap * sizeof *k);
        if (k == NULL) {
            ks->failed = 1;
            return;
        }
        memcpy(k, ks->keys, ks->n * sizeof *k);
        if (ks->keys != ks->inline_keys)
            free(ks->keys);
        ks->keys = k;
        ks->cap *= 2;
    }
    ks->keys[ks->n++] = (authz_key_t){key, values, n, lens, keylen};
}

static void add(keys_t *ks, const char *key, const char *const *values, size_t n)
{
    add_n(ks, key, 0, values, NULL, n);
}

static void add1(keys_t *ks, const char *key, const char *value)
{
    if (value == NULL)
        return;
    if (ks->none >= sizeof ks->one / sizeof ks->one[0]) {
        ks->failed = 1; /* cannot be: callers add fewer */
        return;
    }
    ks->one[ks->none] = value;
    add(ks, key, &ks->one[ks->none++], 1);
}

/* kms:CallerAccount and the key's kms:KeySpec, KeyUsage, KeyOrigin (spec,
 * usage, origin: CreateKey's requested ones). */
static void add_basics(keys_t *ks, svc_req_t *r, const char *spec, const char *usage,
                       const char *origin)
{
    add1(ks, "kms:CallerAccount", r->account);
    add1(ks, "kms:KeySpec", spec);
    add1(ks, "kms:KeyUsage", usage);
    add1(ks, "kms:KeyOrigin", origin);
}

/* The algorithm condition keys of a KMS request on a key: the member's
 * value, or what AWS assumes when it is absent (RAW messages, symmetric
 * encryption; service authorization reference, "AWS KMS condition keys"). */
static void add_algorithms(keys_t *ks, const char *action, const cJSON *in)
{
    static const struct {
        const char *action, *member, *key, *dflt;
    } m[] = {
        {"kms:Sign", "SigningAlgorithm", "kms:SigningAlgorithm", NULL},
        {"kms:Sign", "MessageType", "kms:MessageType", "RAW"},
        {"kms:Verify", "SigningAlgorithm", "kms:SigningAlgorithm", NULL},
        {"kms:Verify", "MessageType", "kms:MessageType", "RAW"},
        {"kms:GenerateMac", "MacAlgorithm", "kms:MacAlgorithm", NULL},
        {"kms:VerifyMac", "MacAlgorithm", "kms:MacAlgorithm", NULL},
        {"kms:DeriveSharedSecret", "KeyAgreementAlgorithm", "kms:KeyAgreementAlgorithm", NULL},
        {"kms:Encrypt", "EncryptionAlgorithm", "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
        {"kms:Decrypt", "EncryptionAlgorithm", "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
        {"kms:ReEncryptFrom", "SourceEncryptionAlgorithm", "kms:EncryptionAlgorithm",
         "SYMMETRIC_DEFAULT"},
        {"kms:ReEncryptTo", "DestinationEncryptionAlgorithm", "kms:EncryptionAlgorithm",
         "SYMMETRIC_DEFAULT"},
        {"kms:GenerateDataKey", NULL, "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
        {"kms:GenerateDataKeyWithoutPlaintext", NULL, "kms:EncryptionAlgorithm",
         "SYMMETRIC_DEFAULT"},
        {"kms:GenerateDataKeyPair", NULL, "kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
        {"kms:GenerateDataKeyPairWithoutPlaintext", NULL, "kms:EncryptionAlgorithm",
         "SYMMETRIC_DEFAULT"},
    };
    size_t i;

    for (i = 0; i < sizeof m / sizeof m[0]; i++) {
        const cJSON *v = m[i].member ? cJSON_GetObjectItemCaseSensitive(in, m[i].member) : NULL;
        if (strcmp(m[i].action, action) != 0)
            continue;
        add1(ks, m[i].key, cJSON_IsString(v) ? v->valuestring : m[i].dflt);
    }
}

/* kms:EncryptionContext:<key> for every pair of ctx, and
 * kms:EncryptionContextKeys, every name and value by its byte length: a
 * context's keys and values may hold U+0000 ({"owner":"alice\u0000bob"}
 * must not satisfy a condition asking for "alice"). One allocation: the
 * key and value pointer arrays, their lengths, then the names
 * "kms:EncryptionContext:<key>" (each NUL-terminated after its length). */
static void add_context(keys_t *ks, const cJSON *ctx)
{
    static const char prefix[] = "kms:EncryptionContext:";
    const size_t pl = sizeof prefix - 1;
    const cJSON *e;
    const char **keys, **vals;
    size_t nc = 0, bytes = 0, *klens, *vlens;
    char *names;

    if (!cJSON_IsObject(ctx))
        return;
    cJSON_ArrayForEach(e, ctx)
    {
        if (cJSON_IsString(e) && e->string) {
            nc++;
            bytes += pl + jsonlen_key(e) + 1;
        }
    }
    if (nc == 0)
        return;
    ks->ctx_block = malloc(2 * nc * (sizeof(char *) + sizeof(size_t)) + bytes);
    if (ks->ctx_block == NULL) {
        ks->failed = 1;
        return;
    }
    keys = (const char **)(void *)ks->ctx_block;
    vals = keys + nc;
    klens = (size_t *)(void *)(vals + nc);
    vlens = klens + nc;
    names = (char *)(vlens + nc);
    nc = 0;
    cJSON_ArrayForEach(e, ctx)
    {
        size_t kl;
        if (!cJSON_IsString(e) || e->string == NULL)
            continue;
        kl = jsonlen_key(e);
        memcpy(names, prefix, pl);
        memcpy(names + pl, e->string, kl);
        names[pl + kl] = '\0';
        keys[nc] = e->string;
        klens[nc] = kl;
        vals[nc] = e->valuestring;
        vlens[nc] = jsonlen_str(e);
        add_n(ks, names, pl + kl, &vals[nc], &vlens[nc], 1);
        names += pl + kl + 1;
        nc++;
    }
    add_n(ks, "kms:EncryptionContextKeys", 0, keys, klens, nc);
}

/* aws:ResourceTag/<key> of k's tags, kms:ResourceAliases, kms:RequestAlias. */
static int add_key_attrs(svc_req_t *r, keys_t *ks, const kms_key_t *k)
{
    const attr_slot_t *s = key_attrs(r, k);
    size_t i;

    if (s == NULL)
        return -1;
    for (i = 0; i < s->ntags; i++)
        add(ks, s->tags[i].name, (const char *const *)&s->tags[i].value, 1);
    if (s->naliases)
        add(ks, "kms:ResourceAliases", (const char *const *)s->aliases, s->naliases);
    if (k->alias[0])
        add1(ks, "kms:RequestAlias", k->alias);
    return 0;
}

/* aws:RequestTag/<key> and aws:TagKeys of a Tags list [{TagKey, TagValue}]
 * (tags) or a TagKeys list of strings (keys). Malformed entries are left
 * out: the operation refuses them once authorized. More than 50 tags can
 * never be set: LimitExceededException (create: CreateKey's TagException)
 * is set and -1 returned, as on KMSInternalException. */
static int add_request_tags(svc_req_t *r, keys_t *ks, const cJSON *tags, const cJSON *keys,
                            int create)
{
    const cJSON *list = tags ? tags : keys, *t;
    size_t nk = 0, nt = 0;

    if (!cJSON_IsArray(list))
        return 0;
    if (tags && cJSON_GetArraySize(tags) > MAX_TAGS)
        return create ? svc_error(r, KMS_E_CREATE_TAG_LIMIT) : svc_error(r, KMS_E_TAG_LIMIT);
    ks->list = malloc(((size_t)cJSON_GetArraySize(list) + 1) * sizeof *ks->list);
    if (ks->list == NULL)
        return svc_error(r, KMS_E_OOM);
    cJSON_ArrayForEach(t, list)
    {
        const cJSON *k = tags ? cJSON_GetObjectItemCaseSensitive(t, "TagKey") : t;
        const cJSON *v = tags ? cJSON_GetObjectItemCaseSensitive(t, "TagValue") : NULL;
        if (!cJSON_IsString(k) || strlen(k->valuestring) > 128)
            continue;
        ks->list[nk++] = k->valuestring;
        if (tags && cJSON_IsString(v) && nt < MAX_TAGS) {
            snprintf(ks->tag_names[nt], NAME_LEN, "aws:RequestTag/%s", k->valuestring);
            ks->tag_vals[nt] = v->valuestring;
            add(ks, ks->tag_names[nt], &ks->tag_vals[nt], 1);
            nt++;
        }
    }
    if (nk)
        add(ks, "aws:TagKeys", ks->list, nk);
    return 0;
}

/* CreateGrant's kms:GrantOperations, kms:GranteePrincipal,
 * kms:RetiringPrincipal, kms:GrantConstraintType, kms:GrantIsForAWSResource
 * from the request in. */
static int add_grant_request(svc_req_t *r, keys_t *ks, const cJSON *in)
{
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(in, "Operations"), *o, *c, *v;
    size_t n = 0;

    if (cJSON_IsArray(ops)) {
        ks->list = malloc(((size_t)cJSON_GetArraySize(ops) + 1) * sizeof *ks->list);
        if (ks->list == NULL)
            return svc_error(r, KMS_E_OOM);
        cJSON_ArrayForEach(o, ops)
        {
            if (cJSON_IsString(o))
                ks->list[n++] = o->valuestring;
        }
        if (n)
            add(ks, "kms:GrantOperations", ks->list, n);
    }
    if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(in, "GranteePrincipal")))
        add1(ks, "kms:GranteePrincipal", v->valuestring);
    if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(in, "RetiringPrincipal")))
        add1(ks, "kms:RetiringPrincipal", v->valuestring);
    c = cJSON_GetObjectItemCaseSensitive(in, "Constraints");
    if (cJSON_IsObject(c)) {
        /* an empty map is absent, as for CreateGrant itself */
        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "EncryptionContextEquals")))
            add1(ks, "kms:GrantConstraintType", "EncryptionContextEquals");
        else if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "EncryptionContextSubset")))
            add1(ks, "kms:GrantConstraintType", "EncryptionContextSubset");
    }
    add1(ks, "kms:GrantIsForAWSResource", "false");
    return 0;
}

/* ---- grants --------------------------------------------------------------- */

typedef struct {
    const kms_key_t *k;
    const char *op;                            /* the grant operation: "Decrypt" */
    const cJSON *ctx;                          /* the request's encryption context */
    int create;                                /* CreateGrant: new_ops and new_cons ask */
    const cJSON *new_ops, *new_cons;           /* for a grant within the caller's */
    const char *grant_id, *grantee, *retiring; /* RetireGrant: the grant */
    const cJSON *ops;                          /* RetireGrant: its Operations */
} grant_arg_t;

static void copy_id(char *id, size_t idlen, const char *v)
{
    size_t n = v ? strlen(v) : 0;

    if (idlen == 0)
        return;
    if (n >= idlen)
        n = idlen - 1;
    if (n)
        memcpy(id, v, n);
    id[n] = '\0';
}

/* A grant's stored Operations or Constraints (JSON text of n bytes) as a
 * tree with its string lengths recorded, or NULL when it does not parse. */
static cJSON *parse_stored(const char *text, size_t n)
{
    cJSON *v = text ? cJSON_ParseWithLength(text, n) : NULL;

    if (v && jsonlen_record(v, text, n, NULL) != JSONLEN_OK) {
        cJSON_Delete(v);
        v = NULL;
    }
    return v;
}

/* The strongest of k's grants that names who and allows the request. */
static enum authz_grant key_grants(svc_req_t *r, const principal_t *who, const void *arg, char *id,
                                   size_t idlen)
{
    const grant_arg_t *g = arg;
    const char *role = who->kind == PRINCIPAL_ROLE_SESSION ? who->role_arn : NULL;
    enum authz_grant best = AUTHZ_GRANT_NONE, names;
    char root[AWS_ARN_BUF];
    sqlite3_stmt *st;

    snprintf(root, sizeof root, "arn:%s:iam::%s:root", partition_name(r->region), r->account);
    st = db_query(r->emu->db,
                  "SELECT grant_id, grantee, operations, constraints FROM kms_grants WHERE "
                  "key_id=?1 AND grantee IN (?2, ?3, ?4, ?5) ORDER BY seq",
                  "sssss", g->k->key_id, who->arn, role, root, r->account);
    if (st == NULL)
        return AUTHZ_GRANT_NONE;
    while (best != AUTHZ_GRANT_CALLER && db_row(st) == 1) {
        const char *cons_text = (const char *)sqlite3_column_text(st, 3);
        cJSON *ops, *cons;
        int ok;

        names =
            kms_grant_names((const char *)sqlite3_column_text(st, 1), who->arn, role, r->account);
        if (names <= best)
            continue;
        ops = parse_stored((const char *)sqlite3_column_text(st, 2),
                           (size_t)sqlite3_column_bytes(st, 2));
        cons = parse_stored(cons_text, (size_t)sqlite3_column_bytes(st, 3));
        if (ops == NULL || (cons_text && cons == NULL))
            ok = 0;
        else if (g->create)
            ok = kms_grant_within(ops, cons, g->new_ops, g->new_cons);
        else
            ok = kms_grant_allows(ops, cons, g->op, g->ctx);
        cJSON_Delete(ops);
        cJSON_Delete(cons);
        if (ok) {
            best = names;
            copy_id(id, idlen, (const char *)sqlite3_column_text(st, 0));
        }
    }
    db_done(st);
    return best;
}

/* RetireGrant: the grant's retiring principal, or its grantee when it
 * lists RetireGrant. */
static enum authz_grant retire_names(svc_req_t *r, const principal_t *who, const void *arg,
                                     char *id, size_t idlen)
{
    const grant_arg_t *g = arg;
    const char *role = who->kind == PRINCIPAL_ROLE_SESSION ? who->role_arn : NULL;
    enum authz_grant best = AUTHZ_GRANT_NONE, n;

    if (g->retiring)
        best = kms_grant_names(g->retiring, who->arn, role, r->account);
    if (kms_grant_lists(g->ops, "RetireGrant") &&
        (n = kms_grant_names(g->grantee, who->arn, role, r->account)) > best)
        best = n;
    copy_id(id, idlen, g->grant_id);
    return best;
}

/* ---- the checks ----------------------------------------------------------- */

/* What an authz_t filled by kms_authz_* points into: the condition keys,
 * the grant callback's argument and the action's text. Lives as long as
 * the authz_t is used (the request, for the router's check). */
struct kms_authz {
    keys_t ks;
    grant_arg_t g;
    char via[128];
    cJSON *retire_ops; /* RetireGrant: the grant's Operations, parsed */
};

kms_authz_t *kms_authz_new(void)
{
    kms_authz_t *z = malloc(sizeof *z);

    if (z == NULL)
        return NULL;
    keys_init(&z->ks);
    memset(&z->g, 0, sizeof z->g);
    z->via[0] = '\0';
    z->retire_ops = NULL;
    return z;
}

void kms_authz_free(kms_authz_t *z)
{
    if (z == NULL)
        return;
    keys_free(&z->ks);
    cJSON_Delete(z->retire_ops);
    free(z);
}

/* a->keys from the keys gathered (refused when they could not all be). */
static int finish_keys(svc_req_t *r, keys_t *ks, authz_t *a)
{
    if (ks->failed)
        return svc_error(r, KMS_E_OOM);
    a->keys = ks->keys;
    a->nkeys = ks->n;
    return 0;
}

int kms_authz_key(svc_req_t *r, kms_authz_t *z, const kms_key_t *k, const char *action,
                  const cJSON *ctx, authz_t *a)
{
    const cJSON *in = r->input;
    int own = !strcmp(r->service, "kms");

    if (action == NULL) /* the row's action; another service opens ciphertexts */
        action = own && r->op && r->op->action ? r->op->action : "kms:Decrypt";
    if (ctx == NULL && own && in)
        ctx = cJSON_GetObjectItemCaseSensitive(in, strcmp(action, "kms:ReEncryptTo") == 0
                                                       ? "DestinationEncryptionContext"
                                                       : "EncryptionContext");
    add_context(&z->ks, ctx);
    add_basics(&z->ks, r, k->key_spec, k->key_usage, k->origin);
    add1(&z->ks, "kms:MultiRegion", k->multi_region ? "true" : "false");
    if (k->multi_region) /* kms_mrk.c: 1 the primary, 2 a replica */
        add1(&z->ks, "kms:MultiRegionKeyType", k->multi_region == 1 ? "PRIMARY" : "REPLICA");
    if (own && in)
        add_algorithms(&z->ks, action, in);
    if (add_key_attrs(r, &z->ks, k) != 0)
        return -1;
    memset(a, 0, sizeof *a);
    if (!own) {
        snprintf(z->via, sizeof z->via, "%s.%s.%s", r->service, r->region,
                 partition_of(r->region)->dns_suffix);
        add1(&z->ks, "kms:ViaService", z->via);
        a->via_service = z->via;
    }
    z->g.k = k;
    z->g.op = action + 4;
    z->g.ctx = ctx;
    a->action = action;
    a->resource = k->arn;
    a->resource_policy = k->policy; /* kms_load reads it in enforce mode */
    a->resource_required = 1;
    if (!strncmp(action, "kms:", 4) && kms_grant_operation(action + 4)) {
        a->grant = key_grants;
        a->grant_arg = &z->g;
    }
    return finish_keys(r, &z->ks, a);
}

int kms_authz_request_tags(svc_req_t *r, kms_authz_t *z, const cJSON *tags, const cJSON *keys,
                           authz_t *a)
{
    if (add_request_tags(r, &z->ks, tags, keys, 0) != 0)
        return -1;
    return finish_keys(r, &z->ks, a);
}

int kms_authz_extra(svc_req_t *r, kms_authz_t *z, const char *name, const char *value, authz_t *a)
{
    if (!r->emu->cfg->iam_enforce)
        return 0;
    if (z == NULL)
        return -1;
    add1(&z->ks, name, value);
    return finish_keys(r, &z->ks, a);
}

int kms_authz_create_grant(svc_req_t *r, kms_authz_t *z, const cJSON *in, authz_t *a)
{
    if (add_grant_request(r, &z->ks, in) != 0)
        return -1;
    z->g.create = 1;
    z->g.new_ops = cJSON_GetObjectItemCaseSensitive(in, "Operations");
    z->g.new_cons = cJSON_GetObjectItemCaseSensitive(in, "Constraints");
    return finish_keys(r, &z->ks, a);
}

int kms_authorize(svc_req_t *r, const kms_key_t *k, const char *action, const cJSON *ctx)
{
    kms_authz_t *z;
    authz_t a;
    int rc;

    if (!r->emu->cfg->iam_enforce)
        return 0;
    if ((z = kms_authz_new()) == NULL)
        return svc_error(r, KMS_E_OOM);
    rc = kms_authz_key(r, z, k, action, ctx, &a);
    if (rc == 0)
        rc = authz_check(r, &a);
    kms_authz_free(z);
    return rc;
}

int kms_authz_create_key(svc_req_t *r, kms_authz_t *z, const char *spec, const char *usage,
                         const char *origin, int multi_region, int bypass, const cJSON *tags,
                         authz_t *a)
{
    add_basics(&z->ks, r, spec, usage, origin);
    add1(&z->ks, "kms:MultiRegion", multi_region ? "true" : "false");
    add1(&z->ks, "kms:BypassPolicyLockoutSafetyCheck", bypass ? "true" : "false");
    if (tags && add_request_tags(r, &z->ks, tags, NULL, 1) != 0)
        return -1;
    memset(a, 0, sizeof *a);
    a->action = "kms:CreateKey";
    a->resource = "*";
    return finish_keys(r, &z->ks, a);
}

int kms_authz_retire(svc_req_t *r, kms_authz_t *z, const kms_key_t *k, const char *grant_id,
                     const char *grantee, const char *retiring, const char *operations, authz_t *a)
{
    add_basics(&z->ks, r, k->key_spec, k->key_usage, k->origin);
    if (add_key_attrs(r, &z->ks, k) != 0)
        return -1;
    z->g.k = k;
    z->g.grant_id = grant_id;
    z->g.grantee = grantee;
    z->g.retiring = retiring;
    z->retire_ops = cJSON_Parse(operations);
    z->g.ops = z->retire_ops;
    memset(a, 0, sizeof *a);
    a->action = "kms:RetireGrant";
    a->resource = k->arn;
    a->grant = retire_names;
    a->grant_arg = &z->g;
    return finish_keys(r, &z->ks, a);
}
