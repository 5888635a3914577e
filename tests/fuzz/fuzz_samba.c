/*
 * Fuzz target: Samba full_audit syslog text -> textsrc_read_samba -> events.
 * The first input byte picks a --samba-prefix spec and a zone (fixed offset
 * or none), the rest is the log. Contracts checked beyond sanitizer reports:
 * every event has a time and a record id below 2^53, a source offset that
 * starts a line of the input, renders as one well-formed JSON object, and a
 * UNC path it builds starts with two backslashes. Problems carry a place.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "json_check.h"
#include "textsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const specs[] = { NULL, "%u|%I", "IP=%I | USER=%u | MACHINE=%m | VOLUME=%S",
                                     "%u|%I|%m|%S|%P", "%D\\%u|%L|%S" };

struct fuzz_ctx {
    const uint8_t *data;
    size_t size;
    struct sho_buf json;
};

static int fuzz_event(void *vctx, const struct sho_event *ev, struct sho_err *err)
{
    struct fuzz_ctx *c = vctx;

    (void)err;
    if (!(ev->has & SHO_HAS_TIME) || ev->record_id >= ((uint64_t)1 << 53)) {
        fuzz_fail("samba event without time or with a record id past 2^53");
    }
    if (ev->source_offset < 0 || (uint64_t)ev->source_offset >= c->size ||
        (ev->source_offset > 0 && c->data[ev->source_offset - 1] != '\n')) {
        fuzz_fail("samba event offset %lld is not the start of a line",
                  (long long)ev->source_offset);
    }
    if (ev->share != NULL && ev->path != NULL && ev->path[0] == '\\' && ev->path[1] != '\\') {
        fuzz_fail("samba UNC path '%s' lacks its two backslashes", ev->path);
    }
    sho_buf_reset(&c->json);
    if (sho_event_to_json(ev, 0, &c->json) == 0 && !json_check(c->json.data, c->json.len)) {
        fuzz_fail("samba event renders as bad JSON: %.200s", c->json.data);
    }
    return 0;
}

static void fuzz_problem(void *vctx, const struct sho_err *problem)
{
    (void)vctx;
    if (problem->offset < 0 || problem->msg[0] == '\0') {
        fuzz_fail("samba problem without a place or a message");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_ctx c;
    struct sho_collect_sink sink = { fuzz_event, fuzz_problem, NULL, NULL };
    struct sho_textsrc_opts o;
    struct sho_textsrc *t = NULL;
    struct sho_collect_stats st;
    struct textsrc_file f;
    struct text_lines *lines;
    struct sho_err err;
    unsigned sel = size > 0 ? data[0] : 0;

    memset(&o, 0, sizeof(o));
    o.samba_prefix = specs[sel % SHO_ARRAY_COUNT(specs)];
    o.tz = (sel & 0x80) ? "+09:00" : NULL;
    o.flags = (sel & 0x40) ? SHO_COLLECT_ALL_EVENTS : 0;
    if (sho_textsrc_new(&o, &t, &err) != 0) {
        fuzz_fail("sho_textsrc_new refused a fixed spec: %s", err.msg);
    }
    data += size > 0;
    size -= size > 0;
    memset(&c, 0, sizeof(c));
    c.data = data;
    c.size = size;
    sho_buf_init(&c.json, (size_t)1 << 24);
    sink.ctx = &c;
    memset(&st, 0, sizeof(st));
    memset(&f, 0, sizeof(f));
    f.t = t;
    f.path = "fuzz";
    f.sink = &sink;
    f.st = &st;
    f.mtime = 1700000000;
    lines = text_lines_new_mem(data, size);
    if (textsrc_read_samba(&f, lines, &err) != 0) {
        fuzz_fail("textsrc_read_samba failed with a sink that never fails");
    }
    text_lines_free(lines);
    sho_textsrc_free(t);
    sho_buf_release(&c.json);
    return 0;
}
