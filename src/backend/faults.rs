//! Faults the demo's simulated AWS can be told to have, so an operator can rehearse a bad day and a
//! test can prove the console stays calm through one. Real AWS never obeys them.

use std::fmt;

use clap::ValueEnum;

/// One way AWS can misbehave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum Fault {
    /// The control plane and CloudWatch answer `Throttling`.
    Throttling,
    /// Calls hang past the client timeout.
    Timeouts,
    /// Every update first meets a stale ETag (someone else wrote just before).
    Conflicts,
    /// Updates are refused (`AccessDenied`).
    Denied,
    /// Every call fails to connect.
    Offline,
    /// The router's CloudFront Function fails on a share of its runs (over its time limit), so
    /// CloudFront answers those requests with a 503; the calls themselves answer normally.
    RouterErrors,
}

impl Fault {
    pub const ALL: [Fault; 6] =
        [Fault::Throttling, Fault::Timeouts, Fault::Conflicts, Fault::Denied, Fault::Offline, Fault::RouterErrors];

    pub fn name(self) -> &'static str {
        match self {
            Fault::Throttling => "throttling",
            Fault::Timeouts => "timeouts",
            Fault::Conflicts => "conflicts",
            Fault::Denied => "denied",
            Fault::Offline => "offline",
            Fault::RouterErrors => "router-errors",
        }
    }

    /// What the operator will see, for the event log.
    pub fn effect(self) -> &'static str {
        match self {
            Fault::Throttling => "CloudFront and CloudWatch answer Throttling",
            Fault::Timeouts => "every call hangs until the client gives up",
            Fault::Conflicts => "every update first meets a stale ETag",
            Fault::Denied => "UpdateDistribution is refused with AccessDenied",
            Fault::Offline => "no call can connect",
            Fault::RouterErrors => {
                "the router function fails on a quarter of its runs, which CloudFront answers with a 503 (its guard follows)"
            }
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of faults, small enough to copy and to keep in an atomic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FaultSet(u8);

impl FaultSet {
    pub const NONE: FaultSet = FaultSet(0);

    pub fn contains(self, fault: Fault) -> bool {
        self.0 & fault.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Fault> {
        Fault::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// The next step of the demo's fault key: none, then each fault alone in turn, then none again.
    /// A mix given on the command line steps back to none.
    pub fn next_in_cycle(self) -> FaultSet {
        let mut faults = self.iter();
        match (faults.next(), faults.next()) {
            (None, _) => FaultSet::from(Fault::ALL[0]),
            (Some(one), None) => match Fault::ALL.iter().position(|f| *f == one).and_then(|i| Fault::ALL.get(i + 1)) {
                Some(next) => FaultSet::from(*next),
                None => FaultSet::NONE,
            },
            (Some(_), Some(_)) => FaultSet::NONE,
        }
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn from_bits(bits: u8) -> FaultSet {
        FaultSet(bits & Fault::ALL.iter().fold(0, |all, f| all | f.bit()))
    }
}

impl From<Fault> for FaultSet {
    fn from(fault: Fault) -> Self {
        FaultSet(fault.bit())
    }
}

impl FromIterator<Fault> for FaultSet {
    fn from_iter<I: IntoIterator<Item = Fault>>(faults: I) -> Self {
        FaultSet(faults.into_iter().fold(0, |bits, f| bits | f.bit()))
    }
}

impl fmt::Display for FaultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        let names: Vec<&str> = self.iter().map(Fault::name).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_visits_every_fault_alone_and_comes_back_to_none() {
        let mut set = FaultSet::NONE;
        let mut seen = Vec::new();
        for _ in 0..7 {
            set = set.next_in_cycle();
            seen.push(set.to_string());
        }
        assert_eq!(seen, ["throttling", "timeouts", "conflicts", "denied", "offline", "router-errors", "none"]);
    }

    #[test]
    fn a_mix_steps_back_to_none_and_bits_round_trip() {
        let mix: FaultSet = [Fault::Offline, Fault::Throttling].into_iter().collect();
        assert_eq!(mix.to_string(), "throttling, offline");
        assert_eq!(mix.next_in_cycle(), FaultSet::NONE);
        assert_eq!(FaultSet::from_bits(mix.bits()), mix);
        assert_eq!(FaultSet::from_bits(0xFF).iter().count(), 6);
    }
}
