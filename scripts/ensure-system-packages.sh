#!/bin/sh
# Installs the Debian packages the native part of the build needs, if any is missing.
# Called by Maven (validate phase of the parent) and by ./outpost, so that the README's two
# commands work on a fresh Debian machine. Needs root (or sudo) only when something is missing.
set -eu

need=""
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
command -v protoc-c >/dev/null 2>&1 || need="$need protobuf-c-compiler"
[ -f /usr/include/protobuf-c/protobuf-c.h ] || need="$need libprotobuf-c-dev"
[ -f /usr/include/zlib.h ] || need="$need zlib1g-dev"

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
