"""Plain-text descriptions shared by the views: shapes, dtypes, op attributes, layer lookup.

Every value produced here is a GraphML-legal scalar (str, int, float or bool), because the
views are written as GraphML as they are: None never appears as an attribute value.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Optional

import numpy as np


def format_shape(shape: Optional[Iterable]) -> str:
    """(None, 4) -> '(None, 4)'; (3,) -> '(3,)'; () -> '()' (Keras prints shapes as Python tuples)."""
    if shape is None:
        return "?"
    return str(tuple(None if d is None else int(d) for d in shape))


def format_specs(specs) -> str:
    """Several output specs are joined with '; ' (a split op, a layer returning two tensors)."""
    return "; ".join(format_shape(spec.shape) for spec in specs)


def format_dtypes(specs) -> str:
    return "; ".join(dict.fromkeys(str(spec.dtype) for spec in specs))


def format_attrs(attrs: Any) -> str:
    """An op's frozen attribute dataclass as 'key=value, ...' (constant values are left out: too big)."""
    if attrs is None or not dataclasses.is_dataclass(attrs):
        return ""
    parts = []
    for field in dataclasses.fields(attrs):
        value = getattr(attrs, field.name)
        if isinstance(value, np.ndarray):
            value = f"array{format_shape(value.shape)}"
        parts.append(f"{field.name}={value!r}")
    return ", ".join(parts)


def element_count(shape) -> int:
    return int(np.prod([int(d) for d in shape])) if shape else 1


def parameter_count(node_data: dict) -> int:
    """Elements held by a parameter node (0 for every other op)."""
    if node_data.get("op") != "parameter":
        return 0
    return element_count(node_data["specs"][0].shape)


def activation_name(layer) -> str:
    """'relu' for Dense(3, activation='relu'); '' when the layer has no activation."""
    activation = getattr(layer, "activation", None)
    if activation is None:
        return ""
    if isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", type(activation).__name__)


def sublayer_named(layer, name: str):
    """The direct sub-layer of `layer` called `name` (Model.layers first, then attributes), or None."""
    candidates = []
    if hasattr(layer, "layers"):
        try:
            candidates = list(layer.layers)
        except (AttributeError, ValueError):
            candidates = []
    if hasattr(layer, "_sublayers"):
        candidates += layer._sublayers()
    for candidate in candidates:
        if getattr(candidate, "name", None) == name:
            return candidate
    return None


def resolve_layer(outermost, path: tuple):
    """The Layer object that a scope path names, starting from the outermost layer of that scope."""
    if outermost is None or not path or getattr(outermost, "name", None) != path[0]:
        return None
    layer = outermost
    for name in path[1:]:
        layer = sublayer_named(layer, name)
        if layer is None:
            return None
    return layer


def is_model(layer) -> bool:
    """Nested models (not every layer that has sub-layers) are what Keras expands into clusters."""
    from ..models.model import Model

    return isinstance(layer, Model)


def count_layer_params(layer) -> Optional[int]:
    try:
        return int(layer.count_params())
    except (ValueError, AttributeError):
        return None
