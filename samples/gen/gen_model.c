/*
 * gen_model: the simulated company and what happens in it (see gen_main.c for
 * the scenarios). Activity is first planned as a list of records with their
 * times, then sorted and written log by log, so every log is in time order
 * as Windows writes it. The ground truth is recorded while planning, in terms
 * of what happened (who did what to which file, when), not of how shoseki
 * normalizes it, so tests check shoseki against the world, not against itself.
 */
#include "gen_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_writer.h"
#include "gen_text.h"
#include "gen_truth.h"
#include "shoseki/event.h"

#define TICKS_S    10000000ull
#define TICKS_MIN  (60 * TICKS_S)
#define TICKS_HOUR (60 * TICKS_MIN)
#define TICKS_DAY  (24 * TICKS_HOUR)
#define GEN_DOMAIN "CORP"
#define GEN_SID    "S-1-5-21-1004336348-1177238915-682003330-"
#define GEN_LOGS   (GEN_MAX_HOSTS + 2) /* servers, the workstation's Sysmon, ForwardedEvents */

static const char *const romaji[] = { "tanaka", "suzuki",   "sato",     "takahashi", "watanabe",
                                      "ito",    "yamamoto", "nakamura", "kobayashi", "kato" };
static const char *const kanji[] = { "田中", "鈴木", "佐藤", "高橋", "渡辺",
                                     "伊藤", "山本", "中村", "小林", "加藤" };

struct gen_share {
    const char *share, *folder, *stem, *ext;
    int sensitive;
};

static const struct gen_share shares[] = {
    { "jinji", "mynumber", "個人番号一覧_", "xlsx", 1 },
    { "jinji", "kyuyo", "給与明細_", "pdf", 0 },
    { "eigyo", "mitsumori", "見積書_", "docx", 0 },
    { "soumu", "gijiroku", "議事録_", "txt", 0 },
};

enum rec_kind {
    R_LOGON,
    R_LOGOFF,
    R_SHARE,
    R_SHARE_ACCESS,
    R_REQUEST,
    R_ACCESS,
    R_DELETE,
    R_CLOSE,
    R_CLEARED,
    R_SYSMON_CREATE
};

struct gen_person {
    char account[64]; /* as logged: romaji or kanji */
    char sid[96];
    char ip[32];
    uint64_t logon_id;
};

struct gen_file {
    unsigned host;
    const struct gen_share *share;
    char local[256]; /* D:\shares\share\folder\name */
    char unc[256];   /* \\HOST\share\folder\name */
    char name[128];
};

struct gen_rec {
    unsigned log;   /* which writer */
    uint64_t time;  /* FILETIME */
    uint64_t order; /* tie-break: planning order */
    enum rec_kind kind;
    unsigned person, file;
    uint32_t mask; /* access mask */
    int failure;   /* audit failure */
    uint64_t handle;
    uint32_t pid;
    uint32_t tag; /* links a forwarded copy to its original, 0 none */
    bool is_copy; /* the ForwardedEvents copy of a record */
};

struct gen {
    const struct gen_params *p;
    uint64_t rng;
    struct gen_person persons[GEN_MAX_PERSONS];
    struct gen_file *files;
    char hosts[GEN_MAX_HOSTS][64];
    struct gen_rec *recs;
    size_t rec_count, rec_cap;
    uint64_t next_handle;
    uint32_t tags;         /* tags handed out */
    uint64_t *tag_ids;     /* EventRecordID of each tagged original */
    struct truth *truth;   /* owned: every access, for truth.json */
    struct gen_text *text; /* owned: auditd and Samba logs, NULL when not asked for */
    bool failed;           /* the truth did not fit: report it */
};

static uint64_t gen_rand(struct gen *g)
{
    /* xorshift64*: deterministic for a seed, good enough for synthetic logs. */
    g->rng ^= g->rng >> 12;
    g->rng ^= g->rng << 25;
    g->rng ^= g->rng >> 27;
    return g->rng * 2685821657736338717ull;
}

static unsigned gen_pick(struct gen *g, unsigned n)
{
    return (unsigned)(gen_rand(g) % n);
}

void gen_params_default(struct gen_params *p)
{
    memset(p, 0, sizeof(*p));
    p->seed = 1;
    p->persons = 8;
    p->files = 24;
    p->hosts = 2;
    p->days = 3;
    p->events_per_day = 40;
    /* 2024-04-01 00:00 JST */
    p->start =
        ((uint64_t)sho_time_days_from_civil(2024, 3, 31) * 86400 + (uint64_t)15 * 3600) * TICKS_S +
        SHO_FILETIME_UNIX_EPOCH;
}

static void gen_model(struct gen *g)
{
    const struct gen_params *p = g->p;
    unsigned i;

    for (i = 0; i < p->persons; i++) {
        struct gen_person *x = &g->persons[i];
        unsigned k = i % SHO_ARRAY_COUNT(romaji);
        /* Every other account is named in kanji, as many Japanese domains do. */
        if (i < SHO_ARRAY_COUNT(romaji)) {
            (void)snprintf(x->account, sizeof(x->account), "%s", i % 2 == 0 ? romaji[k] : kanji[k]);
        } else {
            (void)snprintf(x->account, sizeof(x->account), "%s%u", romaji[k], i);
        }
        (void)snprintf(x->sid, sizeof(x->sid), GEN_SID "%u", 1100 + i);
        (void)snprintf(x->ip, sizeof(x->ip), "192.0.2.%u", 10 + i);
        x->logon_id = 0x3e7000 + (uint64_t)i * 0x1111;
    }
    for (i = 0; i < p->hosts; i++) {
        (void)snprintf(g->hosts[i], sizeof(g->hosts[i]), "FS%02u.corp.example.jp", i + 1);
    }
    g->files = sho_xcalloc(p->files, sizeof(*g->files));
    for (i = 0; i < p->files; i++) {
        struct gen_file *f = &g->files[i];
        f->share = &shares[i % SHO_ARRAY_COUNT(shares)];
        f->host = p->hosts != 0 ? (unsigned)((i / SHO_ARRAY_COUNT(shares)) % p->hosts) : 0;
        (void)snprintf(f->name, sizeof(f->name), "%s%02u.%s", f->share->stem,
                       i / (unsigned)SHO_ARRAY_COUNT(shares) + 1, f->share->ext);
        (void)snprintf(f->local, sizeof(f->local), "D:\\shares\\%s\\%s\\%s", f->share->share,
                       f->share->folder, f->name);
        (void)snprintf(f->unc, sizeof(f->unc), "\\\\%s\\%s\\%s\\%s", g->hosts[f->host],
                       f->share->share, f->share->folder, f->name);
    }
}

static struct gen_rec *gen_add(struct gen *g, unsigned log, uint64_t time, enum rec_kind kind)
{
    struct gen_rec *r;

    if (g->rec_count == g->rec_cap) {
        g->rec_cap = g->rec_cap != 0 ? g->rec_cap * 2 : 1024;
        g->recs = sho_xrealloc(g->recs, g->rec_cap * sizeof(*g->recs));
    }
    r = &g->recs[g->rec_count];
    memset(r, 0, sizeof(*r));
    r->log = log;
    r->time = time;
    r->order = g->rec_count++;
    r->kind = kind;
    return r;
}

/* ---- ground truth --------------------------------------------------------------- */

static void truth_access(struct gen *g, unsigned person, const char *path, const char *action,
                         int failure, uint64_t time, const char *host, const char *how)
{
    if (g->truth == NULL) {
        return; /* --no-truth: benchmarks at scale need the logs only */
    }
    truth_add(g->truth, g->persons[person].sid, g->persons[person].account, path, action,
              failure != 0, time, host, how);
}

/* ---- planning -------------------------------------------------------------------- */

/* One access over SMB: 5145 at the share, then 4656/4663/(4660)/4658 on the server. */
static void plan_access(struct gen *g, unsigned person, unsigned file, uint64_t t, uint32_t mask,
                        int failure, const char *how)
{
    const struct gen_file *f = &g->files[file];
    struct gen_rec *r;
    uint64_t handle = failure ? 0 : (g->next_handle += 4);
    const char *action = (mask & 0x10000) ? "delete" : (mask & 0x2) ? "write" : "read";

    r = gen_add(g, f->host, t, R_SHARE_ACCESS);
    r->person = person;
    r->file = file;
    r->mask = mask & 0x10000 ? 0x10080 : mask;
    r->failure = failure;
    truth_access(g, person, f->unc, action, failure, t, g->hosts[f->host], how);
    r = gen_add(g, f->host, t + 1000, R_REQUEST);
    r->person = person;
    r->file = file;
    r->mask = mask | 0x100000; /* SYNCHRONIZE comes with every request */
    r->failure = failure;
    r->handle = handle;
    r->pid = 4;
    if (failure) {
        return; /* a refused request has no handle: nothing follows */
    }
    r = gen_add(g, f->host, t + 2000, R_ACCESS);
    r->person = person;
    r->file = file;
    r->mask = mask;
    r->handle = handle;
    r->pid = 4;
    truth_access(g, person, f->local, action, 0, t + 2000, g->hosts[f->host], how);
    if (mask & 0x10000) {
        r = gen_add(g, f->host, t + 3000, R_DELETE);
        r->person = person;
        r->file = file;
        r->handle = handle;
        r->pid = 4;
    }
    r = gen_add(g, f->host, t + 4000, R_CLOSE);
    r->person = person;
    r->file = file;
    r->handle = handle;
    r->pid = 4;
}

static void plan_logon(struct gen *g, unsigned person, unsigned host, uint64_t t, uint64_t end)
{
    struct gen_rec *r = gen_add(g, host, t, R_LOGON);
    uint32_t tag = ++g->tags;

    r->person = person;
    r->tag = tag;
    r = gen_add(g, g->p->hosts + 1, t, R_LOGON); /* the collector's copy */
    r->person = person;
    r->file = host;
    r->tag = tag;
    r->is_copy = true;
    r = gen_add(g, host, t + 500, R_SHARE);
    r->person = person;
    r->file = host;
    r = gen_add(g, host, end, R_LOGOFF);
    r->person = person;
}

/* Ordinary work: business hours, nobody but the handler in the My Number folder. */
static void plan_day(struct gen *g, unsigned day)
{
    const struct gen_params *p = g->p;
    uint64_t day0 = p->start + day * TICKS_DAY;
    bool seen[GEN_MAX_PERSONS][GEN_MAX_HOSTS];
    unsigned i;

    memset(seen, 0, sizeof(seen));
    for (i = 0; i < p->events_per_day; i++) {
        unsigned person = gen_pick(g, p->persons - 1); /* the last one is the victim account */
        unsigned file = gen_pick(g, p->files);
        uint64_t t = day0 + 9 * TICKS_HOUR + gen_rand(g) % (9 * TICKS_HOUR - TICKS_MIN);
        uint32_t mask = gen_pick(g, 4) == 0 ? 0x6 : 0x1;
        if (g->files[file].share->sensitive && person != 0) {
            person = 0; /* only the designated handler works there */
        }
        if (!seen[person][g->files[file].host]) {
            seen[person][g->files[file].host] = true;
            plan_logon(g, person, g->files[file].host, day0 + 8 * TICKS_HOUR + person * TICKS_MIN,
                       day0 + 19 * TICKS_HOUR);
        }
        plan_access(g, person, file, t, mask, 0, person == 0 ? "handler" : "work");
    }
}

static unsigned sensitive_file(struct gen *g, unsigned k)
{
    unsigned i, seen = 0;

    for (i = 0; i < g->p->files; i++) {
        if (g->files[i].share->sensitive && seen++ == k) {
            return i;
        }
    }
    return 0;
}

static unsigned sensitive_count(struct gen *g)
{
    unsigned i, n = 0;

    for (i = 0; i < g->p->files; i++) {
        n += g->files[i].share->sensitive != 0;
    }
    return n;
}

/* The removable drive's copy of file `file`. */
static void usb_path(const struct gen *g, unsigned file, char *out, size_t len)
{
    (void)snprintf(out, len, "E:\\backup\\%s", g->files[file].name);
}

/* Day 1: disposal, refused attempts, the USB copy and the cleared log. */
static void plan_day1_scenarios(struct gen *g, struct sho_buf *facts)
{
    const struct gen_params *p = g->p;
    uint64_t day1 = p->start + 1 * TICKS_DAY, t;
    unsigned n = sensitive_count(g), i, host = p->hosts - 1;
    char ts[SHO_TIME_ISO_MAX], usb[256];
    struct gen_rec *r;
    int rc = 0;

    if (n == 0) {
        n = 1; /* at least one file of the My Number folder exists: files >= 8 */
    }

    /* disposal: person 1 deletes three old estimates at 17:00 on day 1. */
    for (i = 0; i < 3; i++) {
        plan_access(g, 1, 2 + 4 * i, day1 + 17 * TICKS_HOUR + i * TICKS_MIN, 0x10000, 0,
                    "disposal");
    }
    /* failures: person 2 is refused the My Number folder four times on day 1. */
    plan_logon(g, 2, g->files[sensitive_file(g, 0)].host, day1 + 10 * TICKS_HOUR,
               day1 + 11 * TICKS_HOUR);
    for (i = 0; i < 4; i++) {
        plan_access(g, 2, sensitive_file(g, i % n),
                    day1 + 10 * TICKS_HOUR + (uint64_t)(i + 1) * TICKS_MIN, 0x1, 1, "refused");
    }
    /* usb: person 3 reads two files and copies them to E: on pc01 at 12:00 on day 1. */
    for (i = 0; i < 2; i++) {
        t = day1 + 12 * TICKS_HOUR + (uint64_t)i * 2 * TICKS_MIN;
        plan_access(g, 3, 1 + 4 * i, t, 0x1, 0, "usb-source");
        r = gen_add(g, p->hosts, t + TICKS_MIN, R_SYSMON_CREATE);
        r->person = 3;
        r->file = 1 + 4 * i;
        r->pid = 4812;
        usb_path(g, r->file, usb, sizeof(usb));
        truth_access(g, 3, usb, "create", 0, t + TICKS_MIN, "PC01.corp.example.jp", "usb");
    }
    /* cleared: the administrator clears the last server's Security log at 18:30 on day 1. */
    t = day1 + 18 * TICKS_HOUR + 30 * TICKS_MIN;
    r = gen_add(g, host, t, R_CLEARED);
    r->person = 0;
    (void)sho_time_format_iso(t, ts);
    rc |= sho_buf_appendf(facts,
                          "  \"log_cleared\": {\"host\": \"%s\", \"time\": \"%s\", "
                          "\"sid\": \"%s\"},\n",
                          g->hosts[host], ts, g->persons[0].sid);
    if (rc != 0) {
        g->failed = true;
    }
}

/* The last day, 02:00 JST: the victim's account reads every My Number file. */
static void plan_compromise(struct gen *g, struct sho_buf *facts)
{
    const struct gen_params *p = g->p;
    unsigned victim = p->persons - 1, n = sensitive_count(g), i;
    uint64_t t = p->start + (p->days - 1) * TICKS_DAY + 2 * TICKS_HOUR;
    char ts[SHO_TIME_ISO_MAX], te[SHO_TIME_ISO_MAX];
    int rc = 0;

    if (n == 0) {
        n = 1;
    }
    plan_logon(g, victim, g->files[sensitive_file(g, 0)].host, t - TICKS_MIN, t + TICKS_HOUR);
    for (i = 0; i < n; i++) {
        plan_access(g, victim, sensitive_file(g, i), t + (uint64_t)i * 5 * TICKS_S, 0x1, 0,
                    "compromise");
    }
    (void)sho_time_format_iso(t, ts);
    (void)sho_time_format_iso(t + (uint64_t)(n - 1) * 5 * TICKS_S + 2000, te);
    rc |=
        sho_buf_appendf(facts, "  \"burst\": {\"sid\": \"%s\", \"user\": ", g->persons[victim].sid);
    rc |= sho_json_append_string(facts, g->persons[victim].account);
    rc |= sho_buf_appendf(facts, ", \"start\": \"%s\", \"end\": \"%s\", \"files\": %u},\n", ts, te,
                          n);
    if (rc != 0) {
        g->failed = true;
    }
}

/* ---- writing --------------------------------------------------------------------- */

static int rec_cmp(const void *a, const void *b)
{
    const struct gen_rec *x = a, *y = b;

    if (x->log != y->log) {
        return x->log < y->log ? -1 : 1;
    }
    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

#define MAX_FIELDS 24

struct fields {
    const char *names[MAX_FIELDS];
    struct evw_value values[MAX_FIELDS];
    size_t count;
    char hex[MAX_FIELDS][32];
};

static void f_str(struct fields *f, const char *name, const char *s)
{
    f->names[f->count] = name;
    f->values[f->count] = (struct evw_value){ .type = EVW_STRING, .s = s };
    f->count++;
}

static void f_num(struct fields *f, const char *name, enum evw_type type, uint64_t u)
{
    f->names[f->count] = name;
    f->values[f->count] = (struct evw_value){ .type = type, .u = u };
    f->count++;
}

static void f_sid(struct fields *f, const char *name, const char *sid)
{
    f->names[f->count] = name;
    f->values[f->count] = (struct evw_value){ .type = EVW_SID, .s = sid };
    f->count++;
}

static void f_subject(struct fields *f, const struct gen_person *x)
{
    f_sid(f, "SubjectUserSid", x->sid);
    f_str(f, "SubjectUserName", x->account);
    f_str(f, "SubjectDomainName", GEN_DOMAIN);
    f_num(f, "SubjectLogonId", EVW_HEX64, x->logon_id);
}

/* "%%4416 %%4417 ..." for a mask, as Windows spells AccessList. */
static void access_list(uint32_t mask, char *out, size_t len)
{
    static const struct {
        uint32_t bit;
        const char *token;
    } t[] = { { 0x1, "%%4416" },  { 0x2, "%%4417" },     { 0x4, "%%4418" },
              { 0x80, "%%4423" }, { 0x10000, "%%1537" }, { 0x100000, "%%1541" } };
    size_t i, used = 0;

    out[0] = '\0';
    for (i = 0; i < SHO_ARRAY_COUNT(t); i++) {
        if ((mask & t[i].bit) != 0) {
            int n = snprintf(out + used, len - used, "%s\n\t\t\t\t", t[i].token);
            used += n > 0 && (size_t)n < len - used ? (size_t)n : 0;
        }
    }
}

static void rec_object(const struct gen *g, const struct gen_rec *r, struct fields *f, char *list,
                       size_t list_len)
{
    const struct gen_file *file = &g->files[r->file];

    f_subject(f, &g->persons[r->person]);
    if (r->kind == R_CLOSE || r->kind == R_DELETE) {
        f_str(f, "ObjectServer", "Security");
        f_num(f, "HandleId", EVW_SIZET, r->handle);
        f_num(f, "ProcessId", EVW_SIZET, r->pid);
        f_str(f, "ProcessName", "");
        return;
    }
    access_list(r->mask, list, list_len);
    f_str(f, "ObjectServer", "Security");
    f_str(f, "ObjectType", "File");
    f_str(f, "ObjectName", file->local);
    f_num(f, "HandleId", EVW_SIZET, r->handle);
    if (r->kind == R_REQUEST) {
        f_str(f, "TransactionId", "{00000000-0000-0000-0000-000000000000}");
    }
    f_str(f, "AccessList", list);
    f_num(f, "AccessMask", EVW_HEX32, r->mask);
    f_num(f, "ProcessId", EVW_SIZET, r->pid);
    f_str(f, "ProcessName", "");
}

struct scratch {
    char list[256];  /* AccessList */
    char rel[256];   /* RelativeTargetName */
    char share[96];  /* ShareName */
    char local[160]; /* ShareLocalPath */
};

static void rec_share(const struct gen *g, const struct gen_rec *r, struct fields *f,
                      struct scratch *s)
{
    const struct gen_file *file = &g->files[r->file];
    const struct gen_person *x = &g->persons[r->person];
    const char *share = r->kind == R_SHARE ? "jinji" : file->share->share;

    (void)snprintf(s->share, sizeof(s->share), "\\\\*\\%s", share);
    (void)snprintf(s->local, sizeof(s->local), "\\??\\D:\\shares\\%s", share);
    f_subject(f, x);
    f_str(f, "ObjectType", "File");
    f_str(f, "IpAddress", x->ip);
    f_num(f, "IpPort", EVW_UINT16, 49152 + r->person);
    f_str(f, "ShareName", s->share);
    f_str(f, "ShareLocalPath", s->local);
    if (r->kind == R_SHARE) {
        f_num(f, "AccessMask", EVW_HEX32, 1);
        f_str(f, "AccessList", "%%4416\n\t\t\t\t");
        return;
    }
    (void)snprintf(s->rel, sizeof(s->rel), "%s\\%s", file->share->folder, file->name);
    access_list(r->mask, s->list, sizeof(s->list));
    f_str(f, "RelativeTargetName", s->rel);
    f_num(f, "AccessMask", EVW_HEX32, r->mask);
    f_str(f, "AccessList", s->list);
    f_str(f, "AccessReason", "-");
}

static void rec_logon(const struct gen *g, const struct gen_rec *r, struct fields *f)
{
    const struct gen_person *x = &g->persons[r->person];

    if (r->kind == R_LOGOFF) {
        f_sid(f, "TargetUserSid", x->sid);
        f_str(f, "TargetUserName", x->account);
        f_str(f, "TargetDomainName", GEN_DOMAIN);
        f_num(f, "TargetLogonId", EVW_HEX64, x->logon_id);
        f_num(f, "LogonType", EVW_UINT32, 3);
        return;
    }
    f_sid(f, "SubjectUserSid", "S-1-0-0");
    f_str(f, "SubjectUserName", "-");
    f_str(f, "SubjectDomainName", "-");
    f_num(f, "SubjectLogonId", EVW_HEX64, 0);
    f_sid(f, "TargetUserSid", x->sid);
    f_str(f, "TargetUserName", x->account);
    f_str(f, "TargetDomainName", GEN_DOMAIN);
    f_num(f, "TargetLogonId", EVW_HEX64, x->logon_id);
    f_num(f, "LogonType", EVW_UINT32, 3);
    f_str(f, "LogonProcessName", "NtLmSsp ");
    f_str(f, "AuthenticationPackageName", "NTLM");
    f_str(f, "WorkstationName", "PC01");
    f_num(f, "ProcessId", EVW_SIZET, 0);
    f_str(f, "ProcessName", "-");
    f_str(f, "IpAddress", x->ip);
    f_str(f, "IpPort", "49152");
}

static void rec_cleared(const struct gen *g, const struct gen_rec *r, struct evw_event *ev,
                        struct fields *f)
{
    static const uint8_t eventlog_guid[16] = { 0xd8, 0xdd, 0x65, 0xfc, 0xef, 0xd6, 0x62, 0x49,
                                               0x83, 0xd5, 0x6e, 0x5c, 0xfe, 0x9c, 0xe1, 0x48 };

    ev->provider = "Microsoft-Windows-Eventlog";
    memcpy(ev->provider_guid, eventlog_guid, 16);
    ev->keywords = 0x4020000000000000ull;
    ev->level = 4;
    ev->user_data = "LogFileCleared";
    ev->user_data_ns = "http://manifests.microsoft.com/win/2004/08/windows/eventlog";
    f_sid(f, "SubjectUserSid", g->persons[r->person].sid);
    f_str(f, "SubjectUserName", g->persons[r->person].account);
    f_str(f, "SubjectDomainName", GEN_DOMAIN);
    f_num(f, "SubjectLogonId", EVW_HEX64, g->persons[r->person].logon_id);
}

static void rec_sysmon(const struct gen *g, const struct gen_rec *r, struct evw_event *ev,
                       struct fields *f, struct scratch *s)
{
    static const uint8_t sysmon_guid[16] = { 0xf0, 0x8e, 0x62, 0x54, 0xfb, 0x10, 0x44, 0x4a,
                                             0xa6, 0x2a, 0x6d, 0x14, 0x9e, 0x6f, 0x8d, 0x59 };

    ev->provider = "Microsoft-Windows-Sysmon";
    memcpy(ev->provider_guid, sysmon_guid, 16);
    ev->keywords = 0x8000000000000000ull;
    ev->level = 4;
    ev->version = 2;
    ev->channel = "Microsoft-Windows-Sysmon/Operational";
    ev->computer = "PC01.corp.example.jp";
    ev->user_sid = "S-1-5-18";
    ev->pid = 2944;
    (void)sho_time_format_iso(r->time, s->rel);
    s->rel[19] = '\0'; /* Sysmon's UtcTime: "YYYY-MM-DD hh:mm:ss" */
    s->rel[10] = ' ';
    f_str(f, "RuleName", "-");
    f_str(f, "UtcTime", s->rel);
    f_str(f, "ProcessGuid", "{5770385f-c22a-5e0b-0000-0010a3ae0200}");
    f_num(f, "ProcessId", EVW_UINT32, r->pid);
    f_str(f, "Image", "C:\\Windows\\explorer.exe");
    usb_path(g, r->file, s->list, sizeof(s->list));
    f_str(f, "TargetFilename", s->list);
    f_str(f, "CreationUtcTime", s->rel);
    (void)snprintf(s->share, sizeof(s->share), "%s\\%s", GEN_DOMAIN, g->persons[r->person].account);
    f_str(f, "User", s->share);
}

/* Fill `ev` for record `r`; strings point into `f`, `s` and the model. */
static void rec_event(const struct gen *g, const struct gen_rec *r, struct evw_event *ev,
                      struct fields *f, struct scratch *s)
{
    static const uint8_t security_guid[16] = { 0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49,
                                               0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d };
    static const uint16_t ids[] = {
        [R_LOGON] = 4624,   [R_LOGOFF] = 4634,     [R_SHARE] = 5140,  [R_SHARE_ACCESS] = 5145,
        [R_REQUEST] = 4656, [R_ACCESS] = 4663,     [R_DELETE] = 4660, [R_CLOSE] = 4658,
        [R_CLEARED] = 1102, [R_SYSMON_CREATE] = 11
    };
    static const uint16_t tasks[] = {
        [R_LOGON] = 12544,   [R_LOGOFF] = 12545,    [R_SHARE] = 12808,  [R_SHARE_ACCESS] = 12811,
        [R_REQUEST] = 12800, [R_ACCESS] = 12800,    [R_DELETE] = 12800, [R_CLOSE] = 12807,
        [R_CLEARED] = 104,   [R_SYSMON_CREATE] = 11
    };

    memset(ev, 0, sizeof(*ev));
    memset(f, 0, sizeof(*f));
    ev->provider = "Microsoft-Windows-Security-Auditing";
    memcpy(ev->provider_guid, security_guid, 16);
    ev->event_id = ids[r->kind];
    ev->task = tasks[r->kind];
    ev->keywords = r->failure ? 0x8010000000000000ull : 0x8020000000000000ull;
    ev->time = r->time;
    ev->pid = 4;
    ev->tid = 100 + (uint32_t)(r->order % 64);
    ev->channel = "Security";
    ev->computer = r->log < g->p->hosts ? g->hosts[r->log] : g->hosts[r->file];
    switch (r->kind) {
    case R_LOGON:
    case R_LOGOFF:
        rec_logon(g, r, f);
        break;
    case R_SHARE:
    case R_SHARE_ACCESS:
        rec_share(g, r, f, s);
        break;
    case R_CLEARED:
        rec_cleared(g, r, ev, f);
        break;
    case R_SYSMON_CREATE:
        rec_sysmon(g, r, ev, f, s);
        break;
    default:
        rec_object(g, r, f, s->list, sizeof(s->list));
        break;
    }
    ev->field_count = f->count;
    ev->field_names = f->names;
    ev->field_values = f->values;
}

static int gen_open(struct gen *g, const char *dir, struct evw **w, struct sho_err *err)
{
    char path[4096];
    unsigned k;

    for (k = 0; k < g->p->hosts + 2; k++) {
        if (k < g->p->hosts) {
            (void)snprintf(path, sizeof(path), "%s/Security-%.4s.evtx", dir, g->hosts[k]);
        } else {
            (void)snprintf(path, sizeof(path), "%s/%s", dir,
                           k == g->p->hosts ? "Sysmon-PC01.evtx" : "ForwardedEvents.evtx");
        }
        w[k] = evw_open(path, err);
        if (w[k] == NULL) {
            return SHO_EIO;
        }
        if (k < g->p->hosts) {
            evw_set_next_record_id(w[k], 1000 + 100000 * (uint64_t)k);
        }
    }
    return 0;
}

static int text_cmp(const void *a, const void *b)
{
    const struct gen_rec *x = a, *y = b;

    if (x->time != y->time) {
        return x->time < y->time ? -1 : 1;
    }
    return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The day's file accesses as the auditd and Samba logs see them: each access
 * that reached the file (4663) and each refused request (4656 failure), at
 * the truth's time, in time order across servers.
 */
static void gen_text_day(struct gen *g)
{
    struct gen_rec *acc = sho_xcalloc(g->rec_count + 1, sizeof(struct gen_rec));
    size_t i, n = 0;

    for (i = 0; i < g->rec_count; i++) {
        const struct gen_rec *r = &g->recs[i];
        if (r->kind == R_ACCESS || (r->kind == R_REQUEST && r->failure)) {
            acc[n++] = *r;
        }
    }
    qsort(acc, n, sizeof(struct gen_rec), text_cmp);
    for (i = 0; i < n; i++) {
        const struct gen_rec *r = &acc[i];
        const struct gen_file *f = &g->files[r->file];
        const struct gen_person *x = &g->persons[r->person];
        char node[8];
        struct gen_text_access a;
        (void)snprintf(node, sizeof(node), "fs%02u", f->host + 1);
        memset(&a, 0, sizeof(a));
        a.time = r->failure ? r->time - 1000 : r->time; /* the truth's time of each */
        a.person = r->person;
        a.account = x->account;
        a.ip = x->ip;
        a.node = node;
        a.host = g->hosts[f->host];
        a.share = f->share->share;
        a.folder = f->share->folder;
        a.name = f->name;
        a.action = 'r';
        if (r->mask & 0x10000) {
            a.action = 'd';
        } else if (r->mask & 0x2) {
            a.action = 'w';
        }
        a.is_failure = r->failure != 0;
        gen_text_access(g->text, &a);
    }
    free(acc);
}

/* Write the records planned so far (one day), in time order per log, and forget them. */
static int gen_flush(struct gen *g, struct evw **w, struct sho_err *err)
{
    size_t i;
    int rc = 0;

    if (g->rec_count > 1) {
        qsort(g->recs, g->rec_count, sizeof(*g->recs), rec_cmp);
    }
    if (g->text != NULL) {
        gen_text_day(g);
    }
    g->tag_ids = sho_xcalloc((size_t)g->tags + 1, sizeof(*g->tag_ids));
    for (i = 0; i < g->rec_count && rc == 0; i++) {
        const struct gen_rec *r = &g->recs[i];
        struct evw_event ev;
        struct fields f;
        struct scratch s;
        rec_event(g, r, &ev, &f, &s);
        if (r->is_copy) {
            ev.record_id = g->tag_ids[r->tag]; /* sorted by log: originals are written first */
        }
        rc = evw_add(w[r->log], &ev, err);
        if (rc == 0 && r->tag != 0 && !r->is_copy) {
            g->tag_ids[r->tag] = evw_next_record_id(w[r->log]) - 1;
        }
        if (rc == 0 && r->kind == R_CLEARED) {
            /* Records lost with the clear: a gap in the record ids. */
            evw_set_next_record_id(w[r->log], evw_next_record_id(w[r->log]) + 50);
        }
    }
    free(g->tag_ids);
    g->tag_ids = NULL;
    g->tags = 0;
    g->rec_count = 0;
    return rc;
}

static int gen_truth(struct gen *g, const char *dir, const struct sho_buf *facts,
                     struct sho_err *err)
{
    char path[4096];
    FILE *f;
    unsigned i;
    int bad = 0;

    (void)snprintf(path, sizeof(path), "%s/truth.json", dir);
    f = fopen(path, "w");
    if (f == NULL) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot create");
    }
    bad |= fprintf(f, "{\n  \"generator\": \"shoseki-gen 1\",\n  \"seed\": %llu,\n",
                   (unsigned long long)g->p->seed) < 0;
    bad |= fprintf(f, "  \"persons\": [") < 0;
    for (i = 0; i < g->p->persons; i++) {
        struct sho_buf b;
        sho_buf_init(&b, 4096);
        if (sho_json_append_string(&b, g->persons[i].account) != 0) {
            bad = 1;
        }
        bad |= fprintf(f,
                       "%s\n    {\"sid\": \"%s\", \"user\": %s, \"domain\": \"%s\", "
                       "\"role\": \"%s\"}",
                       i != 0 ? "," : "", g->persons[i].sid, b.data, GEN_DOMAIN,
                       i == 0                   ? "designated-handler"
                       : i + 1 == g->p->persons ? "compromised"
                                                : "staff") < 0;
        sho_buf_release(&b);
    }
    bad |= fprintf(f, "\n  ],\n%s  \"record_id_gap\": {\"host\": \"%s\", \"missing\": 50},\n",
                   facts->data != NULL ? facts->data : "", g->hosts[g->p->hosts - 1]) < 0;
    bad |= truth_write(g->truth, f) != 0;
    bad |= fputs("}\n", f) < 0;
    if (fclose(f) != 0 || bad) {
        return sho_err_set(err, SHO_EIO, path, -1, "cannot write");
    }
    return 0;
}

int gen_run(const struct gen_params *p, const char *dir, struct sho_err *err)
{
    struct evw *w[GEN_LOGS] = { NULL };
    struct gen g;
    struct sho_buf facts;
    unsigned d, k;
    int rc;

    memset(&g, 0, sizeof(g));
    g.p = p;
    g.rng = p->seed * 0x9E3779B97F4A7C15ull + 1;
    g.next_handle = 0x400;
    g.truth = p->no_truth ? NULL : truth_new();
    sho_buf_init(&facts, (size_t)1 << 20);
    gen_model(&g);
    rc = gen_open(&g, dir, w, err);
    if (rc == 0 && (p->auditd_path != NULL || p->samba_path != NULL)) {
        g.text = gen_text_open(p->auditd_path, p->samba_path, err);
        rc = g.text == NULL ? SHO_EIO : 0;
    }
    /* Day by day: memory holds one day's records, whatever the number of days. */
    for (d = 0; d < p->days && rc == 0; d++) {
        plan_day(&g, d);
        if (d == 1) {
            plan_day1_scenarios(&g, &facts);
        }
        if (d == p->days - 1) {
            plan_compromise(&g, &facts);
        }
        rc = gen_flush(&g, w, err);
    }
    for (k = 0; k < p->hosts + 2; k++) {
        int crc = evw_close(w[k], rc == 0 ? err : NULL);
        rc = rc != 0 ? rc : crc;
    }
    if (g.text != NULL) {
        const char *accounts[GEN_MAX_PERSONS];
        int trc;
        for (k = 0; k < p->persons; k++) {
            accounts[k] = g.persons[k].account;
        }
        trc = gen_text_close(g.text, accounts, p->persons, rc == 0 ? err : NULL);
        rc = rc != 0 ? rc : trc;
    }
    if (rc == 0 && g.failed) {
        rc = sho_err_set(err, SHO_ELIMIT, dir, -1, "ground truth too large");
    }
    if (rc == 0 && g.truth != NULL) {
        rc = gen_truth(&g, dir, &facts, err);
    }
    truth_free(g.truth);
    sho_buf_release(&facts);
    free(g.recs);
    free(g.files);
    free(g.tag_ids);
    return rc;
}
