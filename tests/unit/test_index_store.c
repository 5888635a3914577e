/*
 * test_index_store: the index's event store. The radix sort is stable; a
 * block gives back every value it packed, at the extremes of each column,
 * and refuses a damaged one; a postings row gives the numbers of the ids
 * asked for and refuses a damaged one. Then an index grown by many small
 * updates (runs merged as they come) answers exactly like the same archive
 * indexed from scratch, in exact (time, reference) order, and a window
 * search equals the events counted by hand. Id caches far too small for the
 * archive (forgotten and refilled mid-load, the lookup indexes built early)
 * give the same rows and answers as the default caches, with no file,
 * context or person stored twice.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "index_priv.h"
#include "shoseki/archive.h"

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 17;
}

static void sort_is_stable(void **state)
{
    struct ix_kv a[5000], tmp[5000], *s;
    uint64_t seed = 7;
    size_t i;

    (void)state;
    for (i = 0; i < 5000; i++) {
        a[i].key = lcg(&seed) % 300 * 0x0100000001ULL; /* equal keys, bytes far apart */
        a[i].val = i;
    }
    s = ix_sort_kv(a, tmp, 5000);
    for (i = 1; i < 5000; i++) {
        assert_true(s[i - 1].key <= s[i].key);
        if (s[i - 1].key == s[i].key) {
            assert_true(s[i - 1].val < s[i].val);
        }
    }
    assert_ptr_equal(ix_sort_kv(a, tmp, 0), a);
}

static void block_round_trip(void **state)
{
    static struct ix_row rows[IX_BLK_EVENTS], back;
    struct ix_block b;
    struct sho_buf buf;
    uint64_t seed = 11;
    size_t i, n;

    (void)state;
    memset(&b, 0, sizeof(b));
    for (n = 1; n <= IX_BLK_EVENTS;
         n = n * 3 + 1 > IX_BLK_EVENTS && n != IX_BLK_EVENTS ? IX_BLK_EVENTS : n * 3 + 1) {
        for (i = 0; i < n; i++) {
            rows[i].t = (int64_t)(lcg(&seed) % 1000000) - 500000;
            rows[i].file = (int64_t)(lcg(&seed) % 5);
            rows[i].person = 42;                              /* one value: zero bits */
            rows[i].ctx = i % 2 == 0 ? INT64_MIN : INT64_MAX; /* the full 64 bits */
            rows[i].ref = (int64_t)((uint64_t)lcg(&seed) << 20);
            rows[i].sess = (int64_t)(lcg(&seed) & 0x7FFFFFFFFFFFFFULL); /* 55 bits */
        }
        sho_buf_init(&buf, (size_t)1 << 24);
        assert_int_equal(ix_block_pack(rows, n, &buf), 0);
        assert_int_equal(ix_block_load(&b, buf.data, buf.len), 0);
        assert_int_equal(b.n, n);
        for (i = 0; i < n; i++) {
            ix_block_row(&b, i, &back);
            assert_memory_equal(&back, &rows[i], sizeof(back));
        }
        /* cut short, one byte too many, a count of zero: refused */
        assert_int_equal(ix_block_load(&b, buf.data, buf.len - 1), SHO_ECORRUPT);
        assert_int_equal(sho_buf_putc(&buf, 0), 0);
        assert_int_equal(ix_block_load(&b, buf.data, buf.len), SHO_ECORRUPT);
        buf.data[0] = 0;
        buf.data[1] = 0;
        assert_int_equal(ix_block_load(&b, buf.data, buf.len - 1), SHO_ECORRUPT);
        sho_buf_release(&buf);
        if (n == IX_BLK_EVENTS) {
            break;
        }
    }
    ix_block_release(&b);
}

static size_t put(uint8_t *p, uint64_t v)
{
    return sho_varint_put(p, v);
}

static void postings_pick_their_ids(void **state)
{
    uint8_t p[64];
    size_t n = 0;
    int64_t keys[] = { 257, 300 };
    struct ix_evnos e = { NULL, 0, 0 };

    (void)state;
    /* bucket from id 256, run from event 4096: id 257 -> 4096+3, +2; id 300 -> 4096+10 */
    n += put(p + n, 1);
    n += put(p + n, 2);
    n += put(p + n, 3);
    n += put(p + n, 2);
    n += put(p + n, 20); /* id 277: not asked for */
    n += put(p + n, 1);
    n += put(p + n, 7);
    n += put(p + n, 23); /* id 300 */
    n += put(p + n, 1);
    n += put(p + n, 10);
    assert_int_equal(ix_post_pick(p, n, 256, 4096, keys, 2, &e), 0);
    assert_int_equal(e.n, 3);
    assert_true(e.v[0] == 4099 && e.v[1] == 4101 && e.v[2] == 4106);
    /* cut short; a count of zero; repeated numbers: refused */
    assert_int_equal(ix_post_pick(p, n - 1, 256, 4096, keys, 2, &e), SHO_ECORRUPT);
    p[1] = 0;
    assert_int_equal(ix_post_pick(p, n, 256, 4096, keys, 2, &e), SHO_ECORRUPT);
    p[1] = 2;
    p[3] = 0;
    assert_int_equal(ix_post_pick(p, n, 256, 4096, keys, 2, &e), SHO_ECORRUPT);
    free(e.v);
}

/* ---- many small updates against one from scratch ------------------------------------ */

#define ROUNDS  14
#define FT_BASE 133589952000000000ULL /* 2024-05-01T00:00:00Z */

struct answer {
    struct sho_buf text; /* "time ref path\n" per row */
    uint64_t rows;
    bool ordered;
    uint64_t last_time, last_seq, last_idx;
};

static int answer_row(void *ctx, const struct sho_index_row *row)
{
    struct answer *a = ctx;
    unsigned long long seq = 0, idx = 0;

    assert_int_equal(sscanf(row->ref, "%llu:%llu", &seq, &idx), 2);
    if (a->rows > 0 && (row->time < a->last_time ||
                        (row->time == a->last_time &&
                         (seq < a->last_seq || (seq == a->last_seq && idx <= a->last_idx))))) {
        a->ordered = false;
    }
    a->last_time = row->time;
    a->last_seq = seq;
    a->last_idx = idx;
    a->rows++;
    assert_int_equal(sho_buf_appendf(&a->text, "%llu %s %s %s\n", (unsigned long long)row->time,
                                     row->ref, row->path != NULL ? row->path : "-",
                                     row->user_sid != NULL ? row->user_sid : "-"),
                     0);
    return 0;
}

static void ask(const char *dir, const struct sho_index_query *q, struct answer *a)
{
    struct sho_index *ix = NULL;
    struct sho_err err;

    memset(a, 0, sizeof(*a));
    sho_buf_init(&a->text, (size_t)1 << 28);
    a->ordered = true;
    sho_err_clear(&err);
    assert_int_equal(sho_index_open(dir, 0, &ix, &err), 0);
    if (sho_index_search(ix, q, answer_row, a, &err) != 0) {
        fail_msg("search: %s", err.msg);
    }
    sho_index_close(ix);
}

static const char *const paths[] = { "D:\\HR\\給与.xlsx", "D:\\HR\\a.txt", "\\\\FS01\\x\\b.doc",
                                     "C:\\t\\c.pdf", "D:\\HR\\d.csv" };

/* Open the archive in `dir` and begin a source file DIR/NAME.log (written first). */
static struct sho_archive *source_begin(const char *dir, const char *name)
{
    struct sho_archive_opts opts;
    struct sho_archive *a = NULL;
    struct sho_err err;
    char src[512];
    FILE *f;

    (void)snprintf(src, sizeof(src), "%s/%s.log", dir, name);
    f = fopen(src, "w");
    assert_non_null(f);
    (void)fprintf(f, "%s\n", name);
    assert_int_equal(fclose(f), 0);
    memset(&opts, 0, sizeof(opts));
    opts.flags = SHO_ARCHIVE_WRITE;
    sho_err_clear(&err);
    assert_int_equal(sho_archive_open(dir, &opts, &a, &err), 0);
    assert_int_equal(sho_archive_source_begin(a, src, "test", "FS01", &err), 0);
    return a;
}

static void source_end(struct sho_archive *a)
{
    struct sho_err err;

    sho_err_clear(&err);
    assert_int_equal(sho_archive_source_end(a, NULL, &err), 0);
    sho_archive_close(a);
}

/* Add one source of `n` events at random times (some equal) and index it, 1024 a batch. */
static void add_round(const char *dir, int r, int n, uint64_t *seed, uint64_t *per_path,
                      uint64_t *in_window)
{
    struct sho_index_opts io = { 1024, 0 };
    struct sho_archive *a;
    struct sho_err err;
    struct sho_event ev;
    char name[32];
    int i;

    (void)snprintf(name, sizeof(name), "round%d", r);
    a = source_begin(dir, name);
    sho_err_clear(&err);
    for (i = 0; i < n; i++) {
        int p = (int)(lcg(seed) % 6);
        uint64_t minute = lcg(seed) % (60 * 24 * 10); /* ten days, many equal times */
        sho_event_clear(&ev);
        ev.has = SHO_HAS_TIME | SHO_HAS_RECORD_ID | SHO_HAS_EVENT_ID;
        ev.time = FT_BASE + minute * 600000000ULL;
        ev.record_id = (uint64_t)r * 100000 + (uint64_t)i + 1;
        ev.event_id = 4663;
        ev.host = "FS01";
        ev.channel = "Security";
        ev.user_sid = i % 3 == 0 ? "S-1-5-21-9-1001" : "S-1-5-21-9-1002";
        ev.user = i % 3 == 0 ? "tanaka" : "suzuki";
        ev.actions = SHO_ACT_READ;
        ev.outcome = SHO_OUTCOME_SUCCESS;
        ev.path = p < 5 ? paths[p] : NULL;
        if (p < 5) {
            per_path[p]++;
        }
        if (minute >= 60 * 24 * 3 && minute < 60 * 24 * 4) {
            (*in_window)++;
        }
        assert_int_equal(sho_archive_event_put(a, &ev, &err), 1);
    }
    source_end(a);
    assert_int_equal(sho_index_refresh(dir, 0, &io, NULL, &err), 0);
}

/* The first column of the one row `sql` gives on the index in `dir`. */
static int64_t index_int(const char *dir, const char *sql)
{
    char path[512];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;

    (void)snprintf(path, sizeof(path), "%s/index.sqlite", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
    }
    (void)sqlite3_finalize(st);
    (void)sqlite3_close(db);
    return n;
}

static int64_t count_runs(const char *dir)
{
    return index_int(dir, "SELECT count(*) FROM runs");
}

/* The trigram index file covers every file of the index it belongs to. */
static void fts_covers_files(const char *dir)
{
    char path[512];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    (void)snprintf(path, sizeof(path), "%s/index.sqlite", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    (void)snprintf(path, sizeof(path), "ATTACH '%s/index-fts.sqlite' AS fts", dir);
    assert_int_equal(sqlite3_exec(db, path, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT max(id) FROM files) = (SELECT v FROM"
                                        " fts.meta WHERE k = 'upto') AND (SELECT v FROM meta WHERE"
                                        " k = 'gen') = (SELECT v FROM fts.meta WHERE k = 'gen')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    (void)sqlite3_finalize(st);
    (void)sqlite3_close(db);
}

/* The answers of the `n` queries `qs`. */
static void ask_each(const char *dir, const struct sho_index_query *qs, size_t n,
                     struct answer *out)
{
    size_t k;

    for (k = 0; k < n; k++) {
        ask(dir, &qs[k], &out[k]);
    }
}

/* Two sets of `n` answers are the same, row for row (then released). */
static void same_answers(struct answer *a, struct answer *b, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        assert_true(a[k].ordered && b[k].ordered);
        assert_int_equal(a[k].rows, b[k].rows);
        assert_string_equal(a[k].text.data != NULL ? a[k].text.data : "",
                            b[k].text.data != NULL ? b[k].text.data : "");
        sho_buf_release(&a[k].text);
        sho_buf_release(&b[k].text);
    }
}

static void remove_dir(const char *dir)
{
    char cmd[512];

    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void answers_of(const char *dir, struct answer out[5])
{
    const struct sho_index_query qs[5] = {
        { .select = SHO_SELECT_ALL },
        { .select = SHO_SELECT_PATH, .text = "d:/hr/給与.XLSX" },
        { .select = SHO_SELECT_PERSON,
          .text = "S-1-5-21-9-1001",
          .since = FT_BASE + 3 * 24 * 36000000000ULL,
          .until = FT_BASE + 4 * 24 * 36000000000ULL },
        { .select = SHO_SELECT_ALL,
          .since = FT_BASE + 3 * 24 * 36000000000ULL,
          .until = FT_BASE + 4 * 24 * 36000000000ULL },
        /* through the trigram index: D:\HR\ and its three files */
        { .select = SHO_SELECT_LIKE, .text = "hr\\" },
    };

    ask_each(dir, qs, 5, out);
}

static void small_updates_equal_scratch(void **state)
{
    static const int sizes[ROUNDS] = { 3000, 5, 700, 1, 1, 2000, 90, 1024, 3, 400, 1, 5000, 7, 1 };
    char dir[] = "/tmp/shoseki-test-store-XXXXXX";
    uint64_t seed = 3, per_path[5] = { 0 }, in_window = 0, total = 0;
    struct answer grown[5], scratch[5];
    struct sho_err err;
    int r, k;

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (r = 0; r < ROUNDS; r++) {
        add_round(dir, r, sizes[r], &seed, per_path, &in_window);
        total += (uint64_t)sizes[r];
    }
    /* 13 000 events in batches of 1024: merging keeps the runs near the full batches */
    assert_true(count_runs(dir) <= 20);
    fts_covers_files(dir);
    answers_of(dir, grown);
    assert_int_equal(grown[0].rows, total);
    assert_int_equal(grown[1].rows, per_path[0]);
    assert_int_equal(grown[3].rows, in_window);
    assert_int_equal(grown[4].rows, per_path[0] + per_path[1] + per_path[4]);
    for (k = 0; k < 5; k++) {
        assert_true(grown[k].ordered);
    }
    sho_err_clear(&err);
    assert_int_equal(sho_index_refresh(dir, SHO_INDEX_WRITE | SHO_INDEX_REBUILD, NULL, NULL, &err),
                     0);
    assert_true(count_runs(dir) <= 2);
    fts_covers_files(dir);
    answers_of(dir, scratch);
    same_answers(scratch, grown, 5);
    remove_dir(dir);
}

/* `n` events over `nfiles` paths (Japanese names among them), 600 persons, 40 clients, the
 * record ids from `first_record`. */
static void add_many(const char *dir, const char *name, int n, int nfiles, int step,
                     uint64_t first_record)
{
    struct sho_archive *a = source_begin(dir, name);
    struct sho_err err;
    struct sho_event ev;
    char path[128], sid[64], user[64], ip[32];
    int i;

    sho_err_clear(&err);
    for (i = 0; i < n; i++) {
        int k = (int)(((int64_t)i * step) % nfiles);
        (void)snprintf(path, sizeof(path), "\\\\FS01\\share\\部署%02d\\file%05d.txt", k % 50, k);
        (void)snprintf(sid, sizeof(sid), "S-1-5-21-7-%d", 1000 + i % 600);
        (void)snprintf(user, sizeof(user), "ユーザー%d", i % 600);
        (void)snprintf(ip, sizeof(ip), "10.0.0.%d", i % 40);
        sho_event_clear(&ev);
        ev.has = SHO_HAS_TIME | SHO_HAS_RECORD_ID | SHO_HAS_EVENT_ID;
        ev.time = FT_BASE + (uint64_t)(i % 5000) * 600000000ULL;
        ev.record_id = first_record + (uint64_t)i; /* else the archive drops them as copies */
        ev.event_id = i % 2 == 0 ? 5145 : 4663;
        ev.host = "FS01";
        ev.channel = "Security";
        ev.user_sid = sid;
        ev.user = user;
        ev.domain = "CORP";
        ev.client_ip = ip;
        ev.actions = i % 3 == 0 ? SHO_ACT_WRITE : SHO_ACT_READ;
        ev.outcome = SHO_OUTCOME_SUCCESS;
        ev.path = path;
        assert_int_equal(sho_archive_event_put(a, &ev, &err), 1);
    }
    source_end(a);
}

/* "files ctx persons" row counts of the index in `dir`. */
static void table_counts(const char *dir, char *out, size_t cap)
{
    (void)snprintf(out, cap, "%lld %lld %lld",
                   (long long)index_int(dir, "SELECT count(*) FROM files"),
                   (long long)index_int(dir, "SELECT count(*) FROM ctx"),
                   (long long)index_int(dir, "SELECT count(*) FROM persons"));
}

static const struct sho_index_query many_qs[4] = {
    { .select = SHO_SELECT_ALL },
    { .select = SHO_SELECT_PATH, .text = "\\\\fs01\\SHARE\\部署07\\file00107.TXT" },
    { .select = SHO_SELECT_PERSON, .text = "CORP\\ユーザー17" },
    { .select = SHO_SELECT_LIKE, .text = "部署3" },
};

static void tiny_caches_answer_alike(void **state)
{
    char dir[] = "/tmp/shoseki-test-tiny-XXXXXX";
    struct sho_index_opts tiny = { 2048, (uint64_t)1 << 20 }; /* 768 KiB of id caches */
    struct answer small[4], big[4];
    struct sho_err err;
    char counts[96], again[96];

    (void)state;
    assert_non_null(mkdtemp(dir));
    sho_err_clear(&err);
    /* a first load that outgrows the caches, then an update that finds its paths again */
    add_many(dir, "first", 14000, 9000, 7919, 1);
    assert_int_equal(sho_index_refresh(dir, 0, &tiny, NULL, &err), 0);
    add_many(dir, "second", 5000, 9000, 31, 100000);
    assert_int_equal(sho_index_refresh(dir, 0, &tiny, NULL, &err), 0);
    table_counts(dir, counts, sizeof(counts));
    assert_string_equal(counts, "9000 80 600"); /* 40 clients x 2 event ids x read/write */
    ask_each(dir, many_qs, 4, small);
    assert_int_equal(small[0].rows, 19000);
    assert_true(small[1].rows > 0);
    assert_true(small[2].rows > 0);
    assert_true(small[3].rows > 0);
    assert_int_equal(sho_index_refresh(dir, SHO_INDEX_WRITE | SHO_INDEX_REBUILD, NULL, NULL, &err),
                     0);
    table_counts(dir, again, sizeof(again));
    assert_string_equal(again, counts);
    ask_each(dir, many_qs, 4, big);
    same_answers(big, small, 4);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sort_is_stable),           cmocka_unit_test(block_round_trip),
        cmocka_unit_test(postings_pick_their_ids),  cmocka_unit_test(small_updates_equal_scratch),
        cmocka_unit_test(tiny_caches_answer_alike),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
