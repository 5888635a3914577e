/*
 * cmd_scope: `shoseki scope`, the leak-scope report. From a person, a file
 * (or files matching a text or pattern), a host or a client address: every
 * file reached with its sensitive class, the persons, hosts and client
 * addresses involved, totals per class, and a one-paragraph summary on top.
 * --depth 2 follows one more hop: from a person, the others who touched
 * those files afterwards; from files, the other files their persons touched
 * in the window. Reads the index only (docs/reports.md).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static const char scope_usage[] =
    "usage: shoseki scope (--user P | --file PATH | --like TEXT | --regex RE | --host H |\n"
    "                      --client-ip IP) [--depth 1|2] [--since T] [--until T] [OPTIONS]\n"
    "\n"
    "The leak-scope report: every file reached from the selection (with its sensitive\n"
    "class from the policy), the persons, hosts and client addresses involved, totals\n"
    "per class and a short summary. --depth 2 follows one more hop: from a person, the\n"
    "others who touched those files afterwards; from files, hosts or addresses, the\n"
    "other files their persons touched in the window.\n"
    "\n"
    "options:\n";

enum { SC_FILES, SC_PERSONS, SC_HOSTS, SC_CLASSES, SC_SECTIONS };

struct scope {
    struct rp_opts o;
    struct sho_index_query q;
    bool from_person;
    unsigned depth;
    unsigned hop; /* hop being gathered */
    struct ra_table t[SC_SECTIONS];
    uint64_t events[3]; /* by hop */
    struct sho_err err;
};

static const char *const section_names[SC_SECTIONS] = { "file", "person", "host", "class" };

/* The person key of a row: SID, else DOMAIN\name. Caller frees. */
static char *scope_person_key(const struct sho_index_row *r)
{
    return r->user_sid != NULL ? sho_xstrdup(r->user_sid) : ra_person_label(r);
}

static int scope_row(void *ctx, const struct sho_index_row *r)
{
    struct scope *s = ctx;
    char *label = ra_person_label(r);
    char *pkey = scope_person_key(r);
    struct ra_entry *e;
    bool created;

    if (s->hop == 2 &&
        (r->actions & ~(uint32_t)(SHO_ACT_SHARE_CONNECT | SHO_ACT_LOGON | SHO_ACT_LOGOFF)) == 0) {
        free(label);
        free(pkey);
        return 0; /* a hop is made by touching files, not by connecting or logging on */
    }
    if (s->hop == 2) {
        /* one hop further means someone or something new: what hop 1 already holds is not
         * counted twice */
        struct ra_entry *seen = s->from_person
                                    ? (pkey != NULL ? ra_find(&s->t[SC_PERSONS], pkey) : NULL)
                                    : (r->path != NULL ? ra_find(&s->t[SC_FILES], r->path) : NULL);
        /* from a person: only what others did to those files after the person first did */
        struct ra_entry *file =
            s->from_person && r->path != NULL ? ra_find(&s->t[SC_FILES], r->path) : NULL;
        if ((seen != NULL && seen->hop == 1) ||
            (s->from_person && (file == NULL || file->hop != 1 || r->time < file->first ||
                                file->actions == SHO_ACT_SHARE_CONNECT))) {
            free(label);
            free(pkey);
            return 0;
        }
    }
    s->events[s->hop]++;
    if (rp_tap(&s->o, r) != 0) {
        free(label);
        free(pkey);
        return 1; /* the tap said stop */
    }
    if (r->path != NULL) {
        const char *cls = qp_class_of(&s->o.pol, r->path);
        e = ra_get(&s->t[SC_FILES], r->path, &created);
        if (created) {
            e->hop = s->hop;
            e->str[0] = cls != NULL ? sho_xstrdup(cls) : NULL;
        }
        ra_count(e, r->time, r->actions);
        ra_who(e, label);
        if (cls != NULL) {
            e = ra_get(&s->t[SC_CLASSES], cls, &created);
            ra_count(e, r->time, r->actions);
            ra_who(e, r->path); /* distinct files of the class */
        }
    }
    if (pkey != NULL) {
        e = ra_get(&s->t[SC_PERSONS], pkey, &created);
        if (created) {
            e->hop = s->hop;
            e->str[0] = label != NULL ? sho_xstrdup(label) : NULL;
            e->str[1] = r->user_sid != NULL ? sho_xstrdup(r->user_sid) : NULL;
        }
        ra_count(e, r->time, r->actions);
        ra_who(e, r->path);
    }
    if (r->host != NULL) {
        e = ra_get(&s->t[SC_HOSTS], r->host, &created);
        ra_count(e, r->time, r->actions);
        ra_who(e, r->client_ip);
    }
    free(label);
    free(pkey);
    return 0;
}

/* Hop 2. From a person: who else touched each file after they first did. From anything
 * else: what else each person reached touched in the window. */
static int scope_hop2_loop(struct scope *s);

/* Hop 2 in one query: the files of the selected persons, or the persons of the selected
 * files, found by the index itself; what hop 1 already holds is skipped in scope_row. */
static int scope_hop2(struct scope *s)
{
    struct sho_index_query q = s->o.base;

    if (s->q.select == SHO_SELECT_ALL) {
        return scope_hop2_loop(s); /* from a host or address: per person */
    }
    q.select = s->q.select;
    q.text = s->q.text;
    q.hop = s->from_person ? SHO_HOP_FILES : SHO_HOP_PERSONS;
    s->hop = 2;
    return rp_search(&s->o, &q, scope_row, s, &s->err);
}

static int scope_hop2_loop(struct scope *s)
{
    struct ra_table *from = s->from_person ? &s->t[SC_FILES] : &s->t[SC_PERSONS];
    size_t i, n = from->count;
    char **keys = sho_xcalloc(n + 1, sizeof(*keys));
    uint64_t *firsts = sho_xcalloc(n + 1, sizeof(*firsts));
    int rc = 0;

    /* copy: the tables grow while hop 2 is gathered */
    for (i = 0; i < n; i++) {
        /* a share connection is not a file: no hop from it */
        keys[i] = from->entries[i].actions == SHO_ACT_SHARE_CONNECT
                      ? NULL
                      : sho_xstrdup(from->entries[i].key);
        firsts[i] = from->entries[i].first;
    }
    s->hop = 2;
    for (i = 0; rc == 0 && i < n; i++) {
        struct sho_index_query q = s->o.base;
        if (keys[i] == NULL) {
            continue;
        }
        q.select = s->from_person ? SHO_SELECT_PATH : SHO_SELECT_PERSON;
        q.text = keys[i];
        if (s->from_person) {
            q.since = firsts[i] > q.since ? firsts[i] : q.since;
        }
        rc = rp_search(&s->o, &q, scope_row, s, &s->err);
    }
    for (i = 0; i < n; i++) {
        free(keys[i]);
    }
    free(keys);
    free(firsts);
    return rc;
}

static const struct qo_col unified_cols[] = {
    { "section", NULL, QO_STR }, { "hop", NULL, QO_NUM },        { "path", NULL, QO_STR },
    { "class", NULL, QO_STR },   { "user", NULL, QO_STR },       { "user_sid", NULL, QO_STR },
    { "host", NULL, QO_STR },    { "client_ips", NULL, QO_STR }, { "actions", NULL, QO_ACTS },
    { "first", NULL, QO_STR },   { "last", NULL, QO_STR },       { "count", NULL, QO_NUM },
    { "files", NULL, QO_NUM },   { "by", NULL, QO_STR },
};
enum {
    U_SECTION,
    U_HOP,
    U_PATH,
    U_CLASS,
    U_USER,
    U_SID,
    U_HOST,
    U_IPS,
    U_ACTS,
    U_FIRST,
    U_LAST,
    U_COUNT,
    U_FILES,
    U_BY,
    U_COLS
};

static const struct qo_col file_table[] = {
    { "hop", "HOP", QO_NUM },     { "class", "CLASS", QO_STR }, { "actions", "ACTIONS", QO_ACTS },
    { "first", "FIRST", QO_STR }, { "last", "LAST", QO_STR },   { "count", "COUNT", QO_NUM },
    { "by", "BY", QO_STR },       { "path", "PATH", QO_STR },
};
static const struct qo_col person_table[] = {
    { "hop", "HOP", QO_NUM },     { "user", "USER", QO_STR },        { "user_sid", "SID", QO_STR },
    { "files", "FILES", QO_NUM }, { "count", "EVENTS", QO_NUM },     { "first", "FIRST", QO_STR },
    { "last", "LAST", QO_STR },   { "actions", "ACTIONS", QO_ACTS },
};
static const struct qo_col host_table[] = {
    { "host", "HOST", QO_STR }, { "count", "EVENTS", QO_NUM },       { "first", "FIRST", QO_STR },
    { "last", "LAST", QO_STR }, { "client_ips", "CLIENTS", QO_STR },
};
static const struct qo_col class_table[] = {
    { "class", "CLASS", QO_STR }, { "files", "FILES", QO_NUM }, { "count", "EVENTS", QO_NUM },
    { "first", "FIRST", QO_STR }, { "last", "LAST", QO_STR },   { "actions", "ACTIONS", QO_ACTS },
};

/* The cells of entry `e` of section `sec` in the unified column order. */
static void scope_cells(const struct qo_writer *w, int sec, const struct ra_entry *e, char **c)
{
    memset(c, 0, U_COLS * sizeof(*c));
    c[U_SECTION] = qo_cell_str(section_names[sec]);
    c[U_FIRST] = qo_cell_time(w, e->first);
    c[U_LAST] = qo_cell_time(w, e->last);
    c[U_COUNT] = qo_cell_num(e->count);
    switch (sec) {
    case SC_FILES:
        c[U_HOP] = qo_cell_num(e->hop);
        c[U_PATH] = qo_cell_str(e->key);
        c[U_CLASS] = qo_cell_str(e->str[0]);
        c[U_BY] = ra_who_text(e);
        break;
    case SC_PERSONS:
        c[U_HOP] = qo_cell_num(e->hop);
        c[U_USER] = qo_cell_str(e->str[0] != NULL ? e->str[0] : e->key);
        c[U_SID] = qo_cell_str(e->str[1]);
        c[U_FILES] = qo_cell_num(e->who_count);
        break;
    case SC_HOSTS:
        c[U_HOST] = qo_cell_str(e->key);
        c[U_IPS] = ra_who_text(e);
        break;
    default:
        c[U_CLASS] = qo_cell_str(e->key);
        c[U_FILES] = qo_cell_num(e->who_count);
        break;
    }
}

/* Pick the table's columns out of the unified cells. */
static void scope_pick(const struct qo_col *cols, size_t n, char **all, char **out)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        out[i] = NULL;
        for (k = 0; k < U_COLS; k++) {
            if (strcmp(cols[i].name, unified_cols[k].name) == 0) {
                out[i] = all[k];
                all[k] = NULL;
                break;
            }
        }
    }
    for (k = 0; k < U_COLS; k++) {
        free(all[k]);
    }
}

static void scope_summary(struct scope *s, FILE *out)
{
    char a[SHO_TIME_ISO_MAX], b[SHO_TIME_ISO_MAX];
    uint64_t first = UINT64_MAX, last = 0, hop1_files = 0, hop2_files = 0, hop2_persons = 0;
    uint64_t total;
    size_t i;
    struct ra_table *f = &s->t[SC_FILES];

    for (i = 0; i < f->count; i++) {
        first = f->entries[i].first < first ? f->entries[i].first : first;
        last = f->entries[i].last > last ? f->entries[i].last : last;
        hop1_files += f->entries[i].hop == 1;
        hop2_files += f->entries[i].hop == 2;
    }
    for (i = 0; i < s->t[SC_PERSONS].count; i++) {
        hop2_persons += s->t[SC_PERSONS].entries[i].hop == 2;
    }
    (void)fprintf(out, "scope of %s%s: %llu files reached", s->q.text != NULL ? s->q.text : "",
                  s->q.host != NULL ? s->q.host : (s->q.client_ip != NULL ? s->q.client_ip : ""),
                  (unsigned long long)hop1_files);
    if (s->t[SC_CLASSES].count > 0) {
        (void)fputs(" (", out);
        for (i = 0; i < s->t[SC_CLASSES].count; i++) {
            (void)fprintf(out, "%s%zu %s", i != 0 ? ", " : "",
                          s->t[SC_CLASSES].entries[i].who_count, s->t[SC_CLASSES].entries[i].key);
        }
        (void)fputs(" in all)", out);
    }
    total = s->events[1] + s->events[2];
    (void)fprintf(out, " by %zu persons on %zu hosts, %llu events", s->t[SC_PERSONS].count,
                  s->t[SC_HOSTS].count, (unsigned long long)total);
    if (first != UINT64_MAX) {
        (void)sho_tz_format(&s->o.tz, first, a);
        (void)sho_tz_format(&s->o.tz, last, b);
        (void)fprintf(out, ", from %s to %s", a, b);
    }
    if (s->depth == 2) {
        (void)fprintf(out,
                      s->from_person ? "; one hop further, %llu other persons touched those files "
                                       "afterwards"
                                     : "; one hop further, those persons touched %llu other files",
                      (unsigned long long)(s->from_person ? hop2_persons : hop2_files));
    }
    (void)fputs(".\n", out);
}

static int scope_print(struct scope *s)
{
    static const struct qo_col *const tables[SC_SECTIONS] = { file_table, person_table, host_table,
                                                              class_table };
    static const size_t widths[SC_SECTIONS] = { SHO_ARRAY_COUNT(file_table),
                                                SHO_ARRAY_COUNT(person_table),
                                                SHO_ARRAY_COUNT(host_table),
                                                SHO_ARRAY_COUNT(class_table) };
    static const char *const heads[SC_SECTIONS] = { "Files", "Persons", "Hosts", "Classes" };
    bool table = s->o.fmt == SHO_FORMAT_TABLE;
    struct qo_writer *w = NULL;
    int sec, rc = 0;
    size_t i;

    if (table) {
        scope_summary(s, s->o.out);
    } else {
        w = qo_new_cols(s->o.out, s->o.fmt, s->o.excel, &s->o.tz, unified_cols, U_COLS);
    }
    for (sec = 0; rc == 0 && sec < SC_SECTIONS; sec++) {
        ra_sort(&s->t[sec]);
        if (table) {
            if (s->t[sec].count == 0) {
                continue;
            }
            (void)fprintf(s->o.out, "\n%s\n", heads[sec]);
            w = qo_new_cols(s->o.out, s->o.fmt, false, &s->o.tz, tables[sec], widths[sec]);
        }
        for (i = 0; rc == 0 && i < s->t[sec].count; i++) {
            char *all[U_COLS], *cells[U_COLS];
            scope_cells(w, sec, &s->t[sec].entries[i], all);
            if (table) {
                scope_pick(tables[sec], widths[sec], all, cells);
                rc = qo_put_cells(w, cells, s->t[sec].entries[i].actions, &s->err);
            } else {
                rc = qo_put_cells(w, all, s->t[sec].entries[i].actions, &s->err);
            }
        }
        if (table) {
            rc = rc == 0 ? qo_finish(w, &s->err) : rc;
            qo_free(w);
            w = NULL;
        }
    }
    if (w != NULL) {
        rc = rc == 0 ? qo_finish(w, &s->err) : rc;
        qo_free(w);
    }
    return rc;
}

static int scope_parse(struct scope *s, int argc, char **argv)
{
    static const struct option longopts[] = {
        RP_LONGOPTS,
        { "user", required_argument, NULL, 'u' },
        { "file", required_argument, NULL, 'F' },
        { "like", required_argument, NULL, 'l' },
        { "regex", required_argument, NULL, 'r' },
        { "host", required_argument, NULL, 'H' },
        { "client-ip", required_argument, NULL, 'i' },
        { "depth", required_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, selectors = 0;

    optind = 0;
    opterr = 0;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        if (rp_option(&s->o, c, optarg) == 1) {
            continue;
        }
        switch (c) {
        case 'u':
        case 'F':
        case 'l':
        case 'r':
            s->q.select = c == 'u'   ? SHO_SELECT_PERSON
                          : c == 'F' ? SHO_SELECT_PATH
                          : c == 'l' ? SHO_SELECT_LIKE
                                     : SHO_SELECT_REGEX;
            s->q.text = optarg;
            s->from_person = c == 'u';
            selectors++;
            break;
        case 'H':
            s->q.host = optarg;
            selectors++;
            break;
        case 'i':
            s->q.client_ip = optarg;
            selectors++;
            break;
        case 'D':
            if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0) {
                (void)fprintf(stderr, "shoseki scope: --depth is 1 or 2, not '%s'\n", optarg);
                return SHO_EXIT_USAGE;
            }
            s->depth = (unsigned)(optarg[0] - '0');
            break;
        case 'h':
            (void)fputs(scope_usage, stdout);
            (void)fputs(rp_common_help, stdout);
            return -1;
        default:
            (void)fprintf(stderr, "shoseki scope: unknown option '%s'\n", argv[optind - 1]);
            return SHO_EXIT_USAGE;
        }
    }
    if (optind < argc || selectors != 1) {
        (void)fprintf(stderr, "shoseki scope: give exactly one of --user, --file, --like, "
                              "--regex, --host, --client-ip (see --help)\n");
        return SHO_EXIT_USAGE;
    }
    return 0;
}

int sho_cmd_scope(int argc, char **argv)
{
    return qs_scope(argc, argv, NULL);
}

int qs_scope(int argc, char **argv, struct sho_query_tap *tap)
{
    struct scope s;
    struct sho_index_query q;
    int rc, i;

    memset(&s, 0, sizeof(s));
    s.depth = 1;
    s.o.tap = tap;
    for (i = 0; i < SC_SECTIONS; i++) {
        ra_init(&s.t[i]);
    }
    rc = scope_parse(&s, argc, argv);
    if (rc == 0) {
        rc = rp_open(&s.o, "scope");
    }
    if (rc == 0) {
        sho_err_clear(&s.err);
        q = s.o.base;
        q.select = s.q.select;
        q.text = s.q.text;
        q.host = s.q.host;
        q.client_ip = s.q.client_ip;
        s.hop = 1;
        rc = rp_search(&s.o, &q, scope_row, &s, &s.err);
        if (rc == 0 && s.depth == 2) {
            rc = scope_hop2(&s);
        }
        if (rc == 0) {
            rc = scope_print(&s);
        }
        if (rc != 0) {
            if (s.err.code != 0) { /* else a tap stopped the command and said why */
                sho_log_err(SHO_LOG_ERROR, &s.err);
            }
            rc = rc == SHO_EINVAL ? SHO_EXIT_USAGE : SHO_EXIT_SYSTEM;
        } else {
            rc = s.events[1] > 0 ? SHO_EXIT_OK : SHO_EXIT_SKIPPED;
        }
    }
    rp_close(&s.o);
    for (i = 0; i < SC_SECTIONS; i++) {
        ra_release(&s.t[i]);
    }
    return rc < 0 ? SHO_EXIT_OK : rc;
}
