/* iam_saml_meta.c — SAML 2.0 metadata parsing (expat, namespace-aware). */
#include "services/iam/iam_saml_meta.h"

#include <expat.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/codec.h"

#define NS_MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define CERT_TEXT_MAX (64 << 10) /* base64 of one certificate */
#define MAX_DEPTH 64

typedef struct {
    XML_Parser p;
    iam_saml_meta_t *m;
    int depth, bad;
    int entity;    /* depth of the EntityDescriptor being read, 0 none */
    int done;      /* an entity with an IDPSSODescriptor was read */
    int idp;       /* depth of its IDPSSODescriptor, 0 outside */
    int seen_idp;  /* the current entity has one */
    int key;       /* depth of a signing KeyDescriptor, 0 outside */
    int in_cert;   /* inside X509Certificate */
    char entity_id[IAM_SAML_ENTITY_MAX + 1];
    double valid_until;
    buf_t text;
} pstate_t;

/* "uri local" (the separator is ' ') equals ns + local. */
static int is(const char *name, const char *ns, const char *local)
{
    size_t n = strlen(ns);
    return !strncmp(name, ns, n) && name[n] == ' ' && !strcmp(name + n + 1, local);
}

static const char *attr(const char **atts, const char *name)
{
    for (; atts && atts[0]; atts += 2)
        if (!strcmp(atts[0], name))
            return atts[1];
    return NULL;
}

/* xs:dateTime "YYYY-MM-DDThh:mm:ss[.f][Z]"; 0 when malformed. */
static double when(const char *v)
{
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    if (v == NULL || sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm);
}

static void entity_start(pstate_t *s, const char **atts)
{
    const char *id = attr(atts, "entityID"), *vu = attr(atts, "validUntil");

    s->entity = s->depth;
    s->seen_idp = 0;
    if (id == NULL || strlen(id) > IAM_SAML_ENTITY_MAX) {
        s->bad = 1;
        return;
    }
    str_copy(s->entity_id, sizeof s->entity_id, id);
    s->valid_until = vu ? when(vu) : 0;
    if (vu && s->valid_until == 0)
        s->bad = 1;
}

static void XMLCALL on_start(void *ud, const char *name, const char **atts)
{
    pstate_t *s = ud;
    const char *use;

    if (++s->depth > MAX_DEPTH || s->bad) {
        s->bad = 1;
        XML_StopParser(s->p, XML_FALSE);
        return;
    }
    if (s->depth == 1 && !is(name, NS_MD, "EntityDescriptor") &&
        !is(name, NS_MD, "EntitiesDescriptor")) {
        s->bad = 1;
        return;
    }
    if (s->done)
        return;
    if (is(name, NS_MD, "EntityDescriptor") && !s->entity) {
        entity_start(s, atts);
    } else if (s->entity && is(name, NS_MD, "IDPSSODescriptor") && !s->idp) {
        s->idp = s->depth;
        s->seen_idp = 1;
    } else if (s->idp && is(name, NS_MD, "KeyDescriptor") && !s->key) {
        use = attr(atts, "use");
        if (use == NULL || !strcmp(use, "signing"))
            s->key = s->depth;
    } else if (s->key && is(name, NS_DS, "X509Certificate")) {
        s->in_cert = 1;
        s->text.len = 0;
    }
}

/* The certificate's base64 text, whitespace removed, as DER. */
static void keep_cert(pstate_t *s)
{
    iam_saml_meta_t *m = s->m;
    char *b64 = malloc(s->text.len + 1);
    unsigned char *der = NULL;
    const unsigned char *q;
    size_t i, n = 0;
    long dn;
    X509 *x;

    if (b64 == NULL || m->ncerts == IAM_SAML_MAX_CERTS)
        goto bad;
    for (i = 0; i < s->text.len; i++)
        if (!strchr(" \t\r\n", s->text.data[i]))
            b64[n++] = s->text.data[i];
    if (n == 0 || (der = malloc((n / 4 + 1) * 3)) == NULL || (dn = codec_b64_decode(b64, n, der)) <= 0)
        goto bad;
    q = der;
    if ((x = d2i_X509(NULL, &q, dn)) == NULL || q != der + dn) {
        X509_free(x);
        goto bad;
    }
    X509_free(x);
    m->certs[m->ncerts].der = der;
    m->certs[m->ncerts++].len = (size_t)dn;
    free(b64);
    return;
bad:
    free(der);
    free(b64);
    s->bad = 1;
}

static void XMLCALL on_end(void *ud, const char *name)
{
    pstate_t *s = ud;

    (void)name;
    if (s->in_cert && s->key) {
        s->in_cert = 0;
        keep_cert(s);
    }
    if (s->depth == s->key)
        s->key = 0;
    if (s->depth == s->idp)
        s->idp = 0;
    if (s->depth == s->entity) {
        s->entity = 0;
        if (s->seen_idp) {
            s->done = 1;
            memcpy(s->m->entity_id, s->entity_id, sizeof s->entity_id);
            s->m->valid_until = s->valid_until;
        } else {
            iam_saml_meta_free(s->m); /* not an IdP: its certificates go */
        }
    }
    s->depth--;
}

static void XMLCALL on_text(void *ud, const char *t, int n)
{
    pstate_t *s = ud;

    if (s->in_cert && (s->text.len + (size_t)n > CERT_TEXT_MAX || buf_add(&s->text, t, (size_t)n)))
        s->bad = 1;
}

static void XMLCALL on_doctype(void *ud, const char *name, const char *sys, const char *pub,
                               int internal)
{
    pstate_t *s = ud;

    (void)name, (void)sys, (void)pub, (void)internal;
    s->bad = 1;
    XML_StopParser(s->p, XML_FALSE);
}

int iam_saml_meta_parse(const char *doc, size_t len, iam_saml_meta_t *m)
{
    pstate_t s;
    int ok;

    memset(m, 0, sizeof *m);
    memset(&s, 0, sizeof s);
    if (len > (size_t)1 << 30 || (s.p = XML_ParserCreateNS("UTF-8", ' ')) == NULL)
        return -1;
    s.m = m;
    buf_init(&s.text, 0);
    XML_SetUserData(s.p, &s);
    XML_SetElementHandler(s.p, on_start, on_end);
    XML_SetCharacterDataHandler(s.p, on_text);
    XML_SetStartDoctypeDeclHandler(s.p, on_doctype);
    ok = XML_Parse(s.p, doc, (int)len, XML_TRUE) == XML_STATUS_OK && !s.bad && s.done;
    XML_ParserFree(s.p);
    buf_free(&s.text);
    if (!ok) {
        iam_saml_meta_free(m);
        return -1;
    }
    return 0;
}

void iam_saml_meta_free(iam_saml_meta_t *m)
{
    size_t i;

    for (i = 0; i < m->ncerts; i++)
        free(m->certs[i].der);
    m->ncerts = 0;
}
