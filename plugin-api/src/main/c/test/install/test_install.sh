#!/bin/sh
# test_install.sh PREFIX VERSION: checks an installed SDK as a plugin author uses it. Builds
# plugin.c (beside this script) in a directory of its own outside the source tree with nothing
# but  cc plugin.c $(pkg-config --cflags --libs outpost), checks that the library's version is
# the header's and pkg-config's, and runs the installed conformance kit against the plugin.
set -u
prefix=$1 version=$2
here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0

result() { # NAME STATUS [DETAIL]
    if [ "$2" -eq 0 ]; then
        echo "ok   $1"; passed=$((passed + 1))
    else
        echo "FAIL $1${3:+: $3}"; failed=$((failed + 1))
    fi
}

if ! command -v pkg-config >/dev/null 2>&1; then
    echo "SKIP test-install: pkg-config is not installed (apt-get install pkgconf)"
    exit 0
fi

missing=""
for f in lib/liboutpost.a include/outpost.h lib/pkgconfig/outpost.pc bin/outpost-conformance \
         share/outpost/outpost.proto; do
    [ -f "$prefix/$f" ] || missing="$missing $f"
done
[ -x "$prefix/bin/outpost-conformance" ] || missing="$missing (bin/outpost-conformance not executable)"
result install_tree "$([ -z "$missing" ]; echo $?)" "missing:$missing"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/plugin.c" "$work/plugin.c"
cd "$work" || exit 1
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"

got=$(pkg-config --modversion outpost 2>&1)
result pkgconfig_version "$([ "$got" = "$version" ]; echo $?)" "pkg-config says '$got', the header $version"

# shellcheck disable=SC2046 # the flags are words
${CC:-cc} -std=c11 -Wall -Wextra -Werror plugin.c $(pkg-config --cflags --libs outpost) -o plugin \
    >build.log 2>&1
status=$?
result pkgconfig_build "$status" "$(cat build.log)"

if [ "$status" -eq 0 ]; then
    out=$(./plugin --check-version 2>&1)
    result library_version_is_header_version "$?" "$out"
    out=$("$prefix/bin/outpost-conformance" ./plugin 2>&1)
    result installed_kit_passes_installed_plugin "$?" "
$out"
fi

echo "test-install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
