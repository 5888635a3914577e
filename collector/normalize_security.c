/*
 * normalize_security: Microsoft-Windows-Security-Auditing records -> events.
 * Field names follow the provider manifests (case-sensitive, looked up by
 * Name, never by position, because schemas grow between event versions).
 * Reference: shared/reference/windows-file-audit.md sections 1 and 2.
 *
 *   4656 4659 4661 4663   object access: Subject*, ObjectType/Name, mask
 *   4658 4660             handle closed / object deleted: path via handle table
 *   4670 4907             DACL / SACL changed
 *   5140 5145             share access: UNC path from Computer + share + target
 *   5142 5143 5144        share created / changed / deleted
 *   4624 4625 4634 4647   logon, failed logon, logoff (Target* fields)
 *   4719 6416             audit policy changed, device connected
 *   4608                  boot: handle ids restart, forget the host's handles
 */
#include <string.h>

#include "access_mask.h"
#include "normalize_priv.h"

static void sec_process(const struct winrec *r, struct sho_event *ev)
{
    ev->process = winrec_get(r, "ProcessName");
    (void)norm_u64(r, "ProcessId", &ev->process_id, &ev->has, SHO_HAS_PROCESS_ID);
}

/* AccessMask when present, else the mask its AccessList spells. */
static void sec_mask(const struct winrec *r, struct sho_event *ev)
{
    const char *list;

    if (norm_u64(r, "AccessMask", &ev->access_mask, &ev->has, SHO_HAS_ACCESS_MASK)) {
        return;
    }
    list = winrec_get(r, "AccessList");
    if (list != NULL) {
        ev->access_mask = access_list_mask(list);
        ev->has |= SHO_HAS_ACCESS_MASK;
    }
}

/* Length of the owner ("O:...") part of an SDDL string, with *start set, or 0. */
static size_t sddl_owner(const char *sddl, const char **start)
{
    const char *o = sddl != NULL ? strstr(sddl, "O:") : NULL;
    size_t len;

    if (o == NULL) {
        return 0;
    }
    o += 2;
    len = 0;
    while (o[len] != '\0' &&
           !(o[len + 1] == ':' && (o[len] == 'G' || o[len] == 'D' || o[len] == 'S'))) {
        len++;
    }
    *start = o;
    return len;
}

static enum norm_class sec_object(struct normalizer *n, const struct winrec *r,
                                  struct sho_event *ev)
{
    norm_person(r, NORM_SUBJECT, ev);
    ev->object_type = winrec_get(r, "ObjectType");
    ev->path = winrec_get(r, "ObjectName");
    (void)norm_u64(r, "HandleId", &ev->handle_id, &ev->has, SHO_HAS_HANDLE_ID);
    sec_process(r, ev);
    sec_mask(r, ev);
    if (ev->has & SHO_HAS_ACCESS_MASK) {
        ev->actions = access_mask_actions(access_object_kind(ev->object_type), ev->access_mask);
    }
    if (ev->event_id == 4659) {
        ev->actions |= SHO_ACT_DELETE;
    }
    if (ev->handle_id != 0 && ev->path != NULL && ev->outcome != SHO_OUTCOME_FAILURE) {
        n->op = NORM_OP_PUT; /* remembered in record order by normalizer_finish */
    }
    return NORM_OBJECT;
}

static enum norm_class sec_sd_change(const struct winrec *r, struct sho_event *ev)
{
    const char *old_sd = winrec_get(r, "OldSd");
    const char *new_sd = winrec_get(r, "NewSd");
    const char *a = NULL, *b = NULL;
    size_t alen = sddl_owner(old_sd, &a);
    size_t blen = sddl_owner(new_sd, &b);

    norm_person(r, NORM_SUBJECT, ev);
    ev->object_type = winrec_get(r, "ObjectType");
    ev->path = winrec_get(r, "ObjectName");
    (void)norm_u64(r, "HandleId", &ev->handle_id, &ev->has, SHO_HAS_HANDLE_ID);
    sec_process(r, ev);
    if (ev->event_id == 4907) {
        ev->actions = SHO_ACT_AUDIT_POLICY; /* the object's SACL: what gets audited */
        return NORM_OBJECT;
    }
    ev->actions = SHO_ACT_PERM_CHANGE;
    if (alen != blen || (alen != 0 && memcmp(a, b, alen) != 0)) {
        ev->actions |= SHO_ACT_OWNER_CHANGE;
    }
    return NORM_OBJECT;
}

/* The path comes from the handle table, in record order (normalizer_finish). */
static enum norm_class sec_handle(struct normalizer *n, const struct winrec *r,
                                  struct sho_event *ev)
{
    const char *server = winrec_get(r, "ObjectServer");

    norm_person(r, NORM_SUBJECT, ev);
    (void)norm_u64(r, "HandleId", &ev->handle_id, &ev->has, SHO_HAS_HANDLE_ID);
    sec_process(r, ev);
    if (ev->event_id == 4660) {
        ev->actions = SHO_ACT_DELETE;
    }
    n->op = NORM_OP_RESOLVE;
    n->server_security = server != NULL && strcmp(server, "Security") == 0;
    return NORM_OBJECT;
}

/* Build "\\host\share[\target]" into n->path. */
static const char *sec_unc(struct normalizer *n, const char *host, const char *share,
                           const char *target)
{
    struct sho_buf *b = &n->path;
    int rc;

    /* Pieces appended one by one: every 5140/5145 comes through here, printf is too slow. */
    sho_buf_reset(b);
    rc = sho_buf_appends(b, "\\\\");
    if (rc == 0) {
        rc = sho_buf_appends(b, host != NULL ? host : "");
    }
    if (rc == 0) {
        rc = sho_buf_putc(b, '\\');
    }
    if (rc == 0) {
        rc = sho_buf_appends(b, share);
    }
    if (rc == 0 && target != NULL && strcmp(target, "\\") != 0) {
        rc = target[0] == '\\' ? 0 : sho_buf_putc(b, '\\');
        if (rc == 0) {
            rc = sho_buf_appends(b, target);
        }
    }
    return rc == 0 ? b->data : NULL;
}

static enum norm_class sec_share(struct normalizer *n, const struct winrec *r, struct sho_event *ev)
{
    const char *share = winrec_get(r, "ShareName");
    const char *target = winrec_get(r, "RelativeTargetName");

    norm_person(r, NORM_SUBJECT, ev);
    ev->object_type = winrec_get(r, "ObjectType");
    ev->client_ip = winrec_get(r, "IpAddress");
    ev->share_local_path = winrec_get(r, "ShareLocalPath");
    if (share != NULL && strncmp(share, "\\\\*\\", 4) == 0) {
        share += 4;
    }
    ev->share = share;
    if (share != NULL) {
        ev->path = sec_unc(n, ev->host, share, ev->event_id == 5145 ? target : NULL);
    }
    sec_mask(r, ev);
    switch (ev->event_id) {
    case 5140:
        ev->actions = SHO_ACT_SHARE_CONNECT;
        break;
    case 5145:
        if (ev->has & SHO_HAS_ACCESS_MASK) {
            ev->actions = access_mask_actions(ACCESS_OBJ_FILE, ev->access_mask);
        }
        break;
    case 5142:
        ev->actions = SHO_ACT_CREATE;
        break;
    case 5144:
        ev->actions = SHO_ACT_DELETE;
        break;
    default: { /* 5143 */
        const char *old_sd = winrec_get(r, "OldSD");
        const char *new_sd = winrec_get(r, "NewSD");
        bool sd_changed =
            (old_sd == NULL) != (new_sd == NULL) || (old_sd != NULL && strcmp(old_sd, new_sd) != 0);
        ev->actions = sd_changed ? SHO_ACT_PERM_CHANGE : SHO_ACT_WRITE_ATTR;
        break;
    }
    }
    if (ev->event_id == 5140 || ev->event_id == 5145) {
        if (share != NULL && strcmp(share, "IPC$") == 0) {
            ev->object_type = "NamedPipe"; /* pipes, not files: kept with --all-objects */
        } else if (ev->object_type == NULL) {
            ev->object_type = "File"; /* 5140 version 0 has no ObjectType */
        }
        return NORM_OBJECT;
    }
    if (ev->object_type == NULL) {
        ev->object_type = "Share";
    }
    return NORM_INTEGRITY;
}

static enum norm_class sec_session(const struct winrec *r, struct sho_event *ev)
{
    uint64_t v;

    norm_person(r, NORM_TARGET, ev);
    if (winrec_get_u64(r, "LogonType", &v) == 1 && v <= UINT32_MAX) {
        ev->logon_type = (uint32_t)v;
        ev->has |= SHO_HAS_LOGON_TYPE;
    }
    ev->client_ip = winrec_get(r, "IpAddress");
    sec_process(r, ev);
    ev->actions = (ev->event_id == 4624 || ev->event_id == 4625) ? SHO_ACT_LOGON : SHO_ACT_LOGOFF;
    return NORM_SESSION;
}

enum norm_class norm_security(struct normalizer *n, const struct winrec *r, struct sho_event *ev)
{
    switch (ev->event_id) {
    case 4656:
    case 4659:
    case 4661:
    case 4663:
        return sec_object(n, r, ev);
    case 4658:
    case 4660:
        return sec_handle(n, r, ev);
    case 4670:
    case 4907:
        return sec_sd_change(r, ev);
    case 5140:
    case 5142:
    case 5143:
    case 5144:
    case 5145:
        return sec_share(n, r, ev);
    case 4624:
    case 4625:
    case 4634:
    case 4647:
        return sec_session(r, ev);
    case 4719:
        norm_person(r, NORM_SUBJECT, ev);
        ev->actions = SHO_ACT_AUDIT_POLICY;
        return NORM_INTEGRITY;
    case 6416:
        norm_person(r, NORM_SUBJECT, ev);
        ev->actions = SHO_ACT_DEVICE_CONNECT;
        ev->object_type = winrec_get(r, "ClassName");
        if (ev->object_type == NULL) {
            ev->object_type = "Device";
        }
        ev->path = winrec_get(r, "DeviceId");
        return NORM_INTEGRITY;
    case 4608:
        n->op = NORM_OP_RESET;
        return NORM_NONE;
    default:
        norm_person(r, NORM_SUBJECT, ev);
        return NORM_NONE;
    }
}
