"""The Keras 3 `.weights.h5` layout, read and written.

    vars/ (@name=<model name>)                      the model's own variables
    layers/<class_snake_name>[_n]/vars/<i>          each layer's own variables, in creation order
    layers/<nested model>/layers/...                nested models nest
    layers/<layer>/<attribute>/vars/<i>             sub-layers (an LSTM's `cell`, a `_query_dense`),
    <attribute>/vars/<i>, <attribute>/<class>/...    a subclassed model's (or user layer's) sub-layers,
                                                    by attribute and container (keras3_walk.py)
    optimizer/vars/<i>                              optimizer variables, when compiled

Layers are named by class, not by layer name (`dense`, `dense_1`, ... in model order).
"""
from __future__ import annotations

import re

from ..errors import FileFormatError, WeightMismatchError
from ..layers.base import snake_case
from ..models import Model
from .h5_read import member, member_names
from .keras3_walk import children as walk_children
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
        # Keras's functional models are of class Functional; symk's are plain Model instances
        base = "functional" if type(layer) is Model else keras_snake_case(type(layer).__name__)
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


# -- writing ---------------------------------------------------------------------------
def _write_vars(group, name: str, variables: list) -> None:
    vars_group = group.create_group("vars")
    vars_group.attrs["name"] = name
    for i, var in enumerate(variables):
        write_weight_dataset(vars_group, str(i), var.numpy() if hasattr(var, "numpy") else var)


def is_layer_container(layer) -> bool:
    """Sequential and functional models keep their layers under 'layers/'; other layers by attribute."""
    from ..models import Sequential

    return isinstance(layer, Model) and (isinstance(layer, Sequential) or bool(layer._functional))


def _by_attribute(layer) -> bool:
    """A user's layer or subclassed model: Keras's attribute walk (keras3_walk) names its sub-layers."""
    return not is_layer_container(layer) and not type(layer).__module__.startswith("symk.")


def _write_children(group, items, visited) -> None:
    for name, sub in items:
        if isinstance(sub, list):
            _write_children(group.create_group(name), sub, visited)
        else:
            _write_layer(group.create_group(name), sub, visited)


def _write_layer(group, layer, visited=None) -> None:
    visited = visited if visited is not None else {id(layer)}
    _write_vars(group, layer.name, _own_variables(layer))
    if is_layer_container(layer):
        layers = _model_layers(layer)
        container = group.create_group("layers")
        for name, sub in zip(_container_names(layers), layers):
            visited.add(id(sub))
            _write_layer(container.create_group(name), sub, visited)
        return
    _write_children(group, walk_children(layer, visited), visited)


def write_weights(f, model, optimizer_variables=None) -> None:
    """The Keras 3 layout of `model` (and its optimizer's variables) into the open HDF5 file `f`."""
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


def _read_children(group, items, where: str, skip_mismatch: bool, visited) -> None:
    present = member_names(group)
    for name, sub in items:
        place = f"{where}, '{group.name}/{name}'"
        if name not in present:
            weighted = any(getattr(s, "weights", None) for s in _leaves(sub))
            if weighted and not skip_mismatch:
                raise WeightMismatchError(f"{where}: the file has no entry {name!r} in {group.name!r} (it has "
                                          f"{present}); is it for another model? Pass skip_mismatch=True to skip.")
            continue
        if isinstance(sub, list):
            _read_children(member(group, name), sub, place, skip_mismatch, visited)
        else:
            _read_layer(member(group, name), sub, f"layer {sub.name!r} ({place})", skip_mismatch, visited)


def _leaves(sub) -> list:
    return [leaf for _, item in sub for leaf in _leaves(item)] if isinstance(sub, list) else [sub]


def _read_layer(group, layer, where: str, skip_mismatch: bool, visited=None) -> None:
    visited = visited if visited is not None else {id(layer)}
    if _by_attribute(layer):
        _assign(_own_variables(layer), _vars_of(group), where, skip_mismatch)
        _read_children(group, walk_children(layer, visited), where, skip_mismatch, visited)
        return
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
            visited.add(id(sub))
            _read_layer(member(container, name), sub, f"layer {sub.name!r} ('{group.name}/layers/{name}' in the "
                        "file)", skip_mismatch, visited)
        return
    in_file = _subgroups(group)
    items = walk_children(layer, visited)
    own = _own_variables(layer)
    if in_file and set(in_file) <= {name for name, _ in items} and len(_vars_of(group)) == len(own):
        _assign(own, _vars_of(group), where, skip_mismatch)
        _read_children(group, items, where, skip_mismatch, visited)
        return
    # NOTE: symk's layer may hold as its own weights what Keras keeps in a sub-layer (an LSTM's cell)
    _assign(list(layer.weights), _flatten_group(group), where, skip_mismatch)


def read_weights(f, model, skip_mismatch: bool = False) -> list:
    """Load the model's weights; returns the optimizer's saved values (datasets, possibly none)."""
    if "layers" not in f and "vars" not in f:
        raise FileFormatError("no 'layers' or 'vars' group: not a Keras 3 .weights.h5 file")
    _read_layer(f, model, f"model {model.name!r}", skip_mismatch)
    return _vars_of(member(f, "optimizer")) if "optimizer" in f else []
