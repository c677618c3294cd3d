#!/usr/bin/env bash
# `make dist-test`: installs the .deb `make dist` built on this machine, checks the installed
# CLI and starts the installed app under Xvfb (window painted, screenshot), then uninstalls it
# and checks nothing of it is left in /usr/bin. Needs root (dpkg). DIST_PROFILE=debug tests
# the debug package `DIST_PROFILE=debug scripts/dist.sh` made (make test does both).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PROFILE="${DIST_PROFILE:-release}"
if [ "$(id -u)" != 0 ] || ! command -v dpkg >/dev/null; then
  echo "dist-test: needs root and dpkg (Debian or Ubuntu) to install the package" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
DEB="$(ls -t "$TARGET/$PROFILE"/bundle/deb/*.deb | head -1)"
PKG="$(dpkg-deb -f "$DEB" Package)"
VERSION="$(dpkg-deb -f "$DEB" Version)"
mkdir -p tests/artifacts
echo "dist-test: $DEB ($PKG $VERSION, $(du -h "$DEB" | cut -f1))"
for f in "$TARGET/$PROFILE"/bundle/rpm/*.rpm; do [ -f "$f" ] && echo "dist-test: also built $(basename "$f") ($(du -h "$f" | cut -f1))"; done

fail() { echo "dist-test: FAILED: $*" >&2; dpkg -r "$PKG" >/dev/null 2>&1 || true; exit 1; }

dpkg -i "$DEB" >/dev/null || apt-get install -y -qq -f >/dev/null || fail "install"
echo "dist-test: installed; $(dpkg-query -W -f='${Installed-Size}' "$PKG") KiB on disk"
dpkg -L "$PKG" | grep -E '^/usr/bin/|\.desktop$|icons/.*\.png$' | sed 's/^/dist-test:   /'

[ -x /usr/bin/lti-inspector ] || fail "/usr/bin/lti-inspector missing"
CLI_VERSION="$(/usr/bin/lti-inspector --version)"
echo "dist-test: $CLI_VERSION"
case "$CLI_VERSION" in *"$VERSION"*) ;; *) fail "CLI version $CLI_VERSION is not the package's $VERSION" ;; esac
APP="$(dpkg -L "$PKG" | grep -E '^/usr/bin/' | grep -v '/lti-inspector$' | head -1)"
[ -x "$APP" ] || fail "the desktop binary is missing"
grep -q "^Exec=" "$(dpkg -L "$PKG" | grep '\.desktop$' | head -1)" || fail "no desktop entry"

# The installed app, cold (fresh data folder and keyring), until its first frame is painted.
HOME_DIR="$(mktemp -d /tmp/lti-dist-home.XXXXXX)"
trap 'rm -rf "$HOME_DIR"' EXIT
export XDG_DATA_HOME="$HOME_DIR"
PAINT="$(xvfb-run -a -s "-screen 0 1280x820x24" dbus-run-session -- bash -c '
  echo -n dist | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  LTI_INSPECTOR_EXIT_AFTER_FIRST_PAINT=1 LTI_INSPECTOR_TOOL_PORT=0 LTI_INSPECTOR_EMULATOR_PORT=0 timeout 60 "$0" 2>/dev/null' "$APP" 2>/dev/null | grep -o 'first-paint-ms: [0-9.]*' || true)"
[ -n "$PAINT" ] || fail "the installed app did not paint a window"
echo "dist-test: installed app, cold start: $PAINT"
# And a screenshot of its window after it settled.
xvfb-run -a -s "-screen 0 1280x820x24" dbus-run-session -- bash -c '
  echo -n dist | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  LTI_INSPECTOR_TOOL_PORT=0 LTI_INSPECTOR_EMULATOR_PORT=0 "$0" >/dev/null 2>&1 & P=$!
  sleep 6; import -window root "$1"; kill $P; wait $P 2>/dev/null || true' "$APP" "$ROOT/tests/artifacts/dist-installed-window.png" >/dev/null 2>&1
echo "dist-test: screenshot tests/artifacts/dist-installed-window.png"

dpkg -r "$PKG" >/dev/null || fail "uninstall"
[ ! -e /usr/bin/lti-inspector ] && [ ! -e "$APP" ] || fail "files left after uninstall"
echo "dist-test: uninstalled; nothing left in /usr/bin"
echo "dist-test: ok"
