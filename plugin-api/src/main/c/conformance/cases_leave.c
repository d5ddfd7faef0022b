/* cases_leave.c - the cases that end the plugin: protocol errors, Refusal, Goodbye, EOF,
 * SIGTERM; and the rules before the Welcome. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kit.h"
#include "wire.h"

enum verdict case_pre_welcome(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    Outpost__V1__Frame *f = NULL;
    if (sess_hello(&s, k, NULL) != 0)
        goto out;
    /* without a Welcome, nothing may follow the Hello */
    enum recv_result r = sess_recv(&s, kit_now_ms() + 300, &f);
    if (r != RECV_TIMEOUT) {
        sess_explain(&s, r, f, "the Welcome, which it must wait for in silence");
        goto out;
    }
    /* a Request before the Welcome is a protocol error: not answered, and the plugin leaves */
    const char *service, *method;
    if (kit_target(k, &service, &method, why, n) != 0) {
        service = "outpost.conformance";
        method = "call_before_welcome";
        why[0] = '\0';
    }
    if (sess_request(&s, 8, service, method) != 0)
        goto out;
    v = sess_expect_failure(&s, 1, 0, "a Request before the Welcome, a protocol error");
out:
    return sess_finish(&s, v, why, n);
}

enum verdict case_oversize_frame(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    if (sess_start(&s, k, NULL) != 0)
        goto out;
    /* a length over the maximum, and a few bytes of the frame: the plugin must not wait for more */
    uint8_t buf[WIRE_VARINT_MAX + 8];
    size_t len = wire_put_varint(buf, (uint64_t)KIT_MAX_FRAME + 1);
    memcpy(buf + len, "\x22\x00\x22\x00\x22\x00\x22\x00", 8);
    char after[96];
    snprintf(after, sizeof after, "a frame length of %u was announced (the maximum is %u)",
             KIT_MAX_FRAME + 1, KIT_MAX_FRAME);
    if (sess_send_raw(&s, buf, len + 8) == 0)
        v = sess_expect_failure(&s, 0, 1, after);
out:
    return sess_finish(&s, v, why, n);
}

enum verdict case_malformed_frame(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    /* a Frame whose field 4 (request) says 127 bytes where 2 follow: no protobuf parser takes it */
    static const uint8_t bad[] = {4, 0x22, 0x7f, 0x08, 0x01};
    if (sess_start(&s, k, NULL) == 0 && sess_send_raw(&s, bad, sizeof bad) == 0)
        v = sess_expect_failure(&s, 0, 0, "a malformed frame (bytes that are no Frame message)");
    return sess_finish(&s, v, why, n);
}

enum verdict case_refusal(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    Outpost__V1__Refusal r = OUTPOST__V1__REFUSAL__INIT;
    r.reason = "conformance: refused on purpose";
    Outpost__V1__Frame f = OUTPOST__V1__FRAME__INIT;
    f.kind_case = OUTPOST__V1__FRAME__KIND_REFUSAL;
    f.refusal = &r;
    if (sess_hello(&s, k, NULL) == 0 && sess_send(&s, &f) == 0)
        v = sess_expect_failure(&s, 1, 0, "a Refusal");
    return sess_finish(&s, v, why, n);
}

enum verdict case_goodbye(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    if (sess_start(&s, k, NULL) == 0 && sess_goodbye(&s) == 0)
        v = sess_expect_exit0(&s, "a Goodbye");
    return sess_finish(&s, v, why, n);
}

enum verdict case_eof(struct kit *k, char *why, size_t n)
{
    struct session s;
    enum verdict v = FAIL;
    if (sess_start(&s, k, NULL) == 0) {
        sess_close(&s);
        v = sess_expect_exit0(&s, "the kit closed the connection");
    }
    return sess_finish(&s, v, why, n);
}

/* Waits for the Pong of a Ping: the plugin is then idle, waiting for frames. */
static int idle(struct session *s)
{
    Outpost__V1__Frame *f = NULL;
    if (sess_ping(s, 77) != 0)
        return -1;
    enum recv_result r = sess_next(s, kit_now_ms() + s->kit->timeout_ms, &f);
    if (r == RECV_FRAME && f->kind_case == OUTPOST__V1__FRAME__KIND_PONG) {
        outpost__v1__frame__free_unpacked(f, NULL);
        return 0;
    }
    sess_explain(s, r, f, "a Pong");
    return -1;
}

/* SIGTERM just after a call was written: the plugin exits 0 in time. It may answer the call first
 * (its bytes were there before the signal) or not (the host has failed it already, section 9);
 * an answer that comes must be right. */
static enum verdict sigterm_race(struct session *s, const char *service, const char *method)
{
    if (idle(s) != 0 || sess_request(s, 9, service, method) != 0)
        return FAIL;
    kill(s->pid, SIGTERM); /* right after the call's bytes */
    long deadline = kit_now_ms() + s->kit->grace_ms;
    int answered = 0;
    for (;;) {
        Outpost__V1__Frame *f;
        enum recv_result r = sess_next(s, deadline, &f);
        if (r == RECV_EOF || r == RECV_TIMEOUT)
            break;
        if (r == RECV_BAD)
            return FAIL;
        int ok = f->kind_case == OUTPOST__V1__FRAME__KIND_GOODBYE;
        if (f->kind_case == OUTPOST__V1__FRAME__KIND_RESPONSE) {
            if (f->response->id != 9 || answered)
                snprintf(s->why, sizeof s->why, "after SIGTERM, answered id %llu%s",
                         (unsigned long long)f->response->id,
                         f->response->id == 9 ? " twice" : ", a call the kit never made (it "
                                                          "made 9)");
            else
                ok = sess_check_response(s, f->response) == 0;
            answered = 1;
        } else if (!ok) {
            snprintf(s->why, sizeof s->why, "sent a %s after SIGTERM", kit_kind_name(f));
        }
        outpost__v1__frame__free_unpacked(f, NULL);
        if (!ok)
            return FAIL;
    }
    long left = deadline - kit_now_ms();
    int code = sess_wait_exit(s, left > 0 ? (int)left : 0);
    char ex[64];
    if (code == 0)
        return PASS;
    if (code < 0)
        snprintf(s->why, sizeof s->why, "still running %d ms after SIGTERM (it must exit 0 "
                 "promptly, also when the signal comes as it wakes up for a call)",
                 s->kit->grace_ms);
    else if (code == 128 + SIGTERM)
        snprintf(s->why, sizeof s->why, "killed by SIGTERM: a plugin catches it and exits 0 (as "
                 "pid 1 of its namespace, it would get SIGKILL instead)");
    else
        snprintf(s->why, sizeof s->why, "%s after SIGTERM (it must exit 0)",
                 kit_exit_text(code, ex, sizeof ex));
    return FAIL;
}

enum verdict case_sigterm_race(struct kit *k, char *why, size_t n)
{
    return kit_call_case(k, why, n, sigterm_race);
}
