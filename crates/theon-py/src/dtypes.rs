//! Dtype names from Python: NumPy names, NumPy dtype objects and scalar
//! types (`np.float32`), and Theano's `'floatX'`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use theon::DType;

/// Parses a dtype given as a string, a NumPy dtype or a NumPy scalar type.
pub fn parse_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    let name: String = if obj.is_instance_of::<PyString>() {
        obj.extract()?
    } else {
        let numpy = obj.py().import("numpy")?;
        numpy
            .call_method1("dtype", (obj,))?
            .getattr("name")?
            .extract()?
    };
    parse_dtype_name(&name)
}

/// Parses a dtype name; `'floatX'` is the configured float dtype.
pub fn parse_dtype_name(name: &str) -> PyResult<DType> {
    if name == "floatX" {
        return Ok(theon::config::float_x());
    }
    DType::parse(name).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "theon does not support dtype '{name}' (supported: bool, int8..int64, uint8..uint64, float16, float32, float64)"
        ))
    })
}
