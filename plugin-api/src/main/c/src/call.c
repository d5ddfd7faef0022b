/* call.c - one call from the host: the handler's view of it, and sending its answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "utf8.h"

/* Payloads up to this size are copied behind the envelope and sent with one write. */
#define COPY_MAX 4096
/* A batch of quick answers is written once it reaches this many bytes. */
#define BATCH_MAX 65536
/* Bytes of a service or method name quoted in an UNIMPLEMENTED message, at most (mark included). */
#define NAME_QUOTE_MAX 200
/* A receive buffer larger than this is freed once its handler has returned, not kept as spare. */
#define SPARE_MAX (1024 * 1024)

uint64_t outpost_request_id(const outpost_request *req)
{
    return req->wire->id;
}

const char *outpost_request_service(const outpost_request *req)
{
    return req->m->service;
}

const char *outpost_request_method(const outpost_request *req)
{
    return req->m->method;
}

const void *outpost_request_payload(const outpost_request *req, size_t *len)
{
    if (len != NULL)
        *len = req->wire->payload_len;
    return req->wire->payload;
}

uint32_t outpost_request_timeout_ms(const outpost_request *req)
{
    return req->wire->timeout_ms;
}

outpost_plugin *outpost_request_plugin(const outpost_request *req)
{
    return req->plugin;
}

void *outpost_request_scratch(const outpost_request *req, size_t len)
{
    if (req == NULL)
        return NULL;
    struct level *lv = req->lv;
    size_t max = req->plugin->max_frame;
    if (len > max || lv->scratch_len > max - len)
        return NULL;
    struct scratch *s = malloc(sizeof *s + (len ? len : 1));
    if (s == NULL)
        return NULL;
    s->next = lv->scratch;
    lv->scratch = s;
    lv->scratch_len += len;
    return s->data;
}

/* After the answer is sent: what the call's level held for it goes. */
static void level_done(outpost_plugin *p, struct level *lv)
{
    while (lv->scratch != NULL) {
        struct scratch *next = lv->scratch->next;
        free(lv->scratch);
        lv->scratch = next;
    }
    lv->scratch_len = 0;
    if (lv->has_pinned) {
        if (p->spare.buf == NULL && lv->pinned.cap <= SPARE_MAX)
            p->spare = lv->pinned;
        else
            frame_rx_free(&lv->pinned);
        memset(&lv->pinned, 0, sizeof lv->pinned);
        lv->has_pinned = false;
    }
}

int level_pin(outpost_plugin *p)
{
    if (p->depth == 0)
        return 0; /* no handler runs: no request to keep */
    struct level *lv = &p->levels[p->depth - 1];
    if (lv->has_pinned)
        return 0; /* its request is out of the way since its first outpost_call() */
    if (frame_rx_pin(&p->rx, &lv->pinned, &p->spare) != 0)
        return OUTPOST_ENOMEM;
    lv->has_pinned = true;
    return 0;
}

void levels_free(outpost_plugin *p)
{
    for (size_t i = 0; i < NEST_LEVELS; i++) {
        level_done(p, &p->levels[i]);
        buf_free(&p->levels[i].out);
        buf_free(&p->levels[i].err_text);
    }
    frame_rx_free(&p->spare);
}

static int set_error_v(outpost_response *resp, outpost_code code, const char *fmt, va_list ap)
{
    outpost_plugin *p = resp->plugin;
    size_t max = p->max_frame > WIRE_ERROR_OVERHEAD ? p->max_frame - WIRE_ERROR_OVERHEAD : 0;
    resp->code = code;
    resp->msg_len = 0;
    if (fmt == NULL)
        return 0;
    long n = text_vformat(&resp->lv->err_text, max, fmt, ap);
    if (n < 0)
        return (int)n;
    resp->msg_len = (size_t)n;
    return 0;
}

static int set_error(outpost_response *resp, outpost_code code, const char *fmt, ...)
    OUTPOST_PRINTF(3, 4);
static int set_error(outpost_response *resp, outpost_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = set_error_v(resp, code, fmt, ap);
    va_end(ap);
    return rc;
}

/* A payload over the limit turns the answer into RESOURCE_EXHAUSTED, checked or not, unless it
 * is an error already (which overrides any payload, too big or not). */
static int too_big(outpost_response *resp, size_t len)
{
    size_t max = outpost_max_payload(resp->plugin);
    if (len <= max)
        return 0;
    if (resp->code == OUTPOST_CODE_UNSPECIFIED)
        set_error(resp, OUTPOST_CODE_RESOURCE_EXHAUSTED,
                  "response of %zu bytes exceeds the maximum payload of %zu bytes", len, max);
    return OUTPOST_ETOOBIG;
}

int outpost_response_set_payload_ref(outpost_response *resp, const void *data, size_t len)
{
    if (resp == NULL || (data == NULL && len > 0))
        return OUTPOST_EINVAL;
    if (too_big(resp, len))
        return OUTPOST_ETOOBIG;
    resp->payload = data;
    resp->len = len;
    return 0;
}

void *outpost_response_alloc(outpost_response *resp, size_t len)
{
    if (resp == NULL || too_big(resp, len))
        return NULL;
    struct buf *out = &resp->lv->out;
    if (buf_reserve(out, len ? len : 1) != 0)
        return NULL;
    resp->payload = out->data;
    resp->len = len;
    return out->data;
}

int outpost_response_set_payload(outpost_response *resp, const void *data, size_t len)
{
    if (resp == NULL || (data == NULL && len > 0))
        return OUTPOST_EINVAL;
    struct buf *out = &resp->lv->out;
    const uint8_t *d = data;
    if (out->data != NULL && d >= out->data && d < out->data + out->cap) /* already ours */
        return outpost_response_set_payload_ref(resp, data, len);
    if (too_big(resp, len))
        return OUTPOST_ETOOBIG;
    void *dst = outpost_response_alloc(resp, len);
    if (dst == NULL)
        return OUTPOST_ENOMEM;
    if (len > 0)
        memcpy(dst, data, len);
    return 0;
}

/* A handler's error: a code out of range becomes INTERNAL. */
static int handler_error_v(outpost_response *resp, outpost_code code, const char *fmt, va_list ap)
{
    if (code <= OUTPOST_CODE_UNSPECIFIED || code > OUTPOST_CODE_PERMISSION_DENIED) {
        set_error(resp, OUTPOST_CODE_INTERNAL, "handler set the invalid error code %d", (int)code);
        return OUTPOST_EINVAL;
    }
    return set_error_v(resp, code, fmt, ap);
}

int outpost_response_set_error(outpost_response *resp, outpost_code code, const char *fmt, ...)
{
    if (resp == NULL)
        return OUTPOST_EINVAL;
    va_list ap;
    va_start(ap, fmt);
    int rc = handler_error_v(resp, code, fmt, ap);
    va_end(ap);
    return rc;
}

int outpost_request_set_error(const outpost_request *req, outpost_code code, const char *fmt, ...)
{
    if (req == NULL)
        return OUTPOST_EINVAL;
    va_list ap;
    va_start(ap, fmt);
    int rc = handler_error_v(req->resp, code, fmt, ap);
    va_end(ap);
    return rc;
}

int batch_flush(outpost_plugin *p)
{
    if (p->batch_len == 0)
        return 0;
    struct iovec iov = {.iov_base = p->batch.data, .iov_len = p->batch_len};
    p->batch_len = 0;
    return io_write(&p->conn, &iov, 1);
}

/* Room for n more bytes at the end of the batch, or NULL when out of memory. */
static uint8_t *batch_room(outpost_plugin *p, size_t n)
{
    if (buf_reserve(&p->batch, p->batch_len + n) != 0)
        return NULL;
    return p->batch.data + p->batch_len;
}

int send_frames(outpost_plugin *p, const void *head, size_t head_len, const void *payload,
                size_t payload_len)
{
    int rc = batch_flush(p);
    if (rc != 0)
        return rc;
    struct iovec iov[2] = {
        {.iov_base = (void *)head, .iov_len = head_len},
        {.iov_base = (void *)payload, .iov_len = payload_len},
    };
    return io_write(&p->conn, iov, payload_len ? 2 : 1);
}

static const struct method *find_method(const outpost_plugin *p, const struct wire_request *wr)
{
    for (size_t i = 0; i < p->n_methods; i++) {
        const struct method *m = &p->methods[i];
        if (m->method_len == wr->method_len && m->service_len == wr->service_len &&
            memcmp(m->method, wr->method, wr->method_len) == 0 &&
            memcmp(m->service, wr->service, wr->service_len) == 0)
            return m;
    }
    return NULL;
}

/* An answer of a quick method (error or small payload) joins the batch; it goes out with the
 * next write, at the latest when the SDK is about to wait for more requests. */
static int batch_response(outpost_plugin *p, uint64_t id, const outpost_response *resp)
{
    uint8_t *dst;
    size_t n;
    if (resp->code != OUTPOST_CODE_UNSPECIFIED) {
        if ((dst = batch_room(p, resp->msg_len + WIRE_ERROR_OVERHEAD)) == NULL)
            return OUTPOST_ENOMEM;
        n = wire_error_response(dst, id, (int)resp->code, (const char *)resp->lv->err_text.data,
                                resp->msg_len);
    } else {
        if ((dst = batch_room(p, WIRE_RESPONSE_HEADER_MAX + resp->len)) == NULL)
            return OUTPOST_ENOMEM;
        n = wire_response_header(dst, id, resp->len);
        if (resp->len > 0)
            memcpy(dst + n, resp->payload, resp->len);
        n += resp->len;
    }
    p->batch_len += n;
    return p->batch_len >= BATCH_MAX ? batch_flush(p) : 0;
}

static int send_response(outpost_plugin *p, uint64_t id, const outpost_response *resp, bool quick)
{
    int rc;
    if (quick && (resp->code != OUTPOST_CODE_UNSPECIFIED || resp->len <= COPY_MAX))
        return batch_response(p, id, resp);
    if (resp->code != OUTPOST_CODE_UNSPECIFIED) {
        rc = buf_reserve(&p->tx, resp->msg_len + WIRE_ERROR_OVERHEAD);
        if (rc != 0)
            return rc;
        size_t n = wire_error_response(p->tx.data, id, (int)resp->code,
                                       (const char *)resp->lv->err_text.data, resp->msg_len);
        return send_frames(p, p->tx.data, n, NULL, 0);
    }
    if (resp->len <= COPY_MAX) {
        rc = buf_reserve(&p->tx, WIRE_RESPONSE_HEADER_MAX + COPY_MAX);
        if (rc != 0)
            return rc;
        size_t n = wire_response_header(p->tx.data, id, resp->len);
        if (resp->len > 0)
            memcpy(p->tx.data + n, resp->payload, resp->len);
        return send_frames(p, p->tx.data, n + resp->len, NULL, 0);
    }
    uint8_t head[WIRE_RESPONSE_HEADER_MAX];
    size_t n = wire_response_header(head, id, resp->len);
    return send_frames(p, head, n, resp->payload, resp->len);
}

/* A request while NEST_LEVELS handlers run is answered at once, without a level of its own. */
static int too_deep(outpost_plugin *p, uint64_t id)
{
    static const char msg[] = "too many calls nested in the plugin's calls of the host";
    uint8_t *dst = batch_room(p, sizeof msg + WIRE_ERROR_OVERHEAD);
    if (dst == NULL)
        return OUTPOST_ENOMEM;
    p->batch_len += wire_error_response(dst, id, OUTPOST_CODE_RESOURCE_EXHAUSTED, msg,
                                        sizeof msg - 1);
    return 0;
}

int call_dispatch(outpost_plugin *p, const struct wire_request *wr)
{
    if (p->depth == NEST_LEVELS)
        return too_deep(p, wr->id);
    struct level *lv = &p->levels[p->depth];
    outpost_response resp = {.plugin = p, .lv = lv, .payload = NULL, .len = 0};
    const struct method *m = find_method(p, wr);
    bool quick = m == NULL || (m->flags & OUTPOST_METHOD_QUICK) != 0;
    if (!quick) {
        int rc = batch_flush(p); /* answers must not wait for a handler that may block */
        if (rc != 0)
            return rc;
    }
    if (m == NULL) {
        /* the names come from the host, as any caller wrote them: quoted valid and short */
        char method[NAME_QUOTE_MAX + 1], service[NAME_QUOTE_MAX + 1];
        utf8_copy(method, NAME_QUOTE_MAX, wr->method, wr->method_len, false);
        utf8_copy(service, NAME_QUOTE_MAX, wr->service, wr->service_len, false);
        set_error(&resp, OUTPOST_CODE_UNIMPLEMENTED,
                  "plugin %s has no method \"%s\" in service \"%s\"", p->name, method, service);
    } else {
        outpost_request req = {.plugin = p, .lv = lv, .m = m, .wire = wr, .resp = &resp};
        p->depth++;
        int rc = m->fn(m->user, &req, &resp);
        p->depth--;
        if (rc != 0 && resp.code == OUTPOST_CODE_UNSPECIFIED)
            set_error(&resp, OUTPOST_CODE_INTERNAL, "%s/%s failed (handler returned %d)",
                      m->service, m->method, rc);
    }
    /* a connection that failed while the handler waited in outpost_call() takes no answer */
    int rc = p->failed ? p->failed : send_response(p, wr->id, &resp, quick);
    level_done(p, lv);
    return rc;
}
