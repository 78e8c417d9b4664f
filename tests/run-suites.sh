#!/usr/bin/env bash
# Runs every test of the workspace in three lanes at once, because the long suites spend most
# of their time waiting on loopback servers (moto, the simulators, Chromium), not on the CPU:
# lane 1 the end-to-end suite, lane 2 the attack suite and the browser test, lane 3 every other
# test binary (unit, fixture, property, reliability, and any target added later) and the
# doctests.
#
# It builds once with `cargo test --workspace --no-run` and runs the binaries that build
# listed, each from its package's directory as cargo would. (Separate `cargo test -p ...`
# calls per lane would unify features differently and rebuild half the workspace.) Each lane
# logs to target/test-logs/<lane>.log; the summary lines and any failure are printed at the
# end, and the script fails if any lane failed.
set -uo pipefail

cargo=${CARGO:-cargo}
target_dir=${CARGO_TARGET_DIR:-target}
logs="$target_dir/test-logs"
mkdir -p "$logs"

# One line per test binary: <target name> <kind> <package dir> <executable>.
binaries="$logs/binaries.txt"
"$cargo" test --workspace --no-run --message-format=json-render-diagnostics --quiet |
  python3 -c '
import json, os, sys
for line in sys.stdin:
    message = json.loads(line)
    if message.get("reason") != "compiler-artifact" or not message.get("executable"):
        continue
    if not message["profile"]["test"]:
        continue
    target = message["target"]
    print(target["name"], target["kind"][0], os.path.dirname(message["manifest_path"]),
          message["executable"])
' >"$binaries" || { echo "building the tests failed" >&2; exit 1; }

# Runs the named test binaries (or all but the named ones, with `--all-but`) one after another.
lane() {
  local name=$1 mode=$2
  shift 2
  local log="$logs/$name.log" started=$SECONDS status=0
  : >"$log"
  while read -r target kind dir executable; do
    local listed=0
    for wanted in "$@"; do [ "$target" = "$wanted" ] && [ "$kind" = test ] && listed=1; done
    if { [ "$mode" = only ] && [ $listed = 0 ]; } || { [ "$mode" = all-but ] && [ $listed = 1 ]; }
    then
      continue
    fi
    echo "+ $target ($kind, ${dir#"$PWD"/})" >>"$log"
    (cd "$dir" && CARGO_MANIFEST_DIR="$dir" "$executable") >>"$log" 2>&1 || status=1
  done <"$binaries"
  if [ "$mode" = all-but ]; then
    echo "+ doctests" >>"$log"
    "$cargo" test --workspace --doc --quiet >>"$log" 2>&1 || status=1
  fi
  echo "=== lane $name: $([ $status = 0 ] && echo passed || echo FAILED)" \
    "in $((SECONDS - started)) s ($log)" >>"$log"
  return $status
}

lane e2e only e2e &
e2e_pid=$!
lane attack only attack browser &
attack_pid=$!
lane rest all-but e2e attack browser &
rest_pid=$!

failed=0
for pid in $e2e_pid $attack_pid $rest_pid; do
  wait "$pid" || failed=1
done
for name in rest attack e2e; do
  grep -E '^(\+ |test result|test .* FAILED$|=== lane)' "$logs/$name.log"
  # A failing test's captured output and panic, from the test harness's "failures:" block.
  awk '/^failures:$/ { show = 1 } /^test result/ { show = 0 } show' "$logs/$name.log"
done
if [ $failed != 0 ]; then
  echo "Some tests failed; the full output is in $logs/."
fi
exit $failed
