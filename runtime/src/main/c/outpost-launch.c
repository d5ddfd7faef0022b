/*
 * outpost-launch: the first program of every plugin process.
 *
 * The host cannot ask posix_spawn(3) for PR_SET_PDEATHSIG, so it spawns this trampoline, which
 * arms the parent-death signal and then executes the plugin in its place (same pid, same fds,
 * same process group):
 *
 *     outpost-launch NAME HOST_PID PATH [ARG...]   ==>   execv(PATH, [NAME, ARG...])
 *
 * If the host dies (even by SIGKILL), the kernel sends SIGKILL to the plugin at once, so a plugin
 * that ignores the end of its socket cannot outlive the host. PDEATHSIG follows the thread that
 * spawned the child; the host spawns every plugin from one long-lived thread for that reason.
 * HOST_PID closes the race of a host that died before prctl(): then the parent is no longer it.
 * Exits 127 (like a shell that cannot run a command) when it cannot hand over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "outpost-launch: usage: NAME HOST_PID PATH [ARG...]\n");
        return 127;
    }
    char *end = NULL;
    long host = strtol(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || host <= 0) {
        fprintf(stderr, "outpost-launch: bad host pid '%s'\n", argv[2]);
        return 127;
    }
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
        fprintf(stderr, "outpost-launch: prctl(PR_SET_PDEATHSIG): %s\n", strerror(errno));
        return 127;
    }
    if (getppid() != (pid_t)host)
        return 127; /* the host is already gone */
    char *path = argv[3];
    argv[3] = argv[1]; /* the plugin's argv: NAME ARG... */
    execv(path, argv + 3);
    fprintf(stderr, "outpost-launch: cannot execute %s: %s\n", argv[1], strerror(errno));
    return 127;
}
