"""The frame decoder and the text helpers, without sockets."""

import unittest

import support  # noqa: F401 - sys.path
from outpost.framing import (FrameDecoder, FrameTooLong, FramingError, encode_frame,
                             encode_varint)
from outpost.text import fit, to_text


class VarintTest(unittest.TestCase):
    def test_examples_of_the_protocol(self):
        self.assertEqual(b"\x00", encode_varint(0))
        self.assertEqual(b"\x7f", encode_varint(127))
        self.assertEqual(b"\xac\x02", encode_varint(300))
        self.assertEqual(b"\xff\xff\xff\xff\x0f", encode_varint(2**32 - 1))


class FrameDecoderTest(unittest.TestCase):
    FRAMES = [b"", b"a", b"hi there", bytes(range(256)) * 3]  # prefixes of 1 and 2 bytes

    def stream(self):
        return b"".join(encode_frame(f) for f in self.FRAMES)

    def drain(self, decoder):
        out = []
        while (frame := decoder.next()) is not None:
            out.append(frame)
        return out

    def test_several_frames_in_one_feed(self):
        d = FrameDecoder(1 << 20)
        d.feed(self.stream())
        self.assertEqual(self.FRAMES, self.drain(d))
        self.assertEqual(0, d.buffered())

    def test_one_byte_at_a_time(self):
        d = FrameDecoder(1 << 20)
        out = []
        for b in self.stream():
            d.feed(bytes([b]))
            out += self.drain(d)
        self.assertEqual(self.FRAMES, out)

    def test_split_at_every_offset(self):
        data = self.stream()
        for cut in range(len(data) + 1):
            d = FrameDecoder(1 << 20)
            d.feed(data[:cut])
            out = self.drain(d)
            d.feed(data[cut:])
            out += self.drain(d)
            self.assertEqual(self.FRAMES, out, f"split at {cut}")

    def test_split_at_every_pair_of_offsets(self):
        data = encode_frame(b"xyz" * 50) + encode_frame(b"k")
        for a in range(len(data) + 1):
            for b in range(a, len(data) + 1):
                d = FrameDecoder(1 << 20)
                out = []
                for part in (data[:a], data[a:b], data[b:]):
                    d.feed(part)
                    out += self.drain(d)
                self.assertEqual([b"xyz" * 50, b"k"], out, f"split at {a} and {b}")

    def test_length_over_the_maximum_is_refused_before_its_bytes_arrive(self):
        d = FrameDecoder(1024)
        d.feed(encode_varint(1025))
        with self.assertRaises(FrameTooLong) as e:
            d.next()
        self.assertEqual(1025, e.exception.length)
        self.assertIn("1025 exceeds the maximum of 1024", str(e.exception))

    def test_length_at_the_maximum_is_taken(self):
        d = FrameDecoder(1024)
        d.feed(encode_frame(b"z" * 1024))
        self.assertEqual(b"z" * 1024, d.next())

    def test_an_announced_length_is_not_allocated(self):
        d = FrameDecoder(2**32 - 1)
        d.feed(encode_varint(2**32 - 1) + b"abc")
        self.assertIsNone(d.next())
        self.assertEqual(8, d.buffered())  # only what arrived is held

    def test_a_prefix_over_five_bytes_is_malformed(self):
        d = FrameDecoder(2**32 - 1)
        d.feed(b"\x80\x80\x80\x80\x80\x01")
        with self.assertRaises(FramingError):
            d.next()

    def test_a_prefix_over_2_to_the_32_is_malformed(self):
        d = FrameDecoder(2**32 - 1)
        d.feed(encode_varint(2**32))
        with self.assertRaises(FramingError) as e:
            d.next()
        self.assertNotIsInstance(e.exception, FrameTooLong)

    def test_the_maximum_may_change_between_frames(self):
        d = FrameDecoder(10)
        d.feed(encode_frame(b"0123456789") + encode_frame(b"0123456789a"))
        self.assertEqual(b"0123456789", d.next())
        d.max_frame = 11
        self.assertEqual(b"0123456789a", d.next())


class TextTest(unittest.TestCase):
    def test_bytes_that_are_not_utf8_become_replacement_characters(self):
        self.assertEqual("a\ufffdb", to_text(b"a\xffb"))

    def test_lone_surrogates_become_replacement_characters(self):
        self.assertEqual("a\ufffd\ufffd\ufffdb", to_text("a\udcffb"))
        to_text("a\udcffb").encode("utf-8")

    def test_short_text_is_kept(self):
        self.assertEqual("héllo", fit("héllo", 6))

    def test_long_text_is_cut_on_a_character_boundary_with_a_mark(self):
        for max_bytes in range(0, 20):
            text = fit("ééééééééé€€€€", max_bytes)
            data = text.encode("utf-8")
            self.assertLessEqual(len(data), max_bytes)
            if max_bytes >= 3:
                self.assertTrue(text.endswith("..."), text)


if __name__ == "__main__":
    unittest.main()
