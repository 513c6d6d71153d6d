"""ConvNeXt's two custom layers, with Keras's class names, weight names and config keys so Keras's files load:
LayerScale (a learned per-channel scale) and StochasticDepth (drops a whole residual branch per sample in training).

    x = LayerScale(1e-6, 96, name="block_layer_scale")(x)
"""
from __future__ import annotations

from ..initializers import Constant
from ..layers import Activation
from ..layers.base import Layer, unique_name
from ..object_registry import register_serializable
from ..ops.registry import apply

__all__ = ["LayerScale", "StochasticDepth", "LinearActivation"]


@register_serializable(package="keras.src.applications.convnext")
class StochasticDepth(Layer):
    """x in inference; in training x / keep_prob or 0, one draw per sample (the batch's first axis)."""

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(drop_path_rate, (int, float)) or not 0 <= drop_path_rate < 1:
            raise ValueError(f"StochasticDepth {self.name!r}: drop_path_rate must be a number in [0, 1); received "
                             f"drop_path_rate={drop_path_rate!r}")
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if training is False or not self.drop_path_rate:
            return x
        # floor(keep_prob + U[0, 1)) is Bernoulli(keep_prob): Keras's formula is inverted dropout whose noise
        # has shape (batch, 1, ..., 1), so the dropout op (active only in training) is that layer
        noise_shape = (None,) + (1,) * (len(x.shape) - 1)
        return apply("dropout", [x], rate=float(self.drop_path_rate), noise_shape=noise_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


@register_serializable(package="keras.src.applications.convnext")
class LayerScale(Layer):
    """x * gamma, gamma a trainable (projection_dim,) vector starting at init_values (arXiv:2103.17239)."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] != self.projection_dim:
            raise ValueError(f"LayerScale {self.name!r}: the last axis of its input must be projection_dim="
                             f"{self.projection_dim}; received input shape {tuple(input_shape)}")
        # NOTE: Keras 3 leaves this weight unnamed, so it gets the session's next automatic name (variable,
        # variable_1, ...); named the same way here, so the files symk writes name it as Keras's do
        self.gamma = self.add_weight(name=unique_name("variable"), shape=(self.projection_dim,),
                                     initializer=Constant(self.init_values), trainable=True)
        super().build(input_shape)

    def call(self, x):
        return apply("multiply", [x, self.gamma])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values, "projection_dim": self.projection_dim}



class LinearActivation(Activation):
    """Activation("linear") that adds an identity node, so the layer stays in the model's layer list.

    NOTE: workaround. A ConvNeXt block ends in a plain `+` (an op outside any layer), so symk lists the
    model's layers from the graph's nodes; symk's Activation("linear") adds no node and would vanish
    from that list, while Keras counts it. The class reports Keras's name, so configs say "Activation"."""

    def __init__(self, name=None, **kwargs):
        super().__init__("linear", name=name, **kwargs)

    def call(self, inputs):
        return apply("identity", [inputs])

    def get_config(self):
        return super().get_config()


LinearActivation.__name__ = LinearActivation.__qualname__ = "Activation"
