/*
 * frame.h - splitting the byte stream into frames (no sockets here).
 *
 *   +--------------------+------------------------------------+
 *   | length: varint32   | length bytes: one outpost.v1.Frame |
 *   | 1..5 bytes         | 0..max_frame bytes                 |
 *   +--------------------+------------------------------------+
 *
 * The receive buffer starts small and doubles only while a frame is arriving that does not fit,
 * never past the frame's own size, so an announced length is never allocated up front. A length
 * over max_frame, or a prefix over 5 bytes or over 2^32-1, is an error.
 */
#ifndef OUTPOST_FRAME_H
#define OUTPOST_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_PREFIX_MAX 5
#define FRAME_RX_INITIAL (64 * 1024)

struct frame_rx {
    uint8_t *buf;
    size_t start;      /* first byte not consumed yet */
    size_t end;        /* one past the last byte received */
    size_t cap;
    size_t need;       /* bytes (prefix included) of the frame at start, 0 if not known yet */
    uint32_t max_frame;
    uint64_t bad_len;  /* the offending length after FRAME_TOO_BIG */
};

enum frame_status {
    FRAME_READY = 1,       /* a whole frame is available */
    FRAME_MORE = 0,        /* more bytes are needed */
    FRAME_BAD_PREFIX = -1, /* the length prefix is longer than 5 bytes or over 2^32-1 */
    FRAME_TOO_BIG = -2     /* the length is over max_frame (see bad_len) */
};

/* Prepares an empty receive buffer. Returns 0 or -1 when out of memory. */
int frame_rx_init(struct frame_rx *rx, uint32_t max_frame);

/* Frees the buffer. */
void frame_rx_free(struct frame_rx *rx);

/*
 * Takes the next whole frame out of the buffer: on FRAME_READY, *frame and *len give its bytes
 * (without the prefix), valid until the next frame_rx_space() call.
 */
enum frame_status frame_rx_next(struct frame_rx *rx, const uint8_t **frame, size_t *len);

/*
 * Makes room for reading more bytes (compacting or growing the buffer within the limits) and
 * returns where to read them, with room for *space bytes. Returns NULL when out of memory.
 * Invalidates the frames returned before.
 */
uint8_t *frame_rx_space(struct frame_rx *rx, size_t *space);

/* Records that n bytes were read into the space given by frame_rx_space(). */
void frame_rx_commit(struct frame_rx *rx, size_t n);

/*
 * Keeps the frames returned so far valid while more are read: moves rx's buffer to *pinned (free
 * it with frame_rx_free() once those frames are no longer used) and gives rx a buffer of its own
 * with the bytes not consumed yet. That buffer is *spare's when spare is not NULL and holds a
 * buffer that is large enough (spare is then left empty), else a new one.
 * Returns 0, or -1 when out of memory (then nothing changed).
 */
int frame_rx_pin(struct frame_rx *rx, struct frame_rx *pinned, struct frame_rx *spare);

#endif
