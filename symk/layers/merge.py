"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and
their functional forms (`add([a, b])`, `concatenate([a, b], axis=-1)`, ...)."""
from __future__ import annotations

from functools import reduce

from ..errors import ShapeError
from ..ops.registry import apply
from ..shapes import broadcast_shapes
from ..errors import RuleViolation
from .base import Layer


class _Merge(Layer):
    """Elementwise merge of a list of same-shaped tensors."""

    op_name = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) must be called on a list of at least 2 "
                             f"inputs; received {inputs!r}")
        try:
            broadcast_shapes(*[t.shape[1:] for t in inputs])
        except RuleViolation:
            raise ShapeError(
                f"Layer {self.name!r} ({type(self).__name__}) needs inputs of the same shape (or broadcastable); "
                f"received shapes {', '.join(str(tuple(t.shape)) for t in inputs)}. "
                "Hint: add a Dense or Reshape so the shapes match.") from None

    def build(self, input_shape):
        super().build(input_shape)

    def call(self, inputs):
        self._check(inputs)
        return reduce(lambda a, b: apply(self.op_name, [a, b]), inputs)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [m for m in mask if m is not None]
        return reduce(lambda a, b: apply("logical_and", [a, b]), masks)


class Add(_Merge):
    op_name = "add"


class Multiply(_Merge):
    op_name = "multiply"


class Maximum(_Merge):
    op_name = "maximum"


class Minimum(_Merge):
    op_name = "minimum"


class Subtract(_Merge):
    op_name = "subtract"

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"Layer {self.name!r} (Subtract) needs exactly 2 inputs, got {len(inputs)}")
        return super().call(inputs)


class Average(_Merge):
    op_name = "add"

    def call(self, inputs):
        return super().call(inputs) / float(len(inputs))


class Concatenate(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 1:
            raise ValueError(f"Layer {self.name!r} (Concatenate) must be called on a list of inputs")
        return apply("concatenate", list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        return None  # NOTE: per-timestep masks of concatenated features are not combined yet

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """Dot product along `axes` of two tensors (batch axis kept), optionally L2-normalised first."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize

    def call(self, inputs):
        from ..backend import batch_dot, l2_normalize

        if len(inputs) != 2:
            raise ValueError(f"Layer {self.name!r} (Dot) needs exactly 2 inputs, got {len(inputs)}")
        a, b = inputs
        axes = self.axes if isinstance(self.axes, (list, tuple)) else (self.axes, self.axes)
        axes = [ax % t.ndim for ax, t in zip(axes, (a, b))]
        if self.normalize:
            a, b = l2_normalize(a, axis=axes[0]), l2_normalize(b, axis=axes[1])
        return batch_dot(a, b, axes=axes)

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _functional(cls):
    def fn(inputs, **kwargs):
        return cls(**kwargs)(inputs)

    fn.__name__ = cls.__name__.lower()
    fn.__doc__ = f"Functional form of {cls.__name__}: `{fn.__name__}([a, b])`."
    return fn


add, subtract, multiply, average, maximum, minimum = (
    _functional(c) for c in (Add, Subtract, Multiply, Average, Maximum, Minimum))


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
