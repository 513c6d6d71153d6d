"""Activation functions by Keras name; each works on symbolic tensors and on arrays."""
from __future__ import annotations

from .ops.registry import apply


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


ALL = {f.__name__: f for f in (relu, relu6, sigmoid, tanh, softplus, softsign, selu, hard_sigmoid, exponential,
                               silu, mish, linear, elu, leaky_relu, gelu, softmax, log_softmax, hard_silu)}
ALL.update(swish=silu, hard_swish=hard_silu, hard_silu=hard_silu, None_=linear)  # Keras 3 names hard_silu


def get(identifier):
    """An activation from a name ('relu'), None (linear) or a callable."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        identifier = identifier.get("config", identifier.get("class_name"))
    if isinstance(identifier, str):
        fn = ALL.get(identifier)
        if fn is None:
            raise ValueError(f"unknown activation {identifier!r}; known: {', '.join(sorted(k for k in ALL if k != 'None_'))}")
        return fn
    raise ValueError(f"cannot interpret {identifier!r} as an activation")


def serialize(fn) -> str:
    for name, f in ALL.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", "linear")
