#ifndef SHOSEKI_RECORDS_H
#define SHOSEKI_RECORDS_H

/*
 * records: what the My Number guideline asks for that no event log holds: a
 * disposal done by a vendor with its certificate of destruction, documents
 * and media taken out of the handling area (and their return), and the
 * declared purpose of a person's work on a sensitive class. Each record is a
 * small text (one `key value` per line) stored in the archive like a
 * collected file (kind "record"), the same text in its SOURCE frame's
 * `detail`, and one normalized event (channel "shoseki-records") so that the
 * index, who/what and the reports see it. A certificate is a source of kind
 * "certificate", its bytes whole. Nothing is edited: a correction is a new
 * record naming the one it corrects. Format and choices: docs/records.md.
 */

#include <stdbool.h>
#include <stdint.h>

#include "shoseki/archive.h"
#include "shoseki/common.h"
#include "shoseki/event.h"

#define SHO_RECORDS_CHANNEL  "shoseki-records"
#define SHO_RECORDS_PROVIDER "shoseki"
#define SHO_RECORD_ID_MAX    ((uint64_t)1 << 48) /* ids are below this */
#define SHO_RECORD_TEXT_MAX  ((size_t)64 * 1024) /* one record's text */

/* The kinds; the value is the event id of the record's event. */
enum sho_record_kind {
    SHO_RECORD_DISPOSAL = 1, /* personal data disposed of by a vendor, with a certificate */
    SHO_RECORD_TAKEOUT = 2,  /* a document or medium taken out of the handling area */
    SHO_RECORD_RETURN = 3,   /* a take-out brought back */
    SHO_RECORD_PURPOSE = 4,  /* a person's declared purpose (事務) for a class in a period */
};

/* "disposal", "takeout", "return", "purpose", or NULL. */
const char *sho_record_kind_name(enum sho_record_kind kind);

/*
 * One record. Strings are owned by the record (sho_record_release frees
 * them); NULL when absent. Times are FILETIME, 0 when absent.
 */
struct sho_record {
    enum sho_record_kind kind;
    uint64_t id;         /* from the SHA-256 of its text: first 6 bytes, big-endian */
    uint64_t entered_at; /* when it was entered */
    char *entered_by;    /* who entered it (OS user or --entered-by) */
    char *entered_on;    /* the machine it was entered on */
    char *person;        /* takeout, return, purpose: whom it is about (as `what` takes) */
    uint64_t time;       /* disposal: date; takeout: out; return: returned; purpose: from */
    uint64_t until;      /* purpose: end (exclusive); takeout: returned when entered */
    char *vendor;        /* disposal */
    char *covers;        /* disposal: a path, or a pattern with * and ? */
    char *certificate;   /* disposal: hex SHA-256 of the certificate source */
    uint64_t cert_size;  /* its bytes */
    char *cert_name;     /* its file name as given */
    char *item;          /* takeout, return: what was taken */
    char *media;         /* takeout: the medium */
    char *purpose;       /* takeout, purpose: why */
    char *class_name;    /* purpose: the policy class */
    char *note;          /* any */
    uint64_t corrects;   /* the id of the record this one corrects, 0 none */
    uint64_t takeout;    /* return: the id of the take-out it closes */
    /* filled by sho_records_load, not part of the text: */
    uint64_t superseded_by; /* id of the correction that replaces it, 0 none */
    uint64_t returned;      /* takeout: when it came back (its own `until` or a return), 0 open */
    uint64_t return_id;     /* takeout: the return record that closed it, 0 none */
    char source_sha[SHO_HASH_HEX]; /* the record's source */
};

void sho_record_init(struct sho_record *r, enum sho_record_kind kind);
void sho_record_release(struct sho_record *r);

/*
 * Check a record's fields for its kind (which are required, which make no
 * sense). Returns 0 or SHO_EINVAL with err saying which field, in one line.
 */
SHO_NODISCARD int sho_record_check(const struct sho_record *r, struct sho_err *err);

/*
 * Append the record's canonical text to `out` (`id` and the ledger fields
 * are not part of it) and set r->id from it. Returns 0 or SHO_ELIMIT.
 */
SHO_NODISCARD int sho_record_text(struct sho_record *r, struct sho_buf *out);

/*
 * Parse a record's text (`len` bytes) into `r` (initialised here; release
 * it even on error) and compute its id. Keys it does not know are skipped.
 * Returns 0 or SHO_ECORRUPT with err naming the line.
 */
SHO_NODISCARD int sho_record_parse(const char *text, size_t len, struct sho_record *r,
                                   struct sho_err *err);

/*
 * The record's normalized event (docs/records.md): strings borrowed from `r`,
 * `name` (the source's name) and `domain` (scratch for the person's domain).
 */
#define SHO_RECORD_DOMAIN_MAX 256
void sho_record_event(const struct sho_record *r, const char *name, struct sho_event *ev,
                      char domain[SHO_RECORD_DOMAIN_MAX]);

/* ---- storing ------------------------------------------------------------------------ */

/*
 * Store `certificate_path` (a regular file of at most `limit` bytes) as a
 * source of kind "certificate", whole; `hex` gets its SHA-256 and *size its
 * length. Storing the same bytes again stores nothing new. Returns 0, or
 * SHO_EINVAL (not a file, too large), SHO_EIO, or the archive's code.
 */
SHO_NODISCARD int sho_record_store_certificate(struct sho_archive *a, const char *certificate_path,
                                               uint64_t limit, char hex[SHO_HASH_HEX],
                                               uint64_t *size, struct sho_err *err);

/*
 * Store record `r` (checked, its text and id computed here) as a source of
 * kind "record" with its event. Returns 0, 1 when the very same text was
 * stored before (nothing added), or a negative code.
 */
SHO_NODISCARD int sho_record_store(struct sho_archive *a, struct sho_record *r,
                                   struct sho_err *err);

/* ---- the ledger --------------------------------------------------------------------- */

/* Every record of an archive, in the order stored, with corrections and returns applied. */
struct sho_records {
    struct sho_record *r; /* owned */
    size_t count, cap;
};

/*
 * Read every record from the SOURCE frames of `a` (one walk, no file
 * rebuilt), then mark the records corrected (superseded_by) and the
 * take-outs returned. Returns 0 or a negative code (a record whose text does
 * not parse is SHO_ECORRUPT, naming the source).
 */
SHO_NODISCARD int sho_records_load(struct sho_archive *a, struct sho_records *out,
                                   struct sho_err *err);

void sho_records_release(struct sho_records *set);

/* The record with id `id`, or NULL. Borrowed. */
const struct sho_record *sho_records_find(const struct sho_records *set, uint64_t id);

/* The record that is in force for `id`: the last correction of it (or itself), or NULL. */
const struct sho_record *sho_records_current(const struct sho_records *set, uint64_t id);

/*
 * Does `pattern` (a disposal's `covers`) cover `path`? Both as logged;
 * letters compared without case, `\` and `/` alike; `*` matches any run of
 * characters (separators too), `?` one character; a pattern without either
 * that ends with a separator covers everything under it.
 */
bool sho_record_covers(const char *pattern, const char *path);

/*
 * Is the record's person the one of an event (SID, domain, name)? A record
 * person "S-1-..." compares with the SID, "DOMAIN\name" with both, a bare
 * name with the name; without case.
 */
bool sho_record_person_is(const char *person, const char *sid, const char *domain,
                          const char *user);

#endif /* SHOSEKI_RECORDS_H */
