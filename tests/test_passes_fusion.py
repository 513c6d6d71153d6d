"""Golden tests for fuse_elementwise and merge_linear: the structure they build, numpy references for
the values, and their near misses (a second user, an output, a bottleneck, training mode)."""
import dataclasses

import numpy as np
import pytest

import symk
from symk.ops.elementwise import float_unary_rule
from symk.ops.registry import OPS, OpDef, apply
from symk.passes import run_pass, run_pipeline, subject_of
from symk.passes.fuse_elementwise import split_last_step
from symk.variables import Variable

from passes_helpers import ops_of, run_subject

RNG = np.random.default_rng(3)


def var(shape, name):
    return Variable(RNG.normal(size=shape).astype("float32"), path=name)


def fuse(x, outputs, passes=("fuse_elementwise",)):
    subject = subject_of(x.graph, [(t.node, t.index) for t in outputs], [x.node])
    return subject, run_pipeline(subject, list(passes))


# -- fuse_elementwise -----------------------------------------------------------------
def test_a_chain_becomes_one_node_and_matches_numpy():
    x = symk.backend.placeholder(shape=(None, 4))
    b = var((4,), "b")
    y = apply("sigmoid", [apply("tanh", [apply("add", [apply("multiply", [x, 2.0]), b])])])
    _, (fused, report) = fuse(x, [y])
    assert ops_of(fused).count("fused_elementwise") == 1
    assert not {"multiply", "add", "tanh", "sigmoid"} & set(ops_of(fused))
    assert report.totals()["fuse_elementwise"].matched == 1
    data = RNG.normal(size=(3, 4)).astype("float32")
    (got,) = run_subject(fused, [data])
    want = 1 / (1 + np.exp(-np.tanh(data * 2.0 + b.numpy())))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_a_value_read_twice_by_one_op_joins_the_chain():
    x = symk.backend.placeholder(shape=(None, 3))
    e = apply("exp", [x])
    y = apply("multiply", [e, e])
    _, (fused, _) = fuse(x, [y])
    assert ops_of(fused).count("fused_elementwise") == 1 and "exp" not in ops_of(fused)
    data = RNG.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(run_subject(fused, [data])[0], np.exp(data) ** 2, rtol=1e-6)


def test_near_misses_a_second_user_an_output_and_a_random_op_stay_outside():
    x = symk.backend.placeholder(shape=(None, 3))
    shared = apply("exp", [x])                                      # read by two chains
    first = apply("relu", [apply("negative", [shared])])
    second = apply("tanh", [shared])
    dropped = apply("relu", [apply("dropout", [apply("abs", [x])], rate=0.5)])  # random: never fused
    _, (fused, _) = fuse(x, [first, second, dropped, shared])
    ops = ops_of(fused)
    assert ops.count("exp") == 1 and "dropout" in ops and "abs" in ops
    assert ops.count("fused_elementwise") == 1  # negative + relu; tanh and relu alone stay single ops
    data = RNG.normal(size=(2, 3)).astype("float32")
    got = run_subject(fused, [data])
    np.testing.assert_allclose(got[0], np.maximum(-np.exp(data), 0), rtol=1e-6)
    np.testing.assert_allclose(got[1], np.tanh(np.exp(data)), rtol=1e-6)
    np.testing.assert_allclose(got[3], np.exp(data), rtol=1e-6)


def test_fusion_goes_by_flags_so_a_new_elementwise_op_fuses():
    OPS["test_cube"] = OpDef("test_cube", float_unary_rule, lambda v: v ** 3,
                             dataclasses.make_dataclass("TestCubeAttrs", [], frozen=True), elementwise=True,
                             fusible=True)
    try:
        x = symk.backend.placeholder(shape=(None, 2))
        y = apply("relu", [apply("test_cube", [x])])
        _, (fused, _) = fuse(x, [y])
        assert ops_of(fused).count("fused_elementwise") == 1 and "test_cube" not in ops_of(fused)
        data = RNG.normal(size=(2, 2)).astype("float32")
        np.testing.assert_allclose(run_subject(fused, [data])[0], np.maximum(data ** 3, 0), rtol=1e-6)
    finally:
        del OPS["test_cube"]


def test_split_last_step_exposes_the_value_before_it():
    x = symk.backend.placeholder(shape=(None, 3))
    y = apply("sigmoid", [apply("multiply", [x, 3.0])])
    subject, (fused, _) = fuse(x, [y])
    root = fused.outputs[0][0]
    earlier = split_last_step(fused, root)
    assert fused.nx.nodes[root]["op"] == "sigmoid" and fused.nx.nodes[earlier]["op"] == "fused_elementwise"
    data = RNG.normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(run_subject(fused, [data])[0], 1 / (1 + np.exp(-3 * data)), rtol=1e-6)


def test_fuse_elementwise_is_off_by_default_and_enabled_by_name():
    from symk.passes import resolve

    assert "fuse_elementwise" not in [p.name for p in resolve("default", "inference").passes]
    assert "fuse_elementwise" in [p.name for p in resolve({"enable": ["fuse_elementwise"]}, "inference").passes]


# -- merge_linear ---------------------------------------------------------------------------
def two_dense(n, m, k, inner_bias=True, outer_bias=True, extra_user=False):
    x = symk.backend.placeholder(shape=(None, n))
    a_kernel, b_kernel, a_bias, b_bias = var((n, m), "A"), var((m, k), "B"), var((m,), "a"), var((k,), "b")
    h = apply("matmul", [x, a_kernel])
    h = apply("bias_add", [h, a_bias]) if inner_bias else h
    y = apply("matmul", [h, b_kernel])
    y = apply("bias_add", [y, b_bias]) if outer_bias else y
    outputs = [y, apply("relu", [h])] if extra_user else [y]
    data = RNG.normal(size=(5, n)).astype("float32")
    h_np = data @ a_kernel.numpy() + (a_bias.numpy() if inner_bias else 0)
    want = h_np @ b_kernel.numpy() + (b_bias.numpy() if outer_bias else 0)
    return x, outputs, data, want


@pytest.mark.parametrize("inner_bias, outer_bias", [(True, True), (True, False), (False, True), (False, False)])
def test_merge_linear_makes_one_matmul_and_matches_numpy(inner_bias, outer_bias):
    x, outputs, data, want = two_dense(6, 5, 4, inner_bias, outer_bias)
    _, (merged, report) = fuse(x, outputs, ("merge_linear", "fold_weights", "dce"))
    assert ops_of(merged).count("matmul") == 1 and report.totals()["merge_linear"].matched == 1
    assert ops_of(merged).count("bias_add") == (1 if inner_bias or outer_bias else 0)
    np.testing.assert_allclose(run_subject(merged, [data])[0], want, rtol=1e-4, atol=1e-5)


def test_merge_linear_never_merges_through_a_bottleneck():
    x, outputs, data, want = two_dense(16, 2, 16)  # 16*2 + 2*16 = 64 < 256 multiply-adds per row
    _, (kept, report) = fuse(x, outputs, ("merge_linear",))
    assert ops_of(kept).count("matmul") == 2 and report.totals()["merge_linear"].matched == 0
    assert any("would not save work" in m for m in report.messages)
    np.testing.assert_allclose(run_subject(kept, [data])[0], want, rtol=1e-4, atol=1e-5)


def test_merge_linear_near_miss_inner_result_with_another_user():
    x, outputs, data, want = two_dense(4, 4, 4, extra_user=True)
    _, (kept, report) = fuse(x, outputs, ("merge_linear",))
    assert ops_of(kept).count("matmul") == 2 and any("has other users" in m for m in report.messages)


def test_merge_linear_is_inference_only_and_in_the_default_pipeline():
    from symk.passes import resolve

    assert "merge_linear" in [p.name for p in resolve("default", "inference").passes]
    assert "merge_linear" not in [p.name for p in resolve("default", "training").passes]
    x, outputs, _, _ = two_dense(4, 4, 4)
    with pytest.raises(ValueError, match="only runs in"):
        run_pass("merge_linear", x.graph, outputs=[(outputs[0].node, 0)], mode="training")


def test_a_stack_of_dense_layers_without_activation_predicts_the_same_merged():
    x = symk.Input(shape=(8,))
    y = symk.layers.Dense(3)(symk.layers.Dense(8)(symk.layers.Dense(8)(x)))
    model = symk.Model(x, y)
    data = RNG.normal(size=(4, 8)).astype("float32")
    k1, b1, k2, b2, k3, b3 = model.get_weights()
    want = ((data @ k1 + b1) @ k2 + b2) @ k3 + b3
    report = model.optimize()
    assert report.totals()["merge_linear"].matched == 2
    np.testing.assert_allclose(model.predict(data, verbose=0), want, rtol=1e-4, atol=1e-5)


def test_fuse_linear_is_off_by_default_as_measured():
    from symk.passes import resolve

    assert "fuse_linear" not in [p.name for p in resolve("default", "inference").passes]
    assert "fuse_linear" in [p.name for p in resolve({"enable": ["fuse_linear"]}, "inference").passes]
