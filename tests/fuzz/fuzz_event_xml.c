/*
 * Fuzz target: one event's XML (as libevtx renders it, or as wevtutil exports
 * it) -> evtx_xml_parse -> normalizer_run with every record and object kept
 * -> the renderers. This is the path every record of every log takes after
 * the container walk. Beyond crashes, leaks and sanitizer reports, it checks
 * three contracts: a failed parse says why (err filled with the code it
 * returned), every rendering by sho_event_to_json is one well-formed JSON
 * object (json_check.h), and CSV output quotes every field it must (its
 * double quotes pair up). Everything is created and freed per input, so a
 * crash replays from its input alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_xml.h"
#include "fuzz_check.h"
#include "json_check.h"
#include "normalize.h"
#include "shoseki/event.h"

#define FUZZ_HANDLES    16                /* small, so eviction is reached too */
#define FUZZ_JSON_LIMIT ((size_t)1 << 25) /* above any event built from a 16 MiB arena */
#define FUZZ_REF        "7:42"            /* a reference, to render the `ref` key */
#define FUZZ_RUNS       2                 /* records parsed per input */
#define FUZZ_FLAGS      (SHO_WRITER_REF | SHO_WRITER_EXCEL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A parse that fails must return a documented code and say why in err. */
static void check_parse_result(int rc, const struct sho_err *err)
{
    if (rc == 0) {
        return;
    }
    if ((rc != SHO_ECORRUPT && rc != SHO_ELIMIT) || err->code != rc || err->msg[0] == '\0' ||
        memchr(err->msg, '\0', sizeof(err->msg)) == NULL) {
        fuzz_fail("evtx_xml_parse returned %d with err code %d and message '%.80s'", rc, err->code,
                  err->msg);
    }
}

static void render_json(const struct sho_event *ev)
{
    struct sho_event with_ref = *ev;
    struct sho_buf b;
    int rc;

    with_ref.ref = FUZZ_REF;
    sho_buf_init(&b, FUZZ_JSON_LIMIT);
    rc = sho_event_to_json(ev, 0, &b);
    if (rc == 0 && !json_check(b.data, b.len)) {
        fuzz_fail("sho_event_to_json wrote something that is not JSON: %s", b.data);
    }
    sho_buf_reset(&b);
    rc = sho_event_to_json(&with_ref, SHO_WRITER_REF, &b);
    if (rc == 0 && !json_check(b.data, b.len)) {
        fuzz_fail("sho_event_to_json with a ref wrote something that is not JSON: %s", b.data);
    }
    sho_buf_release(&b);
}

/* Every field with a quote in it is quoted and its quotes doubled: the count is even. */
static void check_csv_quotes(const char *text, size_t len)
{
    size_t i, quotes = 0;

    for (i = 0; i < len; i++) {
        quotes += text[i] == '"';
    }
    if (quotes % 2 != 0) {
        fuzz_fail("CSV output has an odd number of double quotes: %.*s", (int)len, text);
    }
}

/* CSV and the table through the writer, into memory. */
static void render_writer(const struct sho_event *ev, enum sho_event_format format)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct sho_event_writer *w;
    int rc;

    if (out == NULL) {
        return;
    }
    w = sho_event_writer_new(out, format, FUZZ_FLAGS);
    rc = sho_event_writer_put(w, ev, NULL);
    if (rc == 0) {
        rc = sho_event_writer_finish(w, NULL);
    }
    sho_event_writer_free(w);
    if (fclose(out) == 0 && rc == 0 && format == SHO_FORMAT_CSV) {
        check_csv_quotes(text, len);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct evtx_xml *x = evtx_xml_new();
    struct normalizer *n =
        normalizer_new(NORMALIZE_ALL_EVENTS | NORMALIZE_ALL_OBJECTS, FUZZ_HANDLES);
    struct winrec r;
    int run;

    winrec_init(&r);
    /* The same record twice: the second sees the handle table the first one filled. */
    for (run = 0; run < FUZZ_RUNS; run++) {
        struct sho_event ev;
        struct sho_err err;
        int rc;

        sho_err_clear(&err);
        rc = evtx_xml_parse(x, (const char *)data, size, &r, &err);
        check_parse_result(rc, &err);
        if (rc != 0) {
            break;
        }
        if (normalizer_run(n, &r, &ev) == 1) {
            render_json(&ev);
            render_writer(&ev, run == 0 ? SHO_FORMAT_CSV : SHO_FORMAT_TABLE);
        }
    }
    winrec_release(&r);
    normalizer_free(n);
    evtx_xml_free(x);
    return 0;
}
