"""keras.ops.image properties the Keras references do not pin down: unseeded elastic_transform, parameters
shared across a batch, unknown spatial sizes in graphs, calls inside jax.jit/grad, and the error messages.
(Values against real Keras: tests/test_ops_keras_reference.py; shape rules: tests/op_cases_image.py.)"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symk
from symk import backend as K

image = symk.ops.image
RNG = np.random.default_rng(5)
IMAGES = RNG.uniform(size=(2, 5, 6, 3)).astype("float32")


def run_graph(fn, *arrays, shapes=None):
    """fn on placeholders (with `shapes`, None marking unknown sizes), run through one compiled graph."""
    shapes = shapes or [a.shape for a in arrays]
    placeholders = [K.placeholder(shape=s, dtype=str(a.dtype)) for s, a in zip(shapes, arrays)]
    out = fn(*placeholders)
    return out, np.asarray(K.function(placeholders, [out])(list(arrays))[0])


# -- elastic_transform -------------------------------------------------------------------
def test_elastic_transform_without_displacement_returns_the_images():
    for images in (IMAGES, IMAGES[0], np.moveaxis(IMAGES, -1, 1)):
        data_format = "channels_first" if images.shape[1] == 3 else "channels_last"
        out = image.elastic_transform(images, alpha=0.0, data_format=data_format)
        np.testing.assert_allclose(np.asarray(out), images, rtol=1e-6)


def test_elastic_transform_seeds():
    seeded = [np.asarray(image.elastic_transform(IMAGES, alpha=5.0, sigma=1.0, seed=4)) for _ in range(2)]
    np.testing.assert_array_equal(*seeded)
    fresh = [np.asarray(image.elastic_transform(IMAGES, alpha=5.0, sigma=1.0)) for _ in range(2)]
    assert not np.allclose(*fresh), "seed=None must draw a new deformation each call"
    assert fresh[0].shape == IMAGES.shape and fresh[0].dtype == np.float32
    half = image.elastic_transform(IMAGES.astype("float16"), seed=1)
    assert half.dtype == jnp.float16 and half.shape == IMAGES.shape


def test_elastic_transform_in_a_graph_with_an_unknown_batch():
    out, value = run_graph(lambda x: image.elastic_transform(x, alpha=3.0, sigma=1.0), IMAGES,
                           shapes=[(None, 5, 6, 3)])
    assert out.shape == (None, 5, 6, 3) and value.shape == IMAGES.shape
    assert np.isfinite(value).all()


def test_elastic_transform_refuses_integer_images_and_bad_seeds():
    with pytest.raises(ValueError, match="needs float images"):
        image.elastic_transform(IMAGES.astype("int32"))
    with pytest.raises(TypeError, match="seed must be an int or None"):
        image.elastic_transform(IMAGES, seed="7")


# -- parameters shared across a batch (Keras on JAX refuses these; TensorFlow broadcasts them) ------------
def test_one_affine_transform_for_a_whole_batch():
    transform = np.array([1.1, 0.2, -0.5, -0.1, 0.9, 0.4, 0.0, 0.0], "float32")
    shared = np.asarray(image.affine_transform(IMAGES, transform))
    each = np.asarray(image.affine_transform(IMAGES, np.stack([transform, transform])))
    np.testing.assert_allclose(shared, each, rtol=1e-6)


def test_affine_identity_and_projective_entries_ignored():
    identity = np.array([1, 0, 0, 0, 1, 0, 0, 0], "float32")
    np.testing.assert_allclose(np.asarray(image.affine_transform(IMAGES, identity)), IMAGES, rtol=1e-6)
    projective = np.array([1, 0, 0, 0, 1, 0, 0.3, -0.2], "float32")
    np.testing.assert_allclose(np.asarray(image.affine_transform(IMAGES, projective)), IMAGES, rtol=1e-6)


def test_one_set_of_perspective_points_for_a_whole_batch():
    start = np.array([[0, 0], [0, 4], [5, 0], [5, 4]], "float32")
    end = start + np.array([[0.5, 0.1], [0, 0.3], [-0.2, 0], [0.4, -0.3]], "float32")
    shared = np.asarray(image.perspective_transform(IMAGES, start, end))
    each = np.asarray(image.perspective_transform(IMAGES, np.stack([start] * 2), np.stack([end] * 2)))
    np.testing.assert_allclose(shared, each, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(image.perspective_transform(IMAGES, start, start)), IMAGES,
                               rtol=1e-5, atol=1e-6)


# -- graphs with unknown sizes, tracers, variables -------------------------------------------
def test_pad_and_crop_with_an_unknown_height():
    padded, value = run_graph(lambda x: image.pad_images(x, top_padding=1, left_padding=2, target_height=9,
                                                         target_width=10), IMAGES, shapes=[(None, None, 6, 3)])
    assert padded.shape == (None, 9, 10, 3)
    np.testing.assert_array_equal(value, np.pad(IMAGES, [(0, 0), (1, 3), (2, 2), (0, 0)]))
    cropped, value = run_graph(lambda x: image.crop_images(x, bottom_cropping=1, left_cropping=2, target_height=3,
                                                           target_width=3), IMAGES, shapes=[(None, None, 6, 3)])
    assert cropped.shape == (None, 3, 3, 3)
    np.testing.assert_array_equal(value, IMAGES[:, 1:4, 2:5])


def test_pad_to_a_target_smaller_than_the_graphs_image_fails_when_it_runs():
    with pytest.raises(ValueError, match="pad_images"):
        run_graph(lambda x: image.pad_images(x, top_padding=1, left_padding=0, target_height=4, target_width=6),
                  IMAGES, shapes=[(None, None, 6, 3)])


def test_extract_patches_with_unknown_sizes():
    out, value = run_graph(lambda x: image.extract_patches(x, 2, strides=1), IMAGES, shapes=[(None, None, None, 3)])
    assert out.shape == (None, None, None, 12) and value.shape == (2, 4, 5, 12)
    np.testing.assert_array_equal(value[:, :, :, :3], IMAGES[:, :4, :5])          # the window's top-left pixel
    np.testing.assert_array_equal(value[:, :, :, 9:], IMAGES[:, 1:, 1:])           # its bottom-right pixel


def test_image_ops_inside_jit_and_grad():
    resized = jax.jit(lambda x: image.resize(x, (3, 3), interpolation="bicubic"))(IMAGES)
    np.testing.assert_allclose(np.asarray(resized), np.asarray(image.resize(IMAGES, (3, 3), interpolation="bicubic")),
                               rtol=1e-5, atol=1e-6)
    grad = jax.grad(lambda x: image.ssim(x, IMAGES * 0.5, filter_size=3).sum())(IMAGES)
    assert grad.shape == IMAGES.shape and np.isfinite(np.asarray(grad)).all()
    gray = jax.vmap(lambda x: image.rgb_to_grayscale(x))(IMAGES)
    assert gray.shape == (2, 5, 6, 1)


def test_image_ops_on_a_variable():
    v = symk.Variable(IMAGES)
    out = image.gaussian_blur(v, data_format="channels_last")
    assert tuple(out.shape) == IMAGES.shape


def test_data_format_none_follows_the_config():
    channels_first = np.moveaxis(IMAGES, -1, 1)
    explicit = np.asarray(image.gaussian_blur(channels_first, data_format="channels_first"))
    symk.config.set_image_data_format("channels_first")
    try:
        np.testing.assert_allclose(np.asarray(image.gaussian_blur(channels_first)), explicit)
        assert image.rgb_to_grayscale(channels_first).shape == (2, 1, 5, 6)
    finally:
        symk.config.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="data_format must be"):
        image.rgb_to_hsv(IMAGES, data_format="NHWC")


# -- errors say what to do ---------------------------------------------------------------
@pytest.mark.parametrize("call,message", [
    (lambda: image.resize(IMAGES, (3, 3), interpolation="area"), "no 'area'"),
    (lambda: image.resize(IMAGES, (0, 3)), "two positive integers"),
    (lambda: image.resize(IMAGES, (3, 3), fill_mode="reflect"), "fill_mode='constant'"),
    (lambda: image.resize(IMAGES[0, 0], (3, 3)), "rank 3 .one image. or rank 4"),
    (lambda: image.resize(IMAGES, (3, 3), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True), "cannot both"),
    (lambda: image.rgb_to_hsv(IMAGES.astype("int32")), "needs float images"),
    (lambda: image.rgb_to_grayscale(IMAGES[..., :2]), "3 .RGB. or 1 .grayscale. channels"),
    (lambda: image.crop_images(IMAGES, 2, 0, target_height=4, target_width=6), "larger than the image"),
    (lambda: image.crop_images(IMAGES, 1, 1), "exactly two of top_cropping, bottom_cropping, target_height"),
    (lambda: image.pad_images(IMAGES, 1, 1, target_height=3, target_width=9), "crop_images to shrink"),
    (lambda: image.pad_images(IMAGES, -1, 0, 0, 0), "non-negative integer"),
    (lambda: image.extract_patches(IMAGES, (2, 2, 2, 2)), "length 2 .2-D patches. or 3"),
    (lambda: image.extract_patches(IMAGES, 7), "does not fit"),
    (lambda: image.extract_patches_3d(IMAGES, (2, 2)), "tuple of length 3"),
    (lambda: image.map_coordinates(IMAGES[0, :, :, 0], np.zeros((2, 3)), order=3), "order must be 0"),
    (lambda: image.map_coordinates(IMAGES[0, :, :, 0], np.zeros((3, 3)), order=1), "rank of inputs"),
    (lambda: image.affine_transform(IMAGES, np.zeros((3, 8), "float32")), "3 transforms for 2 image"),
    (lambda: image.affine_transform(IMAGES, np.zeros(6, "float32")), "8 entries"),
    (lambda: image.perspective_transform(IMAGES, np.zeros((3, 2)), np.zeros((3, 2))), r"\(4, 2\)"),
    (lambda: image.sobel_edges(IMAGES[0]), "batch of images .rank 4."),
    (lambda: image.ssim(IMAGES, IMAGES[:, :4]), "same shape"),
    (lambda: image.ssim(IMAGES, IMAGES), "smaller than filter_size 11"),
    (lambda: image.gaussian_blur(IMAGES, sigma=1.0), "sigma must be a pair"),
    (lambda: image.scale_and_translate(IMAGES, (2, 3, 3, 3), [1.0], [0.0], (1, 2), "linear"), "1 entries"),
    (lambda: image.scale_and_translate(IMAGES, (2, 3, 3, 3), [1.0, 1.0], [0.0, 0.0], (1, 2), "nearest"),
     "unknown method"),
])
def test_bad_calls_say_what_to_do(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
