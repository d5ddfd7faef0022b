"""Text for protobuf string fields: always valid UTF-8, cut to fit a frame."""

CUT_MARK = "..."


def to_text(value):
    """value (str, bytes or anything else) as a str that encodes to valid UTF-8.

    Bytes that are not UTF-8 and lone surrogates in a str become U+FFFD, as the C SDK makes them;
    other objects are str()'d.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        value = str(value)
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:  # lone surrogates, e.g. from os.fsdecode()
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def fit(value, max_bytes):
    """to_text(value), cut on a character boundary so that its UTF-8 takes at most max_bytes.

    A text that had to be cut ends in "..." (within max_bytes).
    """
    text = to_text(value)
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    mark = CUT_MARK[:max(max_bytes, 0)]
    keep = data[:max(max_bytes - len(mark), 0)]
    # data is valid UTF-8, so only the last character can be cut in two: "ignore" drops it
    return keep.decode("utf-8", "ignore") + mark
