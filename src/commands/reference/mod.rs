//! `cutover completions SHELL` and `cutover man`: generated from the clap definitions the binary
//! parses with (`cli::Cli`), so they say what the binary takes, never more nor less.

pub mod book;

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cutover", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The man page, roff: the main page, then each subcommand in a section of its own with its
/// synopsis, description and options, so that one page (`man cutover`) holds them all.
pub fn man() -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_man(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn write_man(out: &mut Vec<u8>) -> std::io::Result<()> {
    let command = Cli::command();
    let page = clap_mangen::Man::new(command.clone());
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    page.render_options_section(out)?;
    page.render_subcommands_section(out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("cutover {}", sub.get_name());
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        let sub_page = clap_mangen::Man::new(sub.clone().bin_name(name));
        let mut section = Vec::new();
        sub_page.render_synopsis_section(&mut section)?;
        sub_page.render_description_section(&mut section)?;
        sub_page.render_options_section(&mut section)?;
        // Its own headings as subsections of the subcommand's section.
        for line in String::from_utf8_lossy(&section).lines() {
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(out, ".SS {heading}")?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    page.render_version_section(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subcommands() -> Vec<String> {
        Cli::command().get_subcommands().map(|s| s.get_name().to_string()).collect()
    }

    #[test]
    fn every_shells_completions_name_every_subcommand() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
            clap_complete::Shell::Elvish,
        ] {
            let script = completions(shell);
            for name in subcommands() {
                assert!(script.contains(&name), "{shell}: no {name}");
            }
        }
    }

    #[test]
    fn the_man_page_has_a_section_for_every_subcommand_and_its_options() {
        let page = man();
        assert!(page.starts_with(".ie") && page.contains(".TH cutover 1"), "{}", &page[..200]);
        for name in subcommands().iter().filter(|n| *n != "help") {
            assert!(page.contains(&format!(".SH \"CUTOVER {}\"", name.to_uppercase())), "no section for {name}");
        }
        assert!(page.contains(r"\-\-to"), "switch's options are in it");
        assert!(page.contains(r"\-\-team"), "log's options are in it");
    }
}
