//! Compile modes: which rewrites run. `FAST_RUN` runs everything,
//! `FAST_COMPILE` only the cheap, always-useful rules (merge, constant
//! folding, canonicalize-lite; no fusion), and a custom mode adds or
//! removes rules and tags. `config().optimizer_including/excluding`
//! (`THEON_FLAGS=optimizer_excluding=fusion:log1p`) apply to every mode.

use super::db::{run_phases, standard_db, Query};
use super::engine::Budget;
use super::fgraph::FunctionGraph;
use super::profile::CompileProfile;
use crate::config::{config, Config};
use crate::error::{Error, Result};

/// The base rule set of a mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Optimizer {
    /// Every rule tagged `fast_run`.
    FastRun,
    /// Rules tagged `fast_compile`.
    FastCompile,
    /// No rule, except those named in `including`.
    None,
}

/// A compile mode: a base rule set, plus rules or tags to add and remove.
#[derive(Clone, Debug, PartialEq)]
pub struct Mode {
    pub optimizer: Optimizer,
    pub including: Vec<String>,
    pub excluding: Vec<String>,
    pub budget_passes: usize,
}

impl Mode {
    fn with(optimizer: Optimizer) -> Mode {
        Mode {
            optimizer,
            including: vec![],
            excluding: vec![],
            budget_passes: Budget::default().passes,
        }
    }

    /// All rewrites.
    pub fn fast_run() -> Mode {
        Mode::with(Optimizer::FastRun)
    }

    /// Merge, constant folding and canonicalize-lite only.
    pub fn fast_compile() -> Mode {
        Mode::with(Optimizer::FastCompile)
    }

    /// No rewrites at all (the graph runs as written).
    pub fn no_optimization() -> Mode {
        Mode::with(Optimizer::None)
    }

    /// A mode by Theano's name: `FAST_RUN`, `FAST_COMPILE` or `NONE`.
    pub fn named(name: &str) -> Result<Mode> {
        match name {
            "FAST_RUN" => Ok(Mode::fast_run()),
            "FAST_COMPILE" => Ok(Mode::fast_compile()),
            "NONE" | "None" => Ok(Mode::no_optimization()),
            _ => Err(Error::value(
                "mode",
                format!("unknown mode '{name}' (expected FAST_RUN, FAST_COMPILE or NONE)"),
            )),
        }
    }

    /// The mode `config().mode` names.
    pub fn from_config() -> Result<Mode> {
        Mode::named(&config().mode)
    }

    /// Adds rules or tags (by name).
    pub fn including<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Mode {
        self.including
            .extend(names.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    /// Removes rules or tags (by name).
    pub fn excluding<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Mode {
        self.excluding
            .extend(names.into_iter().map(|s| s.as_ref().to_string()));
        self
    }

    /// The database query this mode stands for, with the configuration's
    /// `optimizer_including` / `optimizer_excluding` applied.
    pub fn query(&self) -> Query {
        self.query_with(&config())
    }

    /// [`Self::query`] under an explicit configuration.
    pub fn query_with(&self, cfg: &Config) -> Query {
        let mut include: Vec<String> = match self.optimizer {
            Optimizer::FastRun => vec!["fast_run".into()],
            Optimizer::FastCompile => vec!["fast_compile".into()],
            Optimizer::None => vec![],
        };
        include.extend(self.including.iter().cloned());
        include.extend(cfg.optimizer_including.iter().cloned());
        let mut exclude = self.excluding.clone();
        exclude.extend(cfg.optimizer_excluding.iter().cloned());
        Query { include, exclude }
    }

    /// Optimizes `fg` in place with this mode's rewrites.
    pub fn optimize(&self, fg: &mut FunctionGraph) -> CompileProfile {
        let query = self.query();
        let phases = standard_db().query(&query);
        let merge_tags: Vec<String> = super::rules::MERGE_TAGS
            .iter()
            .map(|t| t.to_string())
            .collect();
        fg.merge_on_build = query.selects("merge", &merge_tags);
        let budget = Budget {
            passes: self.budget_passes,
            ..Budget::default()
        };
        let profile = run_phases(fg, &phases, budget);
        // A failing rule is skipped so users still get a function, but in
        // theon's own tests it is a bug.
        #[cfg(test)]
        assert!(profile.failures.is_empty(), "a rewrite failed:\n{profile}");
        #[cfg(test)]
        if let Some(h) = fg.find_feature::<super::destroy::DestroyHandler>() {
            let handler = fg
                .feature::<super::destroy::DestroyHandler>(h)
                .expect("found");
            assert_eq!(handler.validate(fg), Ok(()), "inplace safety");
        }
        profile
    }
}
