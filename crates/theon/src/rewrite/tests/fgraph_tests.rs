//! `FunctionGraph`: import/export, client lists, typed replace, pruning,
//! features.

use crate::ops::elemwise::{Elemwise, ScalarOp, UnaryOp};
use crate::prelude::*;
use crate::rewrite::{Client, FunctionGraph, ReplaceLog};

#[test]
fn imports_with_clients_and_exports_the_same_values() {
    let x = vector("x", F64);
    let e = x.exp();
    let y = &e + &e.sin();
    let fg = FunctionGraph::from_vars(&[x.clone()], &[y.clone()]).unwrap();
    assert_eq!(fg.op_names(), vec!["exp", "sin", "add"]);
    let xid = fg.inputs()[0];
    let exp_id = fg.toposort()[0].out(0);
    assert_eq!(fg.clients(xid).len(), 1);
    assert_eq!(fg.clients(exp_id).len(), 2);
    assert_eq!(fg.clients(fg.outputs()[0]), &[Client::Output(0)]);
    let back = fg.to_vars().unwrap();
    let xv = Tensor::randn(F64, &[5], 3);
    let a = function(&[x.clone()], &[y])
        .unwrap()
        .call(&[xv.clone()])
        .unwrap();
    let f = Function::builder(&[x.clone()], &back)
        .mode(Mode::no_optimization())
        .build()
        .unwrap();
    assert!(f.call(&[xv]).unwrap()[0].allclose(&a[0], 0.0, 0.0));
}

#[test]
fn replace_rewires_clients_prunes_and_notifies() {
    let x = vector("x", F64);
    let y = x.exp().sin();
    let mut fg = FunctionGraph::from_vars(&[x.clone()], &[y]).unwrap();
    let log = fg.attach_feature(Box::<ReplaceLog>::default());
    let exp_node = fg.toposort()[0];
    let xid = fg.inputs()[0];
    let cos = fg
        .apply1(Elemwise::new(ScalarOp::Unary(UnaryOp::Cos)), &[xid])
        .unwrap();
    fg.replace(exp_node.out(0), cos, "test_rule").unwrap();
    assert!(!fg.is_alive(exp_node), "the replaced node is pruned");
    assert_eq!(fg.op_names(), vec!["cos", "sin"]);
    assert_eq!(fg.clients(xid), &[Client::Node(cos.node, 0)]);
    let entries = &fg.feature::<ReplaceLog>(log).unwrap().entries;
    assert_eq!(
        entries,
        &vec![("test_rule".to_string(), exp_node.out(0), cos)]
    );
    assert_eq!(fg.feature::<ReplaceLog>(log).unwrap().pruned, 1);
}

#[test]
fn replace_rejects_a_different_type_naming_the_rule() {
    let x = matrix("x", F64);
    let v = vector("v", F32);
    let y = x.exp();
    let mut fg = FunctionGraph::from_vars(&[x.clone(), v.clone()], &[y]).unwrap();
    let exp_out = fg.outputs()[0];
    let vid = fg.inputs()[1];
    let err = fg
        .replace(exp_out, vid, "bad_rule")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("bad_rule") && err.contains("float32(?,)") && err.contains("float64(?, ?)"),
        "{err}"
    );
    assert_eq!(fg.op_names(), vec!["exp"], "nothing changed");
    // Losing a static dim is a type change too.
    let c = tensor("c", F64, &[Some(3)]);
    let d = vector("d", F64);
    let mut fg = FunctionGraph::from_vars(&[c.clone(), d.clone()], &[c.exp()]).unwrap();
    let out = fg.outputs()[0];
    let did = fg.inputs()[1];
    assert!(fg.replace(out, did, "loses_shape").is_err());
    // A replacement computed from the replaced variable would be a cycle.
    let cid = fg.inputs()[0];
    let again = fg
        .apply1(Elemwise::new(ScalarOp::Unary(UnaryOp::Sin)), &[out])
        .unwrap();
    fg.checkpoint();
    let err = fg.replace(out, again, "cyclic").unwrap_err().to_string();
    assert!(
        err.contains("cyclic") && err.contains("computed from it"),
        "{err}"
    );
    let _ = cid;
}

#[test]
fn dead_code_removal_prunes_unused_nodes() {
    let x = vector("x", F64);
    let mut fg = FunctionGraph::from_vars(&[x.clone()], &[x.exp()]).unwrap();
    let xid = fg.inputs()[0];
    let before = fg.node_count();
    let s = fg
        .apply1(Elemwise::new(ScalarOp::Unary(UnaryOp::Sin)), &[xid])
        .unwrap();
    fg.apply1(Elemwise::new(ScalarOp::Unary(UnaryOp::Cos)), &[s])
        .unwrap();
    assert_eq!(fg.node_count(), before + 2);
    assert_eq!(fg.remove_dead_nodes(), 2);
    assert_eq!(fg.node_count(), before);
    assert!(
        fg.is_alive(xid.node),
        "declared inputs stay even when unused"
    );
}

#[test]
fn building_with_merge_on_reuses_equal_nodes_and_constants() {
    let x = vector("x", F64);
    let mut fg = FunctionGraph::from_vars(&[x.clone()], &[x.exp()]).unwrap();
    fg.merge_on_build = true;
    let xid = fg.inputs()[0];
    let exp = Elemwise::new(ScalarOp::Unary(UnaryOp::Exp));
    let again = fg.apply1(exp, &[xid]).unwrap();
    assert_eq!(again, fg.outputs()[0]);
    let c1 = fg.constant(Tensor::scalar(2.0f64));
    let c2 = fg.constant(Tensor::scalar(2.0f64));
    let c3 = fg.constant(Tensor::scalar(2.0f32));
    assert_eq!(c1, c2);
    assert_ne!(c1, c3);
}
