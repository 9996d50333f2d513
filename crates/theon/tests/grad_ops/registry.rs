//! The gradient registry: one entry per op struct theon defines, each
//! either differentiable — with the tests that run `verify_grad` and
//! `verify_rop` on it — or declared not differentiable.
//!
//! `every_op_is_registered` scans `src/` for `impl Op for <Name>` and
//! fails when an op has no entry (or an entry names no op), so a new op
//! cannot land without its gradient tests or an explicit declaration.
//! Ops defined in test-only code are not scanned (see `source_scan`):
//! files under a `tests/` directory, files included by a `#[cfg(test)]
//! mod name;`, and inline `#[cfg(test)] mod name { ... }` blocks. Such an
//! op (the executor's `Probe`) exists only inside a test, never in a graph
//! a user can build or differentiate, so it needs no entry. Inplace ops
//! the optimizer builds are not test-only: they have entries.
//! `registered_ops_keep_their_promises` builds a node of every op with its
//! `probe` and checks the declaration against the op: differentiable ops
//! must answer `pullback` and `pushforward` (not the trait's "has no
//! gradient" default), the named tests must exist as `#[test]` functions,
//! and the others must declare `differentiable() == false`.
//!
//! To register a new op, add one `entry` to [`REGISTRY`]: its struct name,
//! a probe that builds a node of it, and its coverage.

use theon::grad::grad_scale;
use theon::graph::Grad;
use theon::ops::creation::zeros_like;
use theon::ops::elemwise::{ElemwiseInplace, ElemwiseKernel, ScalarOp, UnaryOp};
use theon::ops::extra::{
    bincount, choose, diag, diagonal, diff, fill_diagonal, isclose, nonzero_tuple,
    ravel_multi_index, searchsorted, sort, to_one_hot, tril, unique, unravel_index, ChooseMode,
    Side,
};
use theon::ops::indexing::{IncMode, IncSubtensor, IncSubtensorInplace};
use theon::ops::linalg::{
    cholesky, det, eig, eigh, expm, kron, lstsq, matrix_inverse, matrix_power, norm, pinv, qr,
    slogdet, solve, svd, NormOrd, QrMode,
};
use theon::ops::nnet::{categorical_crossentropy, log_softmax, softmax, softmax_crossentropy};
use theon::ops::products::{batched_tensordot, try_gemm, try_gemv, try_ger};
use theon::ops::reduce::{argmax, cumsum, logsumexp, mean, variance};
use theon::ops::shape::{BroadcastTo, MakeVector, Squeeze};
use theon::prelude::*;

/// How an op is covered.
enum Coverage {
    /// Has rules; these tests (`"file.rs::test_name"`, files under
    /// `tests/`) check them with `verify_grad` and `verify_rop`.
    Tested(&'static [&'static str]),
    /// Integer-valued or built from integers only: declares
    /// `differentiable() == false` (the reason says why).
    NotDifferentiable(&'static str),
}

struct Entry {
    /// The op's struct name, as in `impl Op for <name>`.
    name: &'static str,
    /// Builds a node whose op is this one.
    probe: fn() -> Var,
    coverage: Coverage,
}

const fn entry(name: &'static str, probe: fn() -> Var, coverage: Coverage) -> Entry {
    Entry {
        name,
        probe,
        coverage,
    }
}

use Coverage::{NotDifferentiable, Tested};

/// A uniform draw from a generator state input.
fn random_probe() -> Var {
    use theon::ops::random::{try_random, Distribution};
    let state = Var::input("rng", TensorType::unknown(U64, 1));
    let size = Var::constant(Tensor::from_vec(vec![3i64], &[1]).unwrap());
    let (low, high) = (
        Var::constant(Tensor::scalar(0.0)),
        Var::constant(Tensor::scalar(1.0)),
    );
    try_random(Distribution::Uniform, &state, &size, &low, &high, F64)
        .unwrap()
        .1
}

/// Multinomial counts from a generator state input.
fn multinomial_probe() -> Var {
    use theon::ops::random::try_multinomial;
    let state = Var::input("rng", TensorType::unknown(U64, 1));
    let n = Var::constant(Tensor::scalar(1i64));
    try_multinomial(&state, &n, &m(), I64).unwrap().1
}

fn m() -> Var {
    matrix("m", F64)
}

fn s64(name: &str) -> Var {
    scalar(name, F64)
}

fn v64(name: &str) -> Var {
    vector(name, F64)
}

/// `x[0] = y`, as the `IncSubtensor` node the inplace variant wraps.
fn set_row() -> Var {
    theon::ops::indexing::try_update_index(&m(), &s![0], v64("y"), IncMode::Set).unwrap()
}

fn ints(values: &[i64]) -> Var {
    constant(Tensor::from_vec(values.to_vec(), &[values.len()]).unwrap())
}

/// Every op theon defines. Keep it sorted by family, as `src/ops/` is.
const REGISTRY: &[Entry] = &[
    // grad/
    entry(
        "GradModifier",
        || grad_scale(&m(), 2.0),
        Tested(&["grad_api.rs::modifiers_are_identity_forward_and_change_only_gradients"]),
    ),
    // ops/control
    entry(
        "Scan",
        || {
            let r = theon::ops::control::scan(|s| s.prev(0) * s.seq(0))
                .sequences([&m()])
                .outputs_info([&vector("h0", F64)])
                .build()
                .unwrap();
            r.outputs[0].clone()
        },
        Tested(&[
            "control/scan_grad.rs::bptt_of_the_history_matches_finite_differences",
            "control/scan_grad.rs::rop_through_scan_matches_finite_differences",
            "control/scan_grad.rs::second_derivatives_through_scan",
        ]),
    ),
    entry(
        "ScanSteps",
        || {
            let spec = theon::ops::control::scan::ReadPart {
                track: theon::ops::control::scan::ReadTrack {
                    name: "x".into(),
                    starts: vec![0],
                    offsets: vec![0],
                    span: 0,
                    reversed: false,
                    zero_outside: false,
                },
                segments: vec![m()],
                inner: vec![],
            };
            theon::ops::control::scan::scan_steps("s", None, &[spec]).unwrap()
        },
        NotDifferentiable("an integer step count"),
    ),
    entry(
        "IfElse",
        || theon::ops::control::ifelse(&scalar("c", Bool), &m().exp(), &m()),
        Tested(&["control/ifelse.rs::gradient_and_rop_of_each_branch"]),
    ),
    entry(
        "OpFromGraph",
        || {
            let x = matrix("x", F64);
            let op = theon::ops::control::OpFromGraph::new(std::slice::from_ref(&x), &[x.exp()]);
            op.unwrap().call(&[m()]).remove(0)
        },
        Tested(&["control/op_from_graph.rs::derived_gradients_rop_and_second_derivatives"]),
    ),
    // ops/elemwise
    entry(
        "Elemwise",
        || m().exp(),
        Tested(&[
            "grad_registry.rs::every_unary_op_is_tested_or_declared",
            "grad_registry.rs::every_binary_op_is_tested_or_declared",
        ]),
    ),
    entry(
        "ElemwiseInplace",
        || {
            let kernel = ElemwiseKernel::Scalar(ScalarOp::Unary(UnaryOp::Exp));
            Var::apply1(ElemwiseInplace { kernel, destroy: 0 }, &[m().sin()]).unwrap()
        },
        Tested(&["grad_ops/optimizer_ops.rs::elemwise_inplace_gradients_are_the_elemwise_ones"]),
    ),
    entry(
        "Composite",
        || {
            let node = theon::ops::elemwise::CompositeNode {
                op: theon::ops::elemwise::ScalarOp::Unary(theon::ops::elemwise::UnaryOp::Exp),
                args: vec![0],
                dtype: F64,
            };
            let op = theon::ops::elemwise::Composite::new(vec![F64], vec![node], vec![1]).unwrap();
            Var::apply1(op, &[m()]).unwrap()
        },
        Tested(&["grad_ops/composite.rs::composite_gradients_match_finite_differences"]),
    ),
    entry(
        "ReduceOfElemwise",
        || {
            let node = theon::ops::elemwise::CompositeNode {
                op: theon::ops::elemwise::ScalarOp::Unary(theon::ops::elemwise::UnaryOp::Exp),
                args: vec![0],
                dtype: F64,
            };
            let body = theon::ops::elemwise::Composite::new(vec![F64], vec![node], vec![1]).unwrap();
            let reduce = theon::ops::reduce::Reduce {
                kind: theon::ops::reduce::ReduceKind::Sum,
                axes: vec![0],
                keepdims: false,
            };
            let op = theon::ops::reduce::ReduceOfElemwise::new(body, reduce).unwrap();
            Var::apply1(op, &[m()]).unwrap()
        },
        Tested(&["grad_ops/composite.rs::reduce_of_elemwise_gradients_match_finite_differences"]),
    ),
    entry(
        "RowBlocked",
        || {
            use theon::ops::control::{RowBlocked, RowInput, RowOutput};
            let x = Var::input("x", TensorType::new(F64, vec![None, Some(3)]));
            let op = RowBlocked::new(
                &[(x.clone(), RowInput::Split)],
                &[(x.exp().sum(0), RowOutput::Sum)],
            )
            .unwrap();
            Var::apply1(op, &[m()]).unwrap()
        },
        Tested(&["grad_ops/row_ops.rs::row_blocked_gradients_of_sums_and_rows"]),
    ),
    // ops/reduce
    entry(
        "Reduce",
        || m().sum(0),
        Tested(&["grad_higher.rs::reductions_pass_gradient_checks_on_all_axis_forms"]),
    ),
    entry(
        "ArgReduce",
        || argmax(&m(), 0, false),
        NotDifferentiable("integer indices"),
    ),
    entry(
        "Mean",
        || mean(&m(), 0, false),
        Tested(&["grad_ops/reduce.rs::mean_gradients_on_all_axis_forms"]),
    ),
    entry(
        "Variance",
        || variance(&m(), 1, 1, false),
        Tested(&["grad_ops/reduce.rs::variance_and_std_gradients_with_ddof"]),
    ),
    entry(
        "CumOp",
        || cumsum(&m(), 0),
        Tested(&[
            "grad_ops/reduce.rs::cumsum_and_cumprod_gradients",
            "grad_ops/reduce.rs::cumprod_gradient_is_exact_with_zeros",
        ]),
    ),
    entry(
        "LogSumExp",
        || logsumexp(&m(), 0i64, false),
        Tested(&[
            "grad_ops/optimizer_ops.rs::logsumexp_gradients_on_all_axis_forms",
            "grad_ops/optimizer_ops.rs::logsumexp_gradient_is_the_softmax_even_for_huge_logits",
            "grad_ops/optimizer_ops.rs::second_derivatives_of_logsumexp",
        ]),
    ),
    // ops/shape
    entry(
        "DimShuffle",
        || m().t(),
        Tested(&["grad_higher.rs::dimshuffle_gradients_undo_the_shuffle"]),
    ),
    entry(
        "MakeVector",
        || Var::apply1(MakeVector, &[m().shape_i(0), m().shape_i(1)]).unwrap(),
        NotDifferentiable("stacks integer scalars"),
    ),
    entry("Shape", || m().shape(), NotDifferentiable("a shape")),
    entry("ShapeI", || m().shape_i(0), NotDifferentiable("a dim")),
    entry(
        "SpecifyShape",
        || m().specify_shape(&[None, Some(2)]),
        Tested(&["grad_ops/shape.rs::squeeze_specify_shape_and_expand_dims_gradients"]),
    ),
    entry(
        "Reshape",
        || m().reshape(&[-1]),
        Tested(&["grad_ops/shape.rs::reshape_and_flatten_gradients"]),
    ),
    entry(
        "Flatten",
        || m().flatten(1),
        Tested(&["grad_ops/shape.rs::reshape_and_flatten_gradients"]),
    ),
    entry(
        "Squeeze",
        || Var::apply1(Squeeze { axes: vec![0] }, &[m()]).unwrap(),
        Tested(&["grad_ops/shape.rs::squeeze_specify_shape_and_expand_dims_gradients"]),
    ),
    entry(
        "BroadcastTo",
        || {
            let target = vec![Some(2), Some(3)];
            let shape = ints(&[2, 3]);
            Var::apply1(BroadcastTo { target }, &[row("r", F64), shape]).unwrap()
        },
        Tested(&["grad_ops/shape.rs::broadcast_to_gradients_sum_the_copies"]),
    ),
    entry(
        "Join",
        || concatenate(&[m(), m()], 0),
        Tested(&["grad_ops/shape.rs::join_stack_and_split_gradients"]),
    ),
    entry(
        "Split",
        || split(&m(), [1i64, 1], 0).remove(0),
        Tested(&["grad_ops/shape.rs::join_stack_and_split_gradients"]),
    ),
    entry(
        "Tile",
        || m().tile(&[2, 1]),
        Tested(&["grad_ops/shape.rs::tile_gradients"]),
    ),
    entry(
        "Repeat",
        || m().repeat(2i64, Some(0)),
        Tested(&["grad_ops/shape.rs::repeat_gradients"]),
    ),
    entry(
        "Flip",
        || m().flip(0),
        Tested(&["grad_ops/shape.rs::flip_and_roll_gradients"]),
    ),
    entry(
        "Roll",
        || m().roll(1i64, Some(0)),
        Tested(&["grad_ops/shape.rs::flip_and_roll_gradients"]),
    ),
    // ops/creation
    entry(
        "Alloc",
        || alloc(&scalar("v", F64), [2i64, 3]),
        Tested(&["grad_ops/creation.rs::alloc_value_gets_the_summed_gradient"]),
    ),
    entry(
        "Second",
        || fill(&m(), scalar("v", F64)),
        Tested(&["grad_higher.rs::fill_passes_gradient_to_its_value_only"]),
    ),
    entry(
        "ARange",
        || arange(scalar("a", F64), 5.0, 0.5, None),
        Tested(&["grad_ops/creation.rs::float_arange_is_differentiable_in_start_and_step"]),
    ),
    entry(
        "Eye",
        || eye(scalar("n", I64), 3i64, 0i64, F64),
        NotDifferentiable("its inputs are integer sizes"),
    ),
    // ops/products
    entry(
        "Dot",
        || dot(&m(), &m()),
        Tested(&["grad_ops/products.rs::dot_gradients_for_every_rank_combination"]),
    ),
    entry(
        "Outer",
        || outer(&m(), &m()),
        Tested(&["grad_ops/products.rs::outer_and_tensordot_gradients"]),
    ),
    entry(
        "MatMul",
        || matmul(&m(), &m()),
        Tested(&[
            "grad_ops/products.rs::matmul_gradients_with_vectors_and_broadcast_batches",
            "grad_ops/products.rs::second_derivatives_of_matmul",
        ]),
    ),
    entry(
        "TensorDot",
        || tensordot(&m(), &m(), 1i64),
        Tested(&["grad_ops/products.rs::outer_and_tensordot_gradients"]),
    ),
    entry(
        "BatchedDot",
        || batched_dot(&m(), &m()),
        Tested(&["grad_ops/products.rs::batched_products_gradients"]),
    ),
    entry(
        "BatchedTensorDot",
        || batched_tensordot(&m(), &m(), ([1i64], [1i64])),
        Tested(&["grad_ops/products.rs::batched_products_gradients"]),
    ),
    entry(
        "Einsum",
        || einsum("ij,jk", &[&m(), &m()]),
        Tested(&["grad_ops/products.rs::einsum_gradients"]),
    ),
    entry(
        "Gemm",
        || try_gemm(&m(), &s64("a"), &m(), &m(), &s64("b")).unwrap(),
        Tested(&[
            "grad_ops/optimizer_ops.rs::gemm_gemv_and_ger_gradients",
            "grad_ops/optimizer_ops.rs::gemm_gradients_match_loops",
            "grad_ops/optimizer_ops.rs::second_derivatives_of_gemm_gemv_and_ger",
        ]),
    ),
    entry(
        "Gemv",
        || try_gemv(&v64("z"), &s64("a"), &m(), &v64("x"), &s64("b")).unwrap(),
        Tested(&[
            "grad_ops/optimizer_ops.rs::gemm_gemv_and_ger_gradients",
            "grad_ops/optimizer_ops.rs::second_derivatives_of_gemm_gemv_and_ger",
        ]),
    ),
    entry(
        "Ger",
        || try_ger(&m(), &s64("a"), &v64("x"), &v64("y")).unwrap(),
        Tested(&[
            "grad_ops/optimizer_ops.rs::gemm_gemv_and_ger_gradients",
            "grad_ops/optimizer_ops.rs::second_derivatives_of_gemm_gemv_and_ger",
        ]),
    ),
    // ops/nnet
    entry(
        "Softmax",
        || softmax(&m(), -1),
        Tested(&[
            "grad_ops/nnet.rs::softmax_and_log_softmax_gradients",
            "grad_ops/nnet.rs::second_derivatives_of_softmax_and_log_softmax",
        ]),
    ),
    entry(
        "LogSoftmax",
        || log_softmax(&m(), -1),
        Tested(&[
            "grad_ops/nnet.rs::softmax_and_log_softmax_gradients",
            "grad_ops/nnet.rs::second_derivatives_of_softmax_and_log_softmax",
        ]),
    ),
    entry(
        "CrossentropyCategorical1Hot",
        || categorical_crossentropy(&m(), &vector("y", I64)),
        Tested(&["grad_ops/nnet.rs::crossentropy_gradient_reaches_the_labelled_entries"]),
    ),
    entry(
        "SoftmaxCrossentropy",
        || softmax_crossentropy(&m(), &vector("y", I64)),
        Tested(&[
            "grad_ops/optimizer_ops.rs::softmax_crossentropy_gradients_for_labels_and_dense_targets",
            "grad_ops/optimizer_ops.rs::softmax_crossentropy_gradients_match_loops",
            "grad_ops/optimizer_ops.rs::softmax_crossentropy_labels_are_disconnected_and_second_derivatives_hold",
        ]),
    ),
    entry(
        "SoftmaxWithCrossentropy",
        || {
            let op = theon::ops::nnet::SoftmaxWithCrossentropy {
                targets: theon::ops::nnet::Targets::Labels,
            };
            Var::apply(op, &[m(), vector("y", I64)]).unwrap().remove(0)
        },
        Tested(&["grad_ops/row_ops.rs::softmax_with_crossentropy_gradients_for_labels_and_dense_targets"]),
    ),
    // ops/indexing
    entry(
        "Subtensor",
        || m().at(&s![1.., 0]),
        Tested(&["grad_ops/indexing.rs::basic_indexing_gradients"]),
    ),
    entry(
        "AdvancedSubtensor",
        || m().take(&ints(&[0, 0]), 1),
        Tested(&["grad_ops/indexing.rs::advanced_indexing_gradients_accumulate_repeats"]),
    ),
    entry(
        "IncSubtensor",
        || {
            let x = m();
            theon::ops::indexing::try_update_index(&x, &s![0], vector("y", F64), IncMode::Set)
                .unwrap()
        },
        Tested(&[
            "grad_ops/indexing.rs::set_and_inc_gradients",
            "grad_ops/indexing.rs::set_gradient_credits_only_the_surviving_write",
        ]),
    ),
    entry(
        "IncSubtensorInplace",
        || {
            let node = set_row();
            let inner = node.op_as::<IncSubtensor>().unwrap().clone();
            Var::apply1(IncSubtensorInplace { inner }, node.inputs()).unwrap()
        },
        Tested(&["grad_ops/optimizer_ops.rs::inc_subtensor_inplace_gradients_are_the_inc_subtensor_ones"]),
    ),
    entry(
        "Nonzero",
        || m().nonzero().remove(0),
        NotDifferentiable("integer coordinates"),
    ),
    // ops/extra
    entry(
        "Sort",
        || sort(&m(), -1),
        Tested(&[
            "grad_ops/extra.rs::sort_gradients_follow_the_permutation",
            "grad_ops/extra.rs::second_derivatives_of_sort_and_diff",
        ]),
    ),
    entry(
        "Diff",
        || diff(&m(), 1, 0),
        Tested(&["grad_ops/extra.rs::diff_gradients_for_orders_and_axes"]),
    ),
    entry(
        "Diagonal",
        || diagonal(&m(), 0, 0, 1),
        Tested(&[
            "grad_ops/extra.rs::diagonal_gradients_for_offsets_and_axes",
            "grad_ops/extra.rs::diag_and_trace_gradients",
        ]),
    ),
    entry(
        "AllocDiag",
        || diag(&vector("v", F64), 1),
        Tested(&["grad_ops/extra.rs::diag_and_trace_gradients"]),
    ),
    entry(
        "FillDiagonal",
        || fill_diagonal(&m(), &scalar("v", F64)),
        Tested(&["grad_ops/extra.rs::fill_diagonal_gradients_reach_the_matrix_and_the_value"]),
    ),
    entry(
        "Tri",
        || tril(&m(), 0),
        Tested(&["grad_ops/extra.rs::tril_and_triu_gradients"]),
    ),
    entry(
        "Choose",
        || choose(&ints(&[0, 1]), &[m(), m()], ChooseMode::Clip),
        Tested(&["grad_ops/extra.rs::choose_gradients_reach_the_picked_choices"]),
    ),
    entry(
        "SearchSorted",
        || searchsorted(&vector("s", F64), &vector("v", F64), Side::Left),
        NotDifferentiable("integer insertion points"),
    ),
    entry(
        "Unique",
        || unique(&m(), false, false, false).remove(0),
        NotDifferentiable("a data-dependent set of values; its outputs are indices and counts"),
    ),
    entry(
        "Bincount",
        || bincount(&ints(&[0, 2]), None, 0),
        NotDifferentiable("counts of integer inputs"),
    ),
    entry(
        "RandomVariable",
        random_probe,
        NotDifferentiable("a sample is a draw, not a function of its parameters"),
    ),
    entry(
        "MultinomialVariable",
        multinomial_probe,
        NotDifferentiable("counts of random draws"),
    ),
    entry(
        "ToOneHot",
        || to_one_hot(&ints(&[0, 2]), 3, F64),
        NotDifferentiable("built from integer labels"),
    ),
    entry(
        "RavelMultiIndex",
        || ravel_multi_index(&[ints(&[0, 1]), ints(&[1, 0])], &[2, 2]),
        NotDifferentiable("integer indices"),
    ),
    entry(
        "UnravelIndex",
        || unravel_index(&ints(&[0, 3]), &[2, 2]).remove(0),
        NotDifferentiable("integer indices"),
    ),
    entry(
        "IsClose",
        || isclose(&m(), &m(), 1e-5, 1e-8, false),
        NotDifferentiable("a boolean"),
    ),
    entry(
        "NonzeroTuple",
        || nonzero_tuple(&m()).remove(0),
        NotDifferentiable("integer coordinates"),
    ),
    // ops/linalg
    entry(
        "MatrixInverse",
        || matrix_inverse(&m()),
        Tested(&[
            "grad_ops/linalg.rs::inverse_det_and_slogdet_gradients",
            "grad_ops/linalg.rs::second_derivatives_of_det_inverse_and_expm",
        ]),
    ),
    entry(
        "Pinv",
        || pinv(&m(), 1e-15),
        Tested(&["grad_ops/linalg.rs::pinv_gradients_for_tall_wide_and_batched"]),
    ),
    entry(
        "MatrixPower",
        || matrix_power(&m(), 3),
        Tested(&["grad_ops/linalg.rs::matrix_power_gradients"]),
    ),
    entry(
        "Det",
        || det(&m()),
        Tested(&[
            "grad_ops/linalg.rs::inverse_det_and_slogdet_gradients",
            "grad_ops/linalg.rs::second_derivatives_of_det_inverse_and_expm",
        ]),
    ),
    entry(
        "SlogDet",
        || slogdet(&m()).1,
        Tested(&["grad_ops/linalg.rs::inverse_det_and_slogdet_gradients"]),
    ),
    entry(
        "Cholesky",
        || cholesky(&m(), true),
        Tested(&["grad_ops/linalg.rs::cholesky_gradients_read_one_triangle"]),
    ),
    entry(
        "Qr",
        || qr(&m(), QrMode::Reduced).remove(0),
        Tested(&[
            "grad_ops/linalg.rs::qr_gradients_for_tall_square_and_wide",
            "grad_ops/linalg.rs::complete_qr_of_a_tall_matrix_has_no_gradient_through_q",
        ]),
    ),
    entry(
        "Svd",
        || svd(&m(), false, true).remove(0),
        Tested(&["grad_ops/linalg.rs::svd_gradients_with_fixed_signs"]),
    ),
    entry(
        "Eigh",
        || eigh(&m(), true).1,
        Tested(&["grad_ops/linalg.rs::eigh_gradients_read_one_triangle"]),
    ),
    entry(
        "Eig",
        || eig(&m()).1,
        Tested(&["grad_ops/linalg.rs::eig_gradients_for_a_real_spectrum"]),
    ),
    entry(
        "Solve",
        || solve(&m(), &m()),
        Tested(&["grad_ops/linalg.rs::solve_gradients_for_every_structure"]),
    ),
    entry(
        "Lstsq",
        || lstsq(&m(), &m(), None).remove(0),
        Tested(&["grad_ops/linalg.rs::lstsq_gradients_of_solution_residuals_and_singular_values"]),
    ),
    entry(
        "Norm",
        || norm(&m(), NormOrd::Nuc, None, false),
        Tested(&["grad_ops/linalg.rs::norm_gradients_for_every_order"]),
    ),
    entry(
        "Kron",
        || kron(&m(), &vector("v", F64)),
        Tested(&["grad_ops/linalg.rs::kron_gradients_for_mixed_ranks"]),
    ),
    entry(
        "Expm",
        || expm(&m()),
        Tested(&[
            "grad_ops/linalg.rs::expm_gradients_small_and_scaled",
            "grad_ops/linalg.rs::second_derivatives_of_det_inverse_and_expm",
        ]),
    ),
];

fn crate_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every op struct defined in `src/` outside test-only code, sorted.
fn ops_defined_in_source() -> Vec<String> {
    super::source_scan::ops_defined_in(&crate_dir().join("src"))
}

#[test]
fn every_op_is_registered() {
    let defined = ops_defined_in_source();
    assert!(
        defined.len() >= 40,
        "the scan found too few ops: {defined:?}"
    );
    let mut registered: Vec<String> = REGISTRY.iter().map(|e| e.name.to_string()).collect();
    registered.sort();
    let duplicated: Vec<&String> = registered
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| &w[0])
        .collect();
    assert!(duplicated.is_empty(), "registered twice: {duplicated:?}");
    let missing: Vec<&String> = defined.iter().filter(|d| !registered.contains(d)).collect();
    let stale: Vec<&String> = registered.iter().filter(|r| !defined.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "ops with no gradient test and no 'not differentiable' declaration (add them to \
         REGISTRY in tests/grad_ops/registry.rs): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "registered ops that no longer exist: {stale:?}"
    );
}

/// True when `file` (under `tests/`) has `#[test] fn name()`.
fn has_test(file: &str, name: &str) -> bool {
    let Ok(text) = std::fs::read_to_string(crate_dir().join("tests").join(file)) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.windows(2).any(|w| {
        w[0] == "#[test]" && w[1].starts_with(&format!("fn {name}(")) && w[1].ends_with('{')
    })
}

/// Calls the op's rules on its probe node with fresh gradients/tangents.
fn answers_rules(node_out: &Var) -> Result<(), String> {
    let node = node_out.node();
    let op = node.op().expect("the probe builds an op node");
    let outputs = node.outputs();
    let grads: Vec<Var> = outputs.iter().map(|o| zeros_like(o, None) + 1.0).collect();
    let pulled = op
        .pullback(&node.inputs, &outputs, &grads)
        .map_err(|e| e.to_string())?;
    if pulled.len() != node.inputs.len() {
        return Err(format!(
            "{} gradients for {} inputs",
            pulled.len(),
            node.inputs.len()
        ));
    }
    if !pulled.iter().any(|g| matches!(g, Grad::Value(_))) {
        return Err(format!("no input got a gradient: {pulled:?}"));
    }
    let tangents: Vec<Option<Var>> = node
        .inputs
        .iter()
        .map(|v| v.dtype().is_float().then(|| v.clone()))
        .collect();
    let pushed = op
        .pushforward(&node.inputs, &outputs, &tangents)
        .map_err(|e| e.to_string())?;
    if pushed.len() != outputs.len() || pushed.iter().all(Option::is_none) {
        return Err(format!(
            "pushforward gave {pushed:?} for {} outputs",
            outputs.len()
        ));
    }
    Ok(())
}

#[test]
fn registered_ops_keep_their_promises() {
    let mut problems = Vec::new();
    for e in REGISTRY {
        let probe = (e.probe)();
        let op = probe.op().expect("the probe builds an op node");
        let debug = format!("{op:?}");
        if !debug.starts_with(e.name) {
            problems.push(format!("{}: the probe builds {debug}", e.name));
            continue;
        }
        match &e.coverage {
            Tested(tests) => {
                if !op.differentiable() {
                    problems.push(format!(
                        "{}: registered as tested but not differentiable",
                        e.name
                    ));
                }
                if let Err(why) = answers_rules(&probe) {
                    problems.push(format!("{}: rules fail: {why}", e.name));
                }
                for t in *tests {
                    let (file, name) = t.split_once("::").expect("file.rs::test_name");
                    if !has_test(file, name) {
                        problems.push(format!("{}: no #[test] fn {name} in tests/{file}", e.name));
                    }
                }
                if tests.is_empty() {
                    problems.push(format!("{}: no tests named", e.name));
                }
            }
            NotDifferentiable(why) => {
                if op.differentiable() {
                    problems.push(format!(
                        "{}: declared not differentiable ({why}), but it says it is",
                        e.name
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn gradients_through_undeclared_paths_are_disconnected_not_errors() {
    // Each non-differentiable op cuts the path; the cost still has a
    // gradient through its other, differentiable path.
    let x = m();
    let through = [
        argmax(&x, 0, false).cast(F64).sum(Axis::All),
        x.shape().cast(F64).sum(Axis::All),
        x.nonzero().remove(0).cast(F64).sum(Axis::All),
    ];
    for (k, extra) in through.iter().enumerate() {
        let cost = x.sum(Axis::All) + extra;
        let g = grad(&cost, std::slice::from_ref(&x), &GradOptions::default()).unwrap();
        let f = function(std::slice::from_ref(&x), &g).unwrap();
        let out = f
            .call(&[Tensor::randn(F64, &[2, 3], 950 + k as u64)])
            .unwrap();
        assert_eq!(out[0].to_vec::<f64>(), vec![1.0; 6], "case {k}");
    }
}
