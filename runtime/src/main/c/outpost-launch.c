/*
 * outpost-launch: the first program of every plugin process.
 *
 * The host cannot ask posix_spawn(3) for PR_SET_PDEATHSIG, so it spawns this trampoline, which
 * arms the parent-death signal and then executes the plugin in its place (same pid, same fds,
 * same process group, same environment):
 *
 *     outpost-launch NAME HOST_PID PATH [ARG...]   ==>   execve(PATH, [NAME, ARG...], envp)
 *
 * It also closes every descriptor above 3 that the host had open without close-on-exec (the JVM
 * opens most files so), here rather than in posix_spawn's file actions: the host's spawn thread
 * waits for the child until its first exec, and with a thousand plugins the host holds some five
 * thousand descriptors, whose closing took 0.6 ms of that wait on every spawn.
 *
 * If the host dies (even by SIGKILL), the kernel sends SIGKILL to the plugin at once, so a plugin
 * that ignores the end of its socket cannot outlive the host. PDEATHSIG follows the thread that
 * spawned the child; the host spawns every plugin from one long-lived thread for that reason.
 * HOST_PID closes the race of a host that died before prctl(): then the parent is no longer it.
 * Exits 127 (like a shell that cannot run a command) when it cannot hand over.
 *
 * It is on the path of every plugin start, so it has no C library: five system calls from a bare
 * _start, in a static binary of a few kilobytes. (Built against static glibc it was 760 KB, and
 * its exec and start-up added about 0.45 ms to every spawn.)
 */
#include <asm/unistd.h>
#include <linux/prctl.h>

#define SIGKILL 9
#define EXIT_CANNOT_RUN 127
#define FIRST_FD_TO_CLOSE 4
#define ENOSYS 38
#define RLIMIT_NOFILE 7

#if defined(__x86_64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  xor %rbp, %rbp\n"
        "  mov %rsp, %rdi\n"      /* argc, argv..., NULL, envp..., NULL */
        "  and $-16, %rsp\n"
        "  call launch\n"
        "  hlt\n");

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static long sys4(long n, long a, long b, long c, long d)
{
    long r;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return r;
}
#elif defined(__aarch64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "  mov x0, sp\n"
        "  bl launch\n");

static long sys3(long n, long a, long b, long c)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}

static long sys4(long n, long a, long b, long c, long d)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
    return x0;
}
#else
#error "outpost-launch: no system call stub for this architecture"
#endif

static unsigned long length(const char *s)
{
    unsigned long n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s)
{
    sys3(__NR_write, 2, (long)s, (long)length(s));
}

static __attribute__((noreturn)) void leave(int status)
{
    for (;;)
        sys3(__NR_exit_group, status, 0, 0);
}

/* what strerror(3) says for the errors exec reports in practice; NULL for the others */
static const char *describe(long e)
{
    switch (e) {
    case 2: return "No such file or directory";
    case 7: return "Argument list too long";
    case 8: return "Exec format error";
    case 12: return "Cannot allocate memory";
    case 13: return "Permission denied";
    case 26: return "Text file busy";
    case 40: return "Too many levels of symbolic links";
    default: return 0;
    }
}

static void say_number(long v)
{
    char digits[24];
    int i = sizeof digits - 1;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && i > 0);
    say(digits + i);
}

/* Closes every descriptor from FIRST_FD_TO_CLOSE up: close_range(2), or where the kernel is older
 * than 5.9, close(2) on each up to the descriptor limit. */
static void close_inherited(void)
{
    if (sys3(__NR_close_range, FIRST_FD_TO_CLOSE, ~0U, 0) != -ENOSYS)
        return;
    struct { unsigned long cur, max; } limit = {0, 0};
    if (sys4(__NR_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&limit) != 0 || limit.cur > (1UL << 20))
        limit.cur = 1UL << 20;
    for (unsigned long fd = FIRST_FD_TO_CLOSE; fd < limit.cur; fd++)
        sys3(__NR_close, (long)fd, 0, 0);
}

/* a decimal pid > 0, or -1 */
static long parse_pid(const char *s)
{
    long v = 0;
    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000L)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v > 0 ? v : -1;
}

__attribute__((noreturn, used)) void launch(long *stack)
{
    long argc = stack[0];
    char **argv = (char **)(stack + 1);
    char **envp = argv + argc + 1;
    if (argc < 4) {
        say("outpost-launch: usage: NAME HOST_PID PATH [ARG...]\n");
        leave(EXIT_CANNOT_RUN);
    }
    long host = parse_pid(argv[2]);
    if (host < 0) {
        say("outpost-launch: bad host pid '");
        say(argv[2]);
        say("'\n");
        leave(EXIT_CANNOT_RUN);
    }
    if (sys3(__NR_prctl, PR_SET_PDEATHSIG, SIGKILL, 0) != 0) {
        say("outpost-launch: prctl(PR_SET_PDEATHSIG) failed\n");
        leave(EXIT_CANNOT_RUN);
    }
    if (sys3(__NR_getppid, 0, 0, 0) != host)
        leave(EXIT_CANNOT_RUN); /* the host is already gone */
    close_inherited();
    char *path = argv[3];
    argv[3] = argv[1]; /* the plugin's argv: NAME ARG... */
    long e = -sys3(__NR_execve, (long)path, (long)(argv + 3), (long)envp);
    say("outpost-launch: cannot execute ");
    say(argv[1]);
    say(": ");
    if (describe(e)) {
        say(describe(e));
    } else {
        say("errno ");
        say_number(e);
    }
    say("\n");
    leave(EXIT_CANNOT_RUN);
}
