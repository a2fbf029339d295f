//! Who changed a distribution, when cutover did not (issue 23, changes made outside cutover): the
//! `UpdateDistribution` calls CloudTrail recorded, as a trait ([`ChangeAuthors`]) that AWS answers
//! (`aws::change_authors`, CloudTrail `LookupEvents`) and tests script, and [`author_of`], which
//! picks the write behind one change the refresh saw.
//!
//! CloudTrail records a call minutes after it was made: an empty answer means "not known yet",
//! never "nobody".

use async_trait::async_trait;
use jiff::Timestamp;

use super::BackendError;

/// One `UpdateDistribution` call CloudTrail recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistributionWrite {
    /// When the call was made.
    pub time: Timestamp,
    /// Who made it: the caller's ARN (`arn:aws:sts::…:assumed-role/Admin/alice`), else its user
    /// name or principal id. Untrusted text: shown through `domain::visible` only.
    pub who: String,
    /// The caller's user agent: tells the AWS console (a browser's) from Terraform or an SDK.
    pub user_agent: Option<String>,
    /// The ETag the write produced (`responseElements.eTag`), when CloudTrail recorded it.
    pub etag: Option<String>,
    /// The ETag the write replaced (`requestParameters.ifMatch`), when recorded.
    pub etag_before: Option<String>,
    /// CloudTrail's id of the event.
    pub event_id: String,
}

/// The distribution writes CloudTrail recorded.
#[async_trait]
pub trait ChangeAuthors: Send + Sync {
    /// The `UpdateDistribution` calls on `distribution_id` made from `from` to `to` that changed
    /// it (calls AWS refused are left out), newest first.
    async fn writes(
        &self,
        distribution_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<DistributionWrite>, BackendError>;
}

/// The write behind a change: the one that produced `etag_after` (the ETag read after the change),
/// else the newest made within `window` (both ends included). `None`: CloudTrail has not said yet.
pub fn author_of<'a>(
    writes: &'a [DistributionWrite],
    etag_after: Option<&str>,
    window: (Timestamp, Timestamp),
) -> Option<&'a DistributionWrite> {
    let by_etag = etag_after.and_then(|etag| writes.iter().find(|w| w.etag.as_deref() == Some(etag)));
    by_etag.or_else(|| {
        let (from, to) = window;
        writes.iter().filter(|w| from <= w.time && w.time <= to).max_by_key(|w| w.time)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(at: &str, who: &str, etag: Option<&str>) -> DistributionWrite {
        DistributionWrite {
            time: at.parse().unwrap(),
            who: who.into(),
            user_agent: None,
            etag: etag.map(str::to_string),
            etag_before: None,
            event_id: format!("ev-{who}"),
        }
    }

    fn at(t: &str) -> Timestamp {
        t.parse().unwrap()
    }

    #[test]
    fn the_write_that_produced_the_etag_is_the_author_even_outside_the_window() {
        let writes =
            [write("2026-12-07T09:00:00Z", "bob", Some("B")), write("2026-12-07T08:50:00Z", "alice", Some("A"))];
        let window = (at("2026-12-07T08:59:00Z"), at("2026-12-07T09:01:00Z"));
        assert_eq!(author_of(&writes, Some("A"), window).unwrap().who, "alice");
        assert_eq!(author_of(&writes, Some("B"), window).unwrap().who, "bob");
    }

    #[test]
    fn without_a_matching_etag_the_newest_write_in_the_window_is_the_author() {
        let writes = [
            write("2026-12-07T09:05:00Z", "late", None),
            write("2026-12-07T09:00:30Z", "carol", None),
            write("2026-12-07T09:00:10Z", "dave", Some("D")),
            write("2026-12-07T08:00:00Z", "early", None),
        ];
        let window = (at("2026-12-07T09:00:00Z"), at("2026-12-07T09:01:00Z"));
        assert_eq!(author_of(&writes, Some("Z"), window).unwrap().who, "carol");
        assert_eq!(author_of(&writes, None, window).unwrap().who, "carol");
        // Both ends count.
        let edge = (at("2026-12-07T09:05:00Z"), at("2026-12-07T09:05:00Z"));
        assert_eq!(author_of(&writes, None, edge).unwrap().who, "late");
    }

    #[test]
    fn nothing_in_the_window_is_not_known_yet() {
        let writes = [write("2026-12-07T08:00:00Z", "early", Some("E"))];
        let window = (at("2026-12-07T09:00:00Z"), at("2026-12-07T09:01:00Z"));
        assert_eq!(author_of(&writes, Some("X"), window), None);
        assert_eq!(author_of(&[], None, window), None);
    }
}
