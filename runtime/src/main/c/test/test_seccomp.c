/* test_seccomp.c - the seccomp profiles: their programs, the calls they refuse, every call number decided. */
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

#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif

static void program_sizes(void)
{
    struct sock_filter insn[CONFINE_BPF_MAX];
    int d = confine_seccomp_program(CONFINE_SECCOMP_DEFAULT, CONFINE_NET_NONE, insn, CONFINE_BPF_MAX);
    int c = confine_seccomp_program(CONFINE_SECCOMP_COMPUTE, CONFINE_NET_NONE, insn, CONFINE_BPF_MAX);
    NOTE("BPF instructions: default %d, compute %d", d, c);
    CHECK(d > 40 && d <= CONFINE_BPF_MAX);
    CHECK(c > 40 && c <= CONFINE_BPF_MAX);
    CHECK_EQ(confine_seccomp_program(CONFINE_SECCOMP_DEFAULT, CONFINE_NET_NONE, insn, 10), -ENOSPC);
    CHECK_EQ(confine_seccomp_program(7, CONFINE_NET_NONE, insn, CONFINE_BPF_MAX), -EINVAL);
    CHECK_EQ(confine_seccomp_program(CONFINE_SECCOMP_NONE, CONFINE_NET_NONE, insn, CONFINE_BPF_MAX), 0);
}

/* Denied calls, with arguments that make each fail harmlessly where it is allowed. */
struct denied {
    const char *name;
    long nr;
    long a[6];
};

static const struct denied denied[] = {
    {"ptrace", __NR_ptrace, {PTRACE_PEEKDATA, 0, 0, 0}},
    {"process_vm_readv", __NR_process_vm_readv, {0, 0, 0, 0, 0, 1}},
    {"process_vm_writev", __NR_process_vm_writev, {0, 0, 0, 0, 0, 1}},
    {"pidfd_getfd", __NR_pidfd_getfd, {-1, 0, 0}},
    {"kexec_load", __NR_kexec_load, {0, 0, 0, 0xdead0100}},
#ifdef __NR_kexec_file_load
    {"kexec_file_load", __NR_kexec_file_load, {-1, -1, 0, 0, 0x1000}},
#endif
    {"bpf", __NR_bpf, {-1, 0, 0}},
    {"perf_event_open", __NR_perf_event_open, {0, 0, -1, -1, 0}},
    {"userfaultfd", __NR_userfaultfd, {~0L}},
    {"io_uring_setup", __NR_io_uring_setup, {0, 0}},
    {"io_uring_enter", __NR_io_uring_enter, {-1, 0, 0, 0, 0, 0}},
    {"io_uring_register", __NR_io_uring_register, {-1, 0, 0, 0}},
    {"mount", __NR_mount, {0, 0, 0, 0, 0}},
    {"umount2", __NR_umount2, {0, 0}},
    {"pivot_root", __NR_pivot_root, {0, 0}},
    {"move_mount", __NR_move_mount, {-1, 0, -1, 0, 0}},
    {"open_tree", __NR_open_tree, {-1, 0, 0}},
    {"open_tree_attr", __NR_open_tree_attr, {-1, 0, 0, 0, 0}},
    {"fsopen", __NR_fsopen, {0, 0}},
    {"fsconfig", __NR_fsconfig, {-1, 0, 0, 0, 0}},
    {"fsmount", __NR_fsmount, {-1, 0, 0}},
    {"fspick", __NR_fspick, {-1, 0, 0}},
    {"mount_setattr", __NR_mount_setattr, {-1, 0, 0, 0, 0}},
    {"keyctl", __NR_keyctl, {-1, 0, 0, 0, 0}},
    {"add_key", __NR_add_key, {0, 0, 0, 0, 0}},
    {"request_key", __NR_request_key, {0, 0, 0, 0}},
    {"init_module", __NR_init_module, {0, 0, 0}},
    {"finit_module", __NR_finit_module, {-1, 0, 0}},
    {"delete_module", __NR_delete_module, {0, 0}},
    {"reboot", __NR_reboot, {0, 0, 0, 0}},
    {"swapon", __NR_swapon, {0, 0}},
    {"swapoff", __NR_swapoff, {0}},
    {"acct", __NR_acct, {1}},
    {"quotactl", __NR_quotactl, {-1, 0, 0, 0}},
    {"unshare", __NR_unshare, {1}},
    {"setns", __NR_setns, {-1, 0}},
#ifdef __NR_iopl
    {"iopl", __NR_iopl, {4}},
#endif
#ifdef __NR_ioperm
    {"ioperm", __NR_ioperm, {~0L, 1, 0}},
#endif
#ifdef __NR_modify_ldt
    {"modify_ldt", __NR_modify_ldt, {99, 0, 0}},
#endif
#ifdef __NR_uselib
    {"uselib", __NR_uselib, {0}},
#endif
#ifdef __NR__sysctl
    {"_sysctl", __NR__sysctl, {0}},
#endif
};
#define NDENIED ((int)(sizeof denied / sizeof denied[0]))

static int call_denied(void *arg, struct outcome *o)
{
    (void)arg;
    for (int i = 0; i < NDENIED; i++) {
        const struct denied *d = &denied[i];
        long r = syscall(d->nr, d->a[0], d->a[1], d->a[2], d->a[3], d->a[4], d->a[5]);
        o->text[i] = (char)(r < 0 ? errno : 0);
    }
    return 0;
}

static void denied_calls(void)
{
    struct outcome control, o;
    struct confine_spec s;
    _Static_assert(NDENIED < 2048, "results fit in text");
    CHECK_EQ(run_child(NULL, call_denied, NULL, &control), 0);
    spec_bare(&s);
    unsigned profiles[] = {CONFINE_SECCOMP_DEFAULT, CONFINE_SECCOMP_COMPUTE};
    for (int p = 0; p < 2; p++) {
        s.seccomp = profiles[p];
        CHECK_EQ(run_child(&s, call_denied, NULL, &o), 0);
        int ambiguous = 0;
        for (int i = 0; i < NDENIED; i++) {
            if (o.text[i] != EPERM)
                fprintf(stderr, "  %s: %s under profile %u\n", denied[i].name, strerror(o.text[i]), profiles[p]);
            CHECK_EQ(o.text[i], EPERM);
            if (p == 0 && control.text[i] == EPERM) {
                fprintf(stderr, "  note: %s is EPERM unconfined too\n", denied[i].name);
                ambiguous++;
            }
        }
        if (p == 0)
            NOTE("%d denied calls refused with EPERM; unconfined %d of them fail otherwise", NDENIED,
                 NDENIED - ambiguous);
    }
}


/* A classic BPF interpreter for what the programs use: the decision for one call. */
static uint32_t run_bpf(const struct sock_filter *insn, int n, uint32_t arch, uint32_t nr, const uint64_t *args)
{
    uint32_t a = 0;
    for (int pc = 0; pc < n; pc++) {
        const struct sock_filter *f = &insn[pc];
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k == offsetof(struct seccomp_data, nr))
                a = nr;
            else if (f->k == offsetof(struct seccomp_data, arch))
                a = arch;
            else if (f->k >= offsetof(struct seccomp_data, args) && f->k < sizeof(struct seccomp_data))
                a = (uint32_t)args[(f->k - offsetof(struct seccomp_data, args)) / 8]; /* low half */
            else
                return 0xdeadbeef;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JGE | BPF_K: pc += a >= f->k ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f->k) ? f->jt : f->jf; break;
        case BPF_JMP | BPF_JA: pc += (int)f->k; break;
        case BPF_RET | BPF_K: return f->k;
        default: return 0xdeadbeef;
        }
    }
    return 0xdeadbeef; /* ran off the end */
}

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#else
#define ARCH AUDIT_ARCH_AARCH64
#endif
#define EPERM_RET (SECCOMP_RET_ERRNO | EPERM)

static void every_number(void)
{
    struct sock_filter d[CONFINE_BPF_MAX], c[CONFINE_BPF_MAX];
    int nd = confine_seccomp_program(CONFINE_SECCOMP_DEFAULT, CONFINE_NET_CONNECT, d, CONFINE_BPF_MAX);
    int nc = confine_seccomp_program(CONFINE_SECCOMP_COMPUTE, CONFINE_NET_CONNECT, c, CONFINE_BPF_MAX);
    CHECK(nd > 0 && nc > 0);
    uint64_t zero[6] = {0, 0, 0, 0, 0, 0};
    int allowed_default = 0, allowed_compute = 0;
    for (uint32_t nr = 0; nr < 1024; nr++) {
        int listed = 0;
        for (int i = 0; i < NDENIED; i++)
            listed |= denied[i].nr == (long)nr;
        uint32_t want = listed ? EPERM_RET : nr == __NR_clone3 ? (SECCOMP_RET_ERRNO | ENOSYS) : SECCOMP_RET_ALLOW;
        if (nr == __NR_personality) /* personality(0) is PER_LINUX: allowed */
            want = SECCOMP_RET_ALLOW;
        uint32_t got = run_bpf(d, nd, ARCH, nr, zero);
        if (got != want)
            fprintf(stderr, "  default profile, call %u: %#x, not %#x\n", nr, got, want);
        CHECK_EQ(got, want);
        allowed_default += got == SECCOMP_RET_ALLOW;
        got = run_bpf(c, nc, ARCH, nr, zero);
        if (listed)
            CHECK_EQ(got, EPERM_RET);
        CHECK(got == SECCOMP_RET_ALLOW || got == EPERM_RET || (nr == __NR_clone3 && got == (SECCOMP_RET_ERRNO | ENOSYS)));
        allowed_compute += got == SECCOMP_RET_ALLOW;
    }
    static const long compute_needs[] = {__NR_read, __NR_write, __NR_ppoll, __NR_recvmsg, __NR_sendmsg, __NR_futex,
                                         __NR_mmap, __NR_execve, __NR_openat, __NR_exit_group, __NR_rt_sigreturn,
                                         __NR_clock_gettime, __NR_getrandom, __NR_rseq, __NR_writev, __NR_fcntl};
    for (size_t i = 0; i < sizeof compute_needs / sizeof compute_needs[0]; i++)
        CHECK_EQ(run_bpf(c, nc, ARCH, (uint32_t)compute_needs[i], zero), SECCOMP_RET_ALLOW);
    CHECK_EQ(run_bpf(c, nc, ARCH, __NR_socket, zero), EPERM_RET);
    CHECK_EQ(run_bpf(c, nc, ARCH, __NR_prctl, zero), EPERM_RET);
    /* argument rules */
    uint64_t a[6] = {PR_SET_PDEATHSIG, 0, 0, 0, 0, 0};
    CHECK_EQ(run_bpf(d, nd, ARCH, __NR_prctl, a), EPERM_RET);
    a[0] = PR_SET_NAME;
    CHECK_EQ(run_bpf(d, nd, ARCH, __NR_prctl, a), SECCOMP_RET_ALLOW);
    a[0] = CLONE_NEWUSER | SIGCHLD;
    CHECK_EQ(run_bpf(d, nd, ARCH, __NR_clone, a), EPERM_RET);
    a[0] = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
    CHECK_EQ(run_bpf(c, nc, ARCH, __NR_clone, a), SECCOMP_RET_ALLOW);
    a[0] = SIGCHLD;
    CHECK_EQ(run_bpf(c, nc, ARCH, __NR_clone, a), EPERM_RET);
    CHECK_EQ(run_bpf(d, nd, ARCH, __NR_clone, a), SECCOMP_RET_ALLOW);
    CHECK_EQ(run_bpf(d, nd, AUDIT_ARCH_I386, 20, zero), SECCOMP_RET_KILL_PROCESS);
    NOTE("calls 0-1023 allowed: default %d, compute %d", allowed_default, allowed_compute);
}

#if defined(__x86_64__)
static int foreign_abi(void *arg, struct outcome *o)
{
    long which = (long)arg, r;
    if (which == 0) {
        long nr = 20; /* i386 getpid through int 0x80 */
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory");
    } else {
        r = syscall(0x40000000L | __NR_getpid); /* x32 */
        if (r < 0)
            r = -errno;
    }
    o->rc = r;
    return 0;
}

static void foreign_abis(void)
{
    struct outcome o;
    struct confine_spec s;
    int status = run_child(NULL, foreign_abi, (void *)0L, &o);
    NOTE("unconfined int 0x80 getpid: %s", WIFEXITED(status) ? "returns" : "kills");
    status = run_child(NULL, foreign_abi, (void *)1L, &o);
    NOTE("unconfined x32 getpid: %ld", o.rc);
    spec_bare(&s);
    unsigned profiles[] = {CONFINE_SECCOMP_DEFAULT, CONFINE_SECCOMP_COMPUTE};
    for (int p = 0; p < 2; p++) {
        s.seccomp = profiles[p];
        for (long which = 0; which < 2; which++) {
            status = run_child(&s, foreign_abi, (void *)which, &o);
            CHECK(status >= 0 && WIFSIGNALED(status));
            CHECK_EQ(WTERMSIG(status), SIGSYS);
        }
    }
}
#else
static void foreign_abis(void)
{
    SKIP("x86-64 only (int 0x80 and x32)");
}
#endif

static void *work(void *arg)
{
    long *n = arg;
    for (long i = 0; i < 1000000; i++)
        *n += i & 1;
    return NULL;
}

static int compute_try(void *arg, struct outcome *o)
{
    (void)arg;
    pthread_t t[4];
    long n[4] = {0, 0, 0, 0};
    int made = 0;
    for (int i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, work, &n[i]) == 0)
            made++;
    for (int i = 0; i < made; i++)
        pthread_join(t[i], NULL);
    o->values[0] = made;
    o->values[1] = n[0];
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    o->values[2] = pid > 0 ? 0 : errno;
    if (pid > 0)
        waitpid(pid, NULL, 0);
    o->values[3] = socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : errno;
    o->values[4] = kill(getpid(), 0) == 0 ? 0 : errno;
    return 0;
}

static void compute(void)
{
    struct outcome o;
    struct confine_spec s;
    confine_spec_init(&s);
    s.seccomp = CONFINE_SECCOMP_COMPUTE;
    confine_spec_set_ids(&s, 65534, 65534);
    CHECK_EQ(run_child(&s, compute_try, NULL, &o), 0);
    CHECK_EQ(o.values[0], 4);      /* threads */
    CHECK_EQ(o.values[1], 500000); /* that ran */
    CHECK_EQ(o.values[2], EPERM);  /* no fork */
    CHECK_EQ(o.values[3], EPERM);  /* no socket */
    CHECK_EQ(o.values[4], EPERM);  /* no kill (tgkill only) */
}

const struct test seccomp_tests[] = {
    {"seccomp_program_sizes", program_sizes},
    {"seccomp_denied_calls", denied_calls},
    {"seccomp_every_call_number_decided", every_number},
    {"seccomp_foreign_abi_killed", foreign_abis},
    {"seccomp_compute_threads_no_fork", compute},
    {NULL, NULL},
};
