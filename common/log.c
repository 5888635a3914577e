/*
 * log: level-based messages to stderr. stdout carries results only, so every
 * diagnostic of every command goes through here. The threshold is the one piece
 * of process-wide mutable state in shoseki (docs/decisions.md says why).
 */
#include <stdio.h>

#include "shoseki/common.h"

static enum sho_log_level log_level = SHO_LOG_WARN;

void sho_log_set_level(enum sho_log_level level)
{
    log_level = level;
}

enum sho_log_level sho_log_get_level(void)
{
    return log_level;
}

static const char *log_level_name(enum sho_log_level level)
{
    switch (level) {
    case SHO_LOG_ERROR:
        return "error";
    case SHO_LOG_WARN:
        return "warning";
    case SHO_LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

void sho_log(enum sho_log_level level, const char *fmt, ...)
{
    va_list ap;

    if (level > log_level) {
        return;
    }
    (void)fprintf(stderr, "shoseki: %s: ", log_level_name(level));
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
}

void sho_log_err(enum sho_log_level level, const struct sho_err *err)
{
    char line[SHO_ERR_PATH_MAX + SHO_ERR_MSG_MAX + 32];

    sho_err_format(err, line, sizeof(line));
    sho_log(level, "%s", line);
}
