"""SeedGenerator (Keras's keras.random.SeedGenerator) and how a `seed=` argument becomes a draw's seed input.

A generator's state is a non-trainable uint32 Variable of shape (2,) holding [seed, counter], as in Keras on
JAX; each draw uses the state as its jax key and advances the counter. Eagerly the new state is written back
at once. Inside a graph (a layer's call) the draw reads the state's parameter node and the advance is
recorded as a state update (`Variable.assign` of a symbolic value), so every step of a compiled fit or
predict draws new numbers.

    class Noisy(symk.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = symk.random.SeedGenerator(1337)
        def call(self, x):
            return x + symk.random.normal(symk.backend.shape(x), seed=self.seed_generator)
"""
from __future__ import annotations

import contextlib
import random as _pyrandom
import weakref

import numpy as np

from .. import random_state
from ..graph import SymbolicTensor, current_frame, default_graph
from ..ops.random import advance_seed_state
from ..ops.registry import apply
from ..variables import Variable

_SEED_LIMIT = 2 ** 32
_generator_names: dict[str, int] = {}


def reset_generator_names() -> None:
    """symk.backend.clear_session(): the next generator is 'seed_generator' again, as in Keras."""
    _generator_names.clear()


def _unique_generator_name(base: str = "seed_generator") -> str:
    """'seed_generator', then 'seed_generator_1', ... as Keras names them."""
    count = _generator_names.get(base, 0)
    _generator_names[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def _check_int_seed(seed, what: str) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"{what} must be an integer. Received: seed={seed!r} (of type {type(seed).__name__})")
    if not 0 <= int(seed) < _SEED_LIMIT:
        raise ValueError(f"{what} must be in [0, 2**32), as Keras's uint32 seeds are. Received: seed={seed}")
    return int(seed)


class SeedGenerator:
    """A seed that advances on every draw: pass it as `seed=` to get new numbers each time.

        gen = symk.random.SeedGenerator(seed=42)
        a = symk.random.normal((2, 3), seed=gen)
        b = symk.random.normal((2, 3), seed=gen)   # differs from a; the same again from SeedGenerator(42)
    """

    def __init__(self, seed=None, name=None, **kwargs):
        # Keras's own layers pass backend=...; symk always computes with JAX
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments: {kwargs}")
        self.name = name if name is not None else _unique_generator_name()
        self._initial_seed = seed
        if seed is None:
            seed = _pyrandom.randint(1, 10 ** 9)  # python's generator: symk.utils.set_random_seed fixes it
        seed = _check_int_seed(seed, "SeedGenerator: argument `seed`")
        self.state = Variable(np.array([seed, 0], np.uint32), name="seed_generator_state",
                              path=f"{self.name}/seed_generator_state", trainable=False, dtype="uint32")
        # per graph being built: the latest state a draw produced (two draws in one graph get different keys)
        self._graph_states = weakref.WeakKeyDictionary()

    def next(self, ordered=True):
        """The seed for one draw (the current state), advancing the state; symbolic inside a layer's call."""
        return self._next(ordered, symbolic=current_frame().layer is not None)

    def _next(self, ordered: bool, symbolic: bool, draw_inputs=()):
        if not symbolic:
            value = np.asarray(self.state.numpy(), np.uint32)
            with np.errstate(over="ignore"):  # uint32 arithmetic wraps, as it does in jax
                self.state.assign(advance_seed_state(value, bool(ordered)))
            return value
        graph = default_graph()
        current = self._graph_states.get(graph)
        if current is None:
            current = self.state.symbolic(graph)
        advanced = apply("seed_advance", [current], ordered=bool(ordered))
        self._graph_states[graph] = advanced
        ties = _tensors_driving_the_draw(graph, draw_inputs)
        self.state.assign(apply("seed_advance", [current, *ties], ordered=bool(ordered)) if ties else advanced)
        return current

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name} state={self.state.numpy().tolist()}>"


# NOTE: a workaround for how a model picks its state updates: a model keeps the updates that its own inputs
# drive (symk/models/extraction.py), and a seed's advance, computed from the state alone, is driven by none.
# So the recorded update also takes, as inputs it does not read, the tensors the draw belongs to: the inputs
# of the layer call making it and the draw's own tensor inputs. The chain of states the draws read stays
# free of them, so a layer shared by two models never ties one model to the other's inputs.
_layer_call_inputs: list[list] = []


@contextlib.contextmanager
def layer_call(inputs):
    """While a layer's call is traced: its input tensors (Layer.__call__ enters this)."""
    _layer_call_inputs.append([t for t in inputs if isinstance(t, SymbolicTensor)])
    try:
        yield
    finally:
        _layer_call_inputs.pop()


def _tensors_driving_the_draw(graph, draw_inputs) -> list:
    call_inputs = _layer_call_inputs[-1] if _layer_call_inputs else []
    tensors = [t for t in (*call_inputs, *draw_inputs) if isinstance(t, SymbolicTensor) and t.graph is graph]
    return list(dict.fromkeys(tensors))


def global_seed_generator() -> SeedGenerator:
    """The generator behind `seed=None`: it starts from symk.utils.set_random_seed's seed (which restarts it)."""
    return random_state.global_seed_generator(lambda seed: SeedGenerator(seed % _SEED_LIMIT,
                                                                         name="global_seed_generator"))


def seed_input(seed, symbolic: bool, draw_inputs=()):
    """A draw's seed input (uint32 [2]) for Keras's `seed=`: an int, a SeedGenerator, None (the global
    generator), or a key array (a jax PRNG key, its key data, or a symbolic uint32 tensor of shape (2,)).
    `draw_inputs`: the draw's tensor inputs (a generator's recorded state update is tied to them)."""
    if seed is None:
        seed = global_seed_generator()
    if isinstance(seed, SeedGenerator):
        return seed._next(True, symbolic, draw_inputs)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        return np.array([_check_int_seed(seed, "Argument `seed`"), 0], np.uint32)
    if isinstance(seed, SymbolicTensor):
        return seed
    if hasattr(seed, "shape") and hasattr(seed, "dtype"):
        import jax

        if jax.dtypes.issubdtype(seed.dtype, jax.dtypes.prng_key):
            return jax.random.key_data(seed)
        return seed
    raise ValueError("Argument `seed` must be either an integer, an instance of `SeedGenerator`, a jax PRNG key "
                     f"or None. Received: seed={seed!r} (of type {type(seed).__name__})")

