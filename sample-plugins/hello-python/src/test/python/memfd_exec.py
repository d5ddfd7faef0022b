"""Executes a file as the Outpost host does (runtime/src/main/c/outpost-spawner.c): its bytes in a
sealed memfd, which becomes fd 4, close-on-exec unless the file starts with "#!" (a script's
interpreter opens /dev/fd/4, so that descriptor is kept open across the exec), executed with
execveat(4, "", AT_EMPTY_PATH), argv[0] the plugin's name, the socket on fd 3. With --landlock it
also applies the filesystem rules of the default sandbox (docs/sandbox.md,
SandboxPlan.SYSTEM_READ): read and execute beneath the system directories and /proc/self, read
and write in $TMPDIR and /dev/null, nothing else.

    memfd_exec.py [--landlock] [--close-on-exec] FILE NAME [ARG...]

The socket is the descriptor named by $TEST_SOCKET_FD. --close-on-exec leaves fd 4 close-on-exec
even for a script (what the spawner did before it kept it open). When the exec fails:
"execveat: ERRNO" on stderr, exit 127.
"""

import ctypes
import errno
import fcntl
import os
import sys

SYS_EXECVEAT = {"x86_64": 322, "aarch64": 281}[os.uname().machine]
AT_EMPTY_PATH = 0x1000
SOCKET_FD, EXEC_FD = 3, 4
MFD_EXEC = 0x0010  # 6.3: executable even where vm.memfd_noexec makes memfds noexec by default
SYSTEM_READ = ["/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc/ld.so.cache",
               "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/locale.alias",
               "/etc/nsswitch.conf", "/dev/urandom", "/dev/random", "/dev/zero", "/proc/self"]

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock(tmpdir):
    execute, write, read, read_dir = 1 << 0, 1 << 1, 1 << 2, 1 << 3
    truncate = 1 << 14
    handled = (1 << 16) - 1  # every filesystem right up to ABI 5
    file_rights = execute | write | read | truncate
    attr = RulesetAttr(handled)
    ruleset = libc.syscall(444, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    if ruleset < 0:
        sys.exit(f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    for path, allowed in [(p, execute | read | read_dir) for p in SYSTEM_READ] + \
            [(tmpdir, handled), ("/dev/null", read | write | truncate)]:
        try:
            fd = os.open(path, os.O_PATH)
        except FileNotFoundError:
            continue
        if not os.path.isdir(path):
            allowed &= file_rights
        rule = PathBeneathAttr(allowed, fd)
        if libc.syscall(445, ruleset, 1, ctypes.byref(rule), 0) != 0:
            sys.exit(f"landlock_add_rule {path}: {os.strerror(ctypes.get_errno())}")
        os.close(fd)
    if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.syscall(446, ruleset, 0) != 0:  # NO_NEW_PRIVS
        sys.exit(f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")


def main():
    args = sys.argv[1:]
    confined = cloexec = False
    while args and args[0].startswith("--"):
        confined |= args[0] == "--landlock"
        cloexec |= args[0] == "--close-on-exec"
        args.pop(0)
    path, name, rest = args[0], args[1], args[2:]
    sock = int(os.environ.pop("TEST_SOCKET_FD"))  # to fd 3 first: the memfd must not be there
    if sock != SOCKET_FD:
        os.dup2(sock, SOCKET_FD)
        os.close(sock)
    os.environ["OUTPOST_FD"] = str(SOCKET_FD)
    with open(path, "rb") as f:
        data = f.read()
    flags = os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING
    try:
        fd = os.memfd_create(name, flags | MFD_EXEC)
    except OSError as e:  # a kernel before 6.3 does not know MFD_EXEC
        if e.errno != errno.EINVAL:
            raise
        fd = os.memfd_create(name, flags)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fchmod(fd, 0o555)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW |
                fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SEAL)
    if fd != EXEC_FD:
        os.dup2(fd, EXEC_FD, inheritable=False)
        os.close(fd)
    if data[:2] == b"#!" and not cloexec:
        os.set_inheritable(EXEC_FD, True)
    if confined:
        landlock(os.environ["TMPDIR"])
    argv = [name.encode()] + [a.encode() for a in rest]
    c_argv = (ctypes.c_char_p * (len(argv) + 1))(*argv, None)
    env = [f"{k}={v}".encode() for k, v in os.environ.items()]
    c_env = (ctypes.c_char_p * (len(env) + 1))(*env, None)
    libc.syscall(SYS_EXECVEAT, EXEC_FD, b"", c_argv, c_env, AT_EMPTY_PATH)
    print(f"execveat: {errno.errorcode.get(ctypes.get_errno(), '?')}", file=sys.stderr, flush=True)
    os._exit(127)


if __name__ == "__main__":
    main()
