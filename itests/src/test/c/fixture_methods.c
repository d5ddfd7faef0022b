/*
 * fixture_methods.c - the fixture's methods for the hostile tests (service "fixture", in the ok
 * modes; see fixture.c for the whole list): fail, logbig, cwd, drop, daemon, stderr-flood.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <outpost.h>

#include "fixture.h"

/* payload: N; fails with INTERNAL and an N-byte message (error frames beyond 16 KiB) */
static int m_fail(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    long n = fixture_number(req);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text == NULL)
        return -1;
    memset(text, 'e', (size_t)n);
    text[n] = '\0';
    int rc = outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "%s", text);
    free(text);
    return rc;
}

/* payload: N; sends a Log frame of N bytes, answers "logged" */
static int m_logbig(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    long n = fixture_number(req);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text == NULL)
        return -1;
    for (long i = 0; i < n; i++)
        text[i] = (char)('a' + i % 26);
    text[n] = '\0';
    int rc = outpost_log(outpost_request_plugin(req), OUTPOST_LOG_INFO, "%s", text);
    free(text);
    return rc != 0 ? rc : outpost_response_set_payload(resp, "logged", 6);
}

static int m_cwd(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    char dir[4096];
    if (getcwd(dir, sizeof dir) == NULL)
        return outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "getcwd: %s", strerror(errno));
    return outpost_response_set_payload(resp, dir, strlen(dir));
}

/* payload: a file name; writes a small zip-looking file of that name where the plugin runs */
static int m_drop(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char name[256] = "", path[4400];
    memcpy(name, data, len < sizeof name - 1 ? len : sizeof name - 1);
    FILE *f = fopen(name, "wb");
    if (f == NULL)
        return outpost_response_set_error(resp, OUTPOST_CODE_INTERNAL, "%s: %s", name, strerror(errno));
    fputs("PK\3\4 not really a jar", f);
    fclose(f);
    char dir[4096];
    snprintf(path, sizeof path, "%s/%s", getcwd(dir, sizeof dir) ? dir : "?", name);
    return outpost_response_set_payload(resp, path, strlen(path));
}

static int m_daemon(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user, (void)req;
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return -1;
    pid_t child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        setsid();
        pid_t grandchild = fork();
        if (grandchild != 0) {
            if (grandchild > 0)
                write(pipe_fds[1], &grandchild, sizeof grandchild);
            _exit(0);
        }
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        alarm(60);
        signal(SIGPIPE, SIG_IGN);
        for (;;) { /* keeps 1, 2 and 3 open, and writes */
            if (fprintf(stderr, "daemon %d still here\n", (int)getpid()) < 0)
                pause();
            usleep(1000);
        }
    }
    close(pipe_fds[1]);
    pid_t grandchild = 0;
    ssize_t n = read(pipe_fds[0], &grandchild, sizeof grandchild);
    close(pipe_fds[0]);
    waitpid(child, NULL, 0);
    if (n != sizeof grandchild)
        return -1;
    char text[32];
    snprintf(text, sizeof text, "%d", (int)grandchild);
    return outpost_response_set_payload(resp, text, strlen(text));
}

struct flood {
    int lines;
    long mib;
};

static void *stderr_flood(void *arg)
{
    struct flood f = *(struct flood *)arg;
    free(arg);
    char block[4096];
    memset(block, 'z', sizeof block);
    if (f.lines)
        for (size_t i = 79; i < sizeof block; i += 80)
            block[i] = '\n';
    for (long i = 0; i < f.mib * 256; i++)
        if (write(2, block, sizeof block) < 0)
            break;
    return NULL;
}

/* payload: "lines N" or "raw N" */
static int m_stderr_flood(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char text[32] = "";
    memcpy(text, data, len < sizeof text - 1 ? len : sizeof text - 1);
    struct flood *f = malloc(sizeof *f);
    if (f == NULL)
        return -1;
    f->lines = strncmp(text, "lines", 5) == 0;
    f->mib = strtol(strchr(text, ' ') ? strchr(text, ' ') + 1 : "1", NULL, 10);
    pthread_t t;
    if (pthread_create(&t, NULL, stderr_flood, f) != 0) {
        free(f);
        return -1;
    }
    pthread_detach(t);
    return outpost_response_set_payload(resp, "flooding", 8);
}

int fixture_add_hostile_methods(outpost_plugin *p)
{
    static const struct {
        const char *name;
        outpost_handler fn;
    } methods[] = {
        {"fail", m_fail}, {"logbig", m_logbig}, {"cwd", m_cwd},
        {"drop", m_drop}, {"daemon", m_daemon}, {"stderr-flood", m_stderr_flood},
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof methods / sizeof methods[0]; i++)
        rc = outpost_plugin_add_method(p, "fixture", methods[i].name, methods[i].fn, NULL);
    return rc;
}
