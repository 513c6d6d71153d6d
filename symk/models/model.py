"""Model: the functional API (`Model(inputs, outputs)`) and subclassed models (`call` traced
when first called). Both end up as a graph of their own with input and output nodes.

Training (compile/fit/evaluate) comes from TrainingAPI; saving from SavingAPI.
"""
from __future__ import annotations

from typing import Optional

import jax
import numpy as np

from ..codegen import Program
from ..errors import GraphError
from ..graph import Graph, SymbolicTensor, graph_scope, no_call_site_recording
from ..layers.base import Layer, _dedupe, _leaf, unique_name
from ..layers.call_site import _flatten
from ..layers.input_layer import InputLayer, make_placeholder
from ..shapes import canonical_dtype
from ..training.api import TrainingAPI
from ..saving.api import SavingAPI
from ..passes.model_api import OptimizeAPI
from ..export.model_export import ExportAPI
from .extraction import extract, replay
from .host_prefix import holds_text as _holds_text, split_host_prefix
from .layer_order import NotLayerGraph, order_with_raw_ops, walk_sites


def _structure_names(structure) -> Optional[list]:
    if isinstance(structure, dict):
        return list(structure.keys())
    return None


class Model(TrainingAPI, SavingAPI, OptimizeAPI, ExportAPI, Layer):
    """A graph of layers with inputs and outputs.

        inputs = Input(shape=(2,)); outputs = Dense(1)(Dense(4)(inputs))
        model = Model(inputs=inputs, outputs=outputs)
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if len(args) > 0 else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if (inputs is None) != (outputs is None):
            raise GraphError("Model needs both `inputs` and `outputs` (the functional API), or neither (subclassing)")
        name = kwargs.pop("name", None)
        if name is None and inputs is not None and type(self) is Model:
            name = unique_name("functional")  # Keras 3 names functional models functional, functional_1, ...
        Layer.__init__(self, name=name, trainable=kwargs.pop("trainable", True), **kwargs)
        self._graph: Optional[Graph] = None
        self._programs: dict = {}
        self._host_prefix = None   # host layers before the graph (host_prefix.py); None for most models
        self._functional = inputs is not None
        self._init_training_state()
        if self._functional:
            self._init_graph(inputs, outputs)

    # -- the graph ------------------------------------------------------------------
    def _init_graph(self, inputs, outputs) -> None:
        self._input_structure, self._output_structure = inputs, outputs
        flat_in, flat_out = _flatten(inputs), _flatten(outputs)
        for where, struct, flat in (("inputs", inputs, flat_in), ("outputs", outputs, flat_out)):
            leaves = jax.tree_util.tree_leaves(struct, is_leaf=_leaf)
            bad = [x for x in leaves if not isinstance(x, SymbolicTensor)]
            if bad or not flat:
                raise GraphError(
                    f"Model {where} must be symbolic tensors (from Input(...) and layer calls); got "
                    f"{type(bad[0]).__name__ if bad else 'nothing'} in `{where}`. To run a model on data, build it "
                    "first and then call model.predict(data).")
        for t in flat_in:
            if t.op_name != "placeholder":
                raise GraphError(f"Model input {t.name!r} is produced by op {t.op_name!r}; model inputs must come "
                                 "from Input(...) (or K.placeholder)")
        graph = flat_in[0].graph
        # host layers (strings -> numbers, in numpy) run before the graph, which starts at their outputs
        self._host_prefix = split_host_prefix(self.name, graph, flat_in, flat_out)
        graph_inputs = self._host_prefix.graph_inputs if self._host_prefix is not None else flat_in
        self._graph = extract(graph, graph_inputs, flat_out)
        self.inputs, self.outputs = flat_in, flat_out
        self._input_nodes = [t.node for t in graph_inputs]
        self._output_refs = [(t.node, t.index) for t in flat_out]
        self._programs = {}
        self._layers_cache = None
        self.built = True

    @property
    def graph(self) -> Graph:
        """The model's op graph (`.nx` is the networkx MultiDiGraph)."""
        if self._graph is None:
            raise ValueError(f"Model {self.name!r} has no graph yet: build it (call it on data or build(input_shape))")
        return self._graph

    @property
    def input(self):
        self._require_graph("input")
        return self.inputs[0] if len(self.inputs) == 1 else list(self.inputs)

    @property
    def output(self):
        self._require_graph("output")
        return self.outputs[0] if len(self.outputs) == 1 else list(self.outputs)

    @property
    def input_shape(self):
        """Shapes of the model's own inputs (a list for several), as Keras's functional models give."""
        if self._graph is None and self._inbound_nodes:
            return Layer.input_shape.fget(self)
        self._require_graph("input shape")
        shapes = [tuple(t.shape) for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        if self._graph is None and self._inbound_nodes:
            return Layer.output_shape.fget(self)
        self._require_graph("output shape")
        shapes = [tuple(t.shape) for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _require_graph(self, what):
        if self._graph is None:
            raise AttributeError(f"Model {self.name!r} has no {what} yet: it is not built. Call it on data, give its "
                                 "first layer an input_shape, or call build(input_shape).")

    @property
    def input_names(self) -> list[str]:
        return [self._tensor_layer_name(t) for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        names = _structure_names(self._output_structure)
        return names if names else [self._tensor_layer_name(t) for t in self.outputs]

    def _tensor_layer_name(self, t: SymbolicTensor) -> str:
        history = t._keras_history
        if history is not None:
            return history[0].name
        return t.graph.node(t.node)["name"]

    @property
    def layers(self) -> list[Layer]:
        """Keras's order for functional models (deepest first; weight files rely on it)."""
        if self._functional:
            if getattr(self, "_layers_cache", None) is None:
                try:
                    self._layers_cache = walk_sites(self)[0]
                except NotLayerGraph:  # ops outside layers: Keras's order counts them as nodes too
                    self._layers_cache = order_with_raw_ops(self)
            return list(self._layers_cache)
        if self._graph is not None and not self._subclass_layers():
            return self._layers_from_graph()
        return self._subclass_layers()

    def _layers_from_graph(self) -> list[Layer]:
        seen, out = set(), []
        graph = self._graph
        for node in graph.topological_order():
            layer = graph.node(node).get("layer")
            if layer is not None and layer is not self and id(layer) not in seen:
                seen.add(id(layer))
                out.append(layer)
        return out

    def _subclass_layers(self) -> list[Layer]:
        return [l for l in self._sublayers() if not isinstance(l, InputLayer)]

    def get_layer(self, name: Optional[str] = None, index: Optional[int] = None) -> Layer:
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Model {self.name!r} has {len(layers)} layers; index {index} is out of range")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: {[l.name for l in layers]}.")

    # -- weights follow layer order -------------------------------------------------
    def _weight_layers(self) -> list[Layer]:
        return self.layers if self._functional else self._subclass_layers()

    def _ordered_weights(self):
        if self._functional:
            return _dedupe([w for layer in self._weight_layers() for w in layer.weights])
        return _dedupe(list(self._own_weights) + [w for layer in self._weight_layers() for w in layer.weights])

    # -- calling --------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        if not self._functional:
            raise NotImplementedError(f"Model subclass {type(self).__name__} must implement call(inputs)")
        flat = _flatten(inputs) if not isinstance(inputs, dict) else self._order_dict_inputs(inputs)
        outs = replay(self._graph, self._input_nodes, self._output_refs, flat)
        return self._restructure_outputs(outs)

    def _order_dict_inputs(self, inputs: dict) -> list:
        names = _structure_names(self._input_structure) or self.input_names
        missing = [n for n in names if n not in inputs]
        if missing:
            raise GraphError(f"Model {self.name!r} expects inputs named {names}; missing {missing}")
        return [inputs[n] for n in names]

    def _restructure_outputs(self, flat: list):
        struct = self._output_structure
        if isinstance(struct, SymbolicTensor):
            return flat[0]
        if isinstance(struct, dict):
            return dict(zip(struct.keys(), flat))
        return list(flat)

    def _maybe_build(self, inputs) -> None:
        self.built = True  # sub-layers build themselves when call() reaches them

    def build(self, input_shape=None):
        if self._graph is not None:
            return
        if input_shape is None:
            raise ValueError(f"Model {self.name!r}.build() needs input_shape (with the batch axis, e.g. (None, 784))")
        self._trace_subclass(input_shape)

    def _trace_subclass(self, input_shape, dtype="float32") -> None:
        """Trace a subclassed model's call() on placeholders into a graph of its own."""
        graph = Graph()
        multiple = isinstance(input_shape, (list, tuple)) and input_shape and isinstance(input_shape[0], (list, tuple))
        shapes = list(input_shape) if multiple else [input_shape]
        dtypes = dtype if isinstance(dtype, (list, tuple)) else [dtype] * len(shapes)
        with graph_scope(graph), no_call_site_recording():
            placeholders = [make_placeholder((None,) + tuple(s[1:]), d) for s, d in zip(shapes, dtypes)]
            structure = placeholders if multiple else placeholders[0]
            outputs = Layer.__call__(self, structure)
        self._input_structure, self._output_structure = structure, outputs
        self.inputs, self.outputs = placeholders, _flatten(outputs)
        self._input_nodes = [p.node for p in placeholders]
        self._output_refs = [(t.node, t.index) for t in self.outputs]
        self._graph = graph
        self._programs = {}
        self.built = True

    def _ensure_graph_for(self, arrays: list) -> None:
        if self._graph is None:
            shapes = [tuple(a.shape) for a in arrays]
            self._trace_subclass(shapes if len(shapes) > 1 else shapes[0],
                                 [canonical_dtype(a.dtype) for a in arrays] if len(arrays) > 1 else canonical_dtype(arrays[0].dtype))

    # -- running --------------------------------------------------------------------
    def _execution_graph(self, training: bool) -> Graph:
        """The graph that runs: the model's graph after the pipeline `compile(optimize=...)` chose."""
        return self._optimized_graph(training)

    def _program(self, training: bool = False) -> Program:
        program = self._programs.get(training)
        if program is None:
            program = Program(self._execution_graph(training), self._input_nodes, self._output_refs)
            self._programs[training] = program
        return program

    def _takes_host_data(self, x) -> bool:
        """Whether `x` goes through host layers first, which then check it (fit/predict skip their numeric check)."""
        return self._host_prefix is not None or self._graph is None and _holds_text(x)

    def _host_computed(self, arrays: list) -> list:
        """Graph-input arrays (already through the host prefix), marked so that it does not run on them again."""
        from .host_prefix import ComputedInputs

        return ComputedInputs(arrays) if self._host_prefix is not None else arrays

    def _build_for_text(self, x) -> None:
        raise ValueError(f"Model {self.name!r} (a subclassed model) received text, but a traced call() carries numbers "
                         "only. Apply the host layers (TextVectorization, StringLookup, Hashing) to the data first, "
                         "or put them first in a functional or Sequential model.")

    def _graph_inputs(self) -> list:
        """The placeholders the compiled graph takes: the model's inputs, or its host prefix's outputs."""
        return self._host_prefix.graph_inputs if self._host_prefix is not None else self.inputs

    def _standardize_inputs(self, x) -> list:
        """Arrays in the order of the graph's inputs, from an array, a list or a dict by input name; a model
        with host layers first runs them on `x` (strings in, numbers out)."""
        if self._graph is None and _holds_text(x):
            self._build_for_text(x)
        if self._host_prefix is not None:
            x = self._host_prefix.run(x, self.input_names)
        elif _holds_text(x):
            raise ValueError(f"Model {self.name!r} takes numbers; received text. Put a host layer that turns strings "
                             "into numbers (TextVectorization, StringLookup, Hashing) first in the model, after "
                             "Input(shape=(1,), dtype='string'), or apply it to the data before the model.")
        if isinstance(x, dict):
            names = self.input_names if self._graph is not None else list(x)
            missing = [n for n in names if n not in x]
            if missing:
                raise ValueError(f"Model {self.name!r} expects inputs named {names}; the dict given has keys "
                                 f"{sorted(x)} (missing {missing})")
            x = [x[n] for n in names]
        elif not isinstance(x, (list, tuple)):
            x = [x]
        arrays = [np.asarray(a) if not hasattr(a, "block_until_ready") else a for a in x]
        arrays = [a.astype(np.float32) if a.dtype == np.float64 else a for a in arrays]
        self._ensure_graph_for(arrays)
        graph_inputs = self._graph_inputs()
        if len(arrays) != len(graph_inputs):
            raise ValueError(f"Model {self.name!r} expects {len(graph_inputs)} input array(s) "
                             f"({[t.name for t in graph_inputs]}), but received {len(arrays)}.")
        for i, (a, t) in enumerate(zip(arrays, graph_inputs)):
            expected = tuple(t.shape)
            if len(a.shape) != len(expected) or any(e is not None and e != d for e, d in zip(expected[1:], a.shape[1:])):
                raise ValueError(f"Input {i} of model {self.name!r} should have shape {expected} (None = any size), "
                                 f"but the data has shape {tuple(a.shape)}.")
            if a.dtype.kind != np.dtype(t.dtype).kind and hasattr(a, "astype"):
                arrays[i] = a.astype(t.dtype)
        lengths = {len(a) for a in arrays}
        if len(lengths) > 1:
            raise ValueError(f"All input arrays must have the same number of samples; got {[len(a) for a in arrays]}")
        return arrays

    def _weight_values(self, program: Program) -> dict:
        return {path: var.device_value() for path, var in program.variables.items()}

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        """Run the model on `x` in batches; returns numpy arrays (a list for several outputs).
        `x`: arrays (a list or dict for several inputs) or an iterable/generator of batches
        (x, (x,) or (x, y)); `steps` limits the number of batches. See training/predict_loop.py."""
        from ..training.predict_loop import PredictLoop

        if self._uses_custom_step("predict"):  # an overridden predict_step (Keras 3 JAX style)
            from ..training.custom_loop import CustomLoop

            return CustomLoop(self).predict(x, batch_size, verbose, steps, callbacks)
        return PredictLoop(self).run(x, batch_size, verbose, steps, callbacks)

    def _package(self, flat: list):
        struct = self._output_structure
        if isinstance(struct, dict):
            return dict(zip(struct.keys(), flat))
        return flat[0] if len(flat) == 1 and isinstance(struct, SymbolicTensor) else flat

    def _eager_call(self, inputs, *args, **kwargs):
        """model(x) on arrays runs the model's own program (a subclassed model's call is traced first)."""
        from ..random_state import next_key

        training = bool(kwargs.pop("training", False) or False)
        kwargs.pop("mask", None)
        if args or kwargs:
            return Layer._eager_call(self, inputs, *args, training=training, **kwargs)
        arrays = self._standardize_inputs(inputs)
        program = self._program(training)
        outs, new_state = program.run(self._weight_values(program), {}, arrays, next_key(), training=training)
        for path, value in new_state.items():  # e.g. batch-norm moving statistics with training=True
            program.variables[path].set_value(value)
        return self._package(list(outs))

    def predict_on_batch(self, x):
        if self._uses_custom_step("predict"):
            from ..training.custom_loop import CustomLoop

            return CustomLoop(self).one_batch("predict", x, False, False)
        arrays = self._standardize_inputs(x)
        program = self._program(training=False)
        outs, _ = program.run(self._weight_values(program), {}, arrays, training=False)
        return self._package([np.asarray(o) for o in outs])

    def to_source(self, training: bool = False) -> str:
        """The lowered JAX function as readable Python source."""
        return self._program(training).source()

    # -- summary --------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False, show_trainable=False,
                layer_range=None):
        from .summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    def get_config(self):
        from ..saving.model_config import functional_config  # written by [save]

        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving.model_config import functional_from_config  # written by [save]

        return functional_from_config(config, custom_objects)

