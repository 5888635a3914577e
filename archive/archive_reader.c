/*
 * archive_reader: everything that reads the archive back: the checked walk,
 * verification, the list of sources, extraction of original files byte for
 * byte, and the stored events with their references ("FRAME:INDEX"). Every
 * read goes through arc_walk, so nothing is ever read from an archive whose
 * chain is broken without saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_priv.h"

#define ARC_PATH_MAX 4096

int sho_archive_walk(struct sho_archive *a, unsigned types,
                     int (*fn)(void *ctx, const struct sho_frame_info *fi, const uint8_t *payload,
                               size_t len),
                     void *ctx, struct sho_err *err)
{
    struct arc_walk_state ws;

    return arc_walk(a, NULL, types, fn, ctx, &ws, err);
}

int sho_archive_walk_from(struct sho_archive *a, const struct sho_archive_pos *from, unsigned types,
                          int (*fn)(void *ctx, const struct sho_frame_info *fi,
                                    const uint8_t *payload, size_t len),
                          void *ctx, struct sho_err *err)
{
    struct arc_walk_state ws;
    struct arc_head head;
    int rc;

    memset(&head, 0, sizeof(head));
    if (from != NULL && from->is_set) {
        head.is_set = true;
        head.seq = from->seq;
        memcpy(head.hash, from->hash, SHO_HASH_LEN);
        head.segment = from->segment;
        head.end = from->end;
    }
    rc = arc_walk(a, &head, types, fn, ctx, &ws, err);
    return rc == ARC_WALK_STALE ? SHO_ARCHIVE_STALE : rc;
}

/* ---- a set of hashes (verification) ------------------------------------------------- */

struct hash_set {
    uint8_t (*slots)[SHO_HASH_LEN]; /* owned; all-zero means empty */
    size_t cap, count;
};

static void hash_set_release(struct hash_set *s)
{
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

static bool hash_is_zero(const uint8_t *h)
{
    size_t i;
    for (i = 0; i < SHO_HASH_LEN; i++) {
        if (h[i] != 0) {
            return false;
        }
    }
    return true;
}

static size_t hash_slot(const struct hash_set *s, const uint8_t *h)
{
    size_t i = (size_t)sho_le64(h) & (s->cap - 1);

    while (!hash_is_zero(s->slots[i]) && memcmp(s->slots[i], h, SHO_HASH_LEN) != 0) {
        i = (i + 1) & (s->cap - 1);
    }
    return i;
}

static void hash_set_add(struct hash_set *s, const uint8_t *h)
{
    size_t i;

    if (s->count * 2 >= s->cap) {
        struct hash_set bigger = { NULL, s->cap != 0 ? s->cap * 2 : 1024, 0 };
        bigger.slots = sho_xcalloc(bigger.cap, SHO_HASH_LEN);
        for (i = 0; i < s->cap; i++) {
            if (!hash_is_zero(s->slots[i])) {
                memcpy(bigger.slots[hash_slot(&bigger, s->slots[i])], s->slots[i], SHO_HASH_LEN);
                bigger.count++;
            }
        }
        free(s->slots);
        *s = bigger;
    }
    i = hash_slot(s, h);
    if (hash_is_zero(s->slots[i])) {
        memcpy(s->slots[i], h, SHO_HASH_LEN);
        s->count++;
    }
}

static bool hash_set_has(const struct hash_set *s, const uint8_t *h)
{
    return s->cap != 0 && !hash_is_zero(s->slots[hash_slot(s, h)]);
}

/* ---- verify ------------------------------------------------------------------------ */

struct verify_ctx {
    struct sho_archive *a;
    struct sho_verify_report *r;
    const uint8_t *expect;
    struct hash_set blocks;   /* block hashes seen, checked against their bytes */
    struct hash_set sources;  /* committed sources */
    struct hash_set pending;  /* sources of events not yet committed */
    struct arc_events events; /* reader of EVENTS payloads */
    struct sho_err *err;
};

static int verify_fail(struct verify_ctx *v, const struct sho_frame_info *fi, const char *what)
{
    char path[ARC_PATH_MAX];

    arc_segment_path(v->a, fi->segment, path, sizeof(path));
    return sho_err_set(v->err, SHO_ETAMPER, path, fi->offset, "frame %llu: %s",
                       (unsigned long long)fi->seq, what);
}

static int verify_events(struct verify_ctx *v, const struct sho_frame_info *fi, const uint8_t *p,
                         size_t len)
{
    struct sho_event ev;
    int rc;

    if (arc_events_load(&v->events, p, len) != 0) {
        return verify_fail(v, fi, "events frame does not decode");
    }
    while ((rc = arc_events_next(&v->events, &ev)) == 1) {
    }
    if (rc != 0) {
        return verify_fail(v, fi, "an event does not decode");
    }
    v->r->events += v->events.count;
    if (!hash_set_has(&v->sources, p)) {
        hash_set_add(&v->pending, p);
    }
    return 0;
}

static int verify_source(struct verify_ctx *v, const struct sho_frame_info *fi, const uint8_t *p,
                         size_t len)
{
    struct arc_source_rec rec;
    size_t i;
    int rc = 0;

    if (arc_source_parse(p, len, &rec) != 0) {
        return verify_fail(v, fi, "source record does not parse");
    }
    for (i = 0; i < rec.block_count && rc == 0; i++) {
        if (!hash_set_has(&v->blocks, rec.blocks[i])) {
            rc = verify_fail(v, fi, "source names a block that is not in the archive before it");
        }
    }
    if (rc == 0) {
        hash_set_add(&v->sources, rec.sha);
        v->r->sources++;
    }
    arc_source_release(&rec);
    return rc;
}

static int verify_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct verify_ctx *v = ctx;
    uint8_t h[SHO_HASH_LEN];

    if (v->expect != NULL && memcmp(fi->hash, v->expect, SHO_HASH_LEN) == 0) {
        v->r->expected_head_seen = true;
    }
    switch (fi->type) {
    case SHO_FRAME_BLOCK: {
        struct arc_block_table t;
        size_t at = 0;
        uint32_t i;
        if (arc_blocks_parse(p, len, &t) != 0) {
            return verify_fail(v, fi, "block table does not parse");
        }
        for (i = 0; i < t.count; i++) {
            const uint8_t *e = t.entries + (size_t)i * ARC_BLOCK_ENTRY;
            size_t n = sho_le32(e + SHO_HASH_LEN);
            sho_sha256(t.data + at, n, h);
            if (memcmp(h, e, SHO_HASH_LEN) != 0) {
                return verify_fail(v, fi, "block bytes do not match the block's hash");
            }
            hash_set_add(&v->blocks, h);
            at += n;
        }
        v->r->blocks += t.count;
        return 0;
    }
    case SHO_FRAME_EVENTS:
        return verify_events(v, fi, p, len);
    case SHO_FRAME_SOURCE:
        return verify_source(v, fi, p, len);
    default:
        return 0;
    }
}

/* Sources whose events were stored but whose collection never committed. */
static uint64_t verify_unfinished(const struct verify_ctx *v)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < v->pending.cap; i++) {
        if (!hash_is_zero(v->pending.slots[i]) && !hash_set_has(&v->sources, v->pending.slots[i])) {
            n++;
        }
    }
    return n;
}

int sho_archive_verify(struct sho_archive *a, const uint8_t *expect_head,
                       struct sho_verify_report *report, struct sho_err *err)
{
    struct verify_ctx v;
    struct arc_walk_state ws;
    int rc;

    memset(report, 0, sizeof(*report));
    memset(&v, 0, sizeof(v));
    v.a = a;
    v.r = report;
    v.expect = expect_head;
    v.err = err;
    arc_events_init(&v.events);
    rc = arc_walk(a, NULL, SHO_FRAME_ALL, verify_frame, &v, &ws, err);
    report->frames = ws.frames;
    report->segments = ws.segments;
    report->has_head = ws.has_head;
    memcpy(report->head, ws.head, SHO_HASH_LEN);
    report->tails_set_aside = ws.tails_set_aside + (ws.last_end != ws.last_size ? 1 : 0);
    report->sources_unfinished = verify_unfinished(&v);
    if (rc == 0 && expect_head != NULL && !report->expected_head_seen) {
        char hex[SHO_HASH_HEX], last[ARC_PATH_MAX];
        sho_hash_hex(expect_head, hex);
        /* Located where the chain now ends: a cut or a removal is at or before that point. */
        if (ws.last_segment > 0) {
            arc_segment_path(a, ws.last_segment, last, sizeof(last));
        }
        rc = sho_err_set(err, SHO_ETAMPER, ws.last_segment > 0 ? last : a->archive_dir,
                         ws.last_segment > 0 ? ws.last_end : -1,
                         "expected head %s is not in the chain, which ends here after %llu "
                         "frames: frames up to it were altered or removed",
                         hex, (unsigned long long)ws.frames);
    }
    hash_set_release(&v.blocks);
    hash_set_release(&v.sources);
    hash_set_release(&v.pending);
    arc_events_release(&v.events);
    return rc;
}

/* ---- sources ------------------------------------------------------------------------ */

struct sources_ctx {
    int (*fn)(void *ctx, const struct sho_archive_source *s);
    void *ctx;
};

static int sources_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct sources_ctx *c = ctx;
    struct arc_source_rec rec;
    int rc;

    if (arc_source_parse(p, len, &rec) != 0) {
        return 0;
    }
    rec.pub.seq = fi->seq;
    rc = c->fn(c->ctx, &rec.pub);
    arc_source_release(&rec);
    return rc;
}

int sho_archive_sources(struct sho_archive *a,
                        int (*fn)(void *ctx, const struct sho_archive_source *s), void *ctx,
                        struct sho_err *err)
{
    struct sources_ctx c = { fn, ctx };

    return sho_archive_walk(a, SHO_FRAME_MASK(SHO_FRAME_SOURCE), sources_frame, &c, err);
}

/* ---- extract ------------------------------------------------------------------------ */

struct extract_ctx {
    const uint8_t *want;       /* source sha */
    struct arc_source_rec rec; /* found source */
    bool found;
    /* block positions: for each block of rec, the frame holding it and where in it */
    uint32_t *seg;
    int64_t *off;
    size_t *at;
    size_t located;
};

static int extract_find(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct extract_ctx *x = ctx;
    struct arc_source_rec rec;

    (void)fi;
    if (x->found || arc_source_parse(p, len, &rec) != 0) {
        return 0;
    }
    if (memcmp(rec.sha, x->want, SHO_HASH_LEN) == 0) {
        x->rec = rec;
        x->found = true;
    } else {
        arc_source_release(&rec);
    }
    return 0;
}

static int extract_locate(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct extract_ctx *x = ctx;
    struct arc_block_table t;
    size_t i, at = 0;
    uint32_t k;

    if (arc_blocks_parse(p, len, &t) != 0) {
        return 0;
    }
    for (k = 0; k < t.count; k++) {
        const uint8_t *e = t.entries + (size_t)k * ARC_BLOCK_ENTRY;
        for (i = 0; i < x->rec.block_count; i++) {
            if (x->off[i] < 0 && memcmp(x->rec.blocks[i], e, SHO_HASH_LEN) == 0) {
                x->seg[i] = fi->segment;
                x->off[i] = fi->offset;
                x->at[i] = at;
                x->located++;
            }
        }
        at += sho_le32(e + SHO_HASH_LEN);
    }
    return 0;
}

static int extract_write(struct sho_archive *a, struct extract_ctx *x, int fd, struct sho_err *err)
{
    struct arc_sha256 *h = arc_sha256_new();
    struct sho_buf stored, raw;
    struct arc_frame_head head;
    uint8_t hash[SHO_HASH_LEN], sum[SHO_HASH_LEN];
    char path[ARC_PATH_MAX] = "";
    struct arc_dict_resolver *dicts = arc_dict_resolver_new(a);
    struct arc_block_table t;
    uint32_t cur_seg = 0;
    int64_t cur_off = -1;
    size_t i;
    int rc = 0;

    memset(&t, 0, sizeof(t));
    sho_buf_init(&stored, (size_t)ARC_PAYLOAD_MAX + ARC_FRAME_OVERHEAD);
    sho_buf_init(&raw, (size_t)ARC_PAYLOAD_MAX + 1);

    for (i = 0; i < x->rec.block_count && rc == 0; i++) {
        size_t n = (size_t)x->rec.block_lens[i];
        /* Consecutive blocks usually share a frame: decode each frame once. */
        if (x->seg[i] != cur_seg || x->off[i] != cur_off) {
            int sfd;
            arc_segment_path(a, x->seg[i], path, sizeof(path));
            sfd = open(path, O_RDONLY | O_CLOEXEC);
            if (sfd < 0) {
                rc = sho_err_set(err, SHO_EIO, path, -1, "cannot open segment");
                break;
            }
            rc = arc_frame_read(sfd, x->off[i], INT64_MAX, &head, hash, &stored, &raw, dicts, err);
            (void)close(sfd);
            if (rc != 0 || arc_blocks_parse((const uint8_t *)raw.data, raw.len, &t) != 0) {
                rc = sho_err_set(err, SHO_ECORRUPT, path, x->off[i], "cannot read block frame");
                break;
            }
            cur_seg = x->seg[i];
            cur_off = x->off[i];
        }
        if (x->at[i] + n > t.data_len) {
            rc = sho_err_set(err, SHO_ECORRUPT, path, x->off[i], "block outside its frame");
            break;
        }
        arc_sha256_update(h, t.data + x->at[i], n);
        if (write(fd, t.data + x->at[i], n) != (ssize_t)n) {
            rc = sho_err_set(err, SHO_EIO, "<output>", -1, "cannot write");
        }
    }
    arc_sha256_final(h, sum);
    if (rc == 0 && memcmp(sum, x->rec.sha, SHO_HASH_LEN) != 0) {
        rc = sho_err_set(err, SHO_ETAMPER, a->archive_dir, -1,
                         "extracted bytes do not hash to the source's SHA-256");
    }
    sho_buf_release(&stored);
    sho_buf_release(&raw);
    arc_dict_resolver_free(dicts);
    return rc;
}

int sho_archive_extract(struct sho_archive *a, const uint8_t sha256[SHO_HASH_LEN], int fd,
                        struct sho_err *err)
{
    struct extract_ctx x;
    size_t i;
    int rc;

    memset(&x, 0, sizeof(x));
    x.want = sha256;
    rc = sho_archive_walk(a, SHO_FRAME_MASK(SHO_FRAME_SOURCE), extract_find, &x, err);
    if (rc != 0 || !x.found) {
        return rc != 0 ? rc : 1;
    }
    x.seg = sho_xcalloc(x.rec.block_count + 1, sizeof(*x.seg));
    x.off = sho_xcalloc(x.rec.block_count + 1, sizeof(*x.off));
    x.at = sho_xcalloc(x.rec.block_count + 1, sizeof(*x.at));
    for (i = 0; i < x.rec.block_count; i++) {
        x.off[i] = -1;
    }
    rc = sho_archive_walk(a, SHO_FRAME_MASK(SHO_FRAME_BLOCK), extract_locate, &x, err);
    if (rc == 0 && x.located != x.rec.block_count) {
        rc = sho_err_set(err, SHO_ETAMPER, a->archive_dir, -1, "blocks of the source are missing");
    }
    if (rc == 0) {
        rc = extract_write(a, &x, fd, err);
    }
    free(x.seg);
    free(x.off);
    free(x.at);
    arc_source_release(&x.rec);
    return rc;
}

/* ---- events ------------------------------------------------------------------------- */

struct events_ctx {
    int (*fn)(void *ctx, const struct sho_event *ev, const uint8_t source_sha[SHO_HASH_LEN]);
    void *ctx;
    uint64_t want_seq;   /* event_get: the frame, or UINT64_MAX for all */
    uint32_t want_index; /* event_get: the event */
    bool found;
};

int sho_archive_frame_events(const struct sho_frame_info *fi, const uint8_t *payload, size_t len,
                             int (*fn)(void *ctx, const struct sho_event *ev, uint32_t index,
                                       const uint8_t source_sha[SHO_HASH_LEN]),
                             void *ctx)
{
    struct arc_events r;
    struct sho_event ev;
    char ref[48];
    size_t head;
    uint32_t i = 0;
    int rc = 0, more = 0;

    arc_events_init(&r);
    if (arc_events_load(&r, payload, len) != 0) {
        arc_events_release(&r);
        return SHO_ECORRUPT;
    }
    head = sho_fmt_dec(ref, fi->seq); /* "SEQ:" once, then each index: no printf per event */
    ref[head++] = ':';
    while (rc == 0 && (more = arc_events_next(&r, &ev)) == 1) {
        (void)sho_fmt_dec(ref + head, i);
        ev.ref = ref;
        rc = fn(ctx, &ev, i, payload);
        i++;
    }
    arc_events_release(&r);
    return rc == 0 && more < 0 ? SHO_ECORRUPT : rc;
}

static int events_one(void *ctx, const struct sho_event *ev, uint32_t index,
                      const uint8_t source_sha[SHO_HASH_LEN])
{
    struct events_ctx *c = ctx;

    if (c->want_seq != UINT64_MAX && index != c->want_index) {
        return 0;
    }
    c->found = true;
    return c->fn(c->ctx, ev, source_sha);
}

static int events_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct events_ctx *c = ctx;
    int rc;

    if (c->want_seq != UINT64_MAX && fi->seq != c->want_seq) {
        return 0;
    }
    rc = sho_archive_frame_events(fi, p, len, events_one, c);
    /* event_get: the frame is found, stop walking (1 is not an error). */
    return rc != 0 ? rc : (c->want_seq != UINT64_MAX ? 1 : 0);
}

static int events_run(struct sho_archive *a, struct events_ctx *c, struct sho_err *err)
{
    int rc;

    rc = sho_archive_walk(a, SHO_FRAME_MASK(SHO_FRAME_EVENTS), events_frame, c, err);
    if (rc == SHO_ECORRUPT && err != NULL && err->code == 0) {
        rc = sho_err_set(err, SHO_ECORRUPT, a->archive_dir, -1, "an events frame is corrupt");
    }
    return rc;
}

int sho_archive_events(struct sho_archive *a,
                       int (*fn)(void *ctx, const struct sho_event *ev,
                                 const uint8_t source_sha[SHO_HASH_LEN]),
                       void *ctx, struct sho_err *err)
{
    struct events_ctx c;

    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.ctx = ctx;
    c.want_seq = UINT64_MAX;
    return events_run(a, &c, err);
}

int sho_archive_event_get(struct sho_archive *a, const char *ref,
                          int (*fn)(void *ctx, const struct sho_event *ev,
                                    const uint8_t source_sha[SHO_HASH_LEN]),
                          void *ctx, struct sho_err *err)
{
    struct events_ctx c;
    const char *colon = strchr(ref, ':');
    uint64_t seq, index;
    int rc;

    if (colon == NULL || sho_parse_u64n(ref, (size_t)(colon - ref), UINT64_MAX - 1, 0, &seq) != 0 ||
        sho_parse_u64(colon + 1, UINT32_MAX, 0, &index) != 0) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "'%s' is not a reference (FRAME:INDEX)", ref);
    }
    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.ctx = ctx;
    c.want_seq = seq;
    c.want_index = (uint32_t)index;
    rc = events_run(a, &c, err);
    if (rc == 1) {
        rc = 0;
    }
    return rc != 0 ? rc : (c.found ? 1 : 0);
}
