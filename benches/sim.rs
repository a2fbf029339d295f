//! The demo world's own cost: how long the simulator takes to answer the console's metrics fetch
//! (the hour window of every route), as `cutover demo` asks for it once a simulated minute.
//!
//! Run with `cargo bench --bench sim`. Each iteration moves the demo's clock on by one refresh
//! period (60 s of simulated time, on tokio's paused clock) and fetches again, so a steady run sees
//! one newly arrived minute per fetch, as the console does; the first fetch of a world is measured
//! apart ("first fetch").

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use cutover::backend::sim::catalog::{self, DEFAULT_ROUTES};
use cutover::backend::sim::{Scenario, SimBackend, SimOptions};
use cutover::backend::{FaultSet, MetricsSource};
use cutover::clock::Clock;
use tokio::runtime::Runtime;

/// How often the console refreshes its metrics (`RefreshPolicy::every`), in simulated time.
const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// `cutover demo`'s default speed.
const SPEED: f64 = 10.0;

/// The demo's distributions as `cutover demo --routes R --distributions D` builds them (the first
/// one plays the scenario, the others are calm on seeds of their own), with the paths the console
/// asks metrics for: every route's.
struct DemoWorld {
    clock: Clock,
    backends: Vec<SimBackend>,
    paths: Vec<String>,
}

impl DemoWorld {
    fn new(distributions: u8, routes: usize) -> Self {
        let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), SPEED);
        let backends = (0..distributions)
            .map(|index| {
                let options =
                    SimOptions { scenario: Scenario::Calm, seed: 1 + u64::from(index), faults: FaultSet::NONE };
                SimBackend::new(clock.clone(), options)
                    .with_routes(routes)
                    .with_distribution_id(catalog::demo_distribution_id(index))
            })
            .collect();
        let paths = catalog::routes_of(routes).into_iter().map(|r| r.path).collect();
        DemoWorld { clock, backends, paths }
    }

    /// One refresh of every distribution, as the console's sessions ask for it.
    async fn fetch_all(&self) -> usize {
        let mut points = 0;
        for backend in &self.backends {
            let snapshot = backend.fetch(black_box(&self.paths)).await.expect("the calm demo answers");
            points += snapshot.routes.values().map(Vec::len).sum::<usize>();
        }
        points
    }
}

fn paused_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap()
}

fn fetch(c: &mut Criterion) {
    let mut group = c.benchmark_group("sim");
    let sizes = [("default demo (9 routes)", 1, DEFAULT_ROUTES), ("--routes 75 --distributions 14", 14, 75)];
    for (name, distributions, routes) in sizes {
        let runtime = paused_runtime();
        let world = runtime.block_on(async {
            let world = DemoWorld::new(distributions, routes);
            // Start where the console is after a few minutes: a full window already fetched once.
            world.clock.sleep(Duration::from_secs(300)).await;
            world.fetch_all().await;
            world
        });
        group.bench_function(format!("metrics refresh, {name}"), |b| {
            b.iter(|| {
                runtime.block_on(async {
                    world.clock.sleep(REFRESH_EVERY).await;
                    world.fetch_all().await
                })
            })
        });
        group.bench_function(format!("first fetch, {name}"), |b| {
            b.iter_batched(
                || {
                    runtime.block_on(async {
                        let world = DemoWorld::new(distributions, routes);
                        world.clock.sleep(Duration::from_secs(300)).await;
                        world
                    })
                },
                |world| runtime.block_on(world.fetch_all()),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, fetch);
criterion_main!(benches);
