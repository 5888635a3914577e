#ifndef SHOSEKI_HANDLE_TABLE_H
#define SHOSEKI_HANDLE_TABLE_H

/*
 * handle_table (private to collector/): remembers which object an open handle
 * refers to, so that events that carry only a handle (4660 object deleted,
 * 4658 handle closed) get the path of the 4656/4663/4661 that opened it.
 * Keyed on (host, process id, handle id), compared numerically. The table
 * holds at most a configured number of handles: past that the oldest entry is
 * forgotten, so memory never depends on the input's size.
 */

#include <stddef.h>
#include <stdint.h>

struct handle_table;

/* A table of at most `max_entries` (>= 1) handles. Caller frees with handle_table_free. */
struct handle_table *handle_table_new(size_t max_entries);
void handle_table_free(struct handle_table *t);

/* Remember (or replace) what the handle refers to. Strings are copied; NULLs allowed. */
void handle_table_put(struct handle_table *t, const char *host, uint64_t pid, uint64_t handle,
                      const char *path, const char *object_type);

/*
 * Look a handle up. Returns 1 and sets *path / *object_type (borrowed, valid
 * until the next put, drop or reset) when known, else 0.
 */
int handle_table_get(const struct handle_table *t, const char *host, uint64_t pid, uint64_t handle,
                     const char **path, const char **object_type);

/* Forget one handle (4658: closed). */
void handle_table_drop(struct handle_table *t, const char *host, uint64_t pid, uint64_t handle);

/* Forget every handle of `host` (4608: the machine restarted, ids are reused). */
void handle_table_reset_host(struct handle_table *t, const char *host);

/* Entries in use (for tests). */
size_t handle_table_count(const struct handle_table *t);

#endif /* SHOSEKI_HANDLE_TABLE_H */
