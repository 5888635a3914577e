#ifndef SHOSEKI_ACCESS_MASK_H
#define SHOSEKI_ACCESS_MASK_H

/*
 * access_mask (private to collector/): Windows access rights -> normalized
 * actions. The meaning of the low 16 bits depends on the object type (file,
 * registry key, anything else); the standard and generic rights do not.
 * Reference: shared/reference/windows-file-audit.md section 2, and
 * learn.microsoft.com/windows/win32/secauthz/access-mask.
 */

#include <stdint.h>

enum access_object {
    ACCESS_OBJ_FILE = 0,  /* File, Directory, and 5145 targets */
    ACCESS_OBJ_KEY = 1,   /* registry Key */
    ACCESS_OBJ_OTHER = 2, /* everything else: only standard/generic rights count */
};

/* Classify an ObjectType string (NULL means file, as for 5145). */
enum access_object access_object_kind(const char *object_type);

/* enum sho_action bits for `mask` on an object of kind `kind`. */
uint32_t access_mask_actions(enum access_object kind, uint64_t mask);

/*
 * The mask spelled by an AccessList ("%%4416 %%4417 ..."; any whitespace
 * separates tokens). Unknown tokens are ignored. Used when AccessMask is absent.
 */
uint64_t access_list_mask(const char *list);

#endif /* SHOSEKI_ACCESS_MASK_H */
