/* checks.h - what the SDK tests that play the host share: starting the test plugin, checking a
 * reply (and killing the plugin when the check fails), reading a reply's result. */
#ifndef OUTPOST_TEST_CHECKS_H
#define OUTPOST_TEST_CHECKS_H

#include <signal.h>
#include <string.h>

#include "harness.h"
#include "host.h"

/* Spawns the test plugin in mode (NULL: none) and handshakes; on failure the test fails. */
#define HOST_START(h, mode, max, config)                                        \
    do {                                                                        \
        CHECK(host_spawn_mode(&(h), NULL, (mode)) == 0);                        \
        if (host_handshake(&(h), (max), (config)) != 0) {                       \
            host_wait(&(h));                                                    \
            CHECK(!"handshake");                                                \
        }                                                                       \
    } while (0)

/* Checks a reply held in `frame`; on failure frees it, kills the plugin and fails the test. */
#define EXPECT(h, cond)                                                         \
    do {                                                                        \
        if (!(cond)) {                                                          \
            host_free_frame(frame);                                             \
            kill((h).pid, SIGKILL);                                             \
            host_wait(&(h));                                                    \
            CHECK(cond);                                                        \
        }                                                                       \
    } while (0)

/* Receives the reply to call id and checks that it is exactly the payload text / an error of code
 * whose message contains msg (NULL: any); uses the caller's `frame`, which is NULL again after. */
#define EXPECT_REPLY(h, id, text)                                               \
    do {                                                                        \
        EXPECT(h, payload_is(host_reply(&(h), (id), &frame), (text)));          \
        host_free_frame(frame);                                                 \
        frame = NULL;                                                           \
    } while (0)

#define EXPECT_ERROR(h, id, code, msg)                                          \
    do {                                                                        \
        EXPECT(h, error_is(host_reply(&(h), (id), &frame), (code), (msg)));     \
        host_free_frame(frame);                                                 \
        frame = NULL;                                                           \
    } while (0)

/* Calls method of service "test" with payload and checks that it answers exactly answer (as
 * EXPECT_REPLY). */
#define EXPECT_CALL(h, id, method, payload, len, answer)                        \
    do {                                                                        \
        CHECK(host_call(&(h), (id), "test", (method), (payload), (len)) == 0);  \
        EXPECT_REPLY(h, id, answer);                                            \
    } while (0)

/* Receives the plugin's call into the caller's `req` (held in `frame`), checking its service,
 * method and id (not 0). */
#define EXPECT_REQUEST(h, svc, meth)                                            \
    do {                                                                        \
        req = host_request(&(h), &frame);                                       \
        EXPECT(h, req != NULL && strcmp(req->service, (svc)) == 0 &&            \
                      strcmp(req->method, (meth)) == 0 && req->id != 0);        \
    } while (0)

/* EXPECT_REQUEST, then the call's id into *dst and the frame freed (`frame` is NULL again). */
#define EXPECT_REQUEST_ID(h, svc, meth, dst)                                    \
    do {                                                                        \
        Outpost__V1__Request *req;                                              \
        EXPECT_REQUEST(h, svc, meth);                                           \
        *(dst) = req->id;                                                       \
        host_free_frame(frame);                                                 \
        frame = NULL;                                                           \
    } while (0)

/* Whether r answered with exactly the payload text. */
static inline int payload_is(const Outpost__V1__Response *r, const char *text)
{
    return r != NULL && r->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD &&
           r->payload.len == strlen(text) &&
           (r->payload.len == 0 || memcmp(r->payload.data, text, r->payload.len) == 0);
}

/* Whether r failed with code, and a message containing msg (NULL: any). */
static inline int error_is(const Outpost__V1__Response *r, Outpost__V1__Code code, const char *msg)
{
    return r != NULL && r->result_case == OUTPOST__V1__RESPONSE__RESULT_ERROR &&
           r->error->code == code && (msg == NULL || strstr(r->error->message, msg) != NULL);
}

#endif
