"""ONNX forms of the recurrent ops (symk/ops/recurrent.py): the `rnn` op becomes ONNX's RNN, LSTM or GRU
node, the sequence helpers become Shape/Reshape/Slice arithmetic.

Keras and ONNX lay the gates out differently: Keras's LSTM kernels are (in, 4 * units) in i, f, c, o
order, ONNX's W is (1, 4 * units, in) in i, o, f, c order; GRU keeps z, r, h in both. The kernels are
rearranged by nodes on their initializers. go_backwards runs forward over the time-reversed sequence,
which is what symk's lowering does (the output sequence stays in processing order)."""
from __future__ import annotations

import numpy as np

from .ops_array import INT64_MAX
from .registry import def_onnx

ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu"}
LSTM_ORDER = (0, 3, 1, 2)   # ONNX's i, o, f, c taken from Keras's i, f, c, o


def _gate_weights(ctx, kernel, units: int, order) -> str:
    """Keras (rows, gates * units) -> ONNX (1, gates * units, rows), gates reordered."""
    if order is not None:
        parts = ctx.op("Split", [kernel, ctx.ints([units] * len(order))], outputs=len(order), axis=1)
        kernel = ctx.op("Concat", [parts[i] for i in order], axis=1)
    return ctx.op("Unsqueeze", [ctx.transpose(kernel, [1, 0]), ctx.ints([0])])


def _bias(ctx, node, bias, width: int, order, units) -> str:
    """ONNX's B is (1, 2 * width): input biases then recurrent biases."""
    cell, dtype = node.attrs.cell, node.out_specs[0].dtype
    if bias is None:
        return ctx.const(np.zeros((1, 2 * width), dtype))
    if cell == "gru" and node.attrs.reset_after:
        return ctx.reshape(bias, [1, 2 * width])         # (2, 3 * units): input row, recurrent row
    if order is not None:
        parts = ctx.op("Split", [bias, ctx.ints([units] * len(order))], outputs=len(order), axis=0)
        bias = ctx.op("Concat", [parts[i] for i in order], axis=0)
    full = ctx.op("Concat", [bias, ctx.const(np.zeros((width,), dtype))], axis=0)
    return ctx.reshape(full, [1, 2 * width])


@def_onnx("rnn")
def _rnn(ctx, node):
    attrs = node.attrs
    if attrs.has_mask or attrs.has_input_dropout or attrs.has_recurrent_dropout:
        raise node.fail("masked recurrences (mask_zero, a mask input) have no ONNX form here",
                        "export the model without masking")
    for which in ("activation", "recurrent_activation"):
        if getattr(attrs, which) not in ACTIVATIONS:
            raise node.fail(f"{which} {getattr(attrs, which)!r} has no ONNX RNN activation",
                            f"use one of {sorted(ACTIVATIONS)}")
    units, cell = attrs.units, attrs.cell
    gates = {"simple": 1, "lstm": 4, "gru": 3}[cell]
    x, kernel, recurrent = node.inputs[:3]
    rest = node.inputs[3:]
    bias = rest.pop(0) if attrs.use_bias else None
    states = rest
    order = LSTM_ORDER if cell == "lstm" else None
    W, R = _gate_weights(ctx, kernel, units, order), _gate_weights(ctx, recurrent, units, order)
    B = _bias(ctx, node, bias, gates * units, order, units)
    if attrs.go_backwards:
        x = ctx.op("Slice", [x, ctx.ints([-1]), ctx.ints([-INT64_MAX]), ctx.ints([1]), ctx.ints([-1])])
    sequence = ctx.transpose(x, [1, 0, 2])                      # ONNX's default layout: (time, batch, features)
    initial = [ctx.op("Unsqueeze", [s, ctx.ints([0])]) for s in states]
    act, rec = ACTIVATIONS[attrs.activation], ACTIVATIONS[attrs.recurrent_activation]
    common = dict(hidden_size=units, direction="forward")
    if cell == "simple":
        y, y_h = ctx.op("RNN", [sequence, W, R, B, "", initial[0]], outputs=2, activations=[act], **common)
        finals = [y_h]
    elif cell == "lstm":
        y, y_h, y_c = ctx.op("LSTM", [sequence, W, R, B, "", initial[0], initial[1]], outputs=3,
                             activations=[rec, act, act], **common)
        finals = [y_h, y_c]
    else:
        y, y_h = ctx.op("GRU", [sequence, W, R, B, "", initial[0]], outputs=2, activations=[rec, act],
                        linear_before_reset=int(bool(attrs.reset_after)), **common)
        finals = [y_h]
    finals = [ctx.op("Squeeze", [f, ctx.ints([0])]) for f in finals]   # (1, batch, units) -> (batch, units)
    if attrs.return_sequences:
        first = ctx.transpose(ctx.op("Squeeze", [y, ctx.ints([1])]), [1, 0, 2])
    else:
        first = ctx.op("Identity", [finals[0]])
    return [first] + finals


@def_onnx("batch_full")
def _batch_full(ctx, node):
    from onnx import numpy_helper

    batch = ctx.shape_of(node.inputs[0], 0, 1)
    shape = ctx.op("Concat", [batch, ctx.ints(node.attrs.shape)], axis=0)
    value = numpy_helper.from_array(np.asarray([node.attrs.value], node.out_specs[0].dtype), "value")
    return ctx.op("ConstantOfShape", [shape], value=value)


@def_onnx("reverse")
def _reverse(ctx, node):
    axis = node.attrs.axis % len(node.in_specs[0].shape)
    return ctx.op("Slice", [node.inputs[0], ctx.ints([-1]), ctx.ints([-INT64_MAX]), ctx.ints([axis]),
                            ctx.ints([-1])])


@def_onnx("merge_leading")
def _merge_leading(ctx, node):
    rest = ctx.shape_of(node.inputs[0], 2)
    return ctx.reshape(node.inputs[0], ctx.op("Concat", [ctx.ints([-1]), rest], axis=0))


@def_onnx("split_leading")
def _split_leading(ctx, node):
    y, ref = node.inputs
    leading = ctx.shape_of(ref, 0, 2)
    rest = ctx.shape_of(y, 1)
    return ctx.reshape(y, ctx.op("Concat", [leading, rest], axis=0))
