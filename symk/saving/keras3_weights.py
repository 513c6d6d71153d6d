"""The Keras 3 `.weights.h5` layout, read and written.

    vars/ (@name=<model name>)                      the model's own variables
    layers/<class_snake_name>[_n]/vars/<i>          each layer's own variables, in creation order
    layers/<nested model>/layers/...                nested models nest
    layers/<layer>/<attribute>/vars/<i>             sub-layers (an LSTM's `cell`)
    optimizer/vars/<i>                              optimizer variables, when compiled

Layers are named by class, not by layer name (`dense`, `dense_1`, ... in model order).
"""
from __future__ import annotations

import re

from ..errors import FileFormatError, WeightMismatchError
from ..layers.base import snake_case
from ..models import Model
from .h5_read import member, member_names
from .legacy_h5 import write_weight_dataset
from .weight_assignment import assign_checked


def keras_snake_case(name: str) -> str:
    """Keras's naming.to_snake_case ('Conv2DTranspose' -> 'conv2d_transpose'): layer naming's, once
    characters that cannot stand in a name are dropped."""
    return snake_case(re.sub(r"\W+", "", name))


def _container_names(layers) -> list[str]:
    used: dict[str, int] = {}
    names = []
    for layer in layers:
        base = keras_snake_case(type(layer).__name__)
        if base in used:
            used[base] += 1
            names.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            names.append(base)
    return names


def _model_layers(model) -> list:
    from ..models.layer_order import keras_layer_order

    return keras_layer_order(model)


def _own_variables(layer) -> list:
    own = list(getattr(layer, "_own_weights", []))
    return [w for w in own if w.trainable] + [w for w in own if not w.trainable]


def _sublayer_attributes(layer) -> dict:
    from ..layers.base import Layer

    return {k: v for k, v in sorted(vars(layer).items())
            if not k.startswith("_") and isinstance(v, Layer) and v is not layer}


# -- writing ---------------------------------------------------------------------------
def _write_vars(group, name: str, variables: list) -> None:
    vars_group = group.create_group("vars")
    vars_group.attrs["name"] = name
    for i, var in enumerate(variables):
        write_weight_dataset(vars_group, str(i), var.numpy() if hasattr(var, "numpy") else var)


def _write_layer(group, layer) -> None:
    _write_vars(group, layer.name, _own_variables(layer))
    if isinstance(layer, Model):
        layers = _model_layers(layer)
        container = group.create_group("layers")
        for name, sub in zip(_container_names(layers), layers):
            _write_layer(container.create_group(name), sub)
        return
    for attribute, sub in _sublayer_attributes(layer).items():
        _write_layer(group.create_group(attribute), sub)


def write_weights(f, model, optimizer_variables=None) -> None:
    _write_layer(f, model)
    if optimizer_variables:
        _write_vars(f.create_group("optimizer"), "optimizer", optimizer_variables)


# -- reading ---------------------------------------------------------------------------
def _vars_of(group) -> list:
    """The datasets in group/vars, in order (not read yet: their shapes are checked first)."""
    if "vars" not in group:
        return []
    vars_group = member(group, "vars")
    keys = member_names(vars_group)
    if not all(key.isdigit() for key in keys):
        raise FileFormatError(f"{vars_group.name!r} should hold datasets named 0, 1, 2, ...; found {keys}")
    return [member(vars_group, key, "dataset") for key in sorted(keys, key=int)]


def _subgroups(group) -> list[str]:
    return [key for key in member_names(group) if key != "vars"]


def _flatten_group(group) -> list:
    values = _vars_of(group)
    for key in _subgroups(group):
        child = member(group, key)
        if key == "layers":
            for sub in member_names(child):
                values += _flatten_group(member(child, sub))
        else:
            values += _flatten_group(child)
    return values


def _assign(variables, values, where: str, skip_mismatch: bool) -> None:
    hint = "Pass skip_mismatch=True to skip it."
    assign_checked(
        variables, values, skip_mismatch,
        count_mismatch=lambda: (f"{where}: the layer has {len(variables)} variable(s) "
                                f"{[tuple(v.shape) for v in variables]}, the file holds {len(values)} "
                                f"{[v.shape for v in values]}.", hint),
        shape_mismatch=lambda var, value: (f"{where}: variable {var.path!r} has shape {tuple(var.shape)}, the "
                                           f"file's has shape {value.shape}.", hint),
        what=lambda var: f"{where}, variable {var.path!r}")


def _read_layer(group, layer, where: str, skip_mismatch: bool) -> None:
    if isinstance(layer, Model):
        _assign(_own_variables(layer), _vars_of(group), where, skip_mismatch)
        layers = _model_layers(layer)
        container = member(group, "layers") if "layers" in group else None
        present = member_names(container) if container is not None else []
        for name, sub in zip(_container_names(layers), layers):
            if name not in present:
                if sub.weights and not skip_mismatch:
                    raise WeightMismatchError(f"{where}: the file has no entry 'layers/{name}' for layer {sub.name!r};"
                                              f" it has {present}. Is it for another model?")
                continue
            _read_layer(member(container, name), sub, f"layer {sub.name!r} ('{group.name}/layers/{name}' in the "
                        "file)", skip_mismatch)
        return
    children = _subgroups(group)
    attributes = _sublayer_attributes(layer)
    own = _own_variables(layer)
    if children and set(children) <= set(attributes) and len(_vars_of(group)) == len(own):
        _assign(own, _vars_of(group), where, skip_mismatch)
        for child in children:
            _read_layer(member(group, child), attributes[child], f"{where}, sub-layer {child!r}", skip_mismatch)
        return
    # NOTE: symk's layer may hold as its own weights what Keras keeps in a sub-layer (an LSTM's cell)
    _assign(list(layer.weights), _flatten_group(group), where, skip_mismatch)


def read_weights(f, model, skip_mismatch: bool = False) -> list:
    """Load the model's weights; returns the optimizer's saved values (datasets, possibly none)."""
    if "layers" not in f and "vars" not in f:
        raise FileFormatError("no 'layers' or 'vars' group: not a Keras 3 .weights.h5 file")
    _read_layer(f, model, f"model {model.name!r}", skip_mismatch)
    return _vars_of(member(f, "optimizer")) if "optimizer" in f else []
