/* test_limits.c - resource limits, oom_score_adj, and what /proc/PID/status says of a plugin. */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int try_limits(void *arg, struct outcome *o)
{
    const char *dir = arg;
    /* values: 0 mmap of 256 MiB, 1 first failing fd, 2 errno past FSIZE, 3 core soft, 4 core hard,
     * 5 raising NOFILE */
    void *p = mmap(NULL, 256u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    o->values[0] = p == MAP_FAILED ? errno : 0;
    int last = -1, opened[100], nopened = 0;
    for (int i = 0; i < 100; i++) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            o->err = errno;
            break;
        }
        opened[nopened++] = fd;
        last = fd;
    }
    o->values[1] = last + 1;
    for (int i = 0; i < nopened; i++)
        close(opened[i]);
    signal(SIGXFSZ, SIG_IGN);
    char path[600], block[4096];
    memset(block, 'x', sizeof block);
    snprintf(path, sizeof path, "%s/big", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    o->values[2] = -1;
    for (int i = 0; fd >= 0 && i < 64; i++) {
        if (write(fd, block, sizeof block) < 0) {
            o->values[2] = errno;
            break;
        }
    }
    if (fd >= 0)
        close(fd);
    struct rlimit r;
    getrlimit(RLIMIT_CORE, &r);
    o->values[3] = (long)r.rlim_cur;
    o->values[4] = (long)r.rlim_max;
    getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_max += 1;
    o->values[5] = setrlimit(RLIMIT_NOFILE, &r) == 0 ? 0 : errno;
    return 0;
}

static void rlimits(void)
{
    struct outcome o;
    struct confine_spec s;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/limits", tmp_root());
    CHECK_EQ(mkdir(dir, 0777), 0);
    spec_bare(&s);
    s.limits = CONFINE_LIMIT_BIT(CONFINE_LIMIT_CORE); /* what confine_spec_init sets: 0 */
    confine_spec_set_limit(&s, CONFINE_LIMIT_AS, 128u << 20);
    confine_spec_set_limit(&s, CONFINE_LIMIT_NOFILE, 16);
    confine_spec_set_limit(&s, CONFINE_LIMIT_FSIZE, 64 * 1024);
    CHECK_EQ(run_child(&s, try_limits, dir, &o), 0);
    CHECK_EQ(o.values[0], ENOMEM); /* RLIMIT_AS */
    CHECK_EQ(o.values[1], 16);     /* RLIMIT_NOFILE: fds 0..15 */
    CHECK_EQ(o.err, EMFILE);
    CHECK_EQ(o.values[2], EFBIG); /* RLIMIT_FSIZE, SIGXFSZ ignored */
    CHECK_EQ(o.values[3], 0);     /* RLIMIT_CORE 0, soft and hard */
    CHECK_EQ(o.values[4], 0);
    CHECK_EQ(o.values[5], EPERM); /* no CAP_SYS_RESOURCE left to raise a hard limit */
    spec_bare(&s);
    confine_spec_set_limit(&s, CONFINE_LIMIT_DATA, 64u << 20);
    CHECK_EQ(run_child(&s, try_limits, dir, &o), 0);
    CHECK_EQ(o.values[0], ENOMEM); /* RLIMIT_DATA covers private writable mappings */
}

/* Forks up to values[0] children that wait; values[1] = how many forks worked, err = the first
 * failure's errno. Kills and reaps them (they die with it too). */
static int fork_some(void *arg, struct outcome *o)
{
    long want = (long)arg;
    fork_up_to(want, o);
    return 0;
}

/* How many processes of uid exist (from /proc). */
static int count_uid(uid_t uid)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[300], text[4096], v[128];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        if (read_text(path, text, sizeof text) > 0 && field(text, "Uid:", v, sizeof v) != NULL
                && (uid_t)atol(v) == uid)
            n++;
    }
    closedir(d);
    return n;
}

static void nproc(void)
{
    struct outcome o;
    struct confine_spec s;
    /* uid 0: the kernel never applies RLIMIT_NPROC to the root user, capabilities or not */
    spec_bare(&s);
    confine_spec_set_limit(&s, CONFINE_LIMIT_NPROC, 1);
    CHECK_EQ(run_child(&s, fork_some, (void *)3L, &o), 0);
    CHECK_EQ(o.values[1], 3);
    NOTE("uid 0 without capabilities, RLIMIT_NPROC 1: 3 forks of 3 worked");
    /* another uid: the budget is the uid's, shared by every plugin of that uid */
    const uid_t uid = 64999;
    CHECK_EQ(count_uid(uid), 0);
    spec_bare(&s);
    confine_spec_set_ids(&s, uid, uid);
    confine_spec_set_limit(&s, CONFINE_LIMIT_NPROC, 4);
    struct child first;
    CHECK_EQ(child_start(&first, &s, fork_some, (void *)0L), 0); /* one plugin of the uid, waiting */
    CHECK_EQ(child_ready(&first, CHILD_MS), 0);
    struct child second; /* and another */
    struct confine_spec s2 = s;
    CHECK_EQ(child_start(&second, &s2, fork_some, (void *)0L), 0);
    CHECK_EQ(child_ready(&second, CHILD_MS), 0);
    CHECK_EQ(run_child(&s, fork_some, (void *)10L, &o), 0); /* a third: then 3 processes of the uid */
    child_finish(&first, CHILD_MS, NULL);
    child_finish(&second, CHILD_MS, NULL);
    CHECK_EQ(o.err, EAGAIN);
    CHECK_EQ(o.values[1], 1); /* the 4th process of the uid is its only child */
    NOTE("uid %u, RLIMIT_NPROC 4: with two other plugins of the uid alive, a third got 1 fork", (unsigned)uid);
}

static int read_oom(void *arg, struct outcome *o)
{
    (void)arg;
    read_text("/proc/self/oom_score_adj", o->text, sizeof o->text);
    return 0;
}

/* Whether the runner has a capability in its effective set. */
static int runner_has(int cap)
{
    char text[4096], v[64];
    if (read_text("/proc/self/status", text, sizeof text) < 0 || field(text, "CapEff:", v, sizeof v) == NULL)
        return 0;
    return (strtoull(v, NULL, 16) >> cap) & 1;
}

static void oom_score(void)
{
    struct outcome o;
    struct confine_spec s;
    spec_bare(&s);
    s.flags = CONFINE_OOM_SCORE_ADJ;
    s.oom_score_adj = 1000;
    CHECK_EQ(run_child(&s, read_oom, NULL, &o), 0);
    CHECK(strcmp(o.text, "1000\n") == 0);
    /* lowering it below what the caller has needs CAP_SYS_RESOURCE (24) */
    s.oom_score_adj = -17;
    int status = run_child(&s, read_oom, NULL, &o);
    if (runner_has(24)) {
        CHECK_EQ(status, 0);
        CHECK(strcmp(o.text, "-17\n") == 0);
    } else {
        NOTE("this runner lacks CAP_SYS_RESOURCE: lowering oom_score_adj is refused");
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 100);
        CHECK_EQ(o.report.error, -EACCES);
        CHECK(strcmp(o.report.step, "oom_score_adj") == 0);
    }
}

static void status(void)
{
    struct confine_spec s;
    confine_spec_init(&s); /* everything on, and Landlock: the child cannot read /proc itself */
    confine_spec_set_ids(&s, 65534, 65534);
    spec_add_system(&s);
    struct child c;
    CHECK_EQ(child_start(&c, &s, read_oom, NULL), 0);
    CHECK_EQ(child_ready(&c, CHILD_MS), 0);
    char path[64], text[4096], v[128];
    snprintf(path, sizeof path, "/proc/%d/status", (int)c.pid);
    long n = read_text(path, text, sizeof text);
    struct outcome o;
    child_finish(&c, CHILD_MS, &o);
    CHECK(n > 0);
    CHECK_EQ(o.applied, 1);
    CHECK(o.text[0] == '\0'); /* its own /proc/self was refused by Landlock */
    static const char *const zero[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
    for (int i = 0; i < 5; i++) {
        CHECK(field(text, zero[i], v, sizeof v) != NULL);
        CHECK(strcmp(v, "0000000000000000") == 0);
    }
    CHECK(strcmp(field(text, "NoNewPrivs:", v, sizeof v), "1") == 0);
    CHECK(strcmp(field(text, "Seccomp:", v, sizeof v), "2") == 0);
    CHECK(strcmp(field(text, "Seccomp_filters:", v, sizeof v), "1") == 0);
    CHECK(strcmp(field(text, "Uid:", v, sizeof v), "65534\t65534\t65534\t65534") == 0);
    CHECK(strcmp(field(text, "Gid:", v, sizeof v), "65534\t65534\t65534\t65534") == 0);
    CHECK(strcmp(field(text, "Groups:", v, sizeof v), "") == 0);
}

const struct test limits_tests[] = {
    {"limits_rlimits", rlimits},
    {"limits_nproc_is_per_uid", nproc},
    {"limits_oom_score_adj", oom_score},
    {"limits_status_caps_nnp_seccomp", status},
    {NULL, NULL},
};
