/* test_serve.c - the test plugin as the host sees it: handshake, calls, errors, leaving. */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "checks.h"
#include "outpost.h"

#define MAX 16777216u

#define START(h, max, config) HOST_START(h, NULL, max, config)




static void hello_lists_services(void)
{
    struct host h;
    CHECK(host_spawn(&h, NULL) == 0);
    Outpost__V1__Frame *frame = host_recv(&h);
    EXPECT(h, frame != NULL && frame->kind_case == OUTPOST__V1__FRAME__KIND_HELLO);
    Outpost__V1__Hello *hi = frame->hello;
    EXPECT(h, hi->min_version == 1 && hi->max_version == 1);
    EXPECT(h, hi->minor_version == 1); /* protocol 1.1: the plugin may call the host */
    EXPECT(h, strcmp(hi->plugin_name, "testplugin") == 0);
    EXPECT(h, strcmp(hi->plugin_version, "1.2.3") == 0);
    EXPECT(h, hi->n_services == 2 && strcmp(hi->services[0]->name, "test") == 0);
    EXPECT(h, hi->services[0]->n_methods == 24); /* 17 here, 7 of test_plugin_calls.c */
    EXPECT(h, strcmp(hi->services[0]->methods[0], "echo") == 0);
    EXPECT(h, strcmp(hi->services[0]->methods[8], "info") == 0);
    EXPECT(h, strcmp(hi->services[1]->name, "other") == 0 && hi->services[1]->n_methods == 1);
    host_free_frame(frame);
    close(h.fd); /* EOF during the handshake: the host went away, so exit 0 */
    h.fd = -1;
    CHECK(host_wait(&h) == 0);
}

static void calls_answer(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    char payload[64];
    memset(payload, 'x', sizeof payload);
    START(h, MAX, NULL);
    CHECK(host_call(&h, 1, "test", "echo", payload, sizeof payload) == 0);
    Outpost__V1__Response *r = host_reply(&h, 1, &frame);
    EXPECT(h, r && r->payload.len == 64 && memcmp(r->payload.data, payload, 64) == 0);
    host_free_frame(frame);
    EXPECT_CALL(h, 2, "copy", "abc", 3, "abc");
    CHECK(host_call(&h, 3, "other", "echo", "", 0) == 0);
    EXPECT_REPLY(h, 3, "");
    CHECK(host_call(&h, 1ull << 62, "test", "info", "", 0) == 0);
    EXPECT_REPLY(h, 1ull << 62,
                 "id=4611686018427387904 service=test method=info timeout=0 user=u");
    EXPECT_CALL(h, 5, "fds", "", 0, "0,1,2,3,4"); /* the SDK's only fd: its eventfd */
    EXPECT_CALL(h, 6, "fd_flags", "", 0, "4:cloexec:nonblock");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0); /* 7 if the eventfd were left open */
    CHECK(h.stdout_bytes == 0); /* the SDK never writes to stdout */
}

static void errors_have_codes(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX, NULL);
    CHECK(host_call(&h, 1, "test", "nope", "", 0) == 0);
    EXPECT_ERROR(h, 1, OUTPOST__V1__CODE__UNIMPLEMENTED, "\"nope\"");
    CHECK(host_call(&h, 2, "nope", "echo", "", 0) == 0);
    EXPECT_ERROR(h, 2, OUTPOST__V1__CODE__UNIMPLEMENTED, NULL);
    CHECK(host_call(&h, 3, "test", "fail", "", 0) == 0);
    EXPECT_ERROR(h, 3, OUTPOST__V1__CODE__INTERNAL, "test/fail");
    CHECK(host_call(&h, 4, "test", "error", "", 0) == 0);
    EXPECT_ERROR(h, 4, OUTPOST__V1__CODE__INVALID_ARGUMENT, "bad payload");
    /* the error set through the request, not the response; an invalid code answers INTERNAL */
    CHECK(host_call(&h, 5, "test", "req_error", "9", 1) == 0);
    EXPECT_ERROR(h, 5, OUTPOST__V1__CODE__PERMISSION_DENIED, "req 9");
    CHECK(host_call(&h, 6, "test", "req_error", "0", 1) == 0);
    EXPECT_ERROR(h, 6, OUTPOST__V1__CODE__INTERNAL, "invalid error code 0");
    close(h.fd); /* EOF: exit 0 */
    h.fd = -1;
    CHECK(host_wait(&h) == 0);
}

/* The library is the version of its header, and says it both ways. */
static void library_version_is_the_header_version(void)
{
    char text[32];
    snprintf(text, sizeof text, "%d.%d.%d", OUTPOST_VERSION_MAJOR, OUTPOST_VERSION_MINOR,
             OUTPOST_VERSION_PATCH);
    CHECK(strcmp(outpost_version_string(), text) == 0);
    CHECK(outpost_version() == OUTPOST_VERSION_HEX);
}

static void ping_log_config(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    const char *const config[] = {"color=blue", "size=3", "color=red", NULL};
    START(h, MAX, config);
    struct msg m;
    CHECK(host_send(&h, msg_ping(&m, 0xfeedbeefcafe)) == 0);
    frame = host_recv(&h);
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_PONG &&
                  frame->pong->nonce == 0xfeedbeefcafe);
    host_free_frame(frame);
    CHECK(host_call(&h, 1, "test", "log", "12345", 5) == 0);
    frame = host_recv(&h);
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_LOG &&
                  frame->log->level == OUTPOST__V1__LEVEL__INFO &&
                  strcmp(frame->log->message, "logged 5 bytes") == 0);
    host_free_frame(frame);
    EXPECT_REPLY(h, 1, "12345");
    EXPECT_CALL(h, 2, "config", "color", 5, "red");
    EXPECT_CALL(h, 3, "config", "size", 4, "3");
    CHECK(host_call(&h, 4, "test", "config", "none", 4) == 0);
    EXPECT_ERROR(h, 4, OUTPOST__V1__CODE__INVALID_ARGUMENT, "no none");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
    CHECK(h.stdout_bytes == 0);
}

static void goodbye_after_pending_call(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX, NULL);
    /* the call and the Goodbye arrive together: the call is answered, then the plugin leaves */
    CHECK(host_call(&h, 1, "test", "sleep", "50", 2) == 0);
    CHECK(host_goodbye(&h) == 0);
    EXPECT_REPLY(h, 1, "");
    CHECK(host_wait(&h) == 0);
}

/* The state letter of /proc/PID/stat ('R' running, 'S' sleeping), or '?'. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return '?';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close = strrchr(buf, ')');
    return close && close[1] == ' ' ? close[2] : '?';
}

/* START with OUTPOST_SPIN_US set to us. */
#define START_SPINNING(h, us)                                                   \
    do {                                                                        \
        host_spin_us = (us);                                                    \
        START(h, MAX, NULL);                                                    \
    } while (0)

static int cpus_allowed(void)
{
    cpu_set_t cpus;
    return sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
}

/* After an answer the plugin polls for the next request instead of sleeping (up to
 * OUTPOST_SPIN_US), takes a request sent meanwhile, and sleeps in ppoll once the time is up. */
static void after_an_answer_the_plugin_polls_then_sleeps(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START_SPINNING(h, "10000");
    EXPECT_CALL(h, 1, "echo", "a", 1, "a");
    if (cpus_allowed() > 1) {
        int running = 0;
        usleep(1000);
        for (int i = 0; i < 10; i++) { /* from 1 to about 4 ms of its 10: polling, not asleep */
            running += proc_state(h.pid) == 'R';
            usleep(300);
        }
        EXPECT(h, running >= 8);
    }
    EXPECT_CALL(h, 2, "echo", "b", 1, "b"); /* while it polls */
    usleep(100 * 1000); /* long after: asleep in ppoll */
    EXPECT(h, proc_state(h.pid) == 'S');
    EXPECT_CALL(h, 3, "echo", "c", 1, "c");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

/* A SIGTERM that comes while the plugin polls is not lost: it leaves once the polling ends. */
static void sigterm_while_polling_is_seen(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START_SPINNING(h, "10000");
    EXPECT_CALL(h, 1, "echo", "x", 1, "x");
    kill(h.pid, SIGTERM);
    CHECK(host_wait(&h) == 0);
}

static void refusal_is_an_error(void)
{
    struct host h;
    CHECK(host_spawn(&h, NULL) == 0);
    Outpost__V1__Frame *frame = host_recv(&h);
    EXPECT(h, frame != NULL);
    host_free_frame(frame);
    Outpost__V1__Refusal r;
    outpost__v1__refusal__init(&r);
    r.reason = "no common version";
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_REFUSAL;
    f.refusal = &r;
    CHECK(host_send(&h, &f) == 0);
    CHECK(host_wait(&h) == 18); /* 10 - OUTPOST_EREFUSED */
}

static void wrong_welcome_version(void)
{
    struct host h;
    CHECK(host_spawn(&h, NULL) == 0);
    Outpost__V1__Frame *frame = host_recv(&h);
    EXPECT(h, frame != NULL);
    host_free_frame(frame);
    Outpost__V1__Welcome w;
    outpost__v1__welcome__init(&w);
    w.version = 2;
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_WELCOME;
    f.welcome = &w;
    CHECK(host_send(&h, &f) == 0);
    CHECK(host_wait(&h) == 16); /* 10 - OUTPOST_EPROTO */
}

static void request_before_welcome(void)
{
    struct host h;
    CHECK(host_spawn(&h, NULL) == 0);
    CHECK(host_call(&h, 1, "test", "echo", "", 0) == 0);
    CHECK(host_wait(&h) == 16);
}

/* Encodes a Request frame with a text payload onto out. */
static int encode_call(uint8_t **out, size_t *len, uint64_t id, const char *method, const char *text)
{
    struct msg m;
    return msg_encode(msg_request(&m, id, "test", method, text, strlen(text)), out, len);
}

static void quick_answers_of_one_read_all_come_back_in_order(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint8_t *wire = NULL;
    size_t len = 0;
    char text[32];
    START(h, MAX, NULL);
    /* 200 calls in one write, with an unknown method and a slow one among them */
    for (uint64_t id = 1; id <= 200; id++) {
        snprintf(text, sizeof text, "%llu", (unsigned long long)id);
        const char *method = id == 100 ? "nope" : id == 150 ? "sleep" : "quick";
        CHECK(encode_call(&wire, &len, id, method, id == 150 ? "20" : text) == 0);
    }
    CHECK(host_send_raw(&h, wire, len) == 0);
    free(wire);
    for (uint64_t id = 1; id <= 200; id++) {
        Outpost__V1__Response *r = host_reply(&h, id, &frame);
        snprintf(text, sizeof text, "%llu", (unsigned long long)id);
        if (id == 100)
            EXPECT(h, error_is(r, OUTPOST__V1__CODE__UNIMPLEMENTED, "nope"));
        else
            EXPECT(h, payload_is(r, id == 150 ? "" : text));
        host_free_frame(frame);
    }
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

static void waiting_quick_answers_go_out_before_a_slow_handler_runs(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint8_t *wire = NULL;
    size_t len = 0;
    START(h, MAX, NULL);
    CHECK(encode_call(&wire, &len, 1, "quick", "first") == 0);
    CHECK(encode_call(&wire, &len, 2, "pause", "1500") == 0);
    CHECK(host_send_raw(&h, wire, len) == 0);
    free(wire);
    /* the answer to 1 arrives while 2 is still pausing, and nothing else yet */
    EXPECT_REPLY(h, 1, "first");
    struct pollfd pfd = {.fd = h.fd, .events = POLLIN};
    EXPECT(h, h.len == 0 && poll(&pfd, 1, 200) == 0);
    EXPECT_REPLY(h, 2, "");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

static void quick_answers_go_out_before_the_plugin_leaves(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    uint8_t *wire = NULL;
    size_t len = 0;
    START(h, MAX, NULL);
    CHECK(encode_call(&wire, &len, 1, "quick", "a") == 0);
    CHECK(encode_call(&wire, &len, 2, "quick", "b") == 0);
    struct msg m;
    CHECK(msg_encode(msg_goodbye(&m, ""), &wire, &len) == 0);
    CHECK(host_send_raw(&h, wire, len) == 0);
    free(wire);
    EXPECT_REPLY(h, 1, "a");
    EXPECT_REPLY(h, 2, "b");
    CHECK(host_wait(&h) == 0);
}

const struct test serve_tests[] = {
    {"hello_lists_services", hello_lists_services},
    {"calls_answer", calls_answer},
    {"errors_have_codes", errors_have_codes},
    {"library_version_is_the_header_version", library_version_is_the_header_version},
    {"ping_log_config", ping_log_config},
    {"goodbye_after_pending_call", goodbye_after_pending_call},
    {"after_an_answer_the_plugin_polls_then_sleeps", after_an_answer_the_plugin_polls_then_sleeps},
    {"sigterm_while_polling_is_seen", sigterm_while_polling_is_seen},
    {"refusal_is_an_error", refusal_is_an_error},
    {"wrong_welcome_version", wrong_welcome_version},
    {"request_before_welcome", request_before_welcome},
    {"quick_answers_of_one_read_all_come_back_in_order", quick_answers_of_one_read_all_come_back_in_order},
    {"waiting_quick_answers_go_out_before_a_slow_handler_runs",
     waiting_quick_answers_go_out_before_a_slow_handler_runs},
    {"quick_answers_go_out_before_the_plugin_leaves", quick_answers_go_out_before_the_plugin_leaves},
    {NULL, NULL},
};
