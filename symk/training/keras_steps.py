"""Keras 3's JAX-trainer step API on Model: `train_step(state, data)`, `test_step`, `predict_step`,
`compute_loss_and_updates`, `stateless_compute_loss`, `compute_loss`, `compute_metrics`, with the
state tuple Keras's JAX trainer uses:

    train: (trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)
    test:  (trainable_variables, non_trainable_variables, metrics_variables)
    predict: (trainable_variables, non_trainable_variables)

These defaults are what a user's override calls through `super()`, and what fit/evaluate/predict
run (jitted, custom_loop.py) once any of them is overridden; a model that overrides none trains
with symk's own fused step (step.py), which computes the same numbers.
NOTE: symk's optimizer_variables also hold, after `self.optimizer`'s, the variables of any other
optimizer the model keeps as an attribute (a GAN's d_optimizer, g_optimizer), in attribute order.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .. import stateless_scope
from .compile_metrics import per_output


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from (x,), (x, y), (x, y, sample_weight) or x alone (Keras's rule)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
                     f"found: {data!r}")


def _batch_size(x) -> int:
    return next(int(leaf.shape[0]) for leaf in jax.tree_util.tree_leaves(x))


class KerasStepsAPI:
    """Mixed into TrainingAPI (and so into Model)."""

    # -- losses ------------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of (y, y_pred) plus every `self.losses` term (add_loss, regularizers)."""
        del x, training
        losses = []
        compiled = self.compiled_loss if getattr(self.compiled_loss, "has_loss", False) else None
        if compiled is not None and y is not None:
            names = compiled.output_names
            preds = [jnp.asarray(p) for p in per_output(y_pred, names)]
            ys = [None if t is None else jnp.asarray(t) for t in per_output(y, names)]
            weights = per_output(sample_weight, names)
            weights = None if all(w is None for w in weights) else [None if w is None else jnp.asarray(w)
                                                                     for w in weights]
            total, per_loss = compiled.loss_values(ys, preds, weights, jnp.ones((preds[0].shape[0],), jnp.float32))
            for tracker, value in zip(self._output_loss_trackers or [], per_loss):
                if tracker is not None and value is not None:
                    tracker.update_state(value, sample_weight=preds[0].shape[0])
            losses.append(total)
        for loss in self.losses:
            losses.append(jnp.sum(jnp.asarray(loss, jnp.float32)))
        if not losses:
            return jnp.zeros((), jnp.float32)
        return losses[0] if len(losses) == 1 else sum(losses[1:], losses[0])

    def _compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """compute_loss, also for overrides written before Keras 3.3 (without `training`)."""
        import inspect

        if "training" in inspect.signature(self.compute_loss).parameters:
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def stateless_compute_loss(self, trainable_variables, non_trainable_variables, metrics_variables, x=None, y=None,
                               y_pred=None, sample_weight=None, training=True):
        mapping = list(zip(self.trainable_variables, trainable_variables))
        mapping += list(zip(self.non_trainable_variables, non_trainable_variables))
        mapping += list(zip(self.metrics_variables, metrics_variables))
        with stateless_scope.StatelessScope(state_mapping=mapping) as scope:
            loss = self._compute_loss(x, y, y_pred, sample_weight=sample_weight, training=training)
        non_trainable = [_current(scope, v, value) for v, value in zip(self.non_trainable_variables,
                                                                        non_trainable_variables)]
        metrics = [_current(scope, v, value) for v, value in zip(self.metrics_variables, metrics_variables)]
        return loss, (trainable_variables, non_trainable, metrics)

    def compute_loss_and_updates(self, trainable_variables, non_trainable_variables, metrics_variables, x, y,
                                 sample_weight, training=False, optimizer_variables=None):
        """Stateless forward pass and loss, for jax.value_and_grad(..., has_aux=True): returns
        (scaled loss, (unscaled loss, y_pred, non_trainable_variables, metrics_variables))."""
        kwargs = {"training": training} if self._call_accepts("training") else {}
        y_pred, non_trainable_variables, losses = self.stateless_call(trainable_variables, non_trainable_variables, x,
                                                                      return_losses=True, **kwargs)
        self._losses_override = list(losses)
        try:
            loss, (trainable_variables, non_trainable_variables, metrics_variables) = self.stateless_compute_loss(
                trainable_variables, non_trainable_variables, metrics_variables, x=x, y=y, y_pred=y_pred,
                sample_weight=sample_weight, training=training)
        finally:
            self._losses_override = None
        unscaled = loss
        if training and self.optimizer is not None and optimizer_variables is not None:
            loss = self.optimizer._scale_loss(loss, None)
        return loss, (unscaled, y_pred, non_trainable_variables, metrics_variables)

    # -- metrics -------------------------------------------------------------------------------------
    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics and return the results of all of `self.metrics`."""
        del x
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_metrics_variables(self, metrics_variables, unscaled_loss, x, y, y_pred, sample_weight):
        with stateless_scope.StatelessScope(state_mapping=list(zip(self.metrics_variables, metrics_variables))) \
                as scope:
            if self._loss_tracker is not None:
                self._loss_tracker.update_state(unscaled_loss, sample_weight=_batch_size(x))
            logs = self.compute_metrics(x, y, y_pred, sample_weight)
        return logs, [_current(scope, v, value) for v, value in zip(self.metrics_variables, metrics_variables)]

    # -- the steps --------------------------------------------------------------------------------------
    def train_step(self, state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        grad_fn = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)
        (_, (unscaled, y_pred, non_trainable_variables, metrics_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, metrics_variables, x, y, sample_weight, training=True,
            optimizer_variables=optimizer_variables)
        own = len(self.optimizer.variables)
        trainable_variables, own_values = self.optimizer.stateless_apply(optimizer_variables[:own], grads,
                                                                          trainable_variables)
        for path, constraint in self._weight_constraints():
            trainable_variables = [constraint(value) if v.path == path else value
                                   for v, value in zip(self.trainable_variables, trainable_variables)]
        optimizer_variables = list(own_values) + list(optimizer_variables[own:])
        logs, metrics_variables = self._update_metrics_variables(metrics_variables, unscaled, x, y, y_pred,
                                                                 sample_weight)
        return logs, (trainable_variables, non_trainable_variables, optimizer_variables, metrics_variables)

    def test_step(self, state, data):
        trainable_variables, non_trainable_variables, metrics_variables = state
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        _, (unscaled, y_pred, non_trainable_variables, metrics_variables) = self.compute_loss_and_updates(
            trainable_variables, non_trainable_variables, metrics_variables, x, y, sample_weight, training=False)
        logs, metrics_variables = self._update_metrics_variables(metrics_variables, unscaled, x, y, y_pred,
                                                                 sample_weight)
        return logs, (trainable_variables, non_trainable_variables, metrics_variables)

    def predict_step(self, state, data):
        trainable_variables, non_trainable_variables = state
        x, _, _ = unpack_x_y_sample_weight(data)
        outputs, non_trainable_variables = self.stateless_call(trainable_variables, non_trainable_variables, x,
                                                               training=False)
        return outputs, non_trainable_variables

    def _weight_constraints(self) -> list:
        return [(v.path, v.constraint) for v in self.trainable_variables if v.constraint is not None]


def _current(scope, variable, fallback):
    value = scope.get_current_value(variable)
    return fallback if value is None else value
