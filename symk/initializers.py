"""Weight initializers with Keras's names, defaults and fan arithmetic (numpy-drawn)."""
from __future__ import annotations

import math

import numpy as np

from . import object_registry
from .keras_objects import Configurable, deserialize_object, serialize_object
from .random_state import numpy_rng
from .shapes import canonical_dtype


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[float, float]:
    """Keras's fans: dense (in, out); conv kernels (k..., in, out) multiply by the receptive field.
    With both `input_axes` and `output_axes` (Keras 3, e.g. EinsumDense kernels) the fans are the
    products of the sizes of those axes."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return float(math.prod(shape[a] for a in input_axes)), float(math.prod(shape[a] for a in output_axes))
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


class Initializer(Configurable):
    """Base: `init(shape, dtype) -> numpy array`; configs round-trip through get_config."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return np.zeros(shape, canonical_dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return np.ones(shape, canonical_dtype(dtype))


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return np.broadcast_to(np.asarray(self.value, canonical_dtype(dtype)), shape).copy()

    def get_config(self):
        return {"value": self.value}


class _Seeded(Initializer):
    def __init__(self, seed=None):
        self.seed = seed

    def rng(self):
        return numpy_rng(self.seed)


class RandomNormal(_Seeded):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self.rng().normal(self.mean, self.stddev, shape).astype(canonical_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self.rng().uniform(self.minval, self.maxval, shape).astype(canonical_dtype(dtype))

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(rng, mean, stddev, shape):
    """Normal samples redrawn until within two standard deviations (as TF/Keras do)."""
    out = rng.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2.0
    return mean + stddev * out


class TruncatedNormal(_Seeded):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return _truncated_normal(self.rng(), self.mean, self.stddev, shape).astype(canonical_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _axes_or_none(value, what: str):
    if value is None:
        return None
    if isinstance(value, int) or not all(isinstance(a, int) for a in value):
        raise ValueError(f"VarianceScaling: {what} must be None or a list of integer axes; received {value!r}")
    return list(value)


class VarianceScaling(_Seeded):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
                 output_axes=None):
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        distribution = {"normal": "truncated_normal"}.get(str(distribution).lower(), str(distribution).lower())
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}; use truncated_normal, "
                             "untruncated_normal or uniform")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes = _axes_or_none(input_axes, "input_axes")
        self.output_axes = _axes_or_none(output_axes, "output_axes")

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self.rng()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / 0.87962566103423978  # std of a unit normal truncated at 2
            out = _truncated_normal(rng, 0.0, stddev, shape)
        elif self.distribution == "untruncated_normal":
            out = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            limit = math.sqrt(3.0 * variance)
            out = rng.uniform(-limit, limit, shape)
        return out.astype(canonical_dtype(dtype))

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


def _preset(name, scale, mode, distribution):
    class Preset(VarianceScaling):
        def __init__(self, seed=None, input_axes=None, output_axes=None):
            super().__init__(scale, mode, distribution, seed, input_axes, output_axes)

        def get_config(self):
            return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}

    Preset.__name__ = Preset.__qualname__ = name
    return Preset


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal")


class Orthogonal(_Seeded):
    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs a shape of rank >= 2, got {tuple(shape)}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = self.rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(canonical_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity needs a 2-D shape, got {tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(canonical_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


ALL = {cls.__name__: cls for cls in (
    Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, GlorotUniform,
    GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal, Identity)}
ALIASES = {"zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
           "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
           "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
           "he_uniform": HeUniform, "he_normal": HeNormal, "lecun_uniform": LecunUniform,
           "lecun_normal": LecunNormal, "orthogonal": Orthogonal, "identity": Identity,
           "IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
           # Keras 3's short aliases (its docs' MinimalRNNCell uses initializer="uniform")
           "uniform": RandomUniform, "normal": RandomNormal, "one": Ones, "zero": Zeros}

# snake_case function-style names, as `keras.initializers.glorot_uniform()` allowed
zeros, ones, constant = Zeros, Ones, Constant
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal, orthogonal, identity = LecunUniform, LecunNormal, Orthogonal, Identity
random_normal, random_uniform, truncated_normal, variance_scaling = RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling


def serialize(init: Initializer) -> dict:
    """Keras 3's `keras.initializers.serialize`."""
    return serialize_object(init)


def deserialize(config, custom_objects=None) -> Initializer:
    """The initializer a serialized form describes (Keras 3's form, {"class_name", "config"} or a name)."""
    return deserialize_object(config, {**ALIASES, **ALL}, "initializer", custom_objects)


def get(identifier) -> Initializer:
    """An initializer from a name (or a registered class's), a serialized form, an instance or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, Initializer) or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if isinstance(identifier, str):
        cls = ALIASES.get(identifier) or ALL.get(identifier) or object_registry.lookup_custom(identifier)
        if cls is None:
            raise ValueError(f"unknown initializer {identifier!r}; known: {', '.join(sorted(ALIASES))}")
        return cls() if isinstance(cls, type) else cls
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError(f"cannot interpret {identifier!r} as an initializer")
