/*
 * confine.h - kernel confinement of one plugin process, applied by the process itself just before
 * it executes the plugin ("before the plugin's first instruction").
 *
 * The host fills a struct confine_spec (plain data of fixed layout: it travels inside the spawner's
 * request) and the spawner's child calls confine_apply() on it between its descriptor setup and
 * execve(2). confine_apply() uses system calls only: no allocation, no stdio, no locks, and about
 * 4 KiB of stack (the seccomp program is built there; measured 4.2 KiB from clone to execve in
 * the tests), so it is safe in a CLONE_VM|CLONE_VFORK child that shares the spawner's memory.
 *
 *     struct confine_spec spec;
 *     confine_spec_init(&spec);                                   strict defaults, see below
 *     confine_spec_set_ids(&spec, 65534, 65534);
 *     confine_spec_add_path(&spec, CONFINE_PATH_READ, 0, "/usr");
 *     confine_spec_add_path(&spec, CONFINE_PATH_WRITE, 0, "/var/tmp/outpost/plugin-7");
 *     confine_spec_add_path(&spec, CONFINE_PATH_CGROUP, 0, "/sys/fs/cgroup/pids/outpost/7/cgroup.procs");
 *     ...in the child, as late as possible before execve():
 *     struct confine_report report;
 *     if (confine_apply(&spec, &report) != 0)
 *         fail(report.error, report.step);                          e.g. -ENOENT, "landlock path"
 *
 * DESIGN
 *
 * What each step protects against, in the order confine_apply() takes them:
 *
 *  0. spec      The spec is checked whole before anything is changed (magic, size, offsets, kinds,
 *               absolute paths, uid without gid): a malformed spec changes nothing (-EINVAL).
 *  1. cgroups   Joins every listed cgroup.procs (or v1 tasks) file by writing "0" (the writer
 *               itself; right in a new pid namespace too). The host has made the cgroups and set
 *               their limits (memory.limit_in_bytes / memory.max, pids.max, cpu); joining first
 *               means everything the plugin ever does is counted there, its first fork included.
 *               Done first because the cgroup files are root's and later steps drop root.
 *  2. oom       Writes /proc/self/oom_score_adj (e.g. 1000: the kernel's OOM killer takes a plugin
 *               before the JVM). While still privileged: lowering it needs CAP_SYS_RESOURCE. In a
 *               CLONE_VFORK child the kernel keeps the value to the child (it does not spread it to
 *               the spawner that shares the memory; a plain CLONE_VM child would spread it).
 *  3. rlimits   Sets soft = hard for each chosen limit (AS or DATA: memory; NOFILE; FSIZE; CORE,
 *               0 by default: no core files of plugin memory; NPROC, see below). While privileged:
 *               raising a hard limit needs CAP_SYS_RESOURCE, which steps 6-8 remove, so the
 *               plugin can never raise them again.
 *  4. chdir     Into the working directory, while still root: its parents need not be searchable
 *               by the plugin's uid.
 *  5. landlock  The ruleset is built here, still as root: every listed path is opened (O_PATH) and
 *    (build)    added as a rule, so path errors are reported before any credential changes and
 *               do not depend on what the plugin's uid may traverse. It is enforced in step 10.
 *               A protection the spec lists in `require` that this kernel lacks fails here, also
 *               before any credential change (-EOPNOTSUPP, step "required").
 *  6. caps      Drops the whole capability bounding set (so no exec can ever regain a capability,
 *    (bounds)   even as uid 0), clears the ambient set, and locks the securebits NOROOT,
 *               NO_SETUID_FIXUP, KEEP_CAPS off, NO_CAP_AMBIENT_RAISE. Needs CAP_SETPCAP, so it
 *               comes before the uid change. An unprivileged caller cannot: that is reported as
 *               CONFINE_MISSING_BOUNDING (it matters little: step 9 stops any gain by exec).
 *  7. ids       setgroups(0) (no supplementary groups), setresgid, setresuid: all three ids, so
 *               nothing can switch back. gid before uid. Raw system calls: glibc's wrappers would
 *               signal every thread of the spawner (set*id broadcast) from a CLONE_VM child.
 *  8. capset    Empties the effective, permitted and inheritable sets (uid 0 kept or not).
 *     pdeath    The kernel clears the parent-death signal when the euid or egid changes (and makes
 *               the memory non-dumpable, which here is the spawner's too: a good thing, no process
 *               of the new uid can ptrace the half-made child and through it the spawner). The
 *               signal the caller had armed is armed again, and the parent is checked to be the one
 *               it was at the start (-ESRCH, "getppid", if it died meanwhile).
 *  9. nnp       PR_SET_NO_NEW_PRIVS: no exec can gain privileges (set-uid files, file caps); it is
 *               also what lets an unprivileged process enforce Landlock and seccomp.
 * 10. landlock  landlock_restrict_self(). Filesystem: the READ paths allow read and execute, WRITE
 *               paths allow reading, writing, creating, removing, renaming and truncating (not
 *               executing: list a path as both to allow both); everything else is refused, and
 *               this also limits what the plugin can execute. Network (ABI >= 4): TCP bind and
 *               connect refused (CONFINE_NET_NONE) or bind only (CONFINE_NET_CONNECT). Scope
 *               (ABI >= 6): no connecting to abstract unix sockets made outside the sandbox, no
 *               signals to processes outside it. Landlock also refuses ptrace of processes outside
 *               the sandbox. What this kernel lacks is reported in confine_report.missing, and is
 *               a failure only for the bits the spec lists in `require`.
 * 11. seccomp   Last, so the filter need not allow any of the calls above; it only has to allow
 *               execve(2) and what the program does. A BPF program built by hand: a foreign
 *               architecture (e.g. int 0x80 on x86-64) or the x32 ABI kills the process; then the
 *               profile. DEFAULT refuses with EPERM the calls that attack the kernel or other
 *               processes (ptrace, process_vm_*, pidfd_getfd, bpf, perf_event_open, the mount API,
 *               keys, modules, kexec, reboot, swap, io_uring, userfaultfd, unshare, setns, clone
 *               with a namespace flag, clone3 with ENOSYS so that libc falls back to clone,
 *               iopl/ioperm, prctl(PR_SET_PDEATHSIG), personality other than PER_LINUX or the
 *               query, ioctl(TIOCSTI)) and allows the rest. COMPUTE is an allowlist: the exec, the
 *               dynamic loader and libc start, memory, time, signals, futexes, threads (clone with
 *               CLONE_THREAD only: no fork), I/O on descriptors it has; anything else is EPERM.
 *               With CONFINE_NET_NONE both profiles also refuse socket(2) of any family but
 *               AF_UNIX with EACCES (Landlock covers only TCP).
 *
 * What this does not cover:
 *  - cgroup v2: the join is the same write to cgroup.procs and works there, but on v2 the writer
 *    also needs write access to cgroup.procs of the common ancestor and the target must have no
 *    controllers in its own subtree_control. This machine has v1 only, so v2 is not tested here.
 *    On v2 the host should rather use clone3(CLONE_INTO_CGROUP): no migration at all.
 *  - RLIMIT_NPROC counts all processes of the real uid, not the plugin's: plugins sharing a uid
 *    share one budget, and the kernel never applies it to uid 0 (even with every capability
 *    dropped). It is useful only with one uid per plugin; pids.max of a cgroup is the per-plugin
 *    limit.
 *  - Landlock (ABI 7) does not cover UDP or other non-TCP sockets (hence the socket(2) rule above,
 *    only with a seccomp profile), connecting to pathname unix sockets, metadata (stat, chmod,
 *    chown, utimes, xattrs), or descriptors the plugin already holds (0-3). /proc and /sys are
 *    refused unless listed. Rules follow symlinks at apply time and apply to what they name.
 *  - The DEFAULT profile is a denylist: a system call newer than the kernel headers this was built
 *    with is allowed. execve stays allowed in both profiles (the exec itself needs it); COMPUTE
 *    forbids fork, so a later exec only replaces the plugin, and Landlock limits what it may run.
 *  - No namespaces are made here. A pid namespace (the host clones with CLONE_NEWPID) makes the
 *    plugin the init of its descendants, which all die with it; a network namespace would be the
 *    complete answer for networking.
 *  - Until the exec the child shares the spawner's memory: its memory cgroup charge and RLIMIT_AS
 *    apply to the plugin's own memory from the exec on.
 *
 * Integration (outpost-spawner): the spec travels in the request; the child calls confine_apply()
 * last, just before execve() (after setpgid and sigprocmask: the COMPUTE profile refuses
 * setpgid), and on failure exits 127 with report.step (at most 23 characters: it fits
 * spawn_reply.step) and -report.error as the reply's step and errno. The plugin's executable must
 * lie beneath a READ path (Landlock checks execute on it), and with a uid its file must be readable
 * and executable by that uid.
 *
 * Cost (bench/bench_confine.c: /bin/true spawned as the spawner does, 2-vCPU VM, pinned to one
 * CPU, p50 of confine_apply() alone): capabilities and no_new_privs about 30 us, the uid change
 * about 5, rlimits and oom_score_adj about 10, Landlock with 7 paths about 30, the seccomp filter
 * about 130-150 (the kernel converts and JIT-compiles it, and runs it once per call number to
 * cache the constant answers: hence a binary search rather than a row of compares), two v1 cgroup
 * joins about 20; all of it about 220 us. The whole start of /bin/true (clone to reaped) goes
 * from about 555 us to about 870 us p50: the program also runs and exits under the filter.
 *
 * Thread safety: confine_apply() changes only the calling task; call it from a single-threaded
 * child (the spawner's) or a vfork child. The spec builders are plain memory functions.
 */
#ifndef CONFINE_H
#define CONFINE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CONFINE_API __attribute__((visibility("default")))
#else
#define CONFINE_API
#endif

/* Version of this header; confine_version() gives the linked code's. */
#define CONFINE_VERSION_MAJOR 0
#define CONFINE_VERSION_MINOR 1
#define CONFINE_VERSION_HEX ((CONFINE_VERSION_MAJOR << 8) | CONFINE_VERSION_MINOR)

/* First field of every spec ("CNF1" in native byte order): a spec without it is refused. */
#define CONFINE_SPEC_MAGIC 0x31464e43u

/* Bounds of a spec: entries in paths[], and bytes of the string pool that holds them. */
#define CONFINE_MAX_PATHS 48
#define CONFINE_STRINGS 4096
/* Length of confine_report.step, NUL included; step names are at most 23 characters. */
#define CONFINE_STEP_SIZE 24

/* Kinds of confine_path. */
enum confine_path_kind {
    CONFINE_PATH_READ = 1,   /* Landlock: read and execute beneath this path */
    CONFINE_PATH_WRITE = 2,  /* Landlock: read, write, create, remove, rename, truncate beneath */
    CONFINE_PATH_CGROUP = 3, /* a cgroup.procs or v1 tasks file to join */
    CONFINE_PATH_CWD = 4     /* the working directory (at most one) */
};

/* confine_path.flags */
#define CONFINE_PATH_OPTIONAL 0x1u /* READ/WRITE only: a path that does not exist is skipped */

/* Seccomp profiles (confine_spec.seccomp). */
enum confine_seccomp {
    CONFINE_SECCOMP_NONE = 0,
    CONFINE_SECCOMP_DEFAULT = 1, /* denylist of kernel- and process-attacking calls */
    CONFINE_SECCOMP_COMPUTE = 2  /* allowlist for a plugin that only computes and talks on fds */
};

/* Network policy (confine_spec.net): Landlock TCP rules, and socket(2) under a seccomp profile. */
enum confine_net {
    CONFINE_NET_NONE = 0,    /* no TCP bind or connect; no non-unix sockets under seccomp */
    CONFINE_NET_CONNECT = 1, /* TCP connect allowed, bind refused */
    CONFINE_NET_ANY = 2      /* no network rules */
};

/* Resource limits (indexes of confine_spec.limit; CONFINE_LIMIT_BIT(i) in confine_spec.limits). */
enum confine_limit {
    CONFINE_LIMIT_AS = 0,     /* RLIMIT_AS, bytes of address space */
    CONFINE_LIMIT_DATA = 1,   /* RLIMIT_DATA, bytes of data segments (incl. private mappings) */
    CONFINE_LIMIT_NPROC = 2,  /* RLIMIT_NPROC: per real uid, not per plugin; ignored for uid 0 */
    CONFINE_LIMIT_NOFILE = 3, /* RLIMIT_NOFILE, one more than the highest descriptor */
    CONFINE_LIMIT_FSIZE = 4,  /* RLIMIT_FSIZE, bytes per file written */
    CONFINE_LIMIT_CORE = 5,   /* RLIMIT_CORE, bytes of core file (0: none) */
    CONFINE_LIMIT_COUNT = 6
};
#define CONFINE_LIMIT_BIT(l) (1u << (l))
#define CONFINE_LIMIT_INFINITY UINT64_MAX

/* confine_spec.flags */
#define CONFINE_LANDLOCK_FS 0x1u    /* enforce the READ/WRITE paths (none listed: no file access) */
#define CONFINE_LANDLOCK_SCOPE 0x2u /* scope abstract unix sockets and signals (ABI >= 6) */
#define CONFINE_OOM_SCORE_ADJ 0x4u  /* write oom_score_adj */

/* Protections this kernel or caller could not give (confine_report.missing, confine_spec.require). */
#define CONFINE_MISSING_LANDLOCK 0x01u          /* no Landlock at all */
#define CONFINE_MISSING_LANDLOCK_TRUNCATE 0x02u /* ABI < 3: truncate(2) is not restricted */
#define CONFINE_MISSING_LANDLOCK_NET 0x04u      /* ABI < 4: TCP is not restricted */
#define CONFINE_MISSING_LANDLOCK_IOCTL 0x08u    /* ABI < 5: ioctl on devices is not restricted */
#define CONFINE_MISSING_LANDLOCK_SCOPE 0x10u    /* ABI < 6: abstract sockets, signals not scoped */
#define CONFINE_MISSING_BOUNDING 0x20u          /* no CAP_SETPCAP: bounding set, securebits kept */
#define CONFINE_MISSING_ALL 0x3fu

/* Steps done (confine_report.done), in the order they are taken. */
#define CONFINE_DONE_CGROUPS 0x001u
#define CONFINE_DONE_OOM 0x002u
#define CONFINE_DONE_RLIMITS 0x004u
#define CONFINE_DONE_CWD 0x008u
#define CONFINE_DONE_BOUNDING 0x010u
#define CONFINE_DONE_IDS 0x020u
#define CONFINE_DONE_CAPS 0x040u
#define CONFINE_DONE_PDEATHSIG 0x080u
#define CONFINE_DONE_NNP 0x100u
#define CONFINE_DONE_LANDLOCK 0x200u
#define CONFINE_DONE_SECCOMP 0x400u

/* One entry of confine_spec.paths: a NUL-terminated absolute path in confine_spec.strings. */
struct confine_path {
    uint16_t offset; /* of the path's first byte in strings[] */
    uint8_t kind;    /* enum confine_path_kind */
    uint8_t flags;   /* CONFINE_PATH_* */
};

/*
 * What to confine a plugin to. Fixed layout, integers in native byte order (both ends run on one
 * machine), no pointers: the host can build it byte by byte. 4384 bytes:
 *
 *     offset size
 *        0    4  magic          CONFINE_SPEC_MAGIC
 *        4    4  size           sizeof(struct confine_spec), 4384
 *        8    4  uid            0: keep (a uid needs a gid)
 *       12    4  gid            0: keep
 *       16    4  flags          CONFINE_LANDLOCK_FS | CONFINE_LANDLOCK_SCOPE | CONFINE_OOM_SCORE_ADJ
 *       20    4  require        CONFINE_MISSING_* bits whose absence is a failure
 *       24    4  seccomp        enum confine_seccomp
 *       28    4  net            enum confine_net
 *       32    4  limits         CONFINE_LIMIT_BIT()s of the limits to set
 *       36    4  oom_score_adj  -1000..1000, with CONFINE_OOM_SCORE_ADJ
 *       40    4  npaths         entries used in paths[]
 *       44    4  strings_used   bytes used in strings[] (the builders append there)
 *       48   48  limit[6]       uint64_t, by enum confine_limit (soft = hard = this)
 *       96  192  paths[48]      struct confine_path, 4 bytes each
 *      288 4096  strings[]      NUL-terminated paths
 */
struct confine_spec {
    uint32_t magic;
    uint32_t size;
    uint32_t uid;
    uint32_t gid;
    uint32_t flags;
    uint32_t require;
    uint32_t seccomp;
    uint32_t net;
    uint32_t limits;
    int32_t oom_score_adj;
    uint32_t npaths;
    uint32_t strings_used;
    uint64_t limit[CONFINE_LIMIT_COUNT];
    struct confine_path paths[CONFINE_MAX_PATHS];
    char strings[CONFINE_STRINGS];
};

/* What confine_apply() did; filled on success and on failure. */
struct confine_report {
    int32_t error;         /* 0, or the negative errno of the failed step */
    int32_t path;          /* index in spec.paths of the path the failed step was at, or -1 */
    uint32_t landlock_abi; /* the kernel's Landlock ABI, 0 if none (probed only if Landlock asked) */
    uint32_t missing;      /* CONFINE_MISSING_* protections asked for but not given */
    uint32_t done;         /* CONFINE_DONE_* steps completed */
    uint32_t skipped;      /* optional paths skipped because they do not exist */
    char step[CONFINE_STEP_SIZE]; /* the failed step ("spec", "cgroup write", ...); "" on success */
};

/*
 * Fills spec with the strict defaults: uid and gid kept, Landlock on with no paths and scoping,
 * seccomp DEFAULT, network NONE, RLIMIT_CORE 0, no oom_score_adj, nothing required.
 * spec: the caller's; may not be NULL.
 */
CONFINE_API void confine_spec_init(struct confine_spec *spec);

/*
 * Sets the uid and gid the plugin runs as (0: keep). A non-zero uid needs a non-zero gid.
 * Returns 0, or -EINVAL for a uid without a gid or for (uint32_t)-1 (which means "unchanged" to
 * the kernel).
 */
CONFINE_API int confine_spec_set_ids(struct confine_spec *spec, uint32_t uid, uint32_t gid);

/*
 * Appends a path of a kind (enum confine_path_kind) with flags (CONFINE_PATH_*); the string is
 * copied into spec. Returns the new entry's index (>= 0), or -EINVAL (unknown kind or flag, a
 * relative path, a second CWD), -ENOSPC (paths[] full) or -ENAMETOOLONG (strings[] full).
 */
CONFINE_API int confine_spec_add_path(struct confine_spec *spec, unsigned kind, unsigned flags,
                                      const char *path);

/*
 * Sets a resource limit (soft and hard) to value (CONFINE_LIMIT_INFINITY for none).
 * Returns 0, or -EINVAL for an unknown limit.
 */
CONFINE_API int confine_spec_set_limit(struct confine_spec *spec, unsigned limit, uint64_t value);

/*
 * Confines the calling process as spec says, in the order described at the top of this file.
 * System calls only: safe in a vfork or CLONE_VM child. Keeps descriptors as they are (the caller
 * has closed what the plugin must not have). On failure it stops at the failed step: what came
 * before stays applied, so the caller must not execute the plugin but exit.
 * spec: read only, not kept. report: filled in (may be NULL).
 * Returns 0, or a negative errno: -EINVAL for a malformed spec (step "spec"), -EOPNOTSUPP when a
 * protection in spec.require is missing (step "required"), else the failed call's error.
 */
CONFINE_API int confine_apply(const struct confine_spec *spec, struct confine_report *report);

/* The kernel's Landlock ABI version (>= 1), or 0 if Landlock is not available. */
CONFINE_API int confine_landlock_abi(void);

/*
 * The name of one CONFINE_MISSING_* bit ("landlock-net", ...), or NULL for any other value.
 * Static storage.
 */
CONFINE_API const char *confine_missing_name(uint32_t bit);

/*
 * Builds the seccomp BPF program of a profile and network policy into out (max instructions,
 * struct sock_filter of <linux/filter.h>, 8 bytes each), as confine_apply() would. For tools and
 * tests. Returns the number of instructions, 0 for CONFINE_SECCOMP_NONE, -EINVAL for an unknown
 * profile, or -ENOSPC if max is too small (CONFINE_BPF_MAX always suffices).
 */
#define CONFINE_BPF_MAX 256
CONFINE_API int confine_seccomp_program(unsigned profile, unsigned net, void *out, int max);

/* The linked code's CONFINE_VERSION_HEX. */
CONFINE_API unsigned confine_version(void);

#ifdef __cplusplus
}
#endif

#endif /* CONFINE_H */
