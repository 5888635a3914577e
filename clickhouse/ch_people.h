#ifndef SHOSEKI_CH_PEOPLE_H
#define SHOSEKI_CH_PEOPLE_H

/* Persons of a ClickHouse table as the index sees them (ch_people.c). */

#include "ch_priv.h"

struct ch_person_name {
    char *pkey, *domain, *user; /* a key and one name seen with it (owned) */
    uint64_t last, first;       /* time and reference of the name's first event */
    const char *person;         /* the person's key: pkey, or the SID it belongs to */
};

struct ch_people {
    struct ch_person_name *v; /* ordered as read */
    size_t count, cap;
    char **alias; /* "name key\0SID", sorted */
    size_t alias_count;
    struct ch_person_name *best; /* v sorted by person, its best name first (shallow copies) */
};

/* Read every key and name of table `t`. Release with ch_people_release (also on failure). */
SHO_NODISCARD int ch_people_load(const struct sho_ch_target *t, struct ch_people *p,
                                 struct sho_err *err);

/* The person of key `pkey` (borrowed: `pkey` itself, or a SID held by `p`). */
const char *ch_people_resolve(const struct ch_people *p, const char *pkey);

/* The name a person is shown under, or NULL when none was seen. */
const struct ch_person_name *ch_people_name(const struct ch_people *p, const char *person);

/*
 * Append to `in` the quoted keys (comma-separated, maybe repeated) of the
 * persons of the keys `persons` and of the persons seen with the name
 * `user` (and `domain` when not NULL; ASCII case ignored; NULL user: none),
 * counting them in `count`.
 */
SHO_NODISCARD int ch_people_select(const struct ch_people *p, const char *domain, const char *user,
                                   const char *const *persons, size_t person_count,
                                   struct sho_buf *in, uint64_t *count);

void ch_people_release(struct ch_people *p);

#endif /* SHOSEKI_CH_PEOPLE_H */
