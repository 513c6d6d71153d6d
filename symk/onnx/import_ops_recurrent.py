"""ONNX import, recurrent operators: CausalConvWithState (onnx 1.23), and RNN / GRU / LSTM (ONNX gate layouts,
directions, sequence_lens, initial states, peepholes, linear_before_reset, layout).

CausalConvWithState is a depthwise 1-D convolution over (batch, channels, length) whose left context is the
carried state (zeros when absent): out[t] = sum_j w[j] * padded[t + j], present_state = the last k-1 inputs.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from .import_ops_shape import shape_of
from .import_registry import def_import

CONV_ACTIVATIONS = ("none", "silu", "swish")


@def_import("CausalConvWithState")
def _causal_conv_with_state(node):
    x, weight, bias, past = node.input(0), node.input(1), node.input(2), node.input(3)
    activation = node.attr("activation", "none")
    if activation not in CONV_ACTIVATIONS:
        raise node.fail(f"activation {activation!r} is not one of {CONV_ACTIVATIONS}")
    if len(shape_of(x)) != 3 or len(shape_of(weight)) != 3:
        raise node.fail(f"input must be (batch, channels, length) and weight (channels, 1, k); got "
                        f"{shape_of(x)} and {shape_of(weight)}")
    batch, channels, length = shape_of(x)
    k = shape_of(weight)[2]
    dtype = str(x.dtype)
    if past is None:
        past = np.zeros((batch, channels, k - 1), dtype)
    padded = ops.concatenate([past, x], axis=2) if k > 1 else x
    # the taps summed one by one in float32: k is small (a few), and this is exact where a grouped conv would
    # need channels-last layouts
    taps = ops.cast(ops.reshape(weight, (channels, k)), "float32")
    wide = ops.cast(padded, "float32")
    total = None
    for j in range(k):
        term = ops.multiply(wide[:, :, j:j + length], ops.reshape(taps[:, j], (channels, 1)))
        total = term if total is None else ops.add(total, term)
    if bias is not None:
        total = ops.add(total, ops.reshape(ops.cast(bias, "float32"), (channels, 1)))
    if activation in ("silu", "swish"):
        total = ops.cast(total, dtype)   # the reference rounds the convolution before the activation
        total = ops.multiply(ops.cast(total, "float32"), ops.sigmoid(ops.cast(total, "float32")))
    out = ops.cast(total, dtype)
    present = padded[:, :, length:] if k > 1 else np.zeros((batch, channels, 0), dtype)
    return [out, present][:node.num_outputs]


# -- RNN / GRU / LSTM -------------------------------------------------------------------------
# An activation name -> (function of x, alpha, beta; default alpha; default beta). Alphas and betas are consumed
# in order by the activations that take them, as ONNX Runtime reads activation_alpha / activation_beta.
ACTIVATIONS = {
    "relu": (lambda x, a, b: ops.relu(x), None, None),
    "tanh": (lambda x, a, b: ops.tanh(x), None, None),
    "sigmoid": (lambda x, a, b: ops.sigmoid(x), None, None),
    "softsign": (lambda x, a, b: ops.softsign(x), None, None),
    "softplus": (lambda x, a, b: ops.softplus(x), None, None),
    "affine": (lambda x, a, b: ops.add(ops.multiply(x, a), b), 1.0, 0.0),
    "leakyrelu": (lambda x, a, b: ops.where(ops.greater_equal(x, 0), x, ops.multiply(x, a)), 0.01, None),
    "thresholdedrelu": (lambda x, a, b: ops.where(ops.greater(x, a), x, ops.zeros_like(x)), 1.0, None),
    "scaledtanh": (lambda x, a, b: ops.multiply(ops.tanh(ops.multiply(x, b)), a), 1.0, 1.0),
    "hardsigmoid": (lambda x, a, b: ops.clip(ops.add(ops.multiply(x, a), b), 0.0, 1.0), 0.2, 0.5),
    "elu": (lambda x, a, b: ops.where(ops.greater_equal(x, 0), x, ops.multiply(ops.expm1(x), a)), 1.0, None),
}
# gates per cell, and the activations a cell uses when the node gives none (f, g, h in ONNX's terms)
CELLS = {"RNN": (1, ["Tanh"]), "GRU": (3, ["Sigmoid", "Tanh"]), "LSTM": (4, ["Sigmoid", "Tanh", "Tanh"])}


def _activations(node, num_directions: int, dtype: str) -> list:
    """One list of activation functions per direction."""
    per_direction = len(CELLS[node.op_type][1])
    names = node.attr("activations") or CELLS[node.op_type][1] * num_directions
    if len(names) == per_direction and num_directions == 2:
        names = names * 2
    if len(names) != per_direction * num_directions:
        raise node.fail(f"activations lists {len(names)} functions; {node.op_type} needs {per_direction} per "
                        f"direction ({per_direction * num_directions} here)")
    alphas, betas = list(node.attr("activation_alpha") or []), list(node.attr("activation_beta") or [])
    functions = []
    for name in names:
        if name.lower() not in ACTIVATIONS:
            raise node.fail(f"activation {name!r} is not one of ONNX's RNN activations ({sorted(ACTIVATIONS)})")
        fn, alpha, beta = ACTIVATIONS[name.lower()]
        alpha = (alphas.pop(0) if alphas else alpha) if alpha is not None else None
        beta = (betas.pop(0) if betas else beta) if beta is not None else None
        a = None if alpha is None else np.asarray(alpha, dtype)
        b = None if beta is None else np.asarray(beta, dtype)
        functions.append(lambda x, fn=fn, a=a, b=b: fn(x, a, b))
    return [functions[d * per_direction:(d + 1) * per_direction] for d in range(num_directions)]


def _cell_step(op_type, acts, r_t, rb, peephole, clip, hidden, linear_before_reset):
    """The step function of one direction: (state, projected input x W^T + Wb) -> new state (h, or (h, c))."""
    f = acts[0]
    limit = (lambda v: ops.clip(v, -clip, clip)) if clip else (lambda v: v)

    def gate(v, lo, hi):
        return v[..., lo * hidden:hi * hidden]

    def step(state, xw):
        h = state[0]
        if op_type == "RNN":
            return [f(limit(ops.add(ops.add(xw, ops.matmul(h, r_t)), rb)))]
        if op_type == "GRU":
            g = acts[1]
            hr = ops.matmul(h, r_t[:, :2 * hidden])
            z = f(limit(ops.add(gate(xw, 0, 1), ops.add(gate(hr, 0, 1), rb[:hidden]))))
            r = f(limit(ops.add(gate(xw, 1, 2), ops.add(gate(hr, 1, 2), rb[hidden:2 * hidden]))))
            if linear_before_reset:
                recurrent = ops.multiply(r, ops.add(ops.matmul(h, r_t[:, 2 * hidden:]), rb[2 * hidden:]))
            else:
                recurrent = ops.add(ops.matmul(ops.multiply(r, h), r_t[:, 2 * hidden:]), rb[2 * hidden:])
            candidate = g(limit(ops.add(gate(xw, 2, 3), recurrent)))
            return [ops.add(ops.multiply(ops.subtract(1, z), candidate), ops.multiply(z, h))]
        g, out_act = acts[1], acts[2]
        c = state[1]
        gates = ops.add(ops.add(xw, ops.matmul(h, r_t)), rb)
        p_i, p_o, p_f, coupled = peephole
        i = f(limit(ops.add(gate(gates, 0, 1), ops.multiply(p_i, c))))
        forget = f(limit(ops.add(gate(gates, 2, 3), ops.multiply(p_f, c)))) if not coupled else \
            ops.subtract(1, i)     # input_forget couples the gates
        new_c = ops.add(ops.multiply(forget, c), ops.multiply(i, g(limit(gate(gates, 3, 4)))))
        o = f(limit(ops.add(gate(gates, 1, 2), ops.multiply(p_o, new_c))))
        return [ops.multiply(o, out_act(new_c)), new_c]

    return step


def _reverse_within_lengths(x, lengths, steps: int):
    """x (steps, batch, ...) with each sequence's first lengths[b] steps reversed and its padding left in place
    (ONNX's reverse direction reads the valid steps backwards); its own inverse."""
    t = np.arange(steps, dtype=np.int32)[:, None]
    index = ops.where(ops.less(t, lengths[None]), ops.subtract(ops.subtract(lengths[None], 1), t), t)
    index = ops.broadcast_to(ops.reshape(index, tuple(shape_of(index)) + (1,) * (len(shape_of(x)) - 2)),
                             shape_of(x))
    return ops.take_along_axis(x, index, axis=0)


def _run_direction(step, x_proj, state, lengths, reverse: bool, steps: int):
    """Scan one direction: returns (outputs (steps, batch, hidden), final state). Steps past a sequence's length
    keep its state and output zeros."""
    if reverse:
        x_proj = ops.flip(x_proj, axis=0) if lengths is None else _reverse_within_lengths(x_proj, lengths, steps)
    if lengths is None:
        def body(carry, xw):
            new = step(carry, xw)
            return new, new[0]
        final, ys = ops.scan(body, state, x_proj)
    else:
        valid = ops.less(np.arange(steps, dtype=np.int32)[:, None, None], ops.reshape(lengths, (1, -1, 1)))

        def body(carry, inputs):
            xw, ok = inputs
            new = [ops.where(ok, n, c) for n, c in zip(step(carry, xw), carry)]
            return new, ops.where(ok, new[0], ops.zeros_like(new[0]))
        final, ys = ops.scan(body, state, [x_proj, valid])
    if reverse:
        ys = ops.flip(ys, axis=0) if lengths is None else _reverse_within_lengths(ys, lengths, steps)
    return ys, final


@def_import("RNN", "GRU", "LSTM")
def _recurrent(node):
    """ONNX's RNN, GRU and LSTM (gate orders: GRU z r h, LSTM i o f c; peepholes i o f), one scan per direction over
    (seq, batch, input); the input projection x W^T + Wb runs for all steps at once, before the scan."""
    op_type = node.op_type
    gates, _ = CELLS[op_type]
    x, w, r, b, lengths, h0 = (node.input(i) for i in range(6))
    c0, peepholes = (node.input(6), node.input(7)) if op_type == "LSTM" else (None, None)
    layout = node.attr("layout", 0)
    if layout:   # (batch, seq, input) and (batch, directions, hidden) states
        x = ops.swapaxes(x, 0, 1)
        h0 = None if h0 is None else ops.swapaxes(h0, 0, 1)
        c0 = None if c0 is None else ops.swapaxes(c0, 0, 1)
    steps, batch, _ = shape_of(x)
    directions, hidden = shape_of(w)[0], shape_of(r)[-1]
    direction = node.attr("direction", "forward")
    expected = 2 if direction == "bidirectional" else 1
    if direction not in ("forward", "reverse", "bidirectional") or directions != expected:
        raise node.fail(f"direction {direction!r} needs W with {expected} direction(s), got W of shape {shape_of(w)}")
    if shape_of(w)[1] != gates * hidden:
        raise node.fail(f"W of shape {shape_of(w)} does not hold {gates} gates of hidden size {hidden}")
    dtype = str(x.dtype)
    acts = _activations(node, directions, dtype)
    clip = node.attr("clip", None)
    if lengths is not None:
        lengths = ops.cast(lengths, "int32")
    ys, finals = [], []
    for d in range(directions):
        wb = rb = np.zeros((gates * hidden,), dtype)
        if b is not None:
            wb, rb = b[d, :gates * hidden], b[d, gates * hidden:]
        x_proj = ops.add(ops.matmul(x, ops.transpose(w[d], (1, 0))), wb)
        # zeros shaped by the data, so an unknown batch (None) stays unknown
        zeros = np.zeros((batch, hidden), dtype) if batch is not None else ops.zeros_like(x_proj[0, :, :hidden])
        state = [h0[d] if h0 is not None else zeros]
        peephole = None
        if op_type == "LSTM":
            state.append(c0[d] if c0 is not None else zeros)
            p = peepholes[d] if peepholes is not None else np.zeros((3 * hidden,), dtype)
            peephole = (p[:hidden], p[hidden:2 * hidden], p[2 * hidden:], bool(node.attr("input_forget", 0)))
        step = _cell_step(op_type, acts[d], ops.transpose(r[d], (1, 0)), rb, peephole, clip, hidden,
                          node.attr("linear_before_reset", 0))
        reverse = direction == "reverse" or d == 1
        y, final = _run_direction(step, x_proj, state, lengths, reverse, steps)
        ys.append(y)
        finals.append(final)
    y = ops.stack(ys, axis=1)                                   # (seq, directions, batch, hidden)
    y_h = ops.stack([f[0] for f in finals], axis=0)             # (directions, batch, hidden)
    outs = [y, y_h]
    if op_type == "LSTM":
        outs.append(ops.stack([f[1] for f in finals], axis=0))
    if layout:
        outs = [ops.transpose(outs[0], (2, 0, 1, 3))] + [ops.swapaxes(o, 0, 1) for o in outs[1:]]
    return outs[:node.num_outputs]
