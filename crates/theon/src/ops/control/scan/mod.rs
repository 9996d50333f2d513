//! `scan`: loops over sequences with recurrent state, compiled once and run
//! natively (Theano's `scan`, `map`, `reduce`, `foldl`, `foldr`).
//!
//! [`scan`] takes Theano's arguments through a builder and desugars them
//! into one [`Scan`] node whose structure is named ([`ScanSpec`]: constants,
//! read tracks, carries, write tracks). The body is an inner graph compiled
//! once, through the optimizer, into a program; the loop feeds it views of
//! the current rows and past states and writes its results into buffers
//! allocated once. Gradients (backpropagation through time, with
//! `truncate_gradient`) and R-ops are scans themselves, so gradients of
//! gradients work.

mod builder;
mod checkpoints;
mod desugar;
mod grad;
mod op;
mod outer;
mod parts;
mod rop;
mod rows;
mod run;
mod spec;
mod steps;
mod sugar;
mod vectorize;

pub use builder::{
    scan, IntoStepOutputs, OutputInfo, ScanBuilder, ScanOptions, ScanResult, Seq, StepArgs,
    StepOutputs,
};
pub use checkpoints::{scan_checkpoints, ScanCheckpoints};
pub use op::{with_time_axis, Scan};
pub use outer::{backwards, stack_read, steps_of};
pub use parts::{CarryPart, ReadPart, ScanNode, ScanParts, WritePart};
pub use spec::{Carry, ReadTrack, ScanSpec, SegLen, Segment, Steps, WriteTrack};
pub use steps::{scan_steps, ScanSteps};
pub use sugar::{foldl, foldr, map, reduce};
pub use vectorize::{Export, Lifted, Lifter};
