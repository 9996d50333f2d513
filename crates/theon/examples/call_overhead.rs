//! Per-call overhead of a compiled function: `f(x) = x + 1` on a 1-element
//! float64 array, called from Rust.
//!
//! Run: `cargo run --release -p theon --example call_overhead`
//!
//! Three numbers: with the reference kernel (`perform`, the oracle: simple,
//! allocation-heavy), with a minimal slice kernel registered through the
//! kernel-selection seam (what the fast CPU backend plugs into: this
//! isolates the executor's own overhead), and the same through
//! `call_owned` (arguments moved in, no clone of the input handle).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;
use theon::compile::{Inputs, Kernel, KernelRegistry};
use theon::graph::{Op, PerformCtx};
use theon::ops::elemwise::{BinaryOp, Elemwise, ScalarOp};
use theon::prelude::*;
use theon::Result;

/// `a + b` for float64 where one side has a single element or both have
/// the same contiguous shape; anything else goes to the reference.
struct AddF64 {
    op: Elemwise,
}

impl Kernel for AddF64 {
    fn name(&self) -> &str {
        "example.add_f64"
    }

    fn run(
        &self,
        inputs: &mut Inputs<'_>,
        ctx: &PerformCtx,
        outputs: &mut Vec<Tensor>,
    ) -> Result<()> {
        let (a, b) = (inputs.get(0), inputs.get(1));
        let (big, small) = if a.size() >= b.size() { (a, b) } else { (b, a) };
        match (big.as_slice::<f64>(), small.as_slice::<f64>()) {
            (Some(x), Some(y)) if y.len() == 1 || y.len() == x.len() => {
                let mut out = Tensor::zeros(F64, big.shape());
                let dst = out.data_mut::<f64>();
                if y.len() == 1 {
                    dst.iter_mut().zip(x).for_each(|(d, &v)| *d = v + y[0]);
                } else {
                    dst.iter_mut()
                        .zip(x.iter().zip(y))
                        .for_each(|(d, (&u, &v))| *d = u + v);
                }
                outputs.push(out);
                Ok(())
            }
            _ => {
                outputs.extend(self.op.perform(&inputs.to_vec(), ctx)?);
                Ok(())
            }
        }
    }
}

fn fast_registry() -> KernelRegistry {
    let mut kernels = KernelRegistry::standard();
    kernels.register_op::<Elemwise>("example.add_f64", |op, ins, _| {
        let add = op.op == ScalarOp::Binary(BinaryOp::Add);
        let f64s = ins.iter().all(|t| t.dtype == F64);
        (add && f64s).then(|| Arc::new(AddF64 { op: op.clone() }) as Arc<dyn Kernel>)
    });
    kernels
}

/// Nanoseconds this thread has spent on a CPU (Linux schedstat), if known.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Per-call time in µs: the best over `rounds` rounds of `calls` calls,
/// as wall-clock time and as time on the CPU (which excludes the time the
/// thread waited for a core on a busy machine).
fn time_per_call(mut call: impl FnMut(), calls: usize, rounds: usize) -> (f64, Option<f64>) {
    for _ in 0..calls / 10 {
        call();
    }
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..rounds {
        let (started, cpu_started) = (Instant::now(), thread_cpu_ns());
        for _ in 0..calls {
            call();
        }
        wall.push(started.elapsed().as_secs_f64() * 1e6 / calls as f64);
        if let (Some(a), Some(b)) = (cpu_started, thread_cpu_ns()) {
            cpu.push((b - a) as f64 * 1e-3 / calls as f64);
        }
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    (best(&wall), (!cpu.is_empty()).then(|| best(&cpu)))
}

fn report(label: &str, (wall, cpu): (f64, Option<f64>)) {
    let cpu = cpu.map_or("n/a".to_string(), |c| format!("{c:.3}"));
    println!("  {label:<36} {wall:8.3} us/call wall, {cpu:>8} us/call on CPU");
}

fn main() {
    let x = vector("x", F64);
    let y = &x + 1.0;
    let reference = Function::builder(std::slice::from_ref(&x), std::slice::from_ref(&y))
        .kernels(KernelRegistry::reference_only())
        .build()
        .unwrap();
    // The default registry: the CPU backend's fused elementwise kernel.
    let standard = function(std::slice::from_ref(&x), std::slice::from_ref(&y)).unwrap();
    let fast = Function::builder(std::slice::from_ref(&x), std::slice::from_ref(&y))
        .kernels(fast_registry())
        .build()
        .unwrap();
    println!("program: {:?}", fast.program().kernel_names());
    let value = Tensor::from_vec(vec![41.0f64], &[1]).unwrap();
    assert_eq!(
        fast.call(std::slice::from_ref(&value)).unwrap()[0].to_vec::<f64>(),
        [42.0]
    );
    assert_eq!(
        reference.call(std::slice::from_ref(&value)).unwrap()[0].to_vec::<f64>(),
        [42.0]
    );

    let owner = Function::builder(&[In::new(&x).mutable(true)], std::slice::from_ref(&y))
        .kernels(fast_registry())
        .build()
        .unwrap();
    let (calls, rounds) = (200_000, 9);
    let slow = time_per_call(
        || {
            black_box(reference.call(std::slice::from_ref(&value)).unwrap());
        },
        calls / 10,
        rounds,
    );
    let backend = time_per_call(
        || {
            black_box(standard.call(std::slice::from_ref(&value)).unwrap());
        },
        calls,
        rounds,
    );
    let lean = time_per_call(
        || {
            black_box(fast.call(std::slice::from_ref(&value)).unwrap());
        },
        calls,
        rounds,
    );
    let owned = time_per_call(
        || {
            let arg = Tensor::from_vec(vec![41.0f64], &[1]).unwrap();
            black_box(owner.call_owned(vec![arg]).unwrap());
        },
        calls,
        rounds,
    );
    let making_arg = time_per_call(
        || {
            black_box(vec![Tensor::from_vec(vec![41.0f64], &[1]).unwrap()]);
        },
        calls,
        rounds,
    );
    println!("f(x) = x + 1, x: float64[1], best of {rounds} rounds");
    report("reference kernel (perform), call", slow);
    report("CPU backend (cpu.fused), call", backend);
    report("slice kernel via the seam, call", lean);
    report("slice kernel, call_owned (mutable x)", owned);
    report("  of which building the argument", making_arg);
}
