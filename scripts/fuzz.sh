#!/usr/bin/env bash
# `make fuzz`: coverage-guided fuzzing of every parser of outside input with libFuzzer, through
# cargo-fuzz on the nightly toolchain (libFuzzer needs the sanitizer-coverage passes that only
# nightly rustc exposes; the stable smoke run of the same targets is part of `make test`).
#
#   FUZZ_SECONDS=120     time box per target (default 120 s)
#   FUZZ_RUNS=10000000   stop a target after this many executions instead (the time box still caps it)
#   FUZZ_TARGETS="jws har"  a subset (default: all, in crates/lti-fuzz-targets/src/lib.rs order)
#   FUZZ_JOBS=1          parallel libFuzzer workers per target
#
# Sanitizer: none. The targets are safe Rust (no `unsafe` in the crates they drive) plus
# aws-lc's C, which AddressSanitizer would not instrument from here; without ASan a run is about
# twice as fast, and panics, hangs (-timeout) and unbounded allocation (-malloc_limit_mb,
# -rss_limit_mb) are still caught. A crash lands in fuzz/artifacts/<target>/: copy it to
# fuzz/regressions/<target>/<what-it-broke> so the stable smoke run keeps replaying it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
SECONDS_PER="${FUZZ_SECONDS:-120}"
RUNS="${FUZZ_RUNS:-}"
JOBS="${FUZZ_JOBS:-1}"
FUZZ_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/lti-inspector/fuzz-target}"

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "make fuzz needs the nightly toolchain (rustup toolchain install nightly);" >&2
  echo "the stable smoke run of the same targets is in make test (crates/lti-fuzz-targets)." >&2
  exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

TARGETS="${FUZZ_TARGETS:-$(sed -n 's/.*name: "\([a-z_]*\)".*/\1/p' crates/lti-fuzz-targets/src/lib.rs | tr '\n' ' ')}"
[ -n "${TARGETS// }" ] || { echo "no fuzz targets found in crates/lti-fuzz-targets/src/lib.rs" >&2; exit 2; }
# FUZZ_SEEDS_DIR: one per concurrent run (each rewrites its seeds).
SEEDS="${FUZZ_SEEDS_DIR:-$ROOT/fuzz/seeds}"
rm -rf "$SEEDS"
cargo run -q -p lti-fuzz-targets --bin write-seeds -- "$SEEDS" >/dev/null

# Large enough for a HAR with a few entries or a deep linking response with many items.
max_len() { case "$1" in har|inspect) echo 262144 ;; *) echo 65536 ;; esac; }

summary=()
status=0
for t in $TARGETS; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  # cargo-fuzz points -artifact_prefix at fuzz/artifacts/<target>/ itself.
  args=(-max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024
        -max_len="$(max_len "$t")" -print_final_stats=1)
  if [ -n "$RUNS" ]; then args+=(-runs="$RUNS"); fi
  if [ "$JOBS" != 1 ]; then args+=(-jobs="$JOBS" -workers="$JOBS"); fi
  echo "=== fuzz $t (${RUNS:+$RUNS runs, }at most ${SECONDS_PER}s)"
  log="$(mktemp)"
  set +e
  { cargo +nightly fuzz run --sanitizer none --release --target-dir "$FUZZ_TARGET_DIR" "$t" \
      "fuzz/corpus/$t" "$SEEDS/$t" -- "${args[@]}" 2>&1; echo $? > "$log.rc"; } | tee "$log" \
    | grep -E '^(#[0-9]+ +(DONE|pulse)|==|SUMMARY|stat::)|panicked|Test unit written|^error' || true
  rc="$(cat "$log.rc")"; rm -f "$log.rc"
  set -e
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  secs="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  corpus="$(ls "fuzz/corpus/$t" | wc -l)"
  crashes="$(ls "fuzz/artifacts/$t" | wc -l)"
  summary+=("$(printf '%-16s %12s execs %8s exec/s  corpus %5s  artifacts %s  exit %s' "$t" "${execs:-?}" "${secs:-?}" "$corpus" "$crashes" "$rc")")
  [ "$rc" = 0 ] || status=1
  rm -f "$log"
done
echo
echo "=== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $status
