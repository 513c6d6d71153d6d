"""SpectralNormalization: a wrapper that divides a layer's kernel by its largest singular value, estimated by
power iteration (Miyato et al., 2018, https://arxiv.org/abs/1802.05957), as keras.layers.SpectralNormalization.

    SpectralNormalization(Conv2D(8, 3), power_iterations=1)(x)     # weights: kernel, vector_u, bias

In training (`training=True`, or fit) each call runs `power_iterations` steps from the non-trainable
`vector_u`, assigns the new `vector_u` and the normalized kernel, and then calls the wrapped layer, which
reads the normalized kernel. In inference the wrapped layer runs with its kernel as it is.
"""
from __future__ import annotations

from .. import initializers
from ..ops.registry import apply
from .input_spec import InputSpec
from .wrappers import Wrapper

__all__ = ["SpectralNormalization"]

_NORM_EPSILON = 1e-7  # Keras's backend epsilon: ops.normalize caps 1/norm at 1/epsilon


def _l2_normalize(vector):
    """vector / ||vector|| over all its entries, as keras.utils.normalize(axis=None): x * min(rsqrt(sum x^2), 1/eps)."""
    inverse_norm = apply("rsqrt", [apply("sum", [apply("square", [vector])], axis=None, keepdims=True)])
    return vector * apply("minimum", [inverse_norm, 1.0 / _NORM_EPSILON])


class SpectralNormalization(Wrapper):
    """Constrains the spectral norm of the wrapped layer's `kernel` (or `embeddings`) to about one."""

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization: power_iterations must be a positive integer; received "
                             f"power_iterations={power_iterations!r}")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer._build_input_shape, self.layer.built = input_shape, True
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"Layer {self.name!r}: SpectralNormalization wraps a layer with a `kernel` (Dense, "
                             f"Conv*) or `embeddings` (Embedding) weight; {type(self.layer).__name__} has neither")
        self.kernel = kernel
        # NOTE: Keras tracks `self.kernel = layer.kernel` as the wrapper's own weight, so its weight order
        # (and its .weights.h5 group "vars") is kernel, vector_u, then the wrapped layer's other weights
        self._own_weights.append(kernel)
        self.vector_u = self.add_weight(name="vector_u", shape=(1, kernel.shape[-1]),
                                        initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
                                        dtype=kernel.dtype)
        super().build(input_shape)

    def call(self, inputs, training=None):
        if training is not False:
            old_u, old_kernel = self.vector_u.symbolic(), self.kernel.symbolic()
            new_u, new_kernel = self._normalized_weights(old_u, old_kernel)
            # an all-zero kernel has no direction to estimate: Keras keeps u and the kernel as they are
            all_zero = apply("all", [apply("equal", [old_kernel, 0.0])], axis=None, keepdims=False)
            new_u = apply("where", [all_zero, old_u, new_u])
            new_kernel = apply("where", [all_zero, old_kernel, new_kernel])
            # the update happens only in training; in inference both keep their values. NOTE: u is computed from
            # weights only, so `after` ties its update to this call's inputs (else a model's graph drops it)
            self.vector_u.assign(apply("after", [apply("training_select", [new_u, old_u]), inputs]))
            self.kernel.assign(apply("training_select", [new_kernel, old_kernel]))
        kwargs = {"training": training} if training is not None else {}
        outputs = self.layer(inputs, **kwargs)
        # NOTE: Keras casts the output to the input's dtype, which turns an Embedding's vectors into the token
        # ids' integer dtype; symk casts only floating inputs' outputs, so wrapped Embeddings still give floats
        if _is_float(inputs.dtype) and outputs.dtype != inputs.dtype:
            outputs = apply("cast", [outputs], dtype=inputs.dtype)
        return outputs

    def _normalized_weights(self, vector_u, kernel):
        """(new vector_u, kernel / sigma): `power_iterations` steps of power iteration on the kernel as a
        (-1, units) matrix; u and v are constants for the gradient, as in the paper and Keras."""
        units = tuple(kernel.shape)[-1]
        weights = apply("reshape", [kernel], shape=(-1, units))
        weights_t = apply("transpose", [weights], axes=(1, 0))
        for _ in range(self.power_iterations):
            vector_v = _l2_normalize(apply("matmul", [vector_u, weights_t]))
            vector_u = _l2_normalize(apply("matmul", [vector_v, weights]))
        vector_u = apply("stop_gradient", [vector_u])
        vector_v = apply("stop_gradient", [vector_v])
        sigma = apply("matmul", [apply("matmul", [vector_v, weights]), apply("transpose", [vector_u], axes=(1, 0))])
        new_kernel = apply("reshape", [kernel / sigma], shape=tuple(kernel.shape))
        return (apply("cast", [vector_u], dtype=self.vector_u.dtype),
                apply("cast", [new_kernel], dtype=self.kernel.dtype))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}


def _is_float(dtype) -> bool:
    return str(dtype) in ("float16", "bfloat16", "float32", "float64")
