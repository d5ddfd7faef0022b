/*
 * fixture_hostile.c - fixture modes that attack the host on purpose, knowing its code: each
 * speaks the protocol raw (fixture_raw.c's framing) and does one thing a healthy plugin beside it
 * must not notice. Every mode bounds itself: the safety alarm (set by main) ends it after 120 s,
 * and floods stop after a fixed number of bytes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "outpost/v1/outpost.pb-c.h"

#define FD 3

/* The largest frame the host takes, as it says in the environment. */
static uint32_t host_limit(void)
{
    const char *limit = getenv("OUTPOST_MAX_FRAME_SIZE");
    return limit != NULL ? (uint32_t)strtoul(limit, NULL, 10) : 16u << 20;
}

static size_t varint(uint8_t *b, uint64_t v)
{
    size_t n = 0;
    for (;; v >>= 7) {
        b[n++] = (uint8_t)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            return n;
    }
}

/* Pings as fast as the socket takes them and never reads a byte: the host's Pongs pile up. */
int hostile_ping_flood(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    Outpost__V1__Ping ping;
    outpost__v1__ping__init(&ping);
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_PING;
    f.ping = &ping;
    for (uint64_t i = 1; i < 50u * 1000 * 1000; i++) {
        ping.nonce = i;
        if (raw_send_frame(&f) != 0)
            break; /* the host broke the connection */
    }
    raw_done(0);
    sleep_forever();
}

/* The length prefix of a frame at the host's limit, then nothing: memory must follow bytes. */
int hostile_announce_frame(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    uint8_t prefix[5];
    size_t n = varint(prefix, host_limit());
    raw_write_all(prefix, n);
    raw_done(0);
    sleep_forever();
}

/* Waits for a request, then sends the head of its answer announcing a payload at the limit. */
int hostile_announce_answer(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    Outpost__V1__Frame *req = raw_await_request();
    if (req == NULL)
        return raw_done(0);
    uint64_t id = req->request->id;
    raw_free_frame(req);
    uint32_t payload = host_limit() - 64;
    uint8_t response[32], head[48];
    size_t r = 0, n = 0;
    response[r++] = (1 << 3) | 0; /* Response.id, a varint */
    r += varint(response + r, id);
    response[r++] = (2 << 3) | 2; /* Response.payload, length-delimited: the last field */
    r += varint(response + r, payload);
    uint64_t response_len = r + payload;
    uint8_t frame[16];
    size_t f = 0;
    frame[f++] = (5 << 3) | 2; /* Frame.response */
    f += varint(frame + f, response_len);
    n = varint(head, f + response_len); /* the frame's length prefix */
    memcpy(head + n, frame, f);
    n += f;
    memcpy(head + n, response, r);
    n += r;
    raw_write_all(head, n);
    raw_done(0);
    sleep_forever();
}

/* One Log frame of 16 MiB less a little (the host must not log it whole), then serves as usual. */
int hostile_huge_log(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    size_t len = host_limit() - 256;
    char *text = malloc(len + 1);
    if (text == NULL)
        return raw_done(1);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)('a' + i % 26);
    memcpy(text, "\x1b]0;owned\x07\x1b[31mred\nforged host line: ", 37);
    text[len] = '\0';
    Outpost__V1__Log log;
    outpost__v1__log__init(&log);
    log.level = OUTPOST__V1__LEVEL__ERROR;
    log.message = text;
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_LOG;
    f.log = &log;
    int rc = raw_send_frame(&f);
    free(text);
    if (rc != 0)
        return raw_done(1);
    return raw_answer_loop(0);
}

/* Says it is the plugin "echo" in its Hello, then serves. */
int hostile_impostor(void)
{
    if (raw_hello_as("echo", 1, 1) != 0 || raw_await_welcome() != 0)
        return raw_done(1);
    return raw_answer_loop(0);
}

/* Answers the first call, says Goodbye, and exits 0: leaving by itself is allowed. */
int hostile_goodbye_exit(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    Outpost__V1__Frame *f = raw_await_request();
    if (f == NULL)
        return raw_done(0);
    fprintf(stderr, "fixture: answers call %llu (%s/%s), then leaves\n", (unsigned long long)f->request->id,
            f->request->service, f->request->method);
    raw_answer(f, 0);
    raw_free_frame(f);
    Outpost__V1__Goodbye bye;
    outpost__v1__goodbye__init(&bye);
    bye.reason = "done for now";
    Outpost__V1__Frame out;
    outpost__v1__frame__init(&out);
    out.kind_case = OUTPOST__V1__FRAME__KIND_GOODBYE;
    out.goodbye = &bye;
    raw_send_frame(&out);
    return raw_done(0);
}

/*
 * After the handshake, waits for a call, then breaks the protocol one way (argv[2]):
 * second-hello, welcome (a frame only a host sends), undecodable, empty (a frame without a
 * message), oversize (a length above the limit), bad-varint (a length prefix of 6 bytes).
 */
int hostile_violate(const char *how)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    Outpost__V1__Frame *req = raw_await_request();
    if (req == NULL)
        return raw_done(0);
    raw_free_frame(req);
    if (strcmp(how, "second-hello") == 0) {
        raw_hello_as("fixture", 1, 1);
    } else if (strcmp(how, "welcome") == 0) {
        Outpost__V1__Welcome w;
        outpost__v1__welcome__init(&w);
        Outpost__V1__Frame f;
        outpost__v1__frame__init(&f);
        f.kind_case = OUTPOST__V1__FRAME__KIND_WELCOME;
        f.welcome = &w;
        raw_send_frame(&f);
    } else if (strcmp(how, "undecodable") == 0) {
        static const uint8_t bad[] = {4, 0xff, 0xff, 0xff, 0xff};
        raw_write_all(bad, sizeof bad);
    } else if (strcmp(how, "empty") == 0) {
        static const uint8_t empty[] = {0};
        raw_write_all(empty, sizeof empty);
    } else if (strcmp(how, "oversize") == 0) {
        static const uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
        raw_write_all(big, sizeof big);
    } else if (strcmp(how, "bad-varint") == 0) {
        static const uint8_t bad[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
        raw_write_all(bad, sizeof bad);
    } else {
        fprintf(stderr, "fixture: unknown violation \"%s\"\n", how);
        return raw_done(64);
    }
    raw_done(0);
    sleep_forever();
}
