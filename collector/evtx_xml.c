/*
 * evtx_xml: Event XML -> winrec with expat (a stream parser: no DOM, no
 * allocation per node). The schema is Microsoft's event schema
 * (http://schemas.microsoft.com/win/2004/08/events/event):
 *
 *   Event / System / Provider@Name, EventID, Version, Task, Keywords,
 *                    TimeCreated@SystemTime, EventRecordID, Execution@ProcessID,
 *                    Channel, Computer, Security@UserID
 *   Event / EventData / Data@Name = text      -> field (Name, text)
 *   Event / UserData / <Wrapper> / <Leaf>     -> field (Leaf, text), any depth
 *
 * Invariants: text is captured only for the element being read, nested text
 * inside a UserData element that turns out not to be a leaf is dropped, and
 * every byte stored goes through the winrec's bounded arena.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "evtx_xml.h"

#define XML_TEXT_LIMIT ((size_t)16 * 1024 * 1024)

enum xml_section { SEC_NONE, SEC_SYSTEM, SEC_EVENTDATA, SEC_USERDATA, SEC_OTHER };

enum xml_target {
    T_NONE,
    T_EVENT_ID,
    T_VERSION,
    T_TASK,
    T_KEYWORDS,
    T_RECORD_ID,
    T_CHANNEL,
    T_COMPUTER,
    T_FIELD
};

struct evtx_xml {
    XML_Parser parser;        /* owned */
    struct winrec *rec;       /* borrowed during a parse */
    unsigned depth;           /* element depth, <Event> is 1 */
    enum xml_section section; /* which part of <Event> we are in */
    enum xml_target target;   /* what the captured text is for */
    unsigned target_depth;    /* depth of the element being captured */
    unsigned data_index;      /* unnamed <Data> counter */
    struct sho_buf name;      /* field name of the capture */
    struct sho_buf text;      /* captured character data */
    int error;                /* first storage error, stops the parse */
    struct sho_buf clean;     /* retry copy with control characters replaced */
};

static const char *xml_local(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon != NULL ? colon + 1 : name;
}

static const char *xml_attr(const char **attrs, const char *want)
{
    size_t i;

    for (i = 0; attrs[i] != NULL; i += 2) {
        if (strcmp(xml_local(attrs[i]), want) == 0) {
            return attrs[i + 1];
        }
    }
    return NULL;
}

static void xml_fail(struct evtx_xml *x, int rc)
{
    if (x->error == 0) {
        x->error = rc;
        XML_StopParser(x->parser, XML_FALSE);
    }
}

static void xml_store_str(struct evtx_xml *x, const char *s, uint32_t *off)
{
    int rc;

    if (s == NULL) {
        return;
    }
    rc = winrec_store(x->rec, s, strlen(s), off);
    if (rc != 0) {
        xml_fail(x, rc);
    }
}

static void xml_begin(struct evtx_xml *x, enum xml_target target, const char *field_name)
{
    x->target = target;
    x->target_depth = x->depth;
    sho_buf_reset(&x->text);
    sho_buf_reset(&x->name);
    if (field_name != NULL && sho_buf_appends(&x->name, field_name) != 0) {
        xml_fail(x, SHO_ELIMIT);
    }
}

static void xml_system_start(struct evtx_xml *x, const char *el, const char **attrs)
{
    struct winrec *r = x->rec;
    uint64_t v;
    const char *a;

    if (strcmp(el, "Provider") == 0) {
        xml_store_str(x, xml_attr(attrs, "Name"), &r->provider);
    } else if (strcmp(el, "TimeCreated") == 0) {
        a = xml_attr(attrs, "SystemTime");
        if (a != NULL && sho_time_parse_iso(a, strlen(a), &r->time) == 0) {
            r->has |= WINREC_HAS_TIME;
        }
    } else if (strcmp(el, "Execution") == 0) {
        a = xml_attr(attrs, "ProcessID");
        if (a != NULL && sho_parse_u64(a, UINT32_MAX, SHO_PARSE_HEX, &v) == 0) {
            r->exec_pid = (uint32_t)v;
            r->has |= WINREC_HAS_EXEC_PID;
        }
    } else if (strcmp(el, "Security") == 0) {
        xml_store_str(x, xml_attr(attrs, "UserID"), &r->security_id);
    } else if (strcmp(el, "EventID") == 0) {
        xml_begin(x, T_EVENT_ID, NULL);
    } else if (strcmp(el, "Version") == 0) {
        xml_begin(x, T_VERSION, NULL);
    } else if (strcmp(el, "Task") == 0) {
        xml_begin(x, T_TASK, NULL);
    } else if (strcmp(el, "Keywords") == 0) {
        xml_begin(x, T_KEYWORDS, NULL);
    } else if (strcmp(el, "EventRecordID") == 0) {
        xml_begin(x, T_RECORD_ID, NULL);
    } else if (strcmp(el, "Channel") == 0) {
        xml_begin(x, T_CHANNEL, NULL);
    } else if (strcmp(el, "Computer") == 0) {
        xml_begin(x, T_COMPUTER, NULL);
    }
}

static void XMLCALL xml_start(void *ud, const char *name, const char **attrs)
{
    struct evtx_xml *x = ud;
    const char *el = xml_local(name);

    x->depth++;
    if (x->depth == 2) {
        x->section = strcmp(el, "System") == 0      ? SEC_SYSTEM
                     : strcmp(el, "EventData") == 0 ? SEC_EVENTDATA
                     : strcmp(el, "UserData") == 0  ? SEC_USERDATA
                                                    : SEC_OTHER;
        return;
    }
    if (x->depth == 3 && x->section == SEC_SYSTEM) {
        xml_system_start(x, el, attrs);
    } else if (x->depth == 3 && x->section == SEC_EVENTDATA) {
        const char *field = xml_attr(attrs, "Name");
        char unnamed[32];
        if (field == NULL) {
            /* Classic events carry unnamed <Data>; number them so none is lost. */
            (void)snprintf(unnamed, sizeof(unnamed), "%s%u", el, x->data_index++);
            field = unnamed;
        }
        xml_begin(x, T_FIELD, field);
    } else if (x->depth >= 4 && x->section == SEC_USERDATA) {
        /* A new child means the element being captured was a wrapper, not a leaf. */
        xml_begin(x, T_FIELD, el);
    }
}

static void xml_finish_target(struct evtx_xml *x)
{
    struct winrec *r = x->rec;
    const char *t = x->text.data != NULL ? x->text.data : "";
    uint64_t v;
    int rc = 0;

    switch (x->target) {
    case T_EVENT_ID:
        if (sho_parse_u64n(t, x->text.len, UINT32_MAX, 0, &v) == 0) {
            r->event_id = (uint32_t)v;
            r->has |= WINREC_HAS_EVENT_ID;
        }
        break;
    case T_VERSION:
    case T_TASK:
        if (sho_parse_u64n(t, x->text.len, UINT32_MAX, 0, &v) == 0) {
            *(x->target == T_VERSION ? &r->version : &r->task) = (uint32_t)v;
            r->has |= x->target == T_VERSION ? WINREC_HAS_VERSION : WINREC_HAS_TASK;
        }
        break;
    case T_KEYWORDS:
        if (sho_parse_u64n(t, x->text.len, UINT64_MAX, SHO_PARSE_HEX, &v) == 0) {
            r->keywords = v;
            r->has |= WINREC_HAS_KEYWORDS;
        }
        break;
    case T_RECORD_ID:
        if (sho_parse_u64n(t, x->text.len, UINT64_MAX, 0, &v) == 0) {
            r->record_id = v;
            r->has |= WINREC_HAS_RECORD_ID;
        }
        break;
    case T_CHANNEL:
        rc = winrec_store(r, t, x->text.len, &r->channel);
        break;
    case T_COMPUTER:
        rc = winrec_store(r, t, x->text.len, &r->computer);
        break;
    case T_FIELD:
        rc = winrec_add_field(r, x->name.data != NULL ? x->name.data : "", x->name.len, t,
                              x->text.len);
        break;
    default:
        break;
    }
    if (rc != 0) {
        xml_fail(x, rc);
    }
}

static void XMLCALL xml_end(void *ud, const char *name)
{
    struct evtx_xml *x = ud;

    (void)name;
    if (x->target != T_NONE && x->depth == x->target_depth) {
        xml_finish_target(x);
        x->target = T_NONE;
    }
    if (x->depth == 2) {
        x->section = SEC_NONE;
    }
    x->depth--;
}

static void XMLCALL xml_text(void *ud, const char *s, int len)
{
    struct evtx_xml *x = ud;

    if (x->target == T_NONE || x->depth != x->target_depth || len <= 0) {
        return;
    }
    if (sho_buf_append(&x->text, s, (size_t)len) != 0) {
        xml_fail(x, SHO_ELIMIT);
    }
}

struct evtx_xml *evtx_xml_new(void)
{
    struct evtx_xml *x = sho_xcalloc(1, sizeof(*x));

    x->parser = XML_ParserCreate("UTF-8");
    if (x->parser == NULL) {
        free(x);
        return NULL;
    }
    sho_buf_init(&x->name, 4096);
    sho_buf_init(&x->text, XML_TEXT_LIMIT);
    sho_buf_init(&x->clean, XML_TEXT_LIMIT * 2);
    return x;
}

void evtx_xml_free(struct evtx_xml *x)
{
    if (x == NULL) {
        return;
    }
    XML_ParserFree(x->parser);
    sho_buf_release(&x->name);
    sho_buf_release(&x->text);
    sho_buf_release(&x->clean);
    free(x);
}

static int xml_run(struct evtx_xml *x, const char *xml, size_t len, struct winrec *r,
                   struct sho_err *err)
{
    enum XML_Status st;

    winrec_reset(r);
    (void)XML_ParserReset(x->parser, "UTF-8");
    XML_SetUserData(x->parser, x);
    XML_SetElementHandler(x->parser, xml_start, xml_end);
    XML_SetCharacterDataHandler(x->parser, xml_text);
    x->rec = r;
    x->depth = 0;
    x->section = SEC_NONE;
    x->target = T_NONE;
    x->data_index = 0;
    x->error = 0;
    if (len > (size_t)INT_MAX) {
        return sho_err_set(err, SHO_ELIMIT, NULL, -1, "event XML too large (%zu bytes)", len);
    }
    st = XML_Parse(x->parser, xml, (int)len, XML_TRUE);
    if (x->error != 0) {
        return sho_err_set(err, x->error, NULL, -1, "event record too large to decode");
    }
    if (st != XML_STATUS_OK) {
        return sho_err_set(err, SHO_ECORRUPT, NULL, -1, "event XML not well-formed: %s at byte %ld",
                           XML_ErrorString(XML_GetErrorCode(x->parser)),
                           (long)XML_GetCurrentByteIndex(x->parser));
    }
    return 0;
}

/* Copy `xml` with C0 controls other than tab, LF and CR replaced by U+FFFD. */
static int xml_clean(struct evtx_xml *x, const char *xml, size_t len)
{
    size_t i;
    int rc = 0;

    sho_buf_reset(&x->clean);
    for (i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)xml[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            rc = sho_buf_append(&x->clean, "\xEF\xBF\xBD", 3);
        } else {
            rc = sho_buf_putc(&x->clean, (char)c);
        }
    }
    return rc;
}

int evtx_xml_parse(struct evtx_xml *x, const char *xml, size_t len, struct winrec *r,
                   struct sho_err *err)
{
    int rc = xml_run(x, xml, len, r, err);

    if (rc == SHO_ECORRUPT && XML_GetErrorCode(x->parser) == XML_ERROR_INVALID_TOKEN &&
        xml_clean(x, xml, len) == 0) {
        rc = xml_run(x, x->clean.data, x->clean.len, r, err);
    }
    return rc;
}
