//! What the router does with one route, read back from AWS. A route is routed only when three
//! pieces agree: its behavior runs the router's function (the viewer-request association as
//! fetched), the store's `routes` index lists its path pattern, and its `route:` record decodes.
//! Anything less is said piece by piece, and a record nobody can read counts as possibly sending
//! viewers to Lambda, never as 0.

use crate::app::model::state::{RouteRow, State};
use crate::backend::share::{RecordRead, ShareChange, StoreState};
use crate::domain::Target;
pub use crate::domain::router_route::*;

/// What the store says of `path`: whether its index lists it and its record.
pub fn entry_of(store: &StoreState, path: &str) -> StoreEntry {
    let record = match store.record(path) {
        RecordRead::Missing => Record::Missing,
        RecordRead::Readable(record) => Record::Share(record.share),
        RecordRead::Unreadable(why) => Record::Unreadable(why.to_string()),
    };
    StoreEntry { listed: store.index.lists(path), record }
}

impl RouteRow {
    /// Lambda's share when all three pieces agree: the share the function applies.
    pub fn routed_share_read(&self) -> Option<u8> {
        match &self.router_entry {
            Some(StoreEntry { listed: Some(true), record: Record::Share(share) }) if self.runs_router => Some(*share),
            _ => None,
        }
    }

    /// Whether any piece of the router is there for this route.
    pub fn touched_by_router(&self) -> bool {
        self.runs_router
            || self.router_entry.as_ref().is_some_and(|e| e.listed == Some(true) || e.record != Record::Missing)
    }

    /// The pieces that are missing, in words, when the route has some of the router but is not
    /// routed (empty when it is routed, or has nothing of the router).
    pub fn router_missing(&self) -> Vec<&'static str> {
        if !self.touched_by_router() || self.routed_share_read().is_some() {
            return Vec::new();
        }
        let Some(entry) = &self.router_entry else {
            return vec![STORE_UNREAD];
        };
        let mut missing = Vec::new();
        if !self.runs_router {
            missing.push(NO_FUNCTION);
        }
        match entry.listed {
            Some(false) => missing.push(NOT_IN_INDEX),
            None => missing.push(INDEX_UNREADABLE),
            Some(true) => {}
        }
        match entry.record {
            Record::Unreadable(_) => missing.push(RECORD_UNREADABLE),
            Record::Missing => missing.push(NO_RECORD),
            Record::Share(_) => {}
        }
        missing
    }

    /// How much of the route's viewers the router may send to Lambda (whatever the behavior does).
    pub fn via_router(&self) -> Via {
        let Some(entry) = &self.router_entry else {
            return if self.runs_router { Via::Unknown } else { Via::Share(0) };
        };
        match (&entry.record, entry.listed) {
            // What the function makes of a value cutover cannot read is anybody's guess.
            (Record::Unreadable(_), _) => Via::Unknown,
            (Record::Missing, _) | (Record::Share(0), _) => Via::Share(0),
            _ if !self.runs_router => Via::Share(0),
            (Record::Share(share), Some(true)) => Via::Share(*share),
            (Record::Share(_), Some(false)) => Via::Share(0),
            (Record::Share(_), None) => Via::Unknown,
        }
    }

    /// The write that puts the router's part of this route back to 0, when there is one to make:
    /// a record with a share above 0 (live or not: it would go live with its missing piece), or a
    /// record that cannot be read, overwritten with a share-0 record (the safe direction).
    pub fn zero_change(&self) -> Option<ShareChange> {
        match &self.router_entry.as_ref()?.record {
            Record::Share(share) if *share > 0 => Some(ShareChange::new(&self.path, *share, 0)),
            Record::Unreadable(_) => {
                let (lambda, home) = match &self.pair {
                    Ok(pair) => (pair.lambda.clone(), pair.legacy.clone()),
                    // Share 0 never selects `lambda`: the behavior's own origin stands in.
                    Err(_) => (self.origin_id.clone(), self.origin_id.clone()),
                };
                Some(ShareChange::zero_unreadable(&self.path, &lambda, &home))
            }
            _ => None,
        }
    }

    /// The first share move of a route whose behavior runs the router and which the index lists,
    /// but which has no record yet: it writes one, with the route's origin ids.
    pub fn first_change(&self, to: u8) -> Option<ShareChange> {
        let entry = self.router_entry.as_ref()?;
        let pair = self.pair.as_ref().ok()?;
        (self.runs_router
            && entry.listed == Some(true)
            && entry.record == Record::Missing
            && self.is_on(Target::Origin))
        .then(|| ShareChange::first(&self.path, to, &pair.lambda, &pair.legacy))
    }

    /// The router's part of the route in a few words, for the table, the detail and `status`:
    /// `None` when the router has nothing to do with it.
    pub fn router_words(&self) -> Option<String> {
        if let Some(share) = self.routed_share_read() {
            return Some(format!("λ {share} % (router)"));
        }
        let missing = self.router_missing();
        if missing.is_empty() {
            return None;
        }
        let record = match self.router_entry.as_ref().map(|e| &e.record) {
            Some(Record::Share(share)) if *share > 0 => format!(", its record says λ {share} %"),
            _ => String::new(),
        };
        Some(format!("not routed: {}{record}", missing.join(", ")))
    }
}

impl State {
    /// Why the router's shares are not known now, when they are not and the router may be sending
    /// viewers to Lambda: its store's last read failed (or none has come back), and some behavior
    /// runs the router or the last read held a share or a record it could not read.
    pub fn router_unknown(&self) -> Option<String> {
        if !self.policy.router || (self.learned.shares.is_some() && self.learned.shares.failures() == 0) {
            return None;
        }
        let exposed = self.routes.iter().any(|r| r.runs_router || r.via_router().may_send());
        if !exposed {
            return None;
        }
        let why = self.learned.router_store_error.clone().unwrap_or_else(|| "no answer yet".to_string());
        Some(format!(
            "{STORE_UNREAD} ({why}); viewers may still reach Lambda through the router: check it with `cutover router status` and try again"
        ))
    }
}
