"""The plugin object served on a thread of the test process: the API's refusals, stop()."""

import contextlib
import io
import socket
import threading
import unittest

from support import DEADLINE, Host, pb, request
import outpost


class Served:
    """plugin.serve(fd) on a thread, with a Host-like reader on the other end of a socketpair."""

    def __init__(self, test, plugin):
        self.plugin = plugin
        host, child = socket.socketpair()
        self.child = child
        self.result = []
        self.thread = threading.Thread(target=lambda: self.result.append(plugin.serve(child.fileno())))
        self.h = Host.over(test, host)
        test.addCleanup(self.close)
        self.thread.start()

    def join(self):
        self.thread.join(DEADLINE)
        if self.thread.is_alive():
            raise AssertionError("serve() did not return")
        return self.result[0]

    def close(self):
        self.h.sock.close()  # EOF ends serving
        self.thread.join(DEADLINE)
        self.child.close()


class ApiTest(unittest.TestCase):
    def test_registration_refuses_misuse(self):
        p = outpost.Plugin("p")
        p.add_method("s", "m", lambda r: b"")
        with self.assertRaises(ValueError):
            p.add_method("s", "m", lambda r: b"")
        with self.assertRaises(ValueError):
            p.add_method("", "m", lambda r: b"")
        with self.assertRaises(ValueError):
            p.add_method("s", None, lambda r: b"")
        with self.assertRaises(TypeError):
            p.add_method("s", "n", "not callable")

    def test_the_name_comes_from_the_environment(self):
        import os
        old = os.environ.get("OUTPOST_PLUGIN_NAME")
        os.environ["OUTPOST_PLUGIN_NAME"] = "from-env"
        try:
            self.assertEqual("from-env", outpost.Plugin().name)
            self.assertEqual("given", outpost.Plugin("given").name)
        finally:
            if old is None:
                del os.environ["OUTPOST_PLUGIN_NAME"]
            else:
                os.environ["OUTPOST_PLUGIN_NAME"] = old

    def test_log_outside_serving_goes_to_stderr(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            outpost.Plugin("p").log(outpost.Level.WARN, "not connected")
        self.assertEqual("WARN not connected\n", err.getvalue())
        with self.assertRaises(ValueError):
            outpost.Plugin("p").log(9, "no such level")

    def test_call_outside_serving_raises(self):
        with self.assertRaises(RuntimeError):
            outpost.Plugin("p").call("s", "m")

    def test_error_carries_code_and_message(self):
        e = outpost.Error(outpost.Code.UNAVAILABLE, "gone")
        self.assertEqual((outpost.Code.UNAVAILABLE, "gone", "UNAVAILABLE: gone"),
                         (e.code, e.message, str(e)))
        self.assertIs(outpost.Code.INVALID_ARGUMENT, outpost.Error(2).code)


class ThreadTest(unittest.TestCase):
    def test_stop_from_another_thread_ends_serving_after_the_running_handler(self):
        started, release = threading.Event(), threading.Event()
        p = outpost.Plugin("inproc", "1")

        @p.method("t", "wait")
        def wait(request):
            started.set()
            release.wait(DEADLINE)
            return b"done"

        s = Served(self, p)
        s.h.handshake()
        s.h.send(request(1, "wait", service="t"), request(2, "wait", service="t"))
        self.assertTrue(started.wait(DEADLINE))
        p.stop()
        release.set()
        self.assertEqual(b"done", s.h.payload_of(1))
        self.assertEqual(0, s.join())
        s.child.close()  # the SDK leaves its fd open
        self.assertIsNone(s.h.recv())  # the second was not started

    def test_stop_before_serve_returns_right_after_the_hello(self):
        p = outpost.Plugin("early")
        p.stop()
        s = Served(self, p)
        self.assertEqual("early", s.h.recv_kind("hello").plugin_name)
        self.assertEqual(0, s.join())

    def test_call_from_another_thread_than_the_serving_one_raises(self):
        p = outpost.Plugin("threads")
        seen = []

        @p.method("t", "spawn")
        def spawn(request):
            def other():
                try:
                    p.call("s", "m")
                except RuntimeError as e:
                    seen.append(e)
            t = threading.Thread(target=other)
            t.start()
            t.join(DEADLINE)
            return b"ok"

        s = Served(self, p)
        s.h.handshake()
        s.h.call(1, "spawn", service="t")
        self.assertEqual(b"ok", s.h.payload_of(1))
        self.assertEqual(1, len(seen))

    def test_log_from_another_thread_is_a_log_frame(self):
        p = outpost.Plugin("logs")

        @p.method("t", "log")
        def log(request):
            t = threading.Thread(target=lambda: p.log(outpost.Level.DEBUG, "from a thread"))
            t.start()
            t.join(DEADLINE)
            return b""

        s = Served(self, p)
        s.h.handshake()
        s.h.call(1, "log", service="t")
        log = s.h.recv_kind("log", skip=())
        self.assertEqual((outpost.Level.DEBUG, "from a thread"), (log.level, log.message))
        s.h.reply(1)

    def test_serve_twice_is_refused(self):
        p = outpost.Plugin("once")
        s = Served(self, p)
        s.h.recv_kind("hello")
        s.h.sock.close()
        self.assertEqual(0, s.join())
        with self.assertRaises(RuntimeError):
            p.serve(s.child.fileno())

    def test_typed_call_parses_the_answer(self):
        p = outpost.Plugin("typed")
        got = []

        @p.method("t", "go")
        def go(request):
            got.append(p.call("h", "ping", pb.Ping(nonce=5), timeout=2, response_type=pb.Pong))
            return b""

        s = Served(self, p)
        s.h.handshake()
        s.h.call(1, "go", service="t")
        r = s.h.recv_kind("request")
        self.assertEqual(5, pb.Ping.FromString(r.payload).nonce)
        self.assertEqual(2000, r.timeout_ms)
        s.h.send(pb.Frame(response=pb.Response(id=r.id, payload=pb.Pong(nonce=6).SerializeToString())))
        s.h.reply(1)
        self.assertEqual(6, got[0].nonce)


if __name__ == "__main__":
    unittest.main()
