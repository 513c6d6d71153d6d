"""Ops that only passes create: `fused_linear` (matmul/conv + bias_add + activation in one node).

Its rule and lowering compose the registered rules and lowerings of its parts, so it agrees
with the unfused graph by construction and supports any linear op or activation declared later.
"""
from __future__ import annotations

from ..ops.registry import def_op, get_op
from ..shapes import TensorSpec


def _parts(attrs):
    base = get_op(attrs.base)
    steps = [(base, base.attrs_type(**dict(attrs.base_attrs)))]
    bias = get_op("bias_add")
    steps.append((bias, bias.attrs_type(data_format=attrs.data_format)))
    if attrs.activation is not None:
        act = get_op(attrs.activation)
        steps.append((act, act.attrs_type(**dict(attrs.activation_attrs))))
    return steps


def _as_spec(out) -> TensorSpec:
    return out if isinstance(out, TensorSpec) else out[0]


def fused_linear_rule(specs, attrs):
    x, kernel, bias = specs
    (base, base_attrs), (bias_op, bias_attrs), *act = _parts(attrs)
    y = _as_spec(base.shape([x, kernel], base_attrs))
    y = _as_spec(bias_op.shape([y, bias], bias_attrs))
    for op, op_attrs in act:
        y = _as_spec(op.shape([y], op_attrs))
    return y


def _fused_linear(x, kernel, bias, base, base_attrs, data_format, activation, activation_attrs):
    y = get_op(base).lower(x, kernel, **dict(base_attrs))
    y = get_op("bias_add").lower(y, bias, data_format=data_format)
    if activation is not None:
        y = get_op(activation).lower(y, **dict(activation_attrs))
    return y


def_op("fused_linear", fused_linear_rule, _fused_linear,
       attrs=dict(base="matmul", base_attrs=(), data_format="channels_last", activation=None, activation_attrs=()),
       inputs=3, doc="activation(bias_add(base(x, kernel), bias)): one node for a Dense or Conv layer's ops.")
