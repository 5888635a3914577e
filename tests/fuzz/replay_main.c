/*
 * Replay driver: runs a fuzz target over every file of the directories named
 * on the command line, so each target's seeds and past crash inputs run as
 * an ordinary ctest test with any compiler (zstd's regression driver).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;
    size_t got;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        (void)fprintf(stderr, "replay: cannot read '%s'\n", path);
        if (f != NULL) {
            (void)fclose(f);
        }
        return -1;
    }
    buf = malloc((size_t)len + 1);
    got = buf != NULL ? fread(buf, 1, (size_t)len, f) : 0;
    (void)fclose(f);
    if (buf == NULL || got != (size_t)len) {
        free(buf);
        return -1;
    }
    (void)LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long count = 0;
    int i, bad = 0;

    for (i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        struct dirent *de;
        if (d == NULL) {
            continue; /* a regressions folder may not exist yet */
        }
        /* NOLINTNEXTLINE(concurrency-mt-unsafe): one stream, one thread */
        while ((de = readdir(d)) != NULL) {
            char path[4096];
            struct stat st;
            (void)snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
                continue;
            }
            bad |= replay_file(path) != 0;
            count++;
        }
        (void)closedir(d);
    }
    (void)printf("replayed %lu inputs\n", count);
    return bad || count == 0 ? 1 : 0;
}
