/* common.c - what the cases share: waiting for answers and exits, and saying what went wrong. */
#include <stdio.h>
#include <string.h>

#include "kit.h"

int kit_target(const struct kit *k, const char **service, const char **method, char *why,
               size_t n)
{
    *service = k->service ? k->service : k->found_service;
    *method = k->method ? k->method : k->found_method;
    if (*service != NULL && *method != NULL)
        return 0;
    snprintf(why, n, "no method to call: the handshake found none (give --service and --method)");
    return -1;
}

enum verdict sess_finish(struct session *s, enum verdict v, char *why, size_t n)
{
    if (v != PASS && why[0] == '\0')
        snprintf(why, n, "%s", s->why);
    sess_end(s);
    return v;
}

enum verdict kit_call_case(struct kit *k, char *why, size_t n, kit_calls_fn body)
{
    const char *service, *method;
    if (kit_target(k, &service, &method, why, n) != 0)
        return SKIP;
    struct session s;
    enum verdict v = sess_start(&s, k, NULL) == 0 ? body(&s, service, method) : FAIL;
    return sess_finish(&s, v, why, n);
}

void sess_explain(struct session *s, enum recv_result r, Outpost__V1__Frame *f,
                  const char *waiting_for)
{
    char why[sizeof s->why], ex[64];
    switch (r) {
    case RECV_FRAME:
        snprintf(why, sizeof why, "sent a %s while the kit waited for %s", kit_kind_name(f),
                 waiting_for);
        break;
    case RECV_TIMEOUT:
        snprintf(why, sizeof why, "sent nothing within %d ms while the kit waited for %s",
                 s->kit->timeout_ms, waiting_for);
        break;
    case RECV_EOF:
        snprintf(why, sizeof why, "closed the connection while the kit waited for %s (%s)",
                 waiting_for, kit_exit_text(sess_wait_exit(s, s->kit->grace_ms), ex, sizeof ex));
        break;
    case RECV_BAD:
        snprintf(why, sizeof why, "%.400s, while the kit waited for %s", s->why, waiting_for);
        break;
    }
    memcpy(s->why, why, sizeof why);
    if (f != NULL)
        outpost__v1__frame__free_unpacked(f, NULL);
}

Outpost__V1__Response *sess_await(struct session *s, uint64_t id, Outpost__V1__Frame **f)
{
    char what[64];
    snprintf(what, sizeof what, "the answer to call %llu", (unsigned long long)id);
    enum recv_result r = sess_next(s, kit_now_ms() + s->kit->timeout_ms, f);
    if (r == RECV_FRAME && (*f)->kind_case == OUTPOST__V1__FRAME__KIND_RESPONSE) {
        if ((*f)->response->id == id)
            return (*f)->response;
        snprintf(s->why, sizeof s->why, "answered id %llu, a call the kit never made (it waited "
                 "for %llu)", (unsigned long long)(*f)->response->id, (unsigned long long)id);
        return NULL;
    }
    sess_explain(s, r, *f, what);
    *f = NULL;
    return NULL;
}

static const char *code_name(unsigned code)
{
    static const char *const names[] = {"CODE_UNSPECIFIED", "UNIMPLEMENTED", "INVALID_ARGUMENT",
                                        "DEADLINE_EXCEEDED", "CANCELLED", "INTERNAL", "UNAVAILABLE",
                                        "RESOURCE_EXHAUSTED", "PROTOCOL_ERROR",
                                        "PERMISSION_DENIED"};
    return code < sizeof names / sizeof names[0] ? names[code] : "an unknown code";
}

const char *kit_answer_text(const Outpost__V1__Response *r, char *buf, size_t size)
{
    if (r->result_case == OUTPOST__V1__RESPONSE__RESULT_ERROR)
        snprintf(buf, size, "error %s (%u) \"%.100s\"", code_name((unsigned)r->error->code),
                 (unsigned)r->error->code, r->error->message ? r->error->message : "");
    else if (r->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD)
        snprintf(buf, size, "a payload of %zu bytes", r->payload.len);
    else
        snprintf(buf, size, "neither payload nor error");
    return buf;
}

int sess_check_response(struct session *s, const Outpost__V1__Response *r)
{
    if (r->result_case == OUTPOST__V1__RESPONSE__RESULT__NOT_SET) {
        snprintf(s->why, sizeof s->why, "answered call %llu with neither payload nor error (a "
                 "Response sets exactly one)", (unsigned long long)r->id);
        return -1;
    }
    if (r->result_case == OUTPOST__V1__RESPONSE__RESULT_ERROR &&
        (r->error->code == 0 || r->error->code > OUTPOST__V1__CODE__PERMISSION_DENIED)) {
        snprintf(s->why, sizeof s->why, "answered call %llu with error code %u, which is never "
                 "sent", (unsigned long long)r->id, (unsigned)r->error->code);
        return -1;
    }
    return 0;
}

/* Reads frames until end of file or deadline. Returns 0 at end of file, 1 at the deadline, -1
 * on a frame that is not allowed (s->why set). */
static int drain(struct session *s, long deadline, int strict, const char *after)
{
    for (;;) {
        Outpost__V1__Frame *f;
        enum recv_result r = strict ? sess_recv(s, deadline, &f) : sess_next(s, deadline, &f);
        if (r == RECV_EOF)
            return 0;
        if (r == RECV_TIMEOUT)
            return 1;
        if (r == RECV_BAD) {
            char why[sizeof s->why];
            snprintf(why, sizeof why, "after %s, %.400s", after, s->why);
            memcpy(s->why, why, sizeof why);
            return -1;
        }
        int ok = !strict && f->kind_case == OUTPOST__V1__FRAME__KIND_GOODBYE;
        if (!ok)
            snprintf(s->why, sizeof s->why, "sent a %s after %s%s", kit_kind_name(f), after,
                     strict ? " (nothing may follow the Hello before a Welcome)" : "");
        outpost__v1__frame__free_unpacked(f, NULL);
        if (!ok)
            return -1;
    }
}

enum verdict sess_expect_failure(struct session *s, int strict, int allow_close,
                                 const char *after)
{
    long deadline = kit_now_ms() + s->kit->grace_ms;
    int d = drain(s, deadline, strict, after);
    if (d < 0)
        return FAIL;
    long left = deadline - kit_now_ms();
    int code = sess_wait_exit(s, left > 0 ? (int)left : 0);
    char ex[64];
    if (code > 0 && code < 128)
        return PASS;
    if (code < 0 && d == 0 && allow_close)
        return PASS; /* it closed the connection: the host kills what is left */
    if (code < 0)
        snprintf(s->why, sizeof s->why, "still running %d ms after %s%s", s->kit->grace_ms,
                 after, d == 0 ? " (it closed the connection but did not exit)" : "");
    else
        snprintf(s->why, sizeof s->why, "%s after %s (a plugin exits with a non-zero code)",
                 kit_exit_text(code, ex, sizeof ex), after);
    return FAIL;
}

enum verdict sess_expect_exit0(struct session *s, const char *after)
{
    long deadline = kit_now_ms() + s->kit->grace_ms;
    if (drain(s, deadline, 0, after) < 0)
        return FAIL;
    long left = deadline - kit_now_ms();
    int code = sess_wait_exit(s, left > 0 ? (int)left : 0);
    if (code == 0)
        return PASS;
    char ex[64];
    if (code < 0)
        snprintf(s->why, sizeof s->why, "still running %d ms after %s", s->kit->grace_ms, after);
    else if (code == 128 + 15)
        snprintf(s->why, sizeof s->why, "killed by SIGTERM after %s: a plugin catches it and "
                 "exits 0 (as pid 1 of its namespace, it would get SIGKILL instead)", after);
    else
        snprintf(s->why, sizeof s->why, "%s after %s (it must exit 0)",
                 kit_exit_text(code, ex, sizeof ex), after);
    return FAIL;
}
