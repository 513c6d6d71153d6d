"""Keras 3's op layers: a functional model that calls `keras.ops` on its tensors (its masks' NotEqual / Any /
LogicalOr, or a user's `ops.mean(x, axis=1)`) is saved with one entry per call, named by the op's class
(`{"class_name": "NotEqual", "config": {"name": "not_equal"}}`), its constructor arguments in the config
and the operands in the node's args. symk replays such an entry with the symk.ops function of that name.

    KerasOpLayer("Any", {"name": "any", "axis": -1, "keepdims": False})(mask)   # symk.ops.any(mask, axis=-1)
"""
from __future__ import annotations

import re
from typing import Optional

from ..layers.base import Layer

__all__ = ["KerasOpLayer", "op_function", "op_layer"]

_NOT_ARGUMENTS = ("name", "trainable", "dtype")


def _snake(class_name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", class_name).lower()


def op_function(class_name: str) -> Optional[callable]:
    """The symk.ops function a Keras op class stands for (NotEqual -> not_equal), or None."""
    from .. import ops

    name = _snake(class_name)
    for namespace in (ops, ops.numpy, ops.nn, ops.core, ops.image, ops.linalg, ops.math):
        fn = getattr(namespace, name, None)
        if callable(fn):
            return fn
    return None


class KerasOpLayer(Layer):
    """One recorded `keras.ops` call of a Keras functional model, replayed with symk's op."""

    def __init__(self, op_class: str, op_config: dict, **kwargs):
        self.op_class, self.op_config = op_class, dict(op_config)
        self.fn = op_function(op_class)
        if self.fn is None:
            raise ValueError(f"Keras op layer {op_class!r}: symk.ops has no function {_snake(op_class)!r}")
        super().__init__(name=self.op_config.get("name"), **kwargs)
        self.arguments = {k: v for k, v in self.op_config.items() if k not in _NOT_ARGUMENTS}

    def call(self, inputs, *args, **kwargs):
        return self.fn(inputs, *args, **{**self.arguments, **kwargs})

    def _call_accepts(self, name: str) -> bool:
        return False  # an op takes no training flag and no automatic mask: only the operands Keras recorded

    def get_config(self) -> dict:
        return dict(self.op_config)


def op_layer(class_name: str, config: dict) -> KerasOpLayer:
    """A KerasOpLayer whose class is named as Keras's op class, so symk's own files name it as Keras did."""
    cls = type(class_name, (KerasOpLayer,), {
        "__init__": lambda self, **op_config: KerasOpLayer.__init__(self, class_name, op_config),
        "__module__": __name__})
    return cls(**config)
