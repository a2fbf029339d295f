//! The demo world answers probes: each one reaches a simulated CloudFront edge (`IAD89-C1`,
//! `FRA56-P2`, ...), and the edge answers with the headers of whichever backend it sends the route
//! to at that moment. A switch reaches the edges one by one, as the world's rollout says, so for a
//! minute or two after a switch the answers are mixed, then all from the new side.
//!
//! On a routed route, an edge that has the router's share sends the prober to Lambda when the
//! prober's bucket is under it: every probe comes from one viewer (one IP, as live), so at a share
//! of 25 % its probes all come from one side, the side its bucket falls on.
//!
//! Lambda answers carry API Gateway REST headers (`x-amz-apigw-id`), the origin none of its own; the
//! demo names no markers. `/catalog/*` is cached, so half its answers are cache hits. Answers go
//! through the same classification as live ([`ProbeAnswer::heard`]), with the same timeout, cap and
//! findings. The injected faults reach probes too: `offline` refuses them, `timeouts` lets them
//! time out; throttling, denials and conflicts are the control plane's and leave viewers alone.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::STATIC_ORIGIN_ID;
use super::mix::mix;
use super::world::CACHING_OPTIMIZED;
use super::{CONNECT_FAILURE_LATENCY, SimBackend};
use crate::backend::Fault;
use crate::backend::probe::{Prober, RateCap};
use crate::domain::Target;
use crate::domain::probe::{
    Markers, ProbeAnswer, ProbeFailure, ProbeMethod, ProbeSettings, ProbeSpec, ResponseHeaders,
};
use crate::router;

/// The demo's CloudFront edges, as `X-Amz-Cf-Pop` names them.
pub const POPS: [&str; 12] = [
    "IAD89-C1", "IAD55-P4", "JFK52-P1", "ORD58-P3", "SFO53-C1", "LHR61-P2", "FRA56-P2", "CDG50-C2", "AMS58-P1",
    "NRT57-P3", "SIN2-P1", "GRU3-C1",
];

/// The host the demo's probes are addressed to: the demo distribution's alias.
pub const DEMO_HOST: &str = "api.example.com";

/// The address the demo's probes come from (a documentation address), which the router buckets
/// like any viewer's: bucket 65, so the router sends them to Lambda from a share of 66 % on.
pub const DEMO_VIEWER_IP: &str = "198.51.100.7";

/// How much an edge adds to a backend's time, in milliseconds.
const EDGE_MS: f64 = 12.0;

/// The probe the demo uses for a route: `/orders/*` → `GET /orders/health`, `*` → `GET /health`,
/// expecting 200 from `https://api.example.com`, without markers.
pub fn demo_probe_spec(route: &str) -> ProbeSpec {
    let path = match route.strip_suffix('*') {
        Some(prefix) if prefix.ends_with('/') => format!("{prefix}health"),
        Some(prefix) => format!("/{}health", prefix.trim_start_matches('/')),
        None => route.to_string(),
    };
    ProbeSpec {
        route: route.to_string(),
        path,
        method: ProbeMethod::Get,
        expect_status: 200,
        headers: Vec::new(),
        base_url: format!("https://{DEMO_HOST}"),
        host: DEMO_HOST.to_string(),
        markers: Markers::default(),
    }
}

/// Probes of one demo distribution, through the same [`Prober`] trait as live.
pub struct SimProber {
    backend: Arc<SimBackend>,
    timeout: Duration,
    cap: Mutex<RateCap>,
    /// Probes sent so far: with the seed, it picks the edge and the numbers of the next one.
    sent: AtomicU64,
    /// The router's bucket of the viewer the probes come from.
    bucket: u8,
}

impl SimProber {
    /// A prober of `backend`'s world with the config's (or the defaults') timeout and cap.
    pub fn new(backend: Arc<SimBackend>, settings: ProbeSettings) -> Self {
        SimProber {
            backend,
            timeout: settings.timeout,
            cap: Mutex::new(RateCap::per_minute(settings.max_per_minute)),
            sent: AtomicU64::new(0),
            bucket: router::bucket(DEMO_VIEWER_IP),
        }
    }

    /// The same prober sending from another address (its router bucket decides its side).
    pub fn from_ip(mut self, ip: &str) -> Self {
        self.bucket = router::bucket(ip);
        self
    }

    fn cap(&self) -> MutexGuard<'_, RateCap> {
        self.cap.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Where in every rollout an edge is, 0 to 1: the same for a route and an edge all run long.
    fn pickup(&self, pop: usize, route: &str) -> f64 {
        let z = mix(self.backend.options.seed, pop as i64, route_hash(route) ^ 0x9B0);
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The status, latency and headers the edge `pop` answers `spec` with at this moment.
    fn answer_of(&self, spec: &ProbeSpec, pop: usize, rng: &mut ChaCha8Rng) -> (u16, Duration, ResponseHeaders) {
        let backend = &self.backend;
        let now = backend.clock.now();
        let route = backend.routes.iter().find(|r| r.path == spec.route);
        let (target, cached_behavior) = {
            let world = backend.world();
            let behavior = world.behavior(&spec.route).map(|b| b.cache_policy == CACHING_OPTIMIZED);
            let pickup = self.pickup(pop, &spec.route);
            (world.target_at_edge(&spec.route, now, pickup, self.bucket), behavior.unwrap_or(false))
        };
        let cache_hit = cached_behavior && rng.random::<f64>() < 0.5;
        let mut headers: Vec<(&str, String)> = vec![
            ("via", format!("1.1 {:032x}.cloudfront.net (CloudFront)", rng.random::<u128>())),
            ("x-cache", if cache_hit { "Hit from cloudfront" } else { "Miss from cloudfront" }.to_string()),
            ("x-amz-cf-pop", POPS[pop].to_string()),
            ("x-amz-cf-id", token(rng, 56)),
        ];
        let Some(route) = route else {
            headers.push(("server", "nginx".to_string()));
            return (404, Duration::from_millis(EDGE_MS as u64 + 40), ResponseHeaders::new(headers));
        };
        let secs = now.duration_since(backend.start).as_secs_f64();
        let jitter = 0.8 + 0.4 * rng.random::<f64>();
        let (status, backend_ms) = match target {
            Target::Lambda => {
                let (errors, slowdown) = backend.options.scenario.lambda_degradation(&route.path, secs);
                headers.push(("x-amzn-requestid", uuid(rng)));
                headers.push(("x-amz-apigw-id", format!("{}=", token(rng, 15))));
                headers.push(("x-amzn-trace-id", format!("Root=1-{:08x}-{}", now.as_second(), token(rng, 24))));
                let status = if rng.random::<f64>() < errors { 502 } else { 200 };
                (status, route.lambda_p99_ms / 3.0 * slowdown * jitter)
            }
            Target::Origin if route.origin == STATIC_ORIGIN_ID => {
                headers.push(("server", "AmazonS3".to_string()));
                headers.push(("x-amz-request-id", token(rng, 16)));
                (200, route.origin_p99_ms / 3.0 * jitter)
            }
            Target::Origin => {
                headers.push(("server", "nginx".to_string()));
                let strain = (backend.options.scenario.traffic_multiplier(secs) - 1.0).max(0.0);
                let status = if rng.random::<f64>() < (strain * 0.002).min(0.06) { 503 } else { 200 };
                (status, route.origin_p99_ms / 3.0 * (1.0 + strain * 0.08) * jitter)
            }
        };
        if status >= 500 {
            headers[1].1 = "Error from cloudfront".to_string();
        }
        let ms = if cache_hit { EDGE_MS } else { EDGE_MS + backend_ms };
        (status, Duration::from_micros((ms * 1000.0) as u64), ResponseHeaders::new(headers))
    }
}

#[async_trait]
impl Prober for SimProber {
    async fn probe(&self, spec: &ProbeSpec) -> ProbeAnswer {
        let backend = &self.backend;
        let clock = &backend.clock;
        let at = clock.now();
        let since_start = at.duration_since(backend.start).unsigned_abs();
        let admitted = {
            let mut cap = self.cap();
            cap.admit(since_start).then_some(()).ok_or(cap.max())
        };
        if let Err(max_per_minute) = admitted {
            return ProbeAnswer::failed(at, Duration::ZERO, &ProbeFailure::RateCapped { max_per_minute });
        }
        let faults = backend.faults();
        if faults.contains(Fault::Offline) {
            clock.sleep(CONNECT_FAILURE_LATENCY).await;
            return ProbeAnswer::failed(at, CONNECT_FAILURE_LATENCY, &ProbeFailure::Refused);
        }
        if faults.contains(Fault::Timeouts) {
            clock.sleep(self.timeout).await;
            return ProbeAnswer::failed(at, self.timeout, &ProbeFailure::Timeout(self.timeout));
        }
        let n = self.sent.fetch_add(1, Ordering::SeqCst);
        let mut rng = ChaCha8Rng::seed_from_u64(mix(backend.options.seed, n as i64, route_hash(&spec.route)));
        let pop = rng.random_range(0..POPS.len());
        let (status, latency, headers) = self.answer_of(spec, pop, &mut rng);
        if latency > self.timeout {
            clock.sleep(self.timeout).await;
            return ProbeAnswer::failed(at, self.timeout, &ProbeFailure::Timeout(self.timeout));
        }
        clock.sleep(latency).await;
        ProbeAnswer::heard(at, latency, status, &headers, spec)
    }
}

/// FNV-1a of a route's path: which route a probe is for, in the mixer's seed.
fn route_hash(route: &str) -> u64 {
    route.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn token(rng: &mut ChaCha8Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

fn uuid(rng: &mut ChaCha8Rng) -> String {
    let v: u128 = rng.random();
    let hex = format!("{v:032x}");
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::backend::share::{ShareChange, set_shares};
    use crate::backend::sim::{Scenario, SimOptions, catalog};
    use crate::backend::{Backend, ControlPlane, FaultSet};
    use crate::clock::Clock;
    use crate::domain::probe::{EdgeSummary, Evidence, ServedBy, all_on_since};

    fn world(seed: u64, scenario: Scenario) -> (Arc<SimBackend>, Clock) {
        let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0);
        let options = SimOptions { scenario, seed, faults: FaultSet::NONE };
        (Arc::new(SimBackend::new(clock.clone(), options)), clock)
    }

    async fn switch(backend: &SimBackend, path: &str, to: &str) {
        let id = backend.distribution_id().to_string();
        let (mut config, etag) = backend.get_config(&id).await.unwrap();
        SimBackend::set_origin(&mut config, path, to);
        backend.update_config(&id, config, &etag).await.unwrap();
    }

    /// `count` probes of `spec`, one every `every` of the demo's time.
    async fn probes(
        prober: &SimProber,
        clock: &Clock,
        spec: &ProbeSpec,
        count: usize,
        every: Duration,
    ) -> Vec<ProbeAnswer> {
        let mut answers = Vec::new();
        for _ in 0..count {
            answers.push(prober.probe(spec).await);
            clock.sleep(every).await;
        }
        answers
    }

    #[test]
    fn demo_specs_ask_for_a_health_path() {
        assert_eq!(demo_probe_spec("/orders/*").url(), "https://api.example.com/orders/health");
        assert_eq!(demo_probe_spec("*").path, "/health");
        assert_eq!(demo_probe_spec("/exact").path, "/exact");
    }

    // Long: one switch followed from the first mixed answers to the last edge, in one story.
    #[tokio::test(start_paused = true)]
    async fn answers_follow_the_switch_edge_by_edge() {
        let (backend, clock) = world(7, Scenario::Calm);
        let prober = SimProber::new(Arc::clone(&backend), ProbeSettings { max_per_minute: 120, ..Default::default() });
        let spec = demo_probe_spec("/search/*");
        let before = probes(&prober, &clock, &spec, 10, Duration::from_secs(2)).await;
        let summary = EdgeSummary::of(&before);
        assert_eq!(summary.unanimous(), Some(Target::Origin), "{}", summary.describe());
        assert!(before.iter().all(|a| a.served_by == ServedBy::Origin(Evidence::NoApiGatewayHeader)));
        assert!(before.iter().all(|a| a.x_cache.as_deref() == Some("Miss from cloudfront") && a.ok()));
        assert!(summary.pops.len() > 3, "answers come from several edges: {:?}", summary.pops);

        switch(&backend, "/search/*", catalog::LAMBDA_ORIGIN_ID).await;
        let switched_at = clock.now();
        // Every half second for three minutes: the rollout takes 50 to 120 s.
        let during = probes(&prober, &clock, &spec, 360, Duration::from_millis(500)).await;
        let sides: Vec<Option<Target>> = during.iter().map(ProbeAnswer::side).collect();
        let first_lambda = sides.iter().position(|s| *s == Some(Target::Lambda)).expect("Lambda answers at last");
        let last_origin = sides.iter().rposition(|s| *s == Some(Target::Origin)).expect("the origin answers at first");
        assert!(first_lambda < last_origin, "for a while, some edges have the change and some not");
        let since = all_on_since(&during, Target::Lambda).expect("all on Lambda in the end");
        let took = since.duration_since(switched_at).as_secs_f64();
        assert!((5.0..=125.0).contains(&took), "every edge had it {took} s after the switch");
        let after = EdgeSummary::of(&during[during.len() - 20..]);
        assert_eq!(after.unanimous(), Some(Target::Lambda), "{}", after.describe());
        assert!(during.last().unwrap().served_by == ServedBy::Lambda(Evidence::RestApi));

        // The same seed tells the same story.
        let (again, clock_again) = world(7, Scenario::Calm);
        let replay = SimProber::new(Arc::clone(&again), ProbeSettings { max_per_minute: 120, ..Default::default() });
        let first = probes(&replay, &clock_again, &spec, 10, Duration::from_secs(2)).await;
        let pops = |a: &[ProbeAnswer]| a.iter().map(|a| a.pop.clone()).collect::<Vec<_>>();
        assert_eq!(pops(&first), pops(&before));
    }

    #[tokio::test(start_paused = true)]
    async fn a_routed_share_sends_the_probers_viewer_by_its_bucket_within_seconds() {
        let (backend, clock) = world(7, Scenario::Calm);
        let settings = ProbeSettings { max_per_minute: 600, ..Default::default() };
        let in_bucket_65 = SimProber::new(Arc::clone(&backend), settings);
        let in_bucket_2 = SimProber::new(Arc::clone(&backend), settings).from_ip("203.0.113.9");
        let spec = demo_probe_spec("/search/*");
        let set = |from, to| ShareChange::new("/search/*", from, to);
        let every = Duration::from_millis(250);

        set_shares(backend.as_ref(), &[set(0, 25)], |_| {}).await.unwrap();
        let written = clock.now();
        let (low, high) = (
            probes(&in_bucket_2, &clock, &spec, 80, every).await,
            probes(&in_bucket_65, &clock, &spec, 10, every).await,
        );
        let since = all_on_since(&low, Target::Lambda).expect("bucket 2 is under 25");
        let took = since.duration_since(written).as_secs_f64();
        assert!((2.0..=15.5).contains(&took), "bucket 2 on Lambda for good {took} s after the write");
        assert!(low.iter().any(|a| a.side() == Some(Target::Origin)), "the first edges took a while");
        assert!(high.iter().all(|a| a.side() == Some(Target::Origin)), "bucket 65 is not under 25");

        set_shares(backend.as_ref(), &[set(25, 100)], |_| {}).await.unwrap();
        let written = clock.now();
        let high = probes(&in_bucket_65, &clock, &spec, 80, every).await;
        let took = all_on_since(&high, Target::Lambda).unwrap().duration_since(written).as_secs_f64();
        assert!(took <= 15.5, "every edge sends everyone to Lambda {took} s after the write");
        let unrouted = probes(&in_bucket_2, &clock, &demo_probe_spec("/auth/*"), 10, every).await;
        assert!(unrouted.iter().all(|a| a.side() == Some(Target::Origin)), "a route without the router stays");
    }

    #[tokio::test(start_paused = true)]
    async fn faults_reach_probes_and_the_cap_holds() {
        let (backend, clock) = world(3, Scenario::Calm);
        let settings = ProbeSettings { max_per_minute: 5, ..Default::default() };
        // Behind the trait, as the console holds live and demo probers alike.
        let prober: Arc<dyn Prober> = Arc::new(SimProber::new(Arc::clone(&backend), settings));
        let spec = demo_probe_spec("/user/*");
        backend.inject_faults(FaultSet::from(Fault::Offline));
        let refused = prober.probe(&spec).await;
        assert_eq!((refused.status, refused.finding.as_deref()), (None, Some("connection refused")));
        backend.inject_faults(FaultSet::from(Fault::Timeouts));
        let started = clock.now();
        let timed_out = prober.probe(&spec).await;
        assert_eq!(timed_out.finding.as_deref(), Some("no answer within 3 s"));
        assert!(clock.now().duration_since(started).as_secs_f64() >= 3.0, "it waited as long as the timeout");
        backend.inject_faults(FaultSet::from(Fault::Throttling));
        let answered = prober.probe(&spec).await;
        assert_eq!(answered.served_by, ServedBy::Lambda(Evidence::RestApi), "throttling is the control plane's");
        let mut more = Vec::new();
        for _ in 0..4 {
            more.push(prober.probe(&spec).await);
        }
        assert_eq!(more.iter().filter(|a| a.status.is_some()).count(), 2, "five a minute, three already sent");
        assert!(more[3].finding.as_deref().unwrap().contains("cap of 5 probes a minute"));
        clock.sleep(Duration::from_secs(61)).await;
        assert!(prober.probe(&spec).await.ok(), "a minute later the cap has room again");
    }

    #[tokio::test(start_paused = true)]
    async fn a_bad_deploy_shows_in_the_status_and_a_cached_route_in_x_cache() {
        let (backend, clock) = world(11, Scenario::BadDeploy);
        let prober = SimProber::new(Arc::clone(&backend), ProbeSettings { max_per_minute: 120, ..Default::default() });
        clock.sleep(Duration::from_secs(200)).await;
        let orders = probes(&prober, &clock, &demo_probe_spec("/orders/*"), 60, Duration::from_secs(1)).await;
        let sick = orders.iter().filter(|a| a.status == Some(502)).count();
        assert!((2..30).contains(&sick), "{sick} of 60 answers are 502");
        assert!(orders.iter().all(|a| a.side() == Some(Target::Lambda)), "a sick Lambda still answers");
        let catalog = probes(&prober, &clock, &demo_probe_spec("/catalog/*"), 40, Duration::from_secs(1)).await;
        let summary = EdgeSummary::of(&catalog);
        assert!(summary.cached > 5 && summary.lambda > 5, "{}", summary.describe());
        let unknown = prober.probe(&demo_probe_spec("/nowhere/*")).await;
        assert_eq!(unknown.status, Some(404));
        let at: Timestamp = unknown.at;
        assert!(at > "2026-01-15T22:30:00Z".parse::<Timestamp>().unwrap());
    }
}
