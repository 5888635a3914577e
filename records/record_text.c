/*
 * record_text: a record's canonical text and back, its checks and its event.
 * The text (docs/records.md) opens with "shoseki-record 1", then one
 * `key value` line per field present, in the order of the table below;
 * values are taken as written, one line each (a check refuses line breaks,
 * so nothing needs escaping), times are ISO 8601 UTC with 7 fractional
 * digits. The same text is the record's
 * stored original and its SOURCE frame's `detail`; its SHA-256 gives the id.
 * A parser skips keys it does not know, so later versions may add fields.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "shoseki/archive.h"
#include "shoseki/records.h"

#define RECORD_MAGIC "shoseki-record 1"

enum field_type { F_STR, F_TIME, F_NUM };

struct field {
    const char *key;
    enum field_type type;
    size_t off;     /* offsetof in struct sho_record */
    unsigned kinds; /* bit k: allowed for kind k */
    unsigned need;  /* bit k: required for kind k */
};

#define K(k) (1u << (k))
#define KALL                                                                                       \
    (K(SHO_RECORD_DISPOSAL) | K(SHO_RECORD_TAKEOUT) | K(SHO_RECORD_RETURN) | K(SHO_RECORD_PURPOSE))
#define KDISP K(SHO_RECORD_DISPOSAL)
#define KOUT  K(SHO_RECORD_TAKEOUT)
#define KRET  K(SHO_RECORD_RETURN)
#define KPURP K(SHO_RECORD_PURPOSE)

static const struct field fields[] = {
    { "entered_at", F_TIME, offsetof(struct sho_record, entered_at), KALL, KALL },
    { "entered_by", F_STR, offsetof(struct sho_record, entered_by), KALL, KALL },
    { "entered_on", F_STR, offsetof(struct sho_record, entered_on), KALL, 0 },
    { "person", F_STR, offsetof(struct sho_record, person), KOUT | KRET | KPURP, KOUT | KPURP },
    { "time", F_TIME, offsetof(struct sho_record, time), KALL, KALL },
    { "until", F_TIME, offsetof(struct sho_record, until), KOUT | KPURP, KPURP },
    { "vendor", F_STR, offsetof(struct sho_record, vendor), KDISP, KDISP },
    { "covers", F_STR, offsetof(struct sho_record, covers), KDISP, KDISP },
    { "certificate", F_STR, offsetof(struct sho_record, certificate), KDISP, KDISP },
    { "certificate_size", F_NUM, offsetof(struct sho_record, cert_size), KDISP, 0 },
    { "certificate_name", F_STR, offsetof(struct sho_record, cert_name), KDISP, 0 },
    { "item", F_STR, offsetof(struct sho_record, item), KOUT | KRET, KOUT },
    { "media", F_STR, offsetof(struct sho_record, media), KOUT, 0 },
    { "purpose", F_STR, offsetof(struct sho_record, purpose), KOUT | KPURP, KOUT | KPURP },
    { "class", F_STR, offsetof(struct sho_record, class_name), KPURP, KPURP },
    { "takeout", F_NUM, offsetof(struct sho_record, takeout), KRET, KRET },
    { "corrects", F_NUM, offsetof(struct sho_record, corrects), KALL, 0 },
    { "note", F_STR, offsetof(struct sho_record, note), KALL, 0 },
};

static const char *const kind_names[] = { NULL, "disposal", "takeout", "return", "purpose" };

const char *sho_record_kind_name(enum sho_record_kind kind)
{
    return (unsigned)kind < SHO_ARRAY_COUNT(kind_names) ? kind_names[kind] : NULL;
}

static enum sho_record_kind kind_parse(const char *name)
{
    unsigned k;

    for (k = 1; k < SHO_ARRAY_COUNT(kind_names); k++) {
        if (strcmp(kind_names[k], name) == 0) {
            return (enum sho_record_kind)k;
        }
    }
    return 0;
}

static char **field_str(struct sho_record *r, const struct field *f)
{
    return (char **)(void *)((char *)r + f->off);
}

static uint64_t *field_num(struct sho_record *r, const struct field *f)
{
    return (uint64_t *)(void *)((char *)r + f->off);
}

static const char *field_cstr(const struct sho_record *r, const struct field *f)
{
    return *(const char *const *)(const void *)((const char *)r + f->off);
}

static bool field_present(const struct sho_record *r, const struct field *f)
{
    return f->type == F_STR ? field_cstr(r, f) != NULL
                            : *(const uint64_t *)(const void *)((const char *)r + f->off) != 0;
}

void sho_record_init(struct sho_record *r, enum sho_record_kind kind)
{
    memset(r, 0, sizeof(*r));
    r->kind = kind;
}

void sho_record_release(struct sho_record *r)
{
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(fields); i++) {
        if (fields[i].type == F_STR) {
            char **s = field_str(r, &fields[i]);
            free(*s);
            *s = NULL;
        }
    }
}

int sho_record_check(const struct sho_record *r, struct sho_err *err)
{
    size_t i;

    if (sho_record_kind_name(r->kind) == NULL) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "unknown record kind %d", (int)r->kind);
    }
    for (i = 0; i < SHO_ARRAY_COUNT(fields); i++) {
        const struct field *f = &fields[i];
        bool has = field_present(r, f);
        if (has && (f->kinds & K(r->kind)) == 0) {
            return sho_err_set(err, SHO_EINVAL, NULL, -1, "a %s record has no '%s'",
                               sho_record_kind_name(r->kind), f->key);
        }
        if (!has && (f->need & K(r->kind)) != 0) {
            return sho_err_set(err, SHO_EINVAL, NULL, -1, "a %s record needs '%s'",
                               sho_record_kind_name(r->kind), f->key);
        }
        if (f->type == F_STR && has) {
            const char *v = field_cstr(r, f);
            if (v[0] == '\0' || strpbrk(v, "\r\n") != NULL) {
                return sho_err_set(err, SHO_EINVAL, NULL, -1, "'%s' is %s", f->key,
                                   v[0] == '\0' ? "empty" : "more than one line");
            }
        }
    }
    if (r->until != 0 && r->until <= r->time) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "'until' is not after 'time'");
    }
    return 0;
}

/* A value as it is: a check refused values with a line break. */
static int text_value(struct sho_buf *b, const char *key, const char *value)
{
    return sho_buf_appendf(b, "%s %s\n", key, value);
}

static uint64_t text_id(const char *text, size_t len)
{
    uint8_t h[SHO_HASH_LEN];
    uint64_t id = 0;
    int i;

    sho_sha256(text, len, h);
    for (i = 0; i < 6; i++) {
        id = (id << 8) | h[i];
    }
    return id;
}

int sho_record_text(struct sho_record *r, struct sho_buf *out)
{
    size_t start = out->len, i;
    int rc = sho_buf_appendf(out, RECORD_MAGIC "\nkind %s\n", sho_record_kind_name(r->kind));

    for (i = 0; rc == 0 && i < SHO_ARRAY_COUNT(fields); i++) {
        const struct field *f = &fields[i];
        char iso[SHO_TIME_ISO_MAX];
        if (!field_present(r, f)) {
            continue;
        }
        if (f->type == F_STR) {
            rc = text_value(out, f->key, *field_str(r, f));
        } else if (f->type == F_TIME) {
            (void)sho_time_format_iso(*field_num(r, f), iso);
            rc = sho_buf_appendf(out, "%s %s\n", f->key, iso);
        } else {
            rc = sho_buf_appendf(out, "%s %llu\n", f->key, (unsigned long long)*field_num(r, f));
        }
    }
    if (rc == 0) {
        r->id = text_id(out->data + start, out->len - start);
    }
    return rc;
}

/* One `key value` line (NUL-terminated). */
static int parse_line(struct sho_record *r, const char *key, char *value)
{
    size_t i;

    if (strcmp(key, "kind") == 0) {
        r->kind = kind_parse(value);
        return r->kind != 0 ? 0 : SHO_ECORRUPT;
    }
    for (i = 0; i < SHO_ARRAY_COUNT(fields); i++) {
        const struct field *f = &fields[i];
        if (strcmp(f->key, key) != 0) {
            continue;
        }
        if (f->type == F_STR) {
            char **s = field_str(r, f);
            free(*s);
            *s = sho_xstrdup(value);
            return 0;
        }
        if (f->type == F_TIME) {
            return sho_time_parse_iso(value, strlen(value), field_num(r, f)) == 0 ? 0
                                                                                  : SHO_ECORRUPT;
        }
        return sho_parse_u64(value, UINT64_MAX, 0, field_num(r, f)) == 0 ? 0 : SHO_ECORRUPT;
    }
    return 0; /* a key of a later version */
}

int sho_record_parse(const char *text, size_t len, struct sho_record *r, struct sho_err *err)
{
    char *copy = sho_xmalloc(len + 1), *line, *next;
    unsigned n = 0;
    int rc = 0;

    sho_record_init(r, 0);
    memcpy(copy, text, len);
    copy[len] = '\0';
    for (line = copy; rc == 0 && line != NULL && *line != '\0'; line = next) {
        char *sp;
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }
        n++;
        if (n == 1) {
            rc = strcmp(line, RECORD_MAGIC) == 0 ? 0 : SHO_ECORRUPT;
        } else if ((sp = strchr(line, ' ')) == NULL) {
            rc = SHO_ECORRUPT;
        } else {
            *sp = '\0';
            rc = parse_line(r, line, sp + 1);
        }
    }
    free(copy);
    if (rc == 0 && n == 0) {
        rc = SHO_ECORRUPT;
    }
    if (rc != 0) {
        return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "record text: line %u is not valid", n);
    }
    if (sho_record_check(r, err) != 0) {
        return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "record text: %s",
                           err != NULL ? err->msg : "invalid");
    }
    r->id = text_id(text, len);
    return 0;
}

void sho_record_event(const struct sho_record *r, const char *name, struct sho_event *ev,
                      char domain[SHO_RECORD_DOMAIN_MAX])
{
    static const char *const types[] = { NULL, "record:disposal", "record:takeout", "record:return",
                                         "record:purpose" };
    const char *p = r->kind == SHO_RECORD_DISPOSAL ? r->entered_by : r->person;
    const char *slash = p != NULL ? strchr(p, '\\') : NULL;

    sho_event_clear(ev);
    ev->has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID | SHO_HAS_SOURCE_OFFSET;
    ev->time = r->time;
    ev->host = r->entered_on;
    ev->channel = SHO_RECORDS_CHANNEL;
    ev->provider = SHO_RECORDS_PROVIDER;
    ev->event_id = (uint32_t)r->kind;
    ev->record_id = r->id;
    if (p == NULL) {
        /* a return entered without a person: its take-out names one */
    } else if (strncmp(p, "S-1-", 4) == 0) {
        ev->user_sid = p;
    } else if (slash != NULL) {
        size_t n = (size_t)(slash - p) < SHO_RECORD_DOMAIN_MAX - 1 ? (size_t)(slash - p)
                                                                   : SHO_RECORD_DOMAIN_MAX - 1;
        memcpy(domain, p, n);
        domain[n] = '\0';
        ev->domain = domain;
        ev->user = slash + 1;
    } else {
        ev->user = p;
    }
    ev->object_type = types[r->kind];
    ev->path = r->kind == SHO_RECORD_DISPOSAL ? r->covers : r->item;
    ev->source = name;
    ev->source_offset = 0;
}
