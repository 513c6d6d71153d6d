"""Layers (and models) called on arrays: trace into a private graph, jit, run.

The traced program is cached per input signature (structure, per-sample shapes, dtypes, training
flag, which inputs carry masks), so repeated calls on same-shaped arrays compile once; state updates
(batch-norm statistics with training=True) are written back to the variables.

Masks ride on arrays as on Keras's eager tensors: an input array's `_keras_mask` (or `mask=`) reaches
the layer, and each output array gets the `_keras_mask` the layer computed, so

    masked = Embedding(10, 4, mask_zero=True)(ids); masked._keras_mask; LSTM(3)(masked)  # skips padding
"""
from __future__ import annotations

import weakref

import jax
import numpy as np

from ..graph import Graph, SymbolicTensor, graph_scope, no_call_site_recording
from ..shapes import canonical_dtype
from ..variables import Variable

# masks of arrays that take no attributes (numpy arrays), by id, dropped when the array goes
_side_masks: dict[int, object] = {}


def _leaf(x) -> bool:
    return isinstance(x, (SymbolicTensor, Variable))


def get_keras_mask(x):
    """The mask an array (or tensor) carries, or None."""
    mask = getattr(x, "_keras_mask", None)
    return mask if mask is not None else _side_masks.get(id(x))


def set_keras_mask(x, mask) -> None:
    """Attach `mask` to the array `x` as `x._keras_mask` (jax arrays take the attribute; numpy arrays keep it
    in a side table, as Keras does)."""
    try:
        x._keras_mask = mask
    except AttributeError:
        if mask is None:
            _side_masks.pop(id(x), None)
            return
        _side_masks[id(x)] = mask
        weakref.finalize(x, _side_masks.pop, id(x), None)


def _as_array(x):
    return np.asarray(x) if not hasattr(x, "block_until_ready") else x


def _split_masks(leaves: list, explicit) -> list:
    """One mask (array or None) per input leaf: the `mask=` argument when given (one per input, or a single
    mask for a single input), else what each leaf carries."""
    if explicit is None:
        return [get_keras_mask(x) for x in leaves]
    given = list(explicit) if isinstance(explicit, (list, tuple)) else [explicit]
    if len(given) != len(leaves):
        raise ValueError(f"mask= holds {len(given)} mask(s) but the layer was called on {len(leaves)} input "
                         "array(s); pass one mask (or None) per input")
    return given


class EagerCallAPI:
    """Mixed into Layer: `_eager_call`, what `layer(arrays)` runs."""

    def _eager_call(self, inputs, *args, **kwargs):
        from ..codegen import Program
        from ..random_state import next_key
        from .input_layer import make_placeholder

        training = bool(kwargs.pop("training", False) or False)
        leaves, treedef = jax.tree_util.tree_flatten(inputs)
        explicit_mask = kwargs.pop("mask", None)
        if explicit_mask is not None and any(isinstance(m, SymbolicTensor) for m in jax.tree_util.tree_leaves(
                explicit_mask, is_leaf=_leaf)):
            raise TypeError(f"Layer {self.name!r} was called on arrays with a symbolic mask; pass an array mask")
        masks = [None if m is None else _as_array(m) for m in _split_masks(leaves, explicit_mask)]
        arrays = [_as_array(x) for x in leaves]
        specs = tuple((tuple(a.shape[1:]), canonical_dtype(a.dtype)) for a in arrays)
        mask_specs = tuple(None if m is None else (tuple(m.shape[1:]), canonical_dtype(m.dtype)) for m in masks)
        key = (treedef, specs, mask_specs, training, repr(args), repr(sorted(kwargs.items())))
        entry = self._eager_cache.get(key)
        if entry is None:
            entry = self._eager_cache[key] = self._trace_eager(treedef, specs, mask_specs, training, args, kwargs,
                                                               make_placeholder, Program)
        program, out_tree, out_masked = entry
        values = {p: v.device_value() for p, v in program.variables.items()}
        feeds = arrays + [m for m in masks if m is not None]
        outs, new_state = program.run(values, {}, feeds, next_key(), training=training)
        for path, value in new_state.items():
            program.variables[path].set_value(value)
        outs = list(outs)
        results, mask_values = outs[:len(out_masked)], outs[len(out_masked):]
        for result, masked in zip(results, out_masked):
            if masked:
                set_keras_mask(result, mask_values.pop(0))
        return jax.tree_util.tree_unflatten(out_tree, results)

    def _trace_eager(self, treedef, specs, mask_specs, training, args, kwargs, make_placeholder, Program):
        """The program of one eager signature: placeholders for the inputs and their masks; outputs, then
        the masks of the outputs that have one."""
        graph = Graph()
        with graph_scope(graph), no_call_site_recording():
            placeholders = [make_placeholder((None,) + s, d) for s, d in specs]
            mask_placeholders = []
            for placeholder, mask_spec in zip(placeholders, mask_specs):
                if mask_spec is not None:
                    mask = make_placeholder((None,) + mask_spec[0], mask_spec[1])
                    placeholder._keras_mask = mask
                    mask_placeholders.append(mask)
            outputs = self.__call__(jax.tree_util.tree_unflatten(treedef, placeholders), *args,
                                    training=training, **kwargs)
        out_leaves, out_tree = jax.tree_util.tree_flatten(outputs, is_leaf=_leaf)
        out_masks = [getattr(t, "_keras_mask", None) for t in out_leaves]
        out_masks = [m if isinstance(m, SymbolicTensor) else None for m in out_masks]
        refs = [(t.node, t.index) for t in out_leaves] + [(m.node, m.index) for m in out_masks if m is not None]
        program = Program(graph, [p.node for p in placeholders + mask_placeholders], refs)
        return program, out_tree, [m is not None for m in out_masks]
