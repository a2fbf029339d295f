//! Where `cutover init` writes, and writing there atomically without clobbering an existing file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::error::InitError;

/// `--output`, else the global `--config` (or `CUTOVER_CONFIG`), else `default`.
pub fn output_path(
    output: Option<&Path>,
    config: Option<&Path>,
    default: Option<PathBuf>,
) -> Result<PathBuf, InitError> {
    output.or(config).map(Path::to_path_buf).or(default).ok_or(InitError::NoDefaultPath)
}

/// Fails with [`InitError::Exists`] when something (a file, a directory, even a dangling link) is at
/// `path`. Checked before calling AWS, and again by [`write_atomically`].
pub fn ensure_free(path: &Path) -> Result<(), InitError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Err(InitError::Exists(path.to_path_buf())),
        Err(_) => Ok(()),
    }
}

/// Writes `text` to `path` through a temporary file in the same directory, so that a reader never sees
/// half a file. Creates missing parent directories. Without `force`, an existing file is left alone and
/// [`InitError::Exists`] returned, even if it appeared while writing.
pub fn write_atomically(path: &Path, text: &str, force: bool) -> Result<(), InitError> {
    let write_error = |source: io::Error| InitError::Write { path: path.to_path_buf(), source };
    if !force {
        ensure_free(path)?;
    }
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(write_error)?;
    let temp = temp_file(&parent, path, text).map_err(write_error)?;
    let placed = if force { fs::rename(&temp, path).map_err(write_error) } else { place_new(&temp, path) };
    // After a rename the temporary name is gone; after a link (or a failure) it is removed here.
    let _ = fs::remove_file(&temp);
    placed
}

/// Links the finished temporary file to `path`, which fails if anything is there: no window in which
/// an existing file could be replaced. File systems without hard links fall back to check-then-rename.
fn place_new(temp: &Path, path: &Path) -> Result<(), InitError> {
    match fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(InitError::Exists(path.to_path_buf())),
        Err(_) => {
            ensure_free(path)?;
            fs::rename(temp, path).map_err(|source| InitError::Write { path: path.to_path_buf(), source })
        }
    }
}

/// A new file next to `path` holding `text`, flushed to disk.
fn temp_file(dir: &Path, path: &Path, text: &str) -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path.file_name().map_or_else(|| "cutover.toml".into(), |n| n.to_string_lossy().into_owned());
    let mut attempts = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(mut file) => {
                let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
                if let Err(e) = written {
                    let _ = fs::remove_file(&temp);
                    return Err(e);
                }
                return Ok(temp);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => attempts += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cutover-init-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn output_then_config_then_default() {
        let default = Some(PathBuf::from("/home/u/.config/cutover/cutover.toml"));
        let out = Path::new("o.toml");
        let cfg = Path::new("c.toml");
        assert_eq!(output_path(Some(out), Some(cfg), default.clone()).unwrap(), out);
        assert_eq!(output_path(None, Some(cfg), default.clone()).unwrap(), cfg);
        assert_eq!(output_path(None, None, default).unwrap(), Path::new("/home/u/.config/cutover/cutover.toml"));
        assert!(matches!(output_path(None, None, None), Err(InitError::NoDefaultPath)));
    }

    #[test]
    fn writes_into_new_directories_and_refuses_to_overwrite() {
        let dir = scratch("write");
        let path = dir.join("deep/er/cutover.toml");
        write_atomically(&path, "first", false).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "first");

        let e = write_atomically(&path, "second", false).unwrap_err();
        assert!(matches!(&e, InitError::Exists(p) if p == &path), "{e}");
        assert_eq!(e.exit_code(), 2);
        assert_eq!(fs::read_to_string(&path).unwrap(), "first");
        assert!(matches!(ensure_free(&path), Err(InitError::Exists(_))));

        write_atomically(&path, "third", true).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "third");
        assert!(leftovers(path.parent().unwrap()).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_in_the_way_is_reported() {
        let dir = scratch("dir");
        fs::create_dir_all(dir.join("cutover.toml")).unwrap();
        let e = write_atomically(&dir.join("cutover.toml"), "x", false).unwrap_err();
        assert!(matches!(e, InitError::Exists(_)), "{e}");
        let e = write_atomically(&dir.join("cutover.toml"), "x", true).unwrap_err();
        assert!(matches!(e, InitError::Write { .. }), "{e}");
        assert!(e.to_string().starts_with(&format!("cannot write {}", dir.join("cutover.toml").display())), "{e}");
        assert!(leftovers(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_where_the_directory_should_be_is_reported() {
        let dir = scratch("notdir");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("file"), "").unwrap();
        let e = write_atomically(&dir.join("file/cutover.toml"), "x", false).unwrap_err();
        assert!(matches!(e, InitError::Write { .. }), "{e}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
