//! One thing the console reads from AWS again and again (gitui's fetch / last / pending): the last
//! good answer, kept on screen while later reads fail; whether a read is out; and how many failed
//! in a row, which sets the backoff before the next try. `update` asks it whether to send a read
//! and tells it how the read went; nothing else keeps request bookkeeping.

use std::ops::Deref;

use jiff::Timestamp;

#[derive(Clone, Debug, PartialEq)]
pub struct Fetch<T> {
    last: Option<T>,
    /// When the last good answer arrived.
    received_at: Option<Timestamp>,
    in_flight: bool,
    failures: u32,
}

impl<T> Default for Fetch<T> {
    fn default() -> Self {
        Fetch { last: None, received_at: None, in_flight: false, failures: 0 }
    }
}

impl<T> Fetch<T> {
    /// Mark a read as sent, unless one already is: `true` when the caller should send it.
    pub fn start(&mut self) -> bool {
        !std::mem::replace(&mut self.in_flight, true)
    }

    /// Send a read although one is out, because the one out is already stale (read before a switch
    /// landed; its answer will be discarded).
    pub fn start_anew(&mut self) {
        self.in_flight = true;
    }

    /// A good answer: it replaces the last one, and the failures in a row start over.
    pub fn arrived(&mut self, value: T, at: Timestamp) {
        self.last = Some(value);
        self.received_at = Some(at);
        self.in_flight = false;
        self.failures = 0;
    }

    /// An answer that is of no use (read before a switch landed): nothing changes but the read
    /// being over.
    pub fn discarded(&mut self) {
        self.in_flight = false;
    }

    /// A failed read: the last good answer stays. Returns the failures in a row, for the backoff.
    pub fn failed(&mut self) -> u32 {
        self.in_flight = false;
        self.failures += 1;
        self.failures
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// Reads that failed since the last good answer.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    pub fn received_at(&self) -> Option<Timestamp> {
        self.received_at
    }

    /// The last good answer, to change in place (a deploy status read updates the topology's).
    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.last.as_mut()
    }
}

/// Read as the last good answer: `state.learned.metrics.as_ref()`, `state.learned.topology.is_some()`.
impl<T> Deref for Fetch<T> {
    type Target = Option<T>;

    fn deref(&self) -> &Option<T> {
        &self.last
    }
}

#[cfg(test)]
mod tests {
    use super::Fetch;

    fn at(second: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(second).unwrap()
    }

    #[test]
    fn one_read_at_a_time() {
        let mut fetch = Fetch::<u32>::default();
        assert!(fetch.start());
        assert!(!fetch.start(), "a second read while one is out is not sent");
        fetch.arrived(7, at(10));
        assert!(fetch.start(), "answered: the next may go");
    }

    #[test]
    fn failures_keep_the_last_good_answer_and_count_until_one_arrives() {
        let mut fetch = Fetch::default();
        fetch.start();
        fetch.arrived("routes", at(10));
        for expected in 1..=3 {
            fetch.start();
            assert_eq!(fetch.failed(), expected);
        }
        assert_eq!((fetch.as_ref(), fetch.received_at()), (Some(&"routes"), Some(at(10))));
        fetch.start();
        fetch.arrived("new routes", at(70));
        assert_eq!(fetch.failures(), 0);
        assert_eq!(*fetch, Some("new routes"));
    }

    #[test]
    fn a_discarded_answer_changes_nothing_but_the_read_being_over() {
        let mut fetch = Fetch::default();
        fetch.start();
        fetch.arrived(1, at(1));
        fetch.start();
        fetch.discarded();
        assert_eq!((*fetch, fetch.in_flight(), fetch.received_at()), (Some(1), false, Some(at(1))));
    }
}
