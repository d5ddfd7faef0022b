/*
 * messages.h - the frames a host sends, built with the protoc-c code, for the two programs here
 * that play the host: the conformance kit and the SDK's tests (test/host.c). Compiled into both
 * (the installed kit needs nothing else); not part of the library.
 *
 * A struct msg is a Frame with room for the message it carries, so that a frame is built on the
 * caller's stack: msg_ping(&m, 7) fills m and returns &m.frame, which is valid as long as m is,
 * and the strings and bytes given to it.
 */
#ifndef OUTPOST_MESSAGES_H
#define OUTPOST_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "outpost/v1/outpost.pb-c.h"

struct msg {
    Outpost__V1__Frame frame;
    union {
        Outpost__V1__Request request;
        struct {
            Outpost__V1__Response response;
            Outpost__V1__Error error;
        } answer;
        Outpost__V1__Ping ping;
        Outpost__V1__Pong pong;
        Outpost__V1__Cancel cancel;
        Outpost__V1__Goodbye goodbye;
    } u;
};

/* Frame{request{id, service, method, payload of len bytes (payload may be NULL if len is 0)}}. */
const Outpost__V1__Frame *msg_request(struct msg *m, uint64_t id, const char *service,
                                      const char *method, const void *payload, size_t len);

/* Frame{response{id, payload of len bytes}} / Frame{response{id, error{code, message}}}. */
const Outpost__V1__Frame *msg_answer(struct msg *m, uint64_t id, const void *payload, size_t len);
const Outpost__V1__Frame *msg_error(struct msg *m, uint64_t id, int code, const char *message);

/* Frame{ping{nonce}}, Frame{pong{nonce}}, Frame{cancel{id}}, Frame{goodbye{reason}}. */
const Outpost__V1__Frame *msg_ping(struct msg *m, uint64_t nonce);
const Outpost__V1__Frame *msg_pong(struct msg *m, uint64_t nonce);
const Outpost__V1__Frame *msg_cancel(struct msg *m, uint64_t id);
const Outpost__V1__Frame *msg_goodbye(struct msg *m, const char *reason);

/* Appends f, length prefix first, to the malloc'd buffer *buf of *len bytes (grown with realloc;
 * *buf may be NULL). Returns 0, or -1 when out of memory (*buf is left as it was). */
int msg_encode(const Outpost__V1__Frame *f, uint8_t **buf, size_t *len);

#endif
