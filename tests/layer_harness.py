"""The layer harness (Keras's run_layer_test): every registered layer example goes through build,
three-way shape agreement, a config round-trip and one gradient step.

    check_layer(lambda: Conv2D(4, 3, padding="same"), (2, 5, 5, 3))

`input_shape` includes a concrete batch size (used for the computed output); the symbolic
call uses an unknown batch. Layer families register examples in LAYER_EXAMPLES via
`layer_example(id, factory, input_shape, input_dtype)` and parametrize over them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

import symk
from symk.codegen import Program
from symk.graph import Graph, graph_scope


@dataclass(frozen=True)
class LayerExample:
    id: str
    factory: Callable
    input_shape: tuple
    input_dtype: str = "float32"


LAYER_EXAMPLES: list[LayerExample] = []


def layer_example(id: str, factory: Callable, input_shape: tuple, input_dtype: str = "float32") -> LayerExample:
    example = LayerExample(id, factory, tuple(input_shape), input_dtype)
    LAYER_EXAMPLES.append(example)
    return example


def sample_input(shape, dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if "int" in dtype:
        return rng.integers(0, 5, size=shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)


def _shapes(structure):
    """Shapes as plain tuples (a tensor or a nested list of them)."""
    if isinstance(structure, (list, tuple)) and structure and not isinstance(structure[0], (int, type(None))):
        return [_shapes(s) for s in structure]
    if hasattr(structure, "shape"):
        return tuple(structure.shape)
    return tuple(structure)


def _with_batch(shape, batch):
    return (batch,) + tuple(shape[1:])


def check_layer(layer_factory: Callable, input_shape, input_dtype: str = "float32", gradient: bool = True):
    """Build, check shapes three ways, round-trip the config, take one gradient step. Returns the layer."""
    input_shape = tuple(input_shape)
    batch = input_shape[0]
    layer = layer_factory()
    x = symk.Input(batch_shape=(None,) + input_shape[1:], dtype=input_dtype)
    y = layer(x)
    traced = _shapes(y)

    # 1. compute_output_shape, the traced graph and the computed array agree
    declared = _shapes(layer.compute_output_shape((None,) + input_shape[1:]))
    assert declared == traced, f"{layer.name}: compute_output_shape {declared} != traced {traced}"
    data = sample_input(input_shape, input_dtype)
    computed = layer(data)
    computed_shape = tuple(np.shape(computed))
    assert computed_shape == _with_batch(traced, batch), (
        f"{layer.name}: computed {computed_shape} != traced {traced} with batch {batch}")
    assert np.all(np.isfinite(np.asarray(computed, dtype="float64"))), f"{layer.name}: non-finite output"

    # 2. the config round-trips, and the rebuilt layer with the same weights computes the same
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config, f"{layer.name}: config changed in a round trip"
    # NOTE: its own graph: a Program runs every state update in its graph, the clone's included
    with graph_scope(Graph()):
        clone(symk.Input(batch_shape=(None,) + input_shape[1:], dtype=input_dtype))
    assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(clone(data)), np.asarray(computed), rtol=1e-5, atol=1e-6)

    # 3. one gradient step in training mode: finite gradients for every trainable weight
    if gradient and layer.trainable_weights:
        check_gradient_step(x, y, data)
    return layer


def check_gradient_step(x, y, data) -> dict:
    """Lower x -> y, differentiate sum(y**2) w.r.t. the trainable weights in training mode."""
    program = Program(x.graph, [x.node], [(y.node, y.index)])
    trainable = {p: v.device_value() for p, v in program.variables.items() if v.trainable}
    frozen = {p: v.device_value() for p, v in program.variables.items() if not v.trainable}

    def loss(params):
        outputs, _ = program(params, frozen, [jnp.asarray(data)], jax.random.PRNGKey(0), program.consts,
                             training=True)
        return jnp.sum(jnp.square(outputs[0]))

    grads = jax.grad(loss)(trainable)
    for path, g in grads.items():
        assert g.shape == trainable[path].shape, path
        assert bool(jnp.all(jnp.isfinite(g))), f"non-finite gradient for {path}"
    stepped = {p: v - 0.01 * grads[p] for p, v in trainable.items()}
    assert np.isfinite(float(loss(stepped)))
    return grads
