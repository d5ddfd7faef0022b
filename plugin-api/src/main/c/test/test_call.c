/*
 * test_call.c - the plugin calls the host (protocol 1.1): blocking and async calls, answers and
 * errors, deadlines and Cancel, late and stray Responses, limits, imports.
 * The test plugin's "call" and "call_async" methods make the calls (test_plugin_calls.c).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "checks.h"

#define MAX 16777216u

#define START(h, max) HOST_START(h, NULL, max, NULL)

/* Asks the plugin (call id) to call the host with "TIMEOUT SERVICE METHOD BODY". */
#define ASK(h, id, method, text) \
    CHECK(host_call(&(h), (id), "test", (method), (text), strlen(text)) == 0)

/* Whether frame is a Log whose message contains text. */
static int log_has(const Outpost__V1__Frame *f, const char *text)
{
    return f != NULL && f->kind_case == OUTPOST__V1__FRAME__KIND_LOG &&
           strstr(f->log->message, text) != NULL;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

static void call_answered_with_payload(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    Outpost__V1__Request *req;
    START(h, MAX);
    ASK(h, 1, "call", "0 host echo hello");
    EXPECT_REQUEST(h, "host", "echo");
    EXPECT(h, req->timeout_ms == 0 && req->payload.len == 5 &&
                  memcmp(req->payload.data, "hello", 5) == 0);
    uint64_t id = req->id;
    host_free_frame(frame);
    CHECK(host_answer(&h, id, "HELLO", 5) == 0);
    EXPECT_REPLY(h, 1, "ok:HELLO");
    /* an empty payload, and a second call with the next id */
    ASK(h, 2, "call", "0 host empty");
    EXPECT_REQUEST(h, "host", "empty");
    EXPECT(h, req->payload.len == 0 && req->id == id + 1);
    id = req->id;
    host_free_frame(frame);
    CHECK(host_answer(&h, id, "", 0) == 0);
    EXPECT_REPLY(h, 2, "ok:");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

static void call_answered_with_error(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX);
    static const struct {
        int sent, seen;
    } codes[] = {{OUTPOST__V1__CODE__PERMISSION_DENIED, OUTPOST__V1__CODE__PERMISSION_DENIED},
                 {OUTPOST__V1__CODE__UNAVAILABLE, OUTPOST__V1__CODE__UNAVAILABLE},
                 {99, OUTPOST__V1__CODE__INTERNAL}, /* unknown codes and 0 are INTERNAL */
                 {0, OUTPOST__V1__CODE__INTERNAL}};
    for (uint64_t i = 0; i < 4; i++) {
        ASK(h, i + 1, "call", "0 db query select");
        uint64_t id;
        EXPECT_REQUEST_ID(h, "db", "query", &id);
        CHECK(host_answer_error(&h, id, codes[i].sent, "not imported") == 0);
        EXPECT_ERROR(h, i + 1, codes[i].seen, "host: not imported");
    }
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* The deadline passes: DEADLINE_EXCEEDED, a Cancel with the call's id; the late answer and a
 * duplicate one are dropped and serving goes on. */
static void call_deadline_cancels_and_drops_the_late_answer(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    Outpost__V1__Request *req;
    struct timespec t0;
    START(h, MAX);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ASK(h, 1, "call", "100 host slow x");
    EXPECT_REQUEST(h, "host", "slow");
    EXPECT(h, req->timeout_ms == 100);
    uint64_t id = req->id;
    host_free_frame(frame);
    frame = host_recv(&h);
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_CANCEL &&
                  frame->cancel->id == id);
    host_free_frame(frame);
    EXPECT_ERROR(h, 1, OUTPOST__V1__CODE__DEADLINE_EXCEEDED, "100 ms");
    EXPECT(h, ms_since(&t0) >= 100);
    CHECK(host_answer(&h, id, "late", 4) == 0);
    CHECK(host_answer(&h, id, "late again", 10) == 0);
    EXPECT_CALL(h, 2, "echo", "still", 5, "still");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* An id the plugin never used (above the highest it sent) is a protocol error. */
static void response_to_an_id_never_sent_is_an_error(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX);
    ASK(h, 1, "call", "0 host echo x");
    uint64_t id;
    EXPECT_REQUEST_ID(h, "host", "echo", &id);
    CHECK(host_answer(&h, id + 1, "x", 1) == 0);
    CHECK(host_wait(&h) == 16); /* 10 - OUTPOST_EPROTO */
}

static void async_call_completed_by_a_later_response(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX);
    ASK(h, 1, "call_async", "0 host echo abc");
    uint64_t id;
    EXPECT_REQUEST_ID(h, "host", "echo", &id);
    EXPECT_REPLY(h, 1, "sent");
    EXPECT_CALL(h, 2, "async_count", "", 0, "1 sent 0 answered");
    CHECK(host_answer(&h, id, "xyz", 3) == 0);
    frame = host_recv(&h);
    EXPECT(h, log_has(frame, "answer: code=0 payload=xyz message="));
    host_free_frame(frame);
    CHECK(host_answer(&h, id, "again", 5) == 0); /* exactly once: a second answer is dropped */
    EXPECT_CALL(h, 3, "async_count", "", 0, "1 sent 1 answered");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0); /* 40 if a callback ran twice or never */
}

static void async_call_deadline(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    Outpost__V1__Request *req;
    START(h, MAX);
    ASK(h, 1, "call_async", "50 host slow abc");
    EXPECT_REQUEST(h, "host", "slow");
    uint64_t id = req->id;
    EXPECT(h, req->timeout_ms == 50);
    host_free_frame(frame);
    EXPECT_REPLY(h, 1, "sent");
    frame = host_recv(&h);
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_CANCEL &&
                  frame->cancel->id == id);
    host_free_frame(frame);
    frame = host_recv(&h);
    EXPECT(h, log_has(frame, "answer: code=3 payload= message=no answer"));
    host_free_frame(frame);
    CHECK(host_answer(&h, id, "late", 4) == 0);
    EXPECT_CALL(h, 2, "async_count", "", 0, "1 sent 1 answered");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* Calls in flight when the host says Goodbye fail UNAVAILABLE before outpost_serve() returns. */
static void async_calls_in_flight_at_goodbye_get_unavailable(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    Outpost__V1__Request *req;
    START(h, MAX);
    for (uint64_t i = 1; i <= 3; i++) {
        ASK(h, i, "call_async", "0 host echo abc");
        EXPECT_REQUEST(h, "host", "echo");
        host_free_frame(frame);
        EXPECT_REPLY(h, i, "sent");
    }
    CHECK(host_goodbye(&h) == 0);
    for (int i = 0; i < 3; i++) {
        frame = host_recv(&h);
        EXPECT(h, log_has(frame, "answer: code=6 payload= message=the host said Goodbye"));
        host_free_frame(frame);
    }
    frame = host_recv(&h);
    EXPECT(h, frame == NULL); /* EOF */
    CHECK(host_wait(&h) == 0);
}

/* A Response over the maximum frame size fails the connection before anything is allocated for
 * it (frame.c reads into a buffer bounded by the maximum); a Response whose payload claims more
 * bytes than its frame holds is malformed. */
static void oversize_and_malformed_responses_fail_the_connection(void)
{
    for (int malformed = 0; malformed < 2; malformed++) {
        struct host h;
        Outpost__V1__Frame *frame = NULL;
        START(h, 4096);
        ASK(h, 1, "call", "0 host big x");
        uint64_t id;
        EXPECT_REQUEST_ID(h, "host", "big", &id);
        if (malformed) {
            /* Frame{response{id, payload: length 0x7f but 1 byte}} */
            const uint8_t bad[] = {7, 0x2a, 5, 0x08, (uint8_t)id, 0x12, 0x7f, 'x'};
            CHECK(id < 0x80 && host_send_raw(&h, bad, sizeof bad) == 0);
            CHECK(host_wait(&h) == 16); /* 10 - OUTPOST_EPROTO; 41 if the call saw another */
        } else {
            char *big = calloc(1, 5000);
            CHECK(big != NULL);
            int sent = host_answer(&h, id, big, 5000);
            free(big);
            CHECK(sent == 0);
            CHECK(host_wait(&h) == 17); /* 10 - OUTPOST_ETOOBIG */
        }
    }
}

/* A call whose Request would exceed the frame size fails locally with OUTPOST_ETOOBIG. */
static void request_over_the_frame_size_is_refused(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, 4096);
    ASK(h, 1, "call", "0 host echo *4077"); /* a Request frame of 4097 bytes */
    EXPECT_ERROR(h, 1, OUTPOST__V1__CODE__INTERNAL, "outpost_call: -7");
    ASK(h, 2, "call_async", "0 host echo *4077");
    EXPECT_ERROR(h, 2, OUTPOST__V1__CODE__INTERNAL, "async: -7");
    ASK(h, 3, "call_async", "0 host echo *4076"); /* 4096: fits */
    Outpost__V1__Request *req;
    EXPECT_REQUEST(h, "host", "echo");
    EXPECT(h, req->payload.len == 4076);
    host_free_frame(frame);
    EXPECT_REPLY(h, 3, "sent");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* From another thread than the serving one: OUTPOST_EBUSY (before and after serving too: the
 * test plugin exits 43 otherwise). */
static void calls_from_another_thread_are_refused(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX);
    EXPECT_CALL(h, 1, "call_thread", "", 0, "-4 -4");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

static void welcome_imports_are_available(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    const char *const imports[] = {"log", "db.v2", NULL};
    CHECK(host_spawn(&h, NULL) == 0);
    if (host_handshake_imports(&h, MAX, NULL, imports) != 0) {
        host_wait(&h);
        CHECK(!"handshake");
    }
    EXPECT_CALL(h, 1, "imports", "db.v2", 5, "1");
    EXPECT_CALL(h, 2, "imports", "log", 3, "1");
    EXPECT_CALL(h, 3, "imports", "db", 2, "0");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* Quick answers waiting in the batch go out before the plugin's Request: the host may wait for
 * them before it answers. */
static void quick_answers_are_sent_before_the_call(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint8_t *wire = NULL;
    size_t len = 0;
    START(h, MAX);
    struct msg m;
    CHECK(msg_encode(msg_request(&m, 1, "test", "quick", "a", 1), &wire, &len) == 0);
    CHECK(msg_encode(msg_request(&m, 2, "test", "quick_async", "0 host echo b", 13), &wire,
                     &len) == 0);
    CHECK(host_send_raw(&h, wire, len) == 0);
    free(wire);
    EXPECT_REPLY(h, 1, "a"); /* first, before the Request */
    uint64_t id;
    EXPECT_REQUEST_ID(h, "host", "echo", &id);
    EXPECT_REPLY(h, 2, "sent");
    CHECK(host_answer(&h, id, "b", 1) == 0);
    frame = host_recv(&h);
    EXPECT(h, log_has(frame, "answer: code=0 payload=b"));
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

const struct test call_tests[] = {
    {"call_answered_with_payload", call_answered_with_payload},
    {"call_answered_with_error", call_answered_with_error},
    {"call_deadline_cancels_and_drops_the_late_answer",
     call_deadline_cancels_and_drops_the_late_answer},
    {"response_to_an_id_never_sent_is_an_error", response_to_an_id_never_sent_is_an_error},
    {"async_call_completed_by_a_later_response", async_call_completed_by_a_later_response},
    {"async_call_deadline", async_call_deadline},
    {"async_calls_in_flight_at_goodbye_get_unavailable",
     async_calls_in_flight_at_goodbye_get_unavailable},
    {"oversize_and_malformed_responses_fail_the_connection",
     oversize_and_malformed_responses_fail_the_connection},
    {"request_over_the_frame_size_is_refused", request_over_the_frame_size_is_refused},
    {"calls_from_another_thread_are_refused", calls_from_another_thread_are_refused},
    {"welcome_imports_are_available", welcome_imports_are_available},
    {"quick_answers_are_sent_before_the_call", quick_answers_are_sent_before_the_call},
    {NULL, NULL},
};
