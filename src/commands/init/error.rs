//! Why `cutover init` could not write a config, each as one sentence, with the exit code it ends in.

use std::io;
use std::path::PathBuf;

use crate::backend::BackendError;
use crate::backend::aws::NoRegion;

/// A failed `cutover init`. [`InitError::exit_code`] is 2 for what the user fixes on the command line.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(
        "cutover init needs the distribution to read: pass --distribution ID (the CloudFront distribution id, such \
         as E2ABCDEF12345; `aws cloudfront list-distributions` lists them)"
    )]
    MissingDistribution,
    #[error("{} already exists; pass --force to overwrite it, or --output PATH to write elsewhere", .0.display())]
    Exists(PathBuf),
    #[error("this system has no home directory for the default config path; pass --output PATH")]
    NoDefaultPath,
    #[error(transparent)]
    NoRegion(#[from] NoRegion),
    #[error(
        "distribution {0} does not exist in this AWS account; check the id (`aws cloudfront list-distributions`) \
         and --profile"
    )]
    UnknownDistribution(String),
    #[error("cannot read distribution {id}: {source}")]
    Read {
        id: String,
        #[source]
        source: BackendError,
    },
    #[error("cannot write {}: {source}; check the path and its permissions", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl InitError {
    /// The process exit code: 2 for mistakes on the command line (a missing argument, a file in the way, a
    /// path that cannot be written), 1 for failures on the AWS side.
    pub fn exit_code(&self) -> u8 {
        match self {
            InitError::MissingDistribution
            | InitError::Exists(_)
            | InitError::NoDefaultPath
            | InitError::NoRegion(_) => 2,
            InitError::Write { source, .. } => match source.kind() {
                io::ErrorKind::PermissionDenied
                | io::ErrorKind::NotADirectory
                | io::ErrorKind::IsADirectory
                | io::ErrorKind::ReadOnlyFilesystem => 2,
                _ => 1,
            },
            InitError::UnknownDistribution(_) | InitError::Read { .. } => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_mistakes_exit_2_and_aws_failures_1() {
        assert_eq!(InitError::MissingDistribution.exit_code(), 2);
        assert_eq!(InitError::Exists("c.toml".into()).exit_code(), 2);
        assert_eq!(InitError::NoRegion(NoRegion).exit_code(), 2);
        assert_eq!(InitError::UnknownDistribution("E1".into()).exit_code(), 1);
        assert_eq!(InitError::Read { id: "E1".into(), source: BackendError::Timeout }.exit_code(), 1);
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(InitError::Write { path: "/c.toml".into(), source: denied }.exit_code(), 2);
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert_eq!(InitError::Write { path: "/c.toml".into(), source: full }.exit_code(), 1);
    }

    #[test]
    fn messages_are_one_sentence_with_the_next_step() {
        assert_eq!(
            InitError::Exists("/tmp/cutover.toml".into()).to_string(),
            "/tmp/cutover.toml already exists; pass --force to overwrite it, or --output PATH to write elsewhere"
        );
        let e = InitError::MissingDistribution.to_string();
        assert!(e.contains("--distribution ID") && !e.contains('\n'), "{e}");
        let e = InitError::UnknownDistribution("E404".into()).to_string();
        assert!(e.starts_with("distribution E404 does not exist"), "{e}");
    }
}
