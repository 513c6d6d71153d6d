"""Layer.stateless_call (Keras 3): run a layer (or model) with the values of its variables given as
lists, returning the outputs and the new non-trainable values, with no Variable written; it runs
inside a user's jax.jit / jax.grad, as the Keras guides for JAX write training loops.

    outputs, non_trainable = layer.stateless_call(trainable_values, non_trainable_values, x, training=True)
    outputs, non_trainable, losses = model.stateless_call(tv, ntv, x, return_losses=True)

A layer's call is traced once per input signature into a private graph (as eager calls are) and
its program runs on the given values; a Model runs its own training/inference program (Model
overrides `_stateless_forward`). `losses`: the add_loss() values of this call, then the weight
regularization terms computed on the given values (Keras's order).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..graph import Graph, SymbolicTensor, graph_scope, no_call_site_recording
from ..shapes import canonical_dtype
from .. import stateless_scope


def value_of(given, variable):
    """A mapped value (array, tracer or Variable) as an array of the variable's dtype."""
    if hasattr(given, "device_value") and hasattr(given, "path"):
        given = given.device_value()
    return jnp.asarray(given, dtype=variable.dtype)


def stateless_key():
    """The key random ops use in this stateless call (fit's per-step key, else a fresh one)."""
    key = stateless_scope.next_step_key()
    if key is None:
        from ..random_state import next_key

        key = next_key()
    return key


class StatelessCallAPI:
    """Mixed into Layer."""

    def stateless_call(self, trainable_variables, non_trainable_variables, *args, return_losses=False, **kwargs):
        kind = type(self).__name__
        if not self.built:
            raise ValueError(f"To call stateless_call, {kind} must be built (its variables must exist). Build it by "
                             "calling it on some data, or with build(input_shape).")
        if not args:
            raise TypeError(f"{kind}.stateless_call needs the inputs after the two variable lists: "
                            "stateless_call(trainable_variables, non_trainable_variables, inputs, ...)")
        own_trainable, own_non_trainable = self.trainable_variables, self.non_trainable_variables
        trainable_variables, non_trainable_variables = list(trainable_variables), list(non_trainable_variables)
        for given, own, what in ((trainable_variables, own_trainable, "trainable_variables"),
                                 (non_trainable_variables, own_non_trainable, "non_trainable_variables")):
            if len(given) != len(own):
                raise ValueError(f"Argument `{what}` must be a list of tensors corresponding 1:1 to "
                                 f"{kind}().{what} ({[v.path for v in own]}). Received a list of length "
                                 f"{len(given)}, but expected {len(own)} variables.")
        mapping = {v.path: value_of(x, v) for v, x in zip(own_trainable, trainable_variables)}
        mapping.update({v.path: value_of(x, v) for v, x in zip(own_non_trainable, non_trainable_variables)})
        outputs, new_state, losses = self._stateless_forward(mapping, args[0], args[1:], kwargs)
        new_non_trainable = [new_state.get(v.path, mapping[v.path]) for v in own_non_trainable]
        if return_losses:
            return outputs, new_non_trainable, list(losses) + self._regularization_values(mapping)
        return outputs, new_non_trainable

    def _regularization_values(self, mapping: dict) -> list:
        """The weight regularizers' terms on the mapped values (Keras adds them to `losses`)."""
        out = []
        for variable in self.trainable_weights:
            if variable.regularizer is not None and variable.path in mapping:
                out.append(jnp.asarray(variable.regularizer(mapping[variable.path]), jnp.float32))
        return out

    def _stateless_forward(self, mapping: dict, inputs, args, kwargs):
        """(outputs, {path: new value}, [add_loss values]) of `call(inputs, *args, **kwargs)`."""
        from ..codegen import Program
        from .eager import _leaf
        from .input_layer import make_placeholder

        training = bool(kwargs.pop("training", False) or False)
        leaves, treedef = jax.tree_util.tree_flatten(inputs)
        arrays = [x if hasattr(x, "shape") and hasattr(x, "dtype") else np.asarray(x) for x in leaves]
        specs = tuple((tuple(a.shape[1:]), canonical_dtype(a.dtype)) for a in arrays)
        key = ("stateless", treedef, specs, training, repr(args), repr(sorted(kwargs.items())))
        entry = self._eager_cache.get(key)
        if entry is None:
            layers = [self] + self._all_sublayers()
            before = {id(layer): len(layer._losses) for layer in layers}
            graph = Graph()
            with graph_scope(graph), no_call_site_recording():
                placeholders = [make_placeholder((None,) + s, d) for s, d in specs]
                outputs = self.__call__(jax.tree_util.tree_unflatten(treedef, placeholders), *args,
                                        training=training, **kwargs)
            losses = []
            for layer in layers:  # this call's add_loss() terms, taken back out of the layers
                new = layer._losses[before[id(layer)]:]
                del layer._losses[before[id(layer)]:]
                losses += [t for t in new if isinstance(t, SymbolicTensor) and t.graph is graph]
            out_leaves, out_tree = jax.tree_util.tree_flatten(outputs, is_leaf=_leaf)
            program = Program(graph, [p.node for p in placeholders],
                              [(t.node, t.index) for t in out_leaves + losses])
            entry = self._eager_cache[key] = (program, out_tree, len(out_leaves))
        program, out_tree, n_out = entry
        values = {p: mapping[p] if p in mapping else v.device_value() for p, v in program.variables.items()}
        outs, new_state = program.jitted(values, {}, list(arrays), stateless_key(), program.consts, training=training)
        return jax.tree_util.tree_unflatten(out_tree, list(outs[:n_out])), new_state, list(outs[n_out:])

    def _all_sublayers(self) -> list:
        out, seen, todo = [], {id(self)}, list(self._sublayers())
        while todo:
            layer = todo.pop(0)
            if id(layer) not in seen:
                seen.add(id(layer))
                out.append(layer)
                todo += layer._sublayers()
        return out


def _register_variable_as_pytree() -> None:
    """Variables passed to jax.jit / jax.grad become their values (the Keras guides pass
    `model.trainable_variables` into jitted steps as they are). NOTE: jax no longer reads
    `__jax_array__` from function arguments; a pytree whose only child is the value is the way in.
    Unflattening gives the (possibly traced) value, not a Variable: what comes out is arrays."""
    from ..variables import Variable

    try:
        jax.tree_util.register_pytree_node(Variable, lambda v: ((v.device_value(),), None),
                                           lambda _, children: children[0])
    except ValueError:  # registered already (module reloaded)
        pass


_register_variable_as_pytree()
