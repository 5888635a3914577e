/*
 * evtx_bxxml: decoded binary XML -> XML text, for `shoseki cat` (never on the
 * collect path). The layout is libevtx's: one element per line, indented by
 * two spaces per level, text content on the element's line, empty elements
 * as <Name/>, and a final newline. Text is escaped (& < > and, in attribute
 * values, "); names are written as the file spells them.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_bxsink.h"
#include "evtx_value.h"

#define XML_OUT_MAX_DEPTH 64 /* elements open at once that are rendered */
#define XML_NAMES_LIMIT   ((size_t)1 << 20)

struct xml_out {
    struct sho_buf *out;                  /* borrowed */
    struct sho_buf names;                 /* names of the open elements, NUL-separated */
    size_t name_at[XML_OUT_MAX_DEPTH];    /* offset of each open element's name */
    bool has_children[XML_OUT_MAX_DEPTH]; /* element had a child element */
    bool has_text[XML_OUT_MAX_DEPTH];     /* element had text */
    unsigned depth;                       /* open elements */
    bool in_start;                        /* "<Name attrs" written, ">" not yet */
    bool in_attr;                         /* inside an attribute value's quotes */
    struct sho_buf scratch;               /* a value's text before escaping */
};

static int xo_put(struct xml_out *x, const char *s, size_t len)
{
    return sho_buf_append(x->out, s, len) == 0 ? 0 : SHO_ELIMIT;
}

static int xo_indent(struct xml_out *x, unsigned level)
{
    unsigned i;
    int rc = 0;

    for (i = 0; rc == 0 && i < level; i++) {
        rc = xo_put(x, "  ", 2);
    }
    return rc;
}

static int xo_escaped(struct xml_out *x, const char *s, size_t len)
{
    size_t i, from = 0;
    int rc = 0;

    for (i = 0; rc == 0 && i < len; i++) {
        const char *rep = s[i] == '&'                 ? "&amp;"
                          : s[i] == '<'               ? "&lt;"
                          : s[i] == '>'               ? "&gt;"
                          : s[i] == '"' && x->in_attr ? "&quot;"
                                                      : NULL;
        if (rep != NULL) {
            rc = xo_put(x, s + from, i - from);
            if (rc == 0) {
                rc = xo_put(x, rep, strlen(rep));
            }
            from = i + 1;
        }
    }
    return rc == 0 ? xo_put(x, s + from, len - from) : rc;
}

/* End a pending attribute and start tag before content. */
static int xo_end_attr(struct xml_out *x)
{
    if (!x->in_attr) {
        return 0;
    }
    x->in_attr = false;
    return xo_put(x, "\"", 1);
}

static int xo_open_child(struct xml_out *x)
{
    int rc;

    if (x->depth == 0) {
        return 0;
    }
    if (x->in_start) {
        rc = xo_end_attr(x);
        if (rc == 0) {
            rc = xo_put(x, ">\n", 2);
        }
        x->in_start = false;
        if (rc != 0) {
            return rc;
        }
    } else if (!x->has_children[x->depth - 1]) {
        rc = xo_put(x, "\n", 1);
        if (rc != 0) {
            return rc;
        }
    }
    x->has_children[x->depth - 1] = true;
    return 0;
}

static int xo_open(void *ctx, const char *name, size_t len, unsigned tag)
{
    struct xml_out *x = ctx;
    int rc;

    (void)tag;
    rc = xo_open_child(x);
    if (rc == 0 && x->depth >= XML_OUT_MAX_DEPTH) {
        rc = SHO_ELIMIT;
    }
    if (rc == 0) {
        x->name_at[x->depth] = x->names.len;
        rc = sho_buf_append(&x->names, name, len) == 0 && sho_buf_putc(&x->names, '\0') == 0
                 ? 0
                 : SHO_ELIMIT;
    }
    if (rc == 0) {
        rc = xo_indent(x, x->depth);
    }
    if (rc == 0) {
        rc = xo_put(x, "<", 1);
    }
    if (rc == 0) {
        rc = xo_put(x, name, len);
    }
    x->has_children[x->depth] = false;
    x->has_text[x->depth] = false;
    x->depth++;
    x->in_start = true;
    return rc;
}

static int xo_attr(void *ctx, const char *name, size_t len, unsigned tag)
{
    struct xml_out *x = ctx;
    int rc;

    (void)tag;
    rc = xo_end_attr(x);
    if (rc == 0) {
        rc = xo_put(x, " ", 1);
    }
    if (rc == 0) {
        rc = xo_put(x, name, len);
    }
    if (rc == 0) {
        rc = xo_put(x, "=\"", 2);
    }
    x->in_attr = true;
    return rc;
}

static int xo_content(void *ctx)
{
    struct xml_out *x = ctx;

    return xo_end_attr(x);
}

static int xo_text(void *ctx, const char *s, size_t len)
{
    struct xml_out *x = ctx;
    int rc = 0;

    if (x->depth == 0) {
        return 0; /* text outside every element has no place in the document */
    }
    if (x->in_start && !x->in_attr) {
        rc = xo_put(x, ">", 1);
        x->in_start = false;
    }
    if (!x->in_attr && x->depth > 0) {
        x->has_text[x->depth - 1] = true;
    }
    return rc == 0 ? xo_escaped(x, s, len) : rc;
}

static int xo_value(void *ctx, const struct evtx_bx_val *v)
{
    struct xml_out *x = ctx;

    sho_buf_reset(&x->scratch);
    if (evtx_value_append(&x->scratch, v->type, v->p, v->len) != 0) {
        return SHO_ELIMIT;
    }
    return x->scratch.len == 0 ? 0 : xo_text(ctx, x->scratch.data, x->scratch.len);
}

static int xo_close(void *ctx)
{
    struct xml_out *x = ctx;
    const char *name;
    int rc;

    if (x->depth == 0) {
        return SHO_ECORRUPT;
    }
    rc = xo_end_attr(x);
    x->depth--;
    name = x->names.data + x->name_at[x->depth];
    if (rc == 0 && x->in_start) {
        rc = xo_put(x, "/>\n", 3);
    } else if (rc == 0) {
        if (x->has_children[x->depth]) {
            rc = xo_indent(x, x->depth);
        }
        if (rc == 0) {
            rc = xo_put(x, "</", 2);
        }
        if (rc == 0) {
            rc = xo_put(x, name, strlen(name));
        }
        if (rc == 0) {
            rc = xo_put(x, ">\n", 2);
        }
    }
    x->in_start = false;
    x->names.len = x->name_at[x->depth];
    return rc;
}

int evtx_bxxml_render(struct evtx_bx *bx, uint32_t off, uint32_t end, struct sho_buf *out,
                      struct sho_err *err)
{
    struct xml_out x;
    const struct evtx_bx_sink sink = { xo_open, xo_attr,  xo_content, xo_close,
                                       xo_text, xo_value, NULL,       &x };
    int rc;

    memset(&x, 0, sizeof(x));
    x.out = out;
    sho_buf_init(&x.names, XML_NAMES_LIMIT);
    sho_buf_init(&x.scratch, out->limit);
    rc = evtx_bx_decode(bx, off, end, &sink, err);
    if (rc != 0 && err != NULL && err->code == 0) {
        (void)sho_err_set(err, rc, NULL, off, "record cannot be rendered as XML");
    }
    sho_buf_release(&x.names);
    sho_buf_release(&x.scratch);
    return rc;
}
