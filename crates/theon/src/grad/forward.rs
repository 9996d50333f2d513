//! Forward mode: `rop`, the R-operator (Jacobian-vector products), by one
//! sweep in topological order through each op's `pushforward`.

use crate::error::{Error, Result, Site};
use crate::graph::{toposort, Var};
use crate::ops::creation::zeros_like;
use indexmap::{IndexMap, IndexSet};

/// `Σ_j ∂f[i]/∂wrt[j] · eval_points[j]` for each output `f[i]`
/// (Jacobian-vector products). `eval_points[j]` has the type of `wrt[j]`.
/// An output that does not depend on any `wrt` gets zeros.
#[track_caller]
pub fn rop(f: &[Var], wrt: &[Var], eval_points: &[Var]) -> Result<Vec<Var>> {
    if wrt.len() != eval_points.len() {
        return Err(Error::grad(
            "Rop",
            format!(
                "got {} wrt variables but {} eval points",
                wrt.len(),
                eval_points.len()
            ),
        ));
    }
    let mut tangents: IndexMap<(u64, usize), Var> = IndexMap::new();
    for (w, v) in wrt.iter().zip(eval_points) {
        tangents.insert(w.key(), seed(w, v)?);
    }
    let seeded: IndexSet<(u64, usize)> = tangents.keys().copied().collect();
    for node in toposort(f) {
        let Some(op) = node.op() else { continue };
        let ins: Vec<Option<Var>> = node
            .inputs
            .iter()
            .map(|v| tangents.get(&v.key()).cloned())
            .collect();
        if ins.iter().all(Option::is_none) || !op.differentiable() {
            continue;
        }
        let outputs = node.outputs();
        let outs = Site::with_override(node.site.clone(), || {
            op.pushforward(&node.inputs, &outputs, &ins)
        })
        .map_err(|e| e.at(&node.site))?;
        if outs.len() != outputs.len() {
            let msg = format!(
                "pushforward returned {} tangents for {} outputs",
                outs.len(),
                outputs.len()
            );
            return Err(Error::grad(op.name(), msg).at(&node.site));
        }
        for (o, t) in outputs.iter().zip(outs) {
            let Some(t) = t else { continue };
            if seeded.contains(&o.key()) || !o.dtype().is_float() {
                continue;
            }
            if t.ndim() != o.ndim() {
                let msg = format!(
                    "pushforward gave a tangent of type {} for {}",
                    t.ty(),
                    o.ty()
                );
                return Err(Error::grad(op.name(), msg).at(&node.site));
            }
            tangents.insert(o.key(), t.cast(o.dtype()));
        }
    }
    Ok(f.iter()
        .map(|o| {
            tangents
                .get(&o.key())
                .cloned()
                .unwrap_or_else(|| zeros_like(o, None))
        })
        .collect())
}

/// Checks an eval point against its variable; float points are cast to the
/// variable's dtype.
fn seed(w: &Var, v: &Var) -> Result<Var> {
    if !w.dtype().is_float() {
        let msg = format!(
            "cannot differentiate with respect to '{}' of type {}: only float variables have \
             tangents",
            w.label(),
            w.ty()
        );
        return Err(Error::grad("Rop", msg).at(w.site()));
    }
    if v.ndim() != w.ndim() || !v.dtype().is_float() {
        let msg = format!(
            "eval point of type {} does not fit '{}' of type {}",
            v.ty(),
            w.label(),
            w.ty()
        );
        return Err(Error::grad("Rop", msg).at(v.site()));
    }
    Ok(v.cast(w.dtype()))
}
