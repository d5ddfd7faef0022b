/* test_refusals.c - what several layers refuse together: ptrace of the parent, a cleared
 * parent-death signal, new namespaces, other personalities. */
#define _GNU_SOURCE
#include "harness.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int attach_parent(void *arg, struct outcome *o)
{
    (void)arg;
    long r = ptrace(PTRACE_SEIZE, getppid(), 0, 0); /* the control's seize ends when this exits */
    o->rc = r;
    o->err = r < 0 ? errno : 0;
    if (r != 0)
        o->values[0] = ptrace(PTRACE_ATTACH, getppid(), 0, 0) < 0 ? errno : 0;
    return 0;
}

static void ptrace_parent(void)
{
    struct outcome o;
    struct confine_spec s;
    CHECK_EQ(run_child(NULL, attach_parent, NULL, &o), 0);
    CHECK_EQ(o.rc, 0); /* control: root may trace the runner */
    spec_bare(&s);
    s.seccomp = CONFINE_SECCOMP_DEFAULT; /* the filter */
    CHECK_EQ(run_child(&s, attach_parent, NULL, &o), 0);
    CHECK_EQ(o.err, EPERM);
    CHECK_EQ(o.values[0], EPERM);
    spec_bare(&s);
    s.flags = CONFINE_LANDLOCK_FS; /* Landlock: no tracing out of the sandbox */
    confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "/");
    CHECK_EQ(run_child(&s, attach_parent, NULL, &o), 0);
    CHECK_EQ(o.err, EPERM);
    spec_bare(&s);
    confine_spec_set_ids(&s, 65534, 65534); /* another uid */
    CHECK_EQ(run_child(&s, attach_parent, NULL, &o), 0);
    CHECK_EQ(o.err, EPERM);
    spec_bare(&s); /* uid 0 with no capabilities: the runner's are not a subset of its own */
    CHECK_EQ(run_child(&s, attach_parent, NULL, &o), 0);
    CHECK_EQ(o.err, EPERM);
}

static int pdeath_kernel(void *arg, struct outcome *o)
{
    (void)arg;
    int before = 0, after = 0;
    prctl(PR_GET_PDEATHSIG, &before);
    o->rc = syscall(SYS_setresuid, 65534, 65534, 65534);
    prctl(PR_GET_PDEATHSIG, &after);
    o->values[0] = before;
    o->values[1] = after;
    return 0;
}

static int pdeath_confined(void *arg, struct outcome *o)
{
    (void)arg;
    int sig = 0;
    prctl(PR_GET_PDEATHSIG, &sig);
    o->values[0] = sig;
    o->rc = prctl(PR_SET_PDEATHSIG, 0);
    o->err = o->rc < 0 ? errno : 0;
    prctl(PR_GET_PDEATHSIG, &sig);
    o->values[1] = sig;
    return 0;
}

static int sleep_forever(void *arg, struct outcome *o)
{
    (void)arg;
    (void)o;
    for (;;)
        pause(); /* not the release pipe: its EOF would race the parent-death signal */
    return 0;
}

static void pdeathsig(void)
{
    struct outcome o;
    struct confine_spec s;
    /* the kernel's behaviour: a uid change clears the parent-death signal */
    CHECK_EQ(run_child(NULL, pdeath_kernel, NULL, &o), 0);
    CHECK_EQ(o.rc, 0);
    CHECK_EQ(o.values[0], SIGKILL);
    CHECK_EQ(o.values[1], 0);
    /* confine_apply arms it again, and the default profile keeps it */
    spec_bare(&s);
    confine_spec_set_ids(&s, 65534, 65534);
    s.seccomp = CONFINE_SECCOMP_DEFAULT;
    CHECK_EQ(run_child(&s, pdeath_confined, NULL, &o), 0);
    CHECK(o.report.done & CONFINE_DONE_PDEATHSIG);
    CHECK_EQ(o.values[0], SIGKILL);
    CHECK_EQ(o.rc, -1);
    CHECK_EQ(o.err, EPERM);
    CHECK_EQ(o.values[1], SIGKILL);
    /* control: unconfined it can be cleared */
    CHECK_EQ(run_child(NULL, pdeath_confined, NULL, &o), 0);
    CHECK_EQ(o.rc, 0);
    CHECK_EQ(o.values[1], 0);
    /* and it works: a confined child whose parent dies is killed */
    int p[2];
    CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
    pid_t middle = fork();
    if (middle == 0) {
        struct child c;
        if (child_start(&c, &s, sleep_forever, NULL) != 0)
            _exit(1);
        int64_t deadline = now_ms() + CHILD_MS;
        while (!__atomic_load_n(&c.shared->applied, __ATOMIC_ACQUIRE) && now_ms() < deadline)
            sched_yield(); /* the child is confined (pdeathsig re-armed) once applied is set */
        if (write(p[1], &c.pid, sizeof c.pid) != sizeof c.pid)
            _exit(1);
        pause(); /* killed by the runner below */
        _exit(0);
    }
    close(p[1]);
    pid_t confined = 0;
    CHECK_EQ(read(p[0], &confined, sizeof confined), sizeof confined);
    close(p[0]);
    kill(middle, SIGKILL);
    CHECK(WIFSIGNALED(wait_pid(middle, CHILD_MS)));
    int status = wait_pid(confined, 5000); /* reparented to the runner, a subreaper */
    CHECK(status >= 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static int namespaces_try(void *arg, struct outcome *o)
{
    (void)arg;
    /* clone first: after unshare(CLONE_NEWUSER) this process has no mapped uid for a nested one */
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(0);
    o->values[1] = pid > 0 ? 0 : errno;
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    pid = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(0);
    o->values[2] = pid > 0 ? 0 : errno;
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    } args = {CLONE_NEWUSER, 0, 0, 0, SIGCHLD, 0, 0, 0};
    pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0)
        _exit(0);
    o->values[3] = pid > 0 ? 0 : errno;
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    pid = fork(); /* a plain fork is still fine */
    if (pid == 0)
        _exit(0);
    o->values[4] = pid > 0 ? 0 : errno;
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    o->values[0] = unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
    return 0;
}

static void namespaces(void)
{
    struct outcome o;
    struct confine_spec s;
    CHECK_EQ(run_child(NULL, namespaces_try, NULL, &o), 0); /* control */
    for (int i = 0; i < 5; i++)
        CHECK_EQ(o.values[i], 0);
    /* without the filter, an unprivileged process may still make a user namespace */
    spec_bare(&s);
    confine_spec_set_ids(&s, 65534, 65534);
    CHECK_EQ(run_child(&s, namespaces_try, NULL, &o), 0);
    CHECK_EQ(o.values[0], 0);
    CHECK_EQ(o.values[1], 0);
    NOTE("uid 65534, no capabilities, no_new_privs, no filter: unshare(CLONE_NEWUSER) succeeds");
    s.seccomp = CONFINE_SECCOMP_DEFAULT;
    CHECK_EQ(run_child(&s, namespaces_try, NULL, &o), 0);
    CHECK_EQ(o.values[0], EPERM);  /* unshare */
    CHECK_EQ(o.values[1], EPERM);  /* clone(CLONE_NEWUSER) */
    CHECK_EQ(o.values[2], EPERM);  /* clone(CLONE_NEWNET) */
    CHECK_EQ(o.values[3], ENOSYS); /* clone3: libc falls back to clone */
    CHECK_EQ(o.values[4], 0);      /* fork */
    s.seccomp = CONFINE_SECCOMP_COMPUTE;
    CHECK_EQ(run_child(&s, namespaces_try, NULL, &o), 0);
    CHECK_EQ(o.values[0], EPERM);
    CHECK_EQ(o.values[1], EPERM);
    CHECK_EQ(o.values[3], ENOSYS);
    CHECK_EQ(o.values[4], EPERM); /* compute: no fork */
}

static int personality_try(void *arg, struct outcome *o)
{
    (void)arg;
    o->values[0] = personality(0xffffffff) >= 0 ? 0 : errno;
    o->values[1] = personality(PER_LINUX) >= 0 ? 0 : errno;
    o->values[2] = personality(PER_LINUX | ADDR_NO_RANDOMIZE) >= 0 ? 0 : errno;
    o->values[3] = personality(PER_LINUX | READ_IMPLIES_EXEC) >= 0 ? 0 : errno;
    return 0;
}

static void personalities(void)
{
    struct outcome o;
    struct confine_spec s;
    CHECK_EQ(run_child(NULL, personality_try, NULL, &o), 0);
    CHECK_EQ(o.values[2], 0);
    spec_bare(&s);
    s.seccomp = CONFINE_SECCOMP_DEFAULT;
    CHECK_EQ(run_child(&s, personality_try, NULL, &o), 0);
    CHECK_EQ(o.values[0], 0);
    CHECK_EQ(o.values[1], 0);
    CHECK_EQ(o.values[2], EPERM);
    CHECK_EQ(o.values[3], EPERM);
}

const struct test refusals_tests[] = {
    {"seccomp_ptrace_parent_refused_by_each_layer", ptrace_parent},
    {"seccomp_pdeathsig_kept_and_locked", pdeathsig},
    {"seccomp_no_namespaces", namespaces},
    {"seccomp_personality", personalities},
    {NULL, NULL},
};
