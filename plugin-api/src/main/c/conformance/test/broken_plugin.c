/*
 * broken_plugin.c - a plugin written without the SDK, on the protocol alone, for the tests of the
 * conformance kit. Without an argument it keeps every rule (the kit passes it); argv[1] breaks
 * one, so that the tests can check that the kit fails exactly the cases that rule is about:
 *   wrong-id     answers each call with the call's id + 1
 *   ignore-term  ignores SIGTERM
 *   chatty       sends a Log right after its Hello, before the Welcome
 *   bad-exit     exits 3 where it must exit 0 (Goodbye, end of file, SIGTERM)
 *   lenient      skips frames it cannot parse, waits for frames of any length, and takes calls
 *                before the Welcome
 * Its one method is broken/echo.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"
#include "outpost/v1/outpost.pb-c.h"
#include "wire.h"

static int fd = 3;
static const char *mode = "";
static volatile sig_atomic_t term;

static void on_term(int sig)
{
    (void)sig;
    term = 1;
}

static int is(const char *m)
{
    return strcmp(mode, m) == 0;
}

/* The exit code where the protocol says 0. */
static int clean_exit(void)
{
    return is("bad-exit") ? 3 : 0;
}

static void send_frame(const Outpost__V1__Frame *f)
{
    uint8_t stack[512], *buf = stack;
    size_t size = outpost__v1__frame__get_packed_size(f);
    if (size + WIRE_VARINT_MAX > sizeof stack && (buf = malloc(size + WIRE_VARINT_MAX)) == NULL)
        exit(1);
    size_t len = wire_put_varint(buf, size);
    len += outpost__v1__frame__pack(f, buf + len);
    for (size_t off = 0; off < len;) {
        ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) /* the host is gone */
            exit(clean_exit());
        off += (size_t)n;
    }
    if (buf != stack)
        free(buf);
}

static void say_hello(void)
{
    char *methods[] = {"echo"};
    Outpost__V1__ServiceDescriptor d = OUTPOST__V1__SERVICE_DESCRIPTOR__INIT;
    d.name = "broken";
    d.n_methods = 1;
    d.methods = methods;
    Outpost__V1__ServiceDescriptor *services[] = {&d};
    Outpost__V1__Hello h = OUTPOST__V1__HELLO__INIT;
    h.min_version = h.max_version = 1;
    h.minor_version = 1;
    h.plugin_name = "broken";
    h.plugin_version = "0";
    h.n_services = 1;
    h.services = services;
    Outpost__V1__Frame f = OUTPOST__V1__FRAME__INIT;
    f.kind_case = OUTPOST__V1__FRAME__KIND_HELLO;
    f.hello = &h;
    send_frame(&f);
    if (is("chatty")) {
        Outpost__V1__Log l = OUTPOST__V1__LOG__INIT;
        l.level = OUTPOST__V1__LEVEL__INFO;
        l.message = "hello again";
        Outpost__V1__Frame lf = OUTPOST__V1__FRAME__INIT;
        lf.kind_case = OUTPOST__V1__FRAME__KIND_LOG;
        lf.log = &l;
        send_frame(&lf);
    }
}

static void answer(const Outpost__V1__Request *req)
{
    Outpost__V1__Response r = OUTPOST__V1__RESPONSE__INIT;
    Outpost__V1__Error e = OUTPOST__V1__ERROR__INIT;
    r.id = is("wrong-id") ? req->id + 1 : req->id;
    if (strcmp(req->service, "broken") == 0 && strcmp(req->method, "echo") == 0) {
        r.result_case = OUTPOST__V1__RESPONSE__RESULT_PAYLOAD;
        r.payload = req->payload;
    } else {
        e.code = OUTPOST__V1__CODE__UNIMPLEMENTED;
        e.message = "no such method";
        r.result_case = OUTPOST__V1__RESPONSE__RESULT_ERROR;
        r.error = &e;
    }
    Outpost__V1__Frame f = OUTPOST__V1__FRAME__INIT;
    f.kind_case = OUTPOST__V1__FRAME__KIND_RESPONSE;
    f.response = &r;
    send_frame(&f);
}

static void pong(uint64_t nonce)
{
    Outpost__V1__Pong p = OUTPOST__V1__PONG__INIT;
    p.nonce = nonce;
    Outpost__V1__Frame f = OUTPOST__V1__FRAME__INIT;
    f.kind_case = OUTPOST__V1__FRAME__KIND_PONG;
    f.pong = &p;
    send_frame(&f);
}

/* Handles one frame. Returns 0 to go on, 1 to leave (Goodbye), -1 on a protocol error. */
static int handle(const uint8_t *data, size_t len, int *welcomed)
{
    Outpost__V1__Frame *f = outpost__v1__frame__unpack(NULL, len, data);
    if (f == NULL)
        return is("lenient") ? 0 : -1;
    int rc = 0;
    switch (f->kind_case) {
    case OUTPOST__V1__FRAME__KIND_WELCOME:
        rc = *welcomed ? -1 : 0;
        *welcomed = 1;
        break;
    case OUTPOST__V1__FRAME__KIND_REFUSAL:
        fprintf(stderr, "broken: refused: %s\n", f->refusal->reason);
        rc = -1;
        break;
    case OUTPOST__V1__FRAME__KIND_REQUEST:
        if (*welcomed || is("lenient"))
            answer(f->request);
        else
            rc = -1;
        break;
    case OUTPOST__V1__FRAME__KIND_PING:
        pong(f->ping->nonce);
        break;
    case OUTPOST__V1__FRAME__KIND_GOODBYE:
        rc = 1;
        break;
    case OUTPOST__V1__FRAME__KIND_CANCEL:
    case OUTPOST__V1__FRAME__KIND_PONG:
        break;
    default:
        rc = is("lenient") ? 0 : -1;
        break;
    }
    outpost__v1__frame__free_unpacked(f, NULL);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        mode = argv[1];
    const char *env = getenv("OUTPOST_FD");
    fd = env ? atoi(env) : 3;
    env = getenv("OUTPOST_MAX_FRAME_SIZE");
    uint32_t max = env ? (uint32_t)strtoul(env, NULL, 10) : 16777216u;
    signal(SIGPIPE, SIG_IGN);
    sigset_t term_set, wait_mask;
    sigemptyset(&term_set);
    sigaddset(&term_set, SIGTERM);
    if (is("ignore-term")) {
        signal(SIGTERM, SIG_IGN);
    } else { /* SIGTERM only inside ppoll, so that it is never lost */
        struct sigaction sa = {.sa_handler = on_term};
        sigaction(SIGTERM, &sa, NULL);
        sigprocmask(SIG_BLOCK, &term_set, &wait_mask);
        sigdelset(&wait_mask, SIGTERM);
    }
    struct frame_rx rx;
    if (frame_rx_init(&rx, is("lenient") ? UINT32_MAX : max) != 0)
        return 1;
    say_hello();
    int welcomed = 0;
    for (;;) {
        const uint8_t *data;
        size_t len;
        enum frame_status st;
        while ((st = frame_rx_next(&rx, &data, &len)) == FRAME_READY) {
            int rc = handle(data, len, &welcomed);
            if (rc < 0) {
                fprintf(stderr, "broken: protocol error\n");
                return 1;
            }
            if (rc > 0)
                return clean_exit();
        }
        if (st != FRAME_MORE) {
            fprintf(stderr, "broken: bad frame length\n");
            return 1;
        }
        if (term)
            return clean_exit();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (ppoll(&pfd, 1, NULL, is("ignore-term") ? NULL : &wait_mask) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        size_t space;
        uint8_t *dst = frame_rx_space(&rx, &space);
        ssize_t n = dst ? read(fd, dst, space) : -1;
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return clean_exit();
        if (n < 0 && errno != EINTR)
            return 1;
        if (n > 0)
            frame_rx_commit(&rx, (size_t)n);
    }
}
