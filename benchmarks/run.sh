#!/usr/bin/env bash
# Runs the whole comparison of issue 5 and prints one table: Outpost against the C floor and
# against gRPC over a Unix socket, every figure in two placements from the same run:
#   free  - unpinned: the scheduler may put host and plugin on different CPUs
#   cpu0  - `taskset -c 0` for everything (a plugin inherits the affinity of the JVM that spawns it)
#
# usage: benchmarks/run.sh [--quick]      (--quick: few samples, to try the script in a minute)
# env:   MVN_FLAGS (e.g. -o), OUTPOST_BENCH_RESULTS (default benchmarks/target/results)
# About 7 minutes on the 2-core machine; needs root only to install missing Debian packages.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/benchmarks
RESULTS=${OUTPOST_BENCH_RESULTS:-$BENCH/target/results}
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1

log() { echo "run.sh: $*" >&2; }

# 1. Debian packages: what the project's build needs, plus the C++ gRPC peer's
"$ROOT/scripts/ensure-system-packages.sh"
need=""
command -v protoc >/dev/null 2>&1 || need="$need protobuf-compiler"
command -v grpc_cpp_plugin >/dev/null 2>&1 || need="$need protobuf-compiler-grpc"
[ -f /usr/include/grpcpp/grpcpp.h ] || need="$need libgrpc++-dev"
[ -f /usr/include/google/protobuf/port_def.inc ] || need="$need libprotobuf-dev"
command -v g++ >/dev/null 2>&1 || need="$need g++"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
if [ -n "$need" ]; then
    log "installing$need for the C++ gRPC server"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
        --no-install-recommends $need; } >&2 || log "could not install$need: gRPC falls back to grpc-java"
fi

# 2. build: the reactor up to this module (never mvn install: ~/.m2 is shared), then the C++ server
log "building"
(cd "$ROOT" && mvn -B -ntp -q ${MVN_FLAGS:-} -pl benchmarks -am package -DskipTests) >&2
NATIVE=$BENCH/target/native
make -s -C "$BENCH/src/main/c" grpc OUT="$NATIVE" >&2 || log "C++ gRPC server did not build: grpc-java fallback"
JAR=$BENCH/target/benchmarks.jar
JAVA_PROPS=(-Doutpost.bench.bundle="$BENCH/target/bundles/echo.jar"
            -Doutpost.bench.plugin="$NATIVE/bench_plugin"
            -Doutpost.bench.grpc.server="$NATIVE/grpc_echo_server"
            -Doutpost.bench.spinner="$NATIVE/spinner")

if [ $QUICK = 1 ]; then
    FLOOR_SCALE=20; LIFE=(--samples 20 --plugins 100); JMH=(--quick)
else
    FLOOR_SCALE=1; LIFE=(--samples 300 --warmup 1000 --plugins 1000); JMH=()
fi

# 3. every part in both placements (the load average before it tells whether something else ran)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$RESULTS"
for placement in free cpu0; do
    PIN=(); [ $placement = cpu0 ] && PIN=(taskset -c 0)
    dir=$RESULTS/$placement
    mkdir -p "$dir"
    log "$placement: C floor"
    "${PIN[@]}" "$NATIVE/floor" $FLOOR_SCALE > "$dir/floor.txt"
    log "$placement: lifecycle and scale"
    "${PIN[@]}" java "${JAVA_PROPS[@]}" -cp "$JAR" dev.outpost.bench.Lifecycle "${LIFE[@]}" \
        --out "$dir/lifecycle.txt" > "$dir/lifecycle.log" 2>&1
    log "$placement: JMH (Outpost and gRPC calls)"
    "${PIN[@]}" java "${JAVA_PROPS[@]}" -cp "$JAR" dev.outpost.bench.BenchMain "${JMH[@]}" \
        --out "$dir/jmh.txt" --json "$dir/jmh.json" > "$dir/jmh.log" 2>&1
done

# 4. the table, with what it ran on
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with \`benchmarks/run.sh${1:+ $1}\`"
    echo "on $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), Linux $(uname -r),"
    echo "$(java -version 2>&1 | head -1); gRPC peer: $(java "${JAVA_PROPS[@]}" -cp "$JAR" \
        dev.outpost.bench.Report --peer); load average before the run: $LOAD_BEFORE."
    echo
    java -cp "$JAR" dev.outpost.bench.Report "$RESULTS" free cpu0
} | tee "$RESULTS/table.md"
