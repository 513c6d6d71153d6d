"""Activation, noise and spatial reshaping layers: the layer harness, Keras's formulas in numpy,
training-only noise (identity in inference, the right statistics in training), and errors."""
import numpy as np
import pytest

import symk
from layer_harness import check_layer, layer_example
from symk import layers as L

RNG = np.random.default_rng(11)

EXAMPLES = [
    layer_example("relu_full", lambda: L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2), (2, 6)),
    layer_example("leaky", lambda: L.LeakyReLU(), (2, 6)),
    layer_example("prelu_shared", lambda: L.PReLU(shared_axes=[1, 2], alpha_initializer="ones"), (2, 3, 3, 4)),
    layer_example("elu", lambda: L.ELU(alpha=0.5), (2, 6)),
    layer_example("softmax_axis", lambda: L.Softmax(axis=1), (2, 3, 4)),
    layer_example("thresholded", lambda: L.ThresholdedReLU(theta=0.5), (2, 6)),
    layer_example("gauss_noise", lambda: L.GaussianNoise(0.1), (2, 6)),
    layer_example("gauss_dropout", lambda: L.GaussianDropout(0.3), (2, 6)),
    layer_example("alpha_dropout", lambda: L.AlphaDropout(0.2), (2, 6)),
    layer_example("spatial1d", lambda: L.SpatialDropout1D(0.5), (2, 5, 3)),
    layer_example("spatial2d_first", lambda: L.SpatialDropout2D(0.5, data_format="channels_first"), (2, 3, 4, 4)),
    layer_example("spatial3d", lambda: L.SpatialDropout3D(0.5), (1, 2, 2, 2, 3)),
    layer_example("activity_reg", lambda: L.ActivityRegularization(l1=0.1, l2=0.01), (2, 6)),
    layer_example("zeropad1d", lambda: L.ZeroPadding1D((1, 2)), (2, 4, 3)),
    layer_example("zeropad2d", lambda: L.ZeroPadding2D(((1, 0), (2, 1))), (2, 3, 3, 2)),
    layer_example("zeropad3d_first", lambda: L.ZeroPadding3D(1, data_format="channels_first"), (1, 2, 2, 2, 2)),
    layer_example("crop1d", lambda: L.Cropping1D((1, 2)), (2, 6, 3)),
    layer_example("crop2d", lambda: L.Cropping2D(((1, 0), (0, 2))), (2, 4, 5, 2)),
    layer_example("crop3d", lambda: L.Cropping3D(1), (1, 3, 4, 5, 2)),
    layer_example("up1d", lambda: L.UpSampling1D(3), (2, 3, 2)),
    layer_example("up2d_bilinear", lambda: L.UpSampling2D((2, 3), interpolation="bilinear"), (2, 3, 2, 2)),
    layer_example("up2d_first", lambda: L.UpSampling2D(2, data_format="channels_first"), (2, 2, 3, 3)),
    layer_example("up3d", lambda: L.UpSampling3D((1, 2, 2)), (1, 2, 2, 2, 1)),
]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_layer_harness(example):
    check_layer(example.factory, example.input_shape, example.input_dtype)


X = RNG.normal(size=(4, 6)).astype("float32")


def test_activation_layers_follow_keras_formulas():
    relu = np.where(X >= 0.2, X, 0.1 * (X - 0.2))
    np.testing.assert_allclose(np.asarray(L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2)(X)),
                               np.minimum(relu, 1.5), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(L.LeakyReLU()(X)), np.where(X > 0, X, 0.3 * X), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(L.LeakyReLU(alpha=0.1)(X)), np.where(X > 0, X, 0.1 * X), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(L.ELU(alpha=0.5)(X)), np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(np.asarray(L.ThresholdedReLU(theta=0.5)(X)), np.where(X > 0.5, X, 0.0))
    e = np.exp(X - X.max(axis=0, keepdims=True))
    np.testing.assert_allclose(np.asarray(L.Softmax(axis=0)(X)), e / e.sum(axis=0), rtol=1e-5)


def test_prelu_learns_one_slope_per_channel_with_shared_axes():
    x = RNG.normal(size=(2, 3, 3, 4)).astype("float32")
    layer = L.PReLU(shared_axes=[1, 2])
    layer(symk.Input((3, 3, 4)))
    assert tuple(layer.alpha.shape) == (1, 1, 4)
    alpha = RNG.uniform(0, 1, (1, 1, 4)).astype("float32")
    layer.set_weights([alpha])
    np.testing.assert_allclose(np.asarray(layer(x)), np.where(x > 0, x, alpha * x), rtol=1e-6)


def test_softmax_gives_masked_positions_zero_probability():
    inputs = symk.Input((4,))
    mask_input = symk.Input((4,), dtype="bool")
    inputs._keras_mask = mask_input
    out = L.Softmax()(inputs)
    from symk.codegen import Program

    program = Program(out.graph, [inputs.node, mask_input.node], [(out.node, 0)])
    x = RNG.normal(size=(2, 4)).astype("float32")
    mask = np.array([[True, True, False, True], [True, False, False, False]])
    (got,), _ = program.run({}, {}, [x, mask])
    e = np.where(mask, np.exp(x), 0.0)
    np.testing.assert_allclose(np.asarray(got), e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("layer", [L.GaussianNoise(0.5), L.GaussianDropout(0.4), L.AlphaDropout(0.3),
                                   L.SpatialDropout2D(0.5)], ids=lambda l: type(l).__name__)
def test_noise_layers_are_identity_in_inference(layer):
    x = RNG.normal(size=(2, 3, 3, 4)).astype("float32")
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    assert not np.allclose(np.asarray(layer(x, training=True)), x)


def test_noise_statistics_in_training():
    ones = np.ones((200, 100), "float32")
    noisy = np.asarray(L.GaussianNoise(0.5)(ones, training=True))
    assert abs(noisy.mean() - 1.0) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    dropped = np.asarray(L.GaussianDropout(0.5)(ones, training=True))  # stddev sqrt(rate / (1 - rate)) = 1
    assert abs(dropped.mean() - 1.0) < 0.03 and abs(dropped.std() - 1.0) < 0.03
    standard = RNG.normal(size=(200, 100)).astype("float32")
    alpha = np.asarray(L.AlphaDropout(0.2)(standard, training=True))  # keeps zero mean, unit variance
    assert abs(alpha.mean()) < 0.03 and abs(alpha.std() - 1.0) < 0.03


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((8, 5, 5, 6), "float32")
    out = np.asarray(L.SpatialDropout2D(0.5)(x, training=True))
    per_map = out.reshape(8, 25, 6)
    assert np.all(per_map.min(axis=1) == per_map.max(axis=1))  # each (sample, channel) map all kept or all dropped
    assert set(np.unique(out)) <= {0.0, 2.0} and 0 < (out == 0).mean() < 1
    first = np.asarray(L.SpatialDropout1D(0.5)(np.ones((4, 7, 5), "float32"), training=True))
    assert np.all(first.min(axis=1) == first.max(axis=1))


def test_activity_regularization_adds_its_loss():
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    x = symk.Input((3,))
    layer(x)
    assert len(layer.losses) == 1


def test_reshaping_layers_match_numpy():
    x = RNG.normal(size=(2, 3, 4, 2)).astype("float32")
    np.testing.assert_array_equal(np.asarray(L.ZeroPadding2D(((1, 0), (2, 1)))(x)),
                                  np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(np.asarray(L.ZeroPadding2D(1, data_format="channels_first")(x)),
                                  np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))
    np.testing.assert_array_equal(np.asarray(L.Cropping2D(((1, 0), (1, 2)))(x)), x[:, 1:, 1:2])
    np.testing.assert_array_equal(np.asarray(L.Cropping1D((0, 1))(x[:, :, :, 0])), x[:, :2, :, 0])
    np.testing.assert_array_equal(np.asarray(L.UpSampling2D((2, 3))(x)), x.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(np.asarray(L.UpSampling1D(2)(x[..., 0])), x[..., 0].repeat(2, axis=1))


def _bilinear_axis(n, factor):
    """Interpolation matrix for half-pixel-centre bilinear upsampling, clamped at the edges."""
    matrix = np.zeros((n * factor, n))
    for i in range(n * factor):
        src = min(max((i + 0.5) / factor - 0.5, 0.0), n - 1)
        lo = int(np.floor(src))
        hi, w = min(lo + 1, n - 1), src - lo
        matrix[i, lo] += 1 - w
        matrix[i, hi] += w
    return matrix


def test_bilinear_upsampling_matches_half_pixel_interpolation():
    x = RNG.normal(size=(1, 3, 4, 2)).astype("float32")
    rows, cols = _bilinear_axis(3, 2), _bilinear_axis(4, 3)
    expected = np.einsum("ih,jw,bhwc->bijc", rows, cols, x)
    got = np.asarray(L.UpSampling2D((2, 3), interpolation="bilinear")(x))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_misc_errors_name_the_problem():
    with pytest.raises(ValueError, match="max_value"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="rate"):
        L.GaussianDropout(1.5)
    with pytest.raises(ValueError, match="padding"):
        L.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="interpolation"):
        L.UpSampling2D(interpolation="cubic_spline")
    with pytest.raises(ValueError, match="removes all"):
        L.Cropping1D((2, 2))(symk.Input((4, 3)))
    with pytest.raises(ValueError, match="shared"):
        L.PReLU()(symk.Input((None, 3)))
