//! Reading the files guidepress is given: only regular files, and never more than a stated limit.
//!
//! A named pipe would block a run forever, a device would never end and a file of gigabytes
//! would exhaust the machine: every file of a project or an order book is read through
//! [`read_limited`], which refuses them before reading (or, if a file grows while read, stops at
//! the limit). The limits are those of README's "Limits" section.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;
/// The most a text file of the project (guidepress.toml, editions, chapters, layouts) may hold.
pub const MAX_PROJECT_FILE: u64 = 16 * MIB;
/// The most a file that a chapter or layout reads (an image, a data file) may hold.
pub const MAX_ASSET_FILE: u64 = 64 * MIB;
/// The most one font file may hold.
pub const MAX_FONT_FILE: u64 = 64 * MIB;
/// The most a CSV order book may hold (100,000 lines of the sample take 15 MB).
pub const MAX_ORDERS_FILE: u64 = 128 * MIB;

/// What a path is when it is not a regular file, in words (`a named pipe (FIFO)`), or `None`.
pub fn not_regular(meta: &fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

/// Checks that `path` is a regular file of at most `limit` bytes, without opening it.
pub fn check_file(path: &Path, limit: u64) -> io::Result<u64> {
    let meta = fs::metadata(path)?;
    if let Some(what) = not_regular(&meta) {
        return Err(io::Error::other(format!(
            "this is {what}, not a regular file; guidepress reads only regular files: put the file itself here"
        )));
    }
    if meta.len() > limit {
        return Err(too_big(meta.len(), limit));
    }
    Ok(meta.len())
}

/// The error of a file larger than its limit.
fn too_big(len: u64, limit: u64) -> io::Error {
    io::Error::other(format!(
        "the file is {}, more than the {} guidepress reads from a file like this; make it smaller or split it",
        size_text(len),
        size_text(limit)
    ))
}

/// Reads a regular file of at most `limit` bytes; anything else is an error saying what it is.
///
/// The kind is checked before the file is opened (opening a named pipe would wait for a writer),
/// and reading stops one byte past the limit if the file grew in the meantime.
pub fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let len = check_file(path, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    fs::File::open(path)?.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Reads a regular text file of the project (at most [`MAX_PROJECT_FILE`]) as UTF-8.
pub fn read_text(path: &Path) -> io::Result<String> {
    let bytes = read_limited(path, MAX_PROJECT_FILE)?;
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// A byte count as people read it: `512 bytes`, `16 MB`, `1.5 GB` (binary units).
pub fn size_text(n: u64) -> String {
    let units = [(1u64 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")];
    for (size, unit) in units {
        if n >= size {
            let whole = n / size;
            let tenth = (n % size) * 10 / size;
            return if tenth == 0 || whole >= 100 {
                format!("{whole} {unit}")
            } else {
                format!("{whole}.{tenth} {unit}")
            };
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(12), "12 bytes");
        assert_eq!(size_text(16 * MIB), "16 MB");
        assert_eq!(size_text(3 * MIB / 2), "1.5 MB");
        assert_eq!(size_text(2 << 30), "2 GB");
    }

    #[test]
    fn a_file_over_its_limit_or_not_regular_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        fs::write(&file, b"12345").unwrap();
        assert_eq!(read_limited(&file, 5).unwrap(), b"12345");
        let err = read_limited(&file, 4).unwrap_err().to_string();
        assert!(err.starts_with("the file is 5 bytes, more than the 4 bytes"), "{err}");
        let err = read_limited(dir.path(), 4).unwrap_err().to_string();
        assert!(err.starts_with("this is a folder, not a regular file"), "{err}");
        #[cfg(unix)]
        {
            let err = read_limited(Path::new("/dev/zero"), 4).unwrap_err().to_string();
            assert!(err.starts_with("this is a device, not a regular file"), "{err}");
        }
    }
}
