//! The rules of ARCHITECTURE.md, checked by reading `src/` as text: a broken rule fails here, with
//! the file and the line, instead of in a reviewer's head.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, as (path relative to the crate, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    walk(&root.join("src"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

/// The text without its unit-test module, which may reach anywhere.
fn production(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod ").map_or(text, |at| &text[..at])
}

/// The module path of a file: `src/app/update/mod.rs` → `app::update`.
fn module_of(path: &str) -> Vec<String> {
    let rel = path.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The files a file names with `crate::…` and `super::…` paths (the longest prefix that is a file).
fn imports(files: &BTreeMap<Vec<String>, String>, path: &str, text: &str) -> BTreeSet<String> {
    let resolve = |segments: Vec<String>| -> Option<String> {
        (1..=segments.len()).rev().find_map(|n| files.get(&segments[..n].to_vec()).cloned())
    };
    let me = module_of(path);
    let mut found = BTreeSet::new();
    let code = production(text);
    for (at, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
        if at > 0 && code.as_bytes()[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut rest = &code[at..];
        let mut base: Vec<String> = Vec::new();
        if rest.starts_with("crate::") {
            rest = &rest["crate::".len()..];
        } else {
            // `a/b.rs` is module `a::b` and `a/mod.rs` module `a`: either way `super` is one up.
            base = me.clone();
            base.pop();
            rest = &rest["super::".len()..];
            while let Some(more) = rest.strip_prefix("super::") {
                base.pop();
                rest = more;
            }
        }
        // `a::b::{c, d::e}` → each branch; `a::b::c` → one.
        let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
        let head: Vec<String> = head.split("::").filter(|s| !s.is_empty()).map(str::to_string).collect();
        let after = &rest[rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len())..];
        let mut targets = vec![head.clone()];
        if let Some(group) = after.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let item: Vec<String> =
                    item.trim().split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_string).collect();
                targets.push(head.iter().cloned().chain(item).collect());
            }
        }
        for target in targets {
            let full: Vec<String> = base.iter().cloned().chain(target).collect();
            if let Some(file) = resolve(full).filter(|f| f != path) {
                found.insert(file);
            }
        }
    }
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let sources = sources();
    let files: BTreeMap<Vec<String>, String> = sources.iter().map(|(p, _)| (module_of(p), p.clone())).collect();
    sources.iter().map(|(p, text)| (p.clone(), imports(&files, p, text))).collect()
}

#[test]
fn every_file_opens_with_a_line_that_says_what_it_is_for() {
    let bare: Vec<String> = sources().into_iter().filter(|(_, t)| !t.starts_with("//!")).map(|(p, _)| p).collect();
    assert!(bare.is_empty(), "files without a //! line at the top: {bare:?}");
}

/// Which rooms a room may not import from (ARCHITECTURE.md, "Rules between rooms").
#[test]
fn no_file_imports_across_a_forbidden_boundary() {
    let rules: [(&str, &[&str], &str); 14] = [
        (
            "src/domain/",
            &[
                "src/app/",
                "src/ui/",
                "src/backend/",
                "src/config/",
                "src/audit/",
                "src/commands/",
                "src/cli/",
                "src/theme.rs",
            ],
            "the domain is pure types: it imports nothing of the rest",
        ),
        (
            "src/ui/",
            &["src/backend/", "src/commands/", "src/app/update/"],
            "screens draw state: they never call AWS, nor reach into update for what the state should say",
        ),
        (
            "src/app/update/",
            &[
                "src/ui/",
                "src/backend/aws/",
                "src/commands/",
                "src/app/runtime.rs",
                "src/app/effects.rs",
                "src/app/event_loop.rs",
                "src/app/terminal.rs",
            ],
            "update is pure: no screen, no runtime, no AWS",
        ),
        (
            "src/app/model/",
            &["src/ui/", "src/backend/aws/", "src/app/update/", "src/app/runtime.rs", "src/app/event_loop.rs"],
            "the model does not know the screen, AWS, or who changes it",
        ),
        (
            "src/app/intent/",
            &["src/ui/", "src/backend/aws/", "src/app/update/", "src/app/runtime.rs", "src/app/event_loop.rs"],
            "the planner reads the model: no screen, no AWS, and update calls it, never the other way",
        ),
        ("src/app/", &["src/commands/"], "the core never reaches up into a command"),
        ("src/backend/", &["src/commands/", "src/app/", "src/ui/"], "the backend answers the core, never calls it"),
        ("src/config/", &["src/commands/"], "the core never reaches up into a command"),
        ("src/audit/", &["src/commands/"], "the core never reaches up into a command"),
        ("src/cli/", &["src/commands/"], "the command line only describes the commands"),
        ("src/router/", &["src/commands/", "src/app/", "src/ui/"], "the router's records know nothing of the console"),
        ("src/edge_logs/", &["src/commands/", "src/app/", "src/ui/", "src/backend/"], "the edge-log planner is pure"),
        (
            "src/notify/",
            &["src/commands/", "src/app/", "src/ui/", "src/backend/"],
            "what a notification says is pure: the sending is backend::notify's",
        ),
        ("src/app/console.rs", &["src/ui/", "src/backend/aws/"], "the model does not know the screen"),
    ];
    let mut broken = Vec::new();
    for (file, targets) in graph() {
        for (room, forbidden, why) in rules {
            if !file.starts_with(room) {
                continue;
            }
            for target in targets.iter().filter(|t| forbidden.iter().any(|f| t.starts_with(f))) {
                broken.push(format!("{file} imports {target}: {why}"));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn update_touches_no_io_clock_or_randomness() {
    let forbidden =
        ["std::fs", "std::io", "std::net", "std::process", "tokio", "rand::", "SystemTime", "Instant::now", "::now()"];
    let mut found = Vec::new();
    for (path, text) in sources().iter().filter(|(p, _)| p.starts_with("src/app/update/") && !p.contains("/tests/")) {
        for (n, line) in production(text).lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if let Some(word) = forbidden.iter().find(|w| line.contains(*w)) {
                found.push(format!("{path}:{}: {word}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "update must stay pure (the time is the last Tick):\n{}", found.join("\n"));
}

/// "State changes only in `update`": outside `app/update/`, production code never holds a state
/// or the console mutably. The two exceptions are the door itself (the runtime hands its console to
/// `update`) and the console's lookup that `update` routes with.
#[test]
fn only_update_changes_the_console() {
    let allowed = [
        ("src/app/runtime.rs", "update(&mut self.console, action)"),
        ("src/app/console.rs", "pub(crate) fn distribution_mut(&mut self, id: &str) -> Option<&mut State>"),
    ];
    let mutable =
        ["&mut State", "&mut Console", "&mut self.console", "&mut self.distributions", "state_mut(", ".shown = "];
    let mut found = Vec::new();
    for (path, text) in sources().iter().filter(|(p, _)| !p.starts_with("src/app/update/")) {
        for (n, line) in production(text).lines().enumerate() {
            let code = line.trim();
            if code.starts_with("//") || allowed.iter().any(|(p, l)| p == path && code.contains(l)) {
                continue;
            }
            if let Some(word) = mutable.iter().find(|w| code.contains(*w)) {
                found.push(format!("{path}:{}: {word}: {code}", n + 1));
            }
        }
    }
    assert!(found.is_empty(), "the console changes only in update (send an Action):\n{}", found.join("\n"));
}

/// Methods that change what they are called on: collections', and `Fetch`'s (`app/fetch.rs`).
const CHANGES: &[&str] = &[
    "insert",
    "remove",
    "push",
    "clear",
    "extend",
    "entry",
    "get_mut",
    "retain",
    "iter_mut",
    "start",
    "start_anew",
    "arrived",
    "discarded",
    "failed",
    "last_mut",
    "take",
    // The ledger's (`app/moves.rs`): a new move, and a move's answer.
    "begin",
    "requested_mut",
    "by_id_mut",
];

/// Whether a line of code writes to the state's slice `slice` (`.policy`, `.learned`): assigns to
/// a field of it, calls a method that changes what is in it, or borrows it mutably.
fn writes_slice(code: &str, slice: &str) -> bool {
    code.match_indices(slice).any(|(at, _)| {
        let (before, after) = (&code[..at], &code[at + slice.len()..]);
        if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            return false; // `.policy_x`, not the slice
        }
        // The path after the slice (`.stages`, `.refresh.every`, `.stages.insert`), then the rest.
        let end = after.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).unwrap_or(after.len());
        let (path, rest) = (&after[..end], after[end..].trim_start());
        let assigned = rest.starts_with('=') && !rest.starts_with("==");
        let compound = ["+=", "-=", "*=", "/=", "|=", "&="].iter().any(|op| rest.starts_with(op));
        let called = path.rsplit('.').next().is_some_and(|last| CHANGES.contains(&last)) && rest.starts_with('(');
        // `&mut state.policy…`: the receiver is the word before the slice.
        let receiver_at = before.rfind(|c: char| c.is_whitespace() || c == '(' || c == ',').map_or(0, |i| i + 1);
        let borrowed = before[..receiver_at].trim_end().ends_with("&mut");
        assigned || compound || called || borrowed
    })
}

fn writes_policy(code: &str) -> bool {
    writes_slice(code, ".policy")
}

/// The production lines outside `allowed` files that write `slice`.
fn slice_writers(slice: &str, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    // Tests set a state up as they need; production code writes a slice only where it is owned.
    for (path, text) in sources().into_iter().filter(|(p, _)| !p.contains("/tests/")) {
        if allowed.contains(&path.as_str()) {
            continue;
        }
        for (n, line) in production(&text).lines().enumerate() {
            let code = line.trim();
            if !code.starts_with("//") && writes_slice(code, slice) {
                found.push(format!("{path}:{}: {code}", n + 1));
            }
        }
    }
    found
}

#[test]
fn the_policy_is_never_written_after_start() {
    let found = slice_writers(".policy", &[]);
    assert!(found.is_empty(), "the policy is fixed at start (Setup); nothing writes it:\n{}", found.join("\n"));
}

#[test]
fn what_the_console_learned_is_written_only_by_its_readers() {
    // The refresh reads topology, numbers and the store; a move's answer updates what it changed
    // (the ETag, the generations, the deploy poll, the store's records, the stage's deployment);
    // the router guard keeps its alert.
    let owners = [
        "src/app/update/refresh.rs",
        "src/app/update/router_health.rs",
        "src/app/update/stage.rs",
        "src/app/update/switching/request.rs",
        "src/app/update/switching/rollout.rs",
        "src/app/update/switching/share.rs",
    ];
    let found = slice_writers(".learned", &owners);
    assert!(found.is_empty(), "only the readers write what was learned:\n{}", found.join("\n"));
}

#[test]
fn each_slice_of_the_state_is_written_only_by_its_owners() {
    // The ledger: a move begins where a request is sent and changes where its answer comes back
    // (or where the console stops following it).
    let moves = [
        "src/app/update/edge_logs.rs",
        "src/app/update/quitting.rs",
        "src/app/update/stage.rs",
        "src/app/update/switching/mod.rs",
        "src/app/update/switching/request.rs",
        "src/app/update/switching/rollout.rs",
        "src/app/update/switching/share.rs",
        "src/app/update/switching/traffic.rs",
    ];
    // Probe watches: the edge's own module.
    let edge = ["src/app/update/switching/edge.rs"];
    // The edge logs' numbers: the stream's news, and the refresh that tells them the routes.
    let edge_logs = ["src/app/update/edge_logs.rs", "src/app/update/refresh.rs"];
    // The event log only through `State::log`; a refusal where requests are answered (and cleared
    // where a move is sent); the trail's failure where the trail answers.
    let log = ["src/app/model/state.rs"];
    let refused = ["src/app/update/dialogs.rs", "src/app/update/switching/mod.rs", "src/app/update/stage.rs"];
    let audit_failure = ["src/app/update/audit_trail.rs"];
    let banner = [
        "src/app/update/dialogs.rs",
        "src/app/update/refresh.rs",
        "src/app/update/router_health.rs",
        "src/app/update/stage.rs",
        "src/app/update/switching/request.rs",
        "src/app/update/switching/rollout.rs",
        "src/app/update/team.rs",
    ];
    // The team: the journal's news and the outside changes, in their own module.
    let team = ["src/app/update/team.rs"];
    // `state.` names the console's state (a record's `moves` is not the ledger).
    let checks: [(&str, &[&str]); 8] = [
        ("state.team", &team),
        ("state.moves", &moves),
        ("state.edge", &edge),
        ("state.edge_logs", &edge_logs),
        ("state.notices.log", &log),
        ("state.notices.refused", &refused),
        ("state.notices.audit_failure", &audit_failure),
        ("state.notices.banner", &banner),
    ];
    let found: Vec<String> = checks
        .iter()
        .flat_map(|(slice, owners)| slice_writers(slice, owners).into_iter().map(move |w| format!("{slice}: {w}")))
        .collect();
    assert!(found.is_empty(), "a slice written outside its owners:\n{}", found.join("\n"));
}

#[test]
fn the_planner_reads_the_state_and_never_writes_it() {
    // `intent::plan` decides from `&State` alone; showing the dialog or the refusal is `update`'s.
    let found: Vec<String> = (sources().into_iter())
        .filter(|(p, _)| p.starts_with("src/app/intent/"))
        .flat_map(|(path, text)| {
            let lines: Vec<String> = (production(&text).lines().enumerate())
                .filter(|(_, l)| ["&mut State", "&mut self", "Effect", "Action"].iter().any(|w| l.contains(w)))
                .map(|(n, l)| format!("{path}:{}: {}", n + 1, l.trim()))
                .collect();
            lines
        })
        .collect();
    assert!(found.is_empty(), "the planner is pure: no &mut State, no effects, no actions:\n{}", found.join("\n"));
}

#[test]
fn the_policy_check_sees_writes_and_passes_reads() {
    for write in [
        "state.policy.stages.insert(path, stage);",
        "state.policy.operator = who;",
        "state.policy.refresh.every += step;",
        "let p = &mut state.policy;",
        "edit(&mut state.policy.probes);",
        "state.policy.probes.get_mut(path).unwrap().host = h;",
        "if state.policy.probes.iter_mut().any(|p| p.touch()) {",
    ] {
        assert!(writes_policy(write), "missed a write: {write}");
    }
    for read in [
        "let every = state.policy.refresh.every;",
        "if state.policy.operator == who {",
        "state.policy.stages.get(path).cloned()",
        "let mut stages = state.policy.stages.clone();",
        "for (path, spec) in &state.policy.probes {",
        "state.policy_note(x);",
    ] {
        assert!(!writes_policy(read), "a read taken for a write: {read}");
    }
}

/// A cycle in the graph, as the files it passes through back to where it started, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // Depth-first; meeting a file still on the stack closes a cycle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, state, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    graph.keys().find_map(|node| {
        if state.contains_key(node.as_str()) { None } else { visit(node, graph, &mut state, &mut Vec::new()) }
    })
}

#[test]
fn no_import_cycles_between_files() {
    if let Some(cycle) = find_cycle(&graph()) {
        panic!("import cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_a_three_file_cycle_and_passes_a_tree() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in pairs {
            graph.entry(from.to_string()).or_default().insert(to.to_string());
            graph.entry(to.to_string()).or_default();
        }
        graph
    };
    let cycle = find_cycle(&edges(&[("catalog", "traffic"), ("traffic", "world"), ("world", "catalog")]));
    assert_eq!(cycle.unwrap(), ["catalog", "traffic", "world", "catalog"]);
    assert_eq!(find_cycle(&edges(&[("a", "b"), ("a", "c"), ("b", "c")])), None);
}

/// A function longer than this many lines says why, in a comment starting `// Long:` just above it.
const LONG_FUNCTION: usize = 60;

#[test]
fn long_functions_say_why() {
    let mut unexplained = Vec::new();
    for (path, text) in sources() {
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let trimmed = line.trim_start();
            let indent = &line[..line.len() - trimmed.len()];
            let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn ", "async fn ", "pub async fn "]
                .iter()
                .any(|p| trimmed.starts_with(p));
            if !is_fn || trimmed.ends_with(';') {
                i += 1;
                continue;
            }
            let end = (i + 1..lines.len()).find(|&j| lines[j] == format!("{indent}}}")).unwrap_or(i);
            let length = end - i + 1;
            // The comments and attributes right above the signature.
            let above = lines[..i].iter().rev().take_while(|l| {
                let l = l.trim_start();
                l.starts_with("//") || l.starts_with("#[")
            });
            let explained = above.into_iter().any(|l| l.contains("// Long:"));
            if length > LONG_FUNCTION && !explained {
                unexplained.push(format!("{path}:{} {} ({length} lines)", i + 1, trimmed));
            }
            i = end.max(i) + 1;
        }
    }
    assert!(
        unexplained.is_empty(),
        "functions over {LONG_FUNCTION} lines without a `// Long:` reason above them:\n{}",
        unexplained.join("\n")
    );
}

/// The checker itself: a cycle and a forbidden import written into a fake tree are found.
#[test]
fn the_import_reader_follows_crate_super_and_grouped_paths() {
    let files: BTreeMap<Vec<String>, String> = [
        (vec!["a".to_string()], "src/a/mod.rs".to_string()),
        (vec!["a".to_string(), "b".to_string()], "src/a/b.rs".to_string()),
        (vec!["a".to_string(), "c".to_string()], "src/a/c.rs".to_string()),
        (vec!["d".to_string()], "src/d.rs".to_string()),
    ]
    .into_iter()
    .collect();
    let text =
        "//! x\nuse super::c::Thing;\nuse crate::{d::One, a::b};\n#[cfg(test)]\nmod tests { use crate::a::c; }\n";
    let found = imports(&files, "src/a/b.rs", text);
    assert_eq!(found, ["src/a/c.rs", "src/d.rs"].into_iter().map(String::from).collect());
    // A module root's `super` is the module above it, not itself.
    let found = imports(&files, "src/a/mod.rs", "//! x\nuse super::d::One;\n");
    assert_eq!(found, ["src/d.rs"].into_iter().map(String::from).collect());
}
