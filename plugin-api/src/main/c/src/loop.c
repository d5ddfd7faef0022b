/* loop.c - the frames from the host: handling each, waiting for more, the serving loop. */
#include <stdio.h>

#include "internal.h"

/* What handling one frame leads to. */
enum { GO_ON = 0, LEAVE = 1 };

static const char *kind_name(enum wire_kind k)
{
    static const char *const names[] = {"none", "Hello", "Welcome", "Refusal", "Request",
                                        "Response", "Cancel", "Log", "Goodbye", "Ping", "Pong"};
    return k <= WIRE_PONG ? names[k] : "?";
}

static int handle_frame(outpost_plugin *p, const uint8_t *data, size_t len)
{
    struct wire_frame wf;
    struct wire_request wr;
    struct wire_response wa;
    uint64_t nonce;
    if (wire_decode_frame(data, len, &wf) != 0)
        return plugin_fail(p, OUTPOST_EPROTO, "protocol error: malformed frame of %zu bytes", len);
    if (!p->welcomed && wf.kind != WIRE_WELCOME && wf.kind != WIRE_REFUSAL &&
        wf.kind != WIRE_GOODBYE && wf.kind != WIRE_PING)
        return plugin_fail(p, OUTPOST_EPROTO, "protocol error: %s before the Welcome",
                           kind_name(wf.kind));

    switch (wf.kind) {
    case WIRE_REQUEST:
        if (wire_decode_request(wf.data, wf.len, &wr) != 0)
            return plugin_fail(p, OUTPOST_EPROTO, "protocol error: malformed Request");
        return call_dispatch(p, &wr);
    case WIRE_RESPONSE:
        if (wire_decode_response(wf.data, wf.len, &wa) != 0)
            return plugin_fail(p, OUTPOST_EPROTO, "protocol error: malformed Response");
        return calls_answer(p, &wa);
    case WIRE_PING: {
        uint8_t pong[WIRE_PONG_MAX];
        if (wire_decode_field1(wf.data, wf.len, &nonce) != 0)
            return plugin_fail(p, OUTPOST_EPROTO, "protocol error: malformed Ping");
        return send_frames(p, pong, wire_pong(pong, nonce), NULL, 0);
    }
    case WIRE_WELCOME:
        if (p->welcomed)
            return plugin_fail(p, OUTPOST_EPROTO, "protocol error: a second Welcome");
        return serve_take_welcome(p, &wf);
    case WIRE_REFUSAL:
        return serve_take_refusal(p, &wf);
    case WIRE_GOODBYE:
        p->leave_reason = "the host said Goodbye";
        return LEAVE;
    case WIRE_CANCEL: /* the host's calls run to completion: nothing to cancel */
    case WIRE_PONG:
    case WIRE_LOG:
        return GO_ON;
    case WIRE_HELLO:
        return plugin_fail(p, OUTPOST_EPROTO, "protocol error: Hello from the host");
    case WIRE_NONE:
    default:
        return plugin_fail(p, OUTPOST_EPROTO, "protocol error: frame of %zu bytes has no kind",
                           len);
    }
}

int conn_failed(outpost_plugin *p, int rc)
{
    if (p->failed == 0)
        p->failed = rc;
    p->leaving = true;
    if (p->leave_reason == NULL)
        p->leave_reason = "the connection to the host failed";
    return p->failed;
}

/* The connection stopped (c->stop): EOF, or SIGTERM. */
static int stopped(outpost_plugin *p)
{
    p->leaving = true;
    if (p->leave_reason == NULL)
        p->leave_reason = p->conn.stop == IO_TERMINATED ? "the plugin got SIGTERM"
                                                        : "the host closed the connection";
    return 0;
}

int conn_pump(outpost_plugin *p, long deadline)
{
    const uint8_t *frame;
    size_t len;
    int rc;
    switch (frame_rx_next(&p->rx, &frame, &len)) {
    case FRAME_READY:
        if (!p->fresh && io_term_pending(&p->conn))
            return stopped(p);
        p->fresh = false;
        rc = handle_frame(p, frame, len);
        if (rc < 0 || p->failed)
            return conn_failed(p, rc < 0 ? rc : p->failed);
        if (rc == LEAVE) {
            p->leaving = true;
            return 0;
        }
        return p->conn.stop != IO_RUNNING ? stopped(p) : 0;
    case FRAME_BAD_PREFIX:
        return conn_failed(p, plugin_fail(p, OUTPOST_EPROTO,
                                          "protocol error: malformed frame length prefix"));
    case FRAME_TOO_BIG:
        return conn_failed(p, plugin_fail(p, OUTPOST_ETOOBIG,
                                          "protocol error: frame length %llu exceeds the maximum "
                                          "of %u bytes",
                                          (unsigned long long)p->rx.bad_len,
                                          (unsigned)p->rx.max_frame));
    case FRAME_MORE:
        break;
    }
    rc = batch_flush(p); /* every frame read so far is handled: answer before waiting */
    if (rc != 0)
        return conn_failed(p, rc);
    if (p->conn.stop != IO_RUNNING)
        return stopped(p);
    long n = io_read(&p->conn, &p->rx, deadline);
    if (n < 0)
        return conn_failed(p, (int)n);
    if (n == 0) /* the host is gone, SIGTERM, or the deadline passed */
        return p->conn.stop != IO_RUNNING ? stopped(p) : 0;
    p->fresh = true;
    return 0;
}

int serve_loop(outpost_plugin *p)
{
    while (!p->leaving) {
        if (p->n_done > p->done_head) {
            calls_run_done(p);
            if (p->leaving)
                break;
        }
        if (conn_pump(p, p->n_calls ? calls_next_deadline(p) : 0) != 0)
            break;
        if (p->n_calls > 0 && calls_expire(p) != 0)
            break;
    }
    return p->failed;
}
