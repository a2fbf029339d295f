//! What one carried-out step of a set-up (`cutover router`, `cutover edge-logs`) did: lines to
//! print and the ETags of a distribution update, for its audit record.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepDone {
    pub lines: Vec<String>,
    pub etag_before: Option<String>,
    pub etag_after: Option<String>,
}
