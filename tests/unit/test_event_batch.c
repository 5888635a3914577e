/*
 * Unit tests of the columnar event batch (event/event_batch.c), the encoding
 * of EVENTS payload version 2: the exact bytes of a small batch as
 * docs/archive-format.md describes them, a lossless round trip of awkward
 * values (extremes, decreasing times, empty and absent strings), re-encoding
 * to the same bytes, the limit, and every kind of damage refused without
 * reading past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shoseki/archive.h" /* sho_sha256 for identity keys */
#include "shoseki/event.h"

#define LIMIT ((size_t)1 << 20)

static void encode(const struct sho_event_batch *b, struct sho_buf *out)
{
    sho_buf_reset(out);
    assert_int_equal(sho_event_batch_encode(b, out), 0);
    assert_true(out->len <= sho_event_batch_bound(b));
}

/* Two events whose encoding is written out by hand from docs/archive-format.md. */
static void test_batch_golden(void **state)
{
    static const uint8_t want[] = {
        0x02,                   /* count */
        0x01, 0x01,             /* has */
        0x0a, 0x03,             /* time: 5, then 3 (difference -2, zig-zag 3) */
        0xb7, 0x24, 0xb7, 0x24, /* event_id 4663, 4663 */
        0x00, 0x02,             /* record_id: 0, then 1 (difference +1, zig-zag 2) */
    };
    struct sho_event_batch *b = sho_event_batch_new(LIMIT);
    struct sho_event ev;
    struct sho_buf out;
    size_t i;

    (void)state;
    sho_buf_init(&out, LIMIT);
    sho_event_clear(&ev);
    ev.has = SHO_HAS_TIME;
    ev.time = 5;
    ev.event_id = 4663;
    ev.host = "A";
    assert_int_equal(sho_event_batch_add(b, &ev), 0);
    ev.time = 3;
    ev.record_id = 1;
    assert_int_equal(sho_event_batch_add(b, &ev), 0);
    assert_int_equal(sho_event_batch_count(b), 2);
    encode(b, &out);
    assert_memory_equal(out.data, want, sizeof(want));
    /* logon_id .. logon_type: 7 columns of two zero varints. */
    for (i = 11; i < 25; i++) {
        assert_int_equal((uint8_t)out.data[i], 0);
    }
    /* source_offset: -1 as sho_event_clear leaves it (zig-zag 1), then no difference. */
    assert_int_equal(ev.source_offset, -1);
    assert_memory_equal(out.data + 25, "\x01\x00", 2);
    /* host: one value "A", both events use it; then 12 empty columns, both absent. */
    assert_memory_equal(out.data + 27,
                        "\x01\x01"
                        "A\x01\x01",
                        5);
    for (i = 32; i < out.len; i++) {
        assert_int_equal((uint8_t)out.data[i], 0);
    }
    assert_int_equal(out.len, 32 + 12 * 3);
    sho_buf_release(&out);
    sho_event_batch_free(b);
}

static void fill(struct sho_event *ev, unsigned i)
{
    static const char *const paths[] = { "\\\\FS01\\jinji\\\xe5\x80\x8b\xe4\xba\xba.xlsx", "",
                                         "C:\\a" };
    sho_event_clear(ev);
    ev->has = i % 3 == 0 ? 0x1ffu : SHO_HAS_TIME | SHO_HAS_RECORD_ID;
    ev->time = i == 1 ? UINT64_MAX : 133600370251234567ull - (uint64_t)i * 7919u;
    ev->event_id = i == 2 ? UINT32_MAX : 4663;
    ev->record_id = i == 3 ? 0 : 1000 + i;
    ev->logon_id = i == 4 ? UINT64_MAX : 0x3e7000;
    ev->actions = SHO_ACT_READ << (i % SHO_ACTION_COUNT);
    ev->outcome = (enum sho_outcome)(i % 3);
    ev->process_id = i;
    ev->access_mask = 0x120089;
    ev->handle_id = (uint64_t)i << 40;
    ev->logon_type = i == 5 ? UINT32_MAX : 3;
    ev->source_offset = i == 6 ? INT64_MIN : (i == 7 ? -1 : (int64_t)i * 512);
    ev->host = "FS01";
    ev->channel = "Security";
    ev->user = i % 2 == 0 ? "\xe7\x94\xb0\xe4\xb8\xad" : NULL; /* 田中 */
    ev->path = paths[i % 3];
    ev->domain = i % 4 == 0 ? "" : "CORP"; /* empty is not absent */
    ev->source = "e/export-01.evtx";
}

static void assert_same(const struct sho_event *a, const struct sho_event *b)
{
    assert_int_equal(a->has, b->has);
    assert_true(a->time == b->time);
    assert_int_equal(a->event_id, b->event_id);
    assert_true(a->record_id == b->record_id);
    assert_true(a->logon_id == b->logon_id);
    assert_int_equal(a->actions, b->actions);
    assert_int_equal(a->outcome, b->outcome);
    assert_true(a->process_id == b->process_id);
    assert_true(a->access_mask == b->access_mask);
    assert_true(a->handle_id == b->handle_id);
    assert_int_equal(a->logon_type, b->logon_type);
    assert_true(a->source_offset == b->source_offset);
#define SAME_STR(f)                                                                                \
    do {                                                                                           \
        if (a->f == NULL) {                                                                        \
            assert_null(b->f);                                                                     \
        } else {                                                                                   \
            assert_non_null(b->f);                                                                 \
            assert_string_equal(a->f, b->f);                                                       \
        }                                                                                          \
    } while (0)
    SAME_STR(host);
    SAME_STR(channel);
    SAME_STR(provider);
    SAME_STR(user_sid);
    SAME_STR(user);
    SAME_STR(domain);
    SAME_STR(object_type);
    SAME_STR(path);
    SAME_STR(process);
    SAME_STR(client_ip);
    SAME_STR(share);
    SAME_STR(share_local_path);
    SAME_STR(source);
#undef SAME_STR
}

static void test_batch_roundtrip(void **state)
{
    struct sho_event_batch *b = sho_event_batch_new(LIMIT);
    struct sho_event_batch *back = sho_event_batch_new(LIMIT);
    struct sho_event ev, got;
    struct sho_buf out, again;
    uint8_t k1[32], k2[32];
    size_t used = 0;
    unsigned i;

    (void)state;
    sho_buf_init(&out, LIMIT);
    sho_buf_init(&again, LIMIT);
    for (i = 0; i < 40; i++) {
        fill(&ev, i);
        assert_int_equal(sho_event_batch_add(b, &ev), 0);
    }
    encode(b, &out);
    assert_int_equal(sho_event_batch_decode(back, (const uint8_t *)out.data, out.len, &used), 0);
    assert_int_equal(used, out.len);
    assert_int_equal(sho_event_batch_count(back), 40);
    for (i = 0; i < 40; i++) {
        fill(&ev, i);
        sho_event_batch_get(back, i, &got);
        assert_same(&ev, &got);
        /* The identity survives, so version 2 can leave the keys out. */
        sho_event_key(&ev, sho_sha256, k1);
        sho_event_key(&got, sho_sha256, k2);
        assert_memory_equal(k1, k2, 32);
    }
    /* The events given back by the first batch are the same too. */
    sho_event_batch_get(b, 39, &got);
    fill(&ev, 39);
    assert_same(&ev, &got);
    /* Strings are stored once per frame: 40 events, one "jinji". */
    for (i = 0, used = 0; i + 5 <= out.len; i++) {
        used += memcmp(out.data + i, "jinji", 5) == 0;
    }
    assert_int_equal(used, 1);
    /* A decoded batch encodes to the same bytes. */
    encode(back, &again);
    assert_int_equal(again.len, out.len);
    assert_memory_equal(again.data, out.data, out.len);
    /* Reset empties; an empty batch round-trips. */
    sho_event_batch_reset(b);
    assert_int_equal(sho_event_batch_count(b), 0);
    encode(b, &out);
    assert_int_equal(sho_event_batch_decode(back, (const uint8_t *)out.data, out.len, &used), 0);
    assert_int_equal(sho_event_batch_count(back), 0);
    sho_buf_release(&out);
    sho_buf_release(&again);
    sho_event_batch_free(b);
    sho_event_batch_free(back);
}

static void test_batch_limit(void **state)
{
    struct sho_event_batch *b = sho_event_batch_new(600);
    struct sho_event ev;
    char big[512];
    size_t bound;

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    sho_event_clear(&ev);
    ev.path = "short";
    assert_int_equal(sho_event_batch_add(b, &ev), 0);
    bound = sho_event_batch_bound(b);
    ev.path = big;
    assert_int_equal(sho_event_batch_add(b, &ev), SHO_ELIMIT);
    assert_int_equal(sho_event_batch_count(b), 1); /* unchanged */
    assert_int_equal(sho_event_batch_bound(b), bound);
    sho_event_batch_free(b);
    sho_event_batch_free(NULL);
}

/* Decode `len` bytes into `b`; expect SHO_ECORRUPT and an empty batch. */
static void expect_corrupt(struct sho_event_batch *b, const void *p, size_t len)
{
    size_t used = 0;

    assert_int_equal(sho_event_batch_decode(b, p, len, &used), SHO_ECORRUPT);
    assert_int_equal(sho_event_batch_count(b), 0);
}

static void test_batch_damage(void **state)
{
    struct sho_event_batch *b = sho_event_batch_new(LIMIT);
    struct sho_event_batch *back = sho_event_batch_new(LIMIT);
    struct sho_event ev;
    struct sho_buf out;
    uint8_t bad[64];
    size_t cut, used;
    unsigned i;

    (void)state;
    sho_buf_init(&out, LIMIT);
    for (i = 0; i < 5; i++) {
        fill(&ev, i);
        assert_int_equal(sho_event_batch_add(b, &ev), 0);
    }
    encode(b, &out);
    /* Every truncation. */
    for (cut = 0; cut < out.len; cut++) {
        expect_corrupt(back, out.data, cut);
    }
    /* A one-event batch of zeros, then damaged one way at a time. */
    memset(bad, 0, sizeof(bad));
    bad[0] = 1;
    assert_int_equal(sho_event_batch_decode(back, bad, 1 + 12 + 13 * 2, &used), 0);
    assert_int_equal(used, 1 + 12 + 13 * 2);
    sho_event_batch_get(back, 0, &ev);
    assert_null(ev.host);
    bad[0] = 2; /* more events than the bytes could hold */
    expect_corrupt(back, bad, 1 + 12 + 13 * 2);
    bad[0] = 1;
    bad[7] = 3; /* outcome 3 */
    expect_corrupt(back, bad, 1 + 12 + 13 * 2);
    bad[7] = 0;
    bad[13 + 1] = 1; /* host index 1 in an empty table */
    expect_corrupt(back, bad, 1 + 12 + 13 * 2);
    bad[13 + 1] = 0;
    memcpy(bad + 1, "\x80\x00", 2); /* has: a varint that is not minimal */
    expect_corrupt(back, bad, 2 + 12 + 13 * 2);
    memcpy(bad + 1, "\xff\xff\xff\xff\x10", 5); /* has: past 32 bits */
    expect_corrupt(back, bad, 5 + 12 + 13 * 2);
    memset(bad + 1, 0xff, 10); /* has: a varint past 10 bytes */
    expect_corrupt(back, bad, sizeof(bad));
    memset(bad, 0, sizeof(bad));
    bad[0] = 1;
    memcpy(bad + 13,
           "\x01\x02"
           "a\x00"
           "\x01",
           5); /* host "a\0": a NUL inside */
    expect_corrupt(back, bad, 18 + 12 * 2);
    bad[16] = 'b'; /* repaired: host "ab" */
    assert_int_equal(sho_event_batch_decode(back, bad, 18 + 12 * 2, &used), 0);
    sho_event_batch_get(back, 0, &ev);
    assert_string_equal(ev.host, "ab");
    sho_buf_release(&out);
    sho_event_batch_free(b);
    sho_event_batch_free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_golden),
        cmocka_unit_test(test_batch_roundtrip),
        cmocka_unit_test(test_batch_limit),
        cmocka_unit_test(test_batch_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
