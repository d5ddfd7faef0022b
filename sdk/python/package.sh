#!/bin/sh
# package.sh - packs a Python plugin into one executable for Outpost: a zipapp.
#
#   package.sh -s SRC -m MODULE:FUNCTION -o OUT [-p PROTOC] [-I PROTO_DIR]
#
#   SRC       a directory holding the plugin's package(s), copied into the zip as they are
#   MODULE:FUNCTION  what the zip's __main__.py runs, e.g. hello.__main__:main
#   OUT       the output's path without extension; makes OUT.pyz, a zipapp starting with
#             "#!/usr/bin/python3 -I": the executable a bundle carries (Outpost-Executable).
#             The host runs it from its sealed memfd (docs/python-plugins.md, section 5); it
#             runs by hand as well (./OUT.pyz)
#   PROTOC    protoc (default /usr/bin/protoc, the 3.21 of Debian, as python3-protobuf)
#   PROTO_DIR where outpost/v1/outpost.proto is (default: the repository's plugin-api)
#
# The zip carries the plugin, a copy of the outpost package and outpost/v1/outpost_pb2.py
# generated here; the interpreter brings the rest (python3, python3-protobuf).
set -eu

sdk=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-/usr/bin/python3}
protoc=/usr/bin/protoc
proto_dir=$sdk/../../plugin-api/src/main/proto
src= main= out=
while getopts s:m:o:p:I: opt; do
    case $opt in
    s) src=$OPTARG ;;
    m) main=$OPTARG ;;
    o) out=$OPTARG ;;
    p) protoc=$OPTARG ;;
    I) proto_dir=$OPTARG ;;
    *) exit 2 ;;
    esac
done
if [ -z "$src" ] || [ -z "$main" ] || [ -z "$out" ]; then
    echo "usage: $0 -s SRC -m MODULE:FUNCTION -o OUT [-p PROTOC] [-I PROTO_DIR]" >&2
    exit 2
fi

stage=$out.stage
rm -rf "$stage"
mkdir -p "$stage" "$(dirname "$out")"
cp -R "$src"/. "$stage"/
cp -R "$sdk/outpost" "$stage/outpost"
"$protoc" -I "$proto_dir" --python_out="$stage" outpost/v1/outpost.proto
find "$stage" -name __pycache__ -prune -exec rm -rf {} +

# -I (isolated): no PYTHON* variables, no user site directory; the zip is still on sys.path.
# Written beside and moved into place: a reader never sees half a zip.
"$python" -m zipapp "$stage" -m "$main" -p "/usr/bin/python3 -I" -o "$out.pyz.tmp"
mv "$out.pyz.tmp" "$out.pyz"
rm -rf "$stage"
