/*
 * report_html_page: the HTML report's page: header, summary cards, marks,
 * the charts (report_html_svg.c), and the tables as one JSON document inside
 * a <script type="application/json"> that the inline script renders in pages
 * with sorting and filtering (report_html_assets.c). Every string from the
 * data is escaped: for HTML text and attributes by rh_html, for JSON inside a
 * script element by rh_json (which also escapes '<', so "</script>" in a file
 * name stays text).
 */
#include <stdlib.h>
#include <string.h>

#include "report_html_priv.h"

static const char *const messages[M_COUNT][2] = {
    [M_TITLE] = { "Access report", "アクセス調査レポート" },
    [M_PERSONS] = { "Persons", "人物" },
    [M_FILES] = { "Files", "ファイル" },
    [M_CLASSES] = { "Sensitive classes", "機密区分" },
    [M_HOSTS] = { "Hosts", "ホスト" },
    [M_EVENTS] = { "Events", "イベント" },
    [M_FIRST] = { "First event", "最初のイベント" },
    [M_LAST] = { "Last event", "最後のイベント" },
    [M_MARKS] = { "Marks", "注意点" },
    [M_AFTER] = { "After hours", "業務時間外" },
    [M_BURSTS] = { "Bursts", "大量アクセス" },
    [M_CLEARS] = { "Log clears", "ログ消去" },
    [M_GAPS] = { "Record-id gaps", "レコード番号の欠落" },
    [M_TIMELINE] = { "Events over time", "イベントの推移" },
    [M_BY_PERSON] = { "Activity by person", "人物別の操作" },
    [M_TOP_FILES] = { "Top files", "よく操作されたファイル" },
    [M_SELECTION] = { "Selection", "対象" },
    [M_WINDOW] = { "Window", "期間" },
    [M_ZONE] = { "Time zone", "タイムゾーン" },
    [M_GENERATED] = { "Generated", "作成日時" },
    [M_DATA] = { "Data", "データ" },
    [M_POLICY] = { "Policy", "ポリシー" },
    [M_NONE] = { "none", "なし" },
    [M_READ] = { "read", "読み取り" },
    [M_WRITE] = { "write", "書き込み" },
    [M_CREATE] = { "create / rename", "作成・名前変更" },
    [M_DELETE] = { "delete", "削除" },
    [M_PERM] = { "permissions", "権限変更" },
    [M_CONNECT] = { "connect / logon", "接続・ログオン" },
    [M_OTHER] = { "other", "その他" },
    [M_FAILED] = { "Failed", "失敗" },
    [M_PERSON] = { "Person", "人物" },
    [M_PATH] = { "Path", "パス" },
    [M_CLASS] = { "Class", "区分" },
    [M_HOST] = { "Host", "ホスト" },
    [M_TIME] = { "Time", "日時" },
    [M_ACTIONS] = { "Actions", "操作" },
    [M_OUTCOME] = { "Outcome", "結果" },
    [M_REF] = { "Ref", "参照" },
    [M_FILTER] = { "Filter", "絞り込み" },
    [M_ROWS_NOTE] = { "rows are embedded in this page", "行をこのページに収録" },
    [M_NO_EVENTS] = { "No event was selected.", "該当するイベントはありません。" },
    [M_CHANNEL] = { "Channel", "チャネル" },
    [M_MISSING] = { "missing", "欠落" },
    [M_BETWEEN] = { "between", "区間" },
    [M_BY] = { "by", "実行者" },
    [M_TABLES] = { "Details", "詳細" },
    [M_EVENT_ROWS] = { "Events (with ref)", "イベント一覧（参照付き）" },
    [M_GAPS_PARTIAL] = { "some channels had too many gaps to follow",
                         "欠落が多すぎて追えないチャネルがあります" },
    [M_NOSCRIPT] = { "The tables need JavaScript.", "表の表示には JavaScript が必要です。" },
    [M_BUCKET] = { "one bar", "棒1本" },
    [M_N_FILES] = { "files", "ファイル" },
    [M_N_EVENTS] = { "events", "イベント" },
    [M_AFTER_NOTE] = { "file events outside business hours", "業務時間外のファイル操作" },
};

const char *rh_msg(enum rh_lang lang, int id)
{
    return messages[id][lang];
}

void rh_html(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '&':
            (void)fputs("&amp;", f);
            break;
        case '<':
            (void)fputs("&lt;", f);
            break;
        case '>':
            (void)fputs("&gt;", f);
            break;
        case '"':
            (void)fputs("&quot;", f);
            break;
        case '\'':
            (void)fputs("&#39;", f);
            break;
        default:
            (void)fputc(*s, f);
        }
    }
}

void rh_json(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

    if (s == NULL) {
        (void)fputs("null", f);
        return;
    }
    (void)fputc('"', f);
    for (; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            (void)fputc('\\', f);
            (void)fputc(*p, f);
        } else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
            (void)fprintf(f, "\\u%04x", *p);
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            (void)fprintf(f, "\\u20%s", p[2] == 0xA8 ? "28" : "29"); /* JS line ends */
            p += 2;
        } else {
            (void)fputc(*p, f);
        }
    }
    (void)fputc('"', f);
}

void rh_time(const struct rh_agg *a, uint64_t ft, char out[SHO_TIME_ISO_MAX])
{
    (void)sho_tz_format(&a->tz, ft, out);
    out[10] = ' ';
    out[19] = '\0'; /* seconds are enough to read; the ref gives the rest */
}

static void rh_json_time(FILE *f, const struct rh_agg *a, uint64_t ft)
{
    char t[SHO_TIME_ISO_MAX];

    rh_time(a, ft, t);
    rh_json(f, t);
}

static void rh_json_actions(FILE *f, uint32_t actions)
{
    unsigned i;
    bool first = true;

    (void)fputc('"', f);
    for (i = 0; i < SHO_ACTION_COUNT; i++) {
        if ((actions & (1u << i)) != 0) {
            (void)fprintf(f, "%s%s", first ? "" : " ", sho_action_name(i));
            first = false;
        }
    }
    (void)fputc('"', f);
}

/* ---- header, cards, marks ---------------------------------------------------------- */

static void rh_card(FILE *f, const char *id, const char *value, const char *label,
                    const char *extra)
{
    (void)fprintf(f, "<div class=\"card\" id=\"%s\"><div class=\"n\">", id);
    rh_html(f, value);
    (void)fputs("</div><div class=\"l\">", f);
    rh_html(f, label);
    (void)fputs("</div>", f);
    if (extra != NULL) {
        (void)fputs("<div class=\"x\">", f);
        rh_html(f, extra);
        (void)fputs("</div>", f);
    }
    (void)fputs("</div>\n", f);
}

static void rh_cards(FILE *f, const struct rh_page *p)
{
    const struct rh_agg *a = p->a;
    char n[32], t[SHO_TIME_ISO_MAX];
    struct sho_buf names;
    size_t i;

    sho_buf_init(&names, (size_t)1 << 16);
    for (i = 0; i < a->classes.t.count; i++) {
        if (sho_buf_appendf(&names, "%s%s", i != 0 ? ", " : "", a->classes.t.entries[i].key) != 0) {
            break; /* shown cut */
        }
    }
    (void)fputs("<section class=\"cards\">\n", f);
    (void)snprintf(n, sizeof(n), "%zu", a->persons.t.count);
    rh_card(f, "sum-persons", n, rh_msg(p->lang, M_PERSONS), NULL);
    (void)snprintf(n, sizeof(n), "%zu", a->files.t.count);
    rh_card(f, "sum-files", n, rh_msg(p->lang, M_FILES), NULL);
    (void)snprintf(n, sizeof(n), "%zu", a->classes.t.count);
    rh_card(f, "sum-classes", n, rh_msg(p->lang, M_CLASSES),
            names.data != NULL ? names.data : NULL);
    (void)snprintf(n, sizeof(n), "%zu", a->hosts.t.count);
    rh_card(f, "sum-hosts", n, rh_msg(p->lang, M_HOSTS), NULL);
    (void)snprintf(n, sizeof(n), "%llu", (unsigned long long)a->events);
    rh_card(f, "sum-events", n, rh_msg(p->lang, M_EVENTS), NULL);
    if (a->events > 0) {
        rh_time(a, a->first, t);
        rh_card(f, "sum-first", t, rh_msg(p->lang, M_FIRST), NULL);
        rh_time(a, a->last, t);
        rh_card(f, "sum-last", t, rh_msg(p->lang, M_LAST), NULL);
    }
    (void)fputs("</section>\n", f);
    sho_buf_release(&names);
}

static void rh_header(FILE *f, const struct rh_page *p)
{
    char s[SHO_TIME_ISO_MAX], u[SHO_TIME_ISO_MAX], g[SHO_TIME_ISO_MAX];

    rh_time(p->a, p->since, s);
    rh_time(p->a, p->until, u);
    rh_time(p->a, p->generated, g);
    (void)fputs("<header><h1>", f);
    rh_html(f, rh_msg(p->lang, M_TITLE));
    (void)fputs(" <span class=\"sel\" id=\"selection\">", f);
    rh_html(f, p->selection);
    (void)fputs("</span></h1>\n<dl class=\"meta\">", f);
    (void)fprintf(f, "<dt>%s</dt><dd>", rh_msg(p->lang, M_WINDOW));
    rh_html(f, s);
    (void)fputs(" – ", f);
    rh_html(f, u);
    (void)fprintf(f, "</dd><dt>%s</dt><dd>", rh_msg(p->lang, M_ZONE));
    rh_html(f, p->info->tz);
    (void)fprintf(f, "</dd><dt>%s</dt><dd>", rh_msg(p->lang, M_GENERATED));
    rh_html(f, g);
    (void)fprintf(f, "</dd><dt>%s</dt><dd>", rh_msg(p->lang, M_DATA));
    rh_html(f, p->info->data_dir);
    (void)fprintf(f, "</dd><dt>%s</dt><dd>", rh_msg(p->lang, M_POLICY));
    rh_html(f, p->info->policy[0] != '\0' ? p->info->policy : rh_msg(p->lang, M_NONE));
    (void)fputs("</dd></dl></header>\n", f);
}

static void rh_mark_box(FILE *f, const char *id, const char *title, size_t n, const char *note)
{
    (void)fprintf(
        f, "<div class=\"mark%s\" id=\"%s\"><div class=\"mh\"><span class=\"mn\">%zu</span> ",
        n > 0 ? " hot" : "", id, n);
    rh_html(f, title);
    (void)fputs("</div>", f);
    if (note != NULL) {
        (void)fputs("<div class=\"x\">", f);
        rh_html(f, note);
        (void)fputs("</div>", f);
    }
    (void)fputs("<ul>", f);
}

static void rh_marks_list(FILE *f, const struct rh_page *p)
{
    const struct rh_marks *m = &p->a->marks;
    char t[SHO_TIME_ISO_MAX], t2[SHO_TIME_ISO_MAX];
    size_t i;

    (void)fprintf(f, "<section><h2>%s</h2><div class=\"marks\">\n", rh_msg(p->lang, M_MARKS));
    rh_mark_box(f, "mark-after", rh_msg(p->lang, M_AFTER), (size_t)p->a->after,
                rh_msg(p->lang, M_AFTER_NOTE));
    (void)fputs("</ul></div>\n", f);
    rh_mark_box(f, "mark-bursts", rh_msg(p->lang, M_BURSTS), m->burst_count, NULL);
    for (i = 0; i < m->burst_count && i < 50; i++) {
        rh_time(p->a, m->bursts[i].start, t);
        rh_time(p->a, m->bursts[i].end, t2);
        (void)fputs("<li><b>", f);
        rh_html(f, m->bursts[i].person);
        (void)fprintf(f, "</b> %s – %s<br><span class=\"x\">%llu %s, %llu %s</span></li>", t,
                      t2 + 11, (unsigned long long)m->bursts[i].files, rh_msg(p->lang, M_N_FILES),
                      (unsigned long long)m->bursts[i].events, rh_msg(p->lang, M_N_EVENTS));
    }
    (void)fputs("</ul></div>\n", f);
    rh_mark_box(f, "mark-clears", rh_msg(p->lang, M_CLEARS), m->clear_count, NULL);
    for (i = 0; i < m->clear_count && i < 50; i++) {
        rh_time(p->a, m->clears[i].time, t);
        (void)fprintf(f, "<li><b>%s</b> ", t);
        rh_html(f, m->clears[i].host);
        (void)fprintf(f, "<br><span class=\"x\">%s ", rh_msg(p->lang, M_BY));
        rh_html(f, m->clears[i].person);
        (void)fputs(" · ref ", f);
        rh_html(f, m->clears[i].ref);
        (void)fputs("</span></li>", f);
    }
    (void)fputs("</ul></div>\n", f);
    rh_mark_box(f, "mark-gaps", rh_msg(p->lang, M_GAPS), m->gap_count,
                m->gaps_partial ? rh_msg(p->lang, M_GAPS_PARTIAL) : NULL);
    for (i = 0; i < m->gap_count && i < 50; i++) {
        const struct rh_gap *g = &m->gaps[i];
        rh_time(p->a, g->after_time, t);
        (void)fputs("<li><b>", f);
        rh_html(f, g->host);
        (void)fputs("</b> ", f);
        rh_html(f, g->channel);
        (void)fprintf(f, "<br><span class=\"x\">%llu %s (%llu – %llu), %s</span></li>",
                      (unsigned long long)(g->before_id - g->after_id - 1),
                      rh_msg(p->lang, M_MISSING), (unsigned long long)g->after_id + 1,
                      (unsigned long long)g->before_id - 1, t);
    }
    (void)fputs("</ul></div>\n</div></section>\n", f);
}

/* ---- tables as JSON -------------------------------------------------------------------- */

static void rh_cols(FILE *f, const struct rh_page *p, const int *ids, const char *types)
{
    size_t i;

    (void)fputs("\"cols\":[", f);
    for (i = 0; types[i] != '\0'; i++) {
        (void)fputs(i != 0 ? ",[" : "[", f);
        rh_json(f, rh_msg(p->lang, ids[i]));
        (void)fprintf(f, ",\"%c\"]", types[i]);
    }
    (void)fputs("],", f);
}

static void rh_table_head(FILE *f, const struct rh_page *p, const char *id, int title, size_t total,
                          size_t shown)
{
    char note[256];

    (void)fprintf(f, "{\"id\":\"%s\",\"title\":", id);
    rh_json(f, rh_msg(p->lang, title));
    (void)fprintf(f, ",\"total\":%zu,\"note\":", total);
    if (shown < total) {
        (void)snprintf(note, sizeof(note), "%zu / %zu %s", shown, total,
                       rh_msg(p->lang, M_ROWS_NOTE));
        rh_json(f, note);
    } else {
        (void)fputs("null", f);
    }
    (void)fputc(',', f);
}

static void rh_cells_person(FILE *f, const struct ra_entry *e, const struct rh_stat *s)
{
    rh_json(f, e->key);
    (void)fprintf(f, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,", (unsigned long long)e->count,
                  (unsigned long long)s->items, (unsigned long long)s->n[RH_READ],
                  (unsigned long long)s->n[RH_WRITE], (unsigned long long)s->n[RH_CREATE],
                  (unsigned long long)s->n[RH_DELETE], (unsigned long long)s->after,
                  (unsigned long long)s->failed);
}

static void rh_cells_file(FILE *f, const struct ra_entry *e, const struct rh_stat *s)
{
    rh_json(f, e->key);
    (void)fputc(',', f);
    rh_json(f, e->str[0] != NULL ? e->str[0] : "");
    (void)fprintf(f, ",%llu,%llu,", (unsigned long long)e->count, (unsigned long long)s->items);
    rh_json_actions(f, e->actions);
    (void)fprintf(f, ",%llu,%llu,", (unsigned long long)s->after, (unsigned long long)s->failed);
}

static void rh_cells_class(FILE *f, const struct ra_entry *e, const struct rh_stat *s)
{
    rh_json(f, e->key);
    (void)fprintf(f, ",%llu,%llu,%llu,", (unsigned long long)e->count, (unsigned long long)s->items,
                  (unsigned long long)s->after);
}

static void rh_cells_host(FILE *f, const struct ra_entry *e, const struct rh_stat *s)
{
    rh_json(f, e->key);
    (void)fprintf(f, ",%llu,%llu,", (unsigned long long)e->count, (unsigned long long)s->after);
}

/* What a tally table shows: its id and title, column titles and types (s, n), its cells. */
struct rh_tally_spec {
    const char *id;
    int title;
    const int *cols;
    const char *types;
    /* the cells of one row before its first and last times, each followed by a comma */
    void (*cells)(FILE *f, const struct ra_entry *e, const struct rh_stat *s);
};

/* A tally as a table, most active first, at most `max` rows. */
static void rh_table_tally(FILE *f, const struct rh_page *p, const struct rh_tally_spec *spec,
                           const struct rh_table *t, size_t max)
{
    size_t *order = rh_table_order(t);
    size_t i, n = t->t.count < max ? t->t.count : max;

    rh_table_head(f, p, spec->id, spec->title, t->t.count, n);
    rh_cols(f, p, spec->cols, spec->types);
    (void)fputs("\"rows\":[", f);
    for (i = 0; i < n; i++) {
        const struct ra_entry *e = &t->t.entries[order[i]];
        (void)fputs(i != 0 ? ",\n[" : "\n[", f);
        spec->cells(f, e, &t->st[order[i]]);
        rh_json_time(f, p->a, e->first);
        (void)fputc(',', f);
        rh_json_time(f, p->a, e->last);
        (void)fputc(']', f);
    }
    (void)fputs("]}", f);
    free(order);
}

static void rh_table_events(FILE *f, const struct rh_page *p)
{
    static const int ids[] = { M_TIME,  M_PERSON, M_ACTIONS, M_OUTCOME,
                               M_CLASS, M_HOST,   M_PATH,    M_REF };
    const struct rh_agg *a = p->a;
    size_t i;

    rh_table_head(f, p, "events", M_EVENT_ROWS, (size_t)a->events, a->ev_count);
    rh_cols(f, p, ids, "ssssssss");
    (void)fputs("\"rows\":[", f);
    for (i = 0; i < a->ev_count; i++) {
        const struct rh_ev *e = &a->ev[i];
        (void)fputs(i != 0 ? ",\n[" : "\n[", f);
        rh_json_time(f, a, e->time);
        (void)fputc(',', f);
        rh_json(f, e->person != NULL ? e->person : "");
        (void)fputc(',', f);
        rh_json_actions(f, e->actions);
        (void)fputc(',', f);
        rh_json(f, sho_outcome_name(e->outcome));
        (void)fputc(',', f);
        rh_json(f, e->cls != NULL ? e->cls : "");
        (void)fputc(',', f);
        rh_json(f, e->host != NULL ? e->host : "");
        (void)fputc(',', f);
        rh_json(f, e->path != NULL ? e->path : "");
        (void)fputc(',', f);
        rh_json(f, e->ref);
        (void)fputc(']', f);
    }
    (void)fputs("]}", f);
}

static void rh_data(FILE *f, const struct rh_page *p)
{
    static const int person_cols[] = { M_PERSON, M_EVENTS, M_FILES,  M_READ,  M_WRITE, M_CREATE,
                                       M_DELETE, M_AFTER,  M_FAILED, M_FIRST, M_LAST };
    static const int file_cols[] = { M_PATH,  M_CLASS,  M_EVENTS, M_PERSONS, M_ACTIONS,
                                     M_AFTER, M_FAILED, M_FIRST,  M_LAST };
    static const int class_cols[] = { M_CLASS, M_EVENTS, M_FILES, M_AFTER, M_FIRST, M_LAST };
    static const int host_cols[] = { M_HOST, M_EVENTS, M_AFTER, M_FIRST, M_LAST };
    static const struct rh_tally_spec specs[] = {
        { "persons", M_PERSONS, person_cols, "snnnnnnnnss", rh_cells_person },
        { "files", M_FILES, file_cols, "ssnnsnnss", rh_cells_file },
        { "classes", M_CLASSES, class_cols, "snnnss", rh_cells_class },
        { "hosts", M_HOSTS, host_cols, "snnss", rh_cells_host },
    };
    const struct rh_table *tables[] = { &p->a->persons, &p->a->files, &p->a->classes,
                                        &p->a->hosts };
    size_t i;

    (void)fputs("<script type=\"application/json\" id=\"rh-data\">{\"filter\":", f);
    rh_json(f, rh_msg(p->lang, M_FILTER));
    (void)fputs(",\"tables\":[", f);
    for (i = 0; i < SHO_ARRAY_COUNT(specs); i++) {
        rh_table_tally(f, p, &specs[i], tables[i], p->a->ev_max);
        (void)fputc(',', f);
    }
    rh_table_events(f, p);
    (void)fputs("]}</script>\n", f);
}

/* ---- the page ---------------------------------------------------------------------------- */

static void rh_lines(FILE *f, const char *const *lines)
{
    for (; *lines != NULL; lines++) {
        (void)fputs(*lines, f);
    }
}

static void rh_charts(FILE *f, const struct rh_page *p)
{
    (void)fprintf(f, "<section><h2>%s</h2>\n", rh_msg(p->lang, M_TIMELINE));
    rh_svg_timeline(f, p);
    (void)fputs("</section>\n<section class=\"two\"><div>", f);
    (void)fprintf(f, "<h2>%s</h2>\n", rh_msg(p->lang, M_BY_PERSON));
    rh_svg_persons(f, p);
    (void)fprintf(f, "</div><div><h2>%s</h2>\n", rh_msg(p->lang, M_TOP_FILES));
    rh_svg_files(f, p);
    (void)fputs("</div></section>\n", f);
}

int rh_page_write(FILE *f, const struct rh_page *p)
{
    (void)fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
                  p->lang == RH_JA ? "ja" : "en");
    (void)fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"generator\" content=\"shoseki\">\n<title>",
                f);
    rh_html(f, rh_msg(p->lang, M_TITLE));
    (void)fputs(" – ", f);
    rh_html(f, p->selection);
    (void)fputs("</title>\n<style>\n", f);
    rh_lines(f, rh_style);
    /* errors are caught from the first script on and shown in the page (and its DOM) */
    (void)fputs("</style>\n<script>window.rhErrors=[];window.onerror=function(m,s,l){"
                "window.rhErrors.push(m+' ('+l+')');var e=document.getElementById('errors');"
                "if(e){e.hidden=false;e.textContent=window.rhErrors.join('\\n');}};</script>\n"
                "</head>\n<body>\n<pre id=\"errors\" hidden></pre>\n",
                f);
    rh_header(f, p);
    rh_cards(f, p);
    if (p->a->events == 0) {
        (void)fprintf(f, "<p class=\"empty\">%s</p>\n", rh_msg(p->lang, M_NO_EVENTS));
    }
    rh_marks_list(f, p);
    rh_charts(f, p);
    (void)fprintf(f, "<section><h2>%s</h2><noscript>%s</noscript>\n", rh_msg(p->lang, M_TABLES),
                  rh_msg(p->lang, M_NOSCRIPT));
    (void)fputs("<div id=\"tables\"></div></section>\n", f);
    (void)fputs("<footer>shoseki report html</footer>\n", f);
    rh_data(f, p);
    (void)fputs("<script>\n", f);
    rh_lines(f, rh_script);
    (void)fputs("</script>\n</body>\n</html>\n", f);
    return ferror(f) ? SHO_EIO : 0;
}
