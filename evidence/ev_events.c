/*
 * ev_events: events.csv in one walk of the archive. The selected references
 * are sorted, so the walk meets their frames in order: each EVENTS frame that
 * holds selected events is decoded once, its events written as the event
 * writer writes them for `collect` (every normalized field, times in UTC,
 * `ref` last) and the frame noted for chain.txt. Every frame's hash is
 * checked on the way; the last frame seen is the head the pack records.
 */
#include <string.h>

#include "evidence_priv.h"

/* Column names of events.csv in Japanese, in the order of sho_event_field_name (with ref). */
static const char *const ev_event_heads_ja[] = {
    "時刻",
    "ホスト",
    "チャネル",
    "プロバイダー",
    "イベントID",
    "レコードID",
    "ユーザーSID",
    "ユーザー",
    "ドメイン",
    "ログオンID",
    "操作",
    "結果",
    "オブジェクト種別",
    "パス",
    "プロセス",
    "プロセスID",
    "クライアントIP",
    "共有名",
    "共有ローカルパス",
    "アクセスマスク",
    "ハンドルID",
    "ログオン種別",
    "ソースファイル",
    "ソースオフセット",
    "参照",
};

struct events_walk {
    struct ev_pack *p;
    struct sho_event_writer *w;
    size_t next;  /* first item not yet met */
    uint64_t seq; /* the frame being read */
    int rc;       /* the writer's error, kept past the walk */
    struct sho_err *err;
};

static void walk_note_frame(struct ev_pack *p, const struct sho_frame_info *fi)
{
    if (p->frame_count == p->frame_cap) {
        p->frame_cap = p->frame_cap == 0 ? 64 : p->frame_cap * 2;
        p->frames = sho_xrealloc(p->frames, p->frame_cap * sizeof(*p->frames));
    }
    p->frames[p->frame_count++] = *fi;
}

static int walk_event(void *ctx, const struct sho_event *ev, uint32_t index,
                      const uint8_t source_sha[SHO_HASH_LEN])
{
    struct events_walk *x = ctx;
    struct ev_pack *p = x->p;
    struct ev_item *it;
    char hex[SHO_HASH_HEX];

    while (x->next < p->count && p->items[x->next].seq == x->seq &&
           p->items[x->next].index < index) {
        x->next++; /* selected, yet not in its frame */
    }
    if (x->next >= p->count || p->items[x->next].seq != x->seq ||
        p->items[x->next].index != index) {
        return 0;
    }
    it = &p->items[x->next++];
    it->found = true;
    it->offset = (ev->has & SHO_HAS_SOURCE_OFFSET) != 0 ? ev->source_offset : -1;
    sho_hash_hex(source_sha, hex);
    it->source = ev_strtab_intern(&p->sources, hex, NULL);
    x->rc = sho_event_writer_put(x->w, ev, x->err);
    return x->rc;
}

static int walk_frame(void *ctx, const struct sho_frame_info *fi, const uint8_t *payload,
                      size_t len)
{
    struct events_walk *x = ctx;
    struct ev_pack *p = x->p;
    int rc;

    p->head = *fi;
    p->has_head = true;
    if (fi->type == SHO_FRAME_SOURCE) {
        walk_note_frame(p, fi); /* chain.txt lists the SOURCE frames of the pack's sources */
        return 0;
    }
    if (fi->type != SHO_FRAME_EVENTS || payload == NULL) {
        return 0;
    }
    while (x->next < p->count && p->items[x->next].seq < fi->seq) {
        x->next++; /* its frame is not an EVENTS frame */
    }
    if (x->next >= p->count || p->items[x->next].seq != fi->seq) {
        return 0;
    }
    x->seq = fi->seq;
    walk_note_frame(p, fi);
    rc = sho_archive_frame_events(fi, payload, len, walk_event, x);
    while (x->next < p->count && p->items[x->next].seq == fi->seq) {
        x->next++;
    }
    return rc;
}

static int events_header(struct ev_pack *p, FILE *f, struct sho_err *err)
{
    const char *cells[SHO_ARRAY_COUNT(ev_event_heads_ja)];
    size_t i, n = sho_event_field_count(SHO_WRITER_REF);
    bool ja = p->o.lang == EV_LANG_JA && n == SHO_ARRAY_COUNT(ev_event_heads_ja);
    int rc = ev_csv_start(p, f, err);

    if (n > SHO_ARRAY_COUNT(cells)) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "events have more columns than known");
    }
    for (i = 0; i < n; i++) {
        cells[i] = ja ? ev_event_heads_ja[i] : sho_event_field_name(i);
    }
    return rc == 0 ? ev_csv_row(p, f, cells, n, err) : rc;
}

int ev_events_write(struct ev_pack *p, struct sho_archive *a, struct sho_err *err)
{
    struct events_walk x;
    FILE *f = ev_create(p, "events.csv", err);
    int rc, crc;

    if (f == NULL) {
        return SHO_EIO;
    }
    memset(&x, 0, sizeof(x));
    x.p = p;
    x.err = err;
    x.w = sho_event_writer_new(f, SHO_FORMAT_CSV,
                               SHO_WRITER_REF | SHO_WRITER_NO_HEADER |
                                   (p->o.excel ? SHO_WRITER_EXCEL : 0));
    rc = events_header(p, f, err);
    if (rc == 0) {
        rc = sho_archive_walk(a, SHO_FRAME_MASK(SHO_FRAME_EVENTS) | SHO_FRAME_HEADERS, walk_frame,
                              &x, err);
        rc = x.rc != 0 ? x.rc : rc;
    }
    if (rc == 0) {
        rc = sho_event_writer_finish(x.w, err);
    }
    sho_event_writer_free(x.w);
    crc = ev_close(f, "events.csv", err);
    return rc != 0 ? rc : crc;
}
