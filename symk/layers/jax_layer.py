"""JaxLayer: a JAX function as a layer, with Keras 3's contract (keras.layers.JaxLayer).

`call_fn` takes arguments with these exact names: `inputs` (required; an array or a pytree of arrays),
`params` (trainable), `state` (non-trainable; then `call_fn` returns `(outputs, new_state)`), `rng` (a key in
training, None otherwise) and `training`. `init_fn(rng, inputs, training)` (any subset but `inputs` required)
returns the initial params, or `(params, state)`, and runs at build on ones shaped like the input; or pass
`params=` / `state=` directly. Every array leaf becomes a symk Variable (params trainable, state not), so
training, saving and weight files work as for any layer. The call is one graph node whose lowering is
`call_fn` itself (symk/ops/jax_function.py).

    def call_fn(params, inputs):
        return jnp.tanh(inputs @ params["w"] + params["b"])
    JaxLayer(call_fn, params={"w": w, "b": b})(x)
"""
from __future__ import annotations

import inspect
import re

import jax
import numpy as np

from ..ops.registry import apply
from ..variables import Variable
from .base import Layer

__all__ = ["JaxLayer"]

_CALL_ARGUMENTS = ("params", "state", "rng", "inputs", "training")
_INIT_ARGUMENTS = ("rng", "inputs", "training")


def _arguments(fn, fn_name: str, allowed) -> list:
    """The names of `fn`'s parameters, in order, checked as Keras checks them."""
    if not callable(fn):
        raise TypeError(f"JaxLayer: `{fn_name}` must be a function; received {fn!r}")
    names = list(inspect.signature(fn).parameters)
    if "inputs" not in names:
        raise ValueError(f"JaxLayer: missing required argument in `{fn_name}`: `inputs`")
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ValueError(f"JaxLayer: unsupported argument in `{fn_name}`: `{unknown[0]}`; supported arguments are "
                         f"`{'`, `'.join(allowed)}` (wrap your function to rename its arguments)")
    return names


def _is_array_leaf(value) -> bool:
    return isinstance(value, (np.ndarray, np.generic, jax.Array, bool, int, float))


def _weight_name(path) -> str:
    """A readable weight name from a pytree path: ['dense']['kernel'] -> 'dense_kernel'."""
    name = re.sub(r"\W+", "_", jax.tree_util.keystr(path)).strip("_")
    return name or "value"


class JaxLayer(Layer):
    """Runs `call_fn` (a JAX function) on the inputs with the layer's params and state as Variables."""

    def __init__(self, call_fn, init_fn=None, params=None, state=None, seed=None, **kwargs):
        kwargs.pop("native_serialization_platforms", None)  # TensorFlow's jax2tf only: nothing to do here
        super().__init__(**kwargs)
        self.call_fn, self.init_fn, self.seed = call_fn, init_fn, seed
        self.call_fn_arguments = _arguments(call_fn, "call_fn", _CALL_ARGUMENTS)
        self.has_params = "params" in self.call_fn_arguments
        self.has_state = "state" in self.call_fn_arguments
        self.has_rng = "rng" in self.call_fn_arguments
        if init_fn is None and params is None and state is None and (self.has_params or self.has_state):
            raise ValueError("JaxLayer: `init_fn`, `params` and `state` cannot all be None when `call_fn` takes a "
                             "`params` or a `state` argument; pass the initial values, or an init_fn to make them")
        self.init_fn_arguments = _arguments(init_fn, "init_fn", _INIT_ARGUMENTS) if init_fn is not None else []
        self.params = self.state = None
        if params is not None or state is not None:
            self._create_weights(params, state)
            self.built = True  # as Keras: given weights build the layer at once

    # -- weights --------------------------------------------------------------------
    def _create_weights(self, params, state) -> None:
        self.params = self._variables(params, trainable=True)
        self.state = self._variables(state, trainable=False)

    def _variables(self, values, trainable: bool):
        """The pytree `values` with each array (or number) leaf replaced by a new weight; floating leaves take
        the layer's variable dtype (its policy), as Keras does. Other leaves stay as they are."""
        if values is None:
            return None
        prefix = "param" if trainable else "state"

        def create(path, value):
            if not _is_array_leaf(value):
                return value
            array = np.asarray(value)
            dtype = None if np.issubdtype(array.dtype, np.floating) else str(array.dtype)

            def initializer(shape, dtype=None):
                return array.astype(dtype or array.dtype)

            return self.add_weight(name=f"{prefix}_{_weight_name(path)}", shape=array.shape, dtype=dtype,
                                   initializer=initializer, trainable=trainable)

        return jax.tree_util.tree_map_with_path(create, values)

    def build(self, input_shape):
        if self.params is None and self.state is None and (self.has_params or self.has_state):
            self._initialize_weights(input_shape)
        super().build(input_shape)

    def _initialize_weights(self, input_shape) -> None:
        from ..random_state import next_key

        ones = _map_shapes(lambda shape: jax.numpy.ones(tuple(1 if d is None else d for d in shape)), input_shape)
        arguments = {"rng": next_key(), "inputs": ones, "training": True}
        result = self.init_fn(*[arguments[name] for name in self.init_fn_arguments])
        if self.has_state:
            if not (isinstance(result, (list, tuple)) and len(result) == 2):
                raise ValueError(f"Layer {self.name!r}: call_fn takes `state`, so init_fn must return "
                                 f"(params, state); it returned {type(result).__name__}")
            self._create_weights(*result)
        else:
            self._create_weights(result, None)

    # -- calling --------------------------------------------------------------------
    def call(self, inputs, training=None):
        is_variable = lambda x: isinstance(x, Variable)  # noqa: E731
        input_leaves, input_tree = jax.tree_util.tree_flatten(inputs)
        param_leaves, param_tree = jax.tree_util.tree_flatten(self.params, is_leaf=is_variable)
        state_leaves, state_tree = jax.tree_util.tree_flatten(self.state, is_leaf=is_variable)
        param_slots = [i for i, v in enumerate(param_leaves) if is_variable(v)]
        state_slots = [i for i, v in enumerate(state_leaves) if is_variable(v)]
        state_variables = [state_leaves[i] for i in state_slots]
        out_trees = []  # filled when the function is traced: the structure of its outputs

        def rebuild(leaves, slots, arrays, tree):
            leaves = list(leaves)
            for slot, array in zip(slots, arrays):
                leaves[slot] = array
            return jax.tree_util.tree_unflatten(tree, leaves)

        def flat_call(arrays, run_training, rng):
            n_params, n_state = len(param_slots), len(state_slots)
            values = {"params": rebuild(param_leaves, param_slots, arrays[:n_params], param_tree),
                      "state": rebuild(state_leaves, state_slots, arrays[n_params:n_params + n_state], state_tree),
                      "inputs": jax.tree_util.tree_unflatten(input_tree, list(arrays[n_params + n_state:])),
                      "rng": rng if run_training else None, "training": bool(run_training)}
            result = self.call_fn(*[values[name] for name in self.call_fn_arguments])
            new_state = []
            if self.has_state:
                result, new_state_tree = result
                new_state = [v for v in jax.tree_util.tree_leaves(new_state_tree) if hasattr(v, "shape")]
                if len(new_state) != len(state_variables):
                    raise ValueError(f"Layer {self.name!r}: call_fn returned a state with {len(new_state)} arrays; "
                                     f"the layer's state has {len(state_variables)}: keep the state's structure")
            leaves, tree = jax.tree_util.tree_flatten(result)
            out_trees[:] = [(tree, len(leaves))]
            return tuple(leaves) + tuple(jax.numpy.asarray(v) for v in new_state)

        flat_call.__name__ = getattr(self.call_fn, "__name__", "call_fn")
        op = "jax_function_random" if self.has_rng else "jax_function"
        variables = [param_leaves[i] for i in param_slots] + state_variables
        outputs = apply(op, variables + input_leaves, fn=flat_call, label=flat_call.__name__,
                        trace_training=bool(training))
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        tree, count = out_trees[0]
        for variable, value in zip(state_variables, outputs[count:]):
            variable.assign(value if value.dtype == variable.dtype else apply("cast", [value], dtype=variable.dtype))
        return jax.tree_util.tree_unflatten(tree, outputs[:count])

    # -- config ---------------------------------------------------------------------
    def get_config(self):
        from ..saving.lambda_serialization import _dump_function

        return {**super().get_config(), "call_fn": _dump_function(self.call_fn),
                "init_fn": None if self.init_fn is None else _dump_function(self.init_fn), "seed": self.seed}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving.lambda_serialization import deserialize_function

        config = dict(config)
        for key in ("call_fn", "init_fn"):
            config[key] = deserialize_function(config.get(key), config, custom_objects, key=key)
        return cls(**config)


def _map_shapes(fn, shapes):
    """fn on each shape of a (nested) structure of shapes; a shape is a tuple of ints and None."""
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)) and shapes and not all(d is None or isinstance(d, int) for d in shapes):
        return type(shapes)(_map_shapes(fn, s) for s in shapes)
    return fn(tuple(shapes))
