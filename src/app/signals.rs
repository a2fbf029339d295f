//! SIGTERM, SIGHUP and SIGINT (a closed terminal window, `kill`, a supervisor stopping cutover,
//! Ctrl-C at a headless command) end cutover the way `q` does: the terminal is given back as it
//! was, and every switch it stops following is recorded as abandoned. (In the console, raw mode
//! turns Ctrl-C into a key, which asks first.)

use tokio::signal::unix::{Signal, SignalKind, signal};

pub struct StopSignals {
    term: Signal,
    hup: Signal,
    int: Signal,
}

impl StopSignals {
    pub fn install() -> std::io::Result<Self> {
        Ok(StopSignals {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The name of the next stop signal to arrive.
    pub async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.hup.recv() => "SIGHUP",
            _ = self.int.recv() => "SIGINT",
        }
    }

    /// Every stop signal from now on, by name, as a stream for the event loop's inputs.
    pub fn into_stream(self) -> impl futures::Stream<Item = &'static str> + Unpin {
        Box::pin(futures::stream::unfold(self, |mut signals| async move {
            let name = signals.next().await;
            Some((name, signals))
        }))
    }
}
