#ifndef SHOSEKI_BENCH_TOOL_H
#define SHOSEKI_BENCH_TOOL_H

/* shoseki-bench: the index benchmark's workload generator and latency meter. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/archive.h"
#include "shoseki/indexer.h"

/* The workload model shared by gen and query: file f's path, person p's name. */
void bench_path(uint64_t hosts, uint64_t f, bool unc, char *out, size_t len);
void bench_user(uint64_t p, char *out, size_t len);

int bench_gen(int argc, char **argv);
int bench_query(int argc, char **argv);

#endif /* SHOSEKI_BENCH_TOOL_H */
