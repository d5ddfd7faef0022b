/* harness.c - children with deadlines, the runner, small file helpers. */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int test_failed;
int test_skipped;
char self_exe[4096];
char self_dir[4096];

int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int64_t now_ms(void)
{
    return now_ns() / 1000000;
}

static int pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Waits for fd to become readable until deadline (ms of now_ms()). 1: readable, 0: timeout. */
static int readable(int fd, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left < 0)
            left = 0;
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, (int)left);
        if (n > 0)
            return 1;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return 0;
    }
}

int wait_pid(pid_t pid, int ms)
{
    int status;
    int fd = pidfd_open(pid);
    if (fd < 0)
        return -errno;
    int done = readable(fd, now_ms() + ms);
    close(fd);
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, __WALL);
        return -ETIMEDOUT;
    }
    while (waitpid(pid, &status, __WALL) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    return status;
}

int wait_gone(pid_t pid, int ms)
{
    int64_t deadline = now_ms() + ms;
    for (;;) {
        if (kill(pid, 0) != 0 && errno == ESRCH)
            return 1;
        if (now_ms() > deadline)
            return 0;
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL); /* a poll interval under a deadline, not a wait for something */
    }
}

int child_start(struct child *c, const struct confine_spec *spec, child_fn fn, void *arg)
{
    int ready[2], release[2];
    memset(c, 0, sizeof *c);
    c->shared = mmap(NULL, sizeof *c->shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c->shared == MAP_FAILED)
        return -errno;
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(release, O_CLOEXEC) != 0)
        return -errno;
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        /* only its own two ends: other children's release ends held here would keep them waiting */
        int lo = ready[1] < release[0] ? ready[1] : release[0], hi = ready[1] ^ release[0] ^ lo;
        syscall(SYS_close_range, 3, lo - 1, 0);
        syscall(SYS_close_range, lo + 1, hi - 1, 0);
        syscall(SYS_close_range, hi + 1, ~0U, 0);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(99);
        struct outcome *o = c->shared;
        if (spec != NULL) {
            if (confine_apply(spec, &o->report) != 0)
                _exit(100);
        }
        o->applied = 1;
        int rc = fn(arg, o);
        char b = 1;
        ssize_t w = write(ready[1], &b, 1); /* EPIPE if the runner does not wait for it: fine */
        (void)w;
        while (read(release[0], &b, 1) < 0 && errno == EINTR)
            ;
        _exit(rc & 0xff);
    }
    close(ready[1]);
    close(release[0]);
    c->pid = pid;
    c->pidfd = pidfd_open(pid);
    c->ready = ready[0];
    c->release = release[1];
    return 0;
}

int child_ready(struct child *c, int ms)
{
    if (!readable(c->ready, now_ms() + ms))
        return -ETIMEDOUT;
    return 0;
}

int child_finish(struct child *c, int ms, struct outcome *o)
{
    close(c->release);
    close(c->ready);
    int status;
    int done = readable(c->pidfd, now_ms() + ms);
    if (!done)
        kill(c->pid, SIGKILL);
    while (waitpid(c->pid, &status, __WALL) < 0 && errno == EINTR)
        ;
    close(c->pidfd);
    if (o != NULL)
        memcpy(o, c->shared, sizeof *o);
    munmap(c->shared, sizeof *c->shared);
    if (!done) {
        fprintf(stderr, "  child %d did not exit within %d ms: killed\n", (int)c->pid, ms);
        return -ETIMEDOUT;
    }
    return status;
}

int run_child(const struct confine_spec *spec, child_fn fn, void *arg, struct outcome *o)
{
    struct child c;
    int e = child_start(&c, spec, fn, arg);
    if (e < 0)
        return e;
    int status = child_finish(&c, CHILD_MS, o);
    if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 100 && o != NULL)
        fprintf(stderr, "  confine_apply failed at \"%s\": %s (path %d)\n", o->report.step,
                strerror(-o->report.error), o->report.path);
    return status;
}

void spec_bare(struct confine_spec *spec)
{
    confine_spec_init(spec);
    spec->flags = 0;
    spec->seccomp = CONFINE_SECCOMP_NONE;
    spec->net = CONFINE_NET_ANY;
    spec->limits = 0;
}

void spec_add_system(struct confine_spec *spec)
{
    static const char *const ro[] = {"/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.conf",
                                     "/etc/ld.so.conf.d", "/etc/ld.so.preload"};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        confine_spec_add_path(spec, CONFINE_PATH_READ, CONFINE_PATH_OPTIONAL, ro[i]);
}

long read_text(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    close(fd);
    return (long)n;
}

int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int e = n < 0 ? -errno : 0;
    close(fd);
    return e;
}

const char *field(const char *text, const char *key, char *out, size_t size)
{
    size_t k = strlen(key);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, key, k) == 0) {
            const char *v = line + k;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t n = strcspn(v, "\n");
            if (n >= size)
                n = size - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return NULL;
}

static char tmp_dir[256];

const char *tmp_root(void)
{
    if (tmp_dir[0] == '\0') {
        snprintf(tmp_dir, sizeof tmp_dir, "/tmp/confine-test.XXXXXX");
        if (mkdtemp(tmp_dir) == NULL) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmp_dir;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

/* Kills and reaps every child the runner still has (orphans come to it). Returns how many. */
void fork_up_to(long want, struct outcome *o)
{
    pid_t kids[64];
    int made = 0;
    o->err = 0;
    for (; made < want && made < 64; made++) {
        pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            pause();
            _exit(0);
        }
        if (pid < 0) {
            o->err = errno;
            break;
        }
        kids[made] = pid;
    }
    o->values[1] = made;
    for (int i = 0; i < made; i++)
        kill(kids[i], SIGKILL);
    for (int i = 0; i < made; i++)
        waitpid(kids[i], NULL, 0);
}

static int reap_leftovers(void)
{
    int found = 0;
    int64_t deadline = now_ms() + 5000;
    for (;;) {
        char path[64], text[8192];
        snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
        if (read_text(path, text, sizeof text) > 0) {
            for (char *p = text, *end;; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p)
                    break;
                kill((pid_t)pid, SIGKILL);
            }
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
            found++;
        if (pid < 0 && errno == ECHILD)
            return found; /* no child left, not even a zombie */
        if (now_ms() > deadline) {
            fprintf(stderr, "  children still there after 5 s of SIGKILL\n");
            return found + 1;
        }
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--fixture") == 0)
        return fixture_main(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (geteuid() != 0) {
        printf("confine: these tests run as root (they prove refusals under confinement)\n");
        printf("confine: 0 passed, 1 failed\n");
        return 1;
    }
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0)
        return 2;
    self_exe[n] = '\0';
    strcpy(self_dir, self_exe);
    *strrchr(self_dir, '/') = '\0';
    signal(SIGPIPE, SIG_IGN);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        perror("PR_SET_CHILD_SUBREAPER");
        return 2;
    }
    tmp_root();
    const struct test *lists[] = {spec_tests,   fs_tests,     net_tests,   seccomp_tests,
                                  refusals_tests, limits_tests, cgroup_tests, process_tests};
    int passed = 0, failed = 0, skipped = 0;
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        for (const struct test *t = lists[l]; t->name != NULL; t++) {
            if (argc > 1 && strstr(t->name, argv[1]) == NULL)
                continue;
            test_failed = 0;
            test_skipped = 0;
            fprintf(stderr, "%s\n", t->name);
            int64_t start = now_ms();
            t->fn();
            int left = reap_leftovers();
            if (left > 0) {
                fprintf(stderr, "  the test left %d process(es) behind\n", left);
                test_failed = 1;
            }
            fprintf(stderr, "%s %s (%lld ms)\n", test_failed ? "FAIL" : test_skipped ? "skip" : "ok  ", t->name,
                    (long long)(now_ms() - start));
            if (test_failed)
                failed++;
            else if (test_skipped)
                skipped++;
            else
                passed++;
        }
    }
    remove_tree(tmp_root());
    printf("confine: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed == 0 && passed > 0 ? 0 : 1;
}
