//! Static and runtime broadcasting rules shared by elementwise-like ops:
//! only a dim statically known to be 1 broadcasts.

use crate::error::{Error, ErrorKind, Result};
use crate::graph::TensorType;

fn shapes_text(shapes: &[&[Option<usize>]]) -> String {
    let parts: Vec<String> = shapes
        .iter()
        .map(|s| {
            let dims: Vec<String> = s
                .iter()
                .map(|d| d.map_or("?".into(), |d| d.to_string()))
                .collect();
            format!("({})", dims.join(", "))
        })
        .collect();
    parts.join(", ")
}

/// The static output shape of broadcasting `shapes` (left-padded with 1s).
pub fn broadcast_static(op: &str, shapes: &[&[Option<usize>]]) -> Result<Vec<Option<usize>>> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = Vec::with_capacity(ndim);
    for axis in 0..ndim {
        let dims = shapes.iter().map(|s| {
            let pad = ndim - s.len();
            if axis < pad {
                Some(1)
            } else {
                s[axis - pad]
            }
        });
        let mut known: Option<usize> = None;
        let mut any_unknown = false;
        for d in dims {
            match d {
                None => any_unknown = true,
                Some(1) => {}
                Some(d) => match known {
                    Some(k) if k != d => {
                        return Err(ErrorKind::Broadcast {
                            op: op.into(),
                            shapes: shapes_text(shapes),
                        }
                        .into());
                    }
                    _ => known = Some(d),
                },
            }
        }
        out.push(match (known, any_unknown) {
            (Some(d), _) => Some(d),
            (None, true) => None,
            (None, false) => Some(1),
        });
    }
    Ok(out)
}

/// The runtime output shape: dims typed as known 1 broadcast, all others
/// must agree exactly.
pub fn broadcast_runtime(
    op: &str,
    shapes: &[&[usize]],
    types: &[TensorType],
) -> Result<Vec<usize>> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; ndim];
    for axis in 0..ndim {
        let mut size: Option<usize> = None;
        for (shape, ty) in shapes.iter().zip(types) {
            let pad = ndim - shape.len();
            if axis < pad || ty.shape[axis - pad] == Some(1) {
                continue;
            }
            let d = shape[axis - pad];
            match size {
                Some(s) if s != d => {
                    let text: Vec<String> = shapes.iter().map(|s| format!("{s:?}")).collect();
                    return Err(Error::value(
                        op,
                        format!(
                            "shapes {} cannot be broadcast on axis {axis} (only dims of static size 1 broadcast; \
                             use dimshuffle/expand_dims or a type with a known 1)",
                            text.join(", ")
                        ),
                    ));
                }
                _ => size = Some(d),
            }
        }
        out[axis] = size.unwrap_or(1);
    }
    Ok(out)
}
