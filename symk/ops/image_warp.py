"""Warping ops of keras.ops.image: map_coordinates, affine_transform, perspective_transform, elastic_transform.

Each samples the input at computed coordinates with jax.scipy.ndimage.map_coordinates (order 0:
nearest, 1: linear; integer inputs are rounded back to their dtype).

    >>> symk.ops.image.affine_transform(images, [1.0, 0, -20, 0, 1.0, -16, 0, 0])   # a translation
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy import ndimage

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .image_common import (check_data_format, check_image_rank, check_seed, from_batch_last, keras_seed_key,
                           require_float, resolve_data_format, to_batch_last)
from .image_filters import blur_batch_last
from .registry import apply, def_op, is_symbolic

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
INTERPOLATION_ORDERS = {"nearest": 0, "bilinear": 1}


def _check_interpolation(interpolation):
    if interpolation not in INTERPOLATION_ORDERS:
        raise RuleViolation(f"unknown interpolation {interpolation!r}", "use 'nearest' or 'bilinear'")


def _check_fill_mode(fill_mode):
    if fill_mode not in FILL_MODES:
        raise RuleViolation(f"unknown fill_mode {fill_mode!r}", f"use one of {', '.join(FILL_MODES)}")


def _sample_channels(image, rows, cols, order, fill_mode, fill_value):
    """An (height, width, channels) image sampled at (rows, cols) of the output grid, channel by channel."""
    def sample(plane):
        return ndimage.map_coordinates(plane, [rows, cols], order=order, mode=fill_mode, cval=fill_value)
    return jax.vmap(sample, in_axes=-1, out_axes=-1)(image)


def _batch_of_parameters(image_spec, params_spec, single_rank, what):
    """Per-image parameters (a transform, a set of points) come one per image or one for all images."""
    if len(params_spec.shape) not in (single_rank, single_rank + 1):
        raise RuleViolation(f"{what} must be rank {single_rank} (one for all images) or rank {single_rank + 1} "
                            f"(one per image), got rank {len(params_spec.shape)}", f"reshape {what}")
    if len(params_spec.shape) == single_rank:
        return
    count = params_spec.shape[0]
    images = image_spec.shape[0] if len(image_spec.shape) == 4 else 1
    if count is not None and images is not None and count not in (1, images):
        raise RuleViolation(f"{count} {what} for {images} image(s)", f"give one {what} per image, or a single one")


def _per_image(params, batch, single_rank):
    """(batch, ...) parameters: one row per image (a single row is shared)."""
    params = params.astype(jnp.float32)
    params = params[None] if params.ndim == single_rank else params
    return jnp.broadcast_to(params, (batch,) + params.shape[1:])


# -- map_coordinates -------------------------------------------------------------------
def map_coordinates_rule(specs, attrs):
    x, coordinates = specs
    if len(coordinates.shape) < 2:
        raise RuleViolation(f"coordinates must be at least rank 2 (one row per input axis, then the output's "
                            f"shape), got shape {tuple(coordinates.shape)}", "stack one coordinate array per axis")
    if coordinates.shape[0] != len(x.shape):
        raise RuleViolation(f"coordinates' first axis ({coordinates.shape[0]}) must equal the rank of inputs "
                            f"({len(x.shape)})", "give one coordinate array per axis of inputs")
    if attrs.order not in (0, 1):
        raise RuleViolation(f"order must be 0 (nearest) or 1 (linear), got {attrs.order!r}", "use order=0 or 1")
    _check_fill_mode(attrs.fill_mode)
    return TensorSpec.of(coordinates.shape[1:], x.dtype)


def _map_coordinates(x, coordinates, order, fill_mode, fill_value):
    return ndimage.map_coordinates(x, list(coordinates), order=order, mode=fill_mode, cval=fill_value)


def_op("map_coordinates", map_coordinates_rule, _map_coordinates, inputs=2,
       attrs=dict(order=1, fill_mode="constant", fill_value=0),
       doc="Sample inputs at coordinates (rank(inputs), ...) by nearest or linear interpolation.")


@keras_export("image")
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample `inputs` at `coordinates` (one array per axis of inputs) with order 0 (nearest) or 1 (linear).

    >>> symk.ops.image.map_coordinates(np.arange(4.0).reshape(2, 2), [[0.5], [0.5]], order=1)
    Array([1.5], dtype=float32)
    """
    if isinstance(coordinates, (list, tuple)) and any(is_symbolic(c) for c in coordinates):
        coordinates = apply("stack", list(coordinates), axis=0)
    return apply("map_coordinates", [inputs, coordinates], order=order, fill_mode=fill_mode, fill_value=fill_value)


# -- affine_transform ------------------------------------------------------------------
def affine_transform_rule(specs, attrs):
    x, transform = specs
    check_image_rank(x)
    check_data_format(attrs.data_format)
    _check_interpolation(attrs.interpolation)
    _check_fill_mode(attrs.fill_mode)
    _batch_of_parameters(x, transform, 1, "transforms")
    if transform.shape[-1] not in (None, 8):
        raise RuleViolation(f"a transform has 8 entries [a0, a1, a2, b0, b1, b2, c0, c1], got {transform.shape[-1]}",
                            "append c0 = c1 = 0 to an affine 2x3 matrix's 6 entries")
    return x


def _affine_transform(x, transform, interpolation, fill_mode, fill_value, data_format):
    batched = x.ndim == 4
    images = to_batch_last(x, batched, data_format)
    batch, height, width, _ = images.shape
    rows, cols = jnp.meshgrid(jnp.arange(height, dtype=jnp.float32), jnp.arange(width, dtype=jnp.float32),
                              indexing="ij")

    def warp(image, t):
        # the output pixel (x, y) samples the input at (a0 x + a1 y + a2, b0 x + b1 y + b2).
        # NOTE: c0 and c1 (the projective part) are ignored, as Keras documents for its non-TensorFlow backends
        src_cols = t[0] * cols + t[1] * rows + t[2]
        src_rows = t[3] * cols + t[4] * rows + t[5]
        return _sample_channels(image, src_rows, src_cols, INTERPOLATION_ORDERS[interpolation], fill_mode,
                                fill_value)

    warped = jax.vmap(warp)(images, _per_image(transform, batch, 1))
    return from_batch_last(warped, batched, data_format)


def_op("affine_transform", affine_transform_rule, _affine_transform, inputs=2,
       attrs=dict(interpolation="bilinear", fill_mode="constant", fill_value=0, data_format="channels_last"),
       doc="Warp images by inverse affine transforms [a0, a1, a2, b0, b1, b2, c0, c1] (one, or one per image).")


@keras_export("image")
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Warp images by `transform` ([a0, a1, a2, b0, b1, b2, c0, c1], or one row per image), which maps each
    output pixel (x, y) to the input point (a0 x + a1 y + a2, b0 x + b1 y + b2); c0 and c1 are ignored."""
    return apply("affine_transform", [images, transform], interpolation=interpolation, fill_mode=fill_mode,
                 fill_value=fill_value, data_format=resolve_data_format(data_format, "affine_transform"))


# -- perspective_transform ---------------------------------------------------------------
def perspective_transform_rule(specs, attrs):
    x, start, end = specs
    check_image_rank(x)
    check_data_format(attrs.data_format)
    _check_interpolation(attrs.interpolation)
    for name, points in (("start_points", start), ("end_points", end)):
        if tuple(points.shape[-2:]) != (4, 2):
            raise RuleViolation(f"{name} must have shape (4, 2) or (N, 4, 2): four (x, y) corners, got "
                                f"{tuple(points.shape)}", "list the four corners as (x, y) pairs")
        _batch_of_parameters(x, points, 2, name)
    if len(start.shape) != len(end.shape) or any(a is not None and b is not None and a != b
                                                 for a, b in zip(start.shape, end.shape)):
        raise RuleViolation("start_points and end_points must have the same shape",
                            "give one end point per start point")
    return x


def homography(start, end):
    """The 8 coefficients of the projective map taking each end point (output) to its start point (input)."""
    sx, sy, ex, ey = start[..., 0], start[..., 1], end[..., 0], end[..., 1]
    zeros, ones = jnp.zeros_like(ex), jnp.ones_like(ex)
    rows_for_x = jnp.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], axis=-1)
    rows_for_y = jnp.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], axis=-1)
    system = jnp.concatenate([rows_for_x, rows_for_y], axis=-2)            # (batch, 8, 8)
    targets = jnp.concatenate([sx, sy], axis=-1)[..., None]                # (batch, 8, 1)
    return jnp.linalg.solve(system, targets)[..., 0]


def _perspective_transform(x, start_points, end_points, interpolation, fill_value, data_format):
    batched = x.ndim == 4
    images = to_batch_last(x, batched, data_format)
    batch, height, width, _ = images.shape
    coefficients = homography(_per_image(start_points, batch, 2), _per_image(end_points, batch, 2))
    rows, cols = jnp.meshgrid(jnp.arange(height, dtype=jnp.float32), jnp.arange(width, dtype=jnp.float32),
                              indexing="ij")

    def warp(image, h):
        denominator = h[6] * cols + h[7] * rows + 1.0
        src_cols = (h[0] * cols + h[1] * rows + h[2]) / denominator
        src_rows = (h[3] * cols + h[4] * rows + h[5]) / denominator
        return _sample_channels(image, src_rows, src_cols, INTERPOLATION_ORDERS[interpolation], "constant",
                                fill_value)

    return from_batch_last(jax.vmap(warp)(images, coefficients), batched, data_format)


def_op("perspective_transform", perspective_transform_rule, _perspective_transform, inputs=3,
       attrs=dict(interpolation="bilinear", fill_value=0, data_format="channels_last"),
       doc="Warp images so that start_points (input corners) land on end_points (output corners).")


@keras_export("image")
def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warp images by the perspective map that takes the four `start_points` to the four `end_points`
    ((4, 2) for all images or (N, 4, 2), as (x, y)); pixels from outside the input get `fill_value`."""
    return apply("perspective_transform", [images, start_points, end_points], interpolation=interpolation,
                 fill_value=fill_value, data_format=resolve_data_format(data_format, "perspective_transform"))


# -- elastic_transform -----------------------------------------------------------------
def elastic_transform_rule(specs, attrs):
    (x,) = specs
    check_image_rank(x)
    check_data_format(attrs.data_format)
    require_float(x, "elastic_transform")
    _check_interpolation(attrs.interpolation)
    _check_fill_mode(attrs.fill_mode)
    if not attrs.sigma > 0:
        raise RuleViolation(f"sigma must be positive, got {attrs.sigma}", "e.g. sigma=5.0")
    return x


def _elastic_transform(x, alpha, sigma, interpolation, fill_mode, fill_value, seed, data_format, rng):
    batched = x.ndim == 4
    images = to_batch_last(x, batched, data_format)
    batch, height, width, _ = images.shape
    key = keras_seed_key(seed) if seed is not None else rng
    # NOTE: Keras draws both displacement fields from the same key, so they are equal (each pixel moves
    # along the diagonal); kept so a seeded call gives Keras's numbers
    noise = jax.random.normal(key, (batch, height, width, 1), dtype=x.dtype).astype(jnp.float32) * sigma
    size = int(6 * sigma) | 1
    displacement = alpha * blur_batch_last(noise, (size, size), (sigma, sigma))[..., 0]
    rows, cols = jnp.meshgrid(jnp.arange(height, dtype=jnp.float32), jnp.arange(width, dtype=jnp.float32),
                              indexing="ij")

    def warp(image, moved):
        return _sample_channels(image, rows + moved, cols + moved, INTERPOLATION_ORDERS[interpolation], fill_mode,
                                fill_value)

    return from_batch_last(jax.vmap(warp)(images, displacement), batched, data_format).astype(x.dtype)


def_op("elastic_transform", elastic_transform_rule, _elastic_transform, random=True, foldable=False,
       attrs=dict(alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0, seed=None,
                  data_format="channels_last"),
       doc="Elastic deformation: pixels move by Gaussian-smoothed noise scaled by alpha.")


@keras_export("image")
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                      seed=None, data_format=None):
    """Deform float images by random displacements (Gaussian noise blurred by `sigma`, scaled by `alpha`).

    An int `seed` gives the same deformation every call (Keras's for the same seed); None draws a new one.
    """
    return apply("elastic_transform", [images], alpha=float(alpha), sigma=float(sigma), interpolation=interpolation,
                 fill_mode=fill_mode, fill_value=fill_value, seed=check_seed(seed, "elastic_transform"),
                 data_format=resolve_data_format(data_format, "elastic_transform"))
