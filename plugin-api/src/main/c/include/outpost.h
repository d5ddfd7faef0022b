/*
 * outpost.h - the C SDK for Outpost plugins.
 *
 * A plugin is a process that the Outpost host spawns; it talks to the host over the socket on
 * fd 3 using the protocol described in docs/protocol.md. This SDK does the handshake, the
 * framing and the dispatching: a plugin registers handlers and calls outpost_serve(). While it
 * serves, the plugin may call the host's services too (outpost_call(), outpost_call_async()).
 *
 *     static int echo(void *user, const outpost_request *req, outpost_response *resp) {
 *         size_t len;
 *         const void *data = outpost_request_payload(req, &len);
 *         return outpost_response_set_payload_ref(resp, data, len);
 *     }
 *
 *     int main(void) {
 *         outpost_plugin *p = outpost_plugin_new("echo", "1.0.0");
 *         if (p == NULL || outpost_plugin_add_method(p, "echo", "echo", echo, NULL) != 0)
 *             return 1;
 *         int rc = outpost_serve(p);
 *         outpost_plugin_free(p);
 *         return rc == 0 ? 0 : 1;
 *     }
 *
 * Build, with the SDK installed (docs/c-sdk.md): cc plugin.c $(pkg-config --cflags --libs outpost)
 * or from a build tree: cc -I<sdk>/include plugin.c <sdk>/liboutpost.a -lprotobuf-c
 *
 * Threads: the SDK is not thread-safe. Handlers, answer callbacks and the ready callback run on
 * the thread that called outpost_serve() (the serving thread), and every SDK function that takes
 * a plugin, a request or a response, outpost_call() and outpost_call_async() included, must be
 * called from that thread: from a handler, an answer callback or the ready callback. The plugin
 * may have other threads; how SIGTERM reaches the SDK then is told at outpost_serve().
 *
 * Errors: functions that can fail return 0 on success or a negative outpost_error code;
 * outpost_strerror() names it. The SDK never writes to stdout; its diagnostics go to stderr.
 */
#ifndef OUTPOST_H
#define OUTPOST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define OUTPOST_API __attribute__((visibility("default")))
#define OUTPOST_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OUTPOST_API
#define OUTPOST_PRINTF(fmt, args)
#endif

/* Version of this header: the SDK a plugin is compiled with (also outpost.pc's Version). The
 * library a plugin is linked with tells its own with outpost_version() and
 * outpost_version_string(); the two differ only when a header and a library were mixed up. */
#define OUTPOST_VERSION_MAJOR 0
#define OUTPOST_VERSION_MINOR 2
#define OUTPOST_VERSION_PATCH 0
#define OUTPOST_VERSION_HEX \
    ((OUTPOST_VERSION_MAJOR << 16) | (OUTPOST_VERSION_MINOR << 8) | OUTPOST_VERSION_PATCH)

/* The protocol versions this SDK speaks (it offers [MIN, MAX] in its Hello), and the highest
 * minor version of MAX it knows (its Hello's minor_version): 1.1 added calls to the host. */
#define OUTPOST_PROTOCOL_VERSION_MIN 1
#define OUTPOST_PROTOCOL_VERSION_MAX 1
#define OUTPOST_PROTOCOL_MINOR_VERSION 1

/* Defaults used when the environment does not say otherwise. */
#define OUTPOST_DEFAULT_FD 3
#define OUTPOST_DEFAULT_MAX_FRAME_SIZE 16777216u

/* Async calls of the plugin in flight at once, at most (see outpost_call_async()). */
#define OUTPOST_MAX_CALLS_IN_FLIGHT 1024
/* Requests handled one inside another (while a handler waits in outpost_call()), at most, besides
 * the outer one: see outpost_call(). */
#define OUTPOST_MAX_NESTING 4

/* A plugin: its name, version, methods, and while it serves, its connection. */
typedef struct outpost_plugin outpost_plugin;
/* A call from the host, as seen by a handler. Owned by the SDK. */
typedef struct outpost_request outpost_request;
/* The answer a handler builds. Owned by the SDK. */
typedef struct outpost_response outpost_response;

/* Error codes returned by SDK functions (always negative). */
typedef enum outpost_error {
    OUTPOST_OK = 0,
    OUTPOST_EINVAL = -1,    /* invalid argument */
    OUTPOST_ENOMEM = -2,    /* out of memory */
    OUTPOST_EEXIST = -3,    /* the method is already registered */
    OUTPOST_EBUSY = -4,     /* not allowed once outpost_serve() was called, or not serving */
    OUTPOST_EIO = -5,       /* a system call on the connection failed (see stderr) */
    OUTPOST_EPROTO = -6,    /* the host broke the protocol (malformed or unexpected frame) */
    OUTPOST_ETOOBIG = -7,   /* a frame is larger than the maximum frame size */
    OUTPOST_EREFUSED = -8,  /* the host refused the handshake */
    OUTPOST_EAGAIN = -9     /* too many calls in flight (OUTPOST_MAX_CALLS_IN_FLIGHT) */
} outpost_error;

/* Call status codes, the same numbers as outpost.v1.Code on the wire. */
typedef enum outpost_code {
    OUTPOST_CODE_UNSPECIFIED = 0,
    OUTPOST_CODE_OK = 0,                 /* the same: an answer without error */
    OUTPOST_CODE_UNIMPLEMENTED = 1,      /* unknown service or method */
    OUTPOST_CODE_INVALID_ARGUMENT = 2,   /* the payload was not acceptable */
    OUTPOST_CODE_DEADLINE_EXCEEDED = 3,  /* the call's deadline passed */
    OUTPOST_CODE_CANCELLED = 4,          /* the caller cancelled the call */
    OUTPOST_CODE_INTERNAL = 5,           /* the callee failed */
    OUTPOST_CODE_UNAVAILABLE = 6,        /* the callee is stopping, stopped or died */
    OUTPOST_CODE_RESOURCE_EXHAUSTED = 7, /* a limit was hit (for example the frame size) */
    OUTPOST_CODE_PROTOCOL_ERROR = 8,     /* the peer broke the protocol */
    OUTPOST_CODE_PERMISSION_DENIED = 9   /* the caller may not call this service (1.1: its bundle
                                          * does not import it) */
} outpost_code;

/* Log levels, the same numbers as outpost.v1.Level on the wire. */
typedef enum outpost_log_level {
    OUTPOST_LOG_TRACE = 1,
    OUTPOST_LOG_DEBUG = 2,
    OUTPOST_LOG_INFO = 3,
    OUTPOST_LOG_WARN = 4,
    OUTPOST_LOG_ERROR = 5
} outpost_log_level;

/*
 * A method handler, called by outpost_serve() for each matching request.
 *   user: the pointer given to outpost_plugin_add_method().
 *   req:  the call; it and everything it points to are valid until the handler returns.
 *   resp: the answer to fill with one of the outpost_response_* functions. Left untouched, the
 *         answer is an empty payload.
 * Returns 0 on success. A non-zero return without an error set answers INTERNAL. An error set
 * with outpost_response_set_error() or outpost_request_set_error() is sent whatever the return
 * value.
 */
typedef int (*outpost_handler)(void *user, const outpost_request *req, outpost_response *resp);

/*
 * The answer to a call the plugin made. Filled by the SDK; free its members with
 * outpost_answer_clear().
 */
typedef struct outpost_answer {
    outpost_code code;  /* OUTPOST_CODE_OK (0) on success; otherwise why the call failed */
    void *payload;      /* the answer's bytes (malloc'd, owned by whoever holds the answer; NULL
                         * when len is 0 or on error) */
    size_t len;
    char *message;      /* the error's message (possibly empty), NUL-terminated, malloc'd; NULL on
                         * success, and when memory for it was short */
} outpost_answer;

/*
 * Called once for each outpost_call_async(), with its answer.
 *   user:   the pointer given to outpost_call_async().
 *   answer: valid until fn returns. fn may keep answer->payload or answer->message by taking it
 *           (copying the pointer and setting the member to NULL; it then frees it with free());
 *           the SDK frees whatever is left after fn returns.
 */
typedef void (*outpost_answer_fn)(void *user, outpost_answer *answer);

/*
 * Called once after the Welcome (see outpost_plugin_on_ready()).
 *   user:   the pointer given to outpost_plugin_on_ready().
 *   plugin: the plugin being served.
 * Returns 0 to go on serving, anything else to stop.
 */
typedef int (*outpost_ready_fn)(void *user, outpost_plugin *plugin);

/* ---- library ---------------------------------------------------------------------------- */

/* Version of the linked library (not of the header compiled against), encoded like
 * OUTPOST_VERSION_HEX: 0xMMmmpp. */
OUTPOST_API unsigned outpost_version(void);

/* Version of the linked library as "MAJOR.MINOR.PATCH". Static string, never NULL. */
OUTPOST_API const char *outpost_version_string(void);

/* Describes an outpost_error code. Static string, never NULL (also for unknown codes). */
OUTPOST_API const char *outpost_strerror(int err);

/* ---- plugin ----------------------------------------------------------------------------- */

/*
 * Creates a plugin.
 *   name:    the plugin name sent in the Hello; NULL takes $OUTPOST_PLUGIN_NAME, else "plugin".
 *   version: the plugin version sent in the Hello; NULL means "".
 * Both strings are copied. Returns NULL when out of memory. Free with outpost_plugin_free().
 */
OUTPOST_API outpost_plugin *outpost_plugin_new(const char *name, const char *version);

/* Frees a plugin and everything it owns. NULL is allowed. Not during outpost_serve(). */
OUTPOST_API void outpost_plugin_free(outpost_plugin *plugin);

/*
 * Registers a handler for one method of one service; the Hello lists services and methods in
 * the order of registration. service and method are copied; user is passed to fn as is and is
 * owned by the caller.
 * Returns 0, OUTPOST_EINVAL (NULL or empty argument), OUTPOST_EEXIST (already registered),
 * OUTPOST_EBUSY (outpost_serve() was already called) or OUTPOST_ENOMEM.
 */
OUTPOST_API int outpost_plugin_add_method(outpost_plugin *plugin, const char *service,
                                          const char *method, outpost_handler fn, void *user);

/*
 * Flag of outpost_plugin_add_method_flags(): the handler never blocks (no I/O, no waiting, work
 * bounded by its payload). The answers of such handlers to requests that arrived together are
 * sent together, in one write, once the last of them is handled: one system call instead of one
 * per call when many calls are in flight. Before a handler without the flag runs, any answer
 * waiting is sent; so is everything waiting when outpost_serve() returns. Such a handler may call
 * the host with outpost_call_async(), not with outpost_call(), which waits.
 */
#define OUTPOST_METHOD_QUICK 0x1u

/*
 * outpost_plugin_add_method() with flags (0 or OUTPOST_METHOD_QUICK).
 * Returns as outpost_plugin_add_method(), and OUTPOST_EINVAL for an unknown flag.
 */
OUTPOST_API int outpost_plugin_add_method_flags(outpost_plugin *plugin, const char *service,
                                                const char *method, outpost_handler fn,
                                                void *user, unsigned flags);

/*
 * Registers fn to be called once, on the serving thread, after the host's Welcome and before the
 * first request is handled (for example to look up the host services the plugin needs with
 * outpost_import_available() and outpost_call()). Requests that arrive while fn waits in
 * outpost_call() are handled nested, as when a handler waits. If fn returns non-zero, serving
 * ends: the SDK prints a line to stderr, sends the host a Goodbye, and outpost_serve() returns
 * fn's value if it is negative, else OUTPOST_EINVAL. fn NULL removes the callback; user is passed
 * to fn as is and is owned by the caller.
 * Returns 0, OUTPOST_EINVAL (plugin NULL) or OUTPOST_EBUSY (outpost_serve() was already called).
 */
OUTPOST_API int outpost_plugin_on_ready(outpost_plugin *plugin, outpost_ready_fn fn, void *user);

/*
 * Serves the host until it lets the plugin go. Takes the connection from $OUTPOST_FD (default
 * 3) and the initial maximum frame size from $OUTPOST_MAX_FRAME_SIZE (default 16 MiB), sends the
 * Hello, waits for the Welcome, then reads frames and answers them one at a time: requests go to
 * their handler (UNIMPLEMENTED if none is registered), pings are answered, cancels are ignored
 * (calls run to completion). After each write it polls the socket for up to $OUTPOST_SPIN_US
 * microseconds (the host's setting; default 0, and never when the process may run on one CPU
 * only) before it sleeps, since the next request often comes sooner than a sleeping CPU wakes.
 *
 * SIGTERM ends serving and is never lost: a handler that is running when it arrives finishes
 * and its answer is sent, queued calls are not started, and outpost_serve() returns 0. For this,
 * while it serves, the SDK
 *   - installs a SIGTERM handler of its own for the whole process (sigaction(2), SA_RESTART;
 *     the previous action, for example a handler of the plugin's, is restored on return);
 *   - opens a self-pipe, an eventfd(2) that its handler writes to: the one file descriptor the
 *     SDK opens, close-on-exec and non-blocking, closed again before outpost_serve() returns;
 *   - blocks SIGTERM in the calling thread except inside ppoll(2) (the previous mask is restored
 *     on return): handlers are never interrupted by it, and child processes they start inherit
 *     the blocked SIGTERM.
 *
 * Threads and SIGTERM: the kernel gives a SIGTERM sent to the process to any one thread that
 * does not block it. That may be the serving thread while it waits in ppoll(2), or any other
 * thread of the plugin: the SDK's handler then runs on that thread, and its write to the eventfd
 * wakes the serving thread. Other threads may block SIGTERM or not, as the plugin likes (a thread
 * created by a handler inherits the blocked SIGTERM). While outpost_serve() runs, a plugin must
 * not
 *   - install its own SIGTERM handler or change SIGTERM's action (sigaction(2), signal(2)) after
 *     outpost_serve() installed the SDK's: SIGTERM then kills the plugin or is lost; install
 *     one before instead, and it is back when outpost_serve() returns;
 *   - take SIGTERM on another thread with sigwait(3), sigwaitinfo(2), sigtimedwait(2) or a
 *     signalfd(2): a SIGTERM taken there never reaches the SDK;
 *   - unblock SIGTERM in the serving thread (from a handler): the SDK still sees the signal,
 *     but the handler's system calls may then fail with EINTR;
 *   - close, read or write the SDK's eventfd (for example by closing every fd above 3);
 *   - serve another plugin at the same time (the handler and the eventfd are per process).
 * Plugins may be served one after the other in one process; nothing of one is left for the
 * next.
 *
 * Before it returns, every async call still in flight fails with OUTPOST_CODE_UNAVAILABLE: its
 * callback runs (see outpost_call_async()).
 *
 * The SDK does not close the connection. Can be called once per plugin.
 * Returns 0 when the host said Goodbye, closed the connection, or SIGTERM arrived. Otherwise
 * prints a one-line reason to stderr and returns the ready callback's error (see
 * outpost_plugin_on_ready()), OUTPOST_EREFUSED (Refusal), OUTPOST_EPROTO,
 * OUTPOST_ETOOBIG (a frame over the maximum size), OUTPOST_EIO, OUTPOST_ENOMEM, or OUTPOST_EBUSY
 * (called twice for this plugin, or while another plugin is being served in the process). A
 * plugin should exit 0 for 0 and non-zero otherwise.
 */
OUTPOST_API int outpost_serve(outpost_plugin *plugin);

/*
 * The configuration value for key from the host's Welcome (the bundle's Outpost-Config), or NULL
 * if the host sent none (or before the Welcome). The string is owned by the plugin and valid
 * until outpost_plugin_free(). If a key appears more than once, the last value wins.
 */
OUTPOST_API const char *outpost_config_get(const outpost_plugin *plugin, const char *key);

/*
 * 1 if the host's Welcome listed service among the imports available to the plugin (the host
 * services its bundle's Outpost-Import names that exist now), 0 otherwise: service NULL, before
 * the Welcome, or a host of protocol 1.0 (which lists none). Availability may change later; a
 * call then fails with OUTPOST_CODE_UNAVAILABLE.
 */
OUTPOST_API int outpost_import_available(const outpost_plugin *plugin, const char *service);

/*
 * The largest response payload that fits in one frame (the negotiated maximum frame size minus
 * the Response envelope). A larger answer is replaced by a RESOURCE_EXHAUSTED error.
 */
OUTPOST_API size_t outpost_max_payload(const outpost_plugin *plugin);

/*
 * Sends a log line to the host (a Log frame), printf-style. The line is sent as valid UTF-8
 * whatever it quotes (a protobuf string must be): bytes that are not UTF-8 become U+FFFD, and a
 * line longer than a frame allows is cut on a character boundary and ends in "...". Outside
 * outpost_serve() (no connection yet or any more), the line goes to stderr, which the host logs
 * too.
 * Returns 0, OUTPOST_EINVAL (NULL plugin or fmt, or unknown level), OUTPOST_ENOMEM or OUTPOST_EIO.
 */
OUTPOST_API int outpost_log(outpost_plugin *plugin, outpost_log_level level, const char *fmt, ...)
    OUTPOST_PRINTF(3, 4);

/* ---- calls of the host's services (1.1) ------------------------------------------------- */

/*
 * Calls method of the host's service with len bytes at payload (payload may be NULL when len is
 * 0) and waits for the answer. service and method are UTF-8 names; payload is copied or sent
 * before the function returns. timeout_ms is the call's deadline, sent to the host, which the SDK
 * also enforces itself; 0 is none of its own (the host applies its maximum).
 *
 * Only on the serving thread while outpost_serve() runs after the Welcome: from a handler, an
 * answer callback or the ready callback. While it waits, the SDK goes on serving:
 *   - Pings are answered;
 *   - a Request of the host is handled at once, nested, on this thread (so that a host service
 *     that calls the plugin back does not deadlock): its handler runs inside this function. At
 *     most OUTPOST_MAX_NESTING handlers run nested; a request that would be one more is answered
 *     RESOURCE_EXHAUSTED. Everything of the waiting handler's request and response stays valid
 *     (its payload, its outpost_response_alloc() buffer, its scratch memory);
 *   - answers to outpost_call_async() calls are kept, and their callbacks run later from
 *     outpost_serve()'s loop, never inside this function;
 *   - a Goodbye or the end of the connection ends the wait (the call fails UNAVAILABLE) and
 *     outpost_serve() returns 0 once the handler has returned; so does SIGTERM, which is not lost
 *     (the running handlers finish and their answers are sent, as outpost_serve() tells).
 * Answers of OUTPOST_METHOD_QUICK handlers still waiting to be sent go out before the Request.
 * A call made once serving is ending (after a Goodbye, SIGTERM or EOF) fails UNAVAILABLE at once.
 *
 * On return 0, *answer holds the answer: code OUTPOST_CODE_OK and the payload, or the error's code
 * and message: the host's (UNIMPLEMENTED, PERMISSION_DENIED for a service the bundle does not
 * import, UNAVAILABLE for an import not available, ...), or the SDK's: DEADLINE_EXCEEDED when
 * timeout_ms passed without an answer (the SDK sends the host a Cancel and drops the late answer),
 * UNAVAILABLE when serving ended while waiting, RESOURCE_EXHAUSTED when memory for the answer
 * was short. The caller frees the members with outpost_answer_clear().
 * Returns 0, or a negative error with *answer zeroed: OUTPOST_EINVAL (NULL plugin or answer, NULL
 * or empty service or method, names not UTF-8, NULL payload with len > 0), OUTPOST_EBUSY (not on
 * the serving thread while serving after the Welcome), OUTPOST_ETOOBIG (the Request would be over
 * the maximum frame size), OUTPOST_ENOMEM, or the error that failed the connection while waiting
 * (OUTPOST_EIO, OUTPOST_EPROTO, OUTPOST_ETOOBIG, OUTPOST_ENOMEM), which outpost_serve() then
 * returns.
 */
OUTPOST_API int outpost_call(outpost_plugin *plugin, const char *service, const char *method,
                             const void *payload, size_t len, uint32_t timeout_ms,
                             outpost_answer *answer);

/*
 * Calls method of the host's service like outpost_call() but returns at once, once the Request is
 * sent. fn is called exactly once, on the serving thread, from outpost_serve()'s loop between two
 * frames (never inside this function, a handler or outpost_call()), with the answer: the host's,
 * DEADLINE_EXCEEDED when timeout_ms passed (the SDK sends a Cancel), or UNAVAILABLE when serving
 * ends (before outpost_serve() returns; also for a call made once serving is ending). Callbacks
 * run in the order the answers came. fn may call the SDK's functions, outpost_call() and
 * outpost_call_async() included (a callback that calls again whenever it got UNAVAILABLE keeps
 * outpost_serve() from returning). user is passed to fn as is and is owned by the caller.
 * Returns 0; the errors outpost_call() returns before it waits (OUTPOST_EINVAL also for fn NULL,
 * OUTPOST_EBUSY, OUTPOST_ETOOBIG, OUTPOST_ENOMEM, or the error that failed the connection); or
 * OUTPOST_EAGAIN when OUTPOST_MAX_CALLS_IN_FLIGHT async calls are in flight (a call counts until
 * its callback has returned). fn is never called when it returns an error.
 */
OUTPOST_API int outpost_call_async(outpost_plugin *plugin, const char *service, const char *method,
                                   const void *payload, size_t len, uint32_t timeout_ms,
                                   outpost_answer_fn fn, void *user);

/* Frees answer->payload and answer->message and zeroes *answer. NULL is allowed. */
OUTPOST_API void outpost_answer_clear(outpost_answer *answer);

/* ---- requests (valid only inside a handler) --------------------------------------------- */

/* The call's id, chosen by the host. */
OUTPOST_API uint64_t outpost_request_id(const outpost_request *req);

/* The service and method names, NUL-terminated, owned by the SDK. */
OUTPOST_API const char *outpost_request_service(const outpost_request *req);
OUTPOST_API const char *outpost_request_method(const outpost_request *req);

/*
 * The request payload. Stores its length in *len (if len is not NULL) and returns a pointer
 * that is valid until the handler returns (never NULL, even for an empty payload), also while
 * the handler waits in outpost_call(). Read-only: it points into the SDK's receive buffer.
 */
OUTPOST_API const void *outpost_request_payload(const outpost_request *req, size_t *len);

/* The caller's deadline in milliseconds, 0 for none. */
OUTPOST_API uint32_t outpost_request_timeout_ms(const outpost_request *req);

/* The plugin serving the call (for outpost_log(), outpost_config_get() and the like). */
OUTPOST_API outpost_plugin *outpost_request_plugin(const outpost_request *req);

/*
 * len bytes of memory for the current call, owned by the SDK (for example for the fields of a
 * response message that is packed once the handler has built it), aligned for any type. Valid
 * until the call's answer has been sent, then freed by the SDK: it may hold the answer's payload
 * (outpost_response_set_payload_ref()). A handler may take several blocks; each nested call has
 * its own. Returns NULL when the blocks of this call would exceed the maximum frame size in
 * total, or memory is short. len 0 gives a valid pointer to no bytes.
 */
OUTPOST_API void *outpost_request_scratch(const outpost_request *req, size_t len);

/*
 * Answers req with an error instead of a payload, exactly as outpost_response_set_error() on the
 * response of the handler that is handling req: for code that has only the request at hand (the
 * generated typed glue, for one). req is valid only inside that handler; a nested handler's
 * request is its own, so its error never touches the answer of the handler it runs inside.
 * Returns as outpost_response_set_error(), and OUTPOST_EINVAL for req NULL.
 */
OUTPOST_API int outpost_request_set_error(const outpost_request *req, outpost_code code,
                                          const char *fmt, ...) OUTPOST_PRINTF(3, 4);

/* ---- responses (valid only inside a handler) -------------------------------------------- */

/*
 * Answers with a copy of len bytes at data (data may be NULL when len is 0).
 * Returns 0, OUTPOST_EINVAL, OUTPOST_ETOOBIG (len is over outpost_max_payload(): the answer
 * becomes a RESOURCE_EXHAUSTED error) or OUTPOST_ENOMEM.
 */
OUTPOST_API int outpost_response_set_payload(outpost_response *resp, const void *data, size_t len);

/*
 * Answers with len bytes at data without copying them. The memory stays owned by the caller and
 * must stay valid and unchanged after the handler returns until the SDK has sent the answer,
 * which it does before it runs any other code of the plugin: plugin-owned buffers reused from
 * call to call, static data, the request's own payload (zero-copy echo) and memory from
 * outpost_response_alloc() are fine; memory the handler frees before returning is not.
 * Returns 0, OUTPOST_EINVAL or OUTPOST_ETOOBIG (as for outpost_response_set_payload()).
 */
OUTPOST_API int outpost_response_set_payload_ref(outpost_response *resp, const void *data,
                                                 size_t len);

/*
 * Answers with len bytes that the handler writes into the returned buffer (for example a message
 * packed in place). The buffer is owned by the SDK, reused from call to call, and valid until the
 * answer is sent (a nested call has its own); a second call invalidates the first buffer. To
 * send fewer bytes than allocated, call outpost_response_set_payload_ref(resp, buffer, used).
 * Returns NULL when len is over outpost_max_payload() (the answer becomes a RESOURCE_EXHAUSTED
 * error) or memory is short.
 */
OUTPOST_API void *outpost_response_alloc(outpost_response *resp, size_t len);

/*
 * Answers with an error instead of a payload: code (OUTPOST_CODE_UNIMPLEMENTED to
 * OUTPOST_CODE_PERMISSION_DENIED) and a printf-style message (fmt may be NULL for none), copied.
 * Overrides any payload, set before or after (one over outpost_max_payload() included: the answer
 * stays this error). The message is made valid UTF-8 and cut to fit a frame as outpost_log()
 * does, so it may quote the request.
 * Returns 0, OUTPOST_EINVAL (bad code; the answer becomes INTERNAL) or OUTPOST_ENOMEM.
 */
OUTPOST_API int outpost_response_set_error(outpost_response *resp, outpost_code code,
                                           const char *fmt, ...) OUTPOST_PRINTF(3, 4);

#ifdef __cplusplus
}
#endif

#endif /* OUTPOST_H */
