"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and
their functional forms (`add([a, b])`, `concatenate([a, b], axis=-1)`, ...)."""
from __future__ import annotations

from functools import reduce

from .. import ops
from ..errors import ShapeError
from ..ops.registry import apply
from ..shapes import broadcast_shapes
from ..errors import RuleViolation
from .base import Layer


def _input_masks(inputs) -> list:
    """The mask each input tensor carries (Keras reads them off the tensors, as here), or None."""
    return [getattr(t, "_keras_mask", None) for t in inputs]


def _per_feature(mask):
    """A (batch, time) mask broadcastable against its (batch, time, features) tensor."""
    return ops.expand_dims(mask, -1)


class _Merge(Layer):
    """Elementwise merge of a list of same-shaped tensors. Masks (Keras 3's rule): the output mask is the
    OR of the input masks, or None as soon as one input has none."""

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
        if mask is None or any(m is None for m in mask):
            return None
        return reduce(ops.logical_or, mask)


class Add(_Merge):
    op_name = "add"


class Multiply(_Merge):
    """Keras 3 multiplies masked positions as 1 (so the others' values pass); when every input is masked,
    the positions no input keeps are 0."""

    op_name = "multiply"

    def call(self, inputs):
        self._check(inputs)
        masks = _input_masks(inputs)
        every_input_masked = all(m is not None for m in masks)
        output = output_mask = None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                kept = _per_feature(mask)
                x = ops.where(kept, x, ops.cast(1, x.dtype))
                if every_input_masked:
                    output_mask = kept if output_mask is None else ops.logical_or(output_mask, kept)
            output = x if output is None else apply("multiply", [output, x])
        if every_input_masked:
            output = ops.where(output_mask, output, ops.cast(0, output.dtype))
        return output


class _MaskedChoice(_Merge):
    """Maximum and Minimum, as Keras 3's `_apply_merge_op_and_or_mask`: a masked position of an input takes
    the value merged so far (and the first input's masked positions the next input's), so masked values
    never win; positions masked in every input keep the first input's value."""

    def call(self, inputs):
        self._check(inputs)
        output = output_mask = None
        for x, mask in zip(inputs, _input_masks(inputs)):
            kept = None if mask is None else _per_feature(mask)
            if output is None:
                output, output_mask = x, kept
                continue
            if kept is not None:
                x = ops.where(kept, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            output_mask = ops.logical_or(output_mask, kept) if kept is not None and output_mask is not None else None
            output = apply(self.op_name, [output, x])
        return output


class Maximum(_MaskedChoice):
    op_name = "maximum"


class Minimum(_MaskedChoice):
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
    """Joins tensors along `axis`. Masks (Keras 3's rule): each input's mask spread over its features (all
    True for an unmasked input), joined along `axis`, then reduced with any() over the last axis."""

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
        if len(mask) != len(inputs):
            raise ValueError(f"Layer {self.name!r} (Concatenate): got {len(mask)} masks for {len(inputs)} inputs; "
                             "pass one mask (or None) per input")
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                full.append(ops.ones_like(x, dtype="bool"))
            elif len(m.shape) < len(x.shape):
                full.append(ops.logical_or(ops.expand_dims(m, -1), ops.zeros_like(x, dtype="bool")))
            else:
                full.append(m)
        return ops.any(ops.concatenate(full, axis=self.axis), axis=-1)

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
