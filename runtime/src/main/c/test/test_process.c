/*
 * test_process.c - confinement as the spawner will use it: in a CLONE_VM|CLONE_VFORK child, as
 * the init of a new pid namespace, and called by an unprivileged process.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK (64 * 1024)

struct job {
    const struct confine_spec *spec;
    struct confine_report report;
    int64_t apply_ns;
    int error;
};

/* The spawner's child: system calls only, on its own stack, sharing the caller's memory. */
static int vfork_child(void *arg)
{
    struct job *job = arg;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        _exit(126);
    int64_t t0 = now_ns();
    int e = confine_apply(job->spec, &job->report);
    job->apply_ns = now_ns() - t0;
    job->error = e;
    if (e != 0)
        _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char *argv[] = {"true", NULL}, *envp[] = {NULL};
    execve("/bin/true", argv, envp);
    job->error = -errno;
    _exit(127);
}

/* The state of the caller that a vfork child must leave alone. */
static void own_state(char *out, size_t size)
{
    char status[4096], oom[32], v[6][64];
    read_text("/proc/self/status", status, sizeof status);
    read_text("/proc/self/oom_score_adj", oom, sizeof oom);
    oom[strcspn(oom, "\n")] = '\0';
    struct rlimit nofile;
    getrlimit(RLIMIT_NOFILE, &nofile);
    int pdeath = 0;
    prctl(PR_GET_PDEATHSIG, &pdeath);
    snprintf(out, size, "uid %s caps %s bnd %s nnp %s seccomp %s oom %.8s nofile %lu pdeath %d",
             field(status, "Uid:", v[0], sizeof v[0]), field(status, "CapEff:", v[1], sizeof v[1]),
             field(status, "CapBnd:", v[2], sizeof v[2]), field(status, "NoNewPrivs:", v[3], sizeof v[3]),
             field(status, "Seccomp:", v[4], sizeof v[4]), oom, (unsigned long)nofile.rlim_cur, pdeath);
}

/* values: 0 exit status of the child, 1 stack bytes used, 2 confine_apply ns, 3 dumpable after,
 * 4 dumpable before; text: state before, a newline, state after */
static int spawner_like(void *arg, struct outcome *o)
{
    const struct confine_spec *spec = arg;
    char before[512], after[512];
    prctl(PR_SET_PDEATHSIG, SIGUSR2); /* something to see kept */
    o->values[4] = prctl(PR_GET_DUMPABLE);
    own_state(before, sizeof before);
    char *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return 1;
    memset(stack, 0xa5, STACK);
    struct job job = {spec, {0}, 0, 0};
    sigset_t all, saved;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &saved);
    pid_t pid = clone(vfork_child, stack + STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &job);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0)
        return 2;
    int low = 0;
    while (low < STACK && (unsigned char)stack[low] == 0xa5)
        low++;
    int status = wait_pid(pid, CHILD_MS);
    o->values[0] = status;
    o->values[1] = STACK - low;
    o->values[2] = job.apply_ns;
    o->values[3] = prctl(PR_GET_DUMPABLE);
    o->report = job.report;
    o->err = job.error;
    own_state(after, sizeof after);
    snprintf(o->text, sizeof o->text, "%s\n%s", before, after);
    return 0;
}

static void vfork_spawn(void)
{
    struct confine_spec s;
    confine_spec_init(&s);
    confine_spec_set_ids(&s, 65534, 65534);
    s.flags |= CONFINE_OOM_SCORE_ADJ;
    s.oom_score_adj = 1000;
    confine_spec_set_limit(&s, CONFINE_LIMIT_NOFILE, 64);
    confine_spec_set_limit(&s, CONFINE_LIMIT_AS, 1ull << 32);
    spec_add_system(&s);
    confine_spec_add_path(&s, CONFINE_PATH_WRITE, 0, tmp_root());
    confine_spec_add_path(&s, CONFINE_PATH_CWD, 0, tmp_root());
    struct outcome o;
    CHECK_EQ(run_child(NULL, spawner_like, &s, &o), 0);
    if (o.err != 0)
        fprintf(stderr, "  confine_apply: %s at \"%s\"\n", strerror(-o.err), o.report.step);
    CHECK_EQ(o.err, 0);
    CHECK_EQ(o.values[0], 0); /* /bin/true ran and exited 0 */
    char *nl = strchr(o.text, '\n');
    CHECK(nl != NULL);
    *nl = '\0';
    if (strcmp(o.text, nl + 1) != 0)
        fprintf(stderr, "  before: %s\n  after:  %s\n", o.text, nl + 1);
    CHECK(strcmp(o.text, nl + 1) == 0); /* the caller's own state is untouched */
    NOTE("caller: %s", o.text);
    NOTE("confine_apply in the vfork child: %ld us, %ld bytes of its 64 KiB stack used (up to execve)",
         o.values[2] / 1000, o.values[1]);
    NOTE("caller dumpable %ld before, %ld after (the uid change marks the shared mm non-dumpable)",
         o.values[4], o.values[3]);
    CHECK(o.values[1] < 16 * 1024);
    CHECK_EQ(o.values[3], 0);
}

static void pidns_init(void)
{
    int pair[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair), 0);
    int one = 1;
    CHECK_EQ(setsockopt(pair[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one), 0);
    struct confine_spec s;
    confine_spec_init(&s);
    confine_spec_set_ids(&s, 65534, 65534);
    spec_add_system(&s);
    confine_spec_add_path(&s, CONFINE_PATH_READ, 0, self_dir);
    for (int namespaced = 1; namespaced >= 0; namespaced--) {
        fflush(stderr);
        long init = syscall(SYS_clone, (namespaced ? CLONE_NEWPID : 0) | SIGCHLD, 0, 0, 0, 0);
        CHECK(init >= 0);
        if (init == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (dup2(pair[1], 3) != 3)
                _exit(125);
            struct confine_report r;
            if (confine_apply(&s, &r) != 0) {
                fprintf(stderr, "  confine_apply: %s at \"%s\"\n", strerror(-r.error), r.step);
                _exit(126);
            }
            char *argv[] = {self_exe, "--fixture", "daemon", NULL}, *envp[] = {NULL};
            execve(self_exe, argv, envp);
            _exit(127);
        }
        /* the daemon's pid, in this namespace, from its message's credentials */
        struct pollfd p = {pair[0], POLLIN, 0};
        CHECK_EQ(poll(&p, 1, CHILD_MS), 1);
        char b;
        union {
            char buf[CMSG_SPACE(sizeof(struct ucred))];
            struct cmsghdr align;
        } control;
        struct iovec iov = {&b, 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf};
        CHECK_EQ(recvmsg(pair[0], &msg, 0), 1);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        CHECK(c != NULL && c->cmsg_type == SCM_CREDENTIALS);
        struct ucred cred;
        memcpy(&cred, CMSG_DATA(c), sizeof cred);
        pid_t daemon = cred.pid;
        CHECK(daemon > 0 && daemon != (pid_t)init);
        CHECK_EQ(kill(daemon, 0), 0); /* it runs */
        CHECK_EQ(cred.uid, 65534);
        kill((pid_t)init, SIGKILL);
        int status = wait_pid((pid_t)init, CHILD_MS);
        CHECK(status >= 0 && WIFSIGNALED(status));
        if (namespaced) {
            int gone = wait_gone(daemon, 2000);
            CHECK_EQ(gone, 1); /* the namespace died with its init */
            NOTE("pid namespace: daemon %d was gone when its init %ld had been reaped", (int)daemon, init);
        } else {
            /* control: without the namespace the daemon outlives its starter (it came to the
             * runner, a subreaper), and is killed here */
            CHECK_EQ(kill(daemon, 0), 0);
            kill(daemon, SIGKILL);
            /* it and the middle process come to the runner as their parents go, in either order:
             * reap whatever comes until the daemon is gone */
            int64_t deadline = now_ms() + CHILD_MS;
            while (kill(daemon, 0) == 0 && now_ms() < deadline) {
                while (waitpid(-1, &status, WNOHANG | __WALL) > 0)
                    ;
                struct timespec t = {0, 1000000};
                nanosleep(&t, NULL); /* a poll interval under a deadline */
            }
            CHECK(kill(daemon, 0) != 0 && errno == ESRCH); /* killed and reaped */
            while (waitpid(-1, &status, WNOHANG | __WALL) > 0)
                ;
        }
    }
    close(pair[0]);
    close(pair[1]);
}

/* An unprivileged caller (uid 65534, no capabilities) confines itself. */
static int unprivileged_apply(void *arg, struct outcome *o)
{
    struct confine_spec *s = arg;
    if (syscall(SYS_setgroups, 0, NULL) != 0 || syscall(SYS_setresgid, 65534, 65534, 65534) != 0
            || syscall(SYS_setresuid, 65534, 65534, 65534) != 0)
        return 1;
    struct confine_report r;
    o->rc = confine_apply(s, &r);
    o->report = r;
    o->values[0] = open("/etc/hostname", O_RDONLY | O_CLOEXEC) >= 0 ? 0 : errno;
    return 0;
}

static void unprivileged(void)
{
    struct confine_spec s;
    confine_spec_init(&s);
    spec_add_system(&s);
    struct outcome o;
    CHECK_EQ(run_child(NULL, unprivileged_apply, &s, &o), 0);
    CHECK_EQ(o.rc, 0);
    CHECK_EQ(o.report.missing, CONFINE_MISSING_BOUNDING);
    CHECK(o.report.done & CONFINE_DONE_LANDLOCK);
    CHECK(o.report.done & CONFINE_DONE_SECCOMP);
    CHECK_EQ(o.values[0], EACCES); /* Landlock applies all the same */
    s.require = CONFINE_MISSING_BOUNDING;
    CHECK_EQ(run_child(NULL, unprivileged_apply, &s, &o), 0);
    CHECK_EQ(o.rc, -EOPNOTSUPP);
    CHECK(strcmp(o.report.step, "required") == 0);
    CHECK_EQ(o.report.done & CONFINE_DONE_NNP, 0);
}

const struct test process_tests[] = {
    {"process_vfork_child_like_the_spawner", vfork_spawn},
    {"process_pidns_init_takes_its_daemon", pidns_init},
    {"process_unprivileged_caller", unprivileged},
    {NULL, NULL},
};
