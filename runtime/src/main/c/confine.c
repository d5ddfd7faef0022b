/*
 * confine.c - the spec, and confine_apply() with its steps in their order (see confine.h for the
 * design). Landlock is in confine_landlock.c, the seccomp program in confine_seccomp.c.
 * Everything on the confine_apply() path is a system call through syscall(2) or arithmetic on
 * the stack: no allocation, no stdio, no locks.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "confine_internal.h"

_Static_assert(sizeof(struct confine_path) == 4, "confine_path layout");
_Static_assert(offsetof(struct confine_spec, limit) == 48, "confine_spec layout");
_Static_assert(offsetof(struct confine_spec, paths) == 96, "confine_spec layout");
_Static_assert(offsetof(struct confine_spec, strings) == 288, "confine_spec layout");
_Static_assert(sizeof(struct confine_spec) == 4384, "confine_spec layout");
_Static_assert(CONFINE_STRINGS <= 65536, "confine_path.offset is 16 bits");
_Static_assert(sizeof(struct confine_report) == 48, "confine_report layout");

/* ---- the report ------------------------------------------------------------------------------ */

/* Records a failed step in r (when not NULL) and returns error. */
int confine_failed(struct confine_report *r, const char *step, long error, int path)
{
    if (r != NULL) {
        int i = 0;
        for (; step[i] != '\0' && i < CONFINE_STEP_SIZE - 1; i++)
            r->step[i] = step[i];
        for (; i < CONFINE_STEP_SIZE; i++)
            r->step[i] = '\0';
        r->error = (int32_t)error;
        r->path = path;
    }
    return (int)error;
}

/* ---- the spec -------------------------------------------------------------------------------- */

/* 0 if spec can be applied as it is, else -EINVAL; *bad is the offending path's index or -1. */
static int check_spec(const struct confine_spec *spec, int *bad)
{
    *bad = -1;
    if (spec->magic != CONFINE_SPEC_MAGIC || spec->size != sizeof *spec || spec->npaths > CONFINE_MAX_PATHS
            || spec->strings_used > CONFINE_STRINGS || spec->seccomp > CONFINE_SECCOMP_COMPUTE
            || spec->net > CONFINE_NET_ANY || (spec->limits & ~((1u << CONFINE_LIMIT_COUNT) - 1)) != 0
            || (spec->flags & ~(CONFINE_LANDLOCK_FS | CONFINE_LANDLOCK_SCOPE | CONFINE_OOM_SCORE_ADJ)) != 0
            || (spec->require & ~CONFINE_MISSING_ALL) != 0 || spec->uid == UINT32_MAX || spec->gid == UINT32_MAX
            || (spec->uid != 0 && spec->gid == 0))
        return -EINVAL;
    if ((spec->flags & CONFINE_OOM_SCORE_ADJ) && (spec->oom_score_adj < -1000 || spec->oom_score_adj > 1000))
        return -EINVAL;
    int cwds = 0;
    for (unsigned i = 0; i < spec->npaths; i++) {
        const struct confine_path *p = &spec->paths[i];
        *bad = (int)i;
        if (p->kind < CONFINE_PATH_READ || p->kind > CONFINE_PATH_CWD || (p->flags & ~CONFINE_PATH_OPTIONAL) != 0
                || (p->flags != 0 && p->kind != CONFINE_PATH_READ && p->kind != CONFINE_PATH_WRITE)
                || p->offset >= CONFINE_STRINGS - 1 || spec->strings[p->offset] != '/')
            return -EINVAL;
        unsigned end = p->offset;
        while (end < CONFINE_STRINGS && spec->strings[end] != '\0')
            end++;
        if (end == CONFINE_STRINGS)
            return -EINVAL; /* not NUL-terminated inside the pool */
        if (p->kind == CONFINE_PATH_CWD && ++cwds > 1)
            return -EINVAL;
    }
    *bad = -1;
    return 0;
}

void confine_spec_init(struct confine_spec *spec)
{
    char *bytes = (char *)spec;
    for (size_t i = 0; i < sizeof *spec; i++)
        bytes[i] = 0;
    spec->magic = CONFINE_SPEC_MAGIC;
    spec->size = sizeof *spec;
    spec->flags = CONFINE_LANDLOCK_FS | CONFINE_LANDLOCK_SCOPE;
    spec->seccomp = CONFINE_SECCOMP_DEFAULT;
    spec->net = CONFINE_NET_NONE;
    spec->limits = CONFINE_LIMIT_BIT(CONFINE_LIMIT_CORE);
    spec->limit[CONFINE_LIMIT_CORE] = 0;
}

int confine_spec_set_ids(struct confine_spec *spec, uint32_t uid, uint32_t gid)
{
    if (uid == UINT32_MAX || gid == UINT32_MAX || (uid != 0 && gid == 0))
        return -EINVAL;
    spec->uid = uid;
    spec->gid = gid;
    return 0;
}

int confine_spec_add_path(struct confine_spec *spec, unsigned kind, unsigned flags, const char *path)
{
    if (kind < CONFINE_PATH_READ || kind > CONFINE_PATH_CWD || (flags & ~CONFINE_PATH_OPTIONAL) != 0
            || (flags != 0 && kind != CONFINE_PATH_READ && kind != CONFINE_PATH_WRITE) || path == NULL
            || path[0] != '/')
        return -EINVAL;
    for (unsigned i = 0; i < spec->npaths && kind == CONFINE_PATH_CWD; i++)
        if (spec->paths[i].kind == CONFINE_PATH_CWD)
            return -EINVAL;
    if (spec->npaths >= CONFINE_MAX_PATHS)
        return -ENOSPC;
    size_t len = 0;
    while (path[len] != '\0')
        len++;
    if (spec->strings_used > CONFINE_STRINGS || len + 1 > CONFINE_STRINGS - spec->strings_used)
        return -ENAMETOOLONG;
    for (size_t i = 0; i <= len; i++)
        spec->strings[spec->strings_used + i] = path[i];
    struct confine_path *p = &spec->paths[spec->npaths];
    p->offset = (uint16_t)spec->strings_used;
    p->kind = (uint8_t)kind;
    p->flags = (uint8_t)flags;
    spec->strings_used += (uint32_t)(len + 1);
    return (int)spec->npaths++;
}

int confine_spec_set_limit(struct confine_spec *spec, unsigned limit, uint64_t value)
{
    if (limit >= CONFINE_LIMIT_COUNT)
        return -EINVAL;
    spec->limit[limit] = value;
    spec->limits |= CONFINE_LIMIT_BIT(limit);
    return 0;
}

unsigned confine_version(void)
{
    return CONFINE_VERSION_HEX;
}

const char *confine_missing_name(uint32_t bit)
{
    switch (bit) {
    case CONFINE_MISSING_LANDLOCK: return "landlock";
    case CONFINE_MISSING_LANDLOCK_TRUNCATE: return "landlock-truncate";
    case CONFINE_MISSING_LANDLOCK_NET: return "landlock-net";
    case CONFINE_MISSING_LANDLOCK_IOCTL: return "landlock-ioctl-dev";
    case CONFINE_MISSING_LANDLOCK_SCOPE: return "landlock-scope";
    case CONFINE_MISSING_BOUNDING: return "capability-bounding-set";
    default: return NULL;
    }
}

/* ---- steps ----------------------------------------------------------------------------------- */

/* Writes all of buf (n bytes) to the file at path, opened for writing. */
static long write_file(const char *path, const char *buf, long n, const char **step)
{
    long fd = SYS4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        *step = "open";
        return fd;
    }
    long w = SYS3(SYS_write, fd, buf, n);
    SYS1(SYS_close, fd);
    *step = "write";
    if (w >= 0 && w != n)
        return -EIO;
    return w < 0 ? w : 0;
}

static int join_cgroups(const struct confine_spec *spec, struct confine_report *r)
{
    for (unsigned i = 0; i < spec->npaths; i++) {
        if (spec->paths[i].kind != CONFINE_PATH_CGROUP)
            continue;
        const char *step;
        /* "0" is the writer itself, on v1 and v2, whatever pid namespace it is in */
        long e = write_file(confine_path_of(spec, i), "0", 1, &step);
        if (e < 0)
            return confine_failed(r, step[0] == 'o' ? "cgroup open" : "cgroup write", e, (int)i);
    }
    return 0;
}

static int set_oom_score_adj(int32_t value, struct confine_report *r)
{
    char buf[12];
    int n = 0;
    uint32_t u = value < 0 ? (uint32_t)(-(int64_t)value) : (uint32_t)value;
    char digits[10];
    int d = 0;
    do {
        digits[d++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (value < 0)
        buf[n++] = '-';
    while (d > 0)
        buf[n++] = digits[--d];
    const char *step;
    long e = write_file("/proc/self/oom_score_adj", buf, n, &step);
    return e < 0 ? confine_failed(r, "oom_score_adj", e, -1) : 0;
}

struct rlimit64_raw {
    uint64_t cur;
    uint64_t max;
};

static int set_limits(const struct confine_spec *spec, struct confine_report *r)
{
    static const int resource[CONFINE_LIMIT_COUNT] = {RLIMIT_AS, RLIMIT_DATA, RLIMIT_NPROC, RLIMIT_NOFILE,
                                                      RLIMIT_FSIZE, RLIMIT_CORE};
    static const char *const step[CONFINE_LIMIT_COUNT] = {"rlimit as", "rlimit data", "rlimit nproc",
                                                          "rlimit nofile", "rlimit fsize", "rlimit core"};
    for (int l = 0; l < CONFINE_LIMIT_COUNT; l++) {
        if (!(spec->limits & CONFINE_LIMIT_BIT(l)))
            continue;
        struct rlimit64_raw lim = {spec->limit[l], spec->limit[l]};
        long e = SYS4(SYS_prlimit64, 0, resource[l], &lim, NULL);
        if (e < 0)
            return confine_failed(r, step[l], e, -1);
    }
    return 0;
}

/* Drops the bounding set, clears the ambient set and locks the securebits (needs CAP_SETPCAP). */
static int drop_bounding(struct confine_report *r)
{
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    long e = SYS2(SYS_capget, &head, data);
    if (e < 0)
        return confine_failed(r, "capget", e, -1);
    e = SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (e < 0 && e != -EINVAL) /* EINVAL: a kernel without ambient capabilities (< 4.3) */
        return confine_failed(r, "ambient", e, -1);
    if (!(data[0].effective & (1u << CAP_SETPCAP))) {
        r->missing |= CONFINE_MISSING_BOUNDING;
        return 0;
    }
    for (long cap = 0; cap < 64; cap++) { /* dropping one not in the set is a no-op */
        e = SYS2(SYS_prctl, PR_CAPBSET_DROP, cap);
        if (e == -EINVAL && cap > CAP_SETPCAP)
            break; /* past the last capability this kernel knows */
        if (e < 0)
            return confine_failed(r, "capbset drop", e, -1);
    }
    /* NO_SETUID_FIXUP: the uid change below keeps the capabilities it needs until capset */
    long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
                | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    e = SYS2(SYS_prctl, PR_SET_SECUREBITS, bits);
    if (e < 0)
        return confine_failed(r, "securebits", e, -1);
    r->done |= CONFINE_DONE_BOUNDING;
    return 0;
}

static int set_ids(const struct confine_spec *spec, struct confine_report *r)
{
    long e;
    if (spec->gid != 0) {
        if ((e = SYS2(SYS_setgroups, 0, NULL)) < 0)
            return confine_failed(r, "setgroups", e, -1);
        if ((e = SYS3(SYS_setresgid, spec->gid, spec->gid, spec->gid)) < 0)
            return confine_failed(r, "setresgid", e, -1);
    }
    if (spec->uid != 0 && (e = SYS3(SYS_setresuid, spec->uid, spec->uid, spec->uid)) < 0)
        return confine_failed(r, "setresuid", e, -1);
    if (spec->gid != 0 || spec->uid != 0)
        r->done |= CONFINE_DONE_IDS;
    return 0;
}

static int drop_caps(struct confine_report *r)
{
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[2] = {{0, 0, 0}, {0, 0, 0}};
    long e = SYS2(SYS_capset, &head, none);
    if (e < 0)
        return confine_failed(r, "capset", e, -1);
    r->done |= CONFINE_DONE_CAPS;
    return 0;
}

static int install_seccomp(const struct confine_spec *spec, struct confine_report *r)
{
    if (spec->seccomp == CONFINE_SECCOMP_NONE)
        return 0;
    struct sock_filter insn[CONFINE_BPF_MAX];
    int n = confine_seccomp_program(spec->seccomp, spec->net, insn, CONFINE_BPF_MAX);
    if (n < 0)
        return confine_failed(r, "seccomp program", n, -1);
    struct sock_fprog prog = {(unsigned short)n, insn};
    long e = SYS3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    if (e < 0)
        return confine_failed(r, "seccomp", e, -1);
    r->done |= CONFINE_DONE_SECCOMP;
    return 0;
}

/* ---- all of it ------------------------------------------------------------------------------- */

int confine_apply(const struct confine_spec *spec, struct confine_report *report)
{
    struct confine_report scratch;
    struct confine_report *r = report != NULL ? report : &scratch;
    char *bytes = (char *)r;
    for (size_t i = 0; i < sizeof *r; i++)
        bytes[i] = 0;
    r->path = -1;
    int bad;
    if (spec == NULL)
        return confine_failed(r, "spec", -EINVAL, -1);
    long e = check_spec(spec, &bad);
    if (e < 0)
        return confine_failed(r, "spec", e, bad);

    /* what the caller armed, and who the parent is: the uid change clears the former */
    int pdeath = 0;
    if ((e = SYS2(SYS_prctl, PR_GET_PDEATHSIG, &pdeath)) < 0)
        return confine_failed(r, "pdeathsig", e, -1);
    long ppid = SYS1(SYS_getppid, 0);

    if ((e = join_cgroups(spec, r)) < 0)
        return (int)e;
    r->done |= CONFINE_DONE_CGROUPS;
    if (spec->flags & CONFINE_OOM_SCORE_ADJ) {
        if ((e = set_oom_score_adj(spec->oom_score_adj, r)) < 0)
            return (int)e;
        r->done |= CONFINE_DONE_OOM;
    }
    if ((e = set_limits(spec, r)) < 0)
        return (int)e;
    r->done |= CONFINE_DONE_RLIMITS;
    for (unsigned i = 0; i < spec->npaths; i++) {
        if (spec->paths[i].kind == CONFINE_PATH_CWD) {
            if ((e = SYS1(SYS_chdir, confine_path_of(spec, i))) < 0)
                return confine_failed(r, "chdir", e, (int)i);
            r->done |= CONFINE_DONE_CWD;
        }
    }
    long ruleset = -1;
    if ((e = confine_landlock_build(spec, r, &ruleset)) < 0)
        return (int)e;
    /* from here on the ruleset descriptor is open and must be closed on every way out */
    if ((r->missing & spec->require) == 0)
        e = drop_bounding(r);
    if (e == 0 && (r->missing & spec->require) != 0)
        e = confine_failed(r, "required", -EOPNOTSUPP, -1); /* before any credential changes */
    if (e < 0 || (e = set_ids(spec, r)) < 0 || (e = drop_caps(r)) < 0)
        goto out;
    if (pdeath != 0) {
        if ((e = SYS2(SYS_prctl, PR_SET_PDEATHSIG, pdeath)) < 0) {
            e = confine_failed(r, "pdeathsig", e, -1);
            goto out;
        }
        r->done |= CONFINE_DONE_PDEATHSIG;
    }
    if (SYS1(SYS_getppid, 0) != ppid) {
        e = confine_failed(r, "getppid", -ESRCH, -1); /* the parent died: nobody waits for this plugin */
        goto out;
    }
    if ((e = SYS5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) < 0) {
        e = confine_failed(r, "no_new_privs", e, -1);
        goto out;
    }
    r->done |= CONFINE_DONE_NNP;
    if (ruleset >= 0) {
        if ((e = SYS2(__NR_landlock_restrict_self, ruleset, 0)) < 0) {
            e = confine_failed(r, "landlock restrict", e, -1);
            goto out;
        }
        r->done |= CONFINE_DONE_LANDLOCK;
    }
    e = install_seccomp(spec, r);
out:
    if (ruleset >= 0)
        SYS1(SYS_close, ruleset);
    return (int)e;
}
