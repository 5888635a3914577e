/*
 * cmd_who: `shoseki who`. Options, filters and output are shared with the
 * other searches (query_run.c); see docs/search.md.
 */
#include "query_priv.h"

int sho_cmd_who(int argc, char **argv)
{
    return qr_run(QR_WHO, argc, argv, NULL);
}
