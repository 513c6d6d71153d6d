"""Recurrent cells: SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells, with Keras's weight
layouts (LSTM gates i, f, c, o; GRU gates z, r, h). A cell owns weights and config; the RNN
layer runs it over time with the `rnn` op. Called directly, a cell does one step:

    output, new_states = LSTMCell(4)(x_t, [h, c])
"""
from __future__ import annotations

import numpy as np

from .. import activations, initializers
from .. import variables as variables_module
from ..ops.registry import apply
from .base import Layer
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]


class _UnitForgetBias(initializers.Initializer):
    """LSTM bias: the user's initializer, but ones for the forget gate (Keras's unit_forget_bias)."""

    def __init__(self, base, units):
        self.base, self.units = base, units

    def __call__(self, shape, dtype=None):
        u = self.units
        return np.concatenate([self.base((u,), dtype), np.ones((u,), dtype or "float32"),
                               self.base((2 * u,), dtype)]).astype(dtype or "float32")


class RecurrentCell(Layer):
    """The shared part of the three Keras cells: config, weights and the rnn op's inputs."""

    kind = "simple"
    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        for legacy in ("implementation", "time_major"):
            kwargs.pop(legacy, None)
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"{type(self).__name__}: units must be a positive integer, got {units!r}")
        for what, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= float(rate) < 1.0:
                raise ValueError(f"{type(self).__name__}: {what} must be in [0, 1), got {rate!r}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_settings(self, "recurrent", recurrent_initializer, recurrent_regularizer, recurrent_constraint)
        set_weight_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.dropout, self.recurrent_dropout, self.seed = float(dropout), float(recurrent_dropout), seed
        self._weight_prefix = None  # set by the owning RNN layer: weights are named 'lstm/lstm_cell/kernel'

    # -- sizes ----------------------------------------------------------------------
    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self) -> int:
        return self.units

    @property
    def state_count(self) -> int:
        return 1

    # -- weights --------------------------------------------------------------------
    def add_weight(self, *args, **kwargs):
        var = super().add_weight(*args, **kwargs)
        if self._weight_prefix:
            # NOTE: re-path the variable under its layer ('lstm/lstm_cell/kernel') as Keras names it;
            # Layer.add_weight only knows the cell's own name.
            variables_module._used_paths.discard(var.path)
            var.path = variables_module._unique_path(f"{self._weight_prefix}/{var.short_name}")
        return var

    def _bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer {self.name!r}: the feature axis of the input must be known to build the kernel; "
                             f"received input shape {tuple(input_shape)}")
        width = self.gates * self.units
        self.kernel = add_weight_with_settings(self, "kernel", (input_dim, width))
        self.recurrent_kernel = add_weight_with_settings(self, "recurrent_kernel", (self.units, width),
                                                         settings_of="recurrent")
        self.bias = None
        if self.use_bias:
            self.bias = add_weight_with_settings(self, "bias", self._bias_shape(),
                                                 initializer=self._bias_initializer())
        super().build(input_shape)

    # -- running --------------------------------------------------------------------
    def op_attrs(self) -> dict:
        """The rnn op's attributes for this cell (the layer adds the sequence options)."""
        return dict(cell=self.kind, units=self.units, use_bias=self.use_bias,
                    activation=_activation_attr(self.activation),
                    recurrent_activation=_activation_attr(self.recurrent_activation),
                    reset_after=getattr(self, "reset_after", True))

    def weight_inputs(self) -> list:
        return [self.kernel, self.recurrent_kernel] + ([self.bias] if self.use_bias else [])

    def get_initial_state(self, batch_size=None, like=None):
        """Zero states; `like` is a (batch, ...) tensor when the batch size is only known at run time."""
        if like is not None:
            return [apply("batch_full", [like], shape=(self.units,), value=0.0, dtype=self.compute_dtype)
                    for _ in range(self.state_count)]
        return [np.zeros((batch_size, self.units), self.dtype) for _ in range(self.state_count)]

    def call(self, inputs, states, training=None):
        """One step: (batch, features) and states -> (output, new states), via a one-step rnn op."""
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != self.state_count:
            raise ValueError(f"Layer {self.name!r} expects {self.state_count} state tensor(s), got {len(states)}")
        sequence = apply("expand_dims", [inputs], axis=1)
        outs = apply("rnn", [sequence] + self.weight_inputs() + states, **self.op_attrs())
        return outs[0], list(outs[1:])

    # -- config ---------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units, activation=activations.serialize(self.activation), use_bias=self.use_bias,
            **weight_settings_config(self, ("kernel", "recurrent", "bias")),
            dropout=self.dropout, recurrent_dropout=self.recurrent_dropout, seed=self.seed,
        )
        if self.kind != "simple":
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        return config


def _activation_attr(fn):
    """Op attrs hold an activation's Keras name when it has one (readable graphs), else the function."""
    name = activations.serialize(fn)
    return name if isinstance(name, str) and activations.ALL.get(name) is fn else fn


class SimpleRNNCell(RecurrentCell):
    """h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)."""

    kind, gates = "simple", 1

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)


class LSTMCell(RecurrentCell):
    """Long short-term memory; kernel (input, 4 * units) with gates in Keras's order i, f, c, o."""

    kind, gates = "lstm", 4

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    @property
    def state_count(self) -> int:
        return 2

    def _bias_initializer(self):
        return _UnitForgetBias(self.bias_initializer, self.units) if self.unit_forget_bias else self.bias_initializer

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(RecurrentCell):
    """Gated recurrent unit; gates z, r, h. reset_after=True (default) has a (2, 3 * units) bias."""

    kind, gates = "gru", 3

    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


CELLS = {"SimpleRNNCell": SimpleRNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell}


def deserialize_cell(config):
    if isinstance(config, Layer):
        return config
    if isinstance(config, dict) and config.get("class_name") in CELLS:
        return CELLS[config["class_name"]].from_config(config["config"])
    if isinstance(config, dict) and config.get("class_name") == "StackedRNNCells":
        return StackedRNNCells.from_config(config["config"])
    if isinstance(config, dict) and "class_name" in config:
        # a user-written cell: found like any custom layer (custom_objects scope or registered class)
        from ..saving.registry import resolve_layer_class

        name = config.get("registered_name") or config["class_name"]
        return resolve_layer_class(name, where=" (a recurrent cell)").from_config(dict(config.get("config", {})))
    raise ValueError(f"cannot build a recurrent cell from {config!r}; symk knows {sorted(CELLS)}, StackedRNNCells "
                     "and registered custom cells")


def serialize_cell(cell) -> dict:
    from ..saving.registry import get_registered_name

    registered = get_registered_name(cell)
    return {"module": "keras.layers" if type(cell).__name__ in CELLS or isinstance(cell, StackedRNNCells) else None, "class_name": type(cell).__name__,
            "config": cell.get_config(), "registered_name": registered if registered != type(cell).__name__ else None}


class StackedRNNCells(Layer):
    """Several cells applied in turn at each step; the RNN layer runs them as a stack."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = [deserialize_cell(c) for c in cells]
        if not self.cells:
            raise ValueError("StackedRNNCells needs at least one cell")
        for cell in self.cells:
            if not isinstance(cell, RecurrentCell) and not (hasattr(cell, "state_size") and hasattr(cell, "call")):
                raise TypeError(f"StackedRNNCells takes recurrent cells (SimpleRNNCell, LSTMCell, GRUCell, or a Layer "
                                f"with state_size and call(inputs, states)); got {type(cell).__name__}")

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> int:
        from .rnn_unrolled import output_shape_of

        return output_shape_of(self.cells[-1])[-1]

    def build(self, input_shape):
        from .rnn_unrolled import output_shape_of

        shape = tuple(input_shape)
        for cell in self.cells:
            if not cell.built:
                _build(cell, shape)
            shape = shape[:1] + output_shape_of(cell)
        super().build(input_shape)

    def get_config(self):
        return {**super().get_config(), "cells": [serialize_cell(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _build(layer: Layer, shape) -> None:
    layer.build(shape)
    layer._build_input_shape = shape
    layer.built = True
