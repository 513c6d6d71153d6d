"""Products of tensors: matmul, tensordot, bias_add, kron and cross, and Keras's dot, inner, outer, vdot over them.

    >>> symk.ops.tensordot(a, b, axes=1); symk.ops.dot(a, b); symk.ops.cross(u, v)
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes, normalize_axis
from .api import export_op, keras_export
from .elementwise import align_ranks, result_dtype
from .index_inputs import calling
from .registry import apply, def_op, spec_of


def _dims_match(a, b) -> bool:
    return a is None or b is None or a == b


def matmul_rule(specs, attrs):
    a, b = (s.shape for s in specs)
    if len(a) == 0 or len(b) == 0:
        raise RuleViolation("matmul needs inputs of rank >= 1, not scalars", "use multiply for scalars")
    a2 = (1,) + tuple(a) if len(a) == 1 else tuple(a)
    b2 = tuple(b) + (1,) if len(b) == 1 else tuple(b)
    if not _dims_match(a2[-1], b2[-2]):
        raise RuleViolation(
            f"the last axis of the first input ({a2[-1]}) must equal the second-to-last axis of the second ({b2[-2]})",
            "check the layer's input size, or transpose one operand")
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    out = tuple(batch) + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return TensorSpec.of(out, _int8_product_dtype(specs))


def _int8_product_dtype(specs) -> str:
    """Keras asks XLA for int32 results when every operand is int8 (its fast integer path)."""
    if all(s.dtype == "int8" for s in specs):
        return "int32"
    return result_dtype(specs)


def _matmul(x, y):
    if x.ndim >= 2 and y.ndim >= 2 and x.ndim != y.ndim:
        x, y = align_ranks(x, y)
    both_int8 = x.dtype == jnp.int8 and y.dtype == jnp.int8
    return jnp.matmul(x, y, preferred_element_type=jnp.int32 if both_int8 else None)


def_op("matmul", matmul_rule, _matmul, inputs=2)


def tensordot_rule(specs, attrs):
    a, b = (s.shape for s in specs)
    axes_a, axes_b = attrs.axes
    axes_a = [normalize_axis(x, len(a)) for x in axes_a]
    axes_b = [normalize_axis(x, len(b)) for x in axes_b]
    if len(axes_a) != len(axes_b):
        raise RuleViolation("tensordot needs as many axes on each side", f"got {attrs.axes}")
    for i, j in zip(axes_a, axes_b):
        if not _dims_match(a[i], b[j]):
            raise RuleViolation(f"contracted axes differ in size: axis {i} is {a[i]}, axis {j} is {b[j]}",
                                "contract axes of equal size")
    out = [d for i, d in enumerate(a) if i not in axes_a] + [d for j, d in enumerate(b) if j not in axes_b]
    return TensorSpec.of(out, result_dtype(specs))


def_op("tensordot", tensordot_rule, lambda x, y, axes: jnp.tensordot(x, y, axes=axes), attrs=dict(axes=((-1,), (0,))),
       inputs=2)


def bias_add_rule(specs, attrs):
    x, b = specs
    if len(b.shape) != 1:
        raise RuleViolation(f"the bias must be a vector, got rank {len(b.shape)}", "pass a 1-D bias")
    axis = -1 if attrs.data_format == "channels_last" else 1
    if len(x.shape) < 2:
        raise RuleViolation("bias_add needs an input of rank >= 2", "add a batch axis")
    if not _dims_match(x.shape[axis], b.shape[0]):
        raise RuleViolation(
            f"the bias has {b.shape[0]} entries but the channel axis ({axis}) has size {x.shape[axis]}",
            "build the bias with as many entries as channels")
    return TensorSpec(x.shape, result_dtype(specs))


def _bias_add(x, bias, data_format):
    if data_format == "channels_last":
        return x + bias.reshape((1,) * (x.ndim - 1) + (-1,))
    return x + bias.reshape((1, -1) + (1,) * (x.ndim - 2))


def_op("bias_add", bias_add_rule, _bias_add, attrs=dict(data_format="channels_last"), inputs=2, elementwise=False,
       fusible=True)


def kron_rule(specs, attrs):
    a, b = (tuple(s.shape) for s in specs)
    rank = max(len(a), len(b))
    a, b = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    return TensorSpec.of([None if i is None or j is None else i * j for i, j in zip(a, b)], result_dtype(specs))


def_op("kron", kron_rule, lambda x, y: jnp.kron(x, y), inputs=2,
       doc="The Kronecker product: blocks of x[i] * y, numpy's kron.")


def cross_rule(specs, attrs):
    a, b = (tuple(s.shape) for s in specs)
    if not a or not b:
        raise RuleViolation("cross needs vectors, not scalars", "pass tensors whose vector axis has 2 or 3 entries")
    axis_a, axis_b = normalize_axis(attrs.axisa, len(a), "axisa"), normalize_axis(attrs.axisb, len(b), "axisb")
    sizes = (a[axis_a], b[axis_b])
    if None in sizes:
        raise RuleViolation("cross needs the size of the vector axes known (2 or 3 decides the output's shape)",
                            "give the vector axis a fixed size")
    if any(n not in (2, 3) for n in sizes):
        raise RuleViolation(f"the vectors must have 2 or 3 components, got {sizes[0]} (axisa) and {sizes[1]} (axisb)",
                            "pick the axis that holds the vectors with axisa/axisb (or axis)")
    rest = broadcast_shapes(a[:axis_a] + a[axis_a + 1:], b[:axis_b] + b[axis_b + 1:])
    if sizes == (2, 2):  # the product of two plane vectors is its z component: no vector axis
        return TensorSpec.of(rest, result_dtype(specs))
    axis_c = normalize_axis(attrs.axisc, len(rest) + 1, "axisc")
    return TensorSpec.of(rest[:axis_c] + (3,) + rest[axis_c:], result_dtype(specs))


def _cross(x, y, axisa, axisb, axisc):
    # NOTE: the vector axes go last and the ranks are aligned first: jnp.cross would broadcast ranks implicitly
    x, y = align_ranks(jnp.moveaxis(x, axisa, -1), jnp.moveaxis(y, axisb, -1))
    return jnp.cross(x, y, axisc=axisc)


def_op("cross", cross_rule, _cross, attrs=dict(axisa=-1, axisb=-1, axisc=-1), inputs=2,
       doc="Cross products of 2- or 3-vectors laid along axisa of x and axisb of y, broadcast over the rest.")


# -- Keras names (symk/ops/api.py) ------------------------------------------------------
export_op("numpy", "matmul", input_names=("x1", "x2"))
export_op("numpy", "kron", input_names=("x1", "x2"))


def _rank(x) -> int:
    return len(spec_of(x).shape)


def _tensordot_axes(axes, rank1: int, rank2: int) -> tuple:
    if isinstance(axes, (int, np.integer)):
        count = max(int(axes), 0)  # as numpy: axes <= 0 contracts nothing (the outer product)
        if count > min(rank1, rank2):
            raise ValueError(f"symk.ops.tensordot: axes={axes} contracts more axes than the inputs have (ranks "
                             f"{rank1} and {rank2}); pass at most {min(rank1, rank2)}, or a pair of axis lists")
        return tuple(range(rank1 - count, rank1)), tuple(range(count))
    try:
        first, second = axes
    except (TypeError, ValueError):
        raise ValueError(f"symk.ops.tensordot: axes must be an int or a pair (axes of x1, axes of x2), got {axes!r}; "
                         "e.g. axes=1 or axes=([1], [0])") from None
    as_axes = lambda a: (int(a),) if isinstance(a, (int, np.integer)) else tuple(int(i) for i in a)  # noqa: E731
    return as_axes(first), as_axes(second)


@keras_export("numpy")
def tensordot(x1, x2, axes=2):
    """Sums products over axes: the last `axes` of x1 with the first `axes` of x2, or the listed pairs.

    >>> symk.ops.tensordot(a, b, axes=([1], [0]))   # a matrix product
    """
    with calling("tensordot"):
        return apply("tensordot", [x1, x2], axes=_tensordot_axes(axes, _rank(x1), _rank(x2)))


@keras_export("numpy")
def dot(x1, x2):
    """numpy's dot: a product with a scalar, the inner product of vectors, else the last axis of x1 against the
    second-to-last of x2 (the last when x2 is a vector)."""
    rank1, rank2 = _rank(x1), _rank(x2)
    with calling("dot"):
        if rank1 == 0 or rank2 == 0:
            return apply("multiply", [x1, x2])
        return apply("tensordot", [x1, x2], axes=((rank1 - 1,), (max(rank2 - 2, 0),)))


@keras_export("numpy")
def inner(x1, x2):
    """Sums products over the last axes of x1 and x2 (a product with a scalar)."""
    rank1, rank2 = _rank(x1), _rank(x2)
    with calling("inner"):
        if rank1 == 0 or rank2 == 0:
            return apply("multiply", [x1, x2])
        return apply("tensordot", [x1, x2], axes=((rank1 - 1,), (rank2 - 1,)))


@keras_export("numpy")
def outer(x1, x2):
    """Every product of an entry of x1 with an entry of x2 (both flattened): shape (x1.size, x2.size)."""
    column = apply("reshape", [x1], shape=(-1, 1))
    row = apply("reshape", [x2], shape=(1, -1))
    return apply("multiply", [column, row])


@keras_export("numpy")
def vdot(x1, x2):
    """The inner product of x1 (conjugated, if complex) and x2, both flattened (a scalar)."""
    if "complex" in spec_of(x1).dtype:
        x1 = apply("conj", [x1])
    with calling("vdot"):
        return apply("tensordot", [apply("reshape", [x1], shape=(-1,)), apply("reshape", [x2], shape=(-1,))],
                     axes=((0,), (0,)))


@keras_export("numpy")
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross products of the vectors along axisa of x1 and axisb of x2, laid along axisc (`axis` sets all three)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    return apply("cross", [x1, x2], axisa=axisa, axisb=axisb, axisc=axisc)
