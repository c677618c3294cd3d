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
# The virtual session gets its own persistent folder (database and keyring), so keys survive
# restarts and an existing login keyring with another password is never touched (it would wait
# on a password prompt nobody can see). The keyring is unlocked with a random password made on
# first use and kept beside it (0600, in a 0700 folder): anyone who can read that folder can
# read the keys, as with any auto-unlocked keyring. Folders made before this kept the old fixed
# password; their keyring is still opened with it.
export XDG_DATA_HOME="${LTI_INSPECTOR_HEADLESS_HOME:-$HOME/.local/share/lti-inspector-headless}"
mkdir -p "$XDG_DATA_HOME"
chmod 700 "$XDG_DATA_HOME"
PW_FILE="$XDG_DATA_HOME/keyring-password"
if [ ! -s "$PW_FILE" ]; then
  ( umask 077
    if [ -d "$XDG_DATA_HOME/keyrings" ]; then printf %s lti-inspector > "$PW_FILE"
    else head -c 24 /dev/urandom | base64 | tr -d '\n' > "$PW_FILE"; fi )
fi
echo "run: data and keyring in $XDG_DATA_HOME"
exec xvfb-run -a -s "-screen 0 1280x820x24" dbus-run-session -- bash -c '
  echo "run: DISPLAY=$DISPLAY"
  gnome-keyring-daemon --unlock --components=secrets < "$1" >/dev/null 2>&1 || true
  exec "$0"' "$BIN" "$PW_FILE"
