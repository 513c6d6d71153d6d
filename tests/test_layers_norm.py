"""Normalization layers: BatchNormalization in both modes (Keras's formulas, moving statistics
updated in training only, the graph contract with [passes]), LayerNormalization and
UnitNormalization against numpy, and the layer harness."""
import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example
from symk import layers as L
from symk.codegen import Program

RNG = np.random.default_rng(5)

EXAMPLES = [
    layer_example("bn_last", lambda: L.BatchNormalization(), (3, 4, 4, 2)),
    layer_example("bn_first", lambda: L.BatchNormalization(axis=1, momentum=0.9), (3, 2, 4, 4)),
    layer_example("bn_no_affine", lambda: L.BatchNormalization(center=False, scale=False), (4, 3)),
    layer_example("ln_last", lambda: L.LayerNormalization(), (2, 5, 3)),
    layer_example("ln_axes", lambda: L.LayerNormalization(axis=[1, 2], epsilon=1e-5), (2, 3, 4)),
    layer_example("ln_rms", lambda: L.LayerNormalization(rms_scaling=True, center=False), (2, 4)),
    layer_example("group_norm", lambda: L.GroupNormalization(groups=2), (2, 3, 3, 4)),
    layer_example("group_norm_first", lambda: L.GroupNormalization(groups=3, axis=1, center=False), (2, 6, 4)),
    layer_example("unit_norm", lambda: L.UnitNormalization(), (2, 3, 4)),
    layer_example("unit_norm_axes", lambda: L.UnitNormalization(axis=[1, 2]), (2, 3, 4)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


def _bn_weights(channels):
    gamma = RNG.uniform(0.5, 1.5, channels).astype("float32")
    beta = RNG.normal(size=channels).astype("float32")
    mean = RNG.normal(size=channels).astype("float32")
    var = RNG.uniform(0.5, 2.0, channels).astype("float32")
    return gamma, beta, mean, var


def _built_bn(x, **kwargs):
    layer = L.BatchNormalization(**kwargs)
    layer(symk.Input(batch_shape=(None,) + x.shape[1:]))
    return layer


def test_batch_norm_inference_uses_moving_statistics():
    x = RNG.normal(size=(4, 3, 3, 2)).astype("float32")
    layer = _built_bn(x)
    gamma, beta, mean, var = _bn_weights(2)
    layer.set_weights([gamma, beta, mean, var])
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean)  # inference leaves the statistics alone


def test_batch_norm_training_uses_batch_statistics_and_updates_moving_ones():
    x = RNG.normal(loc=2.0, size=(5, 4, 3)).astype("float32")
    layer = _built_bn(x, axis=1, momentum=0.9, epsilon=1e-2)
    gamma, beta, mean, var = _bn_weights(4)
    layer.set_weights([gamma, beta, mean, var])
    axes = (0, 2)
    batch_mean, batch_var = x.mean(axis=axes), x.var(axis=axes)
    bshape = (1, 4, 1)
    expected = ((x - batch_mean.reshape(bshape)) / np.sqrt(batch_var.reshape(bshape) + 1e-2) * gamma.reshape(bshape)
                + beta.reshape(bshape))
    np.testing.assert_allclose(np.asarray(layer(x, training=True)), expected, rtol=1e-4, atol=1e-4)
    # Keras: moving = moving * momentum + batch * (1 - momentum), with the biased batch variance
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean * 0.9 + batch_mean * 0.1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), var * 0.9 + batch_var * 0.1, rtol=1e-5, atol=1e-6)


def test_batch_norm_graph_follows_the_passes_contract():
    x = symk.Input((4, 4, 3))
    layer = L.BatchNormalization(name="bn")
    y = layer(x)
    graph = y.graph
    assert y.op_name == "training_select"
    train_branch, inference_branch = [src for src, _ in graph.inputs_of(y.node)]
    assert graph.op(inference_branch) == "batch_norm"
    attrs = graph.node(inference_branch)["attrs"]
    assert (attrs.axis, attrs.epsilon) == (3, 1e-3)
    inputs = [graph.node(src) for src, _ in graph.inputs_of(inference_branch)]
    assert [n["op"] for n in inputs[1:]] == ["parameter"] * 4
    assert [n["attrs"].path for n in inputs[1:]] == [layer.moving_mean.path, layer.moving_variance.path,
                                                     layer.gamma.path, layer.beta.path]
    assigns = [n for n in graph.nx.nodes if graph.op(n) == "assign"]
    assert sorted(graph.node(n)["attrs"].path for n in assigns) == sorted(
        [layer.moving_mean.path, layer.moving_variance.path])
    for n in assigns:  # the value assigned is itself chosen by the training flag
        assert graph.op(graph.inputs_of(n)[0][0]) == "training_select"
    program = Program(graph, [x.node], [(y.node, 0)])
    values = {p: v.device_value() for p, v in program.variables.items()}
    data = RNG.normal(size=(2, 4, 4, 3)).astype("float32")
    _, state = program.run(values, {}, [data], training=False)
    np.testing.assert_allclose(np.asarray(state[layer.moving_mean.path]), layer.moving_mean.numpy())
    _, state = program.run(values, {}, [data], training=True)
    assert not np.allclose(np.asarray(state[layer.moving_mean.path]), layer.moving_mean.numpy())


def test_batch_norm_without_scale_and_center_feeds_constants():
    x = symk.Input((3,))
    layer = L.BatchNormalization(center=False, scale=False)
    y = layer(x)
    assert [w.short_name for w in layer.weights] == ["moving_mean", "moving_variance"]
    (bn,) = [n for n in y.graph.nx.nodes if y.graph.op(n) == "batch_norm"]
    ops = [y.graph.op(src) for src, _ in y.graph.inputs_of(bn)]
    assert ops[3:] == ["constant", "constant"]
    data = RNG.normal(size=(4, 3)).astype("float32")
    layer.set_weights([np.full(3, 0.5, "float32"), np.full(3, 4.0, "float32")])
    np.testing.assert_allclose(np.asarray(layer(data)), (data - 0.5) / np.sqrt(4.001), rtol=1e-5, atol=1e-6)


def test_batch_norm_weights_are_ordered_as_keras_orders_them():
    layer = _built_bn(np.zeros((1, 5), "float32"))
    assert [w.short_name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.short_name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.short_name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]


def test_frozen_batch_norm_always_runs_in_inference_mode():
    x = RNG.normal(size=(4, 2)).astype("float32")
    layer = _built_bn(x)
    layer.trainable = False
    gamma, beta, mean, var = _bn_weights(2)
    layer.set_weights([gamma, beta, mean, var])
    out = np.asarray(layer(x, training=True))
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean)


def test_layer_normalization_matches_numpy():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    layer = L.LayerNormalization(axis=[1, 2], epsilon=1e-3)
    layer(symk.Input((3, 4)))
    gamma, beta = RNG.normal(size=(2, 3, 4)).astype("float32")
    layer.set_weights([gamma, beta])
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(np.asarray(layer(x)), (x - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-5)


def test_layer_normalization_rms_scaling_and_no_affine():
    x = RNG.normal(size=(3, 5)).astype("float32")
    rms = L.LayerNormalization(rms_scaling=True, center=False)
    gamma = RNG.normal(size=5).astype("float32")
    rms(symk.Input((5,)))
    rms.set_weights([gamma])
    # Keras 3.15's formula: x * rsqrt(var(x) + epsilon) * gamma (the variance, not the mean of squares)
    np.testing.assert_allclose(np.asarray(rms(x)), x / np.sqrt(x.var(-1, keepdims=True) + 1e-3) * gamma,
                               rtol=1e-4, atol=1e-5)
    plain = L.LayerNormalization(center=False, scale=False)
    np.testing.assert_allclose(np.asarray(plain(x)), (x - x.mean(-1, keepdims=True)) /
                               np.sqrt(x.var(-1, keepdims=True) + 1e-3), rtol=1e-4, atol=1e-5)
    assert plain.weights == []


def test_group_normalization_matches_numpy():
    x = RNG.normal(size=(2, 3, 3, 6)).astype("float32")
    layer = L.GroupNormalization(groups=3)
    layer(symk.Input((3, 3, 6)))
    gamma, beta = RNG.normal(size=(2, 6)).astype("float32")
    layer.set_weights([gamma, beta])
    grouped = x.reshape(2, 3, 3, 3, 2)  # (batch, h, w, group, channel in group)
    mean, var = grouped.mean(axis=(1, 2, 4), keepdims=True), grouped.var(axis=(1, 2, 4), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(var + 1e-3)).reshape(x.shape) * gamma + beta
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="multiple of groups"):
        L.GroupNormalization(groups=4)(symk.Input((3, 6)))


def test_unit_normalization_matches_numpy():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    out = np.asarray(L.UnitNormalization(axis=-1)(x))
    np.testing.assert_allclose(out, x / np.linalg.norm(x, axis=-1, keepdims=True), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(L.UnitNormalization()(np.zeros((1, 3), "float32"))), 0.0)


def test_normalization_errors_name_the_problem():
    with pytest.raises(ValueError, match="momentum"):
        L.BatchNormalization(momentum=2.0)
    with pytest.raises(ValueError, match="renorm"):
        L.BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="out of range"):
        L.BatchNormalization(axis=3)(symk.Input((4,)))
    with pytest.raises(ValueError, match="must be known"):
        L.LayerNormalization()(symk.Input((None,)))
    bn = L.BatchNormalization(name="bn_for_four")
    bn(symk.Input((4,)))
    with pytest.raises(symk.ShapeError, match="bn_for_four"):
        bn(symk.Input((5,)))
