/*
 * index_ids: turning what an event names (host, person, file, the rest of
 * its context) into the small integer ids the events table stores. Each
 * kind has a bounded in-memory cache in front of its table: a hit costs a
 * hash probe, a miss one indexed SELECT (and an INSERT when new). The
 * caches share one budget (struct ix_pool): each grows as its kind needs,
 * and one that can grow no more is emptied and refilled within what it has,
 * so memory stays within the configured size whatever the number of
 * distinct files or contexts.
 */
#include <stdlib.h>
#include <string.h>

#include "index_priv.h"

struct ix_slot {
    uint64_t hash; /* 0: empty */
    uint32_t off;  /* key bytes in the arena */
    uint32_t len;
    int64_t value; /* the id */
};

/* ---- the bounded map ---------------------------------------------------------------- */

void ix_map_init(struct ix_map *m, struct ix_pool *pool)
{
    memset(m, 0, sizeof(*m));
    m->pool = pool;
    m->cap = 4096;
    m->slots = ix_mem_zeroed(m->cap * sizeof(struct ix_slot));
    /* keys fill a reservation in place; the budget decides how much of it (map_room) */
    m->arena_res = pool->max < UINT32_MAX ? pool->max : UINT32_MAX;
    m->arena = ix_mem_reserve(&m->arena_res);
    m->arena_cap = m->arena_res < 65536 ? m->arena_res : 65536;
    pool->used += m->cap * sizeof(struct ix_slot) + m->arena_cap;
}

void ix_map_release(struct ix_map *m)
{
    if (m->pool != NULL) {
        m->pool->used -= m->cap * sizeof(struct ix_slot) + m->arena_cap;
    }
    ix_mem_free(m->slots, m->cap * sizeof(struct ix_slot));
    ix_mem_unreserve(m->arena, m->arena_res);
    memset(m, 0, sizeof(*m));
}

static void map_clear(struct ix_map *m)
{
    m->complete = false; /* entries are forgotten: misses must ask the table again */
    memset(m->slots, 0, m->cap * sizeof(struct ix_slot));
    m->count = 0;
    m->arena_len = 0;
}

static uint64_t map_hash(const void *key, size_t len)
{
    uint64_t h = ix_hash(key, len);
    return h != 0 ? h : 1;
}

/* Double the slots (within the budget): false when the pool cannot pay for it. */
static bool map_grow(struct ix_map *m)
{
    struct ix_slot *old = m->slots;
    size_t oldcap = m->cap, more = m->cap * sizeof(struct ix_slot), k, i;

    if (m->pool->used + more > m->pool->max) {
        return false;
    }
    m->pool->used += more;
    m->cap *= 2;
    m->slots = ix_mem_zeroed(m->cap * sizeof(struct ix_slot));
    for (k = 0; k < oldcap; k++) {
        if (old[k].hash == 0) {
            continue;
        }
        for (i = (size_t)old[k].hash & (m->cap - 1); m->slots[i].hash != 0;
             i = (i + 1) & (m->cap - 1)) {
        }
        m->slots[i] = old[k];
    }
    ix_mem_free(old, oldcap * sizeof(struct ix_slot));
    return true;
}

/* Room for `len` more key bytes (within the budget and the reservation): false when there is
 * none. The arena's budget doubles, or takes what is left. */
static bool map_room(struct ix_map *m, size_t len)
{
    while (m->arena_len + len > m->arena_cap) {
        size_t left = m->pool->max > m->pool->used ? m->pool->max - m->pool->used : 0;
        size_t more = m->arena_cap < left ? m->arena_cap : left;

        if (more > m->arena_res - m->arena_cap) {
            more = m->arena_res - m->arena_cap;
        }
        if (m->arena_len + len > m->arena_cap + more) {
            return false;
        }
        m->pool->used += more;
        m->arena_cap += more;
    }
    return true;
}

/* The slot holding `key`, or NULL. */
static struct ix_slot *map_find(struct ix_map *m, const void *key, size_t len, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);

    while (m->slots[i].hash != 0) {
        struct ix_slot *s = &m->slots[i];
        if (s->hash == h && s->len == len && memcmp(m->arena + s->off, key, len) == 0) {
            return s;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static struct ix_slot *map_put(struct ix_map *m, const void *key, size_t len, uint64_t h,
                               int64_t value)
{
    size_t i;

    if (len > m->pool->max / 64) {
        return NULL; /* not worth caching */
    }
    if (((m->count + 1) * 10 > m->cap * 7 && !map_grow(m)) || !map_room(m, len)) {
        map_clear(m); /* the budget is spent: this cache starts over within what it has */
        if (!map_room(m, len)) {
            return NULL;
        }
    }
    i = (size_t)h & (m->cap - 1);
    while (m->slots[i].hash != 0) {
        i = (i + 1) & (m->cap - 1);
    }
    memcpy(m->arena + m->arena_len, key, len);
    m->slots[i].hash = h;
    m->slots[i].off = (uint32_t)m->arena_len;
    m->slots[i].len = (uint32_t)len;
    m->slots[i].value = value;
    m->arena_len += len;
    m->count++;
    return &m->slots[i];
}

/* ---- statements --------------------------------------------------------------------- */

/* Step a SELECT that returns one id. 1 found, 0 none, negative on error. */
static int ids_get(struct sho_index *ix, sqlite3_stmt *st, int64_t *id, struct sho_err *err)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
    }
    (void)sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return ix_sql_fail(ix, "cannot read the index", err);
    }
    return rc == SQLITE_ROW ? 1 : 0;
}

static int ids_add(struct sho_index *ix, sqlite3_stmt *st, int64_t *id, struct sho_err *err)
{
    int rc = sqlite3_step(st);

    (void)sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        return ix_sql_fail(ix, "cannot write the index", err);
    }
    *id = sqlite3_last_insert_rowid(ix->db);
    return 0;
}

static void bind_text(sqlite3_stmt *st, int col, const char *s)
{
    (void)sqlite3_bind_text(st, col, s != NULL ? s : "", -1, SQLITE_STATIC);
}

/* ---- hosts -------------------------------------------------------------------------- */

int ix_host_id(struct sho_index *ix, const char *name, int64_t *id, struct sho_err *err)
{
    size_t len;
    uint64_t h;
    struct ix_slot *s;
    int rc;

    if (name == NULL || *name == '\0') {
        *id = 0;
        return 0;
    }
    len = strlen(name);
    h = map_hash(name, len);
    s = map_find(&ix->hosts, name, len, h);
    if (s != NULL) {
        *id = s->value;
        return 0;
    }
    bind_text(ix->stmt[S_HOST_GET], 1, name);
    rc = ix->hosts.complete ? 0 : ids_get(ix, ix->stmt[S_HOST_GET], id, err);
    if (rc == 0) {
        bind_text(ix->stmt[S_HOST_ADD], 1, name);
        rc = ids_add(ix, ix->stmt[S_HOST_ADD], id, err);
    }
    if (rc >= 0) {
        (void)map_put(&ix->hosts, name, len, h, *id);
    }
    return rc < 0 ? rc : 0;
}

/* ---- persons ------------------------------------------------------------------------ */

/* A SID that names nobody: absent, "-", or the NULL SID. */
static bool person_sid_usable(const char *sid)
{
    return sid != NULL && sid[0] != '\0' && strcmp(sid, "-") != 0 && strcmp(sid, "S-1-0-0") != 0;
}

static bool person_name_usable(const char *name)
{
    return name != NULL && name[0] != '\0' && strcmp(name, "-") != 0;
}

/* The person key: the SID in upper case, else domain\name in lower case. */
static size_t person_key(const struct sho_event *ev, char *out, size_t out_len)
{
    struct sho_buf b;
    size_t n;
    char *p;
    int rc;

    sho_buf_init(&b, out_len);
    if (person_sid_usable(ev->user_sid)) {
        rc = sho_buf_appends(&b, ev->user_sid);
    } else {
        rc = sho_buf_appendf(&b, "%s\\%s", person_name_usable(ev->domain) ? ev->domain : "",
                             ev->user);
    }
    if (rc != 0 || b.len >= out_len) {
        sho_buf_release(&b);
        return 0;
    }
    n = b.len;
    memcpy(out, b.data, n);
    out[n] = '\0';
    sho_buf_release(&b);
    for (p = out; *p != '\0'; p++) {
        bool sid = person_sid_usable(ev->user_sid);
        if (sid && *p >= 'a' && *p <= 'z') {
            *p = (char)(*p - 32);
        } else if (!sid && *p >= 'A' && *p <= 'Z') {
            *p = (char)(*p + 32);
        }
    }
    return n;
}

/* Record the name and domain seen for person `id` (first and last time seen). */
static int person_name_put(struct sho_index *ix, int64_t id, const struct sho_event *ev,
                           struct sho_err *err)
{
    int64_t time =
        (ev->has & SHO_HAS_TIME) != 0 && ev->time <= (uint64_t)INT64_MAX ? (int64_t)ev->time : 0;
    const char *name = person_name_usable(ev->user) ? ev->user : "";
    sqlite3_stmt *st = ix->stmt[S_PNAME_PUT];
    int rc;

    if (*name == '\0') {
        return 0;
    }
    (void)sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, person_name_usable(ev->domain) ? ev->domain : "");
    bind_text(st, 3, name);
    (void)sqlite3_bind_int64(st, 4, time);
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ix_sql_fail(ix, "cannot write the index", err);
}

/* Append `s` and a NUL to key `k` of `cap` bytes; false when it does not fit. */
static bool key_add(char *k, size_t cap, size_t *len, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (*len + n + 1 > cap) {
        return false;
    }
    if (n > 0) {
        memcpy(k + *len, s, n);
    }
    k[*len + n] = '\0';
    *len += n + 1;
    return true;
}

/* The person of a SID or name not met in this run yet (or forgotten by the cache). */
static int person_resolve(struct sho_index *ix, const struct sho_event *ev, int64_t *id,
                          struct sho_err *err)
{
    char key[512];
    size_t len = person_key(ev, key, sizeof(key));
    uint64_t h;
    struct ix_slot *s;
    int rc = 0;

    if (len == 0) {
        return 0;
    }
    h = map_hash(key, len);
    s = map_find(&ix->persons, key, len, h);
    if (s != NULL) {
        *id = s->value;
        return 0;
    }
    bind_text(ix->stmt[S_PERSON_GET], 1, key);
    rc = ix->persons.complete ? 0 : ids_get(ix, ix->stmt[S_PERSON_GET], id, err);
    if (rc == 0 && !person_sid_usable(ev->user_sid)) {
        /* A name without a SID (Sysmon, text logs) belongs to the person
         * whose SID was seen with that name, when there is exactly one. */
        sqlite3_stmt *st = ix->stmt[S_PNAME_FIND];
        bind_text(st, 1, person_name_usable(ev->domain) ? ev->domain : "");
        bind_text(st, 2, ev->user);
        rc = ids_get(ix, st, id, err);
    }
    if (rc == 0) {
        sqlite3_stmt *st = ix->stmt[S_PERSON_ADD];
        bind_text(st, 1, key);
        if (person_sid_usable(ev->user_sid)) {
            (void)sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        } else {
            (void)sqlite3_bind_null(st, 2);
        }
        rc = ids_add(ix, st, id, err);
    }
    if (rc < 0) {
        return rc;
    }
    (void)map_put(&ix->persons, key, len, h, *id);
    return 0;
}

int ix_person_id(struct sho_index *ix, const struct sho_event *ev, int64_t *id, struct sho_err *err)
{
    char key[1024];
    size_t len = 0;
    uint64_t h;
    struct ix_slot *s;
    int rc;

    *id = 0;
    if (!person_sid_usable(ev->user_sid) && !person_name_usable(ev->user)) {
        return 0;
    }
    /* One probe per event: SID, domain and name as logged together. */
    if (!key_add(key, sizeof(key), &len, ev->user_sid) ||
        !key_add(key, sizeof(key), &len, ev->domain) ||
        !key_add(key, sizeof(key), &len, ev->user)) {
        return person_resolve(ix, ev, id, err);
    }
    h = map_hash(key, len);
    s = map_find(&ix->names, key, len, h);
    if (s != NULL) {
        *id = s->value;
        return 0;
    }
    rc = person_resolve(ix, ev, id, err);
    if (rc == 0 && *id != 0) {
        rc = person_name_put(ix, *id, ev, err);
    }
    if (rc == 0 && *id != 0) {
        (void)map_put(&ix->names, key, len, h, *id);
    }
    return rc;
}

/* ---- files -------------------------------------------------------------------------- */

int ix_file_id(struct sho_index *ix, const char *path, const struct ix_hints *hints, int64_t *id,
               struct sho_err *err)
{
    char small[1024];
    char *norm = small;
    size_t len, nlen;
    uint64_t h;
    struct ix_slot *s;
    sqlite3_stmt *st;
    int rc = 0;

    *id = 0;
    if (path == NULL || *path == '\0') {
        return 0;
    }
    if (hints != NULL && hints->file != 0) {
        len = hints->path_len;
        h = hints->file;
    } else {
        len = strlen(path);
        h = map_hash(path, len);
    }
    s = map_find(&ix->files, path, len, h);
    if (s != NULL) {
        *id = s->value;
        return 0;
    }
    nlen = sho_index_path_norm(path, small, sizeof(small));
    if (nlen >= sizeof(small)) {
        norm = sho_xmalloc(nlen + 1);
        (void)sho_index_path_norm(path, norm, nlen + 1);
    }
    st = ix->stmt[S_FILE_FIND];
    (void)sqlite3_bind_int64(st, 1, (sqlite3_int64)ix_hash(norm, nlen));
    while (!ix->files.complete && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_text(st, 1);
        if (p != NULL && strcmp((const char *)p, path) == 0) {
            *id = sqlite3_column_int64(st, 0);
            break;
        }
    }
    (void)sqlite3_reset(st);
    if (!ix->files.complete && rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = ix_sql_fail(ix, "cannot read the index", err);
        goto out;
    }
    rc = 0;
    if (*id == 0) {
        st = ix->stmt[S_FILE_ADD];
        (void)sqlite3_bind_text(st, 1, path, (int)len, SQLITE_STATIC);
        (void)sqlite3_bind_int64(st, 2, (sqlite3_int64)ix_hash(norm, nlen));
        rc = ids_add(ix, st, id, err);
    }
    if (rc == 0) {
        (void)map_put(&ix->files, path, len, h, *id);
    }
out:
    if (norm != small) {
        free(norm);
    }
    return rc;
}

/* ---- context ------------------------------------------------------------------------ */

#define CTX_KEY_MAX 4096

/* The key of an event's context: the numbers as bytes, then the host name and the strings.
 * False when it does not fit. */
static bool ctx_key(const struct sho_event *ev, char key[CTX_KEY_MAX], size_t *len)
{
    const char *strs[5] = { ev->channel, ev->object_type, ev->process, ev->client_ip, ev->share };
    uint32_t nums[3] = { (ev->has & SHO_HAS_EVENT_ID) != 0 ? ev->event_id : 0, ev->actions,
                         (uint32_t)ev->outcome };
    int i;

    memcpy(key, nums, sizeof(nums));
    *len = sizeof(nums);
    if (!key_add(key, CTX_KEY_MAX, len, ev->host)) {
        return false;
    }
    for (i = 0; i < 5; i++) {
        if (!key_add(key, CTX_KEY_MAX, len, strs[i])) {
            return false;
        }
    }
    return true;
}

int ix_ctx_id(struct sho_index *ix, const struct sho_event *ev, const struct ix_hints *hints,
              int64_t *id, struct sho_err *err)
{
    char key[CTX_KEY_MAX];
    size_t len = 0;
    uint64_t h;
    struct ix_slot *s;
    sqlite3_stmt *st;
    int64_t host = 0;
    int rc, i;
    const char *strs[5] = { ev->channel, ev->object_type, ev->process, ev->client_ip, ev->share };
    uint32_t nums[3] = { (ev->has & SHO_HAS_EVENT_ID) != 0 ? ev->event_id : 0, ev->actions,
                         (uint32_t)ev->outcome };

    if (!ctx_key(ev, key, &len)) {
        return sho_err_set(err, SHO_ELIMIT, NULL, -1, "event context too long");
    }
    h = hints != NULL && hints->ctx != 0 ? hints->ctx : map_hash(key, len);
    s = map_find(&ix->ctxs, key, len, h);
    if (s != NULL) {
        *id = s->value;
        return 0;
    }
    rc = ix_host_id(ix, ev->host, &host, err);
    if (rc != 0) {
        return rc;
    }
    for (rc = 0, i = 0; i < 2 && rc == 0; i++) {
        /* i = 0: look it up (unless the cache knows every row); i = 1: add it */
        st = ix->stmt[i == 0 ? S_CTX_GET : S_CTX_ADD];
        if (i == 0 && ix->ctxs.complete) {
            continue;
        }
        (void)sqlite3_bind_int64(st, 10, (sqlite3_int64)h);
        (void)sqlite3_bind_int64(st, 1, host);
        bind_text(st, 2, strs[0]);
        (void)sqlite3_bind_int64(st, 3, nums[0]);
        (void)sqlite3_bind_int64(st, 4, nums[1]);
        (void)sqlite3_bind_int64(st, 5, nums[2]);
        bind_text(st, 6, strs[1]);
        bind_text(st, 7, strs[2]);
        bind_text(st, 8, strs[3]);
        bind_text(st, 9, strs[4]);
        rc = i == 0 ? ids_get(ix, st, id, err) : ids_add(ix, st, id, err);
        if (i == 0 && rc == 1) {
            break;
        }
    }
    if (rc < 0) {
        return rc;
    }
    (void)map_put(&ix->ctxs, key, len, h, *id);
    return 0;
}

/* ---- prefetch hints ----------------------------------------------------------------- */

/* Start loading the cache line at `p`. An asm statement on x86: GCC drops a
 * __builtin_prefetch whose address comes from a load it deems unused. */
static inline void prefetch(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p);
#endif
}

/* Start loading the slot where `h` would be. */
static void map_prefetch_slot(const struct ix_map *m, uint64_t h)
{
    prefetch(&m->slots[(size_t)h & (m->cap - 1)]);
}

/* Start loading the key bytes of the entry with hash `h` when it sits in its home slot or
 * the next (its slots should be loaded). No loop: compilers drop loops that only prefetch. */
static void map_prefetch_key(const struct ix_map *m, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);
    const struct ix_slot *s = &m->slots[i];

    if (s->hash != h) {
        s = &m->slots[(i + 1) & (m->cap - 1)];
    }
    if (s->hash == h) {
        const char *k = m->arena + s->off;
        prefetch(k);
        prefetch(k + s->len - 1);
    }
}

void ix_hint(struct sho_index *ix, const struct sho_event *ev, struct ix_hints *h)
{
    char key[CTX_KEY_MAX];
    size_t len = 0;

    h->file = h->ctx = 0;
    h->path_len = 0;
    if (ev->path != NULL && *ev->path != '\0') {
        h->path_len = strlen(ev->path);
        h->file = map_hash(ev->path, h->path_len);
        map_prefetch_slot(&ix->files, h->file);
    }
    if (ctx_key(ev, key, &len)) {
        h->ctx = map_hash(key, len);
        map_prefetch_slot(&ix->ctxs, h->ctx);
    }
}

void ix_hint_keys(struct sho_index *ix, const struct ix_hints *h)
{
    if (h->file != 0) {
        map_prefetch_key(&ix->files, h->file);
    }
    if (h->ctx != 0) {
        map_prefetch_key(&ix->ctxs, h->ctx);
    }
}

/* ---- logon sessions ----------------------------------------------------------------- */

#define IX_SYSTEM_LOGON_MAX 0x3e7 /* SYSTEM, LOCAL and NETWORK SERVICE, ...: not sessions */

static void bind_id_or_null(sqlite3_stmt *st, int col, int64_t id)
{
    if (id != 0) {
        (void)sqlite3_bind_int64(st, col, id);
    } else {
        (void)sqlite3_bind_null(st, col);
    }
}

/* Step a lookup of (host, logon id[, time]) that returns a session id: 1 found, 0 none. */
static int session_lookup(struct sho_index *ix, enum ix_stmt q, int64_t host, uint64_t logon,
                          int64_t t, int64_t *id, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[q];

    (void)sqlite3_bind_int64(st, 1, host);
    (void)sqlite3_bind_int64(st, 2, (sqlite3_int64)logon);
    if (q == S_SESS_AT) {
        (void)sqlite3_bind_int64(st, 3, t);
    }
    return ids_get(ix, st, id, err);
}

/* A new session row (with the logon's details when `ev` is the logon). */
static int session_add(struct sho_index *ix, int64_t host, const struct sho_event *ev,
                       int64_t person, bool logon, int64_t *v, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[S_SESS_ADD];
    int64_t id = 0;
    int rc;

    (void)sqlite3_bind_int64(st, 1, host);
    (void)sqlite3_bind_int64(st, 2, (sqlite3_int64)ev->logon_id);
    bind_id_or_null(st, 3, person);
    bind_id_or_null(st, 4, logon ? ix_ticks(ev->time) : 0);
    bind_id_or_null(st, 5, logon && (ev->has & SHO_HAS_LOGON_TYPE) != 0 ? ev->logon_type : 0);
    if (logon && ev->client_ip != NULL) {
        bind_text(st, 6, ev->client_ip);
    } else {
        (void)sqlite3_bind_null(st, 6);
    }
    rc = ids_add(ix, st, &id, err);
    *v = id << 1 | (logon ? 1 : 0);
    return rc;
}

/* Run an UPDATE of session `id`: logon details, or the logoff time. */
static int session_update(struct sho_index *ix, int64_t id, const struct sho_event *ev,
                          int64_t person, bool logon, struct sho_err *err)
{
    sqlite3_stmt *st = ix->stmt[logon ? S_SESS_LOGON : S_SESS_LOGOFF];
    int rc;

    (void)sqlite3_bind_int64(st, 1, id);
    (void)sqlite3_bind_int64(st, 2, ix_ticks(ev->time));
    if (logon) {
        bind_id_or_null(st, 3, (ev->has & SHO_HAS_LOGON_TYPE) != 0 ? ev->logon_type : 0);
        if (ev->client_ip != NULL) {
            bind_text(st, 4, ev->client_ip);
        } else {
            (void)sqlite3_bind_null(st, 4);
        }
        bind_id_or_null(st, 5, person);
    }
    rc = sqlite3_step(st);
    (void)sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ix_sql_fail(ix, "cannot write the index", err);
}

/*
 * The cache of each logon id's latest logon: (host, logon id, 0) -> its session and
 * (host, logon id, 1) -> its logon time, in one map, so that emptying it forgets both.
 */
static struct ix_slot *session_slot(struct sho_index *ix, const int64_t key[2], int64_t tag)
{
    int64_t k[3] = { key[0], key[1], tag };

    return map_find(&ix->sessions, k, sizeof(k), map_hash(k, sizeof(k)));
}

static void session_slot_set(struct sho_index *ix, const int64_t key[2], int64_t tag, int64_t value)
{
    int64_t k[3] = { key[0], key[1], tag };
    uint64_t h = map_hash(k, sizeof(k));
    struct ix_slot *s = map_find(&ix->sessions, k, sizeof(k), h);

    if (s != NULL) {
        s->value = value;
    } else {
        (void)map_put(&ix->sessions, k, sizeof(k), h, value); /* NULL: the table answers */
    }
}

/* Remember that session `id`, logged on at `t`, is the latest of (host, logon id): when the
 * cache knows a later one it keeps it; when it knows none, only if the table has no later. */
static int session_remember(struct sho_index *ix, const int64_t key[2], int64_t id, int64_t t,
                            struct sho_err *err)
{
    const struct ix_slot *sid = session_slot(ix, key, 0), *st = session_slot(ix, key, 1);
    int64_t latest = id;
    int rc = 0;

    if (sid != NULL && st != NULL) {
        if (st->value > t) {
            return 0;
        }
    } else {
        rc = session_lookup(ix, S_SESS_AT, key[0], (uint64_t)key[1], INT64_MAX, &latest, err);
        if (rc < 0 || latest != id) {
            return rc < 0 ? rc : 0;
        }
    }
    session_slot_set(ix, key, 0, id); /* used only when both are there: the map may empty */
    session_slot_set(ix, key, 1, t);  /* itself between the two */
    return 0;
}

/* The session of a logon at `t`: the one without a known logon adopts it, else a new one. */
static int session_logon(struct sho_index *ix, const int64_t key[2], const struct sho_event *ev,
                         int64_t person, int64_t *id, struct sho_err *err)
{
    int64_t t = ix_ticks(ev->time);
    int rc = session_lookup(ix, S_SESS_NULL, key[0], ev->logon_id, 0, id, err);

    if (rc == 1) {
        rc = session_update(ix, *id, ev, person, true, err);
    } else if (rc == 0) {
        int64_t v = 0;
        rc = session_add(ix, key[0], ev, person, true, &v, err);
        *id = v >> 1;
    }
    if (rc >= 0) {
        rc = session_remember(ix, key, *id, t, err);
    }
    return rc < 0 ? rc : 0;
}

/* The session of any other event at `t`: the latest logon at or before it, else the one
 * without a known logon (made when missing). */
static int session_at(struct sho_index *ix, const int64_t key[2], const struct sho_event *ev,
                      int64_t person, int64_t *id, struct sho_err *err)
{
    int64_t t = ix_ticks(ev->time), v = 0;
    const struct ix_slot *s = session_slot(ix, key, 0), *st = session_slot(ix, key, 1);
    int rc;

    if (s != NULL && st != NULL && st->value <= t) {
        *id = s->value; /* after the latest logon known */
        return 0;
    }
    rc = session_lookup(ix, S_SESS_AT, key[0], ev->logon_id, t, id, err);
    if (rc == 0) {
        rc = session_lookup(ix, S_SESS_NULL, key[0], ev->logon_id, 0, id, err);
    }
    if (rc == 0) {
        rc = session_add(ix, key[0], ev, person, false, &v, err);
        *id = v >> 1;
    }
    return rc < 0 ? rc : 0;
}

int ix_session_id(struct sho_index *ix, const struct sho_event *ev, int64_t person, int64_t *id,
                  struct sho_err *err)
{
    bool logon = (ev->actions & SHO_ACT_LOGON) != 0 && ev->outcome != SHO_OUTCOME_FAILURE;
    int64_t key[2] = { 0, (int64_t)ev->logon_id };
    int rc;

    *id = 0;
    if ((ev->has & SHO_HAS_LOGON_ID) == 0 || ev->logon_id <= IX_SYSTEM_LOGON_MAX) {
        return 0;
    }
    rc = ix_host_id(ix, ev->host, &key[0], err);
    if (rc == 0) {
        rc = logon ? session_logon(ix, key, ev, person, id, err)
                   : session_at(ix, key, ev, person, id, err);
    }
    if (rc == 0 && (ev->actions & SHO_ACT_LOGOFF) != 0) {
        rc = session_update(ix, *id, ev, 0, false, err);
    }
    return rc;
}
