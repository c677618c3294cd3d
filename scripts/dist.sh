#!/usr/bin/env bash
# Release bundles with Tauri's bundler (`make dist`): a .deb and an .rpm holding the desktop app,
# the `lti-inspector` CLI (/usr/bin), the icon, a desktop entry and the version. An AppImage is
# not built: its tools are downloaded at build time, which this kind of machine cannot do.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
bash scripts/setup.sh test
cargo build -q --release -p lti-inspector --bin lti-inspector
# tauri.conf.json maps /usr/bin/lti-inspector to this staged copy (paths there are relative).
mkdir -p target/dist-staging
cp "$TARGET/release/lti-inspector" target/dist-staging/lti-inspector
(cd ui && npm run --silent build)
# The UI is built above: the config's beforeBuildCommand (meant for the repo root) is skipped.
# The root package is the app; the workspace's default members are the engine crates.
ui/node_modules/.bin/tauri build --bundles deb,rpm --config '{"build":{"beforeBuildCommand":""}}' -- -p lti-inspector-desktop
echo
echo "dist: bundles in $TARGET/release/bundle:"
ls -l "$TARGET"/release/bundle/deb/*.deb "$TARGET"/release/bundle/rpm/*.rpm 2>/dev/null || true
