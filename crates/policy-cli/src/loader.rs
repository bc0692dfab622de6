//! Reads policy files named in request documents, once per path and type per process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use policy_core::{parse_policy, Diagnostic, Policy, PolicyLoader, PolicyType, Source};

type Cache = Arc<Mutex<HashMap<(PathBuf, PolicyType), Arc<Policy>>>>;

/// A file-system loader resolving paths against `base`; clones share one cache.
#[derive(Clone)]
pub struct FsLoader {
    base: PathBuf,
    cache: Cache,
    /// Warnings of every policy parsed so far.
    pub warnings: Arc<Mutex<Vec<Diagnostic>>>,
}

impl FsLoader {
    /// Paths resolve against `base` (the request file's folder, or the working folder).
    pub fn new(base: &Path) -> FsLoader {
        FsLoader {
            base: base.to_path_buf(),
            cache: Arc::default(),
            warnings: Arc::default(),
        }
    }

    /// The same cache, resolving against another folder.
    pub fn with_base(&self, base: &Path) -> FsLoader {
        FsLoader {
            base: base.to_path_buf(),
            cache: self.cache.clone(),
            warnings: self.warnings.clone(),
        }
    }
}

/// A path as the user should see it: relative to the working folder when inside it.
pub fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.as_ref().map_or_else(|| p.to_path_buf(), |c| c.join(p))
    };
    let abs = normalize(&abs);
    let shown = cwd
        .as_ref()
        .and_then(|c| abs.strip_prefix(c).ok())
        .map_or_else(|| p.to_path_buf(), Path::to_path_buf);
    shown.to_string_lossy().into_owned()
}

/// Removes `.` and `..` components without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl PolicyLoader for FsLoader {
    fn load(&mut self, path: &str, ty: PolicyType) -> Result<Arc<Policy>, (String, Vec<Diagnostic>)> {
        let full = self.base.join(path);
        let key = (full.canonicalize().unwrap_or_else(|_| full.clone()), ty);
        if let Ok(cache) = self.cache.lock() {
            if let Some(p) = cache.get(&key) {
                return Ok(p.clone());
            }
        }
        let bytes = std::fs::read(&full)
            .map_err(|e| (format!("cannot read policy `{}`: {e}", display_path(&full)), Vec::new()))?;
        let text = policy_core::decode_utf8(&display_path(&full), bytes)
            .map_err(|e| (format!("cannot read policy: {e}"), Vec::new()))?;
        let src = Source::new(display_path(&full), text);
        let parsed = parse_policy(&src, ty).map_err(|e| {
            (
                format!("invalid {} `{}`", ty.name(), display_path(&full)),
                e.diagnostics,
            )
        })?;
        if let Ok(mut w) = self.warnings.lock() {
            w.extend(parsed.warnings);
        }
        let p = Arc::new(parsed.policy);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, p.clone());
        }
        Ok(p)
    }
}
