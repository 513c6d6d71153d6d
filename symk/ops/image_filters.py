"""Filtering ops of keras.ops.image: gaussian_blur, sobel_edges and ssim (all depthwise convolutions).

    >>> symk.ops.image.gaussian_blur(images, kernel_size=(5, 5), sigma=(2.0, 2.0))
    >>> symk.ops.image.ssim(reference, distorted, max_val=255.0)   # one value per image
"""
from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from ..errors import RuleViolation
from ..shapes import TensorSpec
from .api import keras_export
from .image_common import (check_data_format, check_image_rank, compute_float_dtype, from_batch_last, image_axes,
                           require_float, resolve_data_format, to_batch_last)
from .registry import apply, def_op

NHWC = ("NHWC", "HWIO", "NHWC")


def depthwise(images, kernel, padding: str):
    """Each channel of a (batch, height, width, channels) tensor convolved with the same 2-D kernel."""
    channels = images.shape[-1]
    kernel = jnp.tile(kernel.astype(images.dtype)[:, :, None, None], (1, 1, 1, channels))
    return lax.conv_general_dilated(images, kernel, (1, 1), padding, dimension_numbers=NHWC,
                                    feature_group_count=channels, precision=lax.Precision.HIGHEST)


def gaussian_kernel_1d(size: int, sigma, dtype):
    offsets = jnp.arange(size, dtype=dtype) - jnp.asarray((size - 1) / 2, dtype)
    weights = jnp.exp(-0.5 * (offsets / sigma) ** 2)
    return weights / jnp.sum(weights)


def blur_batch_last(images, kernel_size, sigma):
    """Gaussian blur of a (batch, height, width, channels) float tensor, 'same' padding with zeros.

    NOTE: as Keras builds its kernel, kernel_size[0] and sigma[0] run along the width and the second
    entries along the height (Keras's docs say (height, width)); kept so results match Keras.
    """
    kernel = jnp.outer(gaussian_kernel_1d(kernel_size[1], sigma[1], images.dtype),
                       gaussian_kernel_1d(kernel_size[0], sigma[0], images.dtype))
    return depthwise(images, kernel, "SAME")


# -- gaussian_blur ---------------------------------------------------------------------
def _pair(value, what):
    try:
        pair = tuple(value)
    except TypeError:
        pair = ()
    if len(pair) != 2:
        raise RuleViolation(f"{what} must be a pair, got {value!r}", f"e.g. {what}=(3, 3)")
    return pair


def gaussian_blur_rule(specs, attrs):
    (x,) = specs
    check_image_rank(x)
    check_data_format(attrs.data_format)
    require_float(x, "gaussian_blur")
    sizes, sigmas = _pair(attrs.kernel_size, "kernel_size"), _pair(attrs.sigma, "sigma")
    if any(not isinstance(k, int) or k < 1 for k in sizes):
        raise RuleViolation(f"kernel_size {sizes} must be positive integers", "e.g. kernel_size=(5, 5)")
    if any(not s > 0 for s in sigmas):
        raise RuleViolation(f"sigma {sigmas} must be positive", "e.g. sigma=(1.0, 1.0)")
    return x


def _gaussian_blur(x, kernel_size, sigma, data_format):
    batched = x.ndim == 4
    blurred = blur_batch_last(to_batch_last(x, batched, data_format), kernel_size, sigma)
    return from_batch_last(blurred, batched, data_format)


def_op("gaussian_blur", gaussian_blur_rule, _gaussian_blur,
       attrs=dict(kernel_size=(3, 3), sigma=(1.0, 1.0), data_format="channels_last"),
       doc="Gaussian blur of float images ('same' size, zero padding).")


@keras_export("image")
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur float images (3-D or 4-D) with a Gaussian kernel of `kernel_size` and standard deviations `sigma`."""
    return apply("gaussian_blur", [images], kernel_size=kernel_size, sigma=sigma,
                 data_format=resolve_data_format(data_format, "gaussian_blur"))


# -- sobel_edges -----------------------------------------------------------------------
SOBEL_X = ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1))     # d/dx: responds to vertical edges
SOBEL_Y = ((-1, -2, -1), (0, 0, 0), (1, 2, 1))     # d/dy


def sobel_rule(specs, attrs):
    (x,) = specs
    check_data_format(attrs.data_format)
    if len(x.shape) != 4:
        raise RuleViolation(f"sobel_edges needs a batch of images (rank 4), got rank {len(x.shape)}",
                            "add a batch axis with ops.expand_dims(images, 0)")
    dtype = jnp.dtype(x.dtype)
    if not (jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.signedinteger)):
        raise RuleViolation(f"sobel_edges needs float or signed integer images, got {x.dtype} (its kernel has "
                            "negative weights)", "cast first, e.g. ops.cast(images, 'float32')")
    return TensorSpec.of(tuple(x.shape) + (2,), x.dtype)


def _sobel_edges(x, data_format):
    images = to_batch_last(x, True, data_format)
    edges = [from_batch_last(depthwise(images, jnp.asarray(k), "SAME"), True, data_format) for k in (SOBEL_Y, SOBEL_X)]
    return jnp.stack(edges, axis=-1)


def_op("sobel_edges", sobel_rule, _sobel_edges, attrs=dict(data_format="channels_last"),
       doc="Sobel gradients of a batch of images: a new last axis holds [dy, dx].")


@keras_export("image")
def sobel_edges(images, data_format=None):
    """Sobel gradients of a batch of images (rank 4); the result has a last axis of 2: [dy, dx].

    >>> symk.ops.image.sobel_edges(np.ones((1, 8, 8, 1))).shape
    (1, 8, 8, 1, 2)
    """
    return apply("sobel_edges", [images], data_format=resolve_data_format(data_format, "sobel_edges"))


# -- ssim ------------------------------------------------------------------------------
def ssim_rule(specs, attrs):
    first, second = specs
    rank = check_image_rank(first, "image1")
    check_image_rank(second, "image2")
    check_data_format(attrs.data_format)
    if len(second.shape) != rank or any(a is not None and b is not None and a != b
                                        for a, b in zip(first.shape, second.shape)):
        raise RuleViolation("image1 and image2 must have the same shape", "resize or crop one of them to the other")
    size = attrs.filter_size
    if not isinstance(size, int) or size < 1:
        raise RuleViolation(f"filter_size must be a positive integer, got {size!r}", "e.g. filter_size=11")
    if not attrs.filter_sigma > 0:
        raise RuleViolation(f"filter_sigma must be positive, got {attrs.filter_sigma}", "e.g. filter_sigma=1.5")
    height_axis, width_axis, _ = image_axes(rank, attrs.data_format)
    for axis in (height_axis, width_axis):
        length = first.shape[axis] if first.shape[axis] is not None else second.shape[axis]
        if length is not None and length < size:
            raise RuleViolation(f"the images ({length} pixels on axis {axis}) are smaller than filter_size {size}",
                                "pass a smaller filter_size, or compare larger images")
    batch = () if rank == 3 else (first.shape[0] if first.shape[0] is not None else second.shape[0],)
    return TensorSpec.of(batch, first.dtype)


def _mean(x, axis):
    # NOTE: half-precision means accumulate in float32, as Keras's ops.mean does
    return jnp.mean(x, axis=axis, dtype=jnp.promote_types(x.dtype, jnp.float32)).astype(x.dtype)


def _ssim(image1, image2, max_val, filter_size, filter_sigma, k1, k2, data_format):
    batched = image1.ndim == 4
    dtype = compute_float_dtype(image1.dtype)
    first, second = (to_batch_last(x.astype(dtype), batched, data_format) for x in (image1, image2))
    batch, height, width, channels = first.shape

    def planes(x):  # every channel its own single-channel image: (batch * channels, height, width, 1)
        return jnp.transpose(x, (0, 3, 1, 2)).reshape(batch * channels, height, width, 1)

    offsets = jnp.arange(filter_size, dtype=dtype) - (filter_size - 1) / 2.0
    weights = jnp.exp(-(offsets ** 2) / (2.0 * filter_sigma ** 2))
    weights = weights / jnp.sum(weights)
    kernel = jnp.outer(weights, weights)

    def local_mean(x):
        return depthwise(x, kernel, "VALID")

    first, second = planes(first), planes(second)
    mean1, mean2 = local_mean(first), local_mean(second)
    var1 = local_mean(first * first) - mean1 * mean1
    var2 = local_mean(second * second) - mean2 * mean2
    covariance = local_mean(first * second) - mean1 * mean2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    ssim_map = ((2.0 * mean1 * mean2 + c1) * (2.0 * covariance + c2)
                / ((mean1 * mean1 + mean2 * mean2 + c1) * (var1 + var2 + c2)))
    per_image = _mean(_mean(ssim_map, (1, 2, 3)).reshape(batch, channels), -1)
    return (per_image if batched else per_image[0]).astype(image1.dtype)


def_op("ssim", ssim_rule, _ssim, inputs=2,
       attrs=dict(max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format="channels_last"),
       doc="Structural similarity of two images (Wang et al. 2004), averaged over pixels and channels.")


@keras_export("image")
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Structural similarity index of two images or batches (1 for identical images); one value per image.

    >>> symk.ops.image.ssim(np.ones((2, 16, 16, 3)), np.ones((2, 16, 16, 3))).shape
    (2,)
    """
    return apply("ssim", [image1, image2], max_val=max_val, filter_size=filter_size, filter_sigma=filter_sigma,
                 k1=k1, k2=k2, data_format=resolve_data_format(data_format, "ssim"))
