"""Masks through TimeDistributed (per-step masks in, the inner layer's mask out, Keras 2's rules)
and BatchNormalization's masked batch statistics (Keras 3's formula), against numpy."""
import numpy as np
import pytest

from symk import Input
from symk.codegen import Program
from symk.layers import (BatchNormalization, Dense, Embedding, GlobalAveragePooling1D, Masking, TimeDistributed)

RNG = np.random.default_rng(21)


def _run(inputs, outputs, arrays, training=False):
    """Outputs and new state of a graph, every variable at its current value."""
    inputs = inputs if isinstance(inputs, list) else [inputs]
    program = Program(outputs[0].graph, [x.node for x in inputs], [(y.node, y.index) for y in outputs])
    params = {p: v.device_value() for p, v in program.variables.items()}
    results, new_state = program.run(params, {}, arrays, training=training)
    return [np.asarray(r) for r in results], new_state


def test_time_distributed_passes_each_step_its_mask():
    x = RNG.normal(size=(2, 3, 4, 2)).astype("float32")
    x[0, 1, 2:] = 0.0  # sample 0, step 1: its last two words are padding
    x[1, 2, 1:] = 0.0
    seq = Input(shape=(3, 4, 2))
    pooled = TimeDistributed(GlobalAveragePooling1D())(Masking()(seq))
    (got, mask), _ = _run(seq, [pooled, pooled._keras_mask], [x])
    kept = np.any(x != 0, axis=-1)                                         # (batch, time, words)
    want = (x * kept[..., None]).sum(2) / kept.sum(2)[..., None]          # mean of the unpadded words
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # GlobalAveragePooling1D makes no mask: Keras 2 reduces the input mask to (batch, time)
    np.testing.assert_array_equal(mask, kept.any(-1))


def test_time_distributed_returns_the_inner_layers_mask_reshaped():
    ids = np.array([[[1, 2, 0], [0, 0, 0]], [[3, 0, 0], [4, 5, 6]]], "int32")
    seq = Input(shape=(2, 3), dtype="int32")
    embedded = TimeDistributed(Embedding(7, 2, mask_zero=True))(seq)
    assert tuple(embedded.shape) == (None, 2, 3, 2) and tuple(embedded._keras_mask.shape) == (None, 2, 3)
    (mask,), _ = _run(seq, [embedded._keras_mask], [ids])
    np.testing.assert_array_equal(mask, ids != 0)


def test_time_distributed_dense_keeps_the_step_mask():
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    x[0, 3] = 0.0
    seq = Input(shape=(4, 3))
    out = TimeDistributed(Dense(2))(Masking()(seq))
    (mask,), _ = _run(seq, [out._keras_mask], [x])
    np.testing.assert_array_equal(mask, np.any(x != 0, axis=-1))


def test_time_distributed_refuses_a_mask_of_another_time_length():
    seq, mask = Input(shape=(4, 3)), Input(shape=(5,), dtype="bool")
    with pytest.raises(ValueError, match=r"mask must start with the \(batch, time\) axes.*\(None, 5\)"):
        TimeDistributed(Dense(2))(seq, mask=mask)


def _masked_moments(x, kept):
    """Keras 3's BatchNormalization._moments in numpy (epsilon 1e-7 added to the count)."""
    w = kept[..., None].astype("float64")
    count = w.sum(axis=(0, 1)) + 1e-7
    mean = (w * x).sum(axis=(0, 1)) / count
    variance = (w * (x - mean) ** 2).sum(axis=(0, 1)) / count
    return mean, variance


def test_batch_norm_training_uses_only_unmasked_positions():
    x = RNG.normal(loc=1.0, size=(3, 5, 2)).astype("float32")
    x[0, 3:] = 0.0
    x[2, 1:] = 0.0
    kept = np.any(x != 0, axis=-1)
    seq = Input(shape=(5, 2))
    layer = BatchNormalization(momentum=0.8, epsilon=1e-3)
    out = layer(Masking()(seq), training=True)
    gamma, beta = RNG.uniform(0.5, 1.5, 2).astype("float32"), RNG.normal(size=2).astype("float32")
    moving_mean, moving_var = RNG.normal(size=2).astype("float32"), RNG.uniform(0.5, 2, 2).astype("float32")
    layer.set_weights([gamma, beta, moving_mean, moving_var])
    (got,), new_state = _run(seq, [out], [x], training=True)
    mean, variance = _masked_moments(x, kept)
    assert not np.allclose(mean, x.reshape(-1, 2).mean(0))  # the padding would have moved the plain mean
    np.testing.assert_allclose(got, (x - mean) / np.sqrt(variance + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(new_state[layer.moving_mean.path], moving_mean * 0.8 + mean * 0.2, rtol=1e-5)
    np.testing.assert_allclose(new_state[layer.moving_variance.path], moving_var * 0.8 + variance * 0.2,
                               rtol=1e-5)
    assert out._keras_mask is not None  # the mask passes on


def test_batch_norm_inference_ignores_the_mask():
    x = RNG.normal(size=(2, 3, 2)).astype("float32")
    x[1, 2] = 0.0
    seq = Input(shape=(3, 2))
    layer = BatchNormalization()
    out = layer(Masking()(seq))
    (got,), _ = _run(seq, [out], [x], training=False)
    np.testing.assert_allclose(got, x / np.sqrt(1 + 1e-3), rtol=1e-5, atol=1e-6)


def test_batch_norm_refuses_a_mask_with_the_channel_axis():
    seq, mask = Input(shape=(3, 2)), Input(shape=(3, 2), dtype="bool")
    with pytest.raises(ValueError, match=r"one axis less than the inputs.*\(None, 3, 2\)"):
        BatchNormalization()(seq, mask=mask, training=True)
