//! One table of key bindings: it turns key presses into commands and it is what the help overlay
//! and the footer show, so they can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::command::Command;

/// Which part of the screen has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Table,
    Confirm,
    /// Quitting with switches unfinished.
    ConfirmQuit,
    Filter,
    Help,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Table => "Routes",
            Context::Confirm => "Confirm dialog",
            Context::ConfirmQuit => "Quit with switches unfinished",
            Context::Filter => "Filter",
            Context::Help => "Help",
        }
    }
}

/// A key as written in help text, and how to match it.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub context: Context,
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub label: &'static str,
    pub command: Command,
    /// What the footer shows for it, if anything.
    pub footer: Option<&'static str>,
}

const fn key(context: Context, code: KeyCode, label: &'static str, command: Command) -> Binding {
    Binding { context, code, modifiers: KeyModifiers::NONE, label, command, footer: None }
}

/// A binding the footer shows, under a shorter label.
const fn shown(
    context: Context,
    code: KeyCode,
    label: &'static str,
    command: Command,
    footer: &'static str,
) -> Binding {
    Binding { context, code, modifiers: KeyModifiers::NONE, label, command, footer: Some(footer) }
}

use Context::{Confirm, ConfirmQuit, Filter, Help, Table};
use KeyCode::{BackTab, Backspace, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};

pub const BINDINGS: &[Binding] = &[
    shown(Table, Up, "↑/k", Command::SelectUp, "↑↓"),
    key(Table, Char('k'), "↑/k", Command::SelectUp),
    key(Table, Down, "↓/j", Command::SelectDown),
    key(Table, Char('j'), "↓/j", Command::SelectDown),
    key(Table, Home, "Home/g", Command::SelectFirst),
    key(Table, Char('g'), "Home/g", Command::SelectFirst),
    key(Table, End, "End/G", Command::SelectLast),
    key(Table, Char('G'), "End/G", Command::SelectLast),
    key(Table, Char('a'), "a", Command::SelectNextBreached),
    shown(Table, Char('s'), "s/Enter", Command::Switch, "s"),
    key(Table, Enter, "s/Enter", Command::Switch),
    shown(Table, Char('R'), "R", Command::RollbackAll, "R"),
    key(Table, Char('u'), "u", Command::Undo),
    shown(Table, Char('e'), "e", Command::ToggleEvents, "e"),
    key(Table, PageUp, "PgUp/PgDn", Command::ScrollEventsUp),
    key(Table, PageDown, "PgUp/PgDn", Command::ScrollEventsDown),
    shown(Table, Char('/'), "/", Command::StartFilter, "/"),
    key(Table, Esc, "Esc", Command::FilterClear),
    key(Table, Char('t'), "t", Command::CycleTheme),
    key(Table, Char('r'), "r", Command::Refresh),
    key(Table, Char('f'), "f", Command::CycleFaults),
    key(Table, Tab, "Tab/S-Tab", Command::NextDistribution),
    key(Table, BackTab, "Tab/S-Tab", Command::PreviousDistribution),
    shown(Table, Char('?'), "?", Command::ToggleHelp, "?"),
    shown(Table, Char('q'), "q/Ctrl-C", Command::Quit, "q"),
    shown(Confirm, Char('y'), "y", Command::Confirm, "y"),
    shown(Confirm, Char('!'), "!", Command::ConfirmOverride, "!"),
    shown(Confirm, Char('n'), "n/Esc", Command::Cancel, "n/Esc"),
    key(Confirm, Esc, "n/Esc", Command::Cancel),
    shown(ConfirmQuit, Char('y'), "y", Command::ConfirmQuit, "y"),
    shown(ConfirmQuit, Char('n'), "n/Esc", Command::Cancel, "n/Esc"),
    key(ConfirmQuit, Esc, "n/Esc", Command::Cancel),
    shown(Filter, Enter, "Enter", Command::FilterDone, "Enter"),
    shown(Filter, Esc, "Esc", Command::FilterClear, "Esc"),
    key(Filter, Backspace, "Backspace", Command::FilterBackspace),
    shown(Help, Esc, "?/Esc/q", Command::ToggleHelp, "?/Esc"),
    key(Help, Char('?'), "?/Esc/q", Command::ToggleHelp),
    key(Help, Char('q'), "?/Esc/q", Command::ToggleHelp),
];

/// A key that means the same in every context.
#[derive(Clone, Copy, Debug)]
pub struct AnywhereKey {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub command: Command,
}

/// Keys matched before any context's own, and whatever other modifiers are held with them, so
/// that Ctrl-C quits even from the filter, where every plain letter is text.
pub const ANYWHERE: &[AnywhereKey] =
    &[AnywhereKey { code: Char('c'), modifiers: KeyModifiers::CONTROL, command: Command::Quit }];

/// The command a key means in a context, if any. Ctrl-C quits from anywhere.
pub fn command_for(context: Context, event: &KeyEvent) -> Option<Command> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    if let Some(anywhere) = ANYWHERE.iter().find(|k| k.code == event.code && event.modifiers.contains(k.modifiers)) {
        return Some(anywhere.command);
    }
    // Shift is part of the character itself ('G', '?'), so it is not matched separately.
    let modifiers = event.modifiers - KeyModifiers::SHIFT;
    let bound = BINDINGS
        .iter()
        .find(|b| b.context == context && b.code == event.code && b.modifiers == modifiers)
        .map(|b| b.command);
    match (context, bound, event.code) {
        (_, Some(command), _) => Some(command),
        (Context::Filter, None, Char(c)) if modifiers.is_empty() => Some(Command::FilterInput(c)),
        _ => None,
    }
}

/// Every way a table of bindings contradicts itself, one sentence each; empty when it is sound.
/// `command_for` takes the first match, so a second binding of the same key in the same context
/// would silently do nothing; a binding with Shift would never match (Shift is stripped, it is
/// part of the character); one that a key from [`ANYWHERE`] covers would never be reached.
pub fn conflicts(bindings: &[Binding], anywhere: &[AnywhereKey]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, b) in bindings.iter().enumerate() {
        let what = format!("{:?} {:?} in {}", b.modifiers, b.code, b.context.title());
        if let Some(first) =
            bindings[..i].iter().find(|a| a.context == b.context && a.code == b.code && a.modifiers == b.modifiers)
        {
            found.push(format!("{what} is bound to both {:?} and {:?}", first.command, b.command));
        }
        if b.modifiers.contains(KeyModifiers::SHIFT) {
            found.push(format!("{what} names Shift, which is never matched: bind the shifted character"));
        }
        if let Some(k) = anywhere.iter().find(|k| k.code == b.code && b.modifiers.contains(k.modifiers)) {
            found.push(format!("{what} is hidden by {:?}, which works anywhere", k.command));
        }
    }
    found
}

/// Bindings of a context with duplicate labels folded, in table order, for help and footer.
pub fn help_rows(context: Context) -> Vec<(&'static str, Command)> {
    let mut rows: Vec<(&'static str, Command)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.context == context) {
        if !rows.iter().any(|(label, _)| *label == b.label) {
            rows.push((b.label, b.command));
        }
    }
    rows
}

/// The keys the footer shows for a context.
pub fn footer(context: Context) -> Vec<(&'static str, &'static str)> {
    BINDINGS.iter().filter(|b| b.context == context).filter_map(|b| Some((b.footer?, b.command.short()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_same_key_means_different_things_in_different_contexts() {
        assert_eq!(command_for(Table, &press(Char('s'))), Some(Command::Switch));
        assert_eq!(command_for(Filter, &press(Char('s'))), Some(Command::FilterInput('s')));
        assert_eq!(command_for(Confirm, &press(Char('s'))), None);
        assert_eq!(command_for(Confirm, &press(Char('y'))), Some(Command::Confirm));
    }

    #[test]
    fn ctrl_c_quits_everywhere_and_shifted_letters_match() {
        let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        for context in [Table, Confirm, Filter, Help] {
            assert_eq!(command_for(context, &ctrl_c), Some(Command::Quit));
        }
        assert_eq!(command_for(Table, &KeyEvent::new(Char('G'), KeyModifiers::SHIFT)), Some(Command::SelectLast));
    }

    #[test]
    fn the_bindings_do_not_contradict_themselves() {
        assert_eq!(conflicts(BINDINGS, ANYWHERE), Vec::<String>::new());
    }

    #[test]
    fn a_key_bound_twice_in_one_context_is_a_conflict() {
        let twice = [key(Table, Char('x'), "x", Command::Refresh), key(Table, Char('x'), "x", Command::Undo)];
        let found = conflicts(&twice, ANYWHERE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("Refresh") && found[0].contains("Undo"), "{found:?}");
        // The same key in two contexts, or with another modifier, is not.
        let apart = [
            key(Table, Char('x'), "x", Command::Refresh),
            key(Confirm, Char('x'), "x", Command::Undo),
            Binding { modifiers: KeyModifiers::ALT, ..key(Table, Char('x'), "x", Command::Undo) },
        ];
        assert_eq!(conflicts(&apart, ANYWHERE), Vec::<String>::new());
    }

    #[test]
    fn bindings_that_can_never_match_are_conflicts() {
        let shifted = [Binding { modifiers: KeyModifiers::SHIFT, ..key(Table, Char('X'), "X", Command::Undo) }];
        assert_eq!(conflicts(&shifted, ANYWHERE).len(), 1);
        let hidden =
            [Binding { modifiers: KeyModifiers::CONTROL, ..key(Filter, Char('c'), "^C", Command::FilterClear) }];
        let found = conflicts(&hidden, ANYWHERE);
        assert!(found.len() == 1 && found[0].contains("Quit"), "{found:?}");
    }

    #[test]
    fn help_lists_every_table_command_once() {
        let rows = help_rows(Table);
        let labels: Vec<_> = rows.iter().map(|(l, _)| *l).collect();
        assert!(labels.contains(&"s/Enter"));
        assert_eq!(labels.iter().filter(|l| **l == "↑/k").count(), 1);
    }
}
