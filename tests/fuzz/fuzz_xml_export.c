/*
 * Fuzz target: a Windows XML export (wevtutil qe /f:xml without a root, or
 * Event Viewer's <Events> document) -> textsrc_read_xml -> events. The first
 * input byte picks the flags (every object, every event); the rest is the
 * file. Contracts checked beyond sanitizer reports: every event's source
 * offset points at an "<Event" of the input, every event renders as one
 * well-formed JSON object, problems carry a place and a message, and the
 * reader never fails with a sink that never fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "json_check.h"
#include "textsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
    const uint8_t *data;
    size_t size;
    struct sho_buf json;
};

static int fuzz_event(void *vctx, const struct sho_event *ev, struct sho_err *err)
{
    struct fuzz_ctx *c = vctx;
    int64_t off = ev->source_offset;

    (void)err;
    if (off < 0 || (uint64_t)off + 6 > c->size || memcmp(c->data + off, "<Event", 6) != 0) {
        fuzz_fail("xml event offset %lld is not an <Event", (long long)off);
    }
    sho_buf_reset(&c->json);
    if (sho_event_to_json(ev, 0, &c->json) == 0 && !json_check(c->json.data, c->json.len)) {
        fuzz_fail("xml event renders as bad JSON: %.200s", c->json.data);
    }
    return 0;
}

static void fuzz_problem(void *vctx, const struct sho_err *problem)
{
    (void)vctx;
    if (problem->offset < 0 || problem->msg[0] == '\0') {
        fuzz_fail("xml problem without a place or a message");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_ctx c;
    struct sho_collect_sink sink = { fuzz_event, fuzz_problem, NULL };
    struct sho_textsrc_opts o;
    struct sho_textsrc *t = NULL;
    struct sho_collect_stats st;
    struct textsrc_file f;
    struct text_lines *lines;
    struct sho_err err;
    unsigned sel = size > 0 ? data[0] : 0;

    memset(&o, 0, sizeof(o));
    o.flags = ((sel & 1) ? SHO_COLLECT_ALL_OBJECTS : 0) | ((sel & 2) ? SHO_COLLECT_ALL_EVENTS : 0);
    if (sho_textsrc_new(&o, &t, &err) != 0) {
        fuzz_fail("sho_textsrc_new refused fixed options: %s", err.msg);
    }
    data += size > 0;
    size -= size > 0;
    memset(&c, 0, sizeof(c));
    c.data = data;
    c.size = size;
    sho_buf_init(&c.json, (size_t)1 << 25);
    sink.ctx = &c;
    memset(&st, 0, sizeof(st));
    memset(&f, 0, sizeof(f));
    f.t = t;
    f.path = "fuzz.xml";
    f.sink = &sink;
    f.st = &st;
    lines = text_lines_new_mem(data, size);
    if (textsrc_read_xml(&f, lines, &err) != 0) {
        fuzz_fail("textsrc_read_xml failed with a sink that never fails");
    }
    text_lines_free(lines);
    sho_textsrc_free(t);
    sho_buf_release(&c.json);
    return 0;
}
