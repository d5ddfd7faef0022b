#!/usr/bin/env bash
# Profiles where Outpost spends its time, with async-profiler (taken from Maven Central, where it
# ships as tools.profiler:async-profiler with its native library inside the jar):
#   lifecycle.html  wall-clock of 300 bundle starts and stops (which thread waits where)
#   scale.html      wall-clock of starting and stopping 1,000 plugins
#   window64/       CPU of 64 calls in flight, plus allocation per call (JMH -prof gc)
#   latency64/      allocation of the 64 B round trip on one CPU
# usage: benchmarks/profile.sh   (after benchmarks/run.sh has built the jar; output in target/profile)
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
OUT=$BENCH/target/profile
JAR=$BENCH/target/benchmarks.jar
AP_VERSION=3.0
[ -f "$JAR" ] || { echo "profile.sh: build first (benchmarks/run.sh or mvn -pl benchmarks -am package)" >&2; exit 1; }
mkdir -p "$OUT"

lib=$OUT/async-profiler/linux-x64/libasyncProfiler.so
if [ ! -f "$lib" ]; then
    mvn -B -ntp -q dependency:copy -Dartifact=tools.profiler:async-profiler:$AP_VERSION \
        -DoutputDirectory="$OUT" >&2
    (cd "$OUT" && mkdir -p async-profiler && cd async-profiler \
        && unzip -o -q "../async-profiler-$AP_VERSION.jar" 'linux-x64/*')
fi
PROPS=(-Doutpost.bench.bundle="$BENCH/target/bundles/echo.jar")

agent() { echo "-agentpath:$lib=start,event=wall,interval=200us,threads,file=$OUT/$1.html"; }
java "${PROPS[@]}" "$(agent lifecycle)" -cp "$JAR" dev.outpost.bench.Lifecycle --samples 300 --plugins 0
java "${PROPS[@]}" "$(agent scale)" -cp "$JAR" dev.outpost.bench.Lifecycle --samples 1 --plugins 1000

java "${PROPS[@]}" -jar "$JAR" 'OutpostBenchmark.window' -p inflight=64 -f 1 -wi 2 -w 1 -i 3 -r 2 \
    -prof gc -prof "async:libPath=$lib;output=flamegraph;event=cpu;threads=true;dir=$OUT/window64"
taskset -c 0 java "${PROPS[@]}" -jar "$JAR" 'OutpostBenchmark.latency' -p size=64 -f 1 -wi 2 -w 1 -i 2 -r 2 \
    -prof gc -prof "async:libPath=$lib;output=flamegraph;event=alloc;dir=$OUT/latency64"
echo "profile.sh: flame graphs in $OUT" >&2
