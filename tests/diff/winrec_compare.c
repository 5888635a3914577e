/*
 * winrec_compare: our decoder against libevtx one level below the normalized
 * events, on the winrec itself: for every record libevtx reads (rendered to
 * XML, read back by evtx_xml.c), the winrec our decoder fills for the record
 * with the same header id must be identical: System values, and every
 * EventData/UserData field name and value in order, including fields that
 * normalization never looks at (FILETIMEs, GUIDs, binary, arrays...).
 *
 * usage: winrec_compare FILE...   prints one line per file and each
 * difference (at most 20 per file); exit 0 when none, 1 otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_decode.h"
#include "evtx_libevtx.h"
#include "evtx_xml.h"

#define CMP_TEXT_LIMIT ((size_t)64 << 20)
#define CMP_SHOWN      20

struct ours_rec {
    uint64_t id; /* record header id */
    char *text;  /* canonical form, owned */
    size_t len;  /* its length */
};

/* The winrec as one canonical string: every value, each field as name=value. */
static void canon(const struct winrec *r, struct sho_buf *out)
{
    const char *none = "(none)";
    size_t i;

    sho_buf_reset(out);
    if (sho_buf_appendf(
            out,
            "has=%" PRIu32 " time=%" PRIu64 " rid=%" PRIu64 " eid=%" PRIu32 " kw=%" PRIx64
            " pid=%" PRIu32 " task=%" PRIu32 " ver=%" PRIu32
            "\nprovider=%s\nchannel=%s\ncomputer=%s\nsecurity=%s\n",
            r->has, r->time, r->record_id, r->event_id, r->keywords, r->exec_pid, r->task,
            r->version, winrec_str(r, r->provider) ? winrec_str(r, r->provider) : none,
            winrec_str(r, r->channel) ? winrec_str(r, r->channel) : none,
            winrec_str(r, r->computer) ? winrec_str(r, r->computer) : none,
            winrec_str(r, r->security_id) ? winrec_str(r, r->security_id) : none) != 0) {
        return;
    }
    for (i = 0; i < r->field_count; i++) {
        if (sho_buf_appendf(out, "%s=%s\n", winrec_str(r, r->fields[i].name),
                            winrec_str(r, r->fields[i].value)) != 0) {
            return;
        }
    }
}

static size_t read_ours(const char *path, struct ours_rec **out)
{
    struct evtx_dec *d = NULL;
    struct evtx_dec_rec rec;
    const struct winrec *r = NULL;
    struct ours_rec *list = NULL;
    size_t count = 0, cap = 0;
    struct sho_buf text;
    struct evtx_dec_opts opts = { 1, false, 0, NULL, NULL };

    sho_buf_init(&text, CMP_TEXT_LIMIT);
    if (evtx_dec_open(path, &opts, &d, NULL) != 0) {
        *out = NULL;
        sho_buf_release(&text);
        return 0;
    }
    while (evtx_dec_next(d, &rec, &r, NULL) == 1) {
        if (rec.is_recovered || rec.rc != 0) {
            continue;
        }
        if (count == cap) {
            cap = cap == 0 ? 1024 : cap * 2;
            list = sho_xrealloc(list, cap * sizeof(*list));
        }
        canon(r, &text);
        list[count].id = rec.record_id;
        list[count].text = sho_xstrndup(text.data != NULL ? text.data : "", text.len);
        list[count].len = text.len;
        count++;
    }
    evtx_dec_close(d);
    sho_buf_release(&text);
    *out = list;
    return count;
}

struct cmp_state {
    const struct ours_rec *ours; /* borrowed */
    size_t count, at;            /* records of ours, next to match */
    size_t equal, differ;        /* tallies */
};

/* Compare libevtx's record `r` (header id `id`) with ours. */
static void compare_one(const char *path, struct cmp_state *st, uint64_t id, const struct winrec *r,
                        struct sho_buf *text)
{
    size_t j = st->at;

    while (j < st->count && st->ours[j].id != id) {
        j++;
    }
    canon(r, text);
    if (j == st->count) {
        if (st->differ++ < CMP_SHOWN) {
            (void)printf("DIFFERENT: %s: record %" PRIu64 ": not read by our decoder\n", path, id);
        }
        return;
    }
    st->at = j + 1;
    if (st->ours[j].len == text->len && memcmp(st->ours[j].text, text->data, text->len) == 0) {
        st->equal++;
    } else if (st->differ++ < CMP_SHOWN) {
        (void)printf("DIFFERENT: %s: record %" PRIu64 ":\n--- libevtx\n%s--- ours\n%s", path, id,
                     text->data, st->ours[j].text);
    }
}

static int compare_file(const char *path, size_t *equal, size_t *differ)
{
    struct cmp_state st = { NULL, 0, 0, 0, 0 };
    struct ours_rec *ours = NULL;
    struct evtx_lib *lib = NULL;
    struct evtx_xml *x = evtx_xml_new();
    struct sho_buf text;
    struct winrec r;
    int records = 0, recovered = 0, i;
    size_t k;

    st.count = read_ours(path, &ours);
    st.ours = ours;
    sho_buf_init(&text, CMP_TEXT_LIMIT);
    winrec_init(&r);
    if (x != NULL && evtx_lib_open(path, &lib, NULL) == 0) {
        evtx_lib_counts(lib, &records, &recovered);
        for (i = 0; i < records; i++) {
            struct evtx_lib_meta meta;
            const char *xml = NULL;
            size_t len = 0;
            int64_t off;
            if (evtx_lib_record(lib, i, false, &off, &xml, &len, &meta, NULL) != 0 ||
                !meta.has_record_id || evtx_xml_parse(x, xml, len, &r, NULL) != 0) {
                continue; /* libevtx cannot read it: nothing to compare */
            }
            compare_one(path, &st, meta.record_id, &r, &text);
        }
        evtx_lib_close(lib);
    }
    (void)printf("%s: %zu records equal, %zu different, %zu read by our decoder\n", path, st.equal,
                 st.differ, st.count);
    *equal += st.equal;
    *differ += st.differ;
    for (k = 0; k < st.count; k++) {
        free(ours[k].text);
    }
    free(ours);
    winrec_release(&r);
    sho_buf_release(&text);
    evtx_xml_free(x);
    return st.differ == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    size_t equal = 0, differ = 0;
    int i, rc = 0;

    if (argc < 2) {
        (void)fputs("usage: winrec_compare FILE...\n", stderr);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        rc |= compare_file(argv[i], &equal, &differ);
    }
    (void)printf("winrecs: %d files, %zu records equal, %zu different\n", argc - 1, equal, differ);
    return rc;
}
