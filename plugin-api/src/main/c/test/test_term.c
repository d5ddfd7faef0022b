/*
 * test_term.c - SIGTERM in multithreaded plugins, and the SDK's self-pipe: a SIGTERM that the
 * kernel gives to a thread other than the serving one still ends outpost_serve() promptly, and
 * the eventfd the SDK serves with is close-on-exec and gone once serving ends.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "checks.h"

#define MAX 16777216u
/* How soon a plugin must be gone after SIGTERM: well below the host's 2 s before SIGKILL. */
#define TERM_DEADLINE_MS 1000

#define START(h, mode) HOST_START(h, mode, MAX, NULL)



/* Calls a method that answers a number (a thread id); returns it, or 0. */
static long call_number(struct host *h, uint64_t id, const char *method)
{
    Outpost__V1__Frame *frame = NULL;
    long v = 0;
    if (host_call(h, id, "test", method, "", 0) != 0)
        return 0;
    Outpost__V1__Response *r = host_reply(h, id, &frame);
    if (r != NULL && r->result_case == OUTPOST__V1__RESPONSE__RESULT_PAYLOAD &&
        r->payload.len > 0 && r->payload.len < 32) {
        char text[32];
        memcpy(text, r->payload.data, r->payload.len);
        text[r->payload.len] = '\0';
        v = strtol(text, NULL, 10);
    }
    host_free_frame(frame);
    return v;
}

/* The state letter of /proc/PID/task/TID/stat ('R' running, 'S' sleeping), or '?'. */
static char thread_state(pid_t pid, long tid)
{
    char path[96], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%ld/stat", (int)pid, tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return '?';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *close = strrchr(buf, ')');
    return close && close[1] == ' ' ? close[2] : '?';
}

/* Waits (within the deadline) until thread tid sleeps: after an answer, with no spinning, the
 * serving thread's only sleep is ppoll. Returns 1, or 0 on timeout. */
static int sleeps(pid_t pid, long tid)
{
    for (int waited = 0; waited < HOST_TIMEOUT_MS; waited++) {
        if (thread_state(pid, tid) == 'S')
            return 1;
        poll(NULL, 0, 1);
    }
    return 0;
}

/* The serving (main) thread is idle in ppoll; SIGTERM goes to the other thread, which does not
 * block it (tgkill: this thread, deterministically). The plugin must leave at once, with 0. */
static void sigterm_on_another_thread_ends_serving(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, "threaded");
    long helper = call_number(&h, 1, "helper_tid");
    EXPECT(h, helper > 0 && helper != (long)h.pid);
    EXPECT(h, sleeps(h.pid, (long)h.pid));
    EXPECT(h, syscall(SYS_tgkill, (long)h.pid, helper, SIGTERM) == 0);
    CHECK(host_wait_ms(&h, TERM_DEADLINE_MS) == 0);
}

/* A thread other than the main one serves, and the main thread does not block SIGTERM: a plain
 * kill(2), as the host sends it, is taken by the main thread (Linux prefers it when it does not
 * block the signal), and still ends serving. */
static void sigterm_to_a_plugin_serving_on_a_worker_thread(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, "worker");
    long serving = call_number(&h, 1, "tid");
    EXPECT(h, serving > 0 && serving != (long)h.pid);
    EXPECT(h, sleeps(h.pid, serving));
    kill(h.pid, SIGTERM);
    CHECK(host_wait_ms(&h, TERM_DEADLINE_MS) == 0);
}

/* A SIGTERM while a call runs, in a plugin of mode (NULL: single-threaded): the running call
 * finishes and is answered, a call queued behind it is not started, and the plugin exits 0 in time. */
static void term_during_a_call(const char *mode)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    HOST_START(h, mode, MAX, NULL);
    CHECK(host_call(&h, 1, "test", "sleep", "300", 3) == 0);
    CHECK(host_call(&h, 2, "test", "echo", "late", 4) == 0);
    frame = host_recv(&h); /* "sleeping": the call has begun */
    EXPECT(h, frame && frame->kind_case == OUTPOST__V1__FRAME__KIND_LOG);
    host_free_frame(frame);
    kill(h.pid, SIGTERM);
    EXPECT_REPLY(h, 1, "");
    frame = host_recv(&h);
    EXPECT(h, frame == NULL); /* EOF: the queued call was not started */
    CHECK(host_wait_ms(&h, TERM_DEADLINE_MS) == 0);
}

/* With another thread taking the SIGTERM, as in the single-threaded case. */
static void sigterm_on_another_thread_during_a_call(void)
{
    term_during_a_call("worker");
}

static void sigterm_during_call(void)
{
    term_during_a_call(NULL);
}

/* SIGTERM racing with calls at varying points, in plugins of the modes given in turn: it must
 * never be lost (the plugin always exits 0, well before the deadline), whether it lands in a read,
 * a handler or a write. */
static void term_races(const char *const *modes, int nmodes)
{
    for (int i = 0; i < 20; i++) {
        struct host h;
        HOST_START(h, modes[i % nmodes], MAX, NULL);
        for (int k = 0; k < i % 5; k++)
            CHECK(host_call(&h, (uint64_t)k + 1, "test", "echo", "x", 1) == 0);
        kill(h.pid, SIGTERM);
        CHECK(host_wait_ms(&h, TERM_DEADLINE_MS) == 0);
    }
}

static void sigterm_races_with_threads(void)
{
    static const char *const modes[] = {"threaded", "worker"};
    term_races(modes, 2);
}

static void sigterm_races(void)
{
    static const char *const modes[] = {NULL};
    term_races(modes, 1);
}

/* One process serves two plugins in turn: each time one eventfd (fd 4, close-on-exec,
 * non-blocking) while serving, none after (the plugin exits 7 if any fd but 0 to 3 is left), and
 * the SIGTERM that ended the first does not end the second. */
static void serving_twice_leaves_no_fd_behind(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    START(h, "twice");
    EXPECT_CALL(h, 1, "fds", "", 0, "0,1,2,3,4");
    EXPECT_CALL(h, 2, "fd_flags", "", 0, "4:cloexec:nonblock");
    EXPECT(h, sleeps(h.pid, (long)h.pid));
    kill(h.pid, SIGTERM); /* ends the first plugin; the second says Hello */
    if (host_handshake(&h, MAX, NULL) != 0) {
        host_wait(&h);
        CHECK(!"second handshake");
    }
    EXPECT_CALL(h, 3, "fds", "", 0, "0,1,2,3,4");
    EXPECT_CALL(h, 4, "echo", "still here", 10, "still here");
    CHECK(host_goodbye(&h) == 0);
    CHECK(host_wait(&h) == 0);
}

static void sigterm_when_idle(void)
{
    struct host h;
    Outpost__V1__Frame *frame = NULL;
    HOST_START(h, NULL, MAX, NULL);
    EXPECT_CALL(h, 1, "echo", "x", 1, "x"); /* the plugin is serving now */
    kill(h.pid, SIGTERM);
    CHECK(host_wait(&h) == 0);
}



const struct test term_tests[] = {
    {"sigterm_when_idle", sigterm_when_idle},
    {"sigterm_during_call", sigterm_during_call},
    {"sigterm_races", sigterm_races},
    {"sigterm_on_another_thread_ends_serving", sigterm_on_another_thread_ends_serving},
    {"sigterm_to_a_plugin_serving_on_a_worker_thread",
     sigterm_to_a_plugin_serving_on_a_worker_thread},
    {"sigterm_on_another_thread_during_a_call", sigterm_on_another_thread_during_a_call},
    {"sigterm_races_with_threads", sigterm_races_with_threads},
    {"serving_twice_leaves_no_fd_behind", serving_twice_leaves_no_fd_behind},
    {NULL, NULL},
};
