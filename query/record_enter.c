/*
 * record_enter: one record from the command line to the archive. Values are
 * checked before anything is stored: times (as --since takes them), ids of
 * the records named by --corrects and --takeout (they must exist, be of the
 * right kind and still be in force), the class against the policy, the
 * certificate file (exists, not empty, within the limit). Then, under the
 * archive's writer lock, the certificate and the record are stored.
 */
#include <stdlib.h>
#include <string.h>

#include "record_priv.h"

#define REC_CERT_LIMIT_DEFAULT ((uint64_t)50 * 1024 * 1024)

static int rec_fail(const struct rec_opts *o, int status, const char *msg)
{
    (void)fprintf(stderr, "shoseki record %s: %s\n", o->word, msg);
    return status;
}

static int rec_time(struct rec_opts *o, const char *opt, const char *s, enum sho_time_edge edge,
                    uint64_t now, uint64_t *out)
{
    char msg[600];

    if (s == NULL) {
        *out = now;
        return 0;
    }
    if (sho_time_parse_user(s, &o->tz, now, edge, out, &o->err) != 0) {
        (void)snprintf(msg, sizeof(msg), "--%s: %s", opt, o->err.msg);
        return rec_fail(o, SHO_EXIT_USAGE, msg);
    }
    return 0;
}

static int rec_id(struct rec_opts *o, const char *opt, const char *s, uint64_t *out)
{
    char msg[300];

    if (s == NULL) {
        *out = 0;
        return 0;
    }
    if (sho_parse_u64(s, SHO_RECORD_ID_MAX - 1, 0, out) != 0 || *out == 0) {
        (void)snprintf(msg, sizeof(msg), "--%s wants a record id (a number), not '%s'", opt, s);
        return rec_fail(o, SHO_EXIT_USAGE, msg);
    }
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? sho_xstrdup(s) : NULL;
}

/* The record's fields from the options (times parsed; nothing checked against the archive). */
static int rec_fill(struct rec_opts *o, struct sho_record *r, uint64_t now)
{
    static const enum sho_record_kind kinds[] = { SHO_RECORD_DISPOSAL, SHO_RECORD_TAKEOUT,
                                                  SHO_RECORD_RETURN, SHO_RECORD_PURPOSE };
    int rc;

    sho_record_init(r, kinds[o->kind]);
    r->entered_at = now;
    r->entered_by = sho_xstrdup(o->entered_by);
    r->entered_on = sho_xstrdup(o->host);
    r->person = dup_or_null(o->person);
    r->vendor = dup_or_null(o->vendor);
    r->covers = dup_or_null(o->covers);
    r->item = dup_or_null(o->item);
    r->media = dup_or_null(o->media);
    r->purpose = dup_or_null(o->purpose);
    r->class_name = dup_or_null(o->cls);
    r->note = dup_or_null(o->note);
    rc = rec_id(o, "corrects", o->corrects, &r->corrects);
    if (rc == 0) {
        rc = rec_id(o, "takeout", o->takeout, &r->takeout);
    }
    if (rc == 0 && o->kind == REC_DISPOSAL) {
        rc = rec_time(o, "date", o->date, SHO_TIME_START, now, &r->time);
    } else if (rc == 0 && o->kind == REC_TAKEOUT) {
        rc = rec_time(o, "out", o->out, SHO_TIME_START, now, &r->time);
        if (rc == 0 && o->returned != NULL) {
            rc = rec_time(o, "returned", o->returned, SHO_TIME_START, now, &r->until);
        }
    } else if (rc == 0 && o->kind == REC_RETURN) {
        rc = rec_time(o, "returned", o->returned, SHO_TIME_START, now, &r->time);
    } else if (rc == 0 && o->kind == REC_PURPOSE) {
        if (o->from == NULL || o->until == NULL) {
            return rec_fail(o, SHO_EXIT_USAGE, "--from and --until are required");
        }
        rc = rec_time(o, "from", o->from, SHO_TIME_START, now, &r->time);
        if (rc == 0) {
            rc = rec_time(o, "until", o->until, SHO_TIME_END, now, &r->until);
        }
    }
    return rc;
}

/* --class must be one of the policy's classes. */
static int rec_class(struct rec_opts *o)
{
    char msg[600];
    size_t i;

    for (i = 0; o->cls != NULL && i < o->pol.class_count; i++) {
        if (strcmp(o->pol.classes[i].name, o->cls) == 0) {
            return 0;
        }
    }
    if (o->cls == NULL) {
        return 0;
    }
    (void)snprintf(msg, sizeof(msg), "unknown class '%s' (the policy's [class ...] names it)",
                   o->cls);
    return rec_fail(o, SHO_EXIT_USAGE, msg);
}

/* --corrects and --takeout name records in force, of the right kind; a return copies its
 * take-out's person and item. */
static int rec_refs(struct rec_opts *o, const struct sho_records *set, struct sho_record *r)
{
    const struct sho_record *t;
    char msg[300];

    if (r->corrects != 0) {
        t = sho_records_find(set, r->corrects);
        if (t == NULL || t->kind != r->kind || t->superseded_by != 0) {
            (void)snprintf(msg, sizeof(msg),
                           t == NULL            ? "--corrects: no record %llu"
                           : t->kind != r->kind ? "--corrects: record %llu is of another kind"
                                                : "--corrects: record %llu was corrected already; "
                                                  "correct its correction",
                           (unsigned long long)r->corrects);
            return rec_fail(o, SHO_EXIT_USAGE, msg);
        }
    }
    if (r->kind != SHO_RECORD_RETURN) {
        return 0;
    }
    t = sho_records_current(set, r->takeout);
    if (t == NULL || t->kind != SHO_RECORD_TAKEOUT || (t->returned != 0 && r->corrects == 0)) {
        (void)snprintf(msg, sizeof(msg),
                       t == NULL || t->kind != SHO_RECORD_TAKEOUT
                           ? "--takeout: no take-out %llu"
                           : "--takeout: take-out %llu is returned already",
                       (unsigned long long)r->takeout);
        return rec_fail(o, SHO_EXIT_USAGE, msg);
    }
    if (r->time < t->time) {
        return rec_fail(o, SHO_EXIT_USAGE, "--returned is before the take-out");
    }
    if (r->person == NULL) {
        r->person = sho_xstrdup(t->person);
    }
    r->item = sho_xstrdup(t->item);
    return 0;
}

/* Store the certificate (disposal) and the record; print the id. */
static int rec_store(struct rec_opts *o, struct sho_archive *a, struct sho_record *r)
{
    uint64_t limit = REC_CERT_LIMIT_DEFAULT;
    char hex[SHO_HASH_HEX];
    const char *base;
    int rc;

    if (o->kind == REC_DISPOSAL) {
        if (o->max_cert != NULL &&
            sho_parse_u64(o->max_cert, UINT64_MAX, SHO_PARSE_SUFFIX, &limit) != 0) {
            return rec_fail(o, SHO_EXIT_USAGE, "--max-certificate wants a size like 50M");
        }
        rc = sho_record_store_certificate(a, o->certificate, limit, hex, &r->cert_size, &o->err);
        if (rc != 0) {
            sho_log_err(SHO_LOG_ERROR, &o->err);
            return rc == SHO_EINVAL || rc == SHO_EIO ? SHO_EXIT_INPUT : SHO_EXIT_SYSTEM;
        }
        base = strrchr(o->certificate, '/');
        r->certificate = sho_xstrdup(hex);
        r->cert_name = sho_xstrdup(base != NULL ? base + 1 : o->certificate);
    }
    rc = sho_record_store(a, r, &o->err);
    if (rc < 0) {
        sho_log_err(SHO_LOG_ERROR, &o->err);
        return rc == SHO_EINVAL ? SHO_EXIT_USAGE : SHO_EXIT_SYSTEM;
    }
    if (o->kind == REC_DISPOSAL) {
        (void)printf("certificate %s (%llu bytes) stored\n", r->certificate,
                     (unsigned long long)r->cert_size);
    }
    (void)printf("%s %llu %s\n", o->word, (unsigned long long)r->id,
                 rc == 1 ? "was stored before" : "stored");
    return SHO_EXIT_OK;
}

int rec_enter(struct rec_opts *o)
{
    struct sho_archive_opts ao = { SHO_ARCHIVE_WRITE | SHO_ARCHIVE_WAIT, 0, 0 };
    struct sho_archive *a = NULL;
    struct sho_records set;
    struct sho_record r;
    int rc;

    memset(&set, 0, sizeof(set));
    rc = rec_fill(o, &r, sho_time_now());
    if (rc == 0) {
        rc = rec_class(o);
    }
    if (rc == 0 && o->kind == REC_DISPOSAL && o->certificate == NULL) {
        rc = rec_fail(o, SHO_EXIT_USAGE, "--certificate FILE is required");
    }
    if (rc == 0 && o->kind == REC_DISPOSAL) {
        r.certificate = sho_xstrdup("-"); /* set when stored; lets the check pass first */
    }
    if (rc == 0 && r.until != 0 && r.until <= r.time) {
        rc = rec_fail(o, SHO_EXIT_USAGE,
                      o->kind == REC_TAKEOUT ? "--returned is not after --out"
                                             : "--until is not after --from");
    }
    if (rc == 0 && sho_record_check(&r, &o->err) != 0) {
        rc = rec_fail(o, SHO_EXIT_USAGE, o->err.msg);
    }
    if (rc == 0 && sho_archive_open(sho_archive_data_dir(o->data), &ao, &a, &o->err) != 0) {
        sho_log_err(SHO_LOG_ERROR, &o->err);
        rc = SHO_EXIT_SYSTEM;
    }
    if (rc == 0 && (r.corrects != 0 || r.takeout != 0) && sho_records_load(a, &set, &o->err) != 0) {
        sho_log_err(SHO_LOG_ERROR, &o->err);
        rc = o->err.code == SHO_ETAMPER ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    if (rc == 0) {
        rc = rec_refs(o, &set, &r);
    }
    if (rc == 0) {
        free(r.certificate);
        r.certificate = NULL;
        rc = rec_store(o, a, &r);
    }
    sho_records_release(&set);
    sho_archive_close(a);
    sho_record_release(&r);
    return rc;
}
