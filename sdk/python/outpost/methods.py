"""The methods a plugin offers: their handlers, the typed glue, and a call as a handler sees it."""

from google.protobuf.message import DecodeError, Message

from outpost.errors import Code, Error


class Request:
    """A call from the host, as a handler sees it (plain attributes, read-only by convention).

    id:         the call's id, chosen by the host.
    service, method: the names called.
    payload:    the request's bytes.
    timeout_ms: the caller's deadline in milliseconds, 0 for none.
    plugin:     the Plugin serving the call (for log(), config, call()).
    """

    __slots__ = ("id", "service", "method", "payload", "timeout_ms", "plugin")

    def __init__(self, call_id, service, method, payload, timeout_ms, plugin):
        self.id = call_id
        self.service = service
        self.method = method
        self.payload = payload
        self.timeout_ms = timeout_ms
        self.plugin = plugin

    def __repr__(self):
        return (f"Request(id={self.id}, service={self.service!r}, method={self.method!r}, "
                f"{len(self.payload)} bytes, timeout_ms={self.timeout_ms})")


def to_payload(value, what):
    """A handler's result or a call's payload as bytes: a protobuf message is serialized, bytes
    are taken as they are, a str is encoded in UTF-8, None is empty. Raises TypeError."""
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, Message):
        return value.SerializeToString()
    raise TypeError(f"{what} is a {type(value).__name__}, not a protobuf message, bytes or str")


class Method:
    """One registered method: fn takes the Request, or with request_type the parsed message."""

    __slots__ = ("service", "name", "fn", "request_type")

    def __init__(self, service, name, fn, request_type):
        self.service = service
        self.name = name
        self.fn = fn
        self.request_type = request_type

    def invoke(self, request):
        """Runs the handler and returns the answer's bytes. Raises what the handler raises, and
        Error(INVALID_ARGUMENT) for a payload that is not a request_type message."""
        if self.request_type is None:
            result = self.fn(request)
        else:
            try:
                message = self.request_type.FromString(request.payload)
            except DecodeError as e:
                raise Error(Code.INVALID_ARGUMENT,
                            f"{self.service}/{self.name}: the payload is not a "
                            f"{self.request_type.DESCRIPTOR.full_name}: {e}") from None
            result = self.fn(message)
        return to_payload(result, f"the answer of {self.service}/{self.name}")


def check_name(value, what):
    """Refuses a service or method name that is not a non-empty str (valid UTF-8)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"outpost: {what} must be a non-empty str, not {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"outpost: {what} {value!r} is not valid UTF-8") from None
