"""The socket to the host, watched together with SIGTERM (and Plugin.stop()).

The SIGTERM idiom: a signal handler that only sets a flag can lose the signal when it comes just
before the process blocks in a read (the flag was tested, then the read sleeps on). Instead the
SDK makes a non-blocking socketpair, the wake-up pair, and hands its write end to
signal.set_wakeup_fd(): Python's C-level signal handler writes the signal's number into it the
moment the signal arrives, whichever thread the kernel picked and whatever the serving thread
is doing. Every wait polls the host's socket and the wake-up pair's read end together, so a
SIGTERM that came at any time before or during the wait ends it at once; one that came while a
handler ran is found before the next frame is handled. The bytes read from the pair say which
signal came, so nothing depends on when the Python-level handler (a no-op) runs. Plugin.stop()
writes a byte of its own into the same pair, from any thread.

Only the main thread may install signal handlers: when serve() runs on another thread, SIGTERM
is left alone (the plugin's main thread may call Plugin.stop() from its own handler).
"""

import errno
import os
import select
import signal
import socket
import threading
import time

READ_CHUNK = 65536
STOP_BYTE = 0  # what stop() writes; no signal has number 0

RUNNING, PEER_GONE, TERMINATED = "running", "peer gone", "terminated"


class ConnectionFailed(Exception):
    """A system call on the connection failed for a reason other than the host leaving."""


def monotonic_ms():
    return time.monotonic() * 1000.0


class Connection:
    """fd (the host's socket) and the wake-up pair. The SDK never closes fd itself."""

    def __init__(self, fd):
        self.fd = fd
        self.stop = RUNNING
        self._sock = socket.socket(fileno=fd)  # detached in close(): fd stays open
        self._sock.setblocking(True)
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)
        self._poll.register(self._wake_r.fileno(), select.POLLIN)
        self._signals = False
        self._saved_wakeup = -1
        self._saved_handler = None

    def watch_sigterm(self):
        """On the main thread: SIGTERM ends serving from now on (see the module's doc)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        self._saved_handler = signal.signal(signal.SIGTERM, _on_term)
        self._saved_wakeup = signal.set_wakeup_fd(self._wake_w.fileno(), warn_on_full_buffer=False)
        self._signals = True
        return True

    def close(self):
        """Restores SIGTERM's handler and the previous wake-up fd; closes the pair, not fd."""
        if self._signals:
            signal.set_wakeup_fd(self._saved_wakeup)
            signal.signal(signal.SIGTERM, self._saved_handler)
            self._signals = False
        self._wake_r.close()
        self._wake_w.close()
        self._sock.detach()

    def request_stop(self):
        """Plugin.stop(): thread-safe, as a SIGTERM."""
        try:
            self._wake_w.send(bytes([STOP_BYTE]))
        except (BlockingIOError, OSError):
            pass  # full: a byte is waiting anyway; closed: serving is over

    def term_pending(self):
        """Whether SIGTERM (or stop()) came; sets self.stop. One system call, no waiting."""
        while True:
            try:
                data = self._wake_r.recv(256)
            except BlockingIOError:
                break
            except InterruptedError:
                continue
            if not data:
                break
            if STOP_BYTE in data or signal.SIGTERM in data:
                self.stop = TERMINATED
        return self.stop == TERMINATED

    def read(self, deadline_ms=None):
        """Waits for bytes from the host until deadline_ms (monotonic_ms(); None: no deadline).

        Returns the bytes; b"" when self.stop says why reading ended (EOF, SIGTERM), or with
        self.stop still RUNNING when the deadline passed. Raises ConnectionFailed.
        """
        while True:
            if self.term_pending():
                return b""
            timeout = None
            if deadline_ms is not None:
                timeout = deadline_ms - monotonic_ms()
                if timeout <= 0:
                    return b""
                timeout = int(timeout) + 1  # poll's milliseconds, rounded up
            events = dict(self._poll.poll(timeout))  # retried on EINTR (PEP 475)
            if self._wake_r.fileno() in events:
                continue  # term_pending() above tells what woke us
            revents = events.get(self.fd, 0)
            if revents & select.POLLNVAL:
                raise ConnectionFailed(f"fd {self.fd} is not open")
            if not revents:
                continue  # the deadline, seen above
            try:
                data = self._sock.recv(READ_CHUNK, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                data = b""
            except OSError as e:
                raise ConnectionFailed(f"read from fd {self.fd}: {e.strerror}") from e
            if not data:
                self.stop = PEER_GONE
            return data

    def write(self, data):
        """Writes all of data, waiting as long as the host does not read. A host that is gone
        (EPIPE, ECONNRESET) sets self.stop; raises ConnectionFailed for other errors."""
        if self.stop == PEER_GONE:
            return
        try:
            self._sock.sendall(data, socket.MSG_NOSIGNAL)
        except (BrokenPipeError, ConnectionResetError):
            self.stop = PEER_GONE
        except OSError as e:
            if e.errno in (errno.EPIPE, errno.ECONNRESET):
                self.stop = PEER_GONE
            else:
                raise ConnectionFailed(f"write to fd {self.fd}: {e.strerror}") from e


def _on_term(signum, frame):
    """The Python-level SIGTERM handler: nothing to do, the wake-up byte says it all."""


def check_fd(fd):
    """None if fd is an open socket, else why not."""
    try:
        os.fstat(fd)
    except OSError:
        return f"fd {fd} is not open: not started by an Outpost host?"
    try:
        s = socket.socket(fileno=fd)
    except OSError as e:
        return f"fd {fd} is not a socket ({e.strerror}): not started by an Outpost host?"
    s.detach()
    return None
