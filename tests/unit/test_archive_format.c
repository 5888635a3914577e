/*
 * Unit tests of the archive's building blocks (archive/archive_priv.h and the
 * event codec): frames round-trip and detect every altered byte, block tables
 * and source records parse exactly what was written and refuse damage, the
 * EVTX cutter splits at chunk boundaries, content-defined cuts resync after
 * an insertion, and events survive encode/decode with their identity key;
 * EVENTS payloads of both versions read alike, in an archive too.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "archive_priv.h"
#include "shoseki/event.h"

static int tmp_file_with(const void *data, size_t len, char path[64])
{
    int fd;

    (void)snprintf(path, 64, "/tmp/shoseki-unit-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    return fd;
}

static void test_frame_roundtrip(void **state)
{
    static const uint8_t prev[SHO_HASH_LEN] = { 1, 2, 3 };
    struct sho_buf out, stored, raw;
    struct arc_frame_head head;
    uint8_t hash[SHO_HASH_LEN], got[SHO_HASH_LEN];
    char payload[4096], path[64];
    int fd;

    (void)state;
    memset(payload, 'a', sizeof(payload)); /* compressible: codec 1 */
    sho_buf_init(&out, 1 << 20);
    sho_buf_init(&stored, 1 << 20);
    sho_buf_init(&raw, 1 << 20);
    assert_int_equal(
        arc_frame_build(SHO_FRAME_EVENTS, 42, prev, payload, sizeof(payload), 3, NULL, &out, hash),
        0);
    assert_true(out.len < sizeof(payload));
    assert_memory_equal(out.data, "SHF1", 4);
    fd = tmp_file_with(out.data, out.len, path);
    assert_int_equal(arc_frame_read(fd, 0, (int64_t)out.len, &head, got, &stored, &raw, NULL, NULL),
                     0);
    assert_int_equal(head.type, SHO_FRAME_EVENTS);
    assert_int_equal(head.codec, ARC_CODEC_ZSTD);
    assert_int_equal(head.seq, 42);
    assert_memory_equal(head.prev_hash, prev, SHO_HASH_LEN);
    assert_memory_equal(got, hash, SHO_HASH_LEN);
    assert_int_equal(raw.len, sizeof(payload));
    assert_memory_equal(raw.data, payload, sizeof(payload));
    /* One byte short of the whole frame is an unfinished tail, not an error. */
    assert_int_equal(
        arc_frame_read(fd, 0, (int64_t)out.len - 1, &head, got, &stored, &raw, NULL, NULL), 1);
    (void)close(fd);
    (void)unlink(path);
    sho_buf_release(&out);
    sho_buf_release(&stored);
    sho_buf_release(&raw);
}

/* Every single byte of a frame, flipped, is caught by the frame reader. */
static void test_frame_every_byte_flip(void **state)
{
    static const uint8_t prev[SHO_HASH_LEN];
    struct sho_buf out, stored, raw;
    struct arc_frame_head head;
    uint8_t hash[SHO_HASH_LEN];
    const char *payload = "shoseki-source 1\nsha256 00\n";
    size_t i;

    (void)state;
    sho_buf_init(&out, 1 << 20);
    sho_buf_init(&stored, 1 << 20);
    sho_buf_init(&raw, 1 << 20);
    assert_int_equal(
        arc_frame_build(SHO_FRAME_SOURCE, 7, prev, payload, strlen(payload), 3, NULL, &out, hash),
        0);
    for (i = 0; i < out.len; i++) {
        char path[64];
        int fd, rc;
        struct sho_err err;
        out.data[i] ^= 0x20;
        fd = tmp_file_with(out.data, out.len, path);
        sho_err_clear(&err);
        rc = arc_frame_read(fd, 0, (int64_t)out.len, &head, hash, &stored, &raw, NULL, &err);
        /* A flipped length may make the frame look unfinished (1); never intact (0). */
        assert_true(rc != 0);
        (void)close(fd);
        (void)unlink(path);
        out.data[i] ^= 0x20;
    }
    sho_buf_release(&out);
    sho_buf_release(&stored);
    sho_buf_release(&raw);
}

static void test_blocks_table(void **state)
{
    uint8_t p[4 + 2 * ARC_BLOCK_ENTRY + 5];
    struct arc_block_table t;

    (void)state;
    memset(p, 0, sizeof(p));
    p[0] = 2;
    p[4 + SHO_HASH_LEN] = 2;                   /* first block: 2 bytes */
    p[4 + ARC_BLOCK_ENTRY + SHO_HASH_LEN] = 3; /* second: 3 bytes */
    memcpy(p + 4 + 2 * ARC_BLOCK_ENTRY, "abcde", 5);
    assert_int_equal(arc_blocks_parse(p, sizeof(p), &t), 0);
    assert_int_equal(t.count, 2);
    assert_int_equal(t.data_len, 5);
    assert_memory_equal(t.data, "abcde", 5);
    /* Lengths that do not add up, a zero count, a count past the payload: refused. */
    assert_int_equal(arc_blocks_parse(p, sizeof(p) - 1, &t), SHO_ECORRUPT);
    p[0] = 0;
    assert_int_equal(arc_blocks_parse(p, sizeof(p), &t), SHO_ECORRUPT);
    p[0] = 200;
    assert_int_equal(arc_blocks_parse(p, sizeof(p), &t), SHO_ECORRUPT);
    assert_int_equal(arc_blocks_parse(p, 3, &t), SHO_ECORRUPT);
}

static void test_evtx_cut(void **state)
{
    (void)state;
    assert_int_equal(arc_evtx_cut(0, 100000, false), 4096);
    assert_int_equal(arc_evtx_cut(4096, 100000, false), 65536);
    assert_int_equal(arc_evtx_cut(4096 + 65536, 65536, false), 65536);
    assert_int_equal(arc_evtx_cut(4096, 1000, false), 0);   /* need more */
    assert_int_equal(arc_evtx_cut(4096, 1000, true), 1000); /* short last chunk */
    assert_int_equal(arc_evtx_cut(100, 10000, false), 3996);
}

/* Same content gives the same blocks wherever it sits: an insertion only disturbs nearby cuts. */
static void test_cdc_resync(void **state)
{
    size_t len = 512 * 1024, i, n, cuts_a = 0, matched = 0;
    uint8_t *a = malloc(len), *b = malloc(len + 100);
    size_t ends_a[256], pos;
    uint64_t x = 88172645463325252ull;

    (void)state;
    for (i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        a[i] = (uint8_t)x;
    }
    memset(b, 'x', 100);
    memcpy(b + 100, a, len);
    for (pos = 0; pos < len; pos += n) {
        n = arc_cdc_cut(a + pos, len - pos, true);
        assert_true(n >= (pos + ARC_CDC_MIN <= len ? ARC_CDC_MIN : 1) && n <= ARC_CDC_MAX);
        ends_a[cuts_a++] = pos + n;
    }
    for (pos = 0; pos < len + 100; pos += n) {
        n = arc_cdc_cut(b + pos, len + 100 - pos, true);
        for (i = 0; i < cuts_a; i++) {
            matched += ends_a[i] + 100 == pos + n;
        }
    }
    /* All but the first couple of cut points line up again. */
    assert_true(cuts_a > 10);
    assert_true(matched + 3 >= cuts_a);
    free(a);
    free(b);
}

static void test_source_record(void **state)
{
    struct sho_buf t;
    struct arc_source_rec rec;
    char line[200];

    (void)state;
    sho_buf_init(&t, 1 << 20);
    assert_int_equal(sho_buf_appends(&t, "shoseki-source 1\nsha256 "), 0);
    assert_int_equal(sho_buf_appends(&t, "00112233445566778899aabbccddeeff"
                                         "00112233445566778899aabbccddeeff\nsize 12\n"),
                     0);
    assert_int_equal(arc_text_value(&t, "name", "C:\\logs\\a\nb.evtx"), 0);
    assert_int_equal(arc_text_value(&t, "kind", "evtx"), 0);
    assert_int_equal(arc_text_value(&t, "host", ""), 0);
    (void)snprintf(line, sizeof(line), "block %064d 12\nevents_stored 3\n", 7);
    assert_int_equal(sho_buf_appends(&t, line), 0);
    assert_int_equal(arc_source_parse((const uint8_t *)t.data, t.len, &rec), 0);
    assert_string_equal(rec.pub.name, "C:\\logs\\a\nb.evtx");
    assert_string_equal(rec.pub.kind, "evtx");
    assert_null(rec.pub.host);
    assert_int_equal(rec.pub.size, 12);
    assert_int_equal(rec.pub.events_stored, 3);
    assert_int_equal(rec.block_count, 1);
    assert_int_equal(rec.block_lens[0], 12);
    assert_int_equal(rec.sha[0], 0x00);
    assert_int_equal(rec.sha[31], 0xff);
    arc_source_release(&rec);
    /* Damage: a bad hash, a missing signature line. */
    t.data[t.len - 30] = 'z';
    assert_int_equal(arc_source_parse((const uint8_t *)t.data + 17, t.len - 17, &rec),
                     SHO_ECORRUPT);
    sho_buf_release(&t);
}

static void test_event_codec(void **state)
{
    struct sho_event ev, back;
    struct sho_buf b, strings;
    size_t used = 0, cut;

    (void)state;
    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID | SHO_HAS_SOURCE_OFFSET;
    ev.time = 133600370251234567ull;
    ev.event_id = 4663;
    ev.record_id = 4988;
    ev.host = "FS01";
    ev.channel = "Security";
    ev.user = "\xe7\x94\xb0\xe4\xb8\xad"; /* 田中 */
    ev.path = "\\\\FS01\\jinji\\\xe5\x80\x8b\xe4\xba\xba.xlsx";
    ev.actions = SHO_ACT_READ | SHO_ACT_DELETE;
    ev.outcome = SHO_OUTCOME_FAILURE;
    ev.source = "";
    ev.source_offset = 6816;
    sho_buf_init(&b, 1 << 20);
    sho_buf_init(&strings, 1 << 20);
    assert_int_equal(sho_event_encode(&ev, &b), 0);
    assert_int_equal(sho_event_decode((const uint8_t *)b.data, b.len, &back, &strings, &used), 0);
    assert_int_equal(used, b.len);
    assert_int_equal(back.time, ev.time);
    assert_int_equal(back.record_id, 4988);
    assert_int_equal(back.actions, ev.actions);
    assert_int_equal(back.outcome, SHO_OUTCOME_FAILURE);
    assert_int_equal(back.source_offset, 6816);
    assert_string_equal(back.host, "FS01");
    assert_string_equal(back.user, ev.user);
    assert_string_equal(back.path, ev.path);
    assert_string_equal(back.source, ""); /* empty but present */
    assert_null(back.domain);             /* absent stays absent */
    /* Every truncation is refused without reading past the end. */
    for (cut = 0; cut < b.len; cut++) {
        assert_int_equal(sho_event_decode((const uint8_t *)b.data, cut, &back, &strings, &used),
                         SHO_ECORRUPT);
    }
    sho_buf_release(&b);
    sho_buf_release(&strings);
}

static void test_event_key(void **state)
{
    struct sho_event ev;
    uint8_t k1[32], k2[32], k3[32];

    (void)state;
    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID;
    ev.host = "FS01";
    ev.channel = "Security";
    ev.event_id = 4663;
    ev.record_id = 1;
    ev.time = 1000;
    ev.path = "a";
    sho_event_key(&ev, sho_sha256, k1);
    ev.path = "b"; /* not part of the identity: the same record rendered differently */
    ev.source_offset = 99;
    sho_event_key(&ev, sho_sha256, k2);
    assert_memory_equal(k1, k2, 32);
    ev.time = 2000; /* a cleared log restarts record ids: the time tells them apart */
    sho_event_key(&ev, sho_sha256, k3);
    assert_memory_not_equal(k1, k3, 32);
    ev.time = 1000;
    ev.host = "FS0";
    ev.channel = "1Security"; /* length-prefixed: shifting bytes between fields differs */
    sho_event_key(&ev, sho_sha256, k3);
    assert_memory_not_equal(k1, k3, 32);
}

/* Two events of one source, the second with absent strings. */
static void two_events(struct sho_event ev[2])
{
    sho_event_clear(&ev[0]);
    ev[0].has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID;
    ev[0].time = 133600370251234567ull;
    ev[0].event_id = 4663;
    ev[0].record_id = 7;
    ev[0].host = "FS01";
    ev[0].channel = "Security";
    ev[0].path = "D:\\shares\\jinji\\a.xlsx";
    ev[1] = ev[0];
    ev[1].record_id = 8;
    ev[1].time += 10000;
    ev[1].path = NULL;
}

/* A version 1 payload of `ev`, as archives written before version 2 hold them. */
static void payload_v1(const uint8_t sha[SHO_HASH_LEN], const struct sho_event *ev, size_t n,
                       struct sho_buf *out)
{
    uint8_t count[4], key[SHO_HASH_LEN];
    size_t i;

    sho_buf_reset(out);
    sho_put_le32(count, (uint32_t)n);
    assert_int_equal(sho_buf_append(out, sha, SHO_HASH_LEN), 0);
    assert_int_equal(sho_buf_append(out, count, 4), 0);
    for (i = 0; i < n; i++) {
        sho_event_key(&ev[i], sho_sha256, key);
        assert_int_equal(sho_buf_append(out, key, ARC_EVENT_KEY_LEN), 0);
        assert_int_equal(sho_event_encode(&ev[i], out), 0);
    }
}

static void payload_v2(const uint8_t sha[SHO_HASH_LEN], const struct sho_event *ev, size_t n,
                       struct sho_buf *out)
{
    struct sho_event_batch *b = sho_event_batch_new(1 << 20);
    size_t i;

    for (i = 0; i < n; i++) {
        assert_int_equal(sho_event_batch_add(b, &ev[i]), 0);
    }
    assert_int_equal(arc_events_build(sha, b, out), 0);
    sho_event_batch_free(b);
}

/* Both payload versions give the same events and keys; damage is refused. */
static void test_events_payload_versions(void **state)
{
    static const uint8_t sha[SHO_HASH_LEN] = { 0xab, 1, 2 };
    struct sho_event ev[2], got;
    struct arc_events r;
    struct sho_buf p;
    uint8_t key[SHO_HASH_LEN], want[SHO_HASH_LEN];
    int version, i;

    (void)state;
    two_events(ev);
    sho_buf_init(&p, 1 << 20);
    arc_events_init(&r);
    for (version = 1; version <= 2; version++) {
        if (version == 1) {
            payload_v1(sha, ev, 2, &p);
        } else {
            payload_v2(sha, ev, 2, &p);
            assert_int_equal(sho_le32((const uint8_t *)p.data + SHO_HASH_LEN), 0xFFFFFFFFu);
            assert_int_equal(sho_le32((const uint8_t *)p.data + SHO_HASH_LEN + 4), 2);
        }
        assert_memory_equal(p.data, sha, SHO_HASH_LEN);
        assert_int_equal(arc_events_load(&r, (const uint8_t *)p.data, p.len), 0);
        assert_int_equal(r.version, version);
        assert_int_equal(r.count, 2);
        for (i = 0; i < 2; i++) {
            assert_int_equal(arc_events_next(&r, &got), 1);
            assert_true(got.record_id == ev[i].record_id);
            assert_true(got.time == ev[i].time);
            assert_string_equal(got.host, "FS01");
            sho_event_key(&got, sho_sha256, key); /* the identity survives */
            sho_event_key(&ev[i], sho_sha256, want);
            assert_memory_equal(key, want, SHO_HASH_LEN);
        }
        assert_null(got.path);
        assert_int_equal(arc_events_next(&r, &got), 0);
        /* A byte more at the end is damage in either version. */
        assert_int_equal(sho_buf_putc(&p, 0), 0);
        if (arc_events_load(&r, (const uint8_t *)p.data, p.len) == 0) {
            while ((i = arc_events_next(&r, &got)) == 1) {
            }
            assert_int_equal(i, SHO_ECORRUPT);
        }
    }
    /* An unknown version, and a payload too short for its head. */
    payload_v2(sha, ev, 2, &p);
    sho_put_le32((uint8_t *)p.data + SHO_HASH_LEN + 4, 3);
    assert_int_equal(arc_events_load(&r, (const uint8_t *)p.data, p.len), SHO_ECORRUPT);
    assert_int_equal(arc_events_load(&r, (const uint8_t *)p.data, SHO_HASH_LEN + 6), SHO_ECORRUPT);
    assert_int_equal(arc_events_load(&r, (const uint8_t *)p.data, SHO_HASH_LEN + 3), SHO_ECORRUPT);
    arc_events_release(&r);
    sho_buf_release(&p);
}

struct seen {
    char refs[4][48];
    uint64_t record_ids[4];
    int count;
};

static int on_event(void *ctx, const struct sho_event *ev, const uint8_t sha[SHO_HASH_LEN])
{
    struct seen *s = ctx;

    assert_int_equal(sha[0], 0xab);
    assert_true(s->count < 4);
    (void)snprintf(s->refs[s->count], sizeof(s->refs[0]), "%s", ev->ref);
    s->record_ids[s->count++] = ev->record_id;
    return 0;
}

/*
 * An archive holding a version 1 frame (as written before version 2) and a
 * version 2 frame: events, event_get by reference, verify, and a dedup cache
 * rebuilt from both frames all see the same four events.
 */
static void test_archive_both_versions(void **state)
{
    static const uint8_t sha[SHO_HASH_LEN] = { 0xab };
    struct sho_archive_opts opts = { SHO_ARCHIVE_WRITE, 0, 0 };
    struct sho_archive *a = NULL;
    struct sho_verify_report rep;
    struct sho_event ev[4];
    struct sho_buf p;
    struct seen seen, one;
    struct sho_event other;
    sqlite3 *db = NULL;
    char dir[] = "/tmp/shoseki-unit-arc-XXXXXX", path[128];
    int i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    two_events(ev);
    two_events(ev + 2);
    ev[2].record_id = 9;
    ev[3].record_id = 10;
    sho_buf_init(&p, 1 << 20);
    assert_int_equal(sho_archive_open(dir, &opts, &a, NULL), 0);
    payload_v1(sha, ev, 2, &p);
    assert_int_equal(arc_append(a, SHO_FRAME_EVENTS, p.data, p.len, NULL, NULL, NULL), 0);
    payload_v2(sha, ev + 2, 2, &p);
    assert_int_equal(arc_append(a, SHO_FRAME_EVENTS, p.data, p.len, NULL, NULL, NULL), 0);
    assert_int_equal(arc_commit(a, NULL), 0);
    sho_archive_close(a);

    assert_int_equal(sho_archive_open(dir, NULL, &a, NULL), 0);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(sho_archive_events(a, on_event, &seen, NULL), 0);
    assert_int_equal(seen.count, 4);
    for (i = 0; i < 4; i++) {
        assert_true(seen.record_ids[i] == ev[i].record_id);
    }
    assert_string_equal(seen.refs[1], "1:1"); /* frame 0 is the segment's */
    assert_string_equal(seen.refs[3], "2:1");
    for (i = 0; i < 4; i++) {
        memset(&one, 0, sizeof(one));
        assert_int_equal(sho_archive_event_get(a, seen.refs[i], on_event, &one, NULL), 1);
        assert_int_equal(one.count, 1);
        assert_true(one.record_ids[0] == ev[i].record_id);
    }
    memset(&one, 0, sizeof(one));
    assert_int_equal(sho_archive_event_get(a, "2:2", on_event, &one, NULL), 0);
    assert_int_equal(sho_archive_verify(a, NULL, &rep, NULL), 0);
    assert_int_equal(rep.events, 4);
    assert_int_equal(rep.sources_unfinished, 1); /* events without a SOURCE frame */
    sho_archive_close(a);

    /* A cache rebuilt from the frames knows every key, recomputed or stored. */
    (void)snprintf(path, sizeof(path), "%s/dedup.sqlite", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(sho_archive_open(dir, &opts, &a, NULL), 0);
    for (i = 0; i < 4; i++) {
        assert_int_equal(arc_dedup_add_event(a->dedup, &ev[i], NULL), 0);
    }
    other = ev[3];
    other.time++; /* a cleared log's record 10: another event */
    assert_int_equal(arc_dedup_add_event(a->dedup, &other, NULL), 1);
    sho_archive_close(a);

    /* A cache of an older layout is replaced and rebuilt, not trusted. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    assert_int_equal(sho_archive_open(dir, &opts, &a, NULL), 0);
    for (i = 0; i < 4; i++) {
        assert_int_equal(arc_dedup_add_event(a->dedup, &ev[i], NULL), 0);
    }
    sho_archive_close(a);
    sho_buf_release(&p);
    (void)snprintf(path, sizeof(path), "rm -rf '%s'", dir);
    assert_int_equal(system(path), 0);
}

/* Event i of a stream of 300: record 1000 + i, one second apart. */
static void stream_event(struct sho_event *ev, int i)
{
    sho_event_clear(ev);
    ev->has = SHO_HAS_TIME | SHO_HAS_EVENT_ID | SHO_HAS_RECORD_ID;
    ev->host = "FS01";
    ev->channel = "Security";
    ev->event_id = 4663;
    ev->record_id = 1000 + (uint64_t)i;
    ev->time = 133600000000000000ull + (uint64_t)i * 10000000ull;
}

/*
 * A batch is keyed 64 events a statement where none can be known, one by one
 * where some can: either way exactly the events already in the cache or
 * earlier in the batch are duplicates. Sources are known by hash and size.
 */
static void test_dedup_batches(void **state)
{
    static const uint8_t sha[SHO_HASH_LEN] = { 0x5a };
    struct sho_archive_opts opts = { SHO_ARCHIVE_WRITE, 0, 0 };
    struct sho_event_batch *b = sho_event_batch_new(1 << 22);
    struct sho_archive *a = NULL;
    struct sho_event ev;
    uint8_t dup[400];
    char dir[] = "/tmp/shoseki-unit-dedup-XXXXXX", cmd[128];
    int i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(sho_archive_open(dir, &opts, &a, NULL), 0);
    for (i = 0; i < 200; i++) { /* events 0-199: all new, three full groups and a partial one */
        stream_event(&ev, i);
        assert_int_equal(sho_event_batch_add(b, &ev), 0);
    }
    assert_int_equal(arc_dedup_add_events(a->dedup, b, dup, NULL), 0);
    sho_event_batch_reset(b);
    for (i = 150; i < 300; i++) { /* 150-199 known, 200-299 new */
        stream_event(&ev, i);
        assert_int_equal(sho_event_batch_add(b, &ev), 0);
    }
    for (i = 250; i < 260; i++) { /* 250-259 again, later in the same batch */
        stream_event(&ev, i);
        assert_int_equal(sho_event_batch_add(b, &ev), 0);
    }
    stream_event(&ev, 5);
    ev.time += 1; /* a cleared log's record 1005: another event */
    assert_int_equal(sho_event_batch_add(b, &ev), 0);
    assert_int_equal(arc_dedup_add_events(a->dedup, b, dup, NULL), 50 + 10);
    for (i = 0; i < 161; i++) {
        bool known = i < 50 || i >= 150;
        assert_int_equal(dup[i], i == 160 ? 0 : known);
    }
    stream_event(&ev, 299);
    assert_int_equal(arc_dedup_add_event(a->dedup, &ev, NULL), 0);
    stream_event(&ev, 300);
    assert_int_equal(arc_dedup_add_event(a->dedup, &ev, NULL), 1);

    assert_int_equal(arc_dedup_has_size(a->dedup, 4096, NULL), 0);
    assert_int_equal(arc_dedup_add_source(a->dedup, sha, 4096, NULL), 0);
    assert_int_equal(arc_dedup_has_size(a->dedup, 4096, NULL), 1);
    assert_int_equal(arc_dedup_has_size(a->dedup, 4097, NULL), 0);
    assert_int_equal(arc_dedup_has_source(a->dedup, sha, NULL), 1);
    sho_archive_close(a);
    sho_event_batch_free(b);
    (void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_hash_hex(void **state)
{
    uint8_t h[SHO_HASH_LEN], back[SHO_HASH_LEN];
    char hex[SHO_HASH_HEX];

    (void)state;
    sho_sha256("abc", 3, h);
    sho_hash_hex(h, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(sho_hash_parse(hex, back), 0);
    assert_memory_equal(h, back, SHO_HASH_LEN);
    assert_int_equal(sho_hash_parse("ba78", back), SHO_EINVAL);
    hex[10] = 'g';
    assert_int_equal(sho_hash_parse(hex, back), SHO_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_roundtrip),
        cmocka_unit_test(test_frame_every_byte_flip),
        cmocka_unit_test(test_blocks_table),
        cmocka_unit_test(test_evtx_cut),
        cmocka_unit_test(test_cdc_resync),
        cmocka_unit_test(test_source_record),
        cmocka_unit_test(test_event_codec),
        cmocka_unit_test(test_event_key),
        cmocka_unit_test(test_hash_hex),
        cmocka_unit_test(test_dedup_batches),
        cmocka_unit_test(test_events_payload_versions),
        cmocka_unit_test(test_archive_both_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
