/* test_net.c - Landlock's TCP rules, the socket(2) rule of the seccomp profiles, and scoping. */
#define _GNU_SOURCE
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int listener(struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof *addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 || listen(fd, 16) != 0
            || getsockname(fd, (struct sockaddr *)addr, &len) != 0)
        return -1;
    return fd;
}

/* values: 0 socket(), 1 connect(), 2 bind() of another socket, 3 UDP socket, 4 UDP sendto() */
static int try_tcp(void *arg, struct outcome *o)
{
    struct sockaddr_in *addr = arg;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    o->values[0] = fd >= 0 ? 0 : errno;
    o->values[1] = o->values[2] = -1;
    if (fd >= 0) {
        o->values[1] = connect(fd, (struct sockaddr *)addr, sizeof *addr) == 0 ? 0 : errno;
        close(fd);
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        struct sockaddr_in any = *addr;
        any.sin_port = 0;
        o->values[2] = bind(fd, (struct sockaddr *)&any, sizeof any) == 0 ? 0 : errno;
        close(fd);
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    o->values[3] = fd >= 0 ? 0 : errno;
    o->values[4] = -1;
    if (fd >= 0) {
        o->values[4] = sendto(fd, "x", 1, 0, (struct sockaddr *)addr, sizeof *addr) == 1 ? 0 : errno;
        close(fd);
    }
    return 0;
}

static void tcp(void)
{
    struct sockaddr_in addr;
    int l = listener(&addr);
    CHECK(l >= 0);
    struct outcome o;
    struct confine_spec s;
    CHECK_EQ(run_child(NULL, try_tcp, &addr, &o), 0); /* control */
    CHECK_EQ(o.values[1], 0);
    CHECK_EQ(o.values[2], 0);

    spec_bare(&s);
    s.net = CONFINE_NET_NONE; /* Landlock only */
    CHECK_EQ(run_child(&s, try_tcp, &addr, &o), 0);
    if (o.report.missing & CONFINE_MISSING_LANDLOCK_NET) {
        close(l);
        SKIP("Landlock ABI %u has no TCP rules", o.report.landlock_abi);
    }
    CHECK_EQ(o.values[0], 0);      /* the socket itself is fine */
    CHECK_EQ(o.values[1], EACCES); /* connect refused */
    CHECK_EQ(o.values[2], EACCES); /* bind refused */
    CHECK_EQ(o.values[4], 0);      /* UDP is not covered by Landlock (ABI 7) */
    NOTE("net none, Landlock only: UDP sendto to 127.0.0.1 still works (not covered by Landlock)");

    s.net = CONFINE_NET_CONNECT;
    CHECK_EQ(run_child(&s, try_tcp, &addr, &o), 0);
    CHECK_EQ(o.values[1], 0);      /* connect allowed */
    CHECK_EQ(o.values[2], EACCES); /* bind still refused */

    s.net = CONFINE_NET_NONE;
    s.seccomp = CONFINE_SECCOMP_DEFAULT; /* and the socket rule of the profile */
    CHECK_EQ(run_child(&s, try_tcp, &addr, &o), 0);
    CHECK_EQ(o.values[0], EACCES);
    CHECK_EQ(o.values[3], EACCES); /* UDP too */

    s.seccomp = CONFINE_SECCOMP_COMPUTE; /* no socket(2) at all */
    CHECK_EQ(run_child(&s, try_tcp, &addr, &o), 0);
    CHECK_EQ(o.values[0], EPERM);

    s.seccomp = CONFINE_SECCOMP_NONE;
    s.net = CONFINE_NET_ANY;
    CHECK_EQ(run_child(&s, try_tcp, &addr, &o), 0);
    CHECK_EQ(o.values[1], 0);
    CHECK_EQ(o.values[2], 0);
    close(l);
}

struct abstract {
    struct sockaddr_un addr;
    socklen_t len;
};

/* values: 0 kill(parent, 0), 1 connect to the parent's abstract socket, 2 kill(own child, 0) */
static int try_scoped(void *arg, struct outcome *o)
{
    struct abstract *a = arg;
    o->values[0] = kill(getppid(), 0) == 0 ? 0 : errno;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    o->values[1] = connect(fd, (struct sockaddr *)&a->addr, a->len) == 0 ? 0 : errno;
    close(fd);
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    o->values[2] = pid > 0 && kill(pid, 0) == 0 ? 0 : errno; /* same sandbox: allowed */
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    return 0;
}

static void scope(void)
{
    struct abstract a;
    memset(&a, 0, sizeof a);
    a.addr.sun_family = AF_UNIX;
    int n = snprintf(a.addr.sun_path + 1, sizeof a.addr.sun_path - 1, "confine-test-%d", (int)getpid());
    a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(l >= 0);
    CHECK_EQ(bind(l, (struct sockaddr *)&a.addr, a.len), 0);
    CHECK_EQ(listen(l, 16), 0);
    struct outcome o;
    struct confine_spec s;
    CHECK_EQ(run_child(NULL, try_scoped, &a, &o), 0); /* control */
    CHECK_EQ(o.values[0], 0);
    CHECK_EQ(o.values[1], 0);
    spec_bare(&s);
    s.flags = CONFINE_LANDLOCK_SCOPE;
    CHECK_EQ(run_child(&s, try_scoped, &a, &o), 0);
    if (o.report.missing & CONFINE_MISSING_LANDLOCK_SCOPE) {
        close(l);
        SKIP("Landlock ABI %u has no scoping", o.report.landlock_abi);
    }
    CHECK_EQ(o.values[0], EPERM); /* no signal out of the sandbox, not even 0 */
    CHECK_EQ(o.values[1], EPERM); /* no abstract socket made outside it */
    CHECK_EQ(o.values[2], 0);     /* its own children are fine */
    close(l);
}

const struct test net_tests[] = {
    {"net_tcp_connect_and_bind_by_policy", tcp},
    {"net_scope_signals_and_abstract_sockets", scope},
    {NULL, NULL},
};
