//! The effect runner: performs what `update` asks for on tokio tasks and answers with actions
//! over a channel. Nothing here blocks the UI task.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, Event, On, Work};
use super::model::team::TrailWrite;
use crate::audit::AuditRecord;
use crate::backend::change_authors::{ChangeAuthors, DistributionWrite};
use crate::backend::edge_stream::{self, FEED_CAPACITY, Feed, ReaderOptions, StreamCalls};
use crate::backend::journal::{JournalFeed, JournalPort, JournalSender, SenderStatus, spawn_reader, spawn_sender};
use crate::backend::ports::Ports;
use crate::backend::probe::Prober;
use crate::backend::share::{ShareStore, set_shares};
use crate::backend::stage::StageControl;
use crate::backend::switch::switch_routes;
use crate::backend::{Backend, BackendError};
use crate::clock::Clock;

pub struct EffectRunner<B: Backend> {
    backend: Arc<B>,
    clock: Clock,
    actions: UnboundedSender<Action>,
    /// Who sends probes through the distribution, when the console probes at all.
    prober: Option<Arc<dyn Prober>>,
    /// The router's store, when the distribution has the router.
    share_store: Option<Arc<dyn ShareStore>>,
    /// API Gateway's stages, for the stage rollback.
    stage_control: Option<Arc<dyn StageControl>>,
    /// The real-time log stream, when the distribution has edge logs.
    edge_stream: Option<Arc<dyn StreamCalls>>,
    /// CloudTrail, for who changed the distribution outside cutover.
    change_authors: Option<Arc<dyn ChangeAuthors>>,
    /// The team journal, when the config has `[team]`: its calls and who this run is, and the
    /// sender of this run's records, started with the runner.
    journal: Option<(JournalPort, Option<JournalSender>)>,
}

impl<B: Backend> EffectRunner<B> {
    /// The runner of `distribution_id` over its `ports`. A journal's sender starts now (inside a
    /// tokio runtime), and reports how it sends as `JournalSending`.
    pub fn new(distribution_id: &str, ports: Ports<B>, clock: Clock, actions: UnboundedSender<Action>) -> Self {
        let Ports { backend, prober, share_store, stage_control, edge_stream, change_authors, journal } = ports;
        let journal = journal.map(|port| {
            let sender = port.sends.then(|| {
                let sender =
                    spawn_sender(port.calls.clone(), port.identity.clone(), clock.clone(), port.options.clone());
                report_sending(distribution_id.to_string(), sender.status(), actions.clone());
                sender
            });
            (port, sender)
        });
        EffectRunner {
            backend,
            clock,
            actions,
            prober,
            share_store,
            stage_control,
            edge_stream,
            change_authors,
            journal,
        }
    }

    /// API Gateway's stages: read one's deployments, or point it at another. Without stage
    /// control, both answer with the reason.
    fn run_stage(&self, distribution_id: String, work: Work) {
        let actions = self.actions.clone();
        let send = move |action: Action| {
            let _ = actions.send(action);
        };
        let stages = self.stage_control.clone();
        tokio::spawn(async move {
            let missing = || BackendError::Other("this console has no API Gateway access for stages".into());
            match work {
                Work::LoadStage { path, stage } => {
                    let result = match &stages {
                        Some(stages) => stages.deployments(&stage).await,
                        None => Err(missing()),
                    };
                    send(Action::to(distribution_id, Event::StageLoaded { path, result }));
                }
                Work::SetStage { id, stage, deployment_id } => {
                    let result = match &stages {
                        // Taken is not done: the stage read again says which deployment it serves.
                        Some(stages) => match stages.set_deployment(&stage, &deployment_id).await {
                            Ok(()) => stages.deployments(&stage).await.map(|now| now.current).map_err(|error| {
                                BackendError::NotAsAsked(format!(
                                    "API Gateway took the move, but reading the stage back failed ({error}): it may serve either deployment; check with `cutover stage ROUTE --list`"
                                ))
                            }),
                            Err(error) => Err(error),
                        },
                        None => Err(missing()),
                    };
                    send(Action::to(distribution_id, Event::StageSet { id, result }));
                }
                _ => {}
            }
        });
    }

    /// The router's store: read it, or move shares in it safely. Without a store (no router), a read
    /// is dropped and a move fails with the reason.
    fn run_shares(&self, distribution_id: String, work: Work) {
        let actions = self.actions.clone();
        let send = move |action: Action| {
            let _ = actions.send(action);
        };
        let Some(store) = self.share_store.clone() else {
            if let Work::SetShares { id, .. } = work {
                let error = BackendError::Other("the distribution has no router's store to write to".into());
                send(Action::to(distribution_id, Event::SwitchFailed { id, error }));
            }
            return;
        };
        tokio::spawn(async move {
            match work {
                Work::LoadShares { generation } => {
                    send(Action::to(distribution_id, Event::SharesLoaded { generation, result: store.read().await }));
                }
                Work::SetShares { id, changes } => {
                    let on_conflict = |stale: &str| {
                        let distribution_id = distribution_id.clone();
                        send(Action::to(distribution_id, Event::SwitchConflict { id, stale_etag: stale.to_string() }))
                    };
                    let result = set_shares(store.as_ref(), &changes, on_conflict).await;
                    send(match result {
                        Ok(accepted) => Action::to(distribution_id, Event::SharesAccepted { id, accepted }),
                        Err(error) => Action::to(distribution_id, Event::SwitchFailed { id, error }),
                    });
                }
                _ => {}
            }
        });
    }

    // Long: one arm per effect, each a spawn and its answer; split, the match would only move.
    /// Start this distribution's work (`Bell` and `Audit` are the runtime's, never sent here).
    pub fn run(&self, On { distribution_id, work }: On) {
        let backend = Arc::clone(&self.backend);
        let actions = self.actions.clone();
        // A send fails only when the UI has gone; the result is then of no use to anyone.
        let send = move |action: Action| {
            let _ = actions.send(action);
        };
        match work {
            Work::LoadTopology { generation } => {
                tokio::spawn(async move {
                    send(Action::to(
                        distribution_id,
                        Event::TopologyLoaded { generation, result: backend.topology().await },
                    ));
                });
            }
            Work::LoadMetrics { paths } => {
                tokio::spawn(async move {
                    send(Action::to(distribution_id, Event::MetricsLoaded { result: backend.fetch(&paths).await }));
                });
            }
            Work::Switch { id, changes } => {
                tokio::spawn(async move {
                    let on_conflict = |stale: &str| {
                        let distribution_id = distribution_id.clone();
                        send(Action::to(distribution_id, Event::SwitchConflict { id, stale_etag: stale.to_string() }))
                    };
                    let result = switch_routes(backend.as_ref(), &distribution_id, &changes, on_conflict).await;
                    send(match result {
                        Ok(ok) => Action::to(
                            distribution_id,
                            Event::SwitchAccepted {
                                id,
                                etag_before: ok.etag_before,
                                etag_after: ok.accepted.etag,
                                status: ok.accepted.status,
                                already_there: ok.already_there,
                                read_back: ok.read_back,
                            },
                        ),
                        Err(error) => Action::to(distribution_id, Event::SwitchFailed { id, error }),
                    });
                });
            }
            Work::LoadShares { .. } | Work::SetShares { .. } => self.run_shares(distribution_id, work),
            Work::LoadStage { .. } | Work::SetStage { .. } => self.run_stage(distribution_id, work),
            Work::PollDeploy { after } => {
                let clock = self.clock.clone();
                tokio::spawn(async move {
                    clock.sleep(after).await;
                    let result = backend.read_back(&distribution_id).await;
                    send(Action::to(distribution_id, Event::DeployStatus { result }));
                });
            }
            Work::Probe { spec } => {
                let Some(prober) = self.prober.clone() else { return };
                tokio::spawn(async move {
                    let answer = prober.probe(&spec).await;
                    send(Action::to(distribution_id, Event::ProbeAnswered { route: spec.route.clone(), answer }));
                });
            }
            Work::InjectFaults { faults } => {
                backend.inject_faults(faults);
            }
            Work::ReadEdgeLogs => self.read_edge_logs(distribution_id),
            Work::ReadJournal => self.read_journal(distribution_id),
            Work::LookupAuthors { from, to } => self.look_up_authors(distribution_id, from, to),
        }
    }

    /// CloudTrail's `UpdateDistribution` events between `from` and `to`; without CloudTrail (the
    /// demo has none yet), nothing is asked and the authors stay unknown.
    fn look_up_authors(&self, distribution_id: String, from: jiff::Timestamp, to: jiff::Timestamp) {
        let Some(authors) = self.change_authors.clone() else { return };
        let actions = self.actions.clone();
        tokio::spawn(async move {
            let result = authors.writes(&distribution_id, from, to).await.map(|writes| {
                let of = |w: DistributionWrite| TrailWrite { time: w.time, who: w.who, etag: w.etag };
                writes.into_iter().map(of).collect()
            });
            let _ = actions.send(Action::to(distribution_id, Event::AuthorsFound { result }));
        });
    }

    /// The team journal's reader on its own task, and one that turns what it reads into events;
    /// both end when the console's channel closes.
    fn read_journal(&self, distribution_id: String) {
        let Some((port, _)) = &self.journal else { return };
        let (clock, actions) = (self.clock.clone(), self.actions.clone());
        let options = crate::backend::journal::ReaderOptions::default();
        let mut feed = spawn_reader(port.calls.clone(), &distribution_id, &port.identity.run, clock, options);
        tokio::spawn(async move {
            while let Some(news) = feed.recv().await {
                let event = match news {
                    JournalFeed::Entries(entries) => Event::JournalHeard { entries },
                    JournalFeed::Refused { count, why } => Event::JournalRefused { count: count as u64, why },
                    JournalFeed::Trouble(trouble) => Event::JournalReading { trouble },
                };
                if actions.send(Action::to(distribution_id.clone(), event)).is_err() {
                    return;
                }
            }
        });
    }

    /// Send `record` to the team journal too, when there is one (after the local trail's write).
    pub fn share_in_journal(&self, record: &AuditRecord) {
        if let Some((_, Some(sender))) = &self.journal {
            sender.send(record.clone());
        }
    }

    /// Wait up to `timeout` for the journal's sender to send what it holds; what it cannot goes to
    /// the outbox, sent by the next run.
    pub async fn flush_journal(&self, timeout: std::time::Duration) {
        if let Some((_, Some(sender))) = &self.journal {
            let flushed = sender.flush(timeout).await;
            if flushed.left > 0 {
                tracing::warn!(left = flushed.left, kept = ?flushed.kept, "team journal records left for the next run");
            }
        }
    }

    /// The edge-log reader on its own task, and one that turns what it reads into events; both end
    /// when the console's channel closes.
    fn read_edge_logs(&self, distribution_id: String) {
        let Some(stream) = self.edge_stream.clone() else { return };
        let (clock, actions) = (self.clock.clone(), self.actions.clone());
        let options = ReaderOptions::default();
        let look_back = options.look_back;
        let (feed, mut news) = tokio::sync::mpsc::channel(FEED_CAPACITY);
        tokio::spawn(async move { edge_stream::read(stream.as_ref(), &clock, &options, feed).await });
        tokio::spawn(async move {
            while let Some(news) = news.recv().await {
                let event = match news {
                    Feed::Records { shard, records, millis_behind, .. } => {
                        Event::EdgeRecords { shard, records, millis_behind }
                    }
                    Feed::Shards { reading, finished } => {
                        Event::EdgeShards { reading: reading.len(), finished, look_back }
                    }
                    Feed::Trouble { call, error, .. } => {
                        Event::EdgeStream { trouble: Some(format!("{} failed: {error}", call.name())) }
                    }
                    Feed::Recovered { .. } => Event::EdgeStream { trouble: None },
                };
                if actions.send(Action::to(distribution_id.clone(), event)).is_err() {
                    return;
                }
            }
        });
    }
}

/// Each change of the journal sender's status as a `JournalSending` event, until the console's
/// channel closes or the sender ends.
fn report_sending(
    distribution_id: String,
    mut status: tokio::sync::watch::Receiver<SenderStatus>,
    actions: UnboundedSender<Action>,
) {
    tokio::spawn(async move {
        while status.changed().await.is_ok() {
            let SenderStatus { pending, sent, trouble, .. } = status.borrow_and_update().clone();
            let event = Event::JournalSending { pending, sent, trouble };
            if actions.send(Action::to(distribution_id.clone(), event)).is_err() {
                return;
            }
        }
    });
}
