/* host.c - the host side of the SDK tests (see host.h). */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

const char *host_spin_us = "0";

int host_spawn(struct host *h, const char *max_frame_env)
{
    return host_spawn_mode(h, max_frame_env, NULL);
}

int host_spawn_mode(struct host *h, const char *max_frame_env, const char *mode)
{
    int sv[2], out[2];
    memset(h, 0, sizeof *h);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0)
        return -1;
    char max_env[64];
    snprintf(max_env, sizeof max_env, "OUTPOST_MAX_FRAME_SIZE=%s",
             max_frame_env ? max_frame_env : "16777216");
    char spin_env[64];
    snprintf(spin_env, sizeof spin_env, "OUTPOST_SPIN_US=%s", host_spin_us);
    host_spin_us = "0";
    char *env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "OUTPOST_FD=3", "OUTPOST_PROTOCOL_VERSION=1",
                   "OUTPOST_PLUGIN_NAME=testplugin", max_env, spin_env, NULL};
    char *argv[16];
    int argc = 0;
    char wrapper[256] = "";
    const char *w = getenv("OUTPOST_TEST_WRAPPER");
    if (w != NULL) {
        snprintf(wrapper, sizeof wrapper, "%s", w);
        for (char *tok = strtok(wrapper, " "); tok && argc < 12; tok = strtok(NULL, " "))
            argv[argc++] = tok;
    }
    argv[argc++] = (char *)test_plugin_path;
    if (mode != NULL)
        argv[argc++] = (char *)mode;
    argv[argc] = NULL;

    h->pid = fork();
    if (h->pid < 0)
        return -1;
    if (h->pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(sv[1], 3); /* dup2 clears FD_CLOEXEC on the copy */
        if (close_range(4, ~0u, 0) != 0) /* like the host: nothing but 0-3 */
            for (int fd = 4; fd < 1024; fd++)
                close(fd);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (w != NULL)
            execvpe(argv[0], argv, env);
        else
            execve(test_plugin_path, argv, env);
        _exit(127);
    }
    close(sv[1]);
    close(out[1]);
    h->fd = sv[0];
    h->stdout_fd = out[0];
    h->pidfd = pidfd_open(h->pid, 0); /* -1 under valgrind, which lacks it: see host_wait */
    return 0;
}

int host_send_raw(struct host *h, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = send(h->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int host_send(struct host *h, const Outpost__V1__Frame *f)
{
    uint8_t *b = NULL;
    size_t len = 0;
    int rc = msg_encode(f, &b, &len) == 0 ? host_send_raw(h, b, len) : -1;
    free(b);
    return rc;
}

/* Reads more bytes within the deadline. Returns >0, 0 on EOF/timeout, -1 on error. */
static long fill(struct host *h)
{
    if (h->cap - h->len < 65536) {
        size_t cap = h->cap ? h->cap * 2 : 65536 * 2;
        uint8_t *b = realloc(h->buf, cap);
        if (b == NULL)
            return -1;
        h->buf = b;
        h->cap = cap;
    }
    struct pollfd pfd = {.fd = h->fd, .events = POLLIN};
    if (poll(&pfd, 1, HOST_TIMEOUT_MS) <= 0)
        return 0;
    ssize_t n = recv(h->fd, h->buf + h->len, h->cap - h->len, 0);
    if (n > 0)
        h->len += (size_t)n;
    return n;
}

Outpost__V1__Frame *host_recv(struct host *h)
{
    for (;;) {
        uint64_t size = 0;
        size_t i = 0;
        for (; i < h->len && i < 5; i++) {
            size |= (uint64_t)(h->buf[i] & 0x7f) << (7 * i);
            if (!(h->buf[i] & 0x80))
                break;
        }
        if (i < h->len && i < 5 && h->len - i - 1 >= size) {
            Outpost__V1__Frame *f = outpost__v1__frame__unpack(NULL, size, h->buf + i + 1);
            h->len -= i + 1 + size;
            memmove(h->buf, h->buf + i + 1 + size, h->len);
            return f;
        }
        if (fill(h) <= 0)
            return NULL;
    }
}

void host_free_frame(Outpost__V1__Frame *f)
{
    if (f != NULL)
        outpost__v1__frame__free_unpacked(f, NULL);
}

int host_handshake(struct host *h, uint32_t max_frame, const char *const *config)
{
    return host_handshake_imports(h, max_frame, config, NULL);
}

int host_handshake_imports(struct host *h, uint32_t max_frame, const char *const *config,
                           const char *const *imports)
{
    Outpost__V1__Frame *hello = host_recv(h);
    int ok = hello != NULL && hello->kind_case == OUTPOST__V1__FRAME__KIND_HELLO;
    host_free_frame(hello);
    if (!ok)
        return -1;
    Outpost__V1__ConfigEntry entries[8], *ptrs[8];
    size_t n = 0;
    char keys[8][64];
    for (; config != NULL && config[n] != NULL && n < 8; n++) {
        outpost__v1__config_entry__init(&entries[n]);
        snprintf(keys[n], sizeof keys[n], "%s", config[n]);
        char *eq = strchr(keys[n], '=');
        *eq = '\0';
        entries[n].key = keys[n];
        entries[n].value = eq + 1;
        ptrs[n] = &entries[n];
    }
    Outpost__V1__Welcome w;
    outpost__v1__welcome__init(&w);
    w.version = 1;
    w.host_name = "sdk-test";
    w.host_version = "0";
    w.max_frame_size = max_frame;
    w.n_config = n;
    w.config = ptrs;
    w.minor_version = 1;
    for (w.n_imports = 0; imports != NULL && imports[w.n_imports] != NULL; w.n_imports++)
        ;
    w.imports = (char **)imports;
    Outpost__V1__Frame f;
    outpost__v1__frame__init(&f);
    f.kind_case = OUTPOST__V1__FRAME__KIND_WELCOME;
    f.welcome = &w;
    return host_send(h, &f);
}

int host_call(struct host *h, uint64_t id, const char *service, const char *method,
              const void *payload, size_t len)
{
    struct msg m;
    return host_send(h, msg_request(&m, id, service, method, payload, len));
}

Outpost__V1__Response *host_reply(struct host *h, uint64_t id, Outpost__V1__Frame **frame)
{
    *frame = host_recv(h);
    while (*frame != NULL && (*frame)->kind_case == OUTPOST__V1__FRAME__KIND_LOG) {
        host_free_frame(*frame);
        *frame = host_recv(h);
    }
    if (*frame == NULL || (*frame)->kind_case != OUTPOST__V1__FRAME__KIND_RESPONSE ||
        (*frame)->response->id != id)
        return NULL;
    return (*frame)->response;
}

Outpost__V1__Request *host_request(struct host *h, Outpost__V1__Frame **frame)
{
    *frame = host_recv(h);
    while (*frame != NULL && (*frame)->kind_case == OUTPOST__V1__FRAME__KIND_LOG) {
        host_free_frame(*frame);
        *frame = host_recv(h);
    }
    if (*frame == NULL || (*frame)->kind_case != OUTPOST__V1__FRAME__KIND_REQUEST)
        return NULL;
    return (*frame)->request;
}

int host_answer(struct host *h, uint64_t id, const void *payload, size_t len)
{
    struct msg m;
    return host_send(h, msg_answer(&m, id, payload, len));
}

int host_answer_error(struct host *h, uint64_t id, int code, const char *message)
{
    struct msg m;
    return host_send(h, msg_error(&m, id, code, message));
}

int host_goodbye(struct host *h)
{
    struct msg m;
    return host_send(h, msg_goodbye(&m, "test over"));
}

/* Waits for the exit within the deadline: on the pidfd, or by polling waitpid without one. */
static int wait_exit(struct host *h, int *status, int timeout_ms)
{
    if (h->pidfd >= 0) {
        struct pollfd pfd = {.fd = h->pidfd, .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) <= 0)
            return -1;
        return waitpid(h->pid, status, 0) == h->pid ? 0 : -1;
    }
    for (int waited = 0; waited < timeout_ms; waited += 5) {
        if (waitpid(h->pid, status, WNOHANG) == h->pid)
            return 0;
        poll(NULL, 0, 5);
    }
    return -1;
}

int host_wait(struct host *h)
{
    return host_wait_ms(h, HOST_TIMEOUT_MS);
}

int host_wait_ms(struct host *h, int timeout_ms)
{
    int rc = -1, status;
    if (wait_exit(h, &status, timeout_ms) == 0) {
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else {
        fprintf(stderr, "  plugin %d did not exit in time: killed\n", (int)h->pid);
        kill(h->pid, SIGKILL);
        waitpid(h->pid, &status, 0);
    }
    char b[256];
    ssize_t n;
    h->stdout_bytes = 0;
    while ((n = read(h->stdout_fd, b, sizeof b)) > 0)
        h->stdout_bytes += n;
    close(h->stdout_fd);
    if (h->pidfd >= 0)
        close(h->pidfd);
    close(h->fd);
    free(h->buf);
    h->buf = NULL;
    h->fd = h->pidfd = -1;
    return rc;
}
