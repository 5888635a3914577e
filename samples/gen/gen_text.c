/*
 * gen_text: the same file accesses as the Security logs, written as a Linux
 * file server's auditd log (RAW records: SYSCALL, CWD, two PATH, PROCTITLE
 * and EOE per event, msg=audit(SECONDS.MILLIS:SERIAL), the person as auid,
 * names with non-ASCII bytes hex-encoded as auditd does) with a passwd file
 * naming the auids, and as Samba vfs_full_audit syslog lines (RFC 5424-style
 * times with their zone, prefix %u|%I|%m|%S, absolute paths under
 * /srv/samba/SHARE). A server's share D:\shares\S\F\N is /srv/shares/S/F/N
 * under auditd and /srv/samba/S/F/N under Samba, so the UNC path shoseki
 * builds from the Samba line is the truth's \\HOST\S\F\N. Output is
 * deterministic: it depends only on the planned accesses.
 */
#include "gen_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GT_UID_BASE 1100u
#define GT_JST      INT64_C(32400) /* +09:00, in seconds */
#define GT_TICKS_S  10000000ull
#define GT_TICKS_MS 10000ull
#define GT_PATH_MAX 512
#define GT_SERIAL_0 1000u

struct gen_text {
    FILE *auditd;      /* owned, may be NULL */
    FILE *samba;       /* owned, may be NULL */
    char passwd[4096]; /* the passwd file beside the auditd log */
    unsigned serial;   /* next audit serial */
    bool failed;       /* a write failed */
};

struct gen_text *gen_text_open(const char *auditd_path, const char *samba_path, struct sho_err *err)
{
    struct gen_text *t = sho_xcalloc(1, sizeof(*t));

    t->serial = GT_SERIAL_0;
    if (auditd_path != NULL) {
        (void)snprintf(t->passwd, sizeof(t->passwd), "%s.passwd", auditd_path);
        t->auditd = fopen(auditd_path, "w");
    }
    if (samba_path != NULL && (auditd_path == NULL || t->auditd != NULL)) {
        t->samba = fopen(samba_path, "w");
    }
    if ((auditd_path != NULL && t->auditd == NULL) || (samba_path != NULL && t->samba == NULL)) {
        (void)sho_err_set(err, SHO_EIO, t->auditd == NULL ? auditd_path : samba_path, -1,
                          "cannot create");
        if (t->auditd != NULL) {
            (void)fclose(t->auditd);
        }
        free(t);
        return NULL;
    }
    return t;
}

/* `s` as auditd writes a name: quoted when plain ASCII, else hex of its bytes. */
static void gt_name(FILE *f, const char *s)
{
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p <= ' ' || *p >= 0x7f || *p == '"') {
            break;
        }
    }
    if (*p == '\0') {
        (void)fprintf(f, "\"%s\"", s);
        return;
    }
    for (p = (const unsigned char *)s; *p != '\0'; p++) {
        (void)fprintf(f, "%02X", *p);
    }
}

static void gt_auditd(struct gen_text *t, const struct gen_text_access *a)
{
    uint64_t unix_ms = (a->time - SHO_FILETIME_UNIX_EPOCH) / GT_TICKS_MS;
    unsigned uid = GT_UID_BASE + a->person, serial = t->serial++;
    bool is_delete = a->action == 'd';
    char stamp[64], path[GT_PATH_MAX], dir[GT_PATH_MAX];
    FILE *f = t->auditd;

    (void)snprintf(stamp, sizeof(stamp), "%llu.%03llu:%u", (unsigned long long)(unix_ms / 1000),
                   (unsigned long long)(unix_ms % 1000), serial);
    (void)snprintf(dir, sizeof(dir), "/srv/shares/%s/%s/", a->share, a->folder);
    (void)snprintf(path, sizeof(path), "%s%s", dir, a->name);
    (void)fprintf(f,
                  "node=%s type=SYSCALL msg=audit(%s): arch=c000003e syscall=%d success=%s "
                  "exit=%d a0=ffffff9c a1=7ffd5a1c2e30 a2=%s a3=1b6 items=2 ppid=1 pid=%u "
                  "auid=%u uid=%u gid=%u euid=%u suid=%u fsuid=%u egid=%u sgid=%u fsgid=%u "
                  "tty=(none) ses=%u comm=\"smbd\" exe=\"/usr/sbin/smbd\" key=\"shares\"\n",
                  a->node, stamp, is_delete ? 263 : 257, a->is_failure ? "no" : "yes",
                  a->is_failure ? -13
                  : is_delete   ? 0
                                : 3,
                  is_delete          ? "0"
                  : a->action == 'w' ? "201"
                                     : "0",
                  4000 + a->person, uid, uid, uid, uid, uid, uid, uid, uid, uid, 10 + a->person);
    (void)fprintf(f, "node=%s type=CWD msg=audit(%s): cwd=\"/\"\n", a->node, stamp);
    (void)fprintf(f, "node=%s type=PATH msg=audit(%s): item=0 name=", a->node, stamp);
    gt_name(f, dir);
    (void)fprintf(f, " inode=393 dev=fd:01 mode=040775 ouid=0 ogid=0 rdev=00:00 nametype=PARENT "
                     "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n");
    (void)fprintf(f, "node=%s type=PATH msg=audit(%s): item=1 name=", a->node, stamp);
    gt_name(f, path);
    (void)fprintf(f,
                  " inode=%u dev=fd:01 mode=0100660 ouid=0 ogid=0 rdev=00:00 nametype=%s "
                  "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n",
                  5000 + serial, is_delete ? "DELETE" : "NORMAL");
    (void)fprintf(f,
                  "node=%s type=PROCTITLE msg=audit(%s): proctitle=2F7573722F7362696E2F736D6264\n",
                  a->node, stamp);
    (void)fprintf(f, "node=%s type=EOE msg=audit(%s): \n", a->node, stamp);
}

static void gt_samba(struct gen_text *t, const struct gen_text_access *a)
{
    int64_t secs = (int64_t)((a->time - SHO_FILETIME_UNIX_EPOCH) / GT_TICKS_S) + GT_JST;
    unsigned micros = (unsigned)((a->time - SHO_FILETIME_UNIX_EPOCH) % GT_TICKS_S / 10);
    int64_t y;
    unsigned m, d, sod = (unsigned)(secs % 86400);
    const char *op = a->action == 'd' ? "unlinkat" : "openat";
    const char *mode = a->action == 'd' ? "" : a->action == 'w' ? "w|" : "r|";

    sho_time_civil_from_days(secs / 86400, &y, &m, &d);
    (void)fprintf(t->samba,
                  "%04lld-%02u-%02uT%02u:%02u:%02u.%06u+09:00 %s smbd_audit[%u]: "
                  "%s|%s|PC%02u|%s|%s|%s|%s/srv/samba/%s/%s/%s\n",
                  (long long)y, m, d, sod / 3600, sod / 60 % 60, sod % 60, micros, a->host,
                  3000 + a->person, a->account, a->ip, a->person, a->share, op,
                  a->is_failure ? "fail (Permission denied)" : "ok", mode, a->share, a->folder,
                  a->name);
}

void gen_text_access(struct gen_text *t, const struct gen_text_access *a)
{
    if (t->auditd != NULL) {
        gt_auditd(t, a);
    }
    if (t->samba != NULL) {
        gt_samba(t, a);
    }
}

int gen_text_close(struct gen_text *t, const char *const *accounts, unsigned count,
                   struct sho_err *err)
{
    int rc = 0;
    unsigned i;

    if (t == NULL) {
        return 0;
    }
    if (t->auditd != NULL && accounts != NULL) {
        FILE *p = fopen(t->passwd, "w");
        if (p == NULL) {
            rc = sho_err_set(err, SHO_EIO, t->passwd, -1, "cannot create");
        }
        for (i = 0; p != NULL && i < count; i++) {
            (void)fprintf(p, "%s:x:%u:%u::/home/%u:/usr/sbin/nologin\n", accounts[i],
                          GT_UID_BASE + i, GT_UID_BASE + i, GT_UID_BASE + i);
        }
        if (p != NULL && fclose(p) != 0) {
            rc = sho_err_set(err, SHO_EIO, t->passwd, -1, "cannot write");
        }
    }
    if (t->auditd != NULL && fclose(t->auditd) != 0 && rc == 0) {
        rc = sho_err_set(err, SHO_EIO, NULL, -1, "cannot write the auditd log");
    }
    if (t->samba != NULL && fclose(t->samba) != 0 && rc == 0) {
        rc = sho_err_set(err, SHO_EIO, NULL, -1, "cannot write the Samba log");
    }
    free(t);
    return rc;
}
