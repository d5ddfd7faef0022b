/*
 * test_nest.c - what happens while the plugin waits in outpost_call(): the host's requests are
 * handled nested (up to a depth), Pings answered, the waiting request stays intact; Goodbye,
 * SIGTERM and EOF end the wait; the ready callback calls the host.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"
#include "checks.h"

#define MAX 16777216u
/* How soon a plugin must be gone after SIGTERM: well below the host's 2 s before SIGKILL. */
#define TERM_DEADLINE_MS 1000

#define START(h) HOST_START(h, NULL, MAX, NULL)

#define ASK(h, id, method, text) \
    CHECK(host_call(&(h), (id), "test", (method), (text), strlen(text)) == 0)

/* Receives the plugin's call of host/echo; its id goes to *dst. */
#define EXPECT_ECHO(h, dst)                                                                   \
    do {                                                                                     \
        Outpost__V1__Request *req_ = host_request(&(h), &frame);                              \
        EXPECT(h, req_ != NULL && strcmp(req_->method, "echo") == 0);                         \
        *(dst) = req_->id;                                                                    \
        host_free_frame(frame);                                                              \
        frame = NULL;                                                                        \
    } while (0)

/* Sends an echo of n bytes of value v as call id and checks the answer. Returns 1 if right. */
static int big_echo(struct host *h, uint64_t id, size_t n, int v)
{
    Outpost__V1__Frame *frame = NULL;
    uint8_t *data = malloc(n);
    if (data == NULL)
        return 0;
    memset(data, v, n);
    int ok = host_call(h, id, "test", "copy", data, n) == 0;
    Outpost__V1__Response *r = ok ? host_reply(h, id, &frame) : NULL;
    ok = r != NULL && r->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD &&
         r->payload.len == n && memcmp(r->payload.data, data, n) == 0;
    host_free_frame(frame);
    free(data);
    return ok;
}

static int ping(struct host *h, uint64_t nonce)
{
    Outpost__V1__Ping p = OUTPOST__V1__PING__INIT;
    p.nonce = nonce;
    Outpost__V1__Frame f = OUTPOST__V1__FRAME__INIT;
    f.kind_case = OUTPOST__V1__FRAME__KIND_PING;
    f.ping = &p;
    if (host_send(h, &f) != 0)
        return 0;
    Outpost__V1__Frame *pong = host_recv(h);
    int ok = pong && pong->kind_case == OUTPOST__V1__FRAME__KIND_PONG && pong->pong->nonce == nonce;
    host_free_frame(pong);
    return ok;
}

/* The host calls the plugin while the plugin waits for the host: handled at once, nested; then
 * the plugin's call completes. */
static void request_during_a_call_is_handled_nested(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint64_t id;
    START(h);
    ASK(h, 1, "call", "0 host echo outer");
    EXPECT_ECHO(h, &id);
    EXPECT(h, ping(&h, 77));
    EXPECT_CALL(h, 2, "echo", "nested", 6, "nested");
    EXPECT_CALL(h, 3, "quick", "q", 1, "q"); /* a quick answer is not held back while waiting */
    EXPECT(h, big_echo(&h, 4, 300000, 4));
    CHECK(host_answer(&h, id, "done", 4) == 0);
    EXPECT(h, payload_is(host_reply(&h, 1, &frame), "ok:done"));
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* Five handlers wait one inside the other (the outer one and OUTPOST_MAX_NESTING); a sixth
 * request is answered RESOURCE_EXHAUSTED at once. The outer call's answer, which comes first,
 * is kept until the handlers inside it have returned. */
static void nesting_depth_is_bounded(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint64_t ids[6];
    char text[64];
    START(h);
    for (int d = 1; d <= 5; d++) {
        snprintf(text, sizeof text, "0 host echo d%d", d);
        ASK(h, (uint64_t)d, "call", text);
        EXPECT_ECHO(h, &ids[d]);
    }
    ASK(h, 6, "call", "0 host echo d6");
    EXPECT(h, error_is(host_reply(&h, 6, &frame), OUTPOST__V1__CODE__RESOURCE_EXHAUSTED, "nested"));
    host_free_frame(frame);
    CHECK(host_answer(&h, ids[1], "d1", 2) == 0);
    for (int d = 5; d >= 2; d--) {
        snprintf(text, sizeof text, "d%d", d);
        CHECK(host_answer(&h, ids[d], text, 2) == 0);
        snprintf(text, sizeof text, "ok:d%d", d);
        EXPECT(h, payload_is(host_reply(&h, (uint64_t)d, &frame), text));
        host_free_frame(frame);
    }
    EXPECT(h, payload_is(host_reply(&h, 1, &frame), "ok:d1"));
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* A large outer request stays intact (the "call" handler compares it with a copy, and its
 * response buffer) while large nested requests and a nested call come and go. */
static void outer_request_survives_nested_reads(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint64_t outer, inner;
    size_t n = 100000;
    char *text = malloc(n + 1);
    CHECK(text != NULL);
    memset(text, 'o', n);
    memcpy(text, "0 host echo ", 12);
    text[n] = '\0';
    START(h);
    int sent = host_call(&h, 1, "test", "call", text, n);
    free(text);
    CHECK(sent == 0);
    EXPECT_ECHO(h, &outer);
    for (int i = 0; i < 5; i++)
        EXPECT(h, big_echo(&h, 10 + (uint64_t)i, 200000 + (size_t)i * 1000, 'a' + i));
    ASK(h, 2, "call", "0 host echo inner"); /* a nested handler that calls the host too */
    EXPECT_ECHO(h, &inner);
    EXPECT(h, big_echo(&h, 20, 500000, 'z'));
    CHECK(host_answer(&h, inner, "in", 2) == 0);
    EXPECT(h, payload_is(host_reply(&h, 2, &frame), "ok:in"));
    host_free_frame(frame);
    CHECK(host_answer(&h, outer, "fine", 4) == 0);
    EXPECT(h, payload_is(host_reply(&h, 1, &frame), "ok:fine"));
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* An error set through a request is that request's answer only: a nested handler's error leaves
 * the answer of the handler waiting around it alone, and the other way round. */
static void request_errors_stay_on_their_level(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint64_t outer, inner;
    START(h);
    ASK(h, 1, "call", "0 host echo outer");
    EXPECT_ECHO(h, &outer);
    ASK(h, 2, "req_error", "2 call"); /* sets INVALID_ARGUMENT, then waits inside "call" */
    EXPECT_ECHO(h, &inner);
    ASK(h, 3, "req_error", "9");
    EXPECT(h, error_is(host_reply(&h, 3, &frame), OUTPOST__V1__CODE__PERMISSION_DENIED, "req 9"));
    host_free_frame(frame);
    EXPECT_CALL(h, 4, "echo", "e", 1, "e");
    CHECK(host_answer(&h, inner, "in", 2) == 0);
    EXPECT(h, error_is(host_reply(&h, 2, &frame), OUTPOST__V1__CODE__INVALID_ARGUMENT, "req 2"));
    host_free_frame(frame);
    CHECK(host_answer(&h, outer, "out", 3) == 0);
    EXPECT(h, payload_is(host_reply(&h, 1, &frame), "ok:out"));
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* how: 0 SIGTERM, 1 Goodbye, 2 EOF. The waiting call fails UNAVAILABLE, its handler's answer is
 * sent, and the plugin leaves with 0 (a queued request is not started). */
static void wait_ended(int how, const char *why)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint64_t id;
    START(h);
    ASK(h, 1, "call", "0 host echo x");
    EXPECT_ECHO(h, &id);
    if (how == 0) {
        kill(h.pid, SIGTERM);
    } else if (how == 1) { /* a request right behind the Goodbye, in the same write */
        uint8_t *wire = NULL;
        size_t len = 0;
        Outpost__V1__Goodbye bye = OUTPOST__V1__GOODBYE__INIT;
        Outpost__V1__Request late = OUTPOST__V1__REQUEST__INIT;
        late.id = 2, late.service = "test", late.method = "echo";
        Outpost__V1__Frame f = OUTPOST__V1__FRAME__INIT;
        f.kind_case = OUTPOST__V1__FRAME__KIND_GOODBYE;
        f.goodbye = &bye;
        int ok = host_encode(&f, &wire, &len) == 0;
        f.kind_case = OUTPOST__V1__FRAME__KIND_REQUEST;
        f.request = &late;
        ok = ok && host_encode(&f, &wire, &len) == 0 && host_send_raw(&h, wire, len) == 0;
        free(wire);
        CHECK(ok);
    } else {
        CHECK(shutdown(h.fd, SHUT_WR) == 0);
    }
    EXPECT(h, error_is(host_reply(&h, 1, &frame), OUTPOST__V1__CODE__UNAVAILABLE, why));
    host_free_frame(frame);
    frame = host_recv(&h);
    EXPECT(h, frame == NULL); /* EOF: nothing more, "late" was not handled */
    CHECK(host_wait_ms(&h, TERM_DEADLINE_MS) == 0);
}

static void sigterm_during_a_call(void) { wait_ended(0, "SIGTERM"); }
static void goodbye_during_a_call(void) { wait_ended(1, "Goodbye"); }
static void eof_during_a_call(void) { wait_ended(2, "closed"); }

/* The ready callback calls the host before any request is handled; a request that comes while
 * it waits is handled nested. */
static void ready_callback_calls_the_host(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    HOST_START(h, "ready", MAX, NULL);
    Outpost__V1__Request *req = host_request(&h, &frame);
    EXPECT(h, req && strcmp(req->service, "host") == 0 && strcmp(req->method, "ready") == 0 &&
                  req->payload.len == 2);
    uint64_t id = req->id;
    host_free_frame(frame);
    frame = NULL;
    EXPECT_CALL(h, 1, "echo", "n", 1, "n");
    CHECK(host_answer(&h, id, "READY", 5) == 0);
    EXPECT_CALL(h, 2, "ready_result", "", 0, "ready:0:0:READY");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* A ready callback that fails (-20): the plugin says Goodbye and outpost_serve() returns -20. */
static void ready_callback_failure_ends_serving(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    HOST_START(h, "ready_fail", MAX, NULL);
    frame = host_recv(&h);
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_GOODBYE);
    host_free_frame(frame);
    CHECK(host_wait(&h) == 30); /* 10 - (-20) */
}

const struct test nest_tests[] = {
    {"request_during_a_call_is_handled_nested", request_during_a_call_is_handled_nested},
    {"nesting_depth_is_bounded", nesting_depth_is_bounded},
    {"outer_request_survives_nested_reads", outer_request_survives_nested_reads},
    {"request_errors_stay_on_their_level", request_errors_stay_on_their_level},
    {"sigterm_during_a_call", sigterm_during_a_call},
    {"goodbye_during_a_call", goodbye_during_a_call},
    {"eof_during_a_call", eof_during_a_call},
    {"ready_callback_calls_the_host", ready_callback_calls_the_host},
    {"ready_callback_failure_ends_serving", ready_callback_failure_ends_serving},
    {NULL, NULL},
};
