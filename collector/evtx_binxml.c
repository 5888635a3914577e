/*
 * evtx_binxml: EVTX binary XML (see evtx_binxml.h). Spec: libyal's "Windows
 * XML Event Log (EVTX) format", section "Binary XML", and MS-EVEN6 2.2.12:
 *   0x00 end of stream            0x0f fragment header (3 bytes)
 *   0x01/0x41 open element        [dependency id u16, in definitions only],
 *                                 data size u32, name offset u32, [name],
 *                                 [attribute list size u32 when 0x41]
 *   0x02 close start tag  0x03 close empty element  0x04 end element
 *   0x05/0x45 value               type u8, UTF-16 string (count u16)
 *   0x06/0x46 attribute           name offset u32, [name]
 *   0x07 CDATA, 0x08 character reference, 0x09 entity reference,
 *   0x0a/0x0b processing instruction (skipped)
 *   0x0c template instance        u8, id u32, definition offset u32,
 *                                 [definition: next u32, GUID, size u32, body]
 *                                 then count u32, count x (size u16, type u8,
 *                                 u8), the values back to back
 *   0x0d/0x0e (optional) substitution: index u16, type u8
 * A name is (next u32, hash u16, count u16, UTF-16, NUL) at a chunk offset;
 * when that offset is where the reader stands, the name is inline and skipped.
 * Elements outside definitions carry no dependency id: that is how a Windows
 * Event Collector writes records with their values inline, which libevtx and
 * python-evtx cannot read.
 *
 * A fragment is compiled to a flat array of operations (names and literal
 * text already UTF-8) and then executed against a sink; a definition's
 * operations are cached, keyed by GUID, size and a hash of the compiled
 * content (two chunks put the same definition at different offsets, so the
 * raw bytes differ; the compiled form does not). Invariants: every read is
 * checked against the chunk (names, definitions) or the fragment's end
 * (tokens, values); recursion (binary XML inside values) is bounded by
 * BX_MAX_NEST; all growth goes through bounded buffers.
 */
#include "evtx_binxml.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_value.h"

#define BX_MAX_NEST      8                 /* binary XML values inside values */
#define BX_MAX_OPS       (1u << 20)        /* operations in one compiled fragment */
#define BX_STRS_LIMIT    ((size_t)8 << 20) /* name and text bytes of one fragment */
#define BX_MAX_VALUES    65535             /* substitution values of one instance */
#define BX_CACHE_MAX     4096              /* compiled templates before the cache is emptied */
#define BX_CACHE_BUCKETS 1024              /* hash buckets of the cache */
#define BX_CHUNK_SLOTS   512               /* definition offsets remembered per chunk */
#define BX_NAME_HEAD     8                 /* next offset, hash, character count */
#define BX_DEF_HEAD      24                /* next offset, GUID, data size */

enum bx_op_kind {
    OP_OPEN,     /* a, b: name in strs; tag */
    OP_ATTR,     /* a, b: name in strs; tag */
    OP_CONTENT,  /* start tag complete */
    OP_CLOSE,    /* element ends */
    OP_TEXT,     /* a, b: text in strs */
    OP_SUBST,    /* index, type, optional */
    OP_TEMPLATE, /* a: index in tmpls, b: chunk offset of the value array */
};

struct bx_op {
    uint8_t kind;     /* enum bx_op_kind */
    uint8_t type;     /* OP_SUBST: declared value type */
    uint8_t optional; /* OP_SUBST: optional substitution */
    uint8_t tag;      /* OP_OPEN, OP_ATTR: enum evtx_bx_tag */
    uint16_t index;   /* OP_SUBST: value index */
    uint16_t pad;     /* zero, so ops hash and compare as bytes */
    uint32_t a, b;    /* see enum bx_op_kind */
};

struct evtx_bx_tmpl;

/* An OP_TEMPLATE target (a struct, so arrays of it are not arrays of pointers). */
struct bx_ref {
    struct evtx_bx_tmpl *tmpl; /* borrowed from the cache */
};

struct bx_prog {
    struct bx_op *ops;           /* owned */
    size_t count, cap;           /* ops in use, allocated */
    struct sho_buf strs;         /* owned: names and text, UTF-8 */
    struct bx_ref *tmpls;        /* OP_TEMPLATE targets */
    size_t tmpl_count, tmpl_cap; /* in use, allocated */
};

struct evtx_bx_tmpl {
    uint8_t guid[16];          /* definition GUID */
    uint32_t data_size;        /* definition body size */
    uint64_t hash;             /* of the compiled ops and strings */
    struct bx_prog prog;       /* owned */
    struct evtx_bx_tmpl *next; /* hash chain */
    void *user;                /* a sink's data about this template, owned via user_free */
    void (*user_free)(void *); /* frees `user` when the template leaves the cache */
};

struct bx_slot {
    uint32_t off;              /* definition offset in the chunk */
    uint32_t gen;              /* chunk generation the slot belongs to */
    struct evtx_bx_tmpl *tmpl; /* borrowed from the cache */
};

struct bx_frame {
    struct bx_prog prog;      /* the fragment compiled at this nesting level */
    struct evtx_bx_val *vals; /* owned: values of the instance being run */
    size_t vals_cap;          /* allocated */
};

struct evtx_bx {
    const uint8_t *chunk;                           /* borrowed, see evtx_bx_chunk */
    uint32_t chunk_len;                             /* bytes */
    uint32_t gen;                                   /* chunk generation, never 0 */
    struct evtx_bx_tmpl *buckets[BX_CACHE_BUCKETS]; /* owned cache */
    size_t tmpl_count;                              /* templates in the cache */
    struct bx_slot slots[BX_CHUNK_SLOTS];           /* this chunk's definitions */
    struct bx_prog scratch;                         /* a definition being compiled */
    struct bx_frame frames[BX_MAX_NEST];            /* per nesting level */
    uint64_t compiled, reused;                      /* statistics */
    bool symbolic;                                  /* replaying a template without values */
};

/* Compiler state for one fragment. */
struct bx_reader {
    struct evtx_bx *bx;   /* borrowed */
    struct bx_prog *prog; /* output */
    uint32_t pos, end;    /* chunk offsets */
    bool in_def;          /* inside a template definition */
    unsigned nest;        /* nesting level */
    int depth;            /* open elements */
    struct sho_err *err;  /* may be NULL */
    bool in_start;        /* inside a start tag: attributes may follow */
};

static const struct {
    const char *name;
    size_t len; /* strlen(name) */
    enum evtx_bx_tag tag;
} bx_names[] = {
    { "System", sizeof("System") - 1, BX_TAG_SYSTEM },
    { "Provider", sizeof("Provider") - 1, BX_TAG_PROVIDER },
    { "EventID", sizeof("EventID") - 1, BX_TAG_EVENTID },
    { "Version", sizeof("Version") - 1, BX_TAG_VERSION },
    { "Task", sizeof("Task") - 1, BX_TAG_TASK },
    { "Keywords", sizeof("Keywords") - 1, BX_TAG_KEYWORDS },
    { "TimeCreated", sizeof("TimeCreated") - 1, BX_TAG_TIMECREATED },
    { "EventRecordID", sizeof("EventRecordID") - 1, BX_TAG_RECORDID },
    { "Execution", sizeof("Execution") - 1, BX_TAG_EXECUTION },
    { "Channel", sizeof("Channel") - 1, BX_TAG_CHANNEL },
    { "Computer", sizeof("Computer") - 1, BX_TAG_COMPUTER },
    { "Security", sizeof("Security") - 1, BX_TAG_SECURITY },
    { "EventData", sizeof("EventData") - 1, BX_TAG_EVENTDATA },
    { "UserData", sizeof("UserData") - 1, BX_TAG_USERDATA },
    { "Name", sizeof("Name") - 1, BX_TAG_NAME },
    { "SystemTime", sizeof("SystemTime") - 1, BX_TAG_SYSTEMTIME },
    { "ProcessID", sizeof("ProcessID") - 1, BX_TAG_PROCESSID },
    { "UserID", sizeof("UserID") - 1, BX_TAG_USERID },
};

/* ---- programs ---------------------------------------------------------------------- */

static void prog_init(struct bx_prog *p)
{
    memset(p, 0, sizeof(*p));
    sho_buf_init(&p->strs, BX_STRS_LIMIT);
}

static void prog_reset(struct bx_prog *p)
{
    p->count = 0;
    p->tmpl_count = 0;
    sho_buf_reset(&p->strs);
}

static void prog_release(struct bx_prog *p)
{
    free(p->ops);
    free(p->tmpls);
    sho_buf_release(&p->strs);
    memset(p, 0, sizeof(*p));
}

static int bx_fail(struct bx_reader *r, int code, const char *what)
{
    return sho_err_set(r->err, code, NULL, (int64_t)r->pos, "binary XML: %s", what);
}

static struct bx_op *prog_push(struct bx_reader *r, uint8_t kind)
{
    struct bx_prog *p = r->prog;
    struct bx_op *op;

    if (p->count == p->cap) {
        if (p->cap >= BX_MAX_OPS) {
            (void)bx_fail(r, SHO_ELIMIT, "too many tokens");
            return NULL;
        }
        p->cap = p->cap == 0 ? 64 : p->cap * 2;
        p->ops = sho_xrealloc(p->ops, p->cap * sizeof(*p->ops));
    }
    op = &p->ops[p->count++];
    memset(op, 0, sizeof(*op));
    op->kind = kind;
    return op;
}

static unsigned bx_classify(const char *name, size_t len)
{
    const char *colon = memchr(name, ':', len);
    size_t i;

    if (colon != NULL) {
        len -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    for (i = 0; i < sizeof(bx_names) / sizeof(bx_names[0]); i++) {
        if (bx_names[i].len == len && memcmp(bx_names[i].name, name, len) == 0) {
            return bx_names[i].tag;
        }
    }
    return BX_TAG_OTHER;
}

/* ---- reading tokens ---------------------------------------------------------------- */

static bool bx_have(const struct bx_reader *r, uint32_t n)
{
    return r->end - r->pos >= n;
}

/*
 * Read the name at chunk offset `at` into the program's strings; when it is
 * inline (at == pos) step over it. *s, *len get its place in strs.
 */
static int bx_name(struct bx_reader *r, uint32_t at, uint32_t *s, uint32_t *len, unsigned *tag)
{
    const struct evtx_bx *bx = r->bx;
    struct bx_prog *p = r->prog;
    uint32_t count, size;
    size_t from = p->strs.len;

    if (at > bx->chunk_len || bx->chunk_len - at < BX_NAME_HEAD) {
        return bx_fail(r, SHO_ECORRUPT, "name outside the chunk");
    }
    count = sho_le16(bx->chunk + at + 6);
    size = BX_NAME_HEAD + 2 * count + 2;
    if (bx->chunk_len - at < size) {
        return bx_fail(r, SHO_ECORRUPT, "name runs past the chunk");
    }
    if (evtx_utf16_append(&p->strs, bx->chunk + at + BX_NAME_HEAD, count) != 0 ||
        sho_buf_putc(&p->strs, '\0') != 0) {
        return bx_fail(r, SHO_ELIMIT, "names too long");
    }
    *s = (uint32_t)from;
    *len = (uint32_t)(p->strs.len - from - 1);
    *tag = bx_classify(p->strs.data + from, *len);
    if (at == r->pos) {
        if (!bx_have(r, size)) {
            return bx_fail(r, SHO_ECORRUPT, "inline name runs past the record");
        }
        r->pos += size;
    }
    return 0;
}

static int bx_open_element(struct bx_reader *r, uint8_t token)
{
    const uint8_t *d = r->bx->chunk + r->pos;
    uint32_t skip = r->in_def ? 2 : 0, name_off, s = 0, len = 0;
    unsigned tag = 0;
    struct bx_op *op;
    int rc;

    if (!bx_have(r, skip + 8)) {
        return bx_fail(r, SHO_ECORRUPT, "element token cut short");
    }
    name_off = sho_le32(d + skip + 4);
    r->pos += skip + 8;
    rc = bx_name(r, name_off, &s, &len, &tag);
    if (rc != 0) {
        return rc;
    }
    if (token & 0x40) {
        if (!bx_have(r, 4)) {
            return bx_fail(r, SHO_ECORRUPT, "attribute list size cut short");
        }
        r->pos += 4;
    }
    op = prog_push(r, OP_OPEN);
    if (op == NULL) {
        return SHO_ELIMIT;
    }
    op->a = s;
    op->b = len;
    op->tag = (uint8_t)tag;
    r->depth++;
    r->in_start = true;
    return 0;
}

static int bx_open(struct bx_reader *r, uint8_t token)
{
    if (r->in_start) {
        return bx_fail(r, SHO_ECORRUPT, "element inside a start tag");
    }
    return bx_open_element(r, token);
}

static int bx_attr(struct bx_reader *r)
{
    uint32_t s = 0, len = 0, name_off;
    unsigned tag = 0;
    struct bx_op *op;
    int rc;

    if (!r->in_start) {
        return bx_fail(r, SHO_ECORRUPT, "attribute outside a start tag");
    }
    if (!bx_have(r, 4)) {
        return bx_fail(r, SHO_ECORRUPT, "attribute token cut short");
    }
    name_off = sho_le32(r->bx->chunk + r->pos);
    r->pos += 4;
    rc = bx_name(r, name_off, &s, &len, &tag);
    if (rc != 0) {
        return rc;
    }
    op = prog_push(r, OP_ATTR);
    if (op == NULL) {
        return SHO_ELIMIT;
    }
    op->a = s;
    op->b = len;
    op->tag = (uint8_t)tag;
    return 0;
}

/* Literal text of `len` bytes already appended to strs at `from`. */
static int bx_text_op(struct bx_reader *r, size_t from)
{
    struct bx_op *op;

    if (r->prog->strs.len == from) {
        return 0;
    }
    op = prog_push(r, OP_TEXT);
    if (op == NULL) {
        return SHO_ELIMIT;
    }
    op->a = (uint32_t)from;
    op->b = (uint32_t)(r->prog->strs.len - from);
    return sho_buf_putc(&r->prog->strs, '\0') == 0 ? 0 : bx_fail(r, SHO_ELIMIT, "text too long");
}

/* A UTF-16 string with a u16 count prefix (value tokens, CDATA) as literal text. */
static int bx_utf16_text(struct bx_reader *r, bool keep)
{
    size_t from = r->prog->strs.len;
    uint32_t count;

    if (!bx_have(r, 2)) {
        return bx_fail(r, SHO_ECORRUPT, "text cut short");
    }
    count = sho_le16(r->bx->chunk + r->pos);
    if (!bx_have(r, 2 + 2 * count)) {
        return bx_fail(r, SHO_ECORRUPT, "text runs past the record");
    }
    if (keep && evtx_utf16_append(&r->prog->strs, r->bx->chunk + r->pos + 2, count) != 0) {
        return bx_fail(r, SHO_ELIMIT, "text too long");
    }
    r->pos += 2 + 2 * count;
    return keep ? bx_text_op(r, from) : 0;
}

static int bx_value(struct bx_reader *r)
{
    uint8_t type;

    if (!bx_have(r, 1)) {
        return bx_fail(r, SHO_ECORRUPT, "value token cut short");
    }
    type = r->bx->chunk[r->pos++];
    if (type != EVTX_V_STRING) {
        return bx_fail(r, SHO_ECORRUPT, "value token of a type other than string");
    }
    return bx_utf16_text(r, true);
}

static int bx_charref(struct bx_reader *r)
{
    size_t from = r->prog->strs.len;
    uint8_t unit[2];

    if (!bx_have(r, 2)) {
        return bx_fail(r, SHO_ECORRUPT, "character reference cut short");
    }
    memcpy(unit, r->bx->chunk + r->pos, sizeof(unit));
    r->pos += 2;
    if (evtx_utf16_append(&r->prog->strs, unit, 1) != 0) {
        return bx_fail(r, SHO_ELIMIT, "text too long");
    }
    return bx_text_op(r, from);
}

/* A processing instruction's target: read (it may be an inline name) and dropped. */
static int bx_pi_target(struct bx_reader *r)
{
    uint32_t s = 0, len = 0;
    unsigned tag = 0;
    int rc;

    if (!bx_have(r, 4)) {
        return bx_fail(r, SHO_ECORRUPT, "processing instruction cut short");
    }
    r->pos += 4;
    rc = bx_name(r, sho_le32(r->bx->chunk + r->pos - 4), &s, &len, &tag);
    if (rc == 0) {
        r->prog->strs.len = s;
        r->prog->strs.data[s] = '\0';
    }
    return rc;
}

static int bx_entity(struct bx_reader *r)
{
    static const char *const ents[][2] = {
        { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
    };
    uint32_t s = 0, len = 0;
    unsigned tag = 0;
    size_t from, i;
    char name[8] = "";
    int rc;

    if (!bx_have(r, 4)) {
        return bx_fail(r, SHO_ECORRUPT, "entity reference cut short");
    }
    r->pos += 4;
    rc = bx_name(r, sho_le32(r->bx->chunk + r->pos - 4), &s, &len, &tag);
    if (rc != 0) {
        return rc;
    }
    if (len < sizeof(name)) {
        memcpy(name, r->prog->strs.data + s, len + 1);
    }
    r->prog->strs.len = s; /* the name itself is not text */
    r->prog->strs.data[s] = '\0';
    from = s;
    for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
        if (strcmp(name, ents[i][0]) == 0 && sho_buf_appends(&r->prog->strs, ents[i][1]) != 0) {
            return bx_fail(r, SHO_ELIMIT, "text too long");
        }
    }
    return bx_text_op(r, from);
}

static int bx_subst(struct bx_reader *r, uint8_t token)
{
    struct bx_op *op;

    if (!r->in_def) {
        return bx_fail(r, SHO_ECORRUPT, "substitution outside a template");
    }
    if (!bx_have(r, 3)) {
        return bx_fail(r, SHO_ECORRUPT, "substitution cut short");
    }
    op = prog_push(r, OP_SUBST);
    if (op == NULL) {
        return SHO_ELIMIT;
    }
    op->index = sho_le16(r->bx->chunk + r->pos);
    op->type = r->bx->chunk[r->pos + 2];
    op->optional = token == 0x0e;
    r->pos += 3;
    return 0;
}

static int bx_instance(struct bx_reader *r);

static int bx_close(struct bx_reader *r, bool empty)
{
    if (empty != r->in_start) {
        return bx_fail(r, SHO_ECORRUPT,
                       empty ? "empty-element end outside a start tag"
                             : "end of an element inside its start tag");
    }
    r->in_start = false;
    if (empty && prog_push(r, OP_CONTENT) == NULL) {
        return SHO_ELIMIT;
    }
    if (r->depth == 0) {
        return bx_fail(r, SHO_ECORRUPT, "end of an element never opened");
    }
    r->depth--;
    return prog_push(r, OP_CLOSE) != NULL ? 0 : SHO_ELIMIT;
}

/* One token; *done is set at the end of the stream. */
static int bx_token(struct bx_reader *r, bool *done)
{
    uint8_t token = r->bx->chunk[r->pos++];

    switch (token) {
    case 0x00:
        *done = true;
        return 0;
    case 0x01:
    case 0x41:
        return bx_open(r, token);
    case 0x02:
        if (!r->in_start) {
            return bx_fail(r, SHO_ECORRUPT, "start tag closed twice");
        }
        r->in_start = false;
        return prog_push(r, OP_CONTENT) != NULL ? 0 : SHO_ELIMIT;
    case 0x03:
    case 0x04:
        return bx_close(r, token == 0x03);
    case 0x05:
    case 0x45:
        return bx_value(r);
    case 0x06:
    case 0x46:
        return bx_attr(r);
    case 0x07:
    case 0x47:
        return bx_utf16_text(r, true);
    case 0x08:
    case 0x48:
        return bx_charref(r);
    case 0x09:
    case 0x49:
        return bx_entity(r);
    case 0x0a:
        return bx_pi_target(r);
    case 0x0b:
        return bx_utf16_text(r, false);
    case 0x0c:
        return r->in_def ? bx_fail(r, SHO_ECORRUPT, "template instance inside a template")
                         : bx_instance(r);
    case 0x0d:
    case 0x0e:
        return bx_subst(r, token);
    case 0x0f:
        if (!bx_have(r, 3)) {
            return bx_fail(r, SHO_ECORRUPT, "fragment header cut short");
        }
        r->pos += 3;
        return 0;
    default:
        r->pos--;
        return bx_fail(r, SHO_ECORRUPT, "unknown token");
    }
}

/* Compile the fragment at [r->pos, r->end) into r->prog (reset first). */
static int bx_compile(struct bx_reader *r)
{
    bool done = false;
    int rc = 0;

    prog_reset(r->prog);
    while (rc == 0 && !done) {
        if (r->pos >= r->end) {
            /* Some writers end a definition at its size, without an end-of-stream token. */
            break;
        }
        rc = bx_token(r, &done);
    }
    if (rc == 0 && r->depth != 0) {
        rc = bx_fail(r, SHO_ECORRUPT, "element left open at the end of the fragment");
    }
    return rc;
}

/* ---- the template cache ---------------------------------------------------------- */

static bool tmpl_same(const struct evtx_bx_tmpl *t, const uint8_t *guid, uint32_t size,
                      uint64_t hash, const struct bx_prog *p)
{
    return t->hash == hash && t->data_size == size && memcmp(t->guid, guid, 16) == 0 &&
           t->prog.count == p->count && t->prog.strs.len == p->strs.len &&
           (p->count == 0 || memcmp(t->prog.ops, p->ops, p->count * sizeof(*p->ops)) == 0) &&
           (p->strs.len == 0 || memcmp(t->prog.strs.data, p->strs.data, p->strs.len) == 0);
}

static void cache_clear(struct evtx_bx *bx)
{
    size_t i;

    for (i = 0; i < BX_CACHE_BUCKETS; i++) {
        struct evtx_bx_tmpl *t = bx->buckets[i];
        while (t != NULL) {
            struct evtx_bx_tmpl *next = t->next;
            if (t->user_free != NULL) {
                t->user_free(t->user);
            }
            prog_release(&t->prog);
            free(t);
            t = next;
        }
        bx->buckets[i] = NULL;
    }
    bx->tmpl_count = 0;
}

/* The cached template equal to the one just compiled into bx->scratch, adding it if new. */
static struct evtx_bx_tmpl *cache_intern(struct evtx_bx *bx, const uint8_t *guid, uint32_t size)
{
    struct bx_prog *p = &bx->scratch;
    /* every template is hashed once per chunk it is used in */
    uint64_t h = sho_hash64(p->ops, p->count * sizeof(*p->ops), 0xcbf29ce484222325ULL);
    struct evtx_bx_tmpl *t;
    size_t b;

    h = sho_hash64(p->strs.data, p->strs.len, sho_hash64(guid, 16, h));
    b = (size_t)(h % BX_CACHE_BUCKETS);
    for (t = bx->buckets[b]; t != NULL; t = t->next) {
        if (tmpl_same(t, guid, size, h, p)) {
            bx->reused++;
            return t;
        }
    }
    t = sho_xcalloc(1, sizeof(*t));
    memcpy(t->guid, guid, 16);
    t->data_size = size;
    t->hash = h;
    t->prog = *p; /* the scratch program moves into the cache */
    prog_init(p);
    t->next = bx->buckets[b];
    bx->buckets[b] = t;
    bx->tmpl_count++;
    bx->compiled++;
    return t;
}

static struct bx_slot *slot_for(struct evtx_bx *bx, uint32_t off)
{
    size_t i = (off * 2654435761u) % BX_CHUNK_SLOTS, n;

    for (n = 0; n < BX_CHUNK_SLOTS; n++, i = (i + 1) % BX_CHUNK_SLOTS) {
        if (bx->slots[i].gen != bx->gen || bx->slots[i].off == off) {
            return &bx->slots[i];
        }
    }
    return NULL;
}

/* The compiled template whose definition is at chunk offset `def`. */
static int bx_template(struct bx_reader *r, uint32_t def, struct evtx_bx_tmpl **out)
{
    struct evtx_bx *bx = r->bx;
    struct bx_slot *slot = slot_for(bx, def);
    struct bx_reader dr;
    uint32_t size;
    int rc;

    if (slot != NULL && slot->gen == bx->gen) {
        *out = slot->tmpl;
        return 0;
    }
    if (def > bx->chunk_len || bx->chunk_len - def < BX_DEF_HEAD) {
        return bx_fail(r, SHO_ECORRUPT, "template definition outside the chunk");
    }
    size = sho_le32(bx->chunk + def + 20);
    if (bx->chunk_len - def - BX_DEF_HEAD < size) {
        return bx_fail(r, SHO_ECORRUPT, "template definition runs past the chunk");
    }
    dr = (struct bx_reader){
        bx,     &bx->scratch, def + BX_DEF_HEAD, def + BX_DEF_HEAD + size, true, r->nest, 0,
        r->err, false
    };
    rc = bx_compile(&dr);
    if (rc != 0) {
        return rc;
    }
    *out = cache_intern(bx, bx->chunk + def + 4, size);
    if (slot != NULL) {
        *slot = (struct bx_slot){ def, bx->gen, *out };
    }
    return 0;
}

/* Check the value array at r->pos and step over it. */
static int bx_skip_values(struct bx_reader *r)
{
    const uint8_t *d = r->bx->chunk + r->pos;
    uint32_t count, i;
    uint64_t total;

    if (!bx_have(r, 4)) {
        return bx_fail(r, SHO_ECORRUPT, "substitution count cut short");
    }
    count = sho_le32(d);
    if (count > BX_MAX_VALUES || (uint64_t)count * 4 > r->end - r->pos - 4) {
        return bx_fail(r, SHO_ECORRUPT, "substitution count larger than the record");
    }
    total = 4 + (uint64_t)count * 4;
    for (i = 0; i < count; i++) {
        total += sho_le16(d + 4 + (size_t)4 * i);
    }
    if (total > r->end - r->pos) {
        return bx_fail(r, SHO_ECORRUPT, "substitution values run past the record");
    }
    r->pos += (uint32_t)total;
    return 0;
}

/* The instance header at r->pos: find (compile) its template and step to its values. */
static int bx_instance_head(struct bx_reader *r, struct evtx_bx_tmpl **t)
{
    uint32_t def;
    int rc;

    if (!bx_have(r, 9)) {
        return bx_fail(r, SHO_ECORRUPT, "template instance cut short");
    }
    def = sho_le32(r->bx->chunk + r->pos + 5);
    r->pos += 9;
    rc = bx_template(r, def, t);
    if (rc != 0 || *t == NULL) {
        return rc != 0 ? rc : bx_fail(r, SHO_ECORRUPT, "template not found");
    }
    if (def == r->pos) {
        /* The definition is inline: step over it to the values. */
        if (!bx_have(r, BX_DEF_HEAD + (*t)->data_size)) {
            return bx_fail(r, SHO_ECORRUPT, "inline template definition runs past the record");
        }
        r->pos += BX_DEF_HEAD + (*t)->data_size;
    }
    return 0;
}

static int bx_instance(struct bx_reader *r)
{
    struct bx_prog *p = r->prog;
    struct evtx_bx_tmpl *t = NULL;
    struct bx_op *op;
    int rc;

    rc = bx_instance_head(r, &t);
    if (rc != 0) {
        return rc;
    }
    if (p->tmpl_count == p->tmpl_cap) {
        p->tmpl_cap = p->tmpl_cap == 0 ? 4 : p->tmpl_cap * 2;
        p->tmpls = sho_xrealloc(p->tmpls, p->tmpl_cap * sizeof(*p->tmpls));
    }
    op = prog_push(r, OP_TEMPLATE);
    if (op == NULL) {
        return SHO_ELIMIT;
    }
    p->tmpls[p->tmpl_count].tmpl = t;
    op->a = (uint32_t)p->tmpl_count++;
    op->b = r->pos;
    return bx_skip_values(r);
}

/*
 * Read and check the value array at r->pos into frame `nest` and step over
 * it (the common path: one pass over the descriptors).
 */
static int bx_read_values(struct bx_reader *r, size_t *count_out)
{
    struct bx_frame *f = &r->bx->frames[r->nest];
    const uint8_t *d = r->bx->chunk + r->pos;
    const uint8_t *v;
    uint32_t count, i;
    uint64_t total;

    if (!bx_have(r, 4)) {
        return bx_fail(r, SHO_ECORRUPT, "substitution count cut short");
    }
    count = sho_le32(d);
    if (count > BX_MAX_VALUES || (uint64_t)count * 4 > r->end - r->pos - 4) {
        return bx_fail(r, SHO_ECORRUPT, "substitution count larger than the record");
    }
    if (count > f->vals_cap) {
        f->vals_cap = count < 64 ? 64 : count;
        f->vals = sho_xrealloc(f->vals, f->vals_cap * sizeof(*f->vals));
    }
    total = 4 + (uint64_t)count * 4;
    v = d + total;
    for (i = 0; i < count; i++) {
        const uint8_t *desc = d + 4 + (size_t)4 * i;
        f->vals[i].p = v;
        f->vals[i].len = sho_le16(desc);
        f->vals[i].type = desc[2];
        v += f->vals[i].len;
        total += f->vals[i].len;
    }
    if (total > r->end - r->pos) {
        return bx_fail(r, SHO_ECORRUPT, "substitution values run past the record");
    }
    r->pos += (uint32_t)total;
    *count_out = count;
    return 0;
}

/* ---- running ------------------------------------------------------------------------ */

static int bx_run(struct evtx_bx *bx, const struct bx_prog *p, const struct evtx_bx_val *vals,
                  size_t nvals, unsigned nest, const struct evtx_bx_sink *sink,
                  struct sho_err *err);

/* Decode the fragment at [off, end) at nesting level `nest`. */
static int bx_fragment(struct evtx_bx *bx, uint32_t off, uint32_t end, unsigned nest,
                       const struct evtx_bx_sink *sink, struct sho_err *err)
{
    struct bx_reader r;
    int rc;

    if (nest >= BX_MAX_NEST) {
        return sho_err_set(err, SHO_ECORRUPT, NULL, off, "binary XML nested too deeply");
    }
    /*
     * Nearly every record is a fragment header, one template instance and
     * the end token: run the cached template on the values directly,
     * without compiling the fragment.
     */
    if (end - off >= 5 && bx->chunk[off] == 0x0f && bx->chunk[off + 4] == 0x0c) {
        struct evtx_bx_tmpl *t = NULL;
        size_t count = 0;
        r = (struct bx_reader){
            bx, &bx->frames[nest].prog, off + 5, end, false, nest, 0, err, false
        };
        rc = bx_instance_head(&r, &t);
        if (rc == 0) {
            rc = bx_read_values(&r, &count);
        }
        if (rc != 0) {
            return rc;
        }
        if (t != NULL && (r.pos >= end || bx->chunk[r.pos] == 0x00)) {
            /* Only a whole record: a nested fragment's place in the document varies. */
            if (sink->instance != NULL && nest == 0) {
                rc = sink->instance(sink->ctx, bx, t, bx->frames[nest].vals, count);
                if (rc != 0) {
                    return rc < 0 ? rc : 0;
                }
            }
            return bx_run(bx, &t->prog, bx->frames[nest].vals, count, nest, sink, err);
        }
    }
    r = (struct bx_reader){ bx, &bx->frames[nest].prog, off, end, false, nest, 0, err, false };
    rc = bx_compile(&r);
    if (rc == 0) {
        rc = bx_run(bx, r.prog, NULL, 0, nest, sink, err);
    }
    return rc;
}

/* Read the value array at chunk offset `at` (checked when compiled) into frame `nest`. */
static size_t bx_values(struct evtx_bx *bx, uint32_t at, unsigned nest)
{
    struct bx_frame *f = &bx->frames[nest];
    const uint8_t *d = bx->chunk + at;
    uint32_t count = sho_le32(d), i;
    const uint8_t *v = d + 4 + 4 * (size_t)count;

    if (count > f->vals_cap) {
        f->vals_cap = count < 64 ? 64 : count;
        f->vals = sho_xrealloc(f->vals, f->vals_cap * sizeof(*f->vals));
    }
    for (i = 0; i < count; i++) {
        f->vals[i].p = v;
        f->vals[i].len = sho_le16(d + 4 + (size_t)4 * i);
        f->vals[i].type = d[4 + (size_t)4 * i + 2];
        v += f->vals[i].len;
    }
    return count;
}

static bool val_empty(const struct evtx_bx_val *v)
{
    return v == NULL || v->type == EVTX_V_NULL || v->len == 0;
}

static int bx_subst_run(struct evtx_bx *bx, const struct evtx_bx_val *v, unsigned nest,
                        const struct evtx_bx_sink *sink, struct sho_err *err)
{
    if (v == NULL || val_empty(v)) {
        return 0;
    }
    if (v->type == EVTX_V_BINXML) {
        uint32_t at = (uint32_t)(v->p - bx->chunk);
        return bx_fragment(bx, at, at + v->len, nest + 1, sink, err);
    }
    if ((v->type & 0x7F) == EVTX_V_BINXML) {
        return 0; /* arrays of binary XML: no rendering is defined */
    }
    return sink->value(sink->ctx, v);
}

/* An attribute whose whole value is one empty substitution is left out, as libevtx does. */
static bool bx_attr_empty(const struct bx_prog *p, size_t i, const struct evtx_bx_val *vals,
                          size_t nvals)
{
    const struct bx_op *s = &p->ops[i + 1];

    if (i + 2 >= p->count || s->kind != OP_SUBST) {
        return false;
    }
    if (p->ops[i + 2].kind == OP_TEXT || p->ops[i + 2].kind == OP_SUBST) {
        return false;
    }
    return s->index >= nvals || val_empty(&vals[s->index]);
}

static int bx_run(struct evtx_bx *bx, const struct bx_prog *p, const struct evtx_bx_val *vals,
                  size_t nvals, unsigned nest, const struct evtx_bx_sink *sink, struct sho_err *err)
{
    const char *strs = p->strs.data;
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < p->count; i++) {
        const struct bx_op *op = &p->ops[i];
        switch (op->kind) {
        case OP_OPEN:
            rc = sink->open(sink->ctx, strs + op->a, op->b, op->tag);
            break;
        case OP_ATTR:
            if (!bx->symbolic && bx_attr_empty(p, i, vals, nvals)) {
                i++;
                break;
            }
            rc = sink->attr(sink->ctx, strs + op->a, op->b, op->tag);
            break;
        case OP_CONTENT:
            rc = sink->content(sink->ctx);
            break;
        case OP_CLOSE:
            rc = sink->close(sink->ctx);
            break;
        case OP_TEXT:
            rc = sink->text(sink->ctx, strs + op->a, op->b);
            break;
        case OP_SUBST:
            if (bx->symbolic) {
                const struct evtx_bx_val v = { NULL, (uint32_t)op->index + 1, EVTX_BX_SYMBOLIC };
                rc = sink->value(sink->ctx, &v);
                break;
            }
            rc = bx_subst_run(bx, op->index < nvals ? &vals[op->index] : NULL, nest, sink, err);
            break;
        case OP_TEMPLATE: {
            const struct evtx_bx_tmpl *t = p->tmpls[op->a].tmpl;
            size_t n = bx_values(bx, op->b, nest);
            rc = t == NULL ? SHO_ECORRUPT
                           : bx_run(bx, &t->prog, bx->frames[nest].vals, n, nest, sink, err);
            break;
        }
        default:
            break;
        }
    }
    return rc;
}

/* ---- public ------------------------------------------------------------------------- */

struct evtx_bx *evtx_bx_new(void)
{
    struct evtx_bx *bx = sho_xcalloc(1, sizeof(*bx));
    size_t i;

    prog_init(&bx->scratch);
    for (i = 0; i < BX_MAX_NEST; i++) {
        prog_init(&bx->frames[i].prog);
    }
    return bx;
}

void evtx_bx_free(struct evtx_bx *bx)
{
    size_t i;

    if (bx == NULL) {
        return;
    }
    cache_clear(bx);
    prog_release(&bx->scratch);
    for (i = 0; i < BX_MAX_NEST; i++) {
        prog_release(&bx->frames[i].prog);
        free(bx->frames[i].vals);
    }
    free(bx);
}

void evtx_bx_chunk(struct evtx_bx *bx, const uint8_t *chunk, size_t len)
{
    bx->chunk = chunk;
    bx->chunk_len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    bx->gen++;
    if (bx->gen == 0) {
        memset(bx->slots, 0, sizeof(bx->slots));
        bx->gen = 1;
    }
    if (bx->tmpl_count >= BX_CACHE_MAX) {
        cache_clear(bx);
    }
}

int evtx_bx_decode(struct evtx_bx *bx, uint32_t off, uint32_t end, const struct evtx_bx_sink *sink,
                   struct sho_err *err)
{
    if (end > bx->chunk_len || off > end) {
        return sho_err_set(err, SHO_ECORRUPT, NULL, off, "binary XML outside the chunk");
    }
    return bx_fragment(bx, off, end, 0, sink, err);
}

void *evtx_bx_tmpl_user(const struct evtx_bx_tmpl *t)
{
    return t->user;
}

void evtx_bx_tmpl_set_user(struct evtx_bx_tmpl *t, void *user, void (*user_free)(void *))
{
    if (t->user_free != NULL) {
        t->user_free(t->user);
    }
    t->user = user;
    t->user_free = user_free;
}

int evtx_bx_tmpl_replay(struct evtx_bx *bx, const struct evtx_bx_tmpl *t,
                        const struct evtx_bx_sink *sink, struct sho_err *err)
{
    int rc;

    bx->symbolic = true;
    rc = bx_run(bx, &t->prog, NULL, 0, 0, sink, err);
    bx->symbolic = false;
    return rc;
}

void evtx_bx_stats(const struct evtx_bx *bx, uint64_t *compiled, uint64_t *reused)
{
    *compiled = bx->compiled;
    *reused = bx->reused;
}
