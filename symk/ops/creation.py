"""Array creation: full/zeros/ones/empty (and *_like), arange, eye/identity/tri, array and copy.

The ops without tensor inputs (full, arange, eye, tri) run at once outside a layer and become graph
nodes inside a layer's call (registry.apply). Keras's dtype=None means floatx() for these, except
arange (the type of its bounds) and the *_like functions (the dtype of `x`).

    >>> symk.ops.zeros((2, 3))            # float32
    >>> symk.ops.arange(5)                # int32
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes, canonical_dtype
from .api import keras_export
from .dynamic_shape import broadcast_with_sizes, full_with_sizes, is_dynamic
from .registry import apply, def_op, is_symbolic
from .shape_args import float_dtype, is_python_scalar, keras_dtype, static_int, static_ints


# -- full and full_like ---------------------------------------------------------------
def full_rule(specs, attrs):
    shape = tuple(attrs.shape)
    if any(d is None or d < 0 for d in shape):
        raise RuleViolation(f"the shape must hold known non-negative sizes, got {shape}",
                            "for a tensor as big as another one (its batch included) use full_like / zeros_like")
    return TensorSpec.of(shape, attrs.dtype)


def full_like_rule(specs, attrs):
    x, fill = specs
    try:
        fits = tuple(broadcast_shapes(fill.shape, x.shape)) == tuple(x.shape)
    except RuleViolation:
        fits = False
    if not fits:
        raise RuleViolation(f"the fill value of shape {tuple(fill.shape)} does not broadcast to the shape of x, "
                            f"{tuple(x.shape)}", "pass a scalar or an array that broadcasts to x")
    return TensorSpec.of(x.shape, attrs.dtype or x.dtype)


def_op("full", full_rule, lambda shape, fill_value, dtype: jnp.full(shape, fill_value, dtype),
       attrs=dict(shape=(), fill_value=0.0, dtype="float32"), inputs=0,
       doc="An array of `shape` filled with the Python scalar `fill_value`.")
def_op("full_like", full_like_rule, lambda x, fill, dtype: jnp.full_like(x, fill, dtype=dtype),
       attrs=dict(dtype=None), inputs=2,
       doc="An array shaped like x (dtype: x's, or `dtype`) filled with the second input.")


@keras_export("numpy")
def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value` (a scalar, or a tensor that broadcasts to `shape`)."""
    return _filled("full", shape, fill_value, float_dtype("full", dtype))


def _filled(function: str, shape, fill_value, dtype: str):
    """`shape` holds ints, or run-time sizes from ops.shape(x) (symk/ops/dynamic_shape.py)."""
    scalar = is_python_scalar(fill_value) or isinstance(fill_value, np.generic)
    if is_dynamic(shape):
        if scalar:
            return full_with_sizes(shape, fill_value, dtype)
        return broadcast_with_sizes(apply("cast", [fill_value], dtype=dtype), shape)
    shape = static_ints(function, "shape", shape)
    if scalar:
        return apply("full", [], shape=shape, fill_value=fill_value, dtype=dtype)
    return apply("broadcast_to", [apply("cast", [fill_value], dtype=dtype)], shape=shape)


@keras_export("numpy")
def zeros(shape, dtype=None):
    return _filled("zeros", shape, 0, float_dtype("zeros", dtype))


@keras_export("numpy")
def ones(shape, dtype=None):
    return _filled("ones", shape, 1, float_dtype("ones", dtype))


@keras_export("numpy")
def empty(shape, dtype=None):
    """Like zeros: XLA has no uninitialised memory, so the values are zeros (as on Keras's JAX backend)."""
    return _filled("empty", shape, 0, float_dtype("empty", dtype))


@keras_export("numpy")
def full_like(x, fill_value, dtype=None):
    return apply("full_like", [x, fill_value], dtype=keras_dtype("full_like", dtype))


@keras_export("numpy")
def zeros_like(x, dtype=None):
    return apply("full_like", [x, 0], dtype=keras_dtype("zeros_like", dtype))


@keras_export("numpy")
def ones_like(x, dtype=None):
    return apply("full_like", [x, 1], dtype=keras_dtype("ones_like", dtype))


@keras_export("numpy")
def empty_like(x, dtype=None):
    return apply("full_like", [x, 0], dtype=keras_dtype("empty_like", dtype))


# -- arange ---------------------------------------------------------------------------
def arange_length(start, stop, step) -> int:
    """numpy's count: ceil((stop - start) / step), at least 0."""
    return max(0, math.ceil((stop - start) / step))


def arange_rule(specs, attrs):
    start, stop, step = attrs.start, attrs.stop, attrs.step
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if step == 0:
        raise RuleViolation("arange's step is 0", "pass a nonzero step")
    if attrs.dtype == "bool":
        raise RuleViolation("arange cannot make bool values", "use an integer or float dtype")
    return TensorSpec.of((arange_length(start, stop, step),), attrs.dtype)


def_op("arange", arange_rule,
       lambda start, stop, step, dtype: jnp.arange(start, stop, step, dtype=dtype),
       attrs=dict(start=0, stop=None, step=None, dtype="int32"), inputs=0,
       doc="Evenly spaced values in [start, stop) (numpy's arange); the bounds are Python numbers.")


def _range_bound(name: str, value):
    """A Python number and its Keras dtype (Python int -> int32, float -> float32, arrays: their own)."""
    if is_symbolic(value):
        raise ValueError(f"arange: `{name}` must be a Python number, got the symbolic tensor {value!r}; the length "
                         "of the result depends on it (compute it eagerly, or slice a longer arange)")
    if is_python_scalar(value):
        return value, "bool" if isinstance(value, bool) else "int32" if isinstance(value, int) else "float32"
    array = np.asarray(value)
    if array.size != 1:
        raise ValueError(f"arange: `{name}` must be a number, got an array of shape {array.shape}")
    return array.reshape(()).item(), canonical_dtype(array.dtype)


@keras_export("numpy")
def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop); dtype=None takes the type of the bounds (ints: int32)."""
    bounds = {n: _range_bound(n, v) for n, v in (("start", start), ("stop", stop), ("step", step)) if v is not None}
    if dtype is None:
        dtype = canonical_dtype(jnp.result_type(*[jnp.dtype(d) for _, d in bounds.values()]))
    values = {n: v for n, (v, _) in bounds.items()}
    return apply("arange", [], start=values["start"], stop=values.get("stop"), step=values.get("step"),
                 dtype=keras_dtype("arange", dtype))


# -- eye, identity, tri ---------------------------------------------------------------
def matrix_rule(specs, attrs):
    n = attrs.N
    m = n if attrs.M is None else attrs.M
    if n < 0 or m < 0:
        raise RuleViolation(f"the matrix sizes must be non-negative, got N={n}, M={m}", "pass sizes >= 0")
    return TensorSpec.of((n, m), attrs.dtype)


for _name, _fn in {"eye": jnp.eye, "tri": jnp.tri}.items():
    def_op(_name, matrix_rule, (lambda f: lambda N, M, k, dtype: f(N, M, k, dtype=dtype))(_fn),
           attrs=dict(N=1, M=None, k=0, dtype="float32"), inputs=0,
           doc=f"jnp.{_name}: an (N, M) matrix; the sizes and the diagonal k are Python ints.")


def _matrix(op: str, function: str, N, M, k, dtype):
    return apply(op, [], N=static_int(function, "N", N), M=None if M is None else static_int(function, "M", M),
                 k=static_int(function, "k", k), dtype=float_dtype(function, dtype))


@keras_export("numpy")
def eye(N, M=None, k=0, dtype=None):
    """An (N, M) matrix with ones on diagonal k."""
    return _matrix("eye", "eye", N, M, k, dtype)


@keras_export("numpy")
def identity(n, dtype=None):
    """The (n, n) identity matrix."""
    return _matrix("eye", "identity", n, None, 0, dtype)


@keras_export("numpy")
def tri(N, M=None, k=0, dtype=None):
    """An (N, M) matrix with ones at and below diagonal k."""
    return _matrix("tri", "tri", N, M, k, dtype)


# -- array and copy -------------------------------------------------------------------
@keras_export("numpy")
def array(x, dtype=None):
    """A tensor from x (a list, array or tensor), cast to `dtype` if given."""
    dtype = keras_dtype("array", dtype)
    if dtype is None:
        return apply("identity", [x])
    return apply("cast", [x], dtype=dtype)


@keras_export("numpy")
def copy(x):
    return apply("identity", [x])

