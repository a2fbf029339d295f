//! Which shards the edge-log reader reads, and from where: every shard at the start from the
//! look-back window, parents before children, a child only once every parent it knows is read to
//! its end, so that across a reshard no record is read twice or missed. Pure: no calls, no clock.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::calls::{ChildShard, ShardInfo, Start};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// A parent is still being read.
    Waiting,
    Reading,
    /// Read to its end (or gone from the stream).
    Finished,
}

#[derive(Clone, Debug)]
struct Tracked {
    parents: Vec<String>,
    /// Where its first iterator starts.
    start: Start,
    phase: Phase,
}

/// The shards known, each waiting, being read or finished.
#[derive(Clone, Debug, Default)]
pub struct ShardPlan {
    shards: BTreeMap<String, Tracked>,
    listed: bool,
}

impl ShardPlan {
    pub fn new() -> Self {
        ShardPlan { shards: BTreeMap::new(), listed: false }
    }

    /// Take in a whole `ListShards` answer. Shards in the first one start at `window_start`, the
    /// look-back window's beginning (a shard closed before it only says it has ended); shards that
    /// appear later were made since, and are read from their first record (`TRIM_HORIZON`).
    /// Returns the shards to start reading now, with where.
    pub fn learn_listing(&mut self, listing: &[ShardInfo], window_start: Timestamp) -> Vec<(String, Start)> {
        let start = if self.listed { Start::TrimHorizon } else { Start::AtTimestamp(window_start) };
        self.listed = true;
        for shard in listing {
            self.add(&shard.id, shard.parents(), start.clone());
        }
        self.release()
    }

    /// Take in the children a closed shard named at its end (read from `TRIM_HORIZON`).
    pub fn learn_children(&mut self, children: &[ChildShard]) {
        for child in children {
            self.add(&child.id, child.parents.clone(), Start::TrimHorizon);
        }
    }

    fn add(&mut self, id: &str, parents: Vec<String>, start: Start) {
        self.shards.entry(id.to_string()).or_insert(Tracked { parents, start, phase: Phase::Waiting });
    }

    /// `shard` is read to its end: the shards it released, to start reading now.
    pub fn finish(&mut self, shard: &str) -> Vec<(String, Start)> {
        if let Some(tracked) = self.shards.get_mut(shard) {
            tracked.phase = Phase::Finished;
        }
        self.release()
    }

    /// Every waiting shard whose known parents are all finished starts. A parent the stream no
    /// longer lists (expired) holds nothing back.
    fn release(&mut self) -> Vec<(String, Start)> {
        let done =
            |id: &String, shards: &BTreeMap<String, Tracked>| shards.get(id).is_none_or(|p| p.phase == Phase::Finished);
        let ready: Vec<String> = self
            .shards
            .iter()
            .filter(|(_, t)| t.phase == Phase::Waiting && t.parents.iter().all(|p| done(p, &self.shards)))
            .map(|(id, _)| id.clone())
            .collect();
        ready
            .into_iter()
            .map(|id| {
                let tracked = self.shards.get_mut(&id).expect("just found");
                tracked.phase = Phase::Reading;
                (id, tracked.start.clone())
            })
            .collect()
    }

    pub fn is_reading(&self, shard: &str) -> bool {
        self.shards.get(shard).is_some_and(|t| t.phase == Phase::Reading)
    }

    /// The shards being read, sorted.
    pub fn reading(&self) -> Vec<String> {
        self.in_phase(Phase::Reading)
    }

    /// The shards read to their end, sorted.
    pub fn finished(&self) -> Vec<String> {
        self.in_phase(Phase::Finished)
    }

    fn in_phase(&self, phase: Phase) -> Vec<String> {
        self.shards.iter().filter(|(_, t)| t.phase == phase).map(|(id, _)| id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(id: &str, parent: Option<&str>, adjacent: Option<&str>) -> ShardInfo {
        ShardInfo {
            id: id.into(),
            parent: parent.map(str::to_string),
            adjacent_parent: adjacent.map(str::to_string),
            closed: false,
        }
    }

    #[test]
    fn parents_are_read_before_children_and_a_merge_waits_for_both() {
        let window = Timestamp::from_second(1_700_000_000).unwrap();
        let mut plan = ShardPlan::new();
        let listing = [
            shard("a", None, None),
            shard("b", None, None),
            shard("c", Some("a"), Some("b")),
            shard("d", Some("gone"), None),
        ];
        let first = plan.learn_listing(&listing, window);
        assert_eq!(
            first,
            [
                ("a".to_string(), Start::AtTimestamp(window)),
                ("b".into(), Start::AtTimestamp(window)),
                ("d".into(), Start::AtTimestamp(window))
            ]
        );
        assert!(plan.finish("a").is_empty(), "c waits for b too");
        assert_eq!(plan.finish("b"), [("c".to_string(), Start::AtTimestamp(window))]);
        plan.learn_children(&[ChildShard { id: "e".into(), parents: vec!["c".into()] }]);
        assert_eq!(plan.finish("c"), [("e".to_string(), Start::TrimHorizon)]);
        assert_eq!(plan.reading(), ["d", "e"]);
        assert_eq!(plan.finished(), ["a", "b", "c"]);
        // Listed again: nothing starts twice.
        assert!(plan.learn_listing(&listing, window).is_empty());
    }
}
