//! Errors as data with provenance: every error says what went wrong (op,
//! input, shapes, dtypes) and, where known, the user's source line.

use std::fmt;
use std::sync::Arc;

/// A source location: the user's file and line where a node was created.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Site {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

thread_local! {
    static SITE_OVERRIDE: std::cell::RefCell<Option<Site>> = const { std::cell::RefCell::new(None) };
}

impl Site {
    /// The caller's location, or the location a binding layer set with
    /// [`Site::with_override`] (Python passes its file:line this way).
    #[track_caller]
    pub fn caller() -> Site {
        if let Some(site) = SITE_OVERRIDE.with(|s| s.borrow().clone()) {
            return site;
        }
        let loc = std::panic::Location::caller();
        Site {
            file: Arc::from(loc.file()),
            line: loc.line(),
            column: loc.column(),
        }
    }

    /// The site for a location captured with `Location::caller()` (cheap to
    /// capture on a hot path and convert only when an error needs it); a
    /// binding layer's override wins, as in [`Site::caller`].
    pub fn from_location(loc: &'static std::panic::Location<'static>) -> Site {
        if let Some(site) = SITE_OVERRIDE.with(|s| s.borrow().clone()) {
            return site;
        }
        Site {
            file: Arc::from(loc.file()),
            line: loc.line(),
            column: loc.column(),
        }
    }

    pub fn new(file: &str, line: u32) -> Site {
        Site {
            file: Arc::from(file),
            line,
            column: 0,
        }
    }

    /// Runs `f` with every node it creates attributed to `site` (the
    /// previous attribution comes back even if `f` panics).
    pub fn with_override<R>(site: Site, f: impl FnOnce() -> R) -> R {
        let _restore = RestoreOverride(SITE_OVERRIDE.with(|s| s.replace(Some(site))));
        f()
    }
}

/// Puts back the site override that was in force before `with_override`.
struct RestoreOverride(Option<Site>);

impl Drop for RestoreOverride {
    fn drop(&mut self) {
        let previous = self.0.take();
        SITE_OVERRIDE.with(|s| *s.borrow_mut() = previous);
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column > 0 {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

/// What went wrong. Each variant maps to one Python exception class.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    #[error("{op}: input {index} has shape {got:?}, expected {want}")]
    ShapeMismatch {
        op: String,
        index: usize,
        got: Vec<usize>,
        want: String,
    },
    #[error("{op}: shapes {shapes} cannot be broadcast together")]
    Broadcast { op: String, shapes: String },
    #[error("{op}: axis {axis} is out of range for an array of rank {ndim}")]
    Axis { op: String, axis: i64, ndim: usize },
    #[error("{op}: input {index} has dtype {dtype}, but {op} {reason}")]
    DType {
        op: String,
        index: usize,
        dtype: String,
        reason: String,
    },
    #[error("{op}: index {index} is out of range for axis {axis} with size {size}")]
    Index {
        op: String,
        axis: usize,
        index: i64,
        size: usize,
    },
    #[error("{op}: {message}")]
    Value { op: String, message: String },
    #[error("{function}: expected {expected} argument(s), got {got}")]
    ArgCount {
        function: String,
        expected: usize,
        got: usize,
    },
    #[error("{function}: input '{input}' {message}")]
    Input {
        function: String,
        input: String,
        message: String,
    },
    #[error("{op}: {message}")]
    Grad { op: String, message: String },
    #[error("{op}: {message}")]
    NotImplemented { op: String, message: String },
}

/// An error with the source line it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub kind: ErrorKind,
    pub site: Option<Site>,
}

impl std::error::Error for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(site) = &self.site {
            write!(f, "\n  created at {site}")?;
        }
        Ok(())
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error { kind, site: None }
    }
}

impl Error {
    /// Attaches `site` unless the error already names one.
    pub fn at(mut self, site: &Site) -> Self {
        if self.site.is_none() {
            self.site = Some(site.clone());
        }
        self
    }

    pub fn value(op: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorKind::Value {
            op: op.into(),
            message: message.into(),
        }
        .into()
    }

    pub fn axis(op: impl Into<String>, axis: i64, ndim: usize) -> Self {
        ErrorKind::Axis {
            op: op.into(),
            axis,
            ndim,
        }
        .into()
    }

    pub fn dtype(
        op: impl Into<String>,
        index: usize,
        dtype: crate::DType,
        reason: impl Into<String>,
    ) -> Self {
        ErrorKind::DType {
            op: op.into(),
            index,
            dtype: dtype.to_string(),
            reason: reason.into(),
        }
        .into()
    }

    pub fn grad(op: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorKind::Grad {
            op: op.into(),
            message: message.into(),
        }
        .into()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Normalises a possibly negative axis against `ndim`, or errors.
pub fn normalize_axis(op: &str, axis: i64, ndim: usize) -> Result<usize> {
    let n = ndim as i64;
    if axis < -n || axis >= n {
        return Err(Error::axis(op, axis, ndim));
    }
    Ok(if axis < 0 {
        (axis + n) as usize
    } else {
        axis as usize
    })
}
