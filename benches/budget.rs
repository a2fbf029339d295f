//! The performance budget (README, "Performance"): how long the UI task spends on one frame and
//! on one metrics refresh, and how long a live refresh takes to plan its CloudWatch queries.
//!
//! Run with `cargo bench --bench budget`; `cargo bench --bench budget -- frame` runs one group.
//! Every input comes from the demo's simulated world (hand-made routes, then generated ones), read
//! on tokio's paused clock, so the numbers measure the real render and update code on real-shaped
//! data: full 60-minute series, a few missing minutes, Lambda and origin routes.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use cutover::app::action::{Action, Event};
use cutover::app::command::Command;
use cutover::app::console::Console;
use cutover::app::event_loop::{self, Stop};
use cutover::app::model::setup::Setup;
use cutover::app::model::state::{EdgeFollow, EdgeWatch, Mode, State};
use cutover::app::runtime::{Runtime, TICK};
use cutover::app::tab::Tab;
use cutover::app::update::update;
use cutover::backend::aws::metrics::queries;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::backend::{FaultSet, MetricsSource};
use cutover::clock::Clock;
use cutover::domain::probe::{ProbeAnswer, ResponseHeaders};
use cutover::domain::{MetricsSnapshot, Target};
use cutover::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// CloudFront's default quota of cache behaviors per distribution.
const ROUTES_PER_DISTRIBUTION: usize = 75;
/// The console's largest case: 14 distributions of about 72 routes, 1,008 in all.
const DISTRIBUTIONS: usize = 14;
const ROUTES_IN_ALL: usize = 1_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;

/// A demo console with `routes` routes, after its first full refresh, the second route selected;
/// and the next refresh's snapshot, for the update benchmark.
fn loaded(routes: usize) -> (Console, MetricsSnapshot) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    runtime.block_on(async {
        let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0);
        let options = SimOptions { scenario: Scenario::Calm, seed: 1, faults: FaultSet::NONE };
        let backend = Arc::new(SimBackend::new(clock.clone(), options).with_routes(routes));
        let mode = Mode::Demo { scenario: "calm".into() };
        let state = State::new(Setup::new(catalog::DISTRIBUTION_ID, mode, "bench", clock.now()));
        let mut runtime = Runtime::single(state, Arc::clone(&backend), clock.clone());
        let deadline =
            event_loop::deadline(tokio::time::Instant::now() + clock.real_duration(Duration::from_secs(120)));
        let loaded = |r: &Runtime<SimBackend>, _| r.console.shown().learned.metrics.is_some().then_some(Stop::Done);
        let stop = event_loop::run(&mut runtime, deadline, TICK, loaded).await;
        assert!(matches!(stop, Stop::Done), "the demo world never answered");
        runtime.press(Command::SelectDown);
        clock.sleep(Duration::from_secs(60)).await;
        let paths: Vec<String> = runtime.console.shown().routes.iter().map(|r| r.path.clone()).collect();
        let next = backend.fetch(&paths).await.expect("the calm demo answers");
        (runtime.console, next)
    })
}

fn tabs(count: usize) -> Vec<Tab> {
    (0..count)
        .map(|i| Tab {
            distribution_id: format!("EBENCH{i:02}CUTOVER"),
            shown: i == 0,
            breached: usize::from(i % 5 == 2),
            deploying: i % 7 == 3,
        })
        .collect()
}

fn draw(terminal: &mut Terminal<TestBackend>, tabs: &[Tab], console: &Console, theme: &Theme) {
    terminal.draw(|frame| cutover::ui::render_deck(frame, tabs, console.shown(), theme)).unwrap();
}

fn frame(c: &mut Criterion) {
    let theme = Theme::default_dark();
    let mut group = c.benchmark_group("frame");
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();

    let (one, _) = loaded(ROUTES_PER_DISTRIBUTION);
    group.bench_function("75 routes, 200x60", |b| b.iter(|| draw(&mut terminal, &[], black_box(&one), &theme)));

    // Fourteen tabs; the one shown has its share of the thousand routes.
    let (shown, _) = loaded(ROUTES_IN_ALL.div_ceil(DISTRIBUTIONS));
    let strip = tabs(DISTRIBUTIONS);
    group.bench_function("1,000 routes in 14 distributions, 200x60", |b| {
        b.iter(|| draw(&mut terminal, &strip, black_box(&shown), &theme))
    });

    // One table of a thousand routes, scrolled to its end.
    let (mut all, _) = loaded(ROUTES_IN_ALL);
    update(&mut all, Action::Command(Command::SelectLast));
    group.bench_function("1,000 routes in one table, 200x60", |b| {
        b.iter(|| draw(&mut terminal, &[], black_box(&all), &theme))
    });

    // Typing a filter at a thousand routes: the key's update and the frame it shows up in.
    group.bench_function("filter keystroke, 1,000 routes, 200x60", |b| {
        b.iter_batched(
            || {
                let mut console = all.clone();
                update(&mut console, Action::Command(Command::StartFilter));
                update(&mut console, Action::Command(Command::FilterInput('9')));
                console
            },
            |mut console| {
                update(&mut console, Action::Command(Command::FilterInput('9')));
                draw(&mut terminal, &[], &console, &theme);
                console
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn refresh(c: &mut Criterion) {
    let mut group = c.benchmark_group("update");
    for routes in [ROUTES_PER_DISTRIBUTION, ROUTES_IN_ALL] {
        let (console, next) = loaded(routes);
        group.bench_function(format!("metrics refresh, {routes} routes"), |b| {
            b.iter_batched(
                || (console.clone(), next.clone()),
                |(mut console, next)| {
                    let distribution_id = catalog::DISTRIBUTION_ID.to_string();
                    let effects =
                        update(&mut console, Action::to(distribution_id, Event::MetricsLoaded { result: Ok(next) }));
                    (console, effects)
                },
                BatchSize::LargeInput,
            )
        });
    }
    // A probe's answer, on a route whose switch the probes follow: what the UI task does with it
    // (the request itself runs on a task of its own), and the frame that shows it.
    let (mut console, _) = loaded(ROUTES_PER_DISTRIBUTION);
    let spec = cutover::backend::sim::demo_probe_spec("/orders/*");
    console.distributions[0].policy.probes.insert("/orders/*".into(), spec.clone());
    let now = console.distributions[0].now;
    let follow = EdgeFollow { attempt: 1, to: Target::Origin, accepted_at: now, until: now, said: false };
    let watch = EdgeWatch { following: Some(follow), in_flight: true, ..Default::default() };
    console.distributions[0].edge.insert("/orders/*".into(), watch);
    let headers = ResponseHeaders::new([("x-amz-cf-pop", "FRA56-P2"), ("x-cache", "Miss from cloudfront")]);
    let answer = ProbeAnswer::heard(now, Duration::from_millis(40), 200, &headers, &spec);
    group.bench_function("a probe answer, 75 routes", |b| {
        b.iter_batched(
            || console.clone(),
            |mut console| {
                let distribution_id = catalog::DISTRIBUTION_ID.to_string();
                let action = Action::to(
                    distribution_id,
                    Event::ProbeAnswered { route: "/orders/*".into(), answer: answer.clone() },
                );
                let effects = update(&mut console, action);
                (console, effects)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// A config with `routes` routes, each measured on its own function and its own ALB target group.
fn config_with(routes: usize) -> cutover::config::Config {
    let mut text = String::from(
        "[[distribution]]\nid = \"EBENCH00CUTOVER\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n",
    );
    for i in 0..routes {
        text.push_str(&format!(
            "[[distribution.route]]\npath = \"/svc/{i:04}/*\"\nlambda_function = \"api-svc-{i:04}\"\n\
             [distribution.route.alb]\nload_balancer = \"app/legacy/0123456789abcdef\"\n\
             target_group = \"targetgroup/svc-{i:04}/0123456789abcdef\"\n"
        ));
    }
    cutover::config::parse(&text, "bench.toml").expect("the generated config is valid")
}

fn query_plan(c: &mut Criterion) {
    let config = config_with(ROUTES_IN_ALL);
    let distribution = config.distribution("EBENCH00CUTOVER");
    let paths: Vec<String> = (0..ROUTES_IN_ALL).map(|i| format!("/svc/{i:04}/*")).collect();
    // Seven per route (four on the function, three on the target group), three for edge and account.
    let count = queries::plan("EBENCH00CUTOVER", distribution, "p99", &paths, None).queries.len();
    assert_eq!(count, 7 * ROUTES_IN_ALL + 3);
    c.bench_function("metric queries for 1,000 routes", |b| {
        b.iter(|| {
            let plan = queries::plan("EBENCH00CUTOVER", distribution, "p99", black_box(&paths), None);
            let sdk: Vec<_> = plan.queries.iter().map(queries::Query::to_sdk).collect();
            (plan, sdk)
        })
    });
}

/// The one wait left on the UI task: a switch step's audit record, appended and synced to disk
/// before the screen shows the step. Written under the system's temp directory, removed after.
fn audit_append(c: &mut Criterion) {
    use cutover::audit::{AuditLog, AuditRecord, Environment, RecordKind};
    let dir = std::env::temp_dir().join(format!("cutover-bench-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = AuditLog::at(dir.join("audit.jsonl"));
    let record =
        AuditRecord::new(jiff::Timestamp::now(), RecordKind::SwitchAccepted, Environment::Demo, "bench", "EBENCH")
            .with_routes(["/orders/*"])
            .with_etags(Some("E1ABCDEF"), Some("E2ABCDEF"));
    c.bench_function("audit record, appended and synced", |b| b.iter(|| log.append(black_box(&record)).unwrap()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Real-time log lines read by the parser (`domain::edge_log`), as a Kinesis batch brings them:
/// realistic lines of 75 routes, statuses and edges mixed; then read and counted into each route's
/// numbers (`domain::edge_numbers`), as the console does. Throughput is in lines a second; the goal
/// (issue 22) is a million a second on one core, parsed and counted.
fn edge_log_lines(c: &mut Criterion) {
    use cutover::domain::edge_log::{Field, Layout};
    use cutover::domain::edge_numbers::EdgeNumbers;
    const LINES: usize = 10_000;
    let layout = Layout::new(Field::READ.map(Field::name));
    let results = ["Hit", "Miss", "RefreshHit", "Error", "OriginConnectError", "FunctionExecutionError"];
    let statuses = [200, 200, 200, 304, 404, 502, 503];
    let lines: Vec<Vec<u8>> = (0..LINES)
        .map(|i| {
            format!(
                "{}.{:03}\t{}\t0.{:03}\tIAD89-P{}\t{}\t/svc/{:03}/*\n",
                1_733_500_000 + i / 1000,
                i % 1000,
                statuses[i % statuses.len()],
                (i * 37) % 1000,
                i % 9,
                results[i % results.len()],
                i % ROUTES_PER_DISTRIBUTION
            )
            .into_bytes()
        })
        .collect();
    let mut group = c.benchmark_group("edge log");
    group.throughput(criterion::Throughput::Elements(LINES as u64));
    group.bench_function("parse 10,000 lines", |b| {
        b.iter(|| lines.iter().filter(|line| layout.parse(black_box(line)).is_ok()).count())
    });
    let routes = (0..ROUTES_PER_DISTRIBUTION).map(|i| format!("/svc/{i:03}/*"));
    let mut numbers = EdgeNumbers::new(routes, 100);
    let now_ms = 1_733_500_010_000;
    group.bench_function("parse and count 10,000 lines", |b| {
        b.iter(|| {
            for line in &lines {
                numbers.add_record(&layout, black_box(line), now_ms);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, frame, refresh, query_plan, audit_append, edge_log_lines);
criterion_main!(benches);
