/* policy_int.h — what the policy engine's two halves share: policy.c
 * (arena, patterns, value parsers, grammar) and policy_eval.c (evaluation
 * and AWS's decision). The compiled form of a document. Not for other
 * modules. */
#ifndef AWSEMU_POLICY_INT_H
#define AWSEMU_POLICY_INT_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "authz/policy.h"

/* ---- arena ---------------------------------------------------------------- */

struct blk {
    struct blk *next;
    size_t cap, used;
    max_align_t data[];
};

struct arena {
    struct blk *head;
};

#define ARENA_ALIGN alignof(max_align_t)
#define ARENA_BLOCK 4096

/* ---- compiled patterns ---------------------------------------------------- */

/* A pattern is an array of 16-bit tokens: 0..255 a literal byte, TOK_STAR,
 * TOK_QMARK, or TOK_VAR | i for the pattern's variable i. */
#define TOK_STAR 0x100
#define TOK_QMARK 0x101
#define TOK_VAR 0x8000
#define MAX_VARS 0x7fff
#define EXPAND_MAX 4096 /* tokens after substituting variables */

struct pvar {
    const char *key;
    const char *def; /* NULL: no default */
};

/* How a pattern matches, decided at compile time so that the common shapes
 * skip the general glob. */
enum pkind {
    PK_GLOB,   /* general: wildcards and/or variables */
    PK_ANY,    /* only '*': matches everything */
    PK_LIT,    /* lit exactly */
    PK_PREFIX, /* lit followed by one trailing '*' */
};

struct pat {
    const uint16_t *t;
    size_t n;
    const struct pvar *vars;
    size_t nvars;
    uint8_t kind;
    const char *lit; /* PK_LIT, PK_PREFIX: the literal bytes (NUL-terminated) */
    size_t litn;
};

/* ---- values and conditions ------------------------------------------------ */

struct cidr {
    uint8_t family; /* 4, 6, or 0: invalid */
    uint8_t prefix;
    uint8_t addr[16];
};

enum cclass { C_STR, C_STR_IC, C_LIKE, C_NUM, C_DATE, C_BOOL, C_BIN, C_IP, C_ARN, C_NULL };
enum ccmp { CMP_EQ, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

struct opdef {
    const char *name;
    uint8_t cls, cmp, neg;
};

enum { SET_NONE, SET_ALL, SET_ANY };

struct cval {
    struct pat pat;  /* string classes; BinaryEquals keeps the text here */
    double num;      /* numeric, date */
    struct cidr ip;
    int8_t ok;       /* the value parsed for its class (else never matches) */
};

struct cond {
    const char *key;
    uint8_t cls, cmp, neg, ifexists, set;
    struct cval *vals;
    size_t nvals;
};

/* ---- statements and documents --------------------------------------------- */

enum ptype { P_ANY, P_ACCOUNT, P_ARN, P_SERVICE, P_FEDERATED, P_CANONICAL };

struct princ {
    uint8_t type;
    const char *s; /* account id for P_ACCOUNT, else the value */
};

struct stmt {
    enum policy_effect effect;
    char sid[128];
    const char *full_sid; /* NULL without Sid; only for the uniqueness check */
    uint8_t not_action, not_resource, has_resource, not_principal;
    struct pat *actions;
    size_t nactions;
    struct pat *resources;
    size_t nresources;
    struct princ *princs;
    size_t nprincs;
    struct cond *conds;
    size_t nconds;
};

struct policy {
    struct arena arena;
    enum policy_kind kind;
    int v2012;
    struct stmt *stmts;
    size_t nstmts;
};

/* ---- matching, shared by parsing and evaluation --------------------------- */

int pol_arn_match(const struct pat *p, const policy_request_t *q, const char *s, size_t sn);
int pol_cidr_contains(const struct cidr *net, const struct cidr *ip);
const policy_ctx_t *pol_ctx_find(const policy_request_t *q, const char *key);
int pol_parse_bool(const char *s);
int pol_parse_cidr(const char *s, struct cidr *c /* OUT */);
int pol_parse_date(const char *s, double *out /* OUT */);
int pol_parse_num(const char *s, double *out /* OUT */);
int pol_pat_match(const struct pat *p, const policy_request_t *q, const char *s, size_t sn,
                     int icase);
/* The byte length of c's value i, and of its key. */
size_t pol_ctx_len(const policy_ctx_t *c, size_t i);
size_t pol_ctx_keylen(const policy_ctx_t *c);

#endif
