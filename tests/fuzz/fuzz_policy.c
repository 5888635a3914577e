/*
 * Fuzz target: the policy file (query/policy.c, docs/policy.md) read from
 * the input bytes through qp_read on an fmemopen stream, as qp_load reads
 * DATA/policy.conf. Contracts checked beyond sanitizer reports: a rejected
 * file says why in one line naming the file and the line number; an accepted
 * one has sane business hours (start before end, within the day), positive
 * burst thresholds and class names, and answers the questions the reports
 * ask (class of a path, handler, after hours, removable) without failing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "query_priv.h"

#define FUZZ_NAME "fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rejected(const struct sho_err *err)
{
    if (strncmp(err->path, FUZZ_NAME, sizeof(FUZZ_NAME)) != 0 ||
        (strncmp(err->msg, "line ", 5) != 0 && strncmp(err->msg, "cannot read", 11) != 0) ||
        strchr(err->msg, '\n') != NULL) {
        fuzz_fail("policy error without file, line or on several lines: '%s': %s", err->path,
                  err->msg);
    }
}

static void check_accepted(const struct qp_policy *p)
{
    static const char *const paths[] = { "\\\\FS01\\jinji\\mynumber\\a.xlsx", "E:\\x",
                                         "D:\\shares\\hr\\", "" };
    struct sho_tz tz;
    size_t i, j;

    if (p->work_start < 0 || p->work_end > 24 * 60 || p->work_start >= p->work_end ||
        p->mass_files == 0 || p->mass_minutes == 0) {
        fuzz_fail("policy accepted with hours %d-%d, burst %u in %u", p->work_start, p->work_end,
                  p->mass_files, p->mass_minutes);
    }
    for (i = 0; i < p->class_count; i++) {
        if (p->classes[i].name[0] == '\0') {
            fuzz_fail("policy accepted a class without a name");
        }
    }
    if (sho_tz_parse(p->timezone[0] != '\0' ? p->timezone : "UTC", &tz, NULL) != 0) {
        fuzz_fail("policy accepted zone '%s' that does not parse again", p->timezone);
    }
    for (i = 0; i < SHO_ARRAY_COUNT(paths); i++) {
        const char *cls = qp_class_of(p, paths[i]);
        if (cls != NULL) {
            (void)qp_is_handler(p, cls, "S-1-5-21-1", "CORP", "tanaka");
        }
        (void)qp_removable(p, paths[i]);
        for (j = 0; j < 3; j++) {
            (void)qp_after_hours(p, &tz, (uint64_t)133000000000000000ULL + j * 36000000000ULL);
        }
    }
    sho_tz_release(&tz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qp_policy p;
    struct sho_err err;
    FILE *f;

    if (size == 0) {
        return 0; /* fmemopen of 0 bytes fails with EINVAL */
    }
    f = fmemopen((void *)(uintptr_t)data, size, "r");
    if (f == NULL) {
        fuzz_fail("fmemopen of %zu bytes failed", size);
    }
    sho_err_clear(&err);
    qp_defaults(&p);
    if (qp_read(f, FUZZ_NAME, &p, &err) != 0) {
        check_rejected(&err);
    } else {
        check_accepted(&p);
    }
    qp_release(&p);
    (void)fclose(f);
    return 0;
}
