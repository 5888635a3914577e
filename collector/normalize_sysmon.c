/*
 * normalize_sysmon: Microsoft-Windows-Sysmon/Operational records -> events.
 * Sysmon names the person as a "DOMAIN\name" string (User), not a SID: the
 * SID in the record's System/Security is the Sysmon service itself, so it is
 * not the actor and is not used. Event 11 has no User field before schema
 * 4.90; such events carry no person. Reference: windows-file-audit.md section 3.
 *
 *   11 file created     23, 26 file deleted   2 file time changed
 *   15 stream created   29 executable written
 *   1 process created (Process), 12 13 14 registry (Key): --all-objects
 */
#include <string.h>

#include "normalize_priv.h"

static void sysmon_common(struct normalizer *n, const struct winrec *r, struct sho_event *ev)
{
    ev->process = winrec_get(r, "Image");
    (void)norm_u64(r, "ProcessId", &ev->process_id, &ev->has, SHO_HAS_PROCESS_ID);
    norm_split_account(n, winrec_get(r, "User"), ev);
    (void)norm_u64(r, "LogonId", &ev->logon_id, &ev->has, SHO_HAS_LOGON_ID);
    /* Sysmon reports operations that happened; it has no failure events. */
    ev->outcome = SHO_OUTCOME_SUCCESS;
}

static uint32_t sysmon_registry_actions(const struct winrec *r, uint32_t event_id)
{
    const char *type = winrec_get(r, "EventType");

    if (event_id == 13) {
        return SHO_ACT_WRITE;
    }
    if (event_id == 14) {
        return SHO_ACT_RENAME;
    }
    if (type != NULL && strncmp(type, "Delete", 6) == 0) {
        return SHO_ACT_DELETE;
    }
    return SHO_ACT_CREATE;
}

enum norm_class norm_sysmon(struct normalizer *n, const struct winrec *r, struct sho_event *ev)
{
    switch (ev->event_id) {
    case 2:
    case 11:
    case 15:
    case 23:
    case 26:
    case 29:
        sysmon_common(n, r, ev);
        ev->object_type = "File";
        ev->path = winrec_get(r, "TargetFilename");
        ev->actions = ev->event_id == 2                            ? SHO_ACT_WRITE_ATTR
                      : (ev->event_id == 23 || ev->event_id == 26) ? SHO_ACT_DELETE
                                                                   : SHO_ACT_CREATE;
        return NORM_OBJECT;
    case 1:
        sysmon_common(n, r, ev);
        ev->object_type = "Process";
        ev->path = ev->process;
        ev->actions = SHO_ACT_EXECUTE;
        return NORM_OBJECT;
    case 12:
    case 13:
    case 14:
        sysmon_common(n, r, ev);
        ev->object_type = "Key";
        ev->path = winrec_get(r, "TargetObject");
        ev->actions = sysmon_registry_actions(r, ev->event_id);
        return NORM_OBJECT;
    default:
        return NORM_NONE;
    }
}
