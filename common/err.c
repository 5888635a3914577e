/*
 * err: filling and printing `struct sho_err`, the located one-line error every
 * fallible function reports through. Messages follow git's rules (lower-case
 * first word, no full stop); the location is printed as 'path':offset:.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shoseki/common.h"

/* A message is one line whatever it quotes (a path, a typed time, a log line): control
 * characters other than tab become '?'. */
static void err_one_line(char *s)
{
    for (; *s != '\0'; s++) {
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f) {
            *s = '?';
        }
    }
}

void sho_err_clear(struct sho_err *err)
{
    if (err == NULL) {
        return;
    }
    err->code = 0;
    err->path[0] = '\0';
    err->offset = -1;
    err->msg[0] = '\0';
}

int sho_err_set(struct sho_err *err, int code, const char *path, int64_t offset, const char *fmt,
                ...)
{
    va_list ap;

    if (err == NULL) {
        return code;
    }
    err->code = code;
    sho_str_copy(err->path, sizeof(err->path), path != NULL ? path : "");
    err->offset = offset;
    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err_one_line(err->msg);
    return code;
}

void sho_err_format(const struct sho_err *err, char *out, size_t out_len)
{
    const char *msg = err->msg[0] != '\0' ? err->msg : sho_err_name(err->code);

    if (out_len == 0) {
        return;
    }
    if (err->path[0] != '\0' && err->offset >= 0) {
        (void)snprintf(out, out_len, "'%s':%" PRId64 ": %s", err->path, err->offset, msg);
    } else if (err->path[0] != '\0') {
        (void)snprintf(out, out_len, "'%s': %s", err->path, msg);
    } else {
        (void)snprintf(out, out_len, "%s", msg);
    }
    err_one_line(out);
}

const char *sho_err_name(int code)
{
    switch (code) {
    case SHO_OK:
        return "no error";
    case SHO_EIO:
        return "input/output error";
    case SHO_ECORRUPT:
        return "corrupt input";
    case SHO_ENOMEM:
        return "out of memory";
    case SHO_EINVAL:
        return "invalid argument";
    case SHO_ELIMIT:
        return "limit exceeded";
    case SHO_ESQL:
        return "database error";
    case SHO_ETAMPER:
        return "verification failed";
    default:
        return "unknown error";
    }
}
