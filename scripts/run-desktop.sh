#!/usr/bin/env bash
# Opens the desktop app. With a display (X11/Wayland) it simply runs. On a headless machine it
# says so and runs the window on a virtual display (Xvfb) with a throwaway D-Bus session and an
# unlocked gnome-keyring, so the app still starts on its defaults; use `make serve` to drive it
# from a browser instead.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/lti-inspector-desktop"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$BIN"
fi
echo "run: no display found; starting the window on a virtual display (Xvfb :99-style, via xvfb-run)."
echo "run: take a screenshot with: DISPLAY=<shown below> import -window root shot.png — or use 'make serve' for a browser."
exec xvfb-run -a -s "-screen 0 1280x820x24" dbus-run-session -- bash -c '
  echo "run: DISPLAY=$DISPLAY"
  if [ -z "${XDG_DATA_HOME:-}" ]; then :; fi
  echo -n lti-inspector | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
  exec "$0"' "$BIN"
