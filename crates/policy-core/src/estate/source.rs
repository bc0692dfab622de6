//! Where a snapshot's files come from: the [`SnapshotSource`] trait, and
//! [`MemorySource`], a snapshot held in memory (tests, a browser page that fetched the
//! files).

use std::collections::BTreeMap;

/// The files of a snapshot, by relative path (`/`-separated, no leading `/`, e.g.
/// `accounts/111122223333/iam/get-account-authorization-details.json`). The estate
/// readers ask for nothing else, so the core stays free of IO: the CLI implements it
/// over a folder, a browser page over files it fetched, tests over [`MemorySource`].
pub trait SnapshotSource {
    /// The text of the file at `path`; `Ok(None)` when there is no such file.
    ///
    /// Errors: the file exists but cannot be read (the message says why); the estate
    /// records it as a warning naming the file.
    fn read(&self, path: &str) -> Result<Option<String>, String>;

    /// The names of the entries (files and folders, without the folder's path) of folder
    /// `path` (`""` for the snapshot's root); empty when there is no such folder.
    ///
    /// Errors: the folder exists but cannot be listed.
    fn list(&self, path: &str) -> Result<Vec<String>, String>;

    /// How `path` is shown to people (in warnings and in responses' `file`): by default
    /// the path itself; the CLI prefixes the snapshot's folder.
    fn display(&self, path: &str) -> String {
        path.to_string()
    }
}

/// A snapshot held in memory: relative path → text. Folders are implied by the paths.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    files: BTreeMap<String, String>,
    prefix: String,
}

impl MemorySource {
    /// An empty snapshot.
    pub fn new() -> MemorySource {
        MemorySource::default()
    }

    /// An empty snapshot whose files are shown as `prefix` + path (`"snapshot/"`).
    pub fn with_display_prefix(prefix: impl Into<String>) -> MemorySource {
        MemorySource {
            files: BTreeMap::new(),
            prefix: prefix.into(),
        }
    }

    /// Adds (or replaces) the file at `path`.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }
}

impl SnapshotSource for MemorySource {
    fn read(&self, path: &str) -> Result<Option<String>, String> {
        Ok(self.files.get(path).cloned())
    }

    fn list(&self, path: &str) -> Result<Vec<String>, String> {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{}/", path.trim_end_matches('/'))
        };
        let mut out: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter_map(|(k, _)| k.get(prefix.len()..)?.split('/').next().map(str::to_string))
            .collect();
        out.dedup();
        Ok(out)
    }

    fn display(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_and_folders() {
        let mut m = MemorySource::new();
        m.insert("a/b/c.json", "1");
        m.insert("a/b/d.json", "2");
        m.insert("a/e.json", "3");
        m.insert("ab.json", "4");
        assert_eq!(m.list("").unwrap(), ["a", "ab.json"]);
        assert_eq!(m.list("a").unwrap(), ["b", "e.json"]);
        assert_eq!(m.list("a/b").unwrap(), ["c.json", "d.json"]);
        assert!(m.list("x").unwrap().is_empty());
        assert_eq!(m.read("a/e.json").unwrap().as_deref(), Some("3"));
        assert_eq!(m.read("nope").unwrap(), None);
    }
}
