"""Activation functions by Keras name; each works on symbolic tensors and on arrays."""
from __future__ import annotations

from .ops import nn as _nn
from .ops.registry import apply
from . import object_registry
from .keras_objects import deserialize_object


def _unary(op_name):
    def fn(x):
        return apply(op_name, [x])

    fn.__name__ = op_name
    return fn


relu6, sigmoid, tanh, softplus, softsign, selu = (_unary(n) for n in ("relu6", "sigmoid", "tanh", "softplus", "softsign", "selu"))
hard_sigmoid, exponential, silu, mish, hard_silu = (_unary(n) for n in ("hard_sigmoid", "exponential", "silu", "mish", "hard_swish"))
swish, hard_swish = silu, hard_silu
swish.__name__ = "silu"


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return apply("relu", [x])
    return apply("relu_general", [x], negative_slope=negative_slope, max_value=max_value, threshold=threshold)


def elu(x, alpha=1.0):
    return apply("elu", [x], alpha=alpha)


def leaky_relu(x, negative_slope=0.2):
    return apply("leaky_relu", [x], negative_slope=negative_slope)


def gelu(x, approximate=False):
    return apply("gelu", [x], approximate=approximate)


def softmax(x, axis=-1):
    return apply("softmax", [x], axis=axis)


def log_softmax(x, axis=-1):
    return apply("log_softmax", [x], axis=axis)


# Keras 3's newer activations, on the keras.ops.nn functions (symk.ops.nn), with Keras's signatures
def celu(x, alpha=1.0):
    return _nn.celu(x, alpha=alpha)


def glu(x, axis=-1):
    return _nn.glu(x, axis=axis)


def hard_shrink(x, threshold=0.5):
    return _nn.hard_shrink(x, threshold=threshold)


def hard_tanh(x):
    return _nn.hard_tanh(x)


def log_sigmoid(x):
    return _nn.log_sigmoid(x)


def soft_shrink(x, threshold=0.5):
    return _nn.soft_shrink(x, threshold=threshold)


def sparse_plus(x):
    return _nn.sparse_plus(x)


def sparse_sigmoid(x):
    return _nn.sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    return _nn.sparsemax(x, axis=axis)


def squareplus(x, b=4):
    return _nn.squareplus(x, b=b)


def tanh_shrink(x):
    return _nn.tanh_shrink(x)


def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value (no defaults: as in Keras, serializable by name only)."""
    return _nn.threshold(x, threshold, default_value)


ALL = {f.__name__: f for f in (relu, relu6, sigmoid, tanh, softplus, softsign, selu, hard_sigmoid, exponential,
                               silu, mish, linear, elu, leaky_relu, gelu, softmax, log_softmax, hard_silu, celu, glu,
                               hard_shrink, hard_tanh, log_sigmoid, soft_shrink, sparse_plus, sparse_sigmoid,
                               sparsemax, squareplus, tanh_shrink, threshold)}
ALL.update(swish=silu, hard_swish=hard_silu, hard_silu=hard_silu, None_=linear)  # Keras 3 names hard_silu


def get(identifier):
    """An activation from a name ('relu', or a registered function's), None (linear), a serialized form
    (Keras 3's {"class_name": "function", "config": ...} included) or a callable."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        fn = ALL.get(identifier) or object_registry.lookup_custom(identifier)
        if fn is None:
            raise ValueError(f"unknown activation {identifier!r}; known: {', '.join(sorted(k for k in ALL if k != 'None_'))} "
                             "(or register your own with @symk.saving.register_keras_serializable())")
        return fn
    raise ValueError(f"cannot interpret {identifier!r} as an activation")


def serialize(fn):
    """Keras 3's `keras.activations.serialize`: a built-in's name ('relu'); any other function or object in
    the serialized form, by its registered name ('my_package>custom_fn')."""
    for name, f in ALL.items():
        if f is fn and name != "None_":
            return name
    return object_registry.serialize(fn)


def deserialize(config, custom_objects=None):
    """The activation a serialized form describes (a name or Keras 3's form); registered functions resolve too."""
    return deserialize_object(config, {k: v for k, v in ALL.items() if k != "None_"}, "activation", custom_objects)
