#ifndef SHOSEKI_EVTX_BINXML_H
#define SHOSEKI_EVTX_BINXML_H

/*
 * evtx_binxml (private to collector/): EVTX binary XML, the encoding of each
 * record's content, read straight from a chunk image. A record is a fragment
 * holding a template instance: a reference to a template definition (an XML
 * skeleton with numbered holes) and the substitution values that fill it.
 * Definitions are compiled once into a flat list of operations and kept in
 * a cache across chunks (same GUID, size and compiled content), so decoding
 * a record is reading its values and replaying the operations into a sink:
 * no XML text is built unless the sink builds it (evtx_bxsink.h).
 */

#include <stddef.h>
#include <stdint.h>

#include "shoseki/common.h"

/* Element and attribute names the sinks care about, classified once per definition. */
enum evtx_bx_tag {
    BX_TAG_OTHER = 0,
    BX_TAG_SYSTEM,
    BX_TAG_PROVIDER,
    BX_TAG_EVENTID,
    BX_TAG_VERSION,
    BX_TAG_TASK,
    BX_TAG_KEYWORDS,
    BX_TAG_TIMECREATED,
    BX_TAG_RECORDID,
    BX_TAG_EXECUTION,
    BX_TAG_CHANNEL,
    BX_TAG_COMPUTER,
    BX_TAG_SECURITY,
    BX_TAG_EVENTDATA,
    BX_TAG_USERDATA,
    BX_TAG_NAME,
    BX_TAG_SYSTEMTIME,
    BX_TAG_PROCESSID,
    BX_TAG_USERID,
};

/* The type of the values evtx_bx_tmpl_replay reports: `len` is the substitution index + 1. */
#define EVTX_BX_SYMBOLIC 0xFF

struct evtx_bx;
struct evtx_bx_tmpl;

/* One typed value: a substitution value, borrowed from the chunk image. */
struct evtx_bx_val {
    const uint8_t *p; /* borrowed: inside the chunk */
    uint32_t len;     /* bytes */
    uint8_t type;     /* enum evtx_vtype */
};

/*
 * What a decode reports, in document order. Names are UTF-8 without the
 * namespace prefix removed, `tag` their class. Text is UTF-8, unescaped.
 * Each callback returns 0 to go on or a negative SHO_E* code to stop.
 */
struct evtx_bx_sink {
    int (*open)(void *ctx, const char *name, size_t len, unsigned tag);
    int (*attr)(void *ctx, const char *name, size_t len, unsigned tag); /* value follows */
    int (*content)(void *ctx); /* the start tag is complete (attributes done) */
    int (*close)(void *ctx);   /* the element ends */
    int (*text)(void *ctx, const char *s, size_t len);
    int (*value)(void *ctx, const struct evtx_bx_val *v); /* never NULL-typed or binary XML */
    /*
     * Optional (may be NULL): a record that is one template instance, offered
     * whole before it is replayed through the callbacks above (records only,
     * never a fragment nested in a value). Returns 1 when
     * the sink applied it itself, 0 to have it replayed, or a negative code.
     */
    int (*instance)(void *ctx, struct evtx_bx *bx, struct evtx_bx_tmpl *t,
                    const struct evtx_bx_val *vals, size_t count);
    void *ctx;
};

/* A decoder with an empty template cache. Caller frees with evtx_bx_free. */
struct evtx_bx *evtx_bx_new(void);
void evtx_bx_free(struct evtx_bx *bx);

/*
 * Start decoding records of the chunk image `chunk` (`len` bytes, normally
 * EVTX_CHUNK_SIZE), borrowed until the next call. Template offsets seen in
 * the previous chunk are forgotten; compiled templates are kept (and the
 * cache emptied when it reaches its bound).
 */
void evtx_bx_chunk(struct evtx_bx *bx, const uint8_t *chunk, size_t len);

/*
 * Decode the binary XML at chunk offsets [off, end) (one record's) into
 * `sink`. Returns 0; SHO_ECORRUPT or SHO_ELIMIT with err->msg naming the
 * problem and err->offset the chunk offset where it was found; or the sink's
 * code.
 */
SHO_NODISCARD int evtx_bx_decode(struct evtx_bx *bx, uint32_t off, uint32_t end,
                                 const struct evtx_bx_sink *sink, struct sho_err *err);

/*
 * A sink's own data about a compiled template (for instance what it keeps of
 * it), freed with `user_free` when the template leaves the cache. NULL until set.
 */
void *evtx_bx_tmpl_user(const struct evtx_bx_tmpl *t);
void evtx_bx_tmpl_set_user(struct evtx_bx_tmpl *t, void *user, void (*user_free)(void *));

/*
 * Replay template `t` into `sink` without values: each substitution is
 * reported as a value of type EVTX_BX_SYMBOLIC whose `len` is its index + 1
 * (and `p` NULL), and no attribute is left out. Returns 0 or the sink's code.
 */
SHO_NODISCARD int evtx_bx_tmpl_replay(struct evtx_bx *bx, const struct evtx_bx_tmpl *t,
                                      const struct evtx_bx_sink *sink, struct sho_err *err);

/* Templates compiled and templates reused from the cache so far (for tests and -vv). */
void evtx_bx_stats(const struct evtx_bx *bx, uint64_t *compiled, uint64_t *reused);

#endif /* SHOSEKI_EVTX_BINXML_H */
