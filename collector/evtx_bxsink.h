#ifndef SHOSEKI_EVTX_BXSINK_H
#define SHOSEKI_EVTX_BXSINK_H

/*
 * evtx_bxsink (private to collector/): the two consumers of decoded binary
 * XML. evtx_bxrec fills a winrec exactly as evtx_xml.c does from libevtx's
 * XML rendering of the same record (the hot path: no XML text); evtx_bxxml
 * renders the record as XML, indented as libevtx does (for `shoseki cat`).
 */

#include <stdint.h>

#include "evtx_binxml.h"
#include "shoseki/common.h"
#include "winrec.h"

struct evtx_bxrec;

/* A reusable winrec builder. Caller frees with evtx_bxrec_free. */
struct evtx_bxrec *evtx_bxrec_new(void);
void evtx_bxrec_free(struct evtx_bxrec *s);

/*
 * Decode the record binary XML at chunk offsets [off, end) of the chunk
 * given to `bx` into `r`, which is reset first. Returns 0, or SHO_ECORRUPT /
 * SHO_ELIMIT with err->msg naming the problem (err->offset: chunk offset).
 */
SHO_NODISCARD int evtx_bxrec_decode(struct evtx_bxrec *s, struct evtx_bx *bx, uint32_t off,
                                    uint32_t end, struct winrec *r, struct sho_err *err);

/*
 * Render the record binary XML at [off, end) as XML text appended to `out`
 * (one <Event> element, two-space indentation, a final newline). Returns 0,
 * or SHO_ECORRUPT / SHO_ELIMIT with err->msg set.
 */
SHO_NODISCARD int evtx_bxxml_render(struct evtx_bx *bx, uint32_t off, uint32_t end,
                                    struct sho_buf *out, struct sho_err *err);

#endif /* SHOSEKI_EVTX_BXSINK_H */
