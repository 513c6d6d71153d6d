"""ONNX forms of the elementwise ops (symk/ops/elementwise.py, nn_activations.py): one ONNX node each,
or a short formula. Mixed input dtypes are cast to the output dtype first, as symk promotes them."""
from __future__ import annotations

import numpy as np

from .registry import def_onnx

BINARY = {"add": "Add", "subtract": "Sub", "multiply": "Mul", "divide": "Div", "maximum": "Max",
          "minimum": "Min", "power": "Pow", "equal": "Equal", "greater": "Greater", "less": "Less",
          "greater_equal": "GreaterOrEqual", "less_equal": "LessOrEqual", "logical_and": "And",
          "logical_or": "Or", "logical_xor": "Xor"}
COMPARISONS = {"equal", "greater", "less", "greater_equal", "less_equal"}
UNARY = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "exp": "Exp", "log": "Log", "sqrt": "Sqrt",
         "abs": "Abs", "negative": "Neg", "floor": "Floor", "ceil": "Ceil", "sin": "Sin", "cos": "Cos",
         "erf": "Erf", "softplus": "Softplus", "softsign": "Softsign", "reciprocal": "Reciprocal",
         "sign": "Sign", "logical_not": "Not", "identity": "Identity", "linear": "Identity", "tan": "Tan",
         "selu": "Selu", "mish": "Mish", "round": "Round"}


def _common_inputs(ctx, node, dtype: str) -> list:
    return [x if spec.dtype == dtype else ctx.cast(x, dtype) for x, spec in zip(node.inputs, node.in_specs)]


def _binary(onnx_type: str, comparison: bool):
    def emit(ctx, node):
        dtype = node.out_specs[0].dtype if not comparison else str(np.result_type(*[s.dtype for s in node.in_specs]))
        return ctx.op(onnx_type, _common_inputs(ctx, node, dtype))
    return emit


def _unary(onnx_type: str):
    def emit(ctx, node):
        (x,) = _common_inputs(ctx, node, node.out_specs[0].dtype) if onnx_type != "Not" else node.inputs
        return ctx.op(onnx_type, [x])
    return emit


for _name, _type in BINARY.items():
    def_onnx(_name, _binary(_type, _name in COMPARISONS))
for _name, _type in UNARY.items():
    def_onnx(_name, _unary(_type))


def _scalar(ctx, node, value):
    return ctx.const(np.asarray(value, node.out_specs[0].dtype))


@def_onnx("square")
def _square(ctx, node):
    return ctx.op("Mul", [node.inputs[0], node.inputs[0]])


@def_onnx("rsqrt")
def _rsqrt(ctx, node):
    return ctx.op("Reciprocal", [ctx.op("Sqrt", node.inputs)])


@def_onnx("silu")
def _silu(ctx, node):
    return ctx.op("Mul", [node.inputs[0], ctx.op("Sigmoid", node.inputs)])


def_onnx("swish", _silu)


@def_onnx("relu6")
def _relu6(ctx, node):
    return ctx.op("Clip", [node.inputs[0], _scalar(ctx, node, 0), _scalar(ctx, node, 6)])


@def_onnx("elu")
def _elu(ctx, node):
    alpha = getattr(node.attrs, "alpha", 1.0)
    return ctx.op("Elu", node.inputs, alpha=float(alpha))


@def_onnx("leaky_relu")
def _leaky_relu(ctx, node):
    slope = getattr(node.attrs, "negative_slope", getattr(node.attrs, "alpha", 0.2))
    return ctx.op("LeakyRelu", node.inputs, alpha=float(slope))


@def_onnx("hard_sigmoid")
def _hard_sigmoid(ctx, node):
    # Keras 3: relu6(x + 3) / 6, i.e. ONNX HardSigmoid with alpha 1/6 and beta 0.5
    return ctx.op("HardSigmoid", node.inputs, alpha=1.0 / 6.0, beta=0.5)


@def_onnx("gelu")
def _gelu(ctx, node):
    approximate = getattr(node.attrs, "approximate", True)
    if ctx.opset >= 20:
        return ctx.op("Gelu", node.inputs, approximate="tanh" if approximate else "none")
    raise node.fail("Gelu needs opset 20", "export with opset=20 or newer")


@def_onnx("clip")
def _clip(ctx, node):
    x, dtype = node.inputs[0], node.out_specs[0].dtype
    low = "" if node.attrs.min_value is None else ctx.const(np.asarray(node.attrs.min_value, dtype))
    high = "" if node.attrs.max_value is None else ctx.const(np.asarray(node.attrs.max_value, dtype))
    return ctx.op("Clip", [x, low, high])


@def_onnx("where")
def _where(ctx, node):
    cond, a, b = node.inputs
    dtype = node.out_specs[0].dtype
    a, b = [x if s.dtype == dtype else ctx.cast(x, dtype) for x, s in zip((a, b), node.in_specs[1:])]
    return ctx.op("Where", [cond, a, b])


@def_onnx("cast")
def _cast(ctx, node):
    return ctx.cast(node.inputs[0], node.out_specs[0].dtype)
