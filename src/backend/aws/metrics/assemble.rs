//! CloudWatch's answers, laid out as a [`MetricsSnapshot`]: every route gets exactly
//! [`WINDOW_MINUTES`] points, and a minute CloudWatch had no datapoint for stays `None`.

use std::collections::HashMap;

use super::fetch::Series;
use super::queries::{Field, QueryPlan, RouterField, Slot};
use super::window::Window;
use crate::domain::metrics::WINDOW_MINUTES;
use crate::domain::{AccountConcurrency, EdgeMinute, MetricsSnapshot, MinutePoint, Reading, RouterMinute};

/// The account's concurrency limit and whether it is the configured fallback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub value: u32,
    pub assumed: bool,
}

/// The snapshot for `paths` from the values `plan`'s queries brought back.
pub fn assemble(paths: &[String], plan: &QueryPlan, window: Window, series: &Series, limit: Limit) -> MetricsSnapshot {
    assemble_accounts(paths, plan, window, series, limit, Vec::new())
}

/// [`assemble`] for Lambda sides in several accounts: `accounts` as read (names, ids, limits,
/// errors), one per account of the plan; each gets its concurrency series here.
// Long: one loop that puts every answer in its place, then the snapshot laid out field by field.
pub fn assemble_accounts(
    paths: &[String],
    plan: &QueryPlan,
    window: Window,
    series: &Series,
    limit: Limit,
    mut accounts: Vec<AccountConcurrency>,
) -> MetricsSnapshot {
    for account in &mut accounts {
        account.used = vec![None; WINDOW_MINUTES];
    }
    let mut routes: Vec<Vec<MinutePoint>> = vec![vec![MinutePoint::default(); WINDOW_MINUTES]; paths.len()];
    let mut edge = vec![EdgeMinute::default(); WINDOW_MINUTES];
    let mut concurrency = vec![None; WINDOW_MINUTES];
    // Only a plan that asks for the router's health has it: an empty series says there is no router.
    let has_router = plan.queries.iter().any(|q| matches!(q.slot, Slot::Router(_)));
    let mut router = if has_router { vec![RouterMinute::default(); WINDOW_MINUTES] } else { Vec::new() };
    let mut newest: Option<usize> = None;

    for query in &plan.queries {
        let Some(points) = series.get(&query.id) else { continue };
        for &(seconds, value) in points {
            let Some(i) = window.index_of(seconds) else { continue };
            // One datapoint per minute is what was asked for; a second one is not added to the first.
            let target = match query.slot {
                Slot::Route { index, field } => {
                    let Some(point) = routes.get_mut(index).map(|r| &mut r[i]) else { continue };
                    newest = newest.max(Some(i));
                    let reading = route_field(point, field);
                    if reading.get().is_none() {
                        let value = if field == Field::OriginLatencySeconds { value * 1000.0 } else { value };
                        *reading = Some(value).into();
                    }
                    continue;
                }
                Slot::EdgeRequests => &mut edge[i].requests,
                Slot::EdgeErrorRatePct => &mut edge[i].error_rate_5xx_pct,
                Slot::Concurrency => &mut concurrency[i],
                Slot::Router(field) => router_field(&mut router[i], field),
                Slot::AccountConcurrency(a) => match accounts.get_mut(a) {
                    Some(account) => &mut account.used[i],
                    None => continue,
                },
            };
            target.get_or_insert(value);
        }
    }

    count_throttled_as_failed(&mut routes, plan);
    if let Some(home) = accounts.first_mut() {
        home.used.clone_from(&concurrency);
    }
    MetricsSnapshot {
        window_start: window.start,
        routes: paths.iter().cloned().zip(routes).collect::<HashMap<_, _>>(),
        concurrency,
        concurrency_limit: limit.value,
        concurrency_limit_assumed: limit.assumed,
        edge,
        router,
        unmeasured: plan.unmeasured.clone(),
        newest_datapoint: newest.map(|i| window.minute_end(i)),
        queries: plan.queries.len(),
        accounts,
        route_accounts: plan.route_accounts.clone(),
    }
}

/// A Lambda side measured by its function alone: Lambda's `Invocations` and `Errors` leave out the
/// calls it throttled, which their callers got as errors. They are added to both, as API Gateway
/// counts them (in `Count`, and in `5XXError` as the 500 it answers), so that a throttled route's
/// 5xx rate says how many of its requests were refused instead of looking healthy.
fn count_throttled_as_failed(routes: &mut [Vec<MinutePoint>], plan: &QueryPlan) {
    let by_function = plan.queries.iter().filter_map(|q| match q.slot {
        Slot::Route { index, field: Field::LambdaRequests } if q.namespace == "AWS/Lambda" => Some(index),
        _ => None,
    });
    for index in by_function {
        let Some(series) = routes.get_mut(index) else { continue };
        for point in series {
            let Some(throttled) = point.throttles.get().filter(|t| *t > 0.0) else { continue };
            let (requests, errors) = (point.lambda.requests.get(), point.lambda.errors_5xx.get());
            point.lambda.requests = Some(requests.unwrap_or(0.0) + throttled).into();
            point.lambda.errors_5xx = Some(errors.unwrap_or(0.0) + throttled).into();
        }
    }
}

fn router_field(minute: &mut RouterMinute, field: RouterField) -> &mut Option<f64> {
    match field {
        RouterField::ExecutionErrors => &mut minute.execution_errors,
        RouterField::ValidationErrors => &mut minute.validation_errors,
        RouterField::Throttles => &mut minute.throttles,
        RouterField::ComputeUtilization => &mut minute.compute_utilization_pct,
    }
}

fn route_field(point: &mut MinutePoint, field: Field) -> &mut Reading {
    match field {
        Field::LambdaRequests => &mut point.lambda.requests,
        Field::LambdaErrors => &mut point.lambda.errors_5xx,
        Field::LambdaLatencyMs => &mut point.lambda.latency_ms,
        Field::Throttles => &mut point.throttles,
        Field::OriginRequests => &mut point.origin.requests,
        Field::OriginErrors => &mut point.origin.errors_5xx,
        Field::OriginLatencySeconds => &mut point.origin.latency_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::aws::metrics::queries::plan;
    use crate::config::{EXAMPLE, parse};
    use crate::domain::{BackendMinute, Target};

    fn setup(paths: &[&str]) -> (Vec<String>, QueryPlan, Window) {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        let plan = plan("E2ABCDEF12345", config.distribution("E2ABCDEF12345"), "p99", &paths, None);
        (paths, plan, Window::ending_before("2026-01-15T22:30:42Z".parse().unwrap()))
    }

    fn at(window: Window, minute: i64) -> i64 {
        window.start.as_second() + minute * 60
    }

    const LIMIT: Limit = Limit { value: 1000, assumed: true };

    #[test]
    fn values_land_in_their_minute_and_missing_ones_stay_none() {
        let (paths, plan, w) = setup(&["*", "/static/*"]);
        let series = Series::from([
            ("r0_lam_req".to_string(), vec![(at(w, 59), 200.0), (at(w, 57), 100.0)]),
            ("r0_lam_5xx".to_string(), vec![(at(w, 59), 10.0)]),
            ("r0_lam_lat".to_string(), vec![(at(w, 59), 250.0)]),
            ("r0_org_req".to_string(), vec![(at(w, 59), 800.0)]),
            ("r0_org_5xx".to_string(), vec![(at(w, 59), 0.0)]),
            ("r0_org_lat".to_string(), vec![(at(w, 59), 0.125)]),
            ("edge_req".to_string(), vec![(at(w, 59), 1000.0)]),
            ("edge_5xx".to_string(), vec![(at(w, 59), 1.0)]),
            ("account_conc".to_string(), vec![(at(w, 0), 7.0)]),
        ]);
        let s = assemble(&paths, &plan, w, &series, LIMIT);
        assert_eq!(s.window_start, w.start);
        assert_eq!(s.series("*").len(), WINDOW_MINUTES);
        assert_eq!(s.series("/static/*").len(), WINDOW_MINUTES);
        let last = s.series("*")[59];
        assert_eq!(last.lambda, BackendMinute::new(Some(200.0), Some(10.0), Some(250.0)));
        // ALB latency is in seconds; the snapshot has milliseconds.
        assert_eq!(last.origin, BackendMinute::new(Some(800.0), Some(0.0), Some(125.0)));
        assert_eq!(last.error_rate_pct(), Some(1.0));
        assert_eq!(last.throttles.get(), None);
        // Minute 57 has requests but no errors or latency; minute 58 has nothing at all.
        let m57 = s.series("*")[57];
        assert_eq!(
            (m57.lambda.requests.get(), m57.lambda.errors_5xx.get(), m57.origin.requests.get()),
            (Some(100.0), None, None)
        );
        assert_eq!(s.series("*")[58], MinutePoint::default());
        assert!(s.series("/static/*").iter().all(|p| *p == MinutePoint::default()));
        assert_eq!(s.edge.len(), WINDOW_MINUTES);
        assert_eq!(s.edge[59], EdgeMinute { requests: Some(1000.0), error_rate_5xx_pct: Some(1.0) });
        assert_eq!(s.edge[0], EdgeMinute::default());
        assert!(s.router.is_empty(), "no router asked for, none reported");
        assert_eq!(s.concurrency.len(), WINDOW_MINUTES);
        assert_eq!((s.concurrency[0], s.concurrency[1]), (Some(7.0), None));
        assert_eq!(s.newest_datapoint, Some(w.end()));
        assert_eq!((s.concurrency_limit, s.concurrency_limit_assumed), (1000, true));
        assert_eq!(s.queries, plan.queries.len());
        assert_eq!(
            s.unmeasured,
            [Target::Lambda, Target::Origin].map(|t| ("/static/*".to_string(), t)).into_iter().collect()
        );
    }

    #[test]
    fn newest_datapoint_comes_from_routes_only() {
        let (paths, plan, w) = setup(&["/user/*"]);
        let series = Series::from([
            ("r0_lam_req".to_string(), vec![(at(w, 40), 1.0)]),
            ("r0_lam_thr".to_string(), vec![(at(w, 41), 2.0)]),
            ("edge_req".to_string(), vec![(at(w, 59), 1.0)]),
            ("account_conc".to_string(), vec![(at(w, 59), 1.0)]),
        ]);
        let s = assemble(&paths, &plan, w, &series, Limit { value: 3000, assumed: false });
        assert_eq!(s.newest_datapoint, Some(w.minute_end(41)));
        assert_eq!(s.series("/user/*")[41].throttles.get(), Some(2.0));
        assert_eq!((s.concurrency_limit, s.concurrency_limit_assumed), (3000, false));
        let empty = assemble(&paths, &plan, w, &Series::new(), LIMIT);
        assert_eq!(empty.newest_datapoint, None);
        assert!(empty.series("/user/*").iter().all(|p| !p.has_data()));
    }

    /// Half of a function-measured route's calls throttled: its 5xx rate is half, not the 1 % of
    /// the invocations that ran. A route measured by API Gateway already has them in its numbers.
    #[test]
    fn a_function_measured_routes_throttled_calls_count_as_failed_requests() {
        let (paths, plan, w) = setup(&["/user/*", "/orders/*"]);
        let by_function = |q: &&super::super::queries::Query| q.id == "r0_lam_req" && q.namespace == "AWS/Lambda";
        assert!(plan.queries.iter().any(|q| by_function(&q)), "/user/* is measured by its function");
        let series = Series::from([
            ("r0_lam_req".to_string(), vec![(at(w, 50), 500.0), (at(w, 51), 1000.0)]),
            ("r0_lam_5xx".to_string(), vec![(at(w, 50), 5.0), (at(w, 51), 10.0)]),
            ("r0_lam_thr".to_string(), vec![(at(w, 50), 500.0), (at(w, 51), 0.0)]),
            ("r1_lam_req".to_string(), vec![(at(w, 50), 1000.0)]),
            ("r1_lam_5xx".to_string(), vec![(at(w, 50), 500.0)]),
            ("r1_lam_thr".to_string(), vec![(at(w, 50), 500.0)]),
        ]);
        let s = assemble(&paths, &plan, w, &series, LIMIT);
        let user = s.series("/user/*");
        assert_eq!((user[50].lambda.requests.get(), user[50].lambda.errors_5xx.get()), (Some(1000.0), Some(505.0)));
        assert_eq!(user[50].error_rate_pct(), Some(50.5));
        assert_eq!(user[51].error_rate_pct(), Some(1.0), "no throttles, nothing added");
        let orders = s.series("/orders/*")[50];
        assert_eq!(orders.error_rate_pct(), Some(50.0), "API Gateway's numbers are left as they are");
    }

    #[test]
    fn odd_answers_are_ignored() {
        let (paths, plan, w) = setup(&["/user/*"]);
        let series = Series::from([
            // Outside the window on both ends, an unknown id, and a second value for the same minute.
            ("r0_lam_req".to_string(), vec![(at(w, -1), 1.0), (at(w, 60), 2.0), (at(w, 3), 3.0), (at(w, 3) + 30, 4.0)]),
            ("r99_lam_req".to_string(), vec![(at(w, 3), 5.0)]),
            ("nonsense".to_string(), vec![(at(w, 3), 6.0)]),
        ]);
        let s = assemble(&paths, &plan, w, &series, LIMIT);
        let requests: Vec<Option<f64>> = s.series("/user/*").iter().map(|p| p.lambda.requests.get()).collect();
        assert_eq!(requests.iter().flatten().count(), 1);
        assert_eq!(requests[3], Some(3.0));
    }

    #[test]
    fn the_routers_health_lands_in_its_minutes_and_quiet_minutes_stay_missing() {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        let paths = vec!["/user/*".to_string()];
        let plan =
            plan("E2ABCDEF12345", config.distribution("E2ABCDEF12345"), "p99", &paths, Some("cutover-router-E2"));
        let w = Window::ending_before("2026-01-15T22:30:42Z".parse().unwrap());
        let series = Series::from([
            ("router_exec".to_string(), vec![(at(w, 58), 0.0), (at(w, 59), 37.0)]),
            ("router_valid".to_string(), vec![(at(w, 59), 2.0)]),
            ("router_thr".to_string(), vec![(at(w, 59), 1.0)]),
            ("router_cpu".to_string(), vec![(at(w, 58), 12.5), (at(w, 59), 91.0)]),
        ]);
        let s = assemble(&paths, &plan, w, &series, LIMIT);
        assert_eq!(s.router.len(), WINDOW_MINUTES);
        let expected = RouterMinute {
            execution_errors: Some(37.0),
            validation_errors: Some(2.0),
            throttles: Some(1.0),
            compute_utilization_pct: Some(91.0),
        };
        assert_eq!(s.router[59], expected);
        assert_eq!(
            s.router[58],
            RouterMinute { execution_errors: Some(0.0), compute_utilization_pct: Some(12.5), ..Default::default() }
        );
        assert_eq!(s.router[0], RouterMinute::default());
        assert_eq!(s.newest_datapoint, None, "the router's numbers say nothing of the routes' freshness");
        assert_eq!(s.queries, plan.queries.len());
    }
}
