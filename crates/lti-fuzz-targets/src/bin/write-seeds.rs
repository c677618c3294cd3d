//! `write-seeds DIR`: writes each target's seeds into DIR/<target>/ for libFuzzer's corpus
//! (`make fuzz` calls it; the corpus folder is not committed).

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    for target in lti_fuzz_targets::TARGETS {
        let d = dir.join(target.name);
        std::fs::create_dir_all(&d)?;
        let seeds = lti_fuzz_targets::seeds::for_target(target.name);
        for (i, s) in seeds.iter().enumerate() {
            std::fs::write(d.join(format!("seed-{i:04}")), s)?;
        }
        println!("{}: {} seeds", target.name, seeds.len());
    }
    Ok(())
}
