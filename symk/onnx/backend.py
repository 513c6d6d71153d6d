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
from .importer import (as_model_proto, declared_elem_type, flatten_values, import_model, numpy_dtype,
                       unflatten_values)


class SymkRep(BackendRep):
    """A prepared ONNX model: symk Models keyed by the input shapes they were built for.

    Inputs are arrays, lists of arrays (ONNX sequences: the graph gets one input per element) or None (an
    empty optional); sequence outputs come back as lists."""

    def __init__(self, model: onnx.ModelProto):
        self.model = model
        inits = {t.name for t in model.graph.initializer}
        self.input_names = [i.name for i in model.graph.input if i.name not in inits]
        self.output_types = [declared_elem_type(o.type) for o in model.graph.output]
        self._built: dict = {}
        self._needs_values: set = set()   # input signatures whose import needs some input values fixed

    def _build(self, values):
        """(kind, built, names fed, output forms): a Model for these shapes, or the outputs when all are
        constants. Inputs that must be known at import time (a shape given as an input) are fixed to this run's
        values: small integer (and 1-D) ones first, then, if that is not enough, every input (the outputs are
        then computed at import time, once per distinct set of values)."""
        by_name = dict(zip(self.input_names, values))
        # empty optionals and strings (no JAX dtype) are never graph inputs: always fixed to the run's values
        strings = {n: v for n, v in by_name.items() if isinstance(v, np.ndarray) and v.dtype.kind in "OSU"}
        absent = {**{n: None for n, v in by_name.items() if v is None}, **strings}
        key = tuple(_signature(v) for v in values) + ((_values_key(strings),) if strings else ())
        if key in self._built:
            return self._built[key]
        shapes = {n: ([a.shape for a in v] if isinstance(v, list) else v.shape)
                  for n, v in by_name.items() if v is not None}
        try:
            if key in self._needs_values:  # this import failed before for want of values: skip straight to fixing
                raise NeedsStaticValue("known from an earlier run")
            built = self._import(shapes, absent)
        except NeedsStaticValue:
            self._needs_values.add(key)
            # small integer inputs (shapes, axes) and small 1-D float ones (Resize's scales and roi, thresholds)
            fixed = {n: a for n, a in by_name.items()
                     if isinstance(a, np.ndarray) and (a.dtype.kind in "iub" or a.ndim <= 1) and a.size <= 64}
            return self._import_fixed(key, shapes, {**absent, **fixed}, by_name)
        self._built[key] = built
        return built

    def _import_fixed(self, key, shapes, fixed, by_name):
        small_key = key + (_values_key(fixed),)
        if small_key not in self._needs_values:
            if small_key not in self._built:
                try:
                    self._built[small_key] = self._import(shapes, fixed)
                except NeedsStaticValue:
                    self._needs_values.add(small_key)
            if small_key in self._built:
                return self._built[small_key]
        # a value that only the data gives (Unique's size, a shape computed from floats): every input fixed
        every_key = key + (_values_key(by_name),)
        if every_key not in self._built:
            self._built[every_key] = self._import(shapes, dict(by_name))
        return self._built[every_key]

    def _import(self, shapes, fixed):
        fed = [n for n in self.input_names if n not in fixed]
        built, flat, forms = import_model(self.model, shapes, fixed, constants_alone=True)
        if built is None:
            return "constant", flat, [], forms
        return "model", built, fed, forms

    def run(self, inputs: Any, **kwargs: Any) -> tuple:
        if isinstance(inputs, dict):
            inputs = [inputs[n] for n in self.input_names]
        elif not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        values = [_as_value(a) for a in inputs]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # jax's int64 -> int32 notes, one per array
            kind, built, fed, forms = self._build(values)
            if kind == "constant":
                outs = built
            else:
                program = built._program(False)
                by_name = dict(zip(self.input_names, values))
                feeds, _ = flatten_values([by_name[n] for n in fed])
                feeds = [a.astype(canonical_dtype(a.dtype)) for a in feeds]
                outs, _ = program.run(built._weight_values(program), {}, feeds)
                outs = [np.asarray(o) for o in outs]
        outs = unflatten_values(list(outs), forms)
        return tuple(self._declared_type(o, t) for o, t in zip(outs, self.output_types))

    @classmethod
    def _declared_type(cls, value, elem_type):
        if value is None or not elem_type:
            return value
        if isinstance(value, list):
            return [cls._declared_type(v, elem_type) for v in value]
        dtype = numpy_dtype(elem_type)
        return value.astype(dtype) if value.dtype != dtype else value


def _as_value(value):
    """An input as the importer takes it: an array, a list of arrays (a sequence) or None (an empty optional)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [np.asarray(v) for v in value]
    return np.asarray(value)


def _signature(value):
    if value is None:
        return None
    if isinstance(value, list):
        return ("sequence",) + tuple((a.shape, a.dtype.name) for a in value)
    return (value.shape, value.dtype.name)


def _value_bytes(value):
    if value is None:
        return None
    if isinstance(value, list):
        return tuple(a.tobytes() for a in value)
    return value.tobytes()


def _values_key(values: dict) -> tuple:
    return tuple((name, _value_bytes(v)) for name, v in values.items())


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
