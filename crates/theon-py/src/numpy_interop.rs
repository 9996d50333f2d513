//! NumPy arrays in and out of `Tensor`s, for every theon dtype (bool,
//! signed and unsigned ints, float16/32/64), any strides and byte order.
//!
//! In, [`array_to_tensor`] copies the elements (values that must not
//! change under the engine: constants, shared values); function arguments
//! go through [`array_to_tensor_borrowed`], which wraps the array's own
//! memory without a copy ([`theon::Tensor::from_borrowed`]: the tensor
//! keeps the array alive and the engine never writes it) when its layout
//! allows: a non-bool dtype in native byte order, aligned, any strides in
//! whole elements (negative and zero included). Out, a function result
//! whose buffer nothing else holds is handed to NumPy without a copy
//! ([`tensor_into_numpy`]); every other value is copied.
//!
//! A borrowed argument is read while the GIL is released: like every
//! zero-copy binding, writing into it from another thread during the call
//! is a data race the caller must avoid.

use numpy::npyffi::{
    _PyArray_GET_ITEM_DATA, get_type_object, npy_intp, NpyTypes, NPY_ARRAY_WRITEABLE,
};
use numpy::{
    Element, PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray,
    PyUntypedArrayMethods, PY_ARRAY_API,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::os::raw::c_int;
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
    // Elements of a misaligned array cannot be read as `T`s in place;
    // `astype` copies them into an aligned array first.
    let aligned = arr
        .getattr("flags")?
        .getattr("aligned")?
        .extract::<bool>()?;
    let arr: Bound<'_, PyAny> = if !native || !aligned {
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

/// A tensor over `arr`'s own memory (no copy), if theon can read it in
/// place as `dtype` (the array's dtype, from [`array_dtype`]); `None` when
/// it must be copied instead (bool, byte-swapped, misaligned, strides that
/// are not whole elements).
pub fn borrow_array(arr: &Bound<'_, PyUntypedArray>, dtype: DType) -> Option<Tensor> {
    if dtype == DType::Bool || !arr.is_aligned() {
        return None;
    }
    if !arr.dtype().is_native_byteorder().unwrap_or(true) {
        return None;
    }
    // SAFETY: `arr` is a live NumPy array (the GIL is held), so its fields
    // can be read.
    let data = unsafe { (*_PyArray_GET_ITEM_DATA(arr.as_array_ptr())).data } as *const u8;
    let owner = Box::new(arr.clone().unbind());
    // SAFETY: `data`, the shape and the byte strides are the array's own,
    // so they reach only its elements, which hold values of `dtype` (bool,
    // whose bytes may be invalid, is excluded above). The owner keeps the
    // array, hence its memory, alive (NumPy refuses to resize an array
    // that is referenced). theon never writes a borrowed buffer.
    unsafe { Tensor::from_borrowed(dtype, arr.shape(), arr.strides(), data, owner) }.ok()
}

/// An array of theon dtype `dtype` as a tensor: borrowed where
/// [`borrow_array`] can, else copied.
pub fn array_to_tensor_borrowed(arr: &Bound<'_, PyUntypedArray>, dtype: DType) -> PyResult<Tensor> {
    match borrow_array(arr, dtype) {
        Some(tensor) => Ok(tensor),
        None => array_to_tensor(arr),
    }
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

/// Results up to this many bytes are copied into memory NumPy allocates:
/// cheaper than a Python owner object for the tensor's buffer.
const COPY_OUT_MAX: usize = 256;

/// A new C-ordered NumPy array of `dtype` and `shape` over `data`, or over
/// fresh NumPy memory when `data` is null. With a `base`, the array keeps
/// it alive (it must own `data`).
///
/// # Safety
///
/// A non-null `data` must hold `shape`'s elements of `dtype` in C order,
/// valid and unmoved while `base` lives.
unsafe fn new_c_array<'py>(
    py: Python<'py>,
    dtype: DType,
    shape: &[usize],
    data: *mut u8,
    base: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let descr = theon::with_dtype!(dtype, T => <T as Element>::get_dtype(py));
    // Without data, any non-zero flag asks NumPy for Fortran order.
    let flags = if data.is_null() {
        0
    } else {
        NPY_ARRAY_WRITEABLE
    };
    // SAFETY: NumPy's C API with the GIL held; `PyArray_NewFromDescr`
    // steals the descriptor reference and copies the dims; `usize` and
    // `npy_intp` have one layout. A null result is NumPy's exception.
    let arr = unsafe {
        let ptr = PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            get_type_object(py, NpyTypes::PyArray_Type),
            descr.into_dtype_ptr(),
            shape.len() as c_int,
            shape.as_ptr() as *mut npy_intp,
            std::ptr::null_mut(),
            data.cast(),
            flags,
            std::ptr::null_mut(),
        );
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    if let Some(base) = base {
        // SAFETY: `arr` is a fresh array; `SetBaseObject` steals the
        // reference `into_ptr` hands over.
        let status =
            unsafe { PY_ARRAY_API.PyArray_SetBaseObject(py, arr.as_ptr().cast(), base.into_ptr()) };
        if status < 0 {
            return Err(PyErr::fetch(py));
        }
    }
    Ok(arr)
}

/// A function result as a NumPy array. A small result is copied (cheaper
/// than the alternative); a larger one that this handle alone holds and
/// that is C-contiguous is handed over without a copy: NumPy then owns the
/// buffer alone, so writes through the array reach nothing else. Any other
/// value is copied.
pub fn tensor_into_numpy<'py>(py: Python<'py>, tensor: Tensor) -> PyResult<Bound<'py, PyAny>> {
    let (dtype, bytes) = (tensor.dtype(), tensor.size() * tensor.dtype().size());
    let contiguous = tensor.is_contiguous();
    if contiguous && (bytes <= COPY_OUT_MAX || tensor.buffer_is_shared()) {
        // SAFETY: fresh NumPy memory of `bytes` bytes, filled from the
        // tensor's `bytes` contiguous bytes (no overlap).
        return unsafe {
            let arr = new_c_array(py, dtype, tensor.shape(), std::ptr::null_mut(), None)?;
            let dst = (*_PyArray_GET_ITEM_DATA(arr.as_ptr().cast())).data as *mut u8;
            std::ptr::copy_nonoverlapping(contiguous_bytes(&tensor), dst, bytes);
            Ok(arr)
        };
    }
    if !contiguous {
        return Ok(tensor_to_numpy(py, &tensor));
    }
    let data = contiguous_bytes(&tensor) as *mut u8;
    let shape = tensor.shape().to_vec();
    let owner = Bound::new(py, TensorOwner { _tensor: tensor })?;
    // SAFETY: `data` is the tensor's C-contiguous elements, in the buffer
    // `owner` holds; `owner` becomes the array's base object, so the buffer
    // outlives the array, and a `Buffer` never reallocates. Nothing else
    // holds the buffer, so writes through the array reach no tensor.
    unsafe { new_c_array(py, dtype, &shape, data, Some(owner.into_any())) }
}

/// The address of a contiguous tensor's first element.
fn contiguous_bytes(tensor: &Tensor) -> *const u8 {
    theon::with_dtype!(tensor.dtype(), T => {
        tensor.as_slice::<T>().map_or(std::ptr::null(), |s| s.as_ptr().cast::<u8>())
    })
}

/// A new NumPy array holding a copy of the tensor's elements.
pub fn tensor_to_numpy<'py>(py: Python<'py>, tensor: &Tensor) -> Bound<'py, PyAny> {
    theon::with_dtype!(tensor.dtype(), T => {
        PyArrayDyn::<T>::from_owned_array(py, tensor.to_ndarray::<T>()).into_any()
    })
}
