"""The properties check_layer asserts on one drawn example: shapes three ways, eager against compiled,
the config round trip, gradients for every trainable weight, and save/load in .h5 and .keras.

Each function takes an already-traced LayerRun (the layer, its symbolic inputs and outputs, and the
concrete data) and raises AssertionError naming the layer, what disagreed and the likely fix.
"""
from __future__ import annotations

import inspect
import os
import tempfile
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..graph import Graph, SymbolicTensor, graph_scope


@dataclass
class LayerRun:
    """One example: the layer called on symbolic inputs (shapes with None) and on concrete data."""

    layer: object
    inputs: list            # symbolic inputs (Input tensors), one per layer input
    outputs: list           # the symbolic outputs, flattened
    data: list              # numpy arrays, one per input
    many_inputs: bool       # the layer is called on a list of tensors

    @property
    def call_arg(self):
        return self.inputs if self.many_inputs else self.inputs[0]

    @property
    def data_arg(self):
        return self.data if self.many_inputs else self.data[0]

    @property
    def input_shapes(self):
        shapes = [tuple(t.shape) for t in self.inputs]
        return shapes if self.many_inputs else shapes[0]


def flatten(structure) -> list:
    """A layer's outputs (one tensor, a list/tuple, or a dict) as a flat list."""
    if isinstance(structure, dict):
        return [v for k in sorted(structure) for v in flatten(structure[k])]
    if isinstance(structure, (list, tuple)) and structure and not isinstance(structure[0], (int, type(None))):
        return [v for item in structure for v in flatten(item)]
    return [structure]


def plain_shape(value) -> tuple:
    """A tensor's, TensorShape's or tuple's shape as a tuple of ints and None."""
    shape = value.shape if hasattr(value, "shape") else value
    return tuple(None if d is None else int(d) for d in shape)


def _agrees(symbolic: tuple, concrete: tuple) -> bool:
    return len(symbolic) == len(concrete) and all(s is None or s == c for s, c in zip(symbolic, concrete))


def check_shapes(run: LayerRun) -> list:
    """compute_output_shape, the traced graph and the computed (eager) arrays agree. Returns the eager outputs."""
    name = run.layer.name
    traced = [plain_shape(t) for t in run.outputs]
    declared = [plain_shape(s) for s in flatten(run.layer.compute_output_shape(run.input_shapes))]
    assert declared == traced, (
        f"layer {name!r}: compute_output_shape({run.input_shapes}) returns {_one(declared)}, but calling the layer "
        f"on inputs of that shape traces {_one(traced)}. Fix compute_output_shape (or remove it: the default "
        f"traces call())")
    eager = [np.asarray(o) for o in flatten(run.layer(run.data_arg))]
    assert len(eager) == len(traced), f"layer {name!r}: {len(traced)} traced outputs but {len(eager)} computed"
    for i, (t, symbolic, value) in enumerate(zip(run.outputs, traced, eager)):
        assert _agrees(symbolic, value.shape), (
            f"layer {name!r}, output {i}: the traced shape {symbolic} does not fit the computed array's "
            f"{value.shape} on data of shape {_one([d.shape for d in run.data])}: a shape rule or "
            f"compute_output_shape is wrong for these sizes")
        assert np.dtype(t.dtype) == value.dtype, (
            f"layer {name!r}, output {i}: traced dtype {t.dtype} but the computed array is {value.dtype}")
        if np.issubdtype(value.dtype, np.inexact):
            assert np.all(np.isfinite(value.astype("float64"))), f"layer {name!r}, output {i}: non-finite values"
    return eager


def check_compiled(run: LayerRun, eager: list, rtol: float, atol: float) -> None:
    """The layer inside a Model, jitted (the inference pipeline included), gives the eager outputs."""
    from ..models import Model

    model = Model(run.call_arg, run.outputs if len(run.outputs) > 1 else run.outputs[0])
    compiled = [np.asarray(o) for o in flatten(model.predict_on_batch(run.data_arg))]
    for i, (e, c) in enumerate(zip(eager, compiled)):
        _assert_close(c, e, rtol, atol, f"layer {run.layer.name!r}, output {i}: compiled (in a jitted Model) and eager "
                                        f"(called on arrays) outputs differ: does call() keep Python state between "
                                        f"calls, or branch on whether sizes are known?")


def forgotten_arguments(layer) -> list:
    """Arguments of the __init__ the layer's class defines itself that get_config leaves out although the
    layer holds a non-default value for them in an attribute of the same name (`self.units = units`):
    from_config would lose those values.
    An argument left at its default may be omitted
    (Keras's own layers omit unset options such as Dense's lora_rank)."""
    cls = type(layer)
    if cls.__init__ is _base_init():
        return []
    config = layer.get_config()
    missing = []
    for p in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) or p.name in config:
            continue
        if p.name not in vars(layer):  # stored under another name (or a property such as `weights`): unknowable
            continue
        value = vars(layer)[p.name]
        if p.default is p.empty or not _same(value, p.default):
            missing.append(p.name)
    return missing


def check_config(run: LayerRun, eager: list, rtol: float, atol: float, custom_objects: dict) -> None:
    """get_config names every constructor argument the layer set; from_config rebuilds a layer with the same config,
    the same weight shapes and, given the same weights, the same outputs."""
    from ..saving import custom_object_scope

    layer, cls = run.layer, type(run.layer)
    config = layer.get_config()
    missing = forgotten_arguments(layer)
    assert not missing, (
        f"layer {layer.name!r}: get_config() lacks {missing}, argument(s) of {cls.__init__.__qualname__}; "
        f"from_config would rebuild the layer with their defaults. Add them to the dict get_config returns")
    with custom_object_scope(custom_objects):
        clone = cls.from_config(config)
    assert _same(clone.get_config(), config), (
        f"layer {layer.name!r}: the config changes in a round trip:\n  get_config():              {config}\n"
        f"  from_config(...).get_config(): {clone.get_config()}")
    with graph_scope(Graph()):  # its own graph: the original's programs must not see the clone's nodes
        inputs = [_placeholder_like(t) for t in run.inputs]
        clone(inputs if run.many_inputs else inputs[0])
    ours, theirs = [tuple(w.shape) for w in layer.weights], [tuple(w.shape) for w in clone.weights]
    assert ours == theirs, (
        f"layer {layer.name!r}: from_config(get_config()) builds weights of shapes {theirs}, the original has "
        f"{ours}: get_config() misses an argument that sizes the weights")
    clone.set_weights(layer.get_weights())
    for i, (e, c) in enumerate(zip(eager, flatten(clone(run.data_arg)))):
        _assert_close(np.asarray(c), e, rtol, atol,
                      f"layer {layer.name!r}, output {i}: from_config(get_config()) with the same weights computes "
                      f"other values: get_config() misses an argument that call() uses")


def check_gradients(run: LayerRun) -> None:
    """In training mode, every trainable weight gets a finite gradient that is non-zero somewhere.

    NOTE: a correct ReLU layer can get an all-zero gradient on one unlucky sample, so the data gets 8 rows
    (when the batch is unknown) and up to 3 draws before a weight counts as cut off."""
    from ..codegen import Program

    layer = run.layer
    floats = [t for t in run.outputs if jnp.issubdtype(jnp.dtype(t.dtype), jnp.inexact)]
    if not layer.trainable_weights or not floats:
        return
    program = Program(run.inputs[0].graph, [t.node for t in run.inputs], [(t.node, t.index) for t in floats])
    trainable = {p: v.device_value() for p, v in program.variables.items() if v.trainable}
    frozen = {p: v.device_value() for p, v in program.variables.items() if not v.trainable}

    def forward(params, arrays):
        outputs, _ = program(params, frozen, arrays, jax.random.PRNGKey(0), program.consts, training=True)
        return outputs

    @jax.jit  # one compile instead of an op-by-op backward pass (seconds for a small layer)
    def gradients(params, arrays, projections):
        # a random projection, not sum(y**2): that one's gradient vanishes wherever the output is zero
        return jax.grad(lambda p: sum(jnp.sum(o.astype("float32") * r)
                                      for o, r in zip(forward(p, arrays), projections)))(params)

    paths = {id(v): p for p, v in program.variables.items()}
    weights = [(w, paths.get(id(w), getattr(w, "path", w.name))) for w in layer.trainable_weights]
    for weight, path in weights:
        if path not in trainable:
            raise AssertionError(f"layer {layer.name!r}: trainable weight {path!r} is not used by call(); "
                                 "create only the weights call() reads, or make it non-trainable")
    reached: set = set()
    rows = 8 if all(t.shape[0] is None for t in run.inputs) else None
    for attempt in range(3):
        arrays = [jnp.asarray(_resample(d, rows, 10 + attempt + i)) for i, d in enumerate(run.data)]
        # NOTE: projections drawn on the host: jax.random inside the jitted step costs a second of compile
        rng = np.random.default_rng(attempt)
        projections = [rng.normal(size=o.shape).astype("float32") for o in jax.eval_shape(forward, trainable, arrays)]
        grads = gradients(trainable, arrays, projections)
        for weight, path in weights:
            g = np.asarray(grads[path], dtype="float64")
            assert np.all(np.isfinite(g)), f"layer {layer.name!r}: the gradient of weight {path!r} is not finite"
            if np.any(g != 0):
                reached.add(path)
        if len(reached) == len(weights):
            return
    missing = [path for _, path in weights if path not in reached]
    raise AssertionError(
        f"layer {layer.name!r}: no gradient reaches trainable weight(s) {missing} (all zeros on 3 draws of data "
        f"shaped like {_one([d.shape for d in run.data])}): cut by stop_gradient, a cast to int or a comparison?")


def sample_data(shape: tuple, dtype: str, seed: int) -> np.ndarray:
    """Inputs for a drawn shape: standard normal floats, integers in [0, 5) (valid token ids), random bools."""
    rng, dtype = np.random.default_rng(seed), jnp.dtype(dtype)  # jnp: bfloat16 too
    if dtype == bool:
        return rng.random(shape) > 0.5
    if jnp.issubdtype(dtype, jnp.integer):
        return rng.integers(0, 5, size=shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)


def _resample(data: np.ndarray, rows, seed: int) -> np.ndarray:
    """Fresh data like `data`, with `rows` rows (None: the same shape)."""
    return sample_data(data.shape if rows is None else (rows,) + data.shape[1:], data.dtype, seed)


def check_saving(run: LayerRun, custom_objects: dict, rtol: float, atol: float) -> None:
    """The layer in a small Model survives model.save / load_model in .h5 and in .keras, with the same outputs."""
    from ..models import Model
    from ..saving import get_registered_name, load_model

    cls = type(run.layer)
    model = Model(run.call_arg, run.outputs if len(run.outputs) > 1 else run.outputs[0])
    expected = [np.asarray(o) for o in flatten(model.predict_on_batch(run.data_arg))]
    # a registered class must load by its registered name alone; an unregistered one needs custom_objects
    registered = getattr(cls, "__module__", "").startswith("symk.") or get_registered_name(cls) != cls.__name__
    objects = dict(custom_objects) if registered else {cls.__name__: cls, **custom_objects}
    with tempfile.TemporaryDirectory() as folder:
        for extension in ("h5", "keras"):
            path = os.path.join(folder, f"model.{extension}")
            try:
                model.save(path)
                with graph_scope(Graph()):
                    loaded = load_model(path, custom_objects=objects)
                    got = [np.asarray(o) for o in flatten(loaded.predict_on_batch(run.data_arg))]
            except Exception as err:  # noqa: BLE001  (any failure to save or load is the finding)
                raise AssertionError(
                    f"layer {run.layer.name!r}: a Model holding it does not survive save/load as .{extension}: "
                    f"{type(err).__name__}: {err}") from err
            kinds = [type(layer) for layer in loaded.layers]
            assert cls in kinds, f"layer {run.layer.name!r}: loading the .{extension} file gives layers {kinds}"
            for i, (e, g) in enumerate(zip(expected, got)):
                _assert_close(g, e, rtol, atol, f"layer {run.layer.name!r}, output {i}: the model loaded from "
                                                f".{extension} computes other values")


def _base_init():
    from ..layers import Layer

    return Layer.__init__


def _placeholder_like(tensor: SymbolicTensor):
    from ..layers import Input

    return Input(batch_shape=tuple(tensor.shape), dtype=tensor.dtype)


def _assert_close(got, expected, rtol, atol, message) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, f"{message}: shapes {got.shape} != {expected.shape}"
    if np.issubdtype(expected.dtype, np.inexact):
        ok = np.allclose(got.astype("float64"), expected.astype("float64"), rtol=rtol, atol=atol, equal_nan=True)
        worst = float(np.max(np.abs(got.astype("float64") - expected.astype("float64")))) if got.size else 0.0
        assert ok, f"{message} (largest difference {worst:.3g}; rtol={rtol}, atol={atol})"
    else:
        assert np.array_equal(got, expected), message


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001  (arrays in a config compare elementwise)
        return repr(a) == repr(b)


def _one(items: list):
    return items[0] if len(items) == 1 else items
