/*
 * Replay driver (zstd's regression driver): linked with one fuzz target in
 * place of libFuzzer, it runs LLVMFuzzerTestOneInput over every regular file
 * of the directories named on the command line (not recursively), in name
 * order, so each target's seeds and past crash inputs run as an ordinary
 * ctest test with any compiler. Each input is copied into a buffer of
 * exactly its size, as libFuzzer does, so a read past the end is caught by
 * ASan here too. A directory that does not exist is noted and skipped (the
 * regressions folder of a target appears with its first crash); finding no
 * input at all fails, so a wrong seed path cannot pass silently.
 *
 * Memory: libFuzzer stops an input at -rss_limit_mb; here, without ASan
 * (which reserves terabytes of address space for its shadow and is capped by
 * the targets' own options instead), the address space is capped at
 * REPLAY_AS_MAX, so an input that makes a dependency allocate without bound
 * (regressions/evtx_file/oom-libevtx-*) fails that allocation instead of
 * exhausting the machine.
 *
 * usage: replay_<target> DIR...   exit 0 when every input ran, 1 otherwise
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define REPLAY_PATH_MAX 4096
#define REPLAY_AS_MAX   ((rlim_t)4 << 30) /* bytes of address space without ASan */

#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REPLAY_HAS_ASAN 1
#endif
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read the whole file at `path` into a buffer of exactly its size; caller frees. */
static int replay_read(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len = -1;
    int rc = -1;

    if (f != NULL && fseek(f, 0, SEEK_END) == 0) {
        len = ftell(f);
    }
    if (len >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        /* malloc(0) may return NULL; an empty input still gets a valid pointer. */
        buf = malloc(len > 0 ? (size_t)len : 1);
    }
    if (buf != NULL && fread(buf, 1, (size_t)len, f) == (size_t)len) {
        *out = buf;
        *out_len = (size_t)len;
        buf = NULL;
        rc = 0;
    }
    free(buf);
    if (f != NULL) {
        (void)fclose(f);
    }
    return rc;
}

static int replay_regular(const struct dirent *de)
{
    return de->d_name[0] != '.';
}

/* Replay every regular file of `dir`; adds to *count. Returns 0, or -1 when an input was
 * unreadable. */
static int replay_dir(const char *dir, unsigned long *count)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, replay_regular, alphasort);
    int i, rc = 0;

    if (n < 0) {
        if (errno == ENOENT) {
            (void)fprintf(stderr, "replay: no directory '%s', skipped\n", dir);
            return 0;
        }
        (void)fprintf(stderr, "replay: cannot list '%s'\n", dir);
        return -1;
    }
    for (i = 0; i < n; i++) {
        char path[REPLAY_PATH_MAX];
        struct stat st;
        uint8_t *data;
        size_t len;

        (void)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        free(names[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (replay_read(path, &data, &len) != 0) {
            (void)fprintf(stderr, "replay: cannot read '%s'\n", path);
            rc = -1;
            continue;
        }
        /* Named before it runs: when an input crashes, the last name printed is the one. */
        (void)fprintf(stderr, "replay: '%s' (%zu bytes)\n", path, len);
        (void)LLVMFuzzerTestOneInput(data, len);
        free(data);
        (*count)++;
    }
    free(names);
    return rc;
}

/* Cap the address space (never raise it), unless ASan needs it for its shadow. */
static void replay_cap_memory(void)
{
#ifndef REPLAY_HAS_ASAN
    struct rlimit lim;

    if (getrlimit(RLIMIT_AS, &lim) == 0 &&
        (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > REPLAY_AS_MAX)) {
        lim.rlim_cur = REPLAY_AS_MAX;
        if (setrlimit(RLIMIT_AS, &lim) != 0) {
            (void)fprintf(stderr, "replay: cannot cap memory; running uncapped\n");
        }
    }
#endif
}

int main(int argc, char **argv)
{
    unsigned long count = 0;
    int i, bad = 0;

    if (argc < 2) {
        (void)fprintf(stderr, "usage: %s DIR...\n", argv[0]);
        return 1;
    }
    replay_cap_memory();
    for (i = 1; i < argc; i++) {
        bad |= replay_dir(argv[i], &count) != 0;
    }
    (void)printf("replayed %lu inputs\n", count);
    if (count == 0) {
        (void)fprintf(stderr, "replay: no inputs found\n");
    }
    return bad || count == 0 ? 1 : 0;
}
