/*
 * normalize_eventlog: Microsoft-Windows-Eventlog records. 1102 (Security log
 * cleared) and 104 (another log cleared) are the evidence that evidence was
 * destroyed. They carry no EventData: the person is in
 * UserData/LogFileCleared/Subject*; 104 also names the cleared Channel
 * (which the record's own System/Channel, "System", does not).
 */
#include "normalize_priv.h"

enum norm_class norm_eventlog(struct normalizer *n, const struct winrec *r, struct sho_event *ev)
{
    (void)n;
    if (ev->event_id != 1102 && ev->event_id != 104) {
        return NORM_NONE;
    }
    norm_person(r, NORM_SUBJECT, ev);
    ev->actions = SHO_ACT_LOG_CLEARED;
    ev->object_type = "Log";
    ev->path = ev->event_id == 104 ? winrec_get(r, "Channel") : ev->channel;
    return NORM_INTEGRITY;
}
