/*
 * test_plugin.c - the plugin the SDK tests spawn: one method per SDK feature.
 * argv[1] chooses how it serves (see main()): none, "threaded", "worker", "twice", "ready" or
 * "ready_fail". Its methods that call the host are in test_plugin_calls.c.
 * Exit code: 0 when outpost_serve() returned 0, else 10 + the negated error code; 7 when fds
 * other than 0 to 3 are still open after serving; 40, 41 and 43 are told in test_plugin.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "outpost.h"
#include "test_plugin.h"

static int echo(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const void *data = outpost_request_payload(req, &len);
    return outpost_response_set_payload_ref(resp, data, len);
}

static int copy(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const void *data = outpost_request_payload(req, &len);
    return outpost_response_set_payload(resp, data, len);
}

/* Reads the payload as a decimal number. */
static unsigned long number(const outpost_request *req)
{
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char text[32] = "";
    memcpy(text, data, len < sizeof text - 1 ? len : sizeof text - 1);
    return strtoul(text, NULL, 10);
}

/* Answers payload-many bytes, byte i being i % 251. */
static int alloc(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    unsigned long n = number(req);
    unsigned char *out = outpost_response_alloc(resp, n);
    if (out == NULL)
        return -1;
    for (unsigned long i = 0; i < n; i++)
        out[i] = (unsigned char)(i % 251);
    return 0;
}

static int fail(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req, (void)resp;
    return -1;
}

static int error(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "bad %s", "payload");
    return 0;
}

/* Payload "CODE" or "CODE call": answers the error CODE ("req CODE") through the request, which
 * must refuse an invalid CODE (the answer is then INTERNAL), and which a payload too big does not
 * replace; with "call", then waits in a call of host/echo, so that the host's requests are
 * handled nested meanwhile. */
static int req_error(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    int code = (int)number(req);
    int rc = outpost_request_set_error(req, (outpost_code)code, "req %d", code);
    int valid = code > OUTPOST_CODE_UNSPECIFIED && code <= OUTPOST_CODE_PERMISSION_DENIED;
    if (rc != (valid ? 0 : OUTPOST_EINVAL) ||
        outpost_request_set_error(NULL, OUTPOST_CODE_INTERNAL, "x") != OUTPOST_EINVAL ||
        outpost_response_alloc(resp, (size_t)-1) != NULL) /* too big: the error stays */
        return outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "unexpected %d", rc);
    if (len < 5 || memcmp(data + len - 5, " call", 5) != 0)
        return 0;
    outpost_answer answer;
    rc = outpost_call(outpost_request_plugin(req), "host", "echo", "x", 1, 0, &answer);
    outpost_answer_clear(&answer);
    return rc;
}

static int log_it(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    outpost_request_payload(req, &len);
    if (outpost_log(outpost_request_plugin(req), OUTPOST_LOG_INFO, "logged %zu bytes", len) != 0)
        return -1;
    return echo(user, req, resp);
}

static int config(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *key = outpost_request_payload(req, &len);
    char name[128] = "";
    memcpy(name, key, len < sizeof name - 1 ? len : sizeof name - 1);
    const char *value = outpost_config_get(outpost_request_plugin(req), name);
    if (value == NULL)
        return outpost_response_set_error(resp, OUTPOST_CODE_INVALID_ARGUMENT, "no %s", name);
    return outpost_response_set_payload(resp, value, strlen(value));
}

/* Logs "sleeping" (so the host knows the call began), then sleeps payload ms. */
static int sleep_ms(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    unsigned long ms = number(req);
    outpost_log(outpost_request_plugin(req), OUTPOST_LOG_DEBUG, "sleeping %lu ms", ms);
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
    return 0;
}

/* Sleeps payload ms without a word (no Log frame that would carry waiting answers out). */
static int pause_ms(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    unsigned long ms = number(req);
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
    return 0;
}

/* Payload "COUNT TEXT": logs TEXT COUNT times in one line (TEXT may be any bytes). */
static int log_repeat(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)resp;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    unsigned long count = number(req);
    const char *sp = memchr(data, ' ', len);
    if (sp == NULL || count > 100000)
        return -1;
    size_t tlen = len - (size_t)(sp + 1 - data);
    char *line = malloc(tlen * count + 1);
    if (line == NULL)
        return -1;
    for (unsigned long i = 0; i < count; i++)
        memcpy(line + i * tlen, sp + 1, tlen);
    int rc = outpost_log(outpost_request_plugin(req), OUTPOST_LOG_INFO, "%.*s",
                         (int)(tlen * count), line);
    free(line);
    return rc;
}

static int info(void *user, const outpost_request *req, outpost_response *resp)
{
    char text[256];
    int n = snprintf(text, sizeof text, "id=%llu service=%s method=%s timeout=%u user=%s",
                     (unsigned long long)outpost_request_id(req), outpost_request_service(req),
                     outpost_request_method(req), (unsigned)outpost_request_timeout_ms(req),
                     (const char *)user);
    return outpost_response_set_payload(resp, text, (size_t)n);
}

/* Lists the open fds below 1000 (valgrind keeps its own above) into text, "0,1,2,3" for a
 * clean spawn; with flags, only those over 3, each with ":cloexec" and ":nonblock" if set. */
static size_t list_fds(char *text, size_t size, int flags)
{
    size_t n = 0;
    text[0] = '\0';
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd == dirfd(d) || fd >= 1000 || n >= size - 32 ||
            (flags && fd <= 3))
            continue;
        n += (size_t)snprintf(text + n, size - n, "%s%d", n ? "," : "", fd);
        if (flags) {
            if (fcntl(fd, F_GETFD) & FD_CLOEXEC)
                n += (size_t)snprintf(text + n, size - n, ":cloexec");
            if (fcntl(fd, F_GETFL) & O_NONBLOCK)
                n += (size_t)snprintf(text + n, size - n, ":nonblock");
        }
    }
    closedir(d);
    return n;
}

static int fds(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    char text[256];
    size_t n = list_fds(text, sizeof text, 0);
    return outpost_response_set_payload(resp, text, n);
}

/* Answers the fds over 3 and their flags, for example "4:cloexec:nonblock". */
static int fd_flags(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    char text[256];
    size_t n = list_fds(text, sizeof text, 1);
    return outpost_response_set_payload(resp, text, n);
}

static long thread_id(void)
{
    return (long)syscall(SYS_gettid);
}

/* The thread that is not serving (the helper of "threaded", the main thread of "worker"), or 0. */
static volatile long helper_thread_id;

/* Answers the id of the thread that runs handlers, the one that serves. */
static int tid(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    char text[32];
    int n = snprintf(text, sizeof text, "%ld", thread_id());
    return outpost_response_set_payload(resp, text, (size_t)n);
}

/* Answers the id of the other thread, which does not block SIGTERM ("threaded", "worker"). */
static int helper_tid(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    char text[32];
    int n = snprintf(text, sizeof text, "%ld", helper_thread_id);
    return outpost_response_set_payload(resp, text, (size_t)n);
}

/* A plugin with all the methods, or NULL (then *rc is the exit code). */
static outpost_plugin *new_plugin(int *rc, const char *mode)
{
    static const struct {
        const char *service, *method;
        outpost_handler fn;
    } methods[] = {
        {"test", "echo", echo},    {"test", "copy", copy},   {"test", "alloc", alloc},
        {"test", "fail", fail},    {"test", "error", error}, {"test", "log", log_it},
        {"test", "config", config}, {"test", "sleep", sleep_ms}, {"other", "echo", echo},
        {"test", "info", info},    {"test", "fds", fds},     {"test", "pause", pause_ms},
        {"test", "fd_flags", fd_flags}, {"test", "log_repeat", log_repeat}, {"test", "tid", tid},
        {"test", "helper_tid", helper_tid}, {"test", "req_error", req_error},
    };
    outpost_plugin *p = outpost_plugin_new(NULL, "1.2.3");
    *rc = 2;
    if (p == NULL)
        return NULL;
    *rc = 3;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (outpost_plugin_add_method(p, methods[i].service, methods[i].method, methods[i].fn,
                                      "u") != 0)
            goto fail;
    *rc = 4;
    if (outpost_plugin_add_method(p, "test", "echo", echo, NULL) != OUTPOST_EEXIST)
        goto fail;
    *rc = 6;
    if (outpost_plugin_add_method_flags(p, "test", "quick", echo, NULL, 0x80) != OUTPOST_EINVAL ||
        outpost_plugin_add_method_flags(p, "test", "quick", echo, NULL, OUTPOST_METHOD_QUICK) != 0)
        goto fail;
    if (add_call_methods(p) != 0 || set_ready_mode(p, mode) != 0)
        goto fail;
    if ((*rc = check_calls_refused(p, 1)) != 0)
        goto fail;
    return p;
fail:
    outpost_plugin_free(p);
    return NULL;
}

/* Creates a plugin, serves it, frees it. Returns the exit code. */
static int serve_mode(const char *mode)
{
    int rc;
    outpost_plugin *p = new_plugin(&rc, mode);
    if (p == NULL)
        return rc;
    rc = outpost_serve(p);
    if (outpost_plugin_add_method(p, "late", "late", echo, NULL) != OUTPOST_EBUSY ||
        outpost_plugin_on_ready(p, NULL, NULL) != OUTPOST_EBUSY)
        rc = 5;
    else if (check_calls_refused(p, 0) != 0)
        rc = 43;
    else
        rc = check_calls_after(rc == 0 ? 0 : 10 - rc);
    outpost_plugin_free(p);
    return rc;
}

static int serve_one(void)
{
    return serve_mode("");
}

/* Exit code 7 unless exactly fds 0 to 3 are open: what the SDK opened is closed again. */
static int no_fd_left(int rc)
{
    char text[256];
    list_fds(text, sizeof text, 0);
    if (rc == 0 && strcmp(text, "0,1,2,3") != 0) {
        fprintf(stderr, "test_plugin: fds left open after serving: %s\n", text);
        return 7;
    }
    return rc;
}

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;

/* "threaded": the other thread takes SIGTERM whenever the kernel gives it to it, and sleeps. */
static void *helper(void *arg)
{
    (void)arg;
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &term, NULL);
    pthread_mutex_lock(&ready_lock);
    helper_thread_id = thread_id();
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&ready_lock);
    for (;;)
        pause();
    return NULL;
}

/* "worker": a thread that is not the main thread serves. */
static void *worker(void *arg)
{
    *(int *)arg = serve_one();
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "threaded") == 0) {
        /* a second thread that does not block SIGTERM, while the main thread serves */
        pthread_t t;
        if (pthread_create(&t, NULL, helper, NULL) != 0)
            return 8;
        pthread_mutex_lock(&ready_lock);
        while (helper_thread_id == 0)
            pthread_cond_wait(&ready_cond, &ready_lock);
        pthread_mutex_unlock(&ready_lock);
        int rc = serve_one();
        if (pthread_cancel(t) != 0 || pthread_join(t, NULL) != 0) /* pause() is a cancel point */
            return 8;
        return rc;
    }
    if (strcmp(mode, "worker") == 0) {
        /* the main thread, which gets a process-directed SIGTERM first, waits for a worker that
         * serves; it does not block SIGTERM */
        pthread_t t;
        int rc = 9;
        helper_thread_id = thread_id();
        if (pthread_create(&t, NULL, worker, &rc) != 0 || pthread_join(t, NULL) != 0)
            return 8;
        return rc;
    }
    if (strcmp(mode, "twice") == 0) {
        /* two plugins served one after the other in one process, on the same connection */
        int rc = no_fd_left(serve_one());
        return rc != 0 ? rc : no_fd_left(serve_one());
    }
    if (strcmp(mode, "ready") == 0 || strcmp(mode, "ready_fail") == 0)
        return serve_mode(mode);
    return no_fd_left(serve_one());
}
