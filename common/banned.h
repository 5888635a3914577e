#ifndef SHOSEKI_BANNED_H
#define SHOSEKI_BANNED_H

/*
 * Functions that are easy to misuse with untrusted input or that keep hidden
 * global state (after git's banned.h). The build force-includes this header
 * into every project source (-include). It first includes the system headers
 * that declare the banned functions, so their declarations are seen before the
 * macros exist and their include guards make any later #include a no-op; any
 * use of a banned function in project code then fails to compile.
 * The replacements: sho_buf_*, sho_str_copy, snprintf, sho_parse_u64, sho_time_*.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHO_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) SHO_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SHO_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SHO_BANNED(strncpy)
#undef sprintf
#define sprintf(...) SHO_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SHO_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) SHO_BANNED(strtok)
#undef atoi
#define atoi(x) SHO_BANNED(atoi)
#undef gmtime
#define gmtime(x) SHO_BANNED(gmtime)
#undef localtime
#define localtime(x) SHO_BANNED(localtime)

#endif /* SHOSEKI_BANNED_H */
