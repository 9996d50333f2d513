//! The R-op (pushforward) of a scan: a scan running forward alongside the
//! original's stored states, carrying the tangents of the carries and
//! writing the tangents of the per-step outputs. Its body is the
//! Jacobian-vector product of the forward body.

use super::op::Scan;
use super::parts::{CarryPart, ReadPart, ScanParts, WritePart};
use super::spec::{Carry, ReadTrack};
use crate::error::{Error, Result, Site};
use crate::graph::{Op, TensorType, Var};
use crate::ops::control::body::{jvp, substitute};

fn ph(name: &str, ty: &TensorType) -> Var {
    Var::input(name, ty.clone())
}

/// A tangent for each float variable of a group (zeros where missing);
/// `None` when the group has no tangent at all.
fn group_tangents(vars: &[Var], tangents: &[Option<Var>]) -> Option<Vec<Var>> {
    let any = vars
        .iter()
        .zip(tangents)
        .any(|(v, t)| t.is_some() && v.dtype().is_float());
    any.then(|| {
        vars.iter()
            .zip(tangents)
            .map(|(v, t)| {
                t.clone()
                    .map(|t| t.cast(v.dtype()))
                    .unwrap_or_else(|| v.zeros_like())
            })
            .collect()
    })
}

pub(super) fn pushforward(
    op: &Scan,
    inputs: &[Var],
    outputs: &[Var],
    tangents: &[Option<Var>],
) -> Result<Vec<Option<Var>>> {
    let spec = &op.spec;
    if spec.until && spec.reads.iter().any(|r| r.reversed) {
        return Err(Error::grad(
            op.name(),
            "the R-op of a scan with both `until` and go_backwards is not supported",
        ));
    }
    let outs = spec.split_outputs(outputs);
    let mut parts = ScanParts::new(&format!("rop_of_{}", spec.name), Some(outs.steps.clone()));
    parts.active = spec.active;
    parts.mode = op.body.mode.clone();
    let mut inner_tangents = const_tangents(op, &mut parts, inputs, tangents);
    inner_tangents.extend(read_tangents(op, &mut parts, inputs, tangents));
    let current = read_states(
        op,
        &mut parts,
        spec.split_inputs(inputs).inits,
        outs.history,
    );
    let carry_tangents: Vec<Option<Vec<Var>>> = spec
        .split_inner_inputs(&op.body.inputs)
        .lags
        .iter()
        .map(|lags| {
            let float = lags[0].dtype().is_float();
            float.then(|| {
                lags.iter()
                    .map(|p| ph(&format!("t{}", p.label()), p.ty()))
                    .collect()
            })
        })
        .collect();
    for (c, carry) in spec.carries.iter().enumerate() {
        match &carry_tangents[c] {
            Some(ts) => inner_tangents.extend(ts.iter().cloned().map(Some)),
            None => inner_tangents.extend(carry.lags.iter().map(|_| None)),
        }
    }
    let body_out = spec.split_inner_outputs(&op.body.outputs);
    let mut fwd: Vec<Var> = body_out.next.to_vec();
    fwd.extend(body_out.writes.iter().flat_map(|w| w.iter().cloned()));
    let dots = jvp(&fwd, &op.body.inputs, &inner_tangents)?;
    let pairs: Vec<(Var, Var)> = body_out.next.iter().cloned().zip(current).collect();
    let dots = substitute(&dots, &pairs)?;
    let (next_dots, write_dots) = dots.split_at(spec.carries.len());
    let inits = spec.split_inputs(inputs).inits;
    let tinits = spec.split_inputs(tangents).inits;
    let carry_ids = tangent_carries(op, &mut parts, (inits, tinits), &carry_tangents, next_dots);
    let write_ids = tangent_writes(op, &mut parts, write_dots);
    let node = parts.apply(Site::caller())?;
    let last = carry_ids
        .iter()
        .map(|id| id.map(|c| node.last(c)))
        .collect();
    let history = carry_ids
        .iter()
        .map(|id| id.map(|c| node.history(c)))
        .collect();
    let writes = write_ids
        .iter()
        .zip(&spec.writes)
        .map(|(id, t)| {
            (0..t.segments.len())
                .map(|i| id.map(|w| node.write(w, i)))
                .collect()
        })
        .collect();
    Ok(spec.join_outputs(last, history, writes, None))
}

/// The constants, and a constant per tangent of a float constant; returns
/// the constants' inner tangents.
fn const_tangents(
    op: &Scan,
    parts: &mut ScanParts,
    inputs: &[Var],
    tangents: &[Option<Var>],
) -> Vec<Option<Var>> {
    let spec = &op.spec;
    let (ins, tin) = (spec.split_inputs(inputs), spec.split_inputs(tangents));
    let inner = spec.split_inner_inputs(&op.body.inputs);
    let mut out = Vec::new();
    for (i, (name, k)) in spec.consts.iter().zip(ins.consts).enumerate() {
        parts.add_const(name, k.clone(), inner.consts[i].clone());
        let t = tin.consts[i].clone().filter(|_| k.dtype().is_float());
        out.push(t.map(|t| {
            let p = ph(&format!("t{name}"), inner.consts[i].ty());
            parts.add_const(&format!("t{name}"), t.cast(k.dtype()), p.clone());
            p
        }));
    }
    out
}

/// The sequences as they are (same track indices as the forward scan), then
/// a track per sequence with a tangent; returns the rows' inner tangents.
fn read_tangents(
    op: &Scan,
    parts: &mut ScanParts,
    inputs: &[Var],
    tangents: &[Option<Var>],
) -> Vec<Option<Var>> {
    let spec = &op.spec;
    let (ins, tin) = (spec.split_inputs(inputs), spec.split_inputs(tangents));
    let inner = spec.split_inner_inputs(&op.body.inputs);
    for (j, track) in spec.reads.iter().enumerate() {
        parts.add_read(ReadPart {
            track: track.clone(),
            segments: ins.reads[j].to_vec(),
            inner: inner.reads[j].to_vec(),
        });
    }
    let mut out = Vec::new();
    for (j, track) in spec.reads.iter().enumerate() {
        let Some(segments) = group_tangents(ins.reads[j], tin.reads[j]) else {
            out.extend(inner.reads[j].iter().map(|_| None));
            continue;
        };
        let phs: Vec<Var> = inner.reads[j]
            .iter()
            .map(|p| ph(&format!("t{}", p.label()), p.ty()))
            .collect();
        out.extend(phs.iter().cloned().map(Some));
        let mut t = track.clone();
        t.name = format!("t{}", track.name);
        parts.add_read(ReadPart {
            track: t,
            segments,
            inner: phs,
        });
    }
    out
}

/// A tangent carry per float carry, from the initial windows' tangents.
fn tangent_carries(
    op: &Scan,
    parts: &mut ScanParts,
    (inits, tinits): (&[Var], &[Option<Var>]),
    placeholders: &[Option<Vec<Var>>],
    next_dots: &[Option<Var>],
) -> Vec<Option<usize>> {
    let mut ids = Vec::new();
    for (c, carry) in op.spec.carries.iter().enumerate() {
        ids.push(placeholders[c].as_ref().map(|ts| {
            let init = tinits[c].clone().map(|t| t.cast(inits[c].dtype()));
            let init = init.unwrap_or_else(|| inits[c].zeros_like());
            let next = next_dots[c].clone().unwrap_or_else(|| ts[0].zeros_like());
            parts.add_carry(CarryPart {
                carry: Carry {
                    name: format!("t{}", carry.name),
                    lags: carry.lags.clone(),
                    history: true,
                },
                init,
                inner: ts.clone(),
                next,
            })
        }));
    }
    ids
}

/// A tangent write track per float write track (same coordinates).
fn tangent_writes(
    op: &Scan,
    parts: &mut ScanParts,
    write_dots: &[Option<Var>],
) -> Vec<Option<usize>> {
    let body_out = op.spec.split_inner_outputs(&op.body.outputs);
    let mut ids = Vec::new();
    let mut rest = write_dots;
    for (track, srcs) in op.spec.writes.iter().zip(&body_out.writes) {
        let (mine, tail) = rest.split_at(srcs.len());
        rest = tail;
        let sources: Option<Vec<Var>> = mine.iter().cloned().collect();
        ids.push(
            sources
                .filter(|_| srcs.first().is_some_and(|s| s.dtype().is_float()))
                .map(|sources| {
                    let mut t = track.clone();
                    t.name = format!("t{}", track.name);
                    parts.add_write(WritePart { track: t, sources })
                }),
        );
    }
    ids
}

/// Reads each carry's states forward: the lags the step read and the
/// state it produced (a placeholder per carry, returned).
fn read_states(op: &Scan, parts: &mut ScanParts, inits: &[Var], history: &[Var]) -> Vec<Var> {
    let spec = &op.spec;
    let inner = spec.split_inner_inputs(&op.body.inputs);
    let mut current = Vec::new();
    for (c, carry) in spec.carries.iter().enumerate() {
        let k = carry.window();
        let cur = ph(&format!("{}[t]", carry.name), op.state_type(c));
        let mut offsets: Vec<usize> = carry.lags.iter().map(|l| k - l).collect();
        offsets.push(k);
        let mut phs = inner.lags[c].to_vec();
        phs.push(cur.clone());
        parts.add_read(ReadPart {
            track: ReadTrack {
                name: carry.name.clone(),
                starts: vec![0, k],
                offsets,
                span: k,
                reversed: false,
                zero_outside: false,
            },
            segments: vec![inits[c].clone(), history[c].clone()],
            inner: phs,
        });
        current.push(cur);
    }
    current
}
