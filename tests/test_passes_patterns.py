"""Golden tests for each pass's pattern: what it matches (checked against numpy) and its near misses."""
import numpy as np
import pytest

import symk
from symk import ops
from symk.ops.registry import apply, constant
from symk.passes import run_pass, run_pipeline, subject_of
from symk.variables import Variable

from passes_helpers import ops_of, run_subject

RNG = np.random.default_rng(0)


def var(shape, name, low=None):
    value = RNG.uniform(0.5, 2.0, shape) if low else RNG.normal(size=shape)
    return Variable(value.astype("float32"), path=name)


def placeholder(shape):
    return symk.backend.placeholder(shape=shape)


def dense_bn(x, units=3, bias=True, extra_user=False):
    kernel, b = var((x.shape[-1], units), "k"), var((units,), "b")
    mean, variance = var((units,), "mean"), var((units,), "variance", low=True)
    gamma, beta = var((units,), "gamma"), var((units,), "beta")
    z = apply("matmul", [x, kernel])
    y = apply("bias_add", [z, b]) if bias else z
    out = apply("batch_norm", [y, mean, variance, gamma, beta], axis=-1, epsilon=1e-3)
    weights = [w.numpy() for w in (kernel, b, mean, variance, gamma, beta)]
    return out, (z if extra_user else None), weights


def numpy_dense_bn(x, kernel, b, mean, variance, gamma, beta, bias=True):
    y = x @ kernel + (b if bias else 0)
    return (y - mean) / np.sqrt(variance + 1e-3) * gamma + beta  # Keras's documented formula


@pytest.mark.parametrize("bias", [True, False])
def test_bn_fold_matches_numpy_and_leaves_no_batch_norm(bias):
    x = placeholder((None, 4))
    out, _, w = dense_bn(x, bias=bias)
    subject = subject_of(x.graph, [(out.node, 0)], [x.node])
    folded, report = run_pipeline(subject, {"passes": ["dce", "bn_fold", "fold_weights"]})
    assert "batch_norm" not in ops_of(folded)
    assert "matmul" in ops_of(folded) and "bias_add" in ops_of(folded)
    assert report.totals()["bn_fold"].matched == 1
    data = RNG.normal(size=(5, 4)).astype("float32")
    (got,) = run_subject(folded, [data])
    np.testing.assert_allclose(got, numpy_dense_bn(data, *w, bias=bias), rtol=1e-4, atol=1e-5)


def test_bn_fold_near_miss_second_user_is_not_folded():
    x = placeholder((None, 4))
    out, z, _ = dense_bn(x, extra_user=True)
    other = apply("relu", [z])
    subject = subject_of(x.graph, [(out.node, 0), (other.node, 0)], [x.node])
    folded, report = run_pipeline(subject, {"passes": ["bn_fold"]})
    assert "batch_norm" in ops_of(folded)
    assert report.totals()["bn_fold"].matched == 0
    assert any("has other users" in m for m in report.messages)


def test_bn_fold_near_miss_other_axis():
    x = placeholder((None, 3, 4))
    kernel = var((4, 4), "k")
    stats = [var((3,), n, low=(n == "v")) for n in ("m", "v", "g", "b")]
    y = apply("batch_norm", [apply("matmul", [x, kernel])] + stats, axis=1, epsilon=1e-3)
    folded, report = run_pipeline(subject_of(x.graph, [(y.node, 0)], [x.node]), {"passes": ["bn_fold"]})
    assert "batch_norm" in ops_of(folded)


def test_folded_weights_are_arguments_and_follow_weight_changes():
    x = placeholder((None, 4))
    out, _, _ = dense_bn(x)
    subject = subject_of(x.graph, [(out.node, 0)], [x.node])
    folded, _ = run_pipeline(subject, "default")
    params = [d["variable"] for _, d in folded.nx.nodes(data=True) if d["op"] == "parameter"]
    assert all(v.path.startswith("folded/") for v in params)
    assert not [n for n, d in folded.nx.nodes(data=True) if d["op"] == "constant"]  # nothing captured
    data = RNG.normal(size=(2, 4)).astype("float32")
    before = run_subject(folded, [data])[0]
    gamma = next(v for p in params for v in p.sources if v.path.startswith("gamma"))
    gamma.set_value(gamma.numpy() * 2)
    after = run_subject(folded, [data])[0]
    reference = run_subject(subject, [data])[0]  # the unfolded graph on the new weights
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, reference, rtol=1e-4, atol=1e-5)


def test_specialize_inference_drops_dropout_and_selects_inference_branch():
    x = placeholder((None, 4))
    d = apply("dropout", [x], rate=0.5)
    y = apply("training_select", [apply("exp", [d]), apply("tanh", [d])])
    subject = subject_of(x.graph, [(y.node, 0)], [x.node])
    out, _ = run_pipeline(subject, "default")
    assert ops_of(out) == ["identity", "placeholder", "tanh"] or ops_of(out) == ["placeholder", "tanh"]
    data = RNG.normal(size=(3, 4)).astype("float32")
    np.testing.assert_allclose(run_subject(out, [data])[0], np.tanh(data), rtol=1e-6)


def test_explicit_training_true_dropout_is_kept_in_inference():
    x = placeholder((None, 4))
    layer = symk.layers.Dropout(0.5)
    y = layer(x, training=True)
    subject = subject_of(x.graph, [(y.node, y.index)], [x.node])
    out, _ = run_pipeline(subject, "default")
    assert "dropout" in ops_of(out)


def test_noop_state_update_is_dropped_but_real_update_kept():
    x = placeholder((None, 2))
    v = Variable(np.zeros(2, "float32"), path="stat")
    old = v.symbolic(x.graph)
    v.assign(apply("training_select", [old + ops.mean(x, axis=0), old]))
    y = apply("relu", [x])
    for mode, expected in (("inference", 0), ("training", 1)):
        subject = subject_of(x.graph, [(y.node, 0)], [x.node], mode=mode)
        out, _ = run_pipeline(subject, "default")
        assert ops_of(out).count("assign") == expected


def test_cse_merges_duplicates_and_keeps_random_ops_apart():
    x = placeholder((None, 4))
    a, b = apply("exp", [x]), apply("exp", [x])
    d1, d2 = apply("dropout", [x], rate=0.5), apply("dropout", [x], rate=0.5)
    y = a + b + d1 + d2
    new_graph, report = run_pass("cse", x.graph, [(y.node, 0)], [x.node], mode="training")
    ops_left = sorted(d for _, d in new_graph.nx.nodes(data="op"))
    assert ops_left.count("exp") == 1 and ops_left.count("dropout") == 2
    assert report.matched == 1


@pytest.mark.parametrize("build, expected_ops", [
    (lambda x: x * 1.0, ["identity", "placeholder"]),
    (lambda x: apply("exp", [x + 0.0]), ["exp", "placeholder"]),
    (lambda x: apply("exp", [x - 0.0]), ["exp", "placeholder"]),
    (lambda x: apply("exp", [ops.transpose(ops.transpose(x, (1, 0)), (1, 0))]), ["exp", "placeholder"]),
    (lambda x: apply("exp", [ops.reshape(ops.reshape(x, (8,)), (2, 4))]), ["exp", "placeholder"]),
    (lambda x: apply("exp", [ops.cast(x, "float32")]), ["exp", "placeholder"]),
    (lambda x: apply("exp", [ops.concatenate([x], axis=0)]), ["exp", "placeholder"]),
    (lambda x: apply("exp", [apply("identity", [x])]), ["exp", "placeholder"]),
])
def test_simplify_rules(build, expected_ops):
    x = placeholder((2, 4))
    y = build(x)
    subject = subject_of(x.graph, [(y.node, 0)], [x.node])
    out, _ = run_pipeline(subject, {"passes": ["simplify", "dce"]})
    assert ops_of(out) == sorted(expected_ops)
    data = RNG.normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(run_subject(out, [data])[0], run_subject(subject, [data])[0], rtol=1e-6)


def test_simplify_near_miss_broadcasting_multiply_by_one_is_kept():
    x = placeholder((4,))
    y = apply("exp", [x * constant(np.ones((3, 4), "float32"), graph=x.graph)])  # x * ones broadcasts to (3, 4)
    out, _ = run_pipeline(subject_of(x.graph, [(y.node, 0)], [x.node]), {"passes": ["simplify"]})
    assert "multiply" in ops_of(out)


def test_constant_fold_evaluates_and_respects_size_cap():
    x = placeholder((None, 3))
    c = constant(np.full(3, 2.0, "float32"), graph=x.graph)
    big = apply("broadcast_to", [constant(np.float32(1.0), graph=x.graph)], shape=(1000, 3))
    y = x * apply("exp", [c])
    z = apply("sum", [big], axis=0) + x
    out, report = run_pipeline(subject_of(x.graph, [(y.node, 0), (z.node, 0)], [x.node]),
                               {"passes": ["constant_fold", "dce"]})
    assert "exp" not in ops_of(out) and "broadcast_to" in ops_of(out)
    data = RNG.normal(size=(2, 3)).astype("float32")
    got_y, got_z = run_subject(out, [data])
    np.testing.assert_allclose(got_y, data * np.exp(2.0), rtol=1e-6)
    np.testing.assert_allclose(got_z, data + 1000.0, rtol=1e-6)


def test_stabilize_log_softmax():
    x = placeholder((None, 5))
    y = apply("log", [apply("softmax", [x])])
    out, _ = run_pipeline(subject_of(x.graph, [(y.node, 0)], [x.node]), {"passes": ["stabilize"]})
    assert ops_of(out) == ["log_softmax", "placeholder"]
    data = np.array([[1000.0, 0.0, -1000.0, 1.0, 2.0]], "float32")  # log(softmax) underflows to -inf here
    shifted = data - data.max(axis=1, keepdims=True)
    reference = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(run_subject(out, [data])[0], reference, rtol=1e-6)


def test_fuse_linear_matches_numpy_and_near_miss():
    x = placeholder((None, 4))
    kernel, b = var((4, 3), "k"), var((3,), "b")
    z = apply("bias_add", [apply("matmul", [x, kernel]), b])
    y = apply("tanh", [z])
    out, report = run_pipeline(subject_of(x.graph, [(y.node, 0)], [x.node]), {"passes": ["fuse_linear"]})
    assert ops_of(out) == ["fused_linear", "parameter", "parameter", "placeholder"]
    data = RNG.normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(run_subject(out, [data])[0], np.tanh(data @ kernel.numpy() + b.numpy()), rtol=1e-5)
    # near miss: the pre-activation is also an output, so only matmul + bias_add fuse
    out2, _ = run_pipeline(subject_of(x.graph, [(y.node, 0), (z.node, 0)], [x.node]), {"passes": ["fuse_linear"]})
    assert "tanh" in ops_of(out2) and "fused_linear" in ops_of(out2)


def test_with_derived_computes_folded_weights_from_given_arrays():
    from symk.codegen import Program
    from symk.passes import with_derived

    x = placeholder((None, 4))
    out, _, w = dense_bn(x)
    folded, _ = run_pipeline(subject_of(x.graph, [(out.node, 0)], [x.node]), "default")
    program = Program(folded.graph, folded.inputs, folded.outputs)
    sources = {v.path: v for d in program.variables.values() for v in d.sources}
    doubled = {p: v.numpy() * 2 for p, v in sources.items()}
    arrays = with_derived(program, doubled)
    data = RNG.normal(size=(3, 4)).astype("float32")
    got = program.run(arrays, {}, [data])[0][0]
    by_name = {p.split("_")[0] if not p.startswith("variance") else "variance": a for p, a in doubled.items()}
    reference = numpy_dense_bn(data, by_name["k"], by_name["b"], by_name["mean"], by_name["variance"],
                               by_name["gamma"], by_name["beta"])
    np.testing.assert_allclose(np.asarray(got), reference, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("use_bias", [True, False])
def test_conv_batch_norm_fold_matches_keras_formula(use_bias):
    """Conv2D + BatchNormalization with trained-looking statistics: the inference pipeline removes the
    batch_norm op and predicts what Keras's formula gives (on CPU the scale stays a multiply after the
    conv, whose statistics share one host-folded scale with the bias: the fold must keep both)."""
    model = symk.Sequential([symk.layers.Conv2D(4, 3, use_bias=use_bias, input_shape=(6, 6, 2)),
                             symk.layers.BatchNormalization()])
    conv, bn = model.layers
    bn.set_weights([RNG.normal(size=4), RNG.normal(size=4), RNG.normal(size=4), RNG.uniform(0.5, 2.0, 4)])
    x = RNG.normal(size=(3, 6, 6, 2)).astype("float32")
    weights = conv.get_weights()
    kernel, bias = weights[0], (weights[1] if use_bias else 0.0)
    patches = np.stack([x[:, i:i + 4, j:j + 4, :] for i in range(3) for j in range(3)], axis=3)  # (n,4,4,9,2)
    z = np.einsum("nhwkc,kco->nhwo", patches, kernel.reshape(9, 2, 4)) + bias
    gamma, beta, mean, variance = bn.get_weights()
    expected = (z - mean) / np.sqrt(variance + 1e-3) * gamma + beta
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-4, atol=1e-4)
    assert "batch_norm" not in ops_of(model._execution_graph(False))
