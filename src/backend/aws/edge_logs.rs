//! Edge logs' pieces in the account, over the CloudFront, Kinesis (control plane only:
//! `CreateStream`, `DescribeStreamSummary`, `DeleteStream`) and IAM clients: the calls of
//! [`EdgeLogCalls`], whose steps are `backend::edge_log_steps`'s. The behaviors' update changes the
//! fetched `DistributionConfig` in place — `RealtimeLogConfigArn` on the chosen behaviors and
//! nothing else — and sends it back with `IfMatch`, as a switch does.
//!
//! Where AWS differs from a plain call on purpose: IAM is eventually consistent, so a role made a
//! moment ago may not yet be assumable by CloudFront; `CreateRealtimeLogConfig` is asked again a
//! few times while CloudFront says it cannot use the role.

use std::time::Duration;

use aws_sdk_cloudfront::config::http::HttpResponse;
use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::types::{DistributionConfig, EndPoint, KinesisStreamConfig, RealtimeLogConfig};
use aws_sdk_kinesis::types::{StreamMode, StreamModeDetails};

use super::control_plane::routes_of;
use super::errors::from_sdk;
use crate::backend::BackendError;
use crate::backend::edge_log_steps::{
    self, EdgeLogCalls, EdgeLogError, LogConfigRef, NewLogConfig, Snapshot, StepDone, failed, still_in_use,
};
use crate::edge_logs::install::{
    DEFAULT_PATH, FoundBehavior, FoundLogConfig, FoundRole, FoundStream, POLICY_NAME, Step, Wanted,
};

/// How many times a new configuration is asked for while CloudFront cannot yet use a new role.
const ROLE_TRIES: u32 = 10;

/// Edge logs' pieces for one distribution.
#[derive(Clone, Debug)]
pub struct EdgeLogControl {
    cloudfront: aws_sdk_cloudfront::Client,
    /// In the stream's region.
    kinesis: aws_sdk_kinesis::Client,
    iam: aws_sdk_iam::Client,
    distribution_id: String,
    /// Between two looks at a stream being created (and two tries of a new role).
    pub poll_every: Duration,
    pub polls: u32,
}

/// The error code of a failed call, if the service sent one.
fn code_of<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// A "no such thing" answer (by its code, or a 404) as `None`, other failures as `action`'s.
fn absent<T, E>(
    action: &'static str,
    codes: &[&str],
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<Option<T>, EdgeLogError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(SdkError::ServiceError(e))
            if e.raw().status().as_u16() == 404 || e.err().code().is_some_and(|c| codes.contains(&c)) =>
        {
            Ok(None)
        }
        Err(e) => Err(failed(action)(from_sdk(action, e))),
    }
}

fn sdk<E>(action: &'static str) -> impl FnOnce(SdkError<E, HttpResponse>) -> EdgeLogError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |e| failed(action)(from_sdk(action, e))
}

/// A configuration as the planner reads it.
fn found_config(config: &RealtimeLogConfig) -> FoundLogConfig {
    let kinesis = config.end_points().iter().find_map(|e| e.kinesis_stream_config());
    FoundLogConfig {
        arn: config.arn().to_string(),
        name: config.name().to_string(),
        fields: config.fields().to_vec(),
        sampling_rate: u8::try_from(config.sampling_rate()).unwrap_or(0),
        stream_arn: kinesis.map(|k| k.stream_arn().to_string()),
        role_arn: kinesis.map(|k| k.role_arn().to_string()),
    }
}

/// A behavior's configuration ARN; an empty one (as some answers carry) is none.
fn arn_of(arn: &Option<String>) -> Option<String> {
    arn.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(String::from)
}

/// The behaviors of a config with their configuration, default last as `*`.
pub fn behaviors_of(config: &DistributionConfig) -> Vec<FoundBehavior> {
    let mut found: Vec<FoundBehavior> = config
        .cache_behaviors()
        .and_then(|b| b.items.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|b| FoundBehavior {
            path: b.path_pattern.clone(),
            realtime_log_config_arn: arn_of(&b.realtime_log_config_arn),
        })
        .collect();
    if let Some(default) = config.default_cache_behavior() {
        found.push(FoundBehavior {
            path: DEFAULT_PATH.to_string(),
            realtime_log_config_arn: arn_of(&default.realtime_log_config_arn),
        });
    }
    found
}

/// Set (`Some`) or clear (`None`) `RealtimeLogConfigArn` on the behaviors at `paths`, in place,
/// nothing else. Fails, sending nothing, when a behavior is gone or now carries another
/// configuration.
pub fn set_log_config(
    config: &mut DistributionConfig,
    paths: &[String],
    arn: Option<&str>,
) -> Result<Vec<String>, String> {
    let mut changed = Vec::new();
    for path in paths {
        let slot = if path == DEFAULT_PATH {
            config.default_cache_behavior.as_mut().map(|d| &mut d.realtime_log_config_arn)
        } else {
            config
                .cache_behaviors
                .as_mut()
                .and_then(|b| b.items.as_mut())
                .and_then(|items| items.iter_mut().find(|b| &b.path_pattern == path))
                .map(|b| &mut b.realtime_log_config_arn)
        };
        let slot = slot.ok_or_else(|| format!("the distribution no longer has a behavior with path pattern {path}"))?;
        let now = slot.as_deref().map(str::trim).filter(|a| !a.is_empty());
        if now == arn {
            continue;
        }
        if let (Some(_), Some(other)) = (arn, now) {
            return Err(format!("{path} now logs to another real-time log configuration ({other})"));
        }
        *slot = arn.map(String::from);
        changed.push(path.clone());
    }
    Ok(changed)
}

impl EdgeLogControl {
    /// `kinesis` must be a client in the stream's region.
    pub fn new(
        cloudfront: aws_sdk_cloudfront::Client,
        kinesis: aws_sdk_kinesis::Client,
        iam: aws_sdk_iam::Client,
        distribution_id: &str,
    ) -> Self {
        EdgeLogControl {
            cloudfront,
            kinesis,
            iam,
            distribution_id: distribution_id.to_string(),
            poll_every: Duration::from_secs(2),
            polls: 60,
        }
    }

    /// What exists for `wanted`.
    pub async fn read(&self, wanted: &Wanted) -> Result<Snapshot, EdgeLogError> {
        edge_log_steps::read(self, wanted).await
    }

    /// Carry out one step, keeping `snapshot` up to date for the next.
    pub async fn carry_out(
        &self,
        step: &Step,
        wanted: &Wanted,
        snapshot: &mut Snapshot,
    ) -> Result<StepDone, EdgeLogError> {
        edge_log_steps::carry_out(self, step, wanted, snapshot).await
    }
}

#[async_trait::async_trait]
impl EdgeLogCalls for EdgeLogControl {
    type Config = DistributionConfig;

    fn distribution_id(&self) -> &str {
        &self.distribution_id
    }

    fn polls(&self) -> u32 {
        self.polls
    }

    async fn pause(&self) {
        tokio::time::sleep(self.poll_every).await;
    }

    async fn create_stream(&self, name: &str) -> Result<(), EdgeLogError> {
        let mode = StreamModeDetails::builder().stream_mode(StreamMode::OnDemand).build().expect("the mode is set");
        self.kinesis
            .create_stream()
            .stream_name(name)
            .stream_mode_details(mode)
            .send()
            .await
            .map_err(sdk("kinesis:CreateStream"))?;
        Ok(())
    }

    async fn describe_stream(&self, name: &str) -> Result<Option<FoundStream>, EdgeLogError> {
        let out = absent(
            "kinesis:DescribeStreamSummary",
            &["ResourceNotFoundException"],
            self.kinesis.describe_stream_summary().stream_name(name).send().await,
        )?;
        Ok(out.and_then(|o| o.stream_description_summary).map(|s| FoundStream {
            arn: s.stream_arn,
            status: s.stream_status.as_str().to_string(),
            mode: s.stream_mode_details.map(|m| m.stream_mode.as_str().to_string()),
            open_shards: u32::try_from(s.open_shard_count).ok(),
        }))
    }

    async fn delete_stream(&self, name: &str) -> Result<(), EdgeLogError> {
        self.kinesis.delete_stream().stream_name(name).send().await.map_err(sdk("kinesis:DeleteStream"))?;
        Ok(())
    }

    async fn get_role(&self, name: &str) -> Result<Option<FoundRole>, EdgeLogError> {
        let out = absent("iam:GetRole", &["NoSuchEntity"], self.iam.get_role().role_name(name).send().await)?;
        let Some(role) = out.and_then(|o| o.role) else { return Ok(None) };
        let policy = absent(
            "iam:GetRolePolicy",
            &["NoSuchEntity"],
            self.iam.get_role_policy().role_name(name).policy_name(POLICY_NAME).send().await,
        )?;
        Ok(Some(FoundRole { arn: role.arn, has_policy: policy.is_some() }))
    }

    async fn create_role(&self, name: &str, trust_policy: &str) -> Result<String, EdgeLogError> {
        let out = self
            .iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust_policy)
            .description(format!(
                "CloudFront writes distribution {}'s real-time logs for cutover",
                self.distribution_id
            ))
            .send()
            .await
            .map_err(sdk("iam:CreateRole"))?;
        out.role.map(|r| r.arn).ok_or_else(|| EdgeLogError::other("iam:CreateRole", "CreateRole returned no role"))
    }

    async fn put_role_policy(&self, role: &str, policy_name: &str, document: &str) -> Result<(), EdgeLogError> {
        self.iam
            .put_role_policy()
            .role_name(role)
            .policy_name(policy_name)
            .policy_document(document)
            .send()
            .await
            .map_err(sdk("iam:PutRolePolicy"))?;
        Ok(())
    }

    async fn delete_role_policy(&self, role: &str, policy_name: &str) -> Result<(), EdgeLogError> {
        let sent = self.iam.delete_role_policy().role_name(role).policy_name(policy_name).send().await;
        absent("iam:DeleteRolePolicy", &["NoSuchEntity"], sent)?;
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> Result<(), EdgeLogError> {
        absent("iam:DeleteRole", &["NoSuchEntity"], self.iam.delete_role().role_name(name).send().await)?;
        Ok(())
    }

    async fn get_log_config(&self, which: LogConfigRef<'_>) -> Result<Option<FoundLogConfig>, EdgeLogError> {
        let call = self.cloudfront.get_realtime_log_config();
        let call = match which {
            LogConfigRef::Name(name) => call.name(name),
            LogConfigRef::Arn(arn) => call.arn(arn),
        };
        let out = absent("cloudfront:GetRealtimeLogConfig", &["NoSuchRealtimeLogConfig"], call.send().await)?;
        Ok(out.and_then(|o| o.realtime_log_config).map(|c| found_config(&c)))
    }

    async fn create_log_config(&self, new: &NewLogConfig<'_>) -> Result<FoundLogConfig, EdgeLogError> {
        const ACTION: &str = "cloudfront:CreateRealtimeLogConfig";
        let kinesis = KinesisStreamConfig::builder()
            .role_arn(new.role_arn)
            .stream_arn(new.stream_arn)
            .build()
            .expect("both ARNs are set");
        let end_point =
            EndPoint::builder().stream_type("Kinesis").kinesis_stream_config(kinesis).build().expect("the type is set");
        for attempt in 1..=ROLE_TRIES {
            let sent = self
                .cloudfront
                .create_realtime_log_config()
                .name(new.name)
                .sampling_rate(i64::from(new.sampling_percent))
                .set_fields(Some(new.fields.to_vec()))
                .end_points(end_point.clone())
                .send()
                .await;
            match sent {
                Ok(out) => {
                    return out.realtime_log_config.map(|c| found_config(&c)).ok_or_else(|| {
                        EdgeLogError::other(ACTION, "CreateRealtimeLogConfig returned no configuration")
                    });
                }
                // A role made a moment ago: IAM has not told CloudFront yet.
                Err(e) if code_of(&e) == Some("InvalidArgument") && attempt < ROLE_TRIES => self.pause().await,
                Err(e) => return Err(sdk(ACTION)(e)),
            }
        }
        unreachable!("the last attempt returns")
    }

    async fn delete_log_config(&self, name: &str) -> Result<(), EdgeLogError> {
        match self.cloudfront.delete_realtime_log_config().name(name).send().await {
            Ok(_) => Ok(()),
            Err(e) if code_of(&e) == Some("RealtimeLogConfigInUse") => Err(still_in_use(name)),
            Err(e) => Err(sdk("cloudfront:DeleteRealtimeLogConfig")(e)),
        }
    }

    async fn distribution(&self) -> Result<(Vec<FoundBehavior>, Option<String>, Vec<(String, String)>), EdgeLogError> {
        const ACTION: &str = "cloudfront:GetDistribution";
        let out = self.cloudfront.get_distribution().id(&self.distribution_id).send().await.map_err(sdk(ACTION))?;
        let distribution =
            out.distribution.ok_or_else(|| EdgeLogError::other(ACTION, "GetDistribution returned no distribution"))?;
        let deploying = (distribution.status != "Deployed").then(|| distribution.status.clone());
        let config = distribution
            .distribution_config
            .ok_or_else(|| EdgeLogError::other(ACTION, "GetDistribution returned no config"))?;
        Ok((behaviors_of(&config), deploying, routes_of(&config)))
    }

    async fn distribution_config(&self) -> Result<(DistributionConfig, String), EdgeLogError> {
        const ACTION: &str = "cloudfront:GetDistributionConfig";
        let out =
            self.cloudfront.get_distribution_config().id(&self.distribution_id).send().await.map_err(sdk(ACTION))?;
        let etag = out.e_tag.unwrap_or_default();
        let config = out
            .distribution_config
            .ok_or_else(|| EdgeLogError::other(ACTION, "GetDistributionConfig returned no config"))?;
        Ok((config, etag))
    }

    fn set_log_config(
        &self,
        config: &mut DistributionConfig,
        paths: &[String],
        arn: Option<&str>,
    ) -> Result<Vec<String>, String> {
        set_log_config(config, paths, arn)
    }

    fn behaviors_of(&self, config: &DistributionConfig) -> Vec<FoundBehavior> {
        behaviors_of(config)
    }

    async fn update_distribution(
        &self,
        config: DistributionConfig,
        etag: &str,
    ) -> Result<Option<String>, BackendError> {
        self.cloudfront
            .update_distribution()
            .id(&self.distribution_id)
            .if_match(etag)
            .distribution_config(config)
            .send()
            .await
            .map(|out| out.e_tag)
            .map_err(|e| from_sdk("UpdateDistribution", e))
    }
}
