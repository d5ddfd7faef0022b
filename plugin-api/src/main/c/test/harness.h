/* harness.h - a very small test runner: CHECK fails the current test and returns. */
#ifndef OUTPOST_TEST_HARNESS_H
#define OUTPOST_TEST_HARNESS_H

#include <stdio.h>

struct test {
    const char *name;
    void (*fn)(void);
};

/* Set by CHECK when the running test fails. */
extern int test_failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failed = 1;                                                           \
            return;                                                                    \
        }                                                                              \
    } while (0)

/* The test lists of each file, ended by {NULL, NULL}. */
extern const struct test wire_tests[];
extern const struct test serve_tests[];
extern const struct test stress_tests[];
extern const struct test utf8_tests[];
extern const struct test term_tests[];
extern const struct test call_tests[];
extern const struct test nest_tests[];

/* The test plugin's path (argv[1]). */
extern const char *test_plugin_path;

#endif
