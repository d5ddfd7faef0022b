#!/bin/sh
# Installs the Debian packages the build's native and Python parts need, if any is missing.
# Called by Maven (validate phase of the parent) and by ./outpost, so that the README's two
# commands work on a fresh Debian machine. Needs root (or sudo) only when something is missing.
set -eu

need=""
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
command -v protoc-c >/dev/null 2>&1 || need="$need protobuf-c-compiler"
[ -f /usr/include/protobuf-c/protobuf-c.h ] || need="$need libprotobuf-c-dev"
[ -f /usr/include/zlib.h ] || need="$need zlib1g-dev"
# pkg-config: how a plugin author builds against the installed C SDK (OutsideTheReactorTest)
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
# the Python SDK and sample: the system's interpreter, its protobuf runtime, and the protoc of
# the same version (Debian's 3.21) that generates outpost_pb2.py for it
[ -x /usr/bin/python3 ] || need="$need python3"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1 \
    || need="$need python3-protobuf"
[ -x /usr/bin/protoc ] || need="$need protobuf-compiler"

[ -z "$need" ] && exit 0

echo "outpost: installing missing Debian packages:$need" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "outpost: missing packages:$need; run as root or install them with apt-get" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $need >&2
