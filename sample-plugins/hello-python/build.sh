#!/bin/sh
# build.sh - builds the hello-python plugin: target/hello.pyz, the zipapp (#!/usr/bin/python3 -I)
# that the bundle carries and that runs by hand as well.
#
#   build.sh [SDK_DIR [PROTOC [OUT_DIR]]]
#     defaults: ../../sdk/python, /usr/bin/protoc, ./target; $PROTO_DIR for
#     outpost/v1/outpost.proto (default ../../plugin-api/src/main/proto)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sdk=${1:-$here/../../sdk/python}
protoc=${2:-/usr/bin/protoc}
out=${3:-$here/target}
exec "$sdk/package.sh" -s "$here/src/main/python" -m hello.__main__:main -o "$out/hello" \
    -p "$protoc" -I "${PROTO_DIR:-$here/../../plugin-api/src/main/proto}"
