/*
 * ch_ship: the archive's events into ClickHouse. Walks the EVENTS frames
 * after the checkpoint, renders each event as one TabSeparated row (the
 * columns of CH_COLUMNS, plus `dt`, the second, which partitions by month),
 * and sends whole frames in batches of about opts->batch_events events,
 * gzip-compressed, with insert_distributed_sync=1 so that an insert into a
 * Distributed table has reached every shard before it returns. The
 * checkpoint moves after each batch.
 *
 * Sent twice is not counted twice: a batch whose answer was lost is sent
 * again by the next run, and the table, a ReplacingMergeTree whose sorting
 * key ends in the archive reference (frame, idx), keeps one row per event;
 * until its background merge has run, searches drop the repeats themselves
 * (docs/decisions.md, "A batch sent twice is kept once"). A materialized view,
 * TABLE_people, keeps each person key's names for the searches.
 *
 * Persons are keyed as the index keys them (the SID in upper case, else
 * domain\name in lower case); paths are sent as logged and normalized.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch_priv.h"

#define CH_BATCH_DEFAULT 200000
#define CH_BATCH_BYTES   ((size_t)1 << 30) /* most uncompressed bytes of one batch */
#define CH_PATH_STACK    1024

struct ship {
    const struct sho_ch_target *t;
    const char *ckpt;           /* checkpoint path */
    struct sho_buf rows;        /* the batch being built */
    uint64_t batch_events;      /* events per batch, at least */
    uint64_t pending_events;    /* events in rows */
    uint64_t pending_frames;    /* frames in rows */
    struct sho_archive_pos pos; /* after the last frame in rows */
    struct sho_ch_ship_stats *stats;
    struct sho_err *err;
};

static bool usable_sid(const char *sid)
{
    return sid != NULL && sid[0] != '\0' && strcmp(sid, "-") != 0 && strcmp(sid, "S-1-0-0") != 0;
}

static bool usable_name(const char *name)
{
    return name != NULL && name[0] != '\0' && strcmp(name, "-") != 0;
}

/* The person key of indexer/index_ids.c: the SID upper-cased, else domain\name lower-cased. */
static int put_pkey(struct sho_buf *b, const struct sho_event *ev)
{
    struct sho_buf k;
    size_t i;
    bool sid = usable_sid(ev->user_sid);
    int rc = 0;

    if (!sid && !usable_name(ev->user)) {
        return 0;
    }
    sho_buf_init(&k, 4096);
    rc = sid ? sho_buf_appends(&k, ev->user_sid)
             : sho_buf_appendf(&k, "%s\\%s", usable_name(ev->domain) ? ev->domain : "", ev->user);
    for (i = 0; rc == 0 && i < k.len; i++) {
        char c = k.data[i];
        if (sid && c >= 'a' && c <= 'z') {
            k.data[i] = (char)(c - 32);
        } else if (!sid && c >= 'A' && c <= 'Z') {
            k.data[i] = (char)(c + 32);
        }
    }
    if (rc == 0) {
        rc = ch_tsv(b, k.data);
    }
    sho_buf_release(&k);
    return rc;
}

static int put_npath(struct sho_buf *b, const char *path)
{
    char small[CH_PATH_STACK];
    char *norm = small;
    size_t n;
    int rc;

    if (path == NULL || path[0] == '\0') {
        return 0;
    }
    n = sho_index_path_norm(path, small, sizeof(small));
    if (n >= sizeof(small)) {
        norm = sho_xmalloc(n + 1);
        (void)sho_index_path_norm(path, norm, n + 1);
    }
    rc = ch_tsv(b, norm);
    if (norm != small) {
        free(norm);
    }
    return rc;
}

/* One event as a row: dt, then CH_COLUMNS. */
static int put_row(struct sho_buf *b, const struct sho_event *ev, uint64_t frame, uint32_t index)
{
    uint64_t ft = (ev->has & SHO_HAS_TIME) != 0 ? ev->time : 0;
    uint64_t unix_s = ft > SHO_FILETIME_UNIX_EPOCH ? (ft - SHO_FILETIME_UNIX_EPOCH) / 10000000 : 0;
    int rc;

    if (unix_s > UINT32_MAX) {
        unix_s = UINT32_MAX;
    }
    rc = sho_buf_appendf(b, "%llu\t%llu\t", (unsigned long long)unix_s, (unsigned long long)ft);
    rc = rc != 0 ? rc : ch_tsv(b, ev->host);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : put_pkey(b, ev);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : ch_tsv(b, usable_name(ev->user) ? ev->user : NULL);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc
                 : ch_tsv(b, usable_name(ev->user) && usable_name(ev->domain) ? ev->domain : NULL);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : ch_tsv(b, ev->path);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : put_npath(b, ev->path);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : ch_tsv(b, ev->channel);
    rc = rc != 0 ? rc
                 : sho_buf_appendf(b, "\t%u\t%u\t%u\t", (unsigned)ev->event_id,
                                   (unsigned)ev->actions, (unsigned)ev->outcome);
    rc = rc != 0 ? rc : ch_tsv(b, ev->object_type);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : ch_tsv(b, ev->process);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : ch_tsv(b, ev->client_ip);
    rc = rc != 0 ? rc : sho_buf_putc(b, '\t');
    rc = rc != 0 ? rc : ch_tsv(b, ev->share);
    return rc != 0 ? rc
                   : sho_buf_appendf(b, "\t%llu\t%u\n", (unsigned long long)frame, (unsigned)index);
}

static int ship_flush(struct ship *s)
{
    char sql[256];
    int rc;

    if (s->pending_frames == 0) {
        return 0;
    }
    (void)snprintf(sql, sizeof(sql), "INSERT INTO %s (dt, " CH_COLUMNS ") FORMAT TabSeparated",
                   s->t->table);
    rc = ch_post(s->t, 0, "&insert_distributed_sync=1", sql, s->rows.data, s->rows.len, true, NULL,
                 NULL, &s->stats->bytes, s->err);
    if (rc == 0) {
        rc = ch_ckpt_save(s->ckpt, s->t, &s->pos, s->err);
    }
    if (rc == 0) {
        s->stats->batches++;
        s->stats->frames += s->pending_frames;
        s->stats->events += s->pending_events;
        sho_log(SHO_LOG_INFO, "shipped frames up to %llu (%llu events)",
                (unsigned long long)s->pos.seq, (unsigned long long)s->stats->events);
    }
    sho_buf_reset(&s->rows);
    s->pending_events = 0;
    s->pending_frames = 0;
    return rc;
}

static int ship_event(void *ctx, const struct sho_event *ev, uint32_t index,
                      const uint8_t source_sha[SHO_HASH_LEN])
{
    struct ship *s = ctx;

    (void)source_sha;
    s->pending_events++;
    if (put_row(&s->rows, ev, s->pos.seq, index) != 0) {
        return sho_err_set(s->err, SHO_ELIMIT, NULL, -1, "%s", "a ship batch is too large");
    }
    return 0;
}

static int ship_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *payload,
                      size_t len)
{
    struct ship *s = ctx;
    int rc;

    s->pos.is_set = true;
    s->pos.seq = fi->seq;
    memcpy(s->pos.hash, fi->hash, SHO_HASH_LEN);
    s->pos.segment = fi->segment;
    s->pos.end = fi->end;
    rc = sho_archive_frame_events(fi, payload, len, ship_event, s);
    if (rc == SHO_ECORRUPT) {
        return sho_err_set(s->err, rc, NULL, -1, "frame %llu: malformed events",
                           (unsigned long long)fi->seq);
    }
    if (rc != 0) {
        return rc;
    }
    s->pending_frames++;
    return s->pending_events >= s->batch_events ? ship_flush(s) : 0;
}

/* The CREATE TABLE statement of the events table `name` with `engine`. Returns 0 or
 * SHO_ELIMIT. */
static int create_sql(struct sho_buf *b, const char *name, const char *engine)
{
    return sho_buf_appendf(
        b,
        "CREATE TABLE IF NOT EXISTS %s (dt DateTime, ft UInt64, host String, pkey String,"
        " user String, domain String, path String, npath String, channel String,"
        " event_id UInt32, actions UInt32, outcome UInt8, object_type String, process String,"
        " client_ip String, share String, frame UInt64, idx UInt32) ENGINE = %s",
        name, engine);
}

#define CH_ENGINE "ReplacingMergeTree PARTITION BY toYYYYMM(dt) ORDER BY (pkey, ft, frame, idx)"

/* The persons and names of the events, kept up to date by ClickHouse at each insert, so that
 * a search reads a small table rather than grouping every event (ch_people.c). */
#define CH_PEOPLE_VIEW                                                                             \
    "CREATE MATERIALIZED VIEW IF NOT EXISTS %s ENGINE = AggregatingMergeTree"                      \
    " ORDER BY (pkey, domain, user) AS SELECT pkey, domain, user,"                                 \
    " argMinState(ft, frame * 65536 + idx) AS first_time,"                                         \
    " minState(frame * 65536 + idx) AS first_ref FROM %s WHERE user != ''"                         \
    " GROUP BY pkey, domain, user"

/* The same events sorted by normalized path, for `who` (a selection by path). */
#define CH_BYPATH_VIEW                                                                             \
    "CREATE MATERIALIZED VIEW IF NOT EXISTS %s ENGINE = ReplacingMergeTree"                        \
    " PARTITION BY toYYYYMM(dt) ORDER BY (npath, ft, frame, idx) AS SELECT * FROM %s"

/* The statements creating the tables on one node: the events, the view by path, the persons,
 * and with a cluster the Distributed tables over each (steps 3, 4 and 5). */
static int create_node(const struct sho_ch_target *t, unsigned node, struct sho_err *err)
{
    static const char *const views[] = { "_people", "_bypath" };
    char local[160], name[200], name_local[200], dist[400];
    const bool cluster = t->cluster != NULL;
    struct sho_buf sql;
    int step, rc = 0;

    (void)snprintf(local, sizeof(local), "%s_local", t->table);
    sho_buf_init(&sql, 8192);
    for (step = 0; rc == 0 && step < 6; step++) {
        const char *view = views[step % 2];
        sho_buf_reset(&sql);
        (void)snprintf(name, sizeof(name), "%s%s", t->table, view);
        (void)snprintf(name_local, sizeof(name_local), "%s%s_local", t->table, view);
        if (step == 0) {
            rc = create_sql(&sql, cluster ? local : t->table, CH_ENGINE);
        } else if (step == 1) {
            rc = sho_buf_appendf(&sql, CH_BYPATH_VIEW, cluster ? name_local : name,
                                 cluster ? local : t->table);
        } else if (step == 2) {
            rc = sho_buf_appendf(&sql, CH_PEOPLE_VIEW, cluster ? name_local : name,
                                 cluster ? local : t->table);
        } else if (!cluster) {
            break;
        } else if (step == 3) {
            (void)snprintf(dist, sizeof(dist),
                           "Distributed(%s, currentDatabase(), %s, cityHash64(frame, idx))",
                           t->cluster, local);
            rc = create_sql(&sql, t->table, dist);
        } else {
            rc = sho_buf_appendf(&sql,
                                 "CREATE TABLE IF NOT EXISTS %s AS %s ENGINE ="
                                 " Distributed(%s, currentDatabase(), %s)",
                                 name, name_local, t->cluster, name_local);
        }
        if (rc != 0) {
            rc = sho_err_set(err, SHO_ELIMIT, NULL, -1, "table name too long: '%s'", t->table);
            break;
        }
        rc = ch_post(t, node, "", sql.data, NULL, 0, false, NULL, NULL, NULL, err);
    }
    sho_buf_release(&sql);
    return rc;
}

/* Create the table on the first node, or with a cluster the local tables and the Distributed
 * tables over them on every node (ON CLUSTER needs ZooKeeper). */
static int ship_create(const struct sho_ch_target *t, struct sho_err *err)
{
    unsigned node, nodes = t->cluster != NULL ? t->url_count : 1;
    int rc = 0;

    for (node = 0; rc == 0 && node < nodes; node++) {
        rc = create_node(t, node, err);
    }
    return rc;
}

/* Is the table there and may we write it? Asked before anything else, so that a wrong
 * password or a missing table is reported even when nothing is new. */
static int ship_probe(const struct sho_ch_target *t, struct sho_err *err)
{
    char sql[256];
    int rc;

    (void)snprintf(sql, sizeof(sql), "SELECT count() FROM %s WHERE 0", t->table);
    rc = ch_post(t, 0, "", sql, NULL, 0, false, NULL, NULL, NULL, err);
    if (rc != 0 && err != NULL && strstr(err->msg, "doesn't exist") != NULL) {
        size_t n = strlen(err->msg);
        (void)snprintf(err->msg + n, sizeof(err->msg) - n, "%s", " (--create creates it)");
    }
    return rc;
}

int sho_ch_ship(const char *dir, const struct sho_ch_target *t, const struct sho_ch_ship_opts *opts,
                struct sho_ch_ship_stats *stats, struct sho_err *err)
{
    char ckpt[SHO_ERR_PATH_MAX];
    struct sho_archive_opts aopts;
    struct sho_archive *a = NULL;
    struct sho_ch_ship_stats local_stats;
    struct ship s;
    int rc;

    memset(&s, 0, sizeof(s));
    memset(&local_stats, 0, sizeof(local_stats));
    s.t = t;
    s.ckpt = ckpt;
    s.stats = stats != NULL ? stats : &local_stats;
    s.err = err;
    s.batch_events =
        opts != NULL && opts->batch_events != 0 ? opts->batch_events : CH_BATCH_DEFAULT;
    memset(s.stats, 0, sizeof(*s.stats));
    ch_ckpt_path(dir, t, ckpt, sizeof(ckpt));
    rc = opts != NULL && opts->create ? ship_create(t, err) : 0;
    if (rc == 0) {
        rc = ship_probe(t, err);
    }
    if (rc == 0) {
        rc = ch_ckpt_load(ckpt, &s.pos, err);
    }
    if (rc == 0) {
        memset(&aopts, 0, sizeof(aopts));
        rc = sho_archive_open(dir, &aopts, &a, err);
    }
    if (rc != 0) {
        return rc;
    }
    sho_buf_init(&s.rows, CH_BATCH_BYTES);
    rc = sho_archive_walk_from(a, &s.pos, SHO_FRAME_MASK(SHO_FRAME_EVENTS), ship_frame, &s, err);
    if (rc == SHO_ARCHIVE_STALE) {
        rc = sho_err_set(err, SHO_EINVAL, ckpt, -1, "%s",
                         "the checkpoint is not a frame of this archive (archive replaced?)");
    }
    if (rc == 0) {
        rc = ship_flush(&s);
    }
    sho_buf_release(&s.rows);
    sho_archive_close(a);
    return rc;
}
