//! What can go wrong with the audit file.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("no home directory to keep the audit trail in")]
    NoStateDir,
    #[error("cannot create the audit directory {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot open the audit file {}: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot write to the audit file {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read the audit file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot encode an audit record: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("cannot print the audit trail: {0}")]
    Output(#[source] io::Error),
}
