//! NumPy arrays in and out of `Tensor`s, for every theon dtype (bool,
//! signed and unsigned ints, float16/32/64), any strides and byte order.
//!
//! In, the elements are copied once (twice for non-contiguous input):
//! zero-copy would need a `tensor::Buffer` that can keep a NumPy array alive
//! instead of owning its allocation. Out, a function result whose buffer
//! nothing else holds is handed to NumPy without a copy
//! ([`tensor_into_numpy`]); every other value is copied.

use numpy::{
    Element, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use theon::{DType, Tensor};

/// The theon dtype of a NumPy dtype (`kind` + item size), or its name when
/// theon has no such dtype.
fn descr_dtype(arr: &Bound<'_, PyUntypedArray>) -> Result<DType, String> {
    let descr = arr.dtype();
    let dtype = match (descr.kind(), descr.itemsize()) {
        (b'b', 1) => DType::Bool,
        (b'i', 1) => DType::I8,
        (b'i', 2) => DType::I16,
        (b'i', 4) => DType::I32,
        (b'i', 8) => DType::I64,
        (b'u', 1) => DType::U8,
        (b'u', 2) => DType::U16,
        (b'u', 4) => DType::U32,
        (b'u', 8) => DType::U64,
        (b'f', 2) => DType::F16,
        (b'f', 4) => DType::F32,
        (b'f', 8) => DType::F64,
        _ => {
            let name = arr
                .getattr("dtype")
                .and_then(|d| d.str())
                .map(|s| s.to_string())
                .unwrap_or_else(|_| "?".into());
            return Err(name);
        }
    };
    Ok(dtype)
}

fn unsupported(name: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "theon does not support arrays of dtype {name} (supported: bool, int8..int64, uint8..uint64, float16, float32, float64)"
    ))
}

/// The theon dtype of a NumPy array.
pub fn array_dtype(arr: &Bound<'_, PyUntypedArray>) -> PyResult<DType> {
    descr_dtype(arr).map_err(|name| unsupported(&name))
}

/// Copies the elements of a typed array (any strides) into a tensor.
fn read_typed<T: Element + theon::tensor::Element>(arr: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let arr = arr.cast::<PyArrayDyn<T>>()?;
    let ro = arr.try_readonly()?;
    let view = ro.as_array();
    let shape = view.shape().to_vec();
    let tensor = match view.as_slice() {
        Some(slice) => Tensor::from_slice(slice, &shape),
        None => Tensor::from_vec(view.iter().copied().collect(), &shape),
    };
    tensor.map_err(crate::errors::to_pyerr)
}

/// Reads a NumPy array into a tensor of the same dtype.
pub fn array_to_tensor(arr: &Bound<'_, PyUntypedArray>) -> PyResult<Tensor> {
    let dtype = array_dtype(arr)?;
    let native = arr.dtype().is_native_byteorder().unwrap_or(true);
    let arr: Bound<'_, PyAny> = if !native {
        arr.call_method1("astype", (dtype.name(),))?
    } else {
        arr.clone().into_any()
    };
    if dtype == DType::Bool {
        // Read bools as bytes: a uint8 array viewed as bool may hold values
        // other than 0 and 1, which are not valid Rust `bool`s.
        let bytes = read_typed::<u8>(&arr.call_method1("view", ("uint8",))?)?;
        return Ok(bytes.cast(DType::Bool));
    }
    theon::with_dtype!(dtype, T => read_typed::<T>(&arr))
}

fn asarray(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static ASARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    ASARRAY
        .get_or_try_init(py, || Ok(py.import("numpy")?.getattr("asarray")?.unbind()))
        .map(|f| f.bind(py))
}

/// `numpy.asarray(obj)` as an array object.
pub fn as_numpy_array<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyUntypedArray>> {
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        return Ok(arr.clone());
    }
    let arr = asarray(obj.py())?.call1((obj,))?;
    Ok(arr.cast_into::<PyUntypedArray>()?)
}

/// Any array-like (array, list, NumPy or Python scalar) as a tensor of the
/// dtype NumPy gives it.
pub fn to_tensor(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    array_to_tensor(&as_numpy_array(obj)?)
}

/// Keeps a tensor's buffer alive as the base object of a NumPy array that
/// views it.
#[pyclass(frozen)]
struct TensorOwner {
    _tensor: Tensor,
}

/// A function result as a NumPy array: the tensor's own buffer when this
/// handle is its only holder and it is C-contiguous (NumPy then owns it
/// alone, so writes through the array reach nothing else), else a copy.
pub fn tensor_into_numpy<'py>(py: Python<'py>, tensor: Tensor) -> PyResult<Bound<'py, PyAny>> {
    if tensor.buffer_is_shared() || !tensor.is_contiguous() {
        return Ok(tensor_to_numpy(py, &tensor));
    }
    let owner = Bound::new(
        py,
        TensorOwner {
            _tensor: tensor.clone(),
        },
    )?;
    theon::with_dtype!(tensor.dtype(), T => {
        let view = tensor.view::<T>();
        // SAFETY: the view's elements live in the buffer that `owner` holds
        // a handle to; `owner` becomes the array's base object, so the
        // buffer outlives the array, and a `Buffer` never reallocates.
        Ok(unsafe { PyArrayDyn::<T>::borrow_from_array(&view, owner.into_any()) }.into_any())
    })
}

/// A new NumPy array holding a copy of the tensor's elements.
pub fn tensor_to_numpy<'py>(py: Python<'py>, tensor: &Tensor) -> Bound<'py, PyAny> {
    theon::with_dtype!(tensor.dtype(), T => {
        PyArrayDyn::<T>::from_owned_array(py, tensor.to_ndarray::<T>()).into_any()
    })
}
