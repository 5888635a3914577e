/*
 * report_sessions: `shoseki report sessions`, logon sessions (host and
 * LogonId, as 4624 opens them and 4634/4647 close them) with the file
 * activity in each: who logged on, from where and how, when, and the events
 * and distinct files of the session in the window. Sessions without file
 * activity and system sessions (SYSTEM, LOCAL/NETWORK SERVICE) are left out.
 */
#include <stdlib.h>

#include "report_priv.h"

static const struct qo_col session_cols[] = {
    { "host", "HOST", QO_STR },        { "logon_id", "LOGON ID", QO_STR },
    { "user", "USER", QO_STR },        { "user_sid", NULL, QO_STR },
    { "logon_type", "TYPE", QO_NUM },  { "client_ip", "FROM", QO_STR },
    { "logon", "LOGON", QO_STR },      { "logoff", "LOGOFF", QO_STR },
    { "first", "FIRST", QO_STR },      { "last", "LAST", QO_STR },
    { "events", "EVENTS", QO_NUM },    { "files", "FILES", QO_NUM },
    { "actions", "ACTIONS", QO_ACTS },
};

struct sessions {
    struct qo_writer *w;
    uint64_t rows;
    struct sho_err err;
};

static int session_out(void *ctx, const struct sho_index_session *s)
{
    struct sessions *ss = ctx;
    struct sho_index_row who = { 0 };
    char *c[SHO_ARRAY_COUNT(session_cols)];
    char id[24];

    who.user_sid = s->user_sid;
    who.user = s->user;
    who.domain = s->domain;
    (void)snprintf(id, sizeof(id), "0x%llx", (unsigned long long)s->logon_id);
    c[0] = qo_cell_str(s->host);
    c[1] = qo_cell_str(id);
    c[2] = ra_person_label(&who);
    c[3] = qo_cell_str(s->user_sid);
    c[4] = s->logon_type != 0 ? qo_cell_num(s->logon_type) : NULL;
    c[5] = qo_cell_str(s->client_ip);
    c[6] = s->logon_time != 0 ? qo_cell_time(ss->w, s->logon_time) : NULL;
    c[7] = s->logoff_time != 0 ? qo_cell_time(ss->w, s->logoff_time) : NULL;
    c[8] = qo_cell_time(ss->w, s->first);
    c[9] = qo_cell_time(ss->w, s->last);
    c[10] = qo_cell_num(s->events);
    c[11] = qo_cell_num(s->files);
    c[12] = NULL;
    ss->rows++;
    return qo_put_cells(ss->w, c, s->actions, &ss->err);
}

int rs_sessions(struct rp_opts *o, uint64_t *rows)
{
    struct sessions ss;
    int rc;

    ss.w =
        qo_new_cols(o->out, o->fmt, o->excel, &o->tz, session_cols, SHO_ARRAY_COUNT(session_cols));
    ss.rows = 0;
    sho_err_clear(&ss.err);
    rc = sho_index_sessions(o->ix, &o->base, session_out, &ss, &ss.err);
    rc = rc == 0 ? qo_finish(ss.w, &ss.err) : rc;
    qo_free(ss.w);
    *rows += ss.rows;
    if (rc != 0) {
        sho_log_err(SHO_LOG_ERROR, &ss.err);
        return rc == SHO_ETAMPER || rc == SHO_ECORRUPT ? SHO_EXIT_VERIFY : SHO_EXIT_SYSTEM;
    }
    return 0;
}
