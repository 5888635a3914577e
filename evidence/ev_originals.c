/*
 * ev_originals: originals/, the original record of every event, so the pack
 * stands without shoseki. Events are taken source file by source file: each
 * file is rebuilt once from the archive (its SHA-256 checked) into a scratch
 * file inside the pack directory, removed afterwards, and each event's record
 * is rendered from it as `cat` shows it (EVTX: XML; text logs: the original
 * lines). Files are named after the event's reference, never after anything
 * in the data: originals/SEQ-INDEX.xml or .txt.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evidence_priv.h"
#include "shoseki/collector.h"

#define EV_SCRATCH      ".source.tmp" /* the rebuilt source file, inside the pack, removed */
#define EV_RECORD_LIMIT ((size_t)64 * 1024 * 1024)

/* An item's place, ordered by source then reference (qsort has no context argument). */
struct orig_key {
    uint32_t source;
    size_t at;
};

static int orig_cmp(const void *a, const void *b)
{
    const struct orig_key *x = a, *y = b;

    if (x->source != y->source) {
        return x->source < y->source ? -1 : 1;
    }
    return x->at < y->at ? -1 : x->at > y->at ? 1 : 0;
}

/* Write one event's original record (or why there is none). */
static int orig_one(struct ev_pack *p, const struct ev_item *it, const char *scratch,
                    const char *kind, bool have_file, struct sho_buf *text, struct sho_err *err)
{
    bool is_evtx = kind == NULL || strcmp(kind, "evtx") == 0;
    struct sho_err rerr;
    char name[96];
    FILE *f;
    int rc = 1;

    sho_buf_reset(text);
    sho_err_clear(&rerr);
    if (have_file && it->offset >= 0) {
        rc = sho_collector_original(scratch, kind, it->offset, text, &rerr);
    }
    if (rc != 0) {
        char line[SHO_ERR_MSG_MAX + SHO_ERR_PATH_MAX + 64];
        sho_err_format(&rerr, line, sizeof(line));
        sho_buf_reset(text);
        if (sho_buf_appendf(text, "no original record: %s\n",
                            !have_file       ? "its source file is not in the archive"
                            : it->offset < 0 ? "the event has no record offset"
                                             : line) != 0) {
            return sho_err_set(err, SHO_ELIMIT, NULL, -1, "cannot write why a record is missing");
        }
        p->originals_missing++;
    }
    (void)snprintf(name, sizeof(name), "%s/%llu-%u%s", EV_ORIGINALS, (unsigned long long)it->seq,
                   it->index,
                   rc != 0   ? ".missing.txt"
                   : is_evtx ? ".xml"
                             : ".txt");
    f = ev_create(p, name, err);
    if (f == NULL) {
        return SHO_EIO;
    }
    if (text->len != 0 && fwrite(text->data, 1, text->len, f) != text->len) {
        (void)fclose(f);
        return sho_err_set(err, SHO_EIO, name, -1, "cannot write the file");
    }
    p->originals++;
    return ev_close(f, name, err);
}

/* Rebuild source `id` into the scratch file; false (and a warning) when it cannot be. */
static bool orig_rebuild(struct ev_pack *p, struct sho_archive *a, uint32_t id)
{
    uint8_t sha[SHO_HASH_LEN];
    struct sho_err rerr;
    int fd, rc;

    if (id == EV_NONE || sho_hash_parse(p->sources.keys[id], sha) != 0) {
        return false;
    }
    fd = openat(p->dirfd, EV_SCRATCH, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        return false;
    }
    sho_err_clear(&rerr);
    rc = sho_archive_extract(a, sha, fd, &rerr);
    (void)close(fd);
    if (rc != 0) {
        sho_log(SHO_LOG_WARN, "evidence: source %s cannot be rebuilt: %s", p->sources.keys[id],
                rerr.msg);
    }
    return rc == 0;
}

int ev_originals_write(struct ev_pack *p, struct sho_archive *a, struct sho_err *err)
{
    struct orig_key *order = sho_xcalloc(p->count + 1, sizeof(*order));
    char scratch[sizeof(p->dir) + sizeof(EV_SCRATCH) + 1];
    struct sho_buf text;
    size_t i, n = 0;
    int rc = 0;

    if (mkdirat(p->dirfd, EV_ORIGINALS, 0700) != 0) {
        free(order);
        return sho_err_set(err, SHO_EIO, p->dir, -1, "cannot create '%s'", EV_ORIGINALS);
    }
    (void)snprintf(scratch, sizeof(scratch), "%s/%s", p->dir, EV_SCRATCH);
    for (i = 0; i < p->count; i++) {
        if (p->items[i].found) {
            order[n].source = p->items[i].source;
            order[n++].at = i;
        }
    }
    qsort(order, n, sizeof(*order), orig_cmp);
    sho_buf_init(&text, EV_RECORD_LIMIT);
    for (i = 0; i < n && rc == 0;) {
        uint32_t src = order[i].source;
        bool have = orig_rebuild(p, a, src);
        const char *kind = src != EV_NONE ? p->sources.aux[src] : NULL;
        for (; i < n && rc == 0 && order[i].source == src; i++) {
            rc = orig_one(p, &p->items[order[i].at], scratch, kind, have, &text, err);
        }
        (void)unlinkat(p->dirfd, EV_SCRATCH, 0);
    }
    sho_buf_release(&text);
    free(order);
    return rc;
}
