//! The Typst World: a shared base (fonts, library, project files) and a cheap per-document view
//! that adds the document's JSON data and QR codes as virtual files.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::diagnostics::DiagnosticWorld;
use typst_kit::files::{FileLoader, FileStore};

use super::fonts::Fonts;

/// The folder (inside the virtual project root) under which generated data is served.
pub const DATA_DIR: &str = "/.guidepress";

/// Loads project files, refusing anything outside the project folder (also through symlinks).
pub struct ProjectFiles {
    root: PathBuf,
}

impl ProjectFiles {
    /// Resolves a project file id to a real path inside the root.
    pub fn resolve(&self, id: FileId) -> FileResult<PathBuf> {
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Other(Some(
                format!("packages such as {spec} are not available in guidepress; copy what you need into layouts/")
                    .into(),
            )));
        }
        let path = id.vpath().realize(&self.root).map_err(|_| outside(id))?;
        match fs::canonicalize(&path) {
            Ok(real) if real.starts_with(&self.root) => Ok(real),
            Ok(_) => Err(outside(id)),
            Err(e) => Err(FileError::from_io(e, Path::new(id.vpath().get_without_slash()))),
        }
    }
}

fn outside(id: FileId) -> FileError {
    FileError::Other(Some(
        format!(
            "{} is outside the project folder; layouts and chapters may only read files inside it",
            id.vpath().get_with_slash()
        )
        .into(),
    ))
}

impl FileLoader for ProjectFiles {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        let path = self.resolve(id)?;
        let meta = fs::metadata(&path).map_err(|e| FileError::from_io(e, &path))?;
        if meta.is_dir() {
            return Err(FileError::IsDirectory);
        }
        let shown = path.strip_prefix(&self.root).unwrap_or(&path).display().to_string();
        let refuse = |why: String| FileError::Other(Some(typst::ecow::EcoString::from(format!("{shown}: {why}"))));
        // A named pipe, device or socket would block the build or never end: refused unread.
        if let Some(what) = crate::input::not_regular(&meta) {
            return Err(refuse(format!("this is {what}, not a regular file; guidepress reads only regular files")));
        }
        let bytes = crate::input::read_limited(&path, crate::input::MAX_ASSET_FILE).map_err(|e| {
            if e.kind() == ErrorKind::Other { refuse(e.to_string()) } else { FileError::from_io(e, &path) }
        })?;
        if let Some(why) = super::pixels::too_large(&bytes) {
            return Err(refuse(why));
        }
        Ok(Bytes::new(bytes))
    }
}

/// What every document of a run shares: fonts (parsed once), the standard library, project files.
pub struct Base {
    /// Canonical project folder.
    pub root: PathBuf,
    library: LazyHash<Library>,
    /// The project's fonts.
    pub fonts: Arc<Fonts>,
    files: FileStore<ProjectFiles>,
}

impl Base {
    /// The project's fonts and the shared Typst base over the project folder `root`: loaded once
    /// per run (or per watch session).
    pub fn load(root: &Path) -> Result<Base, crate::error::Error> {
        let fonts = Fonts::load(root)?;
        Base::new(root, Arc::new(fonts)).map_err(|e| crate::error::Error::io(root, e))
    }

    /// Creates the shared base for a project folder with its fonts.
    pub fn new(root: &Path, fonts: Arc<Fonts>) -> std::io::Result<Base> {
        let root = fs::canonicalize(root)?;
        Ok(Base {
            library: LazyHash::new(Library::default()),
            fonts,
            files: FileStore::new(ProjectFiles { root: root.clone() }),
            root,
        })
    }

    /// Forgets cached project files so that the next compile sees edits (watch mode).
    pub fn reset_files(&mut self) {
        self.files.reset();
    }
}

/// Makes the file id of a path inside the project (`/layouts/book.typ`).
pub fn file_id(path: &str) -> Result<FileId, String> {
    let vpath = VirtualPath::new(path).map_err(|e| format!("{path}: {e:?}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One document: the shared base plus its main file, its virtual files and a fixed date.
pub struct DocWorld<'a> {
    base: &'a Base,
    main: FileId,
    virtuals: HashMap<FileId, Bytes>,
    today: Datetime,
    accessed: Mutex<BTreeSet<String>>,
}

impl<'a> DocWorld<'a> {
    /// A world whose main file is `main` (e.g. `/layouts/book.typ`), with virtual files
    /// (path → bytes, under [`DATA_DIR`]) and the document date.
    pub fn new(
        base: &'a Base,
        main: &str,
        virtuals: Vec<(String, Vec<u8>)>,
        today: crate::model::date::Date,
    ) -> Result<Self, String> {
        let main = file_id(main)?;
        let mut map = HashMap::new();
        for (path, bytes) in virtuals {
            map.insert(file_id(&path)?, Bytes::new(bytes));
        }
        let today = Datetime::from_ymd(today.year, today.month, today.day).ok_or("invalid document date")?;
        Ok(Self { base, main, virtuals: map, today, accessed: Mutex::new(BTreeSet::new()) })
    }

    /// Project files (relative paths) this document read: its inputs, for the manifest.
    pub fn accessed(&self) -> Vec<String> {
        self.accessed.lock().map(|set| set.iter().cloned().collect()).unwrap_or_default()
    }

    fn note(&self, id: FileId) {
        if let VirtualRoot::Project = id.root()
            && let Ok(mut set) = self.accessed.lock()
        {
            set.insert(id.vpath().get_without_slash().to_string());
        }
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.base.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.base.fonts.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(bytes) = self.virtuals.get(&id) {
            let text = std::str::from_utf8(bytes).map_err(|_| FileError::InvalidUtf8)?;
            return Ok(Source::new(id, text.into()));
        }
        self.note(id);
        self.base.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.virtuals.get(&id) {
            return Ok(bytes.clone());
        }
        if id.vpath().get_with_slash().starts_with(DATA_DIR) {
            return Err(FileError::NotFound(id.vpath().get_without_slash().into()));
        }
        self.note(id);
        self.base.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.base.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

impl DiagnosticWorld for DocWorld<'_> {
    fn name(&self, id: FileId) -> String {
        let path = id.vpath().get_without_slash().to_string();
        if self.virtuals.contains_key(&id) { format!("{path} (generated by guidepress)") } else { path }
    }
}
