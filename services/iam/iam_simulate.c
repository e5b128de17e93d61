/* iam_simulate.c — SimulatePrincipalPolicy and SimulateCustomPolicy: every
 * (action, resource) pair decided by the same evaluator that authorizes
 * requests in --iam enforce mode, with the deciding statement. */
#include "services/iam/iam_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/db.h"

#define MAX_ITEMS 1000
#define MAX_CTX 64

typedef struct {
    const char *actions[MAX_ITEMS];
    size_t nactions;
    const char *resources[MAX_ITEMS];
    size_t nresources;
    const char *docs[MAX_ITEMS];
    size_t ndocs;
    policy_ctx_t ctx[MAX_CTX + 2];
    const char **vals[MAX_CTX + 2];
    const char *uname[1];
    size_t nctx;
    long max, offset;
} sim_in_t;

static void sim_free(sim_in_t *in)
{
    size_t i;

    for (i = 0; i < in->nctx; i++)
        free(in->vals[i]);
}

/* Reads "Prefix.member.N" strings into out (at most max). */
static int read_list(svc_req_t *r, const qform_t *f, const char *prefix, int required,
                     const char **out, size_t max, size_t *n)
{
    size_t i;

    if (q_list_count(r, f, prefix, NULL, max, n) != 0)
        return -1;
    if (required && *n == 0)
        return svc_error(r, IAM_E_VALIDATION_ERROR,
                         "1 validation error detected: Value null at '%c%s' failed to satisfy "
                         "constraint: Member must not be null",
                         prefix[0] + 32, prefix + 1);
    for (i = 0; i < *n; i++)
        out[i] = qform_getf(f, "%s.member.%zu", prefix, i + 1);
    return 0;
}

/* Policy documents must parse as identity policies. */
static int check_docs(svc_req_t *r, const char *const *docs, size_t n)
{
    char err[256];
    size_t i;

    for (i = 0; i < n; i++) {
        policy_t *p = policy_parse(docs[i], strlen(docs[i]), POLICY_IDENTITY, err, sizeof err);
        if (p == NULL)
            return svc_error(r, IAM_E_MALFORMED_POLICY_DOCUMENT, "%s", err);
        policy_free(p);
    }
    return 0;
}

static int read_common(svc_req_t *r, const qform_t *f, sim_in_t *in)
{
    size_t i, n;
    const char *marker = NULL;

    memset(in, 0, sizeof *in);
    in->max = 100;
    if (read_list(r, f, "ActionNames", 1, in->actions, MAX_ITEMS, &in->nactions) != 0 ||
        read_list(r, f, "ResourceArns", 0, in->resources, MAX_ITEMS, &in->nresources) != 0 ||
        q_int(r, f, "MaxItems", 0, 1, 1000, &in->max, NULL) != 0 ||
        q_str(r, f, "Marker", 0, 1, 320, &marker) != 0 ||
        q_list_count(r, f, "ContextEntries", "ContextKeyName", MAX_CTX, &n) != 0)
        return -1;
    if (marker && sscanf(marker, "awsemu-%ld", &in->offset) != 1)
        return svc_error(r, IAM_E_INVALID_INPUT, "Invalid Marker.");
    if (in->nresources == 0) {
        in->resources[0] = "*";
        in->nresources = 1;
    }
    for (i = 0; i < n; i++) {
        size_t m, j;
        const char *key = qform_getf(f, "ContextEntries.member.%zu.ContextKeyName", i + 1);
        char prefix[96];
        snprintf(prefix, sizeof prefix, "ContextEntries.member.%zu.ContextKeyValues", i + 1);
        if (q_list_count(r, f, prefix, NULL, 256, &m) != 0)
            return -1;
        in->vals[i] = calloc(m ? m : 1, sizeof *in->vals[i]);
        if (in->vals[i] == NULL)
            return svc_error(r, IAM_E_OUT_OF_MEMORY);
        for (j = 0; j < m; j++)
            in->vals[i][j] = qform_getf(f, "%s.member.%zu", prefix, j + 1);
        in->ctx[i].key = key;
        in->ctx[i].values = in->vals[i];
        in->ctx[i].nvalues = m;
        in->nctx = i + 1;
    }
    return 0;
}

static const char *decision_name(const policy_decision_t *d, int ok)
{
    if (ok)
        return "allowed";
    switch (d->reason) {
    case POLICY_DENY_IDENTITY:
    case POLICY_DENY_RESOURCE:
    case POLICY_DENY_BOUNDARY:
    case POLICY_DENY_SESSION:
        return "explicitDeny";
    default:
        return "implicitDeny";
    }
}

static const char *source_type(const char *name)
{
    if (name == NULL)
        return "none";
    if (!strncmp(name, "PolicyInputList", 15))
        return "IAM Policy";
    if (partition_arn_prefix(name) && strstr(name, ":iam::aws:policy/"))
        return "aws-managed";
    if (!strncmp(name, "arn:", 4))
        return "user-managed";
    if (!strncmp(name, "user/", 5))
        return "user";
    if (!strncmp(name, "group/", 6))
        return "group";
    if (!strncmp(name, "role/", 5))
        return "role";
    return "resource";
}

static int simulate(svc_req_t *r, const authz_sim_t *sim, sim_in_t *in, const char *caller,
                    buf_t *out)
{
    size_t i, j, k = 0;
    long emitted = 0;
    int more = 0;

    xml_open(out, "EvaluationResults");
    for (i = 0; i < in->nactions && !more; i++) {
        for (j = 0; j < in->nresources; j++, k++) {
            policy_request_t q;
            policy_decision_t d;
            int ok, boundary;
            if ((long)k < in->offset)
                continue;
            if (emitted == in->max) {
                more = 1;
                break;
            }
            memset(&q, 0, sizeof q);
            q.action = in->actions[i];
            q.resource = in->resources[j];
            q.principal_arn = caller;
            q.account = r->account;
            q.ctx = in->ctx;
            q.nctx = in->nctx;
            ok = authz_simulate(r->emu, r->account, sim, &q, &d, &boundary);
            xml_open(out, "member");
            xml_elem(out, "EvalActionName", in->actions[i]);
            xml_elem(out, "EvalResourceName", in->resources[j]);
            xml_elem(out, "EvalDecision", decision_name(&d, ok));
            xml_open(out, "MatchedStatements");
            if (d.match.statement >= 0 && d.policy_name) {
                xml_open(out, "member");
                const char *inl = strstr(d.policy_name, " inline policy ");
                xml_elem(out, "SourcePolicyId", inl ? inl + 15 : d.policy_name);
                xml_elem(out, "SourcePolicyType", source_type(d.policy_name));
                xml_close(out, "member");
            }
            xml_close(out, "MatchedStatements");
            xml_open(out, "MissingContextValues");
            xml_close(out, "MissingContextValues");
            if (boundary >= 0) {
                xml_open(out, "PermissionsBoundaryDecisionDetail");
                xml_elem(out, "AllowedByPermissionsBoundary", boundary ? "true" : "false");
                xml_close(out, "PermissionsBoundaryDecisionDetail");
            }
            xml_close(out, "member");
            emitted++;
        }
    }
    xml_close(out, "EvaluationResults");
    xml_elem(out, "IsTruncated", more ? "true" : "false");
    if (more) {
        char m[32];
        snprintf(m, sizeof m, "awsemu-%zu", k);
        xml_elem(out, "Marker", m);
    }
    return 0;
}

/* arn:aws:iam::A:{user,group,role}/path/name -> kind and name, which must
 * exist. */
static int source_entity(svc_req_t *r, const char *arn, const char **kind, char name[130])
{
    static const char *const kinds[] = {"user", "group", "role"};
    char prefix[64];
    const char *rest, *slash;
    size_t i, plen = (size_t)snprintf(prefix, sizeof prefix, "arn:%s:iam::%s:", IAM_PARTITION(r),
                                      r->account);
    static const char *const sqls[] = {
        "SELECT 1 FROM iam_users WHERE account=?1 AND arn=?2",
        "SELECT 1 FROM iam_groups WHERE account=?1 AND arn=?2",
        "SELECT 1 FROM iam_roles WHERE account=?1 AND arn=?2",
    };
    sqlite3_stmt *st = NULL;
    int found;

    if (strncmp(arn, prefix, plen) != 0)
        goto invalid;
    rest = arn + plen;
    for (i = 0; i < 3; i++)
        if (!strncmp(rest, kinds[i], strlen(kinds[i])) && rest[strlen(kinds[i])] == '/')
            break;
    if (i == 3 || (slash = strrchr(rest, '/')) == NULL || strlen(slash + 1) == 0 ||
        strlen(slash + 1) > 128)
        goto invalid;
    *kind = kinds[i];
    snprintf(name, 130, "%s", slash + 1);
    st = db_query(r->emu->db, sqls[i], "ss", r->account, arn);
    if (st == NULL)
        return svc_error(r, IAM_E_SERVICE_FAILURE, "Internal database error.");
    found = db_row(st) == 1;
    db_done(st);
    if (!found)
        return svc_error(r, IAM_E_ENTITY_NOT_FOUND, *kind, name);
    return 0;
invalid:
    return svc_error(r, IAM_E_INVALID_INPUT, "Invalid Entity Arn: %.200s", arn);
}

int iam_op_simulate_principal_policy(svc_req_t *r, const qform_t *f, buf_t *out)
{
    const char *source, *rp = NULL, *caller = NULL, *kind = NULL, *bounds[2];
    char name[130];
    size_t nb = 0;
    sim_in_t *in = malloc(sizeof *in);
    authz_sim_t sim;
    int rc = -1;

    if (in == NULL)
        return svc_error(r, IAM_E_OUT_OF_MEMORY);
    if (q_str(r, f, "PolicySourceArn", 1, 20, 2048, &source) != 0 ||
        read_common(r, f, in) != 0 ||
        read_list(r, f, "PolicyInputList", 0, in->docs, MAX_ITEMS, &in->ndocs) != 0 ||
        read_list(r, f, "PermissionsBoundaryPolicyInputList", 0, bounds, 1, &nb) != 0 ||
        q_str(r, f, "ResourcePolicy", 0, 1, 131072, &rp) != 0 ||
        q_str(r, f, "CallerArn", 0, 1, 2048, &caller) != 0 ||
        check_docs(r, in->docs, in->ndocs) != 0 || check_docs(r, bounds, nb) != 0 ||
        source_entity(r, source, &kind, name) != 0)
        goto out;
    memset(&sim, 0, sizeof sim);
    sim.source_kind = kind;
    sim.source_name = name;
    sim.docs = in->docs;
    sim.ndocs = in->ndocs;
    sim.boundary = nb ? bounds[0] : NULL;
    sim.resource_policy = rp;
    if (!caller && strcmp(kind, "user") == 0)
        caller = source;
    if (!strcmp(kind, "user")) { /* ${aws:username} as the user would have it */
        in->uname[0] = name;
        in->ctx[in->nctx].key = "aws:username";
        in->ctx[in->nctx].values = in->uname;
        in->ctx[in->nctx].nvalues = 1;
        in->vals[in->nctx++] = NULL;
    }
    rc = simulate(r, &sim, in, caller ? caller : source, out);
out:
    sim_free(in);
    free(in);
    return rc;
}

int iam_op_simulate_custom_policy(svc_req_t *r, const qform_t *f, buf_t *out)
{
    const char *rp = NULL, *caller = NULL, *bounds[2];
    size_t nb = 0;
    sim_in_t *in = malloc(sizeof *in);
    authz_sim_t sim;
    int rc = -1;

    if (in == NULL)
        return svc_error(r, IAM_E_OUT_OF_MEMORY);
    if (read_common(r, f, in) != 0 ||
        read_list(r, f, "PolicyInputList", 1, in->docs, MAX_ITEMS, &in->ndocs) != 0 ||
        read_list(r, f, "PermissionsBoundaryPolicyInputList", 0, bounds, 1, &nb) != 0 ||
        q_str(r, f, "ResourcePolicy", 0, 1, 131072, &rp) != 0 ||
        q_str(r, f, "CallerArn", 0, 1, 2048, &caller) != 0 ||
        check_docs(r, in->docs, in->ndocs) != 0 || check_docs(r, bounds, nb) != 0)
        goto out;
    memset(&sim, 0, sizeof sim);
    sim.docs = in->docs;
    sim.ndocs = in->ndocs;
    sim.boundary = nb ? bounds[0] : NULL;
    sim.resource_policy = rp;
    rc = simulate(r, &sim, in, caller ? caller : r->caller.arn, out);
out:
    sim_free(in);
    free(in);
    return rc;
}
