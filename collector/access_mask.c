/*
 * access_mask: access rights -> actions (see access_mask.h). Decisions, each
 * from the reference's table:
 *  - READ_CONTROL and SYNCHRONIZE are noise and map to nothing;
 *  - FILE_DELETE_CHILD (0x40) maps to delete: it is the right used on a
 *    directory to delete one of its entries;
 *  - ACCESS_SYSTEM_SECURITY (SACL access) maps to permission-change;
 *  - generic rights expand to what FILE_GENERIC_* grant.
 */
#include <string.h>

#include "access_mask.h"
#include "shoseki/common.h"
#include "shoseki/event.h"

#define STD_DELETE      0x00010000u
#define STD_WRITE_DAC   0x00040000u
#define STD_WRITE_OWNER 0x00080000u
#define ACCESS_SYS_SEC  0x01000000u
#define GENERIC_ALL     0x10000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_WRITE   0x40000000u
#define GENERIC_READ    0x80000000u

struct bit_action {
    uint32_t bit;
    uint32_t actions;
};

static const struct bit_action file_bits[] = {
    { 0x001, SHO_ACT_READ },       /* ReadData / ListDirectory */
    { 0x002, SHO_ACT_WRITE },      /* WriteData / AddFile */
    { 0x004, SHO_ACT_APPEND },     /* AppendData / AddSubdirectory */
    { 0x008, SHO_ACT_READ_ATTR },  /* ReadEA */
    { 0x010, SHO_ACT_WRITE_ATTR }, /* WriteEA */
    { 0x020, SHO_ACT_EXECUTE },    /* Execute / Traverse */
    { 0x040, SHO_ACT_DELETE },     /* DeleteChild */
    { 0x080, SHO_ACT_READ_ATTR },  /* ReadAttributes */
    { 0x100, SHO_ACT_WRITE_ATTR }, /* WriteAttributes */
};

static const struct bit_action key_bits[] = {
    { 0x01, SHO_ACT_READ },   /* KEY_QUERY_VALUE */
    { 0x02, SHO_ACT_WRITE },  /* KEY_SET_VALUE */
    { 0x04, SHO_ACT_CREATE }, /* KEY_CREATE_SUB_KEY */
    { 0x08, SHO_ACT_LIST },   /* KEY_ENUMERATE_SUB_KEYS */
    { 0x20, SHO_ACT_CREATE }, /* KEY_CREATE_LINK */
};

static const struct bit_action std_bits[] = {
    { STD_DELETE, SHO_ACT_DELETE },
    { STD_WRITE_DAC, SHO_ACT_PERM_CHANGE },
    { STD_WRITE_OWNER, SHO_ACT_OWNER_CHANGE },
    { ACCESS_SYS_SEC, SHO_ACT_PERM_CHANGE },
    { GENERIC_READ, SHO_ACT_READ | SHO_ACT_READ_ATTR },
    { GENERIC_WRITE, SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_WRITE_ATTR },
    { GENERIC_EXECUTE, SHO_ACT_EXECUTE },
    { GENERIC_ALL, SHO_ACT_READ | SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_DELETE |
                       SHO_ACT_EXECUTE | SHO_ACT_READ_ATTR | SHO_ACT_WRITE_ATTR |
                       SHO_ACT_PERM_CHANGE | SHO_ACT_OWNER_CHANGE },
};

enum access_object access_object_kind(const char *object_type)
{
    if (object_type == NULL || strcmp(object_type, "File") == 0 ||
        strcmp(object_type, "Directory") == 0) {
        return ACCESS_OBJ_FILE;
    }
    if (strcmp(object_type, "Key") == 0) {
        return ACCESS_OBJ_KEY;
    }
    return ACCESS_OBJ_OTHER;
}

static uint32_t bits_actions(const struct bit_action *t, size_t n, uint64_t mask)
{
    uint32_t actions = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if ((mask & t[i].bit) != 0) {
            actions |= t[i].actions;
        }
    }
    return actions;
}

uint32_t access_mask_actions(enum access_object kind, uint64_t mask)
{
    uint32_t actions = bits_actions(std_bits, SHO_ARRAY_COUNT(std_bits), mask);

    if (kind == ACCESS_OBJ_FILE) {
        actions |= bits_actions(file_bits, SHO_ARRAY_COUNT(file_bits), mask);
    } else if (kind == ACCESS_OBJ_KEY) {
        actions |= bits_actions(key_bits, SHO_ARRAY_COUNT(key_bits), mask);
    }
    return actions;
}

/* The right a single "%%NNNN" message id stands for, or 0. */
static uint64_t access_token_bit(uint64_t id)
{
    if (id >= 4416 && id <= 4424) { /* file rights, bit order */
        return 1ull << (id - 4416);
    }
    if (id >= 4432 && id <= 4437) { /* registry key rights */
        return 1ull << (id - 4432);
    }
    if (id >= 1537 && id <= 1541) { /* DELETE .. SYNCHRONIZE */
        return (uint64_t)STD_DELETE << (id - 1537);
    }
    if (id == 1542) {
        return ACCESS_SYS_SEC;
    }
    return 0;
}

uint64_t access_list_mask(const char *list)
{
    uint64_t mask = 0;
    const char *p = list;

    while (p != NULL && *p != '\0') {
        size_t len;
        uint64_t id;

        p += strspn(p, " \t\r\n");
        len = strcspn(p, " \t\r\n");
        if (len > 2 && p[0] == '%' && p[1] == '%' &&
            sho_parse_u64n(p + 2, len - 2, UINT32_MAX, 0, &id) == 0) {
            mask |= access_token_bit(id);
        }
        p += len;
    }
    return mask;
}
