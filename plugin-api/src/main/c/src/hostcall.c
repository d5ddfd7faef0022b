/*
 * hostcall.c - the plugin's calls of the host's services: sending them, waiting for answers,
 * deadlines, and the callbacks of async calls.
 *
 * Every call in flight has an entry in p->calls (ids 1, 2, 3...). A Response completes its entry:
 * a blocking call's answer goes straight to its waiter, on outpost_call()'s stack; an async
 * call's goes to the p->done queue, whose callbacks only outpost_serve()'s loop runs, so that a
 * callback never runs inside a handler or another call. Deadlines are the poll timeout of
 * whichever loop reads next.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "utf8.h"

/* Payloads up to this size are copied behind the Request's envelope and sent with it. */
#define COPY_MAX 4096

void outpost_answer_clear(outpost_answer *answer)
{
    if (answer == NULL)
        return;
    free(answer->payload);
    free(answer->message);
    memset(answer, 0, sizeof *answer);
}

int outpost_import_available(const outpost_plugin *p, const char *service)
{
    if (p == NULL || service == NULL)
        return 0;
    for (size_t i = 0; i < p->n_imports; i++)
        if (strcmp(p->imports[i], service) == 0)
            return 1;
    return 0;
}

/* An answer with an error of the SDK's own. */
static void answer_error(outpost_answer *a, outpost_code code, const char *fmt, ...)
    OUTPOST_PRINTF(3, 4);
static void answer_error(outpost_answer *a, outpost_code code, const char *fmt, ...)
{
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    memset(a, 0, sizeof *a);
    a->code = code;
    a->message = strdup(text);
}

/* The answer a Response carries, copied out of the receive buffer (its bytes are within a frame
 * that arrived, so within the maximum frame size). */
static void answer_from_wire(outpost_answer *a, const struct wire_response *wr)
{
    memset(a, 0, sizeof *a);
    if (wr->is_error) {
        bool known = wr->code >= OUTPOST_CODE_UNIMPLEMENTED &&
                     wr->code <= OUTPOST_CODE_PERMISSION_DENIED;
        a->code = known ? (outpost_code)wr->code : OUTPOST_CODE_INTERNAL;
        a->message = malloc(wr->message_len + 1);
        if (a->message != NULL) {
            memcpy(a->message, wr->message, wr->message_len);
            a->message[wr->message_len] = '\0';
        }
        return;
    }
    if (wr->payload_len == 0)
        return;
    a->payload = malloc(wr->payload_len);
    if (a->payload == NULL) {
        a->code = OUTPOST_CODE_RESOURCE_EXHAUSTED;
        return;
    }
    memcpy(a->payload, wr->payload, wr->payload_len);
    a->len = wr->payload_len;
}

static size_t find(const outpost_plugin *p, uint64_t id)
{
    size_t i = 0;
    while (i < p->n_calls && p->calls[i].id != id)
        i++;
    return i;
}

/* Makes room for want async answers waiting for their callbacks. Returns 0 or OUTPOST_ENOMEM. */
static int reserve_done(outpost_plugin *p, size_t want)
{
    if (want <= p->cap_done)
        return 0;
    size_t cap = p->cap_done ? p->cap_done * 2 : 16;
    if (cap < want)
        cap = want;
    struct finished *done = realloc(p->done, cap * sizeof *done);
    if (done == NULL)
        return OUTPOST_ENOMEM;
    p->done = done;
    p->cap_done = cap;
    return 0;
}

/* Queues an async call's answer for its callback. Room was reserved by outpost_call_async(). */
static void push_done(outpost_plugin *p, outpost_answer_fn fn, void *user, outpost_answer *a)
{
    if (p->n_done == p->cap_done) {
        memmove(p->done, p->done + p->done_head, (p->n_done - p->done_head) * sizeof *p->done);
        p->n_done -= p->done_head;
        p->done_head = 0;
    }
    p->done[p->n_done++] = (struct finished){.fn = fn, .user = user, .answer = *a};
}

/* Completes call i with answer a (moved), which is no longer in flight. */
static void finish(outpost_plugin *p, size_t i, outpost_answer *a)
{
    struct pending c = p->calls[i];
    p->calls[i] = p->calls[--p->n_calls];
    if (c.waiter != NULL) {
        *c.waiter->answer = *a;
        c.waiter->done = true;
        return;
    }
    p->n_async--;
    push_done(p, c.fn, c.user, a);
}

int calls_answer(outpost_plugin *p, const struct wire_response *wr)
{
    if (wr->id == 0 || wr->id > p->last_id)
        return plugin_fail(p, OUTPOST_EPROTO,
                           "protocol error: Response to call %llu, which was never sent",
                           (unsigned long long)wr->id);
    size_t i = find(p, wr->id);
    if (i == p->n_calls)
        return 0; /* no longer in flight (its deadline passed): dropped */
    outpost_answer a;
    answer_from_wire(&a, wr);
    finish(p, i, &a);
    return 0;
}

long calls_next_deadline(const outpost_plugin *p)
{
    long next = 0;
    for (size_t i = 0; i < p->n_calls; i++)
        if (p->calls[i].deadline > 0 && (next == 0 || p->calls[i].deadline < next))
            next = p->calls[i].deadline;
    return next;
}

int calls_expire(outpost_plugin *p)
{
    long now = 0;
    for (size_t i = 0; i < p->n_calls && !p->failed;) {
        struct pending *c = &p->calls[i];
        if (c->deadline == 0 || c->deadline > (now ? now : (now = io_now_ns()))) {
            i++;
            continue;
        }
        uint64_t id = c->id;
        outpost_answer a;
        answer_error(&a, OUTPOST_CODE_DEADLINE_EXCEEDED, "no answer from the host within %u ms",
                     (unsigned)c->timeout_ms);
        finish(p, i, &a); /* the last entry moves to i */
        uint8_t cancel[WIRE_CANCEL_MAX];
        int rc = send_frames(p, cancel, wire_cancel(cancel, id), NULL, 0);
        if (rc != 0)
            return conn_failed(p, rc);
    }
    return p->failed;
}

void calls_run_done(outpost_plugin *p)
{
    while (p->done_head < p->n_done) {
        struct finished f = p->done[p->done_head++]; /* a callback may queue more, or move them */
        f.fn(f.user, &f.answer);
        outpost_answer_clear(&f.answer);
    }
    p->done_head = p->n_done = 0;
}

void calls_end(outpost_plugin *p)
{
    do {
        while (p->n_calls > 0) {
            outpost_answer a;
            answer_error(&a, OUTPOST_CODE_UNAVAILABLE, "%s", p->leave_reason);
            finish(p, p->n_calls - 1, &a);
        }
        calls_run_done(p);
    } while (p->n_calls > 0);
}

void calls_free(outpost_plugin *p)
{
    for (size_t i = p->done_head; i < p->n_done; i++)
        outpost_answer_clear(&p->done[i].answer);
    free(p->done);
    free(p->calls);
    for (size_t i = 0; i < p->n_imports; i++)
        free(p->imports[i]);
    free(p->imports);
}

/* The checks both kinds of call make before anything else. */
static int check_call(const outpost_plugin *p, const char *service, const char *method,
                      const void *payload, size_t len)
{
    if (p == NULL || service == NULL || method == NULL || *service == '\0' || *method == '\0' ||
        (payload == NULL && len > 0) || !utf8_valid(service, strlen(service)) ||
        !utf8_valid(method, strlen(method)))
        return OUTPOST_EINVAL;
    /* the serving thread, after the Welcome, until outpost_serve() returns */
    if (p->state != PLUGIN_SERVING || !p->welcomed || !pthread_equal(p->thread, pthread_self()))
        return OUTPOST_EBUSY;
    return p->failed;
}

/* Sends the Request of call c (id, deadline set here) and records it as in flight. */
static int call_send(outpost_plugin *p, const char *service, const char *method,
                     const void *payload, size_t len, uint32_t timeout_ms, struct pending *c)
{
    size_t slen = strlen(service), mlen = strlen(method);
    uint64_t id = p->last_id + 1;
    if (wire_request_size(id, slen, mlen, timeout_ms, len) > p->max_frame)
        return OUTPOST_ETOOBIG;
    size_t copy = len <= COPY_MAX ? len : 0;
    if (buf_reserve(&p->tx, slen + mlen + WIRE_REQUEST_OVERHEAD + copy) != 0)
        return OUTPOST_ENOMEM;
    if (p->n_calls == p->cap_calls) {
        size_t cap = p->cap_calls ? p->cap_calls * 2 : 16;
        struct pending *calls = realloc(p->calls, cap * sizeof *calls);
        if (calls == NULL)
            return OUTPOST_ENOMEM;
        p->calls = calls;
        p->cap_calls = cap;
    }
    size_t n = wire_request_header(p->tx.data, id, service, slen, method, mlen, timeout_ms, len);
    if (copy > 0)
        memcpy(p->tx.data + n, payload, copy);
    p->last_id = id;
    c->id = id;
    c->timeout_ms = timeout_ms;
    c->deadline = timeout_ms ? io_now_ns() + (long)timeout_ms * 1000000L : 0;
    p->calls[p->n_calls++] = *c;
    /* send_frames() sends the waiting answers of quick methods first */
    int rc = send_frames(p, p->tx.data, n + copy, copy ? NULL : payload, copy ? 0 : len);
    if (rc != 0) {
        size_t i = find(p, id);
        p->calls[i] = p->calls[--p->n_calls];
        return conn_failed(p, rc);
    }
    return 0;
}

int outpost_call(outpost_plugin *p, const char *service, const char *method,
                 const void *payload, size_t len, uint32_t timeout_ms, outpost_answer *answer)
{
    if (answer == NULL)
        return OUTPOST_EINVAL;
    memset(answer, 0, sizeof *answer);
    int rc = check_call(p, service, method, payload, len);
    if (rc != 0)
        return rc;
    if (p->leaving) {
        answer_error(answer, OUTPOST_CODE_UNAVAILABLE, "%s", p->leave_reason);
        return 0;
    }
    if ((rc = level_pin(p)) != 0) /* the running handler's request stays where it is */
        return rc;
    struct waiter w = {.answer = answer, .done = false};
    struct pending c = {.waiter = &w};
    if ((rc = call_send(p, service, method, payload, len, timeout_ms, &c)) != 0)
        return rc;
    while (!w.done) {
        if (p->leaving) {
            size_t i = find(p, c.id);
            if (i < p->n_calls)
                p->calls[i] = p->calls[--p->n_calls];
            if (p->failed)
                return p->failed;
            answer_error(answer, OUTPOST_CODE_UNAVAILABLE, "%s", p->leave_reason);
            return 0;
        }
        /* Pings, the host's requests (nested), answers to other calls; deadlines, ours too */
        if (conn_pump(p, calls_next_deadline(p)) == 0)
            calls_expire(p);
    }
    return 0;
}

int outpost_call_async(outpost_plugin *p, const char *service, const char *method,
                       const void *payload, size_t len, uint32_t timeout_ms,
                       outpost_answer_fn fn, void *user)
{
    int rc = fn == NULL ? OUTPOST_EINVAL : check_call(p, service, method, payload, len);
    if (rc != 0)
        return rc;
    size_t in_flight = p->n_async + (p->n_done - p->done_head);
    if (in_flight >= OUTPOST_MAX_CALLS_IN_FLIGHT)
        return OUTPOST_EAGAIN;
    if (reserve_done(p, in_flight + 1) != 0) /* so that its answer always finds room */
        return OUTPOST_ENOMEM;
    if (p->leaving) {
        outpost_answer a;
        answer_error(&a, OUTPOST_CODE_UNAVAILABLE, "%s", p->leave_reason);
        push_done(p, fn, user, &a);
        return 0;
    }
    struct pending c = {.fn = fn, .user = user};
    if ((rc = call_send(p, service, method, payload, len, timeout_ms, &c)) != 0)
        return rc;
    p->n_async++;
    return 0;
}
