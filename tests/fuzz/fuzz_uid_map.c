/*
 * Fuzz target: the passwd-style uid map of `collect --uid-map`
 * (collector/uid_map.c), parsed from the input bytes as uid_map_load parses
 * a file. Contracts checked beyond sanitizer reports: a rejection names the
 * file, a byte offset inside the input and a line; an accepted map gives,
 * for the uid of the first well-formed line, the name on the first line
 * with that uid (getpwuid's rule), and NULL for a uid no line has.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "uid_map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rejected(const struct sho_err *err, size_t size)
{
    if (strcmp(err->path, "fuzz") != 0 || err->offset < 0 || (uint64_t)err->offset >= size ||
        strncmp(err->msg, "line ", 5) != 0) {
        fuzz_fail("uid map error without file, offset or line: '%s' %lld: %s", err->path,
                  (long long)err->offset, err->msg);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct uid_map *m = NULL;
    struct sho_err err;
    const char *name;

    sho_err_clear(&err);
    if (uid_map_parse((const char *)data, size, "fuzz", &m, &err) != 0) {
        check_rejected(&err, size);
        return 0;
    }
    /* The first line, when it reads "name:x:uid:..." with a short decimal uid. */
    {
        const char *s = (const char *)data;
        const char *c1 = memchr(s, ':', size);
        const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', size - (size_t)(c1 + 1 - s)) : NULL;
        const char *c3 = c2 != NULL ? memchr(c2 + 1, ':', size - (size_t)(c2 + 1 - s)) : NULL;
        const char *nl = memchr(s, '\n', size);
        uint64_t uid;
        if (c3 != NULL && (nl == NULL || c3 < nl) && c1 > s && s[0] != '#' &&
            memchr(s, '\0', (size_t)(c3 - s)) == NULL && c3 - c2 - 1 > 0 && c3 - c2 - 1 < 10 &&
            sho_parse_u64n(c2 + 1, (size_t)(c3 - c2 - 1), UINT32_MAX, 0, &uid) == 0) {
            name = uid_map_get(m, uid);
            if (name == NULL || strlen(name) != (size_t)(c1 - s) ||
                memcmp(name, s, (size_t)(c1 - s)) != 0) {
                fuzz_fail("uid %llu of the first line maps to '%s'", (unsigned long long)uid,
                          name != NULL ? name : "(none)");
            }
        }
    }
    uid_map_free(m);
    return 0;
}
