//! Theano's rules for turning a call argument into a value of an input's
//! type (`TensorType.filter`):
//!
//! - an array of the input's dtype is taken as it is;
//! - with `allow_input_downcast=True`, anything is converted to the dtype;
//! - an array of another dtype is converted only when the input's dtype can
//!   hold every value of it (NumPy promotion gives back the input's dtype);
//! - with `allow_input_downcast=None`, a Python float is converted to an
//!   input of dtype `floatX`;
//! - other values (Python scalars and lists, NumPy scalars) are converted
//!   when the conversion is exact, value by value.
//!
//! Function arguments go through [`filter_arg`], which borrows an array of
//! the input's exact dtype instead of copying it.
//!
//! Everything refused raises `theon.exceptions.InputError` (a `TypeError`)
//! that names the function and the input.

use crate::errors::to_pyerr;
use crate::numpy_interop::{array_dtype, array_to_tensor, as_numpy_array, borrow_array};
use numpy::PyUntypedArray;
use pyo3::prelude::*;
use pyo3::types::PyFloat;
use theon::dtype::promote;
use theon::{Error, ErrorKind, Scalar, Site, Tensor, TensorType};

/// Who receives the value, for error messages.
pub struct Destination<'a> {
    pub function: &'a str,
    pub input: &'a str,
    pub ty: &'a TensorType,
    /// Where the receiving variable was created.
    pub site: Option<&'a Site>,
}

impl Destination<'_> {
    fn refuse(&self, message: String) -> PyErr {
        let mut err: Error = ErrorKind::Input {
            function: self.function.into(),
            input: self.input.into(),
            message,
        }
        .into();
        if let Some(site) = self.site {
            err = err.at(site);
        }
        to_pyerr(err)
    }
}

/// Converts `obj` to a value of `dest.ty`'s dtype following Theano's rules.
/// The rank and static dims are checked by the engine afterwards.
pub fn filter_value(
    obj: &Bound<'_, PyAny>,
    dest: &Destination<'_>,
    allow_downcast: Option<bool>,
) -> PyResult<Tensor> {
    let target = dest.ty.dtype;
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        let source = array_dtype(arr)?;
        let value = array_to_tensor(arr)?;
        if source == target {
            return Ok(value);
        }
        if allow_downcast == Some(true) || promote(target, source) == target {
            return Ok(value.cast(target));
        }
        return Err(dest.refuse(format!(
            "expects dtype {target} ({}), and cannot store a value of dtype {source} without risking loss of precision. \
             If you do not mind this loss, you can: 1) explicitly cast your data to {target}, or \
             2) set allow_input_downcast=True when calling function",
            dest.ty
        )));
    }
    let value = array_to_tensor(&as_numpy_array(obj)?)?;
    let python_float = obj.is_exact_instance_of::<PyFloat>();
    let float_x_literal =
        allow_downcast.is_none() && python_float && target == theon::config::float_x();
    if allow_downcast == Some(true) || float_x_literal || value.dtype() == target {
        return Ok(value.cast(target));
    }
    let converted = value.cast(target);
    if same_values(&value, &converted) {
        return Ok(converted);
    }
    Err(dest.refuse(format!(
        "expects dtype {target} ({}), and cannot store {} accurately: it would be represented as {converted}. \
         If you do not mind this loss, you can: 1) explicitly convert your data to a numpy array of dtype {target}, or \
         2) set allow_input_downcast=True when calling function",
        dest.ty,
        short_repr(obj)
    )))
}

/// [`filter_value`] for a function argument, which lives only for the
/// call: a NumPy array of exactly the input's dtype is borrowed (no copy,
/// see `numpy_interop::borrow_array`) where its layout allows.
pub fn filter_arg(
    obj: &Bound<'_, PyAny>,
    dest: &Destination<'_>,
    allow_downcast: Option<bool>,
) -> PyResult<Tensor> {
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        if let Ok(dtype) = array_dtype(arr) {
            if dtype == dest.ty.dtype {
                if let Some(tensor) = borrow_array(arr, dtype) {
                    return Ok(tensor);
                }
            }
        }
    }
    filter_value(obj, dest, allow_downcast)
}

/// True when every element kept its value through a conversion (NaN = NaN).
fn same_values(before: &Tensor, after: &Tensor) -> bool {
    before
        .to_scalars()
        .into_iter()
        .zip(after.to_scalars())
        .all(|(a, b)| scalar_eq(a, b))
}

fn scalar_eq(a: Scalar, b: Scalar) -> bool {
    let as_int = |s: Scalar| match s {
        Scalar::Bool(v) => Some(v as i128),
        Scalar::Int(v) => Some(v as i128),
        Scalar::UInt(v) => Some(v as i128),
        Scalar::Float(_) => None,
    };
    match (as_int(a), as_int(b)) {
        (Some(x), Some(y)) => x == y,
        _ => {
            let (x, y) = (a.as_f64(), b.as_f64());
            x == y || (x.is_nan() && y.is_nan())
        }
    }
}

fn short_repr(obj: &Bound<'_, PyAny>) -> String {
    let text = obj
        .repr()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "value".into());
    if text.chars().count() > 80 {
        let head: String = text.chars().take(75).collect();
        format!("{head}(...)")
    } else {
        text
    }
}
