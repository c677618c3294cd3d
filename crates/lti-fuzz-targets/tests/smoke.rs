//! The stable-Rust smoke run of every fuzz target (part of `make test`): the seeds, every saved
//! regression in `fuzz/regressions/<target>/` (each a crash the fuzzer once found, named for
//! what it broke), then a fixed-seed mutation run. `LTI_FUZZ_SMOKE_RUNS` sets the mutations per
//! target (default 3,000). A panic fails the test with the target and the input's file or index;
//! a mutated input that panics is written to `target/fuzz-smoke-failures/` to become a
//! regression file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lti_fuzz_targets::mutate::{mutate, Rng};
use lti_fuzz_targets::{seeds, TARGETS};

fn regressions_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target)
}

fn run_one(target: &str, run: fn(&[u8]), input: &[u8], what: &str) {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(|| run(input));
    if outcome.is_err() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-smoke-failures");
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!("{target}-{}", what.replace(['/', ' '], "_")));
        let _ = std::fs::write(&file, input);
        panic!(
            "target {target} panicked on {what} (input saved to {})",
            file.display()
        );
    }
    // Not a timing test: a hang shows as minutes, this only names the input that caused one.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "target {target} took {:?} on {what}",
        started.elapsed()
    );
}

#[test]
fn every_target_survives_its_seeds_regressions_and_mutations() {
    let runs: usize = std::env::var("LTI_FUZZ_SMOKE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    if seeds::fixtures_dir().is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true and ../shared/fixtures/real-world is missing: the seeds would be ours only"
        );
        eprintln!(
            "SKIP fixture seeds: ../shared/fixtures/real-world is absent (our own seeds still run)"
        );
    }
    for (t, target) in TARGETS.iter().enumerate() {
        let seeds = seeds::for_target(target.name);
        assert!(!seeds.is_empty(), "no seeds for {}", target.name);
        for (i, s) in seeds.iter().enumerate() {
            run_one(target.name, target.run, s, &format!("seed {i}"));
        }
        let mut regressions = 0;
        if let Ok(entries) = std::fs::read_dir(regressions_dir(target.name)) {
            for e in entries.flatten() {
                let bytes = std::fs::read(e.path()).expect("read a regression file");
                run_one(
                    target.name,
                    target.run,
                    &bytes,
                    &e.file_name().to_string_lossy(),
                );
                regressions += 1;
            }
        }
        let mut rng = Rng::new(0x5eed_0000 + t as u64);
        for i in 0..runs {
            let a = &seeds[rng.below(seeds.len())];
            let b = &seeds[rng.below(seeds.len())];
            let input = mutate(a, b, &mut rng);
            run_one(target.name, target.run, &input, &format!("mutation {i}"));
        }
        eprintln!(
            "{}: {} seeds, {regressions} regressions, {runs} mutations",
            target.name,
            seeds.len()
        );
    }
}
