"""symk model -> a pure JAX function (format="jax") or a serialized jax.export artifact (format="stablehlo")
with a symbolic batch axis, its weights in a small .npz and its signature in JSON (read by load.py)."""
from __future__ import annotations

import json
import os

import numpy as np

from .load import EXPORTED_FILE, META_FILE, WEIGHTS_FILE


def pure_function(model):
    """(fn, params): fn(params, *inputs) -> list of outputs, the model's inference program with its
    weights (and constants) as the `params` pytree, for embedding in users' own JAX code."""
    import jax

    if model._graph is None:
        raise ValueError(f"Model {model.name!r} is not built: call it on data or build(input_shape) before exporting")
    program = model._program(training=False)
    params = {"weights": {p: np.asarray(v.device_value()) for p, v in program.variables.items()},
              "constants": {k: np.asarray(v) for k, v in program.consts.items()}}

    def fn(params, *inputs):
        outputs, _ = program(params["weights"], {}, list(inputs), jax.random.PRNGKey(0), params["constants"],
                             training=False)
        return list(outputs)

    return fn, params


def _input_specs(model, scope_symbols):
    import jax

    (batch,) = jax.export.symbolic_shape("batch", scope=scope_symbols)
    specs = []
    for i, t in enumerate(model.inputs):
        dims = []
        for j, d in enumerate(t.shape):
            if d is not None:
                dims.append(int(d))
            elif j == 0:
                dims.append(batch)
            else:  # another unknown size (a sequence length): a symbol of its own
                dims.append(jax.export.symbolic_shape(f"in{i}_d{j}", scope=scope_symbols)[0])
        specs.append(jax.ShapeDtypeStruct(tuple(dims), np.dtype(t.dtype)))
    return specs


def export_stablehlo(model, path: str) -> str:
    """Write the artifact folder `path`; returns it. Reload with symk.export.load(path)."""
    import jax

    fn, params = pure_function(model)
    leaves, treedef = jax.tree_util.tree_flatten(params)

    def flat_fn(weights, *inputs):
        return tuple(fn(jax.tree_util.tree_unflatten(treedef, weights), *inputs))

    scope = jax.export.SymbolicScope()
    weight_specs = [jax.ShapeDtypeStruct(np.shape(w), np.asarray(w).dtype) for w in leaves]
    exported = jax.export.export(jax.jit(flat_fn))(weight_specs, *_input_specs(model, scope))
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, EXPORTED_FILE), "wb") as f:
        f.write(exported.serialize())
    np.savez(os.path.join(path, WEIGHTS_FILE), **{f"w{i}": np.asarray(w) for i, w in enumerate(leaves)})
    signature = {
        "format": "symk-stablehlo-1", "model": model.name, "single_output": len(model.outputs) == 1,
        "inputs": [{"name": n, "shape": list(t.shape), "dtype": str(t.dtype)} for n, t in zip(model.input_names, model.inputs)],
        "outputs": [{"name": n, "shape": list(t.shape), "dtype": str(t.dtype)} for n, t in zip(model.output_names, model.outputs)],
    }
    with open(os.path.join(path, META_FILE), "w") as f:
        json.dump(signature, f, indent=1)
    return path
