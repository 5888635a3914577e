/*
 * cmd_what: `shoseki what`. Options, filters and output are shared with the
 * other searches (query_run.c); see docs/search.md.
 */
#include "query_priv.h"

int sho_cmd_what(int argc, char **argv)
{
    return qr_run(QR_WHAT, argc, argv, NULL);
}
