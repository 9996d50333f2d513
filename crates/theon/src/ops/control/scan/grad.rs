//! Backpropagation through time: the pullback of a scan is another scan
//! that runs the steps in reverse order over the stored states.
//!
//! At backward step `u` (forward step `s = T-1-u`), the body is the
//! vector-Jacobian product of the forward body at step `s`. It reads the
//! forward inputs of step `s` (the sequences, and each carry's states as a
//! two-segment track: initial window, then history), and the output
//! gradients of step `s`. For a carry with window `k`, the backward loop
//! carries `k` accumulators `W_0..W_{k-1}`: `W_j` holds the gradient
//! gathered so far for the state `k-1-j` steps before the one step `s`
//! produced, so `W_{k-1}` (plus the history's own gradient) is the full
//! gradient of step `s`'s new state. Each step shifts the window and adds
//! the contributions to the states it read. Gradients of sequences and of
//! initial windows are write tracks; gradients of constants are summed in
//! carries. With `truncate_gradient = n` only the first `n` backward steps
//! run (the last `n` forward steps).

use super::op::Scan;
use super::parts::{CarryPart, ReadPart, ScanParts, WritePart};
use super::spec::{Carry, ReadTrack, SegLen, Segment, WriteTrack};
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, TensorType, Var};
use crate::ops::control::body::{substitute, vjp};
use crate::ops::creation::is_zeros;

/// A placeholder of type `ty`.
fn ph(name: &str, ty: &TensorType) -> Var {
    Var::input(name, ty.clone())
}

/// `x` with a new leading axis of length 1 (an initial window of one state).
pub(super) fn as_window(x: &Var) -> Var {
    let mut pattern = vec![None];
    pattern.extend((0..x.ndim()).map(Some));
    x.dimshuffle(&pattern)
}

fn sum_opt(a: Option<Var>, b: Option<Var>) -> Option<Var> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

/// Gradient graphs state that a gradient is present only when non-zero.
fn nonzero(g: &Var) -> Option<Var> {
    (!is_zeros(g)).then(|| g.clone())
}

/// Everything the backward body is built from.
struct Backward<'a> {
    op: &'a Scan,
    parts: ScanParts,
    /// Per forward carry: a placeholder for the state step `s` produced.
    current: Vec<Var>,
    /// Per forward carry: the accumulators `W_0..W_{k-1}` (float carries).
    windows: Vec<Vec<Var>>,
    /// Per forward carry: the gradient of its history at step `s`.
    history_grads: Vec<Option<Var>>,
    /// Per forward write track: the gradient of each offset's value.
    write_grads: Vec<Option<Vec<Var>>>,
}

pub(super) fn pullback(
    op: &Scan,
    inputs: &[Var],
    outputs: &[Var],
    grads: &[Var],
) -> Result<Vec<Grad>> {
    let spec = &op.spec;
    if spec.active.is_some() {
        return Err(Error::grad(
            op.name(),
            "cannot differentiate a truncated gradient's backward loop again",
        ));
    }
    if spec.until && spec.reads.iter().any(|r| r.reversed) {
        return Err(Error::grad(
            op.name(),
            "the gradient of a scan with both `until` and go_backwards is not supported",
        ));
    }
    let mut bw = Backward::new(op, inputs, outputs, grads);
    let inner_grads = bw.inner_vjp()?;
    let outer = bw.finish(inputs, outputs, grads, inner_grads)?;
    Ok(outer)
}

impl<'a> Backward<'a> {
    fn new(op: &'a Scan, inputs: &[Var], outputs: &[Var], grads: &[Var]) -> Backward<'a> {
        let spec = &op.spec;
        let ins = spec.split_inputs(inputs);
        let outs = spec.split_outputs(outputs);
        let gouts = spec.split_outputs(grads);
        let inner = spec.split_inner_inputs(&op.body.inputs);
        let mut parts = ScanParts::new(&format!("grad_of_{}", spec.name), Some(outs.steps.clone()));
        parts.active = spec.truncate_gradient;
        parts.mode = op.body.mode.clone();
        for ((name, outer), ph) in spec.consts.iter().zip(ins.consts).zip(inner.consts) {
            parts.add_const(name, outer.clone(), ph.clone());
        }
        // Forward sequences, read in the backward direction.
        for ((track, segs), phs) in spec.reads.iter().zip(&ins.reads).zip(&inner.reads) {
            let mut t = track.clone();
            t.offsets = track.offsets.iter().map(|p| track.span - p).collect();
            t.reversed = !track.reversed;
            parts.add_read(ReadPart {
                track: t,
                segments: segs.to_vec(),
                inner: phs.to_vec(),
            });
        }
        // Forward states: the lags the step read, and the state it produced.
        let mut current = Vec::new();
        for (c, carry) in spec.carries.iter().enumerate() {
            let k = carry.window();
            let cur = ph(&format!("{}[t]", carry.name), op.state_type(c));
            let mut offsets = carry.lags.clone();
            offsets.push(0);
            let mut phs = inner.lags[c].to_vec();
            phs.push(cur.clone());
            parts.add_read(ReadPart {
                track: ReadTrack {
                    name: carry.name.clone(),
                    starts: vec![0, k],
                    offsets,
                    span: k,
                    reversed: true,
                    zero_outside: false,
                },
                segments: vec![ins.inits[c].clone(), outs.history[c].clone()],
                inner: phs,
            });
            current.push(cur);
        }
        let mut bw = Backward {
            op,
            parts,
            current,
            windows: vec![],
            history_grads: vec![],
            write_grads: vec![],
        };
        bw.read_output_grads(gouts.history, &gouts.writes);
        bw
    }

    /// Tracks reading the gradients of the forward outputs at step `s`.
    fn read_output_grads(&mut self, history: &[Var], writes: &[&[Var]]) {
        let spec = &self.op.spec;
        for (c, carry) in spec.carries.iter().enumerate() {
            let g = nonzero(&history[c]).filter(|_| self.op.state_type(c).dtype.is_float());
            self.history_grads.push(g.map(|g| {
                let p = ph(&format!("d{}[t]", carry.name), self.op.state_type(c));
                self.parts.add_read(ReadPart {
                    track: ReadTrack {
                        name: format!("d{}", carry.name),
                        starts: vec![0],
                        offsets: vec![0],
                        span: 0,
                        reversed: true,
                        zero_outside: false,
                    },
                    segments: vec![g],
                    inner: vec![p.clone()],
                });
                p
            }));
        }
        let sources = spec.split_inner_outputs(&self.op.body.outputs).writes;
        for ((track, gs), srcs) in spec.writes.iter().zip(writes).zip(sources) {
            let float = srcs.first().is_some_and(|s| s.dtype().is_float());
            if !float || gs.iter().all(is_zeros) {
                self.write_grads.push(None);
                continue;
            }
            let phs: Vec<Var> = srcs
                .iter()
                .map(|s| ph(&format!("d{}[t]", track.name), s.ty()))
                .collect();
            self.parts.add_read(ReadPart {
                track: ReadTrack {
                    name: format!("d{}", track.name),
                    starts: track.segments.iter().map(|s| s.start).collect(),
                    offsets: track.offsets.iter().map(|p| track.span - p).collect(),
                    span: track.span,
                    reversed: !track.reversed,
                    zero_outside: true,
                },
                segments: gs.to_vec(),
                inner: phs.clone(),
            });
            self.write_grads.push(Some(phs));
        }
    }

    /// The body's VJP at step `s`: gradients of its constants, sequence
    /// rows and lagged states, given the gradients of its outputs.
    fn inner_vjp(&mut self) -> Result<Vec<Option<Var>>> {
        let op = self.op;
        let spec = &op.spec;
        let out = spec.split_inner_outputs(&op.body.outputs);
        let mut outputs = Vec::new();
        let mut grads = Vec::new();
        for (c, carry) in spec.carries.iter().enumerate() {
            let state = op.state_type(c);
            let ws: Vec<Var> = if state.dtype.is_float() {
                (0..carry.window())
                    .map(|j| ph(&format!("W{j}_{}", carry.name), state))
                    .collect()
            } else {
                vec![]
            };
            let g = sum_opt(ws.last().cloned(), self.history_grads[c].clone());
            outputs.push(out.next[c].clone());
            grads.push(g);
            self.windows.push(ws);
        }
        for (srcs, gs) in out.writes.iter().zip(&self.write_grads) {
            for (i, s) in srcs.iter().enumerate() {
                outputs.push(s.clone());
                grads.push(gs.as_ref().map(|gs| gs[i].clone()));
            }
        }
        let grads = vjp(&outputs, &grads, &op.body.inputs)?;
        // The backward body reads the stored states instead of recomputing
        // the forward step's results.
        let pairs: Vec<(Var, Var)> = out.next.iter().cloned().zip(self.current.clone()).collect();
        substitute(&grads, &pairs)
    }
}

impl<'a> Backward<'a> {
    /// Adds the accumulators' carries: `W_0' = dlag_k`,
    /// `W_j' = W_{j-1} + dlag_{k-j}`, starting from the gradient of the
    /// final state in `W_{k-1}`.
    fn add_windows(&mut self, lag_grads: &[&[Option<Var>]], last: &[Var], last_grads: &[Var]) {
        let spec = &self.op.spec;
        for (c, carry) in spec.carries.iter().enumerate() {
            let ws = self.windows[c].clone();
            if ws.is_empty() {
                continue;
            }
            let k = carry.window();
            let dtype = ws[0].dtype();
            let lag_grad = |l: usize| {
                let i = carry.lags.iter().position(|&x| x == l)?;
                lag_grads[c][i].clone()
            };
            for j in 0..k {
                let carried = if j == 0 {
                    None
                } else {
                    Some(ws[j - 1].clone())
                };
                let next = sum_opt(carried, lag_grad(k - j))
                    .map(|v| v.cast(dtype))
                    .unwrap_or_else(|| ws[j].zeros_like());
                let start = if j == k - 1 {
                    nonzero(&last_grads[c])
                } else {
                    None
                };
                let start = start
                    .map(|g| g.cast(dtype))
                    .unwrap_or_else(|| last[c].zeros_like());
                self.parts.add_carry(CarryPart {
                    carry: Carry {
                        name: ws[j].label(),
                        lags: vec![1],
                        history: true,
                    },
                    init: as_window(&start),
                    inner: vec![ws[j].clone()],
                    next,
                });
            }
        }
    }

    /// Sums each constant's gradient over the steps; returns carry ids.
    fn add_const_sums(
        &mut self,
        consts: &[Var],
        const_grads: &[Option<Var>],
    ) -> Vec<Option<usize>> {
        let inner = self.op.spec.split_inner_inputs(&self.op.body.inputs);
        let mut ids = Vec::new();
        for ((outer, phi), g) in consts.iter().zip(inner.consts).zip(const_grads) {
            let Some(g) = g else {
                ids.push(None);
                continue;
            };
            let acc = ph(&format!("d{}", phi.label()), phi.ty());
            let next = (&acc + g).cast(acc.dtype());
            ids.push(Some(self.parts.add_carry(CarryPart {
                carry: Carry {
                    name: acc.label(),
                    lags: vec![1],
                    history: true,
                },
                init: as_window(&outer.zeros_like()),
                inner: vec![acc],
                next,
            })));
        }
        ids
    }

    /// Write tracks for the gradients of the sequences (one per forward
    /// read track) and of the initial windows (one per forward carry).
    fn add_input_writes(
        &mut self,
        ig_reads: &[&[Option<Var>]],
        ig_lags: &[&[Option<Var>]],
    ) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
        let op = self.op;
        let spec = &op.spec;
        let inner = spec.split_inner_inputs(&op.body.inputs);
        let mut seq_ids = Vec::new();
        for (j, track) in spec.reads.iter().enumerate() {
            let sources = fill_missing(ig_reads[j], inner.reads[j]);
            seq_ids.push(sources.map(|sources| {
                self.parts.add_write(WritePart {
                    track: WriteTrack {
                        name: format!("d{}", track.name),
                        offsets: track.offsets.iter().map(|p| track.span - p).collect(),
                        span: track.span,
                        reversed: !track.reversed,
                        segments: (0..track.starts.len())
                            .map(|i| Segment {
                                start: track.starts[i],
                                len: SegLen::LikeRead {
                                    track: j,
                                    segment: i,
                                },
                            })
                            .collect(),
                        dropped: None,
                    },
                    sources,
                })
            }));
        }
        let mut init_ids = Vec::new();
        for (c, carry) in spec.carries.iter().enumerate() {
            let sources = fill_missing(ig_lags[c], inner.lags[c]);
            init_ids.push(sources.map(|sources| {
                self.parts.add_write(WritePart {
                    track: WriteTrack {
                        name: format!("d{}_init", carry.name),
                        offsets: carry.lags.clone(),
                        span: carry.window(),
                        reversed: true,
                        segments: vec![Segment {
                            start: 0,
                            len: SegLen::Fixed(carry.window()),
                        }],
                        dropped: None,
                    },
                    sources,
                })
            }));
        }
        (seq_ids, init_ids)
    }

    fn finish(
        mut self,
        inputs: &[Var],
        outputs: &[Var],
        grads: &[Var],
        inner_grads: Vec<Option<Var>>,
    ) -> Result<Vec<Grad>> {
        let spec = self.op.spec.clone();
        let ins = spec.split_inputs(inputs);
        let outs = spec.split_outputs(outputs);
        let gouts = spec.split_outputs(grads);
        let ig = spec.split_inner_inputs(&inner_grads);
        self.add_windows(&ig.lags, outs.last, gouts.last);
        let const_ids = self.add_const_sums(ins.consts, ig.consts);
        let (seq_ids, init_ids) = self.add_input_writes(&ig.reads, &ig.lags);
        let node = self.parts.apply(Site::caller())?;
        let value = |v: Option<Var>| v.map_or(Grad::Disconnected, Grad::Value);
        let consts = const_ids
            .iter()
            .map(|id| value(id.map(|c| node.last(c))))
            .collect();
        let reads = seq_ids
            .iter()
            .zip(&ins.reads)
            .map(|(id, segs)| {
                (0..segs.len())
                    .map(|i| value(id.map(|w| node.write(w, i))))
                    .collect()
            })
            .collect();
        let inits = init_ids
            .iter()
            .map(|id| value(id.map(|w| node.write(w, 0))))
            .collect();
        Ok(spec.join_inputs(Grad::Disconnected, consts, reads, inits))
    }
}

/// The gradients of a group of placeholders, zeros where one is
/// disconnected; `None` when all are (or they are not float).
fn fill_missing(grads: &[Option<Var>], placeholders: &[Var]) -> Option<Vec<Var>> {
    if grads.iter().all(Option::is_none) {
        return None;
    }
    Some(
        grads
            .iter()
            .zip(placeholders)
            .map(|(g, p)| {
                g.clone()
                    .map(|g| g.cast(p.dtype()))
                    .unwrap_or_else(|| p.zeros_like())
            })
            .collect(),
    )
}
