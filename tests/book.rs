//! The book in `docs/` holds together: every page is in SUMMARY.md and every SUMMARY.md entry is a
//! page; every relative link to a Markdown file, in the book and in README.md, CONTRIBUTING.md and
//! ARCHITECTURE.md, reaches a file and a heading of it; README.md stays short; and every section of
//! the README the book was made from has a home in it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const README_LIMIT_BYTES: usize = 15_000;

/// Every `##` / `###` heading of README.md before the book (issue 24), with the page it moved to and
/// the heading it has there (the same words unless renamed).
const OLD_README_SECTIONS: &[(&str, &str, &str)] = &[
    ("Run the demo", "guide/demo.md", "Run the demo"),
    ("When AWS misbehaves", "guide/when-aws-misbehaves.md", "When AWS misbehaves"),
    ("When the machine misbehaves", "guide/when-the-machine-misbehaves.md", "When the machine misbehaves"),
    ("Run the tests", "development/tests.md", "Run the tests"),
    ("Performance", "development/performance.md", "Performance"),
    ("The screen", "guide/screen.md", "The screen"),
    // The table itself is the generated reference/keys.md; the words after it stayed with the screen.
    ("Keys", "guide/screen.md", "Keys"),
    ("Where a switch sends a route", "guide/switching.md", "Where a switch sends a route"),
    ("Has the traffic moved?", "guide/traffic-moved.md", "Has the traffic moved?"),
    ("The router: shares of a route in seconds", "guide/router.md", "The router: shares of a route in seconds"),
    ("Moving shares: keys and `cutover weight`", "guide/router-shares.md", "Moving shares: keys and `cutover weight`"),
    (
        "Rollout plans: `P`, `Z`, `X` and `cutover rollout`",
        "guide/rollout-plans.md",
        "Rollout plans: `P`, `Z`, `X` and `cutover rollout`",
    ),
    ("The router's own health", "guide/router-health.md", "The router's own health"),
    ("Installing the router: `cutover router`", "guide/router-install.md", "Installing the router: `cutover router`"),
    (
        "Edge logs: every route's numbers from the edge",
        "guide/edge-logs.md",
        "Edge logs: every route's numbers from the edge",
    ),
    ("In the console", "guide/edge-logs-console.md", "In the console"),
    ("On call", "on-call/runbook.md", "On call: the first five minutes"),
    ("Rehearse it: the runbook on the demo world", "on-call/rehearse.md", "Rehearse it: the runbook on the demo world"),
    ("Stage rollback: `D` and `cutover stage`", "guide/stage-rollback.md", "Stage rollback: `D` and `cutover stage`"),
    ("`cutover status --json`", "reference/status-json.md", "`cutover status --json`"),
    ("Working as a team", "guide/team.md", "Working as a team"),
    ("Notifications", "guide/notifications.md", "Notifications"),
    ("Probes", "guide/probes.md", "Probes"),
    ("Themes", "guide/themes.md", "Themes"),
    ("Audit trail", "guide/audit.md", "Audit trail"),
    ("Time to mitigate: `cutover log --stats`", "guide/log-stats.md", "Time to mitigate: `cutover log --stats`"),
    ("Shell completions and the man page", "guide/completions.md", "Shell completions and the man page"),
    ("Logs", "guide/logs.md", "Logs"),
    ("Live AWS", "guide/live-aws.md", "Live AWS"),
    ("`cutover init`", "guide/init.md", "`cutover init`"),
    // Generated from src/config/example.rs, as the README's block was checked against it.
    ("Config reference", "reference/config.md", "Config file"),
    ("IAM policies", "guide/iam.md", "IAM policies"),
];

fn root() -> PathBuf {
    PathBuf::from(ROOT)
}

fn book_src() -> PathBuf {
    root().join("docs/src")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The lines of a Markdown file outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut in_fence = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            lines.push(line);
        }
    }
    lines
}

/// The line without its inline code spans, which may hold `](` that is no link.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// ATX headings' text, including those of files pulled in with `{{#include PATH}}`.
fn headings(path: &Path) -> Vec<String> {
    let text = read(path);
    let mut found = Vec::new();
    for line in prose_lines(&text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            found.push(line[hashes..].trim().to_string());
        }
        if let Some(rest) = line.trim().strip_prefix("{{#include ") {
            let included = rest.trim_end_matches("}}").trim();
            found.extend(headings(&path.parent().unwrap().join(included)));
        }
    }
    found
}

/// mdBook's id for a heading: lowercase, spaces to `-`, only alphanumerics, `-` and `_` kept
/// (inline code's backticks go with the rest). Repeats get `-1`, `-2`… as mdBook numbers them.
fn anchor_ids(path: &Path) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for heading in headings(path) {
        let id: String = heading
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect::<String>()
            .to_lowercase();
        let mut unique = id.clone();
        let mut n = 0;
        while ids.contains(&unique) {
            n += 1;
            unique = format!("{id}-{n}");
        }
        ids.insert(unique);
    }
    ids
}

/// The targets of the Markdown links `[text](target)` in the file's prose.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(start) = rest.find("](") {
            rest = &rest[start + 2..];
            if let Some(end) = rest.find(')') {
                targets.push(rest[..end].trim().to_string());
                rest = &rest[end..];
            }
        }
    }
    targets
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(markdown_files(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The pages SUMMARY.md names, relative to docs/src.
fn summary_pages() -> Vec<String> {
    link_targets(&read(&book_src().join("SUMMARY.md")))
}

#[test]
fn every_summary_entry_names_a_page() {
    let pages = summary_pages();
    assert!(pages.len() > 20, "SUMMARY.md lists only {pages:?}");
    let missing: Vec<_> = pages.iter().filter(|page| !book_src().join(page).is_file()).collect();
    assert!(missing.is_empty(), "SUMMARY.md names pages that do not exist: {missing:?}");
}

#[test]
fn every_page_is_in_the_summary() {
    let listed: BTreeSet<PathBuf> = summary_pages().iter().map(|page| book_src().join(page)).collect();
    let summary = book_src().join("SUMMARY.md");
    let left_out: Vec<_> =
        markdown_files(&book_src()).into_iter().filter(|file| *file != summary && !listed.contains(file)).collect();
    assert!(left_out.is_empty(), "pages mdBook would not show (add them to SUMMARY.md): {left_out:?}");
}

#[test]
fn every_relative_link_reaches_a_file_and_its_heading() {
    let mut files = markdown_files(&book_src());
    files.extend(["README.md", "CONTRIBUTING.md", "ARCHITECTURE.md"].map(|f| root().join(f)));
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        for target in link_targets(&read(file)) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked = if path.is_empty() { file.clone() } else { normalize(&file.parent().unwrap().join(path)) };
            if linked.extension().is_none_or(|e| e != "md") {
                continue;
            }
            checked += 1;
            if !linked.is_file() {
                broken.push(format!("{}: {target}: no such file", file.display()));
            } else if let Some(anchor) = anchor
                && !anchor_ids(&linked).contains(anchor)
            {
                broken.push(format!("{}: {target}: no heading with that id", file.display()));
            }
        }
    }
    assert!(checked > 50, "only {checked} links checked: is the link reader broken?");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_is_short() {
    let size = read(&root().join("README.md")).len();
    assert!(size <= README_LIMIT_BYTES, "README.md is {size} bytes, over {README_LIMIT_BYTES}: move text into docs/");
}

#[test]
fn every_section_of_the_old_readme_has_a_home() {
    let mut homeless = Vec::new();
    for (old, page, heading) in OLD_README_SECTIONS {
        let path = book_src().join(page);
        if !path.is_file() {
            homeless.push(format!("{old:?}: {page} does not exist"));
        } else if !headings(&path).iter().any(|h| h == heading) {
            homeless.push(format!("{old:?}: {page} has no heading {heading:?}"));
        }
    }
    assert_eq!(OLD_README_SECTIONS.len(), 32, "the old README had 32 ## and ### headings");
    assert!(homeless.is_empty(), "sections of the old README without a home:\n{}", homeless.join("\n"));
}
