"""ConvLSTM1D/2D/3D: LSTMs whose input and recurrent transformations are convolutions (Shi et al., 2015).

The input convolution of every step is computed at once (time folded into the batch); the recurrence
runs as one `scan` over time whose body is the cell's step. Masked steps keep the states and repeat
the previous output (zeros with zero_output_for_mask), as Keras's RNN does; dropout draws one mask
per gate for the whole sequence; stateful layers keep (h, c) in variables between calls.

    >>> x = Input((10, 32, 32, 3))                              # (batch, time, rows, cols, channels)
    >>> ConvLSTM2D(16, 3, padding="same", return_sequences=True)(x)   # (None, 10, 32, 32, 16)
"""
from __future__ import annotations

import numpy as np

from .. import regularizers
from ..errors import ShapeError
from ..graph import SymbolicTensor
from ..ops.creation import zeros_like
from ..ops.loops import scan
from ..ops.registry import apply
from ..variables import Variable
from .base import Layer
from .conv_lstm_cell import ConvLSTMCell
from .input_spec import InputSpec
from .weight_settings import serialize_optional

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

_CELL_SETTINGS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation",
                  "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                  "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
                  "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                  "recurrent_dropout", "seed")


class _ConvLSTM(Layer):
    """The shared ConvLSTM layer; subclasses fix `rank`, the number of spatial axes."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.cell = ConvLSTMCell(
            self.rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, layer_class=type(self).__name__,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=self.rank + 3)
        self._state_variables: list[Variable] = []
        self._eager_batch = None

    @property
    def states(self):
        return [v.numpy() for v in self._state_variables] or None

    # -- building -------------------------------------------------------------------
    def build(self, input_shape):
        if isinstance(input_shape, list):   # layer([x, h0, c0]): the sequences come first
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 3:
            raise ShapeError(f"Layer {self.name!r} expects sequences of rank {self.rank + 3} (batch, time, "
                             f"{self.rank} spatial axes and channels); received input shape {input_shape}")
        cell, step_shape = self.cell, (input_shape[0],) + input_shape[2:]
        if not cell.built:
            cell._weight_prefix = f"{self.name}/{cell.name}"
            cell.build(step_shape)
            cell._build_input_shape, cell.built = step_shape, True
        self._state_shape = cell.state_shape(step_shape)
        if self.stateful and not self._state_variables:
            batch = input_shape[0]
            if batch is None and self._batch_input_shape is not None:
                batch = self._batch_input_shape[0]
            if batch is None:
                batch = self._eager_batch   # eager calls trace with an unknown batch
            if batch is None:
                raise ValueError(f"Layer {self.name!r} is stateful, so it needs a fixed batch size; give the first "
                                 "layer batch_input_shape=(batch, time, ...) (or Input(batch_size=...))")
            self._state_variables = [
                Variable(np.zeros((batch,) + self._state_shape, self.dtype), name=f"state_{i}",
                         path=f"{self.name}/state_{i}", trainable=False) for i in range(2)]
        super().build(input_shape)

    def reset_states(self, states=None) -> None:
        """Zero the (h, c) of a stateful layer (or set them to the given arrays)."""
        if not self.stateful:
            raise AttributeError(f"Layer {self.name!r} is not stateful; reset_states() needs stateful=True")
        if not self._state_variables:
            raise AttributeError(f"Layer {self.name!r} is not built yet; call it once before reset_states()")
        values = [None, None] if states is None else list(states)
        if len(values) != 2:
            raise ValueError(f"Layer {self.name!r} has 2 states (h and c); received {len(values)} values")
        for var, value in zip(self._state_variables, values):
            var.set_value(np.zeros(var.shape, var.dtype) if value is None else np.asarray(value, var.dtype))

    reset_state = reset_states

    def _eager_call(self, inputs, *args, **kwargs):
        # NOTE: an eager call traces with an unknown batch; a stateful layer first takes the data's batch size
        # for its state variables, as Keras does when called on arrays
        if self.stateful and not self.built:
            sequences = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
            self._eager_batch = getattr(sequences, "shape", (None,))[0]
        return super()._eager_call(inputs, *args, **kwargs)

    # -- calling --------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):
            sequences, initial_state = sequences[0], list(sequences[1:]) or initial_state
            mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        # the compute dtype (bfloat16 under "mixed_bfloat16"), as Keras's autocast gives the cell
        if sequences.dtype != self.compute_dtype:
            sequences = apply("cast", [sequences], dtype=self.compute_dtype)
        cell = self.cell
        first_step = apply("getitem", [sequences], key=(("slice", None, None, None), ("int", 0)))
        h, c = self._initial_states(first_step, initial_state)
        projected = apply("split_leading", [cell.input_projection(self._input_steps(sequences, first_step)),
                                            sequences])
        time_major = (1, 0) + tuple(range(2, self.rank + 3))
        xs = [apply("transpose", [projected], axes=time_major)]
        steps_mask = self._steps_mask(mask, sequences)
        if steps_mask is not None:
            xs.append(apply("transpose", [steps_mask], axes=(1, 0)))
        if self.go_backwards:
            xs = [apply("reverse", [x], axis=0) for x in xs]
        recurrent_masks = self._dropout_masks(h, cell.recurrent_dropout)
        # NOTE: read here, in the layer's graph, where reads are autocast to the compute dtype; a scan body
        # reading the variable itself would get it as stored (float32) and mix dtypes under a mixed policy
        recurrent_kernel = cell.recurrent_kernel.symbolic()
        keep_shape = (-1,) + (1,) * (self.rank + 1)

        def step(carry, inputs):
            h_prev, c_prev = carry
            h_new, c_new = cell.step(inputs[0], h_prev, c_prev, recurrent_masks, recurrent_kernel)
            if len(inputs) == 1:
                return (h_new, c_new), (h_new if self.return_sequences else None)
            # a masked step leaves the states as they were and repeats the previous output (or zeros)
            keep = apply("reshape", [inputs[1]], shape=keep_shape)
            h_kept = apply("where", [keep, h_new, h_prev])
            c_kept = apply("where", [keep, c_new, c_prev])
            output = None
            if self.return_sequences:
                output = apply("where", [keep, h_new, zeros_like(h_new) if self.zero_output_for_mask else h_prev])
            return (h_kept, c_kept), output

        (h, c), outputs = scan(step, (h, c), tuple(xs), unroll=True if self.unroll else 1)
        if self.return_sequences:
            output = apply("transpose", [outputs], axes=time_major)
        elif steps_mask is not None and self.zero_output_for_mask:
            last = apply("getitem", [xs[1]], key=(("int", -1),))
            output = apply("where", [apply("reshape", [last], shape=keep_shape), h, zeros_like(h)])
        else:
            output = h
        if self.stateful:
            for var, state in zip(self._state_variables, (h, c)):
                var.assign(state if state.dtype == var.dtype else apply("cast", [state], dtype=var.dtype))
        return [output, h, c] if self.return_state else output

    def _initial_states(self, first_step, initial_state) -> list:
        if initial_state is not None:
            given = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(given) != 2:
                raise ValueError(f"Layer {self.name!r} has 2 states (h and c) but initial_state has {len(given)}; "
                                 f"pass [h, c], each of shape (batch,) + {self._state_shape}")
            states = []
            for s in given:
                if isinstance(s, SymbolicTensor) and s.dtype != self.compute_dtype:
                    s = apply("cast", [s], dtype=self.compute_dtype)
                if tuple(s.shape[1:]) != self._state_shape:
                    raise ShapeError(f"Layer {self.name!r}: each initial state must have shape (batch,) + "
                                     f"{self._state_shape}; received {tuple(s.shape)}")
                states.append(s)
            return states
        if self.stateful:
            return [v.symbolic() for v in self._state_variables]
        return [apply("batch_full", [first_step], shape=self._state_shape, value=0.0, dtype=self.compute_dtype)
                for _ in range(2)]

    def _input_steps(self, sequences, first_step):
        """Every step of every sample, time folded into the batch: one tensor, or with dropout one per gate,
        each multiplied by its gate's mask (the same mask at every step)."""
        masks = self._dropout_masks(first_step, self.cell.dropout)
        if masks is None:
            return apply("merge_leading", [sequences])
        return [apply("merge_leading", [sequences * apply("expand_dims", [m], axis=1)]) for m in masks]

    def _steps_mask(self, mask, sequences):
        """The bool (batch, time) mask. NOTE: a mask with per-position entries (Masking before the layer gives
        (batch, time, *spatial)) marks a step present when any of its positions is: Keras's JAX backend would
        broadcast such a mask against the wrong axes."""
        if mask is None:
            return None
        if len(mask.shape) < 2 or (None not in (mask.shape[1], sequences.shape[1])
                                   and mask.shape[1] != sequences.shape[1]):
            raise ShapeError(f"Layer {self.name!r}: the mask must be (batch, time) like the sequences "
                             f"{tuple(sequences.shape)}; received mask shape {tuple(mask.shape)}")
        if mask.dtype != "bool":
            mask = apply("not_equal", [mask, 0])
        if len(mask.shape) > 2:
            mask = apply("any", [mask], axis=tuple(range(2, len(mask.shape))))
        return mask

    def _dropout_masks(self, like, rate: float):
        """Four (batch, *step) dropout masks of ones, one per gate, the same at every step; None without dropout.
        In inference the dropout op leaves them ones, as Keras then applies none."""
        if not 0.0 < rate < 1.0:
            return None
        ones = apply("batch_full", [like], shape=tuple(like.shape[1:]), value=1.0, dtype=like.dtype)
        return [apply("dropout", [ones], rate=rate) for _ in range(4)]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        if sequences_shape and isinstance(sequences_shape[0], (list, tuple)):
            sequences_shape = sequences_shape[0]
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = self.cell.state_shape((batch,) + tuple(sequences_shape[2:]))
        output = (batch, steps) + state if self.return_sequences else (batch,) + state
        if self.return_state:
            return [output, (batch,) + state, (batch,) + state]
        return output

    # -- config ---------------------------------------------------------------------
    def get_config(self):
        config = super().get_config()
        config.update(return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=self.stateful, unroll=self.unroll,
                      zero_output_for_mask=self.zero_output_for_mask)
        config.update(self.cell.settings_config(serialize_optional(self.activity_regularizer, regularizers)))
        return config


def _cell_setting(name: str) -> property:
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's {name} (as Keras's ConvLSTM reads it).")


for _name in _CELL_SETTINGS:
    setattr(_ConvLSTM, _name, _cell_setting(_name))


class ConvLSTM1D(_ConvLSTM):
    """ConvLSTM over (batch, time, steps, channels) (channels_last) with 1-D convolutions."""
    rank = 1


class ConvLSTM2D(_ConvLSTM):
    """ConvLSTM over (batch, time, rows, cols, channels) (channels_last) with 2-D convolutions."""
    rank = 2


class ConvLSTM3D(_ConvLSTM):
    """ConvLSTM over (batch, time, depth, rows, cols, channels) (channels_last) with 3-D convolutions."""
    rank = 3
