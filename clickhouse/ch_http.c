/*
 * ch_http: requests to ClickHouse's HTTP interface through libcurl, and gzip
 * through zlib: the one adapter of both libraries. The SQL of a SELECT is
 * the POST body; an INSERT's SQL is the `query` URL parameter and its data
 * the body. Settings ride in the URL (wait_end_of_query=1 always, so that a
 * failure is reported as an HTTP error status with ClickHouse's message
 * rather than as an answer cut short). The user and password go through
 * CURLOPT_USERNAME / CURLOPT_PASSWORD (an Authorization header): never in a
 * URL, which servers and proxies log.
 */
#include <string.h>

#include <curl/curl.h>
#define ZLIB_CONST
#include <zlib.h>

#include "ch_priv.h"

#define CH_RESPONSE_LINE_MAX ((size_t)64 << 20) /* longest answer line kept */
#define CH_ERROR_KEEP        4096               /* bytes of an error answer kept */
#define CH_CONNECT_SECONDS   10L

struct ch_resp {
    struct sho_buf line;  /* the line being received */
    struct sho_buf error; /* the body of an error answer */
    long status;          /* HTTP status, known at the first byte */
    CURL *curl;
    int (*fn)(void *ctx, char *text, size_t len);
    void *ctx;
    int rc; /* what stopped the transfer: fn's value or SHO_ELIMIT */
};

static int resp_bytes(struct ch_resp *r, const char *p, size_t n)
{
    size_t i, start = 0;

    for (i = 0; i < n; i++) {
        if (p[i] != '\n') {
            continue;
        }
        if (sho_buf_append(&r->line, p + start, i - start) != 0 ||
            sho_buf_reserve(&r->line, 1) != 0) {
            return SHO_ELIMIT;
        }
        r->line.data[r->line.len] = '\0';
        if (r->fn != NULL) {
            int rc = r->fn(r->ctx, r->line.data, r->line.len);
            if (rc != 0) {
                return rc;
            }
        }
        sho_buf_reset(&r->line);
        start = i + 1;
    }
    return sho_buf_append(&r->line, p + start, n - start) == 0 ? 0 : SHO_ELIMIT;
}

static size_t resp_write(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct ch_resp *r = ctx;
    size_t n = size * nmemb;

    if (r->status == 0) {
        (void)curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
    }
    if (r->status != 200) {
        size_t keep = r->error.len < CH_ERROR_KEEP ? CH_ERROR_KEEP - r->error.len : 0;
        if (sho_buf_append(&r->error, p, n < keep ? n : keep) != 0) {
            return 0; /* cannot happen: `keep` stops at the buffer's bound */
        }
        return n;
    }
    r->rc = resp_bytes(r, p, n);
    return r->rc == 0 ? n : 0;
}

/* gzip `len` bytes of `data` into `out`. */
static int ch_gzip(const void *data, size_t len, struct sho_buf *out)
{
    z_stream zs;
    int rc;

    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return SHO_ENOMEM;
    }
    rc = sho_buf_reserve(out, (size_t)deflateBound(&zs, (uLong)len));
    if (rc == 0) {
        zs.next_in = data;
        zs.avail_in = (uInt)len;
        zs.next_out = (Bytef *)out->data;
        zs.avail_out = (uInt)(out->cap - out->len);
        rc = deflate(&zs, Z_FINISH) == Z_STREAM_END ? 0 : SHO_EIO;
        out->len = zs.total_out;
    }
    (void)deflateEnd(&zs);
    return rc;
}

/* The server's message: the first line, without ClickHouse's ", e.what() = ..." tail. */
static void resp_error(const struct sho_ch_target *t, unsigned node, struct ch_resp *r, CURLcode cc,
                       const char *curl_msg, struct sho_err *err)
{
    char *nl, *what;

    if (cc != CURLE_OK) {
        (void)sho_err_set(err, SHO_EIO, NULL, -1, "cannot reach ClickHouse at '%s': %s",
                          t->urls[node], curl_msg[0] != '\0' ? curl_msg : curl_easy_strerror(cc));
        return;
    }
    if (sho_buf_putc(&r->error, '\0') != 0) {
        r->error.data[r->error.len - 1] = '\0';
    }
    nl = strchr(r->error.data, '\n');
    if (nl != NULL) {
        *nl = '\0';
    }
    what = strstr(r->error.data, ", e.what() = ");
    if (what != NULL) {
        *what = '\0';
    }
    (void)sho_err_set(err, SHO_EIO, NULL, -1, "ClickHouse at '%s' answered %ld: %s", t->urls[node],
                      r->status, r->error.data);
}

static int ch_url(const struct sho_ch_target *t, unsigned node, const char *params,
                  const char *sql_param, CURL *curl, struct sho_buf *url)
{
    int rc = sho_buf_appendf(url, "%s/?wait_end_of_query=1%s", t->urls[node], params);

    if (rc == 0 && sql_param != NULL) {
        char *esc = curl_easy_escape(curl, sql_param, 0);
        rc = esc != NULL ? sho_buf_appendf(url, "&query=%s", esc) : SHO_ENOMEM;
        curl_free(esc);
    }
    return rc == 0 ? sho_buf_putc(url, '\0') : rc;
}

static void ch_setup(CURL *curl, const struct sho_ch_target *t, const char *url, struct ch_resp *r,
                     char *errbuf)
{
    (void)curl_easy_setopt(curl, CURLOPT_URL, url);
    (void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    (void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CH_CONNECT_SECONDS);
    (void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, resp_write);
    (void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    (void)curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    if (t->user != NULL) {
        (void)curl_easy_setopt(curl, CURLOPT_USERNAME, t->user);
        (void)curl_easy_setopt(curl, CURLOPT_PASSWORD, t->password != NULL ? t->password : "");
    }
}

int ch_post(const struct sho_ch_target *t, unsigned node, const char *params, const char *sql,
            const void *body, size_t body_len, bool gzip,
            int (*line)(void *ctx, char *text, size_t len), void *ctx, uint64_t *sent_bytes,
            struct sho_err *err)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    struct sho_buf url, packed;
    struct ch_resp r;
    CURLcode cc = CURLE_OK;
    CURL *curl = curl_easy_init();
    int rc;

    if (curl == NULL) {
        return sho_err_set(err, SHO_ENOMEM, NULL, -1, "%s", "cannot start an HTTP request");
    }
    memset(&r, 0, sizeof(r));
    r.curl = curl;
    r.fn = line;
    r.ctx = ctx;
    sho_buf_init(&r.line, CH_RESPONSE_LINE_MAX);
    sho_buf_init(&r.error, CH_ERROR_KEEP + 1);
    sho_buf_init(&url, (size_t)1 << 20);
    sho_buf_init(&packed, (size_t)1 << 31);
    rc = ch_url(t, node, params, body != NULL ? sql : NULL, curl, &url);
    if (rc == 0 && body != NULL && gzip) {
        rc = ch_gzip(body, body_len, &packed);
        body = packed.data;
        body_len = packed.len;
        headers = curl_slist_append(headers, "Content-Encoding: gzip");
    }
    if (rc != 0) {
        rc = sho_err_set(err, rc, NULL, -1, "%s", "cannot build the ClickHouse request");
        goto out;
    }
    ch_setup(curl, t, url.data, &r, errbuf);
    (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body != NULL ? body : sql);
    (void)curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                           (curl_off_t)(body != NULL ? body_len : strlen(sql)));
    cc = curl_easy_perform(curl);
    if (r.status == 0) {
        (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    }
    if (cc == CURLE_WRITE_ERROR && r.rc != 0) {
        rc = r.rc == SHO_ELIMIT ? sho_err_set(err, SHO_ELIMIT, NULL, -1, "%s",
                                              "a ClickHouse answer line is too long")
                                : r.rc;
    } else if (cc != CURLE_OK || r.status != 200) {
        resp_error(t, node, &r, cc, errbuf, err);
        rc = SHO_EIO;
    } else if (r.line.len > 0 && line != NULL) {
        rc = sho_err_set(err, SHO_EIO, NULL, -1, "ClickHouse at '%s' sent an unfinished line",
                         t->urls[node]);
    } else if (sent_bytes != NULL) {
        *sent_bytes += body_len;
    }
out:
    curl_slist_free_all(headers);
    sho_buf_release(&packed);
    sho_buf_release(&url);
    sho_buf_release(&r.error);
    sho_buf_release(&r.line);
    curl_easy_cleanup(curl);
    return rc;
}
