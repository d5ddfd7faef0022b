/*
 * wire.h - the protobuf wire format of the hot messages, by hand.
 *
 * Requests and Responses are decoded in place (the strings and the payload point into the
 * receive buffer) and Requests, Responses, Cancels and Pongs are encoded straight into the send
 * buffer, so a call costs no allocation and no copy of its payload. The rarer frames (Hello,
 * Welcome, Log...) go through the protoc-c generated code instead.
 */
#ifndef OUTPOST_WIRE_H
#define OUTPOST_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Field numbers of Frame.kind (outpost.proto). */
enum wire_kind {
    WIRE_NONE = 0, WIRE_HELLO = 1, WIRE_WELCOME = 2, WIRE_REFUSAL = 3, WIRE_REQUEST = 4,
    WIRE_RESPONSE = 5, WIRE_CANCEL = 6, WIRE_LOG = 7, WIRE_GOODBYE = 8, WIRE_PING = 9,
    WIRE_PONG = 10
};

#define WIRE_VARINT_MAX 10
/* Bytes before the payload of an encoded Response frame, length prefix included, at most. */
#define WIRE_RESPONSE_HEADER_MAX 32
/* Bytes of an encoded error Response frame besides its message, at most. */
#define WIRE_ERROR_OVERHEAD 48
/* Bytes of an encoded Pong frame, at most. */
#define WIRE_PONG_MAX 24
/* Bytes of an encoded Cancel frame, at most. */
#define WIRE_CANCEL_MAX 24
/* Bytes before the payload of an encoded Request frame besides its two names, at most. */
#define WIRE_REQUEST_OVERHEAD 64

/* The kind of a Frame and the bytes of the message in it. */
struct wire_frame {
    enum wire_kind kind;
    const uint8_t *data;
    size_t len;
};

/* A Request decoded in place: pointers into the frame. */
struct wire_request {
    uint64_t id;
    const uint8_t *service;
    size_t service_len;
    const uint8_t *method;
    size_t method_len;
    const uint8_t *payload;
    size_t payload_len;
    uint32_t timeout_ms;
};

/* A Response decoded in place: pointers into the frame. */
struct wire_response {
    uint64_t id;
    int is_error;            /* the error of the oneof was set (the last one of the two wins) */
    const uint8_t *payload;  /* success: the payload (never NULL) */
    size_t payload_len;
    uint64_t code;           /* error: Error.code as sent (may be 0 or unknown) */
    const uint8_t *message;  /* error: Error.message (never NULL) */
    size_t message_len;
};

/* Writes v as a varint at dst (room for WIRE_VARINT_MAX bytes); returns the bytes written. */
size_t wire_put_varint(uint8_t *dst, uint64_t v);

/* Bytes the varint encoding of v takes. */
size_t wire_varint_size(uint64_t v);

/* Reads a varint at *pos (before end), advancing *pos. Returns 0, or -1 if malformed/truncated. */
int wire_get_varint(const uint8_t **pos, const uint8_t *end, uint64_t *v);

/*
 * Finds the kind of a serialized Frame. Unknown fields are skipped; if several kinds are present
 * the last wins (protobuf's oneof rule). Returns 0 (kind may be WIRE_NONE) or -1 if malformed.
 */
int wire_decode_frame(const uint8_t *data, size_t len, struct wire_frame *out);

/* Decodes a serialized Request in place. Returns 0, or -1 if malformed. */
int wire_decode_request(const uint8_t *data, size_t len, struct wire_request *out);

/*
 * Decodes a serialized Response in place, its Error included. A Response with neither payload nor
 * error decodes as an empty payload. Returns 0, or -1 if malformed.
 */
int wire_decode_response(const uint8_t *data, size_t len, struct wire_response *out);

/* Decodes field 1 (uint64) of a Ping, Pong or Cancel. Returns 0, or -1 if malformed. */
int wire_decode_field1(const uint8_t *data, size_t len, uint64_t *out);

/*
 * Encodes the length prefix and the envelope of a successful Response frame carrying a payload
 * of payload_len bytes, which must follow the returned number of bytes written at dst
 * (room for WIRE_RESPONSE_HEADER_MAX bytes).
 */
size_t wire_response_header(uint8_t *dst, uint64_t id, size_t payload_len);

/* Encodes a whole error Response frame (room for msg_len + WIRE_ERROR_OVERHEAD bytes). */
size_t wire_error_response(uint8_t *dst, uint64_t id, int code, const char *msg, size_t msg_len);

/*
 * The size of a Request frame without its length prefix: the envelope, the names, timeout_ms and
 * a payload of payload_len bytes.
 */
uint64_t wire_request_size(uint64_t id, size_t service_len, size_t method_len, uint32_t timeout_ms,
                           size_t payload_len);

/*
 * Encodes the length prefix and everything of a Request frame but its payload, which comes last
 * and must follow the returned number of bytes written at dst (room for service_len +
 * method_len + WIRE_REQUEST_OVERHEAD bytes). The frame must fit in 2^32 - 1 bytes.
 */
size_t wire_request_header(uint8_t *dst, uint64_t id, const char *service, size_t service_len,
                           const char *method, size_t method_len, uint32_t timeout_ms,
                           size_t payload_len);

/* Encodes a whole Cancel frame (room for WIRE_CANCEL_MAX bytes). */
size_t wire_cancel(uint8_t *dst, uint64_t id);

/* Encodes a whole Pong frame (room for WIRE_PONG_MAX bytes). */
size_t wire_pong(uint8_t *dst, uint64_t nonce);

#endif
