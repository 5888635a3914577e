/*
 * samba_audit: Samba vfs_full_audit lines in a syslog file -> events.
 *
 * A line is a syslog header, then the message vfs_full_audit builds
 * (source3/modules/vfs_full_audit.c, do_log): the expanded
 * `full_audit:prefix`, "|", the operation, "|", "ok" or "fail (reason)",
 * and the operation's arguments separated by "|":
 *
 *   Jan 12 10:00:01 fs01 smbd_audit[812]: alice|10.0.0.5|PC07|share|openat|ok|r|/srv/share/a.txt
 *
 * Headers: RFC 3164 "Mmm dd hh:mm:ss HOST TAG[PID]:" (no year, no zone: the
 * year comes from the file's modification time and the zone from --tz), or an
 * ISO 8601 time (rsyslog high precision, RFC 5424 "1 TIME HOST APP PID - -").
 * The prefix is matched with the --samba-prefix spec: literal text must match,
 * each %X takes the text up to the next literal. Windows forbids '|' in file
 * names, so splitting arguments on '|' is safe for SMB paths.
 *
 * Paths: old Samba logs share-relative paths, current Samba the absolute path
 * under the share's root. A relative path, or an absolute one under %P (the
 * share's root, when the prefix has it), becomes \\SERVER\share\dir\file;
 * without %P an absolute path is cut after the component named like the share
 * when there is one, else kept as logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_mask.h"
#include "textsrc.h"

#define SAMBA_ARGS_MAX 8

enum samba_layout {
    L_NONE,   /* no path */
    L_PATH,   /* path|... */
    L_RW,     /* r|path or w|path */
    L_CREATE, /* access_mask|file-or-dir|disposition|path */
    L_RENAME, /* old|new */
    L_SHARE,  /* share name */
};

struct samba_op {
    const char *name;
    uint32_t actions;
    enum samba_layout layout;
};

static const struct samba_op samba_ops[] = {
    { "connect", SHO_ACT_SHARE_CONNECT, L_SHARE },
    { "open", 0, L_RW },
    { "openat", 0, L_RW },
    { "create_file", 0, L_CREATE },
    { "read", SHO_ACT_READ, L_PATH },
    { "pread", SHO_ACT_READ, L_PATH },
    { "pread_send", SHO_ACT_READ, L_PATH },
    { "sendfile", SHO_ACT_READ, L_PATH },
    { "write", SHO_ACT_WRITE, L_PATH },
    { "pwrite", SHO_ACT_WRITE, L_PATH },
    { "pwrite_send", SHO_ACT_WRITE, L_PATH },
    { "recvfile", SHO_ACT_WRITE, L_PATH },
    { "ftruncate", SHO_ACT_WRITE, L_PATH },
    { "fallocate", SHO_ACT_WRITE, L_PATH },
    { "rename", SHO_ACT_RENAME, L_RENAME },
    { "renameat", SHO_ACT_RENAME, L_RENAME },
    { "unlink", SHO_ACT_DELETE, L_PATH },
    { "unlinkat", SHO_ACT_DELETE, L_PATH },
    { "rmdir", SHO_ACT_DELETE, L_PATH },
    { "mkdir", SHO_ACT_CREATE, L_PATH },
    { "mkdirat", SHO_ACT_CREATE, L_PATH },
    { "symlinkat", SHO_ACT_CREATE, L_PATH },
    { "linkat", SHO_ACT_CREATE, L_PATH },
    { "mknodat", SHO_ACT_CREATE, L_PATH },
    { "opendir", SHO_ACT_LIST, L_PATH },
    { "fdopendir", SHO_ACT_LIST, L_PATH },
    { "chmod", SHO_ACT_PERM_CHANGE, L_PATH },
    { "fchmod", SHO_ACT_PERM_CHANGE, L_PATH },
    { "chmod_acl", SHO_ACT_PERM_CHANGE, L_PATH },
    { "fchmod_acl", SHO_ACT_PERM_CHANGE, L_PATH },
    { "fset_nt_acl", SHO_ACT_PERM_CHANGE, L_PATH },
    { "set_nt_acl", SHO_ACT_PERM_CHANGE, L_PATH },
    { "sys_acl_set_file", SHO_ACT_PERM_CHANGE, L_PATH },
    { "sys_acl_set_fd", SHO_ACT_PERM_CHANGE, L_PATH },
    { "sys_acl_delete_def_file", SHO_ACT_PERM_CHANGE, L_PATH },
    { "chown", SHO_ACT_OWNER_CHANGE, L_PATH },
    { "fchown", SHO_ACT_OWNER_CHANGE, L_PATH },
    { "lchown", SHO_ACT_OWNER_CHANGE, L_PATH },
    { "ntimes", SHO_ACT_WRITE_ATTR, L_PATH },
    { "fntimes", SHO_ACT_WRITE_ATTR, L_PATH },
    { "set_dos_attributes", SHO_ACT_WRITE_ATTR, L_PATH },
    { "fset_dos_attributes", SHO_ACT_WRITE_ATTR, L_PATH },
    { "setxattr", SHO_ACT_WRITE_ATTR, L_PATH },
    { "fsetxattr", SHO_ACT_WRITE_ATTR, L_PATH },
    { "removexattr", SHO_ACT_WRITE_ATTR, L_PATH },
    { "fremovexattr", SHO_ACT_WRITE_ATTR, L_PATH },
};

/* ---- the prefix spec --------------------------------------------------------------- */

int samba_spec_parse(struct samba_spec *spec, const char *text, struct sho_err *err)
{
    const char *p = text != NULL ? text : SAMBA_PREFIX_DEFAULT;
    const char *given = p;

    memset(spec, 0, sizeof(*spec));
    while (*p != '\0') {
        struct samba_piece *pc;
        if (spec->count == SAMBA_SPEC_MAX) {
            samba_spec_release(spec);
            return sho_err_set(err, SHO_EINVAL, NULL, -1, "--samba-prefix: more than %d parts",
                               SAMBA_SPEC_MAX);
        }
        pc = &spec->piece[spec->count];
        if (p[0] == '%' && p[1] != '\0' && p[1] != '%') {
            if (spec->count > 0 && spec->piece[spec->count - 1].var != 0) {
                samba_spec_release(spec);
                return sho_err_set(err, SHO_EINVAL, NULL, -1,
                                   "--samba-prefix '%s': two variables need text between them",
                                   given);
            }
            pc->var = p[1];
            p += 2;
        } else {
            const char *q = p;
            size_t n = 0;
            char *lit;
            while (*q != '\0' && !(q[0] == '%' && q[1] != '\0' && q[1] != '%')) {
                q += (q[0] == '%' && q[1] == '%') ? 2 : 1;
                n++;
            }
            lit = sho_xmalloc(n + 1);
            for (n = 0; p < q; n++) {
                lit[n] = *p;
                p += (p[0] == '%' && p[1] == '%') ? 2 : 1;
            }
            lit[n] = '\0';
            pc->text = lit;
            pc->len = n;
        }
        spec->count++;
    }
    return 0;
}

void samba_spec_release(struct samba_spec *spec)
{
    size_t i;

    for (i = 0; i < spec->count; i++) {
        free(spec->piece[i].text);
    }
    spec->count = 0;
}

/* ---- one line ------------------------------------------------------------------------ */

struct samba_rec {
    uint64_t time; /* FILETIME */
    bool has_time;
    const char *host; /* syslog HOST */
    const char *tag;  /* syslog TAG without [pid] */
    uint64_t pid;
    bool has_pid;
    const char *var[128]; /* prefix variables by letter */
    const char *op, *status;
    const char *arg[SAMBA_ARGS_MAX];
    size_t arg_count;
};

/* What parsing a line needs besides the line. */
struct sb_ctx {
    const struct samba_spec *spec;
    const struct sho_tzone *zone; /* of times logged without one */
    int64_t mtime;                /* the file's modification time: the year of BSD syslog times */
};

static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static bool sb_num(const char *s, size_t n, unsigned max, unsigned *out)
{
    uint64_t v;
    if (sho_parse_u64n(s, n, max, 0, &v) != 0) {
        return false;
    }
    *out = (unsigned)v;
    return true;
}

/* "Mmm dd hh:mm:ss " in local time of year `year`. Returns bytes used, 0 when not one. */
static size_t sb_bsd_time(const char *s, size_t len, const struct sb_ctx *f, uint64_t *ft)
{
    unsigned mon, day, hh, mm, ss, i;
    int64_t local, utc, year, mtime_local, sod;
    unsigned y_m, y_d;

    if (len < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':' || s[15] != ' ') {
        return 0;
    }
    for (mon = 12, i = 0; i < 12; i++) {
        mon = memcmp(s, months[i], 3) == 0 ? i : mon;
    }
    if (mon == 12 || !sb_num(s + 4 + (s[4] == ' '), s[4] == ' ' ? 1 : 2, 31, &day) || day == 0 ||
        !sb_num(s + 7, 2, 23, &hh) || !sb_num(s + 10, 2, 59, &mm) || !sb_num(s + 13, 2, 60, &ss)) {
        return 0;
    }
    /* The year: that of the file's last write, in the log's zone; a date after it is last year's.
     */
    mtime_local = f->mtime + (f->mtime - sho_tzone_to_utc(f->zone, f->mtime));
    sho_time_civil_from_days(mtime_local >= 0 ? mtime_local / 86400 : (mtime_local - 86399) / 86400,
                             &year, &y_m, &y_d);
    sod = (int64_t)hh * 3600 + (int64_t)mm * 60 + (int64_t)ss;
    local = sho_time_days_from_civil(year, mon + 1, day) * 86400 + sod;
    utc = sho_tzone_to_utc(f->zone, local);
    if (utc > f->mtime + 86400) {
        local = sho_time_days_from_civil(year - 1, mon + 1, day) * 86400 + sod;
        utc = sho_tzone_to_utc(f->zone, local);
    }
    if (utc < -(int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND)) {
        return 0;
    }
    *ft = (uint64_t)(utc + (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND)) *
          SHO_TICKS_PER_SECOND;
    return 16;
}

/* An ISO 8601 time followed by a space. A time without a zone is in --tz. */
static size_t sb_iso_time(const char *s, size_t len, const struct sb_ctx *f, uint64_t *ft)
{
    const char *sp = memchr(s, ' ', len);
    size_t n = sp != NULL ? (size_t)(sp - s) : 0;
    bool has_zone;
    int64_t secs, shifted;
    uint64_t frac;

    if (n < 19 || s[4] != '-' || s[10] != 'T' || sho_time_parse_iso(s, n, ft) != 0) {
        return 0;
    }
    has_zone = s[n - 1] == 'Z' || memchr(s + 19, '+', n - 19) != NULL ||
               memchr(s + 19, '-', n - 19) != NULL;
    if (!has_zone) {
        secs = (int64_t)(*ft / SHO_TICKS_PER_SECOND) -
               (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND);
        frac = *ft % SHO_TICKS_PER_SECOND;
        shifted = sho_tzone_to_utc(f->zone, secs) +
                  (int64_t)(SHO_FILETIME_UNIX_EPOCH / SHO_TICKS_PER_SECOND);
        if (shifted < 0) {
            return 0;
        }
        *ft = (uint64_t)shifted * SHO_TICKS_PER_SECOND + frac;
    }
    return n + 1;
}

/* Cut `s` at the next '|' (or keep all when none); *rest gets what follows. */
static char *sb_field(char *s, char **rest)
{
    char *bar = strchr(s, '|');

    if (bar != NULL) {
        *bar = '\0';
        *rest = bar + 1;
    } else {
        *rest = NULL;
    }
    return s;
}

/*
 * Match the prefix spec at the start of `msg`; returns the text after the
 * prefix and its '|', or NULL. Each variable takes the text up to the next
 * literal (or '|' for the last); values are NUL-terminated in place once the
 * whole prefix matched, over the first byte of what followed them.
 */
static char *sb_prefix(const struct samba_spec *spec, char *msg, struct samba_rec *r)
{
    char *start[SAMBA_SPEC_MAX], *p = msg;
    size_t len[SAMBA_SPEC_MAX], i;

    for (i = 0; i < spec->count; i++) {
        const struct samba_piece *pc = &spec->piece[i];
        const char *stop = i + 1 < spec->count ? spec->piece[i + 1].text : "|";
        char *end;
        if (pc->var == 0) {
            if (strncmp(p, pc->text, pc->len) != 0) {
                return NULL;
            }
            p += pc->len;
            continue;
        }
        end = strstr(p, stop);
        if (end == NULL) {
            return NULL;
        }
        start[i] = p;
        len[i] = (size_t)(end - p);
        p = end;
    }
    if (*p != '|') {
        return NULL;
    }
    for (i = 0; i < spec->count; i++) {
        if (spec->piece[i].var != 0) {
            start[i][len[i]] = '\0';
            r->var[(unsigned char)spec->piece[i].var & 127] = start[i];
        }
    }
    *p = '\0';
    return p + 1;
}

static char *sb_token(char **p)
{
    char *s = *p, *sp = strchr(s, ' ');

    if (sp == NULL || sp == s) {
        return NULL;
    }
    *sp = '\0';
    *p = sp + 1;
    return s;
}

/* "TAG[PID]:" (BSD) into r->tag and r->pid; returns the message after ": ". */
static char *sb_tag(char *p, struct samba_rec *r)
{
    char *colon = strchr(p, ':'), *br;
    uint64_t pid;

    if (colon == NULL || colon == p || colon - p > 64) {
        return NULL;
    }
    *colon = '\0';
    br = strchr(p, '[');
    if (br != NULL && colon[-1] == ']') {
        colon[-1] = '\0';
        *br = '\0';
        if (sho_parse_u64(br + 1, UINT32_MAX, 0, &pid) == 0) {
            r->pid = pid;
            r->has_pid = true;
        }
    }
    r->tag = p;
    return colon[1] == ' ' ? colon + 2 : colon + 1;
}

/* RFC 5424 after the time: "HOST APP PROCID MSGID SD MSG". */
static char *sb_5424(char *p, struct samba_rec *r)
{
    char *procid, *sd;
    uint64_t pid;

    r->host = sb_token(&p);
    r->tag = r->host != NULL ? sb_token(&p) : NULL;
    procid = r->tag != NULL ? sb_token(&p) : NULL;
    if (procid == NULL || sb_token(&p) == NULL) {
        return NULL;
    }
    if (sho_parse_u64(procid, UINT32_MAX, 0, &pid) == 0) {
        r->pid = pid;
        r->has_pid = true;
    }
    if (p[0] == '-') {
        return p[1] == ' ' ? p + 2 : p + 1;
    }
    sd = strstr(p, "] ");
    return p[0] == '[' && sd != NULL ? sd + 2 : NULL;
}

/* The syslog header of `line`: time, host, tag. Returns the message, or NULL. */
static char *sb_header(char *line, size_t len, const struct sb_ctx *c, struct samba_rec *r)
{
    char *p = line, *end = line + len;
    bool is_5424 = false;
    size_t n;

    if (*p == '<') {
        char *gt = memchr(p, '>', (size_t)(end - p) < 6 ? (size_t)(end - p) : 6);
        if (gt == NULL) {
            return NULL;
        }
        p = gt + 1;
    }
    if (p[0] == '1' && p[1] == ' ') {
        p += 2;
        is_5424 = true;
    }
    n = sb_iso_time(p, (size_t)(end - p), c, &r->time);
    if (n == 0 && !is_5424) {
        n = sb_bsd_time(p, (size_t)(end - p), c, &r->time);
    }
    if (n == 0) {
        return NULL;
    }
    r->has_time = true;
    p += n;
    if (is_5424) {
        return sb_5424(p, r);
    }
    r->host = sb_token(&p);
    return r->host != NULL ? sb_tag(p, r) : NULL;
}

static const struct samba_op *sb_op(const char *name)
{
    size_t i;

    for (i = 0; i < SHO_ARRAY_COUNT(samba_ops); i++) {
        if (strcmp(samba_ops[i].name, name) == 0) {
            return &samba_ops[i];
        }
    }
    return NULL;
}

/*
 * Parse a whole line into `r`. Returns 1 a full_audit line, 0 a syslog line
 * of something else (ignored), -1 a line that claims to be full_audit (tag
 * smbd_audit) or is not syslog at all: bad.
 */
static int sb_parse(char *line, size_t len, const struct sb_ctx *c, struct samba_rec *r)
{
    char *msg, *rest;
    bool is_audit_tag;

    memset(r, 0, sizeof(*r));
    msg = sb_header(line, len, c, r);
    if (msg == NULL) {
        return -1;
    }
    is_audit_tag = r->tag != NULL && strncmp(r->tag, "smbd", 4) == 0;
    rest = sb_prefix(c->spec, msg, r);
    if (rest == NULL) {
        return is_audit_tag && strcmp(r->tag, "smbd_audit") == 0 ? -1 : 0;
    }
    r->op = sb_field(rest, &rest);
    if (rest == NULL) {
        return is_audit_tag ? -1 : 0;
    }
    r->status = sb_field(rest, &rest);
    if (strcmp(r->status, "ok") != 0 && strncmp(r->status, "fail", 4) != 0) {
        return is_audit_tag ? -1 : 0;
    }
    while (rest != NULL && r->arg_count < SAMBA_ARGS_MAX) {
        r->arg[r->arg_count++] = sb_field(rest, &rest);
    }
    return 1;
}

bool samba_is_line(const struct samba_spec *spec, const char *text, size_t len)
{
    struct sho_tzone utc;
    struct sb_ctx c;
    struct samba_rec r;
    char buf[2048];

    memset(&utc, 0, sizeof(utc));
    c.spec = spec;
    c.zone = &utc;
    c.mtime = 0;
    if (len >= sizeof(buf)) {
        len = sizeof(buf) - 1;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    return sb_parse(buf, len, &c, &r) == 1;
}

/* ---- from a line to an event ------------------------------------------------------------ */

struct sb_state {
    struct sb_ctx c;
    struct sho_buf path;    /* the UNC path being built */
    struct textsrc_ids ids; /* record ids of lines that have none */
};

/* The share-relative part of absolute path `p`, or NULL when it cannot be told. */
static const char *sb_relative(const char *p, const char *root, const char *share)
{
    size_t n;

    if (p[0] != '/') {
        return p;
    }
    if (root != NULL && (n = strlen(root)) > 0) {
        while (n > 1 && root[n - 1] == '/') {
            n--;
        }
        if (strncmp(p, root, n) == 0 && (p[n] == '/' || p[n] == '\0')) {
            return p + n;
        }
    }
    if (share != NULL && (n = strlen(share)) > 0) {
        const char *q = p;
        while ((q = strchr(q, '/')) != NULL) {
            q++;
            if (strncmp(q, share, n) == 0 && (q[n] == '/' || q[n] == '\0')) {
                return q + n;
            }
        }
    }
    return NULL;
}

/* \\SERVER\share\rel (slashes turned around, "." and empty parts dropped). */
static const char *sb_unc(struct sb_state *s, const char *server, const char *share,
                          const char *root, const char *p)
{
    const char *rel = p != NULL ? sb_relative(p, root, share) : "";
    int rc;

    if (rel == NULL || server == NULL || share == NULL) {
        return p;
    }
    sho_buf_reset(&s->path);
    rc = sho_buf_appendf(&s->path, "\\\\%s\\%s", server, share);
    while (rc == 0 && *rel != '\0') {
        const char *e = strchr(rel, '/');
        size_t n = e != NULL ? (size_t)(e - rel) : strlen(rel);
        if (n > 0 && !(n == 1 && rel[0] == '.')) {
            rc = sho_buf_putc(&s->path, '\\');
            rc = rc == 0 ? sho_buf_append(&s->path, rel, n) : rc;
        }
        rel += n + (e != NULL);
    }
    return rc == 0 ? s->path.data : p;
}

static uint32_t sb_actions(const struct samba_op *op, const struct samba_rec *r, bool *is_dir)
{
    uint64_t mask;
    uint32_t act;

    *is_dir = strcmp(op->name, "opendir") == 0 || strcmp(op->name, "fdopendir") == 0 ||
              strncmp(op->name, "mkdir", 5) == 0 || strcmp(op->name, "rmdir") == 0;
    switch (op->layout) {
    case L_RW:
        return r->arg_count > 0 && strcmp(r->arg[0], "w") == 0 ? SHO_ACT_WRITE : SHO_ACT_READ;
    case L_CREATE:
        if (r->arg_count < 4 || sho_parse_u64(r->arg[0], UINT32_MAX, SHO_PARSE_HEX, &mask) != 0) {
            return 0;
        }
        *is_dir = strcmp(r->arg[1], "dir") == 0;
        act = access_mask_actions(ACCESS_OBJ_FILE, mask);
        if (strcmp(r->arg[2], "create") == 0) {
            act |= SHO_ACT_CREATE;
        } else if (strncmp(r->arg[2], "overwrite", 9) == 0 || strcmp(r->arg[2], "supersede") == 0) {
            act |= SHO_ACT_WRITE;
        }
        return act;
    default:
        return op->actions;
    }
}

static const char *sb_path_arg(const struct samba_op *op, const struct samba_rec *r)
{
    size_t i = op->layout == L_RW ? 1 : op->layout == L_CREATE ? 3 : 0;
    return i < r->arg_count && r->arg[i][0] != '\0' ? r->arg[i] : NULL;
}

/* Fill `ev` from a parsed line. Returns false when the operation is not kept. */
static bool sb_event(struct sb_state *s, const struct samba_rec *r, bool is_all,
                     const char *fallback_host, struct sho_event *ev)
{
    const struct samba_op *op = sb_op(r->op);
    const char *server = r->var['L'] != NULL ? r->var['L'] : r->host;
    const char *share = r->var['S'], *user = r->var['u'] != NULL ? r->var['u'] : r->var['U'];
    const char *bs;
    bool is_dir = false;

    ev->actions = op != NULL ? sb_actions(op, r, &is_dir) : 0;
    if (ev->actions == 0 && !is_all) {
        return false;
    }
    server = server != NULL ? server : fallback_host;
    ev->time = r->time;
    ev->has |= SHO_HAS_TIME | SHO_HAS_RECORD_ID | SHO_HAS_SOURCE_OFFSET;
    ev->host = server;
    ev->channel = "samba-full-audit";
    ev->provider = r->tag != NULL ? r->tag : "smbd_audit";
    ev->outcome = strcmp(r->status, "ok") == 0 ? SHO_OUTCOME_SUCCESS : SHO_OUTCOME_FAILURE;
    ev->domain = r->var['D'];
    bs = user != NULL ? strchr(user, '\\') : NULL;
    if (bs != NULL && ev->domain == NULL) {
        ev->user = bs + 1; /* winbind names: DOMAIN\user (the line is ours to cut) */
        *(char *)bs = '\0';
        ev->domain = user;
    } else {
        ev->user = user;
    }
    ev->client_ip = r->var['I'];
    ev->share = share;
    ev->share_local_path = r->var['P'];
    ev->process = "smbd";
    if (r->has_pid) {
        ev->process_id = r->pid;
        ev->has |= SHO_HAS_PROCESS_ID;
    }
    if (op != NULL && op->layout == L_SHARE) {
        ev->path = sb_unc(s, server, r->arg_count > 0 ? r->arg[0] : share, NULL, NULL);
        ev->object_type = "Share";
    } else if (op != NULL) {
        ev->path = sb_unc(s, server, share, r->var['P'], sb_path_arg(op, r));
        ev->object_type = is_dir ? "Directory" : "File";
    }
    return true;
}

int textsrc_read_samba(struct textsrc_file *f, struct text_lines *lines, struct sho_err *err)
{
    struct sb_state s;
    struct samba_rec r;
    struct text_line l;
    struct sho_event ev;
    bool is_all = (f->t->opts.flags & SHO_COLLECT_ALL_EVENTS) != 0;
    int rc;

    memset(&s, 0, sizeof(s));
    s.c.spec = &f->t->samba;
    s.c.zone = &f->t->zone;
    s.c.mtime = f->mtime;
    sho_buf_init(&s.path, (size_t)1 << 16);
    while ((rc = text_lines_next(lines, &l, err)) == 1) {
        uint64_t h;
        int kind;
        f->st->records++;
        if (l.len == 0 || textsrc_line_bad(f, &l)) {
            continue;
        }
        h = textsrc_hash(l.text, l.len, TEXTSRC_HASH_SEED);
        kind = sb_parse(l.text, l.len, &s.c, &r);
        if (kind < 0) {
            textsrc_problem(f, SHO_SKIP_BAD_LINE, true, l.offset, l.number,
                            "not a Samba full_audit syslog line for prefix spec");
            continue;
        }
        if (kind == 0) {
            continue;
        }
        f->st->read++;
        sho_event_clear(&ev);
        if (!sb_event(&s, &r, is_all, f->t->host, &ev)) {
            continue;
        }
        ev.record_id = textsrc_record_id(&s.ids, h, r.time);
        ev.source_offset = l.offset;
        rc = textsrc_event(f, &ev, err);
        if (rc != 0) {
            break;
        }
    }
    sho_buf_release(&s.path);
    return rc < 0 ? rc : 0;
}
