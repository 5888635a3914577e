/*
 * records: the text payloads of SEGMENT and SOURCE frames and the segment
 * file names. Text, one "key value" per line, so that an auditor can read a
 * decompressed frame with nothing but zstd and a pager. Values escape
 * backslash and newline as \\ and \n; nothing else needs escaping because a
 * line ends only at a newline.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "archive_priv.h"

#define SEGMENT_PREFIX "seg-"
#define SEGMENT_SUFFIX ".sho"

void arc_segment_name(uint32_t n, char out[ARC_SEGMENT_NAME_MAX])
{
    (void)snprintf(out, ARC_SEGMENT_NAME_MAX, SEGMENT_PREFIX "%08u" SEGMENT_SUFFIX, n);
}

static int segment_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int arc_segment_list(const char *archive_dir, uint32_t **out, size_t *count, struct sho_err *err)
{
    char etext[128];
    struct dirent *de;
    uint32_t *list = NULL;
    size_t n = 0, cap = 0;
    DIR *d = opendir(archive_dir);

    if (d == NULL) {
        return sho_err_set(err, SHO_EIO, archive_dir, -1, "cannot open archive: %s",
                           sho_errno_text(errno, etext, sizeof(etext)));
    }
    /* NOLINTNEXTLINE(concurrency-mt-unsafe): one stream, one thread */
    while ((de = readdir(d)) != NULL) {
        uint64_t v;
        size_t len = strlen(de->d_name);
        if (len != 16 || strncmp(de->d_name, SEGMENT_PREFIX, 4) != 0 ||
            strcmp(de->d_name + 12, SEGMENT_SUFFIX) != 0 ||
            sho_parse_u64n(de->d_name + 4, 8, UINT32_MAX, 0, &v) != 0 || v == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap != 0 ? cap * 2 : 16;
            list = sho_xrealloc(list, cap * sizeof(*list));
        }
        list[n++] = (uint32_t)v;
    }
    (void)closedir(d);
    if (n > 1) {
        qsort(list, n, sizeof(*list), segment_cmp);
    }
    *out = list;
    *count = n;
    return 0;
}

int arc_text_value(struct sho_buf *b, const char *key, const char *value)
{
    const char *p;
    int rc = sho_buf_appendf(b, "%s ", key);

    for (p = value != NULL ? value : ""; rc == 0 && *p != '\0'; p++) {
        if (*p == '\\') {
            rc = sho_buf_append(b, "\\\\", 2);
        } else if (*p == '\n') {
            rc = sho_buf_append(b, "\\n", 2);
        } else {
            rc = sho_buf_putc(b, *p);
        }
    }
    return rc != 0 ? rc : sho_buf_putc(b, '\n');
}

/* Undo arc_text_value's escaping in place; returns the value's new length. */
static size_t text_unescape(char *v)
{
    char *w = v;
    const char *r = v;

    while (*r != '\0') {
        if (r[0] == '\\' && (r[1] == '\\' || r[1] == 'n')) {
            *w++ = r[1] == 'n' ? '\n' : '\\';
            r += 2;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - v);
}

/* Next "key value" line of `*cursor` (modified in place); returns 0 at the end. */
static int text_line(char **cursor, char **key, char **value)
{
    char *line = *cursor, *nl, *sp;

    if (line == NULL || *line == '\0') {
        return 0;
    }
    nl = strchr(line, '\n');
    if (nl != NULL) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = line + strlen(line);
    }
    sp = strchr(line, ' ');
    *key = line;
    *value = sp != NULL ? sp + 1 : line + strlen(line);
    if (sp != NULL) {
        *sp = '\0';
    }
    (void)text_unescape(*value);
    return 1;
}

int arc_segment_parse(const uint8_t *p, size_t len, uint32_t *number, uint64_t *prev_valid_len,
                      uint64_t *set_aside)
{
    char *text = sho_xstrndup((const char *)p, len);
    char *cursor = text, *key, *value;
    int seen = 0, rc = 0;
    uint64_t v;

    if (memchr(p, '\0', len) != NULL) {
        free(text);
        return SHO_ECORRUPT;
    }
    while (rc == 0 && text_line(&cursor, &key, &value)) {
        if (strcmp(key, "shoseki-segment") == 0) {
            rc = sho_parse_u64(value, ARC_FORMAT_VERSION, 0, &v) == 0 ? 0 : SHO_ECORRUPT;
            seen |= 1;
        } else if (strcmp(key, "segment") == 0) {
            rc = sho_parse_u64(value, UINT32_MAX, 0, &v) == 0 ? 0 : SHO_ECORRUPT;
            *number = (uint32_t)v;
            seen |= 2;
        } else if (strcmp(key, "previous_valid_length") == 0) {
            rc = sho_parse_u64(value, UINT64_MAX, 0, prev_valid_len) == 0 ? 0 : SHO_ECORRUPT;
            seen |= 4;
        } else if (strcmp(key, "set_aside") == 0) {
            rc = sho_parse_u64(value, UINT64_MAX, 0, set_aside) == 0 ? 0 : SHO_ECORRUPT;
            seen |= 8;
        }
    }
    free(text);
    return rc == 0 && seen == 15 ? 0 : SHO_ECORRUPT;
}

static int source_field(struct arc_source_rec *rec, const char *key, char *value)
{
    struct sho_archive_source *s = &rec->pub;
    uint64_t *num = NULL;

    if (strcmp(key, "sha256") == 0) {
        if (sho_hash_parse(value, rec->sha) != 0) {
            return SHO_ECORRUPT;
        }
        sho_str_copy(s->sha256, sizeof(s->sha256), value);
        return 0;
    }
    if (strcmp(key, "name") == 0) {
        s->name = value;
    } else if (strcmp(key, "kind") == 0) {
        s->kind = value;
    } else if (strcmp(key, "detail") == 0) {
        s->detail = value;
    } else if (strcmp(key, "host") == 0) {
        s->host = value[0] != '\0' ? value : NULL;
    } else if (strcmp(key, "channel") == 0) {
        s->channel = value[0] != '\0' ? value : NULL;
    } else if (strcmp(key, "size") == 0) {
        num = &s->size;
    } else if (strcmp(key, "first_time") == 0) {
        num = &s->first_time;
    } else if (strcmp(key, "last_time") == 0) {
        num = &s->last_time;
    } else if (strcmp(key, "events_stored") == 0) {
        num = &s->events_stored;
    } else if (strcmp(key, "events_duplicate") == 0) {
        num = &s->events_duplicate;
    }
    if (num != NULL && sho_parse_u64(value, UINT64_MAX, 0, num) != 0) {
        return SHO_ECORRUPT;
    }
    return 0;
}

static int source_block(struct arc_source_rec *rec, char *value)
{
    char *sp = strchr(value, ' ');
    uint64_t len;

    if (sp == NULL) {
        return SHO_ECORRUPT;
    }
    *sp = '\0';
    if (rec->block_count % 64 == 0) {
        rec->blocks = sho_xrealloc(rec->blocks, (rec->block_count + 64) * sizeof(*rec->blocks));
        rec->block_lens =
            sho_xrealloc(rec->block_lens, (rec->block_count + 64) * sizeof(*rec->block_lens));
    }
    if (sho_hash_parse(value, rec->blocks[rec->block_count]) != 0 ||
        sho_parse_u64(sp + 1, ARC_CDC_MAX, 0, &len) != 0) {
        return SHO_ECORRUPT;
    }
    rec->block_lens[rec->block_count++] = len;
    return 0;
}

static int source_range(struct arc_source_rec *rec, char *value)
{
    if (rec->pub.range_count % 64 == 0) {
        rec->ranges = sho_xrealloc(rec->ranges, (rec->pub.range_count + 64) * sizeof(*rec->ranges));
    }
    if (arc_ranges_parse(value, &rec->ranges[rec->pub.range_count]) != 0) {
        return SHO_ECORRUPT;
    }
    rec->pub.range_count++;
    rec->pub.ranges = rec->ranges;
    return 0;
}

int arc_source_parse(const uint8_t *p, size_t len, struct arc_source_rec *rec)
{
    char *cursor, *key, *value;
    int rc = 0;
    bool magic = false;

    memset(rec, 0, sizeof(*rec));
    if (memchr(p, '\0', len) != NULL) {
        return SHO_ECORRUPT;
    }
    rec->text = sho_xstrndup((const char *)p, len);
    cursor = rec->text;
    while (rc == 0 && text_line(&cursor, &key, &value)) {
        if (strcmp(key, "shoseki-source") == 0) {
            magic = strcmp(value, "1") == 0;
        } else if (strcmp(key, "block") == 0) {
            rc = source_block(rec, value);
        } else if (strcmp(key, "records") == 0) {
            rc = source_range(rec, value);
        } else if (strcmp(key, "records_incomplete") == 0) {
            rec->pub.ranges_incomplete = strcmp(value, "1") == 0;
        } else {
            rc = source_field(rec, key, value);
        }
    }
    if (rc == 0 && (!magic || rec->pub.sha256[0] == '\0' || rec->pub.name == NULL)) {
        rc = SHO_ECORRUPT;
    }
    if (rc != 0) {
        arc_source_release(rec);
    }
    return rc;
}

void arc_source_release(struct arc_source_rec *rec)
{
    free(rec->blocks);
    free(rec->block_lens);
    free(rec->ranges);
    free(rec->text);
    memset(rec, 0, sizeof(*rec));
}
