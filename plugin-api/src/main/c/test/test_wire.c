/* test_wire.c - framing and the hand-written codec, without sockets. */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "harness.h"
#include "host.h"
#include "wire.h"

static void varint_roundtrip(void)
{
    static const uint64_t values[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX, UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint8_t b[WIRE_VARINT_MAX];
        size_t n = wire_put_varint(b, values[i]);
        CHECK(n == wire_varint_size(values[i]));
        const uint8_t *p = b;
        uint64_t v;
        CHECK(wire_get_varint(&p, b + n, &v) == 0 && v == values[i] && p == b + n);
        p = b;
        CHECK(wire_get_varint(&p, b + n - 1, &v) == -1); /* truncated */
    }
}

/* Three framed Requests: payloads of 0, 300 (a 2-byte prefix) and 20000 bytes. */
static uint8_t *three_frames(size_t *len, size_t sizes[3])
{
    static uint8_t payload[20000];
    const size_t plen[3] = {0, 300, 20000};
    uint8_t *out = NULL;
    *len = 0;
    for (int i = 0; i < 3; i++) {
        memset(payload, 'a' + i, plen[i]);
        struct msg m;
        const Outpost__V1__Frame *f = msg_request(&m, (uint64_t)i + 1, "s", "m", payload, plen[i]);
        sizes[i] = outpost__v1__frame__get_packed_size(f);
        if (msg_encode(f, &out, len) != 0)
            return NULL;
    }
    return out;
}

/* Feeds data into rx in chunks of at most step bytes, starting with a chunk of first bytes. */
static int feed_and_count(const uint8_t *data, size_t len, size_t first, size_t step,
                          const size_t sizes[3])
{
    struct frame_rx rx;
    int frames = 0, bad = 0;
    if (frame_rx_init(&rx, 1 << 20) != 0)
        return -1;
    size_t off = 0;
    while (off < len || frames < 3) {
        const uint8_t *f;
        size_t flen;
        enum frame_status st;
        while ((st = frame_rx_next(&rx, &f, &flen)) == FRAME_READY) {
            struct wire_frame wf;
            struct wire_request wr;
            if (frames >= 3 || flen != sizes[frames] || wire_decode_frame(f, flen, &wf) != 0 ||
                wf.kind != WIRE_REQUEST || wire_decode_request(wf.data, wf.len, &wr) != 0 ||
                wr.id != (uint64_t)frames + 1)
                bad = 1;
            frames++;
        }
        if (st != FRAME_MORE || off == len)
            break;
        size_t space, n = off == 0 ? first : step;
        uint8_t *dst = frame_rx_space(&rx, &space);
        if (n > space)
            n = space;
        if (n > len - off)
            n = len - off;
        memcpy(dst, data + off, n);
        frame_rx_commit(&rx, n);
        off += n;
    }
    frame_rx_free(&rx);
    return bad ? -1 : frames;
}

static void frame_split_at_every_offset(void)
{
    size_t len, sizes[3];
    uint8_t *data = three_frames(&len, sizes);
    CHECK(data != NULL);
    int ok = 1;
    for (size_t split = 1; split < len && ok; split++)
        ok = feed_and_count(data, len, split, len, sizes) == 3;
    if (ok)
        ok = feed_and_count(data, len, 1, 1, sizes) == 3; /* byte by byte */
    if (ok)
        ok = feed_and_count(data, len, 7, 4093, sizes) == 3;
    free(data);
    CHECK(ok);
}

static void frame_too_big_is_not_allocated(void)
{
    struct frame_rx rx;
    CHECK(frame_rx_init(&rx, 1000) == 0);
    size_t space;
    uint8_t *dst = frame_rx_space(&rx, &space);
    size_t n = wire_put_varint(dst, 1001);
    frame_rx_commit(&rx, n);
    const uint8_t *f;
    size_t flen;
    enum frame_status st = frame_rx_next(&rx, &f, &flen);
    size_t cap = rx.cap;
    uint64_t bad = rx.bad_len;
    frame_rx_free(&rx);
    CHECK(st == FRAME_TOO_BIG && bad == 1001 && cap == FRAME_RX_INITIAL);
}

static enum frame_status status_of(const uint8_t *bytes, size_t n, uint32_t max)
{
    struct frame_rx rx;
    const uint8_t *f;
    size_t flen, space;
    if (frame_rx_init(&rx, max) != 0)
        return FRAME_MORE;
    memcpy(frame_rx_space(&rx, &space), bytes, n);
    frame_rx_commit(&rx, n);
    enum frame_status st = frame_rx_next(&rx, &f, &flen);
    frame_rx_free(&rx);
    return st;
}

static void frame_bad_prefixes(void)
{
    static const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    static const uint8_t over32[] = {0xff, 0xff, 0xff, 0xff, 0x1f}; /* 2^33 - 1 */
    static const uint8_t max32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};  /* 2^32 - 1 */
    static const uint8_t empty[] = {0x00};
    CHECK(status_of(six, sizeof six, UINT32_MAX) == FRAME_BAD_PREFIX);
    CHECK(status_of(over32, sizeof over32, UINT32_MAX) == FRAME_BAD_PREFIX);
    CHECK(status_of(max32, sizeof max32, 16777216) == FRAME_TOO_BIG);
    CHECK(status_of(max32, 4, 16777216) == FRAME_MORE);
    CHECK(status_of(empty, 1, 16777216) == FRAME_READY);
}

static void frame_buffer_grows_with_data(void)
{
    struct frame_rx rx;
    CHECK(frame_rx_init(&rx, 1 << 24) == 0);
    size_t space, total = 3 + (1 << 20), got = 0, max_cap_early = 0;
    while (got < total) {
        uint8_t *dst = frame_rx_space(&rx, &space);
        size_t n = space < total - got ? space : total - got;
        memset(dst, 0, n);
        if (got == 0) {
            n = n > 100 ? 100 : n;
            wire_put_varint(dst, 1 << 20); /* 0x80 0x80 0x40: 3 bytes; then zero bytes */
        }
        frame_rx_commit(&rx, n);
        got += n;
        if (got < 100000 && rx.cap > max_cap_early)
            max_cap_early = rx.cap;
        const uint8_t *f;
        size_t flen;
        if (frame_rx_next(&rx, &f, &flen) == FRAME_READY)
            break;
    }
    size_t cap = rx.cap;
    frame_rx_free(&rx);
    CHECK(max_cap_early <= 2 * FRAME_RX_INITIAL);
    CHECK(cap == 3 + (1 << 20));
}

static void request_decodes_like_protobuf_c(void)
{
    uint8_t buf[256];
    Outpost__V1__Request r;
    outpost__v1__request__init(&r);
    r.id = 1ull << 40;
    r.service = "svc";
    r.method = "meth";
    r.payload.data = (uint8_t *)"hello";
    r.payload.len = 5;
    r.timeout_ms = 1500;
    size_t n = outpost__v1__request__pack(&r, buf);
    /* unknown fields must be skipped: 15 (varint), 16 (LEN), 17 (fixed32), 18 (fixed64) */
    static const uint8_t unknown[] = {0x78, 0x05, 0x82, 0x01, 0x02, 'x', 'y',
                                      0x8d, 0x01, 1, 2, 3, 4, 0x91, 0x01, 1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(buf + n, unknown, sizeof unknown);
    n += sizeof unknown;
    struct wire_request wr;
    CHECK(wire_decode_request(buf, n, &wr) == 0);
    CHECK(wr.id == r.id && wr.timeout_ms == 1500);
    CHECK(wr.service_len == 3 && memcmp(wr.service, "svc", 3) == 0);
    CHECK(wr.method_len == 4 && memcmp(wr.method, "meth", 4) == 0);
    CHECK(wr.payload_len == 5 && memcmp(wr.payload, "hello", 5) == 0);
    CHECK(wire_decode_request(buf, 3, &wr) == -1);             /* truncated */
    CHECK(wire_decode_request((const uint8_t *)"\x0b", 1, &wr) == -1); /* a group */
    struct wire_frame wf;
    CHECK(wire_decode_frame(buf, 0, &wf) == 0 && wf.kind == WIRE_NONE);
    CHECK(wire_decode_frame((const uint8_t *)"\x20\x01", 2, &wf) == -1); /* request as varint */
}

/* Parses a framed frame written by the wire encoder with protobuf-c. */
static Outpost__V1__Frame *parse_framed(const uint8_t *b, size_t n)
{
    const uint8_t *p = b;
    uint64_t size;
    if (wire_get_varint(&p, b + n, &size) != 0 || size != (uint64_t)(b + n - p))
        return NULL;
    return outpost__v1__frame__unpack(NULL, size, p);
}

static void responses_parse_with_protobuf_c(void)
{
    uint8_t b[512];
    size_t n = wire_response_header(b, 77, 3);
    memcpy(b + n, "abc", 3);
    Outpost__V1__Frame *f = parse_framed(b, n + 3);
    CHECK(f != NULL);
    int ok = f->kind_case == OUTPOST__V1__FRAME__KIND_RESPONSE && f->response->id == 77 &&
             f->response->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD &&
             f->response->payload.len == 3 && memcmp(f->response->payload.data, "abc", 3) == 0;
    host_free_frame(f);
    CHECK(ok);
    f = parse_framed(b, wire_response_header(b, 5, 0)); /* empty payload is still a payload */
    ok = f != NULL && f->response->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD &&
         f->response->payload.len == 0;
    host_free_frame(f);
    CHECK(ok);
    f = parse_framed(b, wire_error_response(b, 9, 7, "too big", 7));
    ok = f != NULL && f->response->id == 9 &&
         f->response->result_case == OUTPOST__V1__RESPONSE__RESULT_ERROR &&
         f->response->error->code == OUTPOST__V1__CODE__RESOURCE_EXHAUSTED &&
         strcmp(f->response->error->message, "too big") == 0;
    host_free_frame(f);
    CHECK(ok);
    f = parse_framed(b, wire_pong(b, 123456789));
    ok = f != NULL && f->kind_case == OUTPOST__V1__FRAME__KIND_PONG && f->pong->nonce == 123456789;
    host_free_frame(f);
    CHECK(ok);
}

static void response_decodes_like_protobuf_c(void)
{
    uint8_t buf[256];
    struct wire_response wr;
    Outpost__V1__Response r = OUTPOST__V1__RESPONSE__INIT;
    r.id = 1ull << 40;
    r.result_case = OUTPOST__V1__RESPONSE__RESULT_PAYLOAD;
    r.payload.data = (uint8_t *)"hello";
    r.payload.len = 5;
    size_t n = outpost__v1__response__pack(&r, buf);
    CHECK(wire_decode_response(buf, n, &wr) == 0);
    CHECK(wr.id == r.id && !wr.is_error && wr.payload_len == 5 &&
          memcmp(wr.payload, "hello", 5) == 0);
    CHECK(wire_decode_response(buf, n - 1, &wr) == -1); /* truncated */
    Outpost__V1__Error e = OUTPOST__V1__ERROR__INIT;
    e.code = OUTPOST__V1__CODE__PERMISSION_DENIED;
    e.message = "no import";
    r.result_case = OUTPOST__V1__RESPONSE__RESULT_ERROR;
    r.error = &e;
    n = outpost__v1__response__pack(&r, buf);
    CHECK(wire_decode_response(buf, n, &wr) == 0);
    CHECK(wr.is_error && wr.code == 9 && wr.message_len == 9 &&
          memcmp(wr.message, "no import", 9) == 0);
    CHECK(wr.payload_len == 0 && wr.payload != NULL);
    /* neither: an empty payload; a payload after an error wins (the oneof's last) */
    CHECK(wire_decode_response((const uint8_t *)"\x08\x07", 2, &wr) == 0);
    CHECK(wr.id == 7 && !wr.is_error && wr.payload_len == 0 && wr.payload != NULL);
    static const uint8_t both[] = {0x08, 0x03, 0x1a, 0x02, 0x08, 0x05, 0x12, 0x01, 'p'};
    CHECK(wire_decode_response(both, sizeof both, &wr) == 0 && !wr.is_error &&
          wr.payload_len == 1);
    CHECK(wire_decode_response(both, 6, &wr) == 0 && wr.is_error && wr.code == 5);
    /* lengths that claim more than the message holds, outside and inside the Error */
    static const uint8_t over[] = {0x08, 0x01, 0x12, 0x7f, 'x'};
    static const uint8_t inner[] = {0x08, 0x01, 0x1a, 0x03, 0x12, 0x7f, 'x'};
    CHECK(wire_decode_response(over, sizeof over, &wr) == -1);
    CHECK(wire_decode_response(inner, sizeof inner, &wr) == -1);
}

static void requests_and_cancels_parse_with_protobuf_c(void)
{
    uint8_t b[512];
    size_t n = wire_request_header(b, 300, "db.v2", 5, "query", 5, 2500, 4);
    memcpy(b + n, "abcd", 4);
    const uint8_t *p = b;
    uint64_t size;
    CHECK(wire_get_varint(&p, b + n, &size) == 0);
    CHECK(size == wire_request_size(300, 5, 5, 2500, 4));
    Outpost__V1__Frame *f = parse_framed(b, n + 4);
    CHECK(f != NULL);
    int ok = f->kind_case == OUTPOST__V1__FRAME__KIND_REQUEST && f->request->id == 300 &&
             strcmp(f->request->service, "db.v2") == 0 &&
             strcmp(f->request->method, "query") == 0 &&
             f->request->timeout_ms == 2500 && f->request->payload.len == 4 &&
             memcmp(f->request->payload.data, "abcd", 4) == 0;
    host_free_frame(f);
    CHECK(ok);
    n = wire_request_header(b, 1, "s", 1, "m", 1, 0, 0); /* no timeout, empty payload */
    f = parse_framed(b, n);
    ok = f != NULL && f->request->timeout_ms == 0 && f->request->payload.len == 0;
    host_free_frame(f);
    CHECK(ok);
    f = parse_framed(b, wire_cancel(b, 1ull << 50));
    ok = f != NULL && f->kind_case == OUTPOST__V1__FRAME__KIND_CANCEL &&
         f->cancel->id == 1ull << 50;
    host_free_frame(f);
    CHECK(ok);
}

/* Pinning keeps the frames taken so far where they are; the new buffer goes on with the rest. */
static void frame_pin_keeps_frames_in_place(void)
{
    struct frame_rx rx, pinned, spare;
    const uint8_t *f1, *f2;
    size_t len1, len2, space;
    static const uint8_t bytes[] = {3, 'o', 'n', 'e', 3, 't', 'w', 'o', 5, 't', 'h'};
    CHECK(frame_rx_init(&rx, 1000) == 0);
    memcpy(frame_rx_space(&rx, &space), bytes, sizeof bytes);
    frame_rx_commit(&rx, sizeof bytes);
    CHECK(frame_rx_next(&rx, &f1, &len1) == FRAME_READY);
    memset(&spare, 0, sizeof spare);
    int pin = frame_rx_pin(&rx, &pinned, &spare);
    int ok = pin == 0 && pinned.buf + 1 == f1 && rx.buf != pinned.buf && rx.end - rx.start == 7 &&
             frame_rx_next(&rx, &f2, &len2) == FRAME_READY && len2 == 3 &&
             memcmp(f2, "two", 3) == 0 &&
             frame_rx_next(&rx, &f2, &len2) == FRAME_MORE;
    uint8_t *dst = ok ? frame_rx_space(&rx, &space) : NULL;
    if (dst != NULL) {
        memcpy(dst, "ree", 3);
        frame_rx_commit(&rx, 3);
        ok = frame_rx_next(&rx, &f2, &len2) == FRAME_READY && len2 == 5 &&
             memcmp(f2, "three", 5) == 0 && memcmp(f1, "one", 3) == 0;
    }
    /* a spare buffer is taken instead of a new one */
    spare = pinned;
    uint8_t *kept = spare.buf;
    ok = ok && frame_rx_pin(&rx, &pinned, &spare) == 0 && rx.buf == kept && spare.buf == NULL;
    frame_rx_free(&pinned);
    frame_rx_free(&rx);
    CHECK(ok);
}

const struct test wire_tests[] = {
    {"varint_roundtrip", varint_roundtrip},
    {"frame_split_at_every_offset", frame_split_at_every_offset},
    {"frame_too_big_is_not_allocated", frame_too_big_is_not_allocated},
    {"frame_bad_prefixes", frame_bad_prefixes},
    {"frame_buffer_grows_with_data", frame_buffer_grows_with_data},
    {"request_decodes_like_protobuf_c", request_decodes_like_protobuf_c},
    {"responses_parse_with_protobuf_c", responses_parse_with_protobuf_c},
    {"response_decodes_like_protobuf_c", response_decodes_like_protobuf_c},
    {"requests_and_cancels_parse_with_protobuf_c", requests_and_cancels_parse_with_protobuf_c},
    {"frame_pin_keeps_frames_in_place", frame_pin_keeps_frames_in_place},
    {NULL, NULL},
};
