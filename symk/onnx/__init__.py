"""symk and ONNX: `export_model(model, path)` writes a symk model as ONNX, `load_model(path)` reads one (needs the `onnx` extra).

Each op's ONNX form is declared next to its family in symk/onnx/ops_<family>.py (`def_onnx`)."""
from __future__ import annotations


def export_model(model, path=None, opset=None, check: bool = True):
    """Write `model` as an ONNX file (dynamic batch axis, weights as initializers); returns the ModelProto."""
    from .export import DEFAULT_OPSET, export_model as _export

    return _export(model, path, opset or DEFAULT_OPSET, check)


def unsupported_ops(model) -> list:
    """(op, node) pairs of a model's inference graph that have no ONNX form yet."""
    from .export import unsupported_ops as _unsupported

    return _unsupported(model._execution_graph(False), [tuple(o) for o in model._output_refs])


def load_model(model, input_shapes=None, name=None):
    """An ONNX model (path, bytes or ModelProto) as a symk functional Model: summary, optimize, predict, fit.

        m = symk.onnx.load_model("resnet50.onnx"); m.predict(x)
    """
    from .imported_model import ImportedOnnxModel

    return ImportedOnnxModel(model, input_shapes, name)


from . import imported_model  # noqa: E402,F401  (registers ImportedOnnxModel, so saved imports load back)
