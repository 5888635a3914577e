/*
 * Fuzz target: a record's text (records/record_text.c), as `record list` and
 * the reports read it from a SOURCE frame's `detail`. The input is the text,
 * not NUL-terminated. Invariants checked (fuzz_fail, i.e. abort, when broken):
 *   - a text the parser accepts passes sho_record_check;
 *   - its canonical text (sho_record_text) parses back to the same
 *     canonical text and the same id, and the id is below 2^48;
 *   - the record's event has the kind as event id and the id as record id.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "shoseki/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_canonical(struct sho_record *r)
{
    struct sho_buf a, b;
    struct sho_record back;
    struct sho_event ev;
    char domain[SHO_RECORD_DOMAIN_MAX];

    sho_buf_init(&a, (size_t)1 << 20);
    sho_buf_init(&b, (size_t)1 << 20);
    if (sho_record_text(r, &a) != 0) {
        fuzz_fail("an accepted record has no text");
    }
    if (sho_record_parse(a.data, a.len, &back, NULL) != 0) {
        fuzz_fail("the canonical text does not parse: %.*s", (int)a.len, a.data);
    }
    if (sho_record_text(&back, &b) != 0 || a.len != b.len || memcmp(a.data, b.data, a.len) != 0 ||
        back.id != r->id || r->id >= SHO_RECORD_ID_MAX) {
        fuzz_fail("the canonical text does not come back the same");
    }
    sho_record_event(&back, "n", &ev, domain);
    if (ev.event_id != (uint32_t)back.kind || ev.record_id != back.id) {
        fuzz_fail("the event's ids are not the record's");
    }
    sho_record_release(&back);
    sho_buf_release(&a);
    sho_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sho_record r;
    struct sho_err err;

    if (size > SHO_RECORD_TEXT_MAX) {
        return 0;
    }
    if (sho_record_parse((const char *)data, size, &r, &err) == 0) {
        if (sho_record_check(&r, NULL) != 0) {
            fuzz_fail("an accepted record fails its check");
        }
        check_canonical(&r);
    }
    sho_record_release(&r);
    return 0;
}
