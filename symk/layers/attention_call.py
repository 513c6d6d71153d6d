"""Calling the query/value/key attention layers (MultiHeadAttention, GroupedQueryAttention) in each
form Keras code uses: layer(query, value), layer(query, value, key, attention_mask=m, ...), and on
arrays as well as on symbolic tensors. The list form layer([query, value(, key)]) also works.

Layer.__call__ treats the first argument as the layer's input; these layers have several tensor
arguments, so `value`, `key` and the masks are passed on as keyword arguments (the call site records
them, and a saved config names them), and the layer builds from all three shapes. On arrays, every
tensor argument goes into one structure for the eager trace, so none is baked in as a constant.
"""
from __future__ import annotations

from ..graph import no_call_site_recording
from .base import Layer, _is_symbolic_structure

TENSOR_ARGUMENTS = ("query_mask", "value_mask", "key_mask", "attention_mask")


class QueryValueCall:
    """Mixed into the attention layers before Layer: __call__, builds and output shapes from
    (query_shape, value_shape, key_shape)."""

    def __call__(self, query=None, value=None, key=None, **kwargs):
        query, value, key, kwargs = self._unpack_call(query, value, key, kwargs)
        if not _is_symbolic_structure([query, value, key]):
            packed = {"query": query, "value": value}
            if key is not None:
                packed["key"] = key
            for name in TENSOR_ARGUMENTS:
                if kwargs.get(name) is not None:
                    packed[name] = kwargs.pop(name)
            return self._eager_call(packed, **kwargs)
        if not self.built:
            self._build_from_tensors(query, value, key)
        arguments = {"value": value, **kwargs}
        if key is not None:
            arguments["key"] = key
        return Layer.__call__(self, query, **arguments)

    def _unpack_call(self, query, value, key, kwargs):
        kwargs = dict(kwargs)
        if isinstance(query, dict):  # the eager trace's structure (see __call__)
            packed = dict(query)
            query, value, key = packed.pop("query", None), packed.pop("value", value), packed.pop("key", key)
            kwargs.update(packed)
        elif isinstance(query, (list, tuple)) and value is None:
            if len(query) not in (2, 3):
                raise ValueError(f"{type(self).__name__} {self.name!r}: called on a list, it takes [query, value] or "
                                 f"[query, value, key]; received a list of {len(query)}")
            query, value, key = query[0], query[1], query[2] if len(query) == 3 else key
        if query is None or value is None:
            raise TypeError(f"{type(self).__name__} {self.name!r} needs a query and a value: call it as "
                            "layer(query, value) (self-attention: layer(x, x)), optionally with key=...")
        return query, value, key, kwargs

    def _build_from_tensors(self, query, value, key) -> None:
        shapes = {"query_shape": tuple(query.shape), "value_shape": tuple(value.shape)}
        if key is not None:
            shapes["key_shape"] = tuple(key.shape)
        with no_call_site_recording():
            self.build(**shapes)
        self._build_shapes, self._build_input_shape, self.built = shapes, shapes["query_shape"], True

    @staticmethod
    def _shapes_from(query_shape, value_shape, key_shape):
        """(query, value, key) shapes, also from one list of shapes (what the layer harness passes)."""
        if value_shape is None and isinstance(query_shape, (list, tuple)) and query_shape and isinstance(
                query_shape[0], (list, tuple)):
            shapes = list(query_shape)
            query_shape, value_shape = shapes[0], shapes[1]
            key_shape = shapes[2] if len(shapes) > 2 else key_shape
        if value_shape is None:
            raise TypeError("compute_output_shape needs query_shape and value_shape")
        key_shape = value_shape if key_shape is None else key_shape
        return tuple(query_shape), tuple(value_shape), tuple(key_shape)

    def get_build_config(self):
        shapes = getattr(self, "_build_shapes", None)
        if shapes is None:
            return None
        return {"shapes_dict": {k: list(v) for k, v in shapes.items()}}

    def build_from_config(self, config) -> None:
        shapes = (config or {}).get("shapes_dict")
        if shapes and not self.built:
            shapes = {k: tuple(v) for k, v in shapes.items()}
            with no_call_site_recording():
                self.build(**shapes)
            self._build_shapes, self._build_input_shape, self.built = shapes, shapes["query_shape"], True
