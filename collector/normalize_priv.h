#ifndef SHOSEKI_NORMALIZE_PRIV_H
#define SHOSEKI_NORMALIZE_PRIV_H

/*
 * normalize_priv (private to normalize*.c): the state and helpers shared by
 * the per-provider normalizers (Security auditing, Sysmon, Eventlog).
 */

#include <stdbool.h>

#include "handle_table.h"
#include "normalize.h"

struct normalizer {
    unsigned flags;               /* enum normalize_flags */
    struct handle_table *handles; /* owned */
    struct sho_buf path;          /* built or copied path of the current event */
    struct sho_buf object_type;   /* copied object type of the current event */
    struct sho_buf user;          /* user split from DOMAIN\name */
    struct sho_buf domain;        /* domain split from DOMAIN\name */
    uint8_t op;                   /* current record: enum norm_op */
    bool server_security;         /* current record: ObjectServer "Security" */
};

/* Whose fields describe the person: Subject* or Target*. */
enum norm_who { NORM_SUBJECT = 0, NORM_TARGET = 1 };

/* Fill user_sid, user, domain, logon_id from <who>UserSid, ...UserName, ...DomainName,
 * ...LogonId. */
void norm_person(const struct winrec *r, enum norm_who who, struct sho_event *ev);

/* Set a numeric field from a named value when it parses; returns 1 when set. */
int norm_u64(const struct winrec *r, const char *name, uint64_t *out, uint32_t *has, uint32_t flag);

/* Copy `s` into `b` and return the copy (NULL stays NULL). */
const char *norm_keep(struct sho_buf *b, const char *s);

/* Split "DOMAIN\name" (Sysmon User) into domain and user. */
void norm_split_account(struct normalizer *n, const char *account, struct sho_event *ev);

enum norm_class norm_security(struct normalizer *n, const struct winrec *r, struct sho_event *ev);
enum norm_class norm_sysmon(struct normalizer *n, const struct winrec *r, struct sho_event *ev);
enum norm_class norm_eventlog(struct normalizer *n, const struct winrec *r, struct sho_event *ev);

#endif /* SHOSEKI_NORMALIZE_PRIV_H */
