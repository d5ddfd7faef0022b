/*
 * fixture - the plugin the host's integration tests run; argv[1] chooses how it behaves
 * (default "ok"). See the table in usage() below. Modes that never end by themselves also set
 * a 120 s alarm (SIGALRM kills them) so that no fixture outlives a crashed test run.
 *
 * Methods of service "fixture" in the ok modes (payloads are text):
 *   echo      answers the payload                  sleep     sleeps payload ms, answers it
 *   stderr    writes the payload + '\n' to stderr   crash     writes to NULL during the call (SIGSEGV)
 *   exit      exit(payload) during the call        log       sends the payload as a Log (INFO)
 *   config    answers the Welcome's config value for key payload (INVALID_ARGUMENT if none)
 *   env       answers the environment, NAME=value lines
 *   args      answers argv, one per line           generate  answers payload-many 'x' bytes
 *   fds       answers the fds open at start, "0,1,2,3"
 *   sigmask   answers the signal mask at start, 16 hex digits (bit n-1 = signal n)
 *   fail      fails with INTERNAL and a message of payload-many bytes
 *   logbig    sends a Log frame of payload-many bytes, answers "logged"
 *   cwd       answers the working directory       drop      writes file payload there, answers its path
 *   daemon    starts a grandchild that leaves the process group and session (setsid) and keeps
 *             stdout, stderr and fd 3 open, writing to stderr until killed (at most 60 s);
 *             answers its pid (a test must kill it: nothing else will, without confinement)
 *   stderr-flood  payload "lines N" or "raw N": a thread writes N MiB to stderr, with newlines or
 *             without; answers at once
 *   try       payload "ACT ARGS": one act a sandbox must refuse (ptrace, open, connect, forks,
 *             alloc...); answers "ok ..." or the errno name (see fixture_confined.c)
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include <outpost.h>

#include "fixture.h"

#define SAFETY_ALARM_S 120

extern char **environ;

/* What the process looked like when it started, before the SDK opened anything. */
static char start_fds[512];
static char start_sigmask[32];
static char start_args[1024];

static void usage(void)
{
    fputs("usage: fixture [MODE]\n"
          "  ok            service \"fixture\": echo sleep stderr crash exit log config env args\n"
          "                fds sigmask generate (see fixture.c)\n"
          "  stdout-lines  3 lines to stdout, 2 to stderr, then like ok\n"
          "  ignore-term   handshake, then ignores SIGTERM and every frame; after EOF it\n"
          "                still runs until SIGKILL\n"
          "  no-hello      never says Hello\n"
          "  bad-version   Hello with versions [99, 99]\n"
          "  garbage       64 random bytes instead of a Hello\n"
          "  oversize      a length prefix of 2^32-1 instead of a Hello\n"
          "  exit-early    exits with 3 before the Hello\n"
          "  crash-on-start  abort()s before the Hello\n"
          "  wrong-ids     answers each request with its id + 1000\n"
          "  ping-flood    pings without end and never reads its socket\n"
          "  announce-frame   the length of a 16 MiB frame, then nothing\n"
          "  announce-answer  the head of a 16 MiB answer to the first call, then nothing\n"
          "  huge-log      one 16 MiB Log frame with terminal escapes, then serves\n"
          "  impostor      calls itself \"echo\" in its Hello, then serves\n"
          "  goodbye-exit  answers one call, says Goodbye, exits 0\n"
          "  violate HOW   breaks the protocol after the first call (see fixture_hostile.c)\n"
          "  deaf [MS]     handshake after MS (300) ms, then reads nothing; SIGTERM left to its default\n"
          "  setsid-daemon starts a setsid() daemon that ignores SIGTERM, then like ok\n",
          stderr);
}

void sleep_forever(void)
{
    for (;;)
        pause();
}

/* Reads the payload as a decimal number. */
long fixture_number(const outpost_request *req)
{
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char text[32] = "";
    memcpy(text, data, len < sizeof text - 1 ? len : sizeof text - 1);
    return strtol(text, NULL, 10);
}

static int m_echo(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const void *data = outpost_request_payload(req, &len);
    return outpost_response_set_payload_ref(resp, data, len);
}

/* payload: milliseconds to sleep; answers the payload */
static int m_sleep(void *user, const outpost_request *req, outpost_response *resp)
{
    long ms = fixture_number(req);
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&ts, &ts) != 0)
        ;
    return m_echo(user, req, resp);
}

/* payload: a line to write to stderr; answers nothing */
static int m_stderr(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    fprintf(stderr, "%.*s\n", (int)len, data);
    return 0;
}

static int m_crash(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req, (void)resp;
    /* a real fault: abort() would end the init of a pid namespace with SIGSEGV anyway (docs/sandbox.md) */
    *(volatile int *)(uintptr_t)user = 1;
    abort();
}

/* payload: the exit code */
static int m_exit(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    exit((int)fixture_number(req));
}

/* payload: a message, sent as a Log frame at INFO; answers nothing */
static int m_log(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    return outpost_log(outpost_request_plugin(req), OUTPOST_LOG_INFO, "%.*s", (int)len, data);
}

/* payload: a key of the Welcome's config; answers its value, INVALID_ARGUMENT if absent */
static int m_config(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char key[256] = "";
    memcpy(key, data, len < sizeof key - 1 ? len : sizeof key - 1);
    const char *value = outpost_config_get(outpost_request_plugin(req), key);
    if (value == NULL)
        return outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "no config %s",
                                          key);
    return outpost_response_set_payload(resp, value, strlen(value));
}

/* answers the environment, one NAME=value per line */
static int m_env(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    size_t total = 0;
    for (char **e = environ; *e != NULL; e++)
        total += strlen(*e) + 1;
    char *out = outpost_response_alloc(resp, total);
    if (out == NULL)
        return -1;
    for (char **e = environ; *e != NULL; e++)
        out += sprintf(out, "%s\n", *e);
    return 0;
}

/* answers a text snapshot taken at start (user points to it) */
static int m_snapshot(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)req;
    return outpost_response_set_payload(resp, user, strlen(user));
}

/* payload: a byte count; answers that many bytes 'x' */
static int m_generate(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    long n = fixture_number(req);
    void *out = n >= 0 ? outpost_response_alloc(resp, (size_t)n) : NULL;
    if (out == NULL)
        return -1;
    memset(out, 'x', (size_t)n);
    return 0;
}

/* flood: payload N; sends N Log frames and writes N lines to stdout and to stderr, answers "done" */
static int m_flood(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    long n = fixture_number(req);
    for (long i = 0; i < n; i++) {
        outpost_log(outpost_request_plugin(req), OUTPOST_LOG_INFO, "flood log %ld", i);
        printf("flood out %ld\n", i);
        fprintf(stderr, "flood err %ld\n", i);
    }
    fflush(stdout);
    return outpost_response_set_payload(resp, "done", 4);
}

/* pids of the children forked at start (mode fork-children), space-separated */
static char children[64];

/* Two children in the plugin's process group that ignore SIGTERM and sleep: they must die
 * with the plugin, on stop and on crash. */
static int fork_children(void)
{
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            signal(SIGTERM, SIG_IGN);
            close(3);
            alarm(SAFETY_ALARM_S);
            for (;;)
                pause();
        }
        n += (size_t)snprintf(children + n, sizeof children - n, "%s%d", n ? " " : "", (int)pid);
    }
    return 0;
}

static void take_snapshots(int argc, char **argv)
{
    DIR *d = opendir("/proc/self/fd");
    size_t n = 0;
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) && n < sizeof start_fds - 16)
                n += (size_t)snprintf(start_fds + n, sizeof start_fds - n, "%s%s", n ? "," : "",
                                      e->d_name);
        closedir(d);
    }
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    unsigned long long bits = 0;
    for (int s = 1; s < 64; s++)
        if (sigismember(&mask, s) == 1)
            bits |= 1ull << (s - 1);
    snprintf(start_sigmask, sizeof start_sigmask, "%016llx", bits);
    n = 0;
    for (int i = 0; i < argc && n < sizeof start_args - 1; i++)
        n += (size_t)snprintf(start_args + n, sizeof start_args - n, "%s\n", argv[i]);
}

static int serve_ok(void)
{
    static const struct {
        const char *name;
        outpost_handler fn;
        void *user;
    } methods[] = {
        {"echo", m_echo, NULL},         {"sleep", m_sleep, NULL},
        {"stderr", m_stderr, NULL},     {"crash", m_crash, NULL},
        {"exit", m_exit, NULL},         {"log", m_log, NULL},
        {"config", m_config, NULL},     {"env", m_env, NULL},
        {"args", m_snapshot, start_args}, {"fds", m_snapshot, start_fds},
        {"sigmask", m_snapshot, start_sigmask}, {"generate", m_generate, NULL},
        {"flood", m_flood, NULL},       {"children", m_snapshot, children},
    };
    outpost_plugin *p = outpost_plugin_new(NULL, "1.0.0");
    if (p == NULL)
        return 1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof methods / sizeof methods[0]; i++)
        rc = outpost_plugin_add_method(p, "fixture", methods[i].name, methods[i].fn,
                                       methods[i].user);
    if (rc == 0)
        rc = fixture_add_hostile_methods(p);
    if (rc == 0)
        rc = fixture_add_confined(p);
    if (rc == 0)
        rc = fixture_add_hostcalls(p);
    if (rc == 0)
        rc = outpost_serve(p);
    else
        fprintf(stderr, "fixture: %s\n", outpost_strerror(rc));
    outpost_plugin_free(p);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "ok";
    take_snapshots(argc, argv);
    if (strcmp(mode, "deaf") == 0) {
        alarm(SAFETY_ALARM_S);
        long delay_ms = argc > 2 ? atol(argv[2]) : 300;
        usleep((useconds_t)(delay_ms > 0 && delay_ms < 10000 ? delay_ms : 300) * 1000); /* calls made meanwhile wait */
        if (raw_handshake() != 0)
            return raw_done(1);
        sleep_forever();
    }
    if (strcmp(mode, "setsid-daemon") == 0)
        return fixture_start_daemon() == 0 ? serve_ok() : 1;
    if (strcmp(mode, "ok") == 0)
        return serve_ok();
    if (strcmp(mode, "stdout-lines") == 0) {
        printf("line 1\nline 2\nline 3\n");
        fflush(stdout);
        fprintf(stderr, "error line 1\nerror line 2\n");
        return serve_ok();
    }
    if (strcmp(mode, "fork-children") == 0)
        return fork_children() == 0 ? serve_ok() : 1;
    if (strcmp(mode, "exit-early") == 0)
        return 3;
    if (strcmp(mode, "crash-on-start") == 0)
        abort();
    if (strcmp(mode, "bad-version") == 0)
        return raw_bad_version();
    if (strcmp(mode, "wrong-ids") == 0)
        return raw_wrong_ids();
    if (strcmp(mode, "chatty") == 0)
        return raw_chatty();
    alarm(SAFETY_ALARM_S); /* the remaining modes do not end by themselves */
    if (strcmp(mode, "no-hello") == 0)
        sleep_forever();
    if (strcmp(mode, "garbage") == 0)
        return raw_garbage();
    if (strcmp(mode, "oversize") == 0)
        return raw_oversize();
    if (strcmp(mode, "ignore-term") == 0)
        return raw_ignore_term();
    if (strcmp(mode, "partial-frame") == 0)
        return raw_partial_frame();
    if (strcmp(mode, "close-socket") == 0)
        return raw_close_socket();
    if (strcmp(mode, "ping-flood") == 0)
        return hostile_ping_flood();
    if (strcmp(mode, "announce-frame") == 0)
        return hostile_announce_frame();
    if (strcmp(mode, "announce-answer") == 0)
        return hostile_announce_answer();
    if (strcmp(mode, "huge-log") == 0)
        return hostile_huge_log();
    if (strcmp(mode, "impostor") == 0)
        return hostile_impostor();
    if (strcmp(mode, "goodbye-exit") == 0)
        return hostile_goodbye_exit();
    if (strcmp(mode, "violate") == 0)
        return hostile_violate(argc > 2 ? argv[2] : "");
    fprintf(stderr, "fixture: unknown mode \"%s\"\n", mode);
    usage();
    return 64;
}
