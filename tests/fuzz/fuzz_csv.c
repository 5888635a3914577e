/*
 * Fuzz target: a CSV export -> textsrc_read_csv -> events. The first input
 * byte picks a map (a NAS-style map with header names, words and a pattern;
 * no map, so only a Get-WinEvent header is read, through the Message labels
 * and the EVTX normalization; a headerless semicolon map with epoch times and
 * skipped lines) and a zone; the rest is the file, UTF-8 or UTF-16LE.
 * Contracts checked beyond sanitizer reports: every event has a time, a
 * source offset inside the input that starts a line (after a line end or a
 * byte-order mark), and renders as one well-formed JSON object; problems
 * carry a place and a message; the reader never fails with a sink that never
 * fails, except for a map that does not fit the header (SHO_EINVAL).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_map.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const maps[] = {
    "[columns]\ntime = Date Time\nuser = User\nclient_ip = IP Address\naction = Event\n"
    "path = File/Folder\noutcome = Result\nrecord_id = N\n[time]\nformat = %Y/%m/%d %H:%M:%S\n"
    "format = %m/%d/%Y %I:%M:%S.%f %p %z\n[actions]\nRead = read\nWrite = write create\n"
    "Login = ignore\n[outcomes]\nSuccess = success\nFailed = failure\n[constants]\nhost = nas\n",
    NULL,
    "[csv]\nheader = no\ndelimiter = ;\nskip-lines = 1\n[columns]\ntime = 1\nuser = 2\n"
    "action = 3\npath = 4\nevent_id = 5\nmessage = 6\nprovider = 7\n[time]\nformat = epoch\n"
    "format = filetime\nformat = iso8601\n",
};

static bool fuzz_line_start(const struct fuzz_text *c, int64_t off)
{
    const uint8_t *d = c->data;

    if (off < 0 || (uint64_t)off >= c->size) {
        return false;
    }
    return off == 0 || d[off - 1] == '\n' || (off >= 2 && d[off - 2] == '\n' && d[off - 1] == 0) ||
           (off == 2 && d[0] == 0xFF && d[1] == 0xFE) || (off == 3 && d[0] == 0xEF);
}

static int fuzz_event(void *vctx, const struct sho_event *ev, struct sho_err *err)
{
    struct fuzz_text *c = vctx;

    (void)err;
    if (!(ev->has & SHO_HAS_TIME) || !(ev->has & SHO_HAS_SOURCE_OFFSET)) {
        fuzz_fail("csv event without time or source offset");
    }
    if (!fuzz_line_start(c, ev->source_offset)) {
        fuzz_fail("csv event offset %lld is not the start of a line", (long long)ev->source_offset);
    }
    fuzz_text_json(c, ev);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_text c;
    struct sho_textsrc_opts o;
    struct sho_err err;
    unsigned sel = size > 0 ? data[0] : 0;
    const char *map = maps[sel % SHO_ARRAY_COUNT(maps)];
    int rc;

    memset(&o, 0, sizeof(o));
    o.tz = (sel & 0x80) ? "Asia/Tokyo" : NULL;
    o.flags = (sel & 0x40) ? SHO_COLLECT_ALL_EVENTS : 0;
    fuzz_text_begin(&c, &o, data, size, fuzz_event);
    if (map != NULL && csv_map_parse(map, strlen(map), "fuzz.map", &c.t->csv, &err) != 0) {
        fuzz_fail("a fixed map was refused: %s", err.msg);
    }
    sho_err_clear(&err);
    rc = textsrc_read_csv(&c.f, -1, c.data, c.size, &err);
    if (rc != 0 && rc != SHO_EINVAL) {
        fuzz_fail("textsrc_read_csv failed (%d) with a sink that never fails", rc);
    }
    if (rc == SHO_EINVAL && err.msg[0] == '\0') {
        fuzz_fail("textsrc_read_csv refused the file without saying why");
    }
    fuzz_text_end(&c);
    return 0;
}
