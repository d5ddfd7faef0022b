"""The hello plugin as it is built and run: the zipapp, by hand and from a sealed memfd as the host
executes it, also under the default sandbox's filesystem rules. Tests $HELLO_PYZ when set (the
build's target/hello.pyz), else builds one with build.sh into a temporary directory first.

    /usr/bin/python3 -m unittest discover -s sample-plugins/hello-python/src/test/python
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
REPO = os.path.dirname(os.path.dirname(SAMPLE))
sys.path.insert(0, os.path.join(REPO, "sdk", "python", "tests"))

from support import PYTHON, Host  # noqa: E402
from outpost.errors import Code  # noqa: E402

DRIVER = os.path.join(HERE, "memfd_exec.py")
OUT = None


def setUpModule():
    global OUT, PYZ, TMP
    TMP = tempfile.TemporaryDirectory(prefix="hello-python-tmp-")
    os.chmod(TMP.name, 0o700)
    PYZ = os.environ.get("HELLO_PYZ")
    if not PYZ:
        OUT = tempfile.TemporaryDirectory(prefix="hello-python-")
        subprocess.run([os.path.join(SAMPLE, "build.sh"), os.path.join(REPO, "sdk", "python"),
                        "/usr/bin/protoc", OUT.name], check=True)
        PYZ = os.path.join(OUT.name, "hello.pyz")


def tearDownModule():
    if OUT is not None:
        OUT.cleanup()
    TMP.cleanup()


def spawn(test, argv, **kw):
    # the plugin's environment only: no PYTHONPATH, the zip must carry the SDK
    env = {"OUTPOST_PLUGIN_NAME": "hello", "PYTHONPATH": "", "TMPDIR": TMP.name}
    env.update(kw.pop("env", {}))
    return Host(test, argv=argv, env=env, **kw)


class HelloTest(unittest.TestCase):
    def served(self, h, **welcome):
        hello = h.handshake(**welcome)
        self.assertEqual(("hello", "1.0.0"), (hello.plugin_name, hello.plugin_version))
        self.assertEqual([("hello", ["greet", "upper"])],
                         [(s.name, list(s.methods)) for s in hello.services])
        h.call(1, "greet", b"world", service="hello")
        h.call(2, "upper", "grüße".encode(), service="hello")
        self.assertEqual(b"hello, world", h.payload_of(1))
        self.assertEqual("GRÜSSE".encode(), h.payload_of(2))
        h.sock.close()
        self.assertEqual(0, h.wait())

    def test_the_zipapp_runs_as_a_file(self):
        self.served(spawn(self, [PYZ]))

    def test_the_zipapp_runs_from_a_sealed_memfd_as_the_host_executes_it(self):
        h = spawn(self, [PYTHON, DRIVER, PYZ, "hello"], fd_env=False,
                  env={"TEST_SOCKET_FD": "{fd}"})
        h.handshake()
        # the kernel started the interpreter on the memfd's path; the SDK named the process
        with open(f"/proc/{h.proc.pid}/cmdline", "rb") as f:
            self.assertEqual([b"/usr/bin/python3", b"-I", b"/dev/fd/4"], f.read().split(b"\0")[:3])
        with open(f"/proc/{h.proc.pid}/comm") as f:
            self.assertEqual("hello", f.read().strip())
        h.call(1, "upper", b"memfd", service="hello")
        self.assertEqual(b"MEMFD", h.payload_of(1))
        h.sock.close()
        self.assertEqual(0, h.wait())
        self.assertEqual("", h.stderr_text())

    def test_the_zipapp_runs_under_the_default_sandbox_s_filesystem_rules(self):
        h = spawn(self, [PYTHON, DRIVER, "--landlock", PYZ, "hello"], fd_env=False,
                  env={"TEST_SOCKET_FD": "{fd}"})
        self.served(h)
        self.assertEqual("", h.stderr_text())

    def test_the_rules_refuse_what_the_sandbox_does_not_allow(self):
        h = spawn(self, [PYTHON, DRIVER, "--landlock", "/usr/bin/cat", "cat", "/etc/passwd"],
                  fd_env=False, env={"TEST_SOCKET_FD": "{fd}"})
        self.assertNotEqual(0, h.wait())
        self.assertIn("Permission denied", h.stderr_text())

    def test_a_zipapp_whose_descriptor_is_closed_by_the_exec_cannot_start(self):
        # why the spawner keeps fd 4 open for a #! file: the interpreter opens /dev/fd/4
        h = spawn(self, [PYTHON, DRIVER, "--close-on-exec", PYZ, "hello"],
                  fd_env=False, env={"TEST_SOCKET_FD": "{fd}"})
        self.assertEqual(127, h.wait())
        self.assertIn("execveat: ENOENT", h.stderr_text())

    def test_greet_refuses_no_name_and_bytes_that_are_not_utf8(self):
        h = spawn(self, [PYZ])
        h.handshake()
        h.call(1, "greet", b"", service="hello")
        h.call(2, "greet", b"\xff", service="hello")
        self.assertEqual(Code.INVALID_ARGUMENT, h.error_of(1).code)
        self.assertEqual(Code.INVALID_ARGUMENT, h.error_of(2).code)

    def test_the_greeting_comes_from_the_config(self):
        h = spawn(self, [PYZ])
        h.handshake(config=[("greeting", "bonjour")])
        h.call(1, "greet", b"monde", service="hello")
        self.assertEqual(b"bonjour, monde", h.payload_of(1))


if __name__ == "__main__":
    unittest.main()
