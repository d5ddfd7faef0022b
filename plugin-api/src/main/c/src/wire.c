/* wire.c - hand-written protobuf coding of Request, Response, Cancel and Pong (see wire.h). */
#include "wire.h"

#include <string.h>

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

size_t wire_put_varint(uint8_t *dst, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        dst[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    dst[n++] = (uint8_t)v;
    return n;
}

size_t wire_varint_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

int wire_get_varint(const uint8_t **pos, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pos;
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (p == end)
            return -1;
        uint8_t b = *p++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pos = p;
            *v = r;
            return 0;
        }
    }
    return -1; /* more than 10 bytes */
}

/* ---- decoding: a walk over the fields of one message ---- */

struct fields {
    const uint8_t *pos, *end; /* what is left of the message */
    uint32_t num;             /* the field just read: its number, */
    unsigned wt;              /* its wire type, */
    uint64_t value;           /* its value (VARINT) or length (LEN), */
    const uint8_t *bytes;     /* and its bytes (LEN) */
};

static struct fields fields_of(const uint8_t *data, size_t len)
{
    return (struct fields){.pos = data, .end = data + len};
}

/* Reads the next field key and, for LEN fields, the bounds of its bytes. Returns 1, 0 at the end
 * of the message, or -1 if it is malformed. */
static int next_field(struct fields *f)
{
    uint64_t key;
    if (f->pos >= f->end)
        return 0;
    if (wire_get_varint(&f->pos, f->end, &key) != 0)
        return -1;
    f->num = (uint32_t)(key >> 3);
    f->wt = (unsigned)(key & 7);
    if (key >> 3 == 0 || key >> 3 > 0x1fffffff)
        return -1;
    switch (f->wt) {
    case WT_VARINT:
        return wire_get_varint(&f->pos, f->end, &f->value) == 0 ? 1 : -1;
    case WT_I64:
    case WT_I32: {
        size_t n = f->wt == WT_I64 ? 8 : 4;
        if ((size_t)(f->end - f->pos) < n)
            return -1;
        f->pos += n;
        return 1;
    }
    case WT_LEN:
        if (wire_get_varint(&f->pos, f->end, &f->value) != 0 ||
            f->value > (uint64_t)(f->end - f->pos))
            return -1;
        f->bytes = f->pos;
        f->pos += f->value;
        return 1;
    default: /* groups (3, 4) are not used by the protocol; 6 and 7 do not exist */
        return -1;
    }
}

/* Whether the field just read is number num of wire type wt. */
static int is(const struct fields *f, uint32_t num, unsigned wt)
{
    return f->num == num && f->wt == wt;
}

/* Points *bytes at the bytes of the LEN field just read; returns how many there are. */
static size_t bytes_of(const struct fields *f, const uint8_t **bytes)
{
    *bytes = f->bytes;
    return (size_t)f->value;
}

/* Where a string or bytes field that is absent points: never NULL. */
static const uint8_t empty[1];

int wire_decode_frame(const uint8_t *data, size_t len, struct wire_frame *out)
{
    struct fields f = fields_of(data, len);
    int r;
    out->kind = WIRE_NONE;
    out->data = data;
    out->len = 0;
    while ((r = next_field(&f)) > 0) {
        if (f.num >= WIRE_HELLO && f.num <= WIRE_PONG) {
            if (f.wt != WT_LEN)
                return -1;
            out->kind = (enum wire_kind)f.num;
            out->len = bytes_of(&f, &out->data);
        }
    }
    return r;
}

int wire_decode_request(const uint8_t *data, size_t len, struct wire_request *out)
{
    struct fields f = fields_of(data, len);
    int r;
    memset(out, 0, sizeof *out);
    out->service = out->method = out->payload = empty;
    while ((r = next_field(&f)) > 0) {
        if (is(&f, 1, WT_VARINT)) {
            out->id = f.value;
        } else if (is(&f, 5, WT_VARINT)) {
            out->timeout_ms = (uint32_t)f.value;
        } else if (is(&f, 2, WT_LEN)) {
            out->service_len = bytes_of(&f, &out->service);
        } else if (is(&f, 3, WT_LEN)) {
            out->method_len = bytes_of(&f, &out->method);
        } else if (is(&f, 4, WT_LEN)) {
            out->payload_len = bytes_of(&f, &out->payload);
        }
        /* anything else is an unknown field: skipped */
    }
    return r;
}

/* Error{code = 1, message = 2}, merged into out as protobuf merges a repeated message field. */
static int decode_error(const uint8_t *data, size_t len, struct wire_response *out)
{
    struct fields f = fields_of(data, len);
    int r;
    while ((r = next_field(&f)) > 0) {
        if (is(&f, 1, WT_VARINT)) {
            out->code = f.value;
        } else if (is(&f, 2, WT_LEN)) {
            out->message_len = bytes_of(&f, &out->message);
        }
    }
    return r;
}

int wire_decode_response(const uint8_t *data, size_t len, struct wire_response *out)
{
    struct fields f = fields_of(data, len);
    int r;
    memset(out, 0, sizeof *out);
    out->payload = out->message = empty;
    while ((r = next_field(&f)) > 0) {
        if (is(&f, 1, WT_VARINT)) {
            out->id = f.value;
        } else if (is(&f, 2, WT_LEN)) {
            out->is_error = 0;
            out->payload_len = bytes_of(&f, &out->payload);
        } else if (is(&f, 3, WT_LEN)) {
            if (!out->is_error) { /* a new error after a payload replaces it */
                out->code = 0;
                out->message = empty;
                out->message_len = 0;
            }
            out->is_error = 1;
            out->payload = empty;
            out->payload_len = 0;
            if (decode_error(f.bytes, (size_t)f.value, out) != 0)
                return -1;
        }
    }
    return r;
}

int wire_decode_field1(const uint8_t *data, size_t len, uint64_t *out)
{
    struct fields f = fields_of(data, len);
    int r;
    *out = 0;
    while ((r = next_field(&f)) > 0)
        if (is(&f, 1, WT_VARINT))
            *out = f.value;
    return r;
}

/* ---- encoding: proto3 leaves out a field that is 0 or empty, but for the payloads ---- */

/* Bytes of a varint field of value v (none when v is 0). */
static uint64_t uint_size(uint64_t v)
{
    return v ? 1 + wire_varint_size(v) : 0;
}

/* Bytes of a LEN field of len bytes. */
static uint64_t len_size(uint64_t len)
{
    return 1 + wire_varint_size(len) + len;
}

/* Bytes of a LEN field of len bytes that is left out when empty. */
static uint64_t bytes_size(uint64_t len)
{
    return len ? len_size(len) : 0;
}

/* Writes varint field num (below 16: a key of one byte) unless v is 0; returns the bytes
 * written. */
static size_t put_uint(uint8_t *dst, unsigned num, uint64_t v)
{
    if (v == 0)
        return 0;
    dst[0] = (uint8_t)(num << 3 | WT_VARINT);
    return 1 + wire_put_varint(dst + 1, v);
}

/* Writes the key and the length of LEN field num, whose len bytes must follow. */
static size_t put_len(uint8_t *dst, unsigned num, uint64_t len)
{
    dst[0] = (uint8_t)(num << 3 | WT_LEN);
    return 1 + wire_put_varint(dst + 1, len);
}

/* Writes LEN field num with its bytes, unless len is 0. */
static size_t put_bytes(uint8_t *dst, unsigned num, const void *bytes, size_t len)
{
    if (len == 0)
        return 0;
    size_t n = put_len(dst, num, len);
    memcpy(dst + n, bytes, len);
    return n + len;
}

/* Writes the length prefix of a Frame whose field kind holds a message of body bytes, then the
 * key and the length of that field: the message must follow. */
static size_t put_frame(uint8_t *dst, enum wire_kind kind, uint64_t body)
{
    size_t n = wire_put_varint(dst, len_size(body));
    return n + put_len(dst + n, kind, body);
}

/* Frame{response = Response{id = 1, payload = 2}} */
size_t wire_response_header(uint8_t *dst, uint64_t id, size_t payload_len)
{
    size_t n = put_frame(dst, WIRE_RESPONSE, uint_size(id) + len_size(payload_len));
    n += put_uint(dst + n, 1, id);
    /* always present, even when empty: the oneof says "payload", not "nothing" */
    return n + put_len(dst + n, 2, payload_len);
}

/* Frame{response = Response{id = 1, error = 3 Error{code = 1, message = 2}}} */
size_t wire_error_response(uint8_t *dst, uint64_t id, int code, const char *msg, size_t msg_len)
{
    uint64_t err = uint_size((uint64_t)code) + bytes_size(msg_len);
    size_t n = put_frame(dst, WIRE_RESPONSE, uint_size(id) + len_size(err));
    n += put_uint(dst + n, 1, id);
    n += put_len(dst + n, 3, err);
    n += put_uint(dst + n, 1, (uint64_t)code);
    return n + put_bytes(dst + n, 2, msg, msg_len);
}

static uint64_t request_body(uint64_t id, size_t service_len, size_t method_len,
                             uint32_t timeout_ms, size_t payload_len)
{
    return uint_size(id) + bytes_size(service_len) + bytes_size(method_len) +
           uint_size(timeout_ms) + len_size(payload_len);
}

uint64_t wire_request_size(uint64_t id, size_t service_len, size_t method_len, uint32_t timeout_ms,
                           size_t payload_len)
{
    return len_size(request_body(id, service_len, method_len, timeout_ms, payload_len));
}

/* Frame{request = Request{id = 1, service = 2, method = 3, timeout_ms = 5, payload = 4}}: the
 * payload last, where the host reads a large one straight into its caller's array */
size_t wire_request_header(uint8_t *dst, uint64_t id, const char *service, size_t service_len,
                           const char *method, size_t method_len, uint32_t timeout_ms,
                           size_t payload_len)
{
    size_t n = put_frame(dst, WIRE_REQUEST,
                         request_body(id, service_len, method_len, timeout_ms, payload_len));
    n += put_uint(dst + n, 1, id);
    n += put_bytes(dst + n, 2, service, service_len);
    n += put_bytes(dst + n, 3, method, method_len);
    n += put_uint(dst + n, 5, timeout_ms);
    return n + put_len(dst + n, 4, payload_len);
}

/* A frame whose message has only field 1, a uint64 (Pong, Cancel). */
static size_t field1_frame(uint8_t *dst, enum wire_kind kind, uint64_t v)
{
    size_t n = put_frame(dst, kind, uint_size(v));
    return n + put_uint(dst + n, 1, v);
}

/* Frame{cancel = Cancel{id = 1}} */
size_t wire_cancel(uint8_t *dst, uint64_t id)
{
    return field1_frame(dst, WIRE_CANCEL, id);
}

/* Frame{pong = Pong{nonce = 1}} */
size_t wire_pong(uint8_t *dst, uint64_t nonce)
{
    return field1_frame(dst, WIRE_PONG, nonce);
}
