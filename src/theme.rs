//! Colour themes: named *meanings* (not widgets) mapped to ratatui [`Style`]s.
//!
//! Built-in themes live in `themes/*.toml` and are embedded in the binary. A user may put
//! `NAME.toml` files in [`user_theme_dir`]: a file with a built-in's name replaces that theme,
//! any other name adds a theme. Keys missing from a user file fall back to the built-in theme of
//! the same name, or to the built-in `dark` theme for new names, so an override can be small
//! (`banner_read_only` first falls back to the file's own `log_warn`: see `user_theme`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Deserializer};

use crate::domain::Target;

/// The theme used when none is configured.
pub const DEFAULT_THEME: &str = "dark";

/// Built-in themes in the order they are offered.
const BUILTIN: [(&str, &str); 3] = [
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    ("high-contrast", include_str!("../themes/high-contrast.toml")),
];

/// Where the user's own theme files live: `<config dir>/themes`.
pub fn user_theme_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "cutover").map(|d| d.config_dir().to_path_buf()).map(|d| d.join("themes"))
}

/// Errors from loading themes; each message is one sentence.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme file {file} has an error at line {line}, column {column}: {message}; {hint}")]
    Parse { file: String, line: usize, column: usize, message: String, hint: &'static str },
    #[error("theme file {file} is not a valid theme: {message}; {hint}")]
    ParseNoPosition { file: String, message: String, hint: &'static str },
    #[error("built-in theme '{name}' lacks the keys {keys}; add them to themes/{name}.toml")]
    MissingKeys { name: String, keys: String },
    #[error("could not read the theme directory {}: {source}", path.display())]
    ReadDir { path: PathBuf, source: std::io::Error },
    #[error("could not read the theme file {}: {source}", path.display())]
    ReadFile { path: PathBuf, source: std::io::Error },
}

/// One `[key]` table of a theme file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    #[serde(default, deserialize_with = "de_color")]
    fg: Option<Color>,
    #[serde(default, deserialize_with = "de_color")]
    bg: Option<Color>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    underlined: bool,
    #[serde(default)]
    reversed: bool,
}

impl StyleSpec {
    fn to_style(&self) -> Style {
        let mut style = Style::new();
        if let Some(fg) = self.fg {
            style = style.fg(fg);
        }
        if let Some(bg) = self.bg {
            style = style.bg(bg);
        }
        for (on, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.dim, Modifier::DIM),
            (self.underlined, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ] {
            if on {
                style = style.add_modifier(modifier);
            }
        }
        style
    }
}

/// Accepts `"red"`, `"lightblue"`, `"reset"`, `"#rrggbb"`, `"42"` or a bare integer 0..=255.
fn de_color<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Color>, D::Error> {
    struct ColorVisitor;
    impl serde::de::Visitor<'_> for ColorVisitor {
        type Value = Option<Color>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a colour such as \"red\", \"lightblue\", \"reset\", \"#rrggbb\" or \"0\"..\"255\"")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Color::from_str(v).map(Some).map_err(|_| {
                E::custom(format!(
                    "unknown colour '{v}', use a name such as \"red\", \"lightblue\" or \"reset\", a hex \"#rrggbb\" or an index \"0\"..\"255\""
                ))
            })
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u8::try_from(v)
                .map(|i| Some(Color::Indexed(i)))
                .map_err(|_| E::custom(format!("colour index {v} is out of range, use 0..255")))
        }
    }
    deserializer.deserialize_any(ColorVisitor)
}

macro_rules! theme_keys {
    ($( $(#[doc = $doc:literal])* $key:ident ),* $(,)?) => {
        /// A complete colour theme: one [`Style`] per meaning.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            /// The theme's name (the file stem).
            pub name: String,
            $( $(#[doc = $doc])* pub $key: Style, )*
        }

        /// A theme file as written; every key optional so user files can be partial.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ThemeFile {
            $( $key: Option<StyleSpec>, )*
        }

        impl ThemeFile {
            fn missing_keys(&self) -> Vec<&'static str> {
                let mut missing = Vec::new();
                $( if self.$key.is_none() { missing.push(stringify!($key)); } )*
                missing
            }

            fn into_theme(self, name: &str, fallback: Option<&Theme>) -> Theme {
                Theme {
                    name: name.to_string(),
                    $( $key: match (&self.$key, fallback) {
                        (Some(spec), _) => spec.to_style(),
                        (None, Some(theme)) => theme.$key,
                        (None, None) => Style::new(),
                    }, )*
                }
            }
        }

        impl Theme {
            /// Every key a theme file may contain, in declaration order.
            pub const KEYS: &[&str] = &[$( stringify!($key) ),*];

            /// Every (key, style) pair of this theme.
            pub fn styles(&self) -> Vec<(&'static str, Style)> {
                vec![$( (stringify!($key), self.$key) ),*]
            }

            fn map_styles(&self, f: impl Fn(Style) -> Style) -> Theme {
                Theme { name: self.name.clone(), $( $key: f(self.$key), )* }
            }
        }
    };
}

theme_keys! {
    /// Default text and background of the whole screen.
    base,
    /// Block borders.
    border,
    /// Block titles.
    title,
    /// The DEMO mode badge.
    mode_demo,
    /// The LIVE mode badge.
    mode_live,
    /// A distribution or route whose deployment is complete.
    status_deployed,
    /// A deployment still in progress.
    status_in_progress,
    /// The used part of a gauge.
    gauge_used,
    /// The free part of a gauge.
    gauge_free,
    /// A gauge past its warning threshold.
    gauge_warn,
    /// Secondary, de-emphasised text.
    muted,
    /// Table header rows.
    table_header,
    /// The selected row or item.
    selected,
    /// Things served by Lambda.
    target_lambda,
    /// Things served by the origin.
    target_origin,
    /// A switch requested but not yet applied.
    switch_pending,
    /// Alarms and things needing attention now.
    alert,
    /// Data that is out of date.
    stale,
    /// Sparklines.
    sparkline,
    /// Lambda series in charts.
    chart_lambda,
    /// Origin series in charts.
    chart_origin,
    /// Error series in charts.
    chart_errors,
    /// Markers for switch events in charts.
    switch_marker,
    /// Timestamps in the log.
    log_time,
    /// Info log lines.
    log_info,
    /// Warning log lines.
    log_warn,
    /// Error log lines.
    log_error,
    /// Log lines from before this session.
    log_history,
    /// Dialog body.
    dialog,
    /// Dialog title.
    dialog_title,
    /// Key names in hints and help.
    key,
    /// The error banner.
    banner_error,
    /// The READ-ONLY banner: these credentials cannot switch, so switching keys only explain.
    banner_read_only,
    /// The filter input.
    filter,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::default_dark()
    }
}

impl Theme {
    /// How text about a target looks: the one place a [`Target`] picks its style, so the table,
    /// the dialogs and the header cannot colour Lambda two ways.
    pub fn target(&self, target: Target) -> Style {
        match target {
            Target::Lambda => self.target_lambda,
            Target::Origin => self.target_origin,
        }
    }

    /// How a target's series looks in charts and their legend.
    pub fn chart(&self, target: Target) -> Style {
        match target {
            Target::Lambda => self.chart_lambda,
            Target::Origin => self.chart_origin,
        }
    }

    /// The built-in dark theme, infallible (used by tests and as fallback).
    pub fn default_dark() -> Theme {
        static DARK: OnceLock<Theme> = OnceLock::new();
        DARK.get_or_init(|| builtin_theme(BUILTIN[0].0, BUILTIN[0].1).expect("the built-in dark theme is valid"))
            .clone()
    }

    /// The same theme with every fg/bg colour removed but modifiers kept, with `selected` forced
    /// to REVERSED and `alert`, `title`, `table_header`, `dialog_title` forced BOLD, so that the
    /// screen stays readable with NO_COLOR set.
    pub fn without_color(&self) -> Theme {
        let mut theme = self.map_styles(|s| {
            let mut plain = Style::new();
            plain.add_modifier = s.add_modifier;
            plain.sub_modifier = s.sub_modifier;
            plain
        });
        theme.selected = theme.selected.add_modifier(Modifier::REVERSED);
        for style in [&mut theme.alert, &mut theme.title, &mut theme.table_header, &mut theme.dialog_title] {
            *style = style.add_modifier(Modifier::BOLD);
        }
        theme
    }
}

/// How many colours the terminal draws, and so how a theme's colours are written to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colours {
    /// 24-bit colour: the theme's `#rrggbb` as written.
    TrueColour,
    /// The xterm 256-colour palette: each `#rrggbb` becomes its nearest palette entry.
    Palette256,
    /// No colour at all (`NO_COLOR`): modifiers only.
    None,
}

impl Colours {
    /// What to draw with, from the explicit choice (`--colours`, `CUTOVER_COLOURS`), `NO_COLOR` and
    /// `COLORTERM`, in that order: a choice wins over `NO_COLOR` (as no-color.org asks), any
    /// non-empty `NO_COLOR` turns colour off, and 24-bit colour only when `COLORTERM` says the
    /// terminal has it (`truecolor` or `24bit`); otherwise the 256 colours every modern terminal has.
    pub fn detect(chosen: Option<Colours>, no_color: Option<&str>, colorterm: Option<&str>) -> Colours {
        if let Some(chosen) = chosen {
            return chosen;
        }
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Colours::None;
        }
        match colorterm.map(|v| v.trim().to_ascii_lowercase()) {
            Some(v) if v == "truecolor" || v == "24bit" => Colours::TrueColour,
            _ => Colours::Palette256,
        }
    }

    /// `theme` as this terminal can draw it.
    pub fn apply(self, theme: Theme) -> Theme {
        match self {
            Colours::TrueColour => theme,
            Colours::Palette256 => theme.in_256_colours(),
            Colours::None => theme.without_color(),
        }
    }
}

/// The six levels of each channel in the xterm 256-colour cube (indices 16..=231).
const CUBE_LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The red, green and blue of an xterm 256-colour palette entry from 16 up (the cube and the grey
/// ramp); the first 16 are the terminal's own and have no fixed value.
pub fn xterm_rgb(index: u8) -> Option<(u8, u8, u8)> {
    match index {
        0..=15 => None,
        16..=231 => {
            let i = index - 16;
            Some((
                CUBE_LEVELS[usize::from(i / 36)],
                CUBE_LEVELS[usize::from(i / 6 % 6)],
                CUBE_LEVELS[usize::from(i % 6)],
            ))
        }
        232..=255 => {
            let v = 8 + 10 * (index - 232);
            Some((v, v, v))
        }
    }
}

/// The palette entry nearest `(r, g, b)` among the cube and the grey ramp (never the first 16,
/// which each terminal colours its own way), by distance in RGB.
pub fn nearest_256(r: u8, g: u8, b: u8) -> u8 {
    let distance = |index: u8| {
        let (pr, pg, pb) = xterm_rgb(index).unwrap_or_default();
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        d(r, pr) + d(g, pg) + d(b, pb)
    };
    (16..=255).min_by_key(|&i| distance(i)).unwrap_or(16)
}

/// `color` in the 256-colour palette: a `#rrggbb` becomes its nearest entry, the rest stays.
pub fn to_256(color: Color) -> Color {
    match color {
        Color::Rgb(r, g, b) => Color::Indexed(nearest_256(r, g, b)),
        other => other,
    }
}

impl Theme {
    /// The same theme with every `#rrggbb` replaced by its nearest xterm 256-colour entry, for a
    /// terminal that does not say it draws 24-bit colour.
    pub fn in_256_colours(&self) -> Theme {
        self.map_styles(|mut s| {
            s.fg = s.fg.map(to_256);
            s.bg = s.bg.map(to_256);
            s
        })
    }
}

/// Parses a theme file, turning toml's error into one with file, line and column.
fn parse_file(text: &str, file: &str) -> Result<ThemeFile, ThemeError> {
    toml::from_str(text).map_err(|err: toml::de::Error| {
        let message = err.message().trim().replace('\n', " ");
        let hint = if message.starts_with("unknown field") {
            "correct or remove that key"
        } else if message.contains("colour") {
            "correct that colour"
        } else {
            "correct that entry (each [key] table takes fg, bg, bold, italic, dim, underlined, reversed)"
        };
        match err.span() {
            Some(span) => {
                let before = text.get(..span.start).unwrap_or(text);
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                ThemeError::Parse { file: file.to_string(), line, column, message, hint }
            }
            None => ThemeError::ParseNoPosition { file: file.to_string(), message, hint },
        }
    })
}

fn builtin_theme(name: &str, text: &str) -> Result<Theme, ThemeError> {
    let file = parse_file(text, &format!("themes/{name}.toml (built-in)"))?;
    let missing = file.missing_keys();
    if !missing.is_empty() {
        return Err(ThemeError::MissingKeys { name: name.to_string(), keys: missing.join(", ") });
    }
    Ok(file.into_theme(name, None))
}

/// A user's theme file over its fallback. The READ-ONLY banner wore `log_warn` before it had
/// `banner_read_only`, so a file that restyles `log_warn` without naming the banner keeps the
/// banner as it looked when the file was written, rather than taking a built-in's colours that
/// may not suit the file's background.
fn user_theme(file: ThemeFile, name: &str, fallback: &Theme) -> Theme {
    let read_only = match (&file.banner_read_only, &file.log_warn) {
        (None, Some(log_warn)) => Some(log_warn.to_style()),
        _ => None,
    };
    let mut theme = file.into_theme(name, Some(fallback));
    if let Some(style) = read_only {
        theme.banner_read_only = style;
    }
    theme
}

/// All loaded themes: built-ins first (dark, light, high-contrast), then user-only ones by name.
#[derive(Debug, Clone)]
pub struct ThemeSet {
    themes: Vec<Theme>,
}

impl ThemeSet {
    /// Loads built-ins and the user's directory (if Some). A missing directory is not an error;
    /// a theme that fails to parse is, naming the file, line and column.
    pub fn load(user_dir: Option<&Path>) -> Result<ThemeSet, ThemeError> {
        let builtins = BUILTIN.iter().map(|(name, text)| builtin_theme(name, text)).collect::<Result<Vec<_>, _>>()?;
        let mut themes = builtins.clone();
        let Some(dir) = user_dir else {
            return Ok(ThemeSet { themes });
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ThemeSet { themes }),
            Err(source) => {
                return Err(ThemeError::ReadDir { path: dir.to_path_buf(), source });
            }
        };
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|source| ThemeError::ReadDir { path: dir.to_path_buf(), source })?.path();
            if path.extension().is_some_and(|e| e == "toml")
                && path.is_file()
                && let Some(stem) = path.file_stem()
            {
                files.push((stem.to_string_lossy().into_owned(), path));
            }
        }
        files.sort();
        for (name, path) in files {
            let text =
                std::fs::read_to_string(&path).map_err(|source| ThemeError::ReadFile { path: path.clone(), source })?;
            let file = parse_file(&text, &path.display().to_string())?;
            let fallback = builtins.iter().find(|t| t.name == name).unwrap_or(&builtins[0]);
            let theme = user_theme(file, &name, fallback);
            match themes.iter_mut().find(|t| t.name == name) {
                Some(slot) => *slot = theme,
                None => themes.push(theme),
            }
        }
        Ok(ThemeSet { themes })
    }

    /// Theme names in display order.
    pub fn names(&self) -> Vec<String> {
        self.themes.iter().map(|t| t.name.clone()).collect()
    }

    pub fn get(&self, name: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.name == name)
    }

    /// The name of the theme after `name` in [`names`](Self::names), wrapping; the first theme
    /// if `name` is unknown.
    pub fn next_name(&self, name: &str) -> String {
        let next = match self.themes.iter().position(|t| t.name == name) {
            Some(i) => (i + 1) % self.themes.len(),
            None => 0,
        };
        self.themes[next].name.clone()
    }

    /// E.g. "unknown theme 'x'; available: dark, light, high-contrast".
    pub fn unknown_theme_message(&self, name: &str) -> String {
        format!("unknown theme '{name}'; available: {}", self.names().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct TempDir(PathBuf);
    impl TempDir {
        fn new() -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            let dir = std::env::temp_dir().join(format!(
                "cutover-theme-test-{}-{}-{nanos}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
        fn write(&self, file: &str, text: &str) {
            std::fs::write(self.0.join(file), text).unwrap();
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn builtins_parse_with_all_keys() {
        for (name, text) in BUILTIN {
            let file = parse_file(text, name).unwrap();
            assert!(file.missing_keys().is_empty(), "{name}: {:?}", file.missing_keys());
            assert_eq!(builtin_theme(name, text).unwrap().name, name);
        }
        let set = ThemeSet::load(None).unwrap();
        assert_eq!(set.names(), ["dark", "light", "high-contrast"]);
        assert_eq!(set.get(DEFAULT_THEME), Some(&Theme::default_dark()));
        assert_eq!(Theme::KEYS.len(), 34);
    }

    #[test]
    fn missing_user_dir_is_fine() {
        let dir = TempDir::new();
        let set = ThemeSet::load(Some(&dir.0.join("nope"))).unwrap();
        assert_eq!(set.names().len(), 3);
    }

    #[test]
    fn user_file_overrides_builtin() {
        let dir = TempDir::new();
        dir.write("light.toml", "[base]\nfg = \"#010203\"\nbg = \"white\"\n");
        dir.write("notes.txt", "ignored");
        let set = ThemeSet::load(Some(&dir.0)).unwrap();
        assert_eq!(set.names(), ["dark", "light", "high-contrast"]);
        let light = set.get("light").unwrap();
        assert_eq!(light.base, Style::new().fg(Color::Rgb(1, 2, 3)).bg(Color::White));
        let builtin_light = ThemeSet::load(None).unwrap().get("light").unwrap().clone();
        assert_eq!(light.alert, builtin_light.alert);
    }

    #[test]
    fn unknown_key_is_an_error_with_file_and_line() {
        let dir = TempDir::new();
        dir.write("broken.toml", "[base]\nfg = \"red\"\n\n[alert]\ncolr = \"red\"\n");
        let err = ThemeSet::load(Some(&dir.0)).unwrap_err().to_string();
        assert!(err.contains("broken.toml"), "{err}");
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("colr"), "{err}");

        dir.write("broken.toml", "[selectd]\nbold = true\n");
        let err = ThemeSet::load(Some(&dir.0)).unwrap_err().to_string();
        assert!(err.contains("broken.toml") && err.contains("line 1"), "{err}");
    }

    #[test]
    fn bad_colour_is_an_error() {
        let dir = TempDir::new();
        dir.write("x.toml", "[alert]\nfg = \"purpel\"\n");
        let err = ThemeSet::load(Some(&dir.0)).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("purpel"), "{err}");
        dir.write("x.toml", "[alert]\nfg = 42\nbg = \"7\"\n");
        let set = ThemeSet::load(Some(&dir.0)).unwrap();
        let alert = set.get("x").unwrap().alert;
        assert_eq!(alert, Style::new().fg(Color::Indexed(42)).bg(Color::Indexed(7)));
    }

    #[test]
    fn partial_user_theme_falls_back_to_dark() {
        let dir = TempDir::new();
        dir.write("zeta.toml", "[alert]\nfg = \"lightred\"\nunderlined = true\n");
        dir.write("alpha.toml", "");
        let set = ThemeSet::load(Some(&dir.0)).unwrap();
        assert_eq!(set.names(), ["dark", "light", "high-contrast", "alpha", "zeta"]);
        let dark = Theme::default_dark();
        let zeta = set.get("zeta").unwrap();
        assert_eq!(zeta.alert, Style::new().fg(Color::LightRed).add_modifier(Modifier::UNDERLINED));
        assert_eq!(zeta.border, dark.border);
        assert_eq!(zeta.selected, dark.selected);
        assert_eq!(set.get("alpha").unwrap().styles(), dark.styles());
    }

    #[test]
    fn the_read_only_banner_has_its_own_key_and_old_user_files_keep_their_banner() {
        let builtins = ThemeSet::load(None).unwrap();
        let dir = TempDir::new();
        // Written before the key existed: restyles log_warn, so the banner follows it as it did.
        dir.write("old.toml", "[log_warn]\nfg = \"magenta\"\n");
        // Names both: each keeps its own.
        dir.write("new.toml", "[log_warn]\nfg = \"magenta\"\n\n[banner_read_only]\nfg = \"black\"\nbg = \"yellow\"\n");
        // Names neither: the built-in's banner.
        dir.write("light.toml", "[alert]\nfg = \"red\"\n");
        let set = ThemeSet::load(Some(&dir.0)).unwrap();
        assert_eq!(set.get("old").unwrap().banner_read_only, Style::new().fg(Color::Magenta));
        let new = set.get("new").unwrap();
        assert_eq!(new.banner_read_only, Style::new().fg(Color::Black).bg(Color::Yellow));
        assert_eq!(new.log_warn, Style::new().fg(Color::Magenta));
        assert_eq!(set.get("light").unwrap().banner_read_only, builtins.get("light").unwrap().banner_read_only);
    }

    #[test]
    fn without_color_removes_all_colours() {
        let set = ThemeSet::load(None).unwrap();
        for name in set.names() {
            let plain = set.get(&name).unwrap().without_color();
            for (key, style) in plain.styles() {
                assert_eq!((style.fg, style.bg), (None, None), "{name}.{key}");
            }
            assert!(plain.selected.add_modifier.contains(Modifier::REVERSED));
            for style in [plain.alert, plain.title, plain.table_header, plain.dialog_title] {
                assert!(style.add_modifier.contains(Modifier::BOLD));
            }
        }
        let dark = Theme::default_dark();
        assert_eq!(dark.without_color().target_lambda.add_modifier, dark.target_lambda.add_modifier);
    }

    #[test]
    fn each_target_has_its_own_look_in_every_builtin() {
        let set = ThemeSet::load(None).unwrap();
        for name in set.names() {
            let theme = set.get(&name).unwrap();
            assert_eq!(theme.target(Target::Lambda), theme.target_lambda, "{name}");
            assert_eq!(theme.target(Target::Origin), theme.target_origin, "{name}");
            assert_ne!(theme.target(Target::Lambda), theme.target(Target::Origin), "{name}");
            assert_eq!(theme.chart(Target::Lambda), theme.chart_lambda, "{name}");
            assert_eq!(theme.chart(Target::Origin), theme.chart_origin, "{name}");
            assert_ne!(theme.chart(Target::Lambda), theme.chart(Target::Origin), "{name}");
        }
    }

    #[test]
    fn colours_are_chosen_from_the_flag_then_no_color_then_colorterm() {
        assert_eq!(Colours::detect(None, None, Some("truecolor")), Colours::TrueColour);
        assert_eq!(Colours::detect(None, None, Some("24bit")), Colours::TrueColour);
        assert_eq!(Colours::detect(None, None, Some(" TrueColor ")), Colours::TrueColour);
        // A terminal that does not say it has 24-bit colour gets the palette it surely has.
        assert_eq!(Colours::detect(None, None, None), Colours::Palette256);
        assert_eq!(Colours::detect(None, None, Some("")), Colours::Palette256);
        assert_eq!(Colours::detect(None, None, Some("yes")), Colours::Palette256);
        assert_eq!(Colours::detect(None, Some("1"), Some("truecolor")), Colours::None);
        assert_eq!(Colours::detect(None, Some(""), None), Colours::Palette256, "an empty NO_COLOR is not set");
        // An explicit choice wins over both.
        assert_eq!(Colours::detect(Some(Colours::TrueColour), Some("1"), None), Colours::TrueColour);
        assert_eq!(Colours::detect(Some(Colours::Palette256), None, Some("truecolor")), Colours::Palette256);
        assert_eq!(Colours::detect(Some(Colours::None), None, Some("truecolor")), Colours::None);
    }

    #[test]
    fn a_24_bit_colour_becomes_its_nearest_xterm_256_entry() {
        assert_eq!(xterm_rgb(16), Some((0, 0, 0)));
        assert_eq!(xterm_rgb(196), Some((255, 0, 0)));
        assert_eq!(xterm_rgb(231), Some((255, 255, 255)));
        assert_eq!(xterm_rgb(232), Some((8, 8, 8)));
        assert_eq!(xterm_rgb(255), Some((238, 238, 238)));
        assert_eq!(xterm_rgb(7), Option::None, "the first 16 are the terminal's own");
        assert_eq!(nearest_256(0xff, 0x55, 0x55), 203, "#ff5555 → #ff5f5f");
        assert_eq!(nearest_256(0xff, 0xff, 0xff), 231);
        assert_eq!(nearest_256(0, 0, 0), 16);
        assert_eq!(nearest_256(0x1c, 0x1e, 0x26), 234, "a dark grey goes to the grey ramp: #1c1c1c");
        assert_eq!(nearest_256(0x87, 0xaf, 0xd7), 110, "a cube colour maps to itself");
        for index in 16..=255 {
            let (r, g, b) = xterm_rgb(index).unwrap();
            assert_eq!(xterm_rgb(nearest_256(r, g, b)), Some((r, g, b)), "{index}");
        }
        assert_eq!(to_256(Color::Rgb(0xff, 0x55, 0x55)), Color::Indexed(203));
        assert_eq!(to_256(Color::Red), Color::Red, "named colours stay the terminal's");
        assert_eq!(to_256(Color::Indexed(42)), Color::Indexed(42));

        let set = ThemeSet::load(None).unwrap();
        for name in set.names() {
            let theme = set.get(&name).unwrap();
            let mapped = Colours::Palette256.apply(theme.clone());
            for ((key, style), (_, before)) in mapped.styles().into_iter().zip(theme.styles()) {
                for colour in [style.fg, style.bg].into_iter().flatten() {
                    assert!(!matches!(colour, Color::Rgb(..)), "{name}.{key} is still 24-bit: {colour:?}");
                }
                assert_eq!(style.add_modifier, before.add_modifier, "{name}.{key}");
            }
            assert_eq!(Colours::TrueColour.apply(theme.clone()), *theme);
            assert_eq!(Colours::None.apply(theme.clone()), theme.without_color());
        }
    }

    #[test]
    fn next_name_wraps() {
        let set = ThemeSet::load(None).unwrap();
        assert_eq!(set.next_name("dark"), "light");
        assert_eq!(set.next_name("light"), "high-contrast");
        assert_eq!(set.next_name("high-contrast"), "dark");
        assert_eq!(set.next_name("nope"), "dark");
        assert_eq!(set.unknown_theme_message("x"), "unknown theme 'x'; available: dark, light, high-contrast");
    }
}
