"""The ONNX operators symk does not import, with the reason for each group (the documented list).

A model that uses one of these (or any operator missing from symk/onnx/import_ops_*.py) fails at
load_model with an OnnxImportError naming the operator and the node, and pointing here.
"""
from __future__ import annotations

UNSUPPORTED_DOC = "symk/onnx/import_unsupported.py (symk.onnx.import_unsupported.UNSUPPORTED)"

UNSUPPORTED: dict[str, str] = {}


def _group(reason: str, *op_types: str) -> None:
    for op in op_types:
        UNSUPPORTED[op] = reason


_group("Gradient (ai.onnx.preview.training) is not imported; symk differentiates with JAX", "Gradient")
_group("not mapped yet", "MaxRoiPool", "ImageDecoder", "Multinomial", "FlexAttention")
