/*
 * fixture_confined.c - what a hostile plugin tries against the host and its neighbours, one
 * method call at a time, to prove its sandbox refuses it. Method "try" takes a command and answers
 * "ok ..." when the act succeeded, or the errno name of its refusal ("EPERM", "EACCES"):
 *
 *   ptrace PID            ptrace(PTRACE_SEIZE, PID)
 *   getfd PID FD          pidfd_getfd(pidfd_open(PID), FD)
 *   open PATH             open(PATH, O_RDONLY)
 *   list PATH             opendir(PATH) and the number of its entries
 *   write PATH            open(PATH, O_WRONLY|O_CREAT|O_TRUNC) and write 1 byte
 *   connect PORT          socket(AF_INET, SOCK_STREAM) and connect to 127.0.0.1:PORT
 *   udp                   socket(AF_INET, SOCK_DGRAM)
 *   pdeathsig             prctl(PR_SET_PDEATHSIG, 0): leave the host's death alone
 *   id                    "ok uid gid no_new_privs seccomp" of the process
 *   forks N               forks up to N children that sleep (60 s at most): "ok M" or the errno
 *                         with the count reached ("EAGAIN 14")
 *   alloc MIB             allocates and touches MIB MiB, 1 MiB at a time ("ok MIB" if it lived)
 *   spin SECONDS          burns CPU on one thread for SECONDS (at most 60), in the background
 *   setsid-daemon         a double-forked, setsid() daemon that ignores SIGTERM and clears its
 *                         parent-death signal; sleeps 60 s at most
 *
 * Every fork and allocation is bounded by its argument and by an alarm, so that an unconfined run
 * cannot hurt the machine: forks at most 4096, alloc at most 4096 MiB.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "outpost.h"

#define MAX_FORKS 4096
#define MAX_ALLOC_MIB 4096
#define CHILD_ALARM_S 60

static int answer(outpost_response *resp, const char *text)
{
    return outpost_response_set_payload(resp, text, strlen(text));
}

static int refused(outpost_response *resp, int err, const char *more)
{
    char text[96];
    const char *name = strerrorname_np(err);
    snprintf(text, sizeof text, "%s%s%s", name ? name : "E?", more ? " " : "", more ? more : "");
    return answer(resp, text);
}

static int done(outpost_response *resp, int rc, const char *ok)
{
    return rc < 0 ? refused(resp, errno, NULL) : answer(resp, ok);
}

static int try_forks(outpost_response *resp, long n)
{
    if (n > MAX_FORKS)
        n = MAX_FORKS;
    long made = 0;
    for (; made < n; made++) {
        pid_t pid = fork();
        if (pid < 0) {
            char count[32];
            snprintf(count, sizeof count, "%ld", made);
            return refused(resp, errno, count);
        }
        if (pid == 0) {
            close(3);
            alarm(CHILD_ALARM_S);
            for (;;)
                pause();
        }
    }
    char text[32];
    snprintf(text, sizeof text, "ok %ld", made);
    return answer(resp, text);
}

static int try_alloc(outpost_response *resp, long mib)
{
    if (mib > MAX_ALLOC_MIB)
        mib = MAX_ALLOC_MIB;
    for (long i = 0; i < mib; i++) {
        char *block = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (block == MAP_FAILED) {
            char count[32];
            snprintf(count, sizeof count, "%ld", i);
            return refused(resp, errno, count);
        }
        memset(block, 0x5a, 1 << 20); /* touched: charged to the cgroup */
    }
    char text[32];
    snprintf(text, sizeof text, "ok %ld", mib);
    return answer(resp, text);
}

static void *spin(void *arg)
{
    long seconds = (long)arg;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 1000000; i++)
            x += (unsigned long)i;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - start.tv_sec < seconds);
    return NULL;
}

int fixture_start_daemon(void)
{
    pid_t child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        setsid();
        if (fork() != 0)
            _exit(0);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        prctl(PR_SET_PDEATHSIG, 0);
        for (int fd = 0; fd < 4; fd++)
            close(fd);
        alarm(CHILD_ALARM_S);
        for (;;)
            pause();
    }
    int status;
    waitpid(child, &status, 0);
    return 0;
}

static int m_try(void *user, const outpost_request *req, outpost_response *resp)
{
    (void)user;
    size_t len;
    const char *data = outpost_request_payload(req, &len);
    char cmd[512] = "";
    memcpy(cmd, data, len < sizeof cmd - 1 ? len : sizeof cmd - 1);
    char *arg = strchr(cmd, ' ');
    if (arg != NULL)
        *arg++ = '\0';
    const char *a = arg ? arg : "";
    if (strcmp(cmd, "ptrace") == 0)
        return done(resp, (int)ptrace(PTRACE_SEIZE, (pid_t)atoi(a), NULL, NULL), "ok");
    if (strcmp(cmd, "getfd") == 0) {
        int pidfd = (int)syscall(SYS_pidfd_open, atoi(a), 0);
        if (pidfd < 0)
            return refused(resp, errno, "pidfd_open");
        const char *fd = strchr(a, ' ');
        int got = (int)syscall(SYS_pidfd_getfd, pidfd, fd ? atoi(fd + 1) : 0, 0);
        int err = errno;
        close(pidfd);
        if (got < 0)
            return refused(resp, err, NULL);
        close(got);
        return answer(resp, "ok");
    }
    if (strcmp(cmd, "open") == 0) {
        int fd = open(a, O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            close(fd);
        return done(resp, fd, "ok");
    }
    if (strcmp(cmd, "list") == 0) {
        DIR *d = opendir(a);
        if (d == NULL)
            return refused(resp, errno, NULL);
        int n = 0;
        while (readdir(d) != NULL)
            n++;
        closedir(d);
        char text[32];
        snprintf(text, sizeof text, "ok %d", n);
        return answer(resp, text);
    }
    if (strcmp(cmd, "write") == 0) {
        int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            return refused(resp, errno, NULL);
        ssize_t n = write(fd, "x", 1);
        close(fd);
        return done(resp, (int)n, "ok");
    }
    if (strcmp(cmd, "connect") == 0 || strcmp(cmd, "udp") == 0) {
        int udp = strcmp(cmd, "udp") == 0;
        int s = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (s < 0)
            return refused(resp, errno, "socket");
        if (udp) {
            close(s);
            return answer(resp, "ok");
        }
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(a)),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int rc = connect(s, (struct sockaddr *)&to, sizeof to);
        int err = errno;
        close(s);
        errno = err;
        return done(resp, rc, "ok");
    }
    if (strcmp(cmd, "pdeathsig") == 0)
        return done(resp, prctl(PR_SET_PDEATHSIG, 0), "ok");
    if (strcmp(cmd, "id") == 0) {
        char text[96];
        snprintf(text, sizeof text, "ok %d %d %d %d", (int)getuid(), (int)getgid(),
                 prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
        return answer(resp, text);
    }
    if (strcmp(cmd, "forks") == 0)
        return try_forks(resp, atol(a));
    if (strcmp(cmd, "alloc") == 0)
        return try_alloc(resp, atol(a));
    if (strcmp(cmd, "spin") == 0) {
        long seconds = atol(a);
        pthread_t t;
        if (pthread_create(&t, NULL, spin, (void *)(seconds > 60 ? 60 : seconds)) != 0)
            return refused(resp, errno, "pthread_create");
        pthread_detach(t);
        return answer(resp, "ok");
    }
    if (strcmp(cmd, "setsid-daemon") == 0)
        return done(resp, fixture_start_daemon(), "ok");
    return answer(resp, "unknown command");
}

int fixture_add_confined(outpost_plugin *p)
{
    return outpost_plugin_add_method(p, "fixture", "try", m_try, NULL);
}
