/*
 * fixture_raw.c - fixture modes that break or bend the protocol, so they talk on fd 3 through
 * the protoc-c generated code (compiled into liboutpost.a) instead of the SDK's serve loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"
#include "outpost/v1/outpost.pb-c.h"

#define FD 3
#define MAX_FRAME (16u << 20)

static uint8_t *rbuf;
static size_t rlen, rcap;

int raw_write_all(const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = send(FD, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int raw_send_frame(const Outpost__V1__Frame *f)
{
    size_t size = outpost__v1__frame__get_packed_size(f), n = 0;
    uint8_t *b = malloc(size + 5);
    if (b == NULL)
        return -1;
    for (uint64_t v = size; ; v >>= 7) {
        b[n++] = (uint8_t)(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            break;
    }
    n += outpost__v1__frame__pack(f, b + n);
    int rc = raw_write_all(b, n);
    free(b);
    return rc;
}

/* Reads one frame; NULL on EOF or anything malformed. Free with raw_free_frame(). */
Outpost__V1__Frame *raw_recv_frame(void)
{
    for (;;) {
        uint64_t size = 0;
        size_t i = 0;
        int complete = 0;
        for (; i < rlen && i < 5; i++) {
            size |= (uint64_t)(rbuf[i] & 0x7f) << (7 * i);
            if (!(rbuf[i] & 0x80)) {
                complete = 1;
                break;
            }
        }
        if ((!complete && i == 5) || size > MAX_FRAME) {
            fprintf(stderr, "fixture: a frame length it cannot take\n");
            return NULL;
        }
        if (complete && rlen - i - 1 >= size) {
            Outpost__V1__Frame *f = outpost__v1__frame__unpack(NULL, size, rbuf + i + 1);
            if (f == NULL)
                fprintf(stderr, "fixture: a frame of %zu bytes does not decode\n", (size_t)size);
            rlen -= i + 1 + size;
            memmove(rbuf, rbuf + i + 1 + size, rlen);
            return f;
        }
        if (rcap - rlen < 65536) {
            uint8_t *b = realloc(rbuf, rcap ? rcap * 2 : 131072);
            if (b == NULL)
                return NULL;
            rbuf = b;
            rcap = rcap ? rcap * 2 : 131072;
        }
        ssize_t n = read(FD, rbuf + rlen, rcap - rlen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "fixture: %s\n", n == 0 ? "end of file" : strerror(errno));
            return NULL;
        }
        rlen += (size_t)n;
    }
}

/* Frees the read buffer; returns rc, for the modes' last statement. */
int raw_done(int rc)
{
    free(rbuf);
    rbuf = NULL;
    rlen = rcap = 0;
    return rc;
}

void raw_free_frame(Outpost__V1__Frame *f)
{
    if (f != NULL)
        outpost__v1__frame__free_unpacked(f, NULL);
}

Outpost__V1__Frame *raw_await_request(void)
{
    Outpost__V1__Frame *f;
    while ((f = raw_recv_frame()) != NULL && f->kind_case != OUTPOST__V1__FRAME__KIND_REQUEST)
        raw_free_frame(f);
    return f;
}

int raw_hello_as(const char *name, uint32_t min, uint32_t max)
{
    char *methods[] = {"echo"};
    Outpost__V1__ServiceDescriptor svc;
    outpost__v1__service_descriptor__init(&svc);
    svc.name = "fixture";
    svc.n_methods = 1;
    svc.methods = methods;
    Outpost__V1__ServiceDescriptor *svcs[] = {&svc};
    Outpost__V1__Hello hello;
    outpost__v1__hello__init(&hello);
    hello.min_version = min;
    hello.max_version = max;
    hello.plugin_name = (char *)name;
    hello.plugin_version = "1.0.0";
    hello.n_services = 1;
    hello.services = svcs;
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_HELLO;
    f.hello = &hello;
    return raw_send_frame(&f);
}

static int send_hello(uint32_t min, uint32_t max)
{
    const char *name = getenv("OUTPOST_PLUGIN_NAME");
    return raw_hello_as(name ? name : "fixture", min, max);
}

/* Hello [1, 1], then waits for the Welcome. Returns 0, or -1 (refused, EOF...). */
int raw_handshake(void)
{
    if (send_hello(1, 1) != 0)
        return -1;
    return raw_await_welcome();
}

int raw_await_welcome(void)
{
    Outpost__V1__Frame *f = raw_recv_frame();
    int ok = f != NULL && f->kind_case == OUTPOST__V1__FRAME__KIND_WELCOME;
    if (!ok)
        fprintf(stderr, "fixture: no Welcome\n");
    raw_free_frame(f);
    return ok ? 0 : -1;
}

int raw_ignore_term(void)
{
    signal(SIGTERM, SIG_IGN);
    if (raw_handshake() != 0)
        return raw_done(1);
    Outpost__V1__Frame *f;
    while ((f = raw_recv_frame()) != NULL) /* Goodbye and requests alike */
        raw_free_frame(f);
    fprintf(stderr, "fixture: EOF, still ignoring SIGTERM\n");
    raw_done(0);
    sleep_forever(); /* only SIGKILL (or the safety alarm) ends this */
}

int raw_bad_version(void)
{
    if (send_hello(99, 99) != 0)
        return 1;
    Outpost__V1__Frame *f;
    while ((f = raw_recv_frame()) != NULL) {
        if (f->kind_case == OUTPOST__V1__FRAME__KIND_REFUSAL) {
            fprintf(stderr, "fixture: refused: %s\n", f->refusal->reason);
            raw_free_frame(f);
            return raw_done(1);
        }
        raw_free_frame(f);
    }
    return raw_done(0);
}

/* 64 random bytes, the first six with the high bit set: a length prefix longer than 5 bytes,
 * so the host can tell at once that this is no frame. */
int raw_garbage(void)
{
    uint8_t junk[64];
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)rand();
    for (size_t i = 0; i < 6; i++)
        junk[i] |= 0x80;
    raw_write_all(junk, sizeof junk);
    sleep_forever();
}

int raw_oversize(void)
{
    static const uint8_t prefix[] = {0xff, 0xff, 0xff, 0xff, 0x0f}; /* 2^32 - 1 */
    raw_write_all(prefix, sizeof prefix);
    sleep_forever();
}


int raw_wrong_ids(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    return raw_answer_loop(1000);
}

/* After the handshake: a flood of frames nobody asked for (Pongs and Logs), then a correct echo. */
int raw_chatty(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    Outpost__V1__Pong pong;
    outpost__v1__pong__init(&pong);
    Outpost__V1__Frame out;
    outpost__v1__frame__init(&out);
    out.kind_case = OUTPOST__V1__FRAME__KIND_PONG;
    out.pong = &pong;
    Outpost__V1__Log log;
    outpost__v1__log__init(&log);
    log.level = OUTPOST__V1__LEVEL__INFO;
    log.message = "chatter";
    Outpost__V1__Frame logf;
    outpost__v1__frame__init(&logf);
    logf.kind_case = OUTPOST__V1__FRAME__KIND_LOG;
    logf.log = &log;
    for (int i = 0; i < 50000; i++) {
        pong.nonce = (uint64_t)i;
        if (raw_send_frame(&out) != 0 || (i % 5 == 0 && raw_send_frame(&logf) != 0))
            return raw_done(0);
    }
    return raw_answer_loop(0);
}

int raw_answer(const Outpost__V1__Frame *request, uint64_t id_offset)
{
    Outpost__V1__Response r;
    outpost__v1__response__init(&r);
    r.id = request->request->id + id_offset;
    r.result_case = OUTPOST__V1__RESPONSE__RESULT_PAYLOAD;
    r.payload = request->request->payload;
    Outpost__V1__Frame out;
    outpost__v1__frame__init(&out);
    out.kind_case = OUTPOST__V1__FRAME__KIND_RESPONSE;
    out.response = &r;
    return raw_send_frame(&out);
}

/* Answers requests with their payload under id + id_offset, and pings; until Goodbye or EOF. */
int raw_answer_loop(uint64_t id_offset)
{
    Outpost__V1__Frame *f;
    while ((f = raw_recv_frame()) != NULL) {
        int rc = 0;
        if (f->kind_case == OUTPOST__V1__FRAME__KIND_REQUEST) {
            rc = raw_answer(f, id_offset);
        } else if (f->kind_case == OUTPOST__V1__FRAME__KIND_PING) {
            Outpost__V1__Pong pong;
            outpost__v1__pong__init(&pong);
            pong.nonce = f->ping->nonce;
            Outpost__V1__Frame out;
            outpost__v1__frame__init(&out);
            out.kind_case = OUTPOST__V1__FRAME__KIND_PONG;
            out.pong = &pong;
            rc = raw_send_frame(&out);
        } else if (f->kind_case == OUTPOST__V1__FRAME__KIND_GOODBYE) {
            raw_free_frame(f);
            return raw_done(0);
        }
        raw_free_frame(f);
        if (rc != 0)
            return raw_done(0); /* the host is gone */
    }
    return raw_done(0);
}

/* After the handshake: the first bytes of a frame (a length of 100, then 2 of the 100 bytes),
 * then silence; reads and drops whatever comes, answers no ping. */
int raw_partial_frame(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    static const uint8_t part[] = {100, 0x0a, 0x00};
    raw_write_all(part, sizeof part);
    Outpost__V1__Frame *f;
    while ((f = raw_recv_frame()) != NULL)
        raw_free_frame(f);
    raw_done(0);
    sleep_forever();
}

/* After the handshake: closes its socket and stays alive. */
int raw_close_socket(void)
{
    if (raw_handshake() != 0)
        return raw_done(1);
    close(FD);
    raw_done(0);
    sleep_forever();
}
