/*
 * collect_evtx: one .evtx file -> winrec -> normalized events, through our
 * own decoder (evtx_decode.c, the default) or libevtx (evtx_libevtx.c and
 * evtx_xml.c, the reference). Records come in file order, then the records
 * recovered from slack space. A record that cannot be read or rendered is
 * reported with the file and its offset and skipped; the file goes on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evtx_decode.h"
#include "evtx_libevtx.h"
#include "evtx_scan.h"
#include "evtx_xml.h"
#include "normalize.h"
#include "shoseki/collector.h"

struct sho_collector {
    struct sho_collect_opts opts;  /* as given, defaults filled */
    struct normalizer *normalizer; /* owned; state spans files */
    struct evtx_xml *xml;          /* owned; reused per record */
    struct winrec rec;             /* owned; reused per record */
};

const char *sho_skip_reason_name(enum sho_skip_reason reason)
{
    switch (reason) {
    case SHO_SKIP_UNREADABLE:
        return "unreadable";
    case SHO_SKIP_XML:
        return "bad XML";
    case SHO_SKIP_TOO_LARGE:
        return "too large";
    case SHO_SKIP_MISSED:
        return "missed by libevtx";
    case SHO_SKIP_BAD_LINE:
        return "bad lines";
    case SHO_SKIP_LATE:
        return "late records";
    default:
        return "other";
    }
}

uint64_t sho_collect_stats_skipped(const struct sho_collect_stats *stats)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < SHO_SKIP_REASON_COUNT; i++) {
        n += stats->skipped[i];
    }
    return n;
}

static unsigned collect_norm_flags(const struct sho_collect_opts *o)
{
    unsigned nflags = 0;

    if (o->flags & SHO_COLLECT_ALL_OBJECTS) {
        nflags |= NORMALIZE_ALL_OBJECTS;
    }
    if (o->flags & SHO_COLLECT_ALL_EVENTS) {
        nflags |= NORMALIZE_ALL_EVENTS;
    }
    return nflags;
}

struct sho_collector *sho_collector_new(const struct sho_collect_opts *opts)
{
    struct sho_collector *c = sho_xcalloc(1, sizeof(*c));

    if (opts != NULL) {
        c->opts = *opts;
    }
    if (c->opts.handle_max == 0) {
        c->opts.handle_max = SHO_COLLECT_HANDLES_DEFAULT;
    }
    c->normalizer = normalizer_new(collect_norm_flags(&c->opts), c->opts.handle_max);
    c->xml = evtx_xml_new();
    if (c->xml == NULL) {
        (void)fprintf(stderr, "shoseki: fatal: cannot create an XML parser\n");
        abort();
    }
    winrec_init(&c->rec);
    return c;
}

void sho_collector_free(struct sho_collector *c)
{
    if (c == NULL) {
        return;
    }
    normalizer_free(c->normalizer);
    evtx_xml_free(c->xml);
    winrec_release(&c->rec);
    free(c);
}

/* Per-file state of one read. */
struct collect_file {
    struct sho_collector *c;             /* borrowed */
    const char *path;                    /* borrowed */
    struct evtx_lib *lib;                /* owned */
    struct evtx_scan *scan;              /* owned; NULL when the file cannot be scanned */
    const struct sho_collect_sink *sink; /* borrowed */
    struct sho_collect_stats *st;        /* borrowed */
    bool have_range;                     /* ids_lo..ids_hi hold allocated record ids */
    uint64_t ids_lo, ids_hi;             /* range of allocated record ids read */
};

static void collect_problem(const struct collect_file *f, const struct sho_err *e)
{
    if (f->sink->problem != NULL) {
        f->sink->problem(f->sink->ctx, e);
    }
}

/* Prefix the record id to a problem, when libevtx could tell it. */
static void collect_locate(struct sho_err *e, const char *path, int64_t offset,
                           const struct evtx_lib_meta *meta)
{
    char msg[SHO_ERR_MSG_MAX + 64]; /* sho_err_set truncates to what fits */

    if (meta->has_record_id) {
        (void)snprintf(msg, sizeof(msg), "record %llu: %s", (unsigned long long)meta->record_id,
                       e->msg);
    } else {
        sho_str_copy(msg, sizeof(msg), e->msg);
    }
    (void)sho_err_set(e, e->code, path, offset, "%s", msg);
}

static void collect_missed(void *ctx, int64_t offset, uint64_t record_id)
{
    struct collect_file *f = ctx;
    struct sho_err e;

    (void)sho_err_set(&e, SHO_ECORRUPT, f->path, offset,
                      "record %llu: in the file's record chain but not returned by libevtx",
                      (unsigned long long)record_id);
    f->st->skipped[SHO_SKIP_MISSED]++;
    collect_problem(f, &e);
}

static void collect_bad_chunk(void *ctx, int64_t offset, const char *what)
{
    const struct collect_file *f = ctx;
    struct sho_err e;

    (void)sho_err_set(&e, SHO_ECORRUPT, f->path, offset, "%s", what);
    collect_problem(f, &e);
}

/* Is recovered record `meta` a leftover copy of a record the file still holds? */
static bool collect_is_copy(const struct collect_file *f, const struct evtx_lib_meta *meta)
{
    return f->have_range && meta->has_record_id && meta->record_id >= f->ids_lo &&
           meta->record_id <= f->ids_hi;
}

static void collect_note_id(struct collect_file *f, const struct evtx_lib_meta *meta)
{
    if (!meta->has_record_id) {
        return;
    }
    if (!f->have_range || meta->record_id < f->ids_lo) {
        f->ids_lo = meta->record_id;
    }
    if (!f->have_range || meta->record_id > f->ids_hi) {
        f->ids_hi = meta->record_id;
    }
    f->have_range = true;
}

/* Tell the sink which record of which log was read (every one, stored as an event or not). */
static void collect_note_record(const struct collect_file *f, const struct winrec *r,
                                const struct evtx_lib_meta *meta)
{
    /* the record's own EventRecordID: a forwarded record keeps its source log's number,
     * where the record header counts the forwarding log's records */
    bool has = (r->has & WINREC_HAS_RECORD_ID) != 0;

    if (f->sink->record != NULL && (has || meta->has_record_id)) {
        f->sink->record(f->sink->ctx, winrec_str(r, r->computer), winrec_str(r, r->channel),
                        has ? r->record_id : meta->record_id,
                        (r->has & WINREC_HAS_TIME) != 0 ? r->time : 0);
    }
}

/*
 * Skip or report a record that could not be decoded. Allocated records are
 * evidence the file claims to hold: each is reported and counted. Recovered
 * candidates come from slack space and are mostly debris; their failures
 * are counted apart and only shown with -v.
 */
static void collect_fail(struct collect_file *f, bool recovered, int rc, bool rendered,
                         struct sho_err *e)
{
    if (recovered) {
        f->st->recovered_unreadable++;
        if (sho_log_get_level() >= SHO_LOG_INFO) {
            collect_problem(f, e);
        }
        return;
    }
    f->st->skipped[rc == SHO_ELIMIT ? SHO_SKIP_TOO_LARGE
                   : rendered       ? SHO_SKIP_XML
                                    : SHO_SKIP_UNREADABLE]++;
    collect_problem(f, e);
}

static int collect_emit(struct collect_file *f, const struct winrec *r, struct norm_prepared *prep,
                        int64_t offset, const struct evtx_lib_meta *meta, struct sho_err *err);

/* One record: returns 0 (read or skipped) or the sink's error. */
static int collect_record(struct collect_file *f, int index, bool recovered, struct sho_err *err)
{
    struct sho_collector *c = f->c;
    struct evtx_lib_meta meta;
    struct sho_err rerr;
    const char *xml = NULL;
    size_t xml_len = 0;
    int64_t offset = -1;
    int rc;

    sho_err_clear(&rerr);
    rc = evtx_lib_record(f->lib, index, recovered, &offset, &xml, &xml_len, &meta, &rerr);
    /*
     * libevtx 20181227 reports 0 for every offset: take it from the container.
     * A record libevtx could not load is the next one in the chain.
     */
    offset = -1;
    if (!recovered && f->scan != NULL) {
        if (meta.has_record_id) {
            if (evtx_scan_find(f->scan, meta.record_id, &offset) != 1) {
                offset = -1;
            }
        } else if (rc != 0 && evtx_scan_next(f->scan, &offset, &meta.record_id) == 1) {
            meta.has_record_id = true;
        }
    }
    if (recovered && collect_is_copy(f, &meta)) {
        f->st->recovered_copies++;
        return 0;
    }
    if (rc == 0) {
        rc = evtx_xml_parse(c->xml, xml, xml_len, &c->rec, &rerr);
    }
    if (rc != 0) {
        collect_locate(&rerr, f->path, offset, &meta);
        collect_fail(f, recovered, rc, xml != NULL, &rerr);
        return 0;
    }
    f->st->read++;
    if (recovered) {
        f->st->recovered_read++;
    } else {
        collect_note_id(f, &meta);
        collect_note_record(f, &c->rec, &meta);
    }
    return collect_emit(f, &c->rec, NULL, offset, &meta, err);
}

/*
 * Normalize a decoded record and hand its event, if any, to the sink. A
 * decoding thread may have done the first half (`prep`, else NULL). A record
 * whose System has no EventRecordID (a forwarder's bookmark event, a wiped
 * record) takes the record header's identifier, so it can still be named.
 */
static int collect_emit(struct collect_file *f, const struct winrec *r, struct norm_prepared *prep,
                        int64_t offset, const struct evtx_lib_meta *meta, struct sho_err *err)
{
    struct sho_event ev;
    int rc;

    if (prep != NULL) {
        if (!normalizer_finish(f->c->normalizer, prep)) {
            return 0;
        }
        ev = prep->ev;
    } else if (!normalizer_run(f->c->normalizer, r, &ev)) {
        return 0;
    }
    if (!(ev.has & SHO_HAS_RECORD_ID) && meta->has_record_id) {
        ev.record_id = meta->record_id;
        ev.has |= SHO_HAS_RECORD_ID;
    }
    ev.source = f->path;
    if (offset >= 0) {
        ev.source_offset = offset;
        ev.has |= SHO_HAS_SOURCE_OFFSET;
    }
    rc = f->sink->event(f->sink->ctx, &ev, err);
    if (rc == 0) {
        f->st->emitted++;
    }
    return rc;
}

static unsigned collect_threads(const struct sho_collect_opts *o)
{
    long n;

    if (o->threads != 0) {
        return o->threads;
    }
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > EVTX_DEC_THREADS_MAX ? EVTX_DEC_THREADS_MAX : (unsigned)n;
}

/* One record from our decoder: returns 0 (read or skipped) or the sink's error. */
static int collect_ours_record(struct collect_file *f, struct evtx_dec_rec *rec,
                               const struct winrec *r, struct norm_prepared *prep,
                               struct sho_err *err)
{
    struct evtx_lib_meta meta;

    memset(&meta, 0, sizeof(meta));
    meta.has_record_id = true;
    meta.record_id = rec->record_id;
    if (rec->is_recovered) {
        f->st->recovered++;
        if (collect_is_copy(f, &meta)) {
            f->st->recovered_copies++;
            return 0;
        }
    } else {
        f->st->records++;
    }
    if (rec->rc != 0) {
        collect_fail(f, rec->is_recovered, rec->rc, false, &rec->err);
        return 0;
    }
    f->st->read++;
    if (rec->is_recovered) {
        f->st->recovered_read++;
    } else {
        collect_note_id(f, &meta);
        collect_note_record(f, r, &meta);
    }
    return collect_emit(f, r, prep, rec->offset, &meta, err);
}

static int collect_ours(struct collect_file *f, struct sho_err *err)
{
    struct evtx_dec *dec = NULL;
    struct evtx_dec_rec rec;
    struct evtx_dec_opts o;
    const struct winrec *r = NULL;
    struct norm_prepared *prep = NULL;
    int rc;

    o.threads = collect_threads(&f->c->opts);
    o.prepare = true; /* the first half of normalizing runs on the decoding threads */
    o.norm_flags = collect_norm_flags(&f->c->opts);
    o.problem = collect_bad_chunk;
    o.problem_ctx = f;
    rc = evtx_dec_open(f->path, &o, &dec, err);
    if (rc != 0) {
        return rc;
    }
    f->st->is_dirty = evtx_dec_is_dirty(dec);
    while (rc == 0 && evtx_dec_next(dec, &rec, &r, &prep) == 1) {
        rc = collect_ours_record(f, &rec, r, prep, err);
    }
    f->st->bad_chunks = evtx_dec_bad_chunks(dec);
    evtx_dec_close(dec);
    return rc;
}

int sho_collector_read_evtx(struct sho_collector *c, const char *path,
                            const struct sho_collect_sink *sink, struct sho_collect_stats *st,
                            struct sho_err *err)
{
    struct collect_file f;
    int records = 0, recovered = 0;
    int i, rc;

    memset(st, 0, sizeof(*st));
    memset(&f, 0, sizeof(f));
    f.c = c;
    f.path = path;
    f.sink = sink;
    f.st = st;
    if (c->opts.decoder == SHO_DECODER_OURS) {
        return collect_ours(&f, err);
    }
    rc = evtx_lib_open(path, &f.lib, err);
    if (rc != 0) {
        return rc;
    }
    if (evtx_scan_open(path, &f.scan, NULL) != 0) {
        f.scan = NULL;
    } else {
        evtx_scan_on_skip(f.scan, collect_missed, &f);
    }
    evtx_lib_counts(f.lib, &records, &recovered);
    st->records = (uint64_t)records;
    st->recovered = (uint64_t)recovered;
    st->is_dirty = evtx_lib_is_dirty(f.lib);
    for (i = 0; rc == 0 && i < records; i++) {
        rc = collect_record(&f, i, false, err);
    }
    if (rc == 0 && f.scan != NULL) {
        evtx_scan_drain(f.scan);
    }
    for (i = 0; rc == 0 && i < recovered; i++) {
        rc = collect_record(&f, i, true, err);
    }
    if (rc == 0 && f.scan != NULL) {
        st->bad_chunks = (uint64_t)evtx_scan_check(f.scan, collect_bad_chunk, &f);
    }
    evtx_scan_close(f.scan);
    evtx_lib_close(f.lib);
    return rc;
}

int sho_collector_is_evtx(const char *path, struct sho_err *err)
{
    static const char magic[8] = { 'E', 'l', 'f', 'F', 'i', 'l', 'e', 0 };
    char head[8];
    char etext[128];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL) {
        (void)sho_err_set(err, SHO_EIO, path, -1, "cannot open: %s",
                          sho_errno_text(errno, etext, sizeof(etext)));
        return 0;
    }
    n = fread(head, 1, sizeof(head), f);
    (void)fclose(f);
    if (n != sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0) {
        (void)sho_err_set(err, SHO_ECORRUPT, path, 0,
                          "not a readable EVTX file: no 'ElfFile' signature");
        return 0;
    }
    return 1;
}
