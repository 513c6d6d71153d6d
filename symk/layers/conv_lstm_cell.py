"""The ConvLSTM cell: the settings, weights and gate arithmetic the ConvLSTM1D/2D/3D layers run over time.

Weights as Keras lays them out: kernel (*kernel_size, input_channels, 4 * filters), recurrent_kernel
(*kernel_size, filters, 4 * filters), bias (4 * filters,), gates in the order i, f, c, o. The layer owns
the cell as its `cell` sub-layer (named 'conv_lstm_cell'), so files see 'conv_lstm2d/conv_lstm_cell/kernel'.

    i, f, c~, o = split(conv(x, kernel) + bias + conv(h, recurrent_kernel, padding="same"))
    c = sigmoid(f) * c + sigmoid(i) * tanh(c~);   h = sigmoid(o) * tanh(c)
"""
from __future__ import annotations

from .. import activations
from .. import variables as variables_module
from ..ops.nn_conv import conv
from ..ops.registry import apply
from ..ops.shape_join import concatenate, split
from ..shapes import conv_output_length
from .base import Layer
from .conv import normalize_data_format, normalize_padding, normalize_tuple
from .rnn_cells import _UnitForgetBias
from .weight_settings import add_weight_with_settings, set_weight_settings, weight_settings_config


def _rate(value, what: str, layer: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{layer}: {what} must be a number in [0, 1]; received {what}={value!r}")
    return float(value)


class ConvLSTMCell(Layer):
    """One ConvLSTM step's weights and arithmetic; `rank` is the number of spatial axes (1, 2 or 3)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 layer_class: str = "ConvLSTM", **kwargs):
        super().__init__(**kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{layer_class}: filters must be a positive integer; received filters={filters!r}")
        self.rank, self.filters = rank, filters
        self.kernel_size = normalize_tuple(kernel_size, rank, "kernel_size", layer_class)
        self.strides = normalize_tuple(strides, rank, "strides", layer_class)
        self.padding = normalize_padding(padding, ("valid", "same"), layer_class)
        self.data_format = normalize_data_format(data_format, layer_class)
        self.dilation_rate = normalize_tuple(dilation_rate, rank, "dilation_rate", layer_class)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{layer_class}: strides > 1 cannot be combined with dilation_rate > 1; received "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}. Set one of them to 1")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        set_weight_settings(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        set_weight_settings(self, "recurrent", recurrent_initializer, recurrent_regularizer, recurrent_constraint)
        set_weight_settings(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.dropout = _rate(dropout, "dropout", layer_class)
        self.recurrent_dropout = _rate(recurrent_dropout, "recurrent_dropout", layer_class)
        self.seed = seed
        self._weight_prefix = None   # set by the layer: 'conv_lstm2d/conv_lstm_cell'

    # -- shapes ---------------------------------------------------------------------
    @property
    def channel_axis(self) -> int:
        """The channel axis of one step (batch, *spatial, channels) or (batch, channels, *spatial)."""
        return -1 if self.data_format == "channels_last" else 1

    def spatial_of(self, step_shape) -> tuple:
        return tuple(step_shape[1:-1] if self.data_format == "channels_last" else step_shape[2:])

    def state_shape(self, step_shape) -> tuple:
        """The shape of h and c without the batch axis: the input convolution's output."""
        spatial = tuple(conv_output_length(n, k, self.padding, s, d) for n, k, s, d in zip(
            self.spatial_of(step_shape), self.kernel_size, self.strides, self.dilation_rate))
        return spatial + (self.filters,) if self.data_format == "channels_last" else (self.filters,) + spatial

    # -- weights --------------------------------------------------------------------
    def add_weight(self, *args, **kwargs):
        var = super().add_weight(*args, **kwargs)
        if self._weight_prefix:
            # NOTE: re-path the variable under its layer ('conv_lstm2d/conv_lstm_cell/kernel'), as Keras names it
            variables_module._used_paths.discard(var.path)
            var.path = variables_module._unique_path(f"{self._weight_prefix}/{var.short_name}")
        return var

    def build(self, step_shape):
        step_shape = tuple(step_shape)
        if None in self.spatial_of(step_shape):
            raise ValueError(f"Layer {self.name!r}: ConvLSTM needs static spatial sizes; received a step of shape "
                             f"{step_shape}. Give the Input every spatial size")
        channels = step_shape[self.channel_axis]
        if channels is None:
            raise ValueError(f"Layer {self.name!r}: the channel axis of the input must be known to build the kernel; "
                             f"received a step of shape {step_shape}")
        width = 4 * self.filters
        self.kernel = add_weight_with_settings(self, "kernel", self.kernel_size + (channels, width))
        self.recurrent_kernel = add_weight_with_settings(self, "recurrent_kernel",
                                                         self.kernel_size + (self.filters, width),
                                                         settings_of="recurrent")
        self.bias = None
        if self.use_bias:
            initializer = (_UnitForgetBias(self.bias_initializer, self.filters) if self.unit_forget_bias
                           else self.bias_initializer)
            self.bias = add_weight_with_settings(self, "bias", (width,), initializer=initializer)
        super().build(step_shape)

    # -- arithmetic -----------------------------------------------------------------
    def _gate_convs(self, x, kernel, **conv_args):
        """conv(x, kernel) for all four gates at once, or, for a list of four inputs (each dropped out with
        its own mask, as Keras draws one per gate), conv(x_g, kernel_g) per gate, joined on the channel axis."""
        if isinstance(kernel, variables_module.Variable):
            # NOTE: read first, so the read is autocast (conv() casts its input to a Variable's stored dtype)
            kernel = kernel.symbolic()
        if not isinstance(x, list):
            return conv(x, kernel, data_format=self.data_format, **conv_args)
        parts = [conv(x_g, k, data_format=self.data_format, **conv_args)
                 for x_g, k in zip(x, split(kernel, 4, axis=-1))]
        return concatenate(parts, axis=self.channel_axis)

    def input_projection(self, steps):
        """The input convolution and bias of a batch of steps (one tensor, or one per gate):
        (n, *step) -> (n, *state with 4 * filters channels)."""
        z = self._gate_convs(steps, self.kernel, strides=self.strides, padding=self.padding,
                             dilation_rate=self.dilation_rate)
        if self.bias is not None:
            z = apply("bias_add", [z, self.bias], data_format=self.data_format)
        return z

    def step(self, projected, h, c, recurrent_masks=None, recurrent_kernel=None):
        """One step from the input projection and the previous (h, c) to the new (h, c); `recurrent_masks`
        are four dropout masks for h, one per gate. `recurrent_kernel`: the kernel as the caller read it (in
        the compute dtype), else the variable."""
        h_in = h if recurrent_masks is None else [h * m for m in recurrent_masks]
        kernel = self.recurrent_kernel if recurrent_kernel is None else recurrent_kernel
        z = projected + self._gate_convs(h_in, kernel, strides=1, padding="same")
        i, f, candidate, o = split(z, 4, axis=self.channel_axis)
        act, rec_act = self.activation, self.recurrent_activation
        c = rec_act(f) * c + rec_act(i) * act(candidate)
        return rec_act(o) * act(c), c

    # -- config ---------------------------------------------------------------------
    def settings_config(self, activity_regularizer=None) -> dict:
        """The cell's arguments in Keras's config order (the layer's config adds them to its own)."""
        settings = weight_settings_config(self, ("kernel", "recurrent", "bias"))
        config = dict(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
                      data_format=self.data_format, dilation_rate=self.dilation_rate,
                      activation=activations.serialize(self.activation),
                      recurrent_activation=activations.serialize(self.recurrent_activation), use_bias=self.use_bias)
        config.update((k, settings[k]) for k in ("kernel_initializer", "recurrent_initializer", "bias_initializer"))
        config["unit_forget_bias"] = self.unit_forget_bias
        config.update((k, settings[k]) for k in ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer"))
        config["activity_regularizer"] = activity_regularizer
        config.update((k, settings[k]) for k in ("kernel_constraint", "recurrent_constraint", "bias_constraint"))
        config.update(dropout=self.dropout, recurrent_dropout=self.recurrent_dropout, seed=self.seed)
        return config

    def get_config(self):
        return {**super().get_config(), "rank": self.rank, **self.settings_config()}
