//! Rollout plans: a routed route's Lambda share raised step by step, each step held while the
//! route's guards stay quiet on the Lambda side. Written as text in the config and on the command
//! line: `1% 10m, 5% 10m, 25% 15m, 50% 15m, 100%`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The plan a route follows when the config names none.
pub const DEFAULT_PLAN: &str = "1% 10m, 5% 10m, 25% 15m, 50% 15m, 100%";
/// The name the default plan goes by.
pub const DEFAULT_PLAN_NAME: &str = "default";

/// One step: Lambda's share, and how long it must hold with quiet guards before the next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanStep {
    pub share: u8,
    /// Zero on the last step: the plan ends once its share is taken.
    pub hold: Duration,
}

/// A named list of steps, shares rising, the last one 100 %.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutPlan {
    pub name: String,
    pub steps: Vec<PlanStep>,
}

impl RolloutPlan {
    pub fn parse(name: &str, text: &str) -> Result<Self, String> {
        let steps: Vec<PlanStep> = text.parse::<Steps>()?.0;
        Ok(RolloutPlan { name: name.to_string(), steps })
    }

    /// The default plan, [`DEFAULT_PLAN`].
    pub fn default_plan() -> Self {
        RolloutPlan::parse(DEFAULT_PLAN_NAME, DEFAULT_PLAN).expect("the default plan parses")
    }

    /// The first step above `share`: where a plan started on a route at `share` begins.
    pub fn first_step_above(&self, share: u8) -> Option<usize> {
        self.steps.iter().position(|s| s.share > share)
    }

    /// `1% 10m, 5% 10m, 100%`: the steps as the config writes them.
    pub fn steps_text(&self) -> String {
        self.steps.iter().map(PlanStep::to_string).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for PlanStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.share)?;
        let secs = self.hold.as_secs();
        match secs {
            0 => Ok(()),
            s if s % 3600 == 0 => write!(f, " {}h", s / 3600),
            s if s % 60 == 0 => write!(f, " {}m", s / 60),
            s => write!(f, " {s}s"),
        }
    }
}

struct Steps(Vec<PlanStep>);

impl FromStr for Steps {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut steps = Vec::new();
        for (index, part) in text.split(',').map(str::trim).enumerate() {
            let step = parse_step(part).map_err(|why| format!("step {} ({part:?}): {why}", index + 1))?;
            if let Some(last) = steps.last().map(|s: &PlanStep| s.share)
                && step.share <= last
            {
                return Err(format!(
                    "step {} ({part:?}): shares must rise, and {}% follows {last}%",
                    index + 1,
                    step.share
                ));
            }
            steps.push(step);
        }
        let last = steps.last().copied().ok_or("a plan needs at least one step, such as \"100%\"")?;
        if last.share != 100 {
            return Err(format!("the last step is {}%: a plan ends at 100%", last.share));
        }
        if let Some((i, _)) = steps[..steps.len() - 1].iter().enumerate().find(|(_, s)| s.hold < MIN_HOLD) {
            return Err(format!(
                "step {} holds less than a minute: CloudWatch counts by the minute, so a shorter hold proves nothing",
                i + 1
            ));
        }
        Ok(Steps(steps))
    }
}

/// The shortest hold of a step that is not the last: the guards read one-minute numbers.
const MIN_HOLD: Duration = Duration::from_secs(60);
/// The longest hold of a step: a week. A longer one is a typo (`70000000h`), and every hold
/// stays far inside what a timestamp can add.
pub const MAX_HOLD: Duration = Duration::from_secs(7 * 24 * 3600);

fn parse_step(part: &str) -> Result<PlanStep, String> {
    let mut words = part.split_whitespace();
    let share = words.next().ok_or("empty: write a share and a hold, such as \"5% 10m\"")?;
    let share: u8 = share
        .strip_suffix('%')
        .and_then(|n| n.parse().ok())
        .filter(|n| (1..=100).contains(n))
        .ok_or_else(|| format!("{share:?} is not a share: write a whole percent from 1% to 100%"))?;
    let hold = match words.next() {
        None => Duration::ZERO,
        Some(hold) => parse_hold(hold)?,
    };
    if let Some(extra) = words.next() {
        return Err(format!("{extra:?} is one word too many: a step is a share and a hold"));
    }
    Ok(PlanStep { share, hold })
}

fn parse_hold(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a hold: write minutes (10m), hours (1h) or seconds (90s)");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let unit_secs: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(bad()),
    };
    let too_long = || format!("{text:?} holds longer than 7 days: write a hold of at most 168h (10080m)");
    // A number too long for u64 is too long a hold, as is one whose seconds would not fit.
    let number: u64 = number.parse().map_err(|_| too_long())?;
    let hold = number.checked_mul(unit_secs).map(Duration::from_secs).ok_or_else(too_long)?;
    if hold > MAX_HOLD {
        return Err(too_long());
    }
    Ok(hold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_reads_and_writes_itself() {
        let plan = RolloutPlan::default_plan();
        let shares: Vec<u8> = plan.steps.iter().map(|s| s.share).collect();
        assert_eq!(shares, [1, 5, 25, 50, 100]);
        assert_eq!(plan.steps[2].hold, Duration::from_secs(15 * 60));
        assert_eq!(plan.steps[4].hold, Duration::ZERO);
        assert_eq!(plan.steps_text(), DEFAULT_PLAN);
    }

    #[test]
    fn a_plan_starts_above_the_share_it_finds() {
        let plan = RolloutPlan::default_plan();
        assert_eq!(plan.first_step_above(0), Some(0));
        assert_eq!(plan.first_step_above(5), Some(2));
        assert_eq!(plan.first_step_above(30), Some(3));
        assert_eq!(plan.first_step_above(100), None);
    }

    #[test]
    fn bad_plans_say_what_to_write() {
        let error = |text: &str| RolloutPlan::parse("p", text).unwrap_err();
        assert!(error("5% 10m, 1% 10m, 100%").contains("shares must rise"));
        assert!(error("5% 10m, 50% 10m").contains("a plan ends at 100%"));
        assert!(error("5% 30s, 100%").contains("less than a minute"));
        assert!(error("five 10m, 100%").contains("whole percent"));
        assert!(error("5% 10 minutes, 100%").contains("not a hold"));
        assert!(error("").contains("not a share") || error("").contains("empty"));
        assert_eq!(RolloutPlan::parse("p", "10% 1h, 100%").unwrap().steps_text(), "10% 1h, 100%");
    }

    #[test]
    fn a_hold_longer_than_a_week_is_refused_whatever_its_size() {
        let error = |text: &str| RolloutPlan::parse("p", text).unwrap_err();
        // Once a console crash (jiff overflow), once a hold of 0 (jump to 100 % a minute later),
        // once a wrapped multiplication (a 3584 s hold).
        for huge in ["1% 70000000h", "1% 5124095576030431h", "1% 5124095576030432h", "1% 99999999999999999999999h"] {
            let why = error(&format!("{huge}, 100%"));
            assert!(why.contains("holds longer than 7 days") && why.contains("168h"), "{huge}: {why}");
        }
        assert!(error("1% 169h, 100%").contains("longer than 7 days"));
        assert!(error("1% 10081m, 100%").contains("longer than 7 days"));
        assert!(error("1% 604801s, 100%").contains("longer than 7 days"));
        assert!(error("1% 10m, 100% 200h").contains("longer than 7 days"), "the last step's hold too");
        for week in ["1% 168h, 100%", "1% 10080m, 100%", "1% 604800s, 100%"] {
            assert_eq!(RolloutPlan::parse("p", week).unwrap().steps[0].hold, MAX_HOLD, "{week}");
        }
    }
}
