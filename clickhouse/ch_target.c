/*
 * ch_target: where the events are. A server is given as http://HOST:PORT
 * (ship's --clickhouse) or clickhouse://HOST:PORT/TABLE (the searches'
 * --backend); both become an HTTP base URL. A URL with credentials in it
 * (user:password@) is refused: URLs end up in logs and shell history, so
 * the password comes from a file and travels in a header.
 */
#include <stdlib.h>
#include <string.h>

#include "ch_priv.h"

#define CH_PASSWORD_MAX 4096

int ch_url_parse(const char *spec, char *url, size_t url_len, char *table, size_t table_len,
                 struct sho_err *err)
{
    const char *rest, *slash;
    size_t host_len;
    bool ch = strncmp(spec, "clickhouse://", 13) == 0;

    if (ch) {
        rest = spec + 13;
    } else if (strncmp(spec, "http://", 7) == 0 || strncmp(spec, "https://", 8) == 0) {
        rest = strchr(spec, ':') + 3;
    } else {
        return sho_err_set(err, SHO_EINVAL, NULL, -1,
                           "'%s' is not http://HOST:PORT or clickhouse://HOST:PORT/TABLE", spec);
    }
    if (strpbrk(spec, "@?#") != NULL) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "%s",
                           "a ClickHouse address takes no user, password or parameters"
                           " (use --user and --password-file)");
    }
    slash = strchr(rest, '/');
    host_len = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
    if (host_len == 0 || (size_t)(rest - spec) + host_len + (ch ? 7 : 0) + 1 > url_len) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1, "no host in '%s'", spec);
    }
    if (ch) {
        memcpy(url, "http://", 7);
        memcpy(url + 7, rest, host_len);
        url[7 + host_len] = '\0';
    } else {
        memcpy(url, spec, (size_t)(rest - spec) + host_len);
        url[(size_t)(rest - spec) + host_len] = '\0';
    }
    table[0] = '\0';
    if (slash != NULL && slash[1] != '\0') {
        if (!ch_ident_ok(slash + 1) || strlen(slash + 1) >= table_len) {
            return sho_err_set(err, SHO_EINVAL, NULL, -1,
                               "table name '%s' wants letters, digits and '_'", slash + 1);
        }
        memcpy(table, slash + 1, strlen(slash + 1) + 1);
    }
    return 0;
}

int ch_password_read(const char *path, char *out, size_t out_len, struct sho_err *err)
{
    struct sho_buf b;
    int rc;

    sho_buf_init(&b, CH_PASSWORD_MAX);
    rc = sho_buf_read_file(&b, path, err);
    if (rc == 0) {
        size_t n = b.len;
        while (n > 0 && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r')) {
            n--;
        }
        if (n >= out_len) {
            rc = sho_err_set(err, SHO_ELIMIT, path, -1, "%s", "password too long");
        } else {
            if (n > 0) {
                memcpy(out, b.data, n);
            }
            out[n] = '\0';
        }
    }
    if (b.data != NULL) {
        memset(b.data, 0, b.len);
    }
    sho_buf_release(&b);
    return rc;
}

struct ch_backend {
    struct sho_ch_target t; /* first: the pointer handed out */
    char url[512], table[128], password[1024];
};

int sho_ch_backend_open(const char *spec, struct sho_ch_target **out, struct sho_err *err)
{
    struct ch_backend *b;
    const char *pwfile;
    int rc;

    *out = NULL;
    if (strncmp(spec, "clickhouse://", 13) != 0) {
        return sho_err_set(err, SHO_EINVAL, NULL, -1,
                           "backend '%s' is not clickhouse://HOST:PORT/TABLE", spec);
    }
    b = sho_xcalloc(1, sizeof(*b));
    rc = ch_url_parse(spec, b->url, sizeof(b->url), b->table, sizeof(b->table), err);
    if (rc == 0 && b->table[0] == '\0') {
        rc = sho_err_set(err, SHO_EINVAL, NULL, -1, "no table in '%s'", spec);
    }
    b->t.urls[0] = b->url;
    b->t.url_count = 1;
    b->t.table = b->table;
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    b->t.user = getenv("SHOSEKI_CLICKHOUSE_USER");
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    pwfile = getenv("SHOSEKI_CLICKHOUSE_PASSWORD_FILE");
    if (rc == 0 && pwfile != NULL && pwfile[0] != '\0') {
        rc = ch_password_read(pwfile, b->password, sizeof(b->password), err);
        b->t.password = b->password;
    }
    if (rc != 0) {
        sho_ch_backend_close(&b->t);
        return rc;
    }
    *out = &b->t;
    return 0;
}

void sho_ch_backend_close(struct sho_ch_target *t)
{
    struct ch_backend *b = (struct ch_backend *)t;

    if (b != NULL) {
        memset(b->password, 0, sizeof(b->password));
        free(b);
    }
}
