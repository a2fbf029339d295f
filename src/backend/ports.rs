//! One distribution's ports to its world, bundled: the control plane and metrics (the backend),
//! and the optional ones — the prober, the router's store, API Gateway's stages, the edge logs. The demo builds
//! them from its simulated world (`SimBackend::ports`), the live start from AWS (`commands::live`);
//! the runtime takes them as one unit, so a distribution never has half its ports wired.

use std::sync::Arc;

use super::change_authors::ChangeAuthors;
use super::edge_stream::StreamCalls;
use super::journal::JournalPort;
use super::probe::Prober;
use super::share::ShareStore;
use super::stage::StageControl;

pub struct Ports<B> {
    /// The control plane and the metrics.
    pub backend: Arc<B>,
    /// Sends probes through the distribution; without one, probe effects are dropped.
    pub prober: Option<Arc<dyn Prober>>,
    /// The router's store, when the distribution has the router: routed routes move by share.
    pub share_store: Option<Arc<dyn ShareStore>>,
    /// API Gateway's stages, for the stage rollback; without it, stage effects fail with the reason.
    pub stage_control: Option<Arc<dyn StageControl>>,
    /// The distribution's real-time log stream, when it has edge logs.
    pub edge_stream: Option<Arc<dyn StreamCalls>>,
    /// Who wrote the distribution (CloudTrail), for changes made outside cutover.
    pub change_authors: Option<Arc<dyn ChangeAuthors>>,
    /// The team's shared journal, when the config has `[team]`.
    pub journal: Option<JournalPort>,
}

impl<B> Ports<B> {
    /// Only the backend: no probes, no router, no stages.
    pub fn new(backend: Arc<B>) -> Self {
        Ports {
            backend,
            prober: None,
            share_store: None,
            stage_control: None,
            edge_stream: None,
            change_authors: None,
            journal: None,
        }
    }

    pub fn with_prober(mut self, prober: Arc<dyn Prober>) -> Self {
        self.prober = Some(prober);
        self
    }

    pub fn with_share_store(mut self, store: Arc<dyn ShareStore>) -> Self {
        self.share_store = Some(store);
        self
    }

    pub fn with_stage_control(mut self, stages: Arc<dyn StageControl>) -> Self {
        self.stage_control = Some(stages);
        self
    }

    pub fn with_edge_stream(mut self, stream: Arc<dyn StreamCalls>) -> Self {
        self.edge_stream = Some(stream);
        self
    }

    pub fn with_change_authors(mut self, authors: Arc<dyn ChangeAuthors>) -> Self {
        self.change_authors = Some(authors);
        self
    }

    pub fn with_journal(mut self, journal: JournalPort) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Whether routed routes move by share: the router's store is one of the ports. A state's
    /// `policy.router` must say the same (`Runtime::new` checks it).
    pub fn has_router(&self) -> bool {
        self.share_store.is_some()
    }
}

impl<B> From<Arc<B>> for Ports<B> {
    fn from(backend: Arc<B>) -> Self {
        Ports::new(backend)
    }
}
