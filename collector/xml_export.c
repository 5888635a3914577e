/*
 * xml_export: Windows events exported as XML -> the same events as from the
 * EVTX they came from. Two shapes exist: `wevtutil qe /f:xml` writes <Event>
 * elements back to back with no root and no declaration (often all on one
 * line); Event Viewer "Save as XML" (and python-evtx's evtx_dump) wraps them
 * in <Events> after an XML declaration. Either way each <Event>...</Event> is
 * cut out of the text (an Event element never nests another) and read by the
 * same expat reader and normalization as libevtx's rendering of a record.
 * An event's source_offset is the byte offset of its "<Event".
 */
#include <string.h>

#include "textsrc.h"

#define XML_EVENT_MAX ((size_t)16 << 20) /* bytes of one <Event> element */

struct xml_state {
    struct textsrc_file *f;
    struct sho_buf elem; /* the element being collected */
    bool is_in;          /* inside an <Event> */
    bool is_too_large;   /* this element passed XML_EVENT_MAX */
    int64_t offset;      /* of its "<Event" */
    uint64_t line;       /* of its "<Event" */
};

/* The next "<Event" that starts an Event element (not <Events>) at or after `p`. */
static const char *xml_find_start(const char *p, const char *end)
{
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if (end - p >= 7 && memcmp(p, "<Event", 6) == 0 &&
            (p[6] == ' ' || p[6] == '>' || p[6] == '\t' || p[6] == '/')) {
            return p;
        }
        p++;
    }
    return NULL;
}

static int xml_element(struct xml_state *x, struct sho_err *err)
{
    struct textsrc_file *f = x->f;
    struct sho_textsrc *t = f->t;
    struct sho_event ev;
    struct sho_err perr;
    int rc;

    f->st->records++;
    if (x->is_too_large) {
        textsrc_problem(f, SHO_SKIP_TOO_LARGE, true, x->offset, x->line,
                        "<Event> element larger than 16 MiB: skipped");
        return 0;
    }
    sho_err_clear(&perr);
    rc = evtx_xml_parse(t->xml, x->elem.data, x->elem.len, &t->rec, &perr);
    if (rc != 0) {
        textsrc_problem(f, rc == SHO_ELIMIT ? SHO_SKIP_TOO_LARGE : SHO_SKIP_XML, true, x->offset,
                        x->line, perr.msg);
        return 0;
    }
    f->st->read++;
    if (f->sink->record != NULL && (t->rec.has & WINREC_HAS_RECORD_ID) != 0) {
        f->sink->record(f->sink->ctx, winrec_str(&t->rec, t->rec.computer),
                        winrec_str(&t->rec, t->rec.channel), t->rec.record_id,
                        (t->rec.has & WINREC_HAS_TIME) != 0 ? t->rec.time : 0);
    }
    if (!normalizer_run(t->normalizer, &t->rec, &ev)) {
        return 0;
    }
    ev.source_offset = x->offset;
    ev.has |= SHO_HAS_SOURCE_OFFSET;
    return textsrc_event(f, &ev, err);
}

static void xml_add(struct xml_state *x, const char *p, size_t n)
{
    if (!x->is_too_large && sho_buf_append(&x->elem, p, n) != 0) {
        x->is_too_large = true;
    }
}

/* One line: start, continue and finish elements. Returns 0 or the sink's code. */
static int xml_line(struct xml_state *x, const struct text_line *l, struct sho_err *err)
{
    const char *p = l->text, *end = l->text + l->len, *close;
    int rc;

    for (;;) {
        if (!x->is_in) {
            p = xml_find_start(p, end);
            if (p == NULL) {
                return 0;
            }
            x->is_in = true;
            x->is_too_large = false;
            x->offset = l->offset + (p - l->text);
            x->line = l->number;
            sho_buf_reset(&x->elem);
        }
        close = strstr(p, "</Event>");
        if (close == NULL) {
            xml_add(x, p, (size_t)(end - p));
            xml_add(x, "\n", 1);
            return 0;
        }
        xml_add(x, p, (size_t)(close + 8 - p));
        x->is_in = false;
        rc = xml_element(x, err);
        if (rc != 0) {
            return rc;
        }
        p = close + 8;
    }
}

int textsrc_read_xml(struct textsrc_file *f, struct text_lines *lines, struct sho_err *err)
{
    struct xml_state x;
    struct text_line l;
    int rc;

    memset(&x, 0, sizeof(x));
    x.f = f;
    sho_buf_init(&x.elem, XML_EVENT_MAX);
    while ((rc = text_lines_next(lines, &l, err)) == 1) {
        if (l.is_too_long || l.has_nul) {
            (void)textsrc_line_bad(f, &l);
            x.is_in = false;
            continue;
        }
        rc = xml_line(&x, &l, err);
        if (rc != 0) {
            break;
        }
    }
    if (rc == 0 && x.is_in) {
        f->st->records++;
        textsrc_problem(f, SHO_SKIP_XML, true, x.offset, x.line,
                        "<Event> element not closed before the end of the file");
    }
    sho_buf_release(&x.elem);
    return rc < 0 ? rc : 0;
}
