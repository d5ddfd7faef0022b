/* test_spec.c - the spec's builders, refusal of a malformed spec, and how failures are reported. */
#define _GNU_SOURCE
#include "harness.h"

#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void layout(void)
{
    /* the host writes this struct byte by byte: its offsets are part of the protocol */
    CHECK_EQ(sizeof(struct confine_spec), 4384);
    CHECK_EQ(offsetof(struct confine_spec, uid), 8);
    CHECK_EQ(offsetof(struct confine_spec, flags), 16);
    CHECK_EQ(offsetof(struct confine_spec, seccomp), 24);
    CHECK_EQ(offsetof(struct confine_spec, oom_score_adj), 36);
    CHECK_EQ(offsetof(struct confine_spec, limit), 48);
    CHECK_EQ(offsetof(struct confine_spec, paths), 96);
    CHECK_EQ(offsetof(struct confine_spec, strings), 288);
    CHECK_EQ(sizeof(struct confine_report), 48);
    CHECK_EQ(offsetof(struct confine_report, step), 24);
    CHECK_EQ(confine_version(), CONFINE_VERSION_HEX);
}

static void builders(void)
{
    struct confine_spec s;
    confine_spec_init(&s);
    CHECK_EQ(s.magic, CONFINE_SPEC_MAGIC);
    CHECK_EQ(s.seccomp, CONFINE_SECCOMP_DEFAULT);
    CHECK_EQ(s.net, CONFINE_NET_NONE);
    CHECK_EQ(s.limits, CONFINE_LIMIT_BIT(CONFINE_LIMIT_CORE));
    CHECK_EQ(s.limit[CONFINE_LIMIT_CORE], 0);
    CHECK_EQ(confine_spec_set_ids(&s, 65534, 0), -EINVAL); /* a uid without a gid keeps group root */
    CHECK_EQ(confine_spec_set_ids(&s, UINT32_MAX, 5), -EINVAL);
    CHECK_EQ(confine_spec_set_ids(&s, 65534, 65534), 0);
    CHECK_EQ(confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "relative"), -EINVAL);
    CHECK_EQ(confine_spec_add_path(&s, 9, 0, "/x"), -EINVAL);
    CHECK_EQ(confine_spec_add_path(&s, CONFINE_PATH_CGROUP, CONFINE_PATH_OPTIONAL, "/x"), -EINVAL);
    CHECK_EQ(confine_spec_add_path(&s, CONFINE_PATH_CWD, 0, "/tmp"), 0);
    CHECK_EQ(confine_spec_add_path(&s, CONFINE_PATH_CWD, 0, "/var"), -EINVAL);
    CHECK_EQ(confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "/usr"), 1);
    CHECK(strcmp(s.strings + s.paths[1].offset, "/usr") == 0);
    CHECK_EQ(confine_spec_set_limit(&s, CONFINE_LIMIT_COUNT, 1), -EINVAL);
    CHECK_EQ(confine_spec_set_limit(&s, CONFINE_LIMIT_NOFILE, 64), 0);
    char big[1200];
    memset(big, 'a', sizeof big - 1);
    big[0] = '/';
    big[sizeof big - 1] = '\0';
    int i = 0, e;
    while ((e = confine_spec_add_path(&s, CONFINE_PATH_READ, 0, big)) >= 0)
        i++;
    CHECK_EQ(e, -ENAMETOOLONG);
    CHECK_EQ(i, 3);
    while ((e = confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "/")) >= 0)
        ;
    CHECK_EQ(e, -ENOSPC);
    CHECK_EQ(s.npaths, CONFINE_MAX_PATHS);
    CHECK_EQ(confine_missing_name(CONFINE_MISSING_LANDLOCK_NET) != NULL, 1);
    CHECK(confine_missing_name(0x3) == NULL);
}

static int nothing(void *arg, struct outcome *o)
{
    (void)arg;
    (void)o;
    return 0;
}

/* Applies spec in a child; returns confine_apply()'s error (0 if it applied), report in o. */
static int apply_in_child(const struct confine_spec *spec, struct outcome *o)
{
    int status = run_child(spec, nothing, NULL, o);
    if (status < 0 || !WIFEXITED(status))
        return 1;
    return o->applied ? 0 : o->report.error;
}

static void refused(void)
{
    struct outcome o;
    struct confine_spec good, s;
    spec_bare(&good);
    CHECK_EQ(confine_spec_add_path(&good, CONFINE_PATH_READ, 0, "/usr"), 0);
    CHECK_EQ(apply_in_child(&good, &o), 0);

    s = good;
    s.magic = 0;
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
    CHECK(strcmp(o.report.step, "spec") == 0);
    CHECK_EQ(o.report.done, 0); /* nothing was changed */
    s = good;
    s.size = 4;
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
    s = good;
    s.seccomp = 3;
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
    s = good;
    s.uid = 1000; /* without a gid */
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
    s = good;
    s.paths[0].offset = CONFINE_STRINGS - 1;
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
    CHECK_EQ(o.report.path, 0);
    s = good;
    memset(s.strings, 'x', sizeof s.strings); /* no NUL in the pool */
    s.strings[0] = '/';
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
    CHECK_EQ(o.report.path, 0);
    s = good;
    s.flags = CONFINE_OOM_SCORE_ADJ;
    s.oom_score_adj = 1001;
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
    s = good;
    s.npaths = CONFINE_MAX_PATHS + 1;
    CHECK_EQ(apply_in_child(&s, &o), -EINVAL);
}

static void failures_named(void)
{
    struct outcome o;
    struct confine_spec s;

    spec_bare(&s);
    s.flags = CONFINE_LANDLOCK_FS;
    confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "/usr");
    confine_spec_add_path(&s, CONFINE_PATH_READ, CONFINE_PATH_OPTIONAL, "/nonexistent/optional");
    confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "/nonexistent/required");
    CHECK_EQ(apply_in_child(&s, &o), -ENOENT);
    CHECK(strcmp(o.report.step, "landlock path") == 0);
    CHECK_EQ(o.report.path, 2);
    CHECK_EQ(o.report.skipped, 1);
    CHECK_EQ(o.report.done & CONFINE_DONE_IDS, 0); /* it stopped before the credentials */

    spec_bare(&s);
    s.flags = CONFINE_LANDLOCK_FS;
    confine_spec_add_path(&s, CONFINE_PATH_READ, CONFINE_PATH_OPTIONAL, "/nonexistent/optional");
    CHECK_EQ(apply_in_child(&s, &o), 0);
    CHECK_EQ(o.report.skipped, 1);
    CHECK(o.report.step[0] == '\0');
    CHECK_EQ(o.report.error, 0);

    spec_bare(&s);
    confine_spec_add_path(&s, CONFINE_PATH_CGROUP, 0, "/sys/fs/cgroup/pids/no-such-cgroup/cgroup.procs");
    CHECK_EQ(apply_in_child(&s, &o), -ENOENT);
    CHECK(strcmp(o.report.step, "cgroup open") == 0);
    CHECK_EQ(o.report.path, 0);

    spec_bare(&s);
    confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "/usr");
    confine_spec_add_path(&s, CONFINE_PATH_CWD, 0, "/nonexistent");
    CHECK_EQ(apply_in_child(&s, &o), -ENOENT);
    CHECK(strcmp(o.report.step, "chdir") == 0);
    CHECK_EQ(o.report.path, 1);
    CHECK_EQ(o.report.done, CONFINE_DONE_CGROUPS | CONFINE_DONE_RLIMITS);

    spec_bare(&s);
    s.flags = CONFINE_OOM_SCORE_ADJ;
    s.oom_score_adj = 1000; /* raising needs no privilege */
    s.uid = 65534;
    s.gid = 65534;
    confine_spec_set_limit(&s, CONFINE_LIMIT_NOFILE, 1ull << 40); /* above the kernel's nr_open */
    CHECK_EQ(apply_in_child(&s, &o), -EPERM);
    CHECK(strcmp(o.report.step, "rlimit nofile") == 0);
    CHECK_EQ(o.report.done, CONFINE_DONE_CGROUPS | CONFINE_DONE_OOM);
}

static void required(void)
{
    struct outcome o;
    struct confine_spec s;
    int abi = confine_landlock_abi();
    NOTE("Landlock ABI %d", abi);
    CHECK(abi >= 1);
    spec_bare(&s);
    s.flags = CONFINE_LANDLOCK_FS | CONFINE_LANDLOCK_SCOPE;
    s.net = CONFINE_NET_NONE;
    s.require = CONFINE_MISSING_ALL;
    CHECK_EQ(apply_in_child(&s, &o), 0); /* this kernel has every protection */
    CHECK_EQ(o.report.missing, 0);
    CHECK_EQ(o.report.landlock_abi, abi);
    CHECK_EQ(o.report.done & CONFINE_DONE_LANDLOCK, CONFINE_DONE_LANDLOCK);
}

const struct test spec_tests[] = {
    {"spec_layout", layout},
    {"spec_builders", builders},
    {"spec_malformed_refused_before_any_change", refused},
    {"spec_failures_name_step_and_path", failures_named},
    {"spec_required_protections", required},
    {NULL, NULL},
};
