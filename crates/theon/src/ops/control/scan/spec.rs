//! The named structure of a scan node (STYLE.md rule 5): constants, read
//! tracks (sequences), carries (recurrent state with lags), write tracks
//! (per-step outputs), an optional `until` condition. The flat input and
//! output lists of the node and of its inner body are laid out here and
//! only here; everything else uses the `split_*` views.
//!
//! # Coordinates
//!
//! A track (read or write) addresses rows by a coordinate `r` in
//! `0..T + span` (`T` steps): at step `s`, offset `p` is row `s + p`, or
//! `T + span - 1 - (s + p)` when the track is `reversed`. A track's rows
//! live in one or more *segments* (outer tensors): segment `i` holds the
//! rows from `starts[i]` on, up to the next segment's start. Sequences with
//! Theano taps are one-segment read tracks; a carry's states (initial
//! window, then its history) are read as a two-segment track by gradients.
//!
//! # Carries
//!
//! A carry with lags `[2, 1]` (Theano taps `[-2, -1]`) has a window of
//! `k = 2` rows: its initial input has shape `(k, *state)`. Step `s` reads
//! the states at buffer rows `k + s - lag` and writes row `k + s`.

use crate::graph::TensorType;

/// Where the step count comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Steps {
    /// The node's first input, an integer scalar.
    Input,
    /// The lengths of the read tracks (which must agree).
    FromSequences,
}

/// A time-indexed input: a sequence, or past states read by a gradient.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReadTrack {
    pub name: String,
    /// The coordinate where each segment starts (`starts[0] == 0`).
    pub starts: Vec<usize>,
    /// One inner input per offset.
    pub offsets: Vec<usize>,
    pub span: usize,
    pub reversed: bool,
    /// Coordinates past the segments read zeros (gradient tracks) instead
    /// of being an error (user sequences, which also set the step count).
    pub zero_outside: bool,
}

/// Recurrent state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Carry {
    pub name: String,
    /// How many steps back each inner input looks (each ≥ 1).
    pub lags: Vec<usize>,
    /// Whether all states are kept (the history output); without it only
    /// the window is, and the history output is empty.
    pub history: bool,
}

impl Carry {
    /// Rows of the initial window: the largest lag.
    pub fn window(&self) -> usize {
        self.lags.iter().copied().max().unwrap_or(1)
    }
}

/// How many rows an output segment has.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SegLen {
    Fixed(usize),
    /// Up to the end of the coordinates: `T + span - start`.
    Rest,
    /// As many as segment `segment` of read track `track` (gradients of
    /// sequences have their shape).
    LikeRead {
        track: usize,
        segment: usize,
    },
}

/// One output tensor of a write track.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    pub start: usize,
    pub len: SegLen,
}

/// A time-indexed output. Rows no step writes are zero; several offsets
/// landing on one row add up; coordinates outside every segment are dropped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WriteTrack {
    pub name: String,
    /// One inner output per offset.
    pub offsets: Vec<usize>,
    pub span: usize,
    pub reversed: bool,
    pub segments: Vec<Segment>,
    /// Set when nothing reads the track's outputs any more: its values are
    /// no longer computed (`offsets` is empty) and each output is an empty
    /// tensor of this row type with a time axis (unknown dims 0).
    pub dropped: Option<TensorType>,
}

/// The whole structure of a scan.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScanSpec {
    pub name: String,
    pub steps: Steps,
    /// Names of the constants (non-sequences).
    pub consts: Vec<String>,
    pub reads: Vec<ReadTrack>,
    pub carries: Vec<Carry>,
    pub writes: Vec<WriteTrack>,
    /// The body's last output is a stop condition, checked after each step.
    pub until: bool,
    /// Only the first `n` steps run the body; later steps keep the carries
    /// as they are and write nothing (a truncated gradient's backward loop).
    pub active: Option<usize>,
    /// Backpropagation through time goes back this many steps at most.
    pub truncate_gradient: Option<usize>,
}

/// A scan node's inputs, by role.
pub struct Inputs<'a, T> {
    pub n_steps: Option<&'a T>,
    pub consts: &'a [T],
    /// Per read track, its segments.
    pub reads: Vec<&'a [T]>,
    /// Per carry, its initial window.
    pub inits: &'a [T],
}

/// A scan node's outputs, by role.
pub struct Outputs<'a, T> {
    /// Per carry, the final state.
    pub last: &'a [T],
    /// Per carry, every state after the initial window.
    pub history: &'a [T],
    /// Per write track, its segments.
    pub writes: Vec<&'a [T]>,
    /// The number of steps run (an int64 scalar).
    pub steps: &'a T,
}

/// The body's inputs, by role.
pub struct InnerInputs<'a, T> {
    pub consts: &'a [T],
    /// Per read track, one per offset.
    pub reads: Vec<&'a [T]>,
    /// Per carry, one per lag.
    pub lags: Vec<&'a [T]>,
}

/// The body's outputs, by role.
pub struct InnerOutputs<'a, T> {
    /// Per carry, its new state.
    pub next: &'a [T],
    /// Per write track, one per offset.
    pub writes: Vec<&'a [T]>,
    pub until: Option<&'a T>,
}

/// Cuts `xs` into consecutive pieces of the given sizes.
fn cut<T>(xs: &[T], sizes: impl IntoIterator<Item = usize>) -> (Vec<&[T]>, &[T]) {
    let mut rest = xs;
    let pieces = sizes
        .into_iter()
        .map(|n| {
            let (piece, tail) = rest.split_at(n);
            rest = tail;
            piece
        })
        .collect();
    (pieces, rest)
}

impl ScanSpec {
    pub fn n_inputs(&self) -> usize {
        usize::from(self.steps == Steps::Input)
            + self.consts.len()
            + self.reads.iter().map(|r| r.starts.len()).sum::<usize>()
            + self.carries.len()
    }

    pub fn n_outputs(&self) -> usize {
        2 * self.carries.len() + self.writes.iter().map(|w| w.segments.len()).sum::<usize>() + 1
    }

    pub fn n_inner_inputs(&self) -> usize {
        self.consts.len()
            + self.reads.iter().map(|r| r.offsets.len()).sum::<usize>()
            + self.carries.iter().map(|c| c.lags.len()).sum::<usize>()
    }

    pub fn n_inner_outputs(&self) -> usize {
        self.carries.len()
            + self.writes.iter().map(|w| w.offsets.len()).sum::<usize>()
            + usize::from(self.until)
    }

    /// The node's inputs by role (`xs` has [`Self::n_inputs`] entries).
    pub fn split_inputs<'a, T>(&self, xs: &'a [T]) -> Inputs<'a, T> {
        let (n_steps, rest) = match self.steps {
            Steps::Input => (Some(&xs[0]), &xs[1..]),
            Steps::FromSequences => (None, xs),
        };
        let (consts, rest) = rest.split_at(self.consts.len());
        let (reads, inits) = cut(rest, self.reads.iter().map(|r| r.starts.len()));
        Inputs {
            n_steps,
            consts,
            reads,
            inits,
        }
    }

    /// The inverse of [`Self::split_inputs`]: one flat list from the parts
    /// (`n_steps` is used only when the step count is an input).
    pub fn join_inputs<T>(
        &self,
        n_steps: T,
        consts: Vec<T>,
        reads: Vec<Vec<T>>,
        inits: Vec<T>,
    ) -> Vec<T> {
        let mut flat = Vec::with_capacity(self.n_inputs());
        if self.steps == Steps::Input {
            flat.push(n_steps);
        }
        flat.extend(consts);
        flat.extend(reads.into_iter().flatten());
        flat.extend(inits);
        flat
    }

    /// The node's outputs by role.
    pub fn split_outputs<'a, T>(&self, xs: &'a [T]) -> Outputs<'a, T> {
        let n = self.carries.len();
        let (last, rest) = xs.split_at(n);
        let (history, rest) = rest.split_at(n);
        let (writes, rest) = cut(rest, self.writes.iter().map(|w| w.segments.len()));
        Outputs {
            last,
            history,
            writes,
            steps: &rest[0],
        }
    }

    /// The inverse of [`Self::split_outputs`].
    pub fn join_outputs<T>(
        &self,
        last: Vec<T>,
        history: Vec<T>,
        writes: Vec<Vec<T>>,
        steps: T,
    ) -> Vec<T> {
        let mut flat = Vec::with_capacity(self.n_outputs());
        flat.extend(last);
        flat.extend(history);
        flat.extend(writes.into_iter().flatten());
        flat.push(steps);
        flat
    }

    /// The body's inputs by role.
    pub fn split_inner_inputs<'a, T>(&self, xs: &'a [T]) -> InnerInputs<'a, T> {
        let (consts, rest) = xs.split_at(self.consts.len());
        let (reads, rest) = cut(rest, self.reads.iter().map(|r| r.offsets.len()));
        let (lags, _) = cut(rest, self.carries.iter().map(|c| c.lags.len()));
        InnerInputs {
            consts,
            reads,
            lags,
        }
    }

    /// The body's outputs by role.
    pub fn split_inner_outputs<'a, T>(&self, xs: &'a [T]) -> InnerOutputs<'a, T> {
        let (next, rest) = xs.split_at(self.carries.len());
        let (writes, rest) = cut(rest, self.writes.iter().map(|w| w.offsets.len()));
        InnerOutputs {
            next,
            writes,
            until: self.until.then(|| &rest[0]),
        }
    }
}

/// The coordinate of offset `offset` at step `step` of a track.
pub fn coordinate(step: usize, offset: usize, steps: usize, span: usize, reversed: bool) -> usize {
    if reversed {
        steps + span - 1 - (step + offset)
    } else {
        step + offset
    }
}
