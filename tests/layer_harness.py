"""The layer harness (Keras's run_layer_test): every registered layer example goes through build,
three-way shape agreement, a config round-trip and one gradient step.

    check_layer(lambda: Conv2D(4, 3, padding="same"), (2, 5, 5, 3))

`input_shape` includes a concrete batch size (used for the computed output); the symbolic
call uses an unknown batch. Layer families register examples in LAYER_EXAMPLES via
`layer_example(id, factory, input_shape, input_dtype)` and parametrize over them. Layers
called on a list of tensors (merge layers) register in MULTI_INPUT_EXAMPLES via
`multi_input_example(id, factory, [shape, ...])`; check_layer takes a list of shapes for them.
tests/test_layers_catalog.py checks that every layer class symk.layers exports has an example.
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
# kept apart from LAYER_EXAMPLES: their input_shape is a list of shapes, which single-input users do not expect
MULTI_INPUT_EXAMPLES: list[LayerExample] = []


def layer_example(id: str, factory: Callable, input_shape: tuple, input_dtype: str = "float32") -> LayerExample:
    example = LayerExample(id, factory, tuple(input_shape), input_dtype)
    LAYER_EXAMPLES.append(example)
    return example


def multi_input_example(id: str, factory: Callable, input_shapes: list, input_dtype: str = "float32") -> LayerExample:
    example = LayerExample(id, factory, tuple(tuple(s) for s in input_shapes), input_dtype)
    MULTI_INPUT_EXAMPLES.append(example)
    return example


def _is_shape_list(shape) -> bool:
    return bool(shape) and isinstance(shape[0], (list, tuple))


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
    """Build, check shapes three ways, round-trip the config, take one gradient step. Returns the layer.

    `input_shape` is one shape, or a list of shapes for a layer called on a list of tensors."""
    if _is_shape_list(input_shape):
        return _check_multi_input_layer(layer_factory, [tuple(s) for s in input_shape], input_dtype, gradient)
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


def _check_multi_input_layer(layer_factory: Callable, input_shapes: list, input_dtype: str, gradient: bool):
    """check_layer's three steps for a layer called on a list of tensors (merge layers)."""
    batch = input_shapes[0][0]
    layer = layer_factory()
    symbolic_shapes = [(None,) + s[1:] for s in input_shapes]
    xs = [symk.Input(batch_shape=s, dtype=input_dtype) for s in symbolic_shapes]
    y = layer(xs)
    traced = _shapes(y)
    declared = _shapes(layer.compute_output_shape(symbolic_shapes))
    assert declared == traced, f"{layer.name}: compute_output_shape {declared} != traced {traced}"
    data = [sample_input(s, input_dtype, seed=i) for i, s in enumerate(input_shapes)]
    computed = layer(data)
    assert tuple(np.shape(computed)) == _with_batch(traced, batch), (
        f"{layer.name}: computed {tuple(np.shape(computed))} != traced {traced} with batch {batch}")
    assert np.all(np.isfinite(np.asarray(computed, dtype="float64"))), f"{layer.name}: non-finite output"
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config, f"{layer.name}: config changed in a round trip"
    with graph_scope(Graph()):
        clone([symk.Input(batch_shape=s, dtype=input_dtype) for s in symbolic_shapes])
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(clone(data)), np.asarray(computed), rtol=1e-5, atol=1e-6)
    if gradient and layer.trainable_weights:
        check_gradient_step(xs, y, data)
    return layer


def check_gradient_step(x, y, data) -> dict:
    """Lower x -> y, differentiate sum(y**2) w.r.t. the trainable weights in training mode.

    `x` and `data` may be lists (one array per input)."""
    xs, arrays = (list(x), list(data)) if isinstance(x, (list, tuple)) else ([x], [data])
    program = Program(xs[0].graph, [t.node for t in xs], [(y.node, y.index)])
    trainable = {p: v.device_value() for p, v in program.variables.items() if v.trainable}
    frozen = {p: v.device_value() for p, v in program.variables.items() if not v.trainable}

    def loss(params):
        outputs, _ = program(params, frozen, [jnp.asarray(a) for a in arrays], jax.random.PRNGKey(0),
                             program.consts, training=True)
        return jnp.sum(jnp.square(outputs[0]))

    grads = jax.grad(loss)(trainable)
    for path, g in grads.items():
        assert g.shape == trainable[path].shape, path
        assert bool(jnp.all(jnp.isfinite(g))), f"non-finite gradient for {path}"
    stepped = {p: v - 0.01 * grads[p] for p, v in trainable.items()}
    assert np.isfinite(float(loss(stepped)))
    return grads
