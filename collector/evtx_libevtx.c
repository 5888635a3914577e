/*
 * evtx_libevtx: libevtx adapter (see evtx_libevtx.h). libevtx renders each
 * record to XML, which is its slowest path but the only one that yields the
 * named fields; our own decoder (issue 9) will skip the XML.
 *
 * libevtx's tri-state returns (1 ok, 0 absent, -1 error with a
 * libevtx_error_t) become SHO_* codes here; the error text is the innermost
 * libevtx message, which names the failing structure.
 */
#include <stdlib.h>
#include <string.h>

#include <libevtx.h>

#include "evtx_libevtx.h"

#define LIB_XML_LIMIT ((size_t)64 * 1024 * 1024) /* one rendered record, worst case */

struct evtx_lib {
    libevtx_file_t *file;     /* owned */
    libevtx_record_t *record; /* owned, the current record */
    char *path;               /* owned copy, for error messages */
    struct sho_buf xml;       /* the current record's XML */
    int records;              /* number of records */
    int recovered;            /* number of recovered records */
    uint32_t flags;           /* file header flags */
};

/* Translate and free a libevtx error: the last line of its message is the most specific. */
static int lib_err(struct sho_err *err, int code, const char *path, int64_t offset,
                   const char *what, libevtx_error_t **lerr)
{
    char text[1024] = "";
    const char *detail = text;

    if (lerr != NULL && *lerr != NULL) {
        /* The backtrace's first line is the innermost failure, the one that names the cause. */
        (void)libevtx_error_backtrace_sprint(*lerr, text, sizeof(text));
        libevtx_error_free(lerr);
        text[strcspn(text, "\n")] = '\0';
    }
    return sho_err_set(err, code, path, offset, "%s%s%s", what, detail[0] != '\0' ? ": " : "",
                       detail);
}

int evtx_lib_open(const char *path, struct evtx_lib **out, struct sho_err *err)
{
    libevtx_error_t *lerr = NULL;
    struct evtx_lib *e = sho_xcalloc(1, sizeof(*e));
    int rc;

    e->path = sho_xstrdup(path);
    sho_buf_init(&e->xml, LIB_XML_LIMIT);
    if (libevtx_file_initialize(&e->file, &lerr) != 1) {
        rc = lib_err(err, SHO_EIO, path, -1, "cannot initialize libevtx", &lerr);
        goto fail;
    }
    if (libevtx_file_open(e->file, path, LIBEVTX_OPEN_READ, &lerr) != 1) {
        rc = lib_err(err, SHO_ECORRUPT, path, 0, "not a readable EVTX file", &lerr);
        goto fail;
    }
    if (libevtx_file_get_number_of_records(e->file, &e->records, &lerr) != 1) {
        rc = lib_err(err, SHO_ECORRUPT, path, -1, "cannot count records", &lerr);
        goto fail;
    }
    if (libevtx_file_get_number_of_recovered_records(e->file, &e->recovered, &lerr) != 1) {
        libevtx_error_free(&lerr);
        e->recovered = 0;
    }
    if (libevtx_file_get_flags(e->file, &e->flags, &lerr) != 1) {
        libevtx_error_free(&lerr);
        e->flags = 0;
    }
    *out = e;
    return 0;
fail:
    evtx_lib_close(e);
    return rc;
}

void evtx_lib_counts(const struct evtx_lib *e, int *records, int *recovered)
{
    *records = e->records;
    *recovered = e->recovered;
}

bool evtx_lib_is_dirty(const struct evtx_lib *e)
{
    return (e->flags & LIBEVTX_FILE_FLAG_IS_DIRTY) != 0;
}

static void lib_meta(libevtx_record_t *rec, struct evtx_lib_meta *meta)
{
    libevtx_error_t *lerr = NULL;

    memset(meta, 0, sizeof(*meta));
    if (libevtx_record_get_identifier(rec, &meta->record_id, &lerr) == 1) {
        meta->has_record_id = true;
    }
    libevtx_error_free(&lerr);
    if (libevtx_record_get_event_identifier(rec, &meta->event_id, &lerr) == 1) {
        meta->has_event_id = true;
    }
    libevtx_error_free(&lerr);
    if (libevtx_record_get_written_time(rec, &meta->written_time, &lerr) == 1) {
        meta->has_written_time = true;
    }
    libevtx_error_free(&lerr);
}

int evtx_lib_record(struct evtx_lib *e, int index, bool recovered, int64_t *offset,
                    const char **xml, size_t *xml_len, struct evtx_lib_meta *meta,
                    struct sho_err *err)
{
    libevtx_error_t *lerr = NULL;
    off64_t off = -1;
    size_t size = 0;
    int rc;

    memset(meta, 0, sizeof(*meta));
    *offset = -1;
    if (e->record != NULL) {
        (void)libevtx_record_free(&e->record, NULL);
    }
    rc = recovered ? libevtx_file_get_recovered_record_by_index(e->file, index, &e->record, &lerr)
                   : libevtx_file_get_record_by_index(e->file, index, &e->record, &lerr);
    if (rc != 1) {
        return lib_err(err, SHO_ECORRUPT, e->path, -1,
                       recovered ? "cannot read recovered record" : "cannot read record", &lerr);
    }
    if (libevtx_record_get_offset(e->record, &off, &lerr) != 1) {
        libevtx_error_free(&lerr);
        off = -1;
    }
    *offset = off;
    lib_meta(e->record, meta);
    if (libevtx_record_get_utf8_xml_string_size(e->record, &size, &lerr) != 1 || size == 0) {
        return lib_err(err, SHO_ECORRUPT, e->path, off, "cannot render record", &lerr);
    }
    sho_buf_reset(&e->xml);
    if (sho_buf_reserve(&e->xml, size) != 0) {
        return sho_err_set(err, SHO_ELIMIT, e->path, off, "record XML larger than %zu bytes",
                           LIB_XML_LIMIT);
    }
    if (libevtx_record_get_utf8_xml_string(e->record, (uint8_t *)e->xml.data, size, &lerr) != 1) {
        return lib_err(err, SHO_ECORRUPT, e->path, off, "cannot render record", &lerr);
    }
    e->xml.data[size - 1] = '\0';
    e->xml.len = strlen(e->xml.data);
    *xml = e->xml.data;
    *xml_len = e->xml.len;
    return 0;
}

void evtx_lib_close(struct evtx_lib *e)
{
    if (e == NULL) {
        return;
    }
    if (e->record != NULL) {
        (void)libevtx_record_free(&e->record, NULL);
    }
    if (e->file != NULL) {
        (void)libevtx_file_close(e->file, NULL);
        (void)libevtx_file_free(&e->file, NULL);
    }
    sho_buf_release(&e->xml);
    free(e->path);
    free(e);
}
