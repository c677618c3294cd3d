#!/usr/bin/env bash
# Release bundles with Tauri's bundler (`make dist`): a .deb and an .rpm holding the desktop app,
# the `lti-inspector` CLI (/usr/bin), the icon, a desktop entry and the version. An AppImage is
# not built: its tools are downloaded at build time, which this kind of machine cannot do.
#
# DIST_PROFILE=debug (what `make test` does): a .deb of the debug build `make test` has just
# built, so the package itself — files, desktop entry, CLI in /usr/bin, install and uninstall —
# is tested on every run without a release build; `make dist` is the release one.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PROFILE="${DIST_PROFILE:-release}"
case "$PROFILE" in
  release)
    bash scripts/setup.sh test
    cargo build -q --release -p lti-inspector --bin lti-inspector
    (cd ui && npm run --silent build)
    FLAGS=(--bundles deb,rpm) ;;
  debug)
    # make test has set up the machine and built the UI and the engine.
    cargo build -q -p lti-inspector --bin lti-inspector
    FLAGS=(--debug --bundles deb) ;;
  *) echo "DIST_PROFILE is release or debug, not $PROFILE" >&2; exit 2 ;;
esac
# tauri.conf.json maps /usr/bin/lti-inspector to this staged copy (paths there are relative).
mkdir -p target/dist-staging
cp "$TARGET/$PROFILE/lti-inspector" target/dist-staging/lti-inspector
# The UI is built above: the config's beforeBuildCommand (meant for the repo root) is skipped.
# The root package is the app; the workspace's default members are the engine crates.
ui/node_modules/.bin/tauri build "${FLAGS[@]}" --config '{"build":{"beforeBuildCommand":""}}' -- -p lti-inspector-desktop
echo
echo "dist: bundles in $TARGET/$PROFILE/bundle:"
ls -l "$TARGET/$PROFILE"/bundle/deb/*.deb "$TARGET/$PROFILE"/bundle/rpm/*.rpm 2>/dev/null || true
