/*
 * normalize: the dispatcher from a decoded record to the provider-specific
 * normalizer, plus the envelope every event shares (time, host, channel,
 * provider, ids, outcome) and the keep/drop filter of `collect`:
 *   default        file-system objects, sessions and integrity events;
 *   --all-objects  also registry keys, processes, SAM and other objects;
 *   --all-events   every record, with at least its System fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_mask.h"
#include "normalize_priv.h"

#define NORM_STRING_LIMIT ((size_t)1 * 1024 * 1024)

/* System/Keywords bits; test bits, never whole values (providers differ in the top byte). */
#define KW_AUDIT_FAILURE 0x0010000000000000ull
#define KW_AUDIT_SUCCESS 0x0020000000000000ull

struct normalizer *normalizer_new(unsigned flags, size_t handle_max)
{
    struct normalizer *n = sho_xcalloc(1, sizeof(*n));

    n->flags = flags;
    n->handles = handle_table_new(handle_max);
    sho_buf_init(&n->path, NORM_STRING_LIMIT);
    sho_buf_init(&n->object_type, NORM_STRING_LIMIT);
    sho_buf_init(&n->user, NORM_STRING_LIMIT);
    sho_buf_init(&n->domain, NORM_STRING_LIMIT);
    return n;
}

void normalizer_free(struct normalizer *n)
{
    if (n == NULL) {
        return;
    }
    handle_table_free(n->handles);
    sho_buf_release(&n->path);
    sho_buf_release(&n->object_type);
    sho_buf_release(&n->user);
    sho_buf_release(&n->domain);
    free(n);
}

int norm_u64(const struct winrec *r, const char *name, uint64_t *out, uint32_t *has, uint32_t flag)
{
    uint64_t v;

    if (winrec_get_u64(r, name, &v) != 1) {
        return 0;
    }
    *out = v;
    *has |= flag;
    return 1;
}

/* The four field names of a person, spelled out: no names built per record. */
struct norm_person_names {
    const char *sid, *user, *domain, *logon;
};

static const struct norm_person_names person_names[] = {
    [NORM_SUBJECT] = { "SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId" },
    [NORM_TARGET] = { "TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId" },
};

void norm_person(const struct winrec *r, enum norm_who who, struct sho_event *ev)
{
    const struct norm_person_names *n = &person_names[who];

    ev->user_sid = winrec_get(r, n->sid);
    ev->user = winrec_get(r, n->user);
    ev->domain = winrec_get(r, n->domain);
    (void)norm_u64(r, n->logon, &ev->logon_id, &ev->has, SHO_HAS_LOGON_ID);
}

const char *norm_keep(struct sho_buf *b, const char *s)
{
    sho_buf_reset(b);
    if (s == NULL || sho_buf_appends(b, s) != 0) {
        return NULL;
    }
    return b->data;
}

void norm_split_account(struct normalizer *n, const char *account, struct sho_event *ev)
{
    const char *slash;

    if (account == NULL) {
        return;
    }
    slash = strchr(account, '\\');
    if (slash == NULL) {
        ev->user = account;
        return;
    }
    sho_buf_reset(&n->domain);
    if (slash != account && sho_buf_append(&n->domain, account, (size_t)(slash - account)) == 0) {
        ev->domain = n->domain.data;
    }
    if (slash[1] != '\0') {
        ev->user = norm_keep(&n->user, slash + 1);
    }
}

static void norm_envelope(const struct winrec *r, struct sho_event *ev)
{
    if (r->has & WINREC_HAS_TIME) {
        ev->time = r->time;
        ev->has |= SHO_HAS_TIME;
    }
    if (r->has & WINREC_HAS_EVENT_ID) {
        ev->event_id = r->event_id;
        ev->has |= SHO_HAS_EVENT_ID;
    }
    if (r->has & WINREC_HAS_RECORD_ID) {
        ev->record_id = r->record_id;
        ev->has |= SHO_HAS_RECORD_ID;
    }
    ev->host = winrec_str(r, r->computer);
    ev->channel = winrec_str(r, r->channel);
    ev->provider = winrec_str(r, r->provider);
    if (r->has & WINREC_HAS_KEYWORDS) {
        if (r->keywords & KW_AUDIT_FAILURE) {
            ev->outcome = SHO_OUTCOME_FAILURE;
        } else if (r->keywords & KW_AUDIT_SUCCESS) {
            ev->outcome = SHO_OUTCOME_SUCCESS;
        }
    }
}

static bool norm_is_filesystem(const char *object_type)
{
    return object_type != NULL &&
           (strcmp(object_type, "File") == 0 || strcmp(object_type, "Directory") == 0);
}

static enum norm_class norm_dispatch(struct normalizer *n, const struct winrec *r,
                                     struct sho_event *ev)
{
    const char *provider = winrec_str(r, r->provider);

    if (provider == NULL || (r->has & WINREC_HAS_EVENT_ID) == 0) {
        return NORM_NONE;
    }
    if (strcmp(provider, "Microsoft-Windows-Security-Auditing") == 0) {
        return norm_security(n, r, ev);
    }
    if (strcmp(provider, "Microsoft-Windows-Sysmon") == 0) {
        return norm_sysmon(n, r, ev);
    }
    if (strcmp(provider, "Microsoft-Windows-Eventlog") == 0) {
        return norm_eventlog(n, r, ev);
    }
    return NORM_NONE;
}

void normalizer_prepare(struct normalizer *n, const struct winrec *r, struct norm_prepared *p)
{
    struct sho_event *ev = &p->ev;

    sho_event_clear(ev);
    n->op = NORM_OP_NONE;
    n->server_security = false;
    norm_envelope(r, ev);
    p->cls = (uint8_t)norm_dispatch(n, r, ev);
    if ((n->flags & NORMALIZE_ALL_EVENTS) != 0 && p->cls == NORM_NONE && ev->user_sid == NULL) {
        /* Unknown records still name their writer when the envelope says it. */
        ev->user_sid = winrec_str(r, r->security_id);
    }
    p->op = n->op;
    p->server_security = n->server_security;
}

/* 4658 / 4660: the path and type of the handle, from the 4656/4663 that opened it. */
static bool norm_resolve(struct normalizer *n, struct norm_prepared *p)
{
    struct sho_event *ev = &p->ev;
    const char *path = NULL, *type = NULL;

    if (handle_table_get(n->handles, ev->host, ev->process_id, ev->handle_id, &path, &type)) {
        /* Copy before a drop frees the entry. */
        ev->path = norm_keep(&n->path, path);
        ev->object_type = norm_keep(&n->object_type, type);
    }
    if (ev->event_id == 4660) {
        /* ObjectServer "Security" is the file system and registry; keep a blind delete. */
        return ev->object_type == NULL && p->server_security;
    }
    handle_table_drop(n->handles, ev->host, ev->process_id, ev->handle_id);
    return false;
}

int normalizer_finish(struct normalizer *n, struct norm_prepared *p)
{
    struct sho_event *ev = &p->ev;
    bool keep_unresolved = false;

    switch (p->op) {
    case NORM_OP_PUT:
        handle_table_put(n->handles, ev->host, ev->process_id, ev->handle_id, ev->path,
                         ev->object_type);
        break;
    case NORM_OP_RESOLVE:
        keep_unresolved = norm_resolve(n, p);
        break;
    case NORM_OP_RESET:
        handle_table_reset_host(n->handles, ev->host);
        break;
    default:
        break;
    }
    if ((n->flags & NORMALIZE_ALL_EVENTS) != 0) {
        return 1;
    }
    switch (p->cls) {
    case NORM_OBJECT:
        /* A deletion whose object could not be resolved is kept: losing it is worse. */
        if (norm_is_filesystem(ev->object_type) || keep_unresolved) {
            return 1;
        }
        return (n->flags & NORMALIZE_ALL_OBJECTS) != 0;
    case NORM_SESSION:
    case NORM_INTEGRITY:
        return 1;
    default:
        return 0;
    }
}

int normalizer_run(struct normalizer *n, const struct winrec *r, struct sho_event *ev)
{
    struct norm_prepared p;
    int keep;

    normalizer_prepare(n, r, &p);
    keep = normalizer_finish(n, &p);
    *ev = p.ev;
    return keep;
}
