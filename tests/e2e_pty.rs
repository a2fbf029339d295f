//! End to end: the real binary in a pseudo-terminal, driven by keystrokes, read back through a
//! terminal emulator (vt100). Slow-ish (a few seconds) but the only test that covers raw mode,
//! the alternate screen, key decoding and the event loop together.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 120;
/// Generous: CI machines are slow; the happy path is much faster.
const TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let name = format!("{prefix}-{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the reader thread has seen so far.
struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
}

/// The binary running in a pseudo-terminal. Dropping it kills the process if still running.
struct Console {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Output>>,
    /// Signalled when the reader thread sees end of output.
    reader_done: mpsc::Receiver<()>,
    // Kept so the pty stays open as long as the console; dropped last.
    master: Box<dyn portable_pty::MasterPty + Send>,
    exited: bool,
}

impl Console {
    fn spawn(args: &[&str], home: &Path) -> Console {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cutover"));
        cmd.args(args);
        cmd.cwd(home);
        cmd.env("HOME", home);
        cmd.env("XDG_STATE_HOME", home.join("state"));
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("USER", "e2e-tester");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("CUTOVER_THEME");
        cmd.env_remove("RUST_LOG");
        let child = pty.slave.spawn_command(cmd).expect("spawn cutover");
        // Only the child holds the slave side now, so reads see EOF/EIO once it exits.
        drop(pty.slave);

        let mut reader = pty.master.try_clone_reader().expect("clone pty reader");
        let writer = pty.master.take_writer().expect("take pty writer");
        let output = Arc::new(Mutex::new(Output { parser: vt100::Parser::new(ROWS, COLS, 0), raw: Vec::new() }));
        let (done_tx, reader_done) = mpsc::channel();
        let shared = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut out = shared.lock().unwrap_or_else(|e| e.into_inner());
                        out.parser.process(&buf[..n]);
                        out.raw.extend_from_slice(&buf[..n]);
                    }
                }
            }
            let _ = done_tx.send(());
        });
        Console { child, writer, output, reader_done, master: pty.master, exited: false }
    }

    fn screen(&self) -> String {
        self.output.lock().unwrap_or_else(|e| e.into_inner()).parser.screen().contents()
    }

    fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap_or_else(|e| e.into_inner()).raw.clone()
    }

    /// Whether the terminal is in canonical (cooked) mode, i.e. not raw; `None` where unknown.
    /// Read through the termios flags' names to need no extra dependency.
    fn canonical_mode(&self) -> Option<bool> {
        let termios = self.master.get_termios()?;
        Some(format!("{:?}", termios.local_flags).contains("ICANON"))
    }

    fn type_keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Poll the screen until it contains `text`; on timeout, panic showing the screen.
    fn wait_for(&mut self, text: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.exited = true;
                // Let the reader drain what is left, for the message.
                let _ = self.reader_done.recv_timeout(Duration::from_secs(1));
                panic!("cutover exited ({status:?}) while waiting for {text:?}; screen:\n{}", self.screen());
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {text:?}; screen:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Wait for the process to exit and the reader to drain the pty.
    fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.exited = true;
                break status;
            }
            if start.elapsed() > timeout {
                panic!("cutover still running {timeout:?} after quitting; screen:\n{}", self.screen());
            }
            std::thread::sleep(POLL);
        };
        // Output written just before exit may still be in the pty buffer.
        let _ = self.reader_done.recv_timeout(Duration::from_secs(5));
        status
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if !self.exited && !matches!(self.child.try_wait(), Ok(Some(_))) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The screen line holding `text`, first from the top.
fn line_with<'a>(screen: &'a str, text: &str) -> &'a str {
    screen.lines().find(|l| l.contains(text)).unwrap_or_else(|| panic!("no line with {text:?}; screen:\n{screen}"))
}

#[test]
fn demo_switch_is_recorded_in_the_event_log() {
    let home = TempDir::new("cutover-e2e");
    let started = Instant::now();
    let mut console = Console::spawn(&["demo", "--seed", "1", "--speed", "30"], home.path());

    let screen = console.wait_for("/orders/*", TIMEOUT);
    assert!(screen.contains("cutover  DEMO"), "no demo header; screen:\n{screen}");
    assert_ne!(console.canonical_mode(), Some(true), "the console should put the terminal in raw mode");
    console.wait_for("λ Lambda", TIMEOUT);
    let screen = console.screen();
    let first = line_with(&screen, "/user/*");
    assert!(first.contains('▶'), "/user/* should start selected; row: {first:?}\nscreen:\n{screen}");
    let row = line_with(&screen, "/orders/*");
    assert!(row.contains("λ Lambda"), "/orders/* should start on Lambda; row: {row:?}\nscreen:\n{screen}");

    console.type_keys("j");
    std::thread::sleep(Duration::from_millis(200));
    console.type_keys("s");
    let screen = console.wait_for("switch /orders/*?", TIMEOUT);
    assert!(screen.contains("from   λ Lambda"), "confirm dialog without `from`; screen:\n{screen}");
    assert!(screen.contains("to     ◼ origin"), "confirm dialog without `to`; screen:\n{screen}");

    console.type_keys("y");
    console.type_keys("e");
    let screen = console.wait_for("UpdateDistribution accepted", TIMEOUT);
    assert!(screen.contains(" events ("), "events pane not open; screen:\n{screen}");
    let requested = line_with(&screen, "switch λ Lambda → ◼ origin requested by");
    assert!(requested.contains("/orders/*"), "switch request not for /orders/*: {requested:?}");
    assert!(requested.contains("e2e-tester"), "switch request without the operator: {requested:?}");
    let row = line_with(&screen, "/orders/*");
    assert!(row.contains('▶'), "/orders/* should be selected: {row:?}\nscreen:\n{screen}");
    assert!(row.contains("◼ origin"), "/orders/* row should now target the origin: {row:?}\nscreen:\n{screen}");

    // Rollout takes 1–3 simulated minutes: 2–6 real seconds at 30×.
    console.wait_for("Deployed after", TIMEOUT);

    console.type_keys("q");
    let status = console.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", console.screen());
    let raw = console.raw();
    assert!(
        raw.windows(8).any(|w| w == b"\x1b[?1049l"),
        "the alternate screen was not left (no ESC[?1049l in {} bytes of output)",
        raw.len()
    );
    assert_ne!(console.canonical_mode(), Some(false), "raw mode was not turned off on exit");
    // Nothing should have asked the terminal for its cursor position: the test never answers.
    assert!(!raw.windows(4).any(|w| w == b"\x1b[6n"), "cutover queried the cursor position");
    eprintln!("e2e run took {:?}", started.elapsed());
}
