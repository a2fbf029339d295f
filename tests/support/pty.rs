//! The real binary in a pseudo-terminal, driven by keystrokes and read back through a terminal
//! emulator (vt100).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

pub const ROWS: u16 = 40;
pub const COLS: u16 = 120;
/// Generous: CI machines are slow; the happy path is much faster.
pub const TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let name = format!("{prefix}-{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
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
pub struct Console {
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
    /// Run the binary with `args` in `home` (also its HOME and XDG dirs), with `env` added.
    pub fn spawn(args: &[&str], home: &Path, env: &[(&str, String)]) -> Console {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_cutover"));
        cmd.args(args);
        // A developer's AWS_PROFILE is not in this home's profile files, and would be refused.
        cmd.env_remove("AWS_PROFILE");
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
        for (key, value) in env {
            cmd.env(key, value);
        }
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

    pub fn screen(&self) -> String {
        self.output.lock().unwrap_or_else(|e| e.into_inner()).parser.screen().contents()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap_or_else(|e| e.into_inner()).raw.clone()
    }

    /// Whether the terminal is in canonical (cooked) mode, i.e. not raw; `None` where unknown.
    /// Read through the termios flags' names to need no extra dependency.
    pub fn canonical_mode(&self) -> Option<bool> {
        let termios = self.master.get_termios()?;
        Some(format!("{:?}", termios.local_flags).contains("ICANON"))
    }

    /// Send a signal (`TERM`, `HUP`, …) to the process, with the system's `kill`.
    pub fn signal(&self, name: &str) {
        let pid = self.child.process_id().expect("a running process has a pid");
        let status = std::process::Command::new("kill").arg(format!("-{name}")).arg(pid.to_string()).status();
        assert!(status.expect("run kill").success(), "kill -{name} {pid} failed");
    }

    pub fn type_keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Poll the screen until it contains `text`; on timeout, panic showing the screen.
    pub fn wait_for(&mut self, text: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return self.settled(screen);
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

    /// `screen` once the frame it is part of has all arrived: a frame reaches the pty in several
    /// reads, so a text can show before the rest of its frame. Read again until two reads a poll
    /// apart agree (at most half a second: the console redraws once a second when idle).
    fn settled(&mut self, mut screen: String) -> String {
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(500) {
            std::thread::sleep(POLL);
            let again = self.screen();
            if again == screen {
                break;
            }
            screen = again;
        }
        screen
    }

    /// `q`, then `y` if cutover asks because a move is unfinished; the exit must be a success.
    pub fn quit_anyway(&mut self) {
        self.type_keys("q");
        std::thread::sleep(Duration::from_millis(500));
        if self.screen().contains("quit anyway") {
            self.type_keys("y");
        }
        let status = self.wait_exit(Duration::from_secs(10));
        assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", self.screen());
    }

    /// Wait for the process to exit and the reader to drain the pty.
    pub fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
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
pub fn line_with<'a>(screen: &'a str, text: &str) -> &'a str {
    screen.lines().find(|l| l.contains(text)).unwrap_or_else(|| panic!("no line with {text:?}; screen:\n{screen}"))
}
