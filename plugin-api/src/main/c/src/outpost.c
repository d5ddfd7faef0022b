/* outpost.c - the plugin object: creation, methods, configuration, errors and versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "utf8.h"

#define STR_(x) #x
#define STR(x) STR_(x)

unsigned outpost_version(void)
{
    return OUTPOST_VERSION_HEX;
}

const char *outpost_version_string(void)
{
    return STR(OUTPOST_VERSION_MAJOR) "." STR(OUTPOST_VERSION_MINOR) "." STR(OUTPOST_VERSION_PATCH);
}

const char *outpost_strerror(int err)
{
    switch (err) {
    case OUTPOST_OK: return "success";
    case OUTPOST_EINVAL: return "invalid argument";
    case OUTPOST_ENOMEM: return "out of memory";
    case OUTPOST_EEXIST: return "method already registered";
    case OUTPOST_EBUSY: return "not allowed once outpost_serve() was called, or not serving";
    case OUTPOST_EIO: return "input/output error on the host connection";
    case OUTPOST_EPROTO: return "protocol error";
    case OUTPOST_ETOOBIG: return "frame larger than the maximum frame size";
    case OUTPOST_EREFUSED: return "the host refused the plugin";
    case OUTPOST_EAGAIN: return "too many calls in flight";
    default: return "unknown error";
    }
}

int buf_reserve(struct buf *b, size_t size)
{
    if (size <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < size)
        cap = cap > SIZE_MAX / 2 ? size : cap * 2;
    uint8_t *data = realloc(b->data, cap);
    if (data == NULL)
        return OUTPOST_ENOMEM;
    b->data = data;
    b->cap = cap;
    return 0;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->cap = 0;
}

long text_vformat(struct buf *b, size_t max, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf((char *)b->data, b->cap, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap) {
        size_t want = (size_t)n < max ? (size_t)n + 1 : max + 1;
        if (buf_reserve(b, want) != 0) {
            va_end(again);
            return OUTPOST_ENOMEM;
        }
        n = vsnprintf((char *)b->data, b->cap, fmt, again);
    }
    va_end(again);
    if (n < 0)
        n = 0; /* an encoding error: send an empty message rather than fail */
    size_t len = (size_t)n;
    if (len >= b->cap)
        len = b->cap - 1; /* what vsnprintf kept of a text longer than max */
    if (len == (size_t)n && len <= max && utf8_valid(b->data, len)) {
        b->data[len] = '\0';
        return (long)len;
    }
    /* too long, or not UTF-8 (a handler may quote the host's bytes): made valid and cut from a
     * copy, since replacing a byte with U+FFFD makes the text longer */
    uint8_t *text = malloc(len ? len : 1);
    if (text == NULL || buf_reserve(b, max + 1) != 0) {
        free(text);
        return OUTPOST_ENOMEM;
    }
    memcpy(text, b->data, len);
    len = utf8_copy((char *)b->data, max, text, len, len < (size_t)n);
    free(text);
    return (long)len;
}

outpost_plugin *outpost_plugin_new(const char *name, const char *version)
{
    if (name == NULL)
        name = getenv("OUTPOST_PLUGIN_NAME");
    if (name == NULL || *name == '\0')
        name = "plugin";
    outpost_plugin *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->name = strdup(name);
    p->version = strdup(version ? version : "");
    p->conn.fd = -1;
    p->max_frame = OUTPOST_DEFAULT_MAX_FRAME_SIZE;
    if (p->name == NULL || p->version == NULL || buf_reserve(&p->levels[0].err_text, 256) != 0 ||
        buf_reserve(&p->log_text, 256) != 0) {
        outpost_plugin_free(p);
        return NULL;
    }
    return p;
}

void outpost_plugin_free(outpost_plugin *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_methods; i++) {
        free(p->methods[i].service);
        free(p->methods[i].method);
    }
    free(p->methods);
    for (size_t i = 0; i < p->n_config; i++) {
        free(p->config[i].key);
        free(p->config[i].value);
    }
    free(p->config);
    frame_rx_free(&p->rx);
    buf_free(&p->tx);
    buf_free(&p->batch);
    buf_free(&p->log_text);
    levels_free(p);
    calls_free(p);
    free(p->name);
    free(p->version);
    free(p);
}

int outpost_plugin_add_method(outpost_plugin *p, const char *service, const char *method,
                              outpost_handler fn, void *user)
{
    return outpost_plugin_add_method_flags(p, service, method, fn, user, 0);
}

int outpost_plugin_add_method_flags(outpost_plugin *p, const char *service, const char *method,
                                    outpost_handler fn, void *user, unsigned flags)
{
    if (p == NULL || service == NULL || method == NULL || fn == NULL || *service == '\0' ||
        *method == '\0' || (flags & ~OUTPOST_METHOD_QUICK) != 0)
        return OUTPOST_EINVAL;
    if (p->state != PLUGIN_NEW)
        return OUTPOST_EBUSY;
    for (size_t i = 0; i < p->n_methods; i++)
        if (strcmp(p->methods[i].service, service) == 0 &&
            strcmp(p->methods[i].method, method) == 0)
            return OUTPOST_EEXIST;
    struct method *ms = realloc(p->methods, (p->n_methods + 1) * sizeof *ms);
    if (ms == NULL)
        return OUTPOST_ENOMEM;
    p->methods = ms;
    struct method *m = &ms[p->n_methods];
    m->service = strdup(service);
    m->method = strdup(method);
    if (m->service == NULL || m->method == NULL) {
        free(m->service);
        free(m->method);
        return OUTPOST_ENOMEM;
    }
    m->service_len = strlen(service);
    m->method_len = strlen(method);
    m->fn = fn;
    m->user = user;
    m->flags = flags;
    p->n_methods++;
    return 0;
}

int outpost_plugin_on_ready(outpost_plugin *p, outpost_ready_fn fn, void *user)
{
    if (p == NULL)
        return OUTPOST_EINVAL;
    if (p->state != PLUGIN_NEW)
        return OUTPOST_EBUSY;
    p->ready = fn;
    p->ready_user = user;
    return 0;
}

const char *outpost_config_get(const outpost_plugin *p, const char *key)
{
    if (p == NULL || key == NULL)
        return NULL;
    for (size_t i = p->n_config; i-- > 0;)
        if (strcmp(p->config[i].key, key) == 0)
            return p->config[i].value;
    return NULL;
}

size_t outpost_max_payload(const outpost_plugin *p)
{
    if (p == NULL || p->max_frame <= WIRE_RESPONSE_HEADER_MAX)
        return 0;
    return p->max_frame - WIRE_RESPONSE_HEADER_MAX;
}
