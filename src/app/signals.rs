//! SIGTERM and SIGHUP (a closed terminal window, `kill`, a supervisor stopping cutover) end the
//! console the way `q` does, so the terminal is given back as it was instead of left in raw mode.

use tokio::signal::unix::{Signal, SignalKind, signal};

pub struct StopSignals {
    term: Signal,
    hup: Signal,
}

impl StopSignals {
    pub fn install() -> std::io::Result<Self> {
        Ok(StopSignals { term: signal(SignalKind::terminate())?, hup: signal(SignalKind::hangup())? })
    }

    /// The name of the next stop signal to arrive.
    pub async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.hup.recv() => "SIGHUP",
        }
    }
}
