/*
 * gen_truth: the ground truth's accesses and the views derived from them.
 * Views are built by sorting copies of the access list, so a large run costs
 * n log n, not a scan per person or file. After-hours means outside
 * 09:00-18:00 JST or on a Saturday or Sunday (the generator's business hours).
 */
#include "gen_truth.h"

#include <stdlib.h>
#include <string.h>

#include "shoseki/event.h"

#define JST_OFFSET_S ((int64_t)9 * 3600)
#define OPEN_HOUR    9
#define CLOSE_HOUR   18

struct truth_acc {
    char *sid, *user, *path, *host;
    const char *action, *how; /* static strings */
    bool failure;
    uint64_t time;
};

struct truth {
    struct truth_acc *acc;
    size_t count, cap;
};

struct truth *truth_new(void)
{
    return sho_xcalloc(1, sizeof(struct truth));
}

void truth_free(struct truth *t)
{
    size_t i;

    if (t == NULL) {
        return;
    }
    for (i = 0; i < t->count; i++) {
        free(t->acc[i].sid);
        free(t->acc[i].user);
        free(t->acc[i].path);
        free(t->acc[i].host);
    }
    free(t->acc);
    free(t);
}

void truth_add(struct truth *t, const char *sid, const char *user, const char *path,
               const char *action, bool failure, uint64_t time, const char *host, const char *how)
{
    struct truth_acc *a;

    if (t->count == t->cap) {
        t->cap = t->cap != 0 ? t->cap * 2 : 256;
        t->acc = sho_xrealloc(t->acc, t->cap * sizeof(*t->acc));
    }
    a = &t->acc[t->count++];
    a->sid = sho_xstrdup(sid);
    a->user = sho_xstrdup(user);
    a->path = sho_xstrdup(path);
    a->host = sho_xstrdup(host);
    a->action = action;
    a->how = how;
    a->failure = failure;
    a->time = time;
}

static bool after_hours(uint64_t ft)
{
    int64_t s = (int64_t)(ft / SHO_TICKS_PER_SECOND) -
                (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND) + JST_OFFSET_S;
    int64_t days = s / 86400, hour = (s % 86400) / 3600;
    int64_t dow = (days + 4) % 7; /* 1970-01-01 was a Thursday; 0 is Sunday */

    return dow == 0 || dow == 6 || hour < OPEN_HOUR || hour >= CLOSE_HOUR;
}

/* One access as a JSON object. */
static int acc_json(struct sho_buf *b, const struct truth_acc *a)
{
    char t[SHO_TIME_ISO_MAX];
    int rc = 0;

    (void)sho_time_format_iso(a->time, t);
    rc |= sho_buf_appendf(b, "{\"sid\": \"%s\", \"user\": ", a->sid);
    rc |= sho_json_append_string(b, a->user);
    rc |= sho_buf_appends(b, ", \"path\": ");
    rc |= sho_json_append_string(b, a->path);
    rc |= sho_buf_appendf(b, ", \"action\": \"%s\", \"outcome\": \"%s\", \"time\": \"%s\", ",
                          a->action, a->failure ? "failure" : "success", t);
    rc |= sho_buf_appends(b, "\"host\": ");
    rc |= sho_json_append_string(b, a->host);
    rc |= sho_buf_appendf(b, ", \"how\": \"%s\"}", a->how);
    return rc;
}

/* A list member of the accesses `keep` says yes to. */
static int write_list(FILE *f, const struct truth *t, const char *name,
                      bool (*keep)(const struct truth_acc *a), bool last)
{
    struct sho_buf b;
    size_t i;
    bool first = true;
    int rc = 0;

    sho_buf_init(&b, (size_t)1 << 30);
    rc |= sho_buf_appendf(&b, "  \"%s\": [", name);
    for (i = 0; i < t->count && rc == 0; i++) {
        if (keep != NULL && !keep(&t->acc[i])) {
            continue;
        }
        rc |= sho_buf_appends(&b, first ? "\n    " : ",\n    ");
        rc |= acc_json(&b, &t->acc[i]);
        first = false;
    }
    rc |= sho_buf_appendf(&b, "\n  ]%s\n", last ? "" : ",");
    if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len) {
        rc = SHO_EIO;
    }
    sho_buf_release(&b);
    return rc != 0 ? SHO_EIO : 0;
}

static bool is_deletion(const struct truth_acc *a)
{
    return strcmp(a->action, "delete") == 0 && !a->failure;
}

static bool is_removable(const struct truth_acc *a)
{
    return strcmp(a->how, "usb") == 0;
}

static bool is_failure(const struct truth_acc *a)
{
    return a->failure;
}

static bool is_after_hours(const struct truth_acc *a)
{
    return after_hours(a->time);
}

static int cmp_person(const void *x, const void *y)
{
    const struct truth_acc *a = x, *b = y;
    int c = strcmp(a->sid, b->sid);

    c = c != 0 ? c : strcmp(a->path, b->path);
    return c != 0 ? c : strcmp(a->action, b->action);
}

static int cmp_file(const void *x, const void *y)
{
    const struct truth_acc *a = x, *b = y;
    int c = strcmp(a->path, b->path);

    return c != 0 ? c : strcmp(a->sid, b->sid);
}

/* "by_person": {sid: {"user": u, "files": {path: [actions]}}}, successful accesses only. */
static int write_by_person(FILE *f, struct truth_acc *v, size_t n)
{
    struct sho_buf b;
    size_t i;
    int rc = 0;

    qsort(v, n, sizeof(*v), cmp_person);
    sho_buf_init(&b, (size_t)1 << 30);
    rc |= sho_buf_appends(&b, "  \"by_person\": {");
    for (i = 0; i < n && rc == 0; i++) {
        bool new_person = i == 0 || strcmp(v[i].sid, v[i - 1].sid) != 0;
        bool new_file = new_person || strcmp(v[i].path, v[i - 1].path) != 0;
        bool same_action = !new_file && strcmp(v[i].action, v[i - 1].action) == 0;
        if (new_person) {
            rc |=
                sho_buf_appendf(&b, "%s\n    \"%s\": {\"user\": ", i != 0 ? "]}}," : "", v[i].sid);
            rc |= sho_json_append_string(&b, v[i].user);
            rc |= sho_buf_appends(&b, ", \"files\": {");
        }
        if (new_file) {
            rc |= sho_buf_appends(&b, new_person ? "\n      " : "],\n      ");
            rc |= sho_json_append_string(&b, v[i].path);
            rc |= sho_buf_appendf(&b, ": [\"%s\"", v[i].action);
        } else if (!same_action) {
            rc |= sho_buf_appendf(&b, ", \"%s\"", v[i].action);
        }
    }
    rc |= sho_buf_appends(&b, n != 0 ? "]}}\n  },\n" : "},\n");
    if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len) {
        rc = SHO_EIO;
    }
    sho_buf_release(&b);
    return rc != 0 ? SHO_EIO : 0;
}

/* "by_file": {path: [sids]}, successful accesses only. */
static int write_by_file(FILE *f, struct truth_acc *v, size_t n)
{
    struct sho_buf b;
    size_t i;
    int rc = 0;

    qsort(v, n, sizeof(*v), cmp_file);
    sho_buf_init(&b, (size_t)1 << 30);
    rc |= sho_buf_appends(&b, "  \"by_file\": {");
    for (i = 0; i < n && rc == 0; i++) {
        bool new_file = i == 0 || strcmp(v[i].path, v[i - 1].path) != 0;
        if (new_file) {
            rc |= sho_buf_appends(&b, i != 0 ? "],\n    " : "\n    ");
            rc |= sho_json_append_string(&b, v[i].path);
            rc |= sho_buf_appendf(&b, ": [\"%s\"", v[i].sid);
        } else if (strcmp(v[i].sid, v[i - 1].sid) != 0) {
            rc |= sho_buf_appendf(&b, ", \"%s\"", v[i].sid);
        }
    }
    rc |= sho_buf_appends(&b, n != 0 ? "]\n  },\n" : "},\n");
    if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len) {
        rc = SHO_EIO;
    }
    sho_buf_release(&b);
    return rc != 0 ? SHO_EIO : 0;
}

int truth_write(struct truth *t, FILE *f)
{
    struct truth_acc *v = sho_xcalloc(t->count + 1, sizeof(*v));
    size_t i, n = 0;
    int rc;

    for (i = 0; i < t->count; i++) {
        if (!t->acc[i].failure) {
            v[n++] = t->acc[i]; /* shallow copies: the strings stay owned by `t` */
        }
    }
    rc = write_by_person(f, v, n);
    if (rc == 0) {
        rc = write_by_file(f, v, n);
    }
    free(v);
    if (rc == 0) {
        rc = write_list(f, t, "deletions", is_deletion, false);
    }
    if (rc == 0) {
        rc = write_list(f, t, "removable_writes", is_removable, false);
    }
    if (rc == 0) {
        rc = write_list(f, t, "failures", is_failure, false);
    }
    if (rc == 0) {
        rc = write_list(f, t, "after_hours", is_after_hours, false);
    }
    if (rc == 0) {
        rc = write_list(f, t, "accesses", NULL, true);
    }
    return rc;
}
