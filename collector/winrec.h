#ifndef SHOSEKI_WINREC_H
#define SHOSEKI_WINREC_H

/*
 * winrec (private to collector/): one Windows event record reduced to what
 * normalization needs: the System envelope as typed values, and the named
 * fields of EventData (Data Name="...") or UserData (leaf element names) as
 * strings. Every EVTX decoder fills one of these (today: libevtx's XML through
 * evtx_xml.c; later our own binary-XML decoder) so normalization is written
 * once and both decoders are compared on the same structure.
 *
 * Strings live in one bounded arena owned by the winrec and are addressed by
 * offset while it fills (the arena may move), so accessors return pointers
 * that are valid until the next winrec_reset or winrec_release.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

#define WINREC_NONE        UINT32_MAX                 /* offset meaning "absent" */
#define WINREC_MAX_FIELDS  1024                       /* fields kept per record */
#define WINREC_ARENA_LIMIT ((size_t)16 * 1024 * 1024) /* string bytes per record */

enum winrec_has {
    WINREC_HAS_TIME = 1u << 0,
    WINREC_HAS_EVENT_ID = 1u << 1,
    WINREC_HAS_RECORD_ID = 1u << 2,
    WINREC_HAS_KEYWORDS = 1u << 3,
    WINREC_HAS_EXEC_PID = 1u << 4,
    WINREC_HAS_TASK = 1u << 5,
    WINREC_HAS_VERSION = 1u << 6,
};

struct winrec_field {
    uint32_t name;     /* arena offset */
    uint32_t value;    /* arena offset */
    uint32_t name_len; /* bytes of the name */
    bool has_num;      /* `num` is the value's number (the value is that number's text) */
    uint64_t num;      /* the value as an unsigned integer, when has_num */
};

struct winrec {
    uint32_t has;                /* enum winrec_has */
    uint64_t time;               /* TimeCreated/@SystemTime as FILETIME */
    uint64_t record_id;          /* EventRecordID */
    uint32_t event_id;           /* EventID */
    uint64_t keywords;           /* Keywords bit set */
    uint32_t exec_pid;           /* Execution/@ProcessID */
    uint32_t task;               /* Task */
    uint32_t version;            /* Version */
    uint32_t provider;           /* arena offset: Provider/@Name */
    uint32_t channel;            /* arena offset: Channel */
    uint32_t computer;           /* arena offset: Computer */
    uint32_t security_id;        /* arena offset: Security/@UserID */
    struct winrec_field *fields; /* owned, WINREC_MAX_FIELDS slots */
    size_t field_count;          /* fields in use */
    size_t fields_dropped;       /* fields past WINREC_MAX_FIELDS */
    struct sho_buf arena;        /* owned string storage */
};

void winrec_init(struct winrec *r);
void winrec_release(struct winrec *r);
/* Forget the record's contents, keep allocations for the next record. */
void winrec_reset(struct winrec *r);

/* Copy `len` bytes of `s` into the arena; *off gets its offset. 0 or SHO_ELIMIT. */
SHO_NODISCARD int winrec_store(struct winrec *r, const char *s, size_t len, uint32_t *off);

/* Add a named field (both copied). Past WINREC_MAX_FIELDS it is counted, not kept. */
SHO_NODISCARD int winrec_add_field(struct winrec *r, const char *name, size_t name_len,
                                   const char *value, size_t value_len);

/*
 * The same for a field whose value is the text of unsigned integer `num` (as
 * winrec_get_u64 would parse it): the number is kept too, so lookups need
 * not parse it back.
 */
SHO_NODISCARD int winrec_add_field_u64(struct winrec *r, const char *name, size_t name_len,
                                       const char *value, size_t value_len, uint64_t num);

/* The string at arena offset `off`, or NULL for WINREC_NONE. Borrowed. */
const char *winrec_str(const struct winrec *r, uint32_t off);

/*
 * The value of the first field named `name` (case-sensitive, as Windows
 * manifests are), or NULL when absent. Values "-" and "" also read as NULL:
 * Windows writes "-" for "no value". Borrowed.
 */
const char *winrec_get(const struct winrec *r, const char *name);

/* winrec_get parsed as a number ("0x..." hex or decimal). 1 found, 0 absent or not a number. */
int winrec_get_u64(const struct winrec *r, const char *name, uint64_t *out);

#endif /* SHOSEKI_WINREC_H */
