/* internal.h - the state of a plugin, shared by the SDK's source files. Not installed. */
#ifndef OUTPOST_INTERNAL_H
#define OUTPOST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "io.h"
#include "outpost.h"
#include "wire.h"

struct method {
    char *service;
    size_t service_len;
    char *method;
    size_t method_len;
    outpost_handler fn;
    void *user;
    unsigned flags;         /* OUTPOST_METHOD_QUICK */
};

struct config_entry {
    char *key;
    char *value;
};

/* A growable byte buffer, reused from frame to frame. */
struct buf {
    uint8_t *data;
    size_t cap;
};

enum plugin_state { PLUGIN_NEW, PLUGIN_SERVING, PLUGIN_DONE };

struct outpost_plugin {
    char *name;
    char *version;
    struct method *methods;
    size_t n_methods;
    struct config_entry *config;
    size_t n_config;
    enum plugin_state state;
    bool connected;         /* between Hello sent and outpost_serve() returning */
    uint32_t max_frame;     /* bytes, both directions */
    struct io_conn conn;
    struct frame_rx rx;
    struct buf tx;          /* encoded frames */
    struct buf batch;       /* answers of quick methods not sent yet: batch_len encoded frames */
    size_t batch_len;
    struct buf out;         /* payloads of outpost_response_alloc() / _set_payload() */
    struct buf err_text;    /* the message of the current error response */
    struct buf log_text;    /* the message of the current Log frame */
};

struct outpost_request {
    outpost_plugin *plugin;
    const struct method *m;
    const struct wire_request *wire;
};

struct outpost_response {
    outpost_plugin *plugin;
    const void *payload;
    size_t len;
    outpost_code code;      /* OUTPOST_CODE_UNSPECIFIED: success */
    size_t msg_len;         /* the message is in plugin->err_text */
};

/* Makes b at least size bytes. Returns 0 or OUTPOST_ENOMEM. */
int buf_reserve(struct buf *b, size_t size);

/* Frees b. */
void buf_free(struct buf *b);

/* Runs the handler for a request (or answers UNIMPLEMENTED) and sends the answer. */
int call_dispatch(outpost_plugin *p, const struct wire_request *wr);

/* Sends len bytes of already encoded frames (payload may be NULL). Returns 0 or <0. */
/* Sends the waiting answers of quick methods first, then head and payload. */
int send_frames(outpost_plugin *p, const void *head, size_t head_len, const void *payload,
                size_t payload_len);

/* Sends the waiting answers of quick methods, if any. Returns 0 or a negative outpost_error. */
int batch_flush(outpost_plugin *p);

/*
 * Formats into b (NUL-terminated) text for a protobuf string field: valid UTF-8 of at most max
 * bytes, ill-formed bytes replaced and an over-long text cut on a character boundary with a mark
 * (see utf8_copy()). Returns the length or OUTPOST_ENOMEM.
 */
long text_vformat(struct buf *b, size_t max, const char *fmt, va_list ap);

#endif
