//! Products on a system CBLAS library loaded at run time (feature
//! `system-blas`): `C ← αAB + βC` for f32/f64 runs as one `?gemm`, `?gemv`
//! or `?ger` call when CBLAS can express the operands' layout (unit stride
//! along one dim, a positive leading dimension at least the other dim);
//! anything else is left to faer by the caller ([`gemm_into_with`]).
//!
//! The library is named by the config entry `blas.ldflags` (env
//! `THEON_BLAS`); [`configured`] loads it once and keeps it loaded for the
//! life of the process. Without the feature the types still exist, but
//! [`load`] answers that the feature is off.
//!
//! [`gemm_into_with`]: super::gemm::gemm_into_with

mod load;

use super::gemm::MatRef;
use super::Real;
use crate::error::{Error, Result};
use std::any::Any;
use std::ffi::c_int;

pub use load::{configured, load, SPELLINGS};

/// The width of a library's integer arguments, known from its symbol
/// spelling (`…64_` names take 64-bit integers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntWidth {
    /// 32-bit `int` (`cblas_sgemm`, `scipy_cblas_sgemm`).
    Lp64,
    /// 64-bit integers (`scipy_cblas_sgemm64_`, `cblas_sgemm64_`).
    Ilp64,
}

/// One way of spelling the CBLAS symbols: `{prefix}{routine}{suffix}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spelling {
    pub prefix: &'static str,
    pub suffix: &'static str,
    pub ints: IntWidth,
}

impl Spelling {
    /// The symbol name of `routine` (such as `sgemm`).
    pub fn symbol(&self, routine: &str) -> String {
        format!("{}{routine}{}", self.prefix, self.suffix)
    }
}

/// The BLAS routine a product ran as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routine {
    /// Matrix × matrix.
    Gemm,
    /// Matrix × vector (a product with one output row or column).
    Gemv,
    /// Rank-1 update (a product over k = 1).
    Ger,
}

// CBLAS's enum values (the same in every implementation: they are the
// standard's `CBLAS_ORDER` / `CBLAS_TRANSPOSE`, always a C `int`).
const ROW_MAJOR: c_int = 101;
const NO_TRANS: c_int = 111;
const TRANS: c_int = 112;

/// `cblas_?gemm(order, transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)`.
type GemmFn<T, I> =
    unsafe extern "C" fn(c_int, c_int, c_int, I, I, I, T, *const T, I, *const T, I, T, *mut T, I);
/// `cblas_?gemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy)`.
type GemvFn<T, I> =
    unsafe extern "C" fn(c_int, c_int, I, I, T, *const T, I, *const T, I, T, *mut T, I);
/// `cblas_?ger(order, m, n, alpha, x, incx, y, incy, a, lda)`.
type GerFn<T, I> = unsafe extern "C" fn(c_int, I, I, T, *const T, I, *const T, I, *mut T, I);

/// The three routines of one float type.
struct Routines<T, I> {
    gemm: GemmFn<T, I>,
    gemv: GemvFn<T, I>,
    ger: GerFn<T, I>,
}

/// Both float types' routines, for one integer width.
struct Table<I> {
    single: Routines<f32, I>,
    double: Routines<f64, I>,
}

// Only `load` (feature `system-blas`) constructs a table.
#[cfg_attr(not(feature = "system-blas"), allow(dead_code))]
enum Tables {
    Lp64(Table<i32>),
    Ilp64(Table<i64>),
}

/// A loaded CBLAS library (from [`load`] or [`configured`]; never
/// unloaded, since a BLAS may keep threads running inside it).
pub struct SystemBlas {
    path: String,
    spelling: Spelling,
    tables: Tables,
    #[cfg(feature = "system-blas")]
    _library: libloading::Library,
}

impl std::fmt::Debug for SystemBlas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SystemBlas({}, {})",
            self.path,
            self.spelling.symbol("*")
        )
    }
}

/// How CBLAS reads one strided matrix operand: as a row-major matrix
/// (`trans == false`) or as the transpose of one, with its leading dim.
#[derive(Clone, Copy, Debug)]
struct Operand {
    trans: bool,
    ld: usize,
}

/// The CBLAS form of a `rows × cols` view with strides `(rs, cs)`, if any.
/// A dim of length 1 never steps, so its stride is free.
fn operand(rows: usize, cols: usize, rs: isize, cs: isize) -> Option<Operand> {
    let lead = |stride: isize, other: usize, len: usize| -> Option<usize> {
        match len {
            1 => Some(other.max(1)),
            _ if stride > 0 && stride as usize >= other.max(1) => Some(stride as usize),
            _ => None,
        }
    };
    if cols == 1 || cs == 1 {
        if let Some(ld) = lead(rs, cols, rows) {
            return Some(Operand { trans: false, ld });
        }
    }
    if rows == 1 || rs == 1 {
        if let Some(ld) = lead(cs, rows, cols) {
            return Some(Operand { trans: true, ld });
        }
    }
    None
}

/// The increment of a `len`-element vector with `stride` (positive only).
fn increment(len: usize, stride: isize) -> Option<usize> {
    match len {
        1 => Some(1),
        _ if stride > 0 => Some(stride as usize),
        _ => None,
    }
}

/// A product's call, with every size and stride it passes.
#[derive(Clone, Copy, Debug)]
enum Plan {
    Gemm {
        a: Operand,
        b: Operand,
    },
    /// `y ← α·op(M)·x + βy` with M stored `rows × cols` (as CBLAS counts).
    Gemv {
        mat_is_b: bool,
        m: Operand,
        rows: usize,
        cols: usize,
        incx: usize,
    },
    Ger {
        incx: usize,
        incy: usize,
    },
}

impl Plan {
    /// The plan for `a (m×k) · b (k×n)`, m, n, k ≥ 1.
    fn of<T: Copy>(a: &MatRef<T>, b: &MatRef<T>) -> Option<Plan> {
        let (m, k, n) = (a.rows, a.cols, b.cols);
        if m == 0 || n == 0 || k == 0 {
            return None;
        }
        if k == 1 {
            let (incx, incy) = (increment(m, a.rs)?, increment(n, b.cs)?);
            return Some(Plan::Ger { incx, incy });
        }
        let gemv = |mat: &MatRef<T>, x_len: usize, x_stride: isize, mat_is_b: bool| {
            let op = operand(mat.rows, mat.cols, mat.rs, mat.cs)?;
            let (rows, cols) = if op.trans {
                (mat.cols, mat.rows)
            } else {
                (mat.rows, mat.cols)
            };
            let incx = increment(x_len, x_stride)?;
            Some(Plan::Gemv {
                mat_is_b,
                m: op,
                rows,
                cols,
                incx,
            })
        };
        if n == 1 {
            return gemv(a, k, b.rs, false);
        }
        if m == 1 {
            // c (1×n) = a·b, computed as cᵀ = bᵀ·aᵀ.
            return gemv(&b.t(), k, a.cs, true);
        }
        let a = operand(a.rows, a.cols, a.rs, a.cs)?;
        let b = operand(b.rows, b.cols, b.rs, b.cs)?;
        Some(Plan::Gemm { a, b })
    }

    fn routine(&self) -> Routine {
        match self {
            Plan::Gemm { .. } => Routine::Gemm,
            Plan::Gemv { .. } => Routine::Gemv,
            Plan::Ger { .. } => Routine::Ger,
        }
    }

    /// The largest integer the call passes (to check it fits the width).
    fn largest(&self, m: usize, k: usize, n: usize) -> usize {
        let dims = m.max(k).max(n);
        match *self {
            Plan::Gemm { a, b } => dims.max(a.ld).max(b.ld),
            Plan::Gemv { m: op, incx, .. } => dims.max(op.ld).max(incx),
            Plan::Ger { incx, incy } => dims.max(incx).max(incy),
        }
    }
}

/// An integer type a CBLAS takes (`i32` or `i64`).
trait BlasInt: Copy + 'static {
    fn of(v: usize) -> Self;
}

impl BlasInt for i32 {
    fn of(v: usize) -> i32 {
        v as i32
    }
}

impl BlasInt for i64 {
    fn of(v: usize) -> i64 {
        v as i64
    }
}

impl SystemBlas {
    /// The library file or name it was loaded from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The symbol spelling found (and with it the integer width).
    pub fn spelling(&self) -> Spelling {
        self.spelling
    }

    /// The routine `a·b` would run as, or `None` when CBLAS cannot express
    /// the operands' layout (or a size overflows the integer width) and
    /// the product belongs to faer. Products with a zero dim are `None`.
    pub fn route<T: Copy>(&self, a: &MatRef<T>, b: &MatRef<T>) -> Option<Routine> {
        self.plan(a, b).map(|plan| plan.routine())
    }

    /// The call for `a·b` when it exists and fits the integer width.
    fn plan<T: Copy>(&self, a: &MatRef<T>, b: &MatRef<T>) -> Option<Plan> {
        let plan = Plan::of(a, b)?;
        let limit = match self.tables {
            Tables::Lp64(_) => i32::MAX as usize,
            Tables::Ilp64(_) => i64::MAX as usize,
        };
        (plan.largest(a.rows, a.cols, b.cols) <= limit).then_some(plan)
    }

    /// `c ← alpha·a·b + beta·c` (`c` dense row-major `m × n`; with
    /// `beta == 0`, `c` is not read) on the library when [`route`] allows:
    /// returns the routine that ran, or `None` with `c` untouched.
    ///
    /// [`route`]: SystemBlas::route
    pub fn product<T: Real>(
        &self,
        alpha: T,
        a: MatRef<T>,
        b: MatRef<T>,
        beta: T,
        c: &mut [T],
    ) -> Result<Option<Routine>> {
        a.check("gemm", "a")?;
        b.check("gemm", "b")?;
        if a.cols != b.rows || Some(c.len()) != a.rows.checked_mul(b.cols) {
            return Err(Error::value(
                "gemm",
                format!(
                    "shapes ({}x{}) @ ({}x{}) do not give the {} outputs supplied",
                    a.rows,
                    a.cols,
                    b.rows,
                    b.cols,
                    c.len()
                ),
            ));
        }
        let Some(plan) = self.plan(&a, &b) else {
            return Ok(None);
        };
        let done = match &self.tables {
            Tables::Lp64(t) => run_typed(t, plan, alpha, &a, &b, beta, c),
            Tables::Ilp64(t) => run_typed(t, plan, alpha, &a, &b, beta, c),
        };
        Ok(done.then_some(plan.routine()))
    }
}

/// Runs `plan` with the routines of `T` (false if `T` is not f32/f64).
fn run_typed<T: Real, I: BlasInt>(
    table: &Table<I>,
    plan: Plan,
    alpha: T,
    a: &MatRef<T>,
    b: &MatRef<T>,
    beta: T,
    c: &mut [T],
) -> bool {
    let single = &table.single as &dyn Any;
    let double = &table.double as &dyn Any;
    let Some(r) = single
        .downcast_ref::<Routines<T, I>>()
        .or_else(|| double.downcast_ref::<Routines<T, I>>())
    else {
        return false;
    };
    call(r, plan, alpha, a, b, beta, c);
    true
}

/// The address of element (0, 0) of a checked, non-empty view.
fn base<T>(v: &MatRef<T>) -> *const T {
    v.data[v.offset..].as_ptr()
}

/// One CBLAS call. Preconditions (established by [`SystemBlas::product`]):
/// both views passed `MatRef::check` and are non-empty, `c.len() == m·n`,
/// and `plan` came from `Plan::of(a, b)` within the integer width.
fn call<T: Real, I: BlasInt>(
    r: &Routines<T, I>,
    plan: Plan,
    alpha: T,
    a: &MatRef<T>,
    b: &MatRef<T>,
    beta: T,
    c: &mut [T],
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let i = I::of;
    let trans = |t: bool| if t { TRANS } else { NO_TRANS };
    // beta = 0 must not read C (a NaN there must not propagate), which not
    // every BLAS's scaling guarantees: zero C and keep beta = 0. ger always
    // adds to C, so another beta scales C first.
    if beta == T::zero() {
        c.fill(T::zero());
    } else if beta != T::one() && matches!(plan, Plan::Ger { .. }) {
        c.iter_mut().for_each(|v| *v = beta * *v);
    }
    let out = c.as_mut_ptr();
    match plan {
        Plan::Gemm { a: oa, b: ob } => {
            // SAFETY: `gemm` was resolved under the spelling that declares
            // this signature and integer width. With (trans, ld) from
            // `operand`, element (i, j) of op(A) is read at
            // `i·ld + j` (or `j·ld + i`), exactly where the checked view
            // keeps it, so every read lies inside `a.data` / `b.data`; C is
            // `m × n` row-major with ldc = n inside `c`, which is a distinct
            // exclusive borrow (no aliasing with A or B).
            unsafe {
                (r.gemm)(
                    ROW_MAJOR,
                    trans(oa.trans),
                    trans(ob.trans),
                    i(m),
                    i(n),
                    i(k),
                    alpha,
                    base(a),
                    i(oa.ld),
                    base(b),
                    i(ob.ld),
                    beta,
                    out,
                    i(n),
                )
            }
        }
        Plan::Gemv {
            mat_is_b,
            m: op,
            rows,
            cols,
            incx,
        } => {
            let (mat, x) = if mat_is_b { (b, a) } else { (a, b) };
            // SAFETY: as for gemm: the matrix is read at `i·ld + j` of its
            // stored `rows × cols` form inside the checked view, x's k
            // elements at multiples of its positive stride inside its
            // checked view, and y is the exclusive, contiguous `c` of
            // length m·n (one of m, n is 1) with incy = 1.
            unsafe {
                (r.gemv)(
                    ROW_MAJOR,
                    trans(op.trans),
                    i(rows),
                    i(cols),
                    alpha,
                    base(mat),
                    i(op.ld),
                    base(x),
                    i(incx),
                    beta,
                    out,
                    i(1),
                )
            }
        }
        Plan::Ger { incx, incy } => {
            // SAFETY: x is a's column (m elements at multiples of its
            // positive stride), y is b's row (n elements likewise), both
            // inside their checked views; C is the exclusive `m × n`
            // row-major `c` with lda = n.
            unsafe {
                (r.ger)(
                    ROW_MAJOR,
                    i(m),
                    i(n),
                    alpha,
                    base(a),
                    i(incx),
                    base(b),
                    i(incy),
                    out,
                    i(n),
                )
            }
        }
    }
}

/// An error about the system BLAS (loading, symbols, configuration).
fn error(message: impl Into<String>) -> Error {
    Error::value("system BLAS", message)
}
