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

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_event(void *vctx, const struct sho_event *ev, struct sho_err *err)
{
    struct fuzz_text *c = vctx;
    int64_t off = ev->source_offset;

    (void)err;
    if (off < 0 || (uint64_t)off + 6 > c->size || memcmp(c->data + off, "<Event", 6) != 0) {
        fuzz_fail("xml event offset %lld is not an <Event", (long long)off);
    }
    fuzz_text_json(c, ev);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_text c;
    struct sho_textsrc_opts o;
    struct text_lines *lines;
    struct sho_err err;
    unsigned sel = size > 0 ? data[0] : 0;

    memset(&o, 0, sizeof(o));
    o.flags = ((sel & 1) ? SHO_COLLECT_ALL_OBJECTS : 0) | ((sel & 2) ? SHO_COLLECT_ALL_EVENTS : 0);
    fuzz_text_begin(&c, &o, data, size, fuzz_event);
    lines = text_lines_new_mem(c.data, c.size);
    if (textsrc_read_xml(&c.f, lines, &err) != 0) {
        fuzz_fail("textsrc_read_xml failed with a sink that never fails");
    }
    text_lines_free(lines);
    fuzz_text_end(&c);
    return 0;
}
