"""Keras 3's newer optimizers: Lion, Lamb, Adafactor and Muon (arguments and defaults as in Keras).

    opt = Lion(learning_rate=1e-4, weight_decay=0.01)
"""
from __future__ import annotations

import re

from .base import Optimizer
from .transforms_extra import keras_adafactor, keras_lamb, keras_lion, keras_muon


class Lion(Optimizer):
    """Sign of an interpolated momentum (Chen et al. 2023); slot 'momentum'."""

    _default_name = "lion"
    _keras_slot_order = ("momentum",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"Lion: `beta_1` must be in the (0, 1] range, or the optimizer degenerates to SignSGD; "
                             f"received beta_1={beta_1}")
        self._hyper = {"beta_1": beta_1, "beta_2": beta_2}
        self.beta_1, self.beta_2 = beta_1, beta_2
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        return keras_lion(learning_rate, self.beta_1, self.beta_2)


class Lamb(Optimizer):
    """Adam's direction rescaled per layer by the trust ratio ||w|| / ||direction|| (You et al. 2019)."""

    _default_name = "lamb"
    _keras_slot_order = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        self._hyper = {"beta_1": beta_1, "beta_2": beta_2, "epsilon": epsilon}
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        return keras_lamb(step, learning_rate, self.beta_1, self.beta_2, self.epsilon)


class Adafactor(Optimizer):
    """Factored second moments (Shazeer & Stern 2018); per weight the slots r, c, velocity, in that order."""

    _default_name = "adafactor"
    _keras_slot_order = ("r", "c", "velocity")
    _keras_slot_groups = (("r", "c", "velocity"),)
    # NOTE: Keras names r and c after the weight alone ('kernel'), so two layers' slots share a name
    # and Keras's own .h5 writer cannot store them; symk names them '<layer>_<weight>_r' / '_c'
    # (files store optimizer variables by position: the order, not the name, must match)

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, **kwargs):
        self._hyper = {"beta_2_decay": beta_2_decay, "epsilon_1": epsilon_1, "epsilon_2": epsilon_2,
                       "clip_threshold": clip_threshold, "relative_step": relative_step}
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step
        super().__init__(learning_rate=learning_rate, **kwargs)

    def _transform(self, step, learning_rate):
        # Keras caps a fixed learning rate at 1/sqrt(t) with relative_step, never a schedule's
        return keras_adafactor(step, learning_rate, self.beta_2_decay, self.epsilon_1, self.epsilon_2,
                               self.clip_threshold, self.relative_step and self._schedule is None)


class Muon(Optimizer):
    """Momentum orthogonalised by Newton-Schulz for 2-D weights (Jordan et al. 2024); AdamW for
    the others, for embeddings (exclude_embeddings) and for weights whose path matches a regular
    expression in `exclude_layers`. Slots: 'momentum' for every weight, 'velocity' for the AdamW ones."""

    _default_name = "muon"
    _keras_slot_order = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004,
                 epsilon=1e-7, weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None, exclude_embeddings=True,
                 muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5,
                 nesterov=True, rms_rate=0.2, **kwargs):
        self._hyper = {"adam_beta_1": adam_beta_1, "adam_beta_2": adam_beta_2, "epsilon": epsilon,
                       "exclude_layers": list(exclude_layers or []), "muon_a": muon_a, "muon_b": muon_b,
                       "muon_c": muon_c, "adam_lr_ratio": adam_lr_ratio, "momentum": momentum, "ns_steps": ns_steps,
                       "nesterov": nesterov, "exclude_embeddings": exclude_embeddings,
                       "adam_weight_decay": adam_weight_decay, "rms_rate": rms_rate}
        for key, value in self._hyper.items():
            setattr(self, key, value)
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor, gradient_accumulation_steps=gradient_accumulation_steps,
                         name=name, **kwargs)

    def _uses_adamw(self, path: str, shape) -> bool:
        # Keras matches against the variable's full path, which starts with the model's name
        full_path = getattr(self, "_var_prefix", "") + path
        if len(shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in full_path.lower():
            return True
        return any(re.search(keyword, full_path) for keyword in self.exclude_layers)

    def _weight_decay_rate(self, path, value):
        if not self._use_weight_decay(path):
            return None
        return self.adam_weight_decay if self._uses_adamw(path, value.shape) else self.weight_decay

    def _transform(self, step, learning_rate):
        return keras_muon(step, learning_rate, self._uses_adamw, self.adam_beta_1, self.adam_beta_2, self.epsilon,
                          self.muon_a, self.muon_b, self.muon_c, self.adam_lr_ratio, self.momentum, self.ns_steps,
                          self.nesterov, self.rms_rate)
