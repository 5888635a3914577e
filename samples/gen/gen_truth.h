#ifndef SHOSEKI_GEN_TRUTH_H
#define SHOSEKI_GEN_TRUTH_H

/*
 * gen_truth (samples/gen): the ground truth of a generated run: every access
 * as it happened, and the views the queries must reproduce (per person, per
 * file, deletions, removable-media writes, failures, after-hours accesses).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "shoseki/common.h"

struct truth;

struct truth *truth_new(void);
void truth_free(struct truth *t);

/* Record one access; strings are copied. `how` names the scenario ("work", "usb", ...). */
void truth_add(struct truth *t, const char *sid, const char *user, const char *path,
               const char *action, bool failure, uint64_t time, const char *host, const char *how);

/* Write the members "accesses", "by_person", "by_file", "deletions", "removable_writes",
   "failures" and "after_hours" (no surrounding braces). Returns 0 or SHO_EIO. */
SHO_NODISCARD int truth_write(struct truth *t, FILE *f);

#endif /* SHOSEKI_GEN_TRUTH_H */
