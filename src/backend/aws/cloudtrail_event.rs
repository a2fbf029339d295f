//! One CloudTrail event as `LookupEvents` lists it, read into a [`DistributionWrite`]. The event's
//! record (`CloudTrailEvent`) is a JSON string in the answer; it is read as loose JSON, a field at a
//! time, so a field of an unexpected type or a record that does not parse loses that field only:
//! the listing's own fields (name, time, user name, id) still place the write. Nothing here panics.
//!
//! What is read (AWS's example of an `UpdateDistribution` event in the CloudFront developer guide,
//! "Logging Amazon CloudFront API calls using AWS CloudTrail"): `userIdentity.arn` (else
//! `userName`, `principalId`), `userAgent`, `errorCode` (a refused call changed nothing),
//! `requestParameters.id` and `.ifMatch`, `responseElements.eTag`.

use jiff::Timestamp;
use serde_json::Value;

use crate::backend::change_authors::DistributionWrite;

/// The event name of a distribution write.
pub const UPDATE_DISTRIBUTION: &str = "UpdateDistribution";

/// The largest record read: CloudTrail's records of `UpdateDistribution` hold the whole config
/// twice, tens of KB; far beyond that is not a record worth holding.
const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// The fields of one listed event, as the SDK's `Event` gives them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Listed<'a> {
    pub event_id: Option<&'a str>,
    pub event_name: Option<&'a str>,
    pub event_time: Option<Timestamp>,
    pub username: Option<&'a str>,
    /// The record, a JSON string.
    pub cloud_trail_event: Option<&'a str>,
}

/// The write `listed` records on `distribution_id`, or `None`: another call, a call AWS refused,
/// a call on another distribution, or one that says neither when nor which.
pub fn distribution_write(listed: &Listed<'_>, distribution_id: &str) -> Option<DistributionWrite> {
    let record = listed
        .cloud_trail_event
        .filter(|text| text.len() <= MAX_RECORD_BYTES)
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .filter(Value::is_object)
        .unwrap_or(Value::Null);
    let text = |path: &[&str]| -> Option<String> {
        let mut at = &record;
        for key in path {
            at = at.get(key)?;
        }
        at.as_str().filter(|s| !s.is_empty()).map(str::to_string)
    };

    let name = listed.event_name.map(str::to_string).or_else(|| text(&["eventName"]));
    if name.as_deref() != Some(UPDATE_DISTRIBUTION) || text(&["errorCode"]).is_some() {
        return None;
    }
    if let Some(id) = text(&["requestParameters", "id"])
        && id != distribution_id
    {
        return None;
    }
    let time = listed.event_time.or_else(|| text(&["eventTime"]).and_then(|t| t.parse().ok()))?;
    let who = text(&["userIdentity", "arn"])
        .or_else(|| text(&["userIdentity", "userName"]))
        .or_else(|| text(&["userIdentity", "principalId"]))
        .or_else(|| listed.username.filter(|u| !u.is_empty()).map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string());
    let event_id = listed
        .event_id
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .or_else(|| text(&["eventID"]))
        .unwrap_or_else(|| "unknown".to_string());
    Some(DistributionWrite {
        time,
        who,
        user_agent: text(&["userAgent"]),
        etag: text(&["responseElements", "eTag"]),
        etag_before: text(&["requestParameters", "ifMatch"]),
        event_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `UpdateDistribution` record shaped like AWS's example (the config left out).
    const RECORD: &str = r#"{
        "eventVersion": "1.08",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:alice",
            "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice", "accountId": "111122223333"},
        "eventTime": "2026-12-07T09:00:01Z",
        "eventSource": "cloudfront.amazonaws.com",
        "eventName": "UpdateDistribution",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
        "requestParameters": {"id": "E1", "ifMatch": "EA", "distributionConfig": {"comment": "x"}},
        "responseElements": {"distribution": {"id": "E1", "status": "InProgress"}, "eTag": "EB"},
        "eventID": "5ab02562-example"
    }"#;

    fn listed(record: &str) -> Listed<'_> {
        Listed {
            event_id: Some("ev-1"),
            event_name: Some("UpdateDistribution"),
            event_time: Some("2026-12-07T09:00:00Z".parse().unwrap()),
            username: Some("alice"),
            cloud_trail_event: Some(record),
        }
    }

    #[test]
    fn a_write_reads_its_author_agent_and_etags() {
        let write = distribution_write(&listed(RECORD), "E1").unwrap();
        assert_eq!(write.who, "arn:aws:sts::111122223333:assumed-role/Admin/alice");
        assert_eq!(write.user_agent.as_deref(), Some("Mozilla/5.0 (X11; Linux x86_64)"));
        assert_eq!((write.etag_before.as_deref(), write.etag.as_deref()), (Some("EA"), Some("EB")));
        assert_eq!(write.event_id, "ev-1");
        assert_eq!(write.time, "2026-12-07T09:00:00Z".parse::<Timestamp>().unwrap());
    }

    #[test]
    fn other_calls_refused_calls_and_other_distributions_are_no_writes() {
        let other = Listed { event_name: Some("CreateInvalidation"), ..listed(RECORD) };
        assert_eq!(distribution_write(&other, "E1"), None);
        assert_eq!(distribution_write(&listed(RECORD), "E2"), None);
        let refused = RECORD.replace(r#""eventID""#, r#""errorCode": "PreconditionFailed", "eventID""#);
        assert_eq!(distribution_write(&listed(&refused), "E1"), None);
    }

    #[test]
    fn an_unreadable_record_keeps_what_the_listing_says() {
        for odd in ["{", "[1,2]", "null", "\"text\"", r#"{"userIdentity": {"arn": 7}, "responseElements": []}"#] {
            let write = distribution_write(&listed(odd), "E1").unwrap();
            assert_eq!((write.who.as_str(), write.etag.as_deref()), ("alice", None), "{odd}");
        }
        let bare = Listed { username: None, event_id: None, cloud_trail_event: None, ..listed("") };
        let write = distribution_write(&bare, "E1").unwrap();
        assert_eq!((write.who.as_str(), write.event_id.as_str()), ("unknown", "unknown"));
        // With neither the listing's time nor the record's, a write cannot be placed.
        let timeless = Listed { event_time: None, ..listed("{") };
        assert_eq!(distribution_write(&timeless, "E1"), None);
        let from_record = Listed { event_time: None, event_name: None, ..listed(RECORD) };
        assert_eq!(distribution_write(&from_record, "E1").unwrap().time.to_string(), "2026-12-07T09:00:01Z");
    }
}
