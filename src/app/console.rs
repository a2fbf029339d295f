//! The console's model: every distribution's state (each knowing its id), which one is shown, and
//! the theme. The one `update` changes it; the screen draws it.

use super::model::state::State;
use super::tab::Tab;

#[derive(Clone, Debug)]
pub struct Console {
    /// One per distribution, in the order the tabs show them.
    pub distributions: Vec<State>,
    /// Index of the distribution on screen.
    pub shown: usize,
    /// The theme drawn with, by name, and the names `t` cycles through.
    pub theme: String,
    pub theme_names: Vec<String>,
    /// Bumped by every `update` that changed more than the clock, so the screen can skip frames
    /// that would be the same.
    pub revision: u64,
}

impl Console {
    /// A console on `distributions`, the first shown, in the default theme.
    ///
    /// # Panics
    /// With no distribution: a console always shows one.
    pub fn new(distributions: Vec<State>) -> Self {
        assert!(!distributions.is_empty(), "a console needs at least one distribution");
        let theme = crate::theme::DEFAULT_THEME.to_string();
        Console { distributions, shown: 0, theme_names: vec![theme.clone()], theme, revision: 0 }
    }

    /// Draw with `theme`, and let `t` cycle through `names`.
    pub fn with_themes(mut self, theme: impl Into<String>, names: Vec<String>) -> Self {
        self.theme = theme.into();
        self.theme_names = names;
        self
    }

    pub fn shown(&self) -> &State {
        &self.distributions[self.shown]
    }

    /// The state of distribution `id`.
    pub fn distribution(&self, id: &str) -> Option<&State> {
        self.distributions.iter().find(|s| s.distribution_id == id)
    }

    pub(crate) fn distribution_mut(&mut self, id: &str) -> Option<&mut State> {
        self.distributions.iter_mut().find(|s| s.distribution_id == id)
    }

    /// Whether the console is done: the operator quit (or confirmed quitting), or everything
    /// unfinished was abandoned.
    pub fn quit(&self) -> bool {
        self.shown().quit
    }

    /// The tab strip's content; empty with a single distribution, which needs no tabs.
    pub fn tabs(&self) -> Vec<Tab> {
        if self.distributions.len() < 2 {
            return Vec::new();
        }
        let tabs = self.distributions.iter().enumerate();
        tabs.map(|(i, s)| Tab::of(&s.distribution_id, s, i == self.shown)).collect()
    }
}
