/*
 * test_collector_access: Windows access rights -> normalized actions
 * (collector/access_mask.h). File rights, the standard rights that mean the
 * same on every object, the noise rights that mean nothing, generic rights,
 * registry key rights, other objects, ObjectType classification, and the
 * AccessList "%%NNNN" tokens. Values follow the reference's section 2 and
 * learn.microsoft.com (access-mask, file and registry key rights).
 */
#include "unit.h"

#include "access_mask.h"
#include "shoseki/event.h"

#define FILE_ACTIONS_ALL                                                                           \
    (SHO_ACT_READ | SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_DELETE | SHO_ACT_EXECUTE |            \
     SHO_ACT_READ_ATTR | SHO_ACT_WRITE_ATTR | SHO_ACT_PERM_CHANGE | SHO_ACT_OWNER_CHANGE)

static uint32_t file_actions(uint64_t mask)
{
    return access_mask_actions(ACCESS_OBJ_FILE, mask);
}

/* ---- files -------------------------------------------------------------------------- */

static void file_single_rights(void **state)
{
    (void)state;
    assert_int_equal(file_actions(0x1), SHO_ACT_READ);
    assert_int_equal(file_actions(0x2), SHO_ACT_WRITE);
    assert_int_equal(file_actions(0x4), SHO_ACT_APPEND);
    assert_int_equal(file_actions(0x8), SHO_ACT_READ_ATTR);   /* ReadEA */
    assert_int_equal(file_actions(0x10), SHO_ACT_WRITE_ATTR); /* WriteEA */
    assert_int_equal(file_actions(0x20), SHO_ACT_EXECUTE);
    assert_int_equal(file_actions(0x40), SHO_ACT_DELETE); /* DeleteChild */
    assert_int_equal(file_actions(0x80), SHO_ACT_READ_ATTR);
    assert_int_equal(file_actions(0x100), SHO_ACT_WRITE_ATTR);
    assert_int_equal(file_actions(0), 0);
}

static void file_standard_rights(void **state)
{
    (void)state;
    assert_int_equal(file_actions(0x10000), SHO_ACT_DELETE);
    assert_int_equal(file_actions(0x40000), SHO_ACT_PERM_CHANGE);
    assert_int_equal(file_actions(0x80000), SHO_ACT_OWNER_CHANGE);
    assert_int_equal(file_actions(0x1000000), SHO_ACT_PERM_CHANGE); /* ACCESS_SYSTEM_SECURITY */
}

static void noise_rights_give_nothing(void **state)
{
    (void)state;
    assert_int_equal(file_actions(0x20000), 0);  /* READ_CONTROL */
    assert_int_equal(file_actions(0x100000), 0); /* SYNCHRONIZE */
    assert_int_equal(file_actions(0x120000), 0);
    assert_int_equal(file_actions(0x2000000), 0); /* MAXIMUM_ALLOWED */
    /* Bits no right uses. */
    assert_int_equal(file_actions(0x200), 0);
    assert_int_equal(file_actions(0xFE00), 0);
}

static void file_microsoft_sample_0x12019f(void **state)
{
    (void)state;
    /* 4656 sample: READ_CONTROL SYNCHRONIZE ReadData WriteData AppendData ReadEA WriteEA
     * ReadAttributes WriteAttributes. */
    assert_int_equal(file_actions(0x12019F), SHO_ACT_READ | SHO_ACT_WRITE | SHO_ACT_APPEND |
                                                 SHO_ACT_READ_ATTR | SHO_ACT_WRITE_ATTR);
}

static void file_composites(void **state)
{
    (void)state;
    assert_int_equal(file_actions(0x120089), SHO_ACT_READ | SHO_ACT_READ_ATTR); /* GENERIC_READ */
    assert_int_equal(file_actions(0x120116), SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_WRITE_ATTR);
    assert_int_equal(file_actions(0x1200A0), SHO_ACT_EXECUTE | SHO_ACT_READ_ATTR);
    assert_int_equal(file_actions(0x1F01FF), FILE_ACTIONS_ALL); /* FILE_ALL_ACCESS */
    assert_int_equal(file_actions(0x110080), SHO_ACT_DELETE | SHO_ACT_READ_ATTR);
}

static void generic_rights(void **state)
{
    (void)state;
    assert_int_equal(file_actions(0x80000000), SHO_ACT_READ | SHO_ACT_READ_ATTR);
    assert_int_equal(file_actions(0x40000000), SHO_ACT_WRITE | SHO_ACT_APPEND | SHO_ACT_WRITE_ATTR);
    assert_int_equal(file_actions(0x20000000), SHO_ACT_EXECUTE);
    assert_int_equal(file_actions(0x10000000), FILE_ACTIONS_ALL);
    assert_int_equal(file_actions(0xC0000000), SHO_ACT_READ | SHO_ACT_READ_ATTR | SHO_ACT_WRITE |
                                                   SHO_ACT_APPEND | SHO_ACT_WRITE_ATTR);
}

static void bits_above_32_ignored(void **state)
{
    (void)state;
    assert_int_equal(file_actions(0x100000000ULL), 0);
    assert_int_equal(file_actions(0xFFFFFFFF00000001ULL), SHO_ACT_READ);
}

/* ---- registry keys and other objects ----------------------------------------------- */

static void key_rights(void **state)
{
    (void)state;
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x1), SHO_ACT_READ);   /* QUERY_VALUE */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x2), SHO_ACT_WRITE);  /* SET_VALUE */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x4), SHO_ACT_CREATE); /* CREATE_SUB_KEY */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x8),
                     SHO_ACT_LIST);                                 /* ENUMERATE_SUB_KEYS */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x10), 0); /* NOTIFY */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x20), SHO_ACT_CREATE); /* CREATE_LINK */
    /* The file meanings of the same bits do not leak into keys. */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x40), 0);
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x80), 0);
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x100), 0);
    /* KEY_READ = READ_CONTROL | QUERY_VALUE | ENUMERATE_SUB_KEYS | NOTIFY. */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x20019), SHO_ACT_READ | SHO_ACT_LIST);
    /* Standard rights mean the same on keys. */
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x10000), SHO_ACT_DELETE);
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x40000), SHO_ACT_PERM_CHANGE);
    assert_int_equal(access_mask_actions(ACCESS_OBJ_KEY, 0x80000), SHO_ACT_OWNER_CHANGE);
}

static void other_objects_standard_rights_only(void **state)
{
    uint64_t bit;

    (void)state;
    for (bit = 1; bit <= 0x8000; bit <<= 1) {
        assert_int_equal(access_mask_actions(ACCESS_OBJ_OTHER, bit), 0);
    }
    assert_int_equal(access_mask_actions(ACCESS_OBJ_OTHER, 0x1F01FF),
                     SHO_ACT_DELETE | SHO_ACT_PERM_CHANGE | SHO_ACT_OWNER_CHANGE);
    assert_int_equal(access_mask_actions(ACCESS_OBJ_OTHER, 0x10000), SHO_ACT_DELETE);
    assert_int_equal(access_mask_actions(ACCESS_OBJ_OTHER, 0x120000), 0);
}

static void object_kinds(void **state)
{
    (void)state;
    assert_int_equal(access_object_kind(NULL), ACCESS_OBJ_FILE);
    assert_int_equal(access_object_kind("File"), ACCESS_OBJ_FILE);
    assert_int_equal(access_object_kind("Directory"), ACCESS_OBJ_FILE);
    assert_int_equal(access_object_kind("Key"), ACCESS_OBJ_KEY);
    assert_int_equal(access_object_kind("Process"), ACCESS_OBJ_OTHER);
    assert_int_equal(access_object_kind("SAM_USER"), ACCESS_OBJ_OTHER);
    assert_int_equal(access_object_kind("Token"), ACCESS_OBJ_OTHER);
    assert_int_equal(access_object_kind(""), ACCESS_OBJ_OTHER);
    assert_int_equal(access_object_kind("Files"), ACCESS_OBJ_OTHER);
}

/* ---- AccessList --------------------------------------------------------------------- */

static void access_list_real_separators(void **state)
{
    (void)state;
    /* Real records separate tokens with a newline and tabs, and end with them. */
    assert_int_equal(access_list_mask("%%4416\n\t\t\t\t%%4417"), 0x3);
    assert_int_equal(access_list_mask("%%4416\n\t\t\t\t"), 0x1);
    assert_int_equal(access_list_mask("%%4416\r\n\t\t\t\t%%4417\r\n\t\t\t\t"), 0x3);
    assert_int_equal(access_list_mask("   %%4418   %%4423  "), 0x84);
}

static void access_list_tokens(void **state)
{
    (void)state;
    assert_int_equal(access_list_mask("%%1537"), 0x10000);
    assert_int_equal(access_list_mask("%%1538"), 0x20000);
    assert_int_equal(access_list_mask("%%1539"), 0x40000);
    assert_int_equal(access_list_mask("%%1540"), 0x80000);
    assert_int_equal(access_list_mask("%%1541"), 0x100000);
    assert_int_equal(access_list_mask("%%1542"), 0x1000000);
    assert_int_equal(access_list_mask("%%4421"), 0x20); /* Execute/Traverse */
    assert_int_equal(access_list_mask("%%4422"), 0x40); /* DeleteChild */
    assert_int_equal(access_list_mask("%%4424"), 0x100);
    /* Registry key tokens %%4432..%%4437. */
    assert_int_equal(access_list_mask("%%4432 %%4435"), 0x9);
    assert_int_equal(access_list_mask("%%4437"), 0x20);
}

static void access_list_self_check(void **state)
{
    (void)state;
    /* The reference's self-check: these tokens spell exactly 0x12019f. */
    assert_int_equal(
        access_list_mask("%%1538 %%1541 %%4416 %%4417 %%4418 %%4419 %%4420 %%4423 %%4424"),
        0x12019F);
    assert_int_equal(file_actions(access_list_mask("%%4416 %%1537")),
                     SHO_ACT_READ | SHO_ACT_DELETE);
}

static void access_list_unknown_tokens_ignored(void **state)
{
    (void)state;
    assert_int_equal(access_list_mask(""), 0);
    assert_int_equal(access_list_mask(" \n\t"), 0);
    assert_int_equal(access_list_mask("%%9999 %%4416 foo %% %%x %%-1 4417"), 0x1);
    assert_int_equal(access_list_mask("%%4415 %%4425 %%1536 %%1543 %%4431 %%4438"), 0);
    assert_int_equal(access_list_mask("%%99999999999999999999999 %%4417"), 0x2);
    assert_int_equal(access_list_mask("%%4416%%4417"), 0); /* one malformed token */
    assert_int_equal(access_list_mask("%4416"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(file_single_rights),
        cmocka_unit_test(file_standard_rights),
        cmocka_unit_test(noise_rights_give_nothing),
        cmocka_unit_test(file_microsoft_sample_0x12019f),
        cmocka_unit_test(file_composites),
        cmocka_unit_test(generic_rights),
        cmocka_unit_test(bits_above_32_ignored),
        cmocka_unit_test(key_rights),
        cmocka_unit_test(other_objects_standard_rights_only),
        cmocka_unit_test(object_kinds),
        cmocka_unit_test(access_list_real_separators),
        cmocka_unit_test(access_list_tokens),
        cmocka_unit_test(access_list_self_check),
        cmocka_unit_test(access_list_unknown_tokens_ignored),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
