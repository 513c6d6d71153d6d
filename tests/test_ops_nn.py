"""The nn/conv ops on arrays against numpy references, and their shape errors. (Their shape rules
are checked against jax.eval_shape by tests/test_ops_shape_rules.py via tests/op_cases_nn.py.)"""
import jax
import numpy as np
import pytest

import conv_reference as ref
import symk
from symk.ops import primitives as ops

RNG = np.random.default_rng(2)


def test_conv_op_3d_channels_first_with_groups():
    x = RNG.normal(size=(1, 4, 4, 5, 4)).astype("float32")  # channels last for the reference
    w = RNG.normal(size=(2, 3, 2, 2, 4)).astype("float32")
    got = ops.conv(np.moveaxis(x, -1, 1), w, strides=(1, 2, 1), padding="same", groups=2,
                   data_format="channels_first")
    expected = ref.conv(x, w, (1, 2, 1), "same", (1, 1, 1), groups=2)
    np.testing.assert_allclose(np.moveaxis(np.asarray(got), 1, -1), expected, rtol=1e-4, atol=1e-4)


def test_conv_transpose_op_1d_dilated():
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    w = RNG.normal(size=(3, 2, 3)).astype("float32")
    got = ops.conv_transpose(x, w, strides=1, padding="valid", dilation_rate=2)
    np.testing.assert_allclose(np.asarray(got), ref.conv_transpose(x, w, (1,), "valid", (2,)), rtol=1e-4, atol=1e-4)


def test_depthwise_op_dilated_causal():
    x = RNG.normal(size=(2, 7, 2)).astype("float32")
    w = RNG.normal(size=(2, 2, 3)).astype("float32")
    got = ops.depthwise_conv(x, w, padding="causal", dilation_rate=3)
    np.testing.assert_allclose(np.asarray(got), ref.depthwise(x, w, (1,), "causal", (3,)), rtol=1e-4, atol=1e-4)


def test_pool_op_on_integers():
    x = RNG.integers(-5, 5, size=(1, 5, 5, 2)).astype("int32")
    np.testing.assert_array_equal(np.asarray(ops.pool(x, kind="max", pool_size=2, strides=2, padding="same")),
                                  ref.pool(x, "max", (2, 2), (2, 2), "same"))
    avg = ops.pool(x, kind="avg", pool_size=3, strides=1, padding="same")
    assert avg.dtype == np.float32
    np.testing.assert_allclose(np.asarray(avg), ref.pool(x, "avg", (3, 3), (1, 1), "same"), rtol=1e-5)


def test_batch_norm_op_matches_formula_on_any_axis():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    mean, var, gamma, beta = RNG.normal(size=(4, 3)).astype("float32")
    var = np.abs(var) + 0.1
    got = ops.batch_norm(x, mean, var, gamma, beta, axis=1, epsilon=1e-3)
    b = (1, 3, 1)
    expected = (x - mean.reshape(b)) / np.sqrt(var.reshape(b) + 1e-3) * gamma.reshape(b) + beta.reshape(b)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-5)


def test_layer_norm_op_matches_formula():
    x = RNG.normal(size=(2, 3, 4)).astype("float32")
    gamma, beta = RNG.normal(size=(2, 4)).astype("float32")
    got = ops.layer_norm(x, gamma, beta, axis=(-1,), epsilon=1e-5)
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5) * gamma + beta
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-4, atol=1e-5)


def test_resize_nearest_repeats_pixels():
    x = RNG.normal(size=(1, 2, 3, 1)).astype("float32")
    got = ops.resize(x, axes=(1, 2), sizes=(4, 6), method="nearest")
    np.testing.assert_array_equal(np.asarray(got), x.repeat(2, 1).repeat(2, 2))


def test_conv_is_differentiable_like_the_numpy_definition():
    # d(sum(conv(x, w)))/dw[k, i, o] is the sum of the inputs each kernel tap sees
    x = RNG.normal(size=(1, 5, 2)).astype("float32")
    w = RNG.normal(size=(2, 2, 3)).astype("float32")
    grad = jax.grad(lambda k: ops.conv(x, k).sum())(w)
    expected = np.stack([x[0, t:t + 4].sum(0) for t in range(2)])[:, :, None].repeat(3, axis=2)
    np.testing.assert_allclose(np.asarray(grad), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("call,message", [
    (lambda x: ops.conv(x, np.zeros((3, 3, 5, 2), "float32")), "expects 5 input channels"),
    (lambda x: ops.conv(x, np.zeros((3, 2, 2), "float32")), "rank-4 kernel"),
    (lambda x: ops.conv(x, np.zeros((3, 3, 2, 3), "float32"), groups=2), "do not divide into groups"),
    (lambda x: ops.pool(x, pool_size=9), "does not fit"),
    (lambda x: ops.pool(x, kind="median"), "unknown pooling kind"),
    (lambda x: ops.conv_transpose(x, np.zeros((3, 3, 2, 2), "float32"), strides=2, output_padding=2),
     "smaller than the stride"),
    (lambda x: ops.batch_norm(x, *[np.zeros(3, "float32")] * 4), "normalized axes"),
])
def test_shape_errors_say_what_and_how_to_fix(call, message):
    x = symk.Input((6, 6, 2))
    with pytest.raises(symk.ShapeError, match=message):
        call(x)
