//! Replays the stored fuzz corpus of every target (`fuzz/corpus/<target>/`) and the
//! inputs that once failed (`fuzz/regressions/<target>/`) through the same functions
//! libFuzzer runs, on the stable toolchain: a regression test of seconds.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn every_target_has_a_fuzz_target_file_and_a_corpus() {
    for (name, _) in policy_fuzz::TARGETS {
        assert!(
            root().join("fuzz_targets").join(format!("{name}.rs")).is_file(),
            "fuzz/fuzz_targets/{name}.rs is missing"
        );
        assert!(
            !inputs(&root().join("corpus").join(name)).is_empty(),
            "fuzz/corpus/{name}/ is empty: run scripts/fuzz.sh seed"
        );
    }
}

#[test]
fn replay_stored_corpora() {
    for (name, target) in policy_fuzz::TARGETS {
        let mut n = 0;
        for dir in ["corpus", "regressions"] {
            for input in inputs(&root().join(dir).join(name)) {
                let data = std::fs::read(&input).unwrap();
                let ok = std::panic::catch_unwind(|| target(&data));
                assert!(ok.is_ok(), "fuzz target `{name}` fails on {}", input.display());
                n += 1;
            }
        }
        println!("{name}: {n} inputs replayed");
    }
}
