#ifndef SHOSEKI_AUDITD_H
#define SHOSEKI_AUDITD_H

/*
 * auditd (private to collector/): Linux audit logs (/var/log/audit/audit.log,
 * log_format RAW or ENRICHED) -> normalized file-access events.
 *
 * Records of one kernel event share the stamp msg=audit(SECONDS.MILLIS:SERIAL)
 * and may arrive interleaved with other events' records and out of order. The
 * joiner keeps the events still open in a table of at most `pending_max`
 * entries: an event is complete at its EOE record, when its SYSCALL and the
 * PATH and CWD records it announces are in, when the table is full (oldest
 * first), or at the end of the file. A
 * record of an event already complete is "late": counted and reported, never
 * joined. Serials are followed to report gaps (lost records), wrap-around and
 * restarts.
 *
 * Memory: the table, a 64 Ki-bit window of completed serials and the strings
 * of open events (each bounded); nothing grows with the file.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"
#include "shoseki/event.h"
#include "uid_map.h"

#define AUDITD_PENDING_DEFAULT 1024 /* open events kept at most */

/* What the parser reports besides events. */
enum auditd_problem {
    AUDITD_BAD_LINE = 0, /* not an audit record: counted as skipped */
    AUDITD_LATE = 1,     /* a record of an event already emitted: skipped */
    AUDITD_GAP = 2,      /* serials missing, wrapped or restarted: a finding, not a skip */
};

struct auditd_sink {
    /* An event; strings borrowed until the call returns. Returns 0 or a negative code to stop. */
    int (*event)(void *ctx, const struct sho_event *ev, struct sho_err *err);
    /* A problem at `offset` (line `line`) of the input. */
    void (*problem)(void *ctx, enum auditd_problem kind, int64_t offset, uint64_t line,
                    const char *msg);
    void *ctx;
};

struct auditd_opts {
    size_t pending_max;          /* 0: AUDITD_PENDING_DEFAULT */
    bool is_all_events;          /* emit every SYSCALL event, not only file access */
    const char *host;            /* host when records carry no node= (may be NULL) */
    const struct uid_map *names; /* uid -> name (borrowed, may be NULL) */
};

struct auditd_stats {
    uint64_t records;  /* audit records read */
    uint64_t events;   /* events emitted */
    uint64_t gaps;     /* serial gaps reported */
    uint64_t missing;  /* serials missing in those gaps */
    uint64_t restarts; /* serial went back: wrap-around or audit restart */
};

struct auditd;

/* A parser for one file. Caller frees with auditd_free. */
struct auditd *auditd_new(const struct auditd_opts *opts, const struct auditd_sink *sink);
void auditd_free(struct auditd *a);

/*
 * One line of the file (NUL-terminated at text[len]; the parser may modify
 * it in place). Blank lines are ignored. Returns 0, or the sink's code.
 */
SHO_NODISCARD int auditd_line(struct auditd *a, char *text, size_t len, int64_t offset,
                              uint64_t line, struct sho_err *err);

/* End of the file: emit every open event and report open gaps. Returns 0 or the sink's code. */
SHO_NODISCARD int auditd_finish(struct auditd *a, struct sho_err *err);

const struct auditd_stats *auditd_stats(const struct auditd *a);

/*
 * Does `text` look like an audit record ("type=X msg=audit(N.N:N):", after an
 * optional "node=NAME ")? For format detection.
 */
bool auditd_is_record(const char *text, size_t len);

/*
 * The stamp "SECONDS.MILLIS:SERIAL" of record `text` into `out` (NUL-terminated).
 * Returns its length, or 0 when the line is not an audit record. For `cat`,
 * which prints every line of one event.
 */
size_t auditd_stamp(const char *text, size_t len, char *out, size_t out_len);

/* ---- syscalls (auditd_syscall.c) ------------------------------------------------ */

/* What a system call does to the file it names. */
enum auditd_kind {
    AUDITD_NONE = 0,
    AUDITD_OPEN,     /* open: flags in a1 */
    AUDITD_OPENAT,   /* openat, open_by_handle_at: flags in a2 */
    AUDITD_OPENAT2,  /* openat2: flags behind a pointer; create from the PATH records */
    AUDITD_CREAT,    /* creat: create + write */
    AUDITD_TRUNCATE, /* truncate, ftruncate: write */
    AUDITD_DELETE,   /* unlink, unlinkat, rmdir */
    AUDITD_RENAME,   /* rename, renameat, renameat2 */
    AUDITD_MKDIR,    /* mkdir, mkdirat, mknod, link, symlink: create */
    AUDITD_CHMOD,    /* chmod family, setxattr/removexattr: permission-change */
    AUDITD_CHOWN,    /* chown family: owner-change */
    AUDITD_EXEC,     /* execve, execveat: execute */
    AUDITD_UTIME,    /* utime family: write-attributes */
};

/*
 * Name of system call `nr` on audit architecture `arch` (the arch= field:
 * c000003e x86_64, 40000003 i386, c00000b7 aarch64), or NULL when not one
 * shoseki maps. Static string.
 */
const char *auditd_syscall_name(uint32_t arch, uint64_t nr);

/* What syscall `name` does (AUDITD_NONE for any other). */
enum auditd_kind auditd_syscall_kind(const char *name, size_t len);

#endif /* SHOSEKI_AUDITD_H */
