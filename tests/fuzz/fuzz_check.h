#ifndef SHOSEKI_FUZZ_CHECK_H
#define SHOSEKI_FUZZ_CHECK_H

/*
 * fuzz_check (tests/fuzz only): how a fuzz target reports a broken invariant.
 * It prints what was expected and what happened on stderr, then abort()s, so
 * libFuzzer keeps the input as a crash and replay_main's ctest test fails
 * with a message naming the contract, not just "Subprocess aborted".
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "shoseki/common.h"

static _Noreturn void fuzz_fail(const char *fmt, ...) SHO_PRINTF(1, 2);

static _Noreturn void fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    (void)fputs("fuzz: invariant broken: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
    abort();
}

#endif /* SHOSEKI_FUZZ_CHECK_H */
