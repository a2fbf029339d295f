//! A live console's edge logs: how their lines are laid out and sampled, read from the real-time
//! log configuration that writes them (the truth, whatever the config file says), and the
//! stream's reader calls. Everything that goes wrong is said in the log and leaves the console
//! on CloudWatch's numbers: the edge logs add to it, and never stop it starting.

use std::sync::Arc;

use crate::app::model::edge_logs::EdgeLogSettings;
use crate::app::model::setup::Setup;
use crate::backend::aws::edge_logs::EdgeLogControl;
use crate::backend::aws::kinesis::stream_region;
use crate::backend::aws::{AwsClients, KinesisStream};
use crate::backend::edge_log_steps::{EdgeLogCalls, LogConfigRef};
use crate::backend::edge_stream::StreamCalls;
use crate::config::Config;
use crate::domain::edge_log::Layout;
use crate::domain::{Level, visible};
use crate::edge_logs::install::cutover_name;

/// The distribution's edge-log stream, and `setup.edge_logs` set, when the config names one.
pub async fn stream_of(
    config: &Config,
    clients: &AwsClients,
    distribution_id: &str,
    setup: &mut Setup,
) -> Option<Arc<dyn StreamCalls>> {
    let settings = config.edge_logs_of(distribution_id)?;
    let region = match stream_region(&settings.stream_arn) {
        Ok(region) => region.to_string(),
        Err(error) => {
            setup.note(Level::Warn, None, format!("edge logs are off: {error}"));
            return None;
        }
    };
    let stream = KinesisStream::connect(&clients.sdk, &settings.stream_arn).ok()?;
    let own = cutover_name(distribution_id);
    let which = match settings.realtime_log_config_arn.as_deref() {
        Some(arn) => LogConfigRef::Arn(arn),
        None => LogConfigRef::Name(&own),
    };
    let control = EdgeLogControl::new(
        clients.cloudfront.clone(),
        clients.kinesis_in(&region),
        clients.iam.clone(),
        distribution_id,
    );
    let (fields, sampling_percent) = match control.get_log_config(which).await {
        Ok(Some(found)) => (found.fields, found.sampling_rate),
        Ok(None) => {
            let message = format!(
                "edge logs: no real-time log configuration {}; `cutover edge-logs install` makes it. Reading the stream with the config's fields",
                settings.realtime_log_config_arn.as_deref().unwrap_or(&own)
            );
            setup.note(Level::Warn, None, message);
            (settings.fields.clone(), settings.sampling_percent)
        }
        Err(error) => {
            let message = format!(
                "edge logs: the real-time log configuration could not be read ({}); reading the stream with the config's fields and sampling rate",
                visible::escape(&error.to_string())
            );
            setup.note(Level::Warn, None, message);
            (settings.fields.clone(), settings.sampling_percent)
        }
    };
    let missing = Layout::new(fields.iter().map(String::as_str)).missing();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
        let message = format!("edge logs: the lines lack {}: those numbers stay empty", names.join(", "));
        setup.note(Level::Warn, None, message);
    }
    let window_secs = u32::try_from(settings.window.as_secs()).unwrap_or(u32::MAX);
    setup.edge_logs = Some(EdgeLogSettings { fields, sampling_percent, window_secs });
    Some(Arc::new(stream))
}
