"""The plugin: its name, version and methods, and while it serves, its connection to the host."""

import os
import sys
import threading
import types

from outpost.connection import check_fd
from outpost.errors import Level
from outpost.methods import Method, check_name
from outpost.session import Session
from outpost.text import to_text

DEFAULT_FD = 3
DEFAULT_MAX_FRAME_SIZE = 16777216


def _env_number(name, default, maximum):
    """A positive number from the environment, or default (as the C SDK reads it)."""
    try:
        value = int(os.environ.get(name, ""), 10)
    except ValueError:
        return default
    return value if 0 < value <= maximum else default


class Plugin:
    """An Outpost plugin. Register methods, then call serve() (once) on the main thread::

        plugin = outpost.Plugin(version="1.0.0")
        plugin.add_method("echo", "echo", lambda request: request.payload)
        sys.exit(plugin.serve())

    name:    the name sent in the Hello; None takes $OUTPOST_PLUGIN_NAME, else "plugin" (a
             script's argv[0] is the interpreter, so the SDK never looks at it).
    version: the version sent in the Hello.

    Threads: handlers and the ready callback run one at a time on the thread that called
    serve(); call() works only there. log() and stop() may be called from any thread.
    """

    def __init__(self, name=None, version=""):
        if name is None:
            name = os.environ.get("OUTPOST_PLUGIN_NAME") or "plugin"
        self.name = name
        self.version = version
        self._methods = {}          # (service, method) -> Method, in the order of registration
        self._ready = None
        self._state = "new"         # new, serving, done
        self._session = None
        self._stop_asked = False
        self._config = types.MappingProxyType({})
        self._imports = ()
        self._host_minor = 0

    # ---- before serving ------------------------------------------------------------------------

    def add_method(self, service, method, fn, request_type=None):
        """Registers fn for one method of one service; the Hello announces them in this order.

        fn(request) gets an outpost.Request; with request_type (a generated protobuf message
        class), fn(message) gets the payload parsed as that message instead (a payload that does
        not parse is answered INVALID_ARGUMENT without calling fn). fn returns the answer: a
        protobuf message (serialized by the SDK), bytes, a str (sent as UTF-8) or None (empty).
        It raises outpost.Error(code, message) to answer that error; any other exception answers
        INTERNAL with its message (and its traceback goes to stderr).
        Raises ValueError (empty or non-str names, already registered), TypeError (fn not
        callable), RuntimeError (serve() was called).
        """
        check_name(service, "service")
        check_name(method, "method")
        if not callable(fn):
            raise TypeError(f"outpost: the handler of {service}/{method} is not callable")
        if self._state != "new":
            raise RuntimeError("outpost: add_method() after serve()")
        if (service, method) in self._methods:
            raise ValueError(f"outpost: {service}/{method} is already registered")
        self._methods[(service, method)] = Method(service, method, fn, request_type)

    def method(self, service, method, request_type=None):
        """add_method() as a decorator: ``@plugin.method("hello", "greet")``."""
        def register(fn):
            self.add_method(service, method, fn, request_type)
            return fn
        return register

    def on_ready(self, fn):
        """Registers fn(plugin), called once on the serving thread after the Welcome and before
        the first request (for example to look at plugin.imports and call() the host). If it
        raises, the SDK says so on stderr, sends the host a Goodbye and serve() returns 1.
        Usable as a decorator. Raises RuntimeError once serve() was called."""
        if self._state != "new":
            raise RuntimeError("outpost: on_ready() after serve()")
        self._ready = fn
        return fn

    # ---- serving -------------------------------------------------------------------------------

    def serve(self, fd=None):
        """Serves the host until it lets the plugin go; returns the process's exit status.

        Takes the connection from fd (None: $OUTPOST_FD, default 3) and the maximum frame size
        from $OUTPOST_MAX_FRAME_SIZE (default 16 MiB) until the Welcome says otherwise; sends the
        Hello, waits for the Welcome, then handles frames one at a time: requests go to their
        handler (UNIMPLEMENTED if none is registered), pings are answered, cancels are ignored.
        On the main thread it also watches SIGTERM (connection.py tells how): a handler that is
        running when it arrives finishes and its answer is sent, and serve() returns 0.
        The SDK does not close fd.

        Returns 0 when the host said Goodbye, closed the connection, or SIGTERM (or stop()) came;
        1 after a one-line reason on stderr: Refusal, protocol error, I/O error, the ready
        callback failed. Raises RuntimeError when called twice.
        """
        if self._state != "new":
            raise RuntimeError("outpost: serve() can be called once per plugin")
        self._state = "serving"
        try:
            if fd is None:
                fd = _env_number("OUTPOST_FD", DEFAULT_FD, 1 << 30)
            problem = check_fd(fd)
            if problem is not None:
                print(f"outpost: {self.name}: {problem}", file=sys.stderr, flush=True)
                return 1
            max_frame = _env_number("OUTPOST_MAX_FRAME_SIZE", DEFAULT_MAX_FRAME_SIZE, 2**32 - 1)
            _set_process_name(self.name)
            return Session(self, fd, max_frame).run()
        finally:
            self._session = None
            self._state = "done"

    def stop(self):
        """Ends serving as SIGTERM does: from any thread, also before serve() (which then
        returns 0 right after its Hello)."""
        self._stop_asked = True
        session = self._session
        if session is not None:
            session.conn.request_stop()

    def call(self, service, method, payload=b"", timeout=None, response_type=None):
        """Calls method of the host's service and waits for the answer.

        payload: bytes, a str (UTF-8) or a protobuf message (serialized).
        timeout: seconds (a float); sent to the host as the call's deadline and enforced here
                 too; None or 0 for none of the SDK's own (the host applies its maximum).
        response_type: a protobuf message class to parse the answer with; None returns bytes.

        Only on the serving thread after the Welcome: from a handler or the ready callback.
        While it waits the SDK goes on serving: pings are answered, and a request of the host is
        handled at once, nested, inside this call (at most 4 deep; one more is answered
        RESOURCE_EXHAUSTED); a Goodbye, the end of the connection or SIGTERM ends the wait.
        Raises outpost.Error: the host's error (UNIMPLEMENTED, PERMISSION_DENIED for a service the
        bundle does not import, UNAVAILABLE for one not available...), DEADLINE_EXCEEDED when
        timeout passed (the SDK then sends the host a Cancel and drops a late answer),
        UNAVAILABLE when serving ended (or ends while waiting), RESOURCE_EXHAUSTED for a Request
        over the maximum frame size. Raises RuntimeError when not on the serving thread.
        """
        session = self._session
        if session is None:
            raise RuntimeError("outpost: call() works only while serve() runs")
        return session.call(service, method, payload, timeout, response_type)

    def log(self, level, message):
        """Sends a line to the host's log (a Log frame) at level (outpost.Level or 1..5).

        message (str, bytes or any object, str()'d) is sent as valid UTF-8 (bytes that are not
        become U+FFFD) and cut on a character boundary, ending in "...", to fit a frame.
        Before the Welcome or once the connection is gone, the line goes to stderr instead.
        Raises ValueError for an unknown level."""
        try:
            level = Level(level)
        except ValueError:
            raise ValueError(f"outpost: unknown log level {level!r}") from None
        session = self._session
        if session is None or not session.log(level, message):
            print(f"{level.name} {to_text(message)}", file=sys.stderr, flush=True)

    # ---- what the Welcome said -----------------------------------------------------------------

    @property
    def config(self):
        """The Welcome's configuration (the bundle's Outpost-Config) as a read-only mapping;
        empty before the Welcome. A key that appears more than once has its last value."""
        return self._config

    @property
    def imports(self):
        """The host services the Welcome listed as available to the plugin (its bundle's
        Outpost-Import that exist now), as a tuple; empty before the Welcome or from a 1.0 host.
        Availability may change later: a call then raises Error(UNAVAILABLE)."""
        return self._imports

    @property
    def host_minor_version(self):
        """The Welcome's minor_version: 1 from a 1.1 host, 0 from a 1.0 host or before."""
        return self._host_minor

    @property
    def max_payload(self):
        """The largest answer payload that fits in one frame (larger answers are replaced by a
        RESOURCE_EXHAUSTED error); 0 when not serving."""
        session = self._session
        return session.max_payload() if session is not None else 0

    # ---- for the session -----------------------------------------------------------------------

    def _services(self):
        """(service, [method, ...]) in the order of each service's first method."""
        services = {}
        for service, method in self._methods:
            services.setdefault(service, []).append(method)
        return list(services.items())

    def _session_started(self, session):
        self._session = session
        if self._stop_asked:
            session.conn.request_stop()

    def _take_welcome(self, config, imports, minor):
        self._config = types.MappingProxyType(config)
        self._imports = imports
        self._host_minor = minor


def _set_process_name(name):
    """Names the process as ps -e and top show it (PR_SET_NAME, the first 15 bytes): executed
    from a memfd, it is "memfd:NAME" or the interpreter's name otherwise. Best effort."""
    if threading.current_thread() is not threading.main_thread():
        return  # PR_SET_NAME names the calling thread only
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, name.encode("utf-8")[:15], 0, 0, 0)  # 15: PR_SET_NAME
    except (ImportError, OSError, AttributeError):
        pass
