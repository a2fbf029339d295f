//! Link settings for the release binary: its debug sections are compressed.
//!
//! The release profile keeps line tables for cutover's own code (and the dependency code
//! monomorphized into it), so that a panic's backtrace names file and line (see Cargo.toml).
//! Compressed with zlib they take about a third of the room; the standard library's backtrace
//! reads compressed sections as they are. Linux only: GNU ld, gold, lld and mold all take the
//! flag through the C compiler that Rust links with there.

fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    // "release" for the release profile and those that inherit it (bench); "debug" otherwise.
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    if linux && release {
        println!("cargo::rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
    }
    println!("cargo::rerun-if-changed=scripts/build.rs");
}
