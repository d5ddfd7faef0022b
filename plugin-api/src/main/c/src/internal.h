/* internal.h - the state of a plugin, shared by the SDK's source files. Not installed. */
#ifndef OUTPOST_INTERNAL_H
#define OUTPOST_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
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

/* Handlers that may run at once, one inside another's outpost_call(): the outer one and the
 * nested ones. */
#define NEST_LEVELS (1 + OUTPOST_MAX_NESTING)

/* A block of outpost_request_scratch() memory. */
struct scratch {
    struct scratch *next;
    max_align_t data[];
};

/* What the handler running at one nesting level owns, so that a nested one leaves it alone. */
struct level {
    struct buf out;          /* payloads of outpost_response_alloc() / _set_payload() */
    struct buf err_text;     /* the message of the current error response */
    struct frame_rx pinned;  /* the receive buffer its request is in, once outpost_call() needed a
                              * new one to read into (has_pinned) */
    bool has_pinned;
    struct scratch *scratch; /* outpost_request_scratch() blocks, freed once the answer is sent */
    size_t scratch_len;      /* their bytes */
};

/* An outpost_call() waiting for its answer, on its stack. */
struct waiter {
    outpost_answer *answer;
    bool done;
};

/* A call of the plugin's in flight: a Request was sent, no answer came, the deadline is ahead. */
struct pending {
    uint64_t id;
    long deadline;           /* io_now_ns() from which it fails DEADLINE_EXCEEDED; 0: none */
    uint32_t timeout_ms;
    struct waiter *waiter;   /* outpost_call(); NULL for outpost_call_async() */
    outpost_answer_fn fn;    /* outpost_call_async() */
    void *user;
};

/* An async call that has its answer, waiting for outpost_serve()'s loop to run its callback. */
struct finished {
    outpost_answer_fn fn;
    void *user;
    outpost_answer answer;
};

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
    struct buf log_text;    /* the message of the current Log frame */
    /* serving */
    pthread_t thread;       /* the one that called outpost_serve() */
    bool welcomed;
    bool fresh;             /* nothing was handled since the last wait, which watched SIGTERM */
    bool leaving;           /* Goodbye, SIGTERM, EOF or failure: no frame is handled any more */
    const char *leave_reason;
    int failed;             /* the connection failed with this error (also set: leaving) */
    char **imports;         /* the Welcome's imports */
    size_t n_imports;
    uint32_t host_minor;    /* the Welcome's minor_version */
    outpost_ready_fn ready;
    void *ready_user;
    /* the host's calls: handlers running one inside another's outpost_call() */
    unsigned depth;
    struct level levels[NEST_LEVELS];
    struct frame_rx spare;  /* a receive buffer kept for the next pin */
    /* the plugin's calls */
    uint64_t last_id;       /* the highest id sent; ids are 1, 2, 3... */
    struct pending *calls;
    size_t n_calls, cap_calls;
    size_t n_async;         /* of the calls, those of outpost_call_async() */
    struct finished *done;  /* a queue: done[done_head..n_done) */
    size_t done_head, n_done, cap_done;
};

struct outpost_request {
    outpost_plugin *plugin;
    struct level *lv;
    const struct method *m;
    const struct wire_request *wire;
    outpost_response *resp; /* the answer of the handler handling it (on its level's stack) */
};

struct outpost_response {
    outpost_plugin *plugin;
    struct level *lv;
    const void *payload;
    size_t len;
    outpost_code code;      /* OUTPOST_CODE_UNSPECIFIED: success */
    size_t msg_len;         /* the message is in lv->err_text */
};

/* Makes b at least size bytes. Returns 0 or OUTPOST_ENOMEM. */
int buf_reserve(struct buf *b, size_t size);

/* Frees b. */
void buf_free(struct buf *b);

/* Runs the handler for a request (or answers UNIMPLEMENTED, or RESOURCE_EXHAUSTED when
 * NEST_LEVELS handlers are running) and sends the answer. Returns 0 or a negative outpost_error. */
int call_dispatch(outpost_plugin *p, const struct wire_request *wr);

/* Frees what the nesting levels own. */
void levels_free(outpost_plugin *p);

/*
 * Before a handler's outpost_call() reads more frames: moves the receive buffer its request is
 * in out of the way (into its level), so that the request stays valid. Returns 0 or OUTPOST_ENOMEM.
 */
int level_pin(outpost_plugin *p);

/*
 * Handles one frame: one received already, or, when there is none, waits until deadline
 * (io_now_ns(); 0: none) and reads more. Sets p->leaving (and p->failed) when serving must end.
 * Returns 0 or the negative outpost_error that failed the connection.
 */
int conn_pump(outpost_plugin *p, long deadline);

/* Takes the Welcome (and runs the ready callback) / the Refusal. Return 0 or <0 (serve.c). */
int serve_take_welcome(outpost_plugin *p, const struct wire_frame *wf);
int serve_take_refusal(outpost_plugin *p, const struct wire_frame *wf);

/* Handles frames until serving ends. Returns 0 or the error that failed the connection. */
int serve_loop(outpost_plugin *p);

/* Records that the connection failed with rc (p->failed, p->leaving). Returns rc. */
int conn_failed(outpost_plugin *p, int rc);

/* Prints "outpost: NAME: <message>" to stderr; returns rc. */
int plugin_fail(const outpost_plugin *p, int rc, const char *fmt, ...) OUTPOST_PRINTF(3, 4);

/* Completes the call a Response answers. Returns 0, or OUTPOST_EPROTO for an id never sent. */
int calls_answer(outpost_plugin *p, const struct wire_response *wr);

/* The earliest deadline of the calls in flight (io_now_ns()), or 0 if none has one. */
long calls_next_deadline(const outpost_plugin *p);

/* Fails the calls whose deadline passed with DEADLINE_EXCEEDED and sends their Cancels. Returns 0
 * or a negative outpost_error. */
int calls_expire(outpost_plugin *p);

/* Runs the callbacks of the answered async calls, in the order they were answered. */
void calls_run_done(outpost_plugin *p);

/* When outpost_serve() ends: fails every call in flight with UNAVAILABLE and runs the callbacks,
 * also of calls those callbacks make, until none is left. */
void calls_end(outpost_plugin *p);

/* Frees the call tables and the imports. */
void calls_free(outpost_plugin *p);

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
