//! `In` and `Out`: Theano's descriptions of a function's inputs and outputs
//! (`In(variable, name, value, update, mutable, borrow, strict,
//! allow_downcast)`, `Out(variable, borrow)`), as Rust builders.

use crate::graph::{Arg, Filter, Var};

/// A function input with Theano's options.
///
/// * `name`: the keyword it is passed by (default: the variable's name).
/// * `value`: a default used when the caller omits the argument. With an
///   `update`, the value is state: each call replaces it with the update
///   computed from the value used in that call.
/// * `mutable`: the function may overwrite the argument's buffer (only ever
///   happens for a value moved in with `call_owned`; see [`super::Function`]).
/// * `borrow`: the function may keep the caller's value itself as state
///   instead of a private copy.
/// * `strict`, `allow_downcast`: how arguments of another dtype are treated
///   (see [`Filter`]); `allow_downcast: None` follows the function's
///   `allow_input_downcast`.
#[derive(Clone, Debug)]
pub struct In {
    pub variable: Var,
    pub name: Option<String>,
    pub value: Option<Arg>,
    pub update: Option<Var>,
    pub mutable: bool,
    pub borrow: bool,
    pub strict: bool,
    pub allow_downcast: Option<bool>,
}

impl In {
    /// An input with default options.
    pub fn new(variable: &Var) -> In {
        In {
            variable: variable.clone(),
            name: None,
            value: None,
            update: None,
            mutable: false,
            borrow: false,
            strict: false,
            allow_downcast: None,
        }
    }

    /// The keyword name of this input.
    pub fn name(mut self, name: &str) -> In {
        self.name = Some(name.to_string());
        self
    }

    /// The default value (state, with [`Self::update`]).
    pub fn value(mut self, value: impl Into<Arg>) -> In {
        self.value = Some(value.into());
        self
    }

    /// The expression that replaces the input's state after each call.
    pub fn update(mut self, update: &Var) -> In {
        self.update = Some(update.clone());
        self
    }

    pub fn mutable(mut self, mutable: bool) -> In {
        self.mutable = mutable;
        self
    }

    pub fn borrow(mut self, borrow: bool) -> In {
        self.borrow = borrow;
        self
    }

    pub fn strict(mut self, strict: bool) -> In {
        self.strict = strict;
        self
    }

    pub fn allow_downcast(mut self, allow: bool) -> In {
        self.allow_downcast = Some(allow);
        self
    }

    /// The keyword name: the explicit one, else the variable's.
    pub fn keyword(&self) -> Option<String> {
        self.name.clone().or_else(|| self.variable.name())
    }

    /// The filter applied to this input's arguments, given the function's
    /// `allow_input_downcast`.
    pub(crate) fn filter(&self, allow_input_downcast: Option<bool>) -> Filter {
        Filter {
            strict: self.strict,
            allow_downcast: self.allow_downcast.or(allow_input_downcast),
        }
    }
}

impl From<Var> for In {
    fn from(v: Var) -> In {
        In::new(&v)
    }
}

impl From<&Var> for In {
    fn from(v: &Var) -> In {
        In::new(v)
    }
}

/// A function output. Without `borrow` the caller owns the returned tensor:
/// its buffer is shared with nothing else (not an input, a constant, a
/// shared variable or another output); with `borrow` the function may return
/// a tensor aliasing such storage (saving a copy).
#[derive(Clone, Debug)]
pub struct Out {
    pub variable: Var,
    pub borrow: bool,
}

impl Out {
    pub fn new(variable: &Var) -> Out {
        Out {
            variable: variable.clone(),
            borrow: false,
        }
    }

    pub fn borrow(mut self, borrow: bool) -> Out {
        self.borrow = borrow;
        self
    }
}

impl From<Var> for Out {
    fn from(v: Var) -> Out {
        Out::new(&v)
    }
}

impl From<&Var> for Out {
    fn from(v: &Var) -> Out {
        Out::new(v)
    }
}
