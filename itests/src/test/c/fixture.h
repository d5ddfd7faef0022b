/* fixture.h - the itests fixture plugin: modes that talk the protocol without the SDK. */
#ifndef OUTPOST_FIXTURE_H
#define OUTPOST_FIXTURE_H

#include <stdint.h>

/* Each runs one raw mode to its end and returns the process exit code. */
int raw_ignore_term(void);
int raw_bad_version(void);
int raw_garbage(void);
int raw_oversize(void);
int raw_wrong_ids(void);
int raw_partial_frame(void);
int raw_close_socket(void);
int raw_chatty(void);

/* Hostile modes (fixture_hostile.c): each attacks the host one way; see there. */
int hostile_ping_flood(void);
int hostile_announce_frame(void);
int hostile_announce_answer(void);
int hostile_huge_log(void);
int hostile_impostor(void);
int hostile_goodbye_exit(void);
int hostile_violate(const char *how);

/* The raw protocol, for the modes above (fixture_raw.c). */
struct Outpost__V1__Frame;
int raw_send_frame(const struct Outpost__V1__Frame *f);
struct Outpost__V1__Frame *raw_recv_frame(void); /* NULL on EOF or garbage; free with raw_free_frame */
void raw_free_frame(struct Outpost__V1__Frame *f);
struct Outpost__V1__Frame *raw_await_request(void); /* the next Request, frames before it dropped; NULL on EOF */
int raw_write_all(const void *data, size_t len); /* raw bytes to the host; 0 or -1 */
int raw_hello_as(const char *name, uint32_t min, uint32_t max);
int raw_await_welcome(void);    /* 0 once the Welcome came */
int raw_handshake(void);        /* Hello as OUTPOST_PLUGIN_NAME, then the Welcome; 0 or -1 */
int raw_answer(const struct Outpost__V1__Frame *request, uint64_t id_offset); /* echoes the payload */
int raw_answer_loop(uint64_t id_offset); /* answers requests and pings until Goodbye or EOF */
int raw_done(int rc);           /* frees the read buffer; returns rc */

/* The request's payload read as a decimal number (fixture.c). */
struct outpost_request;
long fixture_number(const struct outpost_request *req);

/* Methods fail, logbig, cwd, drop, daemon and stderr-flood (fixture_methods.c). */
struct outpost_plugin;
int fixture_add_hostile_methods(struct outpost_plugin *p);

/* Method "try" (fixture_confined.c): the acts a sandbox must refuse. */
struct outpost_plugin;
int fixture_add_confined(struct outpost_plugin *p);
/* A setsid() double-forked daemon that ignores SIGTERM and clears its parent-death signal (60 s at most). */
int fixture_start_daemon(void);

/* Methods call, hostflood, floodcount and imports (fixture_hostcalls.c): calls to the host. */
int fixture_add_hostcalls(struct outpost_plugin *p);

/* Sleeps until a signal ends the process (the modes that the host must kill). */
void sleep_forever(void) __attribute__((noreturn));

#endif
