//! The live prober: one plain request per probe through the hyper 1 / rustls stack the AWS SDK
//! already builds (hyper-util's client, hyper-rustls over rustls with aws-lc-rs and the system's
//! root certificates). Nothing of the SDK is involved, so no AWS credential can ride along.
//!
//! Each probe opens a connection of its own (no pool), as a new viewer would: it resolves the
//! name again and may reach another edge, and its latency includes connecting. Only the response's
//! head is read; the body is dropped unread, so a large page costs nothing.

use std::error::Error as StdError;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::Empty;
use hyper::header::{HOST, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_rustls::{ConfigBuilderExt as _, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::time::Instant;

use super::{Prober, RateCap};
use crate::clock::Clock;
use crate::domain::probe::{
    ProbeAnswer, ProbeFailure, ProbeMethod, ProbeSettings, ProbeSpec, ResponseHeaders, refused_header,
};

/// The `User-Agent` of every probe, so that the operator can find them in access logs.
pub const USER_AGENT: &str = concat!("cutover-probe/", env!("CARGO_PKG_VERSION"));

/// Probes one distribution over HTTP(S), with its timeout and its hard cap per minute.
pub struct HttpProber {
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
    timeout: Duration,
    cap: Mutex<RateCap>,
    /// The cap's clock: tokio's, monotonic.
    started: Instant,
    /// The time an answer is stamped with.
    clock: Clock,
    /// Why TLS cannot verify any certificate, when the system's roots could not be read.
    tls_problem: Option<String>,
}

impl HttpProber {
    /// A prober with the config's timeout and cap (one per distribution: the cap is its own).
    pub fn new(settings: ProbeSettings, clock: Clock) -> Self {
        let (tls, tls_problem) = tls_config();
        let mut http = HttpConnector::new();
        // https:// URLs go through hyper-rustls, which hands the plain connector the TCP part.
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(settings.timeout));
        let connector =
            HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(0).build(connector);
        HttpProber {
            client,
            timeout: settings.timeout,
            cap: Mutex::new(RateCap::per_minute(settings.max_per_minute)),
            started: Instant::now(),
            clock,
            tls_problem,
        }
    }

    fn cap(&self) -> MutexGuard<'_, RateCap> {
        // The window is a list of instants: nothing a panic could leave half-written matters.
        self.cap.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What went wrong, from the error's chain: refused, a name that does not resolve, TLS, a
    /// connect timeout, or the chain in words.
    fn failure_of(&self, error: &(dyn StdError + 'static)) -> ProbeFailure {
        let mut words: Vec<String> = Vec::new();
        let mut dns = false;
        let mut current = Some(error);
        while let Some(e) = current {
            // An I/O error may wrap another (hyper-rustls wraps tokio-rustls's), which may wrap
            // rustls's own: look through them all.
            let mut io = e.downcast_ref::<io::Error>();
            while let Some(error) = io {
                match error.kind() {
                    io::ErrorKind::ConnectionRefused => return ProbeFailure::Refused,
                    io::ErrorKind::TimedOut => return ProbeFailure::Timeout(self.timeout),
                    _ => {}
                }
                let inner = error.get_ref();
                if let Some(tls) = inner.and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                    return self.tls(tls);
                }
                io = inner.and_then(|inner| inner.downcast_ref::<io::Error>());
            }
            if let Some(tls) = e.downcast_ref::<rustls::Error>() {
                return self.tls(tls);
            }
            let text = e.to_string();
            dns |= text.contains("dns error");
            if words.last() != Some(&text) {
                words.push(text);
            }
            current = e.source();
        }
        // The first is hyper-util's "client error (Connect)": the rest says what happened.
        let why = if words.len() > 1 { words[1..].join(": ") } else { words.join(": ") };
        if dns { ProbeFailure::Dns(words.last().cloned().unwrap_or(why)) } else { ProbeFailure::Connect(why) }
    }

    fn tls(&self, error: &rustls::Error) -> ProbeFailure {
        match &self.tls_problem {
            Some(problem) => ProbeFailure::Tls(format!("{error} ({problem})")),
            None => ProbeFailure::Tls(error.to_string()),
        }
    }
}

#[async_trait]
impl Prober for HttpProber {
    async fn probe(&self, spec: &ProbeSpec) -> ProbeAnswer {
        let at = self.clock.now();
        let request = match request_for(spec) {
            Ok(request) => request,
            Err(why) => return ProbeAnswer::failed(at, Duration::ZERO, &ProbeFailure::BadRequest(why)),
        };
        let admitted = {
            let mut cap = self.cap();
            cap.admit(self.started.elapsed()).then_some(()).ok_or(cap.max())
        };
        if let Err(max_per_minute) = admitted {
            return ProbeAnswer::failed(at, Duration::ZERO, &ProbeFailure::RateCapped { max_per_minute });
        }
        let sent = Instant::now();
        match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Err(_) => ProbeAnswer::failed(at, sent.elapsed(), &ProbeFailure::Timeout(self.timeout)),
            Ok(Err(error)) => ProbeAnswer::failed(at, sent.elapsed(), &self.failure_of(&error)),
            Ok(Ok(response)) => {
                let latency = sent.elapsed();
                let headers = ResponseHeaders::new(
                    response
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v.as_bytes()).into_owned())),
                );
                ProbeAnswer::heard(at, latency, response.status().as_u16(), &headers, spec)
            }
        }
    }
}

/// The request a spec describes, or why it cannot be sent.
fn request_for(spec: &ProbeSpec) -> Result<Request<Empty<Bytes>>, String> {
    let url = spec.url();
    let uri: Uri = url.parse().map_err(|e| format!("{url} is not a URL ({e})"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(format!("{url} is not an http:// or https:// URL"));
    }
    let method = match spec.method {
        ProbeMethod::Get => Method::GET,
        ProbeMethod::Head => Method::HEAD,
    };
    let mut request = Request::builder().method(method).uri(uri).body(Empty::new()).map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    let host =
        HeaderValue::from_str(&spec.host).map_err(|_| format!("the host {} is not a header value", spec.host))?;
    headers.insert(HOST, host);
    headers.insert(hyper::header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    for (name, value) in &spec.headers {
        // The config check refuses these already; a spec made any other way is held to the same rule.
        if let Some(fix) = refused_header(name, value) {
            return Err(format!("a probe may not set the header {name}; {fix}"));
        }
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("{name} is not a header name"))?;
        let value = HeaderValue::from_str(value).map_err(|_| format!("the value of {name} is not a header value"))?;
        headers.append(name, value);
    }
    Ok(request)
}

/// TLS with aws-lc-rs (the SDK's provider) and the system's root certificates. When those cannot be
/// read, a config that trusts nothing, and why: https probes then fail with a finding that says so.
pub(crate) fn tls_config() -> (rustls::ClientConfig, Option<String>) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = || {
        rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .expect("aws-lc-rs speaks TLS 1.2 and 1.3")
    };
    match builder().with_native_roots() {
        Ok(with_roots) => (with_roots.with_no_client_auth(), None),
        Err(error) => (
            builder().with_root_certificates(rustls::RootCertStore::empty()).with_no_client_auth(),
            Some(format!("the system's root certificates could not be read: {error}")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::probe::Markers;

    fn spec(base_url: &str) -> ProbeSpec {
        ProbeSpec {
            route: "/orders/*".into(),
            path: "/orders/health".into(),
            method: ProbeMethod::Head,
            expect_status: 200,
            headers: vec![("accept".into(), "application/json".into())],
            base_url: base_url.into(),
            host: "api.example.com".into(),
            markers: Markers::default(),
        }
    }

    #[test]
    fn a_request_carries_host_agent_and_extra_headers_and_nothing_else() {
        let request = request_for(&spec("http://127.0.0.1:9/")).unwrap();
        assert_eq!(request.method(), Method::HEAD);
        assert_eq!(request.uri(), "http://127.0.0.1:9/orders/health");
        let names: Vec<&str> = request.headers().keys().map(|n| n.as_str()).collect();
        assert_eq!(names, ["host", "user-agent", "accept"]);
        assert_eq!(request.headers()[HOST], "api.example.com");
    }

    #[test]
    fn a_spec_that_cannot_be_sent_says_why() {
        assert!(request_for(&spec("ftp://x")).unwrap_err().contains("not an http:// or https:// URL"));
        assert!(request_for(&spec("http://exa mple")).unwrap_err().contains("is not a URL"));
        let mut bad = spec("http://127.0.0.1:9");
        bad.headers.push(("a b".into(), "x".into()));
        assert_eq!(request_for(&bad).unwrap_err(), "a b is not a header name");
        let mut signed = spec("http://127.0.0.1:9");
        signed.headers.push(("authorization".into(), "aws4-hmac-sha256 Credential=x".into()));
        assert!(request_for(&signed).unwrap_err().contains("may not set the header authorization"));
    }

    #[test]
    fn a_path_with_non_ascii_or_bidi_characters_goes_on_the_request_line_percent_encoded() {
        let mut odd = spec("http://127.0.0.1:9/");
        odd.path = "/orders/\u{202e}café health".into();
        let request = request_for(&odd).unwrap();
        assert_eq!(request.uri().path(), "/orders/%E2%80%AEcaf%C3%A9%20health");
        assert!(request.uri().to_string().is_ascii());
    }

    #[tokio::test]
    async fn a_bad_spec_is_a_finding_and_uses_none_of_the_cap() {
        let settings = ProbeSettings { max_per_minute: 1, ..ProbeSettings::default() };
        let prober = HttpProber::new(settings, Clock::real());
        let answer = prober.probe(&spec("ftp://x")).await;
        assert_eq!(answer.status, None);
        assert!(answer.finding.unwrap().starts_with("not sent: ftp://x"));
        assert!(prober.cap().admit(prober.started.elapsed()), "the bad spec took no place in the window");
    }
}
