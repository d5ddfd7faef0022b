/* test_stress.c - pipelining, split writes, large payloads and frame limits. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "checks.h"

#define MAX 16777216u


#define START(h, max) HOST_START(h, NULL, max, NULL)

/* Encodes n echo requests, request i carrying size bytes of value i. */
static uint8_t *echo_requests(int n, size_t size, size_t *len)
{
    uint8_t *out = NULL, *payload = malloc(size ? size : 1);
    *len = 0;
    for (int i = 0; i < n && payload != NULL; i++) {
        memset(payload, i, size);
        struct msg m;
        msg_encode(msg_request(&m, (uint64_t)i + 1, "test", "echo", payload, size), &out, len);
    }
    free(payload);
    return out;
}

static int echoed(const Outpost__V1__Response *r, int i, size_t size)
{
    if (r == NULL || r->result_case != OUTPOST__V1__RESPONSE__RESULT_PAYLOAD ||
        r->payload.len != size)
        return 0;
    for (size_t k = 0; k < size; k++)
        if (r->payload.data[k] != (uint8_t)i)
            return 0;
    return 1;
}

struct writer {
    struct host *h;
    const uint8_t *data;
    size_t len, step;
    int rc;
};

static void *write_all(void *arg)
{
    struct writer *w = arg;
    w->rc = 0;
    for (size_t off = 0; off < w->len && w->rc == 0; off += w->step)
        w->rc = host_send_raw(w->h, w->data + off, w->len - off < w->step ? w->len - off : w->step);
    return NULL;
}

/* Sends n echo requests of size bytes from a thread (in chunks of step), reads the n replies. */
static void pipelined(int n, size_t size, size_t step, uint32_t max)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    size_t len;
    START(h, max);
    uint8_t *data = echo_requests(n, size, &len);
    struct writer w = {.h = &h, .data = data, .len = len, .step = step};
    pthread_t t;
    if (data == NULL || pthread_create(&t, NULL, write_all, &w) != 0) {
        free(data);
        kill(h.pid, SIGKILL);
        host_wait(&h);
        CHECK(!"writer");
    }
    int ok = 1;
    for (int i = 0; i < n && ok; i++) {
        ok = echoed(host_reply(&h, (uint64_t)i + 1, &frame), i, size);
        host_free_frame(frame);
    }
    frame = NULL;
    if (!ok)
        kill(h.pid, SIGKILL);
    pthread_join(t, NULL);
    free(data);
    CHECK(ok && w.rc == 0);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

static void pipelined_200_small(void) { pipelined(200, 64, 1 << 20, MAX); }
static void pipelined_50_of_100k(void) { pipelined(50, 100000, 1 << 20, MAX); }
static void split_byte_by_byte(void) { pipelined(3, 300, 1, MAX); }
static void echo_4_mib(void) { pipelined(2, 4u << 20, 1 << 20, MAX); }
static void echo_largest_frame(void) { pipelined(1, MAX - 64, 1 << 20, MAX); }
static void echo_16_mib_with_32_mib_frames(void) { pipelined(1, 16u << 20, 1 << 20, 32u << 20); }

static void response_over_limit(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, 4096);
    CHECK(host_call(&h, 1, "test", "alloc", "4000", 4) == 0);
    Outpost__V1__Response *r = host_reply(&h, 1, &frame);
    EXPECT(h, r && r->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD &&
                  r->payload.len == 4000);
    host_free_frame(frame);
    CHECK(host_call(&h, 2, "test", "alloc", "5000", 4) == 0);
    r = host_reply(&h, 2, &frame);
    EXPECT(h, r && r->result_case == OUTPOST__V1__RESPONSE__RESULT_ERROR &&
                  r->error->code == OUTPOST__V1__CODE__RESOURCE_EXHAUSTED);
    host_free_frame(frame);
    /* a request over the negotiated limit is a protocol error */
    uint8_t *big = calloc(1, 5000);
    CHECK(big != NULL);
    int sent = host_call(&h, 3, "test", "echo", big, 5000);
    free(big);
    CHECK(sent == 0);
    CHECK(host_wait(&h) == 17); /* 10 - OUTPOST_ETOOBIG */
}

/* Sends bytes right after the handshake and expects the exit code. */
static int exit_after(const void *bytes, size_t len, uint32_t max)
{
    struct host h;
    if (host_spawn(&h, NULL) != 0)
        return -2;
    if (host_handshake(&h, max, NULL) != 0 || host_send_raw(&h, bytes, len) != 0) {
        kill(h.pid, SIGKILL);
        host_wait(&h);
        return -3;
    }
    return host_wait(&h);
}

static void oversize_frames(void)
{
    static const uint8_t max32[] = {0xff, 0xff, 0xff, 0xff, 0x0f};      /* 2^32 - 1 */
    static const uint8_t just_over[] = {0x81, 0x80, 0x80, 0x08};        /* 2^24 + 1 */
    static const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};  /* 6-byte prefix */
    CHECK(exit_after(max32, sizeof max32, 0) == 17);
    CHECK(exit_after(just_over, sizeof just_over, 0) == 17);
    CHECK(exit_after(six, sizeof six, 0) == 16);
}

static void garbage_and_empty_frames(void)
{
    static const uint8_t garbage[] = {10, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0xff}; /* a key that never ends */
    static const uint8_t empty[] = {0};
    static const uint8_t unknown_only[] = {2, 0x78, 0x01}; /* field 15 only: no kind */
    CHECK(exit_after(garbage, sizeof garbage, MAX) == 16);
    CHECK(exit_after(empty, sizeof empty, MAX) == 16);
    CHECK(exit_after(unknown_only, sizeof unknown_only, MAX) == 16);
}

static void stray_frames_are_ignored(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, MAX);
    struct msg m;
    CHECK(host_send(&h, msg_cancel(&m, 5)) == 0);
    CHECK(host_send(&h, msg_pong(&m, 0)) == 0);
    CHECK(host_call(&h, 1, "test", "echo", "ok", 2) == 0);
    Outpost__V1__Response *r = host_reply(&h, 1, &frame);
    EXPECT(h, r && r->payload.len == 2);
    host_free_frame(frame);
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

static void response_never_asked_for(void)
{
    static const uint8_t response[] = {4, 0x2a, 2, 0x08, 7}; /* Response{id 7} */
    CHECK(exit_after(response, sizeof response, MAX) == 16);
}

const struct test stress_tests[] = {
    {"pipelined_200_small", pipelined_200_small},
    {"pipelined_50_of_100k", pipelined_50_of_100k},
    {"split_byte_by_byte", split_byte_by_byte},
    {"echo_4_mib", echo_4_mib},
    {"echo_largest_frame", echo_largest_frame},
    {"echo_16_mib_with_32_mib_frames", echo_16_mib_with_32_mib_frames},
    {"response_over_limit", response_over_limit},
    {"oversize_frames", oversize_frames},
    {"garbage_and_empty_frames", garbage_and_empty_frames},
    {"stray_frames_are_ignored", stray_frames_are_ignored},
    {"response_never_asked_for", response_never_asked_for},
    {NULL, NULL},
};
