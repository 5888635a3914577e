/*
 * Fuzz target: our EVTX decoder (collector/evtx_decode.c, evtx_binxml.c and
 * the winrec and XML sinks). An input that starts with the file signature is
 * a whole file: it is written to a temporary file and read with two decoding
 * threads (the ring, the ordering, the slack candidates), and the first
 * records are also rendered as XML, as `shoseki cat` does. Any other input is
 * one chunk image, decoded by evtx_dec_chunk.
 * Checked contracts (evtx_decode.h): records come in file order, chained
 * records before recovered ones; every offset lies inside the file past its
 * header and a record's bytes fit in the file; a failure is SHO_ECORRUPT or
 * SHO_ELIMIT with a message; a decoded winrec's strings are NUL-terminated
 * inside its arena; a rendered record is empty or whole elements, one per line;
 * what a decoding thread prepared for normalization (norm_pack.c) equals what
 * the caller's thread prepares from the same record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evtx_decode.h"
#include "evtx_scan.h"
#include "fuzz_check.h"

#define FUZZ_RENDERED 3 /* records rendered as XML per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_winrec(const struct winrec *r)
{
    size_t i;

    for (i = 0; i < r->field_count; i++) {
        const char *n = winrec_str(r, r->fields[i].name);
        const char *v = winrec_str(r, r->fields[i].value);
        if (n == NULL || v == NULL || r->fields[i].name + strlen(n) >= r->arena.len ||
            r->fields[i].value + strlen(v) >= r->arena.len) {
            fuzz_fail("field %zu of %zu lies outside the winrec arena", i, r->field_count);
        }
    }
    if (r->provider != WINREC_NONE && winrec_str(r, r->provider) == NULL) {
        fuzz_fail("provider offset %u outside the arena", r->provider);
    }
}

static void check_rec(const struct evtx_dec_rec *rec, const struct winrec *r)
{
    if (rec->rc == 0) {
        if (r == NULL) {
            fuzz_fail("record %llu decoded without a winrec", (unsigned long long)rec->record_id);
        }
        check_winrec(r);
    } else if ((rec->rc != SHO_ECORRUPT && rec->rc != SHO_ELIMIT) || rec->err.msg[0] == '\0') {
        fuzz_fail("record failed with %d and message '%s'", rec->rc, rec->err.msg);
    }
}

/* The worker's prepared half against the same half done here, compared as JSON. */
static void check_prepared(struct normalizer *n, const struct winrec *r,
                           const struct norm_prepared *theirs)
{
    struct norm_prepared mine;
    struct sho_buf a, b;

    normalizer_prepare(n, r, &mine);
    sho_buf_init(&a, (size_t)64 << 20);
    sho_buf_init(&b, (size_t)64 << 20);
    if (sho_event_to_json(&mine.ev, 0, &a) != 0 || sho_event_to_json(&theirs->ev, 0, &b) != 0 ||
        a.len != b.len || memcmp(a.data, b.data, a.len) != 0 || mine.cls != theirs->cls ||
        mine.op != theirs->op || mine.server_security != theirs->server_security) {
        fuzz_fail("prepared on a decoding thread differs: %.*s", (int)b.len, b.data);
    }
    sho_buf_release(&a);
    sho_buf_release(&b);
}

static void on_chunk_rec(void *ctx, const struct evtx_dec_rec *rec, const struct winrec *r)
{
    (void)ctx;
    if (rec->offset < EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_HEADER_SIZE ||
        rec->offset >= EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE) {
        fuzz_fail("chunk record at offset %lld, outside its chunk", (long long)rec->offset);
    }
    check_rec(rec, r);
}

static void on_problem(void *ctx, int64_t offset, const char *what)
{
    const size_t *size = ctx;

    if (offset < 0 || (uint64_t)offset > *size + EVTX_CHUNK_SIZE * 65536ull || what[0] == '\0') {
        fuzz_fail("container problem at %lld: '%s'", (long long)offset, what);
    }
}

static void render_some(const char *path, const int64_t *offsets, size_t count)
{
    struct sho_buf xml;
    size_t i;

    sho_buf_init(&xml, (size_t)16 << 20);
    for (i = 0; i < count; i++) {
        sho_buf_reset(&xml);
        if (evtx_dec_render(path, offsets[i], &xml, NULL) == 0 && xml.len > 0 &&
            (xml.data[0] != '<' || xml.data[xml.len - 1] != '\n')) {
            fuzz_fail("record at %lld renders as '%.40s'", (long long)offsets[i],
                      xml.data != NULL ? xml.data : "");
        }
    }
    sho_buf_release(&xml);
}

static void fuzz_file(const char *path, size_t size)
{
    struct evtx_dec *d = NULL;
    struct evtx_dec_rec rec;
    struct evtx_dec_opts opts = { 2, true, NORMALIZE_ALL_EVENTS, on_problem, &size };
    const struct winrec *r = NULL;
    struct norm_prepared *prep = NULL;
    struct normalizer *n;
    int64_t last = -1, rendered[FUZZ_RENDERED];
    size_t render_count = 0;
    bool recovered = false;

    if (evtx_dec_open(path, &opts, &d, NULL) != 0) {
        return;
    }
    n = normalizer_new(NORMALIZE_ALL_EVENTS, 16);
    while (evtx_dec_next(d, &rec, &r, &prep) == 1) {
        if (rec.offset < EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_HEADER_SIZE ||
            (uint64_t)rec.offset + EVTX_RECORD_MIN_SIZE > size) {
            fuzz_fail("record at offset %lld of a %zu-byte file", (long long)rec.offset, size);
        }
        if (recovered && !rec.is_recovered) {
            fuzz_fail("chained record at %lld after a recovered one", (long long)rec.offset);
        }
        if (!rec.is_recovered && rec.offset <= last) {
            fuzz_fail("record at %lld after one at %lld", (long long)rec.offset, (long long)last);
        }
        recovered = rec.is_recovered;
        last = rec.is_recovered ? last : rec.offset;
        check_rec(&rec, r);
        if (rec.rc == 0 && prep != NULL) {
            check_prepared(n, r, prep);
            (void)normalizer_finish(n, prep);
        }
        if (rec.rc == 0 && render_count < FUZZ_RENDERED) {
            rendered[render_count++] = rec.offset;
        }
    }
    normalizer_free(n);
    evtx_dec_close(d);
    render_some(path, rendered, render_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t magic[8] = { 'E', 'l', 'f', 'F', 'i', 'l', 'e', 0 };
    char path[] = "/tmp/shoseki-fuzz-decode-XXXXXX";
    int fd;

    if (size < sizeof(magic) || memcmp(data, magic, sizeof(magic)) != 0) {
        (void)evtx_dec_chunk(data, size, on_chunk_rec, NULL);
        return 0;
    }
    fd = mkstemp(path);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, data, size) == (ssize_t)size) {
        fuzz_file(path, size);
    }
    (void)close(fd);
    (void)unlink(path);
    return 0;
}
