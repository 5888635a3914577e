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
#include "fuzz_check.h"
#include "textsrc.h"

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

static void fuzz_problem(void *ctx, const struct sho_err *problem)
{
    (void)ctx;
    if (problem->offset < 0 || problem->msg[0] == '\0') {
        fuzz_fail("problem without a place or a message");
    }
}

static void fuzz_read(struct csv_map *m)
{
    struct sho_collect_sink sink = { fuzz_event, fuzz_problem, NULL };
    struct sho_textsrc_opts o;
    struct sho_textsrc *t = NULL;
    struct sho_collect_stats st;
    struct textsrc_file f;
    struct sho_err err;
    int rc;

    memset(&o, 0, sizeof(o));
    if (sho_textsrc_new(&o, &t, &err) != 0) {
        fuzz_fail("sho_textsrc_new refused fixed options: %s", err.msg);
    }
    t->csv = m;
    memset(&st, 0, sizeof(st));
    memset(&f, 0, sizeof(f));
    f.t = t;
    f.path = "fuzz.csv";
    f.sink = &sink;
    f.st = &st;
    rc = textsrc_read_csv(&f, -1, csv, sizeof(csv) - 1, &err);
    if (rc != 0 && (rc != SHO_EINVAL || strstr(err.msg, "is not in the header") == NULL)) {
        fuzz_fail("reading with an accepted map failed: %d %s", rc, err.msg);
    }
    sho_textsrc_free(t); /* frees the map */
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
