//! Shared by the integration tests: a file-system policy loader with sources named
//! relative to the repository root, so snapshots do not depend on the checkout path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use policy_core::{parse_policy, Diagnostic, Policy, PolicyLoader, PolicyType, Source};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn rel(p: &Path) -> String {
    let root = repo_root();
    let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    p.strip_prefix(&root).unwrap_or(&p).to_string_lossy().replace('\\', "/")
}

pub struct FsLoader {
    pub base: PathBuf,
    pub cache: HashMap<(PathBuf, PolicyType), Arc<Policy>>,
}

impl FsLoader {
    pub fn new(base: &Path) -> FsLoader {
        FsLoader {
            base: base.to_path_buf(),
            cache: HashMap::new(),
        }
    }
}

impl PolicyLoader for FsLoader {
    fn load(&mut self, path: &str, ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)> {
        let full = self.base.join(path);
        if let Some(p) = self.cache.get(&(full.clone(), ty)) {
            return Ok(p.clone());
        }
        let text = std::fs::read_to_string(&full).map_err(|e| (format!("cannot read `{path}`: {e}"), Vec::new()))?;
        let src = Source::new(rel(&full), text);
        let parsed = parse_policy(&src, ty).map_err(|e| (e.to_string(), e.diagnostics))?;
        let p = Arc::new(parsed.policy);
        self.cache.insert((full, ty), p.clone());
        Ok(p)
    }
}

pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A snapshot folder on disk, shown relative to the repository root.
pub struct Folder(pub PathBuf);

impl policy_core::estate::SnapshotSource for Folder {
    fn read(&self, path: &str) -> Result<Option<String>, String> {
        match std::fs::read_to_string(self.0.join(path)) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
    fn list(&self, path: &str) -> Result<Vec<String>, String> {
        let Ok(rd) = std::fs::read_dir(self.0.join(path)) else {
            return Ok(Vec::new());
        };
        let mut v: Vec<String> = rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        Ok(v)
    }
    fn display(&self, path: &str) -> String {
        rel(&self.0).to_string() + "/" + path
    }
}
