"""Recurrent ops: one `rnn` op (SimpleRNN / LSTM / GRU cells over `lax.scan`), plus the small
sequence helpers the recurrent and wrapper layers need (batch-sized fills, time reversal,
folding the time axis into the batch and back).

    outputs, h = ops.rnn([x, kernel, recurrent_kernel, bias, h0], cell="simple", units=4)
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ..errors import RuleViolation
from ..shapes import TensorSpec, normalize_axis
from .registry import MULTI_OUTPUT, def_op

GATES = {"simple": 1, "lstm": 4, "gru": 3}
STATE_COUNT = {"simple": 1, "lstm": 2, "gru": 1}


# -- the rnn op --------------------------------------------------------------------
def _input_roles(attrs) -> list[str]:
    """The meaning of each input of an rnn node, in order (optional ones per the attrs)."""
    roles = ["sequences", "kernel", "recurrent_kernel"]
    if attrs.use_bias:
        roles.append("bias")
    roles += ["initial_state"] * STATE_COUNT.get(attrs.cell, 1)
    if attrs.has_mask:
        roles.append("mask")
    if attrs.has_input_dropout:
        roles.append("input_dropout")
    if attrs.has_recurrent_dropout:
        roles.append("recurrent_dropout")
    return roles


def _known_equal(a, b) -> bool:
    return a is None or b is None or a == b


def _check_shape(role: str, got, expected, hint: str) -> None:
    if len(got) != len(expected) or not all(_known_equal(g, e) for g, e in zip(got, expected)):
        shown = tuple("batch" if e is None else e for e in expected)
        raise RuleViolation(f"the {role} must have shape {shown}, got {tuple(got)}", hint)


def rnn_rule(specs, attrs):
    if attrs.cell not in GATES:
        raise RuleViolation(f"unknown cell kind {attrs.cell!r}", "use 'simple', 'lstm' or 'gru'")
    if attrs.units < 1:
        raise RuleViolation(f"units must be a positive integer, got {attrs.units}", "pass units >= 1")
    roles = _input_roles(attrs)
    if len(specs) != len(roles):
        raise RuleViolation(f"the rnn op with these attributes takes {len(roles)} inputs ({', '.join(roles)}), "
                            f"got {len(specs)}", "pass the inputs in that order")
    x = specs[0].shape
    if len(x) != 3:
        raise RuleViolation(f"the sequences must have rank 3 (batch, timesteps, features), got rank {len(x)}",
                            "reshape the input to (batch, timesteps, features), e.g. with Reshape or TimeDistributed")
    if "float" not in specs[0].dtype:
        raise RuleViolation(f"the sequences must be floating point, got {specs[0].dtype}",
                            "cast integer inputs first (or put an Embedding layer in front)")
    batch, steps, features = x
    units, width = attrs.units, GATES[attrs.cell] * attrs.units
    if features is None:
        raise RuleViolation("the feature axis of the sequences must be known", "give the Input a fixed last axis")
    by_role = list(zip(roles, specs))
    for role, spec in by_role[1:]:
        if role == "kernel":
            _check_shape(role, spec.shape, (features, width), "the kernel is (input features, gates * units)")
        elif role == "recurrent_kernel":
            _check_shape(role, spec.shape, (units, width), "the recurrent kernel is (units, gates * units)")
        elif role == "bias":
            bias_shape = (2, width) if attrs.cell == "gru" and attrs.reset_after else (width,)
            _check_shape(role, spec.shape, bias_shape, "GRU with reset_after=True has a (2, 3 * units) bias")
        elif role in ("initial_state", "recurrent_dropout"):
            _check_shape(role, spec.shape, (batch, units), f"each state of this cell has shape (batch, {units})")
        elif role == "input_dropout":
            _check_shape(role, spec.shape, (batch, features), "the input dropout mask is (batch, features)")
        elif role == "mask":
            _check_shape(role, spec.shape, (batch, steps), "the mask is (batch, timesteps)")
            if spec.dtype != "bool":
                raise RuleViolation(f"the mask must be bool, got {spec.dtype}", "compare with 0 to make a bool mask")
    dtype = specs[0].dtype
    output = TensorSpec.of((batch, steps, units) if attrs.return_sequences else (batch, units), dtype)
    states = [TensorSpec.of((batch, units), dtype)] * STATE_COUNT[attrs.cell]
    return (output, *states)


def _activation(identifier):
    from .. import activations  # activations import this package: look them up at lowering time

    return activations.get(identifier)


def _step_function(attrs, kernel, recurrent_kernel, bias, input_dropout, recurrent_dropout):
    """(states, one step's inputs x_t) -> (output, new states), for one cell kind.

    NOTE: the input projection x_t @ kernel runs inside the scan body, as Keras's JAX path does:
    projecting every step up front materializes a (time, batch, gates * units) tensor, its gradient
    and several transposes; on XLA:CPU that grew the LSTM step's scratch buffer past glibc's mmap
    threshold (~11,000 page faults a step) and measured 3x slower. The gates are split once."""
    act, rec_act = _activation(attrs.activation), _activation(attrs.recurrent_activation)
    gates = GATES[attrs.cell]
    if bias is not None:  # a (1, width) row: explicit broadcasting over the batch
        bias = bias[:, None, :] if attrs.cell == "gru" and attrs.reset_after else bias[None, :]

    def step_input(x_t):
        # the same dropout mask at every step (Keras's RNN dropout)
        return x_t if input_dropout is None else x_t * input_dropout

    def recurrent_input(h):
        return h if recurrent_dropout is None else h * recurrent_dropout

    if attrs.cell == "simple":
        def step(states, x_t):
            z = step_input(x_t) @ kernel
            if bias is not None:
                z = z + bias
            h = act(z + recurrent_input(states[0]) @ recurrent_kernel)
            return h, (h,)
    elif attrs.cell == "lstm":
        def step(states, x_t):
            h_prev, c_prev = states
            z = step_input(x_t) @ kernel + recurrent_input(h_prev) @ recurrent_kernel
            if bias is not None:
                z = z + bias
            i, f, g, o = jnp.split(z, gates, axis=-1)
            c = rec_act(f) * c_prev + rec_act(i) * act(g)
            h = rec_act(o) * act(c)
            return h, (h, c)
    else:
        input_bias = None if bias is None else (bias[0] if attrs.reset_after else bias)
        recurrent_bias = bias[1] if bias is not None and attrs.reset_after else None
        units = attrs.units

        def step(states, x_t):
            h_prev = states[0]
            projected = step_input(x_t) @ kernel
            if input_bias is not None:
                projected = projected + input_bias
            x_z, x_r, x_h = jnp.split(projected, gates, axis=-1)
            h_in = recurrent_input(h_prev)
            if attrs.reset_after:
                inner = h_in @ recurrent_kernel
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
                r_z, r_r, r_h = jnp.split(inner, gates, axis=-1)
                z, r = rec_act(x_z + r_z), rec_act(x_r + r_r)
                candidate = act(x_h + r * r_h)
            else:
                r_zr = h_in @ recurrent_kernel[:, :2 * units]
                z, r = rec_act(x_z + r_zr[:, :units]), rec_act(x_r + r_zr[:, units:])
                candidate = act(x_h + (r * h_in) @ recurrent_kernel[:, 2 * units:])
            h = z * h_prev + (1.0 - z) * candidate
            return h, (h,)
    return step


def _rnn(*arrays, cell, units, activation, recurrent_activation, use_bias, reset_after, go_backwards,
         return_sequences, unroll, has_mask, has_input_dropout, has_recurrent_dropout, zero_output_for_mask):
    from types import SimpleNamespace

    attrs = SimpleNamespace(cell=cell, units=units, activation=activation, recurrent_activation=recurrent_activation,
                            use_bias=use_bias, reset_after=reset_after, has_mask=has_mask,
                            has_input_dropout=has_input_dropout, has_recurrent_dropout=has_recurrent_dropout)
    named: dict = {}
    for role, value in zip(_input_roles(attrs), arrays):
        named.setdefault(role, []).append(value)
    x, kernel, recurrent_kernel = named["sequences"][0], named["kernel"][0], named["recurrent_kernel"][0]
    bias = named.get("bias", [None])[0]
    mask = named.get("mask", [None])[0]
    # time-major for the scan; XLA folds this transpose into the producer (an embedding's gather)
    steps_x = jnp.swapaxes(x, 0, 1)
    steps_mask = None if mask is None else jnp.swapaxes(mask, 0, 1)
    if go_backwards:
        steps_x = steps_x[::-1]
        steps_mask = None if steps_mask is None else steps_mask[::-1]
    step = _step_function(attrs, kernel, recurrent_kernel, bias, named.get("input_dropout", [None])[0],
                          named.get("recurrent_dropout", [None])[0])
    states = tuple(named["initial_state"])

    def body(carry, inputs):
        states, previous_output = carry
        x_t, mask_t = inputs
        output, new_states = step(states, x_t)
        if mask_t is not None:
            # a masked step leaves the states as they were and repeats the previous output (or zeros)
            keep = mask_t[:, None]
            new_states = tuple(jnp.where(keep, new, old) for new, old in zip(new_states, states))
            output = jnp.where(keep, output, jnp.zeros_like(output) if zero_output_for_mask else previous_output)
        return (new_states, output), (output if return_sequences else None)

    initial_output = jnp.zeros(states[0].shape, states[0].dtype)
    (final_states, last_output), outputs = jax.lax.scan(
        body, (states, initial_output), (steps_x, steps_mask), unroll=unroll)
    result = jnp.swapaxes(outputs, 0, 1) if return_sequences else last_output
    return (result, *final_states)


def_op("rnn", rnn_rule, _rnn, inputs=None,
       attrs=dict(cell="simple", units=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                  reset_after=True, go_backwards=False, return_sequences=False, unroll=False, has_mask=False,
                  has_input_dropout=False, has_recurrent_dropout=False, zero_output_for_mask=False),
       doc="A SimpleRNN/LSTM/GRU recurrence over axis 1, lowered to lax.scan. Inputs: sequences, kernel, "
           "recurrent_kernel, [bias], initial states, [bool mask (batch, steps)], [input dropout mask], "
           "[recurrent dropout mask]. Outputs: the sequence (or last output), then the final states.")
MULTI_OUTPUT.add("rnn")


# -- sequence helpers --------------------------------------------------------------
def batch_full_rule(specs, attrs):
    if not specs[0].shape:
        raise RuleViolation("batch_full needs an input with a batch axis, got a scalar", "pass the batch tensor")
    if any(d is None or d < 0 for d in attrs.shape):
        raise RuleViolation(f"the shape after the batch axis must be known, got {attrs.shape}", "give every size")
    return TensorSpec.of((specs[0].shape[0],) + tuple(attrs.shape), attrs.dtype)


def_op("batch_full", batch_full_rule,
       lambda x, shape, value, dtype: jnp.full((x.shape[0],) + tuple(shape), value, dtype),
       attrs=dict(shape=(), value=0.0, dtype="float32"),
       doc="An array of shape (batch of x,) + shape filled with value (zero initial states, dropout ones).")


def reverse_rule(specs, attrs):
    normalize_axis(attrs.axis, len(specs[0].shape))
    return specs[0]


def_op("reverse", reverse_rule, lambda x, axis: jnp.flip(x, axis), attrs=dict(axis=1),
       doc="The input reversed along one axis (time, for go_backwards and Bidirectional).")


def merge_leading_rule(specs, attrs):
    shape = specs[0].shape
    if len(shape) < 2:
        raise RuleViolation(f"merge_leading needs rank >= 2 (batch, time, ...), got rank {len(shape)}",
                            "pass a sequence with a time axis")
    lead = None if shape[0] is None or shape[1] is None else shape[0] * shape[1]
    return TensorSpec.of((lead,) + tuple(shape[2:]), specs[0].dtype)


def_op("merge_leading", merge_leading_rule, lambda x: jnp.reshape(x, (-1,) + x.shape[2:]),
       doc="(batch, time, ...) -> (batch * time, ...): TimeDistributed folds time into the batch.")


def split_leading_rule(specs, attrs):
    y, reference = specs[0].shape, specs[1].shape
    if len(y) < 1 or len(reference) < 2:
        raise RuleViolation("split_leading needs y of rank >= 1 and a reference of rank >= 2 (batch, time, ...)",
                            "pass the per-step result and the original sequence")
    batch, steps = reference[0], reference[1]
    if y[0] is not None and batch is not None and steps is not None and y[0] != batch * steps:
        raise RuleViolation(f"the leading axis {y[0]} must equal batch * time = {batch} * {steps}",
                            "keep one result per time step")
    return TensorSpec.of((batch, steps) + tuple(y[1:]), specs[0].dtype)


def_op("split_leading", split_leading_rule, lambda y, ref: jnp.reshape(y, ref.shape[:2] + y.shape[1:]), inputs=2,
       doc="(batch * time, ...) -> (batch, time, ...), taking batch and time from a reference sequence.")
