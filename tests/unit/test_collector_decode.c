/*
 * test_collector_decode: pieces of our EVTX decoder checked on their own.
 * CRC-32: the check value, and the folding path against the tables on many
 * lengths and alignments. Values: each type rendered as libevtx renders it
 * (integers, hex, GUID, SID, FILETIME, SYSTEMTIME, binary, booleans, ANSI
 * as Windows-1252, surrogates, arrays, bad sizes). Binary XML: a record built
 * here byte by byte (a template with an inline definition, an optional
 * substitution left empty, an unnamed <Data>) decoded into a winrec and
 * rendered as XML, and damaged copies of it failing with located errors.
 */
#include "unit.h"

#include "evtx_binxml.h"
#include "evtx_bxsink.h"
#include "evtx_crc.h"
#include "evtx_decode.h"
#include "evtx_scan.h"
#include "evtx_value.h"

#define TEST_BUF_LIMIT ((size_t)1 << 20)
#define CRC_DATA_LEN   4096

static const char *value_text(struct sho_buf *b, uint8_t type, const uint8_t *p, size_t len)
{
    sho_buf_reset(b);
    assert_int_equal(evtx_value_append(b, type, p, len), 0);
    return b->data != NULL ? b->data : "";
}

static void test_crc(void **state)
{
    static struct evtx_crc c;
    static uint8_t data[CRC_DATA_LEN];
    size_t i, len, off;

    (void)state;
    evtx_crc_init(&c);
    assert_int_equal(evtx_crc32(&c, 0, "123456789", 9), 0xCBF43926u);
    for (i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7 + (i >> 5));
    }
    for (off = 0; off < 17; off += 3) {
        for (len = 0; len + off <= sizeof(data); len += 61) {
            assert_int_equal(evtx_crc32(&c, 0x12345678u, data + off, len),
                             evtx_crc32_table(&c, 0x12345678u, data + off, len));
        }
    }
    /* Continuing a sum equals summing at once. */
    assert_int_equal(evtx_crc32(&c, evtx_crc32(&c, 0, data, 1000), data + 1000, 3000),
                     evtx_crc32(&c, 0, data, 4000));
}

static void test_values(void **state)
{
    static const uint8_t guid[16] = { 0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49,
                                      0xA5, 0xBA, 0x3E, 0x3B, 0x03, 0x28, 0xC3, 0x0D };
    static const uint8_t sid[16] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0 };
    static const uint8_t ft[8] = { 0x26, 0x71, 0x89, 0xc7, 0x2f, 0xfd, 0xd4, 0x01 };
    static const uint8_t st[16] = { 0xe5, 0x07, 4, 0, 2, 0, 27, 0, 15, 0, 3, 0, 16, 0, 0xd7, 3 };
    static const uint8_t u32[4] = { 0x50, 0, 0, 0 };
    static const uint8_t i16[2] = { 0xfe, 0xff };
    static const uint8_t u64[8] = { 0, 0, 0, 0, 0, 0, 0, 0x80 };
    static const uint8_t ansi[3] = { 'a', 0xa6, 0x80 };
    static const uint8_t utf16[8] = { 'h', 0, 0x00, 0xd8, 'x', 0, 'i', 0 };
    static const uint8_t strs[10] = { 'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0 };
    static const uint8_t u16s[4] = { 1, 0, 2, 0 };
    struct sho_buf b;
    uint64_t n = 0;

    (void)state;
    sho_buf_init(&b, TEST_BUF_LIMIT);
    assert_string_equal(value_text(&b, EVTX_V_GUID, guid, 16),
                        "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    assert_string_equal(value_text(&b, EVTX_V_SID, sid, 16), "S-1-5-32-544");
    assert_string_equal(value_text(&b, EVTX_V_FILETIME, ft, 8), "2019-04-27T19:31:15.355063000Z");
    assert_string_equal(value_text(&b, EVTX_V_SYSTIME, st, 16), "2021-04-27T15:03:16.983000000Z");
    assert_string_equal(value_text(&b, EVTX_V_HEX32, u32, 4), "0x00000050");
    assert_string_equal(value_text(&b, EVTX_V_UINT32, u32, 4), "80");
    assert_string_equal(value_text(&b, EVTX_V_INT16, i16, 2), "-2");
    assert_string_equal(value_text(&b, EVTX_V_HEX64, u64, 8), "0x8000000000000000");
    assert_string_equal(value_text(&b, EVTX_V_INT64, u64, 8), "-9223372036854775808");
    assert_string_equal(value_text(&b, EVTX_V_BOOL, u32, 4), "true");
    assert_string_equal(value_text(&b, EVTX_V_BINARY, guid, 3), "259684");
    assert_string_equal(value_text(&b, EVTX_V_SIZET, u32, 4), "80");
    assert_string_equal(value_text(&b, EVTX_V_ANSI, ansi, 3), "a\xC2\xA6\xE2\x82\xAC");
    /* An unpaired high surrogate takes the next unit with it, as libevtx reads it. */
    assert_string_equal(value_text(&b, EVTX_V_STRING, utf16, 8), "h\xEF\xBF\xBDi");
    assert_string_equal(value_text(&b, EVTX_V_STRING | EVTX_V_ARRAY, strs, 10), "a, bc");
    assert_string_equal(value_text(&b, EVTX_V_UINT16 | EVTX_V_ARRAY, u16s, 4), "1, 2");
    /* A size that does not fit the type is shown as bytes, not read past. */
    assert_string_equal(value_text(&b, EVTX_V_UINT32, u32, 3), "500000");
    assert_string_equal(value_text(&b, EVTX_V_NULL, u32, 4), "");
    assert_int_equal(evtx_value_u64(EVTX_V_HEX32, u32, 4, &n), 1);
    assert_int_equal(n, 0x50);
    assert_int_equal(evtx_value_u64(EVTX_V_INT32, u32, 4, &n), 0);
    assert_int_equal(evtx_value_u64(EVTX_V_UINT32, u32, 2, &n), 0);
    sho_buf_release(&b);
}

/* ---- a record built by hand ------------------------------------------------------ */

struct build {
    uint8_t *c;   /* chunk image */
    uint32_t pos; /* write position */
};

static void put8(struct build *b, uint8_t v)
{
    b->c[b->pos++] = v;
}

static void put16(struct build *b, uint16_t v)
{
    put8(b, (uint8_t)v);
    put8(b, (uint8_t)(v >> 8));
}

static void put32(struct build *b, uint32_t v)
{
    put16(b, (uint16_t)v);
    put16(b, (uint16_t)(v >> 16));
}

/* An inline name at the current position. */
static void put_name(struct build *b, const char *name)
{
    size_t i, n = strlen(name);

    put32(b, b->pos + 4); /* name offset: right here, after this field */
    put32(b, 0);          /* next */
    put16(b, 0);          /* hash (not checked) */
    put16(b, (uint16_t)n);
    for (i = 0; i < n; i++) {
        put16(b, (uint8_t)name[i]);
    }
    put16(b, 0);
}

static void open_el(struct build *b, const char *name, bool attrs)
{
    put8(b, attrs ? 0x41 : 0x01);
    put16(b, 0xFFFF); /* dependency id: present inside a definition */
    put32(b, 0);      /* data size (not used) */
    put_name(b, name);
    if (attrs) {
        put32(b, 0); /* attribute list size (not used) */
    }
}

static void subst(struct build *b, uint16_t index, uint8_t type, bool optional)
{
    put8(b, optional ? 0x0e : 0x0d);
    put16(b, index);
    put8(b, type);
}

/*
 * <Event><System><EventID>{0:u16}</EventID><Computer>{1:str}</Computer>
 * <Security UserID="{2:sid, optional}"/></System><EventData>
 * <Data Name="Path">{3:str}</Data><Data>{4:hex32}</Data></EventData></Event>
 */
static uint32_t build_record(uint8_t *chunk, uint32_t *values)
{
    static const uint8_t comp[8] = { 'F', 0, 'S', 0, '1', 0, 0, 0 };
    static const uint8_t path[6] = { 'C', 0, ':', 0, '\\', 0 };
    struct build b = { chunk, EVTX_CHUNK_HEADER_SIZE };
    uint32_t rec = b.pos, def, body;

    memcpy(chunk, "ElfChnk", 8);
    put32(&b, 0x00002a2a);
    put32(&b, 0); /* size, set below */
    put32(&b, 7); /* record id */
    put32(&b, 0);
    put32(&b, 0); /* written time */
    put32(&b, 0);
    put8(&b, 0x0f);
    put8(&b, 1);
    put8(&b, 1);
    put8(&b, 0);
    put8(&b, 0x0c);
    put8(&b, 1);
    put32(&b, 1);         /* template id */
    put32(&b, b.pos + 4); /* definition offset: inline */
    def = b.pos;
    put32(&b, 0); /* next definition */
    put32(&b, 0x11111111);
    put32(&b, 0x22222222);
    put32(&b, 0x33333333);
    put32(&b, 0x44444444);
    put32(&b, 0); /* body size, set below */
    body = b.pos;
    put8(&b, 0x0f);
    put8(&b, 1);
    put8(&b, 1);
    put8(&b, 0);
    open_el(&b, "Event", false);
    put8(&b, 0x02);
    open_el(&b, "System", false);
    put8(&b, 0x02);
    open_el(&b, "EventID", false);
    put8(&b, 0x02);
    subst(&b, 0, EVTX_V_UINT16, false);
    put8(&b, 0x04);
    open_el(&b, "Computer", false);
    put8(&b, 0x02);
    subst(&b, 1, EVTX_V_STRING, false);
    put8(&b, 0x04);
    open_el(&b, "Security", true);
    put8(&b, 0x06);
    put_name(&b, "UserID");
    subst(&b, 2, EVTX_V_SID, true);
    put8(&b, 0x03);
    put8(&b, 0x04); /* </System> */
    open_el(&b, "EventData", false);
    put8(&b, 0x02);
    open_el(&b, "Data", true);
    put8(&b, 0x06);
    put_name(&b, "Name");
    put8(&b, 0x05);
    put8(&b, EVTX_V_STRING);
    put16(&b, 4);
    put16(&b, 'P');
    put16(&b, 'a');
    put16(&b, 't');
    put16(&b, 'h');
    put8(&b, 0x02);
    subst(&b, 3, EVTX_V_STRING, false);
    put8(&b, 0x04);
    open_el(&b, "Data", false);
    put8(&b, 0x02);
    subst(&b, 4, EVTX_V_HEX32, false);
    put8(&b, 0x04);
    put8(&b, 0x04); /* </EventData> */
    put8(&b, 0x04); /* </Event> */
    put8(&b, 0x00);
    sho_put_le32(chunk + def + 20, b.pos - body);
    /* Values: EventID 4663, computer, an empty optional SID, a path, a mask. */
    *values = b.pos;
    put32(&b, 5);
    put16(&b, 2);
    put16(&b, EVTX_V_UINT16);
    put16(&b, sizeof(comp));
    put16(&b, EVTX_V_STRING);
    put16(&b, 0);
    put16(&b, EVTX_V_NULL);
    put16(&b, sizeof(path));
    put16(&b, EVTX_V_STRING);
    put16(&b, 4);
    put16(&b, EVTX_V_HEX32);
    put16(&b, 4663);
    memcpy(chunk + b.pos, comp, sizeof(comp));
    b.pos += sizeof(comp);
    memcpy(chunk + b.pos, path, sizeof(path));
    b.pos += sizeof(path);
    put32(&b, 0x10000);
    put8(&b, 0x00);
    while ((b.pos - rec + 4) % 8 != 0) {
        put8(&b, 0);
    }
    put32(&b, b.pos - rec + 4);
    sho_put_le32(chunk + rec + 4, b.pos - rec);
    sho_put_le32(chunk + 48, b.pos);
    return rec;
}

static void test_record(void **state)
{
    uint8_t *chunk = calloc(1, EVTX_CHUNK_SIZE);
    struct evtx_bx *bx = evtx_bx_new();
    struct evtx_bxrec *br = evtx_bxrec_new();
    struct winrec r;
    struct sho_buf xml;
    struct sho_err err;
    uint32_t rec, size, values = 0;

    (void)state;
    assert_non_null(chunk);
    rec = build_record(chunk, &values);
    size = sho_le32(chunk + rec + 4);
    winrec_init(&r);
    evtx_bx_chunk(bx, chunk, EVTX_CHUNK_SIZE);
    assert_int_equal(evtx_bxrec_decode(br, bx, rec + 24, rec + size - 4, &r, &err), 0);
    assert_true(r.has & WINREC_HAS_EVENT_ID);
    assert_int_equal(r.event_id, 4663);
    assert_str_or_null(winrec_str(&r, r.computer), "FS1");
    assert_null(winrec_str(&r, r.security_id)); /* an empty optional value drops the attribute */
    assert_str_or_null(winrec_get(&r, "Path"), "C:\\");
    assert_str_or_null(winrec_get(&r, "Data0"), "0x00010000");
    sho_buf_init(&xml, TEST_BUF_LIMIT);
    assert_int_equal(evtx_bxxml_render(bx, rec + 24, rec + size - 4, &xml, &err), 0);
    assert_string_equal(xml.data, "<Event>\n"
                                  "  <System>\n"
                                  "    <EventID>4663</EventID>\n"
                                  "    <Computer>FS1</Computer>\n"
                                  "    <Security/>\n"
                                  "  </System>\n"
                                  "  <EventData>\n"
                                  "    <Data Name=\"Path\">C:\\</Data>\n"
                                  "    <Data>0x00010000</Data>\n"
                                  "  </EventData>\n"
                                  "</Event>\n");
    /* The same template again, now cached: same result, one compile in all. */
    assert_int_equal(evtx_bxrec_decode(br, bx, rec + 24, rec + size - 4, &r, &err), 0);
    assert_int_equal(r.event_id, 4663);
    /* Damage: a value array longer than the record, an unknown token. */
    sho_put_le32(chunk + values, 5000);
    evtx_bx_chunk(bx, chunk, EVTX_CHUNK_SIZE);
    sho_err_clear(&err);
    assert_int_equal(evtx_bxrec_decode(br, bx, rec + 24, rec + size - 4, &r, &err), SHO_ECORRUPT);
    assert_true(err.msg[0] != '\0');
    chunk[rec + 24] = 0x7f;
    sho_err_clear(&err);
    assert_int_equal(evtx_bxrec_decode(br, bx, rec + 24, rec + size - 4, &r, &err), SHO_ECORRUPT);
    assert_non_null(strstr(err.msg, "unknown token"));
    sho_buf_release(&xml);
    winrec_release(&r);
    evtx_bxrec_free(br);
    evtx_bx_free(bx);
    free(chunk);
}

static void count_rec(void *ctx, const struct evtx_dec_rec *rec, const struct winrec *r)
{
    int *n = ctx;

    assert_int_equal(rec->rc, 0);
    assert_non_null(r);
    assert_int_equal(r->event_id, 4663);
    (*n)++;
}

static void test_chunk(void **state)
{
    uint8_t *chunk = calloc(1, EVTX_CHUNK_SIZE);
    uint32_t values = 0;
    int n = 0;

    (void)state;
    assert_non_null(chunk);
    (void)build_record(chunk, &values);
    assert_int_equal(evtx_dec_chunk(chunk, EVTX_CHUNK_SIZE, count_rec, &n), 1);
    assert_int_equal(n, 1);
    memset(chunk, 0, 8); /* no signature and no sane record at 512 either after this */
    memset(chunk + EVTX_CHUNK_HEADER_SIZE, 0, 4);
    assert_int_equal(evtx_dec_chunk(chunk, EVTX_CHUNK_SIZE, count_rec, &n), -1);
    free(chunk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_chunk),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
