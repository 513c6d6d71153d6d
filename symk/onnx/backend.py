"""`symk.onnx.backend`: ONNX's standard backend interface (onnx.backend.base.Backend) over symk.

    rep = symk.onnx.backend.prepare(onnx_model); outputs = rep.run([x])
    onnx.backend.test.BackendTest(symk.onnx.backend, __name__)   # ONNX's own test suite

`prepare` imports nothing yet: the model becomes a symk Model on the first run, with the shapes of the
arrays given (so every dimension is static), and is kept per set of input shapes. Results are cast back
to the element types the ONNX graph declares (symk computes int64/float64 as int32/float32).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import onnx
from onnx.backend.base import Backend, BackendRep, Device, DeviceType

from ..shapes import canonical_dtype
from .import_registry import NeedsStaticValue
from .importer import as_model_proto, import_graph, load_model, numpy_dtype


class SymkRep(BackendRep):
    """A prepared ONNX model: symk Models keyed by the input shapes they were built for."""

    def __init__(self, model: onnx.ModelProto):
        self.model = model
        inits = {t.name for t in model.graph.initializer}
        self.input_names = [i.name for i in model.graph.input if i.name not in inits]
        self.output_types = [o.type.tensor_type.elem_type if o.type.HasField("tensor_type") else 0
                             for o in model.graph.output]
        self._built: dict = {}

    def _build(self, arrays):
        """(kind, built, names fed): a Model for these shapes, or the outputs when all are constants. Integer
        inputs that must be known at import time (a shape given as an input) are fixed to this run's values."""
        key = tuple((a.shape, a.dtype.name) for a in arrays)
        if key in self._built:
            return self._built[key]
        shapes = dict(zip(self.input_names, [a.shape for a in arrays]))
        try:
            built = self._import(shapes, {})
        except NeedsStaticValue:
            fixed = {n: a for n, a in zip(self.input_names, arrays) if a.dtype.kind in "iub" and a.size <= 64}
            key = key + (tuple((n, a.tobytes()) for n, a in fixed.items()),)
            if key not in self._built:
                self._built[key] = self._import(shapes, fixed)
            return self._built[key]
        self._built[key] = built
        return built

    def _import(self, shapes, fixed):
        fed = [n for n in self.input_names if n not in fixed]
        if not fed:
            _, _, outputs, _ = import_graph(self.model, shapes, fixed)
            return "constant", [np.asarray(o) for o in outputs], fed
        return "model", load_model(self.model, input_shapes=shapes, input_values=fixed), fed

    def run(self, inputs: Any, **kwargs: Any) -> tuple:
        if isinstance(inputs, dict):
            inputs = [inputs[n] for n in self.input_names]
        elif not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        arrays = [np.asarray(a) for a in inputs]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jax's int64 -> int32 notes, one per array
            kind, built, fed = self._build(arrays)
            if kind == "constant":
                outs = built
            else:
                program = built._program(False)
                by_name = dict(zip(self.input_names, arrays))
                feeds = [by_name[n].astype(canonical_dtype(by_name[n].dtype)) for n in fed]
                outs, _ = program.run(built._weight_values(program), {}, feeds)
                outs = [np.asarray(o) for o in outs]
        return tuple(self._declared_type(o, t) for o, t in zip(outs, self.output_types))

    @staticmethod
    def _declared_type(array, elem_type):
        if not elem_type:
            return array
        dtype = numpy_dtype(elem_type)
        return array.astype(dtype) if array.dtype != dtype else array


class SymkBackend(Backend):
    """ONNX backend running models through symk (graph passes, then XLA on CPU or GPU)."""

    @classmethod
    def is_compatible(cls, model, device: str = "CPU", **kwargs) -> bool:
        return True

    @classmethod
    def prepare(cls, model, device: str = "CPU", **kwargs) -> SymkRep:
        return SymkRep(as_model_proto(model))

    @classmethod
    def run_model(cls, model, inputs, device: str = "CPU", **kwargs) -> tuple:
        return cls.prepare(model, device, **kwargs).run(inputs)

    @classmethod
    def run_node(cls, node, inputs, device: str = "CPU", outputs_info=None, **kwargs) -> tuple:
        """One NodeProto on arrays: wrapped in a one-node model of the newest opset."""
        from onnx import helper

        arrays = [np.asarray(a) for a in inputs]
        value_infos = [helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
                       for name, a in zip(node.input, arrays) if name]
        outputs = [helper.make_empty_tensor_value_info(name) for name in node.output]
        graph = helper.make_graph([node], "run_node", value_infos, outputs)
        model = helper.make_model(graph)
        return cls.prepare(model, device).run([a for name, a in zip(node.input, arrays) if name])

    @classmethod
    def supports_device(cls, device: str) -> bool:
        import jax

        kind = Device(device).type
        if kind == DeviceType.CPU:
            return True
        return kind == DeviceType.CUDA and any(d.platform == "gpu" for d in jax.devices())


prepare = SymkBackend.prepare
run_model = SymkBackend.run_model
run_node = SymkBackend.run_node
supports_device = SymkBackend.supports_device
is_compatible = SymkBackend.is_compatible
