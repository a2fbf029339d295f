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
    /// The stage rollback's list of deployments.
    StagePicker,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Table => "Routes",
            Context::Confirm => "Confirm dialog",
            Context::ConfirmQuit => "Quit with switches unfinished",
            Context::Filter => "Filter",
            Context::Help => "Help",
            Context::StagePicker => "Stage deployments",
        }
    }
}

/// A key, how to match it, and whether the footer shows it. What help and footer write for it
/// is derived from the key itself ([`key_name`]), so they can never disagree with what it does.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub context: Context,
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub command: Command,
    /// The footer has room for the most useful keys only: `s switch`, not `s/Enter switch`.
    pub in_footer: bool,
}

const fn key(context: Context, code: KeyCode, command: Command) -> Binding {
    Binding { context, code, modifiers: KeyModifiers::NONE, command, in_footer: false }
}

/// A binding the footer shows too.
const fn shown(context: Context, code: KeyCode, command: Command) -> Binding {
    Binding { in_footer: true, ..key(context, code, command) }
}

use Context::{Confirm, ConfirmQuit, Filter, Help, StagePicker, Table};
use KeyCode::{BackTab, Backspace, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up};

/// In the order help and footer list them; a command's keys are written in this order too.
pub const BINDINGS: &[Binding] = &[
    shown(Table, Up, Command::SelectUp),
    key(Table, Char('k'), Command::SelectUp),
    shown(Table, Down, Command::SelectDown),
    key(Table, Char('j'), Command::SelectDown),
    key(Table, Home, Command::SelectFirst),
    key(Table, Char('g'), Command::SelectFirst),
    key(Table, End, Command::SelectLast),
    key(Table, Char('G'), Command::SelectLast),
    key(Table, Char('a'), Command::SelectNextBreached),
    shown(Table, Char('s'), Command::Switch),
    key(Table, Enter, Command::Switch),
    key(Table, Char('+'), Command::ShareUp),
    key(Table, Char('='), Command::ShareUp),
    key(Table, Char('-'), Command::ShareDown),
    key(Table, Char('P'), Command::StartPlan),
    key(Table, Char('Z'), Command::PausePlan),
    key(Table, Char('X'), Command::AbortPlan),
    shown(Table, Char('R'), Command::RollbackAll),
    key(Table, Char('D'), Command::StageRollback),
    key(Table, Char('u'), Command::Undo),
    shown(Table, Char('e'), Command::ToggleEvents),
    key(Table, PageUp, Command::ScrollEventsUp),
    key(Table, PageDown, Command::ScrollEventsDown),
    shown(Table, Char('/'), Command::StartFilter),
    key(Table, Esc, Command::FilterClear),
    key(Table, Char('t'), Command::CycleTheme),
    key(Table, Char('r'), Command::Refresh),
    key(Table, Char('p'), Command::Probe),
    key(Table, Char('f'), Command::CycleFaults),
    key(Table, Tab, Command::NextDistribution),
    key(Table, BackTab, Command::PreviousDistribution),
    shown(Table, Char('?'), Command::ToggleHelp),
    shown(Table, Char('q'), Command::Quit),
    shown(Confirm, Char('y'), Command::Confirm),
    shown(Confirm, Char('!'), Command::ConfirmOverride),
    shown(Confirm, Char('n'), Command::Cancel),
    shown(Confirm, Esc, Command::Cancel),
    shown(ConfirmQuit, Char('y'), Command::ConfirmQuit),
    shown(ConfirmQuit, Char('n'), Command::Cancel),
    shown(ConfirmQuit, Esc, Command::Cancel),
    shown(Filter, Enter, Command::FilterDone),
    shown(Filter, Esc, Command::FilterClear),
    key(Filter, Backspace, Command::FilterBackspace),
    shown(Help, Char('?'), Command::ToggleHelp),
    shown(Help, Esc, Command::ToggleHelp),
    key(Help, Char('q'), Command::ToggleHelp),
    shown(StagePicker, Up, Command::SelectUp),
    key(StagePicker, Char('k'), Command::SelectUp),
    shown(StagePicker, Down, Command::SelectDown),
    key(StagePicker, Char('j'), Command::SelectDown),
    shown(StagePicker, Enter, Command::Confirm),
    shown(StagePicker, Esc, Command::Cancel),
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
        let what = format!("{} in {}", key_name(b.code, b.modifiers), b.context.title());
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

/// How help and footer write a key: `↑`, `Enter`, `PgUp`, `S-Tab`, `Ctrl-C`, `k`. Spelled out
/// rather than crossterm's `Display`, which says "Return" and "Page Up" (and differs on macOS).
pub fn key_name(code: KeyCode, modifiers: KeyModifiers) -> String {
    let name = match code {
        Up => "↑".to_string(),
        Down => "↓".to_string(),
        KeyCode::Left => "←".to_string(),
        KeyCode::Right => "→".to_string(),
        Enter => "Enter".to_string(),
        Esc => "Esc".to_string(),
        Tab => "Tab".to_string(),
        BackTab => "S-Tab".to_string(),
        Backspace => "Backspace".to_string(),
        KeyCode::Delete => "Del".to_string(),
        KeyCode::Insert => "Ins".to_string(),
        Home => "Home".to_string(),
        End => "End".to_string(),
        PageUp => "PgUp".to_string(),
        PageDown => "PgDn".to_string(),
        Char(' ') => "Space".to_string(),
        // Control letters are written in capitals, as terminals and manuals do: Ctrl-C.
        Char(c) if modifiers.contains(KeyModifiers::CONTROL) => c.to_uppercase().to_string(),
        Char(c) => c.to_string(),
        other => other.to_string(),
    };
    let mut prefix = String::new();
    if modifiers.contains(KeyModifiers::CONTROL) {
        prefix.push_str("Ctrl-");
    }
    if modifiers.contains(KeyModifiers::ALT) {
        prefix.push_str("Alt-");
    }
    prefix + &name
}

/// Keys written one after another: `s/Enter`, but arrows run together (`↑↓`), as keyboards print them.
fn join(keys: &[(KeyCode, KeyModifiers)]) -> String {
    let arrow = |code: &KeyCode| matches!(code, Up | Down | KeyCode::Left | KeyCode::Right);
    let mut text = String::new();
    for (i, (code, modifiers)) in keys.iter().enumerate() {
        if i > 0 && !(arrow(code) && arrow(&keys[i - 1].0)) {
            text.push('/');
        }
        text.push_str(&key_name(*code, *modifiers));
    }
    text
}

/// Rows of help or footer for a context: one per distinct `text` of the commands, in table order,
/// so that commands that read the same share a row with all their keys (PgUp and PgDn both
/// "scroll the event log"; ↑ and ↓ both "select"). Keys from [`ANYWHERE`] follow a row's own keys
/// unless only footer keys are wanted. Each row keeps its first command, for its description.
fn rows(
    bindings: &[Binding],
    context: Context,
    text: fn(Command) -> &'static str,
    footer_only: bool,
) -> Vec<(Vec<(KeyCode, KeyModifiers)>, Command)> {
    let mut rows: Vec<(Vec<(KeyCode, KeyModifiers)>, Command)> = Vec::new();
    for b in bindings.iter().filter(|b| b.context == context && (b.in_footer || !footer_only)) {
        match rows.iter_mut().find(|(_, command)| text(*command) == text(b.command)) {
            Some((keys, _)) => keys.push((b.code, b.modifiers)),
            None => rows.push((vec![(b.code, b.modifiers)], b.command)),
        }
    }
    if !footer_only {
        for (keys, first) in &mut rows {
            let anywhere = ANYWHERE.iter().filter(|k| text(k.command) == text(*first));
            keys.extend(anywhere.map(|k| (k.code, k.modifiers)));
        }
    }
    rows
}

/// What the help overlay lists for a context: every key (`s/Enter`, `q/Ctrl-C`) and the command.
pub fn help_rows(context: Context) -> Vec<(String, Command)> {
    rows(BINDINGS, context, Command::description, false)
        .into_iter()
        .map(|(keys, command)| (join(&keys), command))
        .collect()
}

/// The same rows as [`help_rows`], each key named on its own (`["s", "Enter"]`), for pages that
/// mark up every key: the filter's `/` cannot be told from the separator in `help_rows`' text.
pub fn help_key_names(context: Context) -> Vec<(Vec<String>, Command)> {
    rows(BINDINGS, context, Command::description, false)
        .into_iter()
        .map(|(keys, command)| (keys.iter().map(|(code, modifiers)| key_name(*code, *modifiers)).collect(), command))
        .collect()
}

/// What the help overlay and the keys page say `command` does where `context` has the keyboard:
/// the stage's picker selects and chooses deployments, not routes or switches.
pub fn describe(context: Context, command: Command) -> &'static str {
    match (context, command) {
        (StagePicker, Command::SelectUp | Command::SelectDown) => "select the deployment above / below",
        (StagePicker, Command::Confirm) => "choose this deployment, then confirm",
        _ => command.description(),
    }
}

/// What the footer shows for a context, for the commands `offered` there: the footer's keys and
/// the command's short word (`↑↓ select`, `n/Esc cancel`).
pub fn footer(context: Context, offered: impl Fn(Command) -> bool) -> Vec<(String, &'static str)> {
    rows(BINDINGS, context, Command::short, true)
        .into_iter()
        .filter(|(_, command)| offered(*command))
        .map(|(keys, command)| (join(&keys), command.short()))
        .collect()
}

/// Every key that gives `command` in `context`, then those that give it anywhere, as help writes
/// them: `n/Esc`. For hints a dialog writes in its own words ("n/Esc stay and keep following").
pub fn label(context: Context, command: Command) -> String {
    let own = BINDINGS.iter().filter(|b| b.context == context && b.command == command).map(|b| (b.code, b.modifiers));
    let anywhere = ANYWHERE.iter().filter(|k| k.command == command).map(|k| (k.code, k.modifiers));
    join(&own.chain(anywhere).collect::<Vec<_>>())
}

/// The names of the footer's keys for a command, for sentences such as "? or Esc closes this help".
pub fn footer_key_names(context: Context, command: Command) -> Vec<String> {
    BINDINGS
        .iter()
        .filter(|b| b.context == context && b.in_footer && b.command == command)
        .map(|b| key_name(b.code, b.modifiers))
        .collect()
}

/// How the keys that work anywhere and give `command` are written: `Ctrl-C` for quitting.
pub fn anywhere_label(command: Command) -> String {
    let keys: Vec<_> = ANYWHERE.iter().filter(|k| k.command == command).map(|k| (k.code, k.modifiers)).collect();
    join(&keys)
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
        let twice = [key(Table, Char('x'), Command::Refresh), key(Table, Char('x'), Command::Undo)];
        let found = conflicts(&twice, ANYWHERE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("Refresh") && found[0].contains("Undo"), "{found:?}");
        // The same key in two contexts, or with another modifier, is not.
        let apart = [
            key(Table, Char('x'), Command::Refresh),
            key(Confirm, Char('x'), Command::Undo),
            Binding { modifiers: KeyModifiers::ALT, ..key(Table, Char('x'), Command::Undo) },
        ];
        assert_eq!(conflicts(&apart, ANYWHERE), Vec::<String>::new());
    }

    #[test]
    fn bindings_that_can_never_match_are_conflicts() {
        let shifted = [Binding { modifiers: KeyModifiers::SHIFT, ..key(Table, Char('X'), Command::Undo) }];
        assert_eq!(conflicts(&shifted, ANYWHERE).len(), 1);
        let hidden = [Binding { modifiers: KeyModifiers::CONTROL, ..key(Filter, Char('c'), Command::FilterClear) }];
        let found = conflicts(&hidden, ANYWHERE);
        assert!(found.len() == 1 && found[0].contains("Quit"), "{found:?}");
    }

    #[test]
    fn keys_are_written_as_the_help_writes_them() {
        let none = KeyModifiers::NONE;
        let names: Vec<String> = [
            Up,
            Down,
            Enter,
            Esc,
            PageUp,
            PageDown,
            BackTab,
            Tab,
            Backspace,
            Home,
            Char('G'),
            Char(' '),
            KeyCode::F(5),
        ]
        .into_iter()
        .map(|code| key_name(code, none))
        .collect();
        assert_eq!(
            names,
            ["↑", "↓", "Enter", "Esc", "PgUp", "PgDn", "S-Tab", "Tab", "Backspace", "Home", "G", "Space", "F5"]
        );
        assert_eq!(key_name(Char('c'), KeyModifiers::CONTROL), "Ctrl-C");
        assert_eq!(key_name(Char('x'), KeyModifiers::ALT), "Alt-x");
    }

    #[test]
    fn help_labels_are_every_key_of_a_command_in_table_order() {
        let labels: Vec<String> = help_rows(Table).into_iter().map(|(label, _)| label).collect();
        let expected = [
            "↑/k/↓/j",
            "Home/g",
            "End/G",
            "a",
            "s/Enter",
            "+/=/-",
            "P/Z/X",
            "R/D",
            "u",
            "e",
            "PgUp/PgDn",
            "/",
            "Esc",
            "t",
            "r",
            "p",
            "f",
            "Tab/S-Tab",
            "?",
            "q/Ctrl-C",
        ];
        assert_eq!(labels, expected);
        assert_eq!(
            help_rows(Confirm),
            [
                ("y".to_string(), Command::Confirm),
                ("!".to_string(), Command::ConfirmOverride),
                ("n/Esc".to_string(), Command::Cancel)
            ]
        );
        assert_eq!(help_rows(Help), [("?/Esc/q".to_string(), Command::ToggleHelp)]);
    }

    #[test]
    fn a_label_follows_the_keys_bound() {
        // A second key for a command shows up in its label without anyone typing it.
        let table = [key(Table, Char('s'), Command::Switch), key(Table, Char('x'), Command::Switch)];
        let labels: Vec<_> =
            rows(&table, Table, Command::description, false).into_iter().map(|(k, _)| join(&k)).collect();
        assert_eq!(labels, ["s/x"]);
        // Quitting gains the key that quits from anywhere; a footer-only listing leaves it out.
        let quit = [shown(Table, Char('q'), Command::Quit)];
        assert_eq!(join(&rows(&quit, Table, Command::description, false)[0].0), "q/Ctrl-C");
        assert_eq!(join(&rows(&quit, Table, Command::short, true)[0].0), "q");
    }

    #[test]
    fn the_footer_shows_its_keys_with_short_words() {
        let all = |_| true;
        let table: Vec<_> = footer(Table, all);
        let expected = [
            ("↑↓", "select"),
            ("s", "switch"),
            ("R", "rollback all"),
            ("e", "events"),
            ("/", "filter"),
            ("?", "help"),
            ("q", "quit"),
        ];
        assert_eq!(table, expected.map(|(k, w)| (k.to_string(), w)));
        assert_eq!(footer(Help, all), [("?/Esc".to_string(), "help")]);
        let no_override: Vec<_> = footer(Confirm, |c| c != Command::ConfirmOverride);
        assert_eq!(no_override, [("y".to_string(), "confirm"), ("n/Esc".to_string(), "cancel")]);
        assert_eq!(footer_key_names(Help, Command::ToggleHelp), ["?", "Esc"]);
        assert_eq!(anywhere_label(Command::Quit), "Ctrl-C");
    }

    #[test]
    fn a_dialog_hint_names_every_key_of_its_command() {
        assert_eq!(label(Confirm, Command::Cancel), "n/Esc");
        assert_eq!(label(Confirm, Command::ConfirmOverride), "!");
        assert_eq!(label(ConfirmQuit, Command::ConfirmQuit), "y");
        assert_eq!(label(Table, Command::SelectNextBreached), "a");
        assert_eq!(label(Table, Command::Quit), "q/Ctrl-C");
        assert_eq!(label(Confirm, Command::Switch), "", "not bound there");
    }
}
