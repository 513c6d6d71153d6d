"""clone_model: the same architecture with new layers (and so new weights), as Keras's keras.models.clone_model.

    new_model = symk.models.clone_model(model)                          # fresh weights, same structure
    new_model = clone_model(model, clone_function=lambda l: l.__class__.from_config(l.get_config()))
    new_model = clone_model(model, clone_function=lambda l: l,          # the same layers, plus a Dropout
                            call_function=lambda layer, *a, **k: Dropout(0.5)(layer(*a, **k)))

Sequential models are rebuilt from their cloned layers; functional models are replayed call by
call on new Inputs (or on `input_tensors`), every layer through `clone_function` and every call
through `call_function`; a compiled model's clone is compiled from its compile config (a fresh
optimizer). Subclassed models are cloned through their config (get_config / from_config).
"""
from __future__ import annotations

from ..graph import SymbolicTensor
from ..layers.call_site import _flatten
from ..layers.input_layer import Input, InputLayer
from .model import Model
from .sequential import Sequential


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive: bool = False,
                **kwargs):
    """A new model with the structure of `model` and newly created weights (see the module docstring)."""
    cache = kwargs.pop("cache", None)
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {tuple(kwargs.keys())}")
    if not isinstance(model, Model):
        raise ValueError(f"clone_model expects a Model (Sequential or functional); received {type(model).__name__}")
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                "`call_function` argument is not supported with Sequential models.  In a Sequential model, layers "
                "aren't called at model-construction time (they're merely listed). Use `call_function` with "
                f"Functional models only. Received model of type '{type(model).__name__}', with "
                f"call_function={call_function}")
        wrapped = _wrap_clone_function(clone_function, call_function, recursive, cache)
        return _clone_sequential(model, wrapped, input_tensors)
    default_config = type(model).get_config is Model.get_config
    if model._functional and (default_config or clone_function is not None or input_tensors is not None):
        wrapped = _wrap_clone_function(clone_function, call_function, recursive, cache)
        return _clone_functional(model, wrapped, input_tensors, call_function)
    if clone_function is not None or input_tensors is not None:
        raise ValueError(
            "Arguments `clone_function` and `input_tensors` are only supported for Sequential models or Functional "
            f"models. Received model of type '{type(model).__name__}', with clone_function={clone_function} and "
            f"input_tensors={input_tensors}")
    if call_function is not None:
        raise ValueError("Argument `call_function` is only supported for Functional models. Received model of type "
                         f"'{type(model).__name__}', with call_function={call_function}")
    from ..saving.serialization_lib import deserialize_keras_object, serialize_keras_object

    return deserialize_keras_object(serialize_keras_object(model), custom_objects={type(model).__name__: type(model)})


def _default_clone(layer):
    return layer.__class__.from_config(layer.get_config())


def _wrap_clone_function(clone_function, call_function, recursive: bool, cache):
    """clone_function with Keras's extras: a layer shared in the model is cloned once; nested models are cloned
    with clone_model when recursive=True."""
    clone_function = clone_function or _default_clone
    if not callable(clone_function):
        raise ValueError(f"Expected `clone_function` argument to be a callable. Received: "
                         f"clone_function={clone_function}")
    cache = {} if cache is None else cache

    def wrapped(layer):
        if id(layer) in cache:
            return cache[id(layer)]
        if recursive and isinstance(layer, Model) and layer._functional:
            clone = clone_model(layer, clone_function=clone_function,
                                call_function=None if isinstance(layer, Sequential) else call_function,
                                recursive=True, cache=cache)
        else:
            clone = clone_function(layer)
        cache[id(layer)] = clone
        return clone

    return wrapped


def _compile_like(new_model, model):
    if getattr(model, "compiled", False):
        from ..saving.compile_config import compile_config, compile_from_config

        config = compile_config(model)
        if config is not None:
            compile_from_config(new_model, config)
    return new_model


def _clone_sequential(model, clone_function, input_tensors):
    layers = [clone_function(layer) for layer in model.layers]
    reference = getattr(model, "_input_layer", None)
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError("Argument `input_tensors` must contain a single tensor.")
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, SymbolicTensor):
            raise ValueError(f"Argument `input_tensors` must be a KerasTensor. Received invalid value: "
                             f"input_tensors={input_tensors}")
        layers = [input_tensors] + layers
    elif reference is not None:
        layers = [Input(batch_shape=reference.batch_shape, dtype=reference.dtype, name=reference.name)] + layers
    clone = Sequential(layers, name=model.name, trainable=model.trainable)
    return _compile_like(clone, model)


def _map_structure(structure, fn):
    if isinstance(structure, SymbolicTensor):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_structure(v, fn) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map_structure(v, fn) for v in structure)
    return structure


def _new_inputs(model, input_tensors):
    if input_tensors is None:
        def fresh(t):
            layer = t._keras_history[0] if t._keras_history else None
            name = layer.name if isinstance(layer, InputLayer) else None
            return Input(batch_shape=tuple(t.shape), dtype=t.dtype, name=name)

        return _map_structure(model._input_structure, fresh)
    flat = _flatten(input_tensors)
    if not all(isinstance(t, SymbolicTensor) for t in flat):
        raise ValueError(f"All entries in `input_tensors` must be KerasTensors. Received invalid values: "
                         f"inputs_tensors={input_tensors}")
    if len(flat) != len(model.inputs):
        raise ValueError(f"`input_tensors` must have the same structure as model.input\nReference structure: "
                         f"{model._input_structure}\nReceived structure: {input_tensors}")
    return input_tensors


def _clone_functional(model, clone_function, input_tensors, call_function):
    from .layer_order import walk_sites

    new_inputs = _new_inputs(model, input_tensors)
    mapped = {id(old): new for old, new in zip(model.inputs, _flatten(new_inputs))}
    _, sites = walk_sites(model)  # each call site after the calls it depends on

    def lookup(t):
        return mapped.get(id(t))

    for site in sites:
        if isinstance(site.layer, InputLayer):
            continue
        layer = clone_function(site.layer)
        inputs = _map_structure(site.inputs, lookup)
        # the automatic mask argument is recomputed by the new call; other tensor arguments are mapped
        arguments = {k: _map_structure(v, lookup) for k, v in site.arguments.items() if k != "mask"}
        outputs = call_function(layer, inputs, **arguments) if call_function else layer(inputs, **arguments)
        for old, new in zip(site.output_tensors, _flatten(outputs)):
            mapped[id(old)] = new
    new_outputs = _map_structure(model._output_structure, lookup)
    cls = type(model) if _functional_like(type(model)) else Model
    clone = cls(inputs=new_inputs, outputs=new_outputs, name=model.name)
    return _compile_like(clone, model)


def _functional_like(cls) -> bool:
    """Keras's rule: a Model subclass whose constructor looks like Model's can be rebuilt on inputs/outputs."""
    import inspect

    if cls is Model:
        return True
    spec = inspect.getfullargspec(cls.__init__)
    return spec.args[1:] == ["inputs", "outputs"] or (spec.varargs is not None and spec.varkw is not None)
