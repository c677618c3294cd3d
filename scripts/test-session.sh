#!/usr/bin/env bash
# The body of `make test`, run by scripts/test.sh inside Xvfb + dbus-run-session.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export LTI_INSPECTOR_BIN="${LTI_INSPECTOR_BIN:-$TARGET/debug/lti-inspector}"
export LTI_INSPECTOR_DESKTOP_BIN="${LTI_INSPECTOR_DESKTOP_BIN:-$TARGET/debug/lti-inspector-desktop}"
export XDG_DATA_HOME="$(mktemp -d /tmp/lti-test-xdg.XXXXXX)"
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
echo -n test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null

step() { echo; echo "=== $*"; }

step "rustfmt"
cargo fmt --all --check
step "clippy (engine and protocol; \`make lint\` also covers the desktop shell)"
cargo clippy --workspace --exclude lti-inspector-desktop --all-targets -q -- -D warnings
step "Rust tests (protocol, engine, keychain)"
cargo test --workspace --exclude lti-inspector-desktop
step "desktop shell's own Rust (its command names match the generated ones)"
cargo test -p lti-inspector-desktop --lib
step "UI unit tests (vitest)"
(cd ui && npx vitest run)
step "browser tests (chromium + playwright-core against lti-inspector serve)"
node --test tests/browser/*.test.mjs
step "real desktop window (tauri-driver + WebKitWebDriver under Xvfb)"
node --test tests/desktop/*.test.mjs
step "interop with independent LTI implementations (PyPI peers over loopback)"
.venv-peers/bin/python -m pytest tests/interop -q -p no:cacheprovider
step "the installable package (a .deb of this debug build: installed, started under Xvfb, uninstalled; make dist-test does the release one)"
DIST_PROFILE=debug bash scripts/dist.sh
DIST_PROFILE=debug bash scripts/dist-test.sh
echo
echo "all suites passed"
