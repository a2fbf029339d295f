//! One deterministic mixer for the demo world: the same inputs give the same seed in every run, so
//! a seed replays a whole demo. The catalog and the traffic model both draw from it.

/// Mixes the inputs into one seed (SplitMix64's finaliser), so neighbouring minutes differ.
pub(super) fn mix(seed: u64, a: i64, b: u64) -> u64 {
    let mut z = seed ^ (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
