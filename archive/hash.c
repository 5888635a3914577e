/*
 * hash: the SHA-256 provider, OpenSSL's libcrypto (EVP), behind one adapter
 * so the rest of shoseki never sees an OpenSSL type. A maintained library,
 * not a hand-written digest: the hash is what evidence stands on.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "archive_priv.h"

/*
 * The digest is fetched from OpenSSL's provider once: EVP_sha256() fetches it
 * again at every use (a lookup under locks that costs more than hashing one
 * event's key). Kept for the life of the process.
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
/* Each thread's context for one-shot digests, kept: one per digest costs an allocation. */
static pthread_key_t sha256_ctx_key;

static void sha256_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (pthread_key_create(&sha256_ctx_key, sha256_ctx_free) != 0) {
        EVP_MD_free(sha256_md);
        sha256_md = NULL;
    }
}

static const EVP_MD *sha256_get(void)
{
    if (pthread_once(&sha256_once, sha256_fetch) != 0 || sha256_md == NULL) {
        (void)fprintf(stderr, "shoseki: fatal: SHA-256 unavailable\n");
        abort();
    }
    return sha256_md;
}

void sho_sha256(const void *data, size_t len, uint8_t out[SHO_HASH_LEN])
{
    const EVP_MD *md = sha256_get();
    EVP_MD_CTX *ctx = pthread_getspecific(sha256_ctx_key);
    unsigned int n = 0;

    if (ctx == NULL) {
        ctx = EVP_MD_CTX_new();
        if (ctx == NULL || pthread_setspecific(sha256_ctx_key, ctx) != 0) {
            (void)fprintf(stderr, "shoseki: fatal: SHA-256 unavailable\n");
            abort();
        }
    }
    if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
        EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != SHO_HASH_LEN) {
        (void)fprintf(stderr, "shoseki: fatal: SHA-256 failed\n");
        abort();
    }
}

void sho_hash_hex(const uint8_t hash[SHO_HASH_LEN], char out[SHO_HASH_HEX])
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < SHO_HASH_LEN; i++) {
        out[2 * i] = digits[hash[i] >> 4];
        out[2 * i + 1] = digits[hash[i] & 0xF];
    }
    out[SHO_HASH_HEX - 1] = '\0';
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int sho_hash_parse(const char *hex, uint8_t out[SHO_HASH_LEN])
{
    size_t i;

    for (i = 0; i < SHO_HASH_LEN; i++) {
        int hi = hex_nibble(hex[2 * i]);
        int lo = hi < 0 ? -1 : hex_nibble(hex[2 * i + 1]);
        if (lo < 0) {
            return SHO_EINVAL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return hex[SHO_HASH_HEX - 1] == '\0' ? 0 : SHO_EINVAL;
}

struct arc_sha256 {
    EVP_MD_CTX *ctx; /* owned */
};

struct arc_sha256 *arc_sha256_new(void)
{
    struct arc_sha256 *h = sho_xcalloc(1, sizeof(*h));

    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, sha256_get(), NULL) != 1) {
        (void)fprintf(stderr, "shoseki: fatal: SHA-256 unavailable\n");
        abort();
    }
    return h;
}

void arc_sha256_update(struct arc_sha256 *h, const void *data, size_t len)
{
    if (EVP_DigestUpdate(h->ctx, data, len) != 1) {
        (void)fprintf(stderr, "shoseki: fatal: SHA-256 failed\n");
        abort();
    }
}

void arc_sha256_final(struct arc_sha256 *h, uint8_t out[SHO_HASH_LEN])
{
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != SHO_HASH_LEN) {
        (void)fprintf(stderr, "shoseki: fatal: SHA-256 failed\n");
        abort();
    }
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

/* The public face of the streaming digest: the same object under the public name. */
struct sho_sha256_ctx {
    struct arc_sha256 *impl; /* owned */
};

struct sho_sha256_ctx *sho_sha256_begin(void)
{
    struct sho_sha256_ctx *h = sho_xcalloc(1, sizeof(*h));

    h->impl = arc_sha256_new();
    return h;
}

void sho_sha256_update(struct sho_sha256_ctx *h, const void *data, size_t len)
{
    arc_sha256_update(h->impl, data, len);
}

void sho_sha256_end(struct sho_sha256_ctx *h, uint8_t out[SHO_HASH_LEN])
{
    arc_sha256_final(h->impl, out);
    free(h);
}
