//! What every end-to-end test of `policy-sim` needs: the repository root, the binary run
//! from it, and fresh temporary folders.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (fixtures' paths are relative to it).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `policy-sim`, run in the repository root.
pub fn sim() -> Command {
    let mut c = Command::cargo_bin("policy-sim").unwrap();
    c.current_dir(root());
    c
}

/// A fresh, empty folder `policy-sim-<group>-<tag>-<pid>` for one test of this process.
pub fn temp_dir(group: &str, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("policy-sim-{group}-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
