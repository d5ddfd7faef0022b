"""hello - the sample Python plugin: service "hello" with two methods.

  greet  payload: a name (UTF-8); answers "hello, NAME" (the greeting is the bundle's
         Outpost-Config key "greeting", "hello" if it has none)
  upper  payload: text (UTF-8); answers it in upper case
"""

import sys

import outpost

plugin = outpost.Plugin(version="1.0.0")


def text_of(request):
    """The request's payload as text, or INVALID_ARGUMENT."""
    try:
        return request.payload.decode("utf-8")
    except UnicodeDecodeError:
        raise outpost.Error(outpost.Code.INVALID_ARGUMENT,
                            f"{request.method}: the payload is not UTF-8") from None


@plugin.method("hello", "greet")
def greet(request):
    name = text_of(request)
    if not name:
        raise outpost.Error(outpost.Code.INVALID_ARGUMENT, "greet: whom? the payload is empty")
    return f"{plugin.config.get('greeting', 'hello')}, {name}"


@plugin.method("hello", "upper")
def upper(request):
    return text_of(request).upper()


def main():
    sys.exit(plugin.serve())


if __name__ == "__main__":  # python3 -m hello, with the SDK on PYTHONPATH
    main()
