/*
 * bench_confine.c - what confine_apply() adds to a plugin start.
 *
 *     bench_confine [SPAWNS] [free]
 *
 * Spawns /bin/true SPAWNS times (default 300) per configuration the way outpost-spawner does
 * (clone with CLONE_VM|CLONE_VFORK on a 64 KiB stack, execve in the child), with and without
 * confine_apply() before the execve, and prints per configuration the p50, p90 and mean of
 * the whole start (clone to waitpid returning: exec, the dynamic loader and exit under the
 * confinement included) and of confine_apply() alone (timed in the child). Pinned to CPU 0 unless
 * "free" is given: parent and child then run where the scheduler puts them. Run as root.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../confine.h"

#define STACK (64 * 1024)

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

struct job {
    const struct confine_spec *spec; /* NULL: no confinement */
    int64_t apply_ns;
    int error;
    char step[CONFINE_STEP_SIZE];
};

static int child(void *arg)
{
    struct job *job = arg;
    if (job->spec != NULL) {
        struct confine_report r;
        int64_t t0 = now_ns();
        job->error = confine_apply(job->spec, &r);
        job->apply_ns = now_ns() - t0;
        if (job->error != 0) {
            memcpy(job->step, r.step, sizeof job->step);
            _exit(127);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char *argv[] = {"true", NULL}, *envp[] = {NULL};
    execve("/bin/true", argv, envp);
    job->error = -errno;
    _exit(127);
}

static int cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void stats(int64_t *v, int n, double *p50, double *p90, double *mean)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += (double)v[i];
    *p50 = (double)v[n / 2] / 1000;
    *p90 = (double)v[n * 9 / 10] / 1000;
    *mean = sum / n / 1000;
}

/* Times n spawns; returns 0, or -1 after printing why a spawn failed. */
static int run(const char *name, const struct confine_spec *spec, int n, char *stack, int64_t *total,
               int64_t *apply)
{
    for (int i = 0; i < n; i++) {
        struct job job = {spec, 0, 0, ""};
        sigset_t all, saved;
        sigfillset(&all);
        int64_t t0 = now_ns();
        sigprocmask(SIG_SETMASK, &all, &saved);
        pid_t pid = clone(child, stack + STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &job);
        sigprocmask(SIG_SETMASK, &saved, NULL);
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid) {
            perror("clone/waitpid");
            return -1;
        }
        total[i] = now_ns() - t0;
        apply[i] = job.apply_ns;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "%s: spawn %d failed: %s at \"%s\" (status %#x)\n", name, i, strerror(-job.error),
                    job.step, status);
            return -1;
        }
    }
    return 0;
}

/* A test cgroup beneath this process's cgroup of a v1 controller; "" if there is none. */
static void make_cgroup(const char *controller, char *dir, size_t size)
{
    char text[4096], *save, own[512] = "";
    dir[0] = '\0';
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return;
    text[n] = '\0';
    for (char *line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;
        if (p != NULL && strncmp(c + 1, controller, strlen(controller)) == 0 && c + 1 + strlen(controller) == p)
            snprintf(own, sizeof own, "%s", strcmp(p + 1, "/") == 0 ? "" : p + 1);
    }
    snprintf(dir, size, "/sys/fs/cgroup/%s%s/confine-bench-%d", controller, own, (int)getpid());
    if (mkdir(dir, 0755) != 0)
        dir[0] = '\0';
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    int pinned = !(argc > 2 && strcmp(argv[2], "free") == 0);
    if (n < 10 || n > 100000)
        n = 300;
    if (pinned) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        sched_setaffinity(0, sizeof one, &one);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    int64_t *total = calloc((size_t)n, sizeof *total), *apply = calloc((size_t)n, sizeof *apply);
    if (stack == MAP_FAILED || total == NULL || apply == NULL)
        return 1;
    char mem[600], pids[600], path[700];
    make_cgroup("memory", mem, sizeof mem);
    make_cgroup("pids", pids, sizeof pids);

    static const char *const system_paths[] = {"/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.conf",
                                               "/etc/ld.so.conf.d", "/etc/ld.so.preload"};
    enum { NCONF = 8 };
    struct confine_spec spec[NCONF];
    const char *name[NCONF] = {"caps + no_new_privs", "+ uid/gid 65534", "+ rlimits, oom_score_adj",
                               "+ Landlock (7 paths, net, scope)", "+ seccomp default", "+ cgroups (memory, pids)",
                               "all, seccomp compute", "cgroups only"};
    for (int c = 0; c < NCONF; c++) {
        struct confine_spec *s = &spec[c];
        confine_spec_init(s);
        s->flags = 0;
        s->seccomp = CONFINE_SECCOMP_NONE;
        s->net = CONFINE_NET_ANY;
        s->limits = 0;
        if (c >= 1 && c != 7)
            confine_spec_set_ids(s, 65534, 65534);
        if (c >= 2 && c != 7) {
            s->flags |= CONFINE_OOM_SCORE_ADJ;
            s->oom_score_adj = 1000;
            confine_spec_set_limit(s, CONFINE_LIMIT_CORE, 0);
            confine_spec_set_limit(s, CONFINE_LIMIT_NOFILE, 256);
            confine_spec_set_limit(s, CONFINE_LIMIT_AS, 4ull << 30);
        }
        if (c >= 3 && c != 7) {
            s->flags |= CONFINE_LANDLOCK_FS | CONFINE_LANDLOCK_SCOPE;
            s->net = CONFINE_NET_NONE;
            for (size_t i = 0; i < sizeof system_paths / sizeof system_paths[0]; i++)
                confine_spec_add_path(s, CONFINE_PATH_READ, CONFINE_PATH_OPTIONAL, system_paths[i]);
        }
        if (c >= 4 && c != 7)
            s->seccomp = c == 6 ? CONFINE_SECCOMP_COMPUTE : CONFINE_SECCOMP_DEFAULT;
        if ((c >= 5 || c == 7) && mem[0] != '\0' && pids[0] != '\0') {
            snprintf(path, sizeof path, "%s/cgroup.procs", mem);
            confine_spec_add_path(s, CONFINE_PATH_CGROUP, 0, path);
            snprintf(path, sizeof path, "%s/cgroup.procs", pids);
            confine_spec_add_path(s, CONFINE_PATH_CGROUP, 0, path);
        }
    }
    printf("%d spawns of /bin/true per line, %s; microseconds\n", n,
           pinned ? "parent and child pinned to CPU 0" : "not pinned");
    printf("%-34s %9s %9s %9s   %9s %9s %9s\n", "confinement", "start p50", "p90", "mean", "apply p50", "p90",
           "mean");
    double base = 0;
    int rc = 0;
    run("warm-up", NULL, n < 50 ? n : 50, stack, total, apply);
    for (int c = -1; c < NCONF; c++) {
        const char *label = c < 0 ? "none (no confine_apply)" : name[c];
        if (run(label, c < 0 ? NULL : &spec[c], n, stack, total, apply) != 0) {
            rc = 1;
            continue;
        }
        double p50, p90, mean, a50, a90, amean;
        stats(total, n, &p50, &p90, &mean);
        stats(apply, n, &a50, &a90, &amean);
        if (c < 0)
            base = p50;
        printf("%-34s %9.1f %9.1f %9.1f   %9.1f %9.1f %9.1f   (+%.1f)\n", label, p50, p90, mean, a50, a90, amean,
               p50 - base);
    }
    if (mem[0] != '\0')
        rmdir(mem);
    if (pids[0] != '\0')
        rmdir(pids);
    return rc;
}
