#!/usr/bin/env bash
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
export XDG_DATA_HOME="$(mktemp -d /tmp/lti-bench-xdg.XXXXXX)"
echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
RUNS="${BENCH_RUNS:-5}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
stats() { sort -n | awk '{a[NR]=$1; s+=$1} END {printf "min %.0f  median %.0f  max %.0f  mean %.0f  (n=%d)\n", a[1], a[int((NR+1)/2)], a[NR], s/NR, NR}'; }

echo "== desktop: process start → first paint (ms), Xvfb, $RUNS runs"
DATA="$(mktemp -d)"
first=""
warm=()
for i in $(seq 0 "$RUNS"); do
  out="$(LTI_INSPECTOR_DATA_DIR="$DATA" LTI_INSPECTOR_TOOL_PORT=0 LTI_INSPECTOR_EMULATOR_PORT=0 LTI_INSPECTOR_EXIT_AFTER_FIRST_PAINT=1 \
        timeout 60 $TARGET/debug/lti-inspector-desktop 2>/dev/null | grep first-paint-ms || true)"
  ms="${out#first-paint-ms: }"
  [ -z "$ms" ] && { echo "run $i: no first paint reported"; continue; }
  if [ "$i" = 0 ]; then first="$ms"; else warm+=("$ms"); fi
done
echo "first start (creates database and signing key): ${first} ms"
printf '%s\n' "${warm[@]}" | stats | sed 's/^/later starts: /'

echo
echo "== idle RSS"
D2="$(mktemp -d)"
$TARGET/debug/lti-inspector serve --data-dir "$D2" --ui-port 0 --tool-port 0 --emulator-port 0 >/dev/null 2>&1 &
PID=$!
sleep 3
echo "engine (lti-inspector serve, idle 3 s): $(( $(rss_kib $PID) / 1024 )) MiB"
kill $PID; wait $PID 2>/dev/null || true

LTI_INSPECTOR_DATA_DIR="$DATA" LTI_INSPECTOR_TOOL_PORT=0 LTI_INSPECTOR_EMULATOR_PORT=0 $TARGET/debug/lti-inspector-desktop >/dev/null 2>&1 &
PID=$!
sleep 5
web=0
for p in $(pgrep -f WebKitWebProcess || true) $(pgrep -f WebKitNetworkProcess || true); do web=$(( web + $(rss_kib "$p" 2>/dev/null || echo 0) )); done
echo "desktop main process (engine + shell, idle 5 s): $(( $(rss_kib $PID) / 1024 )) MiB; WebKit web+network processes: $(( web / 1024 )) MiB"
kill $PID; wait $PID 2>/dev/null || true

echo
echo "== engine benchmarks (release build)"
cargo build -q --release -p lti-inspector --bins
for b in "$TARGET"/release/bench-*; do
  [ -x "$b" ] || continue
  echo
  echo "-- $(basename "$b")"
  "$b"
done
