/*
 * report_html_svg: the HTML report's charts, drawn by shoseki as inline SVG
 * from the aggregates (never from the events): the timeline (time buckets
 * stacked by action group, an after-hours strip, bursts, log clears and
 * record-id gaps marked), activity per person, and the most touched files.
 * A chart has at most ~120 bars or 12 rows, whatever the event count.
 */
#include <stdlib.h>
#include <string.h>

#include "report_html_priv.h"

#define TL_W     1000
#define TL_H     300
#define TL_LEFT  60
#define TL_RIGHT 16
#define TL_TOP   30
#define TL_PLOT  200
#define TL_BARS  120
#define ROWS_MAX 12

const char *const rh_group_colors[RH_GROUPS] = { "#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                                 "#b07aa1", "#a0a7b0", "#d4cfc9" };

static const int group_msgs[RH_GROUPS] = { M_READ, M_WRITE,   M_CREATE, M_DELETE,
                                           M_PERM, M_CONNECT, M_OTHER };

static const char *rh_group_name(enum rh_lang lang, int g)
{
    return rh_msg(lang, group_msgs[g]);
}

/* A round number at or above v: 1, 2, 5 times a power of ten. */
static uint64_t rh_nice(uint64_t v)
{
    uint64_t p = 1;

    while (p * 10 <= v) {
        p *= 10;
    }
    if (v <= p) {
        return p;
    }
    if (v <= 2 * p) {
        return 2 * p;
    }
    return v <= 5 * p ? 5 * p : 10 * p;
}

struct tl_geom {
    int64_t first;    /* first bucket index */
    size_t bars;      /* buckets from first to last */
    double bw;        /* bar width */
    uint64_t ymax;    /* top of the y axis */
    unsigned width_m; /* bucket width in minutes */
};

static double tl_x(const struct rh_agg *a, const struct tl_geom *g, uint64_t ft)
{
    double b = (double)rh_local_minutes(a, ft) / g->width_m - (double)g->first;
    double x = TL_LEFT + b * g->bw;

    x = x < TL_LEFT ? TL_LEFT : x;
    return x > TL_W - TL_RIGHT ? TL_W - TL_RIGHT : x;
}

static void tl_axes(FILE *f, const struct rh_page *p, const struct tl_geom *g)
{
    char t[SHO_TIME_ISO_MAX];
    size_t i, step = g->bars / 6 + 1;
    int k;

    for (k = 0; k <= 5; k++) {
        double y = TL_TOP + TL_PLOT - (double)TL_PLOT * k / 5;
        (void)fprintf(f,
                      "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                      "<text x=\"%d\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%llu</text>\n",
                      TL_LEFT, TL_W - TL_RIGHT, y, y, TL_LEFT - 6, y + 4,
                      (unsigned long long)(g->ymax * (uint64_t)k / 5));
    }
    for (i = 0; i < g->bars; i += step) {
        double x = TL_LEFT + ((double)i + 0.5) * g->bw;
        rh_time(p->a, rh_minute_ft(p->a, (g->first + (int64_t)i) * g->width_m), t);
        if (g->width_m >= 1440) {
            t[10] = '\0';
        } else {
            t[16] = '\0';
        }
        (void)fprintf(f,
                      "<text x=\"%.1f\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">%s</text>\n",
                      x, TL_TOP + TL_PLOT + 34, g->width_m >= 1440 ? t : t + 5);
    }
}

static void tl_bars(FILE *f, const struct rh_page *p, const struct tl_geom *g)
{
    const struct rh_agg *a = p->a;
    char t[SHO_TIME_ISO_MAX];
    size_t i;
    int k;

    for (i = 0; i < a->b_count; i++) {
        const struct rh_bucket *b = &a->b[i];
        double x = TL_LEFT + (double)(b->idx - g->first) * g->bw, y = TL_TOP + TL_PLOT;
        rh_time(a, rh_minute_ft(a, b->idx * g->width_m), t);
        (void)fprintf(f, "<g class=\"bar\"><title>%s", t);
        for (k = 0; k < RH_GROUPS; k++) {
            if (b->n[k] > 0) {
                (void)fprintf(f, "\n%s: %llu", rh_group_name(p->lang, k),
                              (unsigned long long)b->n[k]);
            }
        }
        if (b->after > 0) {
            (void)fprintf(f, "\n%s: %llu", rh_msg(p->lang, M_AFTER), (unsigned long long)b->after);
        }
        (void)fputs("</title>", f);
        for (k = 0; k < RH_GROUPS; k++) {
            double h = (double)TL_PLOT * (double)b->n[k] / (double)g->ymax;
            if (b->n[k] == 0) {
                continue;
            }
            y -= h;
            (void)fprintf(
                f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                x + g->bw * 0.1, y, g->bw * 0.8 > 1 ? g->bw * 0.8 : 1, h, rh_group_colors[k]);
        }
        if (b->after > 0) {
            (void)fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"8\" class=\"ah\"/>",
                          x, TL_TOP + TL_PLOT + 6, g->bw > 1 ? g->bw : 1);
        }
        (void)fputs("</g>\n", f);
    }
}

static void tl_marks(FILE *f, const struct rh_page *p, const struct tl_geom *g)
{
    const struct rh_marks *m = &p->a->marks;
    size_t i;

    for (i = 0; i < m->burst_count; i++) {
        double x0 = tl_x(p->a, g, m->bursts[i].start), x1 = tl_x(p->a, g, m->bursts[i].end);
        double w = x1 - x0;
        (void)fprintf(f,
                      "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"burst\">"
                      "<title>",
                      x0, TL_TOP, w > 4 ? w : 4, TL_PLOT);
        rh_html(f, rh_msg(p->lang, M_BURSTS));
        (void)fputs(": ", f);
        rh_html(f, m->bursts[i].person);
        (void)fprintf(f,
                      "</title></rect><text x=\"%.1f\" y=\"%d\" class=\"mk burst-t\">%s</text>\n",
                      x0, TL_TOP - 4, rh_msg(p->lang, M_BURSTS));
    }
    for (i = 0; i < m->clear_count; i++) {
        double x = tl_x(p->a, g, m->clears[i].time);
        (void)fprintf(
            f,
            "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"clear\"/>"
            "<text x=\"%.1f\" y=\"%d\" class=\"mk clear-t\" text-anchor=\"%s\">%s</text>\n",
            x, x, TL_TOP - 12, TL_TOP + TL_PLOT, x > TL_W - 120 ? x - 3 : x + 3, TL_TOP - 14,
            x > TL_W - 120 ? "end" : "start", rh_msg(p->lang, M_CLEARS));
    }
    for (i = 0; i < m->gap_count; i++) {
        double x = tl_x(p->a, g, m->gaps[i].after_time);
        double prev = i > 0 ? tl_x(p->a, g, m->gaps[i - 1].after_time) : -1.0;
        if (x >= prev && x - prev < g->bw) {
            continue; /* one mark per bar: the list above has them all */
        }
        (void)fprintf(f,
                      "<path d=\"M%.1f %dl-6 -10h12z\" class=\"gap\"><title>%s: %llu</title></path>"
                      "<text x=\"%.1f\" y=\"%d\" class=\"mk gap-t\" text-anchor=\"%s\">%s</text>\n",
                      x, TL_TOP + 10, rh_msg(p->lang, M_GAPS),
                      (unsigned long long)(m->gaps[i].before_id - m->gaps[i].after_id - 1),
                      x > TL_W - 160 ? x - 8 : x + 8, TL_TOP + 8, x > TL_W - 160 ? "end" : "start",
                      rh_msg(p->lang, M_GAPS));
    }
}

/* The chart spans the window, and the events if they stray outside it. */
static void tl_geometry(struct rh_agg *a, const struct rh_page *p, struct tl_geom *g)
{
    uint64_t from = p->since < a->first ? p->since : a->first;
    uint64_t to = p->until > a->last ? p->until : a->last + 1;
    size_t i;
    int k;

    rh_agg_fit(a, from, to, TL_BARS);
    memset(g, 0, sizeof(*g));
    g->width_m = rh_widths[a->level];
    g->first = rh_local_minutes(a, from) / (int64_t)g->width_m;
    g->bars = (size_t)(rh_local_minutes(a, to - 1) / (int64_t)g->width_m - g->first) + 1;
    g->bw = (double)(TL_W - TL_LEFT - TL_RIGHT) / (double)g->bars;
    for (i = 0; i < a->b_count; i++) {
        uint64_t n = 0;
        for (k = 0; k < RH_GROUPS; k++) {
            n += a->b[i].n[k];
        }
        g->ymax = n > g->ymax ? n : g->ymax;
    }
    g->ymax = rh_nice(g->ymax < 5 ? 5 : g->ymax);
}

void rh_svg_timeline(FILE *f, const struct rh_page *p)
{
    struct rh_agg *a = (struct rh_agg *)p->a; /* fitting merges buckets: the page owns them now */
    struct tl_geom g;
    int k;

    if (a->b_count == 0) {
        return;
    }
    tl_geometry(a, p, &g);
    (void)fprintf(f, "<svg id=\"chart-timeline\" viewBox=\"0 0 %d %d\" role=\"img\">\n", TL_W,
                  TL_H);
    tl_axes(f, p, &g);
    tl_bars(f, p, &g);
    tl_marks(f, p, &g);
    (void)fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">%s</text>\n",
                  TL_LEFT - 6, TL_TOP + TL_PLOT + 14, rh_msg(p->lang, M_AFTER));
    (void)fputs("</svg>\n<div class=\"legend\">", f);
    for (k = 0; k < RH_GROUPS; k++) {
        if (a->group_seen[k]) {
            (void)fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>", rh_group_colors[k],
                          rh_group_name(p->lang, k));
        }
    }
    (void)fprintf(f,
                  "<span><i class=\"ah\"></i>%s</span><span class=\"x\">%s = %u min</span></div>\n",
                  rh_msg(p->lang, M_AFTER), rh_msg(p->lang, M_BUCKET), g.width_m);
}

/* Horizontal bars, one row per entry of `t` in `order` (at most ROWS_MAX). */
static void rh_svg_rows(FILE *f, const struct rh_page *p, const struct rh_table *t, bool files,
                        const char *id)
{
    size_t *order = rh_table_order(t);
    size_t i, n = t->t.count < ROWS_MAX ? t->t.count : ROWS_MAX;
    uint64_t max = n > 0 ? rh_stat_total(&t->st[order[0]]) : 1;
    const int w = 480, label_w = 170, row_h = 24;

    (void)fprintf(f, "<svg id=\"%s\" viewBox=\"0 0 %d %zu\" role=\"img\">\n", id, w,
                  n * (size_t)row_h + 6);
    for (i = 0; i < n; i++) {
        const struct ra_entry *e = &t->t.entries[order[i]];
        const struct rh_stat *s = &t->st[order[i]];
        const char *name = e->key, *slash;
        double x = label_w, scale = (double)(w - label_w - 150) / (double)(max != 0 ? max : 1);
        int k;
        if (files &&
            ((slash = strrchr(name, '\\')) != NULL || (slash = strrchr(name, '/')) != NULL)) {
            name = slash + 1;
        }
        (void)fprintf(f, "<g class=\"row\"><title>");
        rh_html(f, e->key);
        (void)fprintf(f, "</title><text x=\"%d\" y=\"%zu\" class=\"lb%s\" text-anchor=\"end\">",
                      label_w - 8, i * (size_t)row_h + 17,
                      files && e->str[0] != NULL ? " sens" : "");
        rh_html(f, name);
        (void)fputs("</text>", f);
        for (k = 0; k < RH_GROUPS; k++) {
            double bw = scale * (double)s->n[k];
            if (s->n[k] == 0) {
                continue;
            }
            (void)fprintf(f,
                          "<rect x=\"%.1f\" y=\"%zu\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>",
                          x, i * (size_t)row_h + 4, bw > 1 ? bw : 1, rh_group_colors[k]);
            x += bw;
        }
        (void)fprintf(f, "<text x=\"%.1f\" y=\"%zu\" class=\"ct\">%llu", x + 6,
                      i * (size_t)row_h + 17, (unsigned long long)rh_stat_total(s));
        if (s->after > 0) {
            (void)fprintf(f, " <tspan class=\"ahx\">(%s %llu)</tspan>", rh_msg(p->lang, M_AFTER),
                          (unsigned long long)s->after);
        }
        (void)fputs("</text></g>\n", f);
    }
    (void)fputs("</svg>\n", f);
    free(order);
}

void rh_svg_persons(FILE *f, const struct rh_page *p)
{
    rh_svg_rows(f, p, &p->a->persons, false, "chart-persons");
}

void rh_svg_files(FILE *f, const struct rh_page *p)
{
    rh_svg_rows(f, p, &p->a->files, true, "chart-files");
}
