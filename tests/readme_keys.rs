//! The README's keys table against the key map the console handles keys with
//! (`app::keymap::BINDINGS`, `ANYWHERE`): every bound key is in the table, and every key the table's
//! first column names is bound, so the table cannot drift from the binary (issue 24: it had left
//! out `p`).

use std::collections::BTreeSet;

use cutover::app::keymap::{ANYWHERE, BINDINGS, key_name};

/// The `## Keys` section's table rows.
fn key_rows() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("\n## Keys\n").nth(1).expect("a Keys section").split("\n## ").next().unwrap();
    section.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| key ")).map(str::to_string).collect()
}

/// Every `code span` of `text`, with `Shift-Tab` written as the key map names it.
fn spans(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| if s == "Shift-Tab" { "S-Tab".to_string() } else { s.to_string() })
        .collect()
}

fn bound() -> BTreeSet<String> {
    (BINDINGS.iter().map(|b| key_name(b.code, b.modifiers)))
        .chain(ANYWHERE.iter().map(|a| key_name(a.code, a.modifiers)))
        .collect()
}

#[test]
fn every_bound_key_is_in_the_readmes_keys_table() {
    let named: BTreeSet<String> = key_rows().iter().flat_map(|row| spans(row)).collect();
    let missing: Vec<String> = bound().into_iter().filter(|key| !named.contains(key)).collect();
    assert!(missing.is_empty(), "bound but not in the README's keys table: {missing:?}");
}

#[test]
fn every_key_the_table_lists_is_bound() {
    let bound = bound();
    let listed: BTreeSet<String> =
        key_rows().iter().flat_map(|row| spans(row.split(" | ").next().unwrap_or_default())).collect();
    let unbound: Vec<&String> = listed.iter().filter(|key| !bound.contains(*key)).collect();
    assert!(unbound.is_empty(), "in the README's keys table but bound to nothing: {unbound:?}");
}
