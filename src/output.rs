//! Files: paths under `out/`, atomic writes (temporary file in the same folder, then rename), and
//! the stamps (content hash, size, modification time) that tell whether a file changed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// Writes `bytes` to `path` atomically: readers see the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    stage(path, bytes)?.commit()
}

/// A file written in full (and synced) under a temporary name next to its target; [`Staged::commit`]
/// puts it in place. Dropped without being committed, it is removed, and the target is untouched.
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

/// Writes `bytes` for `path` under a temporary name in the same folder (`.<name>.tmp-<pid>`).
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged, Error> {
    stage_with(path, |w| w.write_all(bytes).map_err(|e| Error::io(path, e)))
}

/// Like [`stage`], the bytes written by `fill` through a buffered writer (so that a large file,
/// e.g. a joined PDF, need not be held in memory).
pub fn stage_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<(), Error>) -> Result<Staged, Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let staged = Staged { tmp: temp_path(dir, &name), target: path.to_path_buf(), committed: false };
    // On failure `staged` is dropped, which removes what was written so far.
    write_with(&staged.tmp, fill).map_err(|e| match e {
        Error::Io { source, .. } => Error::io(path, source),
        e => e,
    })?;
    Ok(staged)
}

/// `.<name>.tmp-<pid>` in `dir`: the name of every temporary file guidepress writes, which
/// [`remove_stale_temps`] recognises.
fn temp_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.tmp-{}", std::process::id()))
}

/// Creates the file `path`, lets `fill` write it through a buffered writer, and syncs it to disk.
fn write_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<(), Error>) -> Result<(), Error> {
    let file = fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    fill(&mut w)?;
    let file = w.into_inner().map_err(|e| Error::io(path, e.into_error()))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

impl Staged {
    /// The path the file is for.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file, written in full, not yet in place.
    pub fn temp(&self) -> &Path {
        &self.tmp
    }

    /// Renames the file onto its target.
    pub fn commit(mut self) -> Result<(), Error> {
        // Test-only (debug builds): a bug that strikes while outputs are being put in place.
        #[cfg(debug_assertions)]
        if std::env::var_os("GUIDEPRESS_TEST_PANIC_AT_COMMIT").is_some() {
            panic!("test-only panic before putting {} in place", self.target.display());
        }
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// The output folder: `out` when given, else `<project>/out`.
pub fn out_dir(root: &Path, out: Option<&Path>) -> std::path::PathBuf {
    out.map(Path::to_path_buf).unwrap_or_else(|| root.join("out"))
}

/// Removes temporary files left in `dir` by a run that was killed while writing (`.<name>.tmp-<pid>`).
pub fn remove_stale_temps(dir: &Path) {
    for entry in fs::read_dir(dir).into_iter().flatten().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.')
            && name.rsplit_once(".tmp-").is_some_and(|(_, pid)| pid.bytes().all(|b| b.is_ascii_digit()))
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The temporary files of a run that writes several files into one folder (`guidepress ship`):
/// the folder is created (with its parents) and cleared of what a killed run left; parts are
/// written under temporary names ([`TempSet::path`], [`TempSet::write`]) and the outputs staged
/// ([`TempSet::stage`]). Dropping the set removes every temporary file still there and, unless
/// [`TempSet::succeeded`] was called, the folders it created.
pub struct TempSet {
    dir: PathBuf,
    files: Vec<PathBuf>,
    created: Vec<PathBuf>,
    ok: bool,
}

impl TempSet {
    /// Creates `dir` (and the parents it lacks) and removes stale temporary files in it.
    pub fn new(dir: &Path) -> Result<Self, Error> {
        let mut created = Vec::new();
        let mut d = Some(dir);
        while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            created.push(p.to_path_buf());
            d = p.parent();
        }
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        remove_stale_temps(dir);
        Ok(TempSet { dir: dir.to_path_buf(), files: Vec::new(), created, ok: false })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A temporary path for `name` in the folder, removed when the set is dropped.
    pub fn path(&mut self, name: &str) -> PathBuf {
        let p = temp_path(&self.dir, name);
        self.files.push(p.clone());
        p
    }

    /// Writes (and syncs) the whole temporary file `path`, one of [`TempSet::path`]'s.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        debug_assert!(self.files.iter().any(|f| f == path), "not a temporary file of this set");
        write_with(path, |w| w.write_all(bytes).map_err(|e| Error::io(path, e)))
    }

    /// Removes some temporary files now (once they are no longer needed).
    pub fn remove(&mut self, paths: &[PathBuf]) {
        for p in paths {
            let _ = fs::remove_file(p);
        }
    }

    /// Stages the output `name` of the folder, written by `fill` (see [`stage_with`]).
    pub fn stage(&self, name: &str, fill: impl FnOnce(&mut dyn Write) -> Result<(), Error>) -> Result<Staged, Error> {
        stage_with(&self.dir.join(name), fill)
    }

    /// Keeps the folders created, once every output is in place.
    pub fn succeeded(&mut self) {
        self.ok = true;
    }
}

impl Drop for TempSet {
    fn drop(&mut self) {
        for p in &self.files {
            let _ = fs::remove_file(p);
        }
        if !self.ok {
            // Innermost first; a folder that is not empty stays.
            for d in &self.created {
                let _ = fs::remove_dir(d);
            }
        }
    }
}

/// Writes files (name, bytes) into `dir`, each atomically, after checking every one against the
/// SHA-256 `expected` names for it (e.g. a batch's files kept in the record).
pub fn write_verified(dir: &Path, files: &[(String, Vec<u8>)], expected: &[(String, String)]) -> Result<(), Error> {
    for (name, bytes) in files {
        let sha = expected.iter().find(|(n, _)| n == name).map(|(_, sha)| sha.as_str());
        if sha != Some(sha256_hex(bytes).as_str()) {
            return Err(Error::internal(format!(
                "{}: the bytes kept for it do not match their hash",
                dir.join(name).display()
            )));
        }
    }
    let staged: Vec<Staged> =
        files.iter().map(|(name, bytes)| stage(&dir.join(name), bytes)).collect::<Result<_, _>>()?;
    for file in staged {
        file.commit()?;
    }
    Ok(())
}

/// Writes several files, each atomically, only after all of them were produced.
pub fn write_all(files: &[(std::path::PathBuf, Vec<u8>)]) -> Result<(), Error> {
    for (path, bytes) in files {
        write_atomic(path, bytes)?;
    }
    Ok(())
}

/// A file's content hash, with its size and modification time to skip re-hashing unchanged files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 if unknown).
    pub mtime_ns: u128,
}

impl Stamp {
    /// The stamp of a file just written whose content hashed to `sha256`.
    pub fn of_written(sha256: String, path: &Path, len: u64) -> Stamp {
        let (size, mtime_ns) = meta(path).unwrap_or((len, 0));
        Stamp { sha256, size, mtime_ns }
    }

    /// Hashes `bytes` (for files just written).
    pub fn of_bytes(bytes: &[u8], path: &Path) -> Stamp {
        Stamp::of_written(sha256_hex(bytes), path, bytes.len() as u64)
    }

    /// Stamps a file, reusing `previous`'s hash when size and modification time are unchanged.
    /// `None` when the file cannot be read.
    pub fn of_file(path: &Path, previous: Option<&Stamp>) -> Option<Stamp> {
        let (size, mtime_ns) = meta(path)?;
        if let Some(p) = previous
            && p.size == size
            && p.mtime_ns == mtime_ns
            && mtime_ns != 0
        {
            return Some(p.clone());
        }
        let bytes = crate::input::read_limited(path, crate::input::MAX_ASSET_FILE).ok()?;
        Some(Stamp { sha256: sha256_hex(&bytes), size, mtime_ns })
    }
}

fn meta(path: &Path) -> Option<(u64, u128)> {
    let m = fs::metadata(path).ok()?;
    let mtime = m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    Some((m.len(), mtime))
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of the file `path`, as [`sha256_hex`] gives it, read in pieces (not held whole).
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    let mut file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.pdf");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_staged_file_replaces_its_target_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.pdf");
        write_atomic(&p, b"old").unwrap();
        let dropped = stage(&p, b"new").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"old");
        drop(dropped);
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "the temporary file is removed");
        stage(&p, b"new").unwrap().commit().unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
