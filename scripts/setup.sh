#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building, running and testing LTI Inspector.
# Idempotent: each step checks first, so a warm machine finishes in seconds.
# Usage: scripts/setup.sh [run|test]   (test also installs the browser, keychain and peer tools)
set -euo pipefail
MODE="${1:-test}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

need_apt=()
want() { dpkg -s "$1" >/dev/null 2>&1 || need_apt+=("$1"); }

if command -v dpkg >/dev/null 2>&1; then
  for p in build-essential pkg-config libssl-dev file \
           libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev \
           librsvg2-dev libayatana-appindicator3-dev libxdo-dev \
           dbus dbus-x11 libdbus-1-dev gnome-keyring libsecret-1-dev libsecret-tools \
           xvfb xauth imagemagick; do want "$p"; done
  if [ "$MODE" = test ]; then
    # wrk: the capture benchmark's load generator (`make bench`).
    # postgresql: the store of the ltijs interop peer (ltijs-sequelize; run as a throwaway cluster).
    for p in xdotool xclip x11-utils webkit2gtk-driver chromium wrk postgresql; do want "$p"; done
  fi
  if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "setup: missing system packages: ${need_apt[*]}" >&2
      echo "setup: run as root or install them with: sudo apt-get install ${need_apt[*]}" >&2
      exit 1
    fi
    echo "setup: installing ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  fi
else
  echo "setup: not a Debian system; see README.md 'Other platforms' for prerequisites" >&2
fi

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust from https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm not found; install Node.js 20+" >&2; exit 1; }

# UI dependencies (also brings the prebuilt Tauri CLI and playwright-core).
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: npm ci in ui/"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$MODE" = test ]; then
  # tauri-driver bridges WebDriver to the real desktop window (WebKitWebDriver).
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "setup: cargo install tauri-driver"
    cargo install tauri-driver --version '^2' --locked -q
  fi
  # Independent LTI peers for interop tests live in their own virtualenv.
  if [ ! -x .venv-peers/bin/python ] || ! .venv-peers/bin/python -c 'import lti1p3platform, pylti1p3, flask, jwcrypto, oauthlib' 2>/dev/null; then
    echo "setup: python peers (PyLTI1p3, lti1p3platform, oauthlib) into .venv-peers"
    python3 -m venv .venv-peers
    .venv-peers/bin/pip install -q --disable-pip-version-check -r tests/peers/requirements.txt
  fi
  # ltijs (npm): an LTI 1.3 tool library with Dynamic Registration, for the interop tests.
  if [ ! -d tests/peers/ltijs/node_modules/ltijs ] || [ tests/peers/ltijs/package-lock.json -nt tests/peers/ltijs/node_modules/.package-lock.json ]; then
    echo "setup: npm ci in tests/peers/ltijs (ltijs, ltijs-sequelize, pg)"
    (cd tests/peers/ltijs && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # atomic-lti (crates.io): an LTI 1.3 tool library, for the compatibility matrix (make compat,
  # and its drift test in make test). Its own lock and workspace; it builds OpenSSL from source
  # the first time (a few minutes), a no-op afterwards.
  echo "setup: cargo build the atomic-lti peer (tests/peers/atomic-lti)"
  cargo build --release -q --locked --manifest-path tests/peers/atomic-lti/Cargo.toml
fi
echo "setup: ok"
