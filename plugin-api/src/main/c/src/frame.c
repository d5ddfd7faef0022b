/* frame.c - the receive buffer and the varint32 length prefix (see frame.h). */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

/* Reading fewer bytes than this at the end of the buffer is not worth it: compact first. */
#define MIN_READ 4096

int frame_rx_init(struct frame_rx *rx, uint32_t max_frame)
{
    memset(rx, 0, sizeof *rx);
    rx->max_frame = max_frame;
    rx->cap = FRAME_RX_INITIAL;
    rx->buf = malloc(rx->cap);
    return rx->buf ? 0 : -1;
}

void frame_rx_free(struct frame_rx *rx)
{
    free(rx->buf);
    memset(rx, 0, sizeof *rx);
}

enum frame_status frame_rx_next(struct frame_rx *rx, const uint8_t **frame, size_t *len)
{
    const uint8_t *p = rx->buf + rx->start;
    size_t avail = rx->end - rx->start;
    uint64_t value = 0;
    size_t prefix = 0;

    for (;;) {
        if (prefix == avail) {
            rx->need = 0;
            return FRAME_MORE;
        }
        uint8_t b = p[prefix];
        value |= (uint64_t)(b & 0x7f) << (7 * prefix);
        prefix++;
        if (!(b & 0x80))
            break;
        if (prefix == FRAME_PREFIX_MAX)
            return FRAME_BAD_PREFIX;
    }
    if (value > UINT32_MAX)
        return FRAME_BAD_PREFIX;
    if (value > rx->max_frame) {
        rx->bad_len = value;
        return FRAME_TOO_BIG;
    }
    if (avail - prefix < value) {
        rx->need = prefix + (size_t)value;
        return FRAME_MORE;
    }
    *frame = p + prefix;
    *len = (size_t)value;
    rx->start += prefix + (size_t)value;
    rx->need = 0;
    return FRAME_READY;
}

uint8_t *frame_rx_space(struct frame_rx *rx, size_t *space)
{
    if (rx->start == rx->end)
        rx->start = rx->end = 0;
    size_t avail = rx->end - rx->start;
    size_t missing = rx->need > avail ? rx->need - avail : 1;
    size_t tail = rx->cap - rx->end;

    if (rx->start > 0 && (tail < missing || tail < MIN_READ)) {
        memmove(rx->buf, rx->buf + rx->start, avail);
        rx->start = 0;
        rx->end = avail;
        tail = rx->cap - rx->end;
    }
    if (tail == 0) {
        /* full and the frame is still incomplete, so need > cap: double, up to the frame */
        size_t cap = rx->cap * 2;
        if (cap > rx->need)
            cap = rx->need;
        uint8_t *buf = realloc(rx->buf, cap);
        if (buf == NULL)
            return NULL;
        rx->buf = buf;
        rx->cap = cap;
        tail = rx->cap - rx->end;
    }
    *space = tail;
    return rx->buf + rx->end;
}

void frame_rx_commit(struct frame_rx *rx, size_t n)
{
    rx->end += n;
}

int frame_rx_pin(struct frame_rx *rx, struct frame_rx *pinned, struct frame_rx *spare)
{
    size_t left = rx->end - rx->start;
    struct frame_rx fresh;
    if (spare != NULL && spare->buf != NULL && spare->cap >= left) {
        fresh = *spare;
        memset(spare, 0, sizeof *spare);
    } else {
        memset(&fresh, 0, sizeof fresh);
        fresh.cap = left > FRAME_RX_INITIAL ? left : FRAME_RX_INITIAL;
        fresh.buf = malloc(fresh.cap);
        if (fresh.buf == NULL)
            return -1;
    }
    if (left > 0)
        memcpy(fresh.buf, rx->buf + rx->start, left);
    fresh.start = 0;
    fresh.end = left;
    fresh.need = rx->need;
    fresh.max_frame = rx->max_frame;
    fresh.bad_len = 0;
    *pinned = *rx;
    pinned->start = pinned->end; /* everything in it is consumed */
    *rx = fresh;
    return 0;
}
