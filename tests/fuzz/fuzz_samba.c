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

#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const specs[] = { NULL, "%u|%I", "IP=%I | USER=%u | MACHINE=%m | VOLUME=%S",
                                     "%u|%I|%m|%S|%P", "%D\\%u|%L|%S" };

static int fuzz_event(void *vctx, const struct sho_event *ev, struct sho_err *err)
{
    struct fuzz_text *c = vctx;

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
    o.samba_prefix = specs[sel % SHO_ARRAY_COUNT(specs)];
    o.tz = (sel & 0x80) ? "+09:00" : NULL;
    o.flags = (sel & 0x40) ? SHO_COLLECT_ALL_EVENTS : 0;
    fuzz_text_begin(&c, &o, data, size, fuzz_event);
    lines = text_lines_new_mem(c.data, c.size);
    if (textsrc_read_samba(&c.f, lines, &err) != 0) {
        fuzz_fail("textsrc_read_samba failed with a sink that never fails");
    }
    text_lines_free(lines);
    fuzz_text_end(&c);
    return 0;
}
