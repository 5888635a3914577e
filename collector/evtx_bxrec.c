/*
 * evtx_bxrec: decoded binary XML -> winrec, the hot path of our EVTX decoder.
 * It follows evtx_xml.c rule for rule, so both decoders fill the same winrec:
 *
 *   Event / System / Provider@Name, EventID, Version, Task, Keywords,
 *                    TimeCreated@SystemTime, EventRecordID, Execution@ProcessID,
 *                    Channel, Computer, Security@UserID
 *   Event / EventData / <el Name="n"> text  -> field (n, text); no Name: el + counter
 *   Event / UserData / ... / <Leaf> text    -> field (Leaf, text), any depth
 *
 * Values are turned into text only when they are captured, and what expat
 * would do to libevtx's text is done here too: CR LF and CR become LF in
 * content, tab, CR and LF become spaces in attributes, and C0 control
 * characters become U+FFFD (evtx_xml's retry). Numbers in System are taken
 * from the value itself when it is an integer.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "evtx_bxsink.h"
#include "evtx_value.h"

#define REC_TEXT_LIMIT  ((size_t)16 * 1024 * 1024)
#define REC_NAME_LIMIT  4096
#define REC_UNNAMED_MAX 32

enum rec_section { SEC_NONE, SEC_SYSTEM, SEC_EVENTDATA, SEC_USERDATA, SEC_OTHER };

/*
 * A template's plan: what the callbacks below end up storing for it, as a
 * list of captures (a System value, an attribute, a named field), each the
 * concatenation of literal text and substitutions. It is recorded once per
 * cached template by replaying the template with symbolic values, and then
 * applied to each record by feeding only the captured parts through the
 * same callbacks, so the result is the same by construction.
 */
struct plan_part {
    uint32_t subst;    /* substitution index + 1; 0 for literal text */
    uint32_t off, len; /* literal text in the plan's strs */
};

struct plan_action {
    uint8_t tag;           /* enum evtx_bx_tag of the capture */
    bool is_attr;          /* an attribute of a System element */
    uint32_t name_off;     /* field name in strs (tag BX_TAG_NAME, element) */
    uint32_t name_len;     /* its length */
    uint32_t first, count; /* its parts */
};

struct rec_plan {
    bool is_valid;               /* false: the template needs the full replay */
    struct plan_action *acts;    /* owned */
    size_t act_count, act_cap;   /* in use, allocated */
    struct plan_part *parts;     /* owned */
    size_t part_count, part_cap; /* in use, allocated */
    struct sho_buf strs;         /* owned: literal text and field names */
};

struct evtx_bxrec {
    struct winrec *rec;       /* borrowed during a decode */
    struct rec_plan *plan;    /* the plan being recorded, NULL when decoding */
    size_t cap_first;         /* first plan part of the element capture */
    size_t attr_first;        /* first plan part of the attribute capture */
    unsigned depth;           /* element depth, <Event> is 1 */
    enum rec_section section; /* which part of <Event> we are in */
    unsigned target;          /* enum evtx_bx_tag of the captured element, 0 none */
    unsigned target_depth;    /* its depth */
    unsigned data_index;      /* unnamed EventData element counter */
    bool in_start;            /* between an element's name and its content */
    unsigned el_tag;          /* the element in its start tag */
    const char *el_name;      /* its name, borrowed during the start tag */
    size_t el_len;            /* its length */
    unsigned attr;            /* the attribute being captured (enum evtx_bx_tag), 0 none */
    bool has_name_attr;       /* the element carries a Name attribute */
    bool attr_is_num;         /* attr_num holds the attribute's integer value */
    bool attr_ctl;            /* attr_text may hold control characters */
    uint64_t attr_num;        /* raw FILETIME or integer of the captured attribute */
    struct sho_buf name;      /* field name of the capture */
    struct sho_buf text;      /* captured character data */
    bool text_ctl;            /* text may hold control characters (rec_xmlize needed) */
    bool has_num;             /* num holds a System number not yet turned into text */
    struct evtx_bx_val num;   /* its value (bytes borrowed from the chunk) */
    struct sho_buf attr_text; /* captured attribute value */
    bool fnum_ok;             /* a named field's text began with the number fnum */
    uint64_t fnum;            /* that number */
    size_t fnum_end;          /* the text's length right after it */
};

/* ---- plans ------------------------------------------------------------------------ */

static void plan_free(void *p)
{
    struct rec_plan *plan = p;

    if (plan == NULL) {
        return;
    }
    free(plan->acts);
    free(plan->parts);
    sho_buf_release(&plan->strs);
    free(plan);
}

static void plan_part(struct rec_plan *plan, uint32_t subst, const char *t, size_t len)
{
    struct plan_part *pp;
    size_t at = plan->strs.len;

    if (t != NULL && sho_buf_append(&plan->strs, t, len) != 0) {
        plan->is_valid = false;
        return;
    }
    if (plan->part_count == plan->part_cap) {
        plan->part_cap = plan->part_cap == 0 ? 32 : plan->part_cap * 2;
        plan->parts = sho_xrealloc(plan->parts, plan->part_cap * sizeof(*plan->parts));
    }
    pp = &plan->parts[plan->part_count++];
    pp->subst = subst;
    pp->off = (uint32_t)at;
    pp->len = (uint32_t)(t != NULL ? len : 0);
}

static void plan_action(struct rec_plan *plan, unsigned tag, bool is_attr,
                        const struct sho_buf *name, size_t first)
{
    struct plan_action *a;
    size_t at = plan->strs.len;

    if (name != NULL && name->len > 0 && sho_buf_append(&plan->strs, name->data, name->len) != 0) {
        plan->is_valid = false;
        return;
    }
    if (plan->act_count == plan->act_cap) {
        plan->act_cap = plan->act_cap == 0 ? 16 : plan->act_cap * 2;
        plan->acts = sho_xrealloc(plan->acts, plan->act_cap * sizeof(*plan->acts));
    }
    a = &plan->acts[plan->act_count++];
    a->tag = (uint8_t)tag;
    a->is_attr = is_attr;
    a->name_off = (uint32_t)at;
    a->name_len = (uint32_t)(name != NULL ? name->len : 0);
    a->first = (uint32_t)first;
    a->count = (uint32_t)(plan->part_count - first);
}

/* In-place: what expat gives back for libevtx's text of these bytes. */
/* Does `p` (`n` bytes) hold a C0 control character? Most text holds none. */
static bool rec_has_ctl(const char *p, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    const __m128i ctl_max = _mm_set1_epi8(0x1F);

    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* unsigned v <= 0x1F exactly when min(v, 0x1F) == v */
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl_max), v)) != 0) {
            return true;
        }
    }
#endif
    for (; i < n; i++) {
        if ((unsigned char)p[i] < 0x20) {
            return true;
        }
    }
    return false;
}

static void rec_xmlize(struct sho_buf *b, bool attribute)
{
    size_t i, o = 0;

    if (b->data == NULL || !rec_has_ctl(b->data, b->len)) {
        return;
    }
    for (i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c == '\r') {
            if (i + 1 < b->len && b->data[i + 1] == '\n') {
                continue;
            }
            c = '\n';
        }
        if (attribute && (c == '\n' || c == '\t')) {
            c = ' ';
        }
        if (c < 0x20 && c != '\n' && c != '\t') {
            /* U+FFFD is 3 bytes for 1: rare, so shift the tail. */
            if (sho_buf_reserve(b, 2) != 0) {
                c = '?';
            } else {
                memmove(b->data + i + 3, b->data + i + 1, b->len - i - 1);
                b->len += 2;
                memcpy(b->data + o, "\xEF\xBF\xBD", 3);
                o += 3;
                i += 2;
                continue;
            }
        }
        b->data[o++] = (char)c;
    }
    b->len = o;
    b->data[o] = '\0';
}

static void rec_begin(struct evtx_bxrec *s, unsigned target, const char *name, size_t len)
{
    s->target = target;
    s->target_depth = s->depth;
    s->text_ctl = false;
    s->has_num = false;
    s->fnum_ok = false;
    s->cap_first = s->plan != NULL ? s->plan->part_count : 0;
    sho_buf_reset(&s->text);
    sho_buf_reset(&s->name);
    /* The name buffer holds REC_NAME_LIMIT bytes and the length is cut to fit. */
    if (name != NULL &&
        sho_buf_append(&s->name, name, len < REC_NAME_LIMIT ? len : REC_NAME_LIMIT - 1) != 0) {
        sho_buf_reset(&s->name);
    }
}

static int rec_open(void *ctx, const char *name, size_t len, unsigned tag)
{
    struct evtx_bxrec *s = ctx;

    s->depth++;
    s->in_start = true;
    s->el_tag = tag;
    s->el_name = name;
    s->el_len = len;
    s->has_name_attr = false;
    s->attr = 0;
    if (s->depth == 2) {
        s->section = tag == BX_TAG_SYSTEM      ? SEC_SYSTEM
                     : tag == BX_TAG_EVENTDATA ? SEC_EVENTDATA
                     : tag == BX_TAG_USERDATA  ? SEC_USERDATA
                                               : SEC_OTHER;
    } else if (s->depth == 3 && s->section == SEC_SYSTEM) {
        switch (tag) {
        case BX_TAG_EVENTID:
        case BX_TAG_VERSION:
        case BX_TAG_TASK:
        case BX_TAG_KEYWORDS:
        case BX_TAG_RECORDID:
        case BX_TAG_CHANNEL:
        case BX_TAG_COMPUTER:
            rec_begin(s, tag, NULL, 0);
            break;
        default:
            break;
        }
    } else if (s->depth >= 4 && s->section == SEC_USERDATA) {
        /* A new child means the element being captured was a wrapper, not a leaf. */
        const char *colon = memchr(name, ':', len);
        if (colon != NULL) {
            len -= (size_t)(colon + 1 - name);
            name = colon + 1;
        }
        rec_begin(s, BX_TAG_NAME, name, len);
    }
    return 0;
}

static bool rec_wants_attr(const struct evtx_bxrec *s, unsigned tag)
{
    if (s->depth != 3) {
        return false;
    }
    if (s->section == SEC_EVENTDATA) {
        return tag == BX_TAG_NAME;
    }
    if (s->section != SEC_SYSTEM) {
        return false;
    }
    return (s->el_tag == BX_TAG_PROVIDER && tag == BX_TAG_NAME) ||
           (s->el_tag == BX_TAG_TIMECREATED && tag == BX_TAG_SYSTEMTIME) ||
           (s->el_tag == BX_TAG_EXECUTION && tag == BX_TAG_PROCESSID) ||
           (s->el_tag == BX_TAG_SECURITY && tag == BX_TAG_USERID);
}

/* Recording: an attribute capture becomes an action; a field name must be literal. */
static int rec_attr_plan(struct evtx_bxrec *s)
{
    struct rec_plan *plan = s->plan;
    size_t i;

    if (s->section == SEC_EVENTDATA) {
        s->has_name_attr = true;
        sho_buf_reset(&s->name);
        for (i = s->attr_first; i < plan->part_count; i++) {
            const struct plan_part *pp = &plan->parts[i];
            if (pp->subst != 0 ||
                sho_buf_append(&s->name, plan->strs.data + pp->off, pp->len) != 0) {
                plan->is_valid = false; /* names from values: replay each record */
            }
        }
    } else {
        plan_action(plan, s->attr, true, NULL, s->attr_first);
    }
    s->attr = 0;
    return 0;
}

static int rec_attr_done(struct evtx_bxrec *s)
{
    struct winrec *r = s->rec;
    const char *t;
    uint64_t v;
    int rc = 0;

    if (s->plan != NULL) {
        return rec_attr_plan(s);
    }
    if (s->attr_ctl) {
        rec_xmlize(&s->attr_text, true); /* may move the text: take `t` after */
    }
    t = s->attr_text.data != NULL ? s->attr_text.data : "";
    if (s->section == SEC_EVENTDATA) {
        s->has_name_attr = true;
        sho_buf_reset(&s->name);
        rc = sho_buf_append(&s->name, t, s->attr_text.len);
    } else if (s->attr == BX_TAG_NAME) {
        rc = winrec_store(r, t, s->attr_text.len, &r->provider);
    } else if (s->attr == BX_TAG_USERID) {
        rc = winrec_store(r, t, s->attr_text.len, &r->security_id);
    } else if (s->attr == BX_TAG_SYSTEMTIME) {
        if (s->attr_is_num || sho_time_parse_iso(t, s->attr_text.len, &r->time) == 0) {
            r->time = s->attr_is_num ? s->attr_num : r->time;
            r->has |= WINREC_HAS_TIME;
        }
    } else if (s->attr == BX_TAG_PROCESSID) {
        if (s->attr_is_num
                ? s->attr_num <= UINT32_MAX
                : sho_parse_u64n(t, s->attr_text.len, UINT32_MAX, SHO_PARSE_HEX, &v) == 0) {
            r->exec_pid = (uint32_t)(s->attr_is_num ? s->attr_num : v);
            r->has |= WINREC_HAS_EXEC_PID;
        }
    }
    s->attr = 0;
    return rc == 0 ? 0 : SHO_ELIMIT;
}

static int rec_attr(void *ctx, const char *name, size_t len, unsigned tag)
{
    struct evtx_bxrec *s = ctx;
    int rc = 0;

    (void)name;
    (void)len;
    if (s->attr != 0) {
        rc = rec_attr_done(s);
    }
    if (rec_wants_attr(s, tag)) {
        s->attr = tag;
        s->attr_is_num = false;
        s->attr_ctl = false;
        s->attr_first = s->plan != NULL ? s->plan->part_count : 0;
        sho_buf_reset(&s->attr_text);
    }
    return rc;
}

static int rec_content(void *ctx)
{
    struct evtx_bxrec *s = ctx;
    char unnamed[REC_UNNAMED_MAX + REC_NAME_LIMIT];
    int rc = 0;

    if (s->attr != 0) {
        rc = rec_attr_done(s);
    }
    s->in_start = false;
    if (s->depth == 3 && s->section == SEC_EVENTDATA) {
        if (s->has_name_attr) {
            /* The field name is already in s->name (rec_attr_done). */
            s->target = BX_TAG_NAME;
            s->target_depth = s->depth;
            s->text_ctl = false;
            s->has_num = false;
            s->cap_first = s->plan != NULL ? s->plan->part_count : 0;
            sho_buf_reset(&s->text);
        } else {
            /* Classic events carry unnamed <Data>; number them so none is lost. */
            const char *el = s->el_name, *colon = memchr(el, ':', s->el_len);
            size_t len = s->el_len;
            int n;
            if (colon != NULL) {
                len -= (size_t)(colon + 1 - el);
                el = colon + 1;
            }
            n = snprintf(unnamed, sizeof(unnamed), "%.*s%u", (int)(len < REC_NAME_LIMIT ? len : 0),
                         el, s->data_index++);
            rec_begin(s, BX_TAG_NAME, unnamed, n > 0 ? (size_t)n : 0);
        }
    }
    return rc;
}

static bool rec_capturing(const struct evtx_bxrec *s)
{
    return s->target != 0 && s->depth == s->target_depth;
}

/* Turn a held System number into text: more content follows it. */
static int rec_flush_num(struct evtx_bxrec *s)
{
    if (!s->has_num) {
        return 0;
    }
    s->has_num = false;
    return evtx_value_append(&s->text, s->num.type, s->num.p, s->num.len);
}

static int rec_text(void *ctx, const char *t, size_t len)
{
    struct evtx_bxrec *s = ctx;

    if (s->plan != NULL) {
        if ((s->in_start && s->attr != 0) || (!s->in_start && rec_capturing(s))) {
            plan_part(s->plan, 0, t, len);
        }
        return 0;
    }
    if (s->in_start) {
        s->attr_ctl = true;
        return s->attr != 0 && sho_buf_append(&s->attr_text, t, len) != 0 ? SHO_ELIMIT : 0;
    }
    if (!rec_capturing(s) || rec_flush_num(s) != 0) {
        return rec_capturing(s) ? SHO_ELIMIT : 0;
    }
    s->text_ctl = true;
    return sho_buf_append(&s->text, t, len) == 0 ? 0 : SHO_ELIMIT;
}

/*
 * Can the value be kept as a number for System element `target`? Only when
 * its text would parse to the same number: decimal types for the decimal
 * elements, hexadecimal ones too for Keywords.
 */
static bool rec_num_ok(unsigned target, const struct evtx_bx_val *v)
{
    uint64_t n;

    if (target == BX_TAG_NAME || target == BX_TAG_CHANNEL || target == BX_TAG_COMPUTER ||
        !evtx_value_u64(v->type, v->p, v->len, &n)) {
        return false;
    }
    return target == BX_TAG_KEYWORDS || (v->type != EVTX_V_HEX32 && v->type != EVTX_V_HEX64);
}

static int rec_attr_value(struct evtx_bxrec *s, const struct evtx_bx_val *v)
{
    if (s->attr_text.len == 0 && !s->attr_is_num &&
        ((s->attr == BX_TAG_SYSTEMTIME && v->type == EVTX_V_FILETIME && v->len == 8) ||
         (s->attr == BX_TAG_PROCESSID && evtx_value_u64(v->type, v->p, v->len, &s->attr_num)))) {
        if (s->attr == BX_TAG_SYSTEMTIME) {
            s->attr_num = sho_le64(v->p);
        }
        s->attr_is_num = true;
        return 0;
    }
    s->attr_is_num = false;
    s->attr_ctl |= v->type == EVTX_V_STRING || v->type == EVTX_V_ANSI || (v->type & EVTX_V_ARRAY);
    return evtx_value_append(&s->attr_text, v->type, v->p, v->len);
}

static int rec_value(void *ctx, const struct evtx_bx_val *v)
{
    struct evtx_bxrec *s = ctx;
    bool ctl = false;
    int rc;

    if (s->plan != NULL) {
        if ((s->in_start && s->attr != 0) || (!s->in_start && rec_capturing(s))) {
            plan_part(s->plan, v->len, NULL, 0); /* symbolic: len is the index + 1 */
        }
        return 0;
    }
    if (s->in_start) {
        return s->attr == 0 ? 0 : rec_attr_value(s, v);
    }
    if (!rec_capturing(s)) {
        return 0;
    }
    if (s->text.len == 0 && !s->has_num && rec_num_ok(s->target, v)) {
        s->num = *v;
        s->has_num = true;
        return 0;
    }
    rc = rec_flush_num(s);
    if (s->target == BX_TAG_NAME) {
        /* A field that is one unsigned number keeps it: normalization need not parse it. */
        s->fnum_ok = s->text.len == 0 && evtx_value_u64(v->type, v->p, v->len, &s->fnum);
    }
    if (rc == 0 && v->type == EVTX_V_STRING) {
        rc = evtx_utf16_append_ctl(&s->text, v->p, v->len / 2, &ctl);
        s->text_ctl |= ctl;
    } else if (rc == 0) {
        s->text_ctl |= v->type == EVTX_V_ANSI || v->type == (EVTX_V_ARRAY | EVTX_V_STRING) ||
                       v->type == (EVTX_V_ARRAY | EVTX_V_ANSI);
        rc = evtx_value_append(&s->text, v->type, v->p, v->len);
    }
    s->fnum_end = s->text.len;
    return rc;
}

static void rec_number(struct evtx_bxrec *s, uint64_t max, unsigned flags, uint32_t has)
{
    struct winrec *r = s->rec;
    uint64_t v;

    if (s->has_num && s->text.len == 0) {
        (void)evtx_value_u64(s->num.type, s->num.p, s->num.len, &v);
        if (v > max) {
            return;
        }
    } else if (rec_flush_num(s) != 0 || sho_parse_u64n(s->text.data != NULL ? s->text.data : "",
                                                       s->text.len, max, flags, &v) != 0) {
        return;
    }
    s->has_num = false;
    r->has |= has;
    switch (has) {
    case WINREC_HAS_EVENT_ID:
        r->event_id = (uint32_t)v;
        break;
    case WINREC_HAS_VERSION:
        r->version = (uint32_t)v;
        break;
    case WINREC_HAS_TASK:
        r->task = (uint32_t)v;
        break;
    case WINREC_HAS_KEYWORDS:
        r->keywords = v;
        break;
    default:
        r->record_id = v;
        break;
    }
}

static int rec_finish(struct evtx_bxrec *s)
{
    struct winrec *r = s->rec;
    const char *t;
    bool is_num;

    if (s->plan != NULL) {
        plan_action(s->plan, s->target, false, s->target == BX_TAG_NAME ? &s->name : NULL,
                    s->cap_first);
        return 0;
    }
    /* the number stands for the field only when nothing came after it */
    is_num = s->fnum_ok && s->text.len == s->fnum_end && !s->text_ctl;
    if (s->text_ctl) {
        rec_xmlize(&s->text, false);
    }
    t = s->text.data != NULL ? s->text.data : "";
    switch (s->target) {
    case BX_TAG_EVENTID:
        rec_number(s, UINT32_MAX, 0, WINREC_HAS_EVENT_ID);
        return 0;
    case BX_TAG_VERSION:
        rec_number(s, UINT32_MAX, 0, WINREC_HAS_VERSION);
        return 0;
    case BX_TAG_TASK:
        rec_number(s, UINT32_MAX, 0, WINREC_HAS_TASK);
        return 0;
    case BX_TAG_KEYWORDS:
        rec_number(s, UINT64_MAX, SHO_PARSE_HEX, WINREC_HAS_KEYWORDS);
        return 0;
    case BX_TAG_RECORDID:
        rec_number(s, UINT64_MAX, 0, WINREC_HAS_RECORD_ID);
        return 0;
    case BX_TAG_CHANNEL:
        return winrec_store(r, t, s->text.len, &r->channel);
    case BX_TAG_COMPUTER:
        return winrec_store(r, t, s->text.len, &r->computer);
    case BX_TAG_NAME:
        if (is_num) {
            return winrec_add_field_u64(r, s->name.data != NULL ? s->name.data : "", s->name.len, t,
                                        s->text.len, s->fnum);
        }
        return winrec_add_field(r, s->name.data != NULL ? s->name.data : "", s->name.len, t,
                                s->text.len);
    default:
        return 0;
    }
}

static int rec_close(void *ctx)
{
    struct evtx_bxrec *s = ctx;
    int rc = 0;

    if (s->in_start) {
        rc = rec_content(ctx);
    }
    if (rc == 0 && rec_capturing(s)) {
        rc = rec_finish(s);
        s->target = 0;
    }
    if (s->depth == 2) {
        s->section = SEC_NONE;
    }
    s->depth--;
    return rc;
}

static void rec_start(struct evtx_bxrec *s, struct winrec *r)
{
    s->rec = r;
    s->depth = 0;
    s->section = SEC_NONE;
    s->target = 0;
    s->data_index = 0;
    s->in_start = false;
    s->attr = 0;
}

static int rec_open(void *ctx, const char *name, size_t len, unsigned tag);
static int rec_attr(void *ctx, const char *name, size_t len, unsigned tag);
static int rec_content(void *ctx);
static int rec_close(void *ctx);
static int rec_instance(void *ctx, struct evtx_bx *bx, struct evtx_bx_tmpl *t,
                        const struct evtx_bx_val *vals, size_t count);

/* Record the plan of template `t` by replaying it with symbolic values. */
static struct rec_plan *plan_build(struct evtx_bxrec *s, struct evtx_bx *bx,
                                   const struct evtx_bx_tmpl *t)
{
    const struct evtx_bx_sink sink = { rec_open, rec_attr,  rec_content, rec_close,
                                       rec_text, rec_value, NULL,        s };
    struct rec_plan *plan = sho_xcalloc(1, sizeof(*plan));
    struct winrec *keep = s->rec;

    sho_buf_init(&plan->strs, REC_TEXT_LIMIT);
    plan->is_valid = true;
    rec_start(s, keep);
    s->plan = plan;
    if (evtx_bx_tmpl_replay(bx, t, &sink, NULL) != 0) {
        plan->is_valid = false;
    }
    s->plan = NULL;
    rec_start(s, keep);
    return plan;
}

/* Feed one captured part through the callbacks, as the full replay would. */
static int plan_feed(struct evtx_bxrec *s, const struct rec_plan *plan, const struct plan_part *pp,
                     const struct evtx_bx_val *vals, size_t count)
{
    const struct evtx_bx_val *v;

    if (pp->subst == 0) {
        return rec_text(s, plan->strs.data + pp->off, pp->len);
    }
    v = pp->subst - 1 < count ? &vals[pp->subst - 1] : NULL;
    if (v == NULL || v->type == EVTX_V_NULL || v->len == 0 || (v->type & 0x7F) == EVTX_V_BINXML) {
        return 0; /* empty, or an array of binary XML: nothing, as in bx_subst_run */
    }
    return rec_value(s, v);
}

static int plan_apply_one(struct evtx_bxrec *s, const struct rec_plan *plan,
                          const struct plan_action *a, const struct evtx_bx_val *vals, size_t count)
{
    const struct plan_part *parts = plan->parts + a->first;
    size_t i;
    int rc = 0;

    if (a->is_attr) {
        const struct evtx_bx_val *v =
            a->count == 1 && parts[0].subst != 0 && parts[0].subst - 1 < count
                ? &vals[parts[0].subst - 1]
                : NULL;
        if (a->count == 1 && parts[0].subst != 0 &&
            (v == NULL || v->type == EVTX_V_NULL || v->len == 0)) {
            return 0; /* the attribute is left out, as bx_run does */
        }
        s->section = SEC_SYSTEM;
        s->in_start = true;
        s->attr = a->tag;
        s->attr_is_num = false;
        s->attr_ctl = false;
        sho_buf_reset(&s->attr_text);
    } else {
        s->section = SEC_NONE;
        s->in_start = false;
        s->depth = 1;
        rec_begin(s, a->tag, a->tag == BX_TAG_NAME ? plan->strs.data + a->name_off : NULL,
                  a->name_len);
    }
    for (i = 0; rc == 0 && i < a->count; i++) {
        rc = plan_feed(s, plan, &parts[i], vals, count);
    }
    if (rc == 0) {
        rc = a->is_attr ? rec_attr_done(s) : rec_finish(s);
    }
    s->target = 0;
    return rc;
}

static int rec_instance(void *ctx, struct evtx_bx *bx, struct evtx_bx_tmpl *t,
                        const struct evtx_bx_val *vals, size_t count)
{
    struct evtx_bxrec *s = ctx;
    struct rec_plan *plan = evtx_bx_tmpl_user(t);
    size_t i;
    int rc = 0;

    if (plan == NULL) {
        plan = plan_build(s, bx, t);
        evtx_bx_tmpl_set_user(t, plan, plan_free);
    }
    if (!plan->is_valid) {
        return 0;
    }
    for (i = 0; i < count; i++) {
        if (vals[i].type == EVTX_V_BINXML && vals[i].len > 0) {
            return 0; /* nested XML changes the document: replay in full */
        }
    }
    for (i = 0; rc == 0 && i < plan->act_count; i++) {
        rc = plan_apply_one(s, plan, &plan->acts[i], vals, count);
    }
    return rc == 0 ? 1 : rc;
}

struct evtx_bxrec *evtx_bxrec_new(void)
{
    struct evtx_bxrec *s = sho_xcalloc(1, sizeof(*s));

    sho_buf_init(&s->name, REC_NAME_LIMIT);
    sho_buf_init(&s->text, REC_TEXT_LIMIT);
    sho_buf_init(&s->attr_text, REC_TEXT_LIMIT);
    return s;
}

void evtx_bxrec_free(struct evtx_bxrec *s)
{
    if (s == NULL) {
        return;
    }
    sho_buf_release(&s->name);
    sho_buf_release(&s->text);
    sho_buf_release(&s->attr_text);
    free(s);
}

int evtx_bxrec_decode(struct evtx_bxrec *s, struct evtx_bx *bx, uint32_t off, uint32_t end,
                      struct winrec *r, struct sho_err *err)
{
    const struct evtx_bx_sink sink = { rec_open, rec_attr,  rec_content,  rec_close,
                                       rec_text, rec_value, rec_instance, s };
    int rc;

    winrec_reset(r);
    rec_start(s, r);
    rc = evtx_bx_decode(bx, off, end, &sink, err);
    if (rc == SHO_ELIMIT && err != NULL && err->code == 0) {
        (void)sho_err_set(err, rc, NULL, off, "event record too large to decode");
    }
    return rc;
}
