"""theon against its peers, side by side in one run (workloads W1, W2, W3,
W4, W5, W6, W8, W9 of ../shared/BENCHMARKS.md, mirrored in docs/benchmarks.md,
plus IX: gather and scatter of matrix rows).

    .venv/bin/python benches/peers.py            # everything
    .venv/bin/python benches/peers.py W1 W5      # some workloads

Every contender's result is checked against a float64 NumPy reference
before it is timed (a wrong result aborts the run). Timings are medians of
at least 7 runs after 2 warm-ups, and contenders are interleaved run by run
(theon, NumPy, numexpr, ..., theon, NumPy, ...) so that load from other
tenants of the machine hits all of them alike; ratios between contenders
of one run are the meaningful figures. On a loaded 2-core machine, run W4
with OPENBLAS_NUM_THREADS=1: NumPy's small per-step products otherwise
spin two OpenBLAS threads against the other tenants (10x slower, and
they slow the other contenders too). Peers that are not installed
(numexpr, JAX, PyTorch, PyTensor) are skipped and listed as such.
"""

import argparse
import importlib
import os
import statistics
import sys
import time

import numpy as np

import theon
import theon.tensor as T

# Machine limits (BENCHMARKS.md: 2-core AMD EPYC, AVX2+FMA).
STREAM_GBS = 22.0
GEMM_PEAK = {"float32": 175.0, "float64": 83.0}


def optional(name):
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None


ne = optional("numexpr")
jax = optional("jax")
torch = optional("torch")
pytensor = optional("pytensor")
PEERS = {"numexpr": ne, "JAX": jax, "PyTorch": torch, "PyTensor": pytensor}


def check(name, got, want, rtol, atol):
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not np.allclose(got, want, rtol=rtol, atol=atol):
        err = np.max(np.abs(got - want)) if got.shape == want.shape else "shape"
        sys.exit(f"{name}: result differs from the float64 reference (max abs error {err})")


def interleaved(contenders, runs, warmups=2):
    """Median seconds per contender; one call of each per round."""
    for _ in range(warmups):
        for fn in contenders.values():
            fn()
    times = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


ROWS = []


def report(workload, medians, limit_s=None, unit="ms", note=""):
    """Adds table rows: time, ratio to theon's, ratio of the limit."""
    scale = {"ms": 1e3, "s": 1.0, "us": 1e6}[unit]
    base = medians.get("theon")
    for name, t in medians.items():
        ratio = f"{t / base:.2f}" if base else "-"
        lim = f"{limit_s / t:.2f}" if limit_s else "-"
        ROWS.append((workload, name, f"{t * scale:.3f} {unit}", ratio, lim, note if name == "theon" else ""))
        print(f"  {workload:<28} {name:<22} {t * scale:10.3f} {unit}  x{ratio} of theon  limit/time {lim}", flush=True)


# --- W1: fused elementwise ------------------------------------------------


def w1(runs, n=10_000_000):
    for dtype in ("float32", "float64"):
        rng = np.random.default_rng(1)
        x, y, z = (rng.standard_normal(n).astype(dtype) for _ in range(3))
        want = np.exp(x.astype("f8")) * y + np.tanh(z.astype("f8")) - 0.5 * x.astype("f8") ** 2
        vx, vy, vz = (T.vector(name, dtype=dtype) for name in "xyz")
        f = theon.function([vx, vy, vz], T.exp(vx) * vy + T.tanh(vz) - 0.5 * vx * vx)
        # The same function over shared variables. The array arguments of
        # `f` are not copied either (the bindings read NumPy memory in
        # place), so the two should time alike.
        sx, sy, sz = (theon.shared(v, name=f"s{n}") for v, n in ((x, "x"), (y, "y"), (z, "z")))
        fs = theon.function([], T.exp(sx) * sy + T.tanh(sz) - 0.5 * sx * sx)
        contenders = {
            "theon": lambda: f(x, y, z),
            "theon (shared inputs)": fs,
            "NumPy": lambda: np.exp(x) * y + np.tanh(z) - 0.5 * x * x,
        }
        if ne:
            env = {"x": x, "y": y, "z": z}
            contenders["numexpr"] = lambda: ne.evaluate("exp(x)*y + tanh(z) - 0.5*x*x", local_dict=env)
        if jax:
            import jax.numpy as jnp

            jf = jax.jit(lambda a, b, c: jnp.exp(a) * b + jnp.tanh(c) - 0.5 * a * a)
            jx, jy, jz = (jax.device_put(v) for v in (x, y, z))
            contenders["JAX"] = lambda: jf(jx, jy, jz).block_until_ready()
        tol = (1e-5, 1e-5) if dtype == "float32" else (1e-12, 1e-12)
        for name, fn in contenders.items():
            check(f"W1 {dtype} {name}", fn(), want, *tol)
        floor = 4 * n * np.dtype(dtype).itemsize / (STREAM_GBS * 1e9)
        report(f"W1 fused elementwise {dtype}", interleaved(contenders, runs), floor,
               note=f"floor {floor * 1e3:.1f} ms at {STREAM_GBS:.0f} GB/s")


# --- W2: logistic regression, full batch ------------------------------------


def logreg_numpy_step(X, y, W, b, lr):
    logits = X @ W + b
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    n = X.shape[0]
    cost = -np.mean(np.log(p[np.arange(n), y]))
    p[np.arange(n), y] -= 1.0
    p /= n
    W -= lr * (X.T @ p)
    b -= lr * p.sum(axis=0)
    return cost


def w2(runs, n=60000, d=784, k=10, lr=0.1):
    rng = np.random.default_rng(2)
    X = rng.random((n, d), dtype=np.float32)
    y = rng.integers(0, k, n).astype("int32")
    W0 = (0.01 * rng.standard_normal((d, k))).astype("float32")
    b0 = np.zeros(k, dtype="float32")
    sX, sy = theon.shared(X, name="X"), theon.shared(y, name="y")
    W, b = theon.shared(W0.copy(), name="W"), theon.shared(b0.copy(), name="b")
    p = T.nnet.softmax(T.dot(sX, W) + b)
    cost = T.nnet.categorical_crossentropy(p, sy).mean()
    gW, gb = theon.grad(cost, [W, b])
    step = theon.function([], cost, updates=[(W, W - lr * gW), (b, b - lr * gb)])
    # Verify one step of each against float64.
    Wr, br = W0.astype("f8"), b0.astype("f8")
    want_cost = logreg_numpy_step(X.astype("f8"), y, Wr, br, lr)
    check("W2 theon cost", step(), want_cost, 1e-4, 1e-5)
    check("W2 theon W", W.get_value(), Wr, 1e-3, 1e-6)
    Wn, bn = W0.copy(), b0.copy()
    check("W2 NumPy cost", logreg_numpy_step(X, y, Wn, bn, np.float32(lr)), want_cost, 1e-4, 1e-5)
    check("W2 NumPy W", Wn, Wr, 1e-3, 1e-6)
    # The same step without the one-pass rewrite (X read by two products),
    # on its own copy of the parameters: before/after in one run.
    W2_, b2_ = theon.shared(W0.copy(), name="W"), theon.shared(b0.copy(), name="b")
    p2 = T.nnet.softmax(T.dot(sX, W2_) + b2_)
    cost2 = T.nnet.categorical_crossentropy(p2, sy).mean()
    gW2, gb2 = theon.grad(cost2, [W2_, b2_])
    two_pass = theon.Mode().excluding("row_blocked", "softmax_with_crossentropy")
    step2 = theon.function([], cost2, updates=[(W2_, W2_ - lr * gW2), (b2_, b2_ - lr * gb2)],
                           mode=two_pass)
    check("W2 theon two-pass cost", step2(), want_cost, 1e-4, 1e-5)
    contenders = {
        "theon": step,
        "theon (rewrite off: two passes)": step2,
        "NumPy": lambda: logreg_numpy_step(X, y, Wn, bn, np.float32(lr)),
    }
    floor = X.nbytes / (STREAM_GBS * 1e9)
    report("W2 logistic regression step", interleaved(contenders, runs), floor,
           note=f"one pass over X: {floor * 1e3:.1f} ms")


# --- W3: MLP epoch ---------------------------------------------------------


def mlp_numpy_step(x, y, params, lr):
    W1, b1, W2, b2 = params
    h = np.tanh(x @ W1 + b1)
    logits = h @ W2 + b2
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    m = x.shape[0]
    p[np.arange(m), y] -= 1.0
    p /= m
    gW2, gb2 = h.T @ p, p.sum(axis=0)
    dh = (p @ W2.T) * (1.0 - h * h)
    gW1, gb1 = x.T @ dh, dh.sum(axis=0)
    for param, g in zip(params, (gW1, gb1, gW2, gb2)):
        param -= lr * g


def w3(runs, steps=390, batch=128, d=784, hidden=500, k=10, lr=0.01):
    rng = np.random.default_rng(3)
    n = steps * batch
    X = rng.random((n, d), dtype=np.float32)
    y = rng.integers(0, k, n).astype("int32")
    bound = np.sqrt(6.0 / (d + hidden))
    init = [
        rng.uniform(-bound, bound, (d, hidden)).astype("float32"),
        np.zeros(hidden, "float32"),
        rng.uniform(-0.1, 0.1, (hidden, k)).astype("float32"),
        np.zeros(k, "float32"),
    ]
    sX, sy = theon.shared(X, name="X"), theon.shared(y, name="y")
    params = [theon.shared(v.copy(), name=f"p{i}") for i, v in enumerate(init)]
    W1, b1, W2, b2 = params
    i = T.lscalar("i")
    x, t = T.matrix("x", dtype="float32"), T.ivector("t")
    h = T.tanh(T.dot(x, W1) + b1)
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(T.dot(h, W2) + b2), t).mean()
    grads = theon.grad(cost, params)
    step = theon.function(
        [i], cost,
        updates=[(p, p - lr * g) for p, g in zip(params, grads)],
        givens={x: sX[i * batch:(i + 1) * batch], t: sy[i * batch:(i + 1) * batch]},
    )
    ref = [v.astype("f8") for v in init]
    mlp_numpy_step(X[:batch].astype("f8"), y[:batch], ref, lr)
    step(0)
    for p, r in zip(params, ref):
        check("W3 theon step", p.get_value(), r, 1e-3, 1e-6)
    mine = [v.copy() for v in init]
    mlp_numpy_step(X[:batch], y[:batch], mine, np.float32(lr))
    for p, r in zip(mine, ref):
        check("W3 NumPy step", p, r, 1e-3, 1e-6)

    def theon_epoch():
        for s in range(steps):
            step(s)

    def numpy_epoch():
        for s in range(steps):
            sl = slice(s * batch, (s + 1) * batch)
            mlp_numpy_step(X[sl], y[sl], mine, np.float32(lr))

    # Forward and weight gradients of both layers, plus the gradient into h.
    flops = 2 * n * (2 * d * hidden + 3 * hidden * k)
    floor = flops / (GEMM_PEAK["float32"] * 1e9)
    report(f"W3 MLP epoch ({steps} steps)", interleaved({"theon": theon_epoch, "NumPy": numpy_epoch}, runs),
           floor, unit="s", note=f"FLOP floor {floor:.2f} s")


# --- W4: tanh RNN via scan, forward + BPTT --------------------------------


def rnn_numpy_grads(x, h0, W, U, b):
    """Loss ``sum(h_T**2)`` of ``h_t = tanh(x_t W + h_{t-1} U + b)`` and its
    gradients for W, U, b: a forward loop and backpropagation through time
    by hand."""
    hs = [h0]
    for t in range(x.shape[0]):
        hs.append(np.tanh(x[t] @ W + hs[-1] @ U + b))
    loss = (hs[-1] ** 2).sum()
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    delta = 2 * hs[-1]
    for t in range(x.shape[0] - 1, -1, -1):
        dz = delta * (1 - hs[t + 1] ** 2)
        dW += x[t].T @ dz
        dU += hs[t].T @ dz
        db += dz.sum(axis=0)
        delta = dz @ U.T
    return loss, dW, dU, db


def w4(runs, steps=100, batch=32, n_in=64, n_hid=128):
    rng = np.random.default_rng(4)
    data = [
        rng.standard_normal((steps, batch, n_in)),
        rng.standard_normal((batch, n_hid)) * 0.5,
        rng.standard_normal((n_in, n_hid)) * 0.5 / np.sqrt(n_in),
        rng.standard_normal((n_hid, n_hid)) * 0.9 / np.sqrt(n_hid),
        rng.standard_normal(n_hid) * 0.1,
    ]
    want = rnn_numpy_grads(*data)
    data32 = [v.astype("float32") for v in data]
    x, h0, W, U, b = (theon.shared(v, name=n) for v, n in zip(data32, ["x", "h0", "W", "U", "b"]))
    h, _ = theon.scan(lambda x_t, h_prev, W, U, b: T.tanh(T.dot(x_t, W) + T.dot(h_prev, U) + b),
                      sequences=x, outputs_info=h0, non_sequences=[W, U, b])
    loss = (h[-1] ** 2).sum()
    f = theon.function([], [loss, *theon.grad(loss, [W, U, b])])
    contenders = {"theon": f, "NumPy (loop + hand BPTT)": lambda: rnn_numpy_grads(*data32)}
    if jax:
        import jax.numpy as jnp

        def jax_loss(W, U, b, x, h0):
            def step(h, x_t):
                h = jnp.tanh(x_t @ W + h @ U + b)
                return h, None

            h_last, _ = jax.lax.scan(step, h0, x)
            return (h_last**2).sum()

        jf = jax.jit(jax.value_and_grad(jax_loss, argnums=(0, 1, 2)))
        jx, jh0, jW, jU, jb = (jax.device_put(v) for v in data32)

        def jax_run():
            value, grads = jf(jW, jU, jb, jx, jh0)
            return [value.block_until_ready(), *(np.asarray(g) for g in grads)]

        contenders["JAX"] = jax_run
    if pytensor:
        import pytensor.tensor as pt

        px, ph0 = pt.tensor3("x", dtype="float32"), pt.matrix("h0", dtype="float32")
        pW, pU = pt.matrix("W", dtype="float32"), pt.matrix("U", dtype="float32")
        pb = pt.vector("b", dtype="float32")
        ph, _ = pytensor.scan(lambda x_t, h_prev, W, U, b: pt.tanh(pt.dot(x_t, W) + pt.dot(h_prev, U) + b),
                              sequences=px, outputs_info=ph0, non_sequences=[pW, pU, pb])
        ploss = (ph[-1] ** 2).sum()
        pf = pytensor.function([px, ph0, pW, pU, pb], [ploss, *pytensor.grad(ploss, [pW, pU, pb])])
        contenders["PyTensor"] = lambda: pf(*data32)
    for name, fn in contenders.items():
        for got, ref, what in zip(fn(), want, ["loss", "dW", "dU", "db"]):
            scale = np.abs(ref).max()
            check(f"W4 {name} {what}", got, ref, 2e-3, 2e-4 * scale)
    # Per step: x_t W and h U forward; x_t' dz, h' dz and dz U' backward.
    flops = 2 * steps * batch * (2 * n_in * n_hid + 3 * n_hid * n_hid)
    floor = flops / (GEMM_PEAK["float32"] * 1e9)
    report("W4 tanh RNN scan fwd+BPTT f32", interleaved(contenders, runs), floor,
           note=f"FLOP floor {floor * 1e3:.2f} ms; theon's data in shared variables")


# --- W9: scan per-step overhead ------------------------------------------------


def w9(runs, steps=100_000):
    h0 = T.dscalar("h0")
    hs, _ = theon.scan(lambda h: h + 1, outputs_info=h0, n_steps=steps)
    # scan_sum_out may turn the accumulating loop into h0 + steps; keep
    # the loop, since its per-step cost is what W9 measures.
    mode = theon.compile.mode.get_mode("FAST_RUN").excluding("scan_sum_out")
    last = theon.function([h0], hs[-1], mode=mode)
    history = theon.function([h0], hs, mode=mode)
    check("W9 theon last", last(0.5), 0.5 + steps, 0, 0)
    check("W9 theon history", history(0.5)[[0, -1]], [1.5, 0.5 + steps], 0, 0)

    def python_loop():
        h = np.float64(0.5)
        for _ in range(steps):
            h = h + 1
        return h

    check("W9 Python loop", python_loop(), 0.5 + steps, 0, 0)
    contenders = {
        "theon": lambda: last(0.5),
        "theon (keeping the history)": lambda: history(0.5),
        "Python loop on a NumPy scalar": python_loop,
    }
    medians = interleaved(contenders, runs)
    report(f"W9 scan per step, h+1 ({steps} steps)", {k: t / steps for k, t in medians.items()},
           None, unit="us", note="target <= 0.5 us per step")


# --- W5: GEMM --------------------------------------------------------------


def w5(runs):
    for n in (1024, 2048):
        for dtype in ("float32", "float64"):
            rng = np.random.default_rng(5)
            A, B = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
            want = A.astype("f8") @ B.astype("f8")
            sA, sB = theon.shared(A, name="A"), theon.shared(B, name="B")
            f = theon.function([], T.dot(sA, sB))
            contenders = {"theon": f, "NumPy": lambda: A @ B}
            tol = (1e-3, 1e-3) if dtype == "float32" else (1e-10, 1e-10)
            for name, fn in contenders.items():
                check(f"W5 {n} {dtype} {name}", fn(), want, *tol)
            medians = interleaved(contenders, runs)
            flop = 2.0 * n**3
            gf = {k: flop / t / 1e9 for k, t in medians.items()}
            note = f"{gf['theon']:.0f} GFLOP/s vs NumPy {gf['NumPy']:.0f}"
            report(f"W5 GEMM n={n} {dtype}", medians, flop / (GEMM_PEAK[dtype] * 1e9), note=note)


# --- W6: logsumexp over rows -------------------------------------------------


def w6(runs, n=4096):
    rng = np.random.default_rng(6)
    X = rng.standard_normal((n, n)).astype("float32")
    X64 = X.astype("f8")
    m = X64.max(axis=1, keepdims=True)
    want = (m + np.log(np.exp(X64 - m).sum(axis=1, keepdims=True)))[:, 0]
    sX = theon.shared(X, name="X")
    f = theon.function([], T.log(T.sum(T.exp(sX), axis=1)))

    def numpy_lse():
        mx = X.max(axis=1, keepdims=True)
        return (mx + np.log(np.exp(X - mx).sum(axis=1, keepdims=True)))[:, 0]

    contenders = {"theon": f, "NumPy": numpy_lse}
    for name, fn in contenders.items():
        check(f"W6 {name}", fn(), want, 1e-5, 1e-5)
    floor = X.nbytes / (STREAM_GBS * 1e9)
    report("W6 logsumexp rows 4096^2 f32", interleaved(contenders, runs), floor,
           note=f"one pass: {floor * 1e3:.2f} ms")


# --- W8: per-call overhead ---------------------------------------------------


def w8(runs, calls=20000):
    x = np.array([1.5])
    v = T.dvector("x")
    f = theon.function([v], v + 1)
    check("W8 theon", f(x), x + 1, 0, 0)

    def loop(fn):
        def run():
            for _ in range(calls):
                fn(x)
        return run

    trusted = theon.function([v], v + 1)
    trusted.trust_input = True  # PyTensor's flag: exact arrays only, no conversion
    check("W8 theon trust_input", trusted(x), x + 1, 0, 0)
    contenders = {"theon": loop(f), "theon (trust_input)": loop(trusted), "NumPy": loop(lambda a: a + 1)}
    medians = interleaved(contenders, runs)
    report("W8 call overhead x+1 (1 elt)", {k: t / calls for k, t in medians.items()}, None, unit="us")


# --- IX: gather and scatter (advanced indexing) ---------------------------


def ix(runs, n=60000, d=784, picks=4096):
    """Rows of a shared 60000x784 float32 matrix: gather `X[i]`, and
    `inc_subtensor(X[i], V)` with repeated rows against NumPy's copy plus
    `np.add.at` (both produce a new matrix)."""
    rng = np.random.default_rng(7)
    X = rng.random((n, d), dtype=np.float32)
    idx = rng.integers(-n, n, picks)
    V = rng.random((picks, d), dtype=np.float32)
    xs = theon.shared(X)
    i, v = T.lvector("i"), T.fmatrix("v")
    gather = theon.function([i], xs[i])
    scatter = theon.function([i, v], T.inc_subtensor(xs[i], v))

    def numpy_scatter():
        out = X.copy()
        np.add.at(out, idx, V)
        return out

    check("IX gather theon", gather(idx), X[idx], 0, 0)
    check("IX inc theon", scatter(idx, V), numpy_scatter(), 1e-6, 1e-6)
    limit = picks * d * 4 * 2 / (STREAM_GBS * 1e9)
    medians = interleaved({"theon": lambda: gather(idx), "NumPy": lambda: X[idx]}, runs)
    report("IX gather X[i] 4096 rows", medians, limit)
    medians = interleaved({"theon": lambda: scatter(idx, V), "NumPy": numpy_scatter}, runs)
    report("IX inc_subtensor(X[i], V)", medians, 2 * X.nbytes / (STREAM_GBS * 1e9))


WORKLOADS = {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W8": w8, "W9": w9, "IX": ix}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    print(f"theon vs peers; load average {os.getloadavg()[0]:.1f}; runs {args.runs}", flush=True)
    for name, mod in PEERS.items():
        print(f"  {name}: {'installed' if mod else 'not installed, skipped'}")
    for w in args.workloads:
        WORKLOADS[w](args.runs)
    print("\n| workload | contender | median | time / theon's | limit / time | note |")
    print("|---|---|---|---|---|---|")
    for row in ROWS:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
