//! Printing that never stops cutover. Rust ignores SIGPIPE, so a write to a closed pipe
//! (`cutover status | head -1`, `cutover rollback-all --yes | true`) fails with EPIPE, and
//! `println!`/`eprintln!` turn that failure into a panic. A rollback must not stop half-way because
//! nobody reads its progress any more: these write, flush, and drop the error.
//!
//! They print what they are given; escape text from outside first (see [`crate::domain::visible`]).

use std::io::Write;

/// `text` and a newline to standard output.
pub fn stdout_line(text: &str) {
    write_line(&mut std::io::stdout().lock(), text);
}

/// `text` and a newline to standard error.
pub fn stderr_line(text: &str) {
    write_line(&mut std::io::stderr().lock(), text);
}

/// `text` as it is (it brings its own newlines) to standard output.
pub fn stdout_text(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// `text` as it is (it brings its own newlines) to standard error.
pub fn stderr_text(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// `text` and a newline to `out`, in one write, ignoring failure.
pub fn write_line(out: &mut impl Write, text: &str) {
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn a_closed_pipe_is_not_a_panic() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        drop(reader);
        // The write fails with EPIPE (SIGPIPE is ignored in Rust programs, test binaries too).
        assert_eq!(writer.write_all(b"x").unwrap_err().kind(), std::io::ErrorKind::BrokenPipe);
        write_line(&mut writer, "nobody reads this");
        write_line(&mut writer, "nor this");
    }

    #[test]
    fn a_line_is_the_text_and_a_newline() {
        let (mut reader, mut writer) = std::io::pipe().unwrap();
        write_line(&mut writer, "one");
        drop(writer);
        let mut got = String::new();
        reader.read_to_string(&mut got).unwrap();
        assert_eq!(got, "one\n");
    }
}
