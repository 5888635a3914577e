/*
 * ch_ckpt: the ship checkpoint, DATA/ship-<target hash>.pos: the archive
 * position just after the last EVENTS frame a target holds, as text
 * ("shoseki-ship 1", then target, seq, hash, segment and end lines). Written
 * to a temporary file (0600), synced and renamed over the old one, so a
 * crash leaves the old checkpoint or the new one, never a mix. The target's
 * hash in the name keeps two clusters' checkpoints apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ch_priv.h"

#define CKPT_MAX 4096

static uint64_t ckpt_fnv(const char *a, const char *b)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    const char *p;

    for (p = a; *p != '\0'; p++) {
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    }
    h = (h ^ '/') * 0x100000001b3ULL;
    for (p = b; *p != '\0'; p++) {
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    }
    return h;
}

void ch_ckpt_path(const char *dir, const struct sho_ch_target *t, char *out, size_t out_len)
{
    (void)snprintf(out, out_len, "%s/ship-%016" PRIx64 ".pos", dir, ckpt_fnv(t->urls[0], t->table));
}

/* The value of line "NAME VALUE" of checkpoint text `text`, or NULL. Points into text. */
static const char *ckpt_field(const char *text, const char *name, size_t *len)
{
    size_t n = strlen(name);
    const char *p = text;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[n] == ' ') {
            p += n + 1;
            *len = strcspn(p, "\n");
            return p;
        }
        p += n;
    }
    return NULL;
}

static bool ckpt_num(const char *text, const char *name, uint64_t max, uint64_t *v)
{
    size_t len = 0;
    const char *p = ckpt_field(text, name, &len);

    return p != NULL && sho_parse_u64n(p, len, max, 0, v) == 0;
}

int ch_ckpt_load(const char *path, struct sho_archive_pos *pos, struct sho_err *err)
{
    struct sho_buf b;
    char hash[SHO_HASH_HEX];
    uint64_t seq = 0, segment = 0, end = 0;
    size_t len = 0;
    const char *h;
    int rc;

    memset(pos, 0, sizeof(*pos));
    if (access(path, F_OK) != 0) {
        return 0; /* nothing shipped yet */
    }
    sho_buf_init(&b, CKPT_MAX);
    rc = sho_buf_read_file(&b, path, err);
    if (rc != 0) {
        sho_buf_release(&b);
        return rc;
    }
    h = b.data != NULL ? ckpt_field(b.data, "hash", &len) : NULL;
    if (h == NULL || len != SHO_HASH_HEX - 1 || !ckpt_num(b.data, "seq", UINT64_MAX, &seq) ||
        !ckpt_num(b.data, "segment", UINT32_MAX, &segment) ||
        !ckpt_num(b.data, "end", (uint64_t)INT64_MAX, &end)) {
        rc = sho_err_set(err, SHO_ECORRUPT, path, -1, "%s", "not a ship checkpoint");
    } else {
        memcpy(hash, h, len);
        hash[len] = '\0';
        rc = sho_hash_parse(hash, pos->hash) == 0
                 ? 0
                 : sho_err_set(err, SHO_ECORRUPT, path, -1, "%s", "not a ship checkpoint");
    }
    if (rc == 0) {
        pos->is_set = true;
        pos->seq = seq;
        pos->segment = (uint32_t)segment;
        pos->end = (int64_t)end;
    }
    sho_buf_release(&b);
    return rc;
}

int ch_ckpt_save(const char *path, const struct sho_ch_target *t, const struct sho_archive_pos *pos,
                 struct sho_err *err)
{
    char tmp[SHO_ERR_PATH_MAX + 8], hex[SHO_HASH_HEX];
    struct sho_buf b;
    int fd, rc = 0;

    sho_hash_hex(pos->hash, hex);
    sho_buf_init(&b, CKPT_MAX);
    if (sho_buf_appendf(
            &b, "shoseki-ship 1\ntarget %s/%s\nseq %" PRIu64 "\nhash %s\nsegment %u\nend %lld\n",
            t->urls[0], t->table, pos->seq, hex, (unsigned)pos->segment,
            (long long)pos->end) != 0) {
        sho_buf_release(&b);
        return sho_err_set(err, SHO_ELIMIT, path, -1, "%s", "checkpoint too long");
    }
    (void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, b.data, b.len) != (ssize_t)b.len || fsync(fd) != 0) {
        rc = sho_err_set(err, SHO_EIO, tmp, -1, "cannot write the checkpoint: %s",
                         strerror(errno)); /* NOLINT(concurrency-mt-unsafe) */
    }
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        rc = sho_err_set(err, SHO_EIO, tmp, -1, "%s", "cannot write the checkpoint");
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = sho_err_set(err, SHO_EIO, path, -1, "cannot replace the checkpoint: %s",
                         strerror(errno)); /* NOLINT(concurrency-mt-unsafe) */
    }
    if (rc != 0) {
        (void)unlink(tmp);
    }
    sho_buf_release(&b);
    return rc;
}
