//! `ScanParts`: a scan assembled by role (constants, read tracks, carries,
//! write tracks), each with its outer variables and inner placeholders
//! side by side, then laid out into a [`Scan`] node in one place. The
//! user-facing builder, the gradient and the R-op all build scans this way.

use super::op::Scan;
use super::spec::{Carry, ReadTrack, ScanSpec, Steps, WriteTrack};
use crate::error::{Error, Result, Site};
use crate::graph::{graph_inputs, Var};
use crate::ops::control::Body;
use crate::rewrite::Mode;
use indexmap::IndexSet;
use std::sync::Arc;

/// A read track with its outer segments and inner placeholders (one per offset).
pub struct ReadPart {
    pub track: ReadTrack,
    pub segments: Vec<Var>,
    pub inner: Vec<Var>,
}

/// A carry with its initial window, inner placeholders (one per lag) and
/// inner new state.
pub struct CarryPart {
    pub carry: Carry,
    pub init: Var,
    pub inner: Vec<Var>,
    pub next: Var,
}

/// A write track with its inner values (one per offset).
pub struct WritePart {
    pub track: WriteTrack,
    pub sources: Vec<Var>,
}

/// A scan under construction.
pub struct ScanParts {
    pub name: String,
    pub n_steps: Option<Var>,
    /// `(name, outer value, inner placeholder)`.
    pub consts: Vec<(String, Var, Var)>,
    pub reads: Vec<ReadPart>,
    pub carries: Vec<CarryPart>,
    pub writes: Vec<WritePart>,
    pub until: Option<Var>,
    pub active: Option<usize>,
    pub truncate_gradient: Option<usize>,
    pub mode: Option<Mode>,
}

/// An applied scan: its outputs, found by role.
pub struct ScanNode {
    pub spec: Arc<ScanSpec>,
    pub outputs: Vec<Var>,
}

impl ScanNode {
    /// Carry `c`'s final state.
    pub fn last(&self, c: usize) -> Var {
        self.spec.split_outputs(&self.outputs).last[c].clone()
    }

    /// Carry `c`'s states after the initial window.
    pub fn history(&self, c: usize) -> Var {
        self.spec.split_outputs(&self.outputs).history[c].clone()
    }

    /// Segment `segment` of write track `w`.
    pub fn write(&self, w: usize, segment: usize) -> Var {
        self.spec.split_outputs(&self.outputs).writes[w][segment].clone()
    }

    /// The number of steps run.
    pub fn steps(&self) -> Var {
        self.spec.split_outputs(&self.outputs).steps.clone()
    }
}

impl ScanParts {
    /// The parts of an existing scan whose outer inputs are `outer` (the
    /// inverse of [`Self::apply`]): rewrites edit them and apply again.
    pub fn from_op(op: &Scan, outer: &[Var]) -> ScanParts {
        let spec = &op.spec;
        let ins = spec.split_inputs(outer);
        let inner = spec.split_inner_inputs(&op.body.inputs);
        let out = spec.split_inner_outputs(&op.body.outputs);
        let mut parts = ScanParts::new(&spec.name, ins.n_steps.cloned());
        for ((name, outer), ph) in spec.consts.iter().zip(ins.consts).zip(inner.consts) {
            parts.add_const(name, outer.clone(), ph.clone());
        }
        for ((track, segs), phs) in spec.reads.iter().zip(&ins.reads).zip(&inner.reads) {
            parts.add_read(ReadPart {
                track: track.clone(),
                segments: segs.to_vec(),
                inner: phs.to_vec(),
            });
        }
        for (c, carry) in spec.carries.iter().enumerate() {
            parts.add_carry(CarryPart {
                carry: carry.clone(),
                init: ins.inits[c].clone(),
                inner: inner.lags[c].to_vec(),
                next: out.next[c].clone(),
            });
        }
        for (track, sources) in spec.writes.iter().zip(&out.writes) {
            parts.add_write(WritePart {
                track: track.clone(),
                sources: sources.to_vec(),
            });
        }
        parts.until = out.until.cloned();
        parts.active = spec.active;
        parts.truncate_gradient = spec.truncate_gradient;
        parts.mode = op.body.mode.clone();
        parts
    }

    pub fn new(name: &str, n_steps: Option<Var>) -> ScanParts {
        ScanParts {
            name: name.to_string(),
            n_steps,
            consts: vec![],
            reads: vec![],
            carries: vec![],
            writes: vec![],
            until: None,
            active: None,
            truncate_gradient: None,
            mode: None,
        }
    }

    pub fn add_const(&mut self, name: &str, outer: Var, inner: Var) {
        self.consts.push((name.to_string(), outer, inner));
    }

    /// Adds a read track; returns its index (for `SegLen::LikeRead`).
    pub fn add_read(&mut self, part: ReadPart) -> usize {
        self.reads.push(part);
        self.reads.len() - 1
    }

    pub fn add_carry(&mut self, part: CarryPart) -> usize {
        self.carries.push(part);
        self.carries.len() - 1
    }

    pub fn add_write(&mut self, part: WritePart) -> usize {
        self.writes.push(part);
        self.writes.len() - 1
    }

    fn inner_outputs(&self) -> Vec<Var> {
        let mut outs: Vec<Var> = self.carries.iter().map(|c| c.next.clone()).collect();
        for w in &self.writes {
            outs.extend(w.sources.iter().cloned());
        }
        outs.extend(self.until.iter().cloned());
        outs
    }

    /// Drops constants and read offsets the body does not use (read tracks
    /// stay: they still count steps and give gradients their shapes).
    fn prune(&mut self, used: &IndexSet<(u64, usize)>) {
        self.consts
            .retain(|(_, _, inner)| used.contains(&inner.key()));
        for r in &mut self.reads {
            let keep: Vec<bool> = r.inner.iter().map(|v| used.contains(&v.key())).collect();
            let mut it = keep.iter();
            r.track
                .offsets
                .retain(|_| *it.next().expect("one flag per offset"));
            let mut it = keep.iter();
            r.inner.retain(|_| *it.next().expect("one flag per offset"));
        }
    }

    /// Lays the parts out into a `Scan` node created at `site`.
    pub fn apply(mut self, site: Site) -> Result<ScanNode> {
        let outputs = self.inner_outputs();
        let used: IndexSet<(u64, usize)> = graph_inputs(&outputs).iter().map(Var::key).collect();
        self.prune(&used);
        let mut inputs: Vec<Var> = self.consts.iter().map(|c| c.2.clone()).collect();
        inputs.extend(self.reads.iter().flat_map(|r| r.inner.iter().cloned()));
        inputs.extend(self.carries.iter().flat_map(|c| c.inner.iter().cloned()));
        let declared: IndexSet<(u64, usize)> = inputs.iter().map(Var::key).collect();
        if let Some(stray) = used.iter().find(|k| !declared.contains(*k)) {
            return Err(Error::value(
                format!("scan '{}'", self.name),
                format!("the body reads a variable that is not one of its inputs ({stray:?})"),
            )
            .at(&site));
        }
        let mut outer: Vec<Var> = self.n_steps.iter().cloned().collect();
        outer.extend(self.consts.iter().map(|c| c.1.clone()));
        outer.extend(self.reads.iter().flat_map(|r| r.segments.iter().cloned()));
        outer.extend(self.carries.iter().map(|c| c.init.clone()));
        let spec = Arc::new(ScanSpec {
            name: self.name.clone(),
            steps: if self.n_steps.is_some() {
                Steps::Input
            } else {
                Steps::FromSequences
            },
            consts: self.consts.iter().map(|c| c.0.clone()).collect(),
            reads: self.reads.iter().map(|r| r.track.clone()).collect(),
            carries: self.carries.iter().map(|c| c.carry.clone()).collect(),
            writes: self.writes.iter().map(|w| w.track.clone()).collect(),
            until: self.until.is_some(),
            active: self.active,
            truncate_gradient: self.truncate_gradient,
        });
        let body = Body::new(inputs, self.inner_outputs(), self.mode.clone());
        let op = Scan {
            spec: spec.clone(),
            body,
        };
        let outputs = Var::apply_arc(Arc::new(op), &outer, site)?;
        Ok(ScanNode { spec, outputs })
    }
}
