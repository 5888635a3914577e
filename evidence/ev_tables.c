/*
 * ev_tables: the pack's summaries and its anchor in the archive: persons.csv
 * and files.csv counted from the selected events' keys (one row per person,
 * per file; the distinct files of a person and persons of a file from the
 * sorted pairs), sources.csv from the archive's SOURCE frames, and chain.txt,
 * the frames the pack draws on with their hashes and the head at pack time.
 * Rows are sorted by their key's bytes, so the same selection gives the same
 * bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "evidence_priv.h"

struct ev_agg {
    uint64_t first, last, count, distinct; /* times (FILETIME), events, files or persons */
    uint32_t actions;
};

static const char *const persons_en[] = { "user_sid", "domain", "user",  "first",
                                          "last",     "events", "files", "actions" };
static const char *const persons_ja[] = { "ユーザーSID", "ドメイン",   "ユーザー",   "最初",
                                          "最後",        "イベント数", "ファイル数", "操作" };
static const char *const files_en[] = { "path", "first", "last", "events", "persons", "actions" };
static const char *const files_ja[] = { "パス", "最初", "最後", "イベント数", "人数", "操作" };
static const char *const sources_en[] = { "sha256",  "size", "kind",   "host",
                                          "channel", "name", "events", "frame" };
static const char *const sources_ja[] = { "SHA-256",  "サイズ",     "種別",       "ホスト",
                                          "チャネル", "ファイル名", "イベント数", "フレーム" };

static int tables_source(void *ctx, const struct sho_archive_source *s)
{
    struct ev_pack *p = ctx;
    uint32_t id = ev_strtab_find(&p->sources, s->sha256);
    struct ev_source *x;

    if (id == EV_NONE || p->srcinfo[id].known) {
        return 0;
    }
    x = &p->srcinfo[id];
    x->known = true;
    x->name = s->name != NULL ? sho_xstrdup(s->name) : NULL;
    x->kind = s->kind != NULL ? sho_xstrdup(s->kind) : NULL;
    x->host = s->host != NULL ? sho_xstrdup(s->host) : NULL;
    x->channel = s->channel != NULL ? sho_xstrdup(s->channel) : NULL;
    x->size = s->size;
    x->seq = s->seq;
    free(p->sources.aux[id]);
    p->sources.aux[id] = s->kind != NULL ? sho_xstrdup(s->kind) : NULL;
    return 0;
}

int ev_sources_load(struct ev_pack *p, struct sho_archive *a, struct sho_err *err)
{
    size_t i;

    p->srcinfo = sho_xcalloc(p->sources.count + 1, sizeof(*p->srcinfo));
    for (i = 0; i < p->count; i++) {
        if (p->items[i].found && p->items[i].source != EV_NONE) {
            p->srcinfo[p->items[i].source].events++;
        }
    }
    return sho_archive_sources(a, tables_source, p, err);
}

/* Close `f` after a table: the first error wins. */
static int tables_close(FILE *f, const char *name, int rc, struct sho_err *err)
{
    int crc = ev_close(f, name, rc == 0 ? err : NULL);

    return rc != 0 ? rc : crc;
}

/* Create table `name` and write its BOM (--excel) and header row in the pack's language. On
 * failure *f is NULL when nothing was created, else the caller closes it with the error. */
static int tables_open(struct ev_pack *p, const char *name, const char *const *en,
                       const char *const *ja, size_t n, FILE **f, struct sho_err *err)
{
    int rc;

    *f = ev_create(p, name, err);
    if (*f == NULL) {
        return SHO_EIO;
    }
    rc = ev_csv_start(p, *f, err);
    return rc == 0 ? ev_csv_row(p, *f, p->o.lang == EV_LANG_JA ? ja : en, n, err) : rc;
}

/* Split `s` at \x1f into `n` cells (missing ones empty). */
static void tables_split(char *s, const char **cells, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char *sep = s != NULL ? strchr(s, '\x1f') : NULL;
        cells[i] = s != NULL ? s : "";
        if (sep != NULL) {
            *sep = '\0';
        }
        s = sep != NULL ? sep + 1 : NULL;
    }
}

/* ---- persons and files ------------------------------------------------------------ */

static void agg_add(struct ev_agg *g, const struct ev_item *it)
{
    if (g->count == 0 || it->time < g->first) {
        g->first = it->time;
    }
    if (g->count == 0 || it->time > g->last) {
        g->last = it->time;
    }
    g->count++;
    g->actions |= it->actions;
}

struct pair {
    uint32_t person, file;
};

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    if (x->person != y->person) {
        return x->person < y->person ? -1 : 1;
    }
    return x->file < y->file ? -1 : x->file > y->file ? 1 : 0;
}

/* Count events per person and file, and distinct files per person and persons per file. */
static void tables_count(const struct ev_pack *p, struct ev_agg *per, struct ev_agg *fil)
{
    struct pair *pairs = sho_xcalloc(p->count + 1, sizeof(*pairs));
    size_t i, n = 0;

    for (i = 0; i < p->count; i++) {
        const struct ev_item *it = &p->items[i];
        if (!it->found) {
            continue;
        }
        if (it->person != EV_NONE) {
            agg_add(&per[it->person], it);
        }
        if (it->file != EV_NONE) {
            agg_add(&fil[it->file], it);
        }
        if (it->person != EV_NONE && it->file != EV_NONE) {
            pairs[n].person = it->person;
            pairs[n++].file = it->file;
        }
    }
    qsort(pairs, n, sizeof(*pairs), pair_cmp);
    for (i = 0; i < n; i++) {
        if (i == 0 || pair_cmp(&pairs[i - 1], &pairs[i]) != 0) {
            per[pairs[i].person].distinct++;
            fil[pairs[i].file].distinct++;
        }
    }
    free(pairs);
}

/* One summary row: the leading cells given, then first, last, events, distinct, actions. */
static int tables_row(const struct ev_pack *p, FILE *f, const char **cells, size_t lead,
                      const struct ev_agg *g, struct sho_err *err)
{
    char first[SHO_TIME_ISO_MAX], last[SHO_TIME_ISO_MAX], count[24], distinct[24], acts[512];

    ev_time_text(p, g->first, first);
    ev_time_text(p, g->last, last);
    (void)snprintf(count, sizeof(count), "%llu", (unsigned long long)g->count);
    (void)snprintf(distinct, sizeof(distinct), "%llu", (unsigned long long)g->distinct);
    ev_actions_text(g->actions, acts, sizeof(acts));
    cells[lead] = first;
    cells[lead + 1] = last;
    cells[lead + 2] = count;
    cells[lead + 3] = distinct;
    cells[lead + 4] = acts;
    return ev_csv_row(p, f, cells, lead + 5, err);
}

/* persons.csv (is_files false) or files.csv. */
static int tables_summary(struct ev_pack *p, bool is_files, const struct ev_agg *agg,
                          struct sho_err *err)
{
    const struct ev_strtab *t = is_files ? &p->files : &p->persons;
    const char *name = is_files ? "files.csv" : "persons.csv";
    FILE *f = NULL;
    uint32_t *ids;
    size_t i;
    int rc = is_files ? tables_open(p, name, files_en, files_ja, SHO_ARRAY_COUNT(files_en), &f, err)
                      : tables_open(p, name, persons_en, persons_ja, SHO_ARRAY_COUNT(persons_en),
                                    &f, err);

    if (f == NULL) {
        return rc;
    }
    ids = ev_strtab_sorted(t);
    for (i = 0; rc == 0 && i < t->count; i++) {
        const char *cells[8];
        char *copy;
        if (agg[ids[i]].count == 0) {
            continue;
        }
        if (is_files) {
            cells[0] = t->keys[ids[i]];
            rc = tables_row(p, f, cells, 1, &agg[ids[i]], err);
            continue;
        }
        copy = sho_xstrdup(t->aux[ids[i]]); /* "sid\x1f" "domain\x1f" "user" */
        tables_split(copy, cells, 3);
        rc = tables_row(p, f, cells, 3, &agg[ids[i]], err);
        free(copy);
    }
    free(ids);
    return tables_close(f, name, rc, err);
}

/* ---- sources and chain ------------------------------------------------------------ */

static int tables_sources(struct ev_pack *p, struct sho_err *err)
{
    FILE *f = NULL;
    uint32_t *ids;
    size_t i;
    int rc =
        tables_open(p, "sources.csv", sources_en, sources_ja, SHO_ARRAY_COUNT(sources_en), &f, err);

    if (f == NULL) {
        return rc;
    }
    ids = ev_strtab_sorted(&p->sources);
    for (i = 0; rc == 0 && i < p->sources.count; i++) {
        const struct ev_source *x = &p->srcinfo[ids[i]];
        char size[24], events[24], frame[24];
        const char *cells[8];
        (void)snprintf(size, sizeof(size), "%llu", (unsigned long long)x->size);
        (void)snprintf(events, sizeof(events), "%llu", (unsigned long long)x->events);
        (void)snprintf(frame, sizeof(frame), "%llu", (unsigned long long)x->seq);
        cells[0] = p->sources.keys[ids[i]];
        cells[1] = x->known ? size : NULL;
        cells[2] = x->kind;
        cells[3] = x->host;
        cells[4] = x->channel;
        cells[5] = x->name;
        cells[6] = events;
        cells[7] = x->known ? frame : NULL;
        rc = ev_csv_row(p, f, cells, 8, err);
    }
    free(ids);
    return tables_close(f, "sources.csv", rc, err);
}

/* Is SOURCE frame `seq` the record of one of the pack's sources? */
static bool tables_our_source(const struct ev_pack *p, uint64_t seq)
{
    size_t i;

    for (i = 0; i < p->sources.count; i++) {
        if (p->srcinfo[i].known && p->srcinfo[i].seq == seq) {
            return true;
        }
    }
    return false;
}

static int tables_chain(struct ev_pack *p, struct sho_err *err)
{
    static const char *const types[] = { "?", "segment", "block", "events", "source" };
    FILE *f = ev_create(p, EV_CHAIN, err);
    char hex[SHO_HASH_HEX];
    size_t i;
    int rc = 0;

    if (f == NULL) {
        return SHO_EIO;
    }
    sho_hash_hex(p->head.hash, hex);
    if (fprintf(f,
                "# shoseki evidence pack: the archive frames this pack draws on.\n"
                "# head SEQ SEGMENT OFFSET SHA256: the archive's last frame when it was made\n"
                "# frame SEQ TYPE SEGMENT OFFSET SHA256: a frame holding its events or "
                "recording its source files\n"
                "head %llu %u %lld %s\n",
                (unsigned long long)p->head.seq, p->head.segment, (long long)p->head.offset,
                hex) < 0) {
        rc = SHO_EIO;
    }
    for (i = 0; rc == 0 && i < p->frame_count; i++) {
        const struct sho_frame_info *fi = &p->frames[i];
        if (fi->type == SHO_FRAME_SOURCE && !tables_our_source(p, fi->seq)) {
            continue;
        }
        sho_hash_hex(fi->hash, hex);
        if (fprintf(f, "frame %llu %s %u %lld %s\n", (unsigned long long)fi->seq,
                    (unsigned)fi->type < SHO_ARRAY_COUNT(types) ? types[fi->type] : "?",
                    fi->segment, (long long)fi->offset, hex) < 0) {
            rc = SHO_EIO;
        }
    }
    if (rc != 0) {
        rc = sho_err_set(err, rc, EV_CHAIN, -1, "cannot write the file");
    }
    return tables_close(f, EV_CHAIN, rc, err);
}

int ev_tables_write(struct ev_pack *p, struct sho_archive *a, struct sho_err *err)
{
    struct ev_agg *per = sho_xcalloc(p->persons.count + 1, sizeof(*per));
    struct ev_agg *fil = sho_xcalloc(p->files.count + 1, sizeof(*fil));
    int rc;

    (void)a;
    tables_count(p, per, fil);
    rc = tables_summary(p, false, per, err);
    if (rc == 0) {
        rc = tables_summary(p, true, fil, err);
    }
    if (rc == 0) {
        rc = tables_sources(p, err);
    }
    if (rc == 0 && p->has_head) {
        rc = tables_chain(p, err);
    }
    free(per);
    free(fil);
    return rc;
}
