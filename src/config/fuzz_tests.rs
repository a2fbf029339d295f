//! Random input must never make the config loader panic: random bytes, TOML-ish token soup, and
//! truncations and splices of the example.

use super::EXAMPLE;
use super::load::{parse, parse_bytes};

/// Marsaglia's xorshift64: a fixed seed gives the same inputs on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: [&str; 24] = [
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "\"",
    "'",
    "\n",
    " ",
    "#",
    "distribution",
    "route",
    "path",
    "id",
    "kind",
    "\"rest\"",
    "1e999",
    "-0",
    "nan",
    "\u{1F980}",
];

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..2000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let e = parse_bytes(&bytes, "fuzz.toml").expect_err("random bytes are not a config");
        assert_eq!(e.exit_code(), 2);
        let _ = parse(&String::from_utf8_lossy(&bytes), "fuzz.toml");
    }
}

#[test]
fn token_soup_never_panics() {
    let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
    for _ in 0..2000 {
        let text: String = (0..rng.below(60)).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
        if let Err(e) = parse(&text, "fuzz.toml") {
            assert!(e.to_string().starts_with("config file fuzz.toml"), "{e}");
        }
    }
}

#[test]
fn truncated_and_spliced_examples_never_panic() {
    let mut rng = XorShift(0x0123_4567_89AB_CDEF);
    let bytes = EXAMPLE.as_bytes();
    for _ in 0..2000 {
        let cut = rng.below(bytes.len() + 1);
        let _ = parse_bytes(&bytes[..cut], "fuzz.toml");
        // A random slice moved somewhere else, and a random byte overwritten.
        let (a, b) = (rng.below(bytes.len()), rng.below(bytes.len()));
        let (from, to) = (a.min(b), a.max(b));
        let mut spliced = bytes.to_vec();
        let piece: Vec<u8> = spliced.drain(from..to).collect();
        let at = rng.below(spliced.len() + 1);
        spliced.splice(at..at, piece);
        if !spliced.is_empty() {
            let i = rng.below(spliced.len());
            spliced[i] = rng.next() as u8;
        }
        let _ = parse_bytes(&spliced, "fuzz.toml");
    }
}
