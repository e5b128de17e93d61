/* iam_int.h — shared by the IAM and STS source files: entity kinds and
 * lookups, member validation, tags, paging, AWS managed policies, and the
 * XML shapes more than one file writes. Not for other modules. */
#ifndef AWSEMU_IAM_INT_H
#define AWSEMU_IAM_INT_H

#include <sqlite3.h>
#include <stddef.h>

#include "authz/authz.h"
#include "authz/policy.h"
#include "authz/store.h"
#include "base/buf.h"
#include "base/limits.h"
#include "base/partition.h"
#include "base/xml.h"
#include "emulator/proto_query.h"
#include "emulator/service.h"
#include "services/iam/iam.h"
#include "services/iam/iam_errors.h"

#define IAM_XMLNS "https://iam.amazonaws.com/doc/2010-05-08/"
#define STS_XMLNS "https://sts.amazonaws.com/doc/2011-06-15/"

#define IAM_NAME_MAX 129   /* names: 128 characters + NUL (ASCII only) */
#define IAM_ARN_MAX AWS_ARN_BUF /* arn:aws:iam::A:kind + path (512) + name */
/* the partition of the request's region: IAM and STS are global per partition */
#define IAM_PARTITION(r) partition_name((r)->region)
#define IAM_MAX_TAGS 50
#define IAM_MAX_ATTACHED 10
#define IAM_MAX_KEYS 2
#define IAM_MAX_VERSIONS 5
#define IAM_POLICY_SIZE 6144 /* managed policy, characters without whitespace */
#define IAM_TRUST_SIZE 2048  /* a role's trust policy */

/* A named IAM entity: what differs between users, groups, roles and
 * instance profiles for lookups, attachments, inline policies and tags. */
typedef struct {
    const char *kind;       /* 'user' | 'group' | 'role' | 'instance-profile' (rows) */
    const char *noun;       /* "user": "The user with name X cannot be found." */
    const char *member;     /* "UserName" */
    size_t name_max;        /* of the member naming an existing entity */
    const char *sql_find;   /* ?1 account, ?2 name -> name, arn, path, id */
    size_t inline_max;      /* aggregate inline policy size (0: none) */
    const char *quota;      /* "PoliciesPerUser" */
    const char *tag_quota;  /* "TagsPerUser" */
    const char *id_prefix;  /* "AIDA": new ids */
    const char *exists;     /* EntityAlreadyExists message, %s: the name */
    const char *sql_delete; /* ?1 account, ?2 name */
} iam_kind_t;

extern const iam_kind_t IAM_USER, IAM_GROUP, IAM_ROLE, IAM_PROFILE;

typedef struct {
    const char *key, *value;
} iam_tag_t;

/* ServiceFailure (500) after rolling back any open transaction; -1. */
int iam_internal(svc_req_t *r);
/* NoSuchEntity for name of kind k; -1. */
int iam_no_such(svc_req_t *r, const iam_kind_t *k, const char *name);

/* ---- statements ---------------------------------------------------------- */

/* db_query (storage/db.h: types "s t i l d b n") that answers
 * ServiceFailure when the statement cannot be had: NULL then. */
sqlite3_stmt *iam_stmt(svc_req_t *r, const char *sql, const char *types, ...);
/* Runs such a statement to its end: 0, or ServiceFailure (-1). */
int iam_exec(svc_req_t *r, const char *sql, const char *types, ...);
/* 1 when such a query yields a row, 0 when not, -1 (ServiceFailure). */
int iam_any(svc_req_t *r, const char *sql, const char *types, ...);

/* EntityAlreadyExists (after rolling back) when an entity of kind k is
 * named name: 0 when free, -1 otherwise. */
int iam_check_new(svc_req_t *r, const iam_kind_t *k, const char *name);
/* Deletes the entity canon of kind k and its tags in one transaction. */
int iam_delete_entity(svc_req_t *r, const iam_kind_t *k, const char *canon);

/* What must be gone before an entity is deleted: a query (?1 account,
 * ?2 name) or a test of (k, name), each answering 1 / 0 / -1 as iam_any;
 * msg is the DeleteConflict message when it answers 1. */
typedef struct {
    const char *sql;
    int (*has)(svc_req_t *r, const iam_kind_t *k, const char *name);
    const char *msg;
} iam_check_t;
#define IAM_CHECK_INLINE                                                                           \
    {                                                                                              \
        NULL, iam_has_inline, "Cannot delete entity, must delete policies first."                  \
    }
#define IAM_CHECK_ATTACHED                                                                         \
    {                                                                                              \
        NULL, iam_has_attached, "Cannot delete entity, must detach all policies first."            \
    }
/* DeleteX: reads k's member, resolves it, runs the n checks in order
 * (DeleteConflict at the first that holds) and deletes it with its tags. */
int iam_delete_checked(svc_req_t *r, const qform_t *in, const iam_kind_t *k,
                       const iam_check_t *checks, size_t n);

/* Runs sql (?1 account, ?2 name) and steps to its first row: the
 * statement (the caller resets it), or NULL after NoSuchEntity for name
 * of kind k or ServiceFailure. */
sqlite3_stmt *iam_find_row(svc_req_t *r, const iam_kind_t *k, const char *sql, const char *name);

/* CreateX's start: opens a transaction, checks that name is free and makes
 * the new entity's id and ARN (path + name). */
int iam_new_entity(svc_req_t *r, const iam_kind_t *k, const char *name, const char *path,
                   char id[32] /* OUT */, char arn[IAM_ARN_MAX] /* OUT */);
/* CreateX's end, after the row's INSERT: stores tags, commits. */
int iam_new_entity_end(svc_req_t *r, const iam_kind_t *k, const char *name, const iam_tag_t *tags,
                       size_t ntags);
/* UpdateUser / UpdateGroup: reads k's member, new_member (up to new_max)
 * and NewPath, runs sql_update (?1 account, ?2 old name, ?3 new name,
 * ?4 path, ?5 ARN) and, when the name changes, rename; one transaction. */
int iam_update_entity(svc_req_t *r, const qform_t *in, const iam_kind_t *k, const char *new_member,
                      size_t new_max, const char *sql_update,
                      int (*rename)(svc_req_t *r, const char *from, const char *to));

/* A fresh id: prefix ("AIDA") + 17 characters of [A-Z2-7]; access key ids
 * (AKIA, ASIA) 16, so they are 20 characters as AWS's. */
void iam_new_id(const char *prefix, char out[32] /* OUT */);

/* Finds the entity named name (case-insensitively) in r's account:
 * 0 with its stored name, ARN and path (each may be NULL), or NoSuchEntity. */
int iam_find(svc_req_t *r, const iam_kind_t *k, const char *name,
             char canon[IAM_NAME_MAX] /* OUT */, char arn[IAM_ARN_MAX] /* OUT */,
             char path[520] /* OUT */);
/* 1 when it exists, 0 when not, -1 on error (set). */
int iam_exists(svc_req_t *r, const iam_kind_t *k, const char *name);

/* Member readers with IAM's constraints (ValidationError otherwise). */
/* A name: length 1..max, pattern [\w+=,.@-]+. */
int iam_name(svc_req_t *r, const qform_t *in, const char *member, int required, size_t max,
             const char **out /* OUT */);
/* A path (pathType): "/" or "/.../"; *out defaults to "/" when absent. */
int iam_path(svc_req_t *r, const qform_t *in, const char *member, const char **out /* OUT */);
/* A path prefix (pathPrefixType, or policyPathType when policy): default "/". */
int iam_path_prefix(svc_req_t *r, const qform_t *in, int policy, const char **out /* OUT */);
/* An identity policy IAM stores (CreatePolicy, CreatePolicyVersion,
 * Put*Policy): policy_iam_grammar's checks in IAM's order, then
 * iam_document's. */
int iam_stored_document(svc_req_t *r, const qform_t *in, const char *member, const char **out);
/* A policy document: 1..131072 characters of the model's pattern, parsed
 * with policy_parse as kind (MalformedPolicyDocument with its message). */
int iam_document(svc_req_t *r, const qform_t *in, const char *member, enum policy_kind kind,
                 const char **out /* OUT */);
/* A policy ARN (arnType: 20..2048 characters). */
int iam_arn(svc_req_t *r, const qform_t *in, const char *member, int required,
            const char **out /* OUT */);
/* Characters of doc other than whitespace, as IAM's size quotas count. */
size_t iam_doc_size(const char *doc);

/* XML helpers: <name>ISO 8601</name>; <name>URL-encoded document</name>
 * (as IAM returns policy documents); <PermissionsBoundary> when arn set. */
int iam_xml_time(buf_t *out, const char *name, double t);
int iam_xml_doc(buf_t *out, const char *name, const char *doc);
int iam_xml_boundary(buf_t *out, const char *arn);
/* Column i of st as text, "" when NULL. */
const char *iam_col(sqlite3_stmt *st, int i);

/* ---- tags ---------------------------------------------------------------- */

/* Reads "Tags.member.N.Key/Value" (at most 50, each validated, keys unique
 * case-insensitively: InvalidInput). */
int iam_tags_read(svc_req_t *r, const qform_t *in, iam_tag_t tags[IAM_MAX_TAGS] /* OUT */,
                  size_t *n /* OUT */);
/* Adds or replaces tags on (kind, name); LimitExceeded past 50 in all. */
int iam_tags_store(svc_req_t *r, const char *kind, const char *name, const char *quota,
                   const iam_tag_t *tags, size_t n);
/* <Tags> with the entity's tags (nothing when it has none). */
int iam_tags_xml(svc_req_t *r, buf_t *out, const char *kind, const char *name);
/* Removes every tag of (kind, name); renames them. */
int iam_tags_drop(svc_req_t *r, const char *kind, const char *name);
int iam_tags_rename(svc_req_t *r, const char *kind, const char *from, const char *to);
/* Reads k's member (the entity's name) and resolves it: 0 with its stored
 * name, or ValidationError / NoSuchEntity. */
int iam_named(svc_req_t *r, const qform_t *in, const iam_kind_t *k,
              char canon[IAM_NAME_MAX] /* OUT */);
/* Tag<X>, Untag<X>, List<X>Tags for a named entity of kind k. */
int iam_tag_entity(svc_req_t *r, const qform_t *in, const iam_kind_t *k);
int iam_untag_entity(svc_req_t *r, const qform_t *in, const iam_kind_t *k);
int iam_list_entity_tags(svc_req_t *r, const qform_t *in, buf_t *out, const iam_kind_t *k);
/* The same three for tags on (kind, name) once the caller resolved it. */
int iam_tag_apply(svc_req_t *r, const qform_t *in, const char *kind, const char *name,
                  const char *quota);
int iam_untag_apply(svc_req_t *r, const qform_t *in, const char *kind, const char *name);
int iam_tags_list(svc_req_t *r, const qform_t *in, buf_t *out, const char *kind,
                  const char *name);

/* ---- paging (Marker / MaxItems) ------------------------------------------ */

typedef struct {
    long skip;     /* items before this page (from Marker) */
    long max;      /* MaxItems, default 100 */
    long seen;     /* items offered so far */
    long emitted;  /* items on this page */
    int truncated; /* more after this page */
} iam_page_t;

int iam_page_init(svc_req_t *r, const qform_t *in, iam_page_t *p /* OUT */);

/* Writes one list item (its whole <member>) for st's current row. */
typedef int (*iam_row_fn)(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx);
/* Writes <elem> with an item per row of st (NULL: error already set) in
 * pg's page; resets st. 0, or -1 when a row writer or the query fails. */
int iam_list_rows(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const char *elem, iam_page_t *pg,
                  iam_row_fn row, const void *ctx);
/* iam_list_rows followed by iam_page_end. */
int iam_list_page(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const char *elem, iam_page_t *pg,
                  iam_row_fn row, const void *ctx);
/* ListUsers, ListGroups, ListRoles, ListInstanceProfiles: reads PathPrefix
 * and paging, then lists sql's rows (?1 account, ?2 the prefix) in <elem>. */
int iam_list_by_path(svc_req_t *r, const qform_t *in, buf_t *out, const char *sql, const char *elem,
                     iam_row_fn row);
/* Offers the next item: 1 to write it, 0 to skip it (before the page), -1
 * when the page is full (truncated is set: stop). */
int iam_page_take(iam_page_t *p);
/* <IsTruncated> and, when truncated, <Marker>. */
int iam_page_end(buf_t *out, const iam_page_t *p);

/* ---- managed policies ---------------------------------------------------- */

/* The default version's document of any managed policy (AWS or in r's
 * account): 0 with *doc malloc'd (caller frees), or NoSuchEntity. */
int iam_policy_document(svc_req_t *r, const char *arn, char **doc /* OUT */);
/* 1 when arn names an AWS managed policy or one of r's account, 0 when
 * not, -1 on error (set). name/path (may be NULL, IAM_NAME_MAX / 520
 * bytes) get its name and path. */
int iam_policy_exists(svc_req_t *r, const char *arn, char *name /* OUT */, char *path /* OUT */);
/* Attachments of arn in r's account; users and roles with it as boundary. */
long iam_policy_attachments(svc_req_t *r, const char *arn);
long iam_policy_boundary_uses(svc_req_t *r, const char *arn);
/* <Policy> fields of a customer policy row / AWS policy (no wrapper). */
int iam_policy_fields(svc_req_t *r, buf_t *out, const char *arn, int with_tags);
/* <PolicyVersionList> of arn. */
int iam_policy_versions_xml(svc_req_t *r, buf_t *out, const char *arn);

/* Checks a permissions boundary ARN (InvalidInput / NoSuchEntity). */
int iam_boundary_check(svc_req_t *r, const char *arn);

/* ---- shapes written by several files ------------------------------------- */

/* <Role> fields of a role (no wrapper): full adds PermissionsBoundary,
 * Tags and RoleLastUsed as GetRole does. NoSuchEntity when absent. */
int iam_role_fields(svc_req_t *r, buf_t *out, const char *name, int full);
/* <User> fields of a user, as GetUser (full) or ListUsers. */
int iam_user_fields(svc_req_t *r, buf_t *out, const char *name, int full);
/* A <member> with a user's fields (row: name, id, path, arn, created). */
int iam_user_member(svc_req_t *r, buf_t *out, sqlite3_stmt *st, const void *ctx);
/* <Group> fields of a group (no wrapper). NoSuchEntity when absent. */
int iam_group_fields(svc_req_t *r, buf_t *out, const char *name);
/* <AttachedManagedPolicies> and the inline <XPolicyList> of an entity
 * (GetAccountAuthorizationDetails). */
int iam_attached_xml(svc_req_t *r, buf_t *out, const iam_kind_t *k, const char *name,
                     const char *elem);
int iam_inline_xml(svc_req_t *r, buf_t *out, const iam_kind_t *k, const char *name,
                   const char *elem);
/* Whether an entity has attachments / inline policies (DeleteConflict). */
int iam_has_attached(svc_req_t *r, const iam_kind_t *k, const char *name);
int iam_has_inline(svc_req_t *r, const iam_kind_t *k, const char *name);
/* Moves attachments and inline policies of an entity to a new name. */
int iam_policies_rename(svc_req_t *r, const iam_kind_t *k, const char *from, const char *to);
/* <InstanceProfile> fields (roles inside). */
int iam_profile_fields(svc_req_t *r, buf_t *out, const char *name, int with_tags);

/* ---- operations ---------------------------------------------------------- */

#define IAM_OP(fn) int fn(svc_req_t *r, const qform_t *in, buf_t *out)
/* Defines operation fn as `return call;` (call may use r, in and out). */
#define IAM_OP_CALL(fn, call)                                                                      \
    int fn(svc_req_t *r, const qform_t *in, buf_t *out)                                            \
    {                                                                                              \
        (void)out;                                                                                 \
        return call;                                                                               \
    }

/* iam_users.c */
IAM_OP(iam_op_create_user); IAM_OP(iam_op_get_user); IAM_OP(iam_op_update_user);
IAM_OP(iam_op_delete_user); IAM_OP(iam_op_list_users); IAM_OP(iam_op_tag_user);
IAM_OP(iam_op_untag_user); IAM_OP(iam_op_list_user_tags);
IAM_OP(iam_op_put_user_permissions_boundary); IAM_OP(iam_op_delete_user_permissions_boundary);
/* iam_keys.c */
IAM_OP(iam_op_create_access_key); IAM_OP(iam_op_list_access_keys);
IAM_OP(iam_op_update_access_key); IAM_OP(iam_op_delete_access_key);
IAM_OP(iam_op_get_access_key_last_used);
/* iam_groups.c */
IAM_OP(iam_op_create_group); IAM_OP(iam_op_get_group); IAM_OP(iam_op_update_group);
IAM_OP(iam_op_delete_group); IAM_OP(iam_op_list_groups); IAM_OP(iam_op_add_user_to_group);
IAM_OP(iam_op_remove_user_from_group); IAM_OP(iam_op_list_groups_for_user);
/* iam_roles.c */
IAM_OP(iam_op_create_role); IAM_OP(iam_op_get_role); IAM_OP(iam_op_update_role);
IAM_OP(iam_op_update_role_description); IAM_OP(iam_op_update_assume_role_policy);
IAM_OP(iam_op_delete_role); IAM_OP(iam_op_list_roles); IAM_OP(iam_op_tag_role);
IAM_OP(iam_op_untag_role); IAM_OP(iam_op_list_role_tags);
IAM_OP(iam_op_put_role_permissions_boundary); IAM_OP(iam_op_delete_role_permissions_boundary);
/* iam_policies.c */
IAM_OP(iam_op_create_policy); IAM_OP(iam_op_get_policy); IAM_OP(iam_op_delete_policy);
IAM_OP(iam_op_list_policies); IAM_OP(iam_op_create_policy_version);
IAM_OP(iam_op_get_policy_version); IAM_OP(iam_op_list_policy_versions);
IAM_OP(iam_op_delete_policy_version); IAM_OP(iam_op_set_default_policy_version);
IAM_OP(iam_op_tag_policy); IAM_OP(iam_op_untag_policy); IAM_OP(iam_op_list_policy_tags);
/* iam_attach.c */
IAM_OP(iam_op_attach_user_policy); IAM_OP(iam_op_attach_group_policy);
IAM_OP(iam_op_attach_role_policy); IAM_OP(iam_op_detach_user_policy);
IAM_OP(iam_op_detach_group_policy); IAM_OP(iam_op_detach_role_policy);
IAM_OP(iam_op_list_attached_user_policies); IAM_OP(iam_op_list_attached_group_policies);
IAM_OP(iam_op_list_attached_role_policies); IAM_OP(iam_op_list_entities_for_policy);
/* iam_inline.c */
IAM_OP(iam_op_put_user_policy); IAM_OP(iam_op_get_user_policy);
IAM_OP(iam_op_delete_user_policy); IAM_OP(iam_op_list_user_policies);
IAM_OP(iam_op_put_group_policy); IAM_OP(iam_op_get_group_policy);
IAM_OP(iam_op_delete_group_policy); IAM_OP(iam_op_list_group_policies);
IAM_OP(iam_op_put_role_policy); IAM_OP(iam_op_get_role_policy);
IAM_OP(iam_op_delete_role_policy); IAM_OP(iam_op_list_role_policies);
/* iam_profiles.c */
IAM_OP(iam_op_create_instance_profile); IAM_OP(iam_op_get_instance_profile);
IAM_OP(iam_op_delete_instance_profile); IAM_OP(iam_op_list_instance_profiles);
IAM_OP(iam_op_add_role_to_instance_profile); IAM_OP(iam_op_remove_role_from_instance_profile);
IAM_OP(iam_op_list_instance_profiles_for_role); IAM_OP(iam_op_tag_instance_profile);
IAM_OP(iam_op_untag_instance_profile); IAM_OP(iam_op_list_instance_profile_tags);
/* iam_account.c */
IAM_OP(iam_op_get_account_authorization_details);
/* iam_login.c */
IAM_OP(iam_op_create_login_profile); IAM_OP(iam_op_get_login_profile);
IAM_OP(iam_op_update_login_profile); IAM_OP(iam_op_delete_login_profile);
IAM_OP(iam_op_change_password); IAM_OP(iam_op_get_account_password_policy);
IAM_OP(iam_op_update_account_password_policy); IAM_OP(iam_op_delete_account_password_policy);
/* iam_acct.c */
IAM_OP(iam_op_create_account_alias); IAM_OP(iam_op_delete_account_alias);
IAM_OP(iam_op_list_account_aliases); IAM_OP(iam_op_get_account_summary);
IAM_OP(iam_op_set_security_token_service_preferences); IAM_OP(iam_op_org_not_found);
IAM_OP(iam_op_no_such_delegation); IAM_OP(iam_op_create_delegation_request);
IAM_OP(iam_op_list_delegation_requests); IAM_OP(iam_op_enable_outbound_federation);
IAM_OP(iam_op_disable_outbound_federation); IAM_OP(iam_op_get_outbound_federation);
IAM_OP(iam_op_get_human_readable_summary); IAM_OP(iam_op_generate_organizations_access_report);
IAM_OP(iam_op_get_organizations_access_report);
/* iam_idp.c */
IAM_OP(iam_op_create_oidc_provider); IAM_OP(iam_op_get_oidc_provider);
IAM_OP(iam_op_delete_oidc_provider); IAM_OP(iam_op_list_oidc_providers);
IAM_OP(iam_op_add_client_id_to_oidc_provider); IAM_OP(iam_op_remove_client_id_from_oidc_provider);
IAM_OP(iam_op_update_oidc_provider_thumbprint); IAM_OP(iam_op_tag_oidc_provider);
IAM_OP(iam_op_untag_oidc_provider); IAM_OP(iam_op_list_oidc_provider_tags);
IAM_OP(iam_op_create_saml_provider); IAM_OP(iam_op_get_saml_provider);
IAM_OP(iam_op_update_saml_provider); IAM_OP(iam_op_delete_saml_provider);
IAM_OP(iam_op_list_saml_providers); IAM_OP(iam_op_tag_saml_provider);
IAM_OP(iam_op_untag_saml_provider); IAM_OP(iam_op_list_saml_provider_tags);
/* iam_mfa.c */
IAM_OP(iam_op_create_virtual_mfa_device); IAM_OP(iam_op_enable_mfa_device);
IAM_OP(iam_op_deactivate_mfa_device); IAM_OP(iam_op_delete_virtual_mfa_device);
IAM_OP(iam_op_list_mfa_devices); IAM_OP(iam_op_list_virtual_mfa_devices);
IAM_OP(iam_op_get_mfa_device); IAM_OP(iam_op_resync_mfa_device);
IAM_OP(iam_op_tag_mfa_device); IAM_OP(iam_op_untag_mfa_device);
IAM_OP(iam_op_list_mfa_device_tags);
/* iam_certs.c */
IAM_OP(iam_op_upload_ssh_public_key); IAM_OP(iam_op_get_ssh_public_key);
IAM_OP(iam_op_update_ssh_public_key); IAM_OP(iam_op_delete_ssh_public_key);
IAM_OP(iam_op_list_ssh_public_keys); IAM_OP(iam_op_upload_signing_certificate);
IAM_OP(iam_op_update_signing_certificate); IAM_OP(iam_op_delete_signing_certificate);
IAM_OP(iam_op_list_signing_certificates);
IAM_OP(iam_op_create_service_specific_credential);
IAM_OP(iam_op_reset_service_specific_credential);
IAM_OP(iam_op_update_service_specific_credential);
IAM_OP(iam_op_delete_service_specific_credential);
IAM_OP(iam_op_list_service_specific_credentials);
/* iam_servercerts.c */
IAM_OP(iam_op_upload_server_certificate); IAM_OP(iam_op_get_server_certificate);
IAM_OP(iam_op_update_server_certificate); IAM_OP(iam_op_delete_server_certificate);
IAM_OP(iam_op_list_server_certificates); IAM_OP(iam_op_tag_server_certificate);
IAM_OP(iam_op_untag_server_certificate); IAM_OP(iam_op_list_server_certificate_tags);
/* iam_slr.c */
IAM_OP(iam_op_create_service_linked_role); IAM_OP(iam_op_delete_service_linked_role);
IAM_OP(iam_op_get_service_linked_role_deletion_status);
/* iam_reports.c */
IAM_OP(iam_op_generate_credential_report); IAM_OP(iam_op_get_credential_report);
IAM_OP(iam_op_generate_service_last_accessed_details);
IAM_OP(iam_op_get_service_last_accessed_details);
IAM_OP(iam_op_get_service_last_accessed_details_with_entities);
IAM_OP(iam_op_get_context_keys_for_custom_policy);
IAM_OP(iam_op_get_context_keys_for_principal_policy);
IAM_OP(iam_op_list_policies_granting_service_access);

/* ---- helpers of the operations above (iam_login.c) ----------------------- */

/* The user an operation is about: member (up to max), else the calling IAM
 * user; ValidationError for other callers. 0 with its stored name. */
int iam_user_or_caller(svc_req_t *r, const qform_t *in, const char *member, size_t max,
                       char canon[IAM_NAME_MAX] /* OUT */);
/* An enum member: ValidationError "Member must satisfy enum value set:
 * [..]" unless one of values (NULL-terminated). */
int iam_enum(svc_req_t *r, const qform_t *in, const char *member, int required,
             const char *const *values, const char **out /* OUT */);
/* Status (Active | Inactive; Expired: InvalidInput) of an update. */
int iam_status(svc_req_t *r, const qform_t *in, const char **out /* OUT */);
int iam_xml_bool(buf_t *out, const char *name, int v);
/* ValidationError "Value null at 'x' ... must not be null" for member. */
int iam_null(svc_req_t *r, const char *member);
/* A fresh lower-case UUID (report and job ids). */
void iam_uuid(char out[37] /* OUT */);
/* The creation time of job id of kind in iam_jobs (iam_acct.c), or
 * NoSuchEntity. */
int iam_job_created(svc_req_t *r, const char *kind, const char *id, double *created /* OUT */);
/* Deletes the row of sql_delete (?1 key) and the tags of (kind, key) in
 * one transaction: OIDC / SAML providers, MFA devices. */
int iam_delete_tagged(svc_req_t *r, const char *sql_delete, const char *kind, const char *key);
/* A per-account setting (iam_settings): 1 with value copied, 0 when unset. */
int iam_setting(svc_req_t *r, const char *key, char *value /* OUT */, size_t n);
int iam_setting_put(svc_req_t *r, const char *key, const char *value /* NULL: delete */);

/* A new 40-character secret access key (wipe it after use). */
void iam_new_secret(char out[41] /* OUT */);

/* The resources of IAM's rows (iam_resources.c): the ARN of the entity
 * the request names, for authz_request; RES: svc_op_t.resource. */
#define IAM_RES(fn) int fn(svc_req_t *r, const void *in, authz_t *a)
IAM_RES(iam_res_user); IAM_RES(iam_res_user_or_caller); IAM_RES(iam_res_user_in_group);
IAM_RES(iam_res_user_mfa); IAM_RES(iam_res_group); IAM_RES(iam_res_role);
IAM_RES(iam_res_role_in_profile); IAM_RES(iam_res_profile); IAM_RES(iam_res_policy);
IAM_RES(iam_res_new_policy); IAM_RES(iam_res_oidc); IAM_RES(iam_res_new_oidc);
IAM_RES(iam_res_saml); IAM_RES(iam_res_new_saml); IAM_RES(iam_res_mfa); IAM_RES(iam_res_new_mfa);
IAM_RES(iam_res_server_cert); IAM_RES(iam_res_service_role); IAM_RES(iam_res_policy_source);


int iam_op_simulate_principal_policy(svc_req_t *r, const qform_t *in, buf_t *out);
int iam_op_simulate_custom_policy(svc_req_t *r, const qform_t *in, buf_t *out);

/* ---- STS sessions (sts.c; sts_web.c) ---------------------------------------- */

/* A session to create: its row in sts_sessions. */
typedef struct {
    const char *kind; /* 'assumed-role' | 'session' | 'root' */
    const char *arn;
    const char *user_id;
    const char *role_arn;
    const char *source_name;
    const char *session_name;
    const char *policy;
    const char *policy_arns; /* JSON array text or NULL */
    const char *tags;        /* JSON object text or NULL */
    const char *source_identity;
    double expires;
} sts_session_t;

/* Creates credentials for s and writes <Credentials>. 0 or svc_error. */
int sts_new_session(svc_req_t *r, const sts_session_t *s, buf_t *out);
/* The Policy member: at most max characters (0: no limit, as AssumeRole's
 * model has none), grammar checked (*policy NULL when absent). 0 or
 * svc_error (ValidationError, MalformedPolicyDocument). */
int sts_read_session_policy(svc_req_t *r, const qform_t *in, size_t max,
                            const char **policy /* OUT */);
/* PolicyArns.member.N.arn, at most 10, as a JSON array text (malloc'd, NULL
 * when none). 0 or svc_error. */
int sts_read_policy_arns(svc_req_t *r, const qform_t *in, char **json /* OUT */);
/* How much of the packed-policy allowance (2,048 bytes here) the session
 * policy, policy ARNs and tags use, in per cent. */
long long sts_packed_size(const char *policy, const char *arns, const char *tags);
/* PackedPolicyTooLarge ("Packed policy consumes N% of allotted space") when
 * they use more than all of it; else 0. */
int sts_check_packed(svc_req_t *r, const char *policy, const char *arns, const char *tags);
/* A role a federated caller asks for: its id, ARN, name, trust policy
 * (malloc'd) and session limit. */
typedef struct {
    char id[32], arn[AWS_ARN_BUF], name[128];
    char *trust;
    long max_session;
} sts_role_t;
/* Finds the role role_arn names (ValidationError when it is no role ARN);
 * AccessDenied "Not authorized to perform <action>" when it does not exist,
 * as AWS does not tell a missing role from a refusing one. 0 or -1. */
int sts_find_role(svc_req_t *r, const char *role_arn, const char *action, sts_role_t *role);
/* The session of a federated caller (SAML, web identity) in role as
 * session: <Credentials>, web_subject as SubjectFromWebIdentityToken (NULL:
 * none), <AssumedRoleUser>, and PackedPolicySize when policy or arns was
 * passed. 0 or svc_error. */
int sts_federated_session(svc_req_t *r, const sts_role_t *role, const char *session,
                          long duration, const char *policy, const char *arns,
                          const char *web_subject, buf_t *out);
int sts_assume_role_with_web_identity(svc_req_t *r, const qform_t *in, buf_t *out);
int sts_assume_role_with_saml(svc_req_t *r, const qform_t *in, buf_t *out);
/* Frees what SAML verification set up (xmlsec, libxml2), at shutdown. */
void sts_saml_shutdown(emu_t *emu);

#endif
