"""LayoutMap (Keras 3's): variable paths to TensorLayouts, where a key that is not an exact path
is a regular expression that must match the whole path (re.fullmatch); two matching keys are
an error, none means "replicate".

    layout_map = LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "model")    # a tuple is shorthand for a TensorLayout
    layout_map["dense_1/kernel"]                     # -> that layout
"""
from __future__ import annotations

import collections
import collections.abc
import re

from .layouts import TensorLayout


class LayoutMap(collections.abc.MutableMapping):
    def __init__(self, device_mesh):
        self._layout_map = collections.OrderedDict()
        self._device_mesh = device_mesh

    def __getitem__(self, key: str):
        if key in self._layout_map:
            return self._layout_map[key]
        matching = [pattern for pattern in self._layout_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Path '{key}' matches multiple layout specification keys: {matching}. Please make sure "
                             "each tensor/variable path only matches at most one layout specification key in the "
                             "LayoutMap.")
        return self._layout_map[matching[0]] if matching else None

    def __setitem__(self, key: str, layout) -> None:
        if key in self._layout_map:
            raise ValueError(f"{key} already exist in the LayoutMap with value {self._layout_map[key]}. Please make "
                             "sure to not use duplicated keys.")
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(axes=tuple(layout), device_mesh=None)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"{layout} should be a TensorLayout type, got {type(layout)}")
        try:
            re.compile(key)
        except re.error as err:
            raise ValueError(f"LayoutMap key {key!r} is not a valid regular expression ({err}).") from None
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._layout_map[key] = layout

    def __delitem__(self, key: str):
        return self._layout_map.pop(key)

    def __len__(self) -> int:
        return len(self._layout_map)

    def __iter__(self):
        return iter(self._layout_map)

    @property
    def device_mesh(self):
        return self._device_mesh


LayoutMap.get.__doc__ = LayoutMap.__getitem__.__doc__
