//! The commands, one room each over the shared core: `demo` and `live` start the console, `init`
//! writes a config, `headless` holds `status`, `switch` and `rollback-all`, and `log` prints the
//! audit trail (`log_team` the team's shared journal, `log --team`); `router` installs, checks and removes the router function; `demo_world` is the demo
//! world the `--demo` commands and `cutover demo` share, kept between them; `edge_logs` sets up,
//! checks and removes CloudFront real-time logs; `doctor` checks that an incident would find
//! everything it needs. Their command-line types live in `crate::cli`; `main.rs` only picks one.

pub mod demo;
pub mod demo_world;
pub mod doctor;
pub mod edge_logs;
pub mod headless;
pub mod init;
pub mod live;
pub mod log;
pub mod log_team;
pub mod reference;
pub mod router;
pub mod set_up_plan;
