"""The Layer base class: weights, build-on-first-call, call sites, eager calls, configs.

A layer's `call` is ordinary code over symbolic tensors; `__call__` builds the layer on
the first call, checks its InputSpec, traces `call` inside the layer's scope (so every op
node it adds names the layer) and records a call site. Called on arrays, it traces into
a private graph, jits the result (cached per input signature) and runs it.
"""
from __future__ import annotations

import inspect
import re
from typing import Optional

import jax
import numpy as np

from .. import initializers as initializers_module
from ..errors import GraphError
from ..graph import (Graph, SymbolicTensor, graph_scope, layer_scope, no_call_site_recording,
                     recording_call_sites)
from ..random import seed_generator
from ..random.seed_generator import SeedGenerator
from ..shapes import canonical_dtype
from ..variables import Variable, autocast_scope
from .call_site import CallSite, CallSiteAPI, _as_tuple_shapes, _flatten, shapes_of  # noqa: F401
from .dtype_policy_api import DTypePolicyAPI
from .eager import EagerCallAPI, _leaf
from .input_spec import check_input_spec
from .stateless import StatelessCallAPI

_name_counts: dict[str, int] = {}


def snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    # NOTE: no break after a digit, as Keras names them: Conv2D -> 'conv2d', MaxPooling2D -> 'max_pooling2d'
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """'dense', then 'dense_1', 'dense_2', ... (per session, as Keras names layers)."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    _name_counts.clear()


def _is_symbolic_structure(x) -> bool:
    return any(isinstance(t, SymbolicTensor) for t in jax.tree_util.tree_leaves(x, is_leaf=_leaf))


_INPUT_ARGS = ("input_shape", "batch_input_shape", "input_dim", "batch_size", "batch_shape", "input_length")


class Layer(DTypePolicyAPI, EagerCallAPI, CallSiteAPI, StatelessCallAPI):
    """Base class of all layers (and of Model).

        class SimpleDense(Layer):
            def build(self, input_shape):
                self.kernel = self.add_weight("kernel", (input_shape[-1], 3))
            def call(self, x):
                return x @ self.kernel
    """

    def __init__(self, trainable: bool = True, name: Optional[str] = None, dtype=None, **kwargs):
        input_args = {k: kwargs.pop(k) for k in _INPUT_ARGS if k in kwargs}
        self.autocast = bool(kwargs.pop("autocast", True))
        for legacy in ("weights", "input_dtype", "activity_regularizer_", "dynamic"):
            kwargs.pop(legacy, None)
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        _refuse_unsupported_options(type(self).__name__, kwargs)
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__ got unexpected keyword argument(s) "
                            f"{sorted(kwargs)}; check the spelling against the Keras documentation")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = trainable
        self.dtype = dtype  # a dtype, a policy name ('mixed_bfloat16') or a DTypePolicy; None: the global policy
        self.built = False
        self.input_spec = None
        self.supports_masking = getattr(self, "supports_masking", False)
        self._own_weights: list[Variable] = []
        self._inbound_nodes: list[CallSite] = []
        self._eager_cache: dict = {}
        self._losses: list = []
        self._build_input_shape = None
        from .. import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._batch_input_shape = self._batch_shape_from(input_args)
        self._input_dtype = None

    # -- construction-time input shape (Sequential's first layer) ------------------------
    @staticmethod
    def _batch_shape_from(args: dict):
        if "batch_input_shape" in args and args["batch_input_shape"] is not None:
            return tuple(args["batch_input_shape"])
        if "batch_shape" in args and args["batch_shape"] is not None:
            return tuple(args["batch_shape"])
        batch = args.get("batch_size")
        if args.get("input_shape") is not None:
            return (batch,) + tuple(args["input_shape"])
        if args.get("input_dim") is not None:
            length = args.get("input_length")
            return (batch, length, args["input_dim"]) if length is not None else (batch, args["input_dim"])
        return None

    # -- trainable ------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for sub in self._sublayers():
            sub.trainable = value

    # -- sub-layers and seed generators (found by scanning attributes, so lists appended later count) ---------
    def _tracked(self, kind: type) -> list:
        """The `kind` objects held as attributes, directly or in lists, tuples and dicts (two levels deep)."""
        found, seen = [], {id(self)}

        def visit(value, depth=0):
            if isinstance(value, kind):
                if id(value) not in seen:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, (list, tuple)) and depth < 2:
                for v in value:
                    visit(v, depth + 1)
            elif isinstance(value, dict) and depth < 2:
                for v in value.values():
                    visit(v, depth + 1)

        for key, value in vars(self).items():
            if not key.startswith("_keras") and key not in ("_inbound_nodes", "_eager_cache", "_outbound"):
                visit(value)
        return found

    def _sublayers(self) -> list["Layer"]:
        return self._tracked(Layer)

    def _seed_states(self) -> list[Variable]:
        """The state variables of the SeedGenerators this layer and its sub-layers hold. As in Keras they are
        `variables`, not `weights`: get_weights and weight files leave them out."""
        states = [generator.state for generator in self._tracked(SeedGenerator)]
        for sub in self._weight_layers():
            states += sub._seed_states()
        return _dedupe(states)

    # -- weights --------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None, trainable=True,
                   constraint=None, **kwargs) -> Variable:
        """Create a weight. Keras 2 order (name, shape, ...) or Keras 3 style (shape first) both work."""
        if name is not None and not isinstance(name, str):
            name, shape = kwargs.pop("name", None), name  # add_weight((3, 4), ...) in Keras 3 style
        kwargs.pop("use_resource", None)
        kwargs.pop("synchronization", None)
        kwargs.pop("aggregation", None)
        autocast = bool(kwargs.pop("autocast", True))
        if kwargs:
            raise TypeError(f"add_weight() got unexpected keyword argument(s) {sorted(kwargs)}")
        name = name or f"variable_{len(self._own_weights)}"
        shape = tuple(int(d) for d in (shape or ()))
        dtype = canonical_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        init = initializers_module.get(initializer)
        from .. import constraints, regularizers

        value = np.asarray(init(shape, dtype=dtype), dtype=dtype)
        var = Variable(value, name=name, path=f"{self.name}/{name}", trainable=trainable, dtype=dtype,
                       regularizer=regularizers.get(regularizer), constraint=constraints.get(constraint),
                       autocast=autocast)
        self._own_weights.append(var)
        return var

    add_variable = add_weight

    def _weight_layers(self) -> list["Layer"]:
        """The layers whose weights this one reports, in order (Model: its layers)."""
        return self._sublayers()

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        out = [w for w in self._own_weights if w.trainable]
        for sub in self._weight_layers():
            out += sub.trainable_weights
        return _dedupe(out)

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        out = [w for w in self._own_weights if not w.trainable]
        for sub in self._weight_layers():
            out += sub.non_trainable_weights
        return _dedupe(out)

    @property
    def weights(self) -> list[Variable]:
        """Keras 3's order: this layer's own trainable weights, its own non-trainable ones, then each
        sub-layer's weights in turn (a model: layer by layer). NOTE: Keras 2 (and legacy .h5 files)
        order all trainable weights before all non-trainable ones: trainable_weights + non_trainable_weights."""
        out = [w for w in self._own_weights if w.trainable] + [w for w in self._own_weights if not w.trainable]
        for sub in self._weight_layers():
            out += sub.weights
        return _dedupe(out)

    @property
    def variables(self) -> list[Variable]:
        """The weights, then the SeedGenerators' states (all of the layer's state, as Keras counts it)."""
        return _dedupe(self.weights + self._seed_states())

    @property
    def non_trainable_variables(self) -> list[Variable]:
        return _dedupe(self.non_trainable_weights + self._seed_states())

    trainable_variables = trainable_weights

    def _ordered_weights(self) -> list[Variable]:
        """The order get_weights/set_weights use (Model: layer by layer)."""
        return self.weights

    def get_weights(self) -> list[np.ndarray]:
        return [w.numpy() for w in self._ordered_weights()]

    def set_weights(self, weights) -> None:
        params = self._ordered_weights()
        weights = list(weights)
        kind = "Model" if hasattr(self, "_functional") else "Layer"
        if len(weights) != len(params):
            raise ValueError(
                f"{kind} {self.name!r} expects {len(params)} weight arrays "
                f"({', '.join(w.path for w in params) or 'none'}), but received {len(weights)}.")
        for var, value in zip(params, weights):
            if tuple(np.shape(value)) != tuple(var.shape):
                raise ValueError(f"{kind} {self.name!r} weight {var.path!r} has shape {tuple(var.shape)}, "
                                 f"but the value given has shape {tuple(np.shape(value))}.")
        for var, value in zip(params, weights):
            var.set_value(np.asarray(value, dtype=var.dtype))

    def count_params(self) -> int:
        if not self.built and not self.weights:  # weights made in __init__ (own or sub-layers') count
            raise ValueError(f"You tried to call count_params on layer {self.name!r}, but the layer isn't built. "
                             "Call it on an input (or build(input_shape)) first.")
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # -- losses ---------------------------------------------------------------------
    def add_loss(self, loss) -> None:
        self._losses.append(loss)

    @property
    def losses(self) -> list:
        """Regularisation terms (kernel/bias regularizers of every weight) plus add_loss()'d losses.
        Inside a stateless train step: the values of this step's forward pass (Keras's override)."""
        override = getattr(self, "_losses_override", None)
        if override is not None:
            return list(override)
        out = list(self._losses)
        for w in self.trainable_weights:
            if w.regularizer is not None:
                out.append(w.regularizer(w))
        for sub in self._sublayers():
            out += [l for l in sub._losses]
        return out

    # -- building -------------------------------------------------------------------
    def build(self, input_shape) -> None:
        self._build_input_shape = input_shape
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        shape = shapes_of(inputs)
        with no_call_site_recording():
            self.build(shape)
        self._build_input_shape = shape
        self.built = True

    # -- calling --------------------------------------------------------------------
    def call(self, inputs, *args, **kwargs):
        return inputs

    def _call_accepts(self, name: str) -> bool:
        try:
            params = inspect.signature(self.call).parameters
        except (TypeError, ValueError):
            return False
        return name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())

    def __call__(self, *args, **kwargs):
        if args:
            inputs, args = args[0], args[1:]
        elif "inputs" in kwargs:
            inputs = kwargs.pop("inputs")
        else:
            raise TypeError(f"Layer {self.name!r} was called without inputs")
        if not _is_symbolic_structure(inputs):
            return self._eager_call(inputs, *args, **kwargs)
        return self._symbolic_call(inputs, *args, **kwargs)

    def _symbolic_call(self, inputs, *args, **kwargs):
        tensors = _flatten(inputs)
        if any(t.dtype == "string" for t in tensors):  # only host layers (host_call.py) take text
            from .host_call import refuse_string_tensors

            refuse_string_tensors(self, tensors)
        self._maybe_build(inputs)
        check_input_spec(self, self.input_spec, tensors)
        training = kwargs.pop("training", None)
        if training is not None and self._call_accepts("training"):
            kwargs["training"] = training
        masks = [getattr(t, "_keras_mask", None) for t in tensors]
        mask = None
        if any(m is not None for m in masks):
            mask = masks[0] if isinstance(inputs, SymbolicTensor) else masks
            if self._call_accepts("mask") and "mask" not in kwargs:
                kwargs["mask"] = mask
        with layer_scope(self, training=training), seed_generator.layer_call(tensors), \
                autocast_scope(self._autocast_dtype_for_call()):
            call_inputs, args, kwargs = self._cast_inputs((inputs, args, kwargs))
            outputs = self.call(call_inputs, *args, **kwargs)
            if self.activity_regularizer is not None:
                for t in _flatten(outputs):
                    self.add_loss(self.activity_regularizer(t) / _batch_size_of(t))
            out_mask = self.compute_mask(inputs, mask)
        outputs = _wrap_variables(outputs)
        outputs = _fresh_handles(outputs, tensors)
        for t, m in zip(_flatten(outputs), _flatten_masks(out_mask, outputs)):
            t._keras_mask = m
        if recording_call_sites():
            site = CallSite(self, inputs, outputs, dict(kwargs), len(self._inbound_nodes))
            self._inbound_nodes.append(site)
            for i, t in enumerate(_flatten(outputs)):
                if t._keras_history is None or t._keras_history[0] is not self:
                    t._keras_history = (self, site.index, i)
        return outputs

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    # -- shapes without running -----------------------------------------------------
    def compute_output_shape(self, input_shape):
        """By default: trace `call` on placeholders of that shape in a private graph."""
        from .input_layer import make_placeholder

        multiple = isinstance(input_shape, (list, tuple)) and input_shape and isinstance(input_shape[0], (list, tuple))
        shapes = list(input_shape) if multiple else [input_shape]
        # a built model traces with its own inputs' dtypes (an Embedding first takes integers), else the layer's
        known = [t.dtype for t in getattr(self, "inputs", None) or [] if isinstance(t, SymbolicTensor)]
        dtypes = known if len(known) == len(shapes) else [self.dtype] * len(shapes)
        with graph_scope(Graph()), no_call_site_recording():
            placeholders = [make_placeholder(s, d) for s, d in zip(shapes, dtypes)]
            outputs = self._symbolic_call(placeholders if multiple else placeholders[0])
        return jax.tree_util.tree_map(lambda t: t.shape, outputs, is_leaf=_leaf)

    def compute_output_spec(self, inputs):
        return self.compute_output_shape(shapes_of(inputs))

    # -- configs --------------------------------------------------------------------
    def get_config(self) -> dict:
        # the policy's name ('float32', 'mixed_bfloat16'); saving writes it as Keras 3's DTypePolicy dict
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype_policy.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = tuple(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_build_config(self):
        if self._build_input_shape is None:
            return None
        return {"input_shape": _as_tuple_shapes(self._build_input_shape)}

    def build_from_config(self, config) -> None:
        if config and not self.built and config.get("input_shape") is not None:
            from .input_layer import make_placeholder

            shape = config["input_shape"]
            with graph_scope(Graph()), no_call_site_recording():
                if shape and isinstance(shape[0], (list, tuple)):
                    self._maybe_build([make_placeholder(s) for s in shape])
                else:
                    self._maybe_build(make_placeholder(shape))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


# Keras 3 options of Dense, EinsumDense and Embedding that symk does not implement; their configs write
# `quantization_config: null` (and lora_* only when set), so None is accepted and dropped
_UNSUPPORTED_OPTIONS = {"quantization_config": "quantized layers", "lora_rank": "LoRA (low-rank adapted) kernels"}


def _refuse_unsupported_options(layer: str, kwargs: dict) -> None:
    for key, feature in _UNSUPPORTED_OPTIONS.items():
        value = kwargs.pop(key, None)
        if value:
            raise ValueError(f"{layer}: {key}={value!r} asks for {feature}, which symk does not implement. Build the "
                             f"layer without {key} (in Keras, merge or dequantize the weights first).")
    kwargs.pop("lora_alpha", None)  # only meaningful with lora_rank


def _dedupe(variables: list) -> list:
    seen, out = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _flatten_masks(mask, outputs) -> list:
    n = len(_flatten(outputs))
    if mask is None:
        return [None] * n
    if isinstance(mask, (list, tuple)):
        return list(mask) + [None] * (n - len(mask))
    return [mask] + [None] * (n - 1)


def _wrap_variables(outputs):
    """A call that returns a weight directly still returns a graph tensor."""
    if isinstance(outputs, Variable):
        return outputs.symbolic()
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(_wrap_variables(o) for o in outputs)
    if not isinstance(outputs, (SymbolicTensor, dict)) and outputs is not None:
        raise GraphError(f"a layer's call() must return symbolic tensors; got {type(outputs).__name__}. "
                         "Build results with symk.ops / symk.backend functions on the inputs.")
    return outputs


def _fresh_handles(outputs, inputs: list):
    """An output that is an input object (identity layers) gets a new handle to the same node, so
    recording this call's history does not overwrite the input's (its producer's) history."""
    input_ids = {id(t) for t in inputs}

    def fresh(t):
        if isinstance(t, SymbolicTensor) and id(t) in input_ids:
            copy = t.graph.tensor(t.node, t.index)
            copy._keras_mask = t._keras_mask
            return copy
        return t

    if isinstance(outputs, dict):
        return {k: fresh(v) for k, v in outputs.items()}
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(fresh(o) for o in outputs)
    return fresh(outputs)


def _batch_size_of(t):
    """Keras divides activity regularisation by the batch size."""
    from ..ops.registry import apply

    return apply("cast", [apply("dim_size", [t], axis=0)], dtype="float32")
