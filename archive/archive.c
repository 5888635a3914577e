/*
 * archive: opening the archive, walking its chain, appending frames. The
 * writer's open is where crash safety lives: it finds the chain's real tail
 * (from the dedup cache's head, catching up on frames the cache has not seen,
 * or by a full walk when the cache is missing or stale) and, if the last
 * segment ends in an unfinished frame left by a killed writer, sets those
 * bytes aside by starting a new segment whose SEGMENT frame records where the
 * valid data ended. Committed bytes are never rewritten or truncated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_priv.h"

#define ARC_ZSTD_DEFAULT 3
#define ARC_PATH_MAX     4096

const char *sho_archive_data_dir(const char *given)
{
    const char *env;

    if (given != NULL && given[0] != '\0') {
        return given;
    }
    env = getenv("SHOSEKI_DATA"); /* NOLINT(concurrency-mt-unsafe): read before threads */
    return env != NULL && env[0] != '\0' ? env : "./shoseki-data";
}

void arc_segment_path(const struct sho_archive *a, uint32_t n, char *out, size_t out_len)
{
    char name[ARC_SEGMENT_NAME_MAX];

    arc_segment_name(n, name);
    (void)snprintf(out, out_len, "%s/%s", a->archive_dir, name);
}

static int arc_mkdir(const char *path, struct sho_err *err)
{
    char etext[128];
    struct stat st;

    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot create directory: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    /* An existing file of that name is left as it is (not made 0700). */
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot create directory: %s",
                           sho_errno_text(ENOTDIR, etext, sizeof(etext)));
    }
    /* Whatever the umask or an earlier run did: audit data is private. */
    if (chmod(path, 0700) != 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot set permissions: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    return 0;
}

/* ---- dictionary frames ------------------------------------------------------------- */

struct arc_dict_resolver {
    struct sho_archive *a; /* borrowed */
    bool have;             /* `cur` holds a dictionary */
    struct arc_dict cur;   /* the last one resolved; data points into `data` */
    struct sho_buf data;   /* its content */
    struct sho_buf stored; /* scratch */
};

struct arc_dict_resolver *arc_dict_resolver_new(struct sho_archive *a)
{
    struct arc_dict_resolver *r = sho_xcalloc(1, sizeof(*r));

    r->a = a;
    sho_buf_init(&r->data, (size_t)ARC_PAYLOAD_MAX + 1);
    sho_buf_init(&r->stored, (size_t)ARC_PAYLOAD_MAX + ARC_FRAME_OVERHEAD);
    return r;
}

void arc_dict_resolver_free(struct arc_dict_resolver *r)
{
    if (r == NULL) {
        return;
    }
    sho_buf_release(&r->data);
    sho_buf_release(&r->stored);
    free(r);
}

int arc_dict_resolve(struct arc_dict_resolver *r, struct arc_dict *ref, struct sho_err *err)
{
    char path[ARC_PATH_MAX];
    struct arc_frame_head head;
    uint8_t hash[SHO_HASH_LEN];
    struct stat st;
    int fd, rc;

    if (!r->have || r->cur.seq != ref->seq || memcmp(r->cur.hash, ref->hash, SHO_HASH_LEN) != 0) {
        r->have = false;
        arc_segment_path(r->a, ref->segment, path, sizeof(path));
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) != 0) {
            if (fd >= 0) {
                (void)close(fd);
            }
            return sho_err_set(err, SHO_ETAMPER, path, ref->offset,
                               "dictionary frame %llu is missing", (unsigned long long)ref->seq);
        }
        /* No resolver: a dictionary frame never depends on another one. */
        rc = arc_frame_read(fd, ref->offset, (int64_t)st.st_size, &head, hash, &r->stored, &r->data,
                            NULL, err);
        (void)close(fd);
        if (rc != 0 || head.seq != ref->seq ||
            (head.type != SHO_FRAME_BLOCK && head.type != SHO_FRAME_EVENTS) ||
            memcmp(hash, ref->hash, SHO_HASH_LEN) != 0) {
            return sho_err_set(err, SHO_ETAMPER, path, ref->offset,
                               "dictionary frame %llu is not where it is referenced",
                               (unsigned long long)ref->seq);
        }
        r->cur = *ref;
        r->have = true;
    }
    ref->data = (const uint8_t *)r->data.data;
    ref->len = r->data.len;
    return 0;
}

/* ---- the walk ---------------------------------------------------------------------- */

struct walk_ctx {
    struct sho_archive *a;
    unsigned types;
    arc_frame_fn fn;
    void *ctx;
    struct arc_walk_state *ws;
    struct sho_buf stored, raw;
    struct arc_dict_resolver *dicts;
    char path[ARC_PATH_MAX];
    int64_t prev_valid_end, prev_size; /* of the previous segment; -1 unknown */
};

/*
 * A SEGMENT frame: it must name its segment and say exactly how the previous
 * segment ended. Checked before the chain, so that a truncated or extended
 * segment is reported where the damage is, not as a numbering gap after it.
 */
static int walk_check_segment(struct walk_ctx *w, const struct arc_frame_head *h, uint32_t segno,
                              int64_t offset, struct sho_err *err)
{
    char prev_path[ARC_PATH_MAX];
    uint32_t number;
    uint64_t prev_valid, set_aside;

    if (arc_segment_parse((const uint8_t *)w->raw.data, w->raw.len, &number, &prev_valid,
                          &set_aside) != 0 ||
        number != segno) {
        return sho_err_set(err, SHO_ETAMPER, w->path, offset,
                           "frame %llu: segment record does not name this segment (%u)",
                           (unsigned long long)h->seq, segno);
    }
    if (w->prev_valid_end >= 0 && (prev_valid != (uint64_t)w->prev_valid_end ||
                                   set_aside != (uint64_t)(w->prev_size - w->prev_valid_end))) {
        /* Either file may be the altered one: name both. */
        const char *base = strrchr(w->path, '/');
        arc_segment_path(w->a, segno - 1, prev_path, sizeof(prev_path));
        return sho_err_set(err, SHO_ETAMPER, prev_path, w->prev_valid_end,
                           "segment %u should end at %llu (%llu bytes set aside after it) as "
                           "segment %u (%s) records, but its whole frames end here and %lld "
                           "bytes follow (truncated, extended or replaced)",
                           segno - 1, (unsigned long long)prev_valid, (unsigned long long)set_aside,
                           segno, base != NULL ? base + 1 : w->path,
                           (long long)(w->prev_size - w->prev_valid_end));
    }
    if (set_aside != 0) {
        w->ws->tails_set_aside++;
    }
    return 0;
}

/* Check one frame against the chain and the segment rules. */
static int walk_check(struct walk_ctx *w, const struct arc_frame_head *h, uint32_t segno,
                      int64_t offset, struct sho_err *err)
{
    static const uint8_t zero[SHO_HASH_LEN];
    struct arc_walk_state *ws = w->ws;
    int rc;

    if ((offset == ARC_SEGMENT_MAGIC_LEN) != (h->type == SHO_FRAME_SEGMENT) ||
        h->type < SHO_FRAME_SEGMENT || h->type > SHO_FRAME_SOURCE) {
        return sho_err_set(err, SHO_ETAMPER, w->path, offset, "frame %llu: unexpected type %u",
                           (unsigned long long)h->seq, h->type);
    }
    if (h->type == SHO_FRAME_SEGMENT) {
        rc = walk_check_segment(w, h, segno, offset, err);
        if (rc != 0) {
            return rc;
        }
    }
    if (h->seq != ws->next_seq) {
        return sho_err_set(err, SHO_ETAMPER, w->path, offset,
                           "frame %llu: expected frame number %llu (frames removed, reordered "
                           "or duplicated)",
                           (unsigned long long)h->seq, (unsigned long long)ws->next_seq);
    }
    if (memcmp(h->prev_hash, ws->has_head ? ws->head : zero, SHO_HASH_LEN) != 0) {
        return sho_err_set(err, SHO_ETAMPER, w->path, offset,
                           "frame %llu: does not chain to the frame before it",
                           (unsigned long long)h->seq);
    }
    return 0;
}

/*
 * The bytes from `offset` to the end do not hold the frame their header
 * announces. A write cut short leaves exactly that: a prefix of one frame.
 * It is not a cut write if the bytes are in fact a whole frame whose length
 * field was changed (the hash matches with the length the bytes give), or if
 * a whole, valid frame follows inside them (appends never leave one after a
 * partial frame). Both mean the archive was altered: report it here.
 */
static int walk_torn(struct walk_ctx *w, int fd, int64_t offset, int64_t size, struct sho_err *err)
{
    struct arc_frame_head h;
    uint8_t hash[SHO_HASH_LEN];
    int64_t avail = size - offset, at;
    struct sho_buf probe;
    bool altered = false;

    if (avail < (int64_t)ARC_FRAME_OVERHEAD ||
        avail > (int64_t)ARC_PAYLOAD_MAX + ARC_FRAME_OVERHEAD) {
        return 0;
    }
    sho_buf_init(&probe, (size_t)avail + 1);
    if (sho_buf_reserve(&probe, (size_t)avail) == 0 &&
        pread(fd, probe.data, (size_t)avail, (off_t)offset) == (ssize_t)avail) {
        uint8_t *b = (uint8_t *)probe.data;
        sho_put_le32(b + 16, (uint32_t)(avail - (int64_t)ARC_FRAME_OVERHEAD));
        sho_sha256(b, (size_t)avail - SHO_HASH_LEN, hash);
        altered = memcmp(hash, b + avail - SHO_HASH_LEN, SHO_HASH_LEN) == 0;
        for (at = 1; !altered && at + (int64_t)ARC_FRAME_OVERHEAD <= avail; at++) {
            if (memcmp(b + at, ARC_FRAME_MAGIC, 4) == 0) {
                altered = arc_frame_read(fd, offset + at, size, &h, hash, &w->stored, NULL, NULL,
                                         NULL) == 0;
            }
        }
    }
    sho_buf_release(&probe);
    if (altered) {
        return sho_err_set(err, SHO_ETAMPER, w->path, offset,
                           "frame %llu: its length was altered (the bytes after it are whole "
                           "frames, not a write cut short)",
                           (unsigned long long)w->ws->next_seq);
    }
    return 0;
}

static int walk_frames(struct walk_ctx *w, int fd, uint32_t segno, int64_t offset, int64_t size,
                       struct sho_err *err)
{
    struct arc_walk_state *ws = w->ws;
    struct arc_frame_head h;
    struct sho_frame_info fi;
    int rc;

    for (;;) {
        uint8_t type = 0;
        bool want;
        /* Decompress only what is asked for (and SEGMENT frames, always checked): listing
         * sources must not inflate every block. The hash is checked for every frame. */
        if (pread(fd, &type, 1, (off_t)(offset + 4)) != 1) {
            type = 0;
        }
        want = type == SHO_FRAME_SEGMENT || type > SHO_FRAME_SOURCE ||
               (w->types & SHO_FRAME_MASK(type)) != 0;
        rc = arc_frame_read(fd, offset, size, &h, fi.hash, &w->stored, want ? &w->raw : NULL,
                            w->dicts, err);
        if (rc == 1) {
            rc = walk_torn(w, fd, offset, size, err);
            if (rc != 0) {
                return rc;
            }
            break;
        }
        if (rc < 0) {
            char msg[SHO_ERR_MSG_MAX + 64]; /* sho_err_set truncates to what fits */
            (void)snprintf(msg, sizeof(msg), "frame %llu: %s", (unsigned long long)ws->next_seq,
                           err != NULL ? err->msg : "bad frame");
            return sho_err_set(err, rc, w->path, offset, "%s", msg);
        }
        rc = walk_check(w, &h, segno, offset, err);
        if (rc != 0) {
            return rc;
        }
        fi.seq = h.seq;
        fi.type = (enum sho_frame_type)h.type;
        fi.segment = segno;
        fi.offset = offset;
        fi.end = offset + ARC_FRAME_OVERHEAD + (int64_t)h.stored_len;
        fi.codec = h.codec;
        if (w->fn != NULL && (w->types & SHO_FRAME_MASK(h.type)) != 0) {
            rc = w->fn(w->ctx, &fi, (const uint8_t *)w->raw.data, w->raw.len);
            if (rc != 0) {
                return rc;
            }
        } else if (w->fn != NULL && (w->types & SHO_FRAME_HEADERS) != 0) {
            rc = w->fn(w->ctx, &fi, NULL, 0);
            if (rc != 0) {
                return rc;
            }
        }
        memcpy(ws->head, fi.hash, SHO_HASH_LEN);
        ws->has_head = true;
        ws->next_seq++;
        ws->frames++;
        offset += ARC_FRAME_OVERHEAD + (int64_t)h.stored_len;
    }
    ws->last_end = offset;
    ws->last_size = size;
    return 0;
}

/*
 * The last segment stops short of its SEGMENT frame (a writer was killed while
 * creating it): record what that frame must say, so the next writer can
 * finish it by appending, and verify can accept it as unfinished.
 */
static void walk_creating(struct walk_ctx *w, int64_t have)
{
    w->ws->creating = true;
    w->ws->create_have = have;
    w->ws->create_prev_valid = w->prev_valid_end >= 0 ? (uint64_t)w->prev_valid_end : 0;
    w->ws->create_set_aside =
        w->prev_valid_end >= 0 ? (uint64_t)(w->prev_size - w->prev_valid_end) : 0;
}

static int walk_segment(struct walk_ctx *w, uint32_t segno, int64_t start, bool is_last,
                        struct sho_err *err)
{
    char etext[128];
    uint8_t magic[ARC_SEGMENT_MAGIC_LEN];
    struct stat st;
    uint64_t frames_before;
    int fd, rc;

    arc_segment_path(w->a, segno, w->path, sizeof(w->path));
    fd = open(w->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = sho_err_set(err, SHO_EIO, w->path, -1, "cannot read segment: %s",
                         sho_errno_text(errno, etext, sizeof(etext)));
        if (fd >= 0) {
            (void)close(fd);
        }
        return rc;
    }
    if (start == 0 && is_last && st.st_size < ARC_SEGMENT_MAGIC_LEN &&
        pread(fd, magic, (size_t)st.st_size, 0) == (ssize_t)st.st_size &&
        memcmp(magic, ARC_SEGMENT_MAGIC, (size_t)st.st_size) == 0) {
        /* A segment whose creation was interrupted: the next writer finishes creating it. */
        (void)close(fd);
        walk_creating(w, (int64_t)st.st_size);
        w->ws->last_end = (int64_t)st.st_size;
        w->ws->last_size = (int64_t)st.st_size;
        w->ws->segments++;
        w->ws->last_segment = segno;
        return 0;
    }
    if (start == 0) {
        if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
            memcmp(magic, ARC_SEGMENT_MAGIC, ARC_SEGMENT_MAGIC_LEN) != 0) {
            (void)close(fd);
            return sho_err_set(err, SHO_ETAMPER, w->path, 0, "not a segment file (signature)");
        }
        start = ARC_SEGMENT_MAGIC_LEN;
    }
    frames_before = w->ws->frames;
    rc = walk_frames(w, fd, segno, start, (int64_t)st.st_size, err);
    (void)close(fd);
    if (rc == 0 && is_last && start == ARC_SEGMENT_MAGIC_LEN && w->ws->frames == frames_before &&
        st.st_size == ARC_SEGMENT_MAGIC_LEN) {
        walk_creating(w, ARC_SEGMENT_MAGIC_LEN); /* the signature, but no SEGMENT frame yet */
    }
    w->ws->segments++;
    w->ws->last_segment = segno;
    w->prev_valid_end = w->ws->last_end;
    w->prev_size = w->ws->last_size;
    return rc;
}

/* Does the frame that ends at `from->end` in its segment have hash `from->hash`? */
static bool walk_from_ok(struct sho_archive *a, const struct arc_head *from)
{
    char path[ARC_PATH_MAX];
    uint8_t hash[SHO_HASH_LEN];
    bool ok;
    int fd;

    arc_segment_path(a, from->segment, path, sizeof(path));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ok = from->end >= ARC_SEGMENT_MAGIC_LEN + (int64_t)ARC_FRAME_OVERHEAD &&
         pread(fd, hash, SHO_HASH_LEN, (off_t)(from->end - SHO_HASH_LEN)) == SHO_HASH_LEN &&
         memcmp(hash, from->hash, SHO_HASH_LEN) == 0;
    (void)close(fd);
    return ok;
}

int arc_walk(struct sho_archive *a, const struct arc_head *from, unsigned types, arc_frame_fn fn,
             void *ctx, struct arc_walk_state *ws, struct sho_err *err)
{
    struct walk_ctx w;
    uint32_t *segs = NULL;
    size_t count = 0, i = 0;
    int rc;

    memset(ws, 0, sizeof(*ws));
    memset(&w, 0, sizeof(w));
    w.a = a;
    w.types = types;
    w.fn = fn;
    w.ctx = ctx;
    w.ws = ws;
    w.prev_valid_end = 0;
    w.prev_size = 0;
    sho_buf_init(&w.stored, (size_t)ARC_PAYLOAD_MAX + ARC_FRAME_OVERHEAD);
    sho_buf_init(&w.raw, (size_t)ARC_PAYLOAD_MAX + 1);
    w.dicts = arc_dict_resolver_new(a);
    rc = arc_segment_list(a->archive_dir, &segs, &count, err);
    if (rc != 0) {
        goto out;
    }
    if (from != NULL && from->is_set) {
        if (!walk_from_ok(a, from)) {
            rc = ARC_WALK_STALE;
            goto out;
        }
        while (i < count && segs[i] != from->segment) {
            i++;
        }
        ws->has_head = true;
        memcpy(ws->head, from->hash, SHO_HASH_LEN);
        ws->next_seq = from->seq + 1;
        w.prev_valid_end = -1; /* unknown before the start: checked from the next segment on */
        rc = i < count ? walk_segment(&w, segs[i], from->end, i + 1 == count, err) : ARC_WALK_STALE;
        i++;
    }
    for (; rc == 0 && i < count; i++) {
        uint32_t want = i == 0 ? 1 : segs[i - 1] + 1;
        if (segs[i] != want) {
            arc_segment_path(a, want, w.path, sizeof(w.path));
            rc = sho_err_set(err, SHO_ETAMPER, w.path, -1,
                             "segment %u is missing (deleted or renamed)", want);
            break;
        }
        rc = walk_segment(&w, segs[i], 0, i + 1 == count, err);
    }
out:
    free(segs);
    sho_buf_release(&w.stored);
    sho_buf_release(&w.raw);
    arc_dict_resolver_free(w.dicts);
    return rc;
}

/* ---- appending --------------------------------------------------------------------- */

static int arc_write_all(int fd, const void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

static int arc_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0) {
        return -1;
    }
    rc = fsync(fd);
    (void)close(fd);
    return rc;
}

/* Give the packed frame in `f` its place in the chain and write it. */
static int arc_write_packed(struct sho_archive *a, struct sho_buf *f, struct sho_err *err)
{
    static const uint8_t zero[SHO_HASH_LEN];
    char path[ARC_PATH_MAX];
    char etext[128];
    uint8_t hash[SHO_HASH_LEN];

    arc_frame_seal(f, a->next_seq, a->has_head ? a->head : zero, hash);
    if (arc_write_all(a->seg_fd, f->data, f->len) != 0) {
        arc_segment_path(a, a->seg_no, path, sizeof(path));
        return sho_err_set(err, SHO_EIO, path, a->seg_size, "cannot write frame: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    a->seg_size += (int64_t)f->len;
    memcpy(a->head, hash, SHO_HASH_LEN);
    a->has_head = true;
    a->next_seq++;
    a->frames_uncommitted++;
    return 0;
}

static int arc_write_frame(struct sho_archive *a, enum sho_frame_type type, const void *payload,
                           size_t len, const struct arc_dict *dict, struct sho_err *err)
{
    int rc = arc_frame_pack(type, payload, len, a->opts.zstd_level, dict, &a->frame);

    if (rc != 0) {
        return sho_err_set(err, rc, NULL, -1, "frame too large");
    }
    return arc_write_packed(a, &a->frame, err);
}

/*
 * Start segment `n`, recording where the previous one's valid data ended.
 * `have` >= 0 finishes a segment whose creation was interrupted after `have`
 * bytes of its signature: the rest is appended, nothing is rewritten.
 */
static int arc_segment_start(struct sho_archive *a, uint32_t n, int64_t have, uint64_t prev_valid,
                             uint64_t set_aside, struct sho_err *err)
{
    char path[ARC_PATH_MAX];
    char etext[128];
    struct sho_buf rec;
    int fd, rc;

    if (a->seg_fd >= 0) {
        (void)fdatasync(a->seg_fd);
        (void)close(a->seg_fd);
        a->seg_fd = -1;
    }
    arc_segment_path(a, n, path, sizeof(path));
    fd = have < 0 ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600)
                  : open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot create segment: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    have = have < 0 ? 0 : have;
    (void)fchmod(fd, 0600);
    a->seg_fd = fd;
    a->seg_no = n;
    a->seg_size = 0;
    if (arc_write_all(fd, &ARC_SEGMENT_MAGIC[have], (size_t)(ARC_SEGMENT_MAGIC_LEN - have)) != 0) {
        return sho_err_set(err, SHO_EIO, path, 0, "cannot write segment: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    a->seg_size = ARC_SEGMENT_MAGIC_LEN;
    sho_buf_init(&rec, 4096);
    rc = sho_buf_appendf(&rec,
                         "shoseki-segment %d\nsegment %u\nprevious_valid_length %llu\n"
                         "set_aside %llu\n",
                         ARC_FORMAT_VERSION, n, (unsigned long long)prev_valid,
                         (unsigned long long)set_aside);
    if (rc == 0) {
        rc = arc_write_frame(a, SHO_FRAME_SEGMENT, rec.data, rec.len, NULL, err);
    }
    sho_buf_release(&rec);
    if (rc == 0 && arc_fsync_dir(a->archive_dir) != 0) {
        rc = sho_err_set(err, SHO_EIO, a->archive_dir, -1, "cannot sync directory");
    }
    return rc;
}

static int arc_new_segment(struct sho_archive *a, uint32_t n, uint64_t prev_valid,
                           uint64_t set_aside, struct sho_err *err)
{
    return arc_segment_start(a, n, -1, prev_valid, set_aside, err);
}

/* Roll over before a frame of `len` payload bytes would push the segment past its limit. */
static int arc_room(struct sho_archive *a, size_t len, struct sho_err *err)
{
    uint64_t need = ARC_FRAME_OVERHEAD + (uint64_t)len;

    if ((uint64_t)a->seg_size + need > a->opts.segment_max &&
        a->seg_size > (int64_t)(ARC_SEGMENT_MAGIC_LEN + 512)) {
        return arc_new_segment(a, a->seg_no + 1, (uint64_t)a->seg_size, 0, err);
    }
    return 0;
}

static void arc_where(const struct sho_archive *a, size_t frame_len, struct arc_dict *where)
{
    if (where != NULL) {
        where->seq = a->next_seq - 1;
        where->segment = a->seg_no;
        where->offset = a->seg_size - (int64_t)frame_len;
        memcpy(where->hash, a->head, SHO_HASH_LEN);
    }
}

int arc_append(struct sho_archive *a, enum sho_frame_type type, const void *payload, size_t len,
               const struct arc_dict *dict, struct arc_dict *where, struct sho_err *err)
{
    int rc = arc_room(a, len, err);

    if (rc == 0) {
        rc = arc_write_frame(a, type, payload, len, dict, err);
    }
    if (rc == 0) {
        arc_where(a, a->frame.len, where);
    }
    return rc;
}

int arc_append_packed(struct sho_archive *a, struct sho_buf *packed, size_t len,
                      struct arc_dict *where, struct sho_err *err)
{
    int rc = arc_room(a, len, err);

    if (rc == 0) {
        rc = arc_write_packed(a, packed, err);
    }
    if (rc == 0) {
        arc_where(a, packed->len, where);
    }
    return rc;
}

int arc_commit(struct sho_archive *a, struct sho_err *err)
{
    struct arc_head head;
    size_t k;
    char path[ARC_PATH_MAX];
    int rc;

    if (a->seg_fd >= 0 && fdatasync(a->seg_fd) != 0) {
        arc_segment_path(a, a->seg_no, path, sizeof(path));
        return sho_err_set(err, SHO_EIO, path, -1, "cannot flush segment to disk");
    }
    memset(&head, 0, sizeof(head));
    head.is_set = a->has_head;
    head.seq = a->next_seq - 1;
    memcpy(head.hash, a->head, SHO_HASH_LEN);
    head.segment = a->seg_no;
    head.end = a->seg_size;
    for (k = 0; k < ARC_DICT_KINDS; k++) {
        head.has_dict[k] = a->dict[k].len != 0;
        head.dict[k] = a->dict[k];
    }
    rc = arc_dedup_commit(a->dedup, &head, err);
    if (rc == 0) {
        a->frames_uncommitted = 0;
        rc = arc_dedup_begin(a->dedup, err);
    }
    return rc;
}

void arc_dict_set(struct sho_archive *a, enum arc_dict_kind kind, const struct arc_dict *where,
                  const uint8_t *p, size_t len)
{
    sho_buf_reset(&a->dict_data[kind]);
    if (sho_buf_append(&a->dict_data[kind], p, len) != 0) {
        a->dict[kind].len = 0;
        return;
    }
    a->dict[kind] = *where;
    a->dict[kind].data = (const uint8_t *)a->dict_data[kind].data;
    a->dict[kind].len = a->dict_data[kind].len;
}

/* Load the dictionary keyframes the cache names, when the catch-up walk did not pass newer ones. */
static int arc_dict_load(struct sho_archive *a, const struct arc_head *head, struct sho_err *err)
{
    struct arc_dict_resolver *r = arc_dict_resolver_new(a);
    struct arc_dict ref;
    size_t k;
    int rc = 0;

    for (k = 0; k < ARC_DICT_KINDS && rc == 0; k++) {
        if (a->dict[k].len != 0 || !head->has_dict[k]) {
            continue;
        }
        ref = head->dict[k];
        rc = arc_dict_resolve(r, &ref, err);
        if (rc == 0) {
            arc_dict_set(a, (enum arc_dict_kind)k, &ref, ref.data, ref.len);
        }
    }
    arc_dict_resolver_free(r);
    return rc;
}

/* ---- catching the cache up ---------------------------------------------------------- */

/* A frame stored without a dictionary is a keyframe: the writer's dictionary from here on. */
static void catchup_keyframe(struct sho_archive *a, enum arc_dict_kind kind,
                             const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct arc_dict where;

    if (fi->codec == ARC_CODEC_ZSTD_DICT) {
        return;
    }
    memset(&where, 0, sizeof(where));
    where.seq = fi->seq;
    where.segment = fi->segment;
    where.offset = fi->offset;
    memcpy(where.hash, fi->hash, SHO_HASH_LEN);
    arc_dict_set(a, kind, &where, p, len);
}

/*
 * The keys of an EVENTS frame (version 2 recomputes them from the events). A
 * frame that does not decode teaches the cache nothing more; verify reports it.
 */
static int catchup_events(struct sho_archive *a, const struct sho_frame_info *fi, const uint8_t *p,
                          size_t len)
{
    struct arc_events r;
    struct sho_event ev;
    struct sho_err e;
    int rc = 0;

    arc_events_init(&r);
    if (arc_events_load(&r, p, len) == 0) {
        catchup_keyframe(a, ARC_DICT_EVENTS, fi, p, len);
        while (rc == 0 && arc_events_next(&r, &ev) == 1) {
            rc = arc_dedup_add_event(a->dedup, &ev, &e) < 0 ? SHO_ESQL : 0;
        }
    }
    arc_events_release(&r);
    return rc;
}

static int catchup_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct sho_archive *a = ctx;
    struct sho_err e;
    uint32_t i;

    if (fi->type == SHO_FRAME_BLOCK) {
        struct arc_block_table t;
        if (arc_blocks_parse(p, len, &t) != 0) {
            return 0; /* verify reports it; the cache just does not learn it */
        }
        catchup_keyframe(a, ARC_DICT_BLOCKS, fi, p, len);
        for (i = 0; i < t.count; i++) {
            if (arc_dedup_add_block(a->dedup, t.entries + (size_t)i * ARC_BLOCK_ENTRY, &e) < 0) {
                return SHO_ESQL;
            }
        }
        return 0;
    }
    if (fi->type == SHO_FRAME_SOURCE) {
        struct arc_source_rec rec;
        int rc;
        if (arc_source_parse(p, len, &rec) != 0) {
            return 0; /* verify reports it; the cache just does not learn it */
        }
        rc = arc_dedup_add_source(a->dedup, rec.sha, rec.pub.size, &e);
        arc_source_release(&rec);
        return rc < 0 ? SHO_ESQL : 0;
    }
    if (fi->type != SHO_FRAME_EVENTS) {
        return 0;
    }
    return catchup_events(a, fi, p, len);
}

static int arc_open_writer(struct sho_archive *a, struct sho_err *err)
{
    char path[ARC_PATH_MAX];
    char etext[128];
    struct arc_head head;
    struct arc_walk_state ws;
    unsigned types = SHO_FRAME_MASK(SHO_FRAME_BLOCK) | SHO_FRAME_MASK(SHO_FRAME_EVENTS) |
                     SHO_FRAME_MASK(SHO_FRAME_SOURCE);
    int rc, fd;

    (void)snprintf(path, sizeof(path), "%s/dedup.sqlite", a->dir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        (void)fchmod(fd, 0600);
        (void)close(fd);
    }
    rc = arc_dedup_open(path, &a->dedup, err);
    if (rc == 0) {
        rc = arc_dedup_head(a->dedup, &head, err);
    }
    if (rc == 0) {
        rc = arc_dedup_begin(a->dedup, err);
    }
    if (rc != 0) {
        return rc;
    }
    rc = arc_walk(a, &head, types, catchup_frame, a, &ws, err);
    if (rc == ARC_WALK_STALE) {
        /* The cache does not describe this archive: rebuild it from the frames. */
        rc = arc_dedup_clear(a->dedup, err);
        memset(&head, 0, sizeof(head));
        a->dict[ARC_DICT_BLOCKS].len = 0;
        a->dict[ARC_DICT_EVENTS].len = 0;
        if (rc == 0) {
            rc = arc_walk(a, NULL, types, catchup_frame, a, &ws, err);
        }
    }
    if (rc == 0) {
        rc = arc_dict_load(a, &head, err);
    }
    if (rc != 0) {
        arc_dedup_rollback(a->dedup);
        return rc;
    }
    a->has_head = ws.has_head;
    memcpy(a->head, ws.head, SHO_HASH_LEN);
    a->next_seq = ws.next_seq;
    if (ws.last_segment == 0) {
        return arc_new_segment(a, 1, 0, 0, err);
    }
    if (ws.creating) {
        return arc_segment_start(a, ws.last_segment, ws.create_have, ws.create_prev_valid,
                                 ws.create_set_aside, err);
    }
    if (ws.last_end != ws.last_size) {
        int nrc = sho_buf_appendf(
            &a->notes,
            "an unfinished frame (%lld bytes) left at the end of segment %u by "
            "an interrupted write was set aside; segment %u continues the chain",
            (long long)(ws.last_size - ws.last_end), ws.last_segment, ws.last_segment + 1);
        (void)nrc; /* a note that does not fit is dropped; the set-aside itself is recorded */
        return arc_new_segment(a, ws.last_segment + 1, (uint64_t)ws.last_end,
                               (uint64_t)(ws.last_size - ws.last_end), err);
    }
    arc_segment_path(a, ws.last_segment, path, sizeof(path));
    a->seg_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (a->seg_fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open segment: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    a->seg_no = ws.last_segment;
    a->seg_size = ws.last_end;
    return 0;
}

static int arc_lock(struct sho_archive *a, struct sho_err *err)
{
    char path[ARC_PATH_MAX];
    char etext[128];
    int op = LOCK_EX | ((a->opts.flags & SHO_ARCHIVE_WAIT) ? 0 : LOCK_NB);

    (void)snprintf(path, sizeof(path), "%s/lock", a->dir);
    a->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (a->lock_fd < 0) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot open lock file: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    (void)fchmod(a->lock_fd, 0600);
    while (flock(a->lock_fd, op) != 0) {
        if (errno == EINTR) {
            continue;
        }
        if (errno == EWOULDBLOCK) {
            return sho_err_set(err, SHO_ELIMIT, a->dir, -1,
                               "another shoseki process is writing to this data directory; "
                               "wait for it or use --wait");
        }
        return sho_err_set(err, SHO_EIO, path, -1, "cannot lock: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    return 0;
}

int sho_archive_open(const char *dir, const struct sho_archive_opts *opts, struct sho_archive **out,
                     struct sho_err *err)
{
    struct sho_archive *a = sho_xcalloc(1, sizeof(*a));
    size_t n = strlen(dir) + sizeof("/archive");
    struct stat st;
    int rc = 0;

    a->dir = sho_xstrdup(dir);
    a->archive_dir = sho_xmalloc(n);
    (void)snprintf(a->archive_dir, n, "%s/archive", dir);
    if (opts != NULL) {
        a->opts = *opts;
    }
    if (a->opts.segment_max == 0) {
        a->opts.segment_max = SHO_ARCHIVE_SEGMENT_DEFAULT;
    }
    if (a->opts.zstd_level == 0) {
        a->opts.zstd_level = ARC_ZSTD_DEFAULT;
    }
    a->lock_fd = -1;
    a->seg_fd = -1;
    sho_buf_init(&a->notes, 4096);
    sho_buf_init(&a->frame, (size_t)ARC_PAYLOAD_MAX + ARC_FRAME_OVERHEAD + 1024);
    sho_buf_init(&a->dict_data[ARC_DICT_BLOCKS], (size_t)ARC_PAYLOAD_MAX + 1);
    sho_buf_init(&a->dict_data[ARC_DICT_EVENTS], (size_t)ARC_PAYLOAD_MAX + 1);
    if (a->opts.flags & SHO_ARCHIVE_WRITE) {
        rc = arc_mkdir(dir, err);
        if (rc == 0) {
            rc = arc_mkdir(a->archive_dir, err);
        }
        if (rc == 0) {
            rc = arc_lock(a, err);
        }
        if (rc == 0) {
            rc = arc_open_writer(a, err);
        }
        if (rc == 0) {
            rc = arc_commit(a, err);
        }
    } else if (stat(a->archive_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rc = sho_err_set(err, SHO_EIO, a->archive_dir, -1,
                         "no archive here (collect something first, or give --data)");
    }
    if (rc != 0) {
        sho_archive_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

const char *sho_archive_notes(const struct sho_archive *a)
{
    return a->notes.data != NULL ? a->notes.data : "";
}

uint64_t sho_archive_bytes(const struct sho_archive *a)
{
    char path[ARC_PATH_MAX];
    uint32_t *segs = NULL;
    size_t count = 0, i;
    uint64_t total = 0;
    struct stat st;

    if (arc_segment_list(a->archive_dir, &segs, &count, NULL) != 0) {
        return 0;
    }
    for (i = 0; i < count; i++) {
        arc_segment_path(a, segs[i], path, sizeof(path));
        if (stat(path, &st) == 0) {
            total += (uint64_t)st.st_size;
        }
    }
    free(segs);
    return total;
}

void sho_archive_close(struct sho_archive *a)
{
    if (a == NULL) {
        return;
    }
    arc_source_state_free(a->src);
    if (a->dedup != NULL) {
        arc_dedup_rollback(a->dedup); /* nothing uncommitted is claimed */
        arc_dedup_close(a->dedup);
    }
    if (a->seg_fd >= 0) {
        (void)fdatasync(a->seg_fd);
        (void)close(a->seg_fd);
    }
    if (a->lock_fd >= 0) {
        (void)close(a->lock_fd);
    }
    sho_buf_release(&a->notes);
    sho_buf_release(&a->frame);
    sho_buf_release(&a->dict_data[ARC_DICT_BLOCKS]);
    sho_buf_release(&a->dict_data[ARC_DICT_EVENTS]);
    free(a->dir);
    free(a->archive_dir);
    free(a);
}

bool sho_archive_head(const struct sho_archive *a, uint8_t out[SHO_HASH_LEN])
{
    memcpy(out, a->head, SHO_HASH_LEN);
    return a->has_head;
}
