"""EinsumDense: a dense layer of any rank, `activation(einsum(equation, inputs, kernel) + bias)`.

    EinsumDense("abc,cde->abde", output_shape=(None, 4, 16), bias_axes="de")(x)   # (None, T, 4, 16)

The equation is `<input>,<kernel>-><output>`, optionally with `...` leading both the input and the
output (`...b,bc->...c`) or trailing them (`ab...,bc->ac...`). `output_shape` gives the output's sizes
past the batch axis and the elided axes; the kernel and bias shapes follow from it and the input
shape as in Keras (so Keras-written weights fit).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .. import activations
from .. import variables as variables_module
from ..initializers import VarianceScaling
from ..ops import einsum
from ..ops.registry import apply
from .base import Layer
from .input_spec import InputSpec
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config

__all__ = ["EinsumDense"]

_TERM = "[a-zA-Z]+"
_FORMS = (  # (pattern, where the ellipsis stands)
    (re.compile(f"({_TERM}),({_TERM})->({_TERM})"), None),
    (re.compile(rf"\.\.\.({_TERM}),({_TERM})->\.\.\.({_TERM})"), "left"),
    (re.compile(rf"([a-zA-Z]{{2,}})\.\.\.,({_TERM})->({_TERM})\.\.\."), "right"),
)


@dataclass(frozen=True)
class EinsumPlan:
    """What an equation, bias_axes and output_shape mean for one input shape."""
    kernel_shape: tuple
    bias_shape: Optional[tuple]
    output_shape: tuple        # the full output shape, batch axis included
    input_axes: tuple          # kernel axes contracted with the input (for the initializer's fan-in)
    output_axes: tuple         # kernel axes that reach the output (fan-out)
    kernel_input_axes: dict    # input axis -> the size the kernel fixes there


def parse_equation(equation: str, where: str = "EinsumDense"):
    """(input term, kernel term, output term, ellipsis side or None); a clear error for any other form."""
    if not isinstance(equation, str):
        raise TypeError(f"{where}: equation must be a string such as 'ab,bc->ac'; received {equation!r}")
    for pattern, side in _FORMS:
        match = pattern.fullmatch(equation)
        if match:
            return match.group(1), match.group(2), match.group(3), side
    raise ValueError(f"{where}: invalid einsum equation {equation!r}. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]... (letters only, no spaces), "
                     "e.g. 'abc,cd->abd'.")


def plan_einsum(equation, bias_axes, input_shape, partial_output_shape, where: str = "EinsumDense") -> EinsumPlan:
    """The kernel, bias and output shapes for `input_shape` (Keras's rules; sizes may be None)."""
    input_term, kernel_term, output_term, side = parse_equation(equation, where)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(input_term)
    if side is None and elided:
        raise ValueError(f"{where}: the equation {equation!r} names {len(input_term)} input axes, but the input has "
                         f"rank {len(input_shape)} (shape {input_shape}). Give one letter per axis, or use '...'.")
    if elided < (1 if side == "left" else 0):
        raise ValueError(f"{where}: the input of shape {input_shape} has too few axes for the equation {equation!r}")
    # the output: the batch axis (and the elided axes) come from the input, the rest from output_shape
    if side == "left":
        full = [input_shape[0]] + list(input_shape[1:elided]) + list(partial_output_shape)
        input_index = {c: i + elided for i, c in enumerate(input_term)}
        output_index = {c: i + elided for i, c in enumerate(output_term)}
    else:
        full = [input_shape[0]] + list(partial_output_shape)
        if side == "right":
            full += list(input_shape[len(input_shape) - elided:])
        input_index = {c: i for i, c in enumerate(input_term)}
        output_index = {c: i for i, c in enumerate(output_term)}
    if len(full) != len(output_term) + elided:
        wanted, which = (len(output_term), "after the '...'") if side == "left" else (
            len(output_term) - 1, "after the first (the batch axis)")
        raise ValueError(f"{where}: output_shape {tuple(partial_output_shape)} must give {wanted} size(s), one for "
                         f"each output axis of {equation!r} {which}. Use None for a size that follows from the input.")
    for c in input_term:
        if c in output_index:
            declared, actual = full[output_index[c]], input_shape[input_index[c]]
            if declared is None:
                full[output_index[c]] = actual
            elif actual is not None and declared != actual:
                raise ValueError(f"{where}: input shape and output shape do not match at shared dimension {c!r}: "
                                 f"the input has size {actual} there and output_shape says {declared}.")
    for c in output_term:
        if c not in input_term and c not in kernel_term:
            raise ValueError(f"{where}: dimension {c!r} of the output {output_term!r} appears in neither the input "
                             f"term {input_term!r} nor the kernel term {kernel_term!r}")
    kernel_shape, input_axes, output_axes, kernel_input_axes = [], [], [], {}
    for axis, c in enumerate(kernel_term):
        if c in output_index:
            kernel_shape.append(full[output_index[c]])
            output_axes.append(axis)
        elif c in input_index:
            kernel_shape.append(input_shape[input_index[c]])
            input_axes.append(axis)
            kernel_input_axes[input_index[c]] = input_shape[input_index[c]]
        else:
            raise ValueError(f"{where}: kernel dimension {c!r} matches neither the input term {input_term!r} nor "
                             f"the output term {output_term!r}; every kernel axis must be one of them")
    return EinsumPlan(tuple(kernel_shape), _bias_shape(bias_axes, output_term, full, elided, side, where),
                      tuple(full), tuple(input_axes), tuple(output_axes), kernel_input_axes)


def _bias_shape(bias_axes, output_term, full, elided, side, where):
    """From the first biased output axis to the last axis: the size on biased axes, 1 elsewhere."""
    if bias_axes is None:
        return None
    for c in bias_axes:
        if c not in output_term:
            raise ValueError(f"{where}: bias dimension {c!r} was requested, but it is not part of the output term "
                             f"{output_term!r}")
    offset = elided if side == "left" else 0
    first = min(output_term.index(c) for c in bias_axes)
    shape = [full[offset + i] if c in bias_axes else 1 for i, c in enumerate(output_term) if i >= first]
    if side != "left":
        shape += [1] * elided
    return tuple(shape)


def _with_einsum_fans(initializer, plan: EinsumPlan):
    """A VarianceScaling initializer without fan axes gets the einsum's (the kernel axes contracted
    with the input, the kernel axes reaching the output), as Keras's EinsumDense gives it."""
    if not isinstance(initializer, VarianceScaling) or (
            initializer.input_axes is not None and initializer.output_axes is not None):
        return initializer
    config = dict(initializer.get_config(), input_axes=list(plan.input_axes), output_axes=list(plan.output_axes))
    return type(initializer).from_config(config)


class EinsumDense(Layer):
    """`activation(einsum(equation, inputs, kernel) + bias)`; see the module docstring."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None, gptq_unpacked_column_size=None,
                 quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        where = f"EinsumDense {self.name!r}"
        parse_equation(equation, where)
        for argument, value, why in (
                ("lora_rank", lora_rank, "LoRA fine-tuning is not implemented in symk"),
                ("gptq_unpacked_column_size", gptq_unpacked_column_size, "symk has no GPTQ quantization"),
                ("quantization_config", quantization_config, "symk has no quantized layers")):
            if value is not None:
                raise ValueError(f"{where}: {argument}={value!r} is not supported ({why}); pass {argument}=None")
        if bias_axes is not None and not isinstance(bias_axes, str):
            raise TypeError(f"{where}: bias_axes must be a string of output letters such as 'de', or None; "
                            f"received {bias_axes!r}")
        self.equation = equation
        if isinstance(output_shape, int):
            self.partial_output_shape = (output_shape,)
        else:
            try:
                self.partial_output_shape = tuple(output_shape)
            except TypeError:
                raise TypeError(f"{where}: output_shape must be an int or a tuple of ints/None; received "
                                f"{output_shape!r}") from None
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.lora_rank, self.lora_alpha = None, lora_alpha  # lora_alpha without lora_rank does nothing (in Keras too)
        self._weight_prefix = None  # set by an owning layer: weights named 'multi_head_attention/query/kernel'

    def add_weight(self, *args, **kwargs):
        var = super().add_weight(*args, **kwargs)
        if self._weight_prefix:
            # NOTE: re-path the variable under its owner, as Keras names a sub-layer's weights;
            # Layer.add_weight only knows this layer's own name.
            variables_module._used_paths.discard(var.path)
            var.path = variables_module._unique_path(f"{self._weight_prefix}/{var.short_name}")
        return var

    def _plan(self, input_shape) -> EinsumPlan:
        return plan_einsum(self.equation, self.bias_axes, input_shape, self.partial_output_shape,
                           f"EinsumDense {self.name!r}")

    def build(self, input_shape):
        plan = self._plan(input_shape)
        for what, shape in (("kernel", plan.kernel_shape), ("bias", plan.bias_shape or ())):
            if any(d is None for d in shape):
                raise ValueError(
                    f"EinsumDense {self.name!r}: the {what} shape {shape} has an unknown size; the input shape "
                    f"{tuple(input_shape)} and output_shape {self.partial_output_shape} must fix every axis the "
                    f"{what} has in {self.equation!r}. Give those sizes in output_shape (or in the Input's shape).")
        self.kernel = add_weight_with_settings(self, "kernel", plan.kernel_shape,
                                               initializer=_with_einsum_fans(self.kernel_initializer, plan))
        self.bias = add_weight_with_settings(self, "bias", plan.bias_shape) if plan.bias_shape is not None else None
        self.input_spec = InputSpec(ndim=len(input_shape), axes=plan.kernel_input_axes)
        super().build(input_shape)

    def call(self, inputs, training=None):
        x = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = apply("add", [x, self.bias])
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return self._plan(input_shape).output_shape

    def get_config(self):
        config = super().get_config()
        config.update(output_shape=self.partial_output_shape, equation=self.equation,
                      activation=activations.serialize(self.activation), bias_axes=self.bias_axes)
        config.update(weight_settings_config(self, ("kernel", "bias"), activity_regularizer=True))
        config["quantization_config"] = None
        return config
