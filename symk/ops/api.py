"""Which public function each Keras namespace of `symk.ops` holds (numpy, nn, linalg, math, image, core).

A family file declares its ops with `def_op` and then publishes the Keras functions over them:

    export_op("numpy", "abs", "absolute")      # the op's inputs and attrs are Keras's signature
    @keras_export("numpy")                     # Keras's signature differs: write the function
    def ones(shape, dtype=None): ...

`symk/ops/<namespace>.py` hold exactly these functions; `symk.ops` holds all but `image`'s, as
Keras does. Every other registered op stays reachable as `symk.ops.primitives.<op name>`.
"""
from __future__ import annotations

import dataclasses
import inspect
from typing import Callable

from .registry import apply, get_op

NAMESPACES = ("numpy", "nn", "linalg", "math", "image", "core")
TOP_LEVEL = ("numpy", "nn", "linalg", "math", "core")   # keras.ops.image.* is not in keras.ops
KERAS_API: dict[str, dict[str, Callable]] = {ns: {} for ns in NAMESPACES}


def _register(namespace: str, name: str, fn: Callable) -> None:
    if namespace not in KERAS_API:
        raise ValueError(f"unknown ops namespace {namespace!r}; use one of {NAMESPACES}")
    table = KERAS_API[namespace]
    if name in table and table[name] is not fn:
        raise ValueError(f"symk.ops.{namespace}.{name} is exported twice")
    table[name] = fn


def keras_export(namespace: str, *names: str) -> Callable:
    """Publish the decorated function as `symk.ops.<namespace>.<name>` (its own name by default)."""
    def wrap(fn):
        for name in names or (fn.__name__,):
            _register(namespace, name, fn)
        return fn
    return wrap


def op_function(op_name: str, input_names: tuple = ()) -> Callable:
    """A function `(inputs..., attrs...)` that applies one registered op, with a real signature.

    `input_names` names the tensor inputs (default x, or x1, x2 for two; xs for a list input).
    """
    op = get_op(op_name)
    attr_fields = dataclasses.fields(op.attrs_type)
    count = op.num_inputs
    if not input_names:
        input_names = ("xs",) if count is None else ("x",) if count == 1 else tuple(f"x{i + 1}" for i in range(count))
    positional = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in input_names]
    attr_params = [inspect.Parameter(f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=f.default)
                   for f in attr_fields]
    signature = inspect.Signature(positional + attr_params)

    def fn(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        inputs = [values.pop(n) for n in input_names]
        if count is None:
            inputs = list(inputs[0])
        return apply(op_name, inputs, **values)

    fn.__name__ = fn.__qualname__ = op_name
    fn.__signature__ = signature
    fn.__doc__ = op.doc or f"The {op_name!r} op."
    return fn


def export_op(namespace: str, op_name: str, *names: str, input_names: tuple = ()) -> Callable:
    """Publish op `op_name` as a Keras function whose signature is the op's (inputs, then attrs)."""
    fn = op_function(op_name, input_names)
    for name in names or (op_name,):
        _register(namespace, name, fn)
    return fn


def populate(module_globals: dict, namespace: str) -> list:
    """Fill a namespace module with its functions; returns its `__all__`."""
    module_globals.update(KERAS_API[namespace])
    return sorted(KERAS_API[namespace])
