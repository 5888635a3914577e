/*
 * index_path: how paths are compared. Windows compares file names without
 * regard to case and logs the same file in several spellings (a drive path
 * from 4663, a UNC path from 5145, `\\?\` long-path forms, `/` from some
 * tools). The index keeps each path as logged and matches on a normalized
 * form; this file defines that form and the hash the index stores it under.
 */
#include <stdbool.h>
#include <string.h>

#include "index_priv.h"

static char path_fold(char c)
{
    static const char lower[] = "abcdefghijklmnopqrstuvwxyz";

    if (c >= 'A' && c <= 'Z') {
        return lower[c - 'A'];
    }
    if (c == '/') {
        return '\\';
    }
    return c;
}

/* Put `c` at out[n] when it fits; the length counts on regardless. */
static void path_put(char *out, size_t out_len, size_t n, char c)
{
    if (n + 1 < out_len) {
        out[n] = c;
    }
}

static bool path_sep(char c)
{
    return c == '\\' || c == '/';
}

static bool path_ci(const char *p, const char *lower)
{
    for (; *lower != '\0'; p++, lower++) {
        if (path_fold(*p) != *lower) {
            return false;
        }
    }
    return true;
}

size_t sho_index_path_norm(const char *path, char *out, size_t out_len)
{
    const char *p = path;
    size_t n = 0;
    char prev = '\0';
    bool drive = false; /* the result's second byte is ':' (read here, not from `out`: it may
                           be too small to hold it, and the length must not depend on that) */

    if (path_sep(p[0]) && (path_sep(p[1]) || p[1] == '?') && (p[2] == '?' || p[2] == '.') &&
        path_sep(p[3])) {
        /* \\?\UNC\server\share -> \\server\share; \\?\C:\x and \??\C:\x -> c:\x */
        p += 4;
        if (path_ci(p, "unc") && path_sep(p[3])) {
            path_put(out, out_len, n++, '\\');
            path_put(out, out_len, n++, '\\');
            prev = '\\';
            p += 4;
        }
    } else if (path_sep(p[0]) && path_sep(p[1])) {
        path_put(out, out_len, n++, '\\');
        path_put(out, out_len, n++, '\\');
        prev = '\\';
        p += 2;
    }
    for (; *p != '\0'; p++) {
        char c = path_fold(*p);
        if (c == '\\' && prev == '\\') {
            continue; /* repeated separator */
        }
        drive = drive || (n == 1 && c == ':');
        path_put(out, out_len, n++, c);
        prev = c;
    }
    /* a trailing separator names the same folder (but "\\" and "c:\" stay) */
    if (prev == '\\' && n > 2 && !(n == 3 && drive)) {
        n--;
    }
    if (out_len > 0) {
        out[n < out_len ? n : out_len - 1] = '\0';
    }
    return n;
}

size_t ix_text_fold(const char *text, char *out, size_t out_len)
{
    size_t n = 0;

    for (; *text != '\0'; text++) {
        path_put(out, out_len, n++, path_fold(*text));
    }
    if (out_len > 0) {
        out[n < out_len ? n : out_len - 1] = '\0';
    }
    return n;
}

uint64_t ix_hash(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0xC2B2AE3D27D4EB4FULL);
    uint64_t w;

    while (len >= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
        p += 8;
        len -= 8;
    }
    w = 0;
    memcpy(&w, p, len);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 29;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 32;
    return h;
}
