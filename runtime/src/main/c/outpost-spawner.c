/*
 * outpost-spawner: the small process that starts every plugin on the host's behalf.
 *
 *     outpost-spawner HOST_PID        (fd 3: a SOCK_SEQPACKET socket to the host)
 *
 * Why not posix_spawn(3) from the JVM? Every spawn copies the spawning process's descriptor table
 * and then closes all of it again in the child: with a thousand plugins the host holds some five
 * thousand descriptors, and that copying and closing was the largest cost of a plugin start (the
 * JVM's spawn thread waits for the child until it has executed). This process holds five
 * descriptors, so a spawn from here copies five. It also saves the exec of a trampoline: the child
 * arms PR_SET_PDEATHSIG itself before it executes the plugin.
 *
 * The plugin is made with CLONE_PARENT, so it is the HOST's child, not this process's: the host
 * reaps it, gets its exit status and SIGCHLD, and it lives on if this process dies. Its pidfd
 * (CLONE_PIDFD) goes back to the host over the socket. Its parent-death signal (SIGKILL) follows
 * the host thread that spawned this process, as this process's own does.
 *
 * One request per SOCK_SEQPACKET message (the layout is spawn_request below; with SPAWN_CONFINED a
 * struct confine_spec of confine.h; then the strings, all NUL-terminated: the working directory ("" for this process's own), argv..., envp...), with four
 * descriptors in SCM_RIGHTS: the child's stdout, stderr and channel, and the executable (the sealed
 * memfd the host checked). The child executes that descriptor itself, execveat(fd, "",
 * AT_EMPTY_PATH): no path is looked up that another process could replace between the host's check
 * and the exec. One reply per request (spawn_reply), with the pidfd in SCM_RIGHTS when pid > 0. A
 * child that could not execute has exited with 127 before the reply is sent, and the reply names
 * the step that failed and its errno; the host reaps it like any other.
 *
 * The child gets exactly fds 0 (/dev/null), 1, 2 and 3 (the executable is fd 4 until the exec, which
 * closes it: it is close-on-exec), an empty signal mask, the dispositions this process has (the
 * defaults: the host spawns it with every signal reset, and it sets none), its own process group,
 * the request's working directory, and exactly the request's environment.
 *
 * A confined request (SPAWN_CONFINED) has the child call confine_apply() last, just before the
 * exec: cgroups joined, limits, ids, capabilities, no_new_privs, Landlock, seccomp (confine.h says
 * what each step does and in which order). A failed step ends the child with 127 and its name
 * (e.g. "landlock path") in the reply; the protections this kernel lacks come back in
 * spawn_reply.missing either way. With SPAWN_NEWPID the child is the init of a pid namespace of
 * its own (CLONE_NEWPID): when it dies, the kernel kills every process it left, whatever they did
 * to their session, group or parent-death signal, and its exit is reported only after theirs.
 *
 * Exits 0 when the host closes the socket, and 1 on a malformed request or a broken socket. It
 * dies with the host (PR_SET_PDEATHSIG, SIGKILL).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <poll.h>
#include <unistd.h>

#include "confine.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

#define HOST_SOCKET 3
#define SPAWN_MAGIC 0x4f505333u /* "OPS3" */
#define SPAWN_CONFINED 0x1u /* a struct confine_spec follows the head: confine_apply() before the exec */
#define SPAWN_NEWPID 0x2u   /* the plugin is the init of a pid namespace of its own */
#define MAX_REQUEST (128 * 1024)
#define CHILD_FDS 4 /* stdout, stderr, channel, executable */
#define EXEC_FD 4
#define CHILD_STACK (64 * 1024)

/* native byte order: both ends run on the same machine */
struct spawn_request {
    uint32_t magic;
    uint32_t argc; /* >= 1 */
    uint32_t envc;
    uint32_t strings; /* bytes of strings that follow (after the spec, if any) */
    uint32_t flags;   /* SPAWN_* */
    uint32_t reserved;
};

struct spawn_reply {
    int32_t pid;           /* > 0: the child (the host's), whose pidfd is attached; -1: none was made */
    int32_t error;         /* 0, or the errno of the step that failed */
    char step[24];         /* the failed step, NUL-terminated; "" on success */
    uint32_t missing;      /* CONFINE_MISSING_* protections asked for that this kernel lacks */
    uint32_t landlock_abi; /* the kernel's Landlock ABI (0: none or not asked) */
};

/* what the child needs, and where it reports a failure (it shares this memory: CLONE_VM) */
struct job {
    int fds[CHILD_FDS]; /* stdout, stderr, channel, executable */
    int dev_null;
    pid_t host;
    const char *cwd; /* "" to stay where this process is */
    char **argv;
    char **envp;
    int error;
    const char *step;
    uint32_t flags;                   /* SPAWN_* */
    const struct confine_spec *spec;  /* with SPAWN_CONFINED */
    struct confine_report report;     /* filled by the child's confine_apply() */
    char failed_step[CONFINE_STEP_SIZE];
};

static __attribute__((noreturn)) void child_fails(struct job *job, const char *step)
{
    job->error = errno;
    job->step = step;
    _exit(127);
}

/* Runs in the child, on its own stack, while the spawner waits (CLONE_VFORK): system calls only. */
static int child(void *arg)
{
    struct job *job = arg;
    /* the received fds are all above 3, so no dup2 below overwrites a later one's source */
    if (dup2(job->dev_null, 0) < 0)
        child_fails(job, "dup2 stdin");
    if (dup2(job->fds[0], 1) < 0)
        child_fails(job, "dup2 stdout");
    if (dup2(job->fds[1], 2) < 0)
        child_fails(job, "dup2 stderr");
    if (dup2(job->fds[2], 3) < 0) /* replaces this process's socket to the host */
        child_fails(job, "dup2 channel");
    /* the executable at 4, close-on-exec: the exec reads it, then closes it. A script (#!) is the
     * exception: the kernel starts its interpreter with the path /dev/fd/4, which the interpreter
     * then opens, so the descriptor stays open across the exec (execveat(2) refuses a script whose
     * descriptor is close-on-exec). The bytes are the sealed image's either way. */
    if (job->fds[3] != EXEC_FD && dup3(job->fds[3], EXEC_FD, O_CLOEXEC) < 0)
        child_fails(job, "dup3 executable");
    char magic[2];
    if (pread(EXEC_FD, magic, sizeof magic, 0) == (ssize_t)sizeof magic && magic[0] == '#' && magic[1] == '!'
        && fcntl(EXEC_FD, F_SETFD, 0) != 0)
        child_fails(job, "fcntl executable");
    if (syscall(SYS_close_range, EXEC_FD + 1, ~0U, 0) != 0)
        child_fails(job, "close_range");
    if (job->cwd[0] != '\0' && chdir(job->cwd) != 0)
        child_fails(job, "chdir");
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        child_fails(job, "prctl");
    if (job->flags & SPAWN_NEWPID) {
        /* the parent is outside the child's namespace, so getppid() is 0: the host is gone if its
         * end of the channel is (nobody else holds it) */
        struct pollfd channel = {.fd = 3, .events = POLLRDHUP};
        if (poll(&channel, 1, 0) < 0 || (channel.revents & (POLLRDHUP | POLLHUP))) {
            errno = ESRCH;
            child_fails(job, "host gone");
        }
    } else if (getppid() != job->host) { /* the host died before prctl() */
        errno = ESRCH;
        child_fails(job, "getppid");
    }
    if (setpgid(0, 0) != 0)
        child_fails(job, "setpgid");
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
        child_fails(job, "sigprocmask");
    if (job->flags & SPAWN_CONFINED) { /* last: the seccomp filter needs to allow only the exec */
        if (confine_apply(job->spec, &job->report) != 0) {
            memcpy(job->failed_step, job->report.step, sizeof job->failed_step);
            errno = -job->report.error;
            child_fails(job, job->failed_step);
        }
    }
    syscall(SYS_execveat, EXEC_FD, "", job->argv, job->envp, AT_EMPTY_PATH);
    child_fails(job, "execveat");
}

static void reply(struct spawn_reply *r, int pidfd)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {r, sizeof *r};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (pidfd >= 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof control.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
    }
    while (sendmsg(HOST_SOCKET, &msg, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR) {
            perror("outpost-spawner: sendmsg");
            exit(1);
        }
    }
}

static void fail(struct spawn_reply *r, int error, const char *step)
{
    r->pid = -1;
    r->error = error;
    snprintf(r->step, sizeof r->step, "%s", step);
    reply(r, -1);
}

/* Splits count NUL-terminated strings off *at (bounded by end) into a NULL-terminated array. */
static char **strings(char **at, char *end, uint32_t count)
{
    char **list = calloc((size_t)count + 1, sizeof *list);
    if (list == NULL)
        return NULL;
    for (uint32_t i = 0; i < count; i++) {
        char *nul = memchr(*at, '\0', (size_t)(end - *at));
        if (nul == NULL) {
            free(list);
            return NULL;
        }
        list[i] = *at;
        *at = nul + 1;
    }
    return list;
}

/* Spawns what the request in buf (n bytes) asks for, with fds, and replies. */
static void serve(char *buf, size_t n, const int fds[CHILD_FDS], int dev_null, pid_t host, char *stack)
{
    struct spawn_reply r = {0};
    struct spawn_request head;
    if (n < sizeof head) {
        fprintf(stderr, "outpost-spawner: a request of %zu bytes is too short\n", n);
        exit(1);
    }
    memcpy(&head, buf, sizeof head);
    size_t spec_size = (head.flags & SPAWN_CONFINED) ? sizeof(struct confine_spec) : 0;
    char *at = buf + sizeof head + spec_size, *end = buf + n;
    if (head.magic != SPAWN_MAGIC || head.argc == 0 || n < sizeof head + spec_size
            || head.strings != n - sizeof head - spec_size || end[-1] != '\0'
            || (head.flags & ~(SPAWN_CONFINED | SPAWN_NEWPID)) != 0) {
        fprintf(stderr, "outpost-spawner: malformed request (magic %#x, flags %#x, %u arguments, %u bytes of strings, %zu received)\n",
                head.magic, head.flags, head.argc, head.strings, n);
        exit(1);
    }
    /* the spec is copied out of buf so that it is aligned (the builders' layout, see confine.h) */
    static struct confine_spec spec;
    if (spec_size)
        memcpy(&spec, buf + sizeof head, sizeof spec);
    struct job job = {.dev_null = dev_null, .host = host, .cwd = at, .flags = head.flags, .spec = &spec};
    memcpy(job.fds, fds, sizeof job.fds);
    at += strlen(at) + 1;
    job.argv = strings(&at, end, head.argc);
    job.envp = job.argv ? strings(&at, end, head.envc) : NULL;
    if (job.envp == NULL || at != end) {
        fprintf(stderr, "outpost-spawner: malformed request (the strings do not match their counts)\n");
        exit(1);
    }
    int pidfd = -1;
    sigset_t all, saved;
    sigfillset(&all);
    /* no signal handler may run in the child while it shares this memory */
    sigprocmask(SIG_SETMASK, &all, &saved);
    int clone_flags = CLONE_VM | CLONE_VFORK | CLONE_PARENT | CLONE_PIDFD | SIGCHLD;
    if (head.flags & SPAWN_NEWPID)
        clone_flags |= CLONE_NEWPID;
    pid_t pid = clone(child, stack + CHILD_STACK, clone_flags, &job, &pidfd);
    int clone_error = errno;
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0) {
        fail(&r, clone_error, "clone");
    } else {
        r.pid = pid;
        r.error = job.error;
        r.missing = job.report.missing;
        r.landlock_abi = job.report.landlock_abi;
        if (job.step != NULL)
            snprintf(r.step, sizeof r.step, "%s", job.step);
        reply(&r, pidfd);
        close(pidfd);
    }
    free(job.argv);
    free(job.envp);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "outpost-spawner: usage: outpost-spawner HOST_PID (with the host's socket as fd 3)\n");
        return 1;
    }
    pid_t host = (pid_t)atol(argv[1]);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != host)
        return 1; /* the host is already gone */
    int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char *buf = malloc(MAX_REQUEST);
    char *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (dev_null < 0 || buf == NULL || stack == MAP_FAILED) {
        perror("outpost-spawner: start");
        return 1;
    }
    for (;;) {
        union {
            char buf[CMSG_SPACE(CHILD_FDS * sizeof(int))];
            struct cmsghdr align;
        } control;
        struct iovec iov = {buf, MAX_REQUEST};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf};
        ssize_t n = recvmsg(HOST_SOCKET, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return 0; /* the host closed the socket */
        if (n < 0) {
            perror("outpost-spawner: recvmsg");
            return 1;
        }
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        int fds[CHILD_FDS];
        if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || c == NULL || c->cmsg_level != SOL_SOCKET
                || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof fds)) {
            fprintf(stderr, "outpost-spawner: malformed request (%zd bytes; it needs %d descriptors)\n", n, CHILD_FDS);
            return 1;
        }
        memcpy(fds, CMSG_DATA(c), sizeof fds);
        serve(buf, (size_t)n, fds, dev_null, host, stack);
        for (int i = 0; i < CHILD_FDS; i++)
            close(fds[i]);
    }
}
