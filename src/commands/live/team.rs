//! The team's ports of a live distribution (issue 23): CloudTrail, for who changed the
//! distribution outside cutover, and the shared journal when the config has `[team]`.

use std::sync::Arc;

use crate::app::model::setup::Setup;
use crate::backend::aws::AwsBackend;
use crate::backend::aws::change_authors::CloudTrailAuthors;
use crate::backend::aws::clients::AwsClients;
use crate::backend::aws::journal::LogsJournal;
use crate::backend::journal::{JournalPort, SenderOptions, outbox};
use crate::backend::notify::{Notifier, NotifierOptions, spawn_notifier, targets_of};
use crate::backend::ports::Ports;
use crate::config::Config;

/// Give `ports` CloudTrail (always: an outside change can happen anywhere) and, with `[team]`, the
/// journal of the distribution's log group.
pub fn wire(
    config: &Config,
    clients: &AwsClients,
    distribution_id: &str,
    setup: &mut Setup,
    ports: &mut Ports<AwsBackend>,
) {
    ports.change_authors = Some(Arc::new(CloudTrailAuthors::connect(&clients.sdk)));
    setup.team_log_group = config.team_log_group_of(distribution_id);
    if let Some(group) = &setup.team_log_group {
        let calls = Arc::new(LogsJournal::new(clients.logs.clone(), group));
        // A console is here: others see it watching. Headless commands say so themselves.
        let options =
            SenderOptions { presence: Some("console".into()), outbox: outbox::default_path(), ..Default::default() };
        ports.journal = Some(JournalPort::new(calls, &setup.operator, setup.now, &setup.run_id, options));
    }
}

/// The notifier `[notify]` asks for, reporting into `runtime`'s event log; `None` without
/// `[notify]`. A webhook URL's variable that is not set is an error at start, not at the first
/// switch.
pub fn notifier<B: crate::backend::Backend>(
    config: &Config,
    clients: &AwsClients,
    runtime: &crate::app::runtime::Runtime<B>,
) -> anyhow::Result<Option<Notifier>> {
    let Some(notify) = &config.notify else { return Ok(None) };
    let targets =
        targets_of(notify, &clients.sdk).map_err(|why| anyhow::anyhow!("[notify] in {}: {why}", config.file_name()))?;
    let options = NotifierOptions::new(notify.on(), runtime.clock.clone(), {
        let report = runtime.notify_reporter();
        move |r| report(r)
    });
    Ok(Some(spawn_notifier(targets, options)))
}
