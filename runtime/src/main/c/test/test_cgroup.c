/*
 * test_cgroup.c - joining cgroups (v1 here: memory and pids), and their limits holding. The test
 * cgroups are made beneath the runner's own cgroup of each controller and removed afterwards.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The runner's cgroup directory of a v1 controller, e.g. /sys/fs/cgroup/memory/process_api/ID. */
static int own_cgroup(const char *controller, char *dir, size_t size)
{
    char text[4096];
    if (read_text("/proc/self/cgroup", text, sizeof text) < 0)
        return -1;
    char *save_line, *save_name;
    for (char *line = strtok_r(text, "\n", &save_line); line != NULL; line = strtok_r(NULL, "\n", &save_line)) {
        char *names = strchr(line, ':');
        char *path = names ? strchr(names + 1, ':') : NULL;
        if (path == NULL)
            continue;
        *path++ = '\0';
        names++;
        for (char *n = strtok_r(names, ",", &save_name); n != NULL; n = strtok_r(NULL, ",", &save_name)) {
            if (strcmp(n, controller) == 0) {
                snprintf(dir, size, "/sys/fs/cgroup/%s%s", controller, strcmp(path, "/") == 0 ? "" : path);
                return 0;
            }
        }
    }
    return -1;
}

/* Makes a test cgroup of a controller beneath the runner's; dir gets its path. */
static int make_cgroup(const char *controller, const char *name, char *dir, size_t size)
{
    char own[512];
    if (own_cgroup(controller, own, sizeof own) != 0)
        return -ENOENT;
    snprintf(dir, size, "%s/confine-test-%d-%s", own, (int)getpid(), name);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* Removes a test cgroup, waiting (deadline) for its last processes to be gone. */
static int remove_cgroup(const char *dir)
{
    int64_t deadline = now_ms() + 5000;
    while (rmdir(dir) != 0) {
        if (errno == ENOENT)
            return 0;
        if (errno != EBUSY || now_ms() > deadline) {
            fprintf(stderr, "  rmdir %s: %s\n", dir, strerror(errno));
            return -1;
        }
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL);
    }
    return 0;
}

static int cgroup_file(const char *dir, const char *file, char *path, size_t size)
{
    return snprintf(path, size, "%s/%s", dir, file) >= (int)size ? -1 : 0;
}

static long cgroup_value(const char *dir, const char *file, const char *key)
{
    char path[700], text[4096], v[64];
    cgroup_file(dir, file, path, sizeof path);
    if (read_text(path, text, sizeof text) < 0)
        return -1;
    if (key == NULL)
        return atol(text);
    return field(text, key, v, sizeof v) != NULL ? atol(v) : -1;
}

static int read_cgroups(void *arg, struct outcome *o)
{
    (void)arg;
    read_text("/proc/self/cgroup", o->text, sizeof o->text);
    return 0;
}

static int contains_pid(const char *dir, pid_t pid)
{
    char path[700], text[8192], want[32];
    cgroup_file(dir, "cgroup.procs", path, sizeof path);
    if (read_text(path, text, sizeof text) < 0)
        return 0;
    snprintf(want, sizeof want, "%d", (int)pid);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
        if (strcmp(line, want) == 0)
            return 1;
    return 0;
}

static void join(void)
{
    char mem[600], pids[600], path[700];
    if (make_cgroup("memory", "join", mem, sizeof mem) != 0 || make_cgroup("pids", "join", pids, sizeof pids) != 0)
        SKIP("no v1 memory and pids hierarchies here");
    struct confine_spec s;
    confine_spec_init(&s); /* everything on: the join comes first, as root */
    confine_spec_set_ids(&s, 65534, 65534);
    confine_spec_add_path(&s, CONFINE_PATH_READ, 0, "/proc");
    cgroup_file(mem, "cgroup.procs", path, sizeof path);
    confine_spec_add_path(&s, CONFINE_PATH_CGROUP, 0, path);
    cgroup_file(pids, "tasks", path, sizeof path); /* the v1 tasks file works too */
    confine_spec_add_path(&s, CONFINE_PATH_CGROUP, 0, path);
    struct child c;
    struct outcome o;
    CHECK_EQ(child_start(&c, &s, read_cgroups, NULL), 0);
    int ready = child_ready(&c, CHILD_MS);
    int in_mem = contains_pid(mem, c.pid), in_pids = contains_pid(pids, c.pid);
    child_finish(&c, CHILD_MS, &o);
    CHECK_EQ(ready, 0);
    CHECK_EQ(o.applied, 1);
    CHECK_EQ(in_mem, 1);
    CHECK_EQ(in_pids, 1);
    char want[700];
    snprintf(want, sizeof want, ":memory:%s\n", mem + strlen("/sys/fs/cgroup/memory"));
    CHECK(strstr(o.text, want) != NULL);
    snprintf(want, sizeof want, ":pids:%s\n", pids + strlen("/sys/fs/cgroup/pids"));
    CHECK(strstr(o.text, want) != NULL);
    CHECK_EQ(remove_cgroup(mem), 0);
    CHECK_EQ(remove_cgroup(pids), 0);
}

/* Forks until a fork fails (at most 64), then kills and reaps them all. values[1]: forks made. */
static int fork_bomb(void *arg, struct outcome *o)
{
    (void)arg;
    fork_up_to(64, o);
    return 0;
}

static void pids_max(void)
{
    char dir[600], path[700];
    if (make_cgroup("pids", "bomb", dir, sizeof dir) != 0)
        SKIP("no v1 pids hierarchy here");
    cgroup_file(dir, "pids.max", path, sizeof path);
    CHECK_EQ(write_text(path, "8"), 0);
    struct confine_spec s;
    confine_spec_init(&s);
    confine_spec_set_ids(&s, 65534, 65534);
    cgroup_file(dir, "cgroup.procs", path, sizeof path);
    confine_spec_add_path(&s, CONFINE_PATH_CGROUP, 0, path);
    struct outcome o;
    int status = run_child(&s, fork_bomb, NULL, &o);
    long events = cgroup_value(dir, "pids.events", "max");
    long current = cgroup_value(dir, "pids.current", NULL);
    CHECK_EQ(remove_cgroup(dir), 0);
    CHECK_EQ(status, 0);
    CHECK_EQ(o.values[1], 7); /* itself and 7 children: pids.max 8 */
    CHECK_EQ(o.err, EAGAIN);
    CHECK(events >= 1);
    CHECK_EQ(current, 0);
    NOTE("fork bomb stopped at %ld forks (pids.max 8), pids.events max %ld", o.values[1], events);
}

/* Touches up to 256 MiB, 1 MiB at a time; values[1]: MiB touched when it was not killed. */
static int allocate(void *arg, struct outcome *o)
{
    (void)arg;
    for (int mib = 0; mib < 256; mib++) {
        char *p = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            o->err = errno;
            break;
        }
        memset(p, 1, 1u << 20);
        o->values[1] = mib + 1;
    }
    return 0;
}

static void memory_limit(void)
{
    char dir[600], path[700];
    if (make_cgroup("memory", "oom", dir, sizeof dir) != 0)
        SKIP("no v1 memory hierarchy here");
    cgroup_file(dir, "memory.limit_in_bytes", path, sizeof path);
    CHECK_EQ(write_text(path, "33554432"), 0); /* 32 MiB */
    cgroup_file(dir, "memory.swappiness", path, sizeof path);
    write_text(path, "0");
    struct confine_spec s;
    confine_spec_init(&s);
    confine_spec_set_ids(&s, 65534, 65534);
    s.flags |= CONFINE_OOM_SCORE_ADJ;
    s.oom_score_adj = 1000;
    cgroup_file(dir, "cgroup.procs", path, sizeof path);
    confine_spec_add_path(&s, CONFINE_PATH_CGROUP, 0, path);
    struct outcome o;
    char vmstat[8192], v[32];
    read_text("/proc/vmstat", vmstat, sizeof vmstat);
    long kills_before = atol(field(vmstat, "oom_kill", v, sizeof v) ? v : "-1");
    int status = run_child(&s, allocate, NULL, &o);
    read_text("/proc/vmstat", vmstat, sizeof vmstat);
    long kills = atol(field(vmstat, "oom_kill", v, sizeof v) ? v : "-1") - kills_before;
    long failcnt = cgroup_value(dir, "memory.failcnt", NULL);
    long oom_kill = cgroup_value(dir, "memory.oom_control", "oom_kill");
    long max_usage = cgroup_value(dir, "memory.max_usage_in_bytes", NULL);
    CHECK_EQ(remove_cgroup(dir), 0);
    CHECK(status >= 0 && WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGKILL);
    CHECK(o.values[1] < 32);
    CHECK(failcnt > 0);
    CHECK(kills >= 1); /* the OOM killer did it (system-wide count in /proc/vmstat) */
    NOTE("killed after %ld MiB; memory.failcnt %ld, max_usage %ld KiB, /proc/vmstat oom_kill +%ld",
         o.values[1], failcnt, max_usage / 1024, kills);
    if (oom_kill < 1)
        NOTE("memory.oom_control says oom_kill %ld: this kernel does not count v1 memcg OOM kills there", oom_kill);
}

const struct test cgroup_tests[] = {
    {"cgroup_join_memory_and_pids", join},
    {"cgroup_pids_max_stops_fork_bomb", pids_max},
    {"cgroup_memory_limit_oom_kills", memory_limit},
    {NULL, NULL},
};
