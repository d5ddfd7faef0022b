#!/bin/sh
# run.sh KIT DIR: the tests of the conformance kit. The SDK's test plugin, the echo sample and
# broken_plugin without a mode keep every rule: the kit must pass them. Each mode of
# broken_plugin breaks one rule: the kit must fail exactly the cases about it, and exit 1.
set -u
kit=$1 dir=$2
passed=0 failed=0

# check NAME "EXPECTED FAILING CASES" ARGS...: runs the kit with ARGS (its output stays in $out)
check() {
    name=$1 expected=$2
    shift 2
    out=$("$kit" "$@" 2>&1)
    rc=$?
    got=$(printf '%s\n' "$out" | sed -n 's/^FAIL \([^:]*\):.*/\1/p' | tr '\n' ' ' | sed 's/ $//')
    want_rc=0
    [ -n "$expected" ] && want_rc=1
    if [ "$got" = "$expected" ] && [ "$rc" -eq "$want_rc" ] &&
        printf '%s\n' "$out" | grep -q '^conformance: '; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: expected FAIL of [$expected] and exit $want_rc, got [$got] and exit $rc"
        printf '%s\n' "$out" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

fast="--timeout 2000 --grace 1000"
check kit_passes_the_sdk_test_plugin "" "$dir/test_plugin"
check kit_passes_another_method "" --service other --method echo --payload-hex 00ff0a "$dir/test_plugin"
if [ -x "$dir/echo" ]; then
    check kit_passes_the_echo_sample "" "$dir/echo"
else
    echo "SKIP kit_passes_the_echo_sample: sample-plugins/echo is not beside plugin-api"
fi
check kit_passes_a_plugin_without_the_sdk "" "$dir/broken_plugin"
# shellcheck disable=SC2086
{
check kit_fails_wrong_ids "call pipelining split-frames unknown-method cancel sigterm-race" \
    $fast "$dir/broken_plugin" wrong-id
check kit_fails_an_ignored_sigterm "sigterm-race" $fast "$dir/broken_plugin" ignore-term
check kit_fails_frames_before_the_welcome "pre-welcome refusal" $fast "$dir/broken_plugin" chatty
check kit_fails_non_zero_exits "goodbye eof sigterm-race" $fast "$dir/broken_plugin" bad-exit
check kit_fails_a_lenient_reader "pre-welcome oversize-frame malformed-frame" \
    $fast "$dir/broken_plugin" lenient
check kit_runs_chosen_cases "sigterm-race" --case ping --case sigterm-race $fast \
    "$dir/broken_plugin" ignore-term
}
lines=$(printf '%s\n' "$out" | grep -c '^\(PASS\|FAIL\|SKIP\) ')
if [ "$lines" -eq 2 ]; then
    echo "ok   kit_runs_only_the_chosen_cases"; passed=$((passed + 1))
else
    echo "FAIL kit_runs_only_the_chosen_cases: $lines case lines"; failed=$((failed + 1))
fi
check kit_fails_a_missing_executable "handshake unknown-method ping pre-welcome oversize-frame malformed-frame refusal goodbye eof" \
    "$dir/no-such-plugin"

echo "conformance-kit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
