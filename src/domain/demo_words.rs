//! A sentence in the demo's words: the commands it names as the demo runs them (`cutover status`
//! is `cutover status --demo`, the console `cutover demo`), so nothing the demo says sends a
//! responder in training to live AWS. The console's log, flash and banner say it in demo mode;
//! `--demo` commands print through it.

/// The commands a sentence names, as the demo runs them: `cutover status` is `cutover status
/// --demo`, the console `cutover demo`; what only AWS has is said as the demo does it.
pub fn in_demo_words(text: &str) -> String {
    const WITH_DEMO: [&str; 9] =
        ["status", "switch", "weight", "rollout", "rollback-all", "stage", "probe", "router", "log"];
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find("`cutover") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let command = &after[..end];
        let word = command.split_whitespace().nth(1);
        let said = match word {
            None => "cutover demo".to_string(),
            Some(word) if WITH_DEMO.contains(&word) && !command.contains("--demo") => format!("{command} --demo"),
            Some(_) => command.to_string(),
        };
        out.push('`');
        out.push_str(&said);
        out.push('`');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out.replace("move it in CloudFront yourself", "move it with `cutover switch ROUTE --to origin --yes --demo`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_names_its_own_commands() {
        assert_eq!(
            in_demo_words("check with `cutover status`; the console (`cutover`) or `cutover rollout R --wait`"),
            "check with `cutover status --demo`; the console (`cutover demo`) or `cutover rollout R --wait --demo`"
        );
        assert_eq!(
            in_demo_words("`cutover status --demo` and `cutover init`"),
            "`cutover status --demo` and `cutover init`"
        );
        assert_eq!(in_demo_words("no command here"), "no command here");
    }
}
