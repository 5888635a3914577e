/*
 * shoseki-bench: tools of the benchmarks (not installed). `gen` writes an
 * archive of generated file-access events; `query` measures search latency
 * in-process against the index built from it.
 */
#include <stdio.h>
#include <string.h>

#include "bench_tool.h"
#include "shoseki/archive.h"

int main(int argc, char **argv)
{
    sho_archive_sqlite_setup(); /* as the shoseki program does */
    if (argc >= 2 && strcmp(argv[1], "gen") == 0) {
        return bench_gen(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "query") == 0) {
        return bench_query(argc - 1, argv + 1);
    }
    (void)fprintf(stderr, "usage: shoseki-bench gen|query ARGS\n");
    return 2;
}
