"""ONNX emitters: each symk op's ONNX form, declared next to its family (symk/onnx/ops_<family>.py).

An emitter is the op's second lowering: `emitter(ctx, node) -> output name(s)`. It writes ONNX nodes
through `ctx` (an EmitContext of symk/onnx/context.py) and returns the ONNX value names of the op's
outputs, in order.

    @def_onnx("relu")
    def _relu(ctx, node):
        return ctx.op("Relu", node.inputs)
"""
from __future__ import annotations

from typing import Callable

ONNX_EMITTERS: dict[str, Callable] = {}


def def_onnx(op_name: str, emitter: Callable = None):
    """Declare the ONNX form of symk op `op_name` (usable as a decorator or called with the emitter)."""
    def register(fn):
        if op_name in ONNX_EMITTERS:
            raise ValueError(f"op {op_name!r} has two ONNX emitters")
        ONNX_EMITTERS[op_name] = fn
        return fn

    return register(emitter) if emitter is not None else register


class OnnxExportError(NotImplementedError):
    """An op (or an op's attributes) that has no ONNX form yet."""


def load_families() -> None:
    """Import every family module, so their declarations fill ONNX_EMITTERS."""
    from . import (ops_array, ops_attention, ops_control, ops_elementwise, ops_image, ops_nn,  # noqa: F401
                   ops_recurrent)
