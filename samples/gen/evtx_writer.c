/*
 * evtx_writer: an EVTX file writer (see evtx_writer.h). Layout, from libyal's
 * EVTX documentation and checked against libevtx and python-evtx:
 *   file header  4096 bytes: "ElfFile\0", first/last chunk, next record id,
 *                header size 128, version 3.1, block size 4096, chunk count,
 *                flags, CRC32 of the first 120 bytes;
 *   chunk        65536 bytes: "ElfChnk\0", first/last record number and id,
 *                header size 128, last record offset, free space offset,
 *                records CRC32, header CRC32 (bytes 0-119 and 128-511),
 *                64 string buckets, 32 template buckets, records from 512;
 *   record       0x2a2a0000, size, id, written time, binary XML, size copy.
 * A record's binary XML is a fragment header, a template instance whose
 * definition is written inline the first time the template is used in the
 * chunk (later records point back to it), then the substitution values.
 * Element and attribute names are likewise written once per chunk.
 * Invariant: a record that does not fit in the current chunk is encoded
 * again at the start of a new chunk; per-chunk tables are rolled back.
 */
#include "evtx_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoseki/archive.h"

#define EVW_FILE_HEADER   4096
#define EVW_CHUNK         65536
#define EVW_CHUNK_HEADER  512
#define EVW_MAX_NAMES     1024
#define EVW_CHUNK_SLACK   64
#define EVW_MAX_TEMPLATES 256
#define EVW_EVENT_NS      "http://schemas.microsoft.com/win/2004/08/events/event"

struct evw_name {
    char *name;    /* owned */
    uint32_t off;  /* chunk offset of its name structure */
    uint16_t hash; /* Windows' name hash */
};

struct evw_template {
    uint8_t key[SHO_HASH_LEN]; /* what the template looks like */
    uint32_t off;              /* chunk offset of its definition */
    uint32_t id;               /* first four bytes of its GUID */
};

struct evw {
    int fd;                   /* owned */
    char *path;               /* owned */
    uint8_t chunk[EVW_CHUNK]; /* the chunk being filled */
    uint32_t pos;             /* next record offset in it */
    uint32_t last_record;     /* offset of its last record, 0 none */
    uint64_t chunk_index;     /* its number */
    uint64_t chunk_first_id;  /* id of its first record */
    uint64_t next_id;         /* next record id */
    struct evw_name names[EVW_MAX_NAMES];
    size_t name_count;
    struct evw_template templates[EVW_MAX_TEMPLATES];
    size_t template_count;
};

/* ---- CRC32 --------------------------------------------------------------------- */

uint32_t evw_crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;

    for (i = 0; i < len; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

/* ---- encoder ------------------------------------------------------------------- */

struct enc {
    struct evw *w;
    uint32_t pos;  /* next byte in w->chunk */
    bool overflow; /* ran past the chunk: the record must move to a new chunk */
};

static uint8_t *enc_at(struct enc *e, size_t n)
{
    /* Keep a few bytes free at the end: libevtx skips a record that ends a byte short of it. */
    if (e->overflow || (size_t)e->pos + n > EVW_CHUNK - EVW_CHUNK_SLACK) {
        e->overflow = true;
        return NULL;
    }
    e->pos += (uint32_t)n;
    return e->w->chunk + e->pos - n;
}

static void put8(struct enc *e, uint8_t v)
{
    uint8_t *p = enc_at(e, 1);
    if (p != NULL) {
        p[0] = v;
    }
}

static void put16(struct enc *e, uint16_t v)
{
    uint8_t *p = enc_at(e, 2);
    if (p != NULL) {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
}

static void put32(struct enc *e, uint32_t v)
{
    uint8_t *p = enc_at(e, 4);
    if (p != NULL) {
        sho_put_le32(p, v);
    }
}

static void put64(struct enc *e, uint64_t v)
{
    put32(e, (uint32_t)v);
    put32(e, (uint32_t)(v >> 32));
}

/* Patch the u32 at chunk offset `at` (a size placeholder). */
static void patch32(struct enc *e, uint32_t at, uint32_t v)
{
    if (!e->overflow && e->w != NULL) {
        sho_put_le32(e->w->chunk + at, v);
    }
}

/* Decode one UTF-8 code point; invalid bytes become U+FFFD. */
static uint32_t utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t cp;
    int n, i;

    if (p[0] < 0x80) {
        *s += 1;
        return p[0];
    }
    n = p[0] >= 0xF0 ? 3 : p[0] >= 0xE0 ? 2 : p[0] >= 0xC0 ? 1 : 0;
    cp = p[0] & (0x3F >> n);
    for (i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s += 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    *s += n == 0 ? 1 : (size_t)n + 1;
    return n == 0 ? 0xFFFD : cp;
}

/* Write `s` as UTF-16LE code units; returns how many. */
static uint32_t put_utf16(struct enc *e, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t units = 0;

    while (*p != '\0') {
        uint32_t cp = utf8_next(&p);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put16(e, (uint16_t)(0xD800 + (cp >> 10)));
            put16(e, (uint16_t)(0xDC00 + (cp & 0x3FF)));
            units += 2;
        } else {
            put16(e, (uint16_t)cp);
            units++;
        }
    }
    return units;
}

static uint32_t utf16_units(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t units = 0;

    while (*p != '\0') {
        units += utf8_next(&p) >= 0x10000 ? 2 : 1;
    }
    return units;
}

/* ---- names --------------------------------------------------------------------- */

static uint16_t name_hash(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t h = 0;

    while (*p != '\0') {
        h = h * 65599u + utf8_next(&p);
    }
    return (uint16_t)h;
}

/*
 * Fill the name reference slot at `ref_at`: with the offset of the chunk's
 * copy of `name`, or, the first time, with the current position, where the
 * name structure (next, hash, length, UTF-16, NUL) is then written inline.
 */
static void name_ref(struct enc *e, const char *name, uint32_t ref_at)
{
    struct evw *w = e->w;
    struct evw_name *n;
    size_t i;
    uint32_t len_at, units;

    for (i = 0; i < w->name_count; i++) {
        if (strcmp(w->names[i].name, name) == 0) {
            patch32(e, ref_at, w->names[i].off);
            return;
        }
    }
    if (w->name_count == EVW_MAX_NAMES) {
        e->overflow = true;
        return;
    }
    n = &w->names[w->name_count];
    n->off = e->pos;
    n->hash = name_hash(name);
    patch32(e, ref_at, e->pos);
    put32(e, 0); /* next in bucket: linked when the chunk is finished */
    put16(e, n->hash);
    len_at = e->pos;
    put16(e, 0);
    units = put_utf16(e, name);
    put16(e, 0);
    if (e->overflow) {
        return;
    }
    w->chunk[len_at] = (uint8_t)units;
    w->chunk[len_at + 1] = (uint8_t)(units >> 8);
    n->name = sho_xstrdup(name);
    w->name_count++;
}

/* ---- binary XML elements ------------------------------------------------------- */

struct el {
    uint32_t size_at;  /* offset of the element's data size field */
    uint32_t attrs_at; /* offset of its attribute list size, 0 none */
};

/* Open an element: token, dependency, size, name offset, [name], [attribute list size]. */
static void el_open(struct enc *e, const char *name, bool has_attrs, struct el *el)
{
    uint32_t ref_at;

    put8(e, has_attrs ? 0x41 : 0x01);
    put16(e, 0xFFFF); /* no dependency */
    el->size_at = e->pos;
    put32(e, 0);
    ref_at = e->pos;
    put32(e, 0);
    name_ref(e, name, ref_at);
    el->attrs_at = 0;
    if (has_attrs) {
        el->attrs_at = e->pos;
        put32(e, 0);
    }
}

/* An attribute whose value is substitution `index` of `type`. */
static void el_attr_subst(struct enc *e, const char *name, bool more, uint16_t index, uint8_t type)
{
    uint32_t ref_at;

    put8(e, more ? 0x46 : 0x06);
    ref_at = e->pos;
    put32(e, 0);
    name_ref(e, name, ref_at);
    put8(e, 0x0d);
    put16(e, index);
    put8(e, type);
}

/* An attribute with literal text. */
static void el_attr_text(struct enc *e, const char *name, bool more, const char *text)
{
    uint32_t ref_at;

    put8(e, more ? 0x46 : 0x06);
    ref_at = e->pos;
    put32(e, 0);
    name_ref(e, name, ref_at);
    put8(e, 0x05);
    put8(e, 0x01);
    put16(e, (uint16_t)utf16_units(text));
    (void)put_utf16(e, text);
}

/* End the start tag (">"): the attribute list ends here. */
static void el_content(struct enc *e, struct el *el)
{
    if (el->attrs_at != 0) {
        patch32(e, el->attrs_at, e->pos - (el->attrs_at + 4));
    }
    put8(e, 0x02);
}

/* "/>": an element without content. */
static void el_empty(struct enc *e, struct el *el)
{
    if (el->attrs_at != 0) {
        patch32(e, el->attrs_at, e->pos - (el->attrs_at + 4));
    }
    put8(e, 0x03);
    patch32(e, el->size_at, e->pos - (el->size_at + 4));
}

/* "</name>". */
static void el_end(struct enc *e, struct el *el)
{
    put8(e, 0x04);
    patch32(e, el->size_at, e->pos - (el->size_at + 4));
}

static void subst(struct enc *e, uint16_t index, uint8_t type)
{
    put8(e, 0x0d);
    put16(e, index);
    put8(e, type);
}

/* <name>%index</name> */
static void el_leaf(struct enc *e, const char *name, uint16_t index, uint8_t type)
{
    struct el el;

    el_open(e, name, false, &el);
    el_content(e, &el);
    subst(e, index, type);
    el_end(e, &el);
}

/* ---- the event template -------------------------------------------------------- */

enum {
    S_PROVIDER,
    S_GUID,
    S_EVENT_ID,
    S_VERSION,
    S_LEVEL,
    S_TASK,
    S_OPCODE,
    S_KEYWORDS,
    S_TIME,
    S_RECORD_ID,
    S_PID,
    S_TID,
    S_CHANNEL,
    S_COMPUTER,
    S_USER,
    S_FIELDS /* the event's own fields start here */
};

static void tpl_system(struct enc *e, const struct evw_event *ev)
{
    struct el sys, el;

    el_open(e, "System", false, &sys);
    el_content(e, &sys);
    el_open(e, "Provider", true, &el);
    el_attr_subst(e, "Name", true, S_PROVIDER, EVW_STRING);
    el_attr_subst(e, "Guid", false, S_GUID, EVW_GUID);
    el_empty(e, &el);
    el_leaf(e, "EventID", S_EVENT_ID, EVW_UINT16);
    el_leaf(e, "Version", S_VERSION, EVW_UINT8);
    el_leaf(e, "Level", S_LEVEL, EVW_UINT8);
    el_leaf(e, "Task", S_TASK, EVW_UINT16);
    el_leaf(e, "Opcode", S_OPCODE, EVW_UINT8);
    el_leaf(e, "Keywords", S_KEYWORDS, EVW_HEX64);
    el_open(e, "TimeCreated", true, &el);
    el_attr_subst(e, "SystemTime", false, S_TIME, EVW_FILETIME);
    el_empty(e, &el);
    el_leaf(e, "EventRecordID", S_RECORD_ID, EVW_UINT64);
    el_open(e, "Correlation", false, &el);
    el_empty(e, &el);
    el_open(e, "Execution", true, &el);
    el_attr_subst(e, "ProcessID", true, S_PID, EVW_UINT32);
    el_attr_subst(e, "ThreadID", false, S_TID, EVW_UINT32);
    el_empty(e, &el);
    el_leaf(e, "Channel", S_CHANNEL, EVW_STRING);
    el_leaf(e, "Computer", S_COMPUTER, EVW_STRING);
    el_open(e, "Security", ev->user_sid != NULL, &el);
    if (ev->user_sid != NULL) {
        el_attr_subst(e, "UserID", false, S_USER, EVW_SID);
    }
    el_empty(e, &el);
    el_end(e, &sys);
}

static void tpl_fields(struct enc *e, const struct evw_event *ev)
{
    struct el data, wrap, el;
    size_t i;

    if (ev->user_data != NULL) {
        el_open(e, "UserData", false, &data);
        el_content(e, &data);
        el_open(e, ev->user_data, ev->user_data_ns != NULL, &wrap);
        if (ev->user_data_ns != NULL) {
            el_attr_text(e, "xmlns", false, ev->user_data_ns);
        }
        el_content(e, &wrap);
        for (i = 0; i < ev->field_count; i++) {
            el_leaf(e, ev->field_names[i], (uint16_t)(S_FIELDS + i),
                    (uint8_t)ev->field_values[i].type);
        }
        el_end(e, &wrap);
        el_end(e, &data);
        return;
    }
    el_open(e, "EventData", false, &data);
    el_content(e, &data);
    for (i = 0; i < ev->field_count; i++) {
        el_open(e, "Data", true, &el);
        el_attr_text(e, "Name", false, ev->field_names[i]);
        el_content(e, &el);
        subst(e, (uint16_t)(S_FIELDS + i), (uint8_t)ev->field_values[i].type);
        el_end(e, &el);
    }
    el_end(e, &data);
}

/* The key of the template `ev` needs: its shape, not its values. */
static void tpl_key(const struct evw_event *ev, uint8_t key[SHO_HASH_LEN])
{
    struct sho_buf b;
    size_t i;

    int rc;

    sho_buf_init(&b, (size_t)1 << 20);
    rc = sho_buf_appendf(&b, "%u|%s|%s|%s|", ev->event_id, ev->user_sid != NULL ? "u" : "",
                         ev->user_data != NULL ? ev->user_data : "",
                         ev->user_data_ns != NULL ? ev->user_data_ns : "");
    for (i = 0; rc == 0 && i < ev->field_count; i++) {
        rc = sho_buf_appendf(&b, "%s:%d|", ev->field_names[i], (int)ev->field_values[i].type);
    }
    /* A shape too large to describe still gets a key: the prefix that fitted. */
    sho_sha256(b.data != NULL ? b.data : "", b.len, key);
    sho_buf_release(&b);
}

/* The template instance, with the definition inline the first time in this chunk. */
static void tpl_instance(struct enc *e, const struct evw_event *ev)
{
    struct evw *w = e->w;
    struct evw_template *t;
    uint8_t key[SHO_HASH_LEN];
    uint32_t size_at, start;
    size_t i;
    struct el root;

    tpl_key(ev, key);
    put8(e, 0x0c);
    put8(e, 0x01);
    for (i = 0; i < w->template_count; i++) {
        if (memcmp(w->templates[i].key, key, SHO_HASH_LEN) == 0) {
            put32(e, w->templates[i].id);
            put32(e, w->templates[i].off);
            return;
        }
    }
    if (w->template_count == EVW_MAX_TEMPLATES) {
        e->overflow = true;
        return;
    }
    t = &w->templates[w->template_count];
    memcpy(t->key, key, SHO_HASH_LEN);
    t->id = sho_le32(key);
    put32(e, t->id);
    put32(e, e->pos + 4);
    t->off = e->pos;
    put32(e, 0); /* next template in bucket: linked when the chunk is finished */
    {
        uint8_t *g = enc_at(e, 16);
        if (g != NULL) {
            memcpy(g, key, 16); /* the GUID; its first four bytes are the template id */
        }
    }
    size_at = e->pos;
    put32(e, 0);
    start = e->pos;
    put8(e, 0x0f); /* fragment header: version 1.1 */
    put8(e, 0x01);
    put8(e, 0x01);
    put8(e, 0x00);
    el_open(e, "Event", true, &root);
    el_attr_text(e, "xmlns", false, EVW_EVENT_NS);
    el_content(e, &root);
    tpl_system(e, ev);
    tpl_fields(e, ev);
    el_end(e, &root);
    put8(e, 0x00); /* end of stream */
    patch32(e, size_at, e->pos - start);
    if (!e->overflow) {
        w->template_count++;
    }
}

/* ---- substitution values ------------------------------------------------------- */

#define EVW_SYSTEM_VALUES S_FIELDS
#define EVW_MAX_SID_SUB   15

/* Parse "S-1-5-21-..." into its binary form; returns its length, 0 when not a SID. */
static size_t sid_encode(const char *s, uint8_t out[8 + 4 * EVW_MAX_SID_SUB])
{
    uint64_t v[2 + EVW_MAX_SID_SUB];
    size_t n = 0, i;
    const char *p;

    if (s == NULL || strncmp(s, "S-", 2) != 0) {
        return 0;
    }
    p = s + 2;
    while (*p != '\0' && n < SHO_ARRAY_COUNT(v)) {
        size_t len = strcspn(p, "-");
        if (sho_parse_u64n(p, len, UINT64_MAX, 0, &v[n]) != 0) {
            return 0;
        }
        n++;
        p += len;
        p += *p == '-';
    }
    if (n < 2 || v[0] > 255) {
        return 0;
    }
    out[0] = (uint8_t)v[0];
    out[1] = (uint8_t)(n - 2);
    for (i = 0; i < 6; i++) {
        out[2 + i] = (uint8_t)(v[1] >> (8 * (5 - i)));
    }
    for (i = 2; i < n; i++) {
        sho_put_le32(out + 8 + 4 * (i - 2), (uint32_t)v[i]);
    }
    return 8 + 4 * (n - 2);
}

static uint16_t value_size(const struct evw_value *v)
{
    uint8_t sid[8 + 4 * EVW_MAX_SID_SUB];

    switch (v->type) {
    case EVW_STRING:
        return (uint16_t)(2 * utf16_units(v->s != NULL ? v->s : ""));
    case EVW_UINT8:
        return 1;
    case EVW_UINT16:
        return 2;
    case EVW_UINT32:
    case EVW_HEX32:
        return 4;
    case EVW_GUID:
        return 16;
    case EVW_SID:
        return (uint16_t)sid_encode(v->s, sid);
    default: /* 64-bit numbers, SizeT, FILETIME */
        return 8;
    }
}

static void value_put(struct enc *e, const struct evw_value *v)
{
    uint8_t sid[8 + 4 * EVW_MAX_SID_SUB];
    uint8_t *p;
    size_t n;

    switch (v->type) {
    case EVW_STRING:
        (void)put_utf16(e, v->s != NULL ? v->s : "");
        break;
    case EVW_UINT8:
        put8(e, (uint8_t)v->u);
        break;
    case EVW_UINT16:
        put16(e, (uint16_t)v->u);
        break;
    case EVW_UINT32:
    case EVW_HEX32:
        put32(e, (uint32_t)v->u);
        break;
    case EVW_GUID:
        p = enc_at(e, 16);
        if (p != NULL) {
            memcpy(p, v->guid, 16);
        }
        break;
    case EVW_SID:
        n = sid_encode(v->s, sid);
        p = enc_at(e, n);
        if (p != NULL && n != 0) {
            memcpy(p, sid, n);
        }
        break;
    default:
        put64(e, v->u);
        break;
    }
}

static void values_put(struct enc *e, const struct evw_event *ev, uint64_t id)
{
    struct evw_value sys[EVW_SYSTEM_VALUES];
    size_t i, count = EVW_SYSTEM_VALUES + ev->field_count;

    memset(sys, 0, sizeof(sys));
    sys[S_PROVIDER] = (struct evw_value){ .type = EVW_STRING, .s = ev->provider };
    sys[S_GUID].type = EVW_GUID;
    memcpy(sys[S_GUID].guid, ev->provider_guid, 16);
    sys[S_EVENT_ID] = (struct evw_value){ .type = EVW_UINT16, .u = ev->event_id };
    sys[S_VERSION] = (struct evw_value){ .type = EVW_UINT8, .u = ev->version };
    sys[S_LEVEL] = (struct evw_value){ .type = EVW_UINT8, .u = ev->level };
    sys[S_TASK] = (struct evw_value){ .type = EVW_UINT16, .u = ev->task };
    sys[S_OPCODE] = (struct evw_value){ .type = EVW_UINT8, .u = ev->opcode };
    sys[S_KEYWORDS] = (struct evw_value){ .type = EVW_HEX64, .u = ev->keywords };
    sys[S_TIME] = (struct evw_value){ .type = EVW_FILETIME, .u = ev->time };
    sys[S_RECORD_ID] =
        (struct evw_value){ .type = EVW_UINT64, .u = ev->record_id != 0 ? ev->record_id : id };
    sys[S_PID] = (struct evw_value){ .type = EVW_UINT32, .u = ev->pid };
    sys[S_TID] = (struct evw_value){ .type = EVW_UINT32, .u = ev->tid };
    sys[S_CHANNEL] = (struct evw_value){ .type = EVW_STRING, .s = ev->channel };
    sys[S_COMPUTER] = (struct evw_value){ .type = EVW_STRING, .s = ev->computer };
    sys[S_USER] = (struct evw_value){ .type = EVW_SID, .s = ev->user_sid };
    put32(e, (uint32_t)count);
    for (i = 0; i < count; i++) {
        const struct evw_value *v =
            i < EVW_SYSTEM_VALUES ? &sys[i] : &ev->field_values[i - EVW_SYSTEM_VALUES];
        bool null = i == S_USER && ev->user_sid == NULL;
        put16(e, null ? 0 : value_size(v));
        put8(e, null ? 0x00 : (uint8_t)v->type);
        put8(e, 0);
    }
    for (i = 0; i < count; i++) {
        if (i == S_USER && ev->user_sid == NULL) {
            continue;
        }
        value_put(e, i < EVW_SYSTEM_VALUES ? &sys[i] : &ev->field_values[i - EVW_SYSTEM_VALUES]);
    }
}

/* ---- records and chunks -------------------------------------------------------- */

static int record_encode(struct evw *w, const struct evw_event *ev)
{
    struct enc e = { w, w->pos, false };
    uint32_t start = w->pos, size_at;

    put8(&e, 0x2a);
    put8(&e, 0x2a);
    put8(&e, 0);
    put8(&e, 0);
    size_at = e.pos;
    put32(&e, 0);
    put64(&e, w->next_id);
    put64(&e, ev->time);
    put8(&e, 0x0f);
    put8(&e, 0x01);
    put8(&e, 0x01);
    put8(&e, 0x00);
    tpl_instance(&e, ev);
    values_put(&e, ev, w->next_id);
    put8(&e, 0x00); /* end of stream: the document ends before the size copy */
    put32(&e, e.pos + 4 - start);
    if (e.overflow) {
        return SHO_ELIMIT;
    }
    patch32(&e, size_at, e.pos - start);
    w->last_record = start;
    w->pos = e.pos;
    w->next_id++;
    return 0;
}

static void chunk_reset(struct evw *w)
{
    size_t i;

    for (i = 0; i < w->name_count; i++) {
        free(w->names[i].name);
    }
    w->name_count = 0;
    w->template_count = 0;
    memset(w->chunk, 0, sizeof(w->chunk));
    w->pos = EVW_CHUNK_HEADER;
    w->last_record = 0;
    w->chunk_first_id = w->next_id;
}

static int chunk_write(struct evw *w, struct sho_err *err)
{
    uint8_t *c = w->chunk;
    uint32_t crc;
    size_t i;
    char etext[128];

    if (w->last_record == 0) {
        return 0;
    }
    for (i = 0; i < w->name_count; i++) { /* 64 string buckets by name hash */
        uint8_t *b = c + 128 + (size_t)4 * (w->names[i].hash % 64);
        sho_put_le32(c + w->names[i].off, sho_le32(b));
        sho_put_le32(b, w->names[i].off);
    }
    for (i = 0; i < w->template_count; i++) { /* 32 template buckets */
        uint8_t *b = c + 384 + (size_t)4 * (w->templates[i].id % 32);
        sho_put_le32(c + w->templates[i].off, sho_le32(b));
        sho_put_le32(b, w->templates[i].off);
    }
    memcpy(c, "ElfChnk", 8);
    sho_put_le32(c + 8, (uint32_t)w->chunk_first_id);
    sho_put_le32(c + 12, (uint32_t)(w->chunk_first_id >> 32));
    sho_put_le32(c + 16, (uint32_t)(w->next_id - 1));
    sho_put_le32(c + 20, (uint32_t)((w->next_id - 1) >> 32));
    sho_put_le32(c + 24, (uint32_t)w->chunk_first_id);
    sho_put_le32(c + 28, (uint32_t)(w->chunk_first_id >> 32));
    sho_put_le32(c + 32, (uint32_t)(w->next_id - 1));
    sho_put_le32(c + 36, (uint32_t)((w->next_id - 1) >> 32));
    sho_put_le32(c + 40, 128);
    sho_put_le32(c + 44, w->last_record);
    sho_put_le32(c + 48, w->pos);
    sho_put_le32(c + 52, evw_crc32(c + EVW_CHUNK_HEADER, w->pos - EVW_CHUNK_HEADER));
    {
        /* The header CRC32 covers bytes 0-119 and 128-511 as one stream. */
        uint8_t joined[120 + 384];
        memcpy(joined, c, 120);
        memcpy(joined + 120, c + 128, 384);
        crc = evw_crc32(joined, sizeof(joined));
    }
    sho_put_le32(c + 124, crc);
    if (pwrite(w->fd, c, EVW_CHUNK,
               (off_t)(EVW_FILE_HEADER + (uint64_t)w->chunk_index * EVW_CHUNK)) != EVW_CHUNK) {
        return sho_err_set(err, SHO_EIO, w->path, -1, "cannot write chunk: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    w->chunk_index++;
    chunk_reset(w);
    return 0;
}

struct evw *evw_open(const char *path, struct sho_err *err)
{
    struct evw *w;
    char etext[128];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd < 0) {
        (void)sho_err_set(err, SHO_EIO, path, -1, "cannot create: %s",
                          sho_errno_text(errno, etext, sizeof(etext)));
        return NULL;
    }
    w = sho_xcalloc(1, sizeof(*w));
    w->fd = fd;
    w->path = sho_xstrdup(path);
    w->next_id = 1;
    chunk_reset(w);
    return w;
}

uint64_t evw_next_record_id(const struct evw *w)
{
    return w->next_id;
}

void evw_set_next_record_id(struct evw *w, uint64_t id)
{
    w->next_id = id;
    if (w->last_record == 0) {
        w->chunk_first_id = id;
    }
}

int evw_add(struct evw *w, const struct evw_event *ev, struct sho_err *err)
{
    size_t names = w->name_count, templates = w->template_count, i;
    int rc;

    if (record_encode(w, ev) == 0) {
        return 0;
    }
    /* Did not fit: forget what the attempt added, close the chunk, start afresh. */
    for (i = names; i < w->name_count; i++) {
        free(w->names[i].name);
    }
    w->name_count = names;
    w->template_count = templates;
    memset(w->chunk + w->pos, 0, EVW_CHUNK - w->pos);
    if (w->last_record == 0) {
        return sho_err_set(err, SHO_ELIMIT, w->path, -1, "record %llu does not fit in a chunk",
                           (unsigned long long)w->next_id);
    }
    rc = chunk_write(w, err);
    if (rc == 0 && record_encode(w, ev) != 0) {
        rc = sho_err_set(err, SHO_ELIMIT, w->path, -1, "record %llu does not fit in a chunk",
                         (unsigned long long)w->next_id);
    }
    return rc;
}

int evw_close(struct evw *w, struct sho_err *err)
{
    uint8_t h[EVW_FILE_HEADER];
    char etext[128];
    int rc;

    if (w == NULL) {
        return 0;
    }
    rc = chunk_write(w, err);
    memset(h, 0, sizeof(h));
    memcpy(h, "ElfFile", 8);
    sho_put_le32(h + 8, 0);
    sho_put_le32(h + 16, (uint32_t)(w->chunk_index != 0 ? w->chunk_index - 1 : 0));
    sho_put_le32(h + 24, (uint32_t)w->next_id);
    sho_put_le32(h + 28, (uint32_t)(w->next_id >> 32));
    sho_put_le32(h + 32, 128);
    h[36] = 1; /* minor version */
    h[38] = 3; /* major version */
    h[40] = (uint8_t)(EVW_FILE_HEADER & 0xFF);
    h[41] = (uint8_t)(EVW_FILE_HEADER >> 8);
    h[42] = (uint8_t)w->chunk_index;
    h[43] = (uint8_t)(w->chunk_index >> 8);
    sho_put_le32(h + 124, evw_crc32(h, 120));
    if (rc == 0 && pwrite(w->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
        rc = sho_err_set(err, SHO_EIO, w->path, 0, "cannot write header: %s",
                         sho_errno_text(errno, etext, sizeof(etext)));
    }
    if (close(w->fd) != 0 && rc == 0) {
        rc = sho_err_set(err, SHO_EIO, w->path, -1, "cannot close");
    }
    chunk_reset(w);
    free(w->path);
    free(w);
    return rc;
}
