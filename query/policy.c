/*
 * policy: DATA/policy.conf (or --policy FILE), what the reports judge events
 * against: sensitive-file classes (PCRE2 path patterns) and their designated
 * handlers, business hours, days off and holidays, removable volumes and the
 * mass-access threshold. INI-style, one `key = value` per line, keys
 * repeatable; every error names the file and line (docs/policy.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "query_priv.h"

#define QP_LINE_MAX 4096

/* Japanese public holidays 2024-2027 (Cabinet Office list), extended by `holiday =`. */
static const char *const jp_holidays[] = {
    "2024-01-01", "2024-01-08", "2024-02-11", "2024-02-12", "2024-02-23", "2024-03-20",
    "2024-04-29", "2024-05-03", "2024-05-04", "2024-05-05", "2024-05-06", "2024-07-15",
    "2024-08-11", "2024-08-12", "2024-09-16", "2024-09-22", "2024-09-23", "2024-10-14",
    "2024-11-03", "2024-11-04", "2024-11-23", "2025-01-01", "2025-01-13", "2025-02-11",
    "2025-02-23", "2025-02-24", "2025-03-20", "2025-04-29", "2025-05-03", "2025-05-04",
    "2025-05-05", "2025-05-06", "2025-07-21", "2025-08-11", "2025-09-15", "2025-09-23",
    "2025-10-13", "2025-11-03", "2025-11-23", "2025-11-24", "2026-01-01", "2026-01-12",
    "2026-02-11", "2026-02-23", "2026-03-20", "2026-04-29", "2026-05-03", "2026-05-04",
    "2026-05-05", "2026-05-06", "2026-07-20", "2026-08-11", "2026-09-21", "2026-09-22",
    "2026-09-23", "2026-10-12", "2026-11-03", "2026-11-23", "2027-01-01", "2027-01-11",
    "2027-02-11", "2027-02-23", "2027-03-21", "2027-03-22", "2027-04-29", "2027-05-03",
    "2027-05-04", "2027-05-05", "2027-07-19", "2027-08-11", "2027-09-20", "2027-09-23",
    "2027-10-11", "2027-11-03", "2027-11-23",
};

static const char *const day_names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static void *qp_grow(void *p, size_t *cap, size_t count, size_t size)
{
    if (count < *cap) {
        return p;
    }
    *cap = *cap != 0 ? *cap * 2 : 8;
    return sho_xrealloc(p, *cap * size);
}

/* "2024-05-01" as days since 1970, or -1. */
static int64_t qp_date(const char *s)
{
    uint64_t y, m, d;
    int64_t yy;
    unsigned mm, dd, days;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || sho_parse_u64n(s, 4, 9999, 0, &y) != 0 ||
        sho_parse_u64n(s + 5, 2, 12, 0, &m) != 0 || sho_parse_u64n(s + 8, 2, 31, 0, &d) != 0 ||
        m == 0 || d == 0) {
        return -1;
    }
    days = 0;
    (void)days;
    sho_time_civil_from_days(sho_time_days_from_civil((int64_t)y, (unsigned)m, (unsigned)d), &yy,
                             &mm, &dd);
    if (mm != m || dd != d) {
        return -1;
    }
    return sho_time_days_from_civil((int64_t)y, (unsigned)m, (unsigned)d);
}

static int qp_holiday_add(struct qp_policy *p, int64_t day)
{
    p->holidays = qp_grow(p->holidays, &p->holidays_cap, p->holiday_count, sizeof(*p->holidays));
    p->holidays[p->holiday_count++] = day;
    return 0;
}

/* "09:00" as minutes, or -1. */
static int qp_clock(const char *s, size_t n)
{
    uint64_t h, m;

    if (n != 5 || s[2] != ':' || sho_parse_u64n(s, 2, 24, 0, &h) != 0 ||
        sho_parse_u64n(s + 3, 2, 59, 0, &m) != 0 || (h == 24 && m != 0)) {
        return -1;
    }
    return (int)(h * 60 + m);
}

static int qp_day(const char *s)
{
    int i;

    for (i = 0; i < 7; i++) {
        if (sho_str_casecmp(s, day_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

/* "Mon-Fri 09:00-18:00" (or "Mon,Wed,Fri 08:30-17:00"). */
static int qp_business(struct qp_policy *p, const char *v)
{
    char days[64];
    const char *sp = strchr(v, ' ');
    char *tok, *save = NULL;
    unsigned mask = 0;
    int start, end;

    if (sp == NULL || (size_t)(sp - v) >= sizeof(days) || strlen(sp + 1) != 11 || sp[6] != '-') {
        return SHO_EINVAL;
    }
    memcpy(days, v, (size_t)(sp - v));
    days[sp - v] = '\0';
    start = qp_clock(sp + 1, 5);
    end = qp_clock(sp + 7, 5);
    if (start < 0 || end < 0 || end <= start) {
        return SHO_EINVAL;
    }
    for (tok = days; tok != NULL; tok = save) {
        char *dash;
        int a, b, i;
        save = strchr(tok, ',');
        if (save != NULL) {
            *save++ = '\0';
        }
        dash = strchr(tok, '-');
        if (dash != NULL) {
            *dash = '\0';
        }
        a = qp_day(tok);
        b = dash != NULL ? qp_day(dash + 1) : a;
        if (a < 0 || b < 0) {
            return SHO_EINVAL;
        }
        for (i = a;; i = (i + 1) % 7) {
            mask |= 1u << i;
            if (i == b) {
                break;
            }
        }
    }
    p->work_days = mask;
    p->work_start = start;
    p->work_end = end;
    return 0;
}

static char *qp_trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) {
        *--e = '\0';
    }
    return s;
}

struct qp_parse {
    struct qp_policy *p;
    const char *path;
    unsigned line;
    enum { SEC_NONE, SEC_CLASS, SEC_HOURS, SEC_REMOVABLE, SEC_MASS } section;
    struct sho_err *err;
};

static int qp_fail(struct qp_parse *q, const char *what, const char *value)
{
    return sho_err_set(q->err, SHO_EINVAL, q->path, -1, "line %u: %s: '%s'", q->line, what, value);
}

static int qp_section(struct qp_parse *q, char *s)
{
    struct qp_policy *p = q->p;
    size_t n = strlen(s);

    if (s[n - 1] != ']') {
        return qp_fail(q, "a section line ends with ]", s);
    }
    s[n - 1] = '\0';
    s = qp_trim(s + 1);
    if (strncmp(s, "class ", 6) == 0 && qp_trim(s + 6)[0] != '\0') {
        struct qp_class *c;
        size_t i;
        const char *name = qp_trim(s + 6);
        for (i = 0; i < p->class_count; i++) {
            if (strcmp(p->classes[i].name, name) == 0) {
                return qp_fail(q, "class declared twice", name);
            }
        }
        p->classes = qp_grow(p->classes, &p->classes_cap, p->class_count, sizeof(*p->classes));
        c = &p->classes[p->class_count++];
        memset(c, 0, sizeof(*c));
        c->name = sho_xstrdup(name);
        q->section = SEC_CLASS;
    } else if (strcmp(s, "hours") == 0) {
        q->section = SEC_HOURS;
    } else if (strcmp(s, "removable") == 0) {
        q->section = SEC_REMOVABLE;
    } else if (strcmp(s, "mass-access") == 0) {
        q->section = SEC_MASS;
    } else {
        return qp_fail(q, "unknown section (class NAME, hours, removable, mass-access)", s);
    }
    return 0;
}

static int qp_class_key(struct qp_parse *q, const char *key, const char *value)
{
    struct qp_class *c = &q->p->classes[q->p->class_count - 1];
    struct sho_err rerr;

    if (strcmp(key, "path") == 0) {
        struct sho_regex *re = NULL;
        sho_err_clear(&rerr);
        if (sho_regex_new(value, &re, &rerr) != 0) {
            return sho_err_set(q->err, SHO_EINVAL, q->path, -1, "line %u: %s", q->line, rerr.msg);
        }
        c->paths = qp_grow(c->paths, &c->paths_cap, c->path_count, sizeof(struct sho_regex *));
        c->paths[c->path_count++] = re;
        return 0;
    }
    if (strcmp(key, "handler") == 0) {
        if (strchr(value, '\\') == NULL && strncmp(value, "S-1-", 4) != 0) {
            return qp_fail(q, "a handler is a SID (S-1-...) or DOMAIN\\name", value);
        }
        c->handlers =
            qp_grow(c->handlers, &c->handlers_cap, c->handler_count, sizeof(*c->handlers));
        c->handlers[c->handler_count++] = sho_xstrdup(value);
        return 0;
    }
    return qp_fail(q, "unknown key in a class (path, handler)", key);
}

static int qp_key(struct qp_parse *q, const char *key, const char *value)
{
    struct qp_policy *p = q->p;
    uint64_t v;

    switch (q->section) {
    case SEC_CLASS:
        return qp_class_key(q, key, value);
    case SEC_HOURS:
        if (strcmp(key, "timezone") == 0) {
            struct sho_tz tz;
            if (sho_tz_parse(value, &tz, NULL) != 0) {
                return qp_fail(q, "unknown time zone", value);
            }
            sho_tz_release(&tz);
            (void)sho_str_copy(p->timezone, sizeof(p->timezone), value);
            return 0;
        }
        if (strcmp(key, "business") == 0) {
            return qp_business(p, value) == 0
                       ? 0
                       : qp_fail(q, "business hours look like 'Mon-Fri 09:00-18:00'", value);
        }
        if (strcmp(key, "holiday") == 0) {
            int64_t day = qp_date(value);
            return day >= 0 ? qp_holiday_add(p, day)
                            : qp_fail(q, "a holiday is a date like 2026-01-02", value);
        }
        return qp_fail(q, "unknown key in [hours] (timezone, business, holiday)", key);
    case SEC_REMOVABLE:
        if (strcmp(key, "volume") == 0) {
            p->volumes = qp_grow(p->volumes, &p->volumes_cap, p->volume_count, sizeof(*p->volumes));
            p->volumes[p->volume_count++] = sho_xstrdup(value);
            return 0;
        }
        return qp_fail(q, "unknown key in [removable] (volume)", key);
    case SEC_MASS:
        if ((strcmp(key, "files") == 0 || strcmp(key, "minutes") == 0) &&
            sho_parse_u64(value, 1000000, 0, &v) == 0 && v > 0) {
            if (key[0] == 'f') {
                p->mass_files = (unsigned)v;
            } else {
                p->mass_minutes = (unsigned)v;
            }
            return 0;
        }
        return qp_fail(q, "[mass-access] takes files = N and minutes = M (positive)", key);
    default:
        return qp_fail(q, "a key before any section", key);
    }
}

void qp_defaults(struct qp_policy *p)
{
    size_t i;

    memset(p, 0, sizeof(*p));
    p->work_days = 0x1F; /* Mon-Fri */
    p->work_start = 9 * 60;
    p->work_end = 18 * 60;
    p->mass_files = 500;
    p->mass_minutes = 5;
    for (i = 0; i < SHO_ARRAY_COUNT(jp_holidays); i++) {
        (void)qp_holiday_add(p, qp_date(jp_holidays[i]));
    }
}

int qp_read(FILE *f, const char *path, struct qp_policy *p, struct sho_err *err)
{
    char line[QP_LINE_MAX];
    struct qp_parse q;
    int rc = 0;

    memset(&q, 0, sizeof(q));
    q.p = p;
    q.path = path;
    q.err = err;
    p->loaded = true;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        char *s, *eq;
        q.line++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            rc = qp_fail(&q, "line too long", "...");
            break;
        }
        s = qp_trim(line);
        if (*s == '\0' || *s == '#' || *s == ';') {
            continue;
        }
        if (*s == '[') {
            rc = qp_section(&q, s);
            continue;
        }
        eq = strchr(s, '=');
        if (eq == NULL) {
            rc = qp_fail(&q, "expected 'key = value'", s);
            break;
        }
        *eq = '\0';
        if (*qp_trim(eq + 1) == '\0') {
            /* an empty volume or path would match every path */
            rc = qp_fail(&q, "a key without a value", qp_trim(s));
            break;
        }
        rc = qp_key(&q, qp_trim(s), qp_trim(eq + 1));
    }
    if (rc == 0 && ferror(f)) {
        /* a directory opens but cannot be read (EISDIR): it is not an empty policy */
        char etext[128];
        rc = sho_err_set(err, SHO_EINVAL, path, -1, "cannot read the policy: %s",
                         sho_errno_text(errno, etext, sizeof(etext)));
    }
    return rc;
}

int qp_load(const char *path, bool required, struct qp_policy *p, struct sho_err *err)
{
    char etext[128];
    FILE *f;
    int rc;

    qp_defaults(p);
    f = fopen(path, "r");
    if (f == NULL) {
        if (!required && errno == ENOENT) {
            return 0;
        }
        return sho_err_set(err, SHO_EINVAL, path, -1, "cannot read the policy: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    rc = qp_read(f, path, p, err);
    (void)fclose(f);
    return rc;
}

void qp_release(struct qp_policy *p)
{
    size_t i, j;

    for (i = 0; i < p->class_count; i++) {
        for (j = 0; j < p->classes[i].path_count; j++) {
            sho_regex_free(p->classes[i].paths[j]);
        }
        for (j = 0; j < p->classes[i].handler_count; j++) {
            free(p->classes[i].handlers[j]);
        }
        free(p->classes[i].paths);
        free(p->classes[i].handlers);
        free(p->classes[i].name);
    }
    for (i = 0; i < p->volume_count; i++) {
        free(p->volumes[i]);
    }
    free(p->classes);
    free(p->volumes);
    free(p->holidays);
    memset(p, 0, sizeof(*p));
}

const char *qp_class_of(const struct qp_policy *p, const char *path)
{
    size_t i, j;

    if (path == NULL) {
        return NULL;
    }
    for (i = 0; i < p->class_count; i++) {
        for (j = 0; j < p->classes[i].path_count; j++) {
            if (sho_regex_match(p->classes[i].paths[j], path) == 1) {
                return p->classes[i].name;
            }
        }
    }
    return NULL;
}

bool qp_is_handler(const struct qp_policy *p, const char *class_name, const char *sid,
                   const char *domain, const char *user)
{
    size_t i, j;

    for (i = 0; i < p->class_count; i++) {
        const struct qp_class *c = &p->classes[i];
        if (strcmp(c->name, class_name) != 0) {
            continue;
        }
        for (j = 0; j < c->handler_count; j++) {
            const char *h = c->handlers[j];
            const char *slash = strchr(h, '\\');
            if (sid != NULL && sho_str_casecmp(h, sid) == 0) {
                return true;
            }
            if (slash != NULL && user != NULL && domain != NULL &&
                sho_str_casecmp(slash + 1, user) == 0 &&
                strncmp(h, domain, (size_t)(slash - h)) == 0 && domain[slash - h] == '\0') {
                return true;
            }
        }
    }
    return false;
}

bool qp_after_hours(const struct qp_policy *p, const struct sho_tz *tz, uint64_t ft)
{
    int off = sho_tz_offset(tz, ft);
    int64_t local =
        ((int64_t)ft - (int64_t)SHO_FILETIME_UNIX_EPOCH) / (int64_t)SHO_TICKS_PER_SECOND +
        (int64_t)off * 60;
    int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int minute = (int)((local - day * 86400) / 60);
    int weekday = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday: Mon = 0 */
    size_t i;

    if ((p->work_days & (1u << weekday)) == 0) {
        return true;
    }
    for (i = 0; i < p->holiday_count; i++) {
        if (p->holidays[i] == day) {
            return true;
        }
    }
    return minute < p->work_start || minute >= p->work_end;
}

bool qp_removable(const struct qp_policy *p, const char *path)
{
    size_t i;

    if (path == NULL) {
        return false;
    }
    for (i = 0; i < p->volume_count; i++) {
        const char *v = p->volumes[i];
        size_t n = strlen(v);
        size_t k;
        for (k = 0; k < n && path[k] != '\0'; k++) {
            char a = path[k], b = v[k];
            if (a >= 'a' && a <= 'z') {
                a = (char)(a - 32);
            }
            if (b >= 'a' && b <= 'z') {
                b = (char)(b - 32);
            }
            if (a != b) {
                break;
            }
        }
        if (k == n && (path[n] == '\\' || path[n] == '/' || path[n] == '\0' || v[n - 1] == '\\')) {
            return true;
        }
    }
    return false;
}
