#ifndef SHOSEKI_GEN_TEXT_H
#define SHOSEKI_GEN_TEXT_H

/*
 * gen_text (samples/gen): the generated file accesses written as a Linux
 * file server's auditd log (with a passwd file naming the auids, FILE.passwd)
 * and as Samba vfs_full_audit syslog lines, for `shoseki-gen --auditd FILE
 * --samba FILE`. Person i is auid 1100+i; paths are the Security logs'
 * D:\shares\... under /srv/shares (auditd) and /srv/samba (Samba).
 */

#include <stdbool.h>
#include <stdint.h>

#include "shoseki/common.h"

/* One access as it happened on a server. */
struct gen_text_access {
    uint64_t time;       /* FILETIME, UTC */
    unsigned person;     /* index: auid 1100 + person */
    const char *account; /* the person's account name */
    const char *ip;      /* the client's address */
    const char *node;    /* auditd node= name ("fs01") */
    const char *host;    /* syslog host name (the server's full name) */
    const char *share, *folder, *name;
    char action;     /* 'r' read, 'w' write, 'd' delete */
    bool is_failure; /* refused */
};

struct gen_text;

/*
 * Create the logs at the paths given (either may be NULL). Returns NULL with
 * err set when one cannot be created. Close with gen_text_close.
 */
struct gen_text *gen_text_open(const char *auditd_path, const char *samba_path,
                               struct sho_err *err);

/* Write one access to every open log (accesses in time order). */
void gen_text_access(struct gen_text *t, const struct gen_text_access *a);

/*
 * Write the passwd file (`count` accounts; NULL: none) beside the auditd log,
 * close the logs and free `t`. Returns 0 or SHO_EIO. gen_text_close(NULL, ...)
 * does nothing.
 */
SHO_NODISCARD int gen_text_close(struct gen_text *t, const char *const *accounts, unsigned count,
                                 struct sho_err *err);

#endif /* SHOSEKI_GEN_TEXT_H */
