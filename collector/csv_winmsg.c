/*
 * csv_winmsg: the rendered message of a Windows event back into the
 * EventData fields it displays. `Get-WinEvent | Export-Csv` keeps no
 * EventData, only Message: the event's text with its values as
 * "<tab>Label:<tabs>Value" lines under section lines such as "Subject:" or
 * "Share Information:". The labels are those of the Security auditing
 * manifest's English messages; the person's four labels mean Subject* under
 * "Subject:" and Target* under the sections naming the account logged on or
 * off. Once the fields are in the winrec, the same normalization as for EVTX
 * turns the record into an event (access masks, UNC paths of 5145, ...).
 * Labels of other languages are not read (docs/sources.md).
 */
#include <string.h>

#include "csv_map.h"

static const struct {
    const char *label, *field; /* field: a person's name without Subject/Target */
    bool is_person;
} msg_labels[] = {
    { "Security ID", "UserSid", true },
    { "Account Name", "UserName", true },
    { "Account Domain", "DomainName", true },
    { "Logon ID", "LogonId", true },
    { "Object Server", "ObjectServer", false },
    { "Object Type", "ObjectType", false },
    { "Object Name", "ObjectName", false },
    { "Handle ID", "HandleId", false },
    { "Process ID", "ProcessId", false },
    { "Process Name", "ProcessName", false },
    { "Access Mask", "AccessMask", false },
    { "Source Address", "IpAddress", false },
    { "Source Network Address", "IpAddress", false },
    { "Source Port", "IpPort", false },
    { "Share Name", "ShareName", false },
    { "Share Path", "ShareLocalPath", false },
    { "Relative Target Name", "RelativeTargetName", false },
    { "Logon Type", "LogonType", false },
    { "Workstation Name", "WorkstationName", false },
};

/* Do the person labels of section `sec` (`len` bytes) name the target account? */
static bool msg_is_target(const char *sec, size_t len, uint32_t event_id)
{
    if (len == 7 && memcmp(sec, "Subject", 7) == 0) {
        return event_id == 4634 || event_id == 4647; /* logoffs show the target as Subject */
    }
    return len > 0;
}

/* One "Label:<tabs>Value" line (leading blanks gone). Returns 0 or SHO_ELIMIT. */
static int msg_field(struct winrec *r, const char *s, size_t len, const char *sec, size_t sec_len,
                     uint32_t event_id)
{
    const char *colon = memchr(s, ':', len), *v, *end = s + len;
    char name[48];
    size_t i;

    if (colon == NULL) {
        return 0;
    }
    for (v = colon + 1; v < end && (*v == '\t' || *v == ' '); v++) {
    }
    while (end > v && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    for (i = 0; i < SHO_ARRAY_COUNT(msg_labels); i++) {
        const char *l = msg_labels[i].label;
        if (strlen(l) != (size_t)(colon - s) || memcmp(s, l, (size_t)(colon - s)) != 0) {
            continue;
        }
        if (!msg_labels[i].is_person) {
            return winrec_add_field(r, msg_labels[i].field, strlen(msg_labels[i].field), v,
                                    (size_t)(end - v));
        }
        if (i == 0 && (end - v < 4 || memcmp(v, "S-1-", 4) != 0)) {
            return 0; /* a SID the exporting machine resolved to a name: Account Name has it */
        }
        (void)sho_str_copy(name, sizeof(name),
                           msg_is_target(sec, sec_len, event_id) ? "Target" : "Subject");
        (void)sho_str_copy(name + strlen(name), sizeof(name) - strlen(name), msg_labels[i].field);
        return winrec_add_field(r, name, strlen(name), v, (size_t)(end - v));
    }
    return 0;
}

int csv_winmsg_fields(struct winrec *r, uint32_t event_id, const char *msg)
{
    const char *p = msg, *sec = "", *nl;
    size_t sec_len = 0;
    int rc = 0;

    for (; rc == 0 && *p != '\0'; p = nl != NULL ? nl + 1 : p + strlen(p)) {
        size_t len;
        nl = strchr(p, '\n');
        len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t')) {
            len--;
        }
        if (len == 0) {
            continue;
        }
        if (p[0] != '\t' && p[0] != ' ') {
            if (p[len - 1] == ':') {
                sec = p; /* "Subject:", "New Logon:", ... */
                sec_len = len - 1;
            }
            continue;
        }
        while (len > 0 && (*p == '\t' || *p == ' ')) {
            p++;
            len--;
        }
        rc = msg_field(r, p, len, sec, sec_len, event_id);
    }
    return rc;
}
