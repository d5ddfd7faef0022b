/* serve.c - the connection's life: Hello, Welcome, serving, Log frames, leaving. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>

#include "internal.h"
#include "outpost/v1/outpost.pb-c.h"

int plugin_fail(const outpost_plugin *p, int rc, const char *fmt, ...)
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
        return plugin_fail(p, OUTPOST_ETOOBIG,
                           "frame of %zu bytes exceeds the maximum of %u bytes", size,
                           (unsigned)p->max_frame);
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
    hello.minor_version = OUTPOST_PROTOCOL_MINOR_VERSION;
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

static int send_goodbye(outpost_plugin *p, const char *reason)
{
    Outpost__V1__Goodbye bye;
    outpost__v1__goodbye__init(&bye);
    bye.reason = (char *)reason;
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_GOODBYE;
    f.goodbye = &bye;
    return send_message(p, &f);
}

/* The ready callback, once the Welcome is taken. */
static int run_ready(outpost_plugin *p)
{
    if (p->ready == NULL)
        return 0;
    int r = p->ready(p->ready_user, p);
    if (p->failed)
        return p->failed;
    if (r == 0)
        return 0;
    int rc = r < 0 ? r : OUTPOST_EINVAL;
    plugin_fail(p, rc, "the ready callback failed (it returned %d): leaving", r);
    if (!p->leaving && p->conn.stop == IO_RUNNING)
        send_goodbye(p, "the plugin's ready callback failed");
    return rc;
}

static int take_imports(outpost_plugin *p, const Outpost__V1__Welcome *w)
{
    p->imports = calloc(w->n_imports ? w->n_imports : 1, sizeof *p->imports);
    if (p->imports == NULL)
        return OUTPOST_ENOMEM;
    for (; p->n_imports < w->n_imports; p->n_imports++)
        if ((p->imports[p->n_imports] = strdup(w->imports[p->n_imports])) == NULL)
            return OUTPOST_ENOMEM;
    return 0;
}

int serve_take_welcome(outpost_plugin *p, const struct wire_frame *wf)
{
    Outpost__V1__Welcome *w = outpost__v1__welcome__unpack(NULL, wf->len, wf->data);
    if (w == NULL)
        return plugin_fail(p, OUTPOST_EPROTO, "protocol error: malformed Welcome");
    int rc = 0;
    if (w->version < OUTPOST_PROTOCOL_VERSION_MIN || w->version > OUTPOST_PROTOCOL_VERSION_MAX) {
        rc = plugin_fail(p, OUTPOST_EPROTO,
                         "protocol error: host chose version %u, outside [%d, %d]",
                         (unsigned)w->version, OUTPOST_PROTOCOL_VERSION_MIN,
                         OUTPOST_PROTOCOL_VERSION_MAX);
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
    p->host_minor = w->minor_version;
    rc = take_imports(p, w);
out:
    outpost__v1__welcome__free_unpacked(w, NULL);
    if (rc == 0) {
        p->welcomed = true;
        rc = run_ready(p);
    }
    return rc;
}

int serve_take_refusal(outpost_plugin *p, const struct wire_frame *wf)
{
    Outpost__V1__Refusal *r = outpost__v1__refusal__unpack(NULL, wf->len, wf->data);
    plugin_fail(p, 0, "the host refused the plugin: %s", r ? r->reason : "(malformed Refusal)");
    if (r != NULL)
        outpost__v1__refusal__free_unpacked(r, NULL);
    return OUTPOST_EREFUSED;
}

int outpost_serve(outpost_plugin *p)
{
    if (p == NULL)
        return OUTPOST_EINVAL;
    if (p->state != PLUGIN_NEW)
        return plugin_fail(p, OUTPOST_EBUSY, "outpost_serve() called twice");
    p->state = PLUGIN_SERVING;
    p->thread = pthread_self();
    int fd = (int)env_number("OUTPOST_FD", OUTPOST_DEFAULT_FD, 1L << 30);
    p->max_frame = (uint32_t)env_number("OUTPOST_MAX_FRAME_SIZE", OUTPOST_DEFAULT_MAX_FRAME_SIZE,
                                        UINT32_MAX);
    if (fcntl(fd, F_GETFD) < 0) {
        p->state = PLUGIN_DONE;
        return plugin_fail(p, OUTPOST_EIO, "fd %d is not open: not started by an Outpost host?",
                           fd);
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
    p->leaving = true;
    if (p->leave_reason == NULL)
        p->leave_reason = "the plugin stopped serving";
    calls_end(p); /* before the connection closes: the callbacks may log */
out:
    if (rc == OUTPOST_ENOMEM)
        plugin_fail(p, rc, "out of memory");
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
    if (!p->connected || p->conn.stop != IO_RUNNING || p->failed) {
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
