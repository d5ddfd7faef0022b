"""One connection's life: Hello, Welcome, the frames from the host, the calls both ways, leaving.

Everything runs on the serving thread (the one that called Plugin.serve()), one frame at a time:
a Request's handler runs to completion before the next frame is read, except that a handler
waiting in Plugin.call() goes on reading, and runs the host's requests that come meanwhile
nested, on the same thread, inside that call (at most MAX_NESTING deep).
"""

import math
import sys
import threading
import traceback

from outpost import messages as msg
from outpost.connection import RUNNING, TERMINATED, Connection, ConnectionFailed, monotonic_ms
from outpost.errors import Code, Error, code_of
from outpost.framing import FrameDecoder, FramingError
from outpost.methods import Request, check_name, to_payload
from outpost.text import fit

PROTOCOL_VERSION_MIN = 1
PROTOCOL_VERSION_MAX = 1
PROTOCOL_MINOR_VERSION = 1  # the highest minor version of PROTOCOL_VERSION_MAX this SDK knows
MAX_NESTING = 4             # host requests handled inside a handler's call(), besides the outer one
NAME_QUOTE_MAX = 200        # bytes of a name quoted in an UNIMPLEMENTED message
TIMEOUT_MS_MAX = 2**32 - 1


class _Failed(Exception):
    """Unwinds the handling of a frame that ends the connection with this reason."""


class _Pending:
    """A call of the plugin's in flight: a Request was sent, no answer came yet."""

    __slots__ = ("id", "deadline", "timeout_ms", "done", "payload", "error")

    def __init__(self, call_id, timeout_ms):
        self.id = call_id
        self.timeout_ms = timeout_ms
        self.deadline = monotonic_ms() + timeout_ms if timeout_ms else None
        self.done = False
        self.payload = None
        self.error = None


class Session:
    """The state of one serve(): the connection, the handshake, the calls in flight."""

    def __init__(self, plugin, fd, max_frame):
        self.plugin = plugin
        self.conn = Connection(fd)
        self.max_frame = max_frame      # bytes, both directions
        self.decoder = FrameDecoder(max_frame)
        self.thread = threading.get_ident()
        self.welcomed = False
        self.leaving = False            # Goodbye, SIGTERM, EOF or failure: no frame is handled
        self.leave_reason = None
        self.failed = None              # why the connection failed; serve() then returns 1
        self.depth = 0                  # handlers running, one inside another's call()
        self.last_id = 0                # the highest call id sent; ids are 1, 2, 3...
        self.calls = {}                 # id -> _Pending
        self._write_lock = threading.Lock()  # log() may come from any thread

    # ---- serving ---------------------------------------------------------------------------

    def run(self):
        """Serves until the host lets the plugin go. Returns 0, or 1 when the connection failed
        (the reason went to stderr)."""
        try:
            self.conn.watch_sigterm()
            self.plugin._session_started(self)
            self._send(msg.hello(self.plugin.name, self.plugin.version, self.plugin._services(),
                                 PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX,
                                 PROTOCOL_MINOR_VERSION))
            while not self.leaving:
                self.pump(None)
        finally:
            self.leaving = True
            if self.leave_reason is None:
                self.leave_reason = "the plugin stopped serving"
            self.calls.clear()
            self.conn.close()
        return 0 if self.failed is None else 1

    def pump(self, deadline):
        """Handles one frame received already, or, when there is none, waits until deadline
        (monotonic_ms(); None: none) and reads more. Sets self.leaving when serving must end."""
        try:
            try:
                frame = self.decoder.next()
            except FramingError as e:
                raise _Failed(f"protocol error: {e}") from None
            if frame is not None:
                # frames read together are handled without waiting: SIGTERM is looked for between
                # them, so that the calls queued behind the one it came during are not started
                if self.conn.term_pending():
                    return self._stopped()
                self._handle(frame)
            else:
                data = self.conn.read(deadline)
                if data:
                    self.decoder.feed(data)
            if self.conn.stop != RUNNING:
                self._stopped()
        except (_Failed, ConnectionFailed) as e:
            self._fail(str(e))

    def say(self, text):
        """A line to stderr, which the host logs under the plugin's name."""
        print(f"outpost: {self.plugin.name}: {text}", file=sys.stderr, flush=True)

    def _fail(self, reason):
        if self.failed is None:
            self.failed = reason
            self.say(reason)
        self.leaving = True
        if self.leave_reason is None:
            self.leave_reason = "the connection to the host failed"

    def _stopped(self):
        self.leaving = True
        if self.leave_reason is None:
            self.leave_reason = ("the plugin got SIGTERM" if self.conn.stop == TERMINATED
                                 else "the host closed the connection")

    def _send(self, frame):
        data, size = msg.encoded(frame)
        if size > self.max_frame:
            return self._fail(f"frame of {size} bytes exceeds the maximum of {self.max_frame} bytes")
        self._write(data)

    def _write(self, data):
        try:
            with self._write_lock:
                self.conn.write(data)
        except ConnectionFailed as e:
            self._fail(str(e))

    # ---- the frames from the host ------------------------------------------------------------

    def _handle(self, data):
        try:
            frame, kind = msg.parse_frame(data)
        except msg.DecodeError:
            raise _Failed(f"protocol error: malformed frame of {len(data)} bytes") from None
        if kind is None:
            raise _Failed(f"protocol error: frame of {len(data)} bytes has no kind")
        if not self.welcomed and kind not in ("welcome", "refusal", "goodbye", "ping"):
            raise _Failed(f"protocol error: {msg.KIND_NAMES[kind]} before the Welcome")
        getattr(self, "_on_" + kind)(getattr(frame, kind))

    def _on_hello(self, hello):
        raise _Failed("protocol error: Hello from the host")

    def _on_welcome(self, w):
        if self.welcomed:
            raise _Failed("protocol error: a second Welcome")
        if not PROTOCOL_VERSION_MIN <= w.version <= PROTOCOL_VERSION_MAX:
            raise _Failed(f"protocol error: host chose version {w.version}, outside "
                          f"[{PROTOCOL_VERSION_MIN}, {PROTOCOL_VERSION_MAX}]")
        if w.max_frame_size != 0:
            self.max_frame = self.decoder.max_frame = w.max_frame_size
        config = {}
        for entry in w.config:  # a key that repeats: the last wins
            config[entry.key] = entry.value
        self.welcomed = True
        self.plugin._take_welcome(config, tuple(w.imports), w.minor_version)
        self._run_ready()

    def _run_ready(self):
        ready = self.plugin._ready
        if ready is None:
            return
        try:
            ready(self.plugin)
        except Exception as e:  # noqa: BLE001 - the plugin's code
            if self.failed is not None or self.leaving:
                return  # serving ended while it waited in call(): nothing of its own failed
            traceback.print_exc()
            if self.conn.stop == RUNNING:
                self._send(msg.goodbye("the plugin's ready callback failed"))
            self.leave_reason = "the plugin's ready callback failed"
            self._fail(f"the ready callback failed ({type(e).__name__}: {e}): leaving")

    def _on_refusal(self, r):
        raise _Failed(f"the host refused the plugin: {r.reason}")

    def _on_goodbye(self, bye):
        self.leaving = True
        self.leave_reason = "the host said Goodbye"

    def _on_ping(self, ping):
        self._send(msg.pong(ping.nonce))

    def _on_pong(self, pong):
        pass

    def _on_cancel(self, cancel):
        pass  # the host's calls run to completion: nothing to cancel

    def _on_log(self, log):
        pass

    def _on_request(self, r):
        if self.depth == 1 + MAX_NESTING:
            return self._answer_error(r.id, Code.RESOURCE_EXHAUSTED,
                                      "too many calls nested in the plugin's calls of the host")
        m = self.plugin._methods.get((r.service, r.method))
        if m is None:
            return self._answer_error(
                r.id, Code.UNIMPLEMENTED,
                f'plugin {self.plugin.name} has no method "{fit(r.method, NAME_QUOTE_MAX)}" '
                f'in service "{fit(r.service, NAME_QUOTE_MAX)}"')
        request = Request(r.id, r.service, r.method, r.payload, r.timeout_ms, self.plugin)
        payload = error = None
        self.depth += 1
        try:
            payload = m.invoke(request)
        except Error as e:
            error = e
        except Exception as e:  # noqa: BLE001 - the plugin's code
            self.say(f"{r.service}/{r.method} failed:\n{traceback.format_exc().rstrip()}")
            error = Error(Code.INTERNAL, str(e) or type(e).__name__)
        finally:
            self.depth -= 1
        if self.failed is not None:
            return  # the connection failed while the handler waited in call(): no answer
        if error is not None:
            if not isinstance(error.code, Code):
                return self._answer_error(r.id, Code.INTERNAL,
                                          f"handler set the invalid error code {error.code!r}")
            return self._answer_error(r.id, error.code, error.message)
        if len(payload) > self.max_payload():
            return self._answer_error(
                r.id, Code.RESOURCE_EXHAUSTED,
                f"response of {len(payload)} bytes exceeds the maximum payload of "
                f"{self.max_payload()} bytes")
        self._send(msg.response_payload(r.id, payload))

    def _answer_error(self, call_id, code, message):
        self._send(msg.response_error(call_id, code, fit(message, self.max_text())))

    def _on_response(self, r):
        if r.id == 0 or r.id > self.last_id:
            raise _Failed(f"protocol error: Response to call {r.id}, which was never sent")
        c = self.calls.pop(r.id, None)
        if c is None:
            return  # no longer in flight (its deadline passed): dropped
        if r.WhichOneof("result") == "error":
            c.error = Error(code_of(r.error.code), r.error.message)
        else:
            c.payload = r.payload  # neither set: an empty payload
        c.done = True

    # ---- limits --------------------------------------------------------------------------------

    def max_payload(self):
        return max(self.max_frame - msg.RESPONSE_OVERHEAD, 0)

    def max_text(self):
        return max(self.max_frame - msg.TEXT_OVERHEAD, 0)

    # ---- the plugin's calls of the host --------------------------------------------------------

    def call(self, service, method, payload, timeout, response_type):
        if threading.get_ident() != self.thread or not self.welcomed:
            raise RuntimeError("outpost: call() works only on the serving thread, after the "
                               "Welcome: from a handler or the ready callback")
        check_name(service, "service")
        check_name(method, "method")
        data = to_payload(payload, "the payload")
        timeout_ms = _timeout_ms(timeout)
        if self.leaving:
            raise Error(Code.UNAVAILABLE, self.leave_reason)
        call_id = self.last_id + 1
        encoded, size = msg.encoded(msg.request(call_id, service, method, data, timeout_ms))
        if size > self.max_frame:
            raise Error(Code.RESOURCE_EXHAUSTED, f"request of {size} bytes exceeds the maximum "
                                                 f"frame size of {self.max_frame} bytes")
        self.last_id = call_id
        c = self.calls[call_id] = _Pending(call_id, timeout_ms)
        self._write(encoded)
        while not c.done:
            if self.leaving:
                self.calls.pop(call_id, None)
                raise Error(Code.UNAVAILABLE, self.leave_reason)
            # Pings, the host's requests (nested), answers to other calls; deadlines, ours too
            self.pump(self._next_deadline())
            self._expire()
        if c.error is not None:
            raise c.error
        if response_type is None:
            return c.payload
        try:
            return response_type.FromString(c.payload)
        except msg.DecodeError as e:
            raise Error(Code.INTERNAL, f"{service}/{method}: the answer is not a "
                                       f"{response_type.DESCRIPTOR.full_name}: {e}") from None

    def _next_deadline(self):
        deadlines = [c.deadline for c in self.calls.values() if c.deadline is not None]
        return min(deadlines) if deadlines else None

    def _expire(self):
        now = monotonic_ms()
        for c in [c for c in self.calls.values() if c.deadline is not None and c.deadline <= now]:
            del self.calls[c.id]
            c.error = Error(Code.DEADLINE_EXCEEDED,
                            f"no answer from the host within {c.timeout_ms} ms")
            c.done = True
            if not self.leaving:
                self._send(msg.cancel(c.id))

    # ---- logging -------------------------------------------------------------------------------

    def log(self, level, message):
        text = fit(message, self.max_text())
        if not self.welcomed or self.failed is not None or self.conn.stop != RUNNING:
            return False  # the caller prints it to stderr
        self._send(msg.log(level, text))
        return True


def _timeout_ms(timeout):
    """A timeout in seconds (None or 0: none) as the Request's milliseconds, rounded up."""
    if timeout is None or timeout == 0:
        return 0
    if timeout < 0:
        raise ValueError(f"outpost: a timeout is not negative, not {timeout!r}")
    return min(max(math.ceil(timeout * 1000), 1), TIMEOUT_MS_MAX)
