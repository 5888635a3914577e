/*
 * Fuzz target: one event's XML (as libevtx renders it, or as wevtutil exports
 * it) through the XML reader, the normalizer with every record kept, and the
 * JSON renderer. Any crash, leak or sanitizer report is a bug.
 */
#include <stddef.h>
#include <stdint.h>

#include "evtx_xml.h"
#include "normalize.h"
#include "shoseki/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct evtx_xml *x = evtx_xml_new();
    struct normalizer *n = normalizer_new(NORMALIZE_ALL_EVENTS | NORMALIZE_ALL_OBJECTS, 16);
    struct winrec r;
    struct sho_event ev;
    struct sho_buf out;

    winrec_init(&r);
    sho_buf_init(&out, (size_t)1 << 24);
    /* Twice: the second record sees the handle table the first one filled. */
    if (x != NULL && evtx_xml_parse(x, (const char *)data, size, &r, NULL) == 0 &&
        normalizer_run(n, &r, &ev) == 1 && sho_event_to_json(&ev, 0, &out) == 0 &&
        evtx_xml_parse(x, (const char *)data, size, &r, NULL) == 0 &&
        normalizer_run(n, &r, &ev) == 1) {
        (void)sho_event_to_json(&ev, SHO_WRITER_REF, &out);
    }
    sho_buf_release(&out);
    winrec_release(&r);
    normalizer_free(n);
    evtx_xml_free(x);
    return 0;
}
