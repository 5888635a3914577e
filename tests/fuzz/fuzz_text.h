#ifndef SHOSEKI_FUZZ_TEXT_H
#define SHOSEKI_FUZZ_TEXT_H

/*
 * fuzz_text (tests/fuzz only): what the text-source targets (Samba, XML
 * exports, CSV) share: a reader made from fixed options, the file state a
 * textsrc_read_* function takes, a sink whose problems must carry a place and
 * a message, and the check that an event renders as one well-formed JSON
 * object. The input's first byte is the target's option selector; the rest
 * is the file (c->data, c->size).
 */

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "json_check.h"
#include "textsrc.h"

struct fuzz_text {
    const uint8_t *data; /* the file: the input after its selector byte */
    size_t size;
    struct sho_buf json; /* an event's rendering */
    struct sho_collect_sink sink;
    struct sho_collect_stats st;
    struct textsrc_file f;
    struct sho_textsrc *t; /* owned */
};

static inline void fuzz_text_problem(void *vctx, const struct sho_err *problem)
{
    (void)vctx;
    if (problem->offset < 0 || problem->msg[0] == '\0') {
        fuzz_fail("problem without a place or a message");
    }
}

/* Fail unless `ev` renders as one JSON object. */
static inline void fuzz_text_json(struct fuzz_text *c, const struct sho_event *ev)
{
    sho_buf_reset(&c->json);
    if (sho_event_to_json(ev, 0, &c->json) == 0 && !json_check(c->json.data, c->json.len)) {
        fuzz_fail("event renders as bad JSON: %.200s", c->json.data);
    }
}

/* Set up `c` for the input `data`/`size` read with options `o` and event callback `event`. */
static inline void fuzz_text_begin(struct fuzz_text *c, const struct sho_textsrc_opts *o,
                                   const uint8_t *data, size_t size,
                                   int (*event)(void *, const struct sho_event *, struct sho_err *))
{
    struct sho_err err;

    memset(c, 0, sizeof(*c));
    if (sho_textsrc_new(o, &c->t, &err) != 0) {
        fuzz_fail("sho_textsrc_new refused fixed options: %s", err.msg);
    }
    c->data = data + (size > 0);
    c->size = size - (size > 0);
    sho_buf_init(&c->json, (size_t)1 << 25);
    c->sink.event = event;
    c->sink.problem = fuzz_text_problem;
    c->sink.ctx = c;
    c->f.t = c->t;
    c->f.path = "fuzz";
    c->f.sink = &c->sink;
    c->f.st = &c->st;
    c->f.mtime = 1700000000;
}

static inline void fuzz_text_end(struct fuzz_text *c)
{
    sho_textsrc_free(c->t);
    sho_buf_release(&c->json);
}

#endif /* SHOSEKI_FUZZ_TEXT_H */
