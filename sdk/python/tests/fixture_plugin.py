"""The plugin the tests spawn; its behaviour is chosen by argv[1]:

  ok           serves the methods below
  ready-calls  also, once welcomed, calls host/ready and logs "ready: ANSWER"
  ready-fails  its ready callback raises
  fd3          as ok; started by a wrapper that moved its socket to fd 3 (no $OUTPOST_FD)

Service "test": echo, sleep (payload: milliseconds; logs "sleeping" first), fail (payload
"CODE message": raises outpost.Error), crash (raises ValueError), badcode, wrongtype, big
(payload: the answer's size), log (logs the payload at WARN), logmany (logs N times an e
acute), config (answers the value of the key in the payload), imports, typed (Ping -> Pong
with nonce + 1), call (payload "SERVICE METHOD TIMEOUT_MS PAYLOAD", where "*N" is N bytes:
calls the host, answers "ok:ANSWER" or "error:CODE:MESSAGE").
"""

import sys
import time

import outpost
from outpost.v1 import outpost_pb2 as pb

mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
plugin = outpost.Plugin(version="1.2.3")


@plugin.method("test", "echo")
def echo(request):
    return request.payload


@plugin.method("test", "sleep")
def sleep(request):
    plugin.log(outpost.Level.INFO, "sleeping")
    time.sleep(int(request.payload) / 1000)
    return b""


@plugin.method("test", "fail")
def fail(request):
    code, _, message = request.payload.decode().partition(" ")
    raise outpost.Error(int(code), message)


@plugin.method("test", "crash")
def crash(request):
    raise ValueError("boom: " + request.payload.decode())


@plugin.method("test", "badcode")
def badcode(request):
    raise outpost.Error(42, "no such code")


@plugin.method("test", "wrongtype")
def wrongtype(request):
    return 42


@plugin.method("test", "big")
def big(request):
    return b"x" * int(request.payload)


@plugin.method("test", "log")
def log(request):
    plugin.log(outpost.Level.WARN, request.payload)


@plugin.method("test", "logmany")
def logmany(request):
    plugin.log(outpost.Level.INFO, "\u00e9" * int(request.payload))


@plugin.method("test", "config")
def config(request):
    return plugin.config.get(request.payload.decode(), "<none>")


@plugin.method("test", "imports")
def imports(request):
    return ",".join(plugin.imports)


@plugin.method("test", "typed", request_type=pb.Ping)
def typed(ping):
    return pb.Pong(nonce=ping.nonce + 1)


@plugin.method("test", "call")
def call(request):
    service, method, timeout_ms, payload = request.payload.decode().split(" ", 3)
    if payload.startswith("*"):  # "*N": N bytes
        payload = "v" * int(payload[1:])
    try:
        answer = plugin.call(service, method, payload, timeout=int(timeout_ms) / 1000)
    except outpost.Error as e:
        return f"error:{e.code.name}:{e.message}"
    return b"ok:" + answer


if mode == "ready-calls":
    @plugin.on_ready
    def ready(p):
        p.log(outpost.Level.INFO, b"ready: " + p.call("host", "ready", b"?", timeout=5))
elif mode == "ready-fails":
    @plugin.on_ready
    def ready(p):
        raise RuntimeError("not today")

sys.exit(plugin.serve())
