/* messages.c - the frames a host sends (see messages.h). */
#include "messages.h"

#include <stdlib.h>

#include "wire.h"

/* Starts m as a Frame of kind. */
static Outpost__V1__Frame *frame_of(struct msg *m, Outpost__V1__Frame__KindCase kind)
{
    outpost__v1__frame__init(&m->frame);
    m->frame.kind_case = kind;
    return &m->frame;
}

const Outpost__V1__Frame *msg_request(struct msg *m, uint64_t id, const char *service,
                                      const char *method, const void *payload, size_t len)
{
    Outpost__V1__Request *r = &m->u.request;
    outpost__v1__request__init(r);
    r->id = id;
    r->service = (char *)service;
    r->method = (char *)method;
    r->payload.data = (uint8_t *)payload;
    r->payload.len = len;
    frame_of(m, OUTPOST__V1__FRAME__KIND_REQUEST)->request = r;
    return &m->frame;
}

const Outpost__V1__Frame *msg_answer(struct msg *m, uint64_t id, const void *payload, size_t len)
{
    Outpost__V1__Response *r = &m->u.answer.response;
    outpost__v1__response__init(r);
    r->id = id;
    r->result_case = OUTPOST__V1__RESPONSE__RESULT_PAYLOAD;
    r->payload.data = (uint8_t *)payload;
    r->payload.len = len;
    frame_of(m, OUTPOST__V1__FRAME__KIND_RESPONSE)->response = r;
    return &m->frame;
}

const Outpost__V1__Frame *msg_error(struct msg *m, uint64_t id, int code, const char *message)
{
    Outpost__V1__Error *e = &m->u.answer.error;
    outpost__v1__error__init(e);
    e->code = (Outpost__V1__Code)code;
    e->message = (char *)message;
    Outpost__V1__Response *r = &m->u.answer.response;
    outpost__v1__response__init(r);
    r->id = id;
    r->result_case = OUTPOST__V1__RESPONSE__RESULT_ERROR;
    r->error = e;
    frame_of(m, OUTPOST__V1__FRAME__KIND_RESPONSE)->response = r;
    return &m->frame;
}

const Outpost__V1__Frame *msg_ping(struct msg *m, uint64_t nonce)
{
    outpost__v1__ping__init(&m->u.ping);
    m->u.ping.nonce = nonce;
    frame_of(m, OUTPOST__V1__FRAME__KIND_PING)->ping = &m->u.ping;
    return &m->frame;
}

const Outpost__V1__Frame *msg_pong(struct msg *m, uint64_t nonce)
{
    outpost__v1__pong__init(&m->u.pong);
    m->u.pong.nonce = nonce;
    frame_of(m, OUTPOST__V1__FRAME__KIND_PONG)->pong = &m->u.pong;
    return &m->frame;
}

const Outpost__V1__Frame *msg_cancel(struct msg *m, uint64_t id)
{
    outpost__v1__cancel__init(&m->u.cancel);
    m->u.cancel.id = id;
    frame_of(m, OUTPOST__V1__FRAME__KIND_CANCEL)->cancel = &m->u.cancel;
    return &m->frame;
}

const Outpost__V1__Frame *msg_goodbye(struct msg *m, const char *reason)
{
    outpost__v1__goodbye__init(&m->u.goodbye);
    m->u.goodbye.reason = (char *)reason;
    frame_of(m, OUTPOST__V1__FRAME__KIND_GOODBYE)->goodbye = &m->u.goodbye;
    return &m->frame;
}

int msg_encode(const Outpost__V1__Frame *f, uint8_t **buf, size_t *len)
{
    size_t size = outpost__v1__frame__get_packed_size(f);
    uint8_t *b = realloc(*buf, *len + size + WIRE_VARINT_MAX);
    if (b == NULL)
        return -1;
    *buf = b;
    *len += wire_put_varint(b + *len, size);
    *len += outpost__v1__frame__pack(f, b + *len);
    return 0;
}
