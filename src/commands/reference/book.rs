//! The book's reference pages that are generated from the code, so the book cannot drift from the
//! binary: the keys page from the key map, the command-line page from the clap definitions, and the
//! config page from the example config. `tests/book_pages.rs` fails when a page in `docs/` differs
//! from what these functions write (and rewrites them with `CUTOVER_BLESS_BOOK=1`).

use std::fmt::Write;

use clap::CommandFactory;

use crate::app::keymap::{ANYWHERE, Context, describe, help_key_names, key_name};
use crate::cli::Cli;
use crate::config::EXAMPLE;

/// Each generated page: its path under `docs/src/` and its text.
pub fn pages() -> Vec<(&'static str, String)> {
    vec![("reference/keys.md", keys_page()), ("reference/cli.md", cli_page()), ("reference/config.md", config_page())]
}

const GENERATED: &str = "<!-- Generated from the code by tests/book_pages.rs (CUTOVER_BLESS_BOOK=1 cargo test --test book_pages); do not edit. -->\n\n";

/// The contexts in the order a user meets them; a test checks every binding's context is here.
pub const CONTEXTS: &[Context] =
    &[Context::Table, Context::Confirm, Context::ConfirmQuit, Context::StagePicker, Context::Filter, Context::Help];

/// Every key of every context, as the help overlay (`?`) lists them.
pub fn keys_page() -> String {
    let mut page = format!(
        "{GENERATED}# Keys\n\nEvery key the console answers, by what has the keyboard, as the help overlay (`?`) \
         lists them. A key that cannot act where it is pressed says why in the footer.\n"
    );
    for context in CONTEXTS {
        let _ = write!(page, "\n## {}\n\n| key | what it does |\n| --- | --- |\n", context.title());
        for (keys, command) in help_key_names(*context) {
            let _ = writeln!(page, "| {} | {} |", code_spans(&keys), escape_cell(describe(*context, command)));
        }
    }
    let _ = write!(page, "\n## Anywhere\n\n| key | what it does |\n| --- | --- |\n");
    for key in ANYWHERE {
        let name = key_name(key.code, key.modifiers);
        let _ = writeln!(page, "| {} | {} |", code_spans(&[name]), escape_cell(key.command.description()));
    }
    page
}

/// `` `s`/`Enter` ``: each key its own code span.
fn code_spans(keys: &[String]) -> String {
    keys.iter().map(|key| format!("`{key}`")).collect::<Vec<_>>().join("/")
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `cutover --help` and every subcommand's `--help`, in the order `cutover --help` lists them.
pub fn cli_page() -> String {
    let mut root = Cli::command().bin_name("cutover");
    // Environment variables would otherwise print the values set where the page is generated.
    hide_env_values(&mut root);
    root.build();
    let mut page = format!(
        "{GENERATED}# Command line\n\nEvery command and option, as `--help` prints them. \
         `cutover help COMMAND` or `cutover COMMAND --help` prints the same; `cutover man` is the same as a man page.\n"
    );
    write_help(&mut page, &mut root, "cutover");
    page
}

fn hide_env_values(command: &mut clap::Command) {
    let taken = std::mem::take(command);
    *command = taken.mut_args(|arg| arg.hide_env_values(true)).mut_subcommands(|mut sub| {
        hide_env_values(&mut sub);
        sub
    });
}

fn write_help(page: &mut String, command: &mut clap::Command, name: &str) {
    let help = command.render_long_help().to_string();
    let _ = write!(page, "\n## `{name}`\n\n```text\n{}\n```\n", help.trim_end());
    if name != "cutover" {
        let _ = writeln!(page, "\nThe [global options](#cutover) work here too.");
    }
    let names: Vec<String> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name().to_string())
        .collect();
    for sub_name in names {
        let full = format!("{name} {sub_name}");
        if let Some(sub) = command.find_subcommand_mut(&sub_name) {
            // The global options are on `cutover`'s own help; repeated under every command they
            // would bury what the command itself takes.
            let mut sub = sub
                .clone()
                .bin_name(full.clone())
                .mut_args(|arg| if arg.is_global_set() { arg.hide(true) } else { arg });
            write_help(page, &mut sub, &full);
        }
    }
}

/// The example config, whole: every key with its default and what it means.
pub fn config_page() -> String {
    format!(
        "{GENERATED}# Config file\n\nEvery key, with its default and what it means. `cutover init --distribution ID` \
         writes a starter file from a live distribution; a config is read from `--config PATH`, `CUTOVER_CONFIG`, \
         else `~/.config/cutover/cutover.toml`. This is `src/config/example.rs`, which the tests parse and validate.\n\n\
         ```toml\n{EXAMPLE}```\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::BINDINGS;

    #[test]
    fn every_bindings_context_has_a_place_on_the_keys_page() {
        for binding in BINDINGS {
            assert!(CONTEXTS.contains(&binding.context), "{:?} is not on the keys page", binding.context);
        }
    }

    #[test]
    fn the_cli_page_has_every_subcommand_and_no_environment_values() {
        let page = cli_page();
        for sub in Cli::command().get_subcommands().filter(|s| s.get_name() != "help") {
            assert!(page.contains(&format!("## `cutover {}`", sub.get_name())), "no {}", sub.get_name());
        }
        assert!(!page.contains("[env: CUTOVER_CONFIG="), "an environment value leaked into the page");
    }

    #[test]
    fn the_keys_page_names_the_keys_a_responder_needs() {
        let page = keys_page();
        for key in ["`R`", "`D`", "`p`", "`/`", "`Ctrl-C`"] {
            assert!(page.lines().any(|row| row.starts_with("| ") && row.contains(key)), "no {key}");
        }
    }
}
