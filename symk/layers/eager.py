"""Layers (and models) called on arrays: trace into a private graph, jit, run.

The traced program is cached per input signature (structure, per-sample shapes, dtypes, training
flag), so repeated calls on same-shaped arrays compile once; state updates (batch-norm statistics
with training=True) are written back to the variables.
"""
from __future__ import annotations

import jax
import numpy as np

from ..graph import Graph, SymbolicTensor, graph_scope, no_call_site_recording
from ..shapes import canonical_dtype
from ..variables import Variable


def _leaf(x) -> bool:
    return isinstance(x, (SymbolicTensor, Variable))


class EagerCallAPI:
    """Mixed into Layer: `_eager_call`, what `layer(arrays)` runs."""

    def _eager_call(self, inputs, *args, **kwargs):
        from ..codegen import Program
        from ..random_state import next_key
        from .input_layer import make_placeholder

        training = bool(kwargs.pop("training", False) or False)
        leaves, treedef = jax.tree_util.tree_flatten(inputs)
        arrays = [np.asarray(x) if not hasattr(x, "block_until_ready") else x for x in leaves]
        specs = tuple((tuple(a.shape[1:]), canonical_dtype(a.dtype)) for a in arrays)
        key = (treedef, specs, training, repr(args), repr(sorted(kwargs.items())))
        entry = self._eager_cache.get(key)
        if entry is None:
            graph = Graph()
            with graph_scope(graph), no_call_site_recording():
                placeholders = [make_placeholder((None,) + s, d) for s, d in specs]
                outputs = self.__call__(jax.tree_util.tree_unflatten(treedef, placeholders), *args,
                                        training=training, **kwargs)
            out_leaves, out_tree = jax.tree_util.tree_flatten(outputs, is_leaf=_leaf)
            program = Program(graph, [p.node for p in placeholders], [(t.node, t.index) for t in out_leaves])
            entry = self._eager_cache[key] = (program, out_tree)
        program, out_tree = entry
        values = {p: v.device_value() for p, v in program.variables.items()}
        outs, new_state = program.run(values, {}, arrays, next_key(), training=training)
        for path, value in new_state.items():
            program.variables[path].set_value(value)
        return jax.tree_util.tree_unflatten(out_tree, outs)
