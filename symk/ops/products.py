"""Matrix products: matmul (numpy semantics), tensordot, bias_add."""
from __future__ import annotations

import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, broadcast_shapes, normalize_axis
from .elementwise import align_ranks, result_dtype
from .api import export_op
from .registry import def_op


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
    return TensorSpec.of(out, result_dtype(specs))


def _matmul(x, y):
    if x.ndim >= 2 and y.ndim >= 2 and x.ndim != y.ndim:
        x, y = align_ranks(x, y)
    return jnp.matmul(x, y)


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

# -- Keras names (symk/ops/api.py) ------------------------------------------------------
export_op("numpy", "matmul", input_names=("x1", "x2"))
