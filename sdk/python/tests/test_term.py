"""SIGTERM: never lost, whenever it comes; the running handler finishes and is answered."""

import signal
import unittest

from support import Host, request

TERM_DEADLINE = 2.0  # seconds: the host sends SIGKILL 2 s after SIGTERM


class TermTest(unittest.TestCase):
    def test_sigterm_when_idle_exits_0(self):
        h = Host(self)
        h.handshake()
        h.call(1, "echo")
        h.reply(1)  # serving, idle in poll
        h.kill(signal.SIGTERM)
        self.assertEqual(0, h.wait(TERM_DEADLINE))

    def test_sigterm_before_the_welcome_exits_0(self):
        h = Host(self)
        h.recv_kind("hello")
        h.kill(signal.SIGTERM)
        self.assertEqual(0, h.wait(TERM_DEADLINE))

    def test_sigterm_during_a_call_lets_it_finish_and_answer(self):
        h = Host(self)
        h.handshake()
        h.send(request(1, "sleep", b"300"), request(2, "echo", b"late"))
        self.assertEqual("sleeping", h.recv_kind("log", skip=()).message)  # the call has begun
        h.kill(signal.SIGTERM)
        self.assertEqual(b"", h.payload_of(1))
        self.assertIsNone(h.recv())  # end of file: the queued call was not started
        self.assertEqual(0, h.wait(TERM_DEADLINE))

    def test_sigterm_right_after_a_request_never_loses_an_answer_begun(self):
        # the request is in flight when SIGTERM comes: the plugin either has not read it yet (no
        # answer, the host fails it UNAVAILABLE) or answers it in full; it always exits 0
        for i in range(10):
            with self.subTest(i=i):
                h = Host(self)
                h.handshake()
                h.send(request(1, "echo", b"x" * (i * 1000)))
                h.kill(signal.SIGTERM)
                frame = h.recv()
                if frame is not None:
                    self.assertEqual(b"x" * (i * 1000), frame.response.payload)
                    self.assertIsNone(h.recv())
                self.assertEqual(0, h.wait(TERM_DEADLINE))

    def test_sigterm_races_with_calls(self):
        # the signal lands in a read, a handler or a write: never lost
        for i in range(20):
            with self.subTest(i=i):
                h = Host(self)
                h.handshake()
                h.send(*[request(k + 1, "echo", b"x") for k in range(i % 5)])
                h.kill(signal.SIGTERM)
                self.assertEqual(0, h.wait(TERM_DEADLINE))
                h.close()

    def test_sigterm_while_a_handler_waits_for_the_host(self):
        h = Host(self)
        h.handshake()
        h.call(1, "call", b"host svc 0 q")
        h.recv_kind("request")  # the plugin's call; never answered
        h.kill(signal.SIGTERM)
        self.assertEqual(b"error:UNAVAILABLE:the plugin got SIGTERM", h.payload_of(1))
        self.assertEqual(0, h.wait(TERM_DEADLINE))

    def test_a_second_plugin_request_after_sigterm_is_not_started(self):
        h = Host(self)
        h.handshake()
        h.call(1, "sleep", b"200")
        h.recv_kind("log", skip=())
        h.kill(signal.SIGTERM)
        h.call(2, "echo", b"too late")  # arrives while the first runs
        self.assertEqual(b"", h.payload_of(1))
        self.assertIsNone(h.recv())
        self.assertEqual(0, h.wait(TERM_DEADLINE))


if __name__ == "__main__":
    unittest.main()
