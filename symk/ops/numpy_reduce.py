"""Keras's reductions whose signature is not an op's own: max/min with `initial`, prod and the cumulative
functions with `dtype`, argmax/argmin over the flattened tensor by default, count_nonzero, ptp.

    >>> symk.ops.argmax(x)                      # index into the flattened x, as in Keras
    >>> symk.ops.cumsum(flags, dtype="int32")
"""
from __future__ import annotations

from typing import Callable

from ..shapes import canonical_dtype
from .api import keras_export
from .numpy_dtypes import cast, dtype_of
from .registry import apply


def _extreme(op_name: str) -> Callable:
    def fn(x, axis=None, keepdims=False, initial=None):
        if initial is None:
            return apply(op_name, [x], axis=axis, keepdims=keepdims)
        return apply(f"{op_name}_initial", [x], axis=axis, keepdims=keepdims, initial=initial)

    fn.__name__ = fn.__qualname__ = op_name
    fn.__doc__ = (f"The {op_name}imum over `axis` (None: all axes); `initial` also takes part, so an empty "
                  "reduction gives it.")
    return fn


def _in_dtype(x, dtype, compute: Callable):
    """`compute(x)` accumulating in `dtype` (jax's dtype= argument): cast in, and back where jax widened it."""
    if dtype is None:
        return compute(x)
    dtype = canonical_dtype(dtype)
    return cast(compute(cast(x, dtype)), dtype)


def _cumulative(op_name: str) -> Callable:
    def fn(x, axis=None, dtype=None):
        return _in_dtype(x, dtype, lambda v: apply(op_name, [v], axis=axis))

    fn.__name__ = fn.__qualname__ = op_name
    fn.__doc__ = (f"The running {op_name.replace('nan', '')[3:]} along `axis` (None: over the flattened tensor), "
                  "accumulated in `dtype` if given.")
    return fn


def _arg_extreme(op_name: str) -> Callable:
    def fn(x, axis=None, keepdims=False):
        return apply(op_name, [x], axis=axis, keepdims=keepdims)

    fn.__name__ = fn.__qualname__ = op_name
    fn.__doc__ = f"int32 indices of the {op_name[3:]}imum along `axis` (None: into the flattened tensor)."
    return fn


for _fn in (_extreme("max"), _extreme("min"), _arg_extreme("argmax"), _arg_extreme("argmin"),
            *(_cumulative(name) for name in ("cumsum", "cumprod", "nancumsum", "nancumprod"))):
    keras_export("numpy")(_fn)


@keras_export("numpy")
def prod(x, axis=None, keepdims=False, dtype=None):
    """The product over `axis` (None: all axes), accumulated in `dtype` if given (booleans and small ints: int32)."""
    return _in_dtype(x, dtype, lambda v: apply("prod", [v], axis=axis, keepdims=keepdims))


@keras_export("numpy")
def count_nonzero(x, axis=None):
    """How many elements along `axis` (None: all; a tuple: several) are not zero, as int32."""
    return apply("sum", [apply("not_equal", [x, 0])], axis=axis)


@keras_export("numpy")
def ptp(x, axis=None, keepdims=False):
    """Peak to peak: max - min over `axis` (None: all axes)."""
    if dtype_of(x) == "bool":
        raise TypeError("ptp: booleans have no difference; cast x to int32 first")
    return apply("subtract", [apply("max", [x], axis=axis, keepdims=keepdims),
                              apply("min", [x], axis=axis, keepdims=keepdims)])
