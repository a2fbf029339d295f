//! The demo's fault key: the simulated AWS takes on the next fault, and the log says what to expect.

use super::switching::DENIED_REASON;
use crate::app::action::{Effect, Work};
use crate::app::model::state::{Mode, State};
use crate::backend::Fault;
use crate::domain::Level;

pub fn cycle(state: &mut State) -> Vec<Effect> {
    if let Mode::Live { .. } = state.policy.mode {
        state.log(Level::Info, None, "faults can only be injected in the demo; live AWS is left alone");
        return Vec::new();
    }
    let before = state.faults;
    state.faults = before.next_in_cycle();
    let message = match state.faults.iter().collect::<Vec<_>>().as_slice() {
        [] => format!("demo: faults cleared ({before} no more); AWS answers normally again"),
        faults => {
            let effects: Vec<&str> = faults.iter().map(|f| f.effect()).collect();
            format!("demo: injected fault {}: {}", state.faults, effects.join("; "))
        }
    };
    state.log(Level::Warn, None, message);
    // The console went read-only because AWS refused an update; with the refusal gone, so is that.
    if before.contains(Fault::Denied)
        && !state.faults.contains(Fault::Denied)
        && state.read_only.as_deref() == Some(DENIED_REASON)
    {
        state.read_only = None;
        state.log(Level::Info, None, "demo: updates are allowed again; switching is back on");
    }
    vec![Effect::on(state.distribution_id.clone(), Work::InjectFaults { faults: state.faults })]
}
