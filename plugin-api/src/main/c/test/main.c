/* main.c - runs every SDK test and prints "sdk: N passed, M failed". */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

int test_failed;
const char *test_plugin_path;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s TEST_PLUGIN [TEST_NAME]\n", argv[0]);
        return 2;
    }
    test_plugin_path = argv[1];
    signal(SIGPIPE, SIG_IGN);
    const struct test *lists[] = {wire_tests,  utf8_tests, serve_tests, term_tests,
                                  stress_tests, call_tests, nest_tests};
    int passed = 0, failed = 0;
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        for (const struct test *t = lists[l]; t->name != NULL; t++) {
            if (argc > 2 && strcmp(argv[2], t->name) != 0)
                continue;
            test_failed = 0;
            t->fn();
            fprintf(stderr, "%s %s\n", test_failed ? "FAIL" : "ok  ", t->name);
            if (test_failed)
                failed++;
            else
                passed++;
        }
    }
    printf("sdk: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
