#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (ships with the Swift toolchain) and AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 60 seconds for each of the six targets
#
# Targets (FuzzHarness.Target in Sources/AfterdeskCore/Fuzzing): csv (the CSV reader), decode-canonical, decode-cdk and
# decode-dealervault (each profile's row decoder, then the planner on every deal that decodes), json (the JSON reader,
# decoder and planner) and menu (the menu and warranties loaders). Each starts from Fuzz/seeds/<target> and a corpus
# kept in .build-fuzz/corpus/<target> between runs. A crash fails the script: its input is copied to
# Tests/FuzzRegressions/<target>/, which `swift test` replays from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv decode-canonical decode-cdk decode-dealervault json menu)

# AfterdeskCore (and Yams) instrumented for coverage and AddressSanitizer, in a build folder of their own. The order
# matters: swiftc keeps only the last of several -sanitize= flags' coverage, so fuzzer goes last.
swift build --target AfterdeskCore --sanitize address --sanitize fuzzer --build-path .build-fuzz >/dev/null 2>&1 \
  || swift build --target AfterdeskCore --sanitize address --sanitize fuzzer --build-path .build-fuzz
B=.build-fuzz/debug
swiftc -sanitize=fuzzer,address -parse-as-library -g Fuzz/FuzzMain.swift -I "$B/Modules" \
  -Xcc -fmodule-map-file=.build-fuzz/checkouts/Yams/Sources/CYaml/include/module.modulemap \
  "$B"/AfterdeskCore.build/*.o "$B"/Yams.build/*.o "$B"/CYaml.build/src/*.o -o .build-fuzz/afterdesk-fuzz 2>/dev/null

failed=0
for target in "${targets[@]}"; do
  corpus=.build-fuzz/corpus/$target
  artifacts=.build-fuzz/artifacts/$target
  rm -rf "$artifacts"; mkdir -p "$corpus" "$artifacts"
  log=.build-fuzz/$target.log
  # First every crasher kept so far, under AddressSanitizer (swift test replays them without it).
  regressions=(Tests/FuzzRegressions/$target/*)
  if [ -e "${regressions[0]}" ]; then
    if ! AFTERDESK_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 .build-fuzz/afterdesk-fuzz "${regressions[@]}" >"$log" 2>&1; then
      echo "fuzz $target: a kept regression input fails again; see $log"; grep -m 10 -E 'ERROR|SUMMARY|Fatal' "$log" || true
      failed=1; continue
    fi
  fi
  # JSON inputs may be long enough to nest deep (the reader refuses past JSONDealReader.maxDepth): 64 KiB reaches
  # thousands of levels.
  max_len=8192
  [ "$target" = json ] && max_len=65536
  set +e
  AFTERDESK_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=0 .build-fuzz/afterdesk-fuzz -max_total_time="$seconds" -max_len=$max_len \
    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "Fuzz/seeds/$target" >"$log" 2>&1
  status=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  if [ $status -ne 0 ]; then
    failed=1
    mkdir -p "Tests/FuzzRegressions/$target"
    for crash in "$artifacts"/*; do [ -f "$crash" ] && cp "$crash" "Tests/FuzzRegressions/$target/"; done
    echo "fuzz $target: FAILED after ${runs} runs (exit $status); the input is in Tests/FuzzRegressions/$target/; see $log"
    grep -m 20 -E 'ERROR|Fatal error|SUMMARY|#[0-9]+ 0x' "$log" || tail -20 "$log"
  else
    echo "fuzz $target: ${runs} runs in ${seconds} s (${rate} exec/s), coverage ${cov} edges, no crash"
  fi
done
exit $failed
