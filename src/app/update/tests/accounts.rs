//! The switch dialog when the Lambda sides live in several accounts: the pre-flight counts the free
//! concurrency of the account the route's Lambda side lives in, and the dialog lists each account.

use crate::app::action::Event;
use std::collections::HashMap;

use super::*;
use crate::domain::AccountConcurrency;
use crate::domain::metrics::WINDOW_MINUTES;

fn account(label: &str, id: &str, used: f64, limit: u32) -> AccountConcurrency {
    AccountConcurrency {
        label: label.into(),
        account_id: Some(id.into()),
        used: vec![Some(used); WINDOW_MINUTES],
        limit,
        as_of: Some(t0()),
        ..AccountConcurrency::default()
    }
}

/// `loaded()`, then numbers where `/search/*` (on the origin) has its Lambda side in `search_account`:
/// the distribution's own account has 600 of 1,000 free, `payments` 100 of 3,000.
fn with_accounts(search_account: usize) -> State {
    let mut state = loaded();
    let mut numbers = metrics(0);
    numbers.accounts =
        vec![account("default", "123456789012", 400.0, 1000), account("payments", "210987654321", 2900.0, 3000)];
    numbers.route_accounts = HashMap::from([
        ("/user/*".to_string(), 0),
        ("/orders/*".to_string(), 0),
        ("/search/*".to_string(), search_account),
        ("*".to_string(), 0),
    ]);
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(numbers) }));
    state
}

fn dialog(state: &mut State, path: &str) -> crate::app::model::state::ConfirmSwitch {
    select(state, path);
    press(state, Command::Switch);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no confirm dialog: {:?}", state.view.overlay) };
    confirm.clone()
}

#[test]
fn the_preflight_counts_the_free_concurrency_of_the_routes_own_account() {
    let mut state = with_accounts(1);
    let confirm = dialog(&mut state, "/search/*");
    let estimate = confirm.health.iter().find(|h| h.starts_with("pre-flight")).expect("a pre-flight line");
    assert!(estimate.ends_with("100 of 3,000 free now in account 2109…4321"), "{estimate}");
    let warning = confirm.warning.as_deref().expect("payments is nearly full");
    assert!(warning.contains("of account 2109…4321's Lambda concurrency"), "{warning}");
    assert!(
        confirm.health.iter().any(|h| h == "account 2109…4321 (payments) concurrency 2,900/3,000 (97% used)"),
        "{:?}",
        confirm.health
    );
    assert!(confirm.health.iter().any(|h| h.starts_with("account 1234…9012 (default) concurrency 400/1,000")));
}

#[test]
fn the_same_route_in_the_distributions_account_is_not_held_back_by_a_full_other_one() {
    let mut state = with_accounts(0);
    let confirm = dialog(&mut state, "/search/*");
    let estimate = confirm.health.iter().find(|h| h.starts_with("pre-flight")).expect("a pre-flight line");
    assert!(estimate.ends_with("600 of 1,000 free now in account 1234…9012"), "{estimate}");
    assert_eq!(confirm.warning, None);
}
