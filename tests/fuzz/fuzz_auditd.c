/*
 * Fuzz target: audit.log text -> text_lines -> auditd_line/auditd_finish ->
 * events, with a pending table of 4 so that overflow, late records and the
 * completed-serial window are reached. Contracts checked beyond sanitizer
 * reports: every event has a time, the SYSCALL event id, a record id, a
 * source offset inside the input that starts a line, and renders as one
 * well-formed JSON object; the stats add up (events emitted = events seen,
 * records never exceed lines). Everything is created and freed per input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditd.h"
#include "fuzz_check.h"
#include "json_check.h"
#include "text_lines.h"

#define FUZZ_PENDING 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ctx {
    const uint8_t *data;
    size_t size;
    uint64_t events;
    struct sho_buf json;
};

static int fuzz_event(void *vctx, const struct sho_event *ev, struct sho_err *err)
{
    struct fuzz_ctx *c = vctx;

    (void)err;
    c->events++;
    if (!(ev->has & SHO_HAS_TIME) || !(ev->has & SHO_HAS_RECORD_ID) || ev->event_id != 1300) {
        fuzz_fail("auditd event without time, record id or event id 1300");
    }
    if (ev->source_offset < 0 || (uint64_t)ev->source_offset >= c->size ||
        (ev->source_offset > 0 && c->data[ev->source_offset - 1] != '\n')) {
        fuzz_fail("auditd event offset %lld is not the start of a line",
                  (long long)ev->source_offset);
    }
    sho_buf_reset(&c->json);
    if (sho_event_to_json(ev, 0, &c->json) == 0 && !json_check(c->json.data, c->json.len)) {
        fuzz_fail("auditd event renders as bad JSON: %.200s", c->json.data);
    }
    return 0;
}

static void fuzz_problem(void *vctx, enum auditd_problem kind, int64_t offset, uint64_t line,
                         const char *msg)
{
    (void)vctx;
    if (kind > AUDITD_GAP || offset < 0 || line == 0 || msg[0] == '\0') {
        fuzz_fail("auditd problem without a place or a message");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_ctx c;
    struct auditd_opts o;
    struct auditd_sink sink = { fuzz_event, fuzz_problem, NULL };
    struct text_lines *lines = text_lines_new_mem(data, size);
    struct text_line l;
    struct sho_err err;
    struct auditd *a;
    uint64_t count = 0;

    memset(&c, 0, sizeof(c));
    c.data = data;
    c.size = size;
    sho_buf_init(&c.json, (size_t)1 << 24);
    sink.ctx = &c;
    memset(&o, 0, sizeof(o));
    o.pending_max = FUZZ_PENDING;
    o.is_all_events = size > 0 && (data[0] & 1);
    a = auditd_new(&o, &sink);
    while (text_lines_next(lines, &l, &err) == 1) {
        count++;
        if (!l.is_too_long && !l.has_nul &&
            auditd_line(a, l.text, l.len, l.offset, l.number, &err) != 0) {
            fuzz_fail("auditd_line failed with a sink that never fails");
        }
    }
    if (auditd_finish(a, &err) != 0) {
        fuzz_fail("auditd_finish failed with a sink that never fails");
    }
    if (auditd_stats(a)->events != c.events || auditd_stats(a)->records > count) {
        fuzz_fail("auditd stats do not add up");
    }
    auditd_free(a);
    text_lines_free(lines);
    sho_buf_release(&c.json);
    return 0;
}
