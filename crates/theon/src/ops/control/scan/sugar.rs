//! `map`, `reduce`, `foldl` and `foldr`: Theano's shorthands built on
//! [`scan`](super::scan).

use super::builder::{scan, IntoStepOutputs, OutputInfo, ScanResult, Seq, StepArgs};
use crate::error::{Error, Result};
use crate::graph::Var;
use crate::ops::indexing::IndexItem;

/// `fn` applied to each element of the sequences (no recurrent state):
/// Theano's `map(fn, sequences, non_sequences)`.
#[track_caller]
pub fn map<F, R>(step: F, sequences: &[Var], non_sequences: &[Var]) -> Result<ScanResult>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    scan(step)
        .name("map")
        .sequences(sequences.iter().map(Seq::new))
        .non_sequences(non_sequences)
        .build()
}

/// Theano's `reduce`: a scan that returns only each output's final value
/// (the final state for recurrent outputs, the last row otherwise).
#[track_caller]
pub fn reduce<F, R>(
    step: F,
    sequences: &[Var],
    outputs_info: &[OutputInfo],
    non_sequences: &[Var],
    go_backwards: bool,
) -> Result<Vec<Var>>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    let result = scan(step)
        .name(if go_backwards { "foldr" } else { "reduce" })
        .sequences(sequences.iter().map(Seq::new))
        .outputs_info(outputs_info.iter().cloned())
        .non_sequences(non_sequences)
        .go_backwards(go_backwards)
        .build()?;
    result
        .outputs
        .iter()
        .zip(&result.last)
        .map(|(all, last)| match last {
            Some(last) => Ok(last.clone()),
            None => all
                .try_at(&[IndexItem::Int((-1i64).into())])
                .map_err(|e| Error::value("reduce", e.to_string())),
        })
        .collect()
}

/// Theano's `foldl`: [`reduce`] from the first element.
#[track_caller]
pub fn foldl<F, R>(
    step: F,
    sequences: &[Var],
    outputs_info: &[OutputInfo],
    non_sequences: &[Var],
) -> Result<Vec<Var>>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    reduce(step, sequences, outputs_info, non_sequences, false)
}

/// Theano's `foldr`: [`reduce`] from the last element.
#[track_caller]
pub fn foldr<F, R>(
    step: F,
    sequences: &[Var],
    outputs_info: &[OutputInfo],
    non_sequences: &[Var],
) -> Result<Vec<Var>>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    reduce(step, sequences, outputs_info, non_sequences, true)
}
