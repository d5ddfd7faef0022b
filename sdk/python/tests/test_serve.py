"""A plugin process served by a fake host: handshake, requests, errors, limits, leaving."""

import resource
import unittest

from support import PYTHON, FIXTURE, Host, framed, pb, request
from outpost.errors import Code, Level
from outpost.framing import encode_varint


class HandshakeTest(unittest.TestCase):
    def test_hello_names_the_plugin_its_versions_and_its_methods(self):
        h = Host(self)
        hello = h.handshake()
        self.assertEqual((1, 1, 1), (hello.min_version, hello.max_version, hello.minor_version))
        self.assertEqual(("fixture", "1.2.3"), (hello.plugin_name, hello.plugin_version))
        self.assertEqual(["test"], [s.name for s in hello.services])
        self.assertEqual(["echo", "sleep", "fail", "crash", "badcode", "wrongtype", "big", "log",
                          "logmany", "config", "imports", "typed", "call"],
                         list(hello.services[0].methods))
        h.sock.close()
        self.assertEqual(0, h.wait())

    def test_the_process_names_itself_after_the_plugin(self):
        h = Host(self)
        h.handshake()
        h.call(1, "echo")
        h.reply(1)
        with open(f"/proc/{h.proc.pid}/comm") as f:
            self.assertEqual("fixture", f.read().strip())

    def test_fd_3_is_the_default(self):
        wrapper = ("import os, sys; fd = int(sys.argv[1]); "
                   "fd != 3 and (os.dup2(fd, 3), os.close(fd)); "
                   "os.execv(sys.argv[2], sys.argv[2:])")
        h = Host(self, fd_env=False, argv=[PYTHON, "-c", wrapper, "{fd}", PYTHON, FIXTURE, "fd3"])
        self.assertEqual("fixture", h.handshake().plugin_name)
        h.call(1, "echo", b"on fd 3")
        self.assertEqual(b"on fd 3", h.payload_of(1))
        h.sock.close()
        self.assertEqual(0, h.wait())

    def test_without_a_connection_it_says_so_and_exits_1(self):
        h = Host(self, env={"OUTPOST_FD": "77"}, fd_env=False)
        self.assertEqual(1, h.wait())
        self.assertIn("fd 77 is not open", h.stderr_text())

    def test_a_refusal_exits_1_with_the_reason(self):
        h = Host(self)
        h.recv_kind("hello")
        h.send(pb.Frame(refusal=pb.Refusal(reason="no common version")))
        self.assertEqual(1, h.wait())
        self.assertIn("the host refused the plugin: no common version", h.stderr_text())

    def test_ping_and_goodbye_are_taken_before_the_welcome(self):
        h = Host(self)
        h.recv_kind("hello")
        h.send(pb.Frame(ping=pb.Ping(nonce=7)))
        self.assertEqual(7, h.recv_kind("pong").nonce)
        h.send(pb.Frame(goodbye=pb.Goodbye(reason="early")))
        self.assertEqual(0, h.wait())

    def test_a_request_before_the_welcome_is_a_protocol_error(self):
        h = Host(self)
        h.recv_kind("hello")
        h.call(1, "echo")
        self.assertEqual(1, h.wait())
        self.assertIn("protocol error: Request before the Welcome", h.stderr_text())

    def test_a_second_welcome_is_a_protocol_error(self):
        h = Host(self)
        h.handshake()
        h.send(pb.Frame(welcome=pb.Welcome(version=1)))
        self.assertEqual(1, h.wait())
        self.assertIn("a second Welcome", h.stderr_text())

    def test_a_version_outside_the_hello_s_range_is_a_protocol_error(self):
        h = Host(self)
        h.handshake(version=2)
        self.assertEqual(1, h.wait())
        self.assertIn("host chose version 2", h.stderr_text())

    def test_config_last_value_wins_and_imports(self):
        h = Host(self)
        h.handshake(config=[("a", "1"), ("b", "2"), ("a", "3")], imports=["kv", "zlib"])
        h.call(1, "config", b"a")
        h.call(2, "config", b"c")
        h.call(3, "imports")
        self.assertEqual(b"3", h.payload_of(1))
        self.assertEqual(b"<none>", h.payload_of(2))
        self.assertEqual(b"kv,zlib", h.payload_of(3))


class RequestTest(unittest.TestCase):
    def setUp(self):
        self.h = Host(self)
        self.h.handshake()

    def test_echo_and_an_empty_payload_that_is_still_sent(self):
        self.h.call(1, "echo", b"hi")
        self.assertEqual(b"hi", self.h.payload_of(1))
        self.h.call(2, "echo", b"")
        self.assertEqual(b"", self.h.payload_of(2))  # the payload field, not neither

    def test_ping_is_answered_with_its_nonce(self):
        self.h.send(pb.Frame(ping=pb.Ping(nonce=2**64 - 1)))
        self.assertEqual(2**64 - 1, self.h.recv_kind("pong").nonce)

    def test_an_unknown_method_or_service_is_unimplemented(self):
        self.h.call(1, "nope")
        self.h.call(2, "echo", service="other")
        e = self.h.error_of(1)
        self.assertEqual(Code.UNIMPLEMENTED, e.code)
        self.assertEqual('plugin fixture has no method "nope" in service "test"', e.message)
        self.assertEqual(Code.UNIMPLEMENTED, self.h.error_of(2).code)

    def test_an_unknown_name_is_quoted_short(self):
        self.h.call(1, "m" * 5000)
        e = self.h.error_of(1)
        self.assertLess(len(e.message), 300)
        self.assertIn("...", e.message)

    def test_a_handler_s_error_answers_its_code_and_message(self):
        for code in Code:
            self.h.call(code.value, "fail", f"{code.value} failed with {code.name}".encode())
            e = self.h.error_of(code.value)
            self.assertEqual((code, f"failed with {code.name}"), (e.code, e.message))

    def test_another_exception_is_internal_with_its_message(self):
        self.h.call(1, "crash", b"x")
        e = self.h.error_of(1)
        self.assertEqual((Code.INTERNAL, "boom: x"), (e.code, e.message))
        self.h.call(2, "echo", b"still here")
        self.assertEqual(b"still here", self.h.payload_of(2))
        self.assertIn("ValueError: boom: x", self.h.stderr_text())

    def test_an_invalid_code_or_answer_is_internal(self):
        self.h.call(1, "badcode")
        self.h.call(2, "wrongtype")
        e = self.h.error_of(1)
        self.assertEqual(Code.INTERNAL, e.code)
        self.assertIn("invalid error code 42", e.message)
        e = self.h.error_of(2)
        self.assertEqual(Code.INTERNAL, e.code)
        self.assertIn("is a int, not a protobuf message", e.message)

    def test_typed_methods_parse_the_request_and_serialize_the_answer(self):
        self.h.call(1, "typed", pb.Ping(nonce=41).SerializeToString())
        self.assertEqual(42, pb.Pong.FromString(self.h.payload_of(1)).nonce)
        self.h.call(2, "typed", b"\xff\xff\xff")
        e = self.h.error_of(2)
        self.assertEqual(Code.INVALID_ARGUMENT, e.code)
        self.assertIn("not a outpost.v1.Ping", e.message)

    def test_many_requests_in_one_write_are_all_answered(self):
        self.h.send(*[request(i, "echo", str(i).encode()) for i in range(1, 301)])
        for i in range(1, 301):
            self.assertEqual(str(i).encode(), self.h.payload_of(i))

    def test_a_request_split_at_every_offset_is_answered(self):
        data = framed(request(1, "echo", b"split"))
        for cut in range(1, len(data)):
            data = framed(request(cut, "echo", b"split"))
            self.h.send_raw(data[:cut])
            self.h.send_raw(data[cut:])
            self.assertEqual(b"split", self.h.payload_of(cut))

    def test_a_request_fed_one_byte_at_a_time_is_answered(self):
        for b in framed(request(1, "echo", b"drip")):
            self.h.send_raw(bytes([b]))
        self.assertEqual(b"drip", self.h.payload_of(1))

    def test_log_frames_carry_the_level_and_valid_utf8(self):
        self.h.call(1, "log", b"caf\xc3\xa9 \xff")
        log = self.h.recv_kind("log", skip=())
        self.assertEqual((Level.WARN, "café \ufffd"), (log.level, log.message))
        self.h.reply(1)

    def test_goodbye_exits_0(self):
        self.h.send(pb.Frame(goodbye=pb.Goodbye(reason="bye")))
        self.assertIsNone(self.h.recv())
        self.assertEqual(0, self.h.wait())

    def test_end_of_file_exits_0(self):
        self.h.sock.close()
        self.assertEqual(0, self.h.wait())
        self.assertEqual("", self.h.stderr_text())

    def test_end_of_file_inside_a_frame_exits_0(self):
        self.h.send_raw(framed(request(1, "echo", b"cut short"))[:7])
        self.h.sock.close()
        self.assertEqual(0, self.h.wait())


class MalformedTest(unittest.TestCase):
    def assert_protocol_error(self, data, message):
        """data sent after the handshake makes the plugin exit with status 1, saying message."""
        h = Host(self)
        h.handshake()
        h.send_raw(data)
        self.assertEqual(1, h.wait())
        self.assertIn(message, h.stderr_text())

    def test_unparseable_bytes_are_a_protocol_error(self):
        self.assert_protocol_error(encode_varint(3) + b"\xff\xff\xff",
                                   "protocol error: malformed frame of 3 bytes")

    def test_a_frame_without_kind_is_a_protocol_error(self):
        self.assert_protocol_error(b"\x00", "frame of 0 bytes has no kind")

    def test_a_response_to_a_call_never_made_is_a_protocol_error(self):
        self.assert_protocol_error(framed(pb.Frame(response=pb.Response(id=1, payload=b""))),
                                   "Response to call 1, which was never sent")

    def test_a_malformed_prefix_is_a_protocol_error(self):
        self.assert_protocol_error(b"\xff\xff\xff\xff\xff\x01", "malformed frame length prefix")


class LimitTest(unittest.TestCase):
    def test_a_length_over_the_environment_s_maximum_is_refused(self):
        h = Host(self, env={"OUTPOST_MAX_FRAME_SIZE": 1024})
        h.recv_kind("hello")
        h.send_raw(encode_varint(1025))  # the bytes never come: refused on the prefix alone
        self.assertEqual(1, h.wait())
        self.assertIn("frame length 1025 exceeds the maximum of 1024 bytes", h.stderr_text())

    def test_the_welcome_s_maximum_applies_from_then_on(self):
        h = Host(self, env={"OUTPOST_MAX_FRAME_SIZE": 1024})
        h.handshake(max_frame_size=4096)
        h.call(1, "echo", b"e" * 3000)  # over the environment's maximum, within the Welcome's
        self.assertEqual(b"e" * 3000, h.payload_of(1))
        h.send_raw(encode_varint(4097))
        self.assertEqual(1, h.wait())
        self.assertIn("frame length 4097 exceeds the maximum of 4096 bytes", h.stderr_text())

    def test_an_announced_length_is_never_allocated(self):
        h = Host(self, env={"OUTPOST_MAX_FRAME_SIZE": 2**32 - 1})
        h.handshake()
        h.call(1, "echo")
        h.reply(1)  # the interpreter is up: cap its address space well below 4 GiB more
        with open(f"/proc/{h.proc.pid}/status") as f:
            size = next(int(line.split()[1]) for line in f if line.startswith("VmSize:")) * 1024
        limit = size + (512 << 20)
        resource.prlimit(h.proc.pid, resource.RLIMIT_AS, (limit, limit))
        h.send_raw(encode_varint(2**32 - 1) + b"x" * 1000)
        h.sock.close()  # EOF inside the frame: a clean exit, not a MemoryError
        self.assertEqual(0, h.wait(), h.stderr_text())

    def test_an_answer_over_the_maximum_payload_is_resource_exhausted(self):
        h = Host(self)
        h.handshake(max_frame_size=4096)
        h.call(1, "big", b"4064")
        self.assertEqual(4064, len(h.payload_of(1)))
        h.call(2, "big", b"4065")
        e = h.error_of(2)
        self.assertEqual(Code.RESOURCE_EXHAUSTED, e.code)
        self.assertIn("response of 4065 bytes exceeds the maximum payload of 4064 bytes", e.message)

    def test_a_long_log_line_is_cut_to_fit_a_frame(self):
        h = Host(self)
        h.handshake(max_frame_size=1000)
        h.call(1, "logmany", b"900")
        log = h.recv_kind("log", skip=())
        self.assertLessEqual(len(log.message.encode()), 1000 - 64)
        self.assertTrue(log.message.endswith("..."))
        h.reply(1)


if __name__ == "__main__":
    unittest.main()
