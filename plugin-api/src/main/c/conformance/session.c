/* session.c - spawning a plugin like the host does, and ending it (see kit.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kit.h"

long kit_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: makes the process what docs/protocol.md section 1 promises, then execs. Tells
 * the parent the errno of a failed exec through err_fd (close-on-exec: closed by a good exec). */
static void child(struct session *s, int sock, int err_fd, char **argv, char **env)
{
    int in = open("/dev/null", O_RDONLY);
    /* above 3 first, so that dup2 never meets an fd that is already in place */
    int out = fcntl(s->out_fd, F_DUPFD, 10), conn = fcntl(sock, F_DUPFD, 10);
    int err = fcntl(err_fd, F_DUPFD_CLOEXEC, 10);
    if (in < 0 || out < 0 || conn < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(out, 2) < 0 || dup2(conn, 3) < 0 || dup3(err, 4, O_CLOEXEC) < 0)
        _exit(127);
    if (close_range(5, ~0u, 0) != 0)
        for (int fd = 5; fd < 1024; fd++)
            close(fd);
    setpgid(0, 0); /* it leads its own process group, which sess_end() kills */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL); /* SIGPIPE is ignored in the kit: not in the plugin */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (chdir(s->dir) == 0) {
        if (strchr(s->kit->exe, '/') != NULL)
            execve(s->kit->exe, argv, env);
        else
            execvpe(s->kit->exe, argv, env); /* searches the kit's own PATH */
    }
    int e = errno;
    if (write(4, &e, sizeof e) < 0)
        _exit(127);
    _exit(127);
}

static int spawn_failed(struct session *s, const char *what)
{
    snprintf(s->why, sizeof s->why, "cannot spawn %s: %s: %s", s->kit->exe, what, strerror(errno));
    return -1;
}

int sess_spawn(struct session *s, const struct kit *kit, uint32_t max_frame)
{
    memset(s, 0, sizeof *s);
    s->kit = kit;
    s->pid = -1;
    s->pidfd = s->fd = s->out_fd = -1;
    s->status = -1;
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || strlen(tmp) > sizeof s->dir - 32)
        tmp = "/tmp";
    snprintf(s->dir, sizeof s->dir, "%s/outpost-conformance-XXXXXX", tmp);
    if (mkdtemp(s->dir) == NULL) { /* mode 0700, like the host's */
        s->dir[0] = '\0';
        return spawn_failed(s, "mkdtemp");
    }
    if (frame_rx_init(&s->rx, KIT_MAX_FRAME) != 0)
        return spawn_failed(s, "frame buffer");
    s->out_fd = memfd_create("outpost-conformance-output", MFD_CLOEXEC);
    int sv[2], err[2];
    if (s->out_fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return spawn_failed(s, "socketpair");
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(sv[0]), close(sv[1]);
        return spawn_failed(s, "pipe");
    }
    char tmpdir[sizeof s->dir + 8], name[256], max[64];
    snprintf(tmpdir, sizeof tmpdir, "TMPDIR=%s", s->dir);
    snprintf(name, sizeof name, "OUTPOST_PLUGIN_NAME=%s", kit->name);
    snprintf(max, sizeof max, "OUTPOST_MAX_FRAME_SIZE=%u", (unsigned)max_frame);
    char *env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", tmpdir, "OUTPOST_FD=3",
                   "OUTPOST_PROTOCOL_VERSION=1", name, max, "OUTPOST_SPIN_US=0", NULL};
    size_t nargs = 0;
    while (kit->args[nargs] != NULL)
        nargs++;
    char **argv = calloc(nargs + 2, sizeof *argv);
    if (argv == NULL) {
        close(sv[0]), close(sv[1]), close(err[0]), close(err[1]);
        return spawn_failed(s, "calloc");
    }
    argv[0] = (char *)kit->name;
    memcpy(argv + 1, kit->args, nargs * sizeof *argv);
    s->pid = fork();
    if (s->pid == 0)
        child(s, sv[1], err[1], argv, env);
    int fork_errno = errno;
    free(argv);
    close(sv[1]);
    close(err[1]);
    if (s->pid < 0) {
        close(sv[0]), close(err[0]);
        errno = fork_errno;
        return spawn_failed(s, "fork");
    }
    setpgid(s->pid, s->pid); /* also here: no window in which the group does not exist */
    s->fd = sv[0];
    fcntl(s->fd, F_SETFL, O_NONBLOCK);
    s->pidfd = (int)pidfd_open(s->pid, 0);
    int child_errno = 0;
    ssize_t n;
    while ((n = read(err[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
        ;
    close(err[0]);
    if (n > 0) {
        errno = child_errno;
        return spawn_failed(s, "exec");
    }
    return 0;
}

int sess_wait_exit(struct session *s, int timeout_ms)
{
    if (s->status < 0 && s->pid > 0) {
        long deadline = kit_now_ms() + timeout_ms;
        int st;
        for (;;) {
            pid_t r = waitpid(s->pid, &st, WNOHANG);
            if (r == s->pid) {
                s->status = st;
                break;
            }
            long left = deadline - kit_now_ms();
            if (r < 0 || left <= 0)
                return -1;
            struct pollfd pfd = {.fd = s->pidfd, .events = POLLIN};
            if (s->pidfd >= 0)
                poll(&pfd, 1, (int)left);
            else
                poll(NULL, 0, left < 5 ? (int)left : 5);
        }
    }
    if (s->status < 0)
        return -1;
    return WIFEXITED(s->status) ? WEXITSTATUS(s->status) : 128 + WTERMSIG(s->status);
}

const char *kit_exit_text(int code, char *buf, size_t size)
{
    if (code < 0)
        snprintf(buf, size, "still running");
    else if (code < 128)
        snprintf(buf, size, "exited %d", code);
    else
        snprintf(buf, size, "killed by signal %d (%s)", code - 128, strsignal(code - 128));
    return buf;
}

void sess_close(struct session *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Copies the plugin's stdout and stderr to ours, each line indented. */
static void show_output(struct session *s)
{
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    int bol = 1;
    while ((n = pread(s->out_fd, buf, sizeof buf, off)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (bol)
                fputs("    | ", stderr);
            fputc(buf[i], stderr);
            bol = buf[i] == '\n';
        }
        off += n;
    }
    if (!bol)
        fputc('\n', stderr);
}

void sess_end(struct session *s)
{
    if (s->pid > 1) { /* never kill(-1) or kill(0): only the group the kit made */
        kill(-s->pid, SIGKILL); /* the group: the plugin and whatever it started */
        if (s->status < 0) {
            int st;
            while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
                ;
            s->status = st;
        }
        s->pid = 0;
    }
    sess_close(s);
    if (s->pidfd >= 0)
        close(s->pidfd);
    s->pidfd = -1;
    if (s->out_fd >= 0) {
        if (s->kit->verbose)
            show_output(s);
        close(s->out_fd);
    }
    s->out_fd = -1;
    frame_rx_free(&s->rx);
    if (s->dir[0] != '\0')
        nftw(s->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    s->dir[0] = '\0';
}
