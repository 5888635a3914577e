/*
 * uid_map: a passwd file reduced to a sorted array of (uid, name) searched by
 * bisection. Names live in one bounded arena; the file is read whole (it is
 * configuration, small) through a bounded buffer.
 */
#include "uid_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UID_MAP_FILE_MAX ((size_t)64 << 20) /* passwd files are far smaller */

struct uid_entry {
    uint64_t uid;
    size_t name; /* arena offset */
    size_t line; /* for "first line wins" after sorting */
};

struct uid_map {
    struct uid_entry *entries; /* owned, sorted by uid */
    size_t count;
    struct sho_buf names; /* owned */
};

static int uid_cmp(const void *a, const void *b)
{
    const struct uid_entry *x = a, *y = b;

    if (x->uid != y->uid) {
        return x->uid < y->uid ? -1 : 1;
    }
    return x->line < y->line ? -1 : (x->line > y->line);
}

/* One line "name:pw:uid:...". Returns 1 added, 0 ignored, SHO_EINVAL bad. */
static int uid_line(struct uid_map *m, const char *s, size_t len, size_t cap, size_t line)
{
    const char *c1, *c2, *c3;
    uint64_t uid;

    if (len == 0 || s[0] == '#') {
        return 0;
    }
    c1 = memchr(s, ':', len);
    c2 = c1 != NULL ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - s)) : NULL;
    if (c1 == NULL || c2 == NULL || c1 == s) {
        return SHO_EINVAL;
    }
    c3 = memchr(c2 + 1, ':', len - (size_t)(c2 + 1 - s));
    if (c3 == NULL) {
        c3 = s + len;
    }
    if (sho_parse_u64n(c2 + 1, (size_t)(c3 - c2 - 1), UINT32_MAX, 0, &uid) != 0) {
        return SHO_EINVAL;
    }
    if (m->count == cap) {
        return SHO_ELIMIT;
    }
    m->entries[m->count].uid = uid;
    m->entries[m->count].name = m->names.len;
    m->entries[m->count].line = line;
    if (sho_buf_append(&m->names, s, (size_t)(c1 - s)) != 0 || sho_buf_putc(&m->names, '\0') != 0) {
        return SHO_ELIMIT;
    }
    m->count++;
    return 1;
}

int uid_map_parse(const char *text, size_t len, const char *path, struct uid_map **out,
                  struct sho_err *err)
{
    struct uid_map *m = sho_xcalloc(1, sizeof(*m));
    size_t pos = 0, line = 0, cap = 0, n;
    int rc = 0;

    for (n = 0; n < len; n++) {
        cap += text[n] == '\n';
    }
    cap = (cap + 1 < UID_MAP_MAX_ENTRIES ? cap + 1 : UID_MAP_MAX_ENTRIES);
    m->entries = sho_xcalloc(cap, sizeof(*m->entries));
    sho_buf_init(&m->names, UID_MAP_FILE_MAX);
    while (pos < len && rc >= 0) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t l = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        line++;
        rc = uid_line(m, text + pos, l > 0 && text[pos + l - 1] == '\r' ? l - 1 : l, cap, line);
        if (rc < 0) {
            rc = sho_err_set(err, rc, path, (int64_t)pos,
                             rc == SHO_ELIMIT
                                 ? "line %zu: more than %d users"
                                 : "line %zu: not a passwd line (name:password:uid:...)",
                             line, UID_MAP_MAX_ENTRIES);
        }
        pos += l + 1;
    }
    if (rc < 0) {
        uid_map_free(m);
        return rc;
    }
    qsort(m->entries, m->count, sizeof(*m->entries), uid_cmp);
    *out = m;
    return 0;
}

int uid_map_load(const char *path, struct uid_map **out, struct sho_err *err)
{
    struct sho_buf b;
    int rc;

    sho_buf_init(&b, UID_MAP_FILE_MAX);
    rc = sho_buf_read_file(&b, path, err);
    if (rc == 0) {
        rc = uid_map_parse(b.data != NULL ? b.data : "", b.len, path, out, err);
    }
    sho_buf_release(&b);
    return rc;
}

void uid_map_free(struct uid_map *m)
{
    if (m == NULL) {
        return;
    }
    free(m->entries);
    sho_buf_release(&m->names);
    free(m);
}

const char *uid_map_get(const struct uid_map *m, uint64_t uid)
{
    size_t lo = 0, hi;

    if (m == NULL) {
        return NULL;
    }
    hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->entries[mid].uid < uid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < m->count && m->entries[lo].uid == uid ? m->names.data + m->entries[lo].name : NULL;
}
