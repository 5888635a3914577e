/*
 * collect_walk: expands the PATH arguments of `collect` into input files. A
 * directory is searched recursively for *.evtx, *.xml, *.csv, *.log and
 * rotated *.log.N in sorted order, so the same
 * tree always gives the same sequence (and the archive the same frames).
 * Symlinked directories are not followed: a loop must not hang a collection.
 * A path that cannot be read is handed to the callback as a problem, so one
 * unreadable folder does not end the walk.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shoseki/collector.h"

#define WALK_MAX_DEPTH 64

static int walk_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool walk_ends(const char *name, size_t n, const char *ext)
{
    size_t e = strlen(ext);
    return n > e && sho_str_casecmp(name + n - e, ext) == 0;
}

/* Inputs in a directory: *.evtx, XML and CSV exports, *.log and rotated *.log.N. */
static bool walk_is_input(const char *name)
{
    size_t n = strlen(name), i = n;

    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9') {
        i--;
    }
    if (i < n && i > 5 && sho_str_casecmp(name + i - 5, ".log.") == 0) {
        return true; /* audit.log.1, messages.log.12 */
    }
    return walk_ends(name, n, ".evtx") || walk_ends(name, n, ".xml") ||
           walk_ends(name, n, ".csv") || walk_ends(name, n, ".log");
}

static int walk_dir(const char *dir, unsigned depth, sho_collect_walk_fn fn, void *ctx,
                    struct sho_err *err);

static int walk_entry(const char *path, bool top, unsigned depth, sho_collect_walk_fn fn, void *ctx,
                      struct sho_err *err)
{
    struct stat st;
    struct sho_err problem;
    char etext[128];

    if ((top ? stat(path, &st) : lstat(path, &st)) != 0) {
        (void)sho_err_set(&problem, SHO_EIO, path, -1, "cannot read: %s",
                          sho_errno_text(errno, etext, sizeof(etext)));
        return fn(ctx, path, &problem);
    }
    if (S_ISDIR(st.st_mode)) {
        return walk_dir(path, depth, fn, ctx, err);
    }
    if (top || (S_ISREG(st.st_mode) && walk_is_input(path))) {
        return fn(ctx, path, NULL);
    }
    return 0;
}

static int walk_dir(const char *dir, unsigned depth, sho_collect_walk_fn fn, void *ctx,
                    struct sho_err *err)
{
    struct sho_err problem;
    char etext[128];
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t count = 0, cap = 0, i;
    int rc = 0;

    if (depth > WALK_MAX_DEPTH) {
        (void)sho_err_set(&problem, SHO_ELIMIT, dir, -1, "directories nested deeper than %d",
                          WALK_MAX_DEPTH);
        return fn(ctx, dir, &problem);
    }
    d = opendir(dir);
    if (d == NULL) {
        (void)sho_err_set(&problem, SHO_EIO, dir, -1, "cannot open directory: %s",
                          sho_errno_text(errno, etext, sizeof(etext)));
        return fn(ctx, dir, &problem);
    }
    /* readdir is safe per stream; the check flags it because POSIX does not promise it. */
    /* NOLINTNEXTLINE(concurrency-mt-unsafe) */
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (count == cap) {
            cap = cap != 0 ? cap * 2 : 16;
            names = sho_xrealloc(names, cap * sizeof(*names));
        }
        names[count] = sho_xmalloc(strlen(dir) + strlen(de->d_name) + 2);
        (void)snprintf(names[count], strlen(dir) + strlen(de->d_name) + 2, "%s/%s", dir,
                       de->d_name);
        count++;
    }
    (void)closedir(d);
    if (count > 1) {
        qsort(names, count, sizeof(*names), walk_cmp);
    }
    for (i = 0; i < count; i++) {
        if (rc == 0) {
            rc = walk_entry(names[i], false, depth + 1, fn, ctx, err);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int sho_collect_walk(const char *path, sho_collect_walk_fn fn, void *ctx, struct sho_err *err)
{
    return walk_entry(path, true, 0, fn, ctx, err);
}
