#ifndef SHOSEKI_RECORD_PRIV_H
#define SHOSEKI_RECORD_PRIV_H

/* `shoseki record`: its options, shared by cmd_record.c, record_enter.c and record_list.c. */

#include "query_priv.h"
#include "shoseki/records.h"

enum rec_kind { REC_DISPOSAL = 0, REC_TAKEOUT, REC_RETURN, REC_PURPOSE, REC_LIST };

struct rec_opts {
    enum rec_kind kind;
    const char *word; /* the kind as typed */
    const char *data, *tz_spec, *policy, *entered_by, *note, *corrects;
    const char *vendor, *certificate, *covers, *date, *max_cert;
    const char *person, *item, *purpose, *media, *out, *returned;
    const char *takeout, *cls, *from, *until, *format;
    bool excel;
    struct qp_policy pol; /* DIR/policy.conf or --policy: classes, zone */
    struct sho_tz tz;     /* of the times given and shown: --tz, the policy's, local */
    char os_user[256];    /* the OS user, when --entered-by is not given */
    char host[256];       /* this machine */
    struct sho_err err;
};

/* Check, store and print one record. Returns an exit status. */
int rec_enter(struct rec_opts *o);

/* Print every record. Returns an exit status. */
int rec_list(struct rec_opts *o);

#endif /* SHOSEKI_RECORD_PRIV_H */
