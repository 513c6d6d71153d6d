"""Which sub-layers Keras 3 visits under a user's layer or subclassed model, and the group names it gives them.

Keras 3's weights layout (`.weights.h5`, and `model.weights.h5` inside `.keras` archives) follows
object attributes: each attribute holding a layer is a group of that name (`d1/vars/0`), each
list, tuple or dict of layers is a group whose members are named by class (`blocks/dense`,
`blocks/dense_1`; a nested list is `container`, `container_1`). Attributes are visited in name
order with private ones (`_x`) last; a layer already visited anywhere is not written again.
The attributes symk's own base classes set are skipped, as Keras skips its base classes'.

    [("d1", <Dense>), ("blocks", [("dense", <Dense>), ("dense_1", <Dense>)])] = children(model, visited)
"""
from __future__ import annotations

from ..layers.base import Layer, snake_case

# attributes symk's Model sets after construction (graph, caches): never a user's sub-layer
LATE_INTERNALS = frozenset({"_layers_cache", "_input_layer", "_input_structure", "_output_structure", "_input_nodes",
                            "_output_refs", "inputs", "outputs", "optimizer", "_graph", "_programs"})
_base_names: dict = {}


def _base_attribute_names(layer) -> frozenset:
    """The instance attributes a bare symk Layer (or Model) has: Keras's skip set for that kind of object."""
    from ..models import Model

    kind = Model if isinstance(layer, Model) else Layer
    if kind not in _base_names:
        probe = kind(name="symk_attribute_probe")  # an explicit name: no automatic name is used up
        _base_names[kind] = frozenset(vars(probe)) | LATE_INTERNALS
    return _base_names[kind]


def _order(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def _class_name(layer) -> str:
    import re

    return snake_case(re.sub(r"\W+", "", type(layer).__name__))


def _container(values, visited: set, seen_containers: set) -> list:
    if id(values) in seen_containers:
        return []
    seen_containers.add(id(values))
    items = list(values.values()) if isinstance(values, dict) else list(values)
    used: dict[str, int] = {}
    out = []
    for item in items:
        if isinstance(item, Layer):
            name = _unique(_class_name(item), used)
            if id(item) not in visited:
                visited.add(id(item))
                out.append((name, item))
        elif isinstance(item, (list, tuple, dict)):
            name = _unique("container", used)
            inner = _container(item, visited, seen_containers)
            if inner:
                out.append((name, inner))
    return out


def _unique(name: str, used: dict) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def children(layer, visited: set) -> list:
    """(group name, sub-layer or list of (name, ...) for a container), in Keras's order; marks them visited."""
    skip = _base_attribute_names(layer)
    out = []
    seen_containers: set = set()
    for name in sorted(vars(layer), key=_order):
        if name.startswith("__") or name in skip:
            continue
        value = vars(layer)[name]
        if isinstance(value, Layer):
            if value is not layer and id(value) not in visited:
                visited.add(id(value))
                out.append((name, value))
        elif isinstance(value, (list, tuple, dict)):
            inner = _container(value, visited, seen_containers)
            if inner:
                out.append((name, inner))
    return out
