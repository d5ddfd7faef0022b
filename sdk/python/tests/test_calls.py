"""Calls from the plugin to the host: answers, errors, deadlines, nesting, leaving meanwhile."""

import unittest

from support import Host, pb, request
from outpost.errors import Code


def answer(call_id, payload):
    return pb.Frame(response=pb.Response(id=call_id, payload=payload))


def error(call_id, code, message):
    return pb.Frame(response=pb.Response(id=call_id, error=pb.Error(code=code, message=message)))


class CallTest(unittest.TestCase):
    def setUp(self):
        self.h = Host(self)
        self.h.handshake()

    def test_a_call_is_answered(self):
        self.h.call(1, "call", b"kv get 5000 the key")
        r = self.h.recv_kind("request")
        self.assertEqual((1, "kv", "get", b"the key", 5000),
                         (r.id, r.service, r.method, r.payload, r.timeout_ms))
        self.h.send(answer(r.id, b"the value"))
        self.assertEqual(b"ok:the value", self.h.payload_of(1))

    def test_the_plugin_s_ids_count_up(self):
        for i in range(1, 4):
            self.h.call(10 + i, "call", b"kv get 0 k")
            self.assertEqual(i, self.h.recv_kind("request").id)
            self.h.send(answer(i, b""))
            self.assertEqual(b"ok:", self.h.payload_of(10 + i))

    def test_an_error_answer_raises_outpost_error(self):
        self.h.call(1, "call", b"kv get 0 k")
        r = self.h.recv_kind("request")
        self.h.send(error(r.id, Code.PERMISSION_DENIED, "not imported"))
        self.assertEqual(b"error:PERMISSION_DENIED:not imported", self.h.payload_of(1))

    def test_an_unknown_code_is_internal(self):
        self.h.call(1, "call", b"kv get 0 k")
        r = self.h.recv_kind("request")
        self.h.send(error(r.id, 77, "from the future"))
        self.assertEqual(b"error:INTERNAL:from the future", self.h.payload_of(1))

    def test_no_answer_within_the_timeout_is_deadline_exceeded_and_a_cancel(self):
        self.h.call(1, "call", b"kv get 100 k")
        r = self.h.recv_kind("request")
        self.assertEqual(r.id, self.h.recv_kind("cancel").id)
        self.assertEqual(b"error:DEADLINE_EXCEEDED:no answer from the host within 100 ms",
                         self.h.payload_of(1))
        self.h.send(answer(r.id, b"late"))  # dropped, not a protocol error
        self.h.send(pb.Frame(ping=pb.Ping(nonce=3)))
        self.assertEqual(3, self.h.recv_kind("pong").nonce)

    def test_the_host_s_requests_and_pings_are_served_while_waiting(self):
        self.h.call(1, "call", b"kv get 0 k")
        r = self.h.recv_kind("request")
        self.h.send(pb.Frame(ping=pb.Ping(nonce=9)), request(2, "echo", b"nested"))
        self.assertEqual(9, self.h.recv_kind("pong").nonce)
        self.assertEqual(b"nested", self.h.payload_of(2))
        self.h.send(answer(r.id, b"v"))
        self.assertEqual(b"ok:v", self.h.payload_of(1))

    def test_a_nested_handler_may_call_the_host_too(self):
        self.h.call(1, "call", b"a b 0 outer")
        outer = self.h.recv_kind("request")
        self.h.call(2, "call", b"c d 0 inner")
        inner = self.h.recv_kind("request")
        self.assertEqual((2, "inner"), (inner.id, inner.payload.decode()))
        self.h.send(answer(outer.id, b"O"))  # answered first, taken once the inner one returns
        self.h.send(answer(inner.id, b"I"))
        self.assertEqual(b"ok:I", self.h.payload_of(2))
        self.assertEqual(b"ok:O", self.h.payload_of(1))

    def test_nesting_beyond_the_limit_is_resource_exhausted(self):
        ids = []
        for level in range(5):  # the outer handler and 4 nested ones, each waiting in call()
            self.h.call(level + 1, "call", b"s m 0 p")
            ids.append(self.h.recv_kind("request").id)
        self.h.call(6, "echo", b"one too many")
        e = self.h.error_of(6)
        self.assertEqual(Code.RESOURCE_EXHAUSTED, e.code)
        for level in reversed(range(5)):
            self.h.send(answer(ids[level], b"%d" % level))
            self.assertEqual(b"ok:%d" % level, self.h.payload_of(level + 1))

    def test_goodbye_while_waiting_fails_the_call_and_the_answer_still_goes(self):
        self.h.call(1, "call", b"kv get 0 k")
        self.h.recv_kind("request")
        self.h.send(pb.Frame(goodbye=pb.Goodbye(reason="stopping")))
        self.assertEqual(b"error:UNAVAILABLE:the host said Goodbye", self.h.payload_of(1))
        self.assertIsNone(self.h.recv())
        self.assertEqual(0, self.h.wait())

    def test_end_of_file_while_waiting_exits_0(self):
        self.h.call(1, "call", b"kv get 0 k")
        self.h.recv_kind("request")
        self.h.sock.close()
        self.assertEqual(0, self.h.wait())

    def test_a_request_over_the_frame_size_fails_locally(self):
        h = Host(self)
        h.handshake(max_frame_size=1000)
        h.call(1, "call", b"kv put 0 *990")
        self.assertTrue(h.payload_of(1).startswith(b"error:RESOURCE_EXHAUSTED:request of "))


class ReadyTest(unittest.TestCase):
    def test_the_ready_callback_may_call_the_host(self):
        h = Host(self, mode="ready-calls")
        h.handshake()
        r = h.recv_kind("request")
        self.assertEqual(("host", "ready", b"?", 5000), (r.service, r.method, r.payload, r.timeout_ms))
        h.send(request(1, "echo", b"before ready returns"))  # nested in the ready callback
        self.assertEqual(b"before ready returns", h.payload_of(1))
        h.send(answer(r.id, b"set"))
        self.assertEqual("ready: set", h.recv_kind("log", skip=()).message)
        h.call(2, "echo", b"after")
        self.assertEqual(b"after", h.payload_of(2))

    def test_a_failing_ready_callback_says_goodbye_and_exits_1(self):
        h = Host(self, mode="ready-fails")
        h.handshake()
        self.assertEqual("the plugin's ready callback failed", h.recv_kind("goodbye").reason)
        self.assertEqual(1, h.wait())
        self.assertIn("RuntimeError: not today", h.stderr_text())


if __name__ == "__main__":
    unittest.main()
