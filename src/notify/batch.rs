//! Notices that arrive within a second, as one message: their lines joined, and a subject for the
//! targets that take one (SNS). A message holds at most [`MAX_LINES`] notices; the rest wait for
//! the next message, so a burst is spread out rather than dropped.

use super::message::Notice;

/// The most notices one message joins (Slack shows about 40,000 characters of a message; a few
/// dozen lines is what a person reads).
pub const MAX_LINES: usize = 20;

/// SNS's longest subject.
const MAX_SUBJECT_CHARS: usize = 100;

/// One message for a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The notices' lines, in the order they came, joined by newlines.
    pub text: String,
    /// `cutover: alice: switch … on E2ABC` for one notice, `cutover: 3 notices on E2ABC` for more:
    /// printable ASCII only, at most 100 characters, as SNS asks of a subject.
    pub subject: String,
    /// How many notices it joins.
    pub count: usize,
}

impl Message {
    pub fn join(notices: &[Notice]) -> Message {
        let text = notices.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join("\n");
        let mut distributions: Vec<&str> = notices.iter().map(|n| n.distribution.as_str()).collect();
        distributions.dedup();
        let subject = match (notices, distributions.as_slice()) {
            ([one], _) => format!("cutover: {}", one.text),
            (_, [one]) => format!("cutover: {} notices on {one}", notices.len()),
            _ => format!("cutover: {} notices", notices.len()),
        };
        Message { text, subject: subject_of(&subject), count: notices.len() }
    }
}

/// `text` as an SNS subject: printable ASCII (anything else a `?`), cut to 100 characters.
fn subject_of(text: &str) -> String {
    let ascii: String = text.chars().map(|c| if c == ' ' || c.is_ascii_graphic() { c } else { '?' }).collect();
    if ascii.len() <= MAX_SUBJECT_CHARS { ascii } else { format!("{}...", &ascii[..MAX_SUBJECT_CHARS - 3]) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Target;

    #[test]
    fn one_notice_is_its_own_subject_and_many_are_counted() {
        let one = Notice::outside_change("/x/*", None, Target::Origin, Some("carol"), "E2ABC");
        let message = Message::join(std::slice::from_ref(&one));
        assert_eq!(message.subject, "cutover: carol: /x/* changed outside cutover: ? ? origin on E2ABC");
        assert_eq!(message.text, one.text);
        let two = Message::join(&[one.clone(), one.clone()]);
        assert_eq!(two.subject, "cutover: 2 notices on E2ABC");
        assert_eq!(two.text, format!("{}\n{}", one.text, one.text));
        let mut other = one.clone();
        other.distribution = "E9".into();
        assert_eq!(Message::join(&[one, other]).subject, "cutover: 2 notices");
    }

    #[test]
    fn a_long_subject_is_cut() {
        let long = Notice::audit_failure("alice", "E2ABC", &"x".repeat(300));
        let subject = Message::join(&[long]).subject;
        assert_eq!(subject.len(), 100);
        assert!(subject.ends_with("..."));
    }
}
