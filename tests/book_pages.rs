//! The book's generated reference pages (keys, command line, config) against what the code
//! generates now, so the book cannot drift from the binary. After changing a key, a command or the
//! example config, rewrite them: `CUTOVER_BLESS_BOOK=1 cargo test --test book_pages`.

use std::path::PathBuf;

use cutover::commands::reference::book::pages;

#[test]
fn the_generated_pages_in_the_book_are_what_the_code_generates() {
    let bless = std::env::var_os("CUTOVER_BLESS_BOOK").is_some();
    let mut stale = Vec::new();
    for (path, text) in pages() {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/src").join(path);
        if bless {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, &text).unwrap();
            continue;
        }
        let in_repo = std::fs::read_to_string(&file).unwrap_or_default();
        if in_repo != text {
            let line = in_repo.lines().zip(text.lines()).position(|(a, b)| a != b).map_or(0, |n| n + 1);
            stale.push(format!("docs/src/{path} (first difference near line {line})"));
        }
    }
    assert!(
        stale.is_empty(),
        "generated pages out of date: {stale:?}; rewrite them with CUTOVER_BLESS_BOOK=1 cargo test --test book_pages"
    );
}
