//! Pure types of the problem: routes and their targets, metric series, alert rules (the routes'
//! and the router's own), log entries, probes through the distribution and who answered them.
//! Nothing here performs IO or knows about the terminal.

pub mod backoff;
pub mod demo_words;
pub mod edge_log;
pub mod edge_numbers;
pub mod event;
pub mod format;
pub mod metrics;
pub mod plan;
pub mod preflight;
pub mod probe;
pub mod route;
pub mod router_health;
pub mod router_route;
pub mod stage;
pub mod thresholds;
pub mod traffic;
pub mod visible;

pub use event::{Level, LogEntry};
pub use metrics::{AccountConcurrency, BackendMinute, EdgeMinute, MetricsSnapshot, MinutePoint, Reading, RouterMinute};
pub use preflight::{BehaviorPolicies, Findings, PolicyBook, PolicyKind};
pub use route::{DeployStatus, OriginPair, ReadBack, RouteChange, RouteInfo, Target, Topology};
pub use thresholds::{Breach, BreachKind, Thresholds};
