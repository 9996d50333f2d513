"""theon.tensor.nlinalg and theon.tensor.slinalg against NumPy's linalg:
inverses, determinants, factorizations (checked by reconstruction and
against NumPy up to signs), eigendecompositions, solves, lstsq, norms,
kron and expm; gradients under verify_grad; singular input as an error."""

import math

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import gradient
from theon.tensor import nlinalg, slinalg

TOL = dict(rtol=1e-9, atol=1e-9)


def run(inputs, outputs, *values):
    return theon.function(inputs, outputs)(*values)


def spd(rng, n, batch=()):
    m = rng.standard_normal((*batch, n, n))
    return m @ np.swapaxes(m, -1, -2) / n + np.eye(n)


def nonsingular(rng, n, batch=()):
    return rng.standard_normal((*batch, n, n)) + n * np.eye(n)


def np_expm(a):
    """Taylor series with scaling and squaring, independent of theon's Padé."""
    s = max(0, int(np.ceil(np.log2(max(np.abs(a).sum(axis=0).max(), 1e-300)))) + 1)
    b = a / 2**s
    term, total = np.eye(len(a)), np.eye(len(a))
    for k in range(1, 30):
        term = term @ b / k
        total = total + term
    for _ in range(s):
        total = total @ total
    return total


def test_inverses_and_determinants(rng):
    a, w = T.dmatrix("a"), T.dmatrix("w")
    b = T.dtensor3("b")
    av, wv, bv = nonsingular(rng, 4), rng.standard_normal((3, 5)), nonsingular(rng, 3, (2,))
    sign, logdet = nlinalg.slogdet(b)
    outs = [
        nlinalg.matrix_inverse(a), nlinalg.matrix_inverse(b), nlinalg.pinv(w),
        nlinalg.det(a), nlinalg.det(b), sign, logdet,
        nlinalg.matrix_power(a, 3), nlinalg.matrix_power(a, -2), nlinalg.matrix_power(b, 0),
    ]
    got = run([a, w, b], outs, av, wv, bv)
    np_sign, np_log = np.linalg.slogdet(bv)
    want = [
        np.linalg.inv(av), np.linalg.inv(bv), np.linalg.pinv(wv),
        np.linalg.det(av), np.linalg.det(bv), np_sign, np_log,
        np.linalg.matrix_power(av, 3), np.linalg.matrix_power(av, -2),
        np.broadcast_to(np.eye(3), (2, 3, 3)),
    ]
    for g, w_ in zip(got, want):
        np.testing.assert_allclose(g, w_, **TOL)
    with pytest.raises(ValueError, match="singular"):
        run([a], [nlinalg.matrix_inverse(a)], np.ones((3, 3)))
    assert run([a], [nlinalg.det(a)], np.ones((3, 3)))[0] == 0.0


def test_factorizations_reconstruct_and_match_numpy(rng):
    a = T.dmatrix("a")
    for shape in [(5, 3), (3, 5), (4, 4)]:
        av = rng.standard_normal(shape)
        q, r = nlinalg.qr(a)
        qc, rc = nlinalg.qr(a, mode="complete")
        u, s, vh = nlinalg.svd(a, full_matrices=0)
        got = run([a], [q, r, qc, rc, nlinalg.qr(a, mode="r"), u, s, vh, nlinalg.svd(a, compute_uv=0)], av)
        k = min(shape)
        np.testing.assert_allclose(got[0] @ got[1], av, **TOL)
        np.testing.assert_allclose(got[2] @ got[3], av, **TOL)
        np.testing.assert_allclose(np.abs(got[1]), np.abs(np.linalg.qr(av)[1]), **TOL)
        np.testing.assert_allclose(got[4], got[1], **TOL)
        assert got[2].shape == (shape[0], shape[0])
        np.testing.assert_allclose(got[5] @ np.diag(got[6]) @ got[7], av, **TOL)
        np.testing.assert_allclose(got[6], np.linalg.svd(av, compute_uv=False), **TOL)
        np.testing.assert_allclose(got[8], got[6], **TOL)
        assert got[5].shape == (shape[0], k) and got[7].shape == (k, shape[1])
    with pytest.raises(ValueError, match="mode"):
        nlinalg.qr(a, mode="raw")


def test_cholesky_reads_the_lower_triangle(rng):
    a = T.dtensor3("a")
    av = spd(rng, 4, (2,))
    noisy = av + np.triu(rng.standard_normal((2, 4, 4)), 1)
    got = run([a], [slinalg.cholesky(a), slinalg.cholesky(a, lower=False)], noisy)
    want = np.linalg.cholesky(av)
    np.testing.assert_allclose(got[0], want, **TOL)
    np.testing.assert_allclose(got[1], np.swapaxes(want, -1, -2), **TOL)
    with pytest.raises(ValueError, match="positive definite"):
        run([a], [slinalg.cholesky(a)], -av)


def test_eigendecompositions(rng):
    a = T.dmatrix("a")
    sym = spd(rng, 4)
    upper_noisy = sym + np.tril(rng.standard_normal((4, 4)), -1)
    w, v = nlinalg.eigh(a, UPLO="U")
    outs = [w, v, nlinalg.eigvalsh(a, "U"), slinalg.eigvalsh(a, lower=False)]
    got = run([a], outs, upper_noisy)
    want_w = np.linalg.eigvalsh(sym)
    for g in (got[0], got[2], got[3]):
        np.testing.assert_allclose(g, want_w, **TOL)
    np.testing.assert_allclose(sym @ got[1], got[1] * got[0], **TOL)
    real = np.diag([1.0, 2.5, 4.0]) + 0.05 * rng.standard_normal((3, 3))
    ew, ev = run([a], list(nlinalg.eig(a)), real)
    np.testing.assert_allclose(np.sort(ew), np.sort(np.linalg.eigvals(real).real), **TOL)
    np.testing.assert_allclose(real @ ev, ev * ew, **TOL)
    np.testing.assert_allclose(np.linalg.norm(ev, axis=0), np.ones(3), **TOL)
    with pytest.raises(ValueError, match="UPLO"):
        nlinalg.eigh(a, UPLO="X")


def test_solves_for_every_structure(rng):
    a, b, m = T.dmatrix("a"), T.dvector("b"), T.dmatrix("m")
    av, bv, mv = nonsingular(rng, 4), rng.standard_normal(4), rng.standard_normal((4, 2))
    general = [
        (slinalg.solve(a, b), np.linalg.solve(av, bv)),
        (slinalg.solve_triangular(a, m, lower=True), np.linalg.solve(np.tril(av), mv)),
        (slinalg.solve_triangular(a, b, trans="T"), np.linalg.solve(np.triu(av).T, bv)),
        (slinalg.solve_lower_triangular(a, b), np.linalg.solve(np.tril(av), bv)),
        (slinalg.solve_upper_triangular(a, m), np.linalg.solve(np.triu(av), mv)),
    ]
    got = run([a, b, m], [c[0] for c in general], av, bv, mv)
    for g, (_, w) in zip(got, general):
        np.testing.assert_allclose(g, w, **TOL)
    # Structured solves read one triangle: noise in the other changes nothing.
    s = spd(rng, 4)
    noise = rng.standard_normal((4, 4))
    lower_read = [
        slinalg.solve(a, m, assume_a="pos", lower=True),
        slinalg.solve(a, m, assume_a="sym", lower=True),
        slinalg.solve_symmetric(a, m),
    ]
    upper_read = [
        slinalg.solve(a, m, assume_a="sym"),
        slinalg.solve(a, m, A_structure="symmetric"),
        slinalg.solve(a, m, assume_a="pos"),
    ]
    want = np.linalg.solve(s, mv)
    for outs, value in [(lower_read, s + np.triu(noise, 1)), (upper_read, s + np.tril(noise, -1))]:
        for g in run([a, m], outs, value, mv):
            np.testing.assert_allclose(g, want, **TOL)
    with pytest.raises(ValueError, match="structure"):
        slinalg.solve(a, b, assume_a="banded")
    with pytest.raises(ValueError, match="singular"):
        run([a, b], [slinalg.solve(a, b)], np.ones((4, 4)), bv)


def test_lstsq_norms_kron_expm_and_trace(rng):
    a, b, x, y = T.dmatrix("a"), T.dvector("b"), T.dtensor3("x"), T.dmatrix("y")
    av, bv = rng.standard_normal((6, 3)), rng.standard_normal(6)
    xv, yv = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 3)) * 2.5
    sol, res, rank, sv = nlinalg.lstsq(a, b)
    norms = [
        nlinalg.norm(b), nlinalg.norm(b, 1), nlinalg.norm(b, -np.inf), nlinalg.norm(b, 3),
        nlinalg.norm(a), nlinalg.norm(a, "nuc"), nlinalg.norm(a, 2), nlinalg.norm(a, np.inf),
        nlinalg.norm(x, "fro", axis=(2, 1), keepdims=True), nlinalg.norm(x, -1, axis=(0, 2)),
    ]
    want_norms = [
        np.linalg.norm(bv), np.linalg.norm(bv, 1), np.linalg.norm(bv, -np.inf), np.linalg.norm(bv, 3),
        np.linalg.norm(av), np.linalg.norm(av, "nuc"), np.linalg.norm(av, 2), np.linalg.norm(av, np.inf),
        np.linalg.norm(xv, "fro", axis=(2, 1), keepdims=True), np.linalg.norm(xv, -1, axis=(0, 2)),
    ]
    outs = [sol, res, rank, sv, *norms, nlinalg.kron(a, y), slinalg.kron(b, y),
            slinalg.expm(y), nlinalg.trace(y)]
    got = run([a, b, x, y], outs, av, bv, xv, yv)
    np_sol, np_res, np_rank, np_sv = np.linalg.lstsq(av, bv, rcond=None)
    for g, w in zip(got[:4], [np_sol, np_res, np_rank, np_sv]):
        np.testing.assert_allclose(g, w, **TOL)
    for g, w in zip(got[4:14], want_norms):
        np.testing.assert_allclose(g, w, **TOL)
    np.testing.assert_allclose(got[14], np.kron(av, yv), **TOL)
    np.testing.assert_allclose(got[15], np.kron(bv, yv), **TOL)
    np.testing.assert_allclose(got[16], np_expm(yv), rtol=1e-8, atol=1e-8)
    assert math.isclose(got[17], np.trace(yv), rel_tol=1e-12)
    with pytest.raises(ValueError, match="ord"):
        nlinalg.norm(b, "bad")


def test_gradients_through_linear_algebra(rng):
    sq = [nonsingular(rng, 3)]
    gradient.verify_grad(nlinalg.matrix_inverse, sq, rng=rng)
    gradient.verify_grad(nlinalg.det, sq, rng=rng)
    gradient.verify_grad(lambda m: nlinalg.slogdet(m)[1], sq, rng=rng)
    gradient.verify_grad(lambda m: slinalg.cholesky(m), [spd(rng, 3)], rng=rng)
    gradient.verify_grad(lambda m, v: slinalg.solve(m, v), sq + [rng.standard_normal(3)], rng=rng)
    gradient.verify_grad(lambda m: nlinalg.svd(m, compute_uv=0), [rng.standard_normal((4, 3))], rng=rng)
    gradient.verify_grad(lambda m: nlinalg.eigvalsh(m), [spd(rng, 3)], rng=rng)
    gradient.verify_grad(lambda m: slinalg.expm(m), [0.5 * rng.standard_normal((3, 3))], rng=rng)
    gradient.verify_grad(lambda m: nlinalg.norm(m, "nuc"), [rng.standard_normal((3, 4))], rng=rng)
    # d det / dA = det(A) inv(A).T
    a = T.dmatrix("a")
    g = theon.grad(nlinalg.det(a), a)
    av = sq[0]
    np.testing.assert_allclose(run([a], g, av), np.linalg.det(av) * np.linalg.inv(av).T, **TOL)
