/*
 * test_collector_handles: the bounded handle table (collector/handle_table.h)
 * that lends 4660/4658 the path of the record that opened the handle. Put,
 * get, drop, reset of one host, replacement of a key, keys that differ only in
 * host, pid or handle, copied strings, and the FIFO bound: inserting past the
 * limit forgets the oldest entry, and nothing is forgotten before that.
 */
#include "unit.h"

#include "handle_table.h"

/* Assert that (host, pid, handle) maps to `path` / `type`. */
static void assert_entry(const struct handle_table *t, const char *host, uint64_t pid,
                         uint64_t handle, const char *path, const char *type)
{
    const char *p = "unset", *o = "unset";

    if (handle_table_get(t, host, pid, handle, &p, &o) != 1) {
        fail_msg("(%s, %llu, 0x%llx) not found", host != NULL ? host : "NULL",
                 (unsigned long long)pid, (unsigned long long)handle);
    }
    assert_str_or_null(p, path);
    assert_str_or_null(o, type);
}

static void assert_absent(const struct handle_table *t, const char *host, uint64_t pid,
                          uint64_t handle)
{
    const char *p = NULL, *o = NULL;

    if (handle_table_get(t, host, pid, handle, &p, &o) != 0) {
        fail_msg("(%s, %llu, 0x%llx) still found: %s", host != NULL ? host : "NULL",
                 (unsigned long long)pid, (unsigned long long)handle, p != NULL ? p : "NULL");
    }
}

static void put_then_get(void **state)
{
    struct handle_table *t = handle_table_new(16);

    (void)state;
    assert_int_equal(handle_table_count(t), 0);
    assert_absent(t, "FS01", 4940, 0x50);
    handle_table_put(t, "FS01", 4940, 0x50, "C:\\Share\\a.txt", "File");
    assert_int_equal(handle_table_count(t), 1);
    assert_entry(t, "FS01", 4940, 0x50, "C:\\Share\\a.txt", "File");
    handle_table_free(t);
}

static void key_parts_all_matter(void **state)
{
    struct handle_table *t = handle_table_new(16);

    (void)state;
    handle_table_put(t, "FS01", 4940, 0x50, "a", "File");
    assert_absent(t, "FS02", 4940, 0x50);
    assert_absent(t, "fs01", 4940, 0x50);
    assert_absent(t, "FS01", 4941, 0x50);
    assert_absent(t, "FS01", 4940, 0x51);
    assert_absent(t, "FS01", 0x50, 4940);
    assert_absent(t, NULL, 4940, 0x50);
    handle_table_free(t);
}

static void same_ids_on_two_hosts(void **state)
{
    struct handle_table *t = handle_table_new(16);

    (void)state;
    handle_table_put(t, "FS01", 4, 0x1bc, "C:\\one", "File");
    handle_table_put(t, "FS02", 4, 0x1bc, "D:\\two", "Directory");
    handle_table_put(t, "FS01", 0x1bc, 4, "C:\\swapped", "File");
    assert_int_equal(handle_table_count(t), 3);
    assert_entry(t, "FS01", 4, 0x1bc, "C:\\one", "File");
    assert_entry(t, "FS02", 4, 0x1bc, "D:\\two", "Directory");
    assert_entry(t, "FS01", 0x1bc, 4, "C:\\swapped", "File");
    /* Large ids are compared as numbers, not truncated. */
    handle_table_put(t, "FS01", UINT64_MAX, UINT64_MAX, "max", NULL);
    assert_absent(t, "FS01", UINT32_MAX, UINT64_MAX);
    assert_absent(t, "FS01", UINT64_MAX, 0xFFFFFFFF00000000ULL);
    assert_entry(t, "FS01", UINT64_MAX, UINT64_MAX, "max", NULL);
    handle_table_free(t);
}

static void replace_key(void **state)
{
    struct handle_table *t = handle_table_new(16);

    (void)state;
    handle_table_put(t, "FS01", 100, 0x50, "C:\\old.txt", "File");
    handle_table_put(t, "FS01", 100, 0x50, "C:\\new.txt", "Directory");
    assert_int_equal(handle_table_count(t), 1);
    assert_entry(t, "FS01", 100, 0x50, "C:\\new.txt", "Directory");
    handle_table_put(t, "FS01", 100, 0x50, NULL, NULL);
    assert_int_equal(handle_table_count(t), 1);
    assert_entry(t, "FS01", 100, 0x50, NULL, NULL);
    handle_table_free(t);
}

static void drop_forgets_one(void **state)
{
    struct handle_table *t = handle_table_new(16);

    (void)state;
    handle_table_put(t, "FS01", 100, 0x50, "a", "File");
    handle_table_put(t, "FS01", 100, 0x54, "b", "File");
    handle_table_drop(t, "FS01", 100, 0x50);
    assert_int_equal(handle_table_count(t), 1);
    assert_absent(t, "FS01", 100, 0x50);
    assert_entry(t, "FS01", 100, 0x54, "b", "File");
    /* Dropping what is not there changes nothing. */
    handle_table_drop(t, "FS01", 100, 0x50);
    handle_table_drop(t, "FS02", 100, 0x54);
    assert_int_equal(handle_table_count(t), 1);
    assert_entry(t, "FS01", 100, 0x54, "b", "File");
    /* The key can be used again. */
    handle_table_put(t, "FS01", 100, 0x50, "c", "File");
    assert_entry(t, "FS01", 100, 0x50, "c", "File");
    assert_int_equal(handle_table_count(t), 2);
    handle_table_free(t);
}

static void reset_host_forgets_that_host_only(void **state)
{
    struct handle_table *t = handle_table_new(16);

    (void)state;
    handle_table_put(t, "FS01", 1, 0x10, "a", "File");
    handle_table_put(t, "FS02", 1, 0x10, "b", "File");
    handle_table_put(t, "FS01", 2, 0x20, "c", "File");
    handle_table_put(t, "FS02", 3, 0x30, "d", "File");
    handle_table_reset_host(t, "FS01");
    assert_int_equal(handle_table_count(t), 2);
    assert_absent(t, "FS01", 1, 0x10);
    assert_absent(t, "FS01", 2, 0x20);
    assert_entry(t, "FS02", 1, 0x10, "b", "File");
    assert_entry(t, "FS02", 3, 0x30, "d", "File");
    handle_table_reset_host(t, "NOPE");
    assert_int_equal(handle_table_count(t), 2);
    /* The table keeps working after a reset. */
    handle_table_put(t, "FS01", 1, 0x10, "e", "File");
    assert_entry(t, "FS01", 1, 0x10, "e", "File");
    assert_int_equal(handle_table_count(t), 3);
    handle_table_free(t);
}

static void strings_are_copied(void **state)
{
    struct handle_table *t = handle_table_new(4);
    char host[16], path[32], type[8];
    const char *p = NULL, *o = NULL;

    (void)state;
    (void)snprintf(host, sizeof(host), "FS01");
    (void)snprintf(path, sizeof(path), "C:\\共有\\a.txt");
    (void)snprintf(type, sizeof(type), "File");
    handle_table_put(t, host, 7, 8, path, type);
    memset(path, 'X', sizeof(path) - 1);
    memset(type, 'Y', sizeof(type) - 1);
    assert_int_equal(handle_table_get(t, "FS01", 7, 8, &p, &o), 1);
    assert_ptr_not_equal(p, path);
    assert_ptr_not_equal(o, type);
    assert_string_equal(p, "C:\\共有\\a.txt");
    assert_string_equal(o, "File");
    /* The host is copied too. */
    (void)snprintf(host, sizeof(host), "OTHER");
    assert_entry(t, "FS01", 7, 8, "C:\\共有\\a.txt", "File");
    handle_table_free(t);
}

static void null_strings_allowed(void **state)
{
    struct handle_table *t = handle_table_new(4);

    (void)state;
    handle_table_put(t, "FS01", 1, 2, NULL, NULL);
    assert_entry(t, "FS01", 1, 2, NULL, NULL);
    handle_table_put(t, NULL, 1, 2, "nohost", "File");
    assert_entry(t, NULL, 1, 2, "nohost", "File");
    assert_int_equal(handle_table_count(t), 2);
    handle_table_drop(t, NULL, 1, 2);
    assert_absent(t, NULL, 1, 2);
    assert_entry(t, "FS01", 1, 2, NULL, NULL);
    handle_table_free(t);
}

static void fifo_bound_evicts_oldest(void **state)
{
    struct handle_table *t = handle_table_new(4);

    (void)state;
    handle_table_put(t, "H", 1, 0x10, "p1", "File");
    handle_table_put(t, "H", 1, 0x20, "p2", "File");
    handle_table_put(t, "H", 1, 0x30, "p3", "File");
    handle_table_put(t, "H", 1, 0x40, "p4", "File");
    assert_int_equal(handle_table_count(t), 4);
    handle_table_put(t, "H", 1, 0x50, "p5", "File");
    assert_int_equal(handle_table_count(t), 4);
    assert_absent(t, "H", 1, 0x10);
    assert_entry(t, "H", 1, 0x20, "p2", "File");
    assert_entry(t, "H", 1, 0x30, "p3", "File");
    assert_entry(t, "H", 1, 0x40, "p4", "File");
    assert_entry(t, "H", 1, 0x50, "p5", "File");
    handle_table_put(t, "H", 1, 0x60, "p6", "File");
    assert_int_equal(handle_table_count(t), 4);
    assert_absent(t, "H", 1, 0x20);
    assert_entry(t, "H", 1, 0x60, "p6", "File");
    handle_table_free(t);
}

static void bound_of_one(void **state)
{
    struct handle_table *t = handle_table_new(1);

    (void)state;
    handle_table_put(t, "H", 1, 1, "a", "File");
    handle_table_put(t, "H", 1, 2, "b", "File");
    assert_int_equal(handle_table_count(t), 1);
    assert_absent(t, "H", 1, 1);
    assert_entry(t, "H", 1, 2, "b", "File");
    handle_table_free(t);
}

static void replacing_in_full_table_evicts_nothing(void **state)
{
    struct handle_table *t = handle_table_new(4);

    (void)state;
    handle_table_put(t, "H", 1, 0x10, "p1", "File");
    handle_table_put(t, "H", 1, 0x20, "p2", "File");
    handle_table_put(t, "H", 1, 0x30, "p3", "File");
    handle_table_put(t, "H", 1, 0x40, "p4", "File");
    /* A second 4663 on an open handle replaces its entry: the table does not grow, so
     * nothing else may be forgotten. */
    handle_table_put(t, "H", 1, 0x30, "p3 again", "File");
    assert_int_equal(handle_table_count(t), 4);
    assert_entry(t, "H", 1, 0x10, "p1", "File");
    assert_entry(t, "H", 1, 0x20, "p2", "File");
    assert_entry(t, "H", 1, 0x30, "p3 again", "File");
    assert_entry(t, "H", 1, 0x40, "p4", "File");
    handle_table_free(t);
}

static void dropped_entry_frees_room(void **state)
{
    struct handle_table *t = handle_table_new(4);

    (void)state;
    handle_table_put(t, "H", 1, 0x10, "p1", "File");
    handle_table_put(t, "H", 1, 0x20, "p2", "File");
    handle_table_put(t, "H", 1, 0x30, "p3", "File");
    handle_table_put(t, "H", 1, 0x40, "p4", "File");
    handle_table_drop(t, "H", 1, 0x20); /* 4658: closed */
    assert_int_equal(handle_table_count(t), 3);
    /* Three live entries and room for a fourth: nothing is evicted. */
    handle_table_put(t, "H", 1, 0x50, "p5", "File");
    assert_int_equal(handle_table_count(t), 4);
    assert_entry(t, "H", 1, 0x10, "p1", "File");
    assert_entry(t, "H", 1, 0x30, "p3", "File");
    assert_entry(t, "H", 1, 0x40, "p4", "File");
    assert_entry(t, "H", 1, 0x50, "p5", "File");
    handle_table_free(t);
}

static void many_inserts_keep_the_newest(void **state)
{
    struct handle_table *t = handle_table_new(64);
    char path[32];
    uint64_t i;

    (void)state;
    /* Enough churn to reuse every slot and bucket chain many times over. */
    for (i = 0; i < 10000; i++) {
        (void)snprintf(path, sizeof(path), "p%llu", (unsigned long long)i);
        handle_table_put(t, i % 2 ? "A" : "B", 100 + i % 7, i * 4, path, "File");
        assert_true(handle_table_count(t) <= 64);
    }
    assert_int_equal(handle_table_count(t), 64);
    for (i = 0; i < 10000; i++) {
        if (i < 10000 - 64) {
            assert_absent(t, i % 2 ? "A" : "B", 100 + i % 7, i * 4);
        } else {
            (void)snprintf(path, sizeof(path), "p%llu", (unsigned long long)i);
            assert_entry(t, i % 2 ? "A" : "B", 100 + i % 7, i * 4, path, "File");
        }
    }
    handle_table_reset_host(t, "A");
    assert_int_equal(handle_table_count(t), 32);
    handle_table_free(t);
}

static void free_null(void **state)
{
    (void)state;
    handle_table_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_then_get),
        cmocka_unit_test(key_parts_all_matter),
        cmocka_unit_test(same_ids_on_two_hosts),
        cmocka_unit_test(replace_key),
        cmocka_unit_test(drop_forgets_one),
        cmocka_unit_test(reset_host_forgets_that_host_only),
        cmocka_unit_test(strings_are_copied),
        cmocka_unit_test(null_strings_allowed),
        cmocka_unit_test(fifo_bound_evicts_oldest),
        cmocka_unit_test(bound_of_one),
        cmocka_unit_test(replacing_in_full_table_evicts_nothing),
        cmocka_unit_test(dropped_entry_frees_room),
        cmocka_unit_test(many_inserts_keep_the_newest),
        cmocka_unit_test(free_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
