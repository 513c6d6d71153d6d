"""The optimizers: each one's hyperparameters (Keras 3 defaults) and its optax transform.

    opt = Adam(learning_rate=1e-3)          # or 'adam', or Keras 2's Adam(lr=1e-3, decay=1e-6)
"""
from __future__ import annotations

import optax

from .base import Optimizer
from .transforms import keras_ftrl, scale_by_keras_adam, scale_by_keras_adamax, scale_by_keras_nadam


class SGD(Optimizer):
    """w += m, m = momentum * m - lr * g (nesterov: w += momentum * m - lr * g)."""

    _default_name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1], got {momentum}")
        self._hyper = {"momentum": float(momentum), "nesterov": bool(nesterov)}
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self._keras_slot_order = ("momentum",) if self.momentum else ()
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        # the learning rate is applied before the trace, as Keras's momentum holds lr-scaled steps
        if not self.momentum:
            return optax.scale_by_learning_rate(learning_rate)
        return optax.chain(optax.scale_by_learning_rate(learning_rate),
                           optax.trace(decay=self.momentum, nesterov=self.nesterov))


class RMSprop(Optimizer):
    _default_name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        self._hyper = {"rho": rho, "momentum": momentum, "epsilon": epsilon, "centered": centered}
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered
        self._keras_slot_order = ("velocity",) + (("momentum",) if momentum > 0 else ()) + \
                                 (("average_gradient",) if centered else ())
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        if self.centered:
            scale = optax.scale_by_stddev(decay=self.rho, eps=self.epsilon, eps_in_sqrt=True)
        else:
            scale = optax.scale_by_rms(decay=self.rho, eps=self.epsilon, eps_in_sqrt=True)
        parts = [scale, optax.scale_by_learning_rate(learning_rate)]
        if self.momentum > 0:
            parts.append(optax.trace(decay=self.momentum))
        return optax.chain(*parts)


class Adam(Optimizer):
    _default_name = "adam"
    _keras_slot_order = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        self._hyper = {"beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon, "amsgrad": amsgrad}
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad
        self._keras_slot_order = ("momentum", "velocity") + (("velocity_hat",) if amsgrad else ())
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        return optax.chain(scale_by_keras_adam(step, self.beta_1, self.beta_2, self.epsilon, self.amsgrad),
                           optax.scale_by_learning_rate(learning_rate))


class AdamW(Adam):
    _default_name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if not weight_decay:
            raise ValueError("AdamW: weight_decay must be a positive number (use Adam for no decay)")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    _default_name = "adagrad"
    _keras_slot_order = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        self._hyper = {"initial_accumulator_value": initial_accumulator_value, "epsilon": epsilon}
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        return optax.chain(optax.scale_by_rss(self.initial_accumulator_value, self.epsilon),
                           optax.scale_by_learning_rate(learning_rate))


class Adadelta(Optimizer):
    _default_name = "adadelta"
    _keras_slot_order = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        self._hyper = {"rho": rho, "epsilon": epsilon}
        self.rho, self.epsilon = rho, epsilon
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        return optax.chain(optax.scale_by_adadelta(self.rho, self.epsilon), optax.scale_by_learning_rate(learning_rate))


class _TwoMomentOptimizer(Optimizer):
    """Adamax and Nadam: Adam's hyperparameters (no amsgrad), each with its own Keras-matching scaling."""

    scale_by = None  # (step, beta_1, beta_2, epsilon) -> optax transform, set by each subclass

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        self._hyper = {"beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon}
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        return optax.chain(self.scale_by(step, self.beta_1, self.beta_2, self.epsilon),
                           optax.scale_by_learning_rate(learning_rate))


class Adamax(_TwoMomentOptimizer):
    _default_name = "adamax"
    _keras_slot_order = ("momentum", "norm")
    scale_by = staticmethod(scale_by_keras_adamax)


class Nadam(_TwoMomentOptimizer):
    _default_name = "nadam"
    _keras_slot_order = ("momentum", "velocity")
    scale_by = staticmethod(scale_by_keras_nadam)


class Ftrl(Optimizer):
    """FTRL-Proximal with Keras 3's arguments and defaults (slots 'accumulator', 'linear')."""

    _default_name = "ftrl"
    _keras_slot_order = ("accumulator", "linear")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        checks = {"learning_rate_power": (learning_rate_power, learning_rate_power <= 0),
                  "initial_accumulator_value": (initial_accumulator_value, initial_accumulator_value >= 0),
                  "l1_regularization_strength": (l1_regularization_strength, l1_regularization_strength >= 0),
                  "l2_regularization_strength": (l2_regularization_strength, l2_regularization_strength >= 0),
                  "l2_shrinkage_regularization_strength": (l2_shrinkage_regularization_strength,
                                                           l2_shrinkage_regularization_strength >= 0)}
        for name, (value, ok) in checks.items():
            if not ok:
                rule = "<= 0" if name == "learning_rate_power" else ">= 0"
                raise ValueError(f"Ftrl: `{name}` must be {rule}; got {value}")
        self._hyper = {"learning_rate_power": learning_rate_power,
                       "initial_accumulator_value": initial_accumulator_value,
                       "l1_regularization_strength": l1_regularization_strength,
                       "l2_regularization_strength": l2_regularization_strength,
                       "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength, "beta": beta}
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        h = self._hyper
        return keras_ftrl(learning_rate, h["learning_rate_power"], h["initial_accumulator_value"],
                          h["l1_regularization_strength"], h["l2_regularization_strength"],
                          h["l2_shrinkage_regularization_strength"], h["beta"])
