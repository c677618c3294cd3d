//! Every parser that reads outside input, driven the way the engine drives it. Each target takes
//! arbitrary bytes and must return without panicking, hanging or allocating without bound:
//! `fuzz/` runs them under libFuzzer (`make fuzz`), and this crate's tests replay the seeds, the
//! saved regressions and a deterministic mutation run on stable Rust (`make test`).

pub mod mutate;
pub mod seeds;
mod targets;

pub use targets::*;

/// A target: its name (the `fuzz/fuzz_targets/<name>.rs` binary and corpus folder) and body.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// All targets, in the order `make fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "jws",
        run: targets::jws,
    },
    Target {
        name: "claims",
        run: targets::claims,
    },
    Target {
        name: "jwk_paste",
        run: targets::jwk_paste,
    },
    Target {
        name: "form",
        run: targets::form,
    },
    Target {
        name: "har",
        run: targets::har,
    },
    Target {
        name: "service_answers",
        run: targets::service_answers,
    },
    Target {
        name: "inspect",
        run: targets::inspect,
    },
    Target {
        name: "config_toml",
        run: targets::config_toml,
    },
    Target {
        name: "search_query",
        run: targets::search_query,
    },
    Target {
        name: "redact",
        run: targets::redact,
    },
    Target {
        name: "pox",
        run: targets::pox,
    },
    Target {
        name: "dynreg",
        run: targets::dynreg,
    },
];
