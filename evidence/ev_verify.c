/*
 * ev_verify: `verify --pack`. A pack is intact when its manifest is exactly
 * what `evidence` would write for the files present: one line per file but
 * itself, "HEX  NAME\n", lower-case hex, names sorted by their bytes, each
 * named file present with that SHA-256, and no other file. Being canonical,
 * the manifest cannot be reordered or padded without notice; being listed,
 * no file can be added, removed or changed. With the archive at hand,
 * chain.txt is checked frame by frame against the archive's hash chain.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evidence_priv.h"

#define EV_CHAIN_HEAD  "head "
#define EV_CHAIN_FRAME "frame "

void ev_listing_init(struct ev_listing *l)
{
    memset(l, 0, sizeof(*l));
    sho_buf_init(&l->manifest, EV_TEXT_LIMIT);
    sho_buf_init(&l->chain, EV_TEXT_LIMIT);
}

void ev_listing_release(struct ev_listing *l)
{
    size_t i;

    for (i = 0; i < l->count; i++) {
        free(l->names[i]);
    }
    free(l->names);
    free(l->hashes);
    sho_buf_release(&l->manifest);
    sho_buf_release(&l->chain);
    memset(l, 0, sizeof(*l));
}

void ev_listing_add(struct ev_listing *l, const char *name, const uint8_t hash[SHO_HASH_LEN])
{
    if (l->count == l->cap) {
        l->cap = l->cap == 0 ? 64 : l->cap * 2;
        l->names = sho_xrealloc(l->names, l->cap * sizeof(*l->names));
        l->hashes = sho_xrealloc(l->hashes, l->cap * sizeof(*l->hashes));
    }
    l->names[l->count] = sho_xstrdup(name);
    memcpy(l->hashes[l->count], hash, SHO_HASH_LEN);
    l->count++;
}

struct listing_ref {
    const char *name;
    size_t at;
};

static int listing_ref_cmp(const void *a, const void *b)
{
    return strcmp(((const struct listing_ref *)a)->name, ((const struct listing_ref *)b)->name);
}

void ev_listing_sort(struct ev_listing *l)
{
    struct listing_ref *refs = sho_xcalloc(l->count + 1, sizeof(*refs));
    char **names = sho_xcalloc(l->count + 1, sizeof(*names));
    uint8_t(*hashes)[SHO_HASH_LEN] = sho_xcalloc(l->count + 1, sizeof(*hashes));
    size_t i;

    for (i = 0; i < l->count; i++) {
        refs[i].name = l->names[i];
        refs[i].at = i;
    }
    qsort(refs, l->count, sizeof(*refs), listing_ref_cmp);
    for (i = 0; i < l->count; i++) {
        names[i] = l->names[refs[i].at];
        memcpy(hashes[i], l->hashes[refs[i].at], SHO_HASH_LEN);
    }
    free(l->names);
    free(l->hashes);
    free(refs);
    l->names = names;
    l->hashes = hashes;
    l->cap = l->count + 1;
}

bool ev_name_ok(const char *name)
{
    const char *p;

    if (name[0] == '\0' || name[0] == '/' || name[0] == '.' || strlen(name) > 255) {
        return false;
    }
    for (p = name; *p != '\0'; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == '/';
        if (!ok || (*p == '/' && (p[1] == '/' || p[1] == '.' || p[1] == '\0'))) {
            return false;
        }
    }
    return true;
}

/* ---- the manifest ----------------------------------------------------------------- */

/* Compare the manifest line by line with the sorted listing. */
static int manifest_check(const struct ev_listing *l, struct sho_err *err)
{
    const char *p = l->manifest.data != NULL ? l->manifest.data : "";
    const char *end = p + l->manifest.len;
    size_t i = 0, line = 1;

    for (; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        char name[256], hex[SHO_HASH_HEX];
        uint8_t want[SHO_HASH_LEN];
        size_t len = nl != NULL ? (size_t)(nl - p) : 0;
        if (nl == NULL || len < SHO_HASH_HEX + 2 || len - (SHO_HASH_HEX + 1) >= sizeof(name) ||
            p[SHO_HASH_HEX - 1] != ' ' || p[SHO_HASH_HEX] != ' ') {
            return sho_err_set(err, SHO_ETAMPER, EV_MANIFEST, (int64_t)(p - l->manifest.data),
                               "line %zu: not a line of a manifest", line);
        }
        memcpy(hex, p, SHO_HASH_HEX - 1);
        hex[SHO_HASH_HEX - 1] = '\0';
        memcpy(name, p + SHO_HASH_HEX + 1, len - (SHO_HASH_HEX + 1));
        name[len - (SHO_HASH_HEX + 1)] = '\0';
        if (sho_hash_parse(hex, want) != 0 || strspn(hex, "0123456789abcdef") != SHO_HASH_HEX - 1 ||
            !ev_name_ok(name) || strlen(name) != len - (SHO_HASH_HEX + 1)) {
            return sho_err_set(err, SHO_ETAMPER, EV_MANIFEST, (int64_t)(p - l->manifest.data),
                               "line %zu: not a line of a manifest", line);
        }
        if (i < l->count && strcmp(l->names[i], name) < 0) {
            return sho_err_set(err, SHO_ETAMPER, l->names[i], -1,
                               "file not in the manifest (added)");
        }
        if (i >= l->count || strcmp(l->names[i], name) > 0) {
            return sho_err_set(err, SHO_ETAMPER, name, -1,
                               "file in the manifest is missing (removed or renamed), or the "
                               "manifest is out of order");
        }
        if (memcmp(l->hashes[i], want, SHO_HASH_LEN) != 0) {
            return sho_err_set(err, SHO_ETAMPER, name, -1,
                               "changed: its SHA-256 differs from the manifest's");
        }
        i++;
        p = nl + 1;
    }
    if (i < l->count) {
        return sho_err_set(err, SHO_ETAMPER, l->names[i], -1, "file not in the manifest (added)");
    }
    return 0;
}

/* ---- chain.txt against the archive ----------------------------------------------- */

struct chain_want {
    struct sho_frame_info *frames; /* owned; [0] is the head */
    size_t count, next;
    uint64_t found;
};

static const char *const chain_types[] = { "?", "segment", "block", "events", "source" };

/* Split `s` at single spaces into at most `max` words; returns the count (max + 1: too many). */
static size_t chain_words(char *s, char **words, size_t max)
{
    size_t n = 0;
    char *sp;

    for (;;) {
        if (n == max) {
            return max + 1;
        }
        words[n++] = s;
        sp = strchr(s, ' ');
        if (sp == NULL) {
            return n;
        }
        *sp = '\0';
        s = sp + 1;
    }
}

/* Parse "SEQ TYPE SEGMENT OFFSET HASH" (TYPE absent for the head line). */
static bool chain_parse_line(char *s, bool has_type, struct sho_frame_info *fi)
{
    char *w[6];
    size_t want = has_type ? 5 : 4, k = has_type ? 1 : 0, t;
    uint64_t seq, seg, off;

    if (chain_words(s, w, 5) != want || sho_parse_u64(w[0], UINT64_MAX - 1, 0, &seq) != 0 ||
        sho_parse_u64(w[k + 1], UINT32_MAX, 0, &seg) != 0 ||
        sho_parse_u64(w[k + 2], INT64_MAX, 0, &off) != 0 || strlen(w[k + 3]) != SHO_HASH_HEX - 1 ||
        strspn(w[k + 3], "0123456789abcdef") != SHO_HASH_HEX - 1 ||
        sho_hash_parse(w[k + 3], fi->hash) != 0) {
        return false;
    }
    fi->type = (enum sho_frame_type)0;
    for (t = 1; has_type && t < SHO_ARRAY_COUNT(chain_types); t++) {
        if (strcmp(w[1], chain_types[t]) == 0) {
            fi->type = (enum sho_frame_type)t;
        }
    }
    fi->seq = seq;
    fi->segment = (uint32_t)seg;
    fi->offset = (int64_t)off;
    return !has_type || fi->type != 0;
}

static int chain_parse(const struct sho_buf *text, struct chain_want *w, struct sho_err *err)
{
    const char *p = text->data != NULL ? text->data : "", *end = p + text->len;
    size_t line = 1, cap = 0;

    for (; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        char buf[512];
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        bool is_head = len > 5 && memcmp(p, EV_CHAIN_HEAD, 5) == 0;
        bool is_frame = len > 6 && memcmp(p, EV_CHAIN_FRAME, 6) == 0;
        if (len < sizeof(buf) && (is_head || is_frame) && (w->count == 0) == is_head) {
            memcpy(buf, p, len);
            buf[len] = '\0';
            if (w->count == cap) {
                cap = cap == 0 ? 64 : cap * 2;
                w->frames = sho_xrealloc(w->frames, cap * sizeof(*w->frames));
            }
            if (chain_parse_line(buf + (is_head ? 5 : 6), is_frame, &w->frames[w->count]) &&
                (w->count < 2 || w->frames[w->count].seq > w->frames[w->count - 1].seq) &&
                (w->count == 0 || w->frames[w->count].seq <= w->frames[0].seq)) {
                w->count++;
                p = nl != NULL ? nl + 1 : end;
                continue;
            }
        } else if (len == 0 || p[0] == '#') {
            p = nl != NULL ? nl + 1 : end;
            continue;
        }
        return sho_err_set(err, SHO_ETAMPER, EV_CHAIN, (int64_t)(p - text->data),
                           "line %zu: not a line of chain.txt", line);
    }
    return w->count == 0 ? sho_err_set(err, SHO_ETAMPER, EV_CHAIN, -1, "no head line") : 0;
}

static bool chain_same(const struct sho_frame_info *a, const struct sho_frame_info *b,
                       bool with_type)
{
    return a->seq == b->seq && a->segment == b->segment && a->offset == b->offset &&
           memcmp(a->hash, b->hash, SHO_HASH_LEN) == 0 && (!with_type || a->type == b->type);
}

static int chain_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *p, size_t len)
{
    struct chain_want *w = ctx;

    (void)p;
    (void)len;
    if (fi->seq == w->frames[0].seq && chain_same(fi, &w->frames[0], false)) {
        w->found++;
    }
    if (w->next < w->count && fi->seq == w->frames[w->next].seq) {
        if (!chain_same(fi, &w->frames[w->next], true)) {
            return 1;
        }
        w->found++;
        w->next++;
    }
    return 0;
}

static int chain_check(const struct ev_listing *l, const char *data_dir,
                       struct sho_evidence_check *out, struct sho_err *err)
{
    struct chain_want w;
    struct sho_archive *a = NULL;
    int rc;

    memset(&w, 0, sizeof(w));
    rc = chain_parse(&l->chain, &w, err);
    w.next = 1;
    if (rc == 0) {
        sho_hash_hex(w.frames[0].hash, out->head);
        rc = data_dir != NULL ? sho_archive_open(data_dir, NULL, &a, err) : 0;
    }
    if (rc == 0 && a != NULL) {
        rc = sho_archive_walk(a, SHO_FRAME_HEADERS, chain_frame, &w, err);
        if (rc == 1 || (rc == 0 && w.found != w.count)) {
            const struct sho_frame_info *f = &w.frames[w.next < w.count ? w.next : 0];
            rc = sho_err_set(err, SHO_ETAMPER, EV_CHAIN, -1,
                             "frame %llu (segment %u, offset %lld) is not in the archive's chain",
                             (unsigned long long)f->seq, f->segment, (long long)f->offset);
        }
        out->frames = w.found != 0 ? w.found - 1 : 0; /* the head is counted apart */
        out->chain_checked = rc == 0;
    }
    sho_archive_close(a);
    free(w.frames);
    return rc;
}

int sho_evidence_verify(const char *pack, const char *data_dir, struct sho_evidence_check *out,
                        struct sho_err *err)
{
    struct sho_evidence_check local;
    struct ev_listing l;
    uint8_t mhash[SHO_HASH_LEN];
    struct stat st;
    int rc;

    out = out != NULL ? out : &local;
    memset(out, 0, sizeof(*out));
    if (stat(pack, &st) != 0) {
        return sho_err_set(err, SHO_EIO, pack, -1, "no such pack");
    }
    ev_listing_init(&l);
    rc = S_ISDIR(st.st_mode) ? ev_dir_list(pack, &l, err) : ev_zip_list(pack, &l, err);
    if (rc == 0 && !S_ISDIR(st.st_mode)) {
        rc = ev_file_sha256(pack, out->zip_sha, err);
    }
    if (rc == 0 && !l.has_manifest) {
        rc = sho_err_set(err, SHO_ETAMPER, pack, -1, "no %s: not a pack, or it was removed",
                         EV_MANIFEST);
    }
    if (rc == 0) {
        sho_sha256(l.manifest.data != NULL ? l.manifest.data : "", l.manifest.len, mhash);
        sho_hash_hex(mhash, out->manifest_sha);
        ev_listing_sort(&l);
        rc = manifest_check(&l, err);
    }
    if (rc == 0) {
        out->files = l.count;
        rc = chain_check(&l, data_dir, out, err);
    }
    ev_listing_release(&l);
    return rc;
}
