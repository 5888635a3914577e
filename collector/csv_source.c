/*
 * csv_source: CSV exports (NAS appliances, PowerShell Export-Csv) -> events,
 * columns mapped by a --csv-map file. Not implemented yet: the map is
 * refused with a clear message rather than guessed.
 */
#include <stdlib.h>

#include "textsrc.h"

struct csv_map {
    int unused;
};

int csv_map_load(const char *path, struct csv_map **out, struct sho_err *err)
{
    *out = NULL;
    return sho_err_set(err, SHO_EINVAL, path, -1, "--csv-map: CSV sources are not supported yet");
}

void csv_map_free(struct csv_map *m)
{
    free(m);
}

int textsrc_read_csv(struct textsrc_file *f, int fd, struct sho_err *err)
{
    (void)fd;
    return sho_err_set(err, SHO_EINVAL, f->path, -1, "CSV sources are not supported yet");
}
