"""Ops that only passes create: `fused_linear` (matmul/conv + bias_add + activation in one node) and
`fused_elementwise` (a chain of fusible ops in one node).

Its rule and lowering compose the registered rules and lowerings of its parts, so it agrees
with the unfused graph by construction and supports any linear op or activation declared later.
"""
from __future__ import annotations

from ..errors import RuleViolation
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


# -- fused_elementwise: a chain of fusible ops in one node ----------------------------------
# attrs.chain is a tuple of steps (op name, attrs as (key, value) pairs, wiring); wiring names each
# input of the step as ("input", k) (the fused node's k-th input) or ("step", j) (step j's result).
# The last step's result is the node's output.
def _chain_steps(chain):
    for name, items, wiring in chain:
        op = get_op(name)
        yield op, op.attrs_type(**dict(items)), wiring


def _wired(values: list, results: list, wiring, what: str):
    args = []
    for source, index in wiring:
        pool = values if source == "input" else results
        if source not in ("input", "step") or not 0 <= index < len(pool):
            raise RuleViolation(f"the chain's {what} reads {source} {index}, which does not exist "
                                f"({len(values)} inputs, {len(results)} earlier steps)",
                                "build fused_elementwise chains with symk.passes.fuse_elementwise")
        args.append(pool[index])
    return args


def fused_elementwise_rule(specs, attrs):
    if not attrs.chain:
        raise RuleViolation("a fused_elementwise chain needs at least one step", "fuse two or more ops")
    results = []
    for position, (op, op_attrs, wiring) in enumerate(_chain_steps(attrs.chain)):
        results.append(_as_spec(op.shape(_wired(list(specs), results, wiring, f"step {position}"), op_attrs)))
    return results[-1]


def _fused_elementwise(*inputs, chain):
    results = []
    for op, op_attrs, wiring in _chain_steps(chain):
        out = op.lower(*_wired(list(inputs), results, wiring, "step"), **op.attr_dict(op_attrs))
        results.append(out[0] if isinstance(out, tuple) else out)
    return results[-1]


def_op("fused_elementwise", fused_elementwise_rule, _fused_elementwise, attrs=dict(chain=()), inputs=None,
       doc="A chain of fusible ops run as one node (its steps' lowerings in order).")
