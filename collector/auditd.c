/*
 * auditd: Linux audit records -> events (see auditd.h for the contract).
 *
 * Record syntax (audit-userspace's auparse and lib/libaudit.c are the
 * reference): "[node=NAME ]type=TYPE msg=audit(SEC.MILLIS:SERIAL): k=v k=v ..."
 * A value is "quoted", 'quoted' (the msg='...' of user-space records), or a
 * bare token; a bare name/cwd/exe/comm value of hex digits is the hex encoding
 * of a string holding spaces, quotes or control characters, and "(null)" means
 * none. ENRICHED logs append interpreted fields after a 0x1D byte with
 * upper-case keys (AUID="alice", SYSCALL=openat).
 *
 * Joining: only SYSCALL, CWD and PATH records carry what an event needs; they
 * open a slot in the pending table keyed by (serial, time). A slot completes
 * at EOE, once its SYSCALL and all `items` PATH records (and a CWD) are in,
 * when the table is full (oldest first), or at the end of the file. Audit
 * time is not used to close events: files put together from several sources
 * interleave records seconds apart, and the table bounds memory anyway. Completed
 * serials are remembered in a sliding bitmap so that a record arriving after
 * its event was emitted is reported as late instead of starting a phantom
 * event. Invariant: a serial is in the table at most once per time stamp.
 */
#include "auditd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AU_NONE         UINT32_MAX
#define AU_ITEMS_MAX    16                  /* PATH records kept per event */
#define AU_ARENA_MAX    ((size_t)1 << 18)   /* string bytes per open event */
#define AU_DONE_BITS    ((uint64_t)1 << 16) /* completed serials remembered */
#define AU_GAPS_MAX     64                  /* open gaps followed at once */
#define AU_GAP_WINDOW   4096                /* serials a gap waits to be filled */
#define AU_RESTART_DIST ((uint64_t)1 << 20) /* a serial this far back is a restart */
#define AU_SERIAL_MAX   UINT32_MAX
#define AU_MS_MAX       253402300799999ULL /* 9999-12-31T23:59:59.999Z */
#define AU_AT_FDCWD     0xffffff9cULL
#define AU_AT_FDCWD64   0xffffffffffffff9cULL
#define AU_UNSET_ID     4294967295ULL
#define AU_O_ACCMODE    3u
#define AU_O_WRONLY     1u
#define AU_O_RDWR       2u
#define AU_O_TRUNC      01000u
#define AU_O_APPEND     02000u
#define AU_S_IFMT       0170000u
#define AU_S_IFDIR      0040000u

enum au_type { T_OTHER, T_SYSCALL, T_CWD, T_PATH, T_EOE };

enum au_has {
    H_ARCH = 1u << 0,
    H_SYSCALL = 1u << 1,
    H_PID = 1u << 2,
    H_AUID = 1u << 3,
    H_UID = 1u << 4,
    H_SES = 1u << 5,
    H_ITEMS = 1u << 6,
    H_CWD = 1u << 7,
};

struct au_item {
    uint32_t name;     /* arena offset or AU_NONE */
    uint32_t nametype; /* arena offset: NORMAL, PARENT, CREATE, DELETE, ... */
    uint32_t mode;     /* st_mode */
    bool has_mode;
};

struct au_slot {
    uint64_t serial, ms; /* key */
    int64_t offset;      /* first record's byte offset */
    uint64_t line;       /* first record's line */
    uint32_t prev, next; /* FIFO (arrival order) or free list, AU_NONE ends */
    bool is_used;
    bool has_syscall;
    unsigned has; /* enum au_has */
    uint32_t arch;
    uint64_t syscall, items, pid, auid, uid, ses;
    uint64_t a[4];
    int success;                                                 /* 0 unknown, 1 yes, 2 no */
    uint32_t node, comm, exe, cwd, sc_name, auid_name, uid_name; /* arena offsets */
    struct au_item item[AU_ITEMS_MAX];
    size_t item_count;    /* PATH records seen (kept: at most AU_ITEMS_MAX) */
    struct sho_buf arena; /* owned */
};

struct au_gap {
    uint64_t lo, hi; /* serials not seen yet */
    int64_t offset;  /* where the serial after the gap appeared */
    uint64_t line;
};

struct auditd {
    struct auditd_opts opts;
    struct auditd_sink sink;
    struct auditd_stats stats;
    struct au_slot *slots; /* pending_max */
    uint32_t *hash;        /* slot index + 1, 0 empty; hash_cap entries */
    size_t hash_cap;
    uint32_t head, tail, free_list;
    size_t used;
    bool has_hi;
    uint64_t hi;                      /* highest serial seen */
    uint64_t done[AU_DONE_BITS / 64]; /* completed serials in (hi - AU_DONE_BITS, hi] */
    struct au_gap gaps[AU_GAPS_MAX];
    size_t gap_count;
    struct sho_buf path;    /* resolved path of the event being emitted */
    struct sho_buf scratch; /* numbers as text for the event */
};

/* ---- small parsers ---------------------------------------------------------------- */

/* Decimal digits only, at most `max`; a hot path, so no call into sho_parse_u64n. */
static bool au_digits(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 20) {
        return false;
    }
    for (i = 0; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool au_hex(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 16) {
        return false;
    }
    for (i = 0; i < len; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16u;
        if (d == 16u) {
            return false;
        }
        v = (v << 4) | d;
    }
    *out = v;
    return true;
}

static bool au_octal(const char *s, size_t len, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;

    if (len == 0 || len > 11) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '7') {
            return false;
        }
        v = (v << 3) | (uint32_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Parse "(SEC.MILLIS:SERIAL)" at p; *p advances past ')' and an optional ':'. */
static bool au_parse_stamp(const char **p, const char *end, uint64_t *ms, uint64_t *serial)
{
    const char *s = *p, *dot, *colon, *close;
    uint64_t sec, frac = 0;
    size_t flen;

    close = memchr(s, ')', (size_t)(end - s));
    if (close == NULL) {
        return false;
    }
    dot = memchr(s, '.', (size_t)(close - s));
    colon = memchr(s, ':', (size_t)(close - s));
    if (dot == NULL || colon == NULL || colon < dot ||
        !au_digits(s, (size_t)(dot - s), AU_MS_MAX / 1000, &sec) ||
        !au_digits(colon + 1, (size_t)(close - colon - 1), UINT64_MAX, serial)) {
        return false;
    }
    flen = (size_t)(colon - dot - 1);
    if (flen == 0 || flen > 9 || !au_digits(dot + 1, flen, UINT64_MAX, &frac)) {
        return false;
    }
    while (flen < 3) {
        frac *= 10;
        flen++;
    }
    while (flen > 3) {
        frac /= 10;
        flen--;
    }
    *ms = sec * 1000 + frac;
    *p = close + 1;
    if (*p < end && **p == ':') {
        (*p)++;
    }
    return true;
}

struct au_header {
    const char *node; /* NULL when absent */
    size_t node_len;
    const char *type;
    size_t type_len;
    uint64_t ms, serial;
    char *fields; /* the rest of the line */
};

static bool au_prefix(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Split a record line into its header and fields. */
static bool au_header_parse(char *text, size_t len, struct au_header *h)
{
    const char *end = text + len, *p = text, *sp;

    memset(h, 0, sizeof(*h));
    if (au_prefix(p, end, "node=")) {
        p += 5;
        sp = memchr(p, ' ', (size_t)(end - p));
        if (sp == NULL) {
            return false;
        }
        h->node = p;
        h->node_len = (size_t)(sp - p);
        p = sp + 1;
    }
    if (!au_prefix(p, end, "type=")) {
        return false;
    }
    p += 5;
    sp = memchr(p, ' ', (size_t)(end - p));
    if (sp == NULL || sp == p) {
        return false;
    }
    h->type = p;
    h->type_len = (size_t)(sp - p);
    p = sp + 1;
    while (p < end && *p == ' ') {
        p++;
    }
    if (!au_prefix(p, end, "msg=audit(")) {
        return false;
    }
    p += 10;
    if (!au_parse_stamp(&p, end, &h->ms, &h->serial)) {
        return false;
    }
    h->fields = text + (p - text);
    return true;
}

bool auditd_is_record(const char *text, size_t len)
{
    struct au_header h;
    char buf[512];

    if (len >= sizeof(buf)) {
        len = sizeof(buf) - 1;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    return au_header_parse(buf, len, &h);
}

size_t auditd_stamp(const char *text, size_t len, char *out, size_t out_len)
{
    const char *p = memchr(text, '(', len), *close;
    size_t n;

    if (p == NULL || p < text + 9 || memcmp(p - 9, "msg=audit", 9) != 0) {
        return 0;
    }
    close = memchr(p, ')', len - (size_t)(p - text));
    n = close != NULL ? (size_t)(close - p - 1) : 0;
    if (n == 0 || n + 1 > out_len) {
        return 0;
    }
    memcpy(out, p + 1, n);
    out[n] = '\0';
    return n;
}

struct au_field {
    const char *key;
    size_t key_len;
    char *val;
    size_t val_len;
    bool is_quoted;
};

static bool au_is_space(char c)
{
    return c == ' ' || c == '\x1d' || c == '\t';
}

/* The next key=value at *p (before end). Returns false when none is left. */
static bool au_field_next(char **p, char *end, struct au_field *f)
{
    char *s = *p, *eq, *v, *ve;

    for (;;) {
        while (s < end && au_is_space(*s)) {
            s++;
        }
        if (s >= end) {
            *p = s;
            return false;
        }
        eq = s;
        while (eq < end && *eq != '=' && !au_is_space(*eq)) {
            eq++;
        }
        if (eq < end && *eq == '=') {
            break;
        }
        s = eq; /* a word without '=' (e.g. "user" in USER_* records): skip it */
    }
    f->key = s;
    f->key_len = (size_t)(eq - s);
    v = eq + 1;
    f->is_quoted = v < end && (*v == '"' || *v == '\'');
    if (f->is_quoted) {
        ve = memchr(v + 1, *v, (size_t)(end - v - 1));
        ve = ve != NULL ? ve : end;
        f->val = v + 1;
        f->val_len = (size_t)(ve - v - 1);
        *p = ve < end ? ve + 1 : end;
        return true;
    }
    ve = v;
    while (ve < end && !au_is_space(*ve)) {
        ve++;
    }
    f->val = v;
    f->val_len = (size_t)(ve - v);
    *p = ve;
    return true;
}

static bool au_key(const struct au_field *f, const char *k)
{
    size_t n = strlen(k);
    return f->key_len == n && memcmp(f->key, k, n) == 0;
}

static enum au_type au_type_of(const char *t, size_t len)
{
    if (len == 7 && memcmp(t, "SYSCALL", 7) == 0) {
        return T_SYSCALL;
    }
    if (len == 4 && memcmp(t, "PATH", 4) == 0) {
        return T_PATH;
    }
    if (len == 3 && memcmp(t, "CWD", 3) == 0) {
        return T_CWD;
    }
    if (len == 3 && memcmp(t, "EOE", 3) == 0) {
        return T_EOE;
    }
    return T_OTHER;
}

/* ---- strings of an open event ------------------------------------------------------ */

static int au_hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/*
 * Store a string value: quoted as is; bare "(null)", "?" and "" as none; a bare
 * run of hex digits decoded (auditd's encoding of names with special bytes).
 * A value that does not fit the arena is dropped (the event keeps the rest).
 */
static uint32_t au_store(struct au_slot *s, const struct au_field *f)
{
    size_t at = s->arena.len, i;

    if (!f->is_quoted) {
        bool is_hex = f->val_len % 2 == 0 && f->val_len > 0;
        if (f->val_len == 0 || (f->val_len == 6 && memcmp(f->val, "(null)", 6) == 0) ||
            (f->val_len == 1 && f->val[0] == '?')) {
            return AU_NONE;
        }
        for (i = 0; is_hex && i < f->val_len; i++) {
            is_hex = au_hexval(f->val[i]) >= 0;
        }
        if (is_hex) {
            if (sho_buf_reserve(&s->arena, f->val_len / 2 + 1) != 0) {
                return AU_NONE;
            }
            for (i = 0; i < f->val_len; i += 2) {
                s->arena.data[s->arena.len++] =
                    (char)((au_hexval(f->val[i]) << 4) | au_hexval(f->val[i + 1]));
            }
            s->arena.data[s->arena.len++] = '\0';
            return at > UINT32_MAX - 1 ? AU_NONE : (uint32_t)at;
        }
    }
    if (sho_buf_append(&s->arena, f->val, f->val_len) != 0 || sho_buf_putc(&s->arena, '\0') != 0) {
        s->arena.len = at;
        return AU_NONE;
    }
    return (uint32_t)at;
}

static const char *au_str(const struct au_slot *s, uint32_t off)
{
    return off == AU_NONE ? NULL : s->arena.data + off;
}

/* ---- the pending table --------------------------------------------------------------- */

static size_t au_hash_of(const struct auditd *a, uint64_t serial, uint64_t ms)
{
    uint64_t h = (serial ^ (ms * 0x9E3779B97F4A7C15ULL)) * 0xff51afd7ed558ccdULL;
    return (size_t)(h >> 32) & (a->hash_cap - 1);
}

static struct au_slot *au_find(struct auditd *a, uint64_t serial, uint64_t ms, size_t *pos)
{
    size_t i = au_hash_of(a, serial, ms);

    while (a->hash[i] != 0) {
        struct au_slot *s = &a->slots[a->hash[i] - 1];
        if (s->serial == serial && s->ms == ms) {
            *pos = i;
            return s;
        }
        i = (i + 1) & (a->hash_cap - 1);
    }
    *pos = i;
    return NULL;
}

/* Remove hash entry `i` (linear probing: shift the following cluster back). */
static void au_hash_remove(struct auditd *a, size_t i)
{
    size_t j = i, mask = a->hash_cap - 1;

    a->hash[i] = 0;
    for (;;) {
        size_t k;
        j = (j + 1) & mask;
        if (a->hash[j] == 0) {
            return;
        }
        k = au_hash_of(a, a->slots[a->hash[j] - 1].serial, a->slots[a->hash[j] - 1].ms);
        /* Move j back to i when its home k is not cyclically within (i, j]. */
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            a->hash[i] = a->hash[j];
            a->hash[j] = 0;
            i = j;
        }
    }
}

static void au_slot_reset(struct au_slot *s, uint64_t serial, uint64_t ms)
{
    struct sho_buf arena = s->arena;

    memset(s, 0, sizeof(*s));
    s->arena = arena;
    sho_buf_reset(&s->arena);
    s->serial = serial;
    s->ms = ms;
    s->node = s->comm = s->exe = s->cwd = s->sc_name = s->auid_name = s->uid_name = AU_NONE;
    s->is_used = true;
}

/* Take a free slot (the caller made room), link it at the FIFO tail and hash it. */
static struct au_slot *au_slot_new(struct auditd *a, uint64_t serial, uint64_t ms, size_t pos)
{
    uint32_t idx = a->free_list;
    struct au_slot *s = &a->slots[idx];

    a->free_list = s->next;
    au_slot_reset(s, serial, ms);
    s->prev = a->tail;
    s->next = AU_NONE;
    if (a->tail != AU_NONE) {
        a->slots[a->tail].next = idx;
    } else {
        a->head = idx;
    }
    a->tail = idx;
    a->hash[pos] = idx + 1;
    a->used++;
    return s;
}

static void au_slot_drop(struct auditd *a, struct au_slot *s)
{
    uint32_t idx = (uint32_t)(s - a->slots);
    size_t pos;

    if (au_find(a, s->serial, s->ms, &pos) == s) {
        au_hash_remove(a, pos);
    }
    if (s->prev != AU_NONE) {
        a->slots[s->prev].next = s->next;
    } else {
        a->head = s->next;
    }
    if (s->next != AU_NONE) {
        a->slots[s->next].prev = s->prev;
    } else {
        a->tail = s->prev;
    }
    s->is_used = false;
    s->next = a->free_list;
    a->free_list = idx;
    a->used--;
}

/* ---- serials: completed set, gaps, restarts ----------------------------------------- */

static bool au_done_in_window(const struct auditd *a, uint64_t serial)
{
    return a->has_hi && serial <= a->hi && a->hi - serial < AU_DONE_BITS;
}

static bool au_is_done(const struct auditd *a, uint64_t serial)
{
    uint64_t bit = serial % AU_DONE_BITS;
    return au_done_in_window(a, serial) && (a->done[bit / 64] >> (bit % 64)) & 1u;
}

static void au_set_done(struct auditd *a, uint64_t serial)
{
    uint64_t bit = serial % AU_DONE_BITS;
    if (au_done_in_window(a, serial)) {
        a->done[bit / 64] |= (uint64_t)1 << (bit % 64);
    }
}

static void au_report(struct auditd *a, enum auditd_problem kind, int64_t offset, uint64_t line,
                      const char *fmt, ...) SHO_PRINTF(5, 6);

static void au_report(struct auditd *a, enum auditd_problem kind, int64_t offset, uint64_t line,
                      const char *fmt, ...)
{
    char msg[SHO_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (a->sink.problem != NULL) {
        a->sink.problem(a->sink.ctx, kind, offset, line, msg);
    }
}

static void au_gap_close(struct auditd *a, size_t i)
{
    const struct au_gap *g = &a->gaps[i];
    uint64_t n = g->hi - g->lo + 1;

    a->stats.gaps++;
    a->stats.missing += n;
    if (n == 1) {
        au_report(a, AUDITD_GAP, g->offset, g->line, "serial gap: serial %llu missing",
                  (unsigned long long)g->lo);
    } else {
        au_report(a, AUDITD_GAP, g->offset, g->line,
                  "serial gap: %llu serials missing (%llu..%llu)", (unsigned long long)n,
                  (unsigned long long)g->lo, (unsigned long long)g->hi);
    }
    a->gaps[i] = a->gaps[--a->gap_count];
}

static void au_gaps_close_before(struct auditd *a, uint64_t limit)
{
    size_t i = 0;

    while (i < a->gap_count) {
        if (a->gaps[i].hi < limit) {
            au_gap_close(a, i);
        } else {
            i++;
        }
    }
}

static void au_gap_open(struct auditd *a, uint64_t lo, uint64_t hi, int64_t offset, uint64_t line)
{
    size_t i, oldest = 0;

    if (a->gap_count == AU_GAPS_MAX) {
        for (i = 1; i < a->gap_count; i++) {
            oldest = a->gaps[i].lo < a->gaps[oldest].lo ? i : oldest;
        }
        au_gap_close(a, oldest);
    }
    a->gaps[a->gap_count].lo = lo;
    a->gaps[a->gap_count].hi = hi;
    a->gaps[a->gap_count].offset = offset;
    a->gaps[a->gap_count].line = line;
    a->gap_count++;
}

/* A serial inside an open gap arrived late: the gap shrinks or splits. */
static void au_gap_fill(struct auditd *a, uint64_t s)
{
    size_t i;

    for (i = 0; i < a->gap_count; i++) {
        struct au_gap *g = &a->gaps[i];
        if (s < g->lo || s > g->hi) {
            continue;
        }
        if (g->lo == g->hi) {
            a->gaps[i] = a->gaps[--a->gap_count];
        } else if (s == g->lo) {
            g->lo++;
        } else if (s == g->hi) {
            g->hi--;
        } else {
            struct au_gap tail = *g;
            g->hi = s - 1;
            tail.lo = s + 1;
            au_gap_open(a, tail.lo, tail.hi, tail.offset, tail.line);
        }
        return;
    }
}

static void au_serial_restart(struct auditd *a, uint64_t s, int64_t offset, uint64_t line)
{
    bool is_wrap = a->hi > AU_SERIAL_MAX - AU_RESTART_DIST && s < AU_RESTART_DIST;

    au_gaps_close_before(a, UINT64_MAX);
    a->stats.restarts++;
    if (is_wrap) {
        uint64_t lost = (AU_SERIAL_MAX - a->hi) + (s > 1 ? s - 1 : 0);
        au_report(a, AUDITD_GAP, offset, line,
                  "serial wrapped around from %llu to %llu (%llu serials missing)",
                  (unsigned long long)a->hi, (unsigned long long)s, (unsigned long long)lost);
        a->stats.missing += lost;
    } else {
        au_report(a, AUDITD_GAP, offset, line,
                  "serial went back from %llu to %llu: audit restarted or records out of order",
                  (unsigned long long)a->hi, (unsigned long long)s);
    }
    memset(a->done, 0, sizeof(a->done));
    a->hi = s;
}

/* Note serial `s`, seen at `offset`/`line`. */
static void au_serial_see(struct auditd *a, uint64_t s, int64_t offset, uint64_t line)
{
    uint64_t v;

    if (!a->has_hi) {
        a->has_hi = true;
        a->hi = s;
        return;
    }
    if (s > a->hi) {
        if (s - a->hi > 1) {
            au_gap_open(a, a->hi + 1, s - 1, offset, line);
        }
        if (s - a->hi >= AU_DONE_BITS) {
            memset(a->done, 0, sizeof(a->done));
        } else {
            for (v = a->hi + 1; v <= s; v++) {
                a->done[(v % AU_DONE_BITS) / 64] &= ~((uint64_t)1 << (v % 64));
            }
        }
        a->hi = s;
        if (s > AU_GAP_WINDOW) {
            au_gaps_close_before(a, s - AU_GAP_WINDOW);
        }
    } else if (a->hi - s > AU_RESTART_DIST) {
        au_serial_restart(a, s, offset, line);
    } else if (s < a->hi) {
        au_gap_fill(a, s);
    }
}

/* ---- fields of each record type ---------------------------------------------------- */

static void au_syscall_field(struct au_slot *s, const struct au_field *f)
{
    uint64_t v;

    if (au_key(f, "arch") && au_hex(f->val, f->val_len, &v) && v <= UINT32_MAX) {
        s->arch = (uint32_t)v;
        s->has |= H_ARCH;
    } else if (au_key(f, "syscall") && au_digits(f->val, f->val_len, UINT32_MAX, &v)) {
        s->syscall = v;
        s->has |= H_SYSCALL;
    } else if (au_key(f, "success")) {
        s->success = f->val_len == 3 && memcmp(f->val, "yes", 3) == 0  ? 1
                     : f->val_len == 2 && memcmp(f->val, "no", 2) == 0 ? 2
                                                                       : 0;
    } else if (f->key_len == 2 && f->key[0] == 'a' && f->key[1] >= '0' && f->key[1] <= '3') {
        if (au_hex(f->val, f->val_len, &v)) {
            s->a[f->key[1] - '0'] = v;
        }
    } else if (au_key(f, "items") && au_digits(f->val, f->val_len, UINT32_MAX, &s->items)) {
        s->has |= H_ITEMS;
    } else if (au_key(f, "pid") && au_digits(f->val, f->val_len, UINT32_MAX, &s->pid)) {
        s->has |= H_PID;
    } else if (au_key(f, "auid") && au_digits(f->val, f->val_len, UINT32_MAX, &s->auid)) {
        s->has |= H_AUID;
    } else if (au_key(f, "uid") && au_digits(f->val, f->val_len, UINT32_MAX, &s->uid)) {
        s->has |= H_UID;
    } else if (au_key(f, "ses") && au_digits(f->val, f->val_len, UINT32_MAX, &s->ses)) {
        s->has |= H_SES;
    } else if (au_key(f, "comm")) {
        s->comm = au_store(s, f);
    } else if (au_key(f, "exe")) {
        s->exe = au_store(s, f);
    } else if (au_key(f, "SYSCALL")) {
        s->sc_name = au_store(s, f);
    } else if (au_key(f, "AUID")) {
        s->auid_name = au_store(s, f);
    } else if (au_key(f, "UID")) {
        s->uid_name = au_store(s, f);
    }
}

static void au_path_record(struct au_slot *s, char *p, char *end)
{
    struct au_item it = { AU_NONE, AU_NONE, 0, false };
    struct au_field f;

    while (au_field_next(&p, end, &f)) {
        if (au_key(&f, "name")) {
            it.name = au_store(s, &f);
        } else if (au_key(&f, "nametype") || au_key(&f, "objtype")) {
            it.nametype = au_store(s, &f);
        } else if (au_key(&f, "mode")) {
            it.has_mode = au_octal(f.val, f.val_len, &it.mode);
        }
    }
    if (s->item_count < AU_ITEMS_MAX) {
        s->item[s->item_count] = it;
    }
    s->item_count++;
}

static void au_record_fields(struct au_slot *s, enum au_type t, char *p, char *end)
{
    struct au_field f;

    switch (t) {
    case T_SYSCALL:
        s->has_syscall = true;
        while (au_field_next(&p, end, &f)) {
            au_syscall_field(s, &f);
        }
        break;
    case T_CWD:
        while (au_field_next(&p, end, &f)) {
            if (au_key(&f, "cwd")) {
                s->cwd = au_store(s, &f);
                s->has |= H_CWD;
            }
        }
        break;
    case T_PATH:
        au_path_record(s, p, end);
        break;
    default:
        break;
    }
}

/* Has the event all the records it announced (SYSCALL items=N: N PATH and a CWD)? */
static bool au_is_whole(const struct au_slot *s)
{
    return s->has_syscall && (s->has & H_ITEMS) && s->item_count >= s->items &&
           (s->items == 0 || (s->has & H_CWD));
}

/* ---- from a complete event to a normalized one ------------------------------------- */

static bool au_nametype_is(const struct au_slot *s, const struct au_item *it, const char *t)
{
    const char *nt = au_str(s, it->nametype);
    return nt != NULL && strcmp(nt, t) == 0;
}

/* The PATH item that names the file the call acted on, or NULL. */
static const struct au_item *au_pick_item(const struct au_slot *s, enum auditd_kind kind)
{
    size_t n = s->item_count < AU_ITEMS_MAX ? s->item_count : AU_ITEMS_MAX, i;
    const char *want = kind == AUDITD_DELETE || kind == AUDITD_RENAME ? "DELETE"
                       : kind == AUDITD_MKDIR                         ? "CREATE"
                                                                      : NULL;
    const struct au_item *fallback = NULL;

    if (kind == AUDITD_EXEC) {
        return n > 0 && s->item[0].name != AU_NONE ? &s->item[0] : NULL;
    }
    for (i = 0; i < n; i++) {
        const struct au_item *it = &s->item[i];
        if (it->name == AU_NONE) {
            continue;
        }
        if (want != NULL && au_nametype_is(s, it, want)) {
            return it;
        }
        if (want == NULL && au_nametype_is(s, it, "CREATE")) {
            return it; /* a file created by open: the new file */
        }
        if (fallback == NULL && !au_nametype_is(s, it, "PARENT")) {
            fallback = it;
        }
    }
    return fallback != NULL ? fallback : (n > 0 && s->item[0].name != AU_NONE ? &s->item[0] : NULL);
}

static bool au_has_create(const struct au_slot *s)
{
    size_t n = s->item_count < AU_ITEMS_MAX ? s->item_count : AU_ITEMS_MAX, i;

    for (i = 0; i < n; i++) {
        if (au_nametype_is(s, &s->item[i], "CREATE")) {
            return true;
        }
    }
    return false;
}

static uint32_t au_open_actions(uint64_t flags, bool created)
{
    uint32_t acc = (uint32_t)flags & AU_O_ACCMODE, act = 0;

    if (acc == 0 || acc == AU_O_RDWR) {
        act |= SHO_ACT_READ;
    }
    if (acc == AU_O_WRONLY || acc == AU_O_RDWR) {
        act |= (flags & AU_O_APPEND) ? SHO_ACT_APPEND : SHO_ACT_WRITE;
    }
    if (flags & AU_O_TRUNC) {
        act |= SHO_ACT_WRITE;
    }
    if (created) {
        act |= SHO_ACT_CREATE;
    }
    return act;
}

static uint32_t au_actions(const struct au_slot *s, enum auditd_kind kind)
{
    switch (kind) {
    case AUDITD_OPEN:
        return au_open_actions(s->a[1], au_has_create(s));
    case AUDITD_OPENAT:
        return au_open_actions(s->a[2], au_has_create(s));
    case AUDITD_OPENAT2:
        return au_has_create(s) ? SHO_ACT_CREATE | SHO_ACT_WRITE : SHO_ACT_READ;
    case AUDITD_CREAT:
        return SHO_ACT_WRITE | (au_has_create(s) ? SHO_ACT_CREATE : 0);
    case AUDITD_TRUNCATE:
        return SHO_ACT_WRITE;
    case AUDITD_DELETE:
        return SHO_ACT_DELETE;
    case AUDITD_RENAME:
        return SHO_ACT_RENAME;
    case AUDITD_MKDIR:
        return SHO_ACT_CREATE;
    case AUDITD_CHMOD:
        return SHO_ACT_PERM_CHANGE;
    case AUDITD_CHOWN:
        return SHO_ACT_OWNER_CHANGE;
    case AUDITD_EXEC:
        return SHO_ACT_EXECUTE;
    case AUDITD_UTIME:
        return SHO_ACT_WRITE_ATTR;
    default:
        return 0;
    }
}

/* Append `name` to `b` lexically resolved: "." and empty parts dropped, ".." pops. */
static int au_path_join(struct sho_buf *b, const char *name)
{
    const char *p = name;

    while (*p != '\0') {
        const char *e = strchr(p, '/');
        size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (b->len > 1 && b->data != NULL && b->data[b->len - 1] != '/') {
                b->len--;
            }
            if (b->len > 1) {
                b->len--;
            }
            if (b->data != NULL) {
                b->data[b->len] = '\0'; /* ".." before anything else leaves the buffer empty */
            }
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            bool has_slash = b->len > 0 && b->data != NULL && b->data[b->len - 1] == '/';
            if (!has_slash && sho_buf_putc(b, '/') != 0) {
                return SHO_ELIMIT;
            }
            if (sho_buf_append(b, p, n) != 0) {
                return SHO_ELIMIT;
            }
        }
        p += n + (e != NULL);
    }
    if (b->len == 0) {
        return sho_buf_putc(b, '/');
    }
    return 0;
}

/*
 * The absolute path of `name`: absolute names are normalized; relative ones
 * are resolved against the CWD record when they were given relative to the
 * working directory (not to some other directory descriptor of an *at call).
 * NULL when the name cannot be resolved (the name as logged is used).
 */
static const char *au_resolve(struct auditd *a, const struct au_slot *s, const char *name,
                              bool is_cwd_relative)
{
    const char *cwd = au_str(s, s->cwd);

    sho_buf_reset(&a->path);
    if (name[0] == '/') {
        return au_path_join(&a->path, name) == 0 ? a->path.data : NULL;
    }
    if (!is_cwd_relative || cwd == NULL || cwd[0] != '/') {
        return NULL;
    }
    if (au_path_join(&a->path, cwd) != 0 || au_path_join(&a->path, name) != 0) {
        return NULL;
    }
    return a->path.data;
}

/* Is a relative name of this call relative to the working directory? */
static bool au_cwd_relative(const struct au_slot *s, const char *sc)
{
    size_t n = strlen(sc);
    uint64_t dirfd = strcmp(sc, "symlinkat") == 0 ? s->a[1] : s->a[0];

    if ((n > 2 && strcmp(sc + n - 2, "at") == 0) || (n > 3 && strcmp(sc + n - 3, "at2") == 0)) {
        return dirfd == AU_AT_FDCWD || dirfd == AU_AT_FDCWD64;
    }
    return true;
}

/* The person: the login uid when set, else the uid; with its name when known. */
static void au_person(struct auditd *a, const struct au_slot *s, struct sho_event *ev)
{
    bool has_auid = (s->has & H_AUID) && s->auid != AU_UNSET_ID;
    uint64_t id = has_auid ? s->auid : s->uid;
    const char *name = au_str(s, has_auid ? s->auid_name : s->uid_name);
    size_t at;

    if (!has_auid && !(s->has & H_UID)) {
        return;
    }
    if (name == NULL || strcmp(name, "unset") == 0) {
        name = uid_map_get(a->opts.names, id);
    }
    sho_buf_reset(&a->scratch);
    if (sho_buf_appendf(&a->scratch, "%llu", (unsigned long long)id) != 0 ||
        sho_buf_putc(&a->scratch, '\0') != 0) {
        return;
    }
    at = a->scratch.len;
    if (name == NULL && sho_buf_appendf(&a->scratch, "%llu", (unsigned long long)id) != 0) {
        return;
    }
    ev->user_sid = a->scratch.data;
    ev->user = name != NULL ? name : a->scratch.data + at;
}

/* Build and emit the event of a complete slot. Returns 0 or the sink's code. */
static int au_emit(struct auditd *a, const struct au_slot *s, struct sho_err *err)
{
    const char *sc = au_str(s, s->sc_name), *name;
    enum auditd_kind kind;
    const struct au_item *it;
    struct sho_event ev;

    if (!s->has_syscall) {
        return 0;
    }
    if (sc == NULL && (s->has & H_ARCH) && (s->has & H_SYSCALL)) {
        sc = auditd_syscall_name(s->arch, s->syscall);
    }
    kind = sc != NULL ? auditd_syscall_kind(sc, strlen(sc)) : AUDITD_NONE;
    if (kind == AUDITD_NONE && !a->opts.is_all_events) {
        return 0;
    }
    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID | SHO_HAS_SOURCE_OFFSET;
    ev.time = SHO_FILETIME_UNIX_EPOCH + s->ms * (SHO_TICKS_PER_SECOND / 1000);
    ev.host = s->node != AU_NONE ? au_str(s, s->node) : a->opts.host;
    ev.channel = "linux-audit";
    ev.provider = "auditd";
    ev.event_id = 1300; /* AUDIT_SYSCALL */
    ev.record_id = s->serial;
    ev.source_offset = s->offset;
    ev.actions = au_actions(s, kind);
    ev.outcome = s->success == 1   ? SHO_OUTCOME_SUCCESS
                 : s->success == 2 ? SHO_OUTCOME_FAILURE
                                   : SHO_OUTCOME_UNKNOWN;
    ev.process = au_str(s, s->exe) != NULL ? au_str(s, s->exe) : au_str(s, s->comm);
    if (s->has & H_PID) {
        ev.process_id = s->pid;
        ev.has |= SHO_HAS_PROCESS_ID;
    }
    if ((s->has & H_SES) && s->ses != AU_UNSET_ID) {
        ev.logon_id = s->ses;
        ev.has |= SHO_HAS_LOGON_ID;
    }
    au_person(a, s, &ev);
    it = au_pick_item(s, kind);
    if (it != NULL) {
        name = au_str(s, it->name);
        ev.path = au_resolve(a, s, name, sc == NULL || au_cwd_relative(s, sc));
        ev.path = ev.path != NULL ? ev.path : name;
        ev.object_type =
            it->has_mode && (it->mode & AU_S_IFMT) == AU_S_IFDIR ? "Directory" : "File";
    }
    a->stats.events++;
    return a->sink.event(a->sink.ctx, &ev, err);
}

/* Complete slot `s`: emit its event, remember its serial, free it. */
static int au_complete(struct auditd *a, struct au_slot *s, struct sho_err *err)
{
    int rc = au_emit(a, s, err);

    au_set_done(a, s->serial);
    au_slot_drop(a, s);
    return rc;
}

/* Complete the oldest events while the table is full. */
static int au_make_room(struct auditd *a, struct sho_err *err)
{
    int rc = 0;

    while (rc == 0 && a->head != AU_NONE && a->used >= a->opts.pending_max) {
        rc = au_complete(a, &a->slots[a->head], err);
    }
    return rc;
}

/* ---- entry points ------------------------------------------------------------------------- */

struct auditd *auditd_new(const struct auditd_opts *opts, const struct auditd_sink *sink)
{
    struct auditd *a = sho_xcalloc(1, sizeof(*a));
    size_t i;

    a->opts = *opts;
    if (a->opts.pending_max == 0) {
        a->opts.pending_max = AUDITD_PENDING_DEFAULT;
    }
    if (a->opts.pending_max > ((size_t)1 << 24)) {
        a->opts.pending_max = (size_t)1 << 24;
    }
    a->sink = *sink;
    a->slots = sho_xcalloc(a->opts.pending_max, sizeof(*a->slots));
    for (a->hash_cap = 16; a->hash_cap < a->opts.pending_max * 2; a->hash_cap *= 2) {
    }
    a->hash = sho_xcalloc(a->hash_cap, sizeof(*a->hash));
    for (i = 0; i < a->opts.pending_max; i++) {
        sho_buf_init(&a->slots[i].arena, AU_ARENA_MAX);
        a->slots[i].next = i + 1 < a->opts.pending_max ? (uint32_t)(i + 1) : AU_NONE;
    }
    a->head = a->tail = AU_NONE;
    a->free_list = 0;
    sho_buf_init(&a->path, AU_ARENA_MAX * 2);
    sho_buf_init(&a->scratch, 256);
    return a;
}

void auditd_free(struct auditd *a)
{
    size_t i;

    if (a == NULL) {
        return;
    }
    for (i = 0; i < a->opts.pending_max; i++) {
        sho_buf_release(&a->slots[i].arena);
    }
    free(a->slots);
    free(a->hash);
    sho_buf_release(&a->path);
    sho_buf_release(&a->scratch);
    free(a);
}

const struct auditd_stats *auditd_stats(const struct auditd *a)
{
    return &a->stats;
}

/* A record of a joined type whose serial has no open slot: late, or a new event. */
static int au_open_slot(struct auditd *a, const struct au_header *h, int64_t offset, uint64_t line,
                        struct au_slot **out, struct sho_err *err)
{
    size_t pos;
    int rc;

    if (au_is_done(a, h->serial)) {
        au_report(a, AUDITD_LATE, offset, line,
                  "record of event %llu.%03llu:%llu arrived after the event was complete",
                  (unsigned long long)(h->ms / 1000), (unsigned long long)(h->ms % 1000),
                  (unsigned long long)h->serial);
        return 0;
    }
    rc = au_make_room(a, err);
    if (rc != 0) {
        return rc;
    }
    (void)au_find(a, h->serial, h->ms, &pos);
    *out = au_slot_new(a, h->serial, h->ms, pos);
    (*out)->offset = offset;
    (*out)->line = line;
    if (h->node != NULL) {
        struct au_field f = { "node", 4, (char *)h->node, h->node_len, true };
        (*out)->node = au_store(*out, &f);
    }
    return 0;
}

int auditd_line(struct auditd *a, char *text, size_t len, int64_t offset, uint64_t line,
                struct sho_err *err)
{
    struct au_header h;
    struct au_slot *s;
    enum au_type t;
    size_t pos;
    int rc = 0;

    if (len == 0) {
        return 0;
    }
    if (!au_header_parse(text, len, &h)) {
        au_report(a, AUDITD_BAD_LINE, offset, line,
                  "not an audit record (type=... msg=audit(SECONDS.MILLIS:SERIAL))");
        return 0;
    }
    a->stats.records++;
    au_serial_see(a, h.serial, offset, line);
    t = au_type_of(h.type, h.type_len);
    if (t == T_OTHER) {
        return 0;
    }
    s = au_find(a, h.serial, h.ms, &pos);
    if (s == NULL && t == T_EOE) {
        return 0;
    }
    if (s == NULL) {
        rc = au_open_slot(a, &h, offset, line, &s, err);
        if (rc != 0 || s == NULL) {
            return rc;
        }
    }
    if (t == T_EOE) {
        return au_complete(a, s, err);
    }
    au_record_fields(s, t, h.fields, text + len);
    return au_is_whole(s) ? au_complete(a, s, err) : 0;
}

int auditd_finish(struct auditd *a, struct sho_err *err)
{
    int rc = 0;

    while (rc == 0 && a->head != AU_NONE) {
        rc = au_complete(a, &a->slots[a->head], err);
    }
    au_gaps_close_before(a, UINT64_MAX);
    return rc;
}
