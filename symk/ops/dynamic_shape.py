"""Sizes known only at run time: `ops.shape(x)[0]` of a symbolic tensor whose batch size is unknown.

For an unknown axis `ops.shape(x)` (and Keras 2's `K.shape(x)`) gives the output of a `dim_size` node: an
int32 scalar tensor, usable in arithmetic, whose node remembers (x, axis). Functions that take a shape
(zeros, random.normal, reshape, ...) accept it: their op gets x as an extra input and its lowering reads
`x.shape[axis]`, which is static under jit, so the program keeps fixed shapes for each batch size it runs.

    batch = ops.shape(z_mean)[0]
    eps = keras.random.normal(shape=(batch, 32))

In an op's attrs such a shape is encoded with `("dim", k, axis)` for the axis-th size of the op's k-th
source tensor (`split_shape`); rules read sizes from the sources' specs (`static_shape`), lowerings
from the arrays (`concrete_shape`).
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ..errors import RuleViolation
from ..graph import SymbolicTensor
from ..shapes import TensorSpec
from .registry import apply, def_op

DIM = "dim"


def symbolic_shape(x: SymbolicTensor) -> tuple:
    """x's shape with a run-time size (a dim_size tensor) for each unknown size."""
    return tuple(d if d is not None else apply("dim_size", [x], axis=i) for i, d in enumerate(x.shape))


def dim_source(entry):
    """(tensor, axis) when `entry` is a size read from a tensor's shape, else None."""
    if isinstance(entry, SymbolicTensor) and entry.op_name == "dim_size":
        source, index = entry.graph.inputs_of(entry.node)[0]
        return entry.graph.tensor(source, index), entry.graph.node(entry.node)["attrs"].axis
    return None


def is_dynamic(shape) -> bool:
    return any(dim_source(d) is not None for d in _entries(shape))


def _entries(shape):
    return (shape,) if isinstance(shape, (int, np.integer, SymbolicTensor)) else tuple(shape)


def split_shape(shape, function: str) -> tuple:
    """(encoded shape for attrs, source tensors to add as inputs). Plain ints stay ints."""
    encoded, sources = [], []
    for entry in _entries(shape):
        found = dim_source(entry)
        if found is not None:
            source, axis = found
            if source not in sources:
                sources.append(source)
            encoded.append((DIM, sources.index(source), axis))
        elif isinstance(entry, SymbolicTensor):
            raise ValueError(f"{function}: a shape entry is the symbolic tensor {entry.name!r}, whose value is only "
                             "known at run time; shapes take ints or sizes read directly from ops.shape(x)")
        elif entry is None:
            raise ValueError(f"{function}: the shape {tuple(_entries(shape))} has an unknown (None) size; use "
                             "ops.shape(x)[i] of the tensor whose size it is (e.g. the batch)")
        else:
            encoded.append(int(entry))
    return tuple(encoded), sources


def static_shape(encoded, source_specs) -> tuple:
    """The shape a rule infers: a source's size (None while unknown) for each encoded dim."""
    out = []
    for entry in encoded:
        if isinstance(entry, tuple):
            _, k, axis = entry
            if k >= len(source_specs) or not -len(source_specs[k].shape) <= axis < len(source_specs[k].shape):
                raise RuleViolation(f"shape entry {entry} names a size the op's inputs do not have",
                                    "build the shape from ops.shape(x) of an input")
            out.append(source_specs[k].shape[axis])
        else:
            out.append(entry)
    return tuple(out)


def concrete_shape(encoded, sources) -> tuple:
    """The shape a lowering uses: static ints read from the source arrays' shapes."""
    return tuple(sources[entry[1]].shape[entry[2]] if isinstance(entry, tuple) else entry for entry in encoded)


# -- the ops whose target shape holds run-time sizes ---------------------------------------------
# Inputs: the tensor (none for full), then the source tensors the encoded shape reads sizes from.
def _target(encoded, specs, function: str) -> tuple:
    if any(entry is None for entry in encoded):
        raise RuleViolation(f"{function}: the target shape {encoded} has an unknown size", "use ops.shape(x)[i]")
    return static_shape(encoded, specs)


def dynamic_full_rule(specs, attrs):
    shape = _target(attrs.shape, specs, "full")
    if any(d is not None and d < 0 for d in shape):
        raise RuleViolation(f"full: negative size in shape {shape}", "sizes must be >= 0")
    return TensorSpec.of(shape, attrs.dtype)


def dynamic_reshape_rule(specs, attrs):
    from .array import reshape_rule

    return reshape_rule(specs[:1], _Shape(_target(attrs.shape, specs[1:], "reshape")))


def dynamic_broadcast_rule(specs, attrs):
    target = _target(attrs.shape, specs[1:], "broadcast_to")
    rank_gap = len(target) - len(specs[0].shape)
    if rank_gap < 0 or any(s not in (1, None) and t is not None and s != t
                           for s, t in zip(specs[0].shape, target[rank_gap:])):
        raise RuleViolation(f"cannot broadcast {tuple(specs[0].shape)} to {target}", "check the target shape")
    return TensorSpec.of(target, specs[0].dtype)


class _Shape:
    def __init__(self, shape):
        self.shape = shape


def_op("dynamic_full", dynamic_full_rule,
       lambda *sources, shape, fill_value, dtype: jnp.full(concrete_shape(shape, sources), fill_value, dtype),
       attrs=dict(shape=(), fill_value=0.0, dtype="float32"), inputs=None,
       doc="full() whose shape holds run-time sizes of its source inputs (e.g. the batch).")
def_op("dynamic_reshape", dynamic_reshape_rule,
       lambda x, *sources, shape: jnp.reshape(x, concrete_shape(shape, sources)), attrs=dict(shape=()), inputs=None,
       doc="reshape() whose target holds run-time sizes of its source inputs.")
def_op("dynamic_broadcast_to", dynamic_broadcast_rule,
       lambda x, *sources, shape: jnp.broadcast_to(x, concrete_shape(shape, sources)), attrs=dict(shape=()),
       inputs=None, doc="broadcast_to() whose target holds run-time sizes of its source inputs.")


def full_with_sizes(shape, fill_value, dtype):
    """A filled tensor whose shape holds run-time sizes."""
    encoded, sources = split_shape(shape, "full")
    return apply("dynamic_full", sources, shape=encoded, fill_value=fill_value, dtype=dtype)


def reshape_with_sizes(x, shape):
    encoded, sources = split_shape(shape, "reshape")
    return apply("dynamic_reshape", [x, *sources], shape=encoded)


def broadcast_with_sizes(x, shape):
    encoded, sources = split_shape(shape, "broadcast_to")
    return apply("dynamic_broadcast_to", [x, *sources], shape=encoded)
