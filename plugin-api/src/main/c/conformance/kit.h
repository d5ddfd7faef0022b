/*
 * kit.h - outpost-conformance: plays the Outpost host against any plugin executable.
 *
 * Each case spawns the plugin afresh, the way the host does (the socket on fd 3, the documented
 * environment, a private working directory), talks to it through a session, and ends by
 * killing and reaping it. The framing is the SDK's (src/frame.c), the messages protoc-c's, built
 * by messages.c (which the SDK's tests share).
 */
#ifndef OUTPOST_KIT_H
#define OUTPOST_KIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "frame.h"
#include "messages.h"
#include "outpost/v1/outpost.pb-c.h"

/* The protocol's own bounds (docs/protocol.md, section 10). */
#define KIT_HANDSHAKE_MS 5000
#define KIT_GRACE_MS 2000
#define KIT_MAX_FRAME 16777216u

/* What the command line chose; shared by all cases. */
struct kit {
    const char *exe;           /* the plugin executable */
    char *const *args;         /* its arguments (argv[1..]), NULL-terminated */
    const char *name;          /* argv[0] and OUTPOST_PLUGIN_NAME */
    const char *service;       /* the method the call cases call: given, or the Hello's first */
    const char *method;
    const uint8_t *payload;
    size_t payload_len;
    int timeout_ms;            /* the deadline of each answer */
    int grace_ms;              /* the deadline of each exit */
    int verbose;               /* copy the plugin's stdout and stderr to ours after each case */
    char *found_service;       /* the Hello's first service and method (malloc'd), or NULL */
    char *found_method;
};

/* One spawned plugin process and our end of its connection. */
struct session {
    const struct kit *kit;
    pid_t pid;                 /* also its process group: it leads its own */
    int pidfd;
    int fd;                    /* our end of the socketpair; -1 once closed */
    int out_fd;                /* the file its stdout and stderr go to */
    struct frame_rx rx;
    int status;                /* its wait status once reaped, else -1 */
    char dir[64];              /* its private working directory */
    char why[512];             /* what went wrong, for the case's FAIL line */
};

/* What sess_recv() found. */
enum recv_result {
    RECV_FRAME = 1,
    RECV_EOF = 0,        /* the plugin closed the connection (or exited) */
    RECV_TIMEOUT = -1,   /* nothing complete before the deadline */
    RECV_BAD = -2        /* the plugin sent a frame that breaks the framing or protobuf */
};

/* Results of a case. */
enum verdict { PASS = 0, FAIL = 1, SKIP = 2 };

/* Milliseconds of CLOCK_MONOTONIC, the clock of every deadline. */
long kit_now_ms(void);

/*
 * Spawns the plugin with max_frame as OUTPOST_MAX_FRAME_SIZE. Returns 0, or -1 with s->why set
 * (nothing is left running). End every session with sess_end().
 */
int sess_spawn(struct session *s, const struct kit *kit, uint32_t max_frame);

/* Spawns and receives the Hello (into *hello if not NULL; free it with
 * outpost__v1__frame__free_unpacked), which must offer version 1. Returns 0, or -1 with s->why
 * set. */
int sess_hello(struct session *s, const struct kit *kit, Outpost__V1__Frame **hello);

/* sess_hello(), then sends a Welcome{version 1, minor 1}. Returns as sess_hello(). */
int sess_start(struct session *s, const struct kit *kit, Outpost__V1__Frame **hello);

/* Sends bytes / one frame, within the answer deadline. Returns 0, or -1 with s->why set. */
int sess_send_raw(struct session *s, const void *data, size_t len);
int sess_send(struct session *s, const Outpost__V1__Frame *f);

/* The frames the cases send (each one whole frame, sent at once). Return as sess_send(). */
int sess_request(struct session *s, uint64_t id, const char *service, const char *method);
int sess_ping(struct session *s, uint64_t nonce);
int sess_cancel(struct session *s, uint64_t id);
int sess_goodbye(struct session *s);

/* Appends a Request of the kit's payload to *buf as msg_encode() does. Returns 0 or -1. */
int kit_encode_request(const struct kit *kit, uint64_t id, const char *service, const char *method,
                       uint8_t **buf, size_t *len);

/*
 * Receives the plugin's next frame until deadline (kit_now_ms() time). On RECV_FRAME, *f holds
 * it (free with outpost__v1__frame__free_unpacked); RECV_BAD sets s->why.
 */
enum recv_result sess_recv(struct session *s, long deadline, Outpost__V1__Frame **f);

/*
 * sess_recv() that plays a host that is up: skips Log frames, answers Pings with Pongs and the
 * plugin's own Requests with PERMISSION_DENIED (the kit's Welcome imports nothing).
 */
enum recv_result sess_next(struct session *s, long deadline, Outpost__V1__Frame **f);

/* Closes our end of the connection (the plugin sees end of file). */
void sess_close(struct session *s);

/*
 * Waits up to timeout_ms for the plugin to exit and reaps it. Returns its exit code, 128 + the
 * signal that killed it, or -1 if it is still running (it is left running).
 */
int sess_wait_exit(struct session *s, int timeout_ms);

/* Describes the exit code of sess_wait_exit() ("exited 3", "killed by signal 9 (Killed)"). */
const char *kit_exit_text(int code, char *buf, size_t size);

/* Kills the plugin's process group if it is still there, reaps the plugin, closes everything,
 * removes its directory; with kit->verbose, copies its output to stderr. Safe to call twice. */
void sess_end(struct session *s);

/* Names a frame's kind ("Response", "Log"...). */
const char *kit_kind_name(const Outpost__V1__Frame *f);

/* ---- what the cases share (common.c) ---- */

/* Ends a case's session (sess_end()) and hands its reason to the case's line: unless v is PASS or
 * why is set already, why gets s->why. Returns v. */
enum verdict sess_finish(struct session *s, enum verdict v, char *why, size_t n);

/* What a case does with the target method in a started session: PASS, or FAIL with s->why set. */
typedef enum verdict (*kit_calls_fn)(struct session *s, const char *service, const char *method);

/* Runs a case that calls the target method (kit_target()): SKIP when there is none, else body in
 * a session begun with sess_start() and ended with sess_finish(). Returns the case's verdict. */
enum verdict kit_call_case(struct kit *k, char *why, size_t n, kit_calls_fn body);

/* The method the call cases call: the one given, or the Hello's first. Returns 0, or -1 when
 * there is none (the case is skipped; why says so). */
int kit_target(const struct kit *k, const char **service, const char **method, char *why,
               size_t n);

/* Sets s->why to what the plugin did instead of sending what the kit waited for (r and f as
 * sess_recv() gave them; f is freed), e.g. "sent nothing within 5000 ms (waiting for X)". */
void sess_explain(struct session *s, enum recv_result r, Outpost__V1__Frame *f,
                  const char *waiting_for);

/* Receives the Response to call id within the answer deadline. Returns it (it lives in *f, free
 * that), or NULL with s->why set. A Response of another id is a failure. */
Outpost__V1__Response *sess_await(struct session *s, uint64_t id, Outpost__V1__Frame **f);

/* Checks that a Response sets exactly one of payload and error, the error with a known code.
 * Returns 0, or -1 with s->why set. */
int sess_check_response(struct session *s, const Outpost__V1__Response *r);

/* Describes an answer ("a payload of 3 bytes", "error UNIMPLEMENTED \"...\""). */
const char *kit_answer_text(const Outpost__V1__Response *r, char *buf, size_t size);

/*
 * After something that must end the plugin (a protocol error or a Refusal): reads until end of
 * file or the grace deadline, then waits for the exit. strict: any frame at all is a failure
 * (the plugin has no Welcome); else Log and Goodbye frames are allowed. allow_close: closing the
 * connection passes even if the process stays. after names the cause for the FAIL line.
 * Returns PASS when the plugin exited non-zero in time (not by a signal), else FAIL with s->why.
 */
enum verdict sess_expect_failure(struct session *s, int strict, int allow_close,
                                 const char *after);

/* Reads until end of file or the grace deadline (Log and Goodbye frames are allowed), then
 * waits for the exit. Returns PASS when the plugin exited 0 in time, else FAIL with s->why. */
enum verdict sess_expect_exit0(struct session *s, const char *after);

/* The cases; each fills why (size n) when it does not pass. */
enum verdict case_handshake(struct kit *k, char *why, size_t n);
enum verdict case_call(struct kit *k, char *why, size_t n);
enum verdict case_pipelining(struct kit *k, char *why, size_t n);
enum verdict case_split_frames(struct kit *k, char *why, size_t n);
enum verdict case_unknown_method(struct kit *k, char *why, size_t n);
enum verdict case_cancel(struct kit *k, char *why, size_t n);
enum verdict case_ping(struct kit *k, char *why, size_t n);
enum verdict case_pre_welcome(struct kit *k, char *why, size_t n);
enum verdict case_oversize_frame(struct kit *k, char *why, size_t n);
enum verdict case_malformed_frame(struct kit *k, char *why, size_t n);
enum verdict case_refusal(struct kit *k, char *why, size_t n);
enum verdict case_goodbye(struct kit *k, char *why, size_t n);
enum verdict case_eof(struct kit *k, char *why, size_t n);
enum verdict case_sigterm_race(struct kit *k, char *why, size_t n);

#endif
