/* conn.c - the kit's end of a plugin's connection: frames out and in (see kit.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kit.h"
#include "messages.h"
#include "outpost.h"

const char *kit_kind_name(const Outpost__V1__Frame *f)
{
    static const char *const names[] = {"frame of no kind", "Hello", "Welcome", "Refusal",
                                        "Request", "Response", "Cancel", "Log", "Goodbye", "Ping",
                                        "Pong"};
    unsigned k = (unsigned)f->kind_case;
    return k < sizeof names / sizeof names[0] ? names[k] : "frame of an unknown kind";
}

int sess_send_raw(struct session *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    long deadline = kit_now_ms() + s->kit->timeout_ms;
    while (len > 0) {
        if (s->fd < 0) {
            snprintf(s->why, sizeof s->why, "cannot write: the kit closed the connection");
            return -1;
        }
        ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            long left = deadline - kit_now_ms();
            struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
            if (left > 0 && poll(&pfd, 1, (int)left) >= 0)
                continue;
            snprintf(s->why, sizeof s->why, "stopped reading: %zu bytes not written after %d ms",
                     len, s->kit->timeout_ms);
            return -1;
        }
        snprintf(s->why, sizeof s->why, "closed the connection while the kit wrote (%s)",
                 n < 0 ? strerror(errno) : "no progress");
        return -1;
    }
    return 0;
}

int sess_send(struct session *s, const Outpost__V1__Frame *f)
{
    uint8_t *b = NULL;
    size_t len = 0;
    int rc = -1;
    if (msg_encode(f, &b, &len) == 0)
        rc = sess_send_raw(s, b, len);
    else
        snprintf(s->why, sizeof s->why, "the kit is out of memory");
    free(b);
    return rc;
}

int kit_encode_request(const struct kit *kit, uint64_t id, const char *service, const char *method,
                       uint8_t **buf, size_t *len)
{
    struct msg m;
    return msg_encode(msg_request(&m, id, service, method, kit->payload, kit->payload_len), buf,
                      len);
}

int sess_request(struct session *s, uint64_t id, const char *service, const char *method)
{
    struct msg m;
    return sess_send(s, msg_request(&m, id, service, method, s->kit->payload,
                                    s->kit->payload_len));
}

int sess_ping(struct session *s, uint64_t nonce)
{
    struct msg m;
    return sess_send(s, msg_ping(&m, nonce));
}

int sess_cancel(struct session *s, uint64_t id)
{
    struct msg m;
    return sess_send(s, msg_cancel(&m, id));
}

int sess_goodbye(struct session *s)
{
    struct msg m;
    return sess_send(s, msg_goodbye(&m, "conformance: goodbye"));
}

/* Takes the next whole frame out of the receive buffer, if there is one. */
static enum recv_result take(struct session *s, Outpost__V1__Frame **f, int *have)
{
    const uint8_t *data;
    size_t len;
    *have = 1;
    switch (frame_rx_next(&s->rx, &data, &len)) {
    case FRAME_READY:
        *f = outpost__v1__frame__unpack(NULL, len, data);
        if (*f == NULL) {
            snprintf(s->why, sizeof s->why, "sent a frame of %zu bytes that is no Frame message",
                     len);
            return RECV_BAD;
        }
        if ((*f)->kind_case == OUTPOST__V1__FRAME__KIND__NOT_SET) {
            outpost__v1__frame__free_unpacked(*f, NULL);
            *f = NULL;
            snprintf(s->why, sizeof s->why, "sent a frame of %zu bytes with no kind set", len);
            return RECV_BAD;
        }
        return RECV_FRAME;
    case FRAME_BAD_PREFIX:
        snprintf(s->why, sizeof s->why, "sent a length prefix over 5 bytes or 2^32-1");
        return RECV_BAD;
    case FRAME_TOO_BIG:
        snprintf(s->why, sizeof s->why, "sent a frame length of %llu, over the maximum of %u",
                 (unsigned long long)s->rx.bad_len, (unsigned)s->rx.max_frame);
        return RECV_BAD;
    case FRAME_MORE:
        break;
    }
    *have = 0;
    return RECV_TIMEOUT;
}

enum recv_result sess_recv(struct session *s, long deadline, Outpost__V1__Frame **f)
{
    *f = NULL;
    for (;;) {
        int have;
        enum recv_result r = take(s, f, &have);
        if (have)
            return r;
        if (s->fd < 0)
            return RECV_EOF;
        long left = deadline - kit_now_ms();
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
            return RECV_TIMEOUT;
        size_t space;
        uint8_t *dst = frame_rx_space(&s->rx, &space);
        if (dst == NULL) {
            snprintf(s->why, sizeof s->why, "the kit is out of memory");
            return RECV_BAD;
        }
        ssize_t n = recv(s->fd, dst, space, 0);
        if (n > 0)
            frame_rx_commit(&s->rx, (size_t)n);
        else if (n == 0 || errno == ECONNRESET)
            sess_close(s); /* what is buffered is still taken, then EOF */
        else if (errno != EAGAIN && errno != EINTR) {
            snprintf(s->why, sizeof s->why, "reading failed: %s", strerror(errno));
            return RECV_BAD;
        }
    }
}

enum recv_result sess_next(struct session *s, long deadline, Outpost__V1__Frame **f)
{
    for (;;) {
        enum recv_result r = sess_recv(s, deadline, f);
        if (r != RECV_FRAME)
            return r;
        struct msg m;
        int rc = 1;
        switch ((*f)->kind_case) {
        case OUTPOST__V1__FRAME__KIND_LOG:
            rc = 0;
            break;
        case OUTPOST__V1__FRAME__KIND_PING:
            rc = sess_send(s, msg_pong(&m, (*f)->ping->nonce));
            break;
        case OUTPOST__V1__FRAME__KIND_REQUEST:
            /* the kit's Welcome imports nothing */
            rc = sess_send(s, msg_error(&m, (*f)->request->id, OUTPOST__V1__CODE__PERMISSION_DENIED,
                                        "the conformance kit has no host services"));
            break;
        default:
            return RECV_FRAME;
        }
        outpost__v1__frame__free_unpacked(*f, NULL);
        *f = NULL;
        if (rc != 0) /* the plugin is gone: what it sent before is still read */
            sess_close(s);
    }
}

/* Why the plugin gave no Hello: what it did instead. */
static int no_hello(struct session *s, enum recv_result r, Outpost__V1__Frame *f, int ms)
{
    char why[sizeof s->why], ex[64];
    if (r == RECV_FRAME)
        snprintf(why, sizeof why, "sent a %s before its Hello", kit_kind_name(f));
    else if (r == RECV_TIMEOUT)
        snprintf(why, sizeof why, "sent no Hello within %d ms", ms);
    else if (r == RECV_EOF)
        snprintf(why, sizeof why, "closed the connection without a Hello (%s)",
                 kit_exit_text(sess_wait_exit(s, s->kit->grace_ms), ex, sizeof ex));
    else
        snprintf(why, sizeof why, "instead of a Hello, %.400s", s->why);
    memcpy(s->why, why, sizeof why);
    if (f != NULL)
        outpost__v1__frame__free_unpacked(f, NULL);
    return -1;
}

int sess_hello(struct session *s, const struct kit *kit, Outpost__V1__Frame **hello)
{
    if (hello != NULL)
        *hello = NULL;
    if (sess_spawn(s, kit, KIT_MAX_FRAME) != 0)
        return -1;
    int ms = kit->timeout_ms > KIT_HANDSHAKE_MS ? kit->timeout_ms : KIT_HANDSHAKE_MS;
    Outpost__V1__Frame *f;
    enum recv_result r = sess_recv(s, kit_now_ms() + ms, &f);
    if (r != RECV_FRAME || f->kind_case != OUTPOST__V1__FRAME__KIND_HELLO)
        return no_hello(s, r, f, ms);
    uint32_t lo = f->hello->min_version, hi = f->hello->max_version;
    if (lo < 1 || lo > hi || lo > 1) {
        snprintf(s->why, sizeof s->why, "its Hello offers versions %u to %u: none is 1",
                 (unsigned)lo, (unsigned)hi);
        outpost__v1__frame__free_unpacked(f, NULL);
        return -1;
    }
    if (hello != NULL)
        *hello = f;
    else
        outpost__v1__frame__free_unpacked(f, NULL);
    return 0;
}

int sess_start(struct session *s, const struct kit *kit, Outpost__V1__Frame **hello)
{
    if (sess_hello(s, kit, hello) != 0)
        return -1;
    Outpost__V1__Welcome w = OUTPOST__V1__WELCOME__INIT;
    w.version = 1;
    w.host_name = "outpost-conformance";
    w.host_version = (char *)outpost_version_string();
    w.minor_version = 1;
    Outpost__V1__Frame out = OUTPOST__V1__FRAME__INIT;
    out.kind_case = OUTPOST__V1__FRAME__KIND_WELCOME;
    out.welcome = &w;
    if (sess_send(s, &out) == 0)
        return 0;
    if (hello != NULL) {
        outpost__v1__frame__free_unpacked(*hello, NULL);
        *hello = NULL;
    }
    return -1;
}
