"""What the tests share: the generated outpost_pb2 on sys.path, and a fake host that spawns a
plugin process and plays the host's side of the protocol over a socketpair.

The generated module comes from $OUTPOST_PY_GEN (a directory holding outpost/v1/outpost_pb2.py,
as the build makes it), else from sdk/python/target/gen, which protoc (re)writes when it is
missing or older than the .proto.
"""

import io
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SDK = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(SDK))
PROTO_DIR = os.path.join(REPO, "plugin-api", "src", "main", "proto")
PROTO = os.path.join(PROTO_DIR, "outpost", "v1", "outpost.proto")
PYTHON = "/usr/bin/python3"
PROTOC = os.environ.get("PROTOC", "/usr/bin/protoc")
FIXTURE = os.path.join(HERE, "fixture_plugin.py")
DEADLINE = 10.0  # seconds any single wait of a test may take, at most


def _generated_dir():
    gen = os.environ.get("OUTPOST_PY_GEN")
    if gen:
        return gen
    gen = os.path.join(SDK, "target", "gen")
    out = os.path.join(gen, "outpost", "v1", "outpost_pb2.py")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(PROTO):
        os.makedirs(gen, exist_ok=True)
        subprocess.run([PROTOC, "-I", PROTO_DIR, "--python_out=" + gen, "outpost/v1/outpost.proto"],
                       check=True)
    return gen


GEN = _generated_dir()
for entry in (GEN, SDK):
    if entry not in sys.path:
        sys.path.insert(0, entry)
PYTHONPATH = os.pathsep.join([SDK, GEN])

from outpost.framing import LENGTH_MAX, FrameDecoder, encode_frame  # noqa: E402
from outpost.v1 import outpost_pb2 as pb  # noqa: E402


def framed(frame):
    """A pb.Frame as the stream carries it: serialized, with its length prefix."""
    return encode_frame(frame.SerializeToString())


def request(call_id, method, payload=b"", service="test", timeout_ms=0):
    return pb.Frame(request=pb.Request(id=call_id, service=service, method=method,
                                       payload=payload, timeout_ms=timeout_ms))


def plugin_env(**extra):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "OUTPOST_PROTOCOL_VERSION": "1",
           "OUTPOST_PLUGIN_NAME": "fixture", "PYTHONPATH": PYTHONPATH}
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


class Host:
    """The host's side of one plugin process: spawns `python3 fixture_plugin.py MODE` (or argv)
    with its end of a socketpair, and reads its frames with deadlines. close() (registered as a
    cleanup of the test) kills and reaps the process: no test leaves one behind."""

    def __init__(self, test, mode="ok", argv=None, env=None, fd_env=True, pass_fds=()):
        import socket
        self.test = test
        self.sock, child = socket.socketpair()
        self._frames = FrameDecoder(LENGTH_MAX)
        self.stderr = tempfile.TemporaryFile()
        # "{fd}" in argv and env is the child's end of the socketpair
        fd = str(child.fileno())
        env = {k: v.replace("{fd}", fd) for k, v in plugin_env(**(env or {})).items()}
        if fd_env:
            env["OUTPOST_FD"] = fd
        argv = [a.replace("{fd}", fd) for a in argv or [PYTHON, FIXTURE, mode]]
        self.proc = subprocess.Popen(argv, pass_fds=(child.fileno(), *pass_fds), env=env,
                                     stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=self.stderr, cwd=HERE)
        self.child_fd = child.fileno()
        child.close()
        test.addCleanup(self.close)

    @classmethod
    def over(cls, test, sock):
        """The host's side of a plugin served in this process, on the other end of sock: frames
        only, no process to kill, wait for or close."""
        h = cls.__new__(cls)
        h.test, h.sock, h._frames = test, sock, FrameDecoder(LENGTH_MAX)
        h.stderr = io.BytesIO()
        return h

    # ---- frames --------------------------------------------------------------------------------

    def send(self, *frames):
        self.send_raw(b"".join(framed(f) for f in frames))

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv(self, timeout=DEADLINE):
        """The next frame, or None at end of file. Fails the test after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self._next()
            if frame is not None:
                return frame
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                self.test.fail(f"no frame from the plugin within {timeout} s; stderr: "
                               f"{self.stderr_text()}")
            try:
                data = self.sock.recv(1 << 20)
            except ConnectionResetError:
                data = b""
            if not data:
                return None
            self._frames.feed(data)

    def _next(self):
        data = self._frames.next()
        return None if data is None else pb.Frame.FromString(data)

    def recv_kind(self, kind, timeout=DEADLINE, skip=("log",)):
        """The next frame, which must be of kind (frames of the kinds in skip are passed over)."""
        while True:
            frame = self.recv(timeout)
            self.test.assertIsNotNone(frame, f"end of file instead of a {kind}; stderr: "
                                             f"{self.stderr_text()}")
            got = frame.WhichOneof("kind")
            if got in skip and got != kind:
                continue
            self.test.assertEqual(kind, got, f"{frame}")
            return getattr(frame, kind)

    def handshake(self, max_frame_size=0, config=(), imports=(), version=1):
        """Takes the Hello and sends the Welcome; returns the Hello."""
        hello = self.recv_kind("hello")
        welcome = pb.Welcome(version=version, host_name="fake", host_version="0",
                             max_frame_size=max_frame_size, minor_version=1, imports=imports)
        for key, value in config:
            welcome.config.add(key=key, value=value)
        self.send(pb.Frame(welcome=welcome))
        return hello

    def call(self, call_id, method, payload=b"", **kw):
        self.send(request(call_id, method, payload, **kw))

    def reply(self, call_id, timeout=DEADLINE):
        """The Response to the host's call call_id (Log frames are passed over)."""
        r = self.recv_kind("response", timeout)
        self.test.assertEqual(call_id, r.id)
        return r

    def payload_of(self, call_id):
        r = self.reply(call_id)
        self.test.assertEqual("payload", r.WhichOneof("result"), f"{r}")
        return r.payload

    def error_of(self, call_id):
        r = self.reply(call_id)
        self.test.assertEqual("error", r.WhichOneof("result"), f"{r}")
        return r.error

    # ---- the process ---------------------------------------------------------------------------

    def kill(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def wait(self, timeout=DEADLINE):
        """The exit status, within timeout seconds (else the test fails)."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.test.fail(f"the plugin did not exit within {timeout} s; stderr: "
                           f"{self.stderr_text()}")

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def close(self):
        self.sock.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.stderr.close()
