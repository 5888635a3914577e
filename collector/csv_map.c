/*
 * csv_map: reads a --csv-map file (docs/sources.md). INI-like, as
 * DATA/policy.conf: `[section]` lines, `key = value` lines, whole-line
 * comments starting with '#' or ';'. Sections: [csv] (header, delimiter,
 * skip-lines), [columns] (field = header name, or 1-based number without a
 * header), [time] (format, repeatable and tried in order; zone), [actions]
 * and [outcomes] (the tool's word = shoseki's), [constants] (field = value
 * for every row). Every error names the map file and its line; a map is
 * checked whole before any file is read, except the header names, which are
 * checked against each file's header (csv_source.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_map.h"
#include "textsrc.h"

#define CSV_MAP_FILE_MAX ((size_t)1 << 20) /* a map is a page of text */
#define CSV_WORDS_MAX    4096              /* entries of [actions] or [outcomes] */

static const char *const field_names[CSV_F_COUNT] = {
    "time",        "host",      "channel",          "provider",
    "event_id",    "record_id", "user_sid",         "user",
    "domain",      "logon_id",  "action",           "outcome",
    "object_type", "path",      "process",          "process_id",
    "client_ip",   "share",     "share_local_path", "access_mask",
    "handle_id",   "keywords",  "message",
};

static const struct {
    const char *alias, *name;
} field_aliases[] = {
    { "person", "user" },      { "sid", "user_sid" },   { "object", "path" },
    { "client", "client_ip" }, { "actions", "action" }, { "ip", "client_ip" },
};

/* The built-in map of `Get-WinEvent ... | Export-Csv` (docs/sources.md shows the same text). */
static const char winevent_map[] = "[columns]\n"
                                   "time = TimeCreated\n"
                                   "event_id = Id\n"
                                   "record_id = RecordId\n"
                                   "host = MachineName\n"
                                   "channel = LogName\n"
                                   "provider = ProviderName\n"
                                   "keywords = Keywords\n"
                                   "message = Message\n"
                                   "[time]\n"
                                   "format = %m/%d/%Y %I:%M:%S %p\n"
                                   "format = %Y/%m/%d %H:%M:%S\n"
                                   "format = %d/%m/%Y %H:%M:%S\n"
                                   "format = %d.%m.%Y %H:%M:%S\n"
                                   "format = iso8601\n";

const char *csv_field_name(enum csv_field f)
{
    return (size_t)f < CSV_F_COUNT ? field_names[f] : "?";
}

char csv_map_delimiter(const struct csv_map *m)
{
    return m->delimiter;
}

/* The field named `key` ('-' and '_' alike, aliases allowed), or -1. */
static int map_field(const char *key)
{
    char k[32];
    size_t i, n = strlen(key);

    if (n >= sizeof(k)) {
        return -1;
    }
    for (i = 0; i <= n; i++) {
        k[i] = key[i];
        if (k[i] == '-') {
            k[i] = '_';
        }
    }
    for (i = 0; i < SHO_ARRAY_COUNT(field_aliases); i++) {
        if (strcmp(k, field_aliases[i].alias) == 0) {
            (void)sho_str_copy(k, sizeof(k), field_aliases[i].name);
        }
    }
    for (i = 0; i < CSV_F_COUNT; i++) {
        if (strcmp(k, field_names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const struct csv_word *csv_word_find(const struct csv_word *words, size_t count, const char *word)
{
    size_t i;

    for (i = 0; i < count; i++) {
        if (sho_str_casecmp(words[i].word, word) == 0) {
            return &words[i];
        }
    }
    return NULL;
}

struct map_parse {
    struct csv_map *m;
    unsigned line;
    enum {
        SEC_NONE,
        SEC_CSV,
        SEC_COLUMNS,
        SEC_TIME,
        SEC_ACTIONS,
        SEC_OUTCOMES,
        SEC_CONSTANTS
    } section;
    struct sho_err *err;
};

static int map_fail(struct map_parse *q, const char *what, const char *value)
{
    return sho_err_set(q->err, SHO_EINVAL, q->m->path, -1, "line %u: %s: '%s'", q->line, what,
                       value);
}

static char *map_trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
        *--e = '\0';
    }
    return s;
}

static int map_section(struct map_parse *q, char *s)
{
    static const char *const names[] = { "csv",     "columns",  "time",
                                         "actions", "outcomes", "constants" };
    size_t i, n = strlen(s);

    if (s[n - 1] != ']') {
        return map_fail(q, "a section line ends with ]", s);
    }
    s[n - 1] = '\0';
    s = map_trim(s + 1);
    for (i = 0; i < SHO_ARRAY_COUNT(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            q->section = (int)i + SEC_CSV;
            return 0;
        }
    }
    return map_fail(q, "unknown section (csv, columns, time, actions, outcomes, constants)", s);
}

static int map_csv_key(struct map_parse *q, const char *key, const char *value)
{
    struct csv_map *m = q->m;
    uint64_t v;

    if (strcmp(key, "header") == 0) {
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
            return map_fail(q, "header is yes or no", value);
        }
        m->has_header = value[0] == 'y';
        return 0;
    }
    if (strcmp(key, "delimiter") == 0) {
        if (strcmp(value, "tab") == 0) {
            m->delimiter = '\t';
        } else if (strlen(value) == 1 && strchr(",;|", value[0]) != NULL) {
            m->delimiter = value[0];
        } else {
            return map_fail(q, "delimiter is one of , ; | tab", value);
        }
        return 0;
    }
    if (strcmp(key, "skip-lines") == 0) {
        if (sho_parse_u64(value, 1000, 0, &v) != 0) {
            return map_fail(q, "skip-lines is a number up to 1000", value);
        }
        m->skip_lines = (unsigned)v;
        return 0;
    }
    return map_fail(q, "unknown key in [csv] (header, delimiter, skip-lines)", key);
}

static int map_column(struct map_parse *q, const char *key, const char *value)
{
    int f = map_field(key);
    struct csv_column *c;

    if (f < 0) {
        return map_fail(q, "unknown field (see docs/sources.md for the list)", key);
    }
    c = &q->m->col[f];
    if (c->line != 0) {
        return map_fail(q, "field mapped twice", key);
    }
    c->name = sho_xstrdup(value);
    c->line = q->line;
    return 0;
}

static int map_time_key(struct map_parse *q, const char *key, const char *value)
{
    struct csv_map *m = q->m;
    char why[SHO_ERR_MSG_MAX / 2];
    struct sho_err zerr;

    if (strcmp(key, "format") == 0) {
        if (m->time_count == CSV_TIME_FORMATS_MAX) {
            return map_fail(q, "more than 8 time formats", value);
        }
        if (csv_time_compile(&m->time[m->time_count], value, why, sizeof(why)) != 0) {
            return map_fail(q, why, value);
        }
        m->time_count++;
        return 0;
    }
    if (strcmp(key, "zone") == 0) {
        if (m->has_zone || sho_tzone_load(&m->zone, value, &zerr) != 0) {
            return map_fail(q, m->has_zone ? "zone given twice" : "unknown time zone", value);
        }
        m->has_zone = true;
        return 0;
    }
    return map_fail(q, "unknown key in [time] (format, zone)", key);
}

/* "read write", "delete", "ignore" -> action bits. Returns 0 or SHO_EINVAL. */
static int map_actions(const char *value, struct csv_word *w)
{
    char buf[256], *tok, *save = NULL;

    if (strcmp(value, "ignore") == 0) {
        w->is_ignored = true;
        return 0;
    }
    if (sho_str_copy(buf, sizeof(buf), value) >= sizeof(buf)) {
        return SHO_EINVAL;
    }
    w->value = 0;
    for (tok = strtok_r(buf, " ,", &save); tok != NULL; tok = strtok_r(NULL, " ,", &save)) {
        uint32_t a = sho_action_parse(tok);
        if (a == 0) {
            return SHO_EINVAL;
        }
        w->value |= a;
    }
    return w->value != 0 ? 0 : SHO_EINVAL;
}

static int map_word(struct map_parse *q, const char *key, const char *value)
{
    struct csv_map *m = q->m;
    bool is_action = q->section == SEC_ACTIONS;
    struct csv_word **list = is_action ? &m->actions : &m->outcomes;
    size_t *count = is_action ? &m->action_count : &m->outcome_count;
    struct csv_word w;

    memset(&w, 0, sizeof(w));
    if (is_action && map_actions(value, &w) != 0) {
        return map_fail(q, "not shoseki actions (read, write, delete, rename, ... or ignore)",
                        value);
    }
    if (!is_action) {
        if (strcmp(value, "success") != 0 && strcmp(value, "failure") != 0) {
            return map_fail(q, "an outcome is success or failure", value);
        }
        w.value = value[0] == 's' ? SHO_OUTCOME_SUCCESS : SHO_OUTCOME_FAILURE;
    }
    if (csv_word_find(*list, *count, key) != NULL) {
        return map_fail(q, "word given twice", key);
    }
    if (*count == CSV_WORDS_MAX) {
        return map_fail(q, "more than 4096 words", key);
    }
    if (*count % 16 == 0) {
        *list = sho_xrealloc(*list, (*count + 16) * sizeof(**list));
    }
    w.word = sho_xstrdup(key);
    (*list)[(*count)++] = w;
    return 0;
}

static int map_key(struct map_parse *q, const char *key, const char *value)
{
    int f;

    switch (q->section) {
    case SEC_CSV:
        return map_csv_key(q, key, value);
    case SEC_COLUMNS:
        return map_column(q, key, value);
    case SEC_TIME:
        return map_time_key(q, key, value);
    case SEC_ACTIONS:
    case SEC_OUTCOMES:
        return map_word(q, key, value);
    case SEC_CONSTANTS:
        f = map_field(key);
        if (f < 0 || f == CSV_F_TIME || f == CSV_F_MESSAGE) {
            return map_fail(q, "not a field a constant can give", key);
        }
        free(q->m->constant[f]);
        q->m->constant[f] = sho_xstrdup(value);
        return 0;
    default:
        return map_fail(q, "a key before any section", key);
    }
}

static int map_line(struct map_parse *q, char *s)
{
    char *eq, *key, *value;

    s = map_trim(s);
    if (s[0] == '\0' || s[0] == '#' || s[0] == ';') {
        return 0;
    }
    if (s[0] == '[') {
        return map_section(q, s);
    }
    eq = strchr(s, '=');
    if (eq == NULL) {
        return map_fail(q, "not a 'key = value' line", s);
    }
    *eq = '\0';
    key = map_trim(s);
    value = map_trim(eq + 1);
    if (key[0] == '\0' || value[0] == '\0') {
        return map_fail(q, "a key and a value are both needed", key[0] == '\0' ? value : key);
    }
    return map_key(q, key, value);
}

/* After the last line: the numbers of a headerless map, and what every map needs. */
static int map_finish(struct map_parse *q)
{
    struct csv_map *m = q->m;
    size_t i;

    if (m->col[CSV_F_TIME].line == 0) {
        q->line = 0;
        return sho_err_set(q->err, SHO_EINVAL, m->path, -1,
                           "no time column: [columns] needs 'time = COLUMN'");
    }
    for (i = 0; i < CSV_F_COUNT && !m->has_header; i++) {
        uint64_t v;
        if (m->col[i].line == 0) {
            continue;
        }
        q->line = m->col[i].line;
        if (sho_parse_u64(m->col[i].name, CSV_COLUMNS_MAX, 0, &v) != 0 || v == 0) {
            return map_fail(q, "without a header a column is a number from 1", m->col[i].name);
        }
        free(m->col[i].name);
        m->col[i].name = NULL;
        m->col[i].number = (unsigned)v;
    }
    if (m->time_count == 0) {
        m->time_count = 1; /* iso8601 */
    }
    return 0;
}

int csv_map_parse(const char *text, size_t len, const char *path, struct csv_map **out,
                  struct sho_err *err)
{
    struct csv_map *m = sho_xcalloc(1, sizeof(*m));
    struct map_parse q;
    size_t pos = 0;
    int rc = 0;

    m->path = sho_xstrdup(path);
    m->has_header = true;
    m->delimiter = ',';
    memset(&q, 0, sizeof(q));
    q.m = m;
    q.err = err;
    while (pos < len && rc == 0) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        char *line = sho_xstrndup(text + pos, n);
        q.line++;
        rc = strlen(line) != n ? map_fail(&q, "line holds a NUL byte", "") : map_line(&q, line);
        free(line);
        pos += n + 1;
    }
    if (rc == 0) {
        rc = map_finish(&q);
    }
    if (rc != 0) {
        csv_map_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int csv_map_load(const char *path, struct csv_map **out, struct sho_err *err)
{
    struct sho_buf b;
    int rc;

    sho_buf_init(&b, CSV_MAP_FILE_MAX);
    rc = sho_buf_read_file(&b, path, err);
    if (rc == 0) {
        rc = csv_map_parse(b.data != NULL ? b.data : "", b.len, path, out, err);
    }
    sho_buf_release(&b);
    return rc == SHO_ELIMIT ? SHO_EINVAL : rc;
}

struct csv_map *csv_map_winevent(void)
{
    struct csv_map *m = NULL;

    if (csv_map_parse(winevent_map, sizeof(winevent_map) - 1, "(built-in Get-WinEvent map)", &m,
                      NULL) != 0) {
        return NULL; /* cannot happen: the text above is fixed (tests check it) */
    }
    return m;
}

void csv_map_free(struct csv_map *m)
{
    size_t i;

    if (m == NULL) {
        return;
    }
    for (i = 0; i < CSV_F_COUNT; i++) {
        free(m->col[i].name);
        free(m->constant[i]);
    }
    for (i = 0; i < m->action_count; i++) {
        free(m->actions[i].word);
    }
    for (i = 0; i < m->outcome_count; i++) {
        free(m->outcomes[i].word);
    }
    free(m->actions);
    free(m->outcomes);
    if (m->has_zone) {
        sho_tzone_release(&m->zone);
    }
    free(m->path);
    free(m);
}
