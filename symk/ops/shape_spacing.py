"""Sample grids: linspace, logspace, geomspace (start and stop may be tensors) and meshgrid.

    >>> symk.ops.linspace(0, 1, num=5)                    # float32, shape (5,)
    >>> xx, yy = symk.ops.meshgrid(np.arange(3), np.arange(2))   # both (2, 3): indexing='xy'
"""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes, normalize_axis
from .api import keras_export
from .elementwise import result_dtype
from .registry import MULTI_OUTPUT, apply, def_op
from .shape_args import keras_dtype, rank_of, static_int


def inexact(dtype: str) -> str:
    """jnp's to_inexact_dtype with x64 off: floats stay, ints and bools compute in float32."""
    return dtype if "float" in dtype or "complex" in dtype else "float32"


def spaced_rule(specs, attrs):
    if attrs.num < 0:
        raise RuleViolation(f"the number of samples must be non-negative, got num={attrs.num}", "pass num >= 0")
    bounds = broadcast_shapes(specs[0].shape, specs[1].shape)
    axis = normalize_axis(attrs.axis, len(bounds) + 1)
    shape = list(bounds)
    shape.insert(axis, attrs.num)
    dtype = attrs.dtype or inexact(result_dtype(specs))
    samples = TensorSpec.of(shape, dtype)
    if getattr(attrs, "retstep", False):  # the step is computed (and returned) in the float type
        undefined = attrs.num == 0 or (attrs.num == 1 and attrs.endpoint)  # jnp's step is then a scalar nan
        return samples, TensorSpec.of(() if undefined else bounds, inexact(dtype))
    return samples


def _bounds_alike(start, stop):
    # NOTE: jnp's linspace (num=1) and geomspace promote ranks implicitly; broadcast the bounds first
    return jnp.broadcast_arrays(start, stop)


def _linspace(start, stop, num, endpoint, retstep, dtype, axis):
    return jnp.linspace(*_bounds_alike(start, stop), num, endpoint=endpoint, retstep=retstep, dtype=dtype, axis=axis)


def _logspace(start, stop, num, endpoint, base, dtype, axis):
    return jnp.logspace(*_bounds_alike(start, stop), num, endpoint=endpoint, base=base, dtype=dtype, axis=axis)


def _geomspace(start, stop, num, endpoint, dtype, axis):
    """jnp.geomspace's formula, with the sign broadcast explicitly along the new axis."""
    out_dtype = dtype or inexact(str(jnp.result_type(start, stop)))
    start, stop = (v.astype(inexact(out_dtype)) for v in _bounds_alike(start, stop))
    sign = jnp.sign(start)
    logs = jnp.logspace(jnp.log10(start / sign), jnp.log10(stop / sign), num, endpoint=endpoint, axis=axis)
    return (jnp.expand_dims(sign, axis) * logs).astype(out_dtype)


def_op("linspace", spaced_rule, _linspace, attrs=dict(num=50, endpoint=True, retstep=False, dtype=None, axis=0),
       inputs=2, doc="`num` evenly spaced samples from start to stop along a new axis (and the step, with retstep).")
def_op("logspace", spaced_rule, _logspace, attrs=dict(num=50, endpoint=True, base=10, dtype=None, axis=0), inputs=2,
       doc="base ** linspace(start, stop).")
def_op("geomspace", spaced_rule, _geomspace, attrs=dict(num=50, endpoint=True, dtype=None, axis=0), inputs=2,
       doc="`num` samples from start to stop, evenly spaced on a log scale.")


@keras_export("numpy")
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced samples from start to stop; dtype=None: float (float32 for int bounds)."""
    return apply("linspace", [start, stop], num=static_int("linspace", "num", num), endpoint=bool(endpoint),
                 retstep=bool(retstep), dtype=keras_dtype("linspace", dtype), axis=static_int("linspace", "axis", axis))


@keras_export("numpy")
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """base ** linspace(start, stop, num)."""
    return apply("logspace", [start, stop], num=static_int("logspace", "num", num), endpoint=bool(endpoint),
                 base=base, dtype=keras_dtype("logspace", dtype), axis=static_int("logspace", "axis", axis))


@keras_export("numpy")
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` samples from start to stop, evenly spaced on a log scale (start and stop nonzero)."""
    return apply("geomspace", [start, stop], num=static_int("geomspace", "num", num),
                 endpoint=bool(endpoint), dtype=keras_dtype("geomspace", dtype),
                 axis=static_int("geomspace", "axis", axis))


# -- meshgrid -------------------------------------------------------------------------
def meshgrid_rule(specs, attrs):
    if attrs.indexing not in ("xy", "ij"):
        raise RuleViolation(f"indexing must be 'xy' or 'ij', got {attrs.indexing!r}", "pass indexing='ij' for "
                            "matrix indexing")
    bad = [tuple(s.shape) for s in specs if len(s.shape) != 1]
    if bad:
        raise RuleViolation(f"every input must be 1-D, got shapes {bad}", "ravel the inputs first")
    sizes = [s.shape[0] for s in specs]
    if attrs.indexing == "xy" and len(sizes) > 1:  # Cartesian indexing: the first two axes trade places
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return tuple(TensorSpec.of(sizes, s.dtype) for s in specs)


def_op("meshgrid", meshgrid_rule, lambda *xs, indexing: tuple(jnp.meshgrid(*xs, indexing=indexing)),
       attrs=dict(indexing="xy"), inputs=None, doc="Coordinate grids from 1-D inputs, one output per input.")
MULTI_OUTPUT.add("meshgrid")


@keras_export("numpy")
def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D tensors: a list with one grid per input."""
    if not x:
        return []
    for i, t in enumerate(x):
        if rank_of(t) != 1:
            raise ValueError(f"meshgrid: every input must be 1-D; input {i} has rank {rank_of(t)} (ravel it first)")
    return list(apply("meshgrid", list(x), indexing=indexing))
