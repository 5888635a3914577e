#ifndef SHOSEKI_EVENT_FIELDS_H
#define SHOSEKI_EVENT_FIELDS_H

/*
 * event_fields (private to event/): the ordered list of an event's output
 * fields, shared by the JSON, CSV and table renderers so that the three can
 * never disagree on names, order or how a number is spelled.
 */

#include <stdbool.h>
#include <stddef.h>

#include "shoseki/event.h"

enum event_field_kind {
    EVENT_FIELD_STRING = 0, /* JSON string */
    EVENT_FIELD_NUMBER = 1, /* JSON number */
    EVENT_FIELD_ACTIONS = 2 /* JSON array of action names */
};

struct event_field {
    const char *name;
    size_t name_len; /* strlen(name) */
    enum event_field_kind kind;
};

/* Room for the longest rendered number, time or action list (all 18 names fit). */
#define EVENT_FIELD_SCRATCH 256

/* Number of fields (with or without the trailing `ref`). */
size_t event_field_count(unsigned flags);
const struct event_field *event_field_get(size_t index);

/*
 * The text of field `index` of `ev`: a borrowed string from `ev`, or one
 * rendered into `scratch`. Returns NULL when the value is unknown. Actions are
 * rendered space-separated ("read write"); JSON splits them itself.
 */
const char *event_field_text(const struct sho_event *ev, size_t index,
                             char scratch[EVENT_FIELD_SCRATCH]);

/* The actions of `ev` space-separated in `scratch` ("read write"), or NULL when none. */
const char *event_actions_text(const struct sho_event *ev, char scratch[EVENT_FIELD_SCRATCH]);

#endif /* SHOSEKI_EVENT_FIELDS_H */
