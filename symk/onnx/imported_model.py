"""ImportedOnnxModel: the functional Model an ONNX graph becomes, able to save itself as .h5 / .keras.

An imported graph is made of symk ops inside OnnxNode scopes, not of Keras layers, so no Keras layer config
describes it. Its config is therefore the ONNX graph itself (base64 of the ModelProto) with the data of the
initializers that became weights left out: those travel as ordinary weights in the file (by layer name in
.h5, by position in .keras), so a model fine-tuned in symk saves and reloads with its trained values.

    m = symk.onnx.load_model("net.onnx"); m.fit(x, y); m.save("net.h5")
    symk.models.load_model("net.h5")          # the same graph, the trained weights

Keras cannot read such a file (it has no layer for an ONNX node); `symk convert net.h5 net.onnx` turns it
back into ONNX with the trained weights.
"""
from __future__ import annotations

import base64
import json

import numpy as np

from ..models.model import Model
from ..object_registry import register_serializable
from .importer import as_model_proto, layer_name, load_model as import_onnx

STRIPPED_KEY = "symk_stripped_initializers"   # metadata_props entry: initializers whose data are weights


@register_serializable(package="symk")
class ImportedOnnxModel(Model):
    """A symk Model built from an ONNX graph: `onnx_model` a path, bytes or ModelProto, or `onnx_graph_base64`
    the text its config holds."""

    def __init__(self, onnx_model=None, input_shapes=None, name=None, onnx_graph_base64=None, **kwargs):
        if (onnx_model is None) == (onnx_graph_base64 is None):
            raise ValueError("ImportedOnnxModel: give the ONNX model as `onnx_model` (a path, bytes or ModelProto) "
                             "or as `onnx_graph_base64` (from a saved config), exactly one of them")
        if onnx_graph_base64 is not None:
            onnx_model = base64.b64decode(onnx_graph_base64)
        proto = _restored(as_model_proto(onnx_model))
        built = import_onnx(proto, input_shapes, name)
        inputs, outputs = built.inputs, built.outputs
        super().__init__(inputs[0] if len(inputs) == 1 else inputs, outputs[0] if len(outputs) == 1 else outputs,
                         name=built.name, **kwargs)
        self._config_proto, self._input_shapes = _stripped(proto, self.weights), input_shapes

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "input_shapes": self._input_shapes,
                "onnx_graph_base64": base64.b64encode(self._config_proto.SerializeToString()).decode("ascii")}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def _stripped(proto, weights):
    """A copy of `proto` without the data of the initializers that became `weights` (kept: name, shape,
    type), so the config stays small; the names are listed in the metadata for _restored."""
    import onnx

    weight_names = {w.name for w in weights}  # the initializer's name, made safe (paths get _1 suffixes)
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)
    stripped = []
    for tensor in copy.graph.initializer:
        if layer_name(tensor.name, "weight").split("/")[-1] in weight_names:
            dims, data_type, name = list(tensor.dims), tensor.data_type, tensor.name
            tensor.Clear()
            tensor.name, tensor.data_type = name, data_type
            tensor.dims.extend(dims)
            stripped.append(name)
    del copy.metadata_props[:]
    copy.metadata_props.extend(p for p in proto.metadata_props if p.key != STRIPPED_KEY)
    entry = copy.metadata_props.add()
    entry.key, entry.value = STRIPPED_KEY, json.dumps(stripped)
    return copy


def _restored(proto):
    """Stripped initializers filled with zeros of their shape and type (the file's weights replace them)."""
    import onnx
    import onnx.helper
    import onnx.numpy_helper

    listed = [p.value for p in proto.metadata_props if p.key == STRIPPED_KEY]
    if not listed:
        return proto
    names = set(json.loads(listed[0]))
    for i, tensor in enumerate(proto.graph.initializer):
        if tensor.name in names:
            dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type)
            filled = onnx.numpy_helper.from_array(np.zeros(tuple(tensor.dims), dtype), tensor.name)
            proto.graph.initializer[i].CopyFrom(filled)
    return proto
