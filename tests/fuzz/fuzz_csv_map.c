/*
 * Fuzz target: a --csv-map file -> csv_map_parse, and when it is accepted, a
 * small fixed CSV export read with it (so the accepted map's columns, time
 * formats, words and constants are all used). Contracts beyond sanitizer
 * reports: a refused map says why and where (its path, "line N:" or the
 * missing time column); an accepted map has a time column and at least one
 * time format; reading with it never fails but for a column the header lacks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_map.h"
#include "fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char csv[] = "Date Time,User,Event,Path,Result,N\r\n"
                          "2025/01/15 09:00:01,CORP\\tanaka,Read,/a,Success,1\r\n"
                          "1736899200,sato,Write,\"/b\r\nc\",Failed,x\r\n"
                          "2025-01-15T09:00:01+09:00;x;Login;/c;ok;2\r\n";

static int fuzz_event(void *ctx, const struct sho_event *ev, struct sho_err *err)
{
    (void)ctx;
    (void)err;
    if (!(ev->has & SHO_HAS_TIME)) {
        fuzz_fail("event without a time");
    }
    return 0;
}

/* Read the fixed export with accepted map `m` (owned from here). */
static void fuzz_read(struct csv_map *m)
{
    struct sho_textsrc_opts o;
    struct fuzz_text c;
    struct sho_err err;
    int rc;

    memset(&o, 0, sizeof(o));
    fuzz_text_begin(&c, &o, (const uint8_t *)"", 0, fuzz_event);
    c.t->csv = m;
    rc = textsrc_read_csv(&c.f, -1, csv, sizeof(csv) - 1, &err);
    if (rc != 0 && (rc != SHO_EINVAL || strstr(err.msg, "is not in the header") == NULL)) {
        fuzz_fail("reading with an accepted map failed: %d %s", rc, err.msg);
    }
    fuzz_text_end(&c); /* frees the map */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_map *m = NULL;
    struct sho_err err;
    int rc;

    sho_err_clear(&err);
    rc = csv_map_parse((const char *)data, size, "fuzz.map", &m, &err);
    if (rc != 0) {
        if (rc != SHO_EINVAL || strcmp(err.path, "fuzz.map") != 0 ||
            (strncmp(err.msg, "line ", 5) != 0 && strncmp(err.msg, "no time column", 14) != 0)) {
            fuzz_fail("a refused map names no place: %d '%s'", rc, err.msg);
        }
        return 0;
    }
    if (m->col[CSV_F_TIME].line == 0 || m->time_count == 0) {
        fuzz_fail("an accepted map without a time column or format");
    }
    fuzz_read(m);
    return 0;
}
