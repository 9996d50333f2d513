//! From Theano's `scan` arguments to one `Scan` node: checks the taps and
//! `n_steps`, calls the step function on placeholders, checks its outputs
//! against `outputs_info`, turns shared-variable updates into carries,
//! captures the outer variables the body reads as implicit non-sequences
//! (computing outer, loop-invariant expressions once, outside the loop),
//! and lays out tracks and carries.

use super::builder::{IntoStepOutputs, OutputInfo, ScanOptions, ScanResult, StepArgs, StepOutputs};
use super::parts::{CarryPart, ReadPart, ScanParts, WritePart};
use super::spec::{Carry, ReadTrack, SegLen, Segment, WriteTrack};
use crate::error::{Error, Result};
use crate::graph::{clone_replace, toposort, NodeKind, SharedVar, TensorType, Var};
use crate::ops::control::body::{capture, dependents_of};
use crate::ops::indexing::IndexItem;
use crate::ops::shape::dims::{int_scalar, static_int};
use indexmap::IndexSet;

fn fail(name: &str, message: String) -> Error {
    Error::value(format!("scan '{name}'"), message)
}

/// The type of one row of `x` (its first axis dropped).
fn row_type(name: &str, what: &str, x: &Var) -> Result<TensorType> {
    if x.ndim() == 0 {
        return Err(fail(
            name,
            format!(
                "{what} '{}' is a scalar ({}); it needs a leading axis",
                x.label(),
                x.ty()
            ),
        ));
    }
    Ok(TensorType::new(x.dtype(), x.ty().shape[1..].to_vec()))
}

fn check_taps(name: &str, what: &str, x: &Var, taps: &[i64], negative: bool) -> Result<()> {
    let unique: IndexSet<i64> = taps.iter().copied().collect();
    if taps.is_empty() || unique.len() != taps.len() {
        let msg = format!(
            "{what} '{}' has taps {taps:?}; they must be distinct and non-empty",
            x.label()
        );
        return Err(fail(name, msg));
    }
    if negative && taps.iter().any(|&t| t >= 0) {
        let msg = format!(
            "{what} '{}' has taps {taps:?}; taps of a recurrent output look back, so they must \
             be negative",
            x.label()
        );
        return Err(fail(name, msg));
    }
    Ok(())
}

/// The placeholders of the step, and the state type of each recurrent output.
struct Placeholders {
    args: StepArgs,
    states: Vec<Option<TensorType>>,
}

fn placeholders(b: &ScanOptions) -> Result<Placeholders> {
    let mut seqs = Vec::new();
    for s in &b.sequences {
        check_taps(&b.name, "sequence", &s.input, &s.taps, false)?;
        let ty = row_type(&b.name, "sequence", &s.input)?;
        let label = s.input.label();
        seqs.push(
            s.taps
                .iter()
                .map(|t| Var::input(&format!("{label}[t{t:+}]"), ty.clone()))
                .collect(),
        );
    }
    let mut outputs = Vec::new();
    let mut states = Vec::new();
    for info in &b.outputs_info {
        let OutputInfo::Initial { initial, taps } = info else {
            outputs.push(vec![]);
            states.push(None);
            continue;
        };
        check_taps(&b.name, "output", initial, taps, true)?;
        let state = if taps == &[-1] {
            initial.ty().clone()
        } else {
            row_type(&b.name, "initial value", initial)?
        };
        let label = initial.label();
        outputs.push(
            taps.iter()
                .map(|t| Var::input(&format!("{label}[t{t}]"), state.clone()))
                .collect(),
        );
        states.push(Some(state));
    }
    let non_seqs = b
        .non_sequences
        .iter()
        .map(|v| Var::input(&v.label(), v.ty().clone()))
        .collect();
    Ok(Placeholders {
        args: StepArgs {
            seqs,
            outputs,
            non_seqs,
        },
        states,
    })
}

/// Checks each recurrent output of the step against its `outputs_info`.
fn check_outputs(b: &ScanOptions, out: &StepOutputs, states: &[Option<TensorType>]) -> Result<()> {
    if !b.outputs_info.is_empty() && out.outputs.len() != b.outputs_info.len() {
        let msg = format!(
            "the step function returned {} outputs but outputs_info has {} entries (use \
             OutputInfo::none() for outputs that are not fed back)",
            out.outputs.len(),
            b.outputs_info.len()
        );
        return Err(fail(&b.name, msg));
    }
    for (i, (y, state)) in out.outputs.iter().zip(states).enumerate() {
        let Some(state) = state else { continue };
        if y.dtype() == state.dtype && state.compatible(y.ty()) {
            continue;
        }
        let OutputInfo::Initial { initial, .. } = &b.outputs_info[i] else {
            unreachable!("a state type comes from an initial value")
        };
        let hint = if y.dtype() != state.dtype && y.ndim() == state.ndim() {
            format!(
                " (cast it to {} in the step function: .cast() in Rust, .astype() in Python)",
                state.dtype
            )
        } else {
            String::new()
        };
        let msg = format!(
            "output {i} ('{}') of the step function has type {}, but its outputs_info entry \
             (initial value '{}') gives states of type {state}{hint}\n  the step computed it at {}",
            y.label(),
            y.ty(),
            initial.label(),
            y.site()
        );
        return Err(fail(&b.name, msg));
    }
    Ok(())
}

/// Shared-variable updates as carries: `(shared, placeholder, new value)`.
fn update_carries(name: &str, out: &StepOutputs) -> Result<Vec<(SharedVar, Var, Var)>> {
    let mut seen: Vec<SharedVar> = Vec::new();
    let mut carries = Vec::new();
    for (shared, value) in &out.updates {
        let label = shared.name().unwrap_or_else(|| "shared".into());
        if seen.iter().any(|s| s.same_storage(shared)) {
            return Err(fail(
                name,
                format!("shared variable '{label}' is updated twice"),
            ));
        }
        seen.push(shared.clone());
        if value.dtype() != shared.ty().dtype || !shared.ty().compatible(value.ty()) {
            let msg = format!(
                "the update of shared variable '{label}' has type {}, expected {}",
                value.ty(),
                shared.ty()
            );
            return Err(fail(name, msg));
        }
        let ph = Var::input(&format!("{label}[t-1]"), shared.ty().clone());
        carries.push((shared.clone(), ph, value.clone()));
    }
    Ok(carries)
}

/// Variables computed from constants alone (kept inside the body).
fn constant_only(outputs: &[Var]) -> IndexSet<(u64, usize)> {
    let mut set = IndexSet::new();
    for node in toposort(outputs) {
        let only = match node.kind {
            NodeKind::Constant(_) => true,
            NodeKind::Apply(_) => node.inputs.iter().all(|v| set.contains(&v.key())),
            _ => false,
        };
        if only {
            set.extend(node.outputs().iter().map(Var::key));
        }
    }
    set
}

/// The step function applied and its results made a closed inner graph.
struct Inner {
    args: StepArgs,
    outputs: Vec<Var>,
    updates: Vec<(SharedVar, Var, Var)>,
    until: Option<Var>,
    /// Implicit non-sequences: `(outer, placeholder)`.
    captured: Vec<(Var, Var)>,
}

fn build_inner<F, R>(step: F, b: &ScanOptions) -> Result<Inner>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    let ph = placeholders(b)?;
    let out = step(&ph.args).into_step_outputs()?;
    check_outputs(b, &out, &ph.states)?;
    let updates = update_carries(&b.name, &out)?;
    let mut all: Vec<Var> = out.outputs.clone();
    all.extend(updates.iter().map(|u| u.2.clone()));
    all.extend(out.until.iter().cloned());
    let pairs: Vec<(Var, Var)> = updates
        .iter()
        .map(|(s, p, _)| (s.var(), p.clone()))
        .collect();
    let all = clone_replace(&all, &pairs)?;
    let mut roots = ph.args.args();
    roots.extend(updates.iter().map(|u| u.1.clone()));
    let inner = dependents_of(&all, &roots);
    let consts = constant_only(&all);
    let cut = capture(&all, |v| {
        !inner.contains(&v.key()) && !consts.contains(&v.key())
    })?;
    if b.strict && !cut.outer.is_empty() {
        let names: Vec<String> = cut.outer.iter().map(Var::label).collect();
        let msg = format!("strict scan reads {names:?}, which are not among its non_sequences");
        return Err(fail(&b.name, msg));
    }
    let n_out = out.outputs.len();
    let mut rebuilt = cut.outputs;
    let until = out
        .until
        .is_some()
        .then(|| rebuilt.pop().expect("until is last"));
    let new_updates = rebuilt.split_off(n_out);
    let updates = updates
        .into_iter()
        .zip(new_updates)
        .map(|((s, p, _), v)| (s, p, v))
        .collect();
    Ok(Inner {
        args: ph.args,
        outputs: rebuilt,
        updates,
        until,
        captured: cut.outer.into_iter().zip(cut.placeholders).collect(),
    })
}

/// The step count input, checked when it is a constant.
fn steps_input(b: &ScanOptions) -> Result<Option<Var>> {
    let Some(n) = b.n_steps.clone() else {
        if b.sequences.is_empty() {
            return Err(fail(&b.name, "needs sequences or n_steps".into()));
        }
        return Ok(None);
    };
    let n = int_scalar(&format!("scan '{}'", b.name), "n_steps", n)?;
    if let Some(v) = static_int(&n).filter(|&v| v <= 0) {
        let msg = format!("n_steps is {v}; a scan must run at least one step");
        return Err(fail(&b.name, msg));
    }
    Ok(Some(n))
}

/// Sequence `x` with Theano taps as a read track: step `s`, tap `k` reads
/// row `s + k - min(k, 0)` (of `x` reversed, going backwards).
fn sequence_part(b: &ScanOptions, i: usize, inner: &[Var]) -> ReadPart {
    let seq = &b.sequences[i];
    let lo = seq.taps.iter().copied().min().expect("taps checked").min(0);
    let hi = seq.taps.iter().copied().max().expect("taps checked").max(0);
    ReadPart {
        track: ReadTrack {
            name: seq.input.label(),
            starts: vec![0],
            offsets: seq.taps.iter().map(|&k| (k - lo) as usize).collect(),
            span: (hi - lo) as usize,
            reversed: b.go_backwards,
            zero_outside: false,
        },
        segments: vec![seq.input.clone()],
        inner: inner.to_vec(),
    }
}

/// The initial window of a recurrent output, with a leading axis of
/// `k` rows (taps `[-1]` take the state itself and gain the axis). An
/// initial value with more than `k` rows gives its first `k`, as Theano's
/// `outputs_info[i]['initial'][:k]`; one with fewer is an error (here when
/// its length is static, at run time otherwise).
fn initial_window(name: &str, initial: &Var, taps: &[i64]) -> Result<Var> {
    if taps == [-1] {
        let mut pattern = vec![None];
        pattern.extend((0..initial.ndim()).map(Some));
        return Ok(initial.dimshuffle(&pattern));
    }
    let k = taps
        .iter()
        .map(|t| t.unsigned_abs() as usize)
        .max()
        .expect("taps checked");
    match initial.ty().shape[0] {
        Some(rows) if rows < k => {
            let msg = format!(
                "the initial value '{}' has {rows} rows, but taps {taps:?} need {k} states \
                 (oldest first)",
                initial.label()
            );
            Err(fail(name, msg))
        }
        Some(rows) if rows == k => Ok(initial.clone()),
        _ => initial.try_at(&[IndexItem::slice(None, Some((k as i64).into()), None)]),
    }
}

fn history_write(name: &str, source: &Var) -> WritePart {
    WritePart {
        track: WriteTrack {
            name: name.to_string(),
            offsets: vec![0],
            span: 0,
            reversed: false,
            segments: vec![Segment {
                start: 0,
                len: SegLen::Rest,
            }],
            dropped: None,
        },
        sources: vec![source.clone()],
    }
}

/// Builds the scan: Theano's `scan` over `step` with `b`'s arguments.
pub(super) fn desugar<F, R>(step: F, b: ScanOptions) -> Result<ScanResult>
where
    F: FnOnce(&StepArgs) -> R,
    R: IntoStepOutputs,
{
    if b.truncate_gradient == Some(0) {
        return Err(fail(&b.name, "truncate_gradient must be at least 1".into()));
    }
    let n_steps = steps_input(&b)?;
    let inner = build_inner(step, &b)?;
    let mut parts = ScanParts::new(&b.name, n_steps);
    parts.truncate_gradient = b.truncate_gradient;
    parts.mode = b.mode.clone();
    parts.until = inner.until.clone();
    for (outer, ph) in b.non_sequences.iter().zip(&inner.args.non_seqs) {
        parts.add_const(&outer.label(), outer.clone(), ph.clone());
    }
    for (outer, ph) in &inner.captured {
        parts.add_const(&outer.label(), outer.clone(), ph.clone());
    }
    for (i, phs) in inner.args.seqs.iter().enumerate() {
        parts.add_read(sequence_part(&b, i, phs));
    }
    let roles = add_outputs(&b, &inner, &mut parts)?;
    let update_ids = add_updates(&b, &inner, &mut parts)?;
    let node = parts.apply(b.site.clone())?;
    let outputs = roles
        .iter()
        .map(|role| match *role {
            Role::Carry(c) => node.history(c),
            Role::Write(w) => node.write(w, 0),
        })
        .collect();
    let last = roles
        .iter()
        .map(|role| match *role {
            Role::Carry(c) => Some(node.last(c)),
            Role::Write(_) => None,
        })
        .collect();
    let updates = update_ids
        .into_iter()
        .map(|(s, c)| (s, node.last(c)))
        .collect();
    Ok(ScanResult {
        outputs,
        last,
        updates,
        steps: node.steps(),
    })
}

/// What a step output became.
enum Role {
    Carry(usize),
    Write(usize),
}

/// Each step output: a carry (recurrent) or a write track, in order.
fn add_outputs(b: &ScanOptions, inner: &Inner, parts: &mut ScanParts) -> Result<Vec<Role>> {
    let mut roles = Vec::new();
    for (i, y) in inner.outputs.iter().enumerate() {
        let Some(OutputInfo::Initial { initial, taps }) = b.outputs_info.get(i) else {
            roles.push(Role::Write(parts.add_write(history_write(&y.label(), y))));
            continue;
        };
        let part = CarryPart {
            carry: Carry {
                name: initial.label(),
                lags: taps.iter().map(|t| t.unsigned_abs() as usize).collect(),
                history: true,
            },
            init: initial_window(&b.name, initial, taps)?,
            inner: inner.args.outputs[i].clone(),
            next: y.clone(),
        };
        roles.push(Role::Carry(parts.add_carry(part)));
    }
    Ok(roles)
}

/// A carry per updated shared variable.
fn add_updates(
    b: &ScanOptions,
    inner: &Inner,
    parts: &mut ScanParts,
) -> Result<Vec<(SharedVar, usize)>> {
    let mut ids = Vec::new();
    for (shared, ph, value) in &inner.updates {
        let part = CarryPart {
            carry: Carry {
                name: shared.name().unwrap_or_else(|| "shared".into()),
                lags: vec![1],
                history: true,
            },
            init: initial_window(&b.name, &shared.var(), &[-1])?,
            inner: vec![ph.clone()],
            next: value.clone(),
        };
        ids.push((shared.clone(), parts.add_carry(part)));
    }
    Ok(ids)
}
