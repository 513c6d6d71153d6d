"""`symk.ops`: every registered op as a function, working on symbolic tensors and on arrays.

    >>> symk.ops.sum(x, axis=1, keepdims=True)
"""
from __future__ import annotations

import dataclasses

from . import array, linalg, math, random, recurrent, reduce, structural  # noqa: F401  (declare the ops)
from . import operators  # noqa: F401  (Python operators on tensors)
from . import conv, nn  # noqa: F401  (convolution, pooling and normalization ops)
from .registry import OPS, apply, constant, get_op  # noqa: F401


def _public_function(op):
    attr_names = [f.name for f in dataclasses.fields(op.attrs_type)]

    def fn(*args, **kwargs):
        if op.num_inputs is None:
            inputs, rest = list(args[0]), args[1:]
        else:
            inputs, rest = list(args[: op.num_inputs]), args[op.num_inputs:]
        kwargs.update(zip(attr_names, rest))
        return apply(op.name, inputs, **kwargs)

    fn.__name__ = op.name
    fn.__doc__ = op.doc or f"The {op.name!r} op (attrs: {', '.join(attr_names) or 'none'})."
    return fn


for _name, _op in list(OPS.items()):
    if _name not in structural.STRUCTURAL:
        globals()[_name] = _public_function(_op)

# Keras-3 `keras.ops` spellings that differ from op names
true_divide = divide  # noqa: F821
dot = matmul  # noqa: F821
concat = concatenate  # noqa: F821


def convert_to_tensor(x, dtype=None):
    import jax.numpy as jnp

    from .registry import is_symbolic

    if is_symbolic(x):
        return x if dtype is None else apply("cast", [x], dtype=dtype)
    return jnp.asarray(x, dtype=dtype)


def shape(x):
    return tuple(x.shape)


def ndim(x):
    return len(x.shape)


def flatten(x):
    return apply("reshape", [x], shape=(-1,))


def unstack(x, num=None, axis=0):
    n = x.shape[axis] if num is None else num
    parts = apply("split", [x], indices_or_sections=n, axis=axis)
    return [apply("squeeze", [p], axis=axis) for p in parts]


def sigmoid_cross_entropy_logits(labels, logits):
    """Numerically stable binary cross-entropy from logits."""
    return (apply("relu", [logits]) - logits * labels
            + apply("log1p", [apply("exp", [-apply("abs", [logits])])]))
