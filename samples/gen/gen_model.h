#ifndef SHOSEKI_GEN_MODEL_H
#define SHOSEKI_GEN_MODEL_H

/*
 * gen_model (samples/gen): the simulated company (persons, file servers,
 * shares and files), its activity over some days with the built-in scenarios,
 * and the ground truth. gen_run writes the logs and truth.json.
 */

#include <stdbool.h>
#include <stdint.h>

#include "shoseki/common.h"

#define GEN_MAX_PERSONS 64
#define GEN_MAX_FILES   4096
#define GEN_MAX_HOSTS   8

struct gen_params {
    uint64_t seed;           /* same seed, same bytes */
    unsigned persons;        /* 5..GEN_MAX_PERSONS */
    unsigned files;          /* 8..GEN_MAX_FILES */
    unsigned hosts;          /* file servers, 1..GEN_MAX_HOSTS */
    unsigned days;           /* at least 2 */
    unsigned events_per_day; /* ordinary accesses per day */
    uint64_t start;          /* FILETIME of the first day, 00:00 JST */
    bool no_truth;           /* skip truth.json (benchmarks) */
    const char *auditd_path; /* also write the accesses as an auditd log (NULL: no) */
    const char *samba_path;  /* also write them as Samba full_audit lines (NULL: no) */
};

void gen_params_default(struct gen_params *p);

/* Generate everything into directory `dir`. Returns 0 or a SHO_E* code with err set. */
SHO_NODISCARD int gen_run(const struct gen_params *p, const char *dir, struct sho_err *err);

#endif /* SHOSEKI_GEN_MODEL_H */
