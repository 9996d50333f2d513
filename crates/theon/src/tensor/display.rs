//! NumPy-like printing: `[[1. 2.]\n [3. 4.]]`.

use super::{Scalar, Tensor};
use std::fmt;

/// Decimals needed to show `f` with at most 8 (NumPy's default precision).
fn decimals(f: f64) -> usize {
    if !f.is_finite() {
        return 0;
    }
    let text = format!("{f:.8}");
    let frac = text.split('.').nth(1).unwrap_or("");
    frac.trim_end_matches('0').len()
}

fn format_float(f: f64, precision: usize) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else if precision == 0 {
        format!("{f:.0}.")
    } else {
        format!("{f:.precision$}")
    }
}

/// Formats every element; floats share one precision, as NumPy prints them.
fn format_cells(values: &[Scalar]) -> Vec<String> {
    let precision = values
        .iter()
        .map(|s| {
            if let Scalar::Float(f) = s {
                decimals(*f)
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0);
    values
        .iter()
        .map(|&s| match s {
            Scalar::Bool(b) => if b { "True" } else { "False" }.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::UInt(u) => u.to_string(),
            Scalar::Float(f) => format_float(f, precision),
        })
        .collect()
}

fn write_nested(
    f: &mut fmt::Formatter<'_>,
    cells: &[String],
    shape: &[usize],
    width: usize,
    depth: usize,
) -> fmt::Result {
    if shape.is_empty() {
        return write!(f, "{:>width$}", cells[0]);
    }
    f.write_str("[")?;
    let inner: usize = shape[1..].iter().product();
    for i in 0..shape[0] {
        if i > 0 {
            if shape.len() > 1 {
                f.write_str(&"\n".repeat(shape.len() - 1))?;
                f.write_str(&" ".repeat(depth + 1))?;
            } else {
                f.write_str(" ")?;
            }
        }
        write_nested(
            f,
            &cells[i * inner..(i + 1) * inner],
            &shape[1..],
            width,
            depth + 1,
        )?;
    }
    f.write_str("]")
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cells = format_cells(&self.to_scalars());
        if self.size() == 0 {
            return write!(f, "[]");
        }
        let width = cells.iter().map(String::len).max().unwrap_or(0);
        write_nested(f, &cells, self.shape(), width, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_numpy() {
        let t = Tensor::from_vec(vec![1.0f64, 2.5, -3.0, 4.0], &[2, 2]).unwrap();
        assert_eq!(t.to_string(), "[[ 1.0  2.5]\n [-3.0  4.0]]");
        assert_eq!(Tensor::scalar(true).to_string(), "True");
    }
}
