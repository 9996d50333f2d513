//! `Einsum`: NumPy's `einsum` with explicit (`"ij,jk->ik"`) and implicit
//! (`"ij,jk"`) outputs, repeated labels (traces, diagonals) and `...`
//! broadcasting. Subscripts are parsed once, when the node is built, into
//! a [`Contraction`]; the ranks of graph variables are static, so `...`
//! expands then too.
//!
//! Rules (NumPy's): letters `a-z`, `A-Z` label axes; the implicit output is
//! the `...` axes followed by the labels used exactly once, in ASCII order;
//! an explicit output may omit `...`, which then sums the broadcast axes.
//! Axes statically 1 broadcast against equally labelled axes.

use super::contraction::Contraction;
use crate::dtype::promote_all;
use crate::error::{Error, Result, Site};
use crate::graph::{Grad, Op, PerformCtx, TensorType, Var};
use crate::tensor::Tensor;

/// `einsum` with parsed subscripts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Einsum {
    /// The subscripts with an explicit output, as parsed (`"ij,jk->ik"`).
    pub subscripts: String,
    pub spec: Contraction,
}

/// One term of the subscripts: its letters, with the position of `...`.
struct Term {
    letters: Vec<char>,
    /// Index in `letters` where `...` stands, if present.
    ellipsis: Option<usize>,
}

const OP: &str = "einsum";

fn parse_term(text: &str, what: &str) -> Result<Term> {
    let mut letters = Vec::new();
    let mut ellipsis = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("...") {
            if ellipsis.is_some() {
                return Err(Error::value(
                    OP,
                    format!("{what} '{text}' contains more than one '...'"),
                ));
            }
            ellipsis = Some(letters.len());
            rest = &rest[3..];
            continue;
        }
        if !c.is_ascii_alphabetic() {
            return Err(Error::value(
                OP,
                format!("invalid character '{c}' in {what} '{text}' (subscripts are letters a-z, A-Z and '...')"),
            ));
        }
        letters.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Ok(Term { letters, ellipsis })
}

/// The label of a letter; broadcast (`...`) axes use labels from 52 on.
fn letter_label(c: char) -> usize {
    if c.is_ascii_lowercase() {
        c as usize - 'a' as usize
    } else {
        26 + c as usize - 'A' as usize
    }
}

/// Labels of one operand's axes, with its `...` axes right-aligned among
/// `n_broadcast` broadcast labels.
fn operand_labels(term: &Term, ndim: usize, n_broadcast: usize) -> Vec<usize> {
    let mut labels: Vec<usize> = term.letters.iter().map(|&c| letter_label(c)).collect();
    if let Some(at) = term.ellipsis {
        let k = ndim - term.letters.len();
        let broadcast = (n_broadcast - k..n_broadcast).map(|e| 52 + e);
        labels.splice(at..at, broadcast);
    }
    labels
}

/// Parses `subscripts` for operands of ranks `ranks` into an `Einsum`.
pub fn parse(subscripts: &str, ranks: &[usize]) -> Result<Einsum> {
    let text: String = subscripts.chars().filter(|c| !c.is_whitespace()).collect();
    let (lhs, rhs) = match text.split_once("->") {
        Some((_, r)) if r.contains("->") => {
            return Err(Error::value(
                OP,
                format!("subscripts '{subscripts}' contain '->' more than once"),
            ));
        }
        Some((l, r)) => (l, Some(r)),
        None => (text.as_str(), None),
    };
    let terms: Vec<Term> = lhs
        .split(',')
        .map(|t| parse_term(t, "input subscripts"))
        .collect::<Result<_>>()?;
    if terms.len() != ranks.len() {
        return Err(Error::value(
            OP,
            format!(
                "subscripts '{subscripts}' name {} operand(s), but {} were given",
                terms.len(),
                ranks.len()
            ),
        ));
    }
    let mut n_broadcast = 0;
    for (i, (term, &ndim)) in terms.iter().zip(ranks).enumerate() {
        let named = term.letters.len();
        if named > ndim || (term.ellipsis.is_none() && named != ndim) {
            return Err(Error::value(
                OP,
                format!("operand {i} has rank {ndim}, but its subscripts name {named} axes"),
            ));
        }
        n_broadcast = n_broadcast.max(ndim - named);
    }
    let operands: Vec<Vec<usize>> = terms
        .iter()
        .zip(ranks)
        .map(|(t, &ndim)| operand_labels(t, ndim, n_broadcast))
        .collect();
    let used: Vec<char> = terms
        .iter()
        .flat_map(|t| t.letters.iter().copied())
        .collect();
    let output_term = match rhs {
        Some(r) => explicit_output(r, &used)?,
        None => implicit_output(&used, terms.iter().any(|t| t.ellipsis.is_some())),
    };
    let output = operand_labels(
        &output_term,
        output_term.letters.len() + n_broadcast,
        n_broadcast,
    );
    Ok(Einsum {
        subscripts: normalized(&terms, &output_term),
        spec: compact(operands, output),
    })
}

fn explicit_output(text: &str, used: &[char]) -> Result<Term> {
    let term = parse_term(text, "output subscripts")?;
    for (i, c) in term.letters.iter().enumerate() {
        if !used.contains(c) {
            return Err(Error::value(
                OP,
                format!("output subscript '{c}' does not appear in the input subscripts"),
            ));
        }
        if term.letters[..i].contains(c) {
            return Err(Error::value(
                OP,
                format!("output subscript '{c}' appears more than once"),
            ));
        }
    }
    // Without '...' in the output the broadcast axes are summed.
    Ok(term)
}

/// NumPy's implicit output: broadcast axes, then each letter used once.
fn implicit_output(used: &[char], broadcasts: bool) -> Term {
    let mut once: Vec<char> = used
        .iter()
        .copied()
        .filter(|c| used.iter().filter(|d| *d == c).count() == 1)
        .collect();
    once.sort_unstable();
    Term {
        letters: once,
        ellipsis: broadcasts.then_some(0),
    }
}

fn term_text(term: &Term) -> String {
    let mut s: String = term.letters.iter().collect();
    if let Some(at) = term.ellipsis {
        s.insert_str(at, "...");
    }
    s
}

fn normalized(terms: &[Term], output: &Term) -> String {
    let inputs: Vec<String> = terms.iter().map(term_text).collect();
    format!("{}->{}", inputs.join(","), term_text(output))
}

/// Renumbers labels densely (in order of first use), so the contraction
/// has no unused labels.
fn compact(operands: Vec<Vec<usize>>, output: Vec<usize>) -> Contraction {
    let mut order: Vec<usize> = Vec::new();
    for &l in operands.iter().flatten() {
        if !order.contains(&l) {
            order.push(l);
        }
    }
    let id = |l: &usize| {
        order
            .iter()
            .position(|o| o == l)
            .expect("output labels appear in inputs")
    };
    Contraction {
        operands: operands
            .iter()
            .map(|labels| labels.iter().map(id).collect())
            .collect(),
        output: output.iter().map(id).collect(),
        broadcast: vec![true; order.len()],
    }
}

impl Op for Einsum {
    fn name(&self) -> String {
        format!("einsum{{{}}}", self.subscripts)
    }

    fn output_types(&self, inputs: &[TensorType]) -> Result<Vec<TensorType>> {
        let dtypes: Vec<_> = inputs.iter().map(|t| t.dtype).collect();
        let dtype = promote_all(&dtypes)
            .ok_or_else(|| Error::value(self.name(), "needs at least one operand"))?;
        let shape = self.spec.output_shape_static(&self.name(), inputs)?;
        Ok(vec![TensorType::new(dtype, shape)])
    }

    fn perform(&self, inputs: &[Tensor], ctx: &PerformCtx) -> Result<Vec<Tensor>> {
        let dtype = ctx.output_types[0].dtype;
        Ok(vec![self.spec.evaluate(
            &self.name(),
            inputs,
            ctx.input_types,
            dtype,
        )?])
    }

    fn pullback(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        output_grads: &[Var],
    ) -> Result<Vec<Grad>> {
        let spec = self.spec.clone();
        super::grad::contraction_pullback(&spec, inputs, &output_grads[0])
    }

    fn pushforward(
        &self,
        inputs: &[Var],
        _outputs: &[Var],
        tangents: &[Option<Var>],
    ) -> Result<Vec<Option<Var>>> {
        super::grad::multilinear_pushforward(self, inputs, tangents)
    }
}

/// `einsum(subscripts, operands)`, or the error (invalid subscripts,
/// operand count or ranks that do not match, sizes that do not align).
#[track_caller]
pub fn try_einsum(subscripts: &str, operands: &[&Var]) -> Result<Var> {
    let site = Site::caller();
    if operands.is_empty() {
        return Err(Error::value(OP, "needs at least one operand").at(&site));
    }
    let ranks: Vec<usize> = operands.iter().map(|v| v.ndim()).collect();
    let op = parse(subscripts, &ranks).map_err(|e| e.at(&site))?;
    let inputs: Vec<Var> = operands.iter().map(|&v| v.clone()).collect();
    Var::apply1(op, &inputs)
}

/// NumPy's `einsum`: `einsum("ij,jk->ik", &[&a, &b])` is `a @ b`,
/// `einsum("ii", &[&a])` the trace, `einsum("...ij->...ji", &[&a])` a
/// batched transpose.
#[track_caller]
pub fn einsum(subscripts: &str, operands: &[&Var]) -> Var {
    try_einsum(subscripts, operands).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn implicit_outputs_follow_numpy_order() {
        let cases = [
            ("ba,ac", vec![2, 2], "ba,ac->bc"),
            ("ii", vec![2], "ii->"),
            ("ab,Ab", vec![2, 2], "ab,Ab->Aa"),
            ("i...j,j", vec![3, 1], "i...j,j->...i"),
            ("ij,jk->...ik", vec![2, 2], "ij,jk->...ik"),
        ];
        for (subscripts, ranks, want) in cases {
            assert_eq!(
                parse(subscripts, &ranks).unwrap().subscripts,
                want,
                "{subscripts}"
            );
        }
        // "i...j" on rank 3 leaves one broadcast axis, which leads the output.
        let e = parse("i...j,j", &[3, 1]).unwrap();
        assert_eq!(e.spec.operands, vec![vec![0, 1, 2], vec![2]]);
        assert_eq!(e.spec.output, vec![1, 0]);
    }
}
