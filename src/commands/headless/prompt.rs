//! Asking "go ahead?" on the terminal, and refusing when there is no terminal to ask on.

use std::io::{BufRead, IsTerminal, Write};

use super::HeadlessError;
use super::apply::Confirmer;

/// Asks on standard error and reads the answer from standard input, which must be a terminal: a
/// script piping `yes` into cutover should say `--yes` instead, so the intent is in the runbook.
pub struct TerminalConfirmer;

impl Confirmer for TerminalConfirmer {
    fn confirm(&mut self, question: &str) -> Result<bool, HeadlessError> {
        if !std::io::stdin().is_terminal() {
            return Err(HeadlessError::Refused(
                "standard input is not a terminal, so nobody can confirm; add --yes to go ahead without asking"
                    .to_string(),
            ));
        }
        let mut stderr = std::io::stderr();
        let _ = write!(stderr, "{question} [y/N] ");
        let _ = stderr.flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| HeadlessError::Failed(format!("could not read the answer: {e}")))?;
        Ok(is_yes(&answer))
    }
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::is_yes;

    #[test]
    fn only_yes_means_yes() {
        assert!(is_yes("y\n") && is_yes(" YES ") && is_yes("Yes"));
        assert!(!is_yes("\n") && !is_yes("n") && !is_yes("yep") && !is_yes(""));
    }
}
