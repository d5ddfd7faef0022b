/* host.h - plays the Outpost host for the SDK tests: spawns the test plugin, sends, receives. */
#ifndef OUTPOST_TEST_HOST_H
#define OUTPOST_TEST_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "messages.h" /* the frames a host sends: shared with the conformance kit */
#include "outpost/v1/outpost.pb-c.h"

/* Deadline of every wait, generous enough for valgrind. */
#define HOST_TIMEOUT_MS 20000

struct host {
    pid_t pid;
    int pidfd;
    int fd;          /* our end of the socketpair */
    int stdout_fd;   /* the plugin's stdout */
    long stdout_bytes; /* what the plugin wrote to stdout, counted by host_wait() */
    uint8_t *buf;    /* received bytes not consumed yet */
    size_t len, cap;
};

/* OUTPOST_SPIN_US for the next host_spawn only, which sets it back to "0". */
extern const char *host_spin_us;

/* Spawns the test plugin like the host does (fd 3, environment); max_frame NULL for default. */
int host_spawn(struct host *h, const char *max_frame_env);

/* host_spawn() with the test plugin's mode as argv[1] (see test_plugin.c; NULL for none). */
int host_spawn_mode(struct host *h, const char *max_frame_env, const char *mode);

/* Sends a frame / raw bytes. Returns 0 or -1. */
int host_send(struct host *h, const Outpost__V1__Frame *f);
int host_send_raw(struct host *h, const void *data, size_t len);

/* Receives one frame; NULL on EOF, timeout or a malformed frame. Free with host_free_frame. */
Outpost__V1__Frame *host_recv(struct host *h);
void host_free_frame(Outpost__V1__Frame *f);

/* Receives the Hello and answers Welcome{version 1, max_frame_size, config "k=v"...}. */
int host_handshake(struct host *h, uint32_t max_frame, const char *const *config);

/* host_handshake() whose Welcome says minor_version 1 and lists imports (NULL-terminated). */
int host_handshake_imports(struct host *h, uint32_t max_frame, const char *const *config,
                           const char *const *imports);

/* Sends a Request. */
int host_call(struct host *h, uint64_t id, const char *service, const char *method,
              const void *payload, size_t len);

/* Receives the Response with this id, skipping Log frames; NULL otherwise. */
Outpost__V1__Response *host_reply(struct host *h, uint64_t id, Outpost__V1__Frame **frame);

/* Receives the plugin's next Request, skipping Log frames; NULL otherwise (the frame is kept in
 * *frame for host_free_frame either way). */
Outpost__V1__Request *host_request(struct host *h, Outpost__V1__Frame **frame);

/* Answers the plugin's call id with a payload / an error. */
int host_answer(struct host *h, uint64_t id, const void *payload, size_t len);
int host_answer_error(struct host *h, uint64_t id, int code, const char *message);

/* Sends a frame with only Goodbye / Ping set. */
int host_goodbye(struct host *h);

/* Waits for the plugin to exit; returns its exit code, 128+signal, or -1 on timeout (then
 * kills it). Reaps it, counts its stdout bytes, closes the fds and frees the buffer. */
int host_wait(struct host *h);

/* host_wait() with a deadline of timeout_ms instead of HOST_TIMEOUT_MS. */
int host_wait_ms(struct host *h, int timeout_ms);

#endif
