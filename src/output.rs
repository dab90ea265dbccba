//! Output files: paths under `out/`, and atomic writes (temporary file in the same folder, then rename).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

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
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let staged = Staged {
        tmp: dir.join(format!(".{name}.tmp-{}", std::process::id())),
        target: path.to_path_buf(),
        committed: false,
    };
    let result = (|| {
        let mut f = fs::File::create(&staged.tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    result.map_err(|e| Error::io(path, e))?;
    Ok(staged)
}

impl Staged {
    /// The path the file is for.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the file onto its target.
    pub fn commit(mut self) -> Result<(), Error> {
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

/// Writes several files, each atomically, only after all of them were produced.
pub fn write_all(files: &[(std::path::PathBuf, Vec<u8>)]) -> Result<(), Error> {
    for (path, bytes) in files {
        write_atomic(path, bytes)?;
    }
    Ok(())
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
