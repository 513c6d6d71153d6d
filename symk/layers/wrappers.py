"""Layer wrappers: Bidirectional (a recurrent layer run forwards and backwards, merged) and
TimeDistributed (a layer or a whole model applied to every time step).

    Bidirectional(LSTM(16))(Input(shape=(10, 8)))                  # (None, 32)
    TimeDistributed(model)(Input(shape=(20, 784)))                 # model on each of 20 steps
"""
from __future__ import annotations

from ..graph import layer_scope, no_call_site_recording
from ..keras_objects import keras_serialize
from ..ops.registry import apply
from .base import Layer
from .input_spec import InputSpec
from .normalization import BatchNormalization
from .recurrent import RNN
from .rnn_unrolled import state_shapes

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _deserialize_layer(config):
    from .serialization import deserialize  # users' registered layers resolve too

    return deserialize(config)


def _serialize_layer(layer) -> dict:
    return keras_serialize(layer, "keras.layers")


class Wrapper(Layer):
    """A layer around another layer (its weights are the inner layer's)."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        layer = _deserialize_layer(layer)
        if not isinstance(layer, Layer):
            raise TypeError(f"{type(self).__name__} wraps a Layer instance; got {type(layer).__name__}")
        self.layer = layer

    def get_config(self):
        return {**super().get_config(), "layer": _serialize_layer(self.layer)}


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards; merges them (concat, sum, mul, ave or None)."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        layer = _deserialize_layer(layer)
        if not isinstance(layer, RNN):
            raise TypeError(f"Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU or RNN); got "
                            f"{type(layer).__name__}")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional: invalid merge_mode {merge_mode!r}; use one of {MERGE_MODES}")
        if layer.stateful:
            raise ValueError("Bidirectional: stateful recurrent layers are not supported by symk yet")
        base_name = layer.name[len("forward_"):] if layer.name.startswith("forward_") else layer.name
        layer.name = f"forward_{base_name}"  # Keras renames the wrapped layer so
        if backward_layer is None:
            if layer.go_backwards:
                raise ValueError(
                    f"Bidirectional: the wrapped layer {base_name!r} has go_backwards=True, so its backward copy "
                    "(always go_backwards=True) would run in the same direction; Keras 3 refuses this too. Wrap a "
                    "layer with go_backwards=False, or pass the other direction as backward_layer=.")
            config = layer.get_config()
            config.update(name=f"backward_{base_name}", go_backwards=True)
            backward_layer = type(layer).from_config(config)
        else:
            backward_layer = _deserialize_layer(backward_layer)
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError("Bidirectional: backward_layer must have go_backwards opposite to the forward layer's")
            if (backward_layer.return_sequences, backward_layer.return_state) != (layer.return_sequences,
                                                                                 layer.return_state):
                raise ValueError("Bidirectional: the forward and backward layers must agree on return_sequences "
                                 "and return_state")
        self.forward_layer, self.backward_layer = layer, backward_layer
        for inner in (layer, backward_layer):
            inner._weight_scope = f"{self.name}/{inner.name}"
            # Keras 3: with return_sequences, masked steps of both directions output zeros (not the last output)
            inner.zero_output_for_mask = inner.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)
        self._initial_weights = weights

    def build(self, input_shape):
        for inner in (self.forward_layer, self.backward_layer):
            if not inner.built:
                inner.build(input_shape)
                inner._build_input_shape, inner.built = input_shape, True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        super().build(input_shape)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state)
            if len(states) % 2:
                raise ValueError(f"Layer {self.name!r}: initial_state must hold the forward states then the "
                                 f"backward states (an even number); got {len(states)}")
            forward_state, backward_state = states[:len(states) // 2], states[len(states) // 2:]
        forward = self.forward_layer(sequences, initial_state=forward_state, mask=mask, training=training)
        backward = self.backward_layer(sequences, initial_state=backward_state, mask=mask, training=training)
        forward_states = backward_states = []
        if self.return_state:
            forward, forward_states = forward[0], forward[1:]
            backward, backward_states = backward[0], backward[1:]
        if self.return_sequences:
            backward = apply("reverse", [backward], axis=1)  # back to the forward time order
        merged = self._merge(forward, backward)
        if self.return_state:
            return (merged if isinstance(merged, list) else [merged]) + list(forward_states) + list(backward_states)
        return merged

    def _merge(self, forward, backward):
        if self.merge_mode == "concat":
            return apply("concatenate", [forward, backward], axis=-1)
        if self.merge_mode == "sum":
            return forward + backward
        if self.merge_mode == "mul":
            return forward * backward
        if self.merge_mode == "ave":
            return (forward + backward) * 0.5
        return [forward, backward]

    def compute_mask(self, inputs, mask=None):
        output_mask = mask if self.return_sequences else None
        outputs = 2 if self.merge_mode is None else 1
        if self.return_state:
            states = 2 * sum(len(state_shapes(c)) for c in self.forward_layer.cells)
            return [output_mask] * outputs + [None] * states
        return [output_mask] * outputs if outputs == 2 else output_mask

    def reset_states(self, states=None):
        raise AttributeError("Bidirectional layers are never stateful in symk")

    def get_config(self):
        config = {**super().get_config(), "merge_mode": self.merge_mode, "layer": _serialize_layer(self.forward_layer)}
        config["backward_layer"] = _serialize_layer(self.backward_layer)
        return config


class TimeDistributed(Wrapper):
    """Applies a layer (or a model) to every step: (batch, time, ...) -> (batch, time, ...)."""

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self._step_output_mask = None  # set by call(), read by compute_mask()

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"Layer {self.name!r}: TimeDistributed needs inputs of rank >= 3 (batch, time, ...); "
                             f"received input shape {tuple(input_shape)}")
        if isinstance(self.layer, BatchNormalization):
            self._build_batch_norm(input_shape)  # called per step below, never through its own __call__
        super().build(input_shape)  # other inner layers build on their first (per-step) call

    def call(self, inputs, training=None, mask=None):
        if isinstance(self.layer, BatchNormalization):
            return self._batch_norm_per_step(inputs, training, mask)
        # NOTE: every other layer runs once on (batch * time, ...): the same numbers as Keras 3's loop over
        # time steps for layers that treat samples independently. A model holding a BatchNormalization
        # still trains on batch statistics over batch and time together (unlike Keras 3, which steps).
        steps = apply("merge_leading", [inputs])
        step_mask = None
        if mask is not None:
            _check_mask_shape(self, inputs, mask)
            # the inner layer sees one sample per step, and the mask of that step (Keras reshapes it alike)
            steps._keras_mask = step_mask = apply("merge_leading", [mask])
        kwargs = {"training": training} if training is not None else {}
        outputs = self.layer(steps, **kwargs)
        self._step_output_mask = None  # the inner layer's own mask (Embedding(mask_zero), Masking, ...)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(apply("split_leading", [o, inputs]) for o in outputs)
        inner_mask = outputs._keras_mask
        result = apply("split_leading", [outputs, inputs])
        if inner_mask is not None and inner_mask is step_mask:
            self._step_output_mask = mask  # passed through unchanged (Dense, Activation): no reshape needed
        elif inner_mask is not None:
            self._step_output_mask = apply("split_leading", [inner_mask, inputs])
        return result

    def _batch_norm_per_step(self, inputs, training, mask):
        """BatchNormalization per time step, as Keras 3 applies it (its statistics depend on the batch)."""
        layer = self.layer
        self._build_batch_norm(tuple(inputs.shape))
        if mask is not None:
            _check_mask_shape(self, inputs, mask)
        self._step_output_mask = None
        with layer_scope(layer, training=training):
            return layer.call_per_time_step(inputs, training=training, mask=mask)

    def _build_batch_norm(self, input_shape) -> None:
        if not self.layer.built:
            step_shape = (input_shape[0],) + tuple(input_shape[2:])
            with no_call_site_recording():
                self.layer.build(step_shape)
            self.layer._build_input_shape, self.layer.built = step_shape, True

    def compute_mask(self, inputs, mask=None):
        # NOTE: read right after call() of the same __call__: the inner layer's mask, reshaped back to
        # (batch, time, ...); else (Keras 2's rule) the input mask reduced to (batch, time) with any()
        inner_mask = getattr(self, "_step_output_mask", None)
        self._step_output_mask = None
        if inner_mask is not None or mask is None:
            return inner_mask
        while len(mask.shape) > 2:
            mask = apply("any", [mask], axis=-1)
        return mask


def _check_mask_shape(layer, inputs, mask) -> None:
    known = all(a is None or b is None or a == b for a, b in zip(tuple(mask.shape)[:2], tuple(inputs.shape)[:2]))
    if len(mask.shape) < 2 or not known:
        raise ValueError(f"Layer {layer.name!r}: the mask must start with the (batch, time) axes of the input "
                         f"{tuple(inputs.shape)}; received a mask of shape {tuple(mask.shape)}. Pass a mask of "
                         "shape (batch, time) (or (batch, time, ...) matching the input).")
