/* cases_calls.c - the cases of a plugin that is up: handshake, calls, Cancel, Ping. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kit.h"

/* Checks the services of a Hello; remembers the first method for the call cases. */
static int check_services(struct session *s, struct kit *k, const Outpost__V1__Hello *h)
{
    if (h->n_services == 0) {
        snprintf(s->why, sizeof s->why, "its Hello lists no service");
        return -1;
    }
    for (size_t i = 0; i < h->n_services; i++) {
        const Outpost__V1__ServiceDescriptor *d = h->services[i];
        if (d->name == NULL || d->name[0] == '\0') {
            snprintf(s->why, sizeof s->why, "service %zu of its Hello has no name", i + 1);
            return -1;
        }
        if (d->n_methods == 0) {
            snprintf(s->why, sizeof s->why, "service \"%s\" of its Hello lists no method",
                     d->name);
            return -1;
        }
        for (size_t m = 0; m < d->n_methods; m++)
            if (d->methods[m] == NULL || d->methods[m][0] == '\0') {
                snprintf(s->why, sizeof s->why, "method %zu of service \"%s\" has no name",
                         m + 1, d->name);
                return -1;
            }
    }
    if (k->found_service == NULL) {
        k->found_service = strdup(h->services[0]->name);
        k->found_method = strdup(h->services[0]->methods[0]);
    }
    return 0;
}

/* Waits for the Pong of nonce. Returns 0, or -1 with s->why set. */
static int await_pong(struct session *s, uint64_t nonce)
{
    Outpost__V1__Frame *f;
    enum recv_result r = sess_next(s, kit_now_ms() + s->kit->timeout_ms, &f);
    if (r == RECV_FRAME && f->kind_case == OUTPOST__V1__FRAME__KIND_PONG) {
        uint64_t got = f->pong->nonce;
        outpost__v1__frame__free_unpacked(f, NULL);
        if (got == nonce)
            return 0;
        snprintf(s->why, sizeof s->why, "answered Ping %#llx with Pong %#llx",
                 (unsigned long long)nonce, (unsigned long long)got);
        return -1;
    }
    sess_explain(s, r, f, "a Pong");
    return -1;
}

enum verdict case_handshake(struct kit *k, char *why, size_t n)
{
    struct session s;
    Outpost__V1__Frame *hello = NULL, *f = NULL;
    enum verdict v = FAIL;
    if (sess_start(&s, k, &hello) != 0 || check_services(&s, k, hello->hello) != 0)
        goto out;
    /* the Welcome is taken: the plugin stays, says nothing it may not, and answers a Ping */
    enum recv_result r = sess_next(&s, kit_now_ms() + 200, &f);
    if (r != RECV_TIMEOUT) {
        sess_explain(&s, r, f, "nothing, just after the Welcome");
        goto out;
    }
    if (sess_ping(&s, 0x5eed) != 0 || await_pong(&s, 0x5eed) != 0) {
        char reason[sizeof s.why];
        memcpy(reason, s.why, sizeof reason);
        snprintf(s.why, sizeof s.why, "after the Welcome, %.400s", reason);
        goto out;
    }
    v = PASS;
out:
    if (hello != NULL)
        outpost__v1__frame__free_unpacked(hello, NULL);
    return sess_finish(&s, v, why, n);
}

/* One call of the target method, answered well. */
static enum verdict one_call(struct session *s, uint64_t id, const char *service,
                             const char *method)
{
    Outpost__V1__Frame *f = NULL;
    if (sess_request(s, id, service, method) != 0)
        return FAIL;
    Outpost__V1__Response *r = sess_await(s, id, &f);
    int ok = r != NULL && sess_check_response(s, r) == 0;
    if (f != NULL)
        outpost__v1__frame__free_unpacked(f, NULL);
    return ok ? PASS : FAIL;
}

static enum verdict first_call(struct session *s, const char *service, const char *method)
{
    return one_call(s, 1, service, method);
}

enum verdict case_call(struct kit *k, char *why, size_t n)
{
    return kit_call_case(k, why, n, first_call);
}

#define PIPELINED 300
/* Ids above 2^32, 7 apart: a plugin must echo the 64-bit id, not count or truncate. */
#define PIPE_ID(i) ((1ull << 32) + 7ull * (i))

static enum verdict pipelining(struct session *s, const char *service, const char *method)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    char answered[PIPELINED] = {0};
    int rc = 0;
    for (int i = 0; i < PIPELINED && rc == 0; i++)
        rc = kit_encode_request(s->kit, PIPE_ID(i), service, method, &buf, &len);
    if (rc != 0)
        snprintf(s->why, sizeof s->why, "the kit is out of memory");
    else
        rc = sess_send_raw(s, buf, len); /* all of them before reading any answer */
    free(buf);
    if (rc != 0)
        return FAIL;
    for (int got = 0; got < PIPELINED; got++) {
        Outpost__V1__Frame *f = NULL;
        char what[64];
        snprintf(what, sizeof what, "the other %d of %d answers", PIPELINED - got, PIPELINED);
        enum recv_result r = sess_next(s, kit_now_ms() + s->kit->timeout_ms, &f);
        if (r != RECV_FRAME || f->kind_case != OUTPOST__V1__FRAME__KIND_RESPONSE) {
            sess_explain(s, r, f, what);
            return FAIL;
        }
        uint64_t id = f->response->id, i = (id - PIPE_ID(0)) / 7;
        int bad = id < PIPE_ID(0) || (id - PIPE_ID(0)) % 7 != 0 || i >= PIPELINED;
        if (bad || answered[i])
            snprintf(s->why, sizeof s->why, "answered id %llu %s", (unsigned long long)id,
                     bad ? "which the kit never sent (it sent 300 ids from 4294967296, 7 apart)"
                         : "twice");
        int ok = !bad && !answered[i] && sess_check_response(s, f->response) == 0;
        outpost__v1__frame__free_unpacked(f, NULL);
        if (!ok)
            return FAIL;
        answered[i] = 1;
    }
    return PASS;
}

enum verdict case_pipelining(struct kit *k, char *why, size_t n)
{
    return kit_call_case(k, why, n, pipelining);
}

/* Writes a frame one byte at a time, 1 ms apart (the first 2000 bytes; the rest at once). */
static int send_split(struct session *s, const uint8_t *data, size_t len)
{
    size_t i = 0;
    for (; i < len && i < 2000; i++) {
        if (sess_send_raw(s, data + i, 1) != 0)
            return -1;
        poll(NULL, 0, 1);
    }
    return i < len ? sess_send_raw(s, data + i, len - i) : 0;
}

#define SPLIT_NONCE 0x0123456789abcdefull

/* A call, then a Ping, each written a byte at a time. */
static enum verdict split_frames(struct session *s, const char *service, const char *method)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    Outpost__V1__Frame *f = NULL;
    struct msg m;
    int ok = kit_encode_request(s->kit, 2, service, method, &buf, &len) == 0 &&
             send_split(s, buf, len) == 0;
    Outpost__V1__Response *r = ok ? sess_await(s, 2, &f) : NULL;
    ok = r != NULL && sess_check_response(s, r) == 0;
    if (f != NULL)
        outpost__v1__frame__free_unpacked(f, NULL);
    len = 0;
    ok = ok && msg_encode(msg_ping(&m, SPLIT_NONCE), &buf, &len) == 0 &&
         send_split(s, buf, len) == 0 && await_pong(s, SPLIT_NONCE) == 0;
    free(buf);
    return ok ? PASS : FAIL;
}

enum verdict case_split_frames(struct kit *k, char *why, size_t n)
{
    return kit_call_case(k, why, n, split_frames);
}

/* A call that must be answered UNIMPLEMENTED. Returns 0, or -1 with s->why set. */
static int unimplemented(struct session *s, uint64_t id, const char *service, const char *method)
{
    Outpost__V1__Frame *f = NULL;
    if (sess_request(s, id, service, method) != 0)
        return -1;
    Outpost__V1__Response *r = sess_await(s, id, &f);
    int ok = r != NULL && r->result_case == OUTPOST__V1__RESPONSE__RESULT_ERROR &&
             r->error->code == OUTPOST__V1__CODE__UNIMPLEMENTED;
    if (r != NULL && !ok) {
        char text[160];
        snprintf(s->why, sizeof s->why, "answered %s/%s, which it does not have, with %s",
                 service, method, kit_answer_text(r, text, sizeof text));
    }
    if (f != NULL)
        outpost__v1__frame__free_unpacked(f, NULL);
    return ok ? 0 : -1;
}

enum verdict case_unknown_method(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    const char *service, *method;
    char tmp[8];
    if (sess_start(&s, k, NULL) == 0 &&
        unimplemented(&s, 3, "outpost.conformance.NoSuchService", "no_such_method") == 0 &&
        (kit_target(k, &service, &method, tmp, sizeof tmp) != 0 ||
         unimplemented(&s, 4, service, "outpost_conformance_no_such_method") == 0))
        v = PASS;
    return sess_finish(&s, v, why, n);
}

#define UNKNOWN_ID 0xdeadbeefull

/* A call, its Cancel, a Cancel of no call and a Ping: the call is answered (any answer), the Ping
 * too, and the next call as well. */
static enum verdict cancel(struct session *s, const char *service, const char *method)
{
    int answered = 0, ponged = 0;
    if (sess_request(s, 5, service, method) != 0 || sess_cancel(s, 5) != 0 ||
        sess_cancel(s, UNKNOWN_ID) != 0 || sess_ping(s, 6) != 0)
        return FAIL;
    while (!answered || !ponged) {
        Outpost__V1__Frame *f;
        enum recv_result r = sess_next(s, kit_now_ms() + s->kit->timeout_ms, &f);
        if (r != RECV_FRAME || (f->kind_case != OUTPOST__V1__FRAME__KIND_RESPONSE &&
                                f->kind_case != OUTPOST__V1__FRAME__KIND_PONG)) {
            sess_explain(s, r, f, answered ? "the Pong after two Cancels" :
                                             "the answer to call 5, cancelled (any answer)");
            return FAIL;
        }
        int ok = 1;
        if (f->kind_case == OUTPOST__V1__FRAME__KIND_PONG) {
            ponged = 1;
        } else if (f->response->id != 5 || answered) {
            snprintf(s->why, sizeof s->why, "answered id %llu%s",
                     (unsigned long long)f->response->id,
                     f->response->id == UNKNOWN_ID ? ", whose Cancel was for no call in flight" :
                     f->response->id == 5 ? " twice" : ", a call the kit never made");
            ok = 0;
        } else {
            answered = 1;
            ok = sess_check_response(s, f->response) == 0;
        }
        outpost__v1__frame__free_unpacked(f, NULL);
        if (!ok)
            return FAIL;
    }
    /* the connection stays up: the next call is answered */
    return one_call(s, 7, service, method);
}

enum verdict case_cancel(struct kit *k, char *why, size_t n)
{
    return kit_call_case(k, why, n, cancel);
}

enum verdict case_ping(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    if (sess_start(&s, k, NULL) == 0 && sess_ping(&s, 0xfedcba9876543210ull) == 0 &&
        await_pong(&s, 0xfedcba9876543210ull) == 0 && sess_ping(&s, 0) == 0 &&
        await_pong(&s, 0) == 0)
        v = PASS;
    return sess_finish(&s, v, why, n);
}
