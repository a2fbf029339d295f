//! Why the live console could not start, each as one sentence, with the exit code it ends in.

use std::path::PathBuf;

use crate::backend::BackendError;
use crate::backend::aws::{MissingProfile, NoRegion};

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(
        "no config file at {}; create one from your distribution with `cutover init --distribution ID`, \
         or try the console on a simulated AWS world with `cutover demo`",
        .0.display()
    )]
    NoConfig(PathBuf),
    #[error("no config file given and this system has no home directory; pass --config PATH, or try `cutover demo`")]
    NoDefaultPath,
    #[error("the config file {0} names no distribution; add a [[distribution]] table (see `cutover init`)")]
    NoDistribution(String),
    #[error("distribution {id} is not in the config file {file}; it has {configured}")]
    NotConfigured { id: String, file: String, configured: String },
    #[error(transparent)]
    NoRegion(#[from] NoRegion),
    /// A region from `--region`, the environment or a profile that is not a region's code.
    #[error(
        "region \"{region}\" (from {from}) is not an AWS region name; give the region's code as AWS names it, such as eu-west-1"
    )]
    BadRegion { region: String, from: &'static str },
    /// `--profile`, or an account's `profile`, that the AWS profile files do not define: the
    /// environment's credentials would otherwise read some other account without a word.
    #[error(transparent)]
    NoProfile(#[from] MissingProfile),
    // The backend error is part of the sentence, not a separate cause, so it is said once.
    #[error("cannot read distribution {id}: {error}")]
    Read { id: String, error: BackendError },
}

impl LiveError {
    /// 2 for what the user fixes in the config or on the command line, 1 for failures on the AWS side.
    pub fn exit_code(&self) -> u8 {
        match self {
            LiveError::Read { .. } => 1,
            _ => 2,
        }
    }
}
