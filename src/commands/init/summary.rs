//! What `cutover init` tells the user after writing: where, what, and what to do next.

use std::path::Path;

use super::render::Starter;

/// The lines for stdout: the file, its routes, how origins were classed, and the next step. `run` is
/// the command that opens the console on the file; `load_error` is what loading the file says now, if
/// it does not load yet.
pub fn summary(path: &Path, id: &str, starter: &Starter, run: &str, load_error: Option<&str>) -> String {
    let ids = |ids: &[String]| if ids.is_empty() { "none".to_string() } else { ids.join(", ") };
    let routes = if starter.routes == 1 { "1 route".to_string() } else { format!("{} routes", starter.routes) };
    let mut out = format!(
        "wrote {} for distribution {id}: {routes}; Lambda origins: {}; legacy origins: {}",
        path.display(),
        ids(&starter.lambda_origins),
        ids(&starter.legacy_origins)
    );
    if !starter.unclassified.is_empty() {
        out.push_str(&format!("; in neither list: {}", ids(&starter.unclassified)));
    }
    out.push('\n');
    match load_error {
        None => out.push_str(&format!(
            "next: review the origin lists and fill in the commented metric sources under each route, then run \
             `{run}`\n"
        )),
        Some(_) => out.push_str(&format!(
            "next: edit {} as the warning above says, review the commented metric sources, then run `{run}`\n",
            path.display()
        )),
    }
    if !starter.stages.is_empty() {
        out.push_str(&format!(
            "stage (read from API Gateway, for the stage rollback D): {}; set fallback_deployment to the \
             deployment that proxies to the monolith, from those the file lists\n",
            starter.stages.join(", ")
        ));
    }
    if !starter.lambda_origins.is_empty() {
        out.push_str(ACCOUNTS_BY_HAND);
        out.push('\n');
    }
    out
}

/// What `init` cannot know of the Lambda origins: an API Gateway domain names its region, never its account.
pub const ACCOUNTS_BY_HAND: &str = "by hand: an API Gateway domain does not say which AWS account it is in; if a \
     Lambda origin's API or functions live in another account than the distribution, name that account under \
     [distribution.lambda_accounts.NAME] (the file has it commented out)";

/// The command that opens the console on `path`: plain `cutover` when that is where it looks anyway.
pub fn run_command(path: &Path, looks_at: Option<&Path>) -> String {
    if looks_at == Some(path) {
        return "cutover".to_string();
    }
    let shown = path.display().to_string();
    let plain = shown.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=~".contains(c));
    if plain {
        format!("cutover --config {shown}")
    } else {
        format!("cutover --config '{}'", shown.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starter() -> Starter {
        Starter {
            text: String::new(),
            routes: 4,
            lambda_origins: vec!["apigw".into()],
            legacy_origins: vec!["elb".into(), "elbs".into()],
            unclassified: vec![],
            stages: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn the_summary_names_the_file_the_routes_the_classes_and_the_next_step() {
        let text = summary(Path::new("/c/cutover.toml"), "E1", &starter(), "cutover", None);
        assert_eq!(
            text,
            "wrote /c/cutover.toml for distribution E1: 4 routes; Lambda origins: apigw; legacy origins: elb, elbs\n\
             next: review the origin lists and fill in the commented metric sources under each route, then run \
             `cutover`\n\
             by hand: an API Gateway domain does not say which AWS account it is in; if a Lambda origin's API or \
             functions live in another account than the distribution, name that account under \
             [distribution.lambda_accounts.NAME] (the file has it commented out)\n"
        );
    }

    #[test]
    fn a_file_that_does_not_load_yet_points_at_the_warning() {
        let mut s = starter();
        s.lambda_origins.clear();
        s.unclassified.push("mixed".into());
        let text = summary(Path::new("c.toml"), "E1", &s, "cutover --config c.toml", Some("no lambda_origins"));
        assert!(text.contains("Lambda origins: none;") && text.contains("in neither list: mixed"), "{text}");
        assert!(text.contains("next: edit c.toml as the warning above says"), "{text}");
    }

    #[test]
    fn the_stages_found_are_named_with_the_step_left_to_do() {
        let mut s = starter();
        s.stages = vec!["REST a1/prod".into()];
        let text = summary(Path::new("c.toml"), "E1", &s, "cutover", None);
        assert!(
            text.contains(
                "stage (read from API Gateway, for the stage rollback D): REST a1/prod; set fallback_deployment to \
                 the deployment that proxies to the monolith, from those the file lists\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn the_run_command_names_the_config_only_when_needed() {
        let p = Path::new("/home/u/.config/cutover/cutover.toml");
        assert_eq!(run_command(p, Some(p)), "cutover");
        assert_eq!(run_command(Path::new("my.toml"), Some(p)), "cutover --config my.toml");
        assert_eq!(run_command(Path::new("it's here.toml"), None), r"cutover --config 'it'\''s here.toml'");
    }
}
