/*
 * Fuzz target: the index's path normalizer (indexer/index_path.c:
 * sho_index_path_norm, and ix_text_fold for search text), on a
 * NUL-terminated copy of the input as paths reach it. Contracts checked
 * beyond sanitizer reports:
 *   - the returned length is the full length whatever the buffer size, and
 *     a smaller buffer holds a NUL-terminated prefix of the full result;
 *   - the result has no '/', no ASCII capital, no repeated '\' after its
 *     first two bytes, is never longer than the input, and ends in '\' only
 *     when it is "\\", "\" or a drive root such as "c:\";
 *   - folding keeps the length, and folding a normalized path changes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "index_priv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_form(const char *in, const char *norm, size_t n)
{
    size_t i;

    if (n > strlen(in)) {
        fuzz_fail("'%s' normalizes to the longer '%s'", in, norm);
    }
    for (i = 0; i < n; i++) {
        if (norm[i] == '/' || (norm[i] >= 'A' && norm[i] <= 'Z') ||
            (i >= 2 && norm[i] == '\\' && norm[i - 1] == '\\')) {
            fuzz_fail("'%s' normalizes to '%s' (byte %zu)", in, norm, i);
        }
    }
    if (n > 0 && norm[n - 1] == '\\' && !(n <= 2 || (n == 3 && norm[1] == ':'))) {
        fuzz_fail("'%s' normalizes to '%s' with a trailing separator", in, norm);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = sho_xstrndup((const char *)data, size);
    size_t len = strlen(in);
    char *full = sho_xmalloc(len + 1);
    char *fold = sho_xmalloc(len + 1);
    char small[8];
    size_t n = sho_index_path_norm(in, full, len + 1);
    size_t cut = size > 0 ? data[0] % sizeof(small) : 0;

    if (n > len || full[n] != '\0' || strlen(full) != n) {
        fuzz_fail("'%s' normalizes to %zu bytes, '%s'", in, n, full);
    }
    check_form(in, full, n);
    if (sho_index_path_norm(in, small, cut) != n ||
        (cut > 0 &&
         (strlen(small) != (n < cut ? n : cut - 1) || strncmp(small, full, strlen(small)) != 0))) {
        fuzz_fail("'%s' into %zu bytes is not a prefix of '%s'", in, cut, full);
    }
    if (ix_text_fold(in, fold, len + 1) != len) {
        fuzz_fail("folding '%s' changes its length", in);
    }
    if (ix_text_fold(full, fold, len + 1) != n || strcmp(fold, full) != 0) {
        fuzz_fail("folding normalized '%s' gives '%s'", full, fold);
    }
    free(fold);
    free(full);
    free(in);
    return 0;
}
