/*
 * harness.h - the confinement tests' runner and helpers.
 *
 * Every test runs in the runner (a child subreaper, root), and everything it tries under
 * confinement happens in a child process that the helpers below fork, confine, run and reap with a
 * deadline. After each test the runner kills and reaps whatever is still its child (descendants
 * included: orphans come to the subreaper) and fails a test that left any.
 */
#ifndef CONFINE_TEST_HARNESS_H
#define CONFINE_TEST_HARNESS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "../confine.h"

struct test {
    const char *name;
    void (*fn)(void);
};

/* Set by CHECK when the running test fails; by SKIP when it cannot run here. */
extern int test_failed;
extern int test_skipped;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failed = 1;                                                           \
            return;                                                                    \
        }                                                                              \
    } while (0)

/* Compares two integers and prints both when they differ. */
#define CHECK_EQ(a, b)                                                                          \
    do {                                                                                        \
        long long a_ = (long long)(a), b_ = (long long)(b);                                     \
        if (a_ != b_) {                                                                         \
            fprintf(stderr, "  %s:%d: check failed: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, \
                    #a, #b, a_, b_);                                                            \
            test_failed = 1;                                                                    \
            return;                                                                             \
        }                                                                                       \
    } while (0)

#define SKIP(...)                              \
    do {                                       \
        fprintf(stderr, "  skipped: ");        \
        fprintf(stderr, __VA_ARGS__);          \
        fprintf(stderr, "\n");                 \
        test_skipped = 1;                      \
        return;                                \
    } while (0)

/* A note printed under the test's name (what was measured, what the kernel said). */
#define NOTE(...)                        \
    do {                                 \
        fprintf(stderr, "  note: ");     \
        fprintf(stderr, __VA_ARGS__);    \
        fprintf(stderr, "\n");           \
    } while (0)

/* What a child did, in memory shared with the runner. */
struct outcome {
    int applied;                  /* 1 when confine_apply() returned 0 */
    struct confine_report report; /* confine_apply()'s */
    long rc;                      /* what the child's function recorded */
    int err;                      /* its errno */
    long value;                   /* anything else */
    long values[8];
    char text[2048];
};

/* In a child: forks up to want (at most 64) children that sleep, stopping at the first failure
 * (its errno in o->err, else 0), records how many were made in o->values[1], then kills and reaps
 * them all. */
void fork_up_to(long want, struct outcome *o);

/* Runs in the child after confinement; returns the exit code (0-255). */
typedef int (*child_fn)(void *arg, struct outcome *o);

/* A started child. */
struct child {
    pid_t pid;
    int pidfd;
    int ready;   /* read end: a byte (or EOF, on exec or exit) once fn has run */
    int release; /* write end: closed to let the child exit */
    struct outcome *shared;
};

/* Default deadline of a child, milliseconds. */
#define CHILD_MS 10000

/*
 * Forks a child that arms PR_SET_PDEATHSIG (SIGKILL), applies spec (NULL: none), runs fn, tells
 * the runner it is ready and waits to be released. A child whose confine_apply() fails exits 100.
 * Returns 0 or -errno.
 */
int child_start(struct child *c, const struct confine_spec *spec, child_fn fn, void *arg);
/* Waits (up to ms) until the child has run fn. Returns 0, or -ETIMEDOUT. */
int child_ready(struct child *c, int ms);
/*
 * Releases the child and waits (up to ms) for it to exit; on timeout kills it (SIGKILL) and
 * reaps it. Copies its outcome to o (may be NULL). Returns its wait status, or -ETIMEDOUT.
 */
int child_finish(struct child *c, int ms, struct outcome *o);
/* child_start and child_finish; returns the wait status, or a negative errno. */
int run_child(const struct confine_spec *spec, child_fn fn, void *arg, struct outcome *o);

/* Waits up to ms for pid (a child of the runner) to exit and reaps it; kills it on timeout.
 * Returns its wait status, or -ETIMEDOUT. */
int wait_pid(pid_t pid, int ms);
/* Polls until kill(pid, 0) fails with ESRCH (or ms pass). Returns 1 if pid is gone. */
int wait_gone(pid_t pid, int ms);
/* Milliseconds of CLOCK_MONOTONIC. */
int64_t now_ms(void);
/* Nanoseconds of CLOCK_MONOTONIC. */
int64_t now_ns(void);

/* The test spec: strict defaults minus what a test does not want; see harness.c. */
void spec_bare(struct confine_spec *spec);
/* Adds the read-only paths a dynamically linked program needs (/usr, /lib*, /etc/ld.so.*). */
void spec_add_system(struct confine_spec *spec);

/* Reads a whole small file into buf (NUL-terminated). Returns the length or -errno. */
long read_text(const char *path, char *buf, size_t size);
/* Writes text to path. Returns 0 or -errno. */
int write_text(const char *path, const char *text);
/* The value of "Key:" in a /proc status-like text, as a string (copied into out), or NULL. */
const char *field(const char *text, const char *key, char *out, size_t size);

/* A private temporary directory of this run (made once, removed at the end). */
const char *tmp_root(void);
/* This program's path, and its directory. */
extern char self_exe[4096];
extern char self_dir[4096];

/* Test lists, each ended by {NULL, NULL}. */
extern const struct test spec_tests[];
extern const struct test fs_tests[];
extern const struct test net_tests[];
extern const struct test seccomp_tests[];
extern const struct test refusals_tests[];
extern const struct test limits_tests[];
extern const struct test cgroup_tests[];
extern const struct test process_tests[];

/* Fixture modes of this program (argv[1] == "--fixture"), in fixtures.c. */
int fixture_main(int argc, char **argv);

#endif
