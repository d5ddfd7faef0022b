/* io.c - socket reads and writes, watched together with SIGTERM (see io.h). */
#include "io.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "outpost.h"

/*
 * What the SIGTERM handler shares with the serving thread. The handler may run on any thread, so
 * these are atomics (seq_cst), which C11 allows in a handler when they are lock-free.
 */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the SIGTERM handler needs lock-free atomic ints");
static atomic_int term_seen;       /* a SIGTERM came since io_open() */
static atomic_int wake_fd = -1;    /* the open connection's eventfd, or -1 */
static atomic_int in_handler;      /* handlers running right now, on any thread */
static atomic_int conn_taken;      /* an io_conn is open in this process */

/* Async-signal-safe: atomics and write(2) only, and errno is left as it was. */
static void on_term(int sig)
{
    int saved_errno = errno;
    (void)sig;
    atomic_fetch_add(&in_handler, 1);
    atomic_store(&term_seen, 1);
    int fd = atomic_load(&wake_fd);
    if (fd >= 0) {
        uint64_t one = 1;
        ssize_t n = write(fd, &one, sizeof one); /* EAGAIN: the counter is not 0 anyway */
        (void)n;
    }
    atomic_fetch_sub(&in_handler, 1);
    errno = saved_errno;
}

int io_open(struct io_conn *c, int fd)
{
    sigset_t term;
    struct sigaction sa;
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->wake_fd = -1;
    if (atomic_exchange(&conn_taken, 1) != 0) {
        fprintf(stderr, "outpost: outpost_serve() is already running in this process\n");
        return OUTPOST_EBUSY;
    }
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->wake_fd < 0) {
        fprintf(stderr, "outpost: eventfd: %s\n", strerror(errno));
        atomic_store(&conn_taken, 0);
        return OUTPOST_EIO;
    }
    atomic_store(&term_seen, 0);
    atomic_store(&wake_fd, c->wake_fd);
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    /* in a multithreaded process this is the calling thread's mask (pthread_sigmask on Linux) */
    if (sigprocmask(SIG_BLOCK, &term, &c->saved_mask) != 0) {
        fprintf(stderr, "outpost: sigprocmask: %s\n", strerror(errno));
        goto undo_fd;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    /* ppoll(2) fails with EINTR after a handler whatever the flags (signal(7)); SA_RESTART is for
     * the plugin's other threads, whose system calls the handler may interrupt */
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGTERM, &sa, &c->saved_action) != 0) {
        fprintf(stderr, "outpost: sigaction: %s\n", strerror(errno));
        sigprocmask(SIG_SETMASK, &c->saved_mask, NULL);
        goto undo_fd;
    }
    c->wait_mask = c->saved_mask;
    sigdelset(&c->wait_mask, SIGTERM);
    c->open = 1;
    return 0;
undo_fd:
    atomic_store(&wake_fd, -1);
    close(c->wake_fd);
    c->wake_fd = -1;
    atomic_store(&conn_taken, 0);
    return OUTPOST_EIO;
}

void io_close(struct io_conn *c)
{
    sigset_t term;
    struct timespec zero = {0, 0};
    if (!c->open)
        return;
    /* a SIGTERM that came while we were leaving anyway must not kill us once unblocked */
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    while (sigtimedwait(&term, NULL, &zero) == SIGTERM)
        ;
    sigprocmask(SIG_SETMASK, &c->saved_mask, NULL);
    sigaction(SIGTERM, &c->saved_action, NULL);
    /* a handler that began before sigaction() may still run on another thread: once it is done,
     * no handler can write to the eventfd, so its number is free to close (and to be reused) */
    atomic_store(&wake_fd, -1);
    while (atomic_load(&in_handler) != 0)
        sched_yield();
    close(c->wake_fd);
    c->wake_fd = -1;
    c->open = 0;
    atomic_store(&conn_taken, 0);
}

int io_term_pending(struct io_conn *c)
{
    sigset_t pending;
    if (atomic_load(&term_seen) ||
        (sigpending(&pending) == 0 && sigismember(&pending, SIGTERM))) {
        c->stop = IO_TERMINATED;
        return 1;
    }
    return 0;
}

/* Tells the CPU this is a busy-wait loop (lets a sibling hyperthread run, saves power). */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#endif
}

long io_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/*
 * Waits until fd is ready for events or SIGTERM came, whichever thread got it: in this thread it
 * interrupts ppoll (EINTR), in another one the handler's write makes the eventfd readable.
 * Returns 1 ready, 0 stop (c->stop set) or deadline passed (CLOCK_MONOTONIC ns; 0: none), <0 error.
 */
static int wait_for(struct io_conn *c, short events, long deadline)
{
    struct pollfd pfd[2] = {
        {.fd = c->fd, .events = events},
        {.fd = c->wake_fd, .events = POLLIN},
    };
    for (;;) {
        if (atomic_load(&term_seen)) {
            c->stop = IO_TERMINATED;
            return 0;
        }
        struct timespec left, *timeout = NULL;
        if (deadline > 0) {
            long ns = deadline - io_now_ns();
            if (ns <= 0)
                return 0;
            left.tv_sec = ns / 1000000000L;
            left.tv_nsec = ns % 1000000000L;
            timeout = &left;
        }
        int ready = ppoll(pfd, 2, timeout, &c->wait_mask);
        if (ready == 0)
            continue; /* the deadline, seen above */
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "outpost: ppoll: %s\n", strerror(errno));
            return OUTPOST_EIO;
        }
        if (pfd[0].revents & POLLNVAL) {
            fprintf(stderr, "outpost: fd %d is not open\n", c->fd);
            return OUTPOST_EIO;
        }
        if (pfd[1].revents & (POLLNVAL | POLLERR)) {
            fprintf(stderr, "outpost: the SDK's eventfd %d was closed behind its back\n",
                    c->wake_fd);
            return OUTPOST_EIO;
        }
        if (pfd[1].revents) {
            /* term_seen says whether it was a SIGTERM; a wake-up without one (from a child
             * forked without exec, which shares the eventfd) is only read away */
            uint64_t count;
            ssize_t n = read(c->wake_fd, &count, sizeof count);
            (void)n;
            continue;
        }
        if (pfd[0].revents)
            return 1; /* POLLHUP and POLLERR too: the read or write tells what happened */
    }
}

void io_set_spin(struct io_conn *c, unsigned long micros)
{
    cpu_set_t cpus;
    /* on one CPU the host needs that CPU to send what we would wait for */
    if (sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) < 2)
        micros = 0;
    c->spin_ns = (long)micros * 1000L;
    c->hot_until = 0;
}

long io_read(struct io_conn *c, struct frame_rx *rx, long deadline)
{
    size_t space;
    uint8_t *dst = frame_rx_space(rx, &space);
    if (dst == NULL)
        return OUTPOST_ENOMEM;
    if (c->hot_until > 0 && !c->not_socket) {
        /* just written: the host often sends the next request within microseconds, sooner than
         * this CPU could sleep and be woken; SIGTERM stays pending meanwhile, ppoll sees it (and
         * one that another thread took ends the polling) */
        long until = c->hot_until;
        c->hot_until = 0;
        if (deadline > 0 && deadline < until)
            until = deadline;
        while (io_now_ns() < until && !atomic_load_explicit(&term_seen, memory_order_relaxed)) {
            ssize_t n = recv(c->fd, dst, space, MSG_DONTWAIT);
            if (n > 0) {
                if (io_term_pending(c))
                    return 0;
                frame_rx_commit(rx, (size_t)n);
                return n;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                break; /* the loop below tells what happened */
            cpu_relax();
        }
    }
    for (;;) {
        int w = wait_for(c, POLLIN, deadline);
        if (w <= 0)
            return w;
        /* ppoll(2) that finds the fd ready returns at once and leaves a pending SIGTERM pending
         * (the signal is delivered only when it returns EINTR): look for it before reading more */
        if (io_term_pending(c))
            return 0;
        ssize_t n = c->not_socket ? read(c->fd, dst, space)
                                  : recv(c->fd, dst, space, MSG_DONTWAIT);
        if (n > 0) {
            frame_rx_commit(rx, (size_t)n);
            return n;
        }
        if (n == 0 || errno == ECONNRESET) {
            c->stop = IO_PEER_GONE;
            return 0;
        }
        if (errno == ENOTSOCK) {
            c->not_socket = 1;
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            continue;
        fprintf(stderr, "outpost: read from fd %d: %s\n", c->fd, strerror(errno));
        return OUTPOST_EIO;
    }
}

int io_write(struct io_conn *c, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w;
        if (c->not_socket) {
            w = writev(c->fd, iov, n);
        } else {
            struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
            w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        if (w < 0) {
            if (errno == ENOTSOCK) {
                c->not_socket = 1;
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                int r = wait_for(c, POLLOUT, 0);
                if (r <= 0)
                    return r;
            } else if (errno == EPIPE || errno == ECONNRESET) {
                c->stop = IO_PEER_GONE;
                return 0;
            } else if (errno != EINTR) {
                fprintf(stderr, "outpost: write to fd %d: %s\n", c->fd, strerror(errno));
                return OUTPOST_EIO;
            }
            continue;
        }
        if (c->spin_ns > 0)
            c->hot_until = io_now_ns() + c->spin_ns;
        size_t done = (size_t)w;
        while (n > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}
