/*
 * confine_seccomp.c - the seccomp BPF programs of the two profiles, built by hand.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "confine_internal.h"

/* Newer system calls than the oldest headers we build with (numbers shared by every arch). */
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif

/* ---- seccomp --------------------------------------------------------------------------------- */

struct bpf {
    struct sock_filter *insn;
    int n;
    int max;
};

static void emit(struct bpf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
    if (b->n < b->max) {
        struct sock_filter f = {code, jt, jf, k};
        b->insn[b->n] = f;
    }
    b->n++;
}

#define LD_NR BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, nr)
#define LD_ARCH BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, arch)
/* the low 32 bits of argument i (little-endian): the kernel takes these arguments as int */
#define LD_ARG(i) BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, args[i])
#define JEQ(k, jt, jf) BPF_JMP | BPF_JEQ | BPF_K, jt, jf, (uint32_t)(k)
#define JGE(k, jt, jf) BPF_JMP | BPF_JGE | BPF_K, jt, jf, (uint32_t)(k)
#define JSET(k, jt, jf) BPF_JMP | BPF_JSET | BPF_K, jt, jf, (uint32_t)(k)
#define RET(k) BPF_RET | BPF_K, 0, 0, (uint32_t)(k)
#define ALLOW SECCOMP_RET_ALLOW
#define ERRNO(e) (SECCOMP_RET_ERRNO | ((uint32_t)(e) & SECCOMP_RET_DATA))
#define KILL SECCOMP_RET_KILL_PROCESS

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

/* Refused with EPERM by the DEFAULT profile (the calls with argument rules are apart). */
static const uint16_t default_denied[] = {
    __NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev, __NR_pidfd_getfd,
    __NR_kexec_load,
#ifdef __NR_kexec_file_load
    __NR_kexec_file_load,
#endif
    __NR_bpf, __NR_perf_event_open, __NR_userfaultfd,
    __NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
    __NR_mount, __NR_umount2, __NR_pivot_root, __NR_move_mount, __NR_open_tree, __NR_open_tree_attr,
    __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_mount_setattr,
    __NR_keyctl, __NR_add_key, __NR_request_key,
    __NR_init_module, __NR_finit_module, __NR_delete_module,
    __NR_reboot, __NR_swapon, __NR_swapoff, __NR_acct, __NR_quotactl,
    __NR_unshare, __NR_setns,
#ifdef __NR_iopl
    __NR_iopl,
#endif
#ifdef __NR_ioperm
    __NR_ioperm,
#endif
#ifdef __NR_modify_ldt
    __NR_modify_ldt,
#endif
#ifdef __NR_uselib
    __NR_uselib,
#endif
#ifdef __NR__sysctl
    __NR__sysctl,
#endif
};

/* Allowed by the COMPUTE profile (clone and clone3 have their own rules). */
static const uint16_t compute_allowed[] = {
    /* I/O on descriptors it has, first: the hot path */
    __NR_read, __NR_write, __NR_readv, __NR_writev, __NR_pread64, __NR_pwrite64, __NR_ppoll,
#ifdef __NR_poll
    __NR_poll,
#endif
    __NR_recvfrom, __NR_recvmsg, __NR_recvmmsg, __NR_sendto, __NR_sendmsg, __NR_sendmmsg,
    __NR_close, __NR_fcntl, __NR_lseek, __NR_fstat, __NR_newfstatat, __NR_statx, __NR_pselect6,
    __NR_futex, __NR_sched_yield, __NR_clock_gettime, __NR_clock_getres, __NR_gettimeofday,
    __NR_nanosleep, __NR_clock_nanosleep, __NR_getrandom,
    /* memory */
    __NR_mmap, __NR_munmap, __NR_mprotect, __NR_mremap, __NR_brk, __NR_madvise,
    /* signals, threads, the end */
    __NR_rt_sigaction, __NR_rt_sigprocmask, __NR_rt_sigreturn, __NR_rt_sigtimedwait, __NR_rt_sigsuspend,
    __NR_sigaltstack, __NR_restart_syscall, __NR_getpid, __NR_gettid, __NR_tgkill,
    __NR_sched_getaffinity, __NR_set_robust_list, __NR_rseq, __NR_set_tid_address, __NR_exit,
    __NR_exit_group,
    /* the exec itself and the dynamic loader's start */
    __NR_execve, __NR_openat, __NR_prlimit64, __NR_faccessat, __NR_readlinkat, __NR_uname,
    __NR_getuid, __NR_geteuid, __NR_getgid, __NR_getegid,
#ifdef __NR_access
    __NR_access,
#endif
#ifdef __NR_faccessat2
    __NR_faccessat2,
#endif
#ifdef __NR_readlink
    __NR_readlink,
#endif
#ifdef __NR_open
    __NR_open,
#endif
#ifdef __NR_stat
    __NR_stat, __NR_lstat,
#endif
#ifdef __NR_arch_prctl
    __NR_arch_prctl,
#endif
};

#define MAX_LIST 120 /* a leaf's jump to the returns after the tree must fit in 8 bits */
#define LEAF 4      /* calls compared one by one at a leaf of the tree */

/* Instructions of a tree whose jumps are patched once the returns' places are known. */
struct pending {
    int to_match[MAX_LIST]; /* JEQs whose jt goes to on_match */
    int to_other[MAX_LIST]; /* JAs that go to on_other */
    int nmatch, nother;
};

/* A binary search over sorted[lo, hi): JGE splits, leaves of up to LEAF JEQs, then a JA. */
static void emit_tree(struct bpf *b, const uint16_t *sorted, int lo, int hi, struct pending *p)
{
    if (hi - lo <= LEAF) {
        for (int i = lo; i < hi; i++) {
            p->to_match[p->nmatch++] = b->n;
            emit(b, JEQ(sorted[i], 0, 0));
        }
        p->to_other[p->nother++] = b->n;
        emit(b, BPF_JMP | BPF_JA, 0, 0, 0);
        return;
    }
    int mid = lo + (hi - lo) / 2;
    int split = b->n;
    emit(b, JGE(sorted[mid], 0, 0)); /* jt: to the upper half, patched below */
    emit_tree(b, sorted, lo, mid, p);
    if (split < b->max)
        b->insn[split].jt = (uint8_t)(b->n - split - 1);
    emit_tree(b, sorted, mid, hi, p);
}

/*
 * The calls of list (n, any order): one that matches returns on_match, any other on_other. A
 * binary search, not a row of compares: the kernel runs the filter once per system call number
 * when it is installed (to cache the constant answers), so its length is paid at every start.
 */
static void emit_list(struct bpf *b, const uint16_t *list, int n, uint32_t on_match, uint32_t on_other)
{
    uint16_t sorted[MAX_LIST];
    int m = 0;
    for (int i = 0; i < n && i < MAX_LIST; i++) { /* insertion sort, without duplicates */
        int j = m;
        while (j > 0 && sorted[j - 1] > list[i])
            j--;
        if (j > 0 && sorted[j - 1] == list[i])
            continue;
        for (int k = m; k > j; k--)
            sorted[k] = sorted[k - 1];
        sorted[j] = list[i];
        m++;
    }
    struct pending p;
    p.nmatch = p.nother = 0;
    emit_tree(b, sorted, 0, m, &p);
    int other = b->n;
    emit(b, RET(on_other));
    emit(b, RET(on_match));
    if (b->n > b->max)
        return; /* reported by the caller */
    for (int i = 0; i < p.nmatch; i++) {
        int jump = other + 1 - p.to_match[i] - 1;
        if (jump > 255) {
            b->n = b->max + 1; /* cannot happen with MAX_LIST calls; reported as -ENOSPC */
            return;
        }
        b->insn[p.to_match[i]].jt = (uint8_t)jump;
    }
    for (int i = 0; i < p.nother; i++)
        b->insn[p.to_other[i]].k = (uint32_t)(other - p.to_other[i] - 1);
}

int confine_seccomp_program(unsigned profile, unsigned net, void *out, int max)
{
    if (profile == CONFINE_SECCOMP_NONE)
        return 0;
    if (profile > CONFINE_SECCOMP_COMPUTE || net > CONFINE_NET_ANY || max < 0)
        return -EINVAL;
    struct bpf b = {out, 0, max};
    /* a foreign ABI (i386's int 0x80 on x86-64, aarch32 on aarch64) has other numbers: kill */
    emit(&b, LD_ARCH);
    emit(&b, JEQ(CONFINE_AUDIT_ARCH, 1, 0));
    emit(&b, RET(KILL));
    emit(&b, LD_NR);
#if defined(__x86_64__)
    emit(&b, JGE(0x40000000u, 0, 1)); /* __X32_SYSCALL_BIT: the x32 ABI */
    emit(&b, RET(KILL));
#endif
    /* libc falls back from clone3 to clone, whose flags a filter can see */
    emit(&b, JEQ(__NR_clone3, 0, 1));
    emit(&b, RET(ERRNO(ENOSYS)));
    if (profile == CONFINE_SECCOMP_DEFAULT) {
        /* clone with a namespace flag: no new user namespace (privileges), nor any other */
        emit(&b, JEQ(__NR_clone, 0, 4));
        emit(&b, LD_ARG(0));
        emit(&b, JSET(NS_FLAGS, 0, 1));
        emit(&b, RET(ERRNO(EPERM)));
        emit(&b, RET(ALLOW));
        /* prctl(PR_SET_PDEATHSIG, ...): the parent-death signal stays as armed */
        emit(&b, JEQ(__NR_prctl, 0, 4));
        emit(&b, LD_ARG(0));
        emit(&b, JEQ(PR_SET_PDEATHSIG, 0, 1));
        emit(&b, RET(ERRNO(EPERM)));
        emit(&b, RET(ALLOW));
        /* personality: only the query and PER_LINUX (no ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC...) */
        emit(&b, JEQ(__NR_personality, 0, 5));
        emit(&b, LD_ARG(0));
        emit(&b, JEQ(0xffffffffu, 2, 0));
        emit(&b, JEQ(0 /* PER_LINUX */, 1, 0));
        emit(&b, RET(ERRNO(EPERM)));
        emit(&b, RET(ALLOW));
        /* ioctl(TIOCSTI): no typing into a terminal the plugin inherited */
        emit(&b, JEQ(__NR_ioctl, 0, 4));
        emit(&b, LD_ARG(1));
        emit(&b, JEQ(TIOCSTI, 0, 1));
        emit(&b, RET(ERRNO(EPERM)));
        emit(&b, RET(ALLOW));
        if (net == CONFINE_NET_NONE) {
            /* socket(2) of any family but AF_UNIX: Landlock covers TCP only */
            emit(&b, JEQ(__NR_socket, 0, 4));
            emit(&b, LD_ARG(0));
            emit(&b, JEQ(AF_UNIX, 1, 0));
            emit(&b, RET(ERRNO(EACCES)));
            emit(&b, RET(ALLOW));
        }
        emit_list(&b, default_denied, (int)(sizeof default_denied / sizeof default_denied[0]), ERRNO(EPERM),
                  ALLOW);
    } else {
        /* clone: threads only (CLONE_THREAD, no namespace flag); no fork, no vfork */
        emit(&b, JEQ(__NR_clone, 0, 5));
        emit(&b, LD_ARG(0));
        emit(&b, JSET(NS_FLAGS, 2, 0));
        emit(&b, JSET(CLONE_THREAD, 0, 1));
        emit(&b, RET(ALLOW));
        emit(&b, RET(ERRNO(EPERM)));
        emit_list(&b, compute_allowed, (int)(sizeof compute_allowed / sizeof compute_allowed[0]), ALLOW,
                  ERRNO(EPERM));
    }
    return b.n > max ? -ENOSPC : b.n;
}

_Static_assert(sizeof default_denied / sizeof default_denied[0] <= MAX_LIST, "see MAX_LIST");
_Static_assert(sizeof compute_allowed / sizeof compute_allowed[0] <= MAX_LIST, "see MAX_LIST");
