//! How `cutover edge-logs` reads what exists and carries out one planned [`Step`], written once
//! over the calls it makes ([`EdgeLogCalls`], one method per API call): AWS's CloudFront, Kinesis
//! and IAM clients answer them (`aws::edge_logs`), and any other world could. The step logic here —
//! what a step needs from the snapshot, the waits, the retries on a stale ETag, the read-back of
//! every write (a success the read-back does not show is `NotAsAsked`), the lines it prints — is
//! the same for every world.

use async_trait::async_trait;

use super::BackendError;
use crate::edge_logs::install::{
    FoundBehavior, FoundLogConfig, FoundRole, FoundStream, POLICY_NAME, STREAM_ACTIONS, Step, TRUSTED_SERVICE, Wanted,
    adopts, cutover_name, stream_name_of,
};

/// How many times the behaviors' update is re-read and re-sent after a stale ETag.
pub const CONFLICT_RETRIES: u32 = 3;

/// A failed call, with the IAM action it needed (`kinesis:CreateStream`...).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct EdgeLogError {
    pub action: &'static str,
    pub error: BackendError,
}

impl EdgeLogError {
    pub fn other(action: &'static str, message: impl Into<String>) -> Self {
        EdgeLogError { action, error: BackendError::Other(message.into()) }
    }

    /// A write AWS took whose read-back does not show it.
    pub fn not_as_asked(action: &'static str, message: impl Into<String>) -> Self {
        EdgeLogError { action, error: BackendError::NotAsAsked(message.into()) }
    }
}

impl std::fmt::Display for EdgeLogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            BackendError::AccessDenied(detail) => write!(
                f,
                "access denied: {detail}; grant the IAM action {} to this identity and run it again",
                self.action
            ),
            BackendError::Throttling => {
                write!(f, "{} was throttled by AWS; wait a minute and run it again", self.action)
            }
            error @ (BackendError::Network(_) | BackendError::Timeout) => {
                write!(f, "{error}; check the connection to AWS and run it again")
            }
            error => write!(f, "{error}"),
        }
    }
}

/// `action` failed with `error`.
pub fn failed(action: &'static str) -> impl FnOnce(BackendError) -> EdgeLogError {
    move |error| EdgeLogError { action, error }
}

/// A delete CloudFront refuses while the configuration is still on a behavior as deployed.
pub fn still_in_use(name: &str) -> EdgeLogError {
    EdgeLogError::other(
        "cloudfront:DeleteRealtimeLogConfig",
        format!(
            "{name} is still in use while CloudFront deploys the update that took it off the behaviors (the usual minutes); run `cutover edge-logs remove --yes` again once `cutover status` shows the distribution Deployed"
        ),
    )
}

/// The role's trust policy: CloudFront may assume it.
pub fn trust_policy() -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": TRUSTED_SERVICE},
            "Action": "sts:AssumeRole",
        }],
    })
    .to_string()
}

/// The role's inline policy: CloudFront's writes to the one stream.
pub fn stream_policy(stream_arn: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": STREAM_ACTIONS,
            "Resource": stream_arn,
        }],
    })
    .to_string()
}

/// What a read found.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub found: crate::edge_logs::install::Found,
    /// Every route as (path, target origin id), default last, to choose the switchable ones.
    pub routes: Vec<(String, String)>,
}

pub use super::step_done::StepDone;

fn lines(lines: Vec<String>) -> StepDone {
    StepDone { lines, ..Default::default() }
}

/// A configuration asked for by name (cutover's) or by ARN (an adopted one).
#[derive(Clone, Copy, Debug)]
pub enum LogConfigRef<'a> {
    Name(&'a str),
    Arn(&'a str),
}

/// What a new real-time log configuration is made of.
#[derive(Clone, Debug)]
pub struct NewLogConfig<'a> {
    pub name: &'a str,
    pub fields: &'a [String],
    pub sampling_percent: u8,
    pub stream_arn: &'a str,
    pub role_arn: &'a str,
}

/// The calls edge logs' set-up makes, one per API call. Each answers what the call answered; the
/// step logic ([`carry_out`], [`read`]) decides what it means.
#[async_trait]
pub trait EdgeLogCalls: Send + Sync {
    /// The distribution's config as `GetDistributionConfig` gives it.
    type Config: Clone + Send + Sync;

    fn distribution_id(&self) -> &str;
    /// How many looks at a stream still being created before giving up.
    fn polls(&self) -> u32;
    /// The wait between two looks.
    async fn pause(&self);

    /// `CreateStream`, on-demand.
    async fn create_stream(&self, name: &str) -> Result<(), EdgeLogError>;
    /// `DescribeStreamSummary`: `None` when there is no such stream.
    async fn describe_stream(&self, name: &str) -> Result<Option<FoundStream>, EdgeLogError>;
    /// `DeleteStream`.
    async fn delete_stream(&self, name: &str) -> Result<(), EdgeLogError>;

    /// `GetRole` and `GetRolePolicy` (`POLICY_NAME`): `None` when there is no such role.
    async fn get_role(&self, name: &str) -> Result<Option<FoundRole>, EdgeLogError>;
    /// `CreateRole` with `trust_policy`: its ARN.
    async fn create_role(&self, name: &str, trust_policy: &str) -> Result<String, EdgeLogError>;
    /// `PutRolePolicy`.
    async fn put_role_policy(&self, role: &str, policy_name: &str, document: &str) -> Result<(), EdgeLogError>;
    /// `DeleteRolePolicy`.
    async fn delete_role_policy(&self, role: &str, policy_name: &str) -> Result<(), EdgeLogError>;
    /// `DeleteRole`.
    async fn delete_role(&self, name: &str) -> Result<(), EdgeLogError>;

    /// `GetRealtimeLogConfig`: `None` when there is no such configuration.
    async fn get_log_config(&self, which: LogConfigRef<'_>) -> Result<Option<FoundLogConfig>, EdgeLogError>;
    /// `CreateRealtimeLogConfig`: what CloudFront made.
    async fn create_log_config(&self, new: &NewLogConfig<'_>) -> Result<FoundLogConfig, EdgeLogError>;
    /// `DeleteRealtimeLogConfig` by name.
    async fn delete_log_config(&self, name: &str) -> Result<(), EdgeLogError>;

    /// `GetDistribution`: the behaviors, the status when it is not `Deployed`, and the routes
    /// as (path, target origin id).
    async fn distribution(&self) -> Result<(Vec<FoundBehavior>, Option<String>, Vec<(String, String)>), EdgeLogError>;
    /// `GetDistributionConfig`: the config and its ETag.
    async fn distribution_config(&self) -> Result<(Self::Config, String), EdgeLogError>;
    /// Set (or with `None` clear) `RealtimeLogConfigArn` on the behaviors at `paths`, in place,
    /// nothing else: the paths changed, or why it cannot be done (nothing is sent then).
    fn set_log_config(
        &self,
        config: &mut Self::Config,
        paths: &[String],
        arn: Option<&str>,
    ) -> Result<Vec<String>, String>;
    /// Each behavior and its configuration, as the planner reads them.
    fn behaviors_of(&self, config: &Self::Config) -> Vec<FoundBehavior>;
    /// `UpdateDistribution` with `IfMatch`: the new ETag.
    async fn update_distribution(&self, config: Self::Config, etag: &str) -> Result<Option<String>, BackendError>;
}

/// What exists for `wanted`: the stream it names, cutover's role, the configuration in use (the
/// adopted one by ARN, else cutover's by name), the behaviors.
pub async fn read<C: EdgeLogCalls + ?Sized>(calls: &C, wanted: &Wanted) -> Result<Snapshot, EdgeLogError> {
    let id = calls.distribution_id().to_string();
    let mut snapshot = Snapshot::default();
    if let Some(stream) = stream_name_of(&wanted.stream_arn) {
        snapshot.found.stream = calls.describe_stream(stream).await?;
    }
    let name = cutover_name(&id);
    snapshot.found.role = calls.get_role(&name).await?;
    snapshot.found.log_config = match (&wanted.realtime_log_config_arn, adopts(&id, wanted)) {
        (Some(arn), true) => calls.get_log_config(LogConfigRef::Arn(arn)).await?,
        _ => calls.get_log_config(LogConfigRef::Name(&name)).await?,
    };
    (snapshot.found.behaviors, snapshot.found.deploying, snapshot.routes) = calls.distribution().await?;
    Ok(snapshot)
}

// Long: one arm per kind of step, each a call, its read-back and what it teaches the snapshot.
/// Carry out one step, keeping `snapshot` up to date for the next.
pub async fn carry_out<C: EdgeLogCalls + ?Sized>(
    calls: &C,
    step: &Step,
    wanted: &Wanted,
    snapshot: &mut Snapshot,
) -> Result<StepDone, EdgeLogError> {
    match step {
        Step::CreateStream { name } => {
            calls.create_stream(name).await?;
            let mut done = lines(vec![format!("created Kinesis data stream {name} (on-demand)")]);
            done.lines.extend(wait_for_stream(calls, name, snapshot).await?);
            Ok(done)
        }
        Step::WaitForStream { name } => Ok(lines(wait_for_stream(calls, name, snapshot).await?)),
        Step::CreateRole { name } => {
            let arn = calls.create_role(name, &trust_policy()).await?;
            let read = calls.get_role(name).await?;
            let role = read.ok_or_else(|| {
                EdgeLogError::not_as_asked("iam:GetRole", format!("IAM took role {name} but GetRole does not find it"))
            })?;
            snapshot.found.role = Some(role);
            Ok(lines(vec![format!("created IAM role {name} ({arn}), trusting {TRUSTED_SERVICE}")]))
        }
        Step::PutRolePolicy { role, stream_arn } => {
            calls.put_role_policy(role, POLICY_NAME, &stream_policy(stream_arn)).await?;
            let read = calls.get_role(role).await?;
            if !read.as_ref().is_some_and(|r| r.has_policy) {
                return Err(EdgeLogError::not_as_asked(
                    "iam:GetRolePolicy",
                    format!("IAM took policy {POLICY_NAME} but role {role} does not show it"),
                ));
            }
            snapshot.found.role = read;
            Ok(lines(vec![format!("put {POLICY_NAME} on {role}: {} on {stream_arn}", STREAM_ACTIONS.join(", "))]))
        }
        Step::CreateLogConfig { name, fields, sampling_percent } => {
            let role_arn = snapshot.found.role.as_ref().map(|r| r.arn.clone()).ok_or_else(|| {
                EdgeLogError::other(
                    "cloudfront:CreateRealtimeLogConfig",
                    "the role does not exist yet; run install again",
                )
            })?;
            let new = NewLogConfig {
                name,
                fields,
                sampling_percent: *sampling_percent,
                stream_arn: &wanted.stream_arn,
                role_arn: &role_arn,
            };
            let made = calls.create_log_config(&new).await?;
            let read = calls.get_log_config(LogConfigRef::Name(name)).await?;
            let Some(read) = read.filter(|r| {
                &r.fields == fields
                    && r.sampling_rate == *sampling_percent
                    && r.stream_arn.as_deref() == Some(&wanted.stream_arn)
            }) else {
                return Err(EdgeLogError::not_as_asked(
                    "cloudfront:GetRealtimeLogConfig",
                    format!(
                        "CloudFront took real-time log configuration {name} but reading it back does not show it as asked"
                    ),
                ));
            };
            snapshot.found.log_config = Some(read);
            Ok(lines(vec![format!("created real-time log configuration {name} ({})", made.arn)]))
        }
        Step::Attach { paths } => {
            let arn = snapshot.found.log_config.as_ref().map(|c| c.arn.clone()).ok_or_else(|| {
                EdgeLogError::other(
                    "cloudfront:UpdateDistribution",
                    "the configuration's ARN is unknown; run install again",
                )
            })?;
            update_behaviors(calls, paths, Some(&arn), snapshot).await
        }
        Step::Detach { paths } => update_behaviors(calls, paths, None, snapshot).await,
        Step::DeleteLogConfig { name } => {
            calls.delete_log_config(name).await?;
            if calls.get_log_config(LogConfigRef::Name(name)).await?.is_some() {
                return Err(EdgeLogError::not_as_asked(
                    "cloudfront:GetRealtimeLogConfig",
                    format!("CloudFront took the delete of {name} but still has it"),
                ));
            }
            snapshot.found.log_config = None;
            Ok(lines(vec![format!("deleted real-time log configuration {name}")]))
        }
        Step::DeleteRole { name, has_policy } => {
            let mut done = Vec::new();
            if *has_policy {
                calls.delete_role_policy(name, POLICY_NAME).await?;
                done.push(format!("deleted policy {POLICY_NAME} of role {name}"));
            }
            calls.delete_role(name).await?;
            if calls.get_role(name).await?.is_some() {
                return Err(EdgeLogError::not_as_asked(
                    "iam:GetRole",
                    format!("IAM took the delete of role {name} but still has it"),
                ));
            }
            snapshot.found.role = None;
            done.push(format!("deleted IAM role {name}"));
            Ok(lines(done))
        }
        Step::DeleteStream { name } => {
            calls.delete_stream(name).await?;
            let read = calls.describe_stream(name).await?;
            if let Some(stream) = read.as_ref().filter(|s| s.status != "DELETING") {
                return Err(EdgeLogError::not_as_asked(
                    "kinesis:DescribeStreamSummary",
                    format!("Kinesis took the delete of {name} but says it is {}", stream.status),
                ));
            }
            snapshot.found.stream = None;
            Ok(lines(vec![format!("deleted Kinesis data stream {name}")]))
        }
    }
}

/// Look at the stream until it is ACTIVE, a bounded number of times.
async fn wait_for_stream<C: EdgeLogCalls + ?Sized>(
    calls: &C,
    name: &str,
    snapshot: &mut Snapshot,
) -> Result<Vec<String>, EdgeLogError> {
    for look in 0..calls.polls().max(1) {
        if look > 0 {
            calls.pause().await;
        }
        let stream = calls.describe_stream(name).await?;
        if let Some(stream) = stream.as_ref().filter(|s| s.status == "ACTIVE") {
            let shards = stream.open_shards.map_or("unknown".to_string(), |n| n.to_string());
            let line = format!("Kinesis data stream {name} is ACTIVE ({shards} open shard(s))");
            snapshot.found.stream = Some(stream.clone());
            return Ok(vec![line]);
        }
        snapshot.found.stream = stream;
    }
    Err(EdgeLogError::other(
        "kinesis:DescribeStreamSummary",
        format!("the stream {name} did not become ACTIVE in time; run install again to carry on"),
    ))
}

/// One `UpdateDistribution` setting (or clearing) the configuration on `paths`, on the config as
/// fetched, re-read after a stale ETag; then the config read again must show it.
async fn update_behaviors<C: EdgeLogCalls + ?Sized>(
    calls: &C,
    paths: &[String],
    arn: Option<&str>,
    snapshot: &mut Snapshot,
) -> Result<StepDone, EdgeLogError> {
    const ACTION: &str = "cloudfront:UpdateDistribution";
    for _ in 0..=CONFLICT_RETRIES {
        let (mut config, etag) = calls.distribution_config().await?;
        let changed = calls.set_log_config(&mut config, paths, arn).map_err(|m| {
            EdgeLogError::other(ACTION, format!("{m}; nothing was written, look with `cutover edge-logs status`"))
        })?;
        if changed.is_empty() {
            snapshot.found.behaviors = calls.behaviors_of(&config);
            return Ok(lines(vec!["every behavior was already as planned".into()]));
        }
        match calls.update_distribution(config, &etag).await {
            Ok(etag_after) => {
                let (read, _) = calls.distribution_config().await?;
                let behaviors = calls.behaviors_of(&read);
                let wrong: Vec<&str> = paths
                    .iter()
                    .filter(|p| !behaviors.iter().any(|b| &b.path == *p && b.realtime_log_config_arn.as_deref() == arn))
                    .map(String::as_str)
                    .collect();
                snapshot.found.behaviors = behaviors;
                if !wrong.is_empty() {
                    return Err(EdgeLogError::not_as_asked(
                        "cloudfront:GetDistributionConfig",
                        format!(
                            "CloudFront took the update but reading it back, {} are not as asked",
                            wrong.join(", ")
                        ),
                    ));
                }
                let verb = if arn.is_some() { "set the configuration on" } else { "took the configuration off" };
                return Ok(StepDone {
                    lines: vec![
                        format!(
                            "{verb} {}; CloudFront is deploying it (the usual minutes; follow it with `cutover status`)",
                            changed.join(", ")
                        ),
                        "read back: the distribution's config shows it".to_string(),
                    ],
                    etag_before: Some(etag),
                    etag_after,
                });
            }
            Err(BackendError::PreconditionFailed) => continue,
            Err(error) => return Err(failed(ACTION)(error)),
        }
    }
    Err(failed(ACTION)(BackendError::TooManyConflicts(CONFLICT_RETRIES + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policies_trust_cloudfront_and_write_one_stream() {
        let trust: serde_json::Value = serde_json::from_str(&trust_policy()).unwrap();
        assert_eq!(trust["Statement"][0]["Principal"]["Service"], "cloudfront.amazonaws.com");
        assert_eq!(trust["Statement"][0]["Action"], "sts:AssumeRole");
        let policy: serde_json::Value = serde_json::from_str(&stream_policy("arn:s")).unwrap();
        assert_eq!(policy["Statement"][0]["Resource"], "arn:s");
        assert_eq!(policy["Statement"][0]["Action"].as_array().unwrap().len(), 4);
    }
}
