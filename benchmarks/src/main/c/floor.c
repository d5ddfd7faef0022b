/*
 * floor - what this machine can do without Outpost: a C parent and a C child on a socketpair.
 *
 * The parent spawns itself (argv[1] = "child") with posix_spawn, the socket as fd 3 and nothing
 * else open, exactly as the Outpost host spawns a plugin. Both sides speak Outpost's framing
 * (varint length, then the bytes) with a raw payload and no protobuf: the cost of the boundary
 * alone. Measured, each as p50 and p99 over many samples:
 *
 *   rtt.64 / rtt.4096        one caller, ping-pong round trip (us)
 *   large.1048576 / 16777216 round trip of a big frame (payload MB/s = size / round trip)
 *   spawn                    posix_spawn -> the child's first message read by the parent (us)
 *   stop                     parent closes its end -> child sees EOF, exits -> waitpid returns (us)
 *
 * Output: one line per figure, "floor.<name> <p50> <p99> <unit>", for run.sh's table.
 * Usage: floor [scale]   scale divides the sample counts (1 = full run; the smoke test uses 100).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME ((size_t)16 * 1024 * 1024 + 64)

extern char **environ;

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* 0 on success, -1 on end of file */
static int read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n == 0)
            return -1;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("read");
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("send");
        }
        p += n;
        len -= (size_t)n;
    }
}

static size_t put_varint(uint8_t *out, size_t v)
{
    size_t i = 0;
    while (v >= 0x80) {
        out[i++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[i++] = (uint8_t)v;
    return i;
}

/* reads one frame into buf (capacity MAX_FRAME); returns its length, or -1 at end of file */
static long read_frame(int fd, uint8_t *buf)
{
    size_t len = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        uint8_t b;
        if (read_full(fd, &b, 1) < 0)
            return -1;
        len |= (size_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    if (len > MAX_FRAME) {
        fprintf(stderr, "floor: frame of %zu bytes is too large\n", len);
        exit(2);
    }
    return read_full(fd, buf, len) < 0 ? -1 : (long)len;
}

/* header and payload in one send, as a real sender with a buffer would */
static void write_frame(int fd, uint8_t *frame_start, size_t len)
{
    uint8_t hdr[5];
    size_t h = put_varint(hdr, len);
    memcpy(frame_start - h, hdr, h);
    write_full(fd, frame_start - h, h + len);
}

static int child(void)
{
    uint8_t *mem = malloc(MAX_FRAME + 8);
    if (mem == NULL)
        die("malloc");
    uint8_t *buf = mem + 8;
    buf[0] = 'h';
    write_frame(3, buf, 1); /* the first message: "I am here" */
    long n;
    while ((n = read_frame(3, buf)) >= 0)
        write_frame(3, buf, (size_t)n);
    return 0;
}

typedef struct {
    pid_t pid;
    int fd;
} floor_child;

static floor_child spawn_child(const char *self)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die("socketpair");
    if (fcntl(sv[0], F_SETFD, FD_CLOEXEC) < 0)
        die("fcntl");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (sv[1] != 3)
        posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    posix_spawn_file_actions_addclosefrom_np(&fa, 4);
    char *argv[] = {(char *)self, "child", NULL};
    floor_child c = {0, sv[0]};
    int rc = posix_spawn(&c.pid, self, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        die("posix_spawn");
    }
    close(sv[1]);
    return c;
}

static void stop_child(floor_child c)
{
    close(c.fd);
    int status;
    while (waitpid(c.pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t pct(uint64_t *s, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return s[i];
}

static void report_us(const char *name, uint64_t *s, size_t n)
{
    qsort(s, n, sizeof *s, cmp_u64);
    printf("floor.%s %.2f %.2f us\n", name, pct(s, n, 0.50) / 1e3, pct(s, n, 0.99) / 1e3);
}

/* MB/s of payload per round trip: the p50 rate comes from the p50 time, the p99 rate from the p99 */
static void report_mbs(const char *name, size_t size, uint64_t *s, size_t n)
{
    qsort(s, n, sizeof *s, cmp_u64);
    printf("floor.%s %.1f %.1f MB/s\n", name, size * 1e3 / (double)pct(s, n, 0.50),
           size * 1e3 / (double)pct(s, n, 0.99));
}

static void round_trips(floor_child c, uint8_t *buf, size_t size, size_t warmup, uint64_t *s, size_t n)
{
    memset(buf, 'x', size);
    for (size_t i = 0; i < warmup + n; i++) {
        uint64_t t0 = now_ns();
        write_frame(c.fd, buf, size);
        if (read_frame(c.fd, buf) != (long)size) {
            fprintf(stderr, "floor: short echo\n");
            exit(2);
        }
        if (i >= warmup)
            s[i - warmup] = now_ns() - t0;
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    long scale = argc > 1 ? atol(argv[1]) : 1;
    if (scale < 1)
        scale = 1;
    const char *self = "/proc/self/exe";
    char path[4096];
    ssize_t pl = readlink(self, path, sizeof path - 1);
    if (pl < 0)
        die("readlink");
    path[pl] = '\0';

    size_t small_n = 50000 / scale, large_n = 200 / scale, huge_n = 30 / scale, spawn_n = 300 / scale;
    if (large_n < 3) large_n = 3;
    if (huge_n < 2) huge_n = 2;
    if (spawn_n < 3) spawn_n = 3;
    uint64_t *s = calloc(small_n + spawn_n + large_n, sizeof *s);
    uint8_t *mem = malloc(MAX_FRAME + 8);
    if (s == NULL || mem == NULL)
        die("malloc");
    uint8_t *buf = mem + 8;

    floor_child c = spawn_child(path);
    if (read_frame(c.fd, buf) != 1)
        die("hello");
    round_trips(c, buf, 64, small_n / 5, s, small_n);
    report_us("rtt.64", s, small_n);
    round_trips(c, buf, 4096, small_n / 5, s, small_n);
    report_us("rtt.4096", s, small_n);
    round_trips(c, buf, 1 << 20, 5, s, large_n);
    report_mbs("large.1048576", 1 << 20, s, large_n);
    round_trips(c, buf, 16 << 20, 2, s, huge_n);
    report_mbs("large.16777216", 16 << 20, s, huge_n);
    stop_child(c);

    uint64_t *stop = calloc(spawn_n, sizeof *stop);
    if (stop == NULL)
        die("malloc");
    for (size_t i = 0; i < spawn_n; i++) {
        uint64_t t0 = now_ns();
        floor_child k = spawn_child(path);
        if (read_frame(k.fd, buf) != 1)
            die("hello");
        uint64_t t1 = now_ns();
        stop_child(k);
        s[i] = t1 - t0;
        stop[i] = now_ns() - t1;
    }
    report_us("spawn", s, spawn_n);
    report_us("stop", stop, spawn_n);
    free(stop);
    free(s);
    free(mem);
    return 0;
}
