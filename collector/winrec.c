/*
 * winrec: storage and lookup for one decoded Windows event record (see
 * winrec.h). Lookups are linear: a record has tens of fields and is looked at
 * a handful of times, which beats building a hash per record.
 */
#include <stdlib.h>
#include <string.h>

#include "winrec.h"

void winrec_init(struct winrec *r)
{
    memset(r, 0, sizeof(*r));
    r->fields = sho_xcalloc(WINREC_MAX_FIELDS, sizeof(*r->fields));
    sho_buf_init(&r->arena, WINREC_ARENA_LIMIT);
    winrec_reset(r);
}

void winrec_release(struct winrec *r)
{
    free(r->fields);
    r->fields = NULL;
    sho_buf_release(&r->arena);
}

void winrec_reset(struct winrec *r)
{
    r->has = 0;
    r->time = 0;
    r->record_id = 0;
    r->event_id = 0;
    r->keywords = 0;
    r->exec_pid = 0;
    r->task = 0;
    r->version = 0;
    r->provider = WINREC_NONE;
    r->channel = WINREC_NONE;
    r->computer = WINREC_NONE;
    r->security_id = WINREC_NONE;
    r->field_count = 0;
    r->fields_dropped = 0;
    sho_buf_reset(&r->arena);
}

int winrec_store(struct winrec *r, const char *s, size_t len, uint32_t *off)
{
    size_t at = r->arena.len;

    /* One reservation and a copy: decoders store every field of every record here. */
    if (sho_buf_reserve(&r->arena, len + 1) != 0) {
        return SHO_ELIMIT;
    }
    if (len > 0) {
        memcpy(r->arena.data + at, s, len);
    }
    r->arena.data[at + len] = '\0';
    r->arena.len = at + len + 1;
    *off = (uint32_t)at;
    return 0;
}

static int winrec_add(struct winrec *r, const char *name, size_t name_len, const char *value,
                      size_t value_len, const uint64_t *num)
{
    struct winrec_field f;
    int rc;

    if (r->field_count == WINREC_MAX_FIELDS) {
        r->fields_dropped++;
        return 0;
    }
    rc = winrec_store(r, name, name_len, &f.name);
    if (rc == 0) {
        rc = winrec_store(r, value, value_len, &f.value);
    }
    if (rc != 0) {
        return rc;
    }
    f.name_len = (uint32_t)name_len;
    f.has_num = num != NULL;
    f.num = num != NULL ? *num : 0;
    r->fields[r->field_count++] = f;
    return 0;
}

int winrec_add_field(struct winrec *r, const char *name, size_t name_len, const char *value,
                     size_t value_len)
{
    return winrec_add(r, name, name_len, value, value_len, NULL);
}

int winrec_add_field_u64(struct winrec *r, const char *name, size_t name_len, const char *value,
                         size_t value_len, uint64_t num)
{
    return winrec_add(r, name, name_len, value, value_len, &num);
}

const char *winrec_str(const struct winrec *r, uint32_t off)
{
    if (off == WINREC_NONE || off >= r->arena.len) {
        return NULL;
    }
    return r->arena.data + off;
}

/* The first field named `name`, or NULL. */
static const struct winrec_field *winrec_find(const struct winrec *r, const char *name)
{
    size_t len = strlen(name);
    size_t i;

    for (i = 0; i < r->field_count; i++) {
        const struct winrec_field *f = &r->fields[i];
        /* Length and first byte settle most comparisons without a call. */
        if (f->name_len == len && r->arena.data[f->name] == name[0] &&
            memcmp(r->arena.data + f->name, name, len) == 0) {
            return f;
        }
    }
    return NULL;
}

/* Windows writes "-" for "no value". */
static bool winrec_is_empty(const char *v)
{
    return v[0] == '\0' || (v[0] == '-' && v[1] == '\0');
}

const char *winrec_get(const struct winrec *r, const char *name)
{
    const struct winrec_field *f = winrec_find(r, name);
    const char *v;

    if (f == NULL) {
        return NULL;
    }
    v = r->arena.data + f->value;
    return winrec_is_empty(v) ? NULL : v;
}

int winrec_get_u64(const struct winrec *r, const char *name, uint64_t *out)
{
    const struct winrec_field *f = winrec_find(r, name);
    const char *v;
    size_t len;

    if (f == NULL) {
        return 0;
    }
    if (f->has_num) {
        *out = f->num;
        return 1;
    }
    v = r->arena.data + f->value;
    if (winrec_is_empty(v)) {
        return 0;
    }
    len = strlen(v);
    /* Renderers pad and vary case ("0x00000050", "0x21FCB6"); compare numerically. */
    while (len > 0 &&
           (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\n' || v[len - 1] == '\r')) {
        len--;
    }
    return sho_parse_u64n(v, len, UINT64_MAX, SHO_PARSE_HEX, out) == 0 ? 1 : 0;
}
