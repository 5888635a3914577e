#ifndef SHOSEKI_EVTX_WRITER_H
#define SHOSEKI_EVTX_WRITER_H

/*
 * evtx_writer (samples/gen): writes .evtx files as Windows does: a file
 * header, 64 KiB chunks with their string and template tables and CRC32s,
 * and each record as binary XML: a template instance (the template defined
 * inline the first time it is used in a chunk, referenced after) followed by
 * its substitution values. The format: libyal's "Windows XML Event Log
 * (EVTX)" documentation. Used by shoseki-gen and by tests; not part of the
 * shoseki binary.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

enum evw_type {
    EVW_STRING = 0x01,
    EVW_UINT8 = 0x04,
    EVW_UINT16 = 0x06,
    EVW_UINT32 = 0x08,
    EVW_UINT64 = 0x0a,
    EVW_GUID = 0x0f,
    EVW_SIZET = 0x10,
    EVW_FILETIME = 0x11,
    EVW_SID = 0x13,
    EVW_HEX32 = 0x14,
    EVW_HEX64 = 0x15,
};

/* One substitution value: `s` for strings and SIDs ("S-1-5-..."), `u` for numbers. */
struct evw_value {
    enum evw_type type;
    const char *s;    /* UTF-8 string, or SID text */
    uint64_t u;       /* number */
    uint8_t guid[16]; /* GUID bytes as stored */
};

struct evw_event {
    const char *provider;      /* Provider/@Name */
    uint8_t provider_guid[16]; /* Provider/@Guid, as stored */
    uint16_t event_id;
    uint8_t version, level, opcode;
    uint16_t task;
    uint64_t keywords;  /* e.g. 0x8020000000000000 audit success */
    uint64_t time;      /* FILETIME of TimeCreated (and the written time) */
    uint32_t pid, tid;  /* Execution */
    uint64_t record_id; /* EventRecordID; 0: the record's own number (a forwarded event
                           keeps the id it had on its source computer) */
    const char *channel;
    const char *computer;
    const char *user_sid;     /* System/Security/@UserID, NULL for none */
    const char *user_data;    /* NULL: fields go in EventData/Data[@Name]; else the
                                 UserData wrapper element name (e.g. LogFileCleared) */
    const char *user_data_ns; /* xmlns of the wrapper */
    size_t field_count;
    const char *const *field_names;
    const struct evw_value *field_values;
};

struct evw;

/* Create `path` (must not exist). Returns NULL with err set on failure. */
struct evw *evw_open(const char *path, struct sho_err *err);

/* Append one record; its EventRecordID is the next number, from `first_record_id`. */
SHO_NODISCARD int evw_add(struct evw *w, const struct evw_event *ev, struct sho_err *err);

/* Record id the next evw_add will use; set before the first record to start elsewhere. */
uint64_t evw_next_record_id(const struct evw *w);
void evw_set_next_record_id(struct evw *w, uint64_t id);

/* Finish the last chunk, write the file header, close. Frees `w` in every case. */
SHO_NODISCARD int evw_close(struct evw *w, struct sho_err *err);

/* CRC32 (IEEE 802.3, as zlib), exposed for tests. */
uint32_t evw_crc32(const void *data, size_t len);

#endif /* SHOSEKI_EVTX_WRITER_H */
