#!/usr/bin/env bash
# Runs every suite inside a virtual display and a throwaway D-Bus session with a real, unlocked
# gnome-keyring (so the keychain code talks to a real Secret Service, never a mock).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
mkdir -p tests/artifacts
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash scripts/test-session.sh
