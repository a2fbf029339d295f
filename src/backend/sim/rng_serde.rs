//! A random stream (ChaCha) kept as its seed and its position in the stream: restored, it goes on
//! where it was. The demo world's streams are kept this way (`kept.rs`), for `#[serde(with)]`.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
struct Stream {
    seed: [u8; 32],
    /// A `u128`, as text: JSON numbers are not that wide.
    word_pos: String,
}

pub fn serialize<S: Serializer>(rng: &ChaCha8Rng, serializer: S) -> Result<S::Ok, S::Error> {
    Stream { seed: rng.get_seed(), word_pos: rng.get_word_pos().to_string() }.serialize(serializer)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ChaCha8Rng, D::Error> {
    use rand::SeedableRng;
    let stream = Stream::deserialize(deserializer)?;
    let position: u128 = stream.word_pos.parse().map_err(serde::de::Error::custom)?;
    let mut rng = ChaCha8Rng::from_seed(stream.seed);
    rng.set_word_pos(position);
    Ok(rng)
}
