"""The codes of calls and log lines, and the exception that carries a call's error."""

import enum


class Code(enum.IntEnum):
    """Call status codes: the numbers of ``outpost.v1.Code`` on the wire."""

    UNIMPLEMENTED = 1       # unknown service or method: the caller may fall back
    INVALID_ARGUMENT = 2    # the payload was not acceptable
    DEADLINE_EXCEEDED = 3   # the call's deadline passed
    CANCELLED = 4           # the caller cancelled the call
    INTERNAL = 5            # the callee failed
    UNAVAILABLE = 6         # the callee is stopping, stopped or died
    RESOURCE_EXHAUSTED = 7  # a limit was hit (for example the frame size)
    PROTOCOL_ERROR = 8      # the peer broke the protocol
    PERMISSION_DENIED = 9   # 1.1: the caller may not call this service (its bundle does not import it)


class Level(enum.IntEnum):
    """Log levels: the numbers of ``outpost.v1.Level`` on the wire."""

    TRACE = 1
    DEBUG = 2
    INFO = 3
    WARN = 4
    ERROR = 5


def code_of(number):
    """The Code for a number from the wire: 0 and unknown numbers are INTERNAL (protocol.md, 7)."""
    try:
        return Code(number)
    except ValueError:
        return Code.INTERNAL


class Error(Exception):
    """A call's error: its code and a message for humans.

    A handler raises it to answer with that code (any other exception answers INTERNAL with the
    exception's message); Plugin.call() raises it for an error answer of the host and for the
    SDK's own failures (DEADLINE_EXCEEDED after the timeout, UNAVAILABLE once serving ends).
    """

    def __init__(self, code, message=""):
        super().__init__(code, message)
        try:
            code = Code(code)
        except ValueError:
            pass  # answered as INTERNAL: a handler's invalid code is its bug, said in the answer
        self.code = code
        self.message = message

    def __str__(self):
        name = self.code.name if isinstance(self.code, Code) else str(self.code)
        return f"{name}: {self.message}" if self.message else name
