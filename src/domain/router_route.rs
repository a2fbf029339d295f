//! A route as the router's store holds it: whether the index lists it, its record (a share, none,
//! or a value that does not decode), and how much of its viewers the router may send to Lambda;
//! with the words every screen and command uses for a missing piece.

/// A route's record in the router's store, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Missing,
    Share(u8),
    /// It does not decode; why.
    Unreadable(String),
}

/// What the store says of one route: whether the index lists it and its record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreEntry {
    /// `Some(true)` listed, `Some(false)` not, `None` when the index could not be read that far.
    pub listed: Option<bool>,
    pub record: Record,
}

/// How much of a route's viewers the router may send to Lambda.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// Exactly this share (0 when the function cannot reach the route's record).
    Share(u8),
    /// Nobody can tell: the record or the store cannot be read. Counts as more than 0.
    Unknown,
}

impl Via {
    /// Whether the router may be sending any viewer of the route to Lambda.
    pub fn may_send(self) -> bool {
        self != Via::Share(0)
    }
}

/// The words for a piece that is missing (shared by the console, `status` and `weight`).
pub const NOT_IN_INDEX: &str = "not in the router's index";
pub const NO_FUNCTION: &str = "behavior does not run the router";
pub const RECORD_UNREADABLE: &str = "router record unreadable";
pub const NO_RECORD: &str = "no router record";
pub const INDEX_UNREADABLE: &str = "the router's index could not be read";
pub const STORE_UNREAD: &str = "the router's store could not be read";
