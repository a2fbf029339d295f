//! CloudFront real-time logs ("edge logs"): what `cutover edge-logs` sets up on one distribution —
//! a Kinesis data stream, the IAM role CloudFront assumes to write it, a real-time log
//! configuration with cutover's fields, and that configuration on the chosen behaviors.
//! `install.rs` plans it, purely; `backend::edge_log_steps` carries it out.

pub mod install;
