#ifndef SHOSEKI_EVTX_XML_H
#define SHOSEKI_EVTX_XML_H

/*
 * evtx_xml (private to collector/): reads the XML rendering of one Windows
 * event (<Event xmlns=".../event"><System>...</System><EventData>...) into a
 * winrec. Used on libevtx's output; the same schema is what wevtutil and
 * Event Viewer export, so the XML-export reader can reuse it.
 */

#include <stddef.h>

#include "shoseki/common.h"
#include "winrec.h"

struct evtx_xml;

/* A reusable parser. Caller frees with evtx_xml_free. */
struct evtx_xml *evtx_xml_new(void);
void evtx_xml_free(struct evtx_xml *x);

/*
 * Parse the `len` bytes at `xml` (one <Event> element) into `r`, which is reset
 * first. Control characters that make the text ill-formed XML are replaced
 * by U+FFFD and the parse retried once. Returns 0, or SHO_ECORRUPT /
 * SHO_ELIMIT with err->msg naming the problem (path and offset are the
 * caller's to fill).
 */
SHO_NODISCARD int evtx_xml_parse(struct evtx_xml *x, const char *xml, size_t len, struct winrec *r,
                                 struct sho_err *err);

#endif /* SHOSEKI_EVTX_XML_H */
