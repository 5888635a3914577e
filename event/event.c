/*
 * event: the action vocabulary, outcome names and field table of the
 * normalized event. Everything that names an action goes through here, so the
 * closed set of DESIGN.md is written down exactly once.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "event_fields.h"
#include "shoseki/event.h"

static const char *const action_names[SHO_ACTION_COUNT] = {
    "read",
    "write",
    "append",
    "delete",
    "rename",
    "create",
    "execute",
    "list",
    "read-attributes",
    "write-attributes",
    "permission-change",
    "owner-change",
    "share-connect",
    "logon",
    "logoff",
    "log-cleared",
    "audit-policy-change",
    "device-connect",
};

const char *sho_action_name(unsigned index)
{
    return index < SHO_ACTION_COUNT ? action_names[index] : NULL;
}

uint32_t sho_action_parse(const char *name)
{
    unsigned i;

    for (i = 0; i < SHO_ACTION_COUNT; i++) {
        if (strcmp(name, action_names[i]) == 0) {
            return 1u << i;
        }
    }
    return 0;
}

const char *sho_outcome_name(enum sho_outcome outcome)
{
    switch (outcome) {
    case SHO_OUTCOME_SUCCESS:
        return "success";
    case SHO_OUTCOME_FAILURE:
        return "failure";
    default:
        return NULL;
    }
}

void sho_event_clear(struct sho_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->source_offset = -1;
}

static const size_t event_strings[SHO_EVENT_STRINGS] = {
    offsetof(struct sho_event, host),        offsetof(struct sho_event, channel),
    offsetof(struct sho_event, provider),    offsetof(struct sho_event, user_sid),
    offsetof(struct sho_event, user),        offsetof(struct sho_event, domain),
    offsetof(struct sho_event, object_type), offsetof(struct sho_event, path),
    offsetof(struct sho_event, process),     offsetof(struct sho_event, client_ip),
    offsetof(struct sho_event, share),       offsetof(struct sho_event, share_local_path),
    offsetof(struct sho_event, source),      offsetof(struct sho_event, ref),
};

const char *sho_event_string(const struct sho_event *ev, size_t i)
{
    const char *s;

    memcpy(&s, (const char *)ev + event_strings[i], sizeof(s));
    return s;
}

void sho_event_set_string(struct sho_event *ev, size_t i, const char *s)
{
    memcpy((char *)ev + event_strings[i], &s, sizeof(s));
}

int sho_event_format_parse(const char *name, enum sho_event_format *out)
{
    if (strcmp(name, "jsonl") == 0 || strcmp(name, "json") == 0) {
        *out = SHO_FORMAT_JSONL;
    } else if (strcmp(name, "csv") == 0) {
        *out = SHO_FORMAT_CSV;
    } else if (strcmp(name, "table") == 0) {
        *out = SHO_FORMAT_TABLE;
    } else {
        return SHO_EINVAL;
    }
    return 0;
}

/* ---- the field table -------------------------------------------------------------- */

enum {
    F_TIME,
    F_HOST,
    F_CHANNEL,
    F_PROVIDER,
    F_EVENT_ID,
    F_RECORD_ID,
    F_USER_SID,
    F_USER,
    F_DOMAIN,
    F_LOGON_ID,
    F_ACTIONS,
    F_OUTCOME,
    F_OBJECT_TYPE,
    F_PATH,
    F_PROCESS,
    F_PROCESS_ID,
    F_CLIENT_IP,
    F_SHARE,
    F_SHARE_LOCAL_PATH,
    F_ACCESS_MASK,
    F_HANDLE_ID,
    F_LOGON_TYPE,
    F_SOURCE,
    F_SOURCE_OFFSET,
    F_REF,
    F_COUNT
};

static const struct event_field fields[F_COUNT] = {
    [F_TIME] = { "time", sizeof("time") - 1, EVENT_FIELD_STRING },
    [F_HOST] = { "host", sizeof("host") - 1, EVENT_FIELD_STRING },
    [F_CHANNEL] = { "channel", sizeof("channel") - 1, EVENT_FIELD_STRING },
    [F_PROVIDER] = { "provider", sizeof("provider") - 1, EVENT_FIELD_STRING },
    [F_EVENT_ID] = { "event_id", sizeof("event_id") - 1, EVENT_FIELD_NUMBER },
    [F_RECORD_ID] = { "record_id", sizeof("record_id") - 1, EVENT_FIELD_NUMBER },
    [F_USER_SID] = { "user_sid", sizeof("user_sid") - 1, EVENT_FIELD_STRING },
    [F_USER] = { "user", sizeof("user") - 1, EVENT_FIELD_STRING },
    [F_DOMAIN] = { "domain", sizeof("domain") - 1, EVENT_FIELD_STRING },
    [F_LOGON_ID] = { "logon_id", sizeof("logon_id") - 1, EVENT_FIELD_STRING },
    [F_ACTIONS] = { "actions", sizeof("actions") - 1, EVENT_FIELD_ACTIONS },
    [F_OUTCOME] = { "outcome", sizeof("outcome") - 1, EVENT_FIELD_STRING },
    [F_OBJECT_TYPE] = { "object_type", sizeof("object_type") - 1, EVENT_FIELD_STRING },
    [F_PATH] = { "path", sizeof("path") - 1, EVENT_FIELD_STRING },
    [F_PROCESS] = { "process", sizeof("process") - 1, EVENT_FIELD_STRING },
    [F_PROCESS_ID] = { "process_id", sizeof("process_id") - 1, EVENT_FIELD_NUMBER },
    [F_CLIENT_IP] = { "client_ip", sizeof("client_ip") - 1, EVENT_FIELD_STRING },
    [F_SHARE] = { "share", sizeof("share") - 1, EVENT_FIELD_STRING },
    [F_SHARE_LOCAL_PATH] = { "share_local_path", sizeof("share_local_path") - 1,
                             EVENT_FIELD_STRING },
    [F_ACCESS_MASK] = { "access_mask", sizeof("access_mask") - 1, EVENT_FIELD_STRING },
    [F_HANDLE_ID] = { "handle_id", sizeof("handle_id") - 1, EVENT_FIELD_STRING },
    [F_LOGON_TYPE] = { "logon_type", sizeof("logon_type") - 1, EVENT_FIELD_NUMBER },
    [F_SOURCE] = { "source", sizeof("source") - 1, EVENT_FIELD_STRING },
    [F_SOURCE_OFFSET] = { "source_offset", sizeof("source_offset") - 1, EVENT_FIELD_NUMBER },
    [F_REF] = { "ref", sizeof("ref") - 1, EVENT_FIELD_STRING },
};

size_t event_field_count(unsigned flags)
{
    return (flags & SHO_WRITER_REF) ? F_COUNT : F_COUNT - 1;
}

const struct event_field *event_field_get(size_t index)
{
    return index < F_COUNT ? &fields[index] : NULL;
}

size_t sho_event_field_count(unsigned flags)
{
    return event_field_count(flags);
}

const char *sho_event_field_name(size_t index)
{
    return index < F_COUNT ? fields[index].name : NULL;
}

/* Lower-case hexadecimal digits of `v` at `out`, NUL-terminated. */
static void field_hexdigits(char *out, uint64_t v)
{
    char t[24];
    size_t n = 0, i;

    do {
        t[n++] = "0123456789abcdef"[v & 0xF];
        v >>= 4;
    } while (v != 0);
    for (i = 0; i < n; i++) {
        out[i] = t[n - 1 - i];
    }
    out[n] = '\0';
}

static const char *field_u64(char *scratch, bool present, uint64_t v)
{
    if (!present) {
        return NULL;
    }
    (void)sho_fmt_dec(scratch, v);
    return scratch;
}

static const char *field_hex(char *scratch, bool present, uint64_t v)
{
    if (!present) {
        return NULL;
    }
    scratch[0] = '0';
    scratch[1] = 'x';
    field_hexdigits(scratch + 2, v);
    return scratch;
}

const char *event_actions_text(const struct sho_event *ev, char scratch[EVENT_FIELD_SCRATCH])
{
    size_t used = 0;
    unsigned i;

    if (ev->actions == 0) {
        return NULL;
    }
    scratch[0] = '\0';
    for (i = 0; i < SHO_ACTION_COUNT; i++) {
        if ((ev->actions & (1u << i)) != 0) {
            size_t n = strlen(action_names[i]) + (used != 0 ? 1 : 0);
            if (n >= EVENT_FIELD_SCRATCH - used) {
                break;
            }
            if (used != 0) {
                scratch[used++] = ' ';
            }
            (void)sho_str_copy(scratch + used, EVENT_FIELD_SCRATCH - used, action_names[i]);
            used += strlen(scratch + used);
        }
    }
    return scratch;
}

const char *event_field_text(const struct sho_event *ev, size_t index,
                             char scratch[EVENT_FIELD_SCRATCH])
{
    switch (index) {
    case F_TIME:
        if ((ev->has & SHO_HAS_TIME) == 0) {
            return NULL;
        }
        (void)sho_time_format_iso(ev->time, scratch);
        return scratch;
    case F_HOST:
        return ev->host;
    case F_CHANNEL:
        return ev->channel;
    case F_PROVIDER:
        return ev->provider;
    case F_EVENT_ID:
        return field_u64(scratch, ev->has & SHO_HAS_EVENT_ID, ev->event_id);
    case F_RECORD_ID:
        return field_u64(scratch, ev->has & SHO_HAS_RECORD_ID, ev->record_id);
    case F_USER_SID:
        return ev->user_sid;
    case F_USER:
        return ev->user;
    case F_DOMAIN:
        return ev->domain;
    case F_LOGON_ID:
        return field_hex(scratch, ev->has & SHO_HAS_LOGON_ID, ev->logon_id);
    case F_ACTIONS:
        return event_actions_text(ev, scratch);
    case F_OUTCOME:
        return sho_outcome_name(ev->outcome);
    case F_OBJECT_TYPE:
        return ev->object_type;
    case F_PATH:
        return ev->path;
    case F_PROCESS:
        return ev->process;
    case F_PROCESS_ID:
        return field_u64(scratch, ev->has & SHO_HAS_PROCESS_ID, ev->process_id);
    case F_CLIENT_IP:
        return ev->client_ip;
    case F_SHARE:
        return ev->share;
    case F_SHARE_LOCAL_PATH:
        return ev->share_local_path;
    case F_ACCESS_MASK:
        return field_hex(scratch, ev->has & SHO_HAS_ACCESS_MASK, ev->access_mask);
    case F_HANDLE_ID:
        return field_hex(scratch, ev->has & SHO_HAS_HANDLE_ID, ev->handle_id);
    case F_LOGON_TYPE:
        return field_u64(scratch, ev->has & SHO_HAS_LOGON_TYPE, ev->logon_type);
    case F_SOURCE:
        return ev->source;
    case F_SOURCE_OFFSET:
        return field_u64(scratch, ev->has & SHO_HAS_SOURCE_OFFSET, (uint64_t)ev->source_offset);
    case F_REF:
        return ev->ref;
    default:
        return NULL;
    }
}
