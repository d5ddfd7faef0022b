/*
 * test_plugin_calls.c - the test plugin's methods that call the host, and its ready callbacks.
 *
 * A call is described by the request's payload: "TIMEOUT SERVICE METHOD BODY", BODY being the
 * payload of the plugin's call (it may be empty or large); BODY "*N" stands for N bytes 'b'.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_plugin.h"

/* The error of the last call that failed with a negative return, or 0. */
static int last_call_rc;
static int async_sent, async_answered;

struct call_args {
    unsigned long timeout;
    char service[64], method[64];
    const char *body;
    size_t body_len;
    char *made;     /* the body of "*N", to free */
};

/* Parses "TIMEOUT SERVICE METHOD BODY". Returns 0 or -1. */
static int parse(const outpost_request *req, struct call_args *a)
{
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char head[160];
    size_t n = len < sizeof head - 1 ? len : sizeof head - 1;
    memcpy(head, data, n);
    head[n] = '\0';
    int used = 0;
    if (sscanf(head, "%lu %63s %63s%n", &a->timeout, a->service, a->method, &used) != 3)
        return -1;
    if ((size_t)used < len && data[used] == ' ')
        used++;
    a->body = data + used;
    a->body_len = len - (size_t)used;
    a->made = NULL;
    if (a->body_len > 1 && a->body[0] == '*') {
        a->body_len = strtoul(head + used + 1, NULL, 10);
        if ((a->made = malloc(a->body_len + 1)) == NULL)
            return -1;
        memset(a->made, 'b', a->body_len);
        a->body = a->made;
    }
    return 0;
}

/* "call": a blocking call; answers "ok:" and the host's payload, or the host's error as
 * "host: MESSAGE" with its code. Checks that its own request and response buffer survive. */
static int call(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    struct call_args a;
    size_t len;
    const void *payload = outpost_request_payload(req, &len);
    if (parse(req, &a) != 0)
        return -1;
    void *copy = malloc(len ? len : 1);
    char *pre = outpost_response_alloc(resp, 3); /* must not be what a nested handler gets */
    if (copy == NULL || pre == NULL) {
        free(copy);
        free(a.made);
        return -1;
    }
    memcpy(copy, payload, len);
    memcpy(pre, "ok:", 3);
    outpost_answer answer;
    int rc = outpost_call(outpost_request_plugin(req), a.service, a.method, a.body, a.body_len,
                          (uint32_t)a.timeout, &answer);
    free(a.made);
    int intact = memcmp(copy, payload, len) == 0 && memcmp(pre, "ok:", 3) == 0;
    free(copy);
    if (rc != 0) {
        last_call_rc = rc;
        return outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "outpost_call: %d", rc);
    }
    if (!intact)
        rc = outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "request payload changed");
    else if (answer.code != OUTPOST_CODE_OK)
        rc = outpost_response_set_error(resp, answer.code, "host: %s",
                                        answer.message ? answer.message : "(none)");
    else {
        /* the answer in scratch memory, sent after the handler returns */
        char *out = outpost_request_scratch(req, 3 + answer.len);
        if (out == NULL || outpost_request_scratch(req, 1u << 30) != NULL) {
            rc = -1;
        } else {
            memcpy(out, pre, 3);
            if (answer.len > 0)
                memcpy(out + 3, answer.payload, answer.len);
            rc = outpost_response_set_payload_ref(resp, out, 3 + answer.len);
        }
    }
    outpost_answer_clear(&answer);
    return rc;
}

/* Logs an async call's answer; takes the payload to free it itself. */
static void logged_answer(void *user, outpost_answer *answer)
{
    outpost_plugin *p = user;
    char *payload = answer->payload;
    answer->payload = NULL;
    async_answered++;
    outpost_log(p, OUTPOST_LOG_INFO, "answer: code=%d payload=%.*s message=%s", (int)answer->code,
                (int)answer->len, payload ? payload : "", answer->message ? answer->message : "");
    free(payload);
}

/* "call_async" (and "quick_async", a quick method): sends the call, answers "sent" at once. */
static int call_async(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    struct call_args a;
    if (parse(req, &a) != 0)
        return -1;
    outpost_plugin *p = outpost_request_plugin(req);
    int rc = outpost_call_async(p, a.service, a.method, a.body, a.body_len, (uint32_t)a.timeout,
                                logged_answer, p);
    free(a.made);
    if (rc != 0)
        return outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "async: %d", rc);
    async_sent++;
    return outpost_response_set_payload(resp, "sent", 4);
}

static int async_count(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    char text[64];
    int n = snprintf(text, sizeof text, "%d sent %d answered", async_sent, async_answered);
    return outpost_response_set_payload(resp, text, (size_t)n);
}

/* "imports": whether the payload names an available import. */
static int imports(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char name[64] = "";
    memcpy(name, data, len < sizeof name - 1 ? len : sizeof name - 1);
    int has = outpost_import_available(outpost_request_plugin(req), name);
    return outpost_response_set_payload(resp, has ? "1" : "0", 1);
}

struct from_thread {
    outpost_plugin *p;
    int rc_call, rc_async;
};

static void *call_in_thread(void *arg)
{
    struct from_thread *t = arg;
    outpost_answer answer;
    t->rc_call = outpost_call(t->p, "host", "echo", "x", 1, 0, &answer);
    t->rc_async = outpost_call_async(t->p, "host", "echo", "x", 1, 0, logged_answer, t->p);
    return NULL;
}

/* "call_thread": calls from another thread than the serving one; answers both return values. */
static int call_thread(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    struct from_thread t = {.p = outpost_request_plugin(req)};
    pthread_t th;
    if (pthread_create(&th, NULL, call_in_thread, &t) != 0 || pthread_join(th, NULL) != 0)
        return -1;
    char text[32];
    int n = snprintf(text, sizeof text, "%d %d", t.rc_call, t.rc_async);
    return outpost_response_set_payload(resp, text, (size_t)n);
}

static char ready_text[128] = "not called";

/* "ready": calls host/ready from the ready callback and keeps what it got for "ready_result". */
static int on_ready(void *user, outpost_plugin *p)
{
    (void)user;
    outpost_answer a;
    int rc = outpost_call(p, "host", "ready", "hi", 2, 0, &a);
    snprintf(ready_text, sizeof ready_text, "ready:%d:%d:%.*s", rc, (int)a.code, (int)a.len,
             a.payload ? (const char *)a.payload : "");
    outpost_answer_clear(&a);
    return 0;
}

static int on_ready_fail(void *user, outpost_plugin *p)
{
    (void)user, (void)p;
    return -20;
}

static int ready_result(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    return outpost_response_set_payload(resp, ready_text, strlen(ready_text));
}

int add_call_methods(outpost_plugin *p)
{
    int rc = 0;
    rc = rc ? rc : outpost_plugin_add_method(p, "test", "call", call, NULL);
    rc = rc ? rc : outpost_plugin_add_method(p, "test", "call_async", call_async, NULL);
    rc = rc ? rc : outpost_plugin_add_method_flags(p, "test", "quick_async", call_async, NULL,
                                                   OUTPOST_METHOD_QUICK);
    rc = rc ? rc : outpost_plugin_add_method(p, "test", "async_count", async_count, NULL);
    rc = rc ? rc : outpost_plugin_add_method(p, "test", "imports", imports, NULL);
    rc = rc ? rc : outpost_plugin_add_method(p, "test", "call_thread", call_thread, NULL);
    rc = rc ? rc : outpost_plugin_add_method(p, "test", "ready_result", ready_result, NULL);
    return rc;
}

int set_ready_mode(outpost_plugin *p, const char *mode)
{
    if (strcmp(mode, "ready") == 0)
        return outpost_plugin_on_ready(p, on_ready, NULL);
    if (strcmp(mode, "ready_fail") == 0)
        return outpost_plugin_on_ready(p, on_ready_fail, NULL);
    return 0;
}

int check_calls_refused(outpost_plugin *p, int before)
{
    if (before && outpost_import_available(p, "log") != 0) /* no Welcome yet */
        return 43;
    outpost_answer a = {.code = OUTPOST_CODE_INTERNAL};
    if (outpost_call(p, "host", "echo", "x", 1, 0, &a) != OUTPOST_EBUSY ||
        a.code != OUTPOST_CODE_OK ||
        outpost_call_async(p, "host", "echo", NULL, 0, 0, logged_answer, p) != OUTPOST_EBUSY ||
        outpost_call(p, "", "echo", NULL, 0, 0, &a) != OUTPOST_EINVAL ||
        outpost_call(p, "host", "echo", NULL, 1, 0, &a) != OUTPOST_EINVAL ||
        outpost_call(p, "host", "\xff", NULL, 0, 0, &a) != OUTPOST_EINVAL ||
        outpost_call(p, "host", "echo", NULL, 0, 0, NULL) != OUTPOST_EINVAL ||
        outpost_call_async(p, "host", "echo", NULL, 0, 0, NULL, NULL) != OUTPOST_EINVAL ||
        outpost_import_available(NULL, "log") != 0 || outpost_import_available(p, NULL) != 0)
        return 43;
    outpost_answer_clear(NULL);
    return 0;
}

int check_calls_after(int rc)
{
    if (async_sent != async_answered) {
        fprintf(stderr, "test_plugin: %d async calls, %d callbacks\n", async_sent, async_answered);
        return 40;
    }
    if (rc != 0 && last_call_rc != 0 && last_call_rc != 10 - rc) {
        fprintf(stderr, "test_plugin: a call failed with %d, serving with %d\n", last_call_rc,
                10 - rc);
        return 41;
    }
    return rc;
}
