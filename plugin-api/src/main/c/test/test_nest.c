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
    struct msg m;
    if (host_send(h, msg_ping(&m, nonce)) != 0)
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
    EXPECT_REQUEST_ID(h, "host", "echo", &id);
    EXPECT(h, ping(&h, 77));
    EXPECT_CALL(h, 2, "echo", "nested", 6, "nested");
    EXPECT_CALL(h, 3, "quick", "q", 1, "q"); /* a quick answer is not held back while waiting */
    EXPECT(h, big_echo(&h, 4, 300000, 4));
    CHECK(host_answer(&h, id, "done", 4) == 0);
    EXPECT_REPLY(h, 1, "ok:done");
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
        EXPECT_REQUEST_ID(h, "host", "echo", &ids[d]);
    }
    ASK(h, 6, "call", "0 host echo d6");
    EXPECT_ERROR(h, 6, OUTPOST__V1__CODE__RESOURCE_EXHAUSTED, "nested");
    CHECK(host_answer(&h, ids[1], "d1", 2) == 0);
    for (int d = 5; d >= 2; d--) {
        snprintf(text, sizeof text, "d%d", d);
        CHECK(host_answer(&h, ids[d], text, 2) == 0);
        snprintf(text, sizeof text, "ok:d%d", d);
        EXPECT_REPLY(h, (uint64_t)d, text);
    }
    EXPECT_REPLY(h, 1, "ok:d1");
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
    EXPECT_REQUEST_ID(h, "host", "echo", &outer);
    for (int i = 0; i < 5; i++)
        EXPECT(h, big_echo(&h, 10 + (uint64_t)i, 200000 + (size_t)i * 1000, 'a' + i));
    ASK(h, 2, "call", "0 host echo inner"); /* a nested handler that calls the host too */
    EXPECT_REQUEST_ID(h, "host", "echo", &inner);
    EXPECT(h, big_echo(&h, 20, 500000, 'z'));
    CHECK(host_answer(&h, inner, "in", 2) == 0);
    EXPECT_REPLY(h, 2, "ok:in");
    CHECK(host_answer(&h, outer, "fine", 4) == 0);
    EXPECT_REPLY(h, 1, "ok:fine");
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
    EXPECT_REQUEST_ID(h, "host", "echo", &outer);
    ASK(h, 2, "req_error", "2 call"); /* sets INVALID_ARGUMENT, then waits inside "call" */
    EXPECT_REQUEST_ID(h, "host", "echo", &inner);
    ASK(h, 3, "req_error", "9");
    EXPECT_ERROR(h, 3, OUTPOST__V1__CODE__PERMISSION_DENIED, "req 9");
    EXPECT_CALL(h, 4, "echo", "e", 1, "e");
    CHECK(host_answer(&h, inner, "in", 2) == 0);
    EXPECT_ERROR(h, 2, OUTPOST__V1__CODE__INVALID_ARGUMENT, "req 2");
    CHECK(host_answer(&h, outer, "out", 3) == 0);
    EXPECT_REPLY(h, 1, "ok:out");
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
    EXPECT_REQUEST_ID(h, "host", "echo", &id);
    if (how == 0) {
        kill(h.pid, SIGTERM);
    } else if (how == 1) { /* a request right behind the Goodbye, in the same write */
        uint8_t *wire = NULL;
        size_t len = 0;
        struct msg m;
        int ok = msg_encode(msg_goodbye(&m, ""), &wire, &len) == 0;
        ok = ok && msg_encode(msg_request(&m, 2, "test", "echo", NULL, 0), &wire, &len) == 0 &&
             host_send_raw(&h, wire, len) == 0;
        free(wire);
        CHECK(ok);
    } else {
        CHECK(shutdown(h.fd, SHUT_WR) == 0);
    }
    EXPECT_ERROR(h, 1, OUTPOST__V1__CODE__UNAVAILABLE, why);
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
