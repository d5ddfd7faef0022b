/*
 * fixtures.c - the programs the tests execute under confinement: this binary run as
 *
 *     test_confine --fixture daemon     with fd 3 a unix datagram socket to the runner: makes a
 *                                       daemon (fork, setsid, fork) that sends one byte on fd 3
 *                                       (the runner learns its pid from SCM_CREDENTIALS) and
 *                                       sleeps; the first process waits for the middle one and
 *                                       then sleeps too, until it is killed.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int daemon_mode(void)
{
    pid_t middle = fork();
    if (middle < 0)
        return 1;
    if (middle == 0) {
        if (setsid() < 0)
            _exit(1);
        pid_t d = fork();
        if (d < 0)
            _exit(1);
        if (d == 0) {
            char b = 'd';
            if (send(3, &b, 1, 0) != 1)
                _exit(1);
            for (;;)
                pause(); /* the daemon: sleeps until killed */
        }
        _exit(0);
    }
    int status;
    if (waitpid(middle, &status, 0) != middle || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    for (;;)
        pause(); /* killed by the runner */
}

int fixture_main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[2], "daemon") == 0)
        return daemon_mode();
    fprintf(stderr, "usage: %s --fixture daemon\n", argv[0]);
    return 2;
}
