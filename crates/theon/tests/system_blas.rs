//! The system-BLAS route (feature `system-blas`) against plain loops: every
//! routine (gemm, gemv, ger) on odd sizes (1, 7, 33, 130), row-major,
//! transposed and padded operands with offsets, α/β (β = 0 with a NaN in
//! C), float32 and float64; layouts CBLAS cannot express falling back to
//! faer; compiled `dot`/`matmul`/`gemm`/`gemv`/`ger` nodes running on the
//! library; and the errors for libraries that cannot be loaded or are not
//! a CBLAS.
//!
//! The library comes from `THEON_TEST_BLAS` (scripts/test.sh points it at
//! NumPy's bundled OpenBLAS); without it the library tests skip with a
//! message, or fail under `CI=true`.
//!
//! Tolerances, relative to `Σ|α·a·b| + |β·c|` per element: float32 1e-5
//! (the forward error bound k·ε is 7.7e-6 at k = 130), float64 1e-13.

#[cfg(not(feature = "system-blas"))]
#[test]
fn without_the_feature_a_named_blas_is_an_error() {
    let e = theon::backend::cpu::sysblas::load("libopenblas.so")
        .unwrap_err()
        .to_string();
    assert!(e.contains("'libopenblas.so'"), "{e}");
    assert!(e.contains("`system-blas` feature"), "{e}");
}

#[cfg(feature = "system-blas")]
mod with_feature {
    use std::sync::{Arc, Mutex};
    use theon::backend::cpu::gemm::{gemm_into_with, MatRef};
    use theon::backend::cpu::sysblas::{self, IntWidth, Routine, SystemBlas};
    use theon::backend::cpu::Real;
    use theon::compile::KernelRegistry;
    use theon::config::update_config;
    use theon::ops::products::{dot, matmul, try_gemm, try_gemv, try_ger};
    use theon::prelude::*;

    /// The library under test, or `None` (printed) when none is given;
    /// under `CI=true` a missing library fails the test instead.
    fn library() -> Option<Arc<SystemBlas>> {
        let path = std::env::var("THEON_TEST_BLAS").unwrap_or_default();
        let missing = if path.is_empty() {
            Some("THEON_TEST_BLAS is not set".to_string())
        } else if !std::path::Path::new(&path).exists() {
            Some(format!("THEON_TEST_BLAS names a missing file '{path}'"))
        } else {
            None
        };
        if let Some(why) = missing {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("system BLAS tests cannot run under CI: {why}");
            }
            eprintln!("skipping system BLAS test: {why} (scripts/test.sh sets it)");
            return None;
        }
        Some(sysblas::load(&path).unwrap_or_else(|e| panic!("loading {path}: {e}")))
    }

    /// How a test operand is laid out in its buffer.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Layout {
        RowMajor,
        Transposed,
        /// Row-major inside a wider matrix (leading dim cols + 3), offset 5.
        Padded,
        /// Transposed inside a taller one (leading dim rows + 2), offset 2.
        PaddedTransposed,
        /// Rows in reverse order (negative row stride).
        Reversed,
        /// One row repeated (row stride 0).
        Broadcast,
        /// Every second element of every second row (no unit stride).
        Stepped,
    }

    const EXPRESSIBLE: [Layout; 4] = [
        Layout::RowMajor,
        Layout::Transposed,
        Layout::Padded,
        Layout::PaddedTransposed,
    ];

    /// A random strided matrix and its values in f64.
    struct Operand<T> {
        data: Vec<T>,
        values: Vec<f64>,
        offset: usize,
        rows: usize,
        cols: usize,
        rs: isize,
        cs: isize,
    }

    impl<T: Real> Operand<T> {
        fn new(rows: usize, cols: usize, layout: Layout, seed: u64) -> Self {
            let (r, c) = (rows as isize, cols as isize);
            let (len, offset, rs, cs) = match layout {
                Layout::RowMajor => (rows * cols, 0, c, 1),
                Layout::Transposed => (rows * cols, 0, 1, r),
                Layout::Padded => (5 + rows * (cols + 3), 5, c + 3, 1),
                Layout::PaddedTransposed => (2 + cols * (rows + 2), 2, 1, r + 2),
                Layout::Reversed => (rows * cols, (rows - 1) * cols, -c, 1),
                Layout::Broadcast => (cols, 0, 0, 1),
                Layout::Stepped => (4 * rows * cols, 0, 4 * c, 2),
            };
            let t = Tensor::randn(T::DTYPE, &[len], seed);
            Operand {
                data: t.to_vec::<T>(),
                values: t.to_f64_vec(),
                offset,
                rows,
                cols,
                rs,
                cs,
            }
        }

        fn view(&self) -> MatRef<'_, T> {
            MatRef {
                data: &self.data,
                offset: self.offset,
                rows: self.rows,
                cols: self.cols,
                rs: self.rs,
                cs: self.cs,
            }
        }

        fn at(&self, i: usize, j: usize) -> f64 {
            self.values
                [(self.offset as isize + i as isize * self.rs + j as isize * self.cs) as usize]
        }
    }

    fn cast<T: Real>(v: f64) -> T {
        <T as num_traits::NumCast>::from(v).expect("a float converts")
    }

    /// Runs `product` on `a·b` with α, β and a random C (a NaN at element
    /// 0 when β = 0), and checks the result against plain loops.
    fn check_product<T: Real>(
        a: &Operand<T>,
        b: &Operand<T>,
        (alpha, beta): (f64, f64),
        product: impl FnOnce(T, T, &mut [T]),
        what: &str,
    ) {
        let (m, k, n) = (a.rows, a.cols, b.cols);
        let mut c0 = Tensor::randn(T::DTYPE, &[m * n], 99).to_f64_vec();
        if beta == 0.0 && !c0.is_empty() {
            c0[0] = f64::NAN;
        }
        let mut c: Vec<T> = c0.iter().map(|&v| cast(v)).collect();
        product(cast(alpha), cast(beta), &mut c);
        let rtol = if T::DTYPE == DType::F32 { 1e-5 } else { 1e-13 };
        for i in 0..m {
            for j in 0..n {
                let (mut sum, mut scale) = (0.0, 0.0);
                for p in 0..k {
                    let term = a.at(i, p) * b.at(p, j);
                    sum += term;
                    scale += term.abs();
                }
                let old = if beta == 0.0 {
                    0.0
                } else {
                    beta * c0[i * n + j]
                };
                let want = alpha * sum + old;
                let scale = alpha.abs() * scale + old.abs();
                let got = <T as num_traits::ToPrimitive>::to_f64(&c[i * n + j]).unwrap();
                assert!(
                    (got - want).abs() <= rtol * scale + 1e-30,
                    "{what}: ({m}x{k})·({k}x{n}) element ({i}, {j}): got {got}, want {want}"
                );
            }
        }
    }

    /// The routine a product of these sizes should run as.
    fn expected(m: usize, k: usize, n: usize) -> Routine {
        match (m, k, n) {
            (_, 1, _) => Routine::Ger,
            (1, _, _) | (_, _, 1) => Routine::Gemv,
            _ => Routine::Gemm,
        }
    }

    fn every_route<T: Real>(blas: &SystemBlas) {
        let sizes = [1, 7, 33, 130];
        let scalings = [(0.75, -1.25), (1.0, 0.0), (-0.5, 1.0)];
        let mut case = 0u64;
        for &m in &sizes {
            for &k in &sizes {
                for &n in &sizes {
                    for la in EXPRESSIBLE {
                        for lb in EXPRESSIBLE {
                            case += 1;
                            let a = Operand::<T>::new(m, k, la, case);
                            let b = Operand::<T>::new(k, n, lb, case + 7919);
                            let scaling = scalings[case as usize % scalings.len()];
                            let what = format!("{} a {la:?} b {lb:?} {scaling:?}", T::DTYPE);
                            let route = blas.route(&a.view(), &b.view());
                            assert_eq!(route, Some(expected(m, k, n)), "{what}");
                            let run = |alpha, beta, c: &mut [T]| {
                                let ran = blas.product(alpha, a.view(), b.view(), beta, c).unwrap();
                                assert_eq!(ran, route, "{what}");
                            };
                            check_product(&a, &b, scaling, run, &what);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_routine_agrees_with_plain_loops() {
        let Some(blas) = library() else { return };
        every_route::<f32>(&blas);
        every_route::<f64>(&blas);
    }

    fn fallbacks<T: Real>(blas: &SystemBlas) {
        let cases = [
            (Layout::Reversed, Layout::RowMajor),
            (Layout::RowMajor, Layout::Reversed),
            (Layout::Broadcast, Layout::Transposed),
            (Layout::Stepped, Layout::RowMajor),
            (Layout::Padded, Layout::Stepped),
        ];
        for (case, (la, lb)) in cases.into_iter().enumerate() {
            let (m, k, n) = (33, 7, 130);
            let a = Operand::<T>::new(m, k, la, case as u64);
            let b = Operand::<T>::new(k, n, lb, case as u64 + 50);
            let what = format!("{} fallback a {la:?} b {lb:?}", T::DTYPE);
            assert_eq!(blas.route(&a.view(), &b.view()), None, "{what}");
            let run = |alpha, beta, c: &mut [T]| {
                let (av, bv) = (a.view(), b.view());
                assert_eq!(blas.product(alpha, av, bv, beta, c).unwrap(), None);
                gemm_into_with(Some(blas), alpha, av, bv, beta, c).unwrap();
            };
            check_product(&a, &b, (0.75, -1.25), run, &what);
        }
        // k = 0: C ← βC, on faer.
        let a = Operand::<T>::new(7, 0, Layout::RowMajor, 1);
        let b = Operand::<T>::new(0, 33, Layout::RowMajor, 2);
        assert_eq!(blas.route(&a.view(), &b.view()), None);
        let run = |alpha, beta, c: &mut [T]| {
            gemm_into_with(Some(blas), alpha, a.view(), b.view(), beta, c).unwrap();
        };
        check_product(&a, &b, (2.0, -1.25), run, "k = 0");
    }

    #[test]
    fn layouts_cblas_cannot_express_run_on_faer() {
        let Some(blas) = library() else { return };
        fallbacks::<f32>(&blas);
        fallbacks::<f64>(&blas);
    }

    #[test]
    fn bad_views_are_errors_not_reads() {
        let Some(blas) = library() else { return };
        let data = [1.0f64; 6];
        let past = MatRef {
            data: &data,
            offset: 2,
            rows: 3,
            cols: 2,
            rs: 2,
            cs: 1,
        };
        let mut c = [0.0; 6];
        let e = blas
            .product(1.0, past, MatRef::row_major(&data, 2, 3), 0.0, &mut c[..])
            .unwrap_err();
        assert!(e.to_string().contains("reaches past a buffer of 6"), "{e}");
        let e = blas
            .product(
                1.0,
                MatRef::row_major(&data, 3, 2),
                MatRef::row_major(&data, 2, 3),
                0.0,
                &mut c[..4],
            )
            .unwrap_err();
        assert!(e.to_string().contains("do not give the 4 outputs"), "{e}");
    }

    #[test]
    fn libraries_that_are_not_a_cblas_are_errors() {
        let e = sysblas::load("/nonexistent/dir/libnoblas.so").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("cannot load '/nonexistent/dir/libnoblas.so'"),
            "{text}"
        );
        let e = sysblas::load("libm.so.6").unwrap_err().to_string();
        assert!(e.contains("'libm.so.6' is not a CBLAS library"), "{e}");
        for symbol in [
            "cblas_sgemm",
            "scipy_cblas_sgemm",
            "scipy_cblas_sgemm64_",
            "cblas_sgemm64_",
        ] {
            assert!(e.contains(symbol), "{e}");
        }
        let e = sysblas::load("-L/nonexistent -lnoblas -lm")
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/libnoblas.so"), "{e}");
        assert!(e.contains("libm.so"), "{e}");
    }

    #[test]
    fn the_spelling_gives_the_integer_width() {
        let Some(blas) = library() else { return };
        let s = blas.spelling();
        assert_eq!(s.ints == IntWidth::Ilp64, s.suffix == "64_");
        assert!(sysblas::SPELLINGS.contains(&s));
        // The cache hands back the same library for the same flags.
        let again = sysblas::load(blas.path()).unwrap();
        assert!(Arc::ptr_eq(&again, &sysblas::load(blas.path()).unwrap()));
    }

    /// Tests that change the global `blas.ldflags` run one at a time.
    static CONFIG: Mutex<()> = Mutex::new(());

    fn with_ldflags<R>(ldflags: &str, f: impl FnOnce() -> R) -> R {
        let _guard = CONFIG.lock().unwrap_or_else(|e| e.into_inner());
        update_config(|c| c.blas_ldflags = ldflags.to_string());
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        update_config(|c| c.blas_ldflags.clear());
        result.unwrap_or_else(|p| std::panic::resume_unwind(p))
    }

    /// Every product node of a function over odd-sized, transposed and
    /// stepped inputs, compiled without rewrites (so each node stays as
    /// written), with its outputs and kernel names.
    fn products(d: DType, kernels: Option<KernelRegistry>) -> (Vec<Tensor>, Vec<String>) {
        let m = |name: &str| matrix(name, d);
        let (x, y, ys, z) = (m("x"), m("y"), m("ys"), m("z"));
        let vec = |name: &str| vector(name, d);
        let (v, w, u, t, zv) = (vec("v"), vec("w"), vec("u"), vec("t"), vec("zv"));
        let (a3, b3) = (tensor3("a3", d), tensor3("b3", d));
        let (alpha, beta) = (scalar("alpha", d), scalar("beta", d));
        let outs = vec![
            dot(&x, &y),
            dot(&x, &ys),
            dot(&x, &w),
            dot(&v, &x),
            matmul(&a3, &b3),
            try_gemm(&z, &alpha, &x, &y, &beta).unwrap(),
            try_gemv(&zv, &alpha, &x, &w, &beta).unwrap(),
            try_ger(&z, &alpha, &u, &t).unwrap(),
        ];
        let ins = [x, y, ys, z, v, w, u, t, zv, a3, b3, alpha, beta];
        let mut builder = Function::builder(&ins, &outs).mode(Mode::no_optimization());
        if let Some(k) = kernels {
            builder = builder.kernels(k);
        }
        let f = builder.build().unwrap();
        let (m, k, n) = (33, 130, 7);
        let values = [
            Tensor::randn(d, &[k, m], 1).t(),
            Tensor::randn(d, &[k, n], 2),
            Tensor::randn(d, &[k, 2 * n], 3)
                .slice_axis(1, None, None, 2)
                .unwrap(),
            Tensor::randn(d, &[m, n], 4),
            Tensor::randn(d, &[m], 5),
            Tensor::randn(d, &[2 * k], 6)
                .slice_axis(0, None, None, 2)
                .unwrap(),
            Tensor::randn(d, &[m], 7),
            Tensor::randn(d, &[2 * n], 11)
                .slice_axis(0, None, None, -2)
                .unwrap(),
            Tensor::randn(d, &[m], 8),
            Tensor::randn(d, &[4, 7, 33], 9),
            Tensor::randn(d, &[4, 33, 1], 10),
            Tensor::from_f64s(d, &[], &[0.75]).unwrap(),
            Tensor::from_f64s(d, &[], &[-1.25]).unwrap(),
        ];
        let names = f.program().kernel_names().into_iter().map(|(_, k)| k);
        (f.call(&values).unwrap(), names.collect())
    }

    #[test]
    fn compiled_products_run_on_the_system_blas() {
        let Some(blas) = library() else { return };
        for d in [DType::F32, DType::F64] {
            let want = products(d, Some(KernelRegistry::reference_only())).0;
            let (got, names) = with_ldflags(blas.path(), || products(d, None));
            let blas_kernels: Vec<&String> =
                names.iter().filter(|k| k.starts_with("cpu.blas")).collect();
            assert_eq!(blas_kernels.len(), 8, "{names:?}");
            assert!(
                blas_kernels.iter().all(|k| k.ends_with(".sysblas")),
                "{names:?}"
            );
            let (rtol, atol) = if d == DType::F32 {
                (1e-4, 1e-4)
            } else {
                (1e-11, 1e-11)
            };
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(g.shape(), w.shape(), "output {k}");
                for (i, (a, b)) in g.to_f64_vec().iter().zip(w.to_f64_vec()).enumerate() {
                    assert!(
                        (a - b).abs() <= atol + rtol * b.abs(),
                        "{d} output {k}[{i}]: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_configured_library_that_fails_to_load_is_a_run_error() {
        let bad = "/nonexistent/dir/libnoblas.so";
        let x = matrix("x", DType::F64);
        let f = with_ldflags(bad, || {
            assert!(sysblas::configured().is_err());
            function(std::slice::from_ref(&x), &[dot(&x, &x)]).unwrap()
        });
        let xv = Tensor::randn(DType::F64, &[3, 3], 1);
        let e = f.call(&[xv]).unwrap_err().to_string();
        assert!(e.contains("dot"), "{e}");
        assert!(e.contains(&format!("cannot load '{bad}'")), "{e}");
    }

    #[test]
    fn an_empty_ldflags_means_faer() {
        with_ldflags("  ", || assert!(sysblas::configured().unwrap().is_none()));
    }
}
