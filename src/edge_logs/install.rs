//! Edge logs' install and removal, planned: from what exists (the stream, the role, the real-time
//! log configuration, each behavior's `RealtimeLogConfigArn`) and what the config asks, the
//! ordered steps that install or remove them. Pure: no IO; `backend::edge_log_steps` carries the
//! steps out and `backend::aws::edge_logs` reads and calls AWS.
//!
//! What cutover makes is named from the distribution id, so that it is found again and removed
//! without a record: the role and the real-time log configuration `cutover-edge-<id>`; the stream
//! is the one the config's `stream_arn` names, made only when its name starts with `cutover-`.
//! A configured `realtime_log_config_arn` that is not cutover's is *adopted*: read, put on the
//! behaviors, never changed or deleted, and taken off only the behaviors named with `--route`.

/// The path cutover gives the default behavior.
pub const DEFAULT_PATH: &str = "*";

/// The name of the inline policy on cutover's role.
pub const POLICY_NAME: &str = "cutover-edge-write-stream";

/// The Kinesis actions CloudFront needs on the stream.
pub const STREAM_ACTIONS: [&str; 4] =
    ["kinesis:DescribeStreamSummary", "kinesis:DescribeStream", "kinesis:PutRecord", "kinesis:PutRecords"];

/// The service that assumes the role.
pub const TRUSTED_SERVICE: &str = "cloudfront.amazonaws.com";

/// The name of cutover's role and real-time log configuration for a distribution.
pub fn cutover_name(distribution_id: &str) -> String {
    format!("cutover-edge-{distribution_id}")
}

/// The stream name a new config is given (`cutover init`, the book's edge-logs page).
pub fn stream_name(distribution_id: &str) -> String {
    cutover_name(distribution_id)
}

/// The stream name in a Kinesis stream ARN (`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`).
pub fn stream_name_of(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (_partition, service, region, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let name = resource.strip_prefix("stream/")?;
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let valid = service == "kinesis"
        && plain(region)
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    valid.then_some(name)
}

/// The region in a Kinesis stream ARN.
pub fn stream_region_of(arn: &str) -> Option<&str> {
    stream_name_of(arn)?;
    arn.split(':').nth(3)
}

/// Whether cutover may create and delete a stream of this name: it starts with `cutover-`.
pub fn is_cutovers_stream(name: &str) -> bool {
    name.starts_with("cutover-")
}

/// Whether a real-time log configuration ARN (`arn:aws:cloudfront::ACCOUNT:realtime-log-config/NAME`)
/// is cutover's for this distribution.
pub fn is_cutovers_config(arn: &str, distribution_id: &str) -> bool {
    arn.ends_with(&format!(":realtime-log-config/{}", cutover_name(distribution_id)))
}

/// What the config asks for (`[distribution.edge_logs]`), and the behaviors chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    pub stream_arn: String,
    /// A configuration to adopt rather than make.
    pub realtime_log_config_arn: Option<String>,
    /// The fields of a configuration cutover makes, in order.
    pub fields: Vec<String>,
    pub sampling_percent: u8,
    /// The behaviors that should log (path patterns, `*` the default).
    pub behaviors: Vec<String>,
}

/// What exists, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The stream `stream_arn` names.
    pub stream: Option<FoundStream>,
    /// cutover's role.
    pub role: Option<FoundRole>,
    /// The configuration in use: the adopted one when the config names one, else cutover's.
    pub log_config: Option<FoundLogConfig>,
    /// Every behavior in the distribution's order, the default (`*`) last.
    pub behaviors: Vec<FoundBehavior>,
    /// The distribution's status when it is not `Deployed`.
    pub deploying: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundStream {
    pub arn: String,
    /// `CREATING`, `ACTIVE`, `UPDATING` or `DELETING`, as Kinesis says it.
    pub status: String,
    /// `ON_DEMAND` or `PROVISIONED`, when Kinesis said.
    pub mode: Option<String>,
    /// Open shards, when Kinesis said.
    pub open_shards: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundRole {
    pub arn: String,
    /// Whether its inline policy (`POLICY_NAME`) is there.
    pub has_policy: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundLogConfig {
    pub arn: String,
    pub name: String,
    pub fields: Vec<String>,
    pub sampling_rate: u8,
    /// The stream it writes to (the first Kinesis end point).
    pub stream_arn: Option<String>,
    pub role_arn: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundBehavior {
    pub path: String,
    pub realtime_log_config_arn: Option<String>,
}

/// One change to AWS, in the order it must happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `CreateStream` (on-demand), then `DescribeStreamSummary` until it is `ACTIVE`.
    CreateStream { name: String },
    /// `DescribeStreamSummary` until a stream still being created is `ACTIVE`.
    WaitForStream { name: String },
    /// `CreateRole` trusting CloudFront.
    CreateRole { name: String },
    /// `PutRolePolicy`: the Kinesis write actions on the stream.
    PutRolePolicy { role: String, stream_arn: String },
    /// `CreateRealtimeLogConfig` with cutover's fields and the sampling rate.
    CreateLogConfig { name: String, fields: Vec<String>, sampling_percent: u8 },
    /// One `UpdateDistribution` setting `RealtimeLogConfigArn` on these behaviors.
    Attach { paths: Vec<String> },
    /// One `UpdateDistribution` clearing `RealtimeLogConfigArn` on these behaviors.
    Detach { paths: Vec<String> },
    /// `DeleteRealtimeLogConfig`.
    DeleteLogConfig { name: String },
    /// `DeleteRolePolicy` then `DeleteRole`.
    DeleteRole { name: String, has_policy: bool },
    /// `DeleteStream`.
    DeleteStream { name: String },
}

impl Step {
    /// A short name for the audit trail and JSON (`create_stream`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Step::CreateStream { .. } => "create_stream",
            Step::WaitForStream { .. } => "wait_for_stream",
            Step::CreateRole { .. } => "create_role",
            Step::PutRolePolicy { .. } => "put_role_policy",
            Step::CreateLogConfig { .. } => "create_realtime_log_config",
            Step::Attach { .. } => "attach",
            Step::Detach { .. } => "detach",
            Step::DeleteLogConfig { .. } => "delete_realtime_log_config",
            Step::DeleteRole { .. } => "delete_role",
            Step::DeleteStream { .. } => "delete_stream",
        }
    }

    /// The behaviors a step changes (empty for the others).
    pub fn paths(&self) -> &[String] {
        match self {
            Step::Attach { paths } | Step::Detach { paths } => paths,
            _ => &[],
        }
    }

    /// What the step changes, in words.
    pub fn describe(&self) -> String {
        match self {
            Step::CreateStream { name } => {
                format!("create Kinesis data stream {name} (on-demand) and wait until it is ACTIVE")
            }
            Step::WaitForStream { name } => format!("wait until Kinesis data stream {name} is ACTIVE"),
            Step::CreateRole { name } => format!("create IAM role {name}, which {TRUSTED_SERVICE} may assume"),
            Step::PutRolePolicy { role, stream_arn } => {
                format!("put inline policy {POLICY_NAME} on role {role}: {} on {stream_arn}", STREAM_ACTIONS.join(", "))
            }
            Step::CreateLogConfig { name, fields, sampling_percent } => format!(
                "create real-time log configuration {name}: {sampling_percent} % of requests, fields {}",
                fields.join(", ")
            ),
            Step::Attach { paths } => format!(
                "one UpdateDistribution (IfMatch): set RealtimeLogConfigArn on {}, nothing else (takes the usual minutes to deploy)",
                paths.join(", ")
            ),
            Step::Detach { paths } => format!(
                "one UpdateDistribution (IfMatch): clear RealtimeLogConfigArn on {}, nothing else (takes the usual minutes to deploy)",
                paths.join(", ")
            ),
            Step::DeleteLogConfig { name } => format!("delete real-time log configuration {name}"),
            Step::DeleteRole { name, has_policy: true } => {
                format!("delete inline policy {POLICY_NAME} and IAM role {name}")
            }
            Step::DeleteRole { name, has_policy: false } => format!("delete IAM role {name}"),
            Step::DeleteStream { name } => format!("delete Kinesis data stream {name} (its unread lines with it)"),
        }
    }
}

/// The steps, or why nothing can be done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Why the plan cannot be carried out; when not empty, nothing may be done.
    pub refused: Vec<String>,
    /// What the operator should know that changes nothing.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn is_noop(&self) -> bool {
        self.steps.is_empty() && self.refused.is_empty()
    }
}

/// The fields of cutover's (`edge_log::Field::READ`) that `fields` lacks.
pub fn missing_fields(fields: &[String]) -> Vec<&'static str> {
    let layout = crate::domain::edge_log::Layout::new(fields.iter().map(String::as_str));
    layout.missing().into_iter().map(|f| f.name()).collect()
}

/// The configuration's ARN that the behaviors should carry, when known.
fn target_arn(distribution_id: &str, wanted: &Wanted, found: &Found) -> Option<String> {
    match (&wanted.realtime_log_config_arn, &found.log_config) {
        (Some(arn), _) => Some(arn.clone()),
        (None, Some(config)) if config.name == cutover_name(distribution_id) => Some(config.arn.clone()),
        _ => None,
    }
}

/// Whether the configured ARN is someone else's (adopted) rather than cutover's own.
pub fn adopts(distribution_id: &str, wanted: &Wanted) -> bool {
    wanted.realtime_log_config_arn.as_deref().is_some_and(|arn| !is_cutovers_config(arn, distribution_id))
}

/// Which behaviors `arn` is on, and which of `paths` carry another configuration.
fn behaviors_to_attach(
    found: &Found,
    paths: &[String],
    arn: Option<&str>,
    distribution_id: &str,
    plan: &mut Plan,
) -> Vec<String> {
    let mut to_attach = Vec::new();
    for path in paths {
        match found.behaviors.iter().find(|b| &b.path == path) {
            None => plan.refused.push(format!(
                "the distribution has no behavior with path pattern {path}; its patterns are {}",
                found.behaviors.iter().map(|b| b.path.as_str()).collect::<Vec<_>>().join(", ")
            )),
            Some(FoundBehavior { realtime_log_config_arn: Some(on), .. }) if Some(on.as_str()) == arn => {
                plan.notes.push(format!("{path} already logs to it"));
            }
            Some(FoundBehavior { realtime_log_config_arn: Some(on), .. })
                if arn.is_none() && is_cutovers_config(on, distribution_id) =>
            {
                plan.notes.push(format!("{path} already logs to it"));
            }
            Some(FoundBehavior { realtime_log_config_arn: Some(other), .. }) => plan.refused.push(format!(
                "{path} already logs to another real-time log configuration ({other}) and a behavior has one; name that one as realtime_log_config_arn in [distribution.edge_logs] to adopt it, or leave {path} out (--route)"
            )),
            Some(_) if !to_attach.contains(path) => to_attach.push(path.clone()),
            Some(_) => {}
        }
    }
    to_attach
}

// Long: one pass per piece (stream, role, configuration, behaviors), in install order, each
// saying why; split up, the passes would only hand the plan around.
/// The steps that install edge logs on `wanted.behaviors`.
pub fn plan_install(distribution_id: &str, wanted: &Wanted, found: &Found) -> Plan {
    let mut plan = Plan::default();
    let name = cutover_name(distribution_id);
    if wanted.behaviors.is_empty() {
        plan.refused.push(
            "no behavior to log: the config names no switchable route on this distribution; choose some with --route PATTERN"
                .to_string(),
        );
    }
    if let Some(notes) = adopted_notes(distribution_id, wanted, found, &mut plan) {
        plan.notes.extend(notes);
        let arn = wanted.realtime_log_config_arn.clone();
        let to_attach = behaviors_to_attach(found, &wanted.behaviors, arn.as_deref(), distribution_id, &mut plan);
        if !to_attach.is_empty() {
            plan.steps.push(Step::Attach { paths: to_attach });
        }
        return plan;
    }

    // The stream.
    let Some(stream_name) = stream_name_of(&wanted.stream_arn) else {
        plan.refused.push(format!("stream_arn {} is not a Kinesis stream ARN", wanted.stream_arn));
        return plan;
    };
    match &found.stream {
        None if is_cutovers_stream(stream_name) => plan.steps.push(Step::CreateStream { name: stream_name.into() }),
        None => plan.refused.push(format!(
            "the stream {} does not exist, and cutover creates (and removes) only streams named cutover-…; create it yourself, or set stream_arn to a stream named {}",
            wanted.stream_arn,
            stream_name_of_default(distribution_id, &wanted.stream_arn)
        )),
        Some(stream) if stream.status == "CREATING" || stream.status == "UPDATING" => {
            plan.steps.push(Step::WaitForStream { name: stream_name.into() })
        }
        Some(stream) if stream.status == "DELETING" => plan.refused.push(format!(
            "the stream {stream_name} is being deleted; wait until it is gone and run install again"
        )),
        Some(_) => plan.notes.push(format!("the stream {stream_name} exists")),
    }

    // The role and its policy (made again under the same name when someone deleted it, which
    // mends a configuration that names it).
    match &found.role {
        None => {
            plan.steps.push(Step::CreateRole { name: name.clone() });
            plan.steps.push(Step::PutRolePolicy { role: name.clone(), stream_arn: wanted.stream_arn.clone() });
        }
        Some(role) if !role.has_policy => {
            plan.steps.push(Step::PutRolePolicy { role: name.clone(), stream_arn: wanted.stream_arn.clone() })
        }
        _ => {}
    }

    // The configuration.
    match &found.log_config {
        None => plan.steps.push(Step::CreateLogConfig {
            name: name.clone(),
            fields: wanted.fields.clone(),
            sampling_percent: wanted.sampling_percent,
        }),
        Some(config) => {
            plan.notes.push(format!("the real-time log configuration {} exists", config.name));
            plan.notes.extend(drift(config, wanted));
        }
    }

    // The behaviors.
    let arn = target_arn(distribution_id, wanted, found);
    let to_attach = behaviors_to_attach(found, &wanted.behaviors, arn.as_deref(), distribution_id, &mut plan);
    if !to_attach.is_empty() {
        plan.steps.push(Step::Attach { paths: to_attach });
    }
    plan
}

/// The name to suggest for a stream that cutover would create, in the ARN's region and account.
fn stream_name_of_default(distribution_id: &str, arn: &str) -> String {
    let prefix = arn.rsplit_once('/').map_or(arn, |(p, _)| p);
    format!("{prefix}/{}", stream_name(distribution_id))
}

/// For an adopted configuration: what it lacks, said as notes, or refusals when it cannot be used.
/// `None` when the configuration is not adopted.
fn adopted_notes(distribution_id: &str, wanted: &Wanted, found: &Found, plan: &mut Plan) -> Option<Vec<String>> {
    if !adopts(distribution_id, wanted) {
        return None;
    }
    let arn = wanted.realtime_log_config_arn.as_deref().unwrap_or_default();
    let Some(config) = &found.log_config else {
        plan.refused.push(format!(
            "the real-time log configuration {arn} (realtime_log_config_arn) does not exist; correct it, or remove it to let cutover make its own"
        ));
        return Some(Vec::new());
    };
    let mut notes = vec![format!(
        "adopting the real-time log configuration {} ({} % of requests): cutover puts it on behaviors, never changes or deletes it",
        config.name, config.sampling_rate
    )];
    let missing = missing_fields(&config.fields);
    if missing.is_empty() {
        notes.push("it has every field cutover reads".to_string());
    } else {
        notes.push(format!(
            "it lacks {} of the fields cutover reads: {}; the numbers that need them stay unknown until they are added",
            missing.len(),
            missing.join(", ")
        ));
    }
    if config.stream_arn.as_deref() != Some(wanted.stream_arn.as_str()) {
        plan.refused.push(format!(
            "the adopted configuration writes to {} but stream_arn is {}; set stream_arn to the stream it writes to",
            config.stream_arn.as_deref().unwrap_or("no Kinesis stream"),
            wanted.stream_arn
        ));
    }
    Some(notes)
}

/// How cutover's existing configuration differs from the config: notes, since install never
/// changes a configuration (remove and install again to remake it).
fn drift(config: &FoundLogConfig, wanted: &Wanted) -> Vec<String> {
    let mut notes = Vec::new();
    let remake = "`cutover edge-logs remove --yes` then `install --yes` remakes it";
    if config.fields != wanted.fields {
        notes.push(format!(
            "its fields ({}) differ from the config's ({}); {remake}",
            config.fields.join(", "),
            wanted.fields.join(", ")
        ));
    }
    if config.sampling_rate != wanted.sampling_percent {
        notes.push(format!(
            "it samples {} % of requests, the config asks {} %; {remake}",
            config.sampling_rate, wanted.sampling_percent
        ));
    }
    if config.stream_arn.as_deref() != Some(wanted.stream_arn.as_str()) {
        notes.push(format!(
            "it writes to {} but stream_arn is {}; {remake}",
            config.stream_arn.as_deref().unwrap_or("no Kinesis stream"),
            wanted.stream_arn
        ));
    }
    notes
}

/// The steps that remove what install made: cutover's configuration off every behavior that
/// carries it (or off `chosen` only), and an adopted one off the `chosen` behaviors only; then,
/// when nothing carries it any more, cutover's configuration, role and stream (a stream not named
/// `cutover-…` is never deleted).
pub fn plan_remove(distribution_id: &str, wanted: &Wanted, found: &Found, chosen: Option<&[String]>) -> Plan {
    let mut plan = Plan::default();
    let adopted = adopts(distribution_id, wanted);
    let ours = |arn: &str| match adopted {
        true => wanted.realtime_log_config_arn.as_deref() == Some(arn),
        false => is_cutovers_config(arn, distribution_id),
    };
    if adopted && chosen.is_none() {
        plan.notes.push(
            "the configuration is adopted: remove takes it off only the behaviors named with --route, and deletes nothing"
                .to_string(),
        );
    }
    let carrying: Vec<&FoundBehavior> =
        found.behaviors.iter().filter(|b| b.realtime_log_config_arn.as_deref().is_some_and(ours)).collect();
    let detach: Vec<String> = match chosen {
        Some(paths) => carrying.iter().filter(|b| paths.contains(&b.path)).map(|b| b.path.clone()).collect(),
        None if adopted => Vec::new(),
        None => carrying.iter().map(|b| b.path.clone()).collect(),
    };
    if let Some(paths) = chosen {
        for path in paths.iter().filter(|p| !detach.contains(p)) {
            plan.notes.push(format!("{path} does not log to it"));
        }
    }
    let still_carried = carrying.len() > detach.len();
    if !detach.is_empty() {
        plan.steps.push(Step::Detach { paths: detach });
    }
    if adopted {
        return plan;
    }
    if still_carried {
        plan.notes
            .push("other behaviors still log to cutover's configuration: it, the role and the stream stay".to_string());
        return plan;
    }
    let name = cutover_name(distribution_id);
    if let Some(config) = found.log_config.as_ref().filter(|c| c.name == name) {
        plan.steps.push(Step::DeleteLogConfig { name: config.name.clone() });
    }
    if let Some(role) = &found.role {
        plan.steps.push(Step::DeleteRole { name: name.clone(), has_policy: role.has_policy });
    }
    match (found.stream.as_ref(), stream_name_of(&wanted.stream_arn)) {
        (Some(_), Some(stream)) if is_cutovers_stream(stream) => {
            plan.steps.push(Step::DeleteStream { name: stream.into() })
        }
        (Some(_), Some(stream)) => {
            plan.notes.push(format!("the stream {stream} is not cutover's (not named cutover-…): it stays"))
        }
        _ => {}
    }
    plan
}

/// What `status` says: lines, problems, and whether every chosen behavior logs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub lines: Vec<String>,
    pub problems: Vec<String>,
    /// Every chosen behavior carries the configuration, and the stream is active.
    pub complete: bool,
    /// The behaviors that log to the configuration in use.
    pub logging: Vec<String>,
}

// Long: one paragraph per piece, in the order install makes them.
/// What exists and which behaviors log, in words.
pub fn status(distribution_id: &str, wanted: &Wanted, found: &Found) -> Status {
    let mut status = Status::default();
    let stream = stream_name_of(&wanted.stream_arn).unwrap_or(&wanted.stream_arn);
    match &found.stream {
        Some(s) => {
            let shards = s.open_shards.map_or("unknown".to_string(), |n| n.to_string());
            let mode = s.mode.as_deref().unwrap_or("capacity mode unknown");
            status.lines.push(format!("stream {stream}: {}, {mode}, {shards} open shard(s)", s.status));
            if s.status != "ACTIVE" {
                status.problems.push(format!("the stream {stream} is {}, not ACTIVE", s.status));
            }
        }
        None => status.problems.push(format!("the stream {stream} does not exist")),
    }
    let adopted = adopts(distribution_id, wanted);
    if !adopted {
        let name = cutover_name(distribution_id);
        match &found.role {
            Some(role) if role.has_policy => status.lines.push(format!("role {name}: {} with {POLICY_NAME}", role.arn)),
            Some(role) => {
                status.lines.push(format!("role {name}: {}", role.arn));
                status.problems.push(format!("the role {name} lacks its policy {POLICY_NAME}"));
            }
            None => status.problems.push(format!("the role {name} does not exist")),
        }
    }
    let arn = target_arn(distribution_id, wanted, found);
    match &found.log_config {
        Some(config) => {
            let how = if adopted { "adopted" } else { "cutover's" };
            status.lines.push(format!(
                "real-time log configuration {} ({how}): {} % of requests, fields {}",
                config.name,
                config.sampling_rate,
                config.fields.join(", ")
            ));
            let missing = missing_fields(&config.fields);
            if !missing.is_empty() {
                status.problems.push(format!("the configuration lacks fields cutover reads: {}", missing.join(", ")));
            }
        }
        None => status.problems.push("no real-time log configuration".to_string()),
    }
    for behavior in &found.behaviors {
        let logs = arn.is_some() && behavior.realtime_log_config_arn == arn;
        match (&behavior.realtime_log_config_arn, logs) {
            (_, true) => {
                status.logging.push(behavior.path.clone());
                status.lines.push(format!("{}: logs", behavior.path));
            }
            (Some(other), false) => {
                status.lines.push(format!("{}: logs to another configuration ({other})", behavior.path))
            }
            (None, false) => status.lines.push(format!("{}: does not log", behavior.path)),
        }
    }
    for path in wanted.behaviors.iter().filter(|p| !status.logging.contains(p)) {
        status.problems.push(format!("{path} does not log to the configuration"));
    }
    if let Some(deploying) = &found.deploying {
        status.lines.push(format!(
            "the distribution is {deploying}: its latest change is not yet at every edge (the usual minutes)"
        ));
    }
    status.complete = status.problems.is_empty();
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "E1";
    const STREAM: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/cutover-edge-E1";
    const OURS: &str = "arn:aws:cloudfront::123456789012:realtime-log-config/cutover-edge-E1";
    const THEIRS: &str = "arn:aws:cloudfront::123456789012:realtime-log-config/team";

    fn fields() -> Vec<String> {
        crate::domain::edge_log::Field::READ.iter().map(|f| f.name().to_string()).collect()
    }

    fn wanted(behaviors: &[&str]) -> Wanted {
        Wanted {
            stream_arn: STREAM.into(),
            realtime_log_config_arn: None,
            fields: fields(),
            sampling_percent: 100,
            behaviors: behaviors.iter().map(|b| b.to_string()).collect(),
        }
    }

    fn behaviors(on: &[(&str, Option<&str>)]) -> Vec<FoundBehavior> {
        on.iter()
            .map(|(p, arn)| FoundBehavior { path: p.to_string(), realtime_log_config_arn: arn.map(String::from) })
            .collect()
    }

    fn bare() -> Found {
        Found { behaviors: behaviors(&[("/api/*", None), ("/static/*", None), ("*", None)]), ..Found::default() }
    }

    fn stream() -> FoundStream {
        FoundStream {
            arn: STREAM.into(),
            status: "ACTIVE".into(),
            mode: Some("ON_DEMAND".into()),
            open_shards: Some(4),
        }
    }

    fn ours(fields: Vec<String>) -> FoundLogConfig {
        FoundLogConfig {
            arn: OURS.into(),
            name: "cutover-edge-E1".into(),
            fields,
            sampling_rate: 100,
            stream_arn: Some(STREAM.into()),
            role_arn: Some("arn:aws:iam::123456789012:role/cutover-edge-E1".into()),
        }
    }

    fn installed() -> Found {
        Found {
            stream: Some(stream()),
            role: Some(FoundRole { arn: "arn:aws:iam::123456789012:role/cutover-edge-E1".into(), has_policy: true }),
            log_config: Some(ours(fields())),
            behaviors: behaviors(&[("/api/*", Some(OURS)), ("/static/*", None), ("*", Some(OURS))]),
            deploying: None,
        }
    }

    #[test]
    fn nothing_there_plans_every_piece_in_order() {
        let plan = plan_install(ID, &wanted(&["/api/*", "*"]), &bare());
        let kinds: Vec<&str> = plan.steps.iter().map(Step::kind).collect();
        assert_eq!(
            kinds,
            ["create_stream", "create_role", "put_role_policy", "create_realtime_log_config", "attach"],
            "{plan:?}"
        );
        assert_eq!(plan.steps[0], Step::CreateStream { name: "cutover-edge-E1".into() });
        assert_eq!(plan.steps[4].paths(), ["/api/*", "*"]);
        assert!(plan.refused.is_empty(), "{plan:?}");
        let Step::CreateLogConfig { fields, sampling_percent, .. } = &plan.steps[3] else { panic!() };
        assert_eq!((fields.len(), *sampling_percent), (6, 100));
    }

    #[test]
    fn half_installed_carries_on_where_it_stopped() {
        let mut found = bare();
        found.stream = Some(FoundStream { status: "CREATING".into(), ..stream() });
        found.role = Some(FoundRole { arn: "arn:role".into(), has_policy: false });
        let plan = plan_install(ID, &wanted(&["/api/*"]), &found);
        let kinds: Vec<&str> = plan.steps.iter().map(Step::kind).collect();
        assert_eq!(kinds, ["wait_for_stream", "put_role_policy", "create_realtime_log_config", "attach"]);

        let mut found = installed();
        found.behaviors = behaviors(&[("/api/*", Some(OURS)), ("/static/*", None), ("*", None)]);
        let plan = plan_install(ID, &wanted(&["/api/*", "*"]), &found);
        assert_eq!(plan.steps, [Step::Attach { paths: vec!["*".into()] }]);
        assert!(plan.notes.iter().any(|n| n == "/api/* already logs to it"), "{plan:?}");

        let plan = plan_install(ID, &wanted(&["/api/*", "*"]), &installed());
        assert!(plan.is_noop(), "{plan:?}");

        let mut found = installed();
        found.role = None;
        let kinds: Vec<&str> = plan_install(ID, &wanted(&["/api/*"]), &found).steps.iter().map(Step::kind).collect();
        assert_eq!(kinds, ["create_role", "put_role_policy"], "a deleted role is made again");
    }

    #[test]
    fn drift_is_said_never_changed() {
        let mut found = installed();
        found.log_config = Some(FoundLogConfig { sampling_rate: 10, ..ours(vec!["timestamp".into()]) });
        let plan = plan_install(ID, &wanted(&["/api/*"]), &found);
        assert!(plan.is_noop());
        assert!(plan.notes.iter().any(|n| n.contains("samples 10 %")), "{plan:?}");
        assert!(plan.notes.iter().any(|n| n.contains("its fields (timestamp) differ")), "{plan:?}");
    }

    #[test]
    fn an_adopted_configuration_is_read_and_put_on_behaviors_only() {
        let mut want = wanted(&["/api/*", "*"]);
        want.realtime_log_config_arn = Some(THEIRS.into());
        let mut found = bare();
        found.stream = Some(stream());
        found.log_config = Some(FoundLogConfig {
            arn: THEIRS.into(),
            name: "team".into(),
            fields: vec!["timestamp".into(), "sc-status".into(), "c-ip".into()],
            sampling_rate: 5,
            stream_arn: Some(STREAM.into()),
            role_arn: None,
        });
        found.behaviors = behaviors(&[("/api/*", Some(THEIRS)), ("/static/*", None), ("*", None)]);
        let plan = plan_install(ID, &want, &found);
        assert_eq!(plan.steps, [Step::Attach { paths: vec!["*".into()] }], "{plan:?}");
        assert!(
            plan.notes.iter().any(|n| n.contains(
                "lacks 4 of the fields cutover reads: time-taken, x-edge-location, x-edge-detailed-result-type, cache-behavior-path-pattern"
            )),
            "{plan:?}"
        );

        let mut elsewhere = found.clone();
        elsewhere.log_config.as_mut().unwrap().stream_arn = Some("arn:other".into());
        assert!(plan_install(ID, &want, &elsewhere).refused[0].contains("writes to arn:other"));
        let mut gone = found.clone();
        gone.log_config = None;
        assert!(plan_install(ID, &want, &gone).refused[0].contains("does not exist"));

        // Remove deletes nothing adopted, and detaches only the named behaviors.
        let plan = plan_remove(ID, &want, &found, None);
        assert!(plan.steps.is_empty(), "{plan:?}");
        let plan = plan_remove(ID, &want, &found, Some(&["/api/*".to_string()]));
        assert_eq!(plan.steps, [Step::Detach { paths: vec!["/api/*".into()] }]);
    }

    #[test]
    fn a_behavior_with_another_configuration_refuses_the_plan() {
        let mut found = bare();
        found.behaviors = behaviors(&[("/api/*", Some(THEIRS)), ("*", None)]);
        let plan = plan_install(ID, &wanted(&["/api/*"]), &found);
        assert!(plan.refused[0].contains("/api/* already logs to another"), "{plan:?}");
        let plan = plan_install(ID, &wanted(&["/nope/*"]), &found);
        assert!(plan.refused[0].contains("no behavior with path pattern /nope/*"), "{plan:?}");
        assert!(!plan_install(ID, &wanted(&[]), &found).refused.is_empty());
    }

    #[test]
    fn a_missing_stream_not_named_cutover_is_not_created() {
        let mut want = wanted(&["*"]);
        want.stream_arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/team-logs".into();
        let plan = plan_install(ID, &want, &bare());
        assert!(plan.refused[0].contains("cutover creates (and removes) only streams named cutover-"), "{plan:?}");
        assert!(plan.refused[0].contains("stream/cutover-edge-E1"), "{plan:?}");
    }

    #[test]
    fn remove_undoes_only_what_cutover_made() {
        let want = wanted(&["/api/*"]);
        let mut found = installed();
        found.behaviors.push(FoundBehavior { path: "/team/*".into(), realtime_log_config_arn: Some(THEIRS.into()) });
        let plan = plan_remove(ID, &want, &found, None);
        let kinds: Vec<&str> = plan.steps.iter().map(Step::kind).collect();
        assert_eq!(kinds, ["detach", "delete_realtime_log_config", "delete_role", "delete_stream"]);
        assert_eq!(plan.steps[0].paths(), ["/api/*", "*"], "never /team/*, which is not cutover's");

        // Part of the behaviors only: the rest keep logging, so nothing is deleted.
        let plan = plan_remove(ID, &want, &found, Some(&["*".to_string()]));
        assert_eq!(plan.steps, [Step::Detach { paths: vec!["*".into()] }]);

        // A stream not named cutover-… stays.
        let mut want = want.clone();
        want.stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/team-logs".into();
        let plan = plan_remove(ID, &want, &found, None);
        assert!(!plan.steps.iter().any(|s| s.kind() == "delete_stream"), "{plan:?}");
        assert!(plan.notes.iter().any(|n| n.contains("team-logs is not cutover's")));

        // Nothing there: nothing to do.
        assert!(plan_remove(ID, &wanted(&[]), &bare(), None).is_noop());
    }

    #[test]
    fn status_says_what_logs_and_what_is_missing() {
        let s = status(ID, &wanted(&["/api/*", "*"]), &installed());
        assert!(s.complete, "{s:?}");
        assert_eq!(s.logging, ["/api/*", "*"]);
        assert!(s.lines.iter().any(|l| l == "stream cutover-edge-E1: ACTIVE, ON_DEMAND, 4 open shard(s)"), "{s:?}");
        let s = status(ID, &wanted(&["/static/*"]), &installed());
        assert!(!s.complete);
        assert_eq!(s.problems, ["/static/* does not log to the configuration"]);
        assert!(!status(ID, &wanted(&["*"]), &bare()).complete);
    }

    #[test]
    fn stream_arns_are_read_strictly() {
        assert_eq!(stream_name_of(STREAM), Some("cutover-edge-E1"));
        assert_eq!(stream_region_of(STREAM), Some("us-east-1"));
        for bad in ["", "arn:aws:kinesis:us-east-1:1234:stream/x", "arn:aws:sqs:us-east-1:123456789012:stream/x"] {
            assert_eq!(stream_name_of(bad), None, "{bad}");
        }
        assert_eq!(stream_name_of("arn:aws:kinesis:us-east-1:123456789012:stream/a b"), None);
    }
}
