"""keras.ops.nn's encodings and measures: one_hot, multi_hot, normalize, psnr and polar.

one_hot takes integer or float class indices (as Keras does: a float index that is not a whole number,
or one out of range, encodes as all zeros) and any output axis; `dtype=None` is symk.config.floatx().

    >>> symk.ops.nn.one_hot(np.array([0.0, 2.0]), 3)             # [[1, 0, 0], [0, 0, 1]]
    >>> symk.ops.nn.multi_hot(np.array([[0, 2]]), num_classes=3)  # [[1, 0, 1]]
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..config import epsilon as default_epsilon
from ..config import floatx
from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes, canonical_dtype, normalize_axes, normalize_axis
from .api import keras_export
from .elementwise import align_ranks
from .nn_args import float_dtype, no_sparse, promoted
from .registry import apply, def_op, spec_of


# -- one_hot / multi_hot -----------------------------------------------------------------
def one_hot_axis_rule(specs, attrs):
    (x,) = specs
    if x.dtype == "bool":
        raise RuleViolation("one_hot needs integer or float class indices, got bool", "cast the labels to int32")
    if not isinstance(attrs.num_classes, int) or attrs.num_classes < 1:
        raise RuleViolation(f"num_classes must be a positive integer, got {attrs.num_classes!r}",
                            "pass the number of classes")
    axis = normalize_axis(attrs.axis, len(x.shape) + 1)
    shape = list(x.shape)
    shape.insert(axis, attrs.num_classes)
    return TensorSpec.of(shape, attrs.dtype)


def_op("one_hot_axis", one_hot_axis_rule,
       lambda x, num_classes, axis, dtype: jax.nn.one_hot(x, num_classes, axis=axis, dtype=dtype),
       attrs=dict(num_classes=2, axis=-1, dtype="float32"),
       doc="One-hot encoding along any output axis, of integer or float class indices.")


def _dtype_or_floatx(dtype) -> str:
    return floatx() if dtype is None else canonical_dtype(dtype)


@keras_export("nn")
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encode class indices: the classes form a new axis `axis` of size num_classes."""
    no_sparse("one_hot", sparse)
    return apply("one_hot_axis", [x], num_classes=num_classes, axis=axis, dtype=_dtype_or_floatx(dtype))


@keras_export("nn")
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Encode each example's class indices as one vector with a 1 at every class it names."""
    if num_classes is None and "num_tokens" in kwargs:  # Keras's old name
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise TypeError(f"multi_hot got unexpected keyword argument(s) {sorted(kwargs)}")
    if num_classes is None:
        raise ValueError("multi_hot: num_classes must be given")
    no_sparse("multi_hot", sparse)
    rank = len(spec_of(inputs).shape)
    # Keras truncates float indices to integers here (unlike one_hot), then takes the max over the
    # examples' index axis (axis 1, or 0 for a vector of indices)
    encoded = one_hot(apply("cast", [inputs], dtype="int32"), num_classes, axis=axis, dtype=dtype)
    return apply("max", [encoded], axis=1 if rank > 1 else 0, keepdims=False)


# -- normalize ---------------------------------------------------------------------------
def normalize_rule(specs, attrs):
    (x,) = specs
    if not isinstance(attrs.order, int) or isinstance(attrs.order, bool) or attrs.order < 1:
        raise RuleViolation(f"order must be an integer >= 1, got {attrs.order!r}", "use order=2 (or 1, 3, ...)")
    shape = tuple(x.shape) or (1,)   # a scalar is normalized as a vector of one
    counted = len(normalize_axes(attrs.axis, len(shape)))
    if attrs.order != 2 and (counted > 2 or (counted == 2 and attrs.order != 1)):
        raise RuleViolation(f"an order-{attrs.order} norm over {counted} axes is not defined (numpy's norm: vectors "
                            "take any order, matrices order 1 or 2)", "normalize over one axis")
    return TensorSpec.of(shape, float_dtype(x.dtype))


def _normalize(x, axis, order, epsilon):
    x = x.astype(float_dtype(x.dtype.name))
    if x.ndim == 0:
        x = x.reshape(1)
    if order == 2:
        inverse_norm = jax.lax.rsqrt(jnp.sum(jnp.square(x), axis=axis, keepdims=True))
        # capped at 1 / epsilon in float32: in float16 the cap is inf, as in Keras, without a numpy overflow warning
        return x * jnp.minimum(inverse_norm.astype(jnp.float32), 1.0 / epsilon).astype(x.dtype)
    norm = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(norm, epsilon)


def_op("normalize", normalize_rule, _normalize, attrs=dict(axis=-1, order=2, epsilon=1e-7),
       doc="x divided by its order-`order` norm over `axis` (at least epsilon).")


@keras_export("nn")
def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its norm over `axis` (order 2: the Euclidean norm)."""
    return apply("normalize", [x], axis=axis, order=order, epsilon=default_epsilon() if epsilon is None else epsilon)


# -- psnr ----------------------------------------------------------------------------------
def psnr_rule(specs, attrs):
    x1, x2 = specs
    if len(x1.shape) != len(x2.shape) or any(a is not None and b is not None and a != b
                                             for a, b in zip(x1.shape, x2.shape)):
        raise RuleViolation(f"psnr compares two images of the same shape, got {tuple(x1.shape)} and "
                            f"{tuple(x2.shape)}", "pass images of one shape")
    return TensorSpec.of((), promoted(float_dtype(promoted(x1.dtype, x2.dtype)), float_dtype(x2.dtype)))


def _psnr(x1, x2, max_val):
    x1, x2 = align_ranks(x1, x2)
    mse = jnp.mean(jnp.square(x1 - x2))
    return 20 * jnp.log10(jnp.asarray(max_val, x2.dtype)) - 10 * jnp.log10(mse)


def_op("psnr", psnr_rule, _psnr, attrs=dict(max_val=1.0), inputs=2,
       doc="Peak signal-to-noise ratio (dB) of two images whose values reach max_val.")


@keras_export("nn")
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio between two images, in decibels."""
    return apply("psnr", [x1, x2], max_val=max_val)


# -- polar ---------------------------------------------------------------------------------
def polar_rule(specs, attrs):
    return TensorSpec(broadcast_shapes(*[s.shape for s in specs]), "complex64")


def _polar(abs_, angle):
    abs_, angle = align_ranks(abs_.astype(jnp.float32), angle.astype(jnp.float32))
    return jax.lax.complex(abs_ * jnp.cos(angle), abs_ * jnp.sin(angle))


def_op("polar", polar_rule, _polar, inputs=2, elementwise=True,
       doc="The complex number abs_ * (cos(angle) + i sin(angle)), as complex64.")


@keras_export("nn")
def polar(abs_, angle):
    """Complex numbers from magnitudes and angles (complex64)."""
    return apply("polar", [abs_, angle])
