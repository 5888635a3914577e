#ifndef SHOSEKI_TEXT_LINES_H
#define SHOSEKI_TEXT_LINES_H

/*
 * text_lines (private to collector/): the lines of a text log, read from a
 * file descriptor in large blocks, each with its byte offset and line number.
 * Used by every text source (auditd, Samba syslog, CSV, XML exports) so that
 * offsets, line numbers, CRLF and over-long lines are handled once.
 *
 * A line is handed out without its "\n" (and without a "\r" before it) and is
 * NUL-terminated in the reader's own buffer, which the parser may modify in
 * place until the next call. A line longer than TEXT_LINE_MAX is reported as
 * too long (its first bytes only) and the reader goes on after its end.
 * The last line need not end with a newline.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

#define TEXT_LINE_MAX   ((size_t)1 << 20) /* longest line handed out whole */
#define TEXT_BLOCK_SIZE ((size_t)1 << 20) /* bytes read per read(2) */

struct text_line {
    char *text;       /* borrowed, NUL-terminated; valid until the next call */
    size_t len;       /* bytes, without the line end */
    int64_t offset;   /* byte offset of the line's first byte in the file */
    uint64_t number;  /* 1-based line number */
    bool is_too_long; /* cut at TEXT_LINE_MAX; the rest was skipped */
    bool has_nul;     /* the line holds a NUL byte (text ends at the first) */
};

struct text_lines;

/* Read the lines of `fd` (borrowed; not closed). Caller frees with text_lines_free. */
struct text_lines *text_lines_new(int fd);

/*
 * Like text_lines_new on a memory buffer (borrowed; must outlive the reader),
 * for tests and fuzz targets.
 */
struct text_lines *text_lines_new_mem(const void *data, size_t len);

void text_lines_free(struct text_lines *r);

/*
 * The next line into `out`. Returns 1 with a line, 0 at the end of the
 * input, or SHO_EIO (err says why; no path filled).
 */
SHO_NODISCARD int text_lines_next(struct text_lines *r, struct text_line *out, struct sho_err *err);

#endif /* SHOSEKI_TEXT_LINES_H */
