# LTI Inspector — the two commands are `make run` and `make test`; see README.md.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: run test bench crash fuzz compat dist dist-test ui app engine bindings serve lint setup-run setup-test clean

## Build and open the desktop app on its embedded defaults (installs what is missing).
run: setup-run ui app
	@bash scripts/run-desktop.sh

## Run every suite: Rust, UI unit, browser, real window, interop (installs what is missing).
test: setup-test ui engine app
	@bash scripts/test.sh

## Benchmarks: desktop cold start to first paint, engine idle RSS, and the engine benches.
bench: setup-test ui engine app
	@bash scripts/bench.sh

## Release bundles (.deb, .rpm) with the app and the CLI; see scripts/dist.sh.
dist:
	@bash scripts/dist.sh

## Install the .deb here, start the installed app under Xvfb, check it, uninstall it.
dist-test: dist
	@bash scripts/dist-test.sh

## Crash safety: launches at half capacity, SIGKILL mid-load, restart; every acknowledged launch found.
crash: setup-test
	$(CARGO) build -q --release -p lti-inspector --bins
	$${CARGO_TARGET_DIR:-target}/release/bench-crash

## Coverage-guided fuzzing (libFuzzer via cargo-fuzz, nightly): every parser of outside input,
## time-boxed (FUZZ_SECONDS per target, default 120) or to FUZZ_RUNS executions; see scripts/fuzz.sh.
fuzz:
	@bash scripts/fuzz.sh

## The compatibility matrix: every case launched into PyLTI1p3, ltijs and atomic-lti over loopback;
## writes crates/lti-protocol/src/compat.json and regenerates docs/RULES.md (make test checks it).
compat: setup-test engine
	.venv-peers/bin/python tests/interop/compat.py --write
	UPDATE_DOCS=1 $(CARGO) test -q -p lti-protocol --test rules_doc

## `lti-inspector serve` for a browser (prints the ui: URL with its token).
serve: setup-run ui engine
	$${CARGO_TARGET_DIR:-target}/debug/lti-inspector serve

setup-run:
	@bash scripts/setup.sh run
setup-test:
	@bash scripts/setup.sh test

ui:
	@cd ui && npm run --silent build

engine:
	$(CARGO) build -p lti-inspector

app:
	$(CARGO) build -p lti-inspector-desktop

## Regenerate ui/src/bindings/index.ts from the Rust command table.
bindings:
	$(CARGO) run -q -p lti-inspector -- bindings > ui/src/bindings/index.ts

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
