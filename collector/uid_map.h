#ifndef SHOSEKI_UID_MAP_H
#define SHOSEKI_UID_MAP_H

/*
 * uid_map (private to collector/): user ids to names, read from a file in
 * /etc/passwd form ("name:password:uid:..."), for `collect --uid-map`: audit
 * logs in RAW format carry only numbers, and the passwd file of the server
 * they came from says who each number was.
 */

#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

#define UID_MAP_MAX_ENTRIES 1000000 /* lines kept at most */

struct uid_map;

/*
 * Read the passwd-style file at `path`. Blank lines and lines starting with
 * '#' are ignored; a line without a numeric third field fails the load with
 * err naming the file and the line. When a uid appears twice, the first line
 * wins (as getpwuid does). Caller frees with uid_map_free.
 */
SHO_NODISCARD int uid_map_load(const char *path, struct uid_map **out, struct sho_err *err);

/* Like uid_map_load on `len` bytes of text (tests). */
SHO_NODISCARD int uid_map_parse(const char *text, size_t len, const char *path,
                                struct uid_map **out, struct sho_err *err);

void uid_map_free(struct uid_map *m);

/* The name of `uid`, or NULL. Borrowed until uid_map_free. */
const char *uid_map_get(const struct uid_map *m, uint64_t uid);

#endif /* SHOSEKI_UID_MAP_H */
