"""Framing: the byte stream split into frames and frames joined into it (no sockets here).

::

    +-------------------------+------------------------------------------+
    | length: varint, 1..5 B  | `length` bytes: one serialized Frame     |
    +-------------------------+------------------------------------------+

    varint: 7 bits per byte, least significant group first, the high bit set on every byte but
    the last. 300 = 0b10_0101100 -> AC 02

A length over the maximum frame size, a prefix over 5 bytes or a value over 2^32 - 1 is an
error, found as soon as the prefix is complete: an announced length is never allocated up front,
the buffer only ever holds the bytes that arrived.
"""

PREFIX_MAX = 5
LENGTH_MAX = 2**32 - 1


class FramingError(Exception):
    """The stream broke the framing rules; the message names the offending value."""


class FrameTooLong(FramingError):
    """A frame's announced length is over the maximum frame size."""

    def __init__(self, length, max_frame):
        super().__init__(f"frame length {length} exceeds the maximum of {max_frame} bytes")
        self.length = length
        self.max_frame = max_frame


def encode_varint(value):
    """The varint of a non-negative int, as bytes."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_frame(data):
    """data (a serialized Frame) with its length prefix."""
    return encode_varint(len(data)) + data


class FrameDecoder:
    """Takes bytes as they arrive (feed()) and gives back whole frames (next()).

    max_frame may be changed between frames (the Welcome does). Frames split across feeds at any
    byte, and several frames in one feed, come out the same.
    """

    def __init__(self, max_frame):
        self.max_frame = max_frame
        self._buf = bytearray()
        self._start = 0  # first byte not consumed yet

    def feed(self, data):
        """Appends bytes received."""
        if self._start > 0 and self._start >= len(self._buf) // 2:
            del self._buf[:self._start]  # compact once half of it is consumed
            self._start = 0
        self._buf += data

    def buffered(self):
        """Bytes held that are not part of a frame returned yet."""
        return len(self._buf) - self._start

    def next(self):
        """The next whole frame's bytes (without the prefix), or None until more bytes come.

        Raises FramingError (FrameTooLong for a length over max_frame). Once raised, the stream
        cannot be resynchronised: the connection is to be closed.
        """
        buf, start = self._buf, self._start
        avail = len(buf) - start
        value = 0
        prefix = 0
        while True:
            if prefix == avail:
                return None
            b = buf[start + prefix]
            value |= (b & 0x7F) << (7 * prefix)
            prefix += 1
            if not b & 0x80:
                break
            if prefix == PREFIX_MAX:
                raise FramingError("malformed frame length prefix (over 5 bytes)")
        if value > LENGTH_MAX:
            raise FramingError(f"malformed frame length prefix (value {value} over 2^32 - 1)")
        if value > self.max_frame:
            raise FrameTooLong(value, self.max_frame)
        if avail - prefix < value:
            return None
        begin = start + prefix
        self._start = begin + value
        frame = bytes(buf[begin:self._start])
        if self._start == len(buf):
            buf.clear()
            self._start = 0
        return frame
