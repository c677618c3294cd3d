#!/usr/bin/env bash
# Benchmarks, printed as figures to quote: desktop cold start to first paint (Xvfb), idle RSS of
# the engine (`lti-inspector serve`) and of the desktop process, then the engine's bench binary.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash scripts/bench-session.sh
