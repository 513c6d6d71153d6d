"""Recurrent layers: RNN(cell) and SimpleRNN, LSTM, GRU, each one `rnn` op (lax.scan) per cell.

Masked steps carry the state through (as Keras does); stateful layers keep their states in
non-trainable variables updated by state-update nodes, and `reset_states()` zeroes them.
User-written cells (Keras's custom-cell API) run unrolled over time instead (rnn_unrolled.py).

    x = Input(shape=(10, 8)); y = LSTM(16, return_sequences=True)(x)
"""
from __future__ import annotations

import numpy as np

from .. import regularizers
from ..errors import ShapeError
from ..graph import SymbolicTensor
from ..ops.registry import apply
from ..variables import Variable
from .base import Layer, snake_case
from .input_spec import InputSpec
from .rnn_cells import (GRUCell, LSTMCell, RecurrentCell, SimpleRNNCell, StackedRNNCells, deserialize_cell,
                        serialize_cell)
from .weight_settings import serialize_optional
from .rnn_unrolled import (check_custom_cell, initial_states, is_custom_cell, output_shape_of, run_unrolled,
                           state_shapes)

__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU"]


class RNN(Layer):
    """Runs a cell (or a list of cells, stacked) over the time axis of (batch, timesteps, features)."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        for legacy in ("time_major", "implementation", "reset_after_"):
            kwargs.pop(legacy, None)
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        cell = deserialize_cell(cell)
        if is_custom_cell(cell):
            check_custom_cell(cell)
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self._weight_scope = None      # Bidirectional names its copies' weights under itself
        self._state_variables: list[Variable] = []

    @property
    def cells(self) -> list[RecurrentCell]:
        return list(self.cell.cells) if isinstance(self.cell, StackedRNNCells) else [self.cell]

    @property
    def _unrolled(self) -> bool:
        """User-written cells run unrolled in the graph; the built-in ones as one `rnn` op (lax.scan) each."""
        return any(is_custom_cell(cell) for cell in self.cells)

    @property
    def states(self):
        return [v.numpy() for v in self._state_variables] or None

    # -- building -------------------------------------------------------------------
    def build(self, input_shape):
        if isinstance(input_shape, list):  # layer([x, h0, c0]): the sequences come first
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ShapeError(f"Layer {self.name!r} expects sequences of shape (batch, timesteps, features); "
                             f"received input shape {input_shape}. Reshape the input, or wrap per-step layers in "
                             "TimeDistributed.")
        scope = self._weight_scope or self.name
        shape = (input_shape[0], input_shape[2])
        for cell in self.cells:
            if not cell.built:
                cell._weight_prefix = (f"{scope}/{self.cell.name}/{cell.name}" if isinstance(self.cell, StackedRNNCells)
                                       else f"{scope}/{cell.name}")
                cell.build(shape)
                cell._build_input_shape, cell.built = shape, True
            shape = (shape[0],) + output_shape_of(cell)
        if isinstance(self.cell, StackedRNNCells):
            self.cell.built = True
        if self.stateful and not self._state_variables:
            batch = input_shape[0]
            if batch is None and self._batch_input_shape is not None:
                batch = self._batch_input_shape[0]  # eager calls trace with an unknown batch
            if batch is None:
                raise ValueError(
                    f"Layer {self.name!r} is stateful, so it needs a fixed batch size; give the first layer "
                    "batch_input_shape=(batch, timesteps, features) (or Input(batch_size=...)).")
            self._state_variables = [
                Variable(np.zeros((batch,) + shape, self.dtype), name=f"state_{i}",
                         path=f"{scope}/state_{i}", trainable=False)
                for i, shape in enumerate(s for c in self.cells for s in state_shapes(c))]
        super().build(input_shape)

    def reset_states(self, states=None) -> None:
        """Zero the states of a stateful layer (or set them to the given arrays)."""
        if not self.stateful:
            raise AttributeError(f"Layer {self.name!r} is not stateful; reset_states() needs stateful=True")
        if not self._state_variables:
            raise AttributeError(f"Layer {self.name!r} is not built yet; call it once before reset_states()")
        values = states if states is not None else [None] * len(self._state_variables)
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if len(values) != len(self._state_variables):
            raise ValueError(f"Layer {self.name!r} has {len(self._state_variables)} state(s); got {len(values)} values")
        for var, value in zip(self._state_variables, values):
            var.set_value(np.zeros(var.shape, var.dtype) if value is None else np.asarray(value, var.dtype))

    reset_state = reset_states

    # -- calling --------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):
            sequences, initial_state = sequences[0], list(sequences[1:]) or initial_state
            mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        if "float" not in sequences.dtype:
            sequences = apply("cast", [sequences], dtype=self.compute_dtype)
        states = self._initial_states(sequences, initial_state)
        if mask is not None and mask.dtype != "bool":
            mask = apply("not_equal", [mask, 0])
        if self._unrolled:
            x, final_states = run_unrolled(self, self.cells, sequences, states, mask, training)
            return self._finish(x, final_states)
        x, final_states, count = sequences, [], len(self.cells)
        reversed_mask = None
        for index, cell in enumerate(self.cells):
            own = states[:cell.state_count]
            states = states[cell.state_count:]
            last = index == count - 1
            first = index == 0
            # the first cell reverses time; the later ones read its already-reversed sequence (and mask)
            cell_mask = mask
            if mask is not None and self.go_backwards and not first:
                if reversed_mask is None:
                    reversed_mask = apply("reverse", [mask], axis=1)
                cell_mask = reversed_mask
            inputs = [x] + cell.weight_inputs() + own
            attrs = cell.op_attrs()
            attrs.update(go_backwards=self.go_backwards and first, unroll=self.unroll,
                         return_sequences=self.return_sequences or not last,
                         zero_output_for_mask=self.zero_output_for_mask, has_mask=cell_mask is not None)
            if cell_mask is not None:
                inputs.append(cell_mask)
            if cell.dropout > 0:
                inputs.append(_dropout_mask(x, x.shape[-1], cell.dropout))
                attrs["has_input_dropout"] = True
            if cell.recurrent_dropout > 0:
                inputs.append(_dropout_mask(x, cell.units, cell.recurrent_dropout))
                attrs["has_recurrent_dropout"] = True
            outs = apply("rnn", inputs, **attrs)
            x = outs[0]
            final_states += list(outs[1:])
        return self._finish(x, final_states)

    def _finish(self, x, final_states):
        """Stateful layers record their final states; return_state appends them to the output."""
        if self.stateful:
            for var, state in zip(self._state_variables, final_states):
                var.assign(state)
        if self.return_state:
            return [x] + final_states
        return x

    def _initial_states(self, sequences, initial_state) -> list:
        needed = sum(len(state_shapes(cell)) for cell in self.cells)
        if initial_state is not None:
            given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(given) != needed:
                raise ValueError(f"Layer {self.name!r} has {needed} state tensor(s) but initial_state has "
                                 f"{len(given)}. An LSTM takes [h, c]; SimpleRNN and GRU take [h].")
            return [apply("cast", [s], dtype=self.compute_dtype) if isinstance(s, SymbolicTensor) and s.dtype != self.compute_dtype
                    else s for s in given]
        if self.stateful:
            return [v.symbolic() for v in self._state_variables]
        if self._unrolled:
            return [s for cell in self.cells for s in initial_states(cell, sequences)]
        batch_of = apply("getitem", [sequences], key=(("slice", None, None, None), ("int", 0)))
        return [s for cell in self.cells for s in cell.get_initial_state(like=batch_of)]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * sum(len(state_shapes(cell)) for cell in self.cells)
        return output_mask

    # -- config ---------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=self.stateful, unroll=self.unroll,
                      zero_output_for_mask=self.zero_output_for_mask)
        if type(self) is RNN:
            config["cell"] = serialize_cell(self.cell)
        return config


def _dropout_mask(like, size: int, rate: float):
    """Ones of (batch, size) through dropout: the same mask for every step, identity in inference."""
    batch_of = apply("getitem", [like], key=(("slice", None, None, None), ("int", 0)))
    ones = apply("batch_full", [batch_of], shape=(size,), value=1.0, dtype=like.dtype)
    return apply("dropout", [ones], rate=rate)


class _CellLayer(RNN):
    """A Keras recurrent layer that owns one cell of a known kind (its config is the cell's, flattened)."""

    cell_class = SimpleRNNCell
    _layer_keys = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                   "zero_output_for_mask", "time_major")
    _base_keys = ("name", "trainable", "dtype", "input_shape", "batch_input_shape", "batch_size", "batch_shape",
                  "input_dim", "input_length", "activity_regularizer")

    def __init__(self, units, **kwargs):
        layer_kwargs = {k: kwargs.pop(k) for k in self._layer_keys + self._base_keys if k in kwargs}
        cell = self.cell_class(units, name=snake_case(self.cell_class.__name__), dtype=layer_kwargs.get("dtype"),
                               **kwargs)
        super().__init__(cell, **layer_kwargs)

    def __getattr__(self, name):
        # units, activation, dropout, ... read through to the cell, as on Keras's LSTM
        descriptor = getattr(type(self), name, None)
        if isinstance(descriptor, property):
            return descriptor.fget(self)  # surfaces the property's own error (e.g. layer.output's)
        if name != "cell" and "cell" in self.__dict__ and hasattr(self.__dict__["cell"], name):
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self):
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        # Keras 3's keys: the layer's activity_regularizer joins the cell's settings; SimpleRNN writes no seed
        cell_config["activity_regularizer"] = serialize_optional(self.activity_regularizer, regularizers)
        if type(self).cell_class is SimpleRNNCell:
            cell_config.pop("seed", None)
        return {**super().get_config(), **cell_config}


class SimpleRNN(_CellLayer):
    """Fully connected recurrence: h_t = activation(x_t W + h_{t-1} U + b)."""

    cell_class = SimpleRNNCell


class LSTM(_CellLayer):
    """Long short-term memory (Hochreiter 1997); weights kernel, recurrent_kernel, bias (gates i, f, c, o)."""

    cell_class = LSTMCell


class GRU(_CellLayer):
    """Gated recurrent unit (Cho et al. 2014); reset_after=True by default, as in Keras 2.3+ and 3."""

    cell_class = GRUCell
