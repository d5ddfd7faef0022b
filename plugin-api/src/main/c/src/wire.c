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

/* Reads one field key and, for LEN fields, the bounds of its bytes. */
static int next_field(const uint8_t **pos, const uint8_t *end, uint32_t *num, unsigned *wt,
                      uint64_t *value, const uint8_t **bytes)
{
    uint64_t key;
    if (wire_get_varint(pos, end, &key) != 0)
        return -1;
    *num = (uint32_t)(key >> 3);
    *wt = (unsigned)(key & 7);
    if (key >> 3 == 0 || key >> 3 > 0x1fffffff)
        return -1;
    switch (*wt) {
    case WT_VARINT:
        return wire_get_varint(pos, end, value);
    case WT_I64:
    case WT_I32: {
        size_t n = *wt == WT_I64 ? 8 : 4;
        if ((size_t)(end - *pos) < n)
            return -1;
        *pos += n;
        return 0;
    }
    case WT_LEN:
        if (wire_get_varint(pos, end, value) != 0 || *value > (uint64_t)(end - *pos))
            return -1;
        *bytes = *pos;
        *pos += *value;
        return 0;
    default: /* groups (3, 4) are not used by the protocol; 6 and 7 do not exist */
        return -1;
    }
}

int wire_decode_frame(const uint8_t *data, size_t len, struct wire_frame *out)
{
    const uint8_t *p = data, *end = data + len;
    out->kind = WIRE_NONE;
    out->data = data;
    out->len = 0;
    while (p < end) {
        uint32_t num;
        unsigned wt;
        uint64_t value = 0;
        const uint8_t *bytes = NULL;
        if (next_field(&p, end, &num, &wt, &value, &bytes) != 0)
            return -1;
        if (num >= WIRE_HELLO && num <= WIRE_PONG) {
            if (wt != WT_LEN)
                return -1;
            out->kind = (enum wire_kind)num;
            out->data = bytes;
            out->len = (size_t)value;
        }
    }
    return 0;
}

int wire_decode_request(const uint8_t *data, size_t len, struct wire_request *out)
{
    static const uint8_t empty[1];
    const uint8_t *p = data, *end = data + len;
    memset(out, 0, sizeof *out);
    out->service = out->method = out->payload = empty;
    while (p < end) {
        uint32_t num;
        unsigned wt;
        uint64_t value = 0;
        const uint8_t *bytes = NULL;
        if (next_field(&p, end, &num, &wt, &value, &bytes) != 0)
            return -1;
        if (wt == WT_VARINT && num == 1) {
            out->id = value;
        } else if (wt == WT_VARINT && num == 5) {
            out->timeout_ms = (uint32_t)value;
        } else if (wt == WT_LEN && num == 2) {
            out->service = bytes;
            out->service_len = (size_t)value;
        } else if (wt == WT_LEN && num == 3) {
            out->method = bytes;
            out->method_len = (size_t)value;
        } else if (wt == WT_LEN && num == 4) {
            out->payload = bytes;
            out->payload_len = (size_t)value;
        }
        /* anything else is an unknown field: skipped */
    }
    return 0;
}

/* Error{code = 1, message = 2}, merged into out as protobuf merges a repeated message field. */
static int decode_error(const uint8_t *data, size_t len, struct wire_response *out)
{
    const uint8_t *p = data, *end = data + len;
    while (p < end) {
        uint32_t num;
        unsigned wt;
        uint64_t value = 0;
        const uint8_t *bytes = NULL;
        if (next_field(&p, end, &num, &wt, &value, &bytes) != 0)
            return -1;
        if (wt == WT_VARINT && num == 1) {
            out->code = value;
        } else if (wt == WT_LEN && num == 2) {
            out->message = bytes;
            out->message_len = (size_t)value;
        }
    }
    return 0;
}

int wire_decode_response(const uint8_t *data, size_t len, struct wire_response *out)
{
    static const uint8_t empty[1];
    const uint8_t *p = data, *end = data + len;
    memset(out, 0, sizeof *out);
    out->payload = out->message = empty;
    while (p < end) {
        uint32_t num;
        unsigned wt;
        uint64_t value = 0;
        const uint8_t *bytes = NULL;
        if (next_field(&p, end, &num, &wt, &value, &bytes) != 0)
            return -1;
        if (wt == WT_VARINT && num == 1) {
            out->id = value;
        } else if (wt == WT_LEN && num == 2) {
            out->is_error = 0;
            out->payload = bytes;
            out->payload_len = (size_t)value;
        } else if (wt == WT_LEN && num == 3) {
            if (!out->is_error) { /* a new error after a payload replaces it */
                out->code = 0;
                out->message = empty;
                out->message_len = 0;
            }
            out->is_error = 1;
            out->payload = empty;
            out->payload_len = 0;
            if (decode_error(bytes, (size_t)value, out) != 0)
                return -1;
        }
    }
    return 0;
}

int wire_decode_field1(const uint8_t *data, size_t len, uint64_t *out)
{
    const uint8_t *p = data, *end = data + len;
    *out = 0;
    while (p < end) {
        uint32_t num;
        unsigned wt;
        uint64_t value = 0;
        const uint8_t *bytes = NULL;
        if (next_field(&p, end, &num, &wt, &value, &bytes) != 0)
            return -1;
        if (num == 1 && wt == WT_VARINT)
            *out = value;
    }
    return 0;
}

/* Frame{response = Response{id = 1, payload = 2}} */
size_t wire_response_header(uint8_t *dst, uint64_t id, size_t payload_len)
{
    size_t body = (id ? 1 + wire_varint_size(id) : 0) + 1 + wire_varint_size(payload_len) +
                  payload_len;
    size_t frame = 1 + wire_varint_size(body) + body;
    size_t n = wire_put_varint(dst, frame);
    dst[n++] = WIRE_RESPONSE << 3 | WT_LEN;
    n += wire_put_varint(dst + n, body);
    if (id) {
        dst[n++] = 1 << 3 | WT_VARINT;
        n += wire_put_varint(dst + n, id);
    }
    /* always present, even when empty: the oneof says "payload", not "nothing" */
    dst[n++] = 2 << 3 | WT_LEN;
    n += wire_put_varint(dst + n, payload_len);
    return n;
}

/* Frame{response = Response{id = 1, error = 3 Error{code = 1, message = 2}}} */
size_t wire_error_response(uint8_t *dst, uint64_t id, int code, const char *msg, size_t msg_len)
{
    size_t err = (code ? 1 + wire_varint_size((uint64_t)code) : 0) +
                 (msg_len ? 1 + wire_varint_size(msg_len) + msg_len : 0);
    size_t body = (id ? 1 + wire_varint_size(id) : 0) + 1 + wire_varint_size(err) + err;
    size_t frame = 1 + wire_varint_size(body) + body;
    size_t n = wire_put_varint(dst, frame);
    dst[n++] = WIRE_RESPONSE << 3 | WT_LEN;
    n += wire_put_varint(dst + n, body);
    if (id) {
        dst[n++] = 1 << 3 | WT_VARINT;
        n += wire_put_varint(dst + n, id);
    }
    dst[n++] = 3 << 3 | WT_LEN;
    n += wire_put_varint(dst + n, err);
    if (code) {
        dst[n++] = 1 << 3 | WT_VARINT;
        n += wire_put_varint(dst + n, (uint64_t)code);
    }
    if (msg_len) {
        dst[n++] = 2 << 3 | WT_LEN;
        n += wire_put_varint(dst + n, msg_len);
        memcpy(dst + n, msg, msg_len);
        n += msg_len;
    }
    return n;
}

static uint64_t request_body(uint64_t id, size_t service_len, size_t method_len,
                             uint32_t timeout_ms, size_t payload_len)
{
    return (id ? 1 + wire_varint_size(id) : 0) +
           (service_len ? 1 + wire_varint_size(service_len) + service_len : 0) +
           (method_len ? 1 + wire_varint_size(method_len) + method_len : 0) +
           (timeout_ms ? 1 + wire_varint_size(timeout_ms) : 0) + 1 +
           wire_varint_size(payload_len) + (uint64_t)payload_len;
}

uint64_t wire_request_size(uint64_t id, size_t service_len, size_t method_len, uint32_t timeout_ms,
                           size_t payload_len)
{
    uint64_t body = request_body(id, service_len, method_len, timeout_ms, payload_len);
    return 1 + wire_varint_size(body) + body;
}

/* Frame{request = Request{id = 1, service = 2, method = 3, timeout_ms = 5, payload = 4}}: the
 * payload last, where the host reads a large one straight into its caller's array */
size_t wire_request_header(uint8_t *dst, uint64_t id, const char *service, size_t service_len,
                           const char *method, size_t method_len, uint32_t timeout_ms,
                           size_t payload_len)
{
    uint64_t body = request_body(id, service_len, method_len, timeout_ms, payload_len);
    size_t n = wire_put_varint(dst, 1 + wire_varint_size(body) + body);
    dst[n++] = WIRE_REQUEST << 3 | WT_LEN;
    n += wire_put_varint(dst + n, body);
    if (id) {
        dst[n++] = 1 << 3 | WT_VARINT;
        n += wire_put_varint(dst + n, id);
    }
    if (service_len) {
        dst[n++] = 2 << 3 | WT_LEN;
        n += wire_put_varint(dst + n, service_len);
        memcpy(dst + n, service, service_len);
        n += service_len;
    }
    if (method_len) {
        dst[n++] = 3 << 3 | WT_LEN;
        n += wire_put_varint(dst + n, method_len);
        memcpy(dst + n, method, method_len);
        n += method_len;
    }
    if (timeout_ms) {
        dst[n++] = 5 << 3 | WT_VARINT;
        n += wire_put_varint(dst + n, timeout_ms);
    }
    dst[n++] = 4 << 3 | WT_LEN;
    n += wire_put_varint(dst + n, payload_len);
    return n;
}

/* A frame whose message has only field 1, a uint64 (Pong, Cancel). */
static size_t field1_frame(uint8_t *dst, enum wire_kind kind, uint64_t v)
{
    size_t body = v ? 1 + wire_varint_size(v) : 0;
    size_t frame = 1 + wire_varint_size(body) + body;
    size_t n = wire_put_varint(dst, frame);
    dst[n++] = (uint8_t)(kind << 3 | WT_LEN);
    n += wire_put_varint(dst + n, body);
    if (v) {
        dst[n++] = 1 << 3 | WT_VARINT;
        n += wire_put_varint(dst + n, v);
    }
    return n;
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
