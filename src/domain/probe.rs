//! Probes through the distribution: what one probe asks for, what came back, who served it and the
//! evidence for saying so, and what a run of answers says together (`edge 12/12 ◼ origin · 3 POPs`).
//!
//! Pure: sending the request is `backend::probe` (live) and `backend::sim` (the demo). Both hand
//! what they heard to [`ProbeAnswer::heard`], so an answer is classified the same way whoever got it.
//!
//! What a response can say about who served it (DESIGN.md §4 "Who answered"):
//! - `x-amz-apigw-id`: API Gateway REST API (clients cannot set it);
//! - `apigw-requestid`: API Gateway HTTP API;
//! - `x-amzn-requestid` together with `x-amzn-trace-id` and neither of the above: a Lambda function
//!   URL, which answers with exactly those two of AWS's headers;
//! - a marker header and value the config names per side (`x-served-by: monolith`): certainty, and
//!   it wins over everything else;
//! - none of these: the origin, because nothing names an ALB or an EC2 instance. That is a guess
//!   by elimination, and the evidence says so.
//!
//! What no header can say: a cache hit (`X-Cache: Hit from cloudfront`) never reached a backend,
//! so its headers are those of whoever answered when it was cached; such answers are counted
//! apart. A response CloudFront made itself (`Error from cloudfront` without any backend's header,
//! an edge function's generated response) is served by neither side that cutover can name.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use jiff::Timestamp;

use super::route::Target;

/// `GET` or `HEAD`: probes never change anything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProbeMethod {
    #[default]
    Get,
    Head,
}

impl ProbeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeMethod::Get => "GET",
            ProbeMethod::Head => "HEAD",
        }
    }

    /// `GET` or `HEAD`, in any case; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "GET" => Some(ProbeMethod::Get),
            "HEAD" => Some(ProbeMethod::Head),
            _ => None,
        }
    }
}

impl fmt::Display for ProbeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A header and value that one side adds to its responses and the other never does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Marker {
    /// The header's name; compared without regard to case, as HTTP does.
    pub header: String,
    /// The value; compared after trimming, without regard to ASCII case.
    pub value: String,
}

impl Marker {
    pub fn new(header: impl Into<String>, value: impl Into<String>) -> Self {
        Marker { header: header.into(), value: value.into() }
    }

    fn found_in(&self, headers: &ResponseHeaders) -> bool {
        headers.all(&self.header).any(|v| v.trim().eq_ignore_ascii_case(self.value.trim()))
    }
}

/// The markers a distribution's config names, per side; either may be missing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Markers {
    pub lambda: Option<Marker>,
    pub origin: Option<Marker>,
}

impl Markers {
    pub fn of(&self, target: Target) -> Option<&Marker> {
        match target {
            Target::Lambda => self.lambda.as_ref(),
            Target::Origin => self.origin.as_ref(),
        }
    }
}

/// One probe of one route: where to send it and what answer is expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeSpec {
    /// The route (cache behavior path pattern) the probe is for, such as `/orders/*`.
    pub route: String,
    /// The path requested, such as `/orders/health`: starts with `/`.
    pub path: String,
    pub method: ProbeMethod,
    /// The status a healthy answer has.
    pub expect_status: u16,
    /// Extra request headers from the config.
    pub headers: Vec<(String, String)>,
    /// Where the request goes: `https://` and the host, or a test's `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The `Host` header: the distribution's alias or its `*.cloudfront.net` name.
    pub host: String,
    /// The distribution's marker headers, if any.
    pub markers: Markers,
}

impl ProbeSpec {
    /// The whole URL: the base without its trailing `/`, then the path as it goes on the request
    /// line ([`request_target`]).
    pub fn url(&self) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), request_target(&self.path))
    }
}

/// `path` as it goes on the request line: every byte that RFC 3986 does not allow there raw
/// (non-ASCII, so bidi controls too, spaces, controls, `"<>\\^`{|}` and `#`) percent-encoded from
/// its UTF-8, and what is already an escape (`%2F`) or allowed (`/a;b=c?x=1&y`) left as written. A
/// path never reaches a server or a log as characters it could show another way.
pub fn request_target(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape_already = b == b'%' && bytes.len() > i + 2 && bytes[i + 1..i + 3].iter().all(u8::is_ascii_hexdigit);
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) || escape_already {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Request headers a probe may not set, named in lower case: the transport's own, `host` (the
/// probe's `host` key sets it), and AWS credentials (probes carry none).
pub const RESERVED_PROBE_HEADERS: [&str; 6] =
    ["host", "connection", "content-length", "transfer-encoding", "x-amz-security-token", "x-amz-date"];

/// Why a probe may not send the request header `name: value`, as what to do instead; `None` when
/// it may. Names are compared without regard to case, as HTTP does (`Authorization`,
/// `authorization` and `AUTHORIZATION` are one header), and so is an AWS signature's scheme.
pub fn refused_header(name: &str, value: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    let scheme = value.trim_start().get(..5).map(str::to_ascii_uppercase);
    let aws_signature = lower == "authorization" && scheme.as_deref() == Some("AWS4-");
    if !RESERVED_PROBE_HEADERS.contains(&lower.as_str()) && !aws_signature {
        return None;
    }
    Some(match lower.as_str() {
        "host" => "remove it and set host = \"...\" in the probe table instead",
        "authorization" | "x-amz-security-token" | "x-amz-date" => {
            "remove it: probes carry no AWS credentials, so probe a path that needs none"
        }
        _ => "remove it: the HTTP client sets it",
    })
}

/// A response's headers, names lowercased, in the order they came. Values that are not UTF-8 are
/// kept lossily: they are shown, never trusted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseHeaders(Vec<(String, String)>);

impl ResponseHeaders {
    pub fn new<N: AsRef<str>, V: Into<String>>(headers: impl IntoIterator<Item = (N, V)>) -> Self {
        ResponseHeaders(headers.into_iter().map(|(n, v)| (n.as_ref().to_ascii_lowercase(), v.into())).collect())
    }

    /// The first value of `name`, in any case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in any case.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The response header API Gateway REST APIs add; clients cannot set it.
pub const REST_API_HEADER: &str = "x-amz-apigw-id";
/// The response header API Gateway HTTP APIs add.
pub const HTTP_API_HEADER: &str = "apigw-requestid";
/// AWS's request id, on REST APIs and Lambda function URLs.
pub const AMZN_REQUEST_ID: &str = "x-amzn-requestid";
/// X-Ray's trace id, which a Lambda function URL returns beside its request id.
pub const AMZN_TRACE_ID: &str = "x-amzn-trace-id";
/// The CloudFront edge that answered, such as `IAD89-C1`.
pub const POP_HEADER: &str = "x-amz-cf-pop";
/// Whether CloudFront's cache answered: `Hit from cloudfront`, `Miss from cloudfront`, ...
pub const CACHE_HEADER: &str = "x-cache";

/// Why an answer is put on one side.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// The config's marker for this side was in the response: certain.
    Marker(Marker),
    /// `x-amz-apigw-id`: an API Gateway REST API.
    RestApi,
    /// `apigw-requestid`: an API Gateway HTTP API.
    HttpApi,
    /// `x-amzn-requestid` and `x-amzn-trace-id`, no API Gateway header: a Lambda function URL.
    FunctionUrl,
    /// No API Gateway or function URL header, so not Lambda as far as headers tell.
    NoApiGatewayHeader,
}

impl Evidence {
    /// Only a configured marker is proof; the rest is what AWS's headers suggest.
    pub fn certain(&self) -> bool {
        matches!(self, Evidence::Marker(_))
    }

    /// A short key for JSON: `marker`, `rest_api`, `http_api`, `function_url`, `no_api_gateway_header`.
    pub fn key(&self) -> &'static str {
        match self {
            Evidence::Marker(_) => "marker",
            Evidence::RestApi => "rest_api",
            Evidence::HttpApi => "http_api",
            Evidence::FunctionUrl => "function_url",
            Evidence::NoApiGatewayHeader => "no_api_gateway_header",
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Marker(m) => write!(f, "marker {}: {}", m.header, m.value),
            Evidence::RestApi => write!(f, "{REST_API_HEADER}: REST API"),
            Evidence::HttpApi => write!(f, "{HTTP_API_HEADER}: HTTP API"),
            Evidence::FunctionUrl => write!(f, "{AMZN_REQUEST_ID} and {AMZN_TRACE_ID}: function URL"),
            Evidence::NoApiGatewayHeader => f.write_str("no API Gateway header"),
        }
    }
}

/// Who served an answer, and why cutover thinks so.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServedBy {
    Lambda(Evidence),
    Origin(Evidence),
    /// Nobody cutover can name: no answer, or an answer CloudFront made itself.
    Unknown,
}

impl ServedBy {
    pub fn target(&self) -> Option<Target> {
        match self {
            ServedBy::Lambda(_) => Some(Target::Lambda),
            ServedBy::Origin(_) => Some(Target::Origin),
            ServedBy::Unknown => None,
        }
    }

    pub fn evidence(&self) -> Option<&Evidence> {
        match self {
            ServedBy::Lambda(e) | ServedBy::Origin(e) => Some(e),
            ServedBy::Unknown => None,
        }
    }
}

impl fmt::Display for ServedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServedBy::Lambda(e) => write!(f, "{} ({e})", Target::Lambda),
            ServedBy::Origin(e) => write!(f, "{} ({e})", Target::Origin),
            ServedBy::Unknown => f.write_str("? unknown"),
        }
    }
}

/// Who served a response with `status` (none: nothing came back) and `headers`.
///
/// A configured marker wins over everything. Then a response CloudFront generated at the edge
/// names nobody; then the API Gateway and function URL headers name Lambda; then an error CloudFront
/// reports without any backend's header names nobody (it may be CloudFront's own 502); anything
/// else is the origin, by elimination.
pub fn classify(status: Option<u16>, headers: &ResponseHeaders, markers: &Markers) -> ServedBy {
    if status.is_none() {
        return ServedBy::Unknown;
    }
    let lambda_marker = markers.lambda.as_ref().filter(|m| m.found_in(headers));
    let origin_marker = markers.origin.as_ref().filter(|m| m.found_in(headers));
    match (lambda_marker, origin_marker) {
        (Some(m), None) => return ServedBy::Lambda(Evidence::Marker(m.clone())),
        (None, Some(m)) => return ServedBy::Origin(Evidence::Marker(m.clone())),
        // Both sides' markers at once: the response contradicts the config.
        (Some(_), Some(_)) => return ServedBy::Unknown,
        (None, None) => {}
    }
    let cache = headers.get(CACHE_HEADER).unwrap_or_default().trim().to_ascii_lowercase();
    if cache.starts_with("functiongeneratedresponse") || cache.starts_with("lambdageneratedresponse") {
        return ServedBy::Unknown;
    }
    if headers.has(REST_API_HEADER) {
        return ServedBy::Lambda(Evidence::RestApi);
    }
    if headers.has(HTTP_API_HEADER) {
        return ServedBy::Lambda(Evidence::HttpApi);
    }
    if headers.has(AMZN_REQUEST_ID) && headers.has(AMZN_TRACE_ID) {
        return ServedBy::Lambda(Evidence::FunctionUrl);
    }
    if cache.starts_with("error") {
        return ServedBy::Unknown;
    }
    ServedBy::Origin(Evidence::NoApiGatewayHeader)
}

/// Why a probe got no answer; [`ProbeFailure::describe`] is the finding's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeFailure {
    /// Nothing came back within the probe's timeout.
    Timeout(Duration),
    /// The connection was refused.
    Refused,
    /// The host name could not be resolved.
    Dns(String),
    /// TLS could not be set up (certificate, protocol).
    Tls(String),
    /// Any other failure to connect or to read the response.
    Connect(String),
    /// Not sent: the distribution's hard cap of probes per minute was reached.
    RateCapped { max_per_minute: u32 },
    /// Not sent: the request could not be built from the spec (a bad URL or header).
    BadRequest(String),
}

impl ProbeFailure {
    pub fn describe(&self) -> String {
        match self {
            ProbeFailure::Timeout(after) => format!("no answer within {}", seconds(*after)),
            ProbeFailure::Refused => "connection refused".to_string(),
            ProbeFailure::Dns(why) => format!("cannot resolve the host: {why}"),
            ProbeFailure::Tls(why) => format!("TLS failed: {why}"),
            ProbeFailure::Connect(why) => format!("cannot connect: {why}"),
            ProbeFailure::RateCapped { max_per_minute } => {
                format!("not sent: the cap of {max_per_minute} probes a minute for this distribution is reached")
            }
            ProbeFailure::BadRequest(why) => format!("not sent: {why}"),
        }
    }
}

/// `3 s`, `1.5 s`, `250 ms`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The finding for an answer with another status than expected.
pub fn unexpected_status(status: u16, expected: u16) -> String {
    let what = match status {
        500..=599 => " (a server error)",
        400..=499 => " (a client error)",
        _ => "",
    };
    format!("status {status}{what}, expected {expected}")
}

/// The most characters of a header value an answer keeps: a POP is `IAD89-C1`, and a server that
/// sends a page in a header does not get it onto the screen.
pub const MAX_KEPT_CHARS: usize = 64;

fn kept(value: &str) -> String {
    value.trim().chars().take(MAX_KEPT_CHARS).collect()
}

/// What one probe found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeAnswer {
    /// When it was sent.
    pub at: Timestamp,
    /// The status, when an answer came back.
    pub status: Option<u16>,
    /// From sending to the response's headers (connection set-up included), or to giving up.
    pub latency: Duration,
    /// `X-Amz-Cf-Pop`: the CloudFront edge that answered.
    pub pop: Option<String>,
    /// `X-Cache`: `Miss from cloudfront`, `Hit from cloudfront`, ...
    pub x_cache: Option<String>,
    pub served_by: ServedBy,
    /// What is wrong with it, if anything: no answer (then `status` is `None`), or a status other
    /// than expected (then `status` is set).
    pub finding: Option<String>,
}

impl ProbeAnswer {
    /// A response heard for `spec`: classified, and a finding when its status is not the expected one.
    pub fn heard(at: Timestamp, latency: Duration, status: u16, headers: &ResponseHeaders, spec: &ProbeSpec) -> Self {
        ProbeAnswer {
            at,
            status: Some(status),
            latency,
            pop: headers.get(POP_HEADER).map(kept),
            x_cache: headers.get(CACHE_HEADER).map(kept),
            served_by: classify(Some(status), headers, &spec.markers),
            finding: (status != spec.expect_status).then(|| unexpected_status(status, spec.expect_status)),
        }
    }

    /// A probe that got no answer.
    pub fn failed(at: Timestamp, latency: Duration, failure: &ProbeFailure) -> Self {
        ProbeAnswer {
            at,
            status: None,
            latency,
            pop: None,
            x_cache: None,
            served_by: ServedBy::Unknown,
            finding: Some(failure.describe()),
        }
    }

    /// Whether CloudFront's cache answered (`Hit` or `RefreshHit`): then the headers are those of
    /// whoever answered when it was cached, and say nothing about the backend now.
    pub fn cache_hit(&self) -> bool {
        self.x_cache.as_deref().is_some_and(|c| {
            let c = c.trim().to_ascii_lowercase();
            c.starts_with("hit") || c.starts_with("refreshhit")
        })
    }

    /// An answer came back with the expected status.
    pub fn ok(&self) -> bool {
        self.status.is_some() && self.finding.is_none()
    }

    /// The side a backend answered from: `None` for cache hits, unanswered probes and answers
    /// nobody can be named for.
    pub fn side(&self) -> Option<Target> {
        if self.cache_hit() { None } else { self.served_by.target() }
    }
}

/// What a run of probes says together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeSummary {
    /// Probes in all.
    pub probes: usize,
    /// Answers a backend gave, by side (cache hits not counted).
    pub lambda: usize,
    pub origin: usize,
    /// Answers nobody can be named for (CloudFront's own, or contradicting markers).
    pub unknown: usize,
    /// Answers from CloudFront's cache, counted apart: they say nothing about the backend.
    pub cached: usize,
    /// Answers with another status than expected (also counted above by who served them).
    pub unexpected_status: usize,
    /// Probes that got no answer (timeout, refused, not sent).
    pub no_answer: usize,
    /// The distinct edges (`X-Amz-Cf-Pop`) that answered, sorted.
    pub pops: Vec<String>,
}

impl EdgeSummary {
    pub fn of(answers: &[ProbeAnswer]) -> Self {
        let mut summary = EdgeSummary { probes: answers.len(), ..Default::default() };
        let mut pops = BTreeSet::new();
        for answer in answers {
            if let Some(pop) = &answer.pop {
                pops.insert(pop.clone());
            }
            if answer.status.is_none() {
                summary.no_answer += 1;
                continue;
            }
            if answer.finding.is_some() {
                summary.unexpected_status += 1;
            }
            if answer.cache_hit() {
                summary.cached += 1;
                continue;
            }
            match answer.served_by.target() {
                Some(Target::Lambda) => summary.lambda += 1,
                Some(Target::Origin) => summary.origin += 1,
                None => summary.unknown += 1,
            }
        }
        summary.pops = pops.into_iter().collect();
        summary
    }

    /// The one side every backend answer came from, when there were some, all with the expected
    /// status, none unnamed and no probe unanswered. Cache hits neither help nor hurt.
    pub fn unanimous(&self) -> Option<Target> {
        if self.unknown > 0 || self.no_answer > 0 || self.unexpected_status > 0 {
            return None;
        }
        match (self.lambda, self.origin) {
            (0, 0) => None,
            (_, 0) => Some(Target::Lambda),
            (0, _) => Some(Target::Origin),
            _ => None,
        }
    }

    /// No probe got an answer at all.
    pub fn nothing_answered(&self) -> bool {
        self.probes > 0 && self.no_answer == self.probes
    }

    /// `edge 12/12 ◼ origin · 3 POPs`; mixed: `edge 7/12 λ Lambda, 5/12 ◼ origin · 2 POPs`; with
    /// `· 2 cached`, `· 1 unknown`, `· 1 unexpected status`, `· 3 no answer` when there are any.
    pub fn describe(&self) -> String {
        self.words(true)
    }

    /// [`describe`](Self::describe) for a narrow line: the sides by their symbols and no count of
    /// POPs, the findings (cached, unknown, unexpected status, no answer) all kept:
    /// `edge 4/18 λ, 14/18 ◼ · 1 unexpected status`.
    pub fn describe_short(&self) -> String {
        self.words(false)
    }

    /// Only what went wrong, when anything did: `edge: 1 unexpected status · 2 no answer`; the
    /// part of the summary a narrow title keeps longest.
    pub fn describe_findings(&self) -> Option<String> {
        let found: Vec<String> = [(self.unexpected_status, "unexpected status"), (self.no_answer, "no answer")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        (!found.is_empty()).then(|| format!("edge: {}", found.join(" · ")))
    }

    fn words(&self, long: bool) -> String {
        if self.probes == 0 {
            return "edge: no probe yet".to_string();
        }
        let total = self.probes;
        let sides: Vec<String> = [(Target::Lambda, self.lambda), (Target::Origin, self.origin)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| if long { format!("{n}/{total} {t}") } else { format!("{n}/{total} {}", t.symbol()) })
            .collect();
        let mut text = if sides.is_empty() { format!("edge 0/{total}") } else { format!("edge {}", sides.join(", ")) };
        match self.pops.len() {
            _ if !long => {}
            0 => {}
            1 => text.push_str(" · 1 POP"),
            n => text.push_str(&format!(" · {n} POPs")),
        }
        for (n, what) in [
            (self.cached, "cached"),
            (self.unknown, "unknown"),
            (self.unexpected_status, "unexpected status"),
            (self.no_answer, "no answer"),
        ] {
            if n > 0 {
                text.push_str(&format!(" · {n} {what}"));
            }
        }
        text
    }
}

/// The first answer of the unbroken run, at the end of `answers` (oldest first), of backend answers
/// from `target`: "every probe answered by ◼ origin since 21:52:10". Cache hits and unanswered
/// probes neither start nor break the run; an answer from the other side or from nobody breaks it.
pub fn all_on_since(answers: &[ProbeAnswer], target: Target) -> Option<Timestamp> {
    let mut since = None;
    for answer in answers {
        if answer.status.is_none() || answer.cache_hit() {
            continue;
        }
        if answer.served_by.target() == Some(target) {
            since.get_or_insert(answer.at);
        } else {
            since = None;
        }
    }
    since
}

/// How often probes go and for how long, from the config's `[probes]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeSettings {
    /// Between two probes of one route.
    pub every: Duration,
    /// How long a route is probed after a switch.
    pub follow_for: Duration,
    /// How long one probe waits for an answer.
    pub timeout: Duration,
    /// The hard cap of probes sent per minute for one distribution, all routes together.
    pub max_per_minute: u32,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            every: Duration::from_secs(5),
            follow_for: Duration::from_secs(180),
            timeout: Duration::from_secs(3),
            max_per_minute: 30,
        }
    }
}

impl ProbeSettings {
    /// How many probes one switch of one route sends: one at once, then one every `every` for
    /// `follow_for` (37 with the defaults).
    pub fn probes_per_switch(&self) -> u64 {
        let every = self.every.as_millis().max(1);
        (self.follow_for.as_millis() / every) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> ResponseHeaders {
        ResponseHeaders::new(pairs.iter().map(|(n, v)| (*n, v.to_string())))
    }

    fn served(pairs: &[(&str, &str)]) -> ServedBy {
        classify(Some(200), &headers(pairs), &Markers::default())
    }

    const CLOUDFRONT: [(&str, &str); 4] = [
        ("Via", "1.1 0a1b2c.cloudfront.net (CloudFront)"),
        ("X-Cache", "Miss from cloudfront"),
        ("X-Amz-Cf-Pop", "IAD89-C1"),
        ("X-Amz-Cf-Id", "abc=="),
    ];

    fn with_cloudfront(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        CLOUDFRONT.iter().chain(extra).copied().collect()
    }

    fn spec(markers: Markers) -> ProbeSpec {
        ProbeSpec {
            route: "/orders/*".into(),
            path: "/orders/health".into(),
            method: ProbeMethod::Get,
            expect_status: 200,
            headers: Vec::new(),
            base_url: "https://api.example.com/".into(),
            host: "api.example.com".into(),
            markers,
        }
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_768_516_200 + secs).unwrap()
    }

    #[test]
    fn each_aws_header_names_its_side() {
        let rest = with_cloudfront(&[("x-amz-apigw-id", "Ab1=="), ("x-amzn-RequestId", "r-1")]);
        assert_eq!(served(&rest), ServedBy::Lambda(Evidence::RestApi));
        assert_eq!(served(&with_cloudfront(&[("apigw-requestid", "Ab1=")])), ServedBy::Lambda(Evidence::HttpApi));
        let url = with_cloudfront(&[("x-amzn-RequestId", "r-2"), ("X-Amzn-Trace-Id", "root=1-abc")]);
        assert_eq!(served(&url), ServedBy::Lambda(Evidence::FunctionUrl));
        assert_eq!(served(&with_cloudfront(&[("Server", "nginx")])), ServedBy::Origin(Evidence::NoApiGatewayHeader));
        assert_eq!(served(&[]), ServedBy::Origin(Evidence::NoApiGatewayHeader), "no header at all: by elimination");
    }

    #[test]
    fn a_request_id_alone_is_not_a_function_url() {
        // The monolith may well send an x-amzn-requestid of its own (or pass one through).
        assert_eq!(served(&[("x-amzn-requestid", "r")]), ServedBy::Origin(Evidence::NoApiGatewayHeader));
        assert_eq!(served(&[("x-amzn-trace-id", "Root=1-x")]), ServedBy::Origin(Evidence::NoApiGatewayHeader));
    }

    #[test]
    fn header_names_are_matched_in_any_case() {
        for name in ["x-amz-apigw-id", "X-Amz-Apigw-Id", "X-AMZ-APIGW-ID"] {
            assert_eq!(served(&[(name, "v")]), ServedBy::Lambda(Evidence::RestApi), "{name}");
        }
        assert_eq!(served(&[("APIGW-REQUESTID", "v")]), ServedBy::Lambda(Evidence::HttpApi));
        assert_eq!(
            served(&[("X-AMZN-REQUESTID", "v"), ("x-amzn-trace-id", "t")]),
            ServedBy::Lambda(Evidence::FunctionUrl)
        );
        let h = headers(&[("X-Amz-Cf-Pop", "FRA56-P2"), ("x-cache", "Hit from cloudfront")]);
        assert_eq!(h.get("x-amz-cf-pop"), Some("FRA56-P2"));
        assert_eq!(h.get("X-CACHE"), Some("Hit from cloudfront"));
    }

    #[test]
    fn a_marker_wins_over_every_header() {
        let markers = Markers {
            lambda: Some(Marker::new("x-served-by", "lambda")),
            origin: Some(Marker::new("X-Served-By", "monolith")),
        };
        let classify = |pairs: &[(&str, &str)]| classify(Some(200), &headers(pairs), &markers);
        // The monolith behind a proxy that passes an API Gateway header through: the marker says origin.
        let origin = classify(&[("x-amz-apigw-id", "x"), ("X-SERVED-BY", " Monolith ")]);
        assert_eq!(origin, ServedBy::Origin(Evidence::Marker(Marker::new("X-Served-By", "monolith"))));
        assert!(origin.evidence().unwrap().certain());
        let lambda = classify(&[("x-served-by", "lambda")]);
        assert_eq!(lambda, ServedBy::Lambda(Evidence::Marker(Marker::new("x-served-by", "lambda"))));
        // A marker header with another value is no marker: the headers decide.
        assert_eq!(classify(&[("x-served-by", "something")]), ServedBy::Origin(Evidence::NoApiGatewayHeader));
        assert_eq!(
            classify(&[("x-served-by", "other"), ("apigw-requestid", "1")]),
            ServedBy::Lambda(Evidence::HttpApi)
        );
        // Both sides' markers: the answer contradicts the config, and nobody is named.
        assert_eq!(classify(&[("x-served-by", "lambda"), ("x-served-by", "monolith")]), ServedBy::Unknown);
        // Only one side marked: the other side is still found by its headers.
        let one = Markers { origin: Some(Marker::new("x-served-by", "monolith")), lambda: None };
        assert_eq!(
            super::classify(Some(200), &headers(&[("x-amz-apigw-id", "x")]), &one),
            ServedBy::Lambda(Evidence::RestApi)
        );
    }

    #[test]
    fn answers_cloudfront_made_itself_name_nobody() {
        assert_eq!(served(&[("x-cache", "Error from cloudfront")]), ServedBy::Unknown);
        assert_eq!(served(&[("x-cache", "FunctionGeneratedResponse from cloudfront")]), ServedBy::Unknown);
        assert_eq!(served(&[("x-cache", "LambdaGeneratedResponse from cloudfront")]), ServedBy::Unknown);
        // An error that carries API Gateway's header came from API Gateway.
        assert_eq!(
            served(&[("x-cache", "Error from cloudfront"), ("x-amz-apigw-id", "x")]),
            ServedBy::Lambda(Evidence::RestApi)
        );
        assert_eq!(classify(None, &headers(&[("x-amz-apigw-id", "x")]), &Markers::default()), ServedBy::Unknown);
    }

    #[test]
    fn the_text_says_who_and_why() {
        assert_eq!(served(&[("x-amz-apigw-id", "x")]).to_string(), "λ Lambda (x-amz-apigw-id: REST API)");
        assert_eq!(served(&[]).to_string(), "◼ origin (no API Gateway header)");
        assert_eq!(
            ServedBy::Origin(Evidence::Marker(Marker::new("x-served-by", "monolith"))).to_string(),
            "◼ origin (marker x-served-by: monolith)"
        );
        assert_eq!(ServedBy::Unknown.to_string(), "? unknown");
    }

    #[test]
    fn an_answer_records_pop_cache_and_an_unexpected_status() {
        let h = headers(&with_cloudfront(&[("x-amz-apigw-id", "x")]));
        let ok = ProbeAnswer::heard(at(0), Duration::from_millis(42), 200, &h, &spec(Markers::default()));
        assert_eq!((ok.pop.as_deref(), ok.x_cache.as_deref()), (Some("IAD89-C1"), Some("Miss from cloudfront")));
        assert!(ok.ok() && !ok.cache_hit());
        assert_eq!(ok.side(), Some(Target::Lambda));
        let sick = ProbeAnswer::heard(at(0), Duration::from_millis(9), 503, &h, &spec(Markers::default()));
        assert_eq!(sick.finding.as_deref(), Some("status 503 (a server error), expected 200"));
        assert_eq!(sick.served_by, ServedBy::Lambda(Evidence::RestApi), "a sick Lambda still answered");
        let long = "x".repeat(10_000);
        let huge = ProbeAnswer::heard(
            at(0),
            Duration::ZERO,
            200,
            &headers(&[("x-amz-cf-pop", &long)]),
            &spec(Markers::default()),
        );
        assert_eq!(huge.pop.unwrap().len(), MAX_KEPT_CHARS);
        let missing = ProbeAnswer::heard(at(0), Duration::ZERO, 404, &headers(&[]), &spec(Markers::default()));
        assert_eq!(missing.finding.as_deref(), Some("status 404 (a client error), expected 200"));
        assert_eq!(unexpected_status(301, 200), "status 301, expected 200");
    }

    #[test]
    fn failures_become_findings() {
        for (failure, text) in [
            (ProbeFailure::Timeout(Duration::from_secs(3)), "no answer within 3 s"),
            (ProbeFailure::Timeout(Duration::from_millis(1500)), "no answer within 1.5 s"),
            (ProbeFailure::Timeout(Duration::from_millis(250)), "no answer within 250 ms"),
            (ProbeFailure::Refused, "connection refused"),
            (ProbeFailure::Dns("no such host".into()), "cannot resolve the host: no such host"),
            (ProbeFailure::Tls("invalid peer certificate".into()), "TLS failed: invalid peer certificate"),
            (ProbeFailure::Connect("reset".into()), "cannot connect: reset"),
            (
                ProbeFailure::RateCapped { max_per_minute: 30 },
                "not sent: the cap of 30 probes a minute for this distribution is reached",
            ),
            (ProbeFailure::BadRequest("bad URL".into()), "not sent: bad URL"),
        ] {
            let answer = ProbeAnswer::failed(at(0), Duration::from_secs(3), &failure);
            assert_eq!(answer.finding.as_deref(), Some(text));
            assert_eq!((answer.status, &answer.served_by, answer.side()), (None, &ServedBy::Unknown, None));
            assert!(!answer.ok());
        }
    }

    fn answer(secs: i64, side: Option<Target>, pop: &str, cache: &str) -> ProbeAnswer {
        let mut pairs = vec![("x-amz-cf-pop", pop), ("x-cache", cache)];
        if side == Some(Target::Lambda) {
            pairs.push(("x-amz-apigw-id", "x"));
        }
        match side {
            None => ProbeAnswer::failed(at(secs), Duration::from_secs(3), &ProbeFailure::Refused),
            Some(_) => ProbeAnswer::heard(
                at(secs),
                Duration::from_millis(30),
                200,
                &headers(&pairs),
                &spec(Markers::default()),
            ),
        }
    }

    #[test]
    fn a_summary_counts_sides_pops_and_failures_apart() {
        let origin = |s, pop| answer(s, Some(Target::Origin), pop, "Miss from cloudfront");
        let all: Vec<_> = (0..12).map(|i| origin(i, ["IAD89-C1", "FRA56-P2", "NRT57-P3"][i as usize % 3])).collect();
        let summary = EdgeSummary::of(&all);
        assert_eq!(summary.describe(), "edge 12/12 ◼ origin · 3 POPs");
        assert_eq!(summary.describe_findings(), None);
        assert_eq!(summary.unanimous(), Some(Target::Origin));

        let mut mixed = all[..5].to_vec();
        mixed.extend((0..7).map(|i| answer(i, Some(Target::Lambda), "IAD89-C1", "Miss from cloudfront")));
        mixed.push(answer(20, Some(Target::Lambda), "IAD89-C1", "Hit from cloudfront"));
        mixed.push(answer(21, None, "", ""));
        let summary = EdgeSummary::of(&mixed);
        assert_eq!((summary.lambda, summary.origin, summary.cached, summary.no_answer), (7, 5, 1, 1));
        assert_eq!(summary.describe(), "edge 7/14 λ Lambda, 5/14 ◼ origin · 3 POPs · 1 cached · 1 no answer");
        assert_eq!(summary.describe_short(), "edge 7/14 λ, 5/14 ◼ · 1 cached · 1 no answer");
        assert_eq!(summary.describe_findings().as_deref(), Some("edge: 1 no answer"));
        assert_eq!(summary.unanimous(), None);

        let refused: Vec<_> = (0..3).map(|i| answer(i, None, "", "")).collect();
        let summary = EdgeSummary::of(&refused);
        assert!(summary.nothing_answered());
        assert_eq!(summary.describe(), "edge 0/3 · 3 no answer");
        assert_eq!(EdgeSummary::of(&[]).describe(), "edge: no probe yet");
    }

    #[test]
    fn cache_hits_neither_help_nor_hurt_unanimity() {
        let mut answers = vec![answer(0, Some(Target::Lambda), "IAD89-C1", "Miss from cloudfront")];
        answers.push(answer(1, Some(Target::Origin), "IAD89-C1", "Hit from cloudfront"));
        answers.push(answer(2, Some(Target::Origin), "IAD89-C1", "RefreshHit from cloudfront"));
        let summary = EdgeSummary::of(&answers);
        assert_eq!(summary.unanimous(), Some(Target::Lambda));
        assert_eq!(summary.describe(), "edge 1/3 λ Lambda · 1 POP · 2 cached");
        let only_hits = EdgeSummary::of(&answers[1..]);
        assert_eq!(only_hits.unanimous(), None, "cache hits alone say nothing");
    }

    #[test]
    fn the_run_on_one_side_starts_after_the_last_answer_from_the_other() {
        let miss = "Miss from cloudfront";
        let answers = vec![
            answer(0, Some(Target::Lambda), "A", miss),
            answer(5, Some(Target::Origin), "A", miss),
            answer(10, Some(Target::Lambda), "B", miss),
            answer(15, Some(Target::Origin), "A", miss),
            answer(20, None, "", ""),
            answer(25, Some(Target::Lambda), "B", "Hit from cloudfront"),
            answer(30, Some(Target::Origin), "B", miss),
        ];
        assert_eq!(all_on_since(&answers, Target::Origin), Some(at(15)));
        assert_eq!(all_on_since(&answers, Target::Lambda), None);
        assert_eq!(all_on_since(&answers[..3], Target::Lambda), Some(at(10)));
    }

    #[test]
    fn the_defaults_send_few_probes() {
        let settings = ProbeSettings::default();
        assert_eq!(settings.probes_per_switch(), 37);
        assert!(settings.timeout < settings.every);
        assert!(60 / settings.every.as_secs() <= u64::from(settings.max_per_minute));
    }

    #[test]
    fn the_url_joins_base_and_path_and_methods_parse() {
        assert_eq!(spec(Markers::default()).url(), "https://api.example.com/orders/health");
        let mut odd = spec(Markers::default());
        odd.path = "/café/\u{202e}gpj.exe".into();
        assert_eq!(odd.url(), "https://api.example.com/caf%C3%A9/%E2%80%AEgpj.exe");
        assert_eq!(ProbeMethod::parse("head"), Some(ProbeMethod::Head));
        assert_eq!(ProbeMethod::parse("GET"), Some(ProbeMethod::Get));
        assert_eq!(ProbeMethod::parse("POST"), None);
    }

    #[test]
    fn probe_paths_go_on_the_request_line_percent_encoded() {
        assert_eq!(request_target("/orders/health"), "/orders/health");
        assert_eq!(request_target("/a;b=c/x@y:z?q=1&r=(2)*~"), "/a;b=c/x@y:z?q=1&r=(2)*~", "allowed as written");
        assert_eq!(request_target("/%2Fkept%20"), "/%2Fkept%20", "escapes already written stay");
        assert_eq!(request_target("/100%"), "/100%25", "a lone % is encoded");
        assert_eq!(request_target("/%zz"), "/%25zz");
        assert_eq!(request_target("/café"), "/caf%C3%A9", "non-ASCII as its UTF-8 bytes");
        assert_eq!(request_target("/admin\u{202e}*/gpj.exe"), "/admin%E2%80%AE*/gpj.exe", "a bidi override");
        assert_eq!(request_target("/a b\"<>\\^`{|}#\u{7f}"), "/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D%23%7F");
        for path in ["/\u{2028}", "/日本", "/\u{1b}[2J", "/x\u{200f}y"] {
            let target = request_target(path);
            assert!(target.bytes().all(|b| b.is_ascii_graphic()), "{path:?} → {target}");
        }
    }

    #[test]
    fn probe_header_names_are_refused_whatever_their_case() {
        let signed = "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/execute-api/aws4_request";
        for name in ["Authorization", "authorization", "AUTHORIZATION", " authorization"] {
            assert!(refused_header(name, signed).is_some_and(|fix| fix.contains("no AWS credentials")), "{name}");
            assert_eq!(refused_header(name, &signed.to_ascii_lowercase()), refused_header(name, signed), "{name}");
            assert_eq!(refused_header(name, "Bearer t"), None, "{name}: not AWS credentials");
        }
        for name in ["Host", "HOST", "host", "X-Amz-Security-Token", "x-amz-date", "Content-Length", "Connection"] {
            assert!(refused_header(name, "x").is_some(), "{name}");
        }
        assert!(refused_header("Host", "x").is_some_and(|fix| fix.contains("set host = ")));
        assert_eq!(refused_header("Accept", "application/json"), None);
    }
}
