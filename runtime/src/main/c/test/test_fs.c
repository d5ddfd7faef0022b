/* test_fs.c - Landlock's filesystem rules, and dynamically linked programs under confinement. */
#define _GNU_SOURCE
#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int open_shadow(void *arg, struct outcome *o)
{
    (void)arg;
    int fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
    o->rc = fd;
    o->err = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    return 0;
}

static void shadow(void)
{
    struct outcome o;
    struct confine_spec s;
    /* control: root, unconfined, reads it */
    CHECK_EQ(run_child(NULL, open_shadow, NULL, &o), 0);
    CHECK(o.rc >= 0);
    /* Landlock alone: still uid 0 and the owner of the file, but /etc is not a readable path */
    spec_bare(&s);
    s.flags = CONFINE_LANDLOCK_FS;
    spec_add_system(&s);
    CHECK_EQ(run_child(&s, open_shadow, NULL, &o), 0);
    CHECK_EQ(o.rc, -1);
    CHECK_EQ(o.err, EACCES);
    /* uid 65534 alone (no Landlock): the file's mode refuses it */
    spec_bare(&s);
    confine_spec_set_ids(&s, 65534, 65534);
    CHECK_EQ(run_child(&s, open_shadow, NULL, &o), 0);
    CHECK_EQ(o.rc, -1);
    CHECK_EQ(o.err, EACCES);
    /* caps dropped alone, uid 0: root owns it (0640 root:shadow), so DAC still allows it */
    spec_bare(&s);
    CHECK_EQ(run_child(&s, open_shadow, NULL, &o), 0);
    CHECK(o.rc >= 0);
}

struct dirs {
    char inside[512];
    char outside[512];
    char readonly[512];
};

static int try_writes(void *arg, struct outcome *o)
{
    struct dirs *d = arg;
    char path[600];
    /* values: 0 created inside, 1 created outside, 2 created in read-only, 3 read in read-only,
     * 4 unlink outside, 5 rename inside -> outside, 6 mkdir inside, 7 truncate read-only file */
    for (int i = 0; i < 8; i++)
        o->values[i] = 0;
    snprintf(path, sizeof path, "%s/new", d->inside);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    o->values[0] = fd >= 0 ? 0 : errno;
    if (fd >= 0 && write(fd, "x", 1) != 1)
        o->values[0] = errno;
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/new", d->outside);
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    o->values[1] = fd >= 0 ? 0 : errno;
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/new", d->readonly);
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    o->values[2] = fd >= 0 ? 0 : errno;
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/existing", d->readonly);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    o->values[3] = fd >= 0 ? 0 : errno;
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "%s/existing", d->outside);
    o->values[4] = unlink(path) == 0 ? 0 : errno;
    char to[600];
    snprintf(path, sizeof path, "%s/new", d->inside);
    snprintf(to, sizeof to, "%s/moved", d->outside);
    o->values[5] = rename(path, to) == 0 ? 0 : errno;
    snprintf(path, sizeof path, "%s/sub", d->inside);
    o->values[6] = mkdir(path, 0700) == 0 ? 0 : errno;
    snprintf(path, sizeof path, "%s/existing", d->readonly);
    o->values[7] = truncate(path, 0) == 0 ? 0 : errno;
    return 0;
}

static void make_dirs(struct dirs *d, const char *name)
{
    snprintf(d->inside, sizeof d->inside, "%s/%s-inside", tmp_root(), name);
    snprintf(d->outside, sizeof d->outside, "%s/%s-outside", tmp_root(), name);
    snprintf(d->readonly, sizeof d->readonly, "%s/%s-readonly", tmp_root(), name);
    mkdir(d->inside, 0777);
    mkdir(d->outside, 0777);
    mkdir(d->readonly, 0777);
    char path[600];
    snprintf(path, sizeof path, "%s/existing", d->outside);
    write_text(path, "");
    close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666));
    snprintf(path, sizeof path, "%s/existing", d->readonly);
    close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666));
}

static void write_paths(void)
{
    struct outcome o;
    struct confine_spec s;
    struct dirs d;
    /* control: everything works unconfined */
    make_dirs(&d, "control");
    CHECK_EQ(run_child(NULL, try_writes, &d, &o), 0);
    for (int i = 0; i < 8; i++)
        CHECK_EQ(o.values[i], 0);
    /* Landlock, as root with every capability dropped: only Landlock can refuse (dirs are 0777) */
    make_dirs(&d, "confined");
    spec_bare(&s);
    s.flags = CONFINE_LANDLOCK_FS;
    confine_spec_add_path(&s, CONFINE_PATH_WRITE, 0, d.inside);
    confine_spec_add_path(&s, CONFINE_PATH_READ, 0, d.readonly);
    CHECK_EQ(run_child(&s, try_writes, &d, &o), 0);
    CHECK_EQ(o.values[0], 0);      /* create and write inside */
    CHECK_EQ(o.values[1], EACCES); /* create outside */
    CHECK_EQ(o.values[2], EACCES); /* create in a read-only path */
    CHECK_EQ(o.values[3], 0);      /* read in a read-only path */
    CHECK_EQ(o.values[4], EACCES); /* unlink outside */
    CHECK(o.values[5] == EXDEV || o.values[5] == EACCES); /* rename out of the sandbox */
    CHECK_EQ(o.values[6], 0);      /* mkdir inside */
    CHECK_EQ(o.values[7], EACCES); /* truncate a read-only file (ABI >= 3) */
    NOTE("rename out of the writable path: %s", strerror((int)o.values[5]));
}

struct program {
    const char *path;
    const char *argv[4];
};

/* Executes the program with stdout on fd 1 (the pipe the runner gave). Returns 127 on failure. */
static int exec_program(void *arg, struct outcome *o)
{
    struct program *p = arg;
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    execve(p->path, (char **)p->argv, envp);
    o->err = errno;
    return 127;
}

/* Runs p under spec with stdout captured; returns the wait status, output in out. */
static int run_program(const struct confine_spec *spec, struct program *p, struct outcome *o, char *out,
                       size_t size)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    int saved = fcntl(1, F_DUPFD_CLOEXEC, 10);
    dup2(fds[1], 1); /* dup2 clears close-on-exec: the child's fd 1 is the pipe */
    close(fds[1]);
    struct child c;
    int e = child_start(&c, spec, exec_program, p);
    dup2(saved, 1);
    close(saved);
    if (e < 0) {
        close(fds[0]);
        return e;
    }
    size_t n = 0;
    int64_t deadline = now_ms() + CHILD_MS;
    struct pollfd pf[2] = {{fds[0], POLLIN, 0}, {c.ready, POLLIN, 0}};
    for (;;) { /* until the program has exited (EOF) or the exec failed (a byte on c.ready) */
        int64_t left = deadline - now_ms();
        if (left <= 0 || poll(pf, 2, (int)left) <= 0)
            break;
        if (pf[1].revents & POLLIN)
            break; /* the exec failed: the child is ready, with the pipe still open */
        if (pf[1].revents & POLLHUP)
            pf[1].fd = -1; /* executed: ready closed on exec */
        if (pf[0].revents & (POLLIN | POLLHUP)) {
            ssize_t r = read(fds[0], out + n, size - 1 - n);
            if (r <= 0 || (n += (size_t)r) >= size - 1)
                break;
        }
    }
    out[n] = '\0';
    close(fds[0]);
    int status = child_finish(&c, CHILD_MS, o);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 100)
        fprintf(stderr, "  confine_apply failed at \"%s\": %s\n", o->report.step, strerror(-o->report.error));
    return status;
}

static void dynamic_programs(void)
{
    struct outcome o;
    struct confine_spec s;
    char out[256];
    struct program t = {"/bin/true", {"true", NULL}};
    struct program echo = {"/bin/echo", {"echo", "confined", NULL}};
    unsigned profiles[] = {CONFINE_SECCOMP_DEFAULT, CONFINE_SECCOMP_COMPUTE};
    CHECK_EQ(run_program(NULL, &echo, &o, out, sizeof out), 0); /* control */
    CHECK(strcmp(out, "confined\n") == 0);
    for (int i = 0; i < 2; i++) {
        confine_spec_init(&s); /* everything on */
        s.seccomp = profiles[i];
        confine_spec_set_ids(&s, 65534, 65534);
        spec_add_system(&s);
        CHECK_EQ(run_program(&s, &t, &o, out, sizeof out), 0);
        CHECK_EQ(o.report.done & CONFINE_DONE_SECCOMP, CONFINE_DONE_SECCOMP);
        CHECK_EQ(run_program(&s, &echo, &o, out, sizeof out), 0);
        CHECK(strcmp(out, "confined\n") == 0);
    }
}

static void exec_outside_refused(void)
{
    struct outcome o;
    struct confine_spec s;
    char out[64], copy[512];
    snprintf(copy, sizeof copy, "%s/true-copy", tmp_root());
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cp /bin/true %s", copy);
    CHECK_EQ(system(cmd), 0);
    struct program p = {copy, {"true", NULL}};
    CHECK_EQ(run_program(NULL, &p, &o, out, sizeof out), 0); /* control */
    confine_spec_init(&s);
    spec_add_system(&s);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", tmp_root());
    confine_spec_add_path(&s, CONFINE_PATH_WRITE, 0, dir); /* writable, but not executable */
    int status = run_program(&s, &p, &o, out, sizeof out);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 127);
    CHECK_EQ(o.err, EACCES);
}

const struct test fs_tests[] = {
    {"fs_shadow_refused_by_landlock_and_by_uid", shadow},
    {"fs_writes_only_inside_writable_paths", write_paths},
    {"fs_dynamic_programs_run_under_both_profiles", dynamic_programs},
    {"fs_exec_outside_read_paths_refused", exec_outside_refused},
    {NULL, NULL},
};
