/*
 * io.h - the connection to the host: reading, writing, and SIGTERM.
 *
 * While the connection is open, SIGTERM goes to a handler of the SDK's that records it and
 * writes to a self-pipe (an eventfd) which every wait watches together with the connection:
 *
 *   - the serving thread blocks SIGTERM and lets it through only inside ppoll(2), so a SIGTERM
 *     that comes just before a wait is not lost (it is delivered in the ppoll) and handlers are
 *     never interrupted by it (no EINTR in plugin code);
 *   - any other thread that does not block SIGTERM may get it instead: the handler then runs on
 *     that thread, and its write to the eventfd wakes the serving thread's ppoll.
 *
 * The eventfd is the one descriptor the SDK adds (close-on-exec, non-blocking), from io_open()
 * to io_close(). One connection at a time per process: the handler's state is global.
 */
#ifndef OUTPOST_IO_H
#define OUTPOST_IO_H

#include <signal.h>
#include <stddef.h>
#include <sys/uio.h>

#include "frame.h"

enum io_stop {
    IO_RUNNING = 0,
    IO_PEER_GONE = 1,  /* EOF, or the host closed its end while we wrote */
    IO_TERMINATED = 2  /* SIGTERM */
};

struct io_conn {
    int fd;
    int wake_fd;         /* the eventfd the SIGTERM handler writes to; -1 when not open */
    int open;
    int not_socket;      /* fd is a pipe or the like: use read/write */
    enum io_stop stop;
    sigset_t saved_mask; /* the mask before io_open() */
    sigset_t wait_mask;  /* saved_mask without SIGTERM: the mask inside ppoll */
    struct sigaction saved_action;
    long spin_ns;        /* after a write, a read polls this long before it sleeps; 0: never */
    long hot_until;      /* CLOCK_MONOTONIC ns: until then the next read polls; 0: it does not */
};

/*
 * Takes fd as the connection: opens the eventfd, installs the SIGTERM handler and blocks SIGTERM
 * in the calling thread, which must be the one that reads and writes.
 * Returns 0, OUTPOST_EBUSY (a connection is already open in this process) or OUTPOST_EIO
 * (reason printed to stderr); on failure nothing is left open or changed.
 */
int io_open(struct io_conn *c, int fd);

/*
 * After each write, the next read polls the socket for up to `micros` before it sleeps in ppoll
 * (the host's outpost.spin.us, passed as OUTPOST_SPIN_US); 0, the default, never polls, and
 * neither does a process allowed on one CPU only.
 */
void io_set_spin(struct io_conn *c, unsigned long micros);

/*
 * Consumes a pending SIGTERM, restores the signal mask and the previous SIGTERM action, waits
 * for handlers still running on other threads, and closes the eventfd. Does not close fd.
 */
void io_close(struct io_conn *c);

/*
 * Checks for a pending SIGTERM without waiting (one system call): returns 1 and sets c->stop if
 * there is one, else 0. For frames that were read together, which are handled without waiting.
 */
int io_term_pending(struct io_conn *c);

/*
 * Waits for bytes from the host until deadline (CLOCK_MONOTONIC ns, see io_now_ns(); 0 for none)
 * and appends them to rx.
 * Returns the number of bytes (> 0); 0 when c->stop says why reading ended, or, with c->stop still
 * IO_RUNNING, when the deadline passed; or OUTPOST_EIO / OUTPOST_ENOMEM.
 */
long io_read(struct io_conn *c, struct frame_rx *rx, long deadline);

/* CLOCK_MONOTONIC in nanoseconds, the clock of deadlines. */
long io_now_ns(void);

/*
 * Writes all bytes of iov[0..n), waiting as long as the host does not read.
 * Returns 0 when written; 0 as well when c->stop became non-zero meanwhile (nothing more will be
 * written); or OUTPOST_EIO.
 */
int io_write(struct io_conn *c, struct iovec *iov, int n);

#endif
