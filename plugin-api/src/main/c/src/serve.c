/* serve.c - the connection's life: Hello, Welcome, the frame loop, Log frames, leaving. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>

#include "internal.h"
#include "outpost/v1/outpost.pb-c.h"

/* What handling one frame leads to. */
enum { GO_ON = 0, LEAVE = 1 };

static int fail(const outpost_plugin *p, int rc, const char *fmt, ...) OUTPOST_PRINTF(3, 4);
static int fail(const outpost_plugin *p, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "outpost: %s: ", p->name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return rc;
}

/* Reads a positive number from the environment, or returns def. */
static unsigned long env_number(const char *name, unsigned long def, unsigned long max)
{
    const char *s = getenv(name);
    if (s == NULL || *s == '\0')
        return def;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > max)
        return def;
    return v;
}

/* Packs a generated Frame with its length prefix and sends it. */
static int send_message(outpost_plugin *p, const Outpost__V1__Frame *f)
{
    size_t size = outpost__v1__frame__get_packed_size(f);
    if (size > p->max_frame)
        return fail(p, OUTPOST_ETOOBIG, "frame of %zu bytes exceeds the maximum of %u bytes",
                    size, (unsigned)p->max_frame);
    int rc = buf_reserve(&p->tx, size + FRAME_PREFIX_MAX);
    if (rc != 0)
        return rc;
    size_t n = wire_put_varint(p->tx.data, size);
    n += outpost__v1__frame__pack(f, p->tx.data + n);
    return send_frames(p, p->tx.data, n, NULL, 0);
}

/* Hello: the methods grouped by service, services in the order of their first method. */
static int send_hello(outpost_plugin *p)
{
    size_t n = p->n_methods;
    Outpost__V1__ServiceDescriptor *descs = calloc(n ? n : 1, sizeof *descs);
    Outpost__V1__ServiceDescriptor **dps = calloc(n ? n : 1, sizeof *dps);
    char **names = calloc(n ? n : 1, sizeof *names);
    int rc = OUTPOST_ENOMEM;
    if (descs == NULL || dps == NULL || names == NULL)
        goto out;
    size_t n_services = 0, used = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = 0;
        while (s < n_services && strcmp(descs[s].name, p->methods[i].service) != 0)
            s++;
        if (s < n_services)
            continue;
        outpost__v1__service_descriptor__init(&descs[s]);
        descs[s].name = p->methods[i].service;
        descs[s].methods = names + used;
        for (size_t j = i; j < n; j++)
            if (strcmp(p->methods[j].service, descs[s].name) == 0)
                descs[s].methods[descs[s].n_methods++] = p->methods[j].method;
        used += descs[s].n_methods;
        dps[s] = &descs[s];
        n_services++;
    }
    Outpost__V1__Hello hello;
    outpost__v1__hello__init(&hello);
    hello.min_version = OUTPOST_PROTOCOL_VERSION_MIN;
    hello.max_version = OUTPOST_PROTOCOL_VERSION_MAX;
    hello.plugin_name = p->name;
    hello.plugin_version = p->version;
    hello.n_services = n_services;
    hello.services = dps;
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_HELLO;
    f.hello = &hello;
    rc = send_message(p, &f);
out:
    free(names);
    free(dps);
    free(descs);
    return rc;
}

static int take_welcome(outpost_plugin *p, const struct wire_frame *wf)
{
    Outpost__V1__Welcome *w = outpost__v1__welcome__unpack(NULL, wf->len, wf->data);
    if (w == NULL)
        return fail(p, OUTPOST_EPROTO, "protocol error: malformed Welcome");
    int rc = 0;
    if (w->version < OUTPOST_PROTOCOL_VERSION_MIN || w->version > OUTPOST_PROTOCOL_VERSION_MAX) {
        rc = fail(p, OUTPOST_EPROTO, "protocol error: host chose version %u, outside [%d, %d]",
                  (unsigned)w->version, OUTPOST_PROTOCOL_VERSION_MIN, OUTPOST_PROTOCOL_VERSION_MAX);
        goto out;
    }
    if (w->max_frame_size != 0)
        p->max_frame = p->rx.max_frame = w->max_frame_size;
    p->config = calloc(w->n_config ? w->n_config : 1, sizeof *p->config);
    if (p->config == NULL) {
        rc = OUTPOST_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < w->n_config; i++) {
        struct config_entry *e = &p->config[p->n_config];
        e->key = strdup(w->config[i]->key);
        e->value = strdup(w->config[i]->value);
        if (e->key == NULL || e->value == NULL) {
            free(e->key);
            free(e->value);
            rc = OUTPOST_ENOMEM;
            goto out;
        }
        p->n_config++;
    }
out:
    outpost__v1__welcome__free_unpacked(w, NULL);
    return rc;
}

static int take_refusal(outpost_plugin *p, const struct wire_frame *wf)
{
    Outpost__V1__Refusal *r = outpost__v1__refusal__unpack(NULL, wf->len, wf->data);
    fail(p, 0, "the host refused the plugin: %s", r ? r->reason : "(malformed Refusal)");
    if (r != NULL)
        outpost__v1__refusal__free_unpacked(r, NULL);
    return OUTPOST_EREFUSED;
}

static const char *kind_name(enum wire_kind k)
{
    static const char *const names[] = {"none", "Hello", "Welcome", "Refusal", "Request",
                                        "Response", "Cancel", "Log", "Goodbye", "Ping", "Pong"};
    return k <= WIRE_PONG ? names[k] : "?";
}

static int handle_frame(outpost_plugin *p, bool *welcomed, const uint8_t *data, size_t len)
{
    struct wire_frame wf;
    struct wire_request wr;
    uint64_t nonce; /* or id */
    if (wire_decode_frame(data, len, &wf) != 0)
        return fail(p, OUTPOST_EPROTO, "protocol error: malformed frame of %zu bytes", len);
    if (!*welcomed && wf.kind != WIRE_WELCOME && wf.kind != WIRE_REFUSAL &&
        wf.kind != WIRE_GOODBYE && wf.kind != WIRE_PING)
        return fail(p, OUTPOST_EPROTO, "protocol error: %s before the Welcome",
                    kind_name(wf.kind));

    switch (wf.kind) {
    case WIRE_REQUEST:
        if (wire_decode_request(wf.data, wf.len, &wr) != 0)
            return fail(p, OUTPOST_EPROTO, "protocol error: malformed Request");
        return call_dispatch(p, &wr);
    case WIRE_PING: {
        uint8_t pong[WIRE_PONG_MAX];
        if (wire_decode_field1(wf.data, wf.len, &nonce) != 0)
            return fail(p, OUTPOST_EPROTO, "protocol error: malformed Ping");
        return send_frames(p, pong, wire_pong(pong, nonce), NULL, 0);
    }
    case WIRE_WELCOME:
        if (*welcomed)
            return fail(p, OUTPOST_EPROTO, "protocol error: a second Welcome");
        *welcomed = true;
        return take_welcome(p, &wf);
    case WIRE_REFUSAL:
        return take_refusal(p, &wf);
    case WIRE_GOODBYE:
        return LEAVE;
    case WIRE_RESPONSE: /* the SDK calls nothing, so no id was ever sent */
        if (wire_decode_field1(wf.data, wf.len, &nonce) != 0)
            return fail(p, OUTPOST_EPROTO, "protocol error: malformed Response");
        return fail(p, OUTPOST_EPROTO,
                    "protocol error: Response to call %llu, which was never sent",
                    (unsigned long long)nonce);
    case WIRE_CANCEL: /* calls run one at a time to completion: nothing left to cancel */
    case WIRE_PONG:
    case WIRE_LOG:
        return GO_ON;
    case WIRE_HELLO:
        return fail(p, OUTPOST_EPROTO, "protocol error: Hello from the host");
    case WIRE_NONE:
    default:
        return fail(p, OUTPOST_EPROTO, "protocol error: frame of %zu bytes has no kind", len);
    }
}

static int serve_loop(outpost_plugin *p)
{
    bool welcomed = false;
    bool fresh = false; /* nothing was handled since the last wait, which watched SIGTERM */
    for (;;) {
        const uint8_t *frame;
        size_t len;
        switch (frame_rx_next(&p->rx, &frame, &len)) {
        case FRAME_READY: {
            if (!fresh && io_term_pending(&p->conn))
                return 0;
            fresh = false;
            int rc = handle_frame(p, &welcomed, frame, len);
            if (rc != GO_ON)
                return rc < 0 ? rc : 0;
            if (p->conn.stop != IO_RUNNING)
                return 0;
            continue;
        }
        case FRAME_BAD_PREFIX:
            return fail(p, OUTPOST_EPROTO, "protocol error: malformed frame length prefix");
        case FRAME_TOO_BIG:
            return fail(p, OUTPOST_ETOOBIG,
                        "protocol error: frame length %llu exceeds the maximum of %u bytes",
                        (unsigned long long)p->rx.bad_len, (unsigned)p->rx.max_frame);
        case FRAME_MORE:
            break;
        }
        int rc = batch_flush(p); /* every frame read so far is handled: answer before waiting */
        if (rc != 0)
            return rc;
        if (p->conn.stop != IO_RUNNING)
            return 0;
        long n = io_read(&p->conn, &p->rx);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return 0; /* the host is gone, or SIGTERM */
        fresh = true;
    }
}

int outpost_serve(outpost_plugin *p)
{
    if (p == NULL)
        return OUTPOST_EINVAL;
    if (p->state != PLUGIN_NEW)
        return fail(p, OUTPOST_EBUSY, "outpost_serve() called twice");
    p->state = PLUGIN_SERVING;
    int fd = (int)env_number("OUTPOST_FD", OUTPOST_DEFAULT_FD, 1L << 30);
    p->max_frame = (uint32_t)env_number("OUTPOST_MAX_FRAME_SIZE", OUTPOST_DEFAULT_MAX_FRAME_SIZE,
                                        UINT32_MAX);
    if (fcntl(fd, F_GETFD) < 0) {
        p->state = PLUGIN_DONE;
        return fail(p, OUTPOST_EIO, "fd %d is not open: not started by an Outpost host?", fd);
    }
    int rc = io_open(&p->conn, fd);
    if (rc != 0) {
        p->state = PLUGIN_DONE;
        return rc;
    }
    io_set_spin(&p->conn, env_number("OUTPOST_SPIN_US", 0, 10000));
    /* executed from its memfd, the process is called "memfd:NAME" by the kernel; ps -e and top
     * show the plugin's own name from here on (the first 15 bytes) */
    prctl(PR_SET_NAME, p->name, 0, 0, 0);
    if (frame_rx_init(&p->rx, p->max_frame) != 0) {
        rc = OUTPOST_ENOMEM;
        goto out;
    }
    p->connected = true;
    rc = send_hello(p);
    p->conn.hot_until = 0; /* the Welcome takes the host far longer than polling would wait */
    if (rc == 0 && p->conn.stop == IO_RUNNING) {
        rc = serve_loop(p);
        int flushed = batch_flush(p); /* the answers handled before leaving still go out */
        if (rc == 0)
            rc = flushed;
    }
out:
    if (rc == OUTPOST_ENOMEM)
        fail(p, rc, "out of memory");
    p->connected = false;
    io_close(&p->conn);
    p->state = PLUGIN_DONE;
    return rc;
}

int outpost_log(outpost_plugin *p, outpost_log_level level, const char *fmt, ...)
{
    if (p == NULL || fmt == NULL || level < OUTPOST_LOG_TRACE || level > OUTPOST_LOG_ERROR)
        return OUTPOST_EINVAL;
    size_t max = p->max_frame > 64 ? p->max_frame - 64 : 0;
    va_list ap;
    va_start(ap, fmt);
    long n = text_vformat(&p->log_text, max, fmt, ap);
    va_end(ap);
    if (n < 0)
        return (int)n;
    char *msg = (char *)p->log_text.data;
    if (!p->connected || p->conn.stop != IO_RUNNING) {
        static const char *const names[] = {"", "TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
        fprintf(stderr, "%s %s\n", names[level], msg);
        return 0;
    }
    Outpost__V1__Log log;
    outpost__v1__log__init(&log);
    log.level = (Outpost__V1__Level)level;
    log.message = msg;
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_LOG;
    f.log = &log;
    return send_message(p, &f);
}
