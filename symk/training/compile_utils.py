"""What compile() was given, resolved per output: losses, loss weights and metrics, with the
names their values carry in logs and History ('loss', '<output>_loss', '<output>_<metric>').

Losses and metrics here are pure functions of jax arrays, called inside the jitted steps.
"""
from __future__ import annotations

from typing import Optional

import jax.numpy as jnp
import numpy as np

from .. import losses as losses_module
from .. import metrics as metrics_module

_SPARSE_LOSSES = {"sparse_categorical_crossentropy"}
_CATEGORICAL_LOSSES = {"categorical_crossentropy", "categorical_hinge", "kl_divergence", "kld"}


def _per_output(value, names: list, what: str, default=None) -> list:
    """A single value (for every output), a list by position or a dict by output name."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(f"compile(): `{what}` has key(s) {unknown} that are not output names; the model's "
                             f"outputs are named {names}.")
        return [value.get(n, default) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(f"compile(): `{what}` has {len(value)} entries, but the model has {len(names)} outputs "
                             f"{names}. Give one per output, or a dict keyed by output name.")
        return list(value)
    return [value] * len(names)


def _loss_name(loss) -> str:
    if isinstance(loss, str):
        return loss
    if isinstance(loss, losses_module.Loss):
        return loss.name
    return getattr(loss, "__name__", "")


class CompiledLossesAndMetrics:
    """Per-output losses, weights and metrics of one compile() call."""

    def __init__(self, output_names: list, loss, loss_weights=None, metrics=None, weighted_metrics=None,
                 require_loss: bool = True):
        self.output_names = list(output_names)
        raw_losses = _per_output(loss, self.output_names, "loss")
        self.raw_losses = raw_losses
        self.losses = [None if l is None else losses_module.get(l) for l in raw_losses]
        # numerics: (activation kind, loss on logits) per output whose crossentropy can read the logits
        # of its softmax/sigmoid instead of clipped probabilities (symk.passes.logits_loss; the steps
        # pass those logits to loss_values). Imported here so importing the losses never loads the passes.
        from ..passes.logits_loss import logit_loss
        self.logit_losses = [None if l is None else logit_loss(l) for l in self.losses]
        self.has_loss = any(l is not None for l in self.losses)
        if require_loss and not self.has_loss:
            raise ValueError("compile(): no loss given for any output; pass `loss=` (a name such as 'mse', a Loss, "
                             "or a function f(y_true, y_pred))")
        weights = _per_output(loss_weights, self.output_names, "loss_weights", default=1.0) \
            if loss_weights is not None else [1.0] * len(self.output_names)
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        self._raw_metrics = self._metric_lists(metrics, "metrics")
        self._raw_weighted = self._metric_lists(weighted_metrics, "weighted_metrics")
        self.metrics: Optional[list] = None  # [(output index, log name, Metric, weighted)] once resolved

    def _metric_lists(self, metrics, what) -> list:
        if metrics is None:
            return [[] for _ in self.output_names]
        if isinstance(metrics, dict):
            per = _per_output(metrics, self.output_names, what, default=[])
        elif isinstance(metrics, (list, tuple)) and metrics and all(isinstance(m, (list, tuple)) for m in metrics):
            per = _per_output(list(metrics), self.output_names, what)
        else:
            per = [metrics] * len(self.output_names)
        return [list(m) if isinstance(m, (list, tuple)) else [m] for m in per]

    # -- resolution once target and output shapes are known -----------------------------
    def resolve(self, target_shapes: list, output_shapes: list) -> None:
        if self.metrics is not None:
            return
        resolved = []
        for weighted, lists in ((False, self._raw_metrics), (True, self._raw_weighted)):
            for i, entries in enumerate(lists):
                for entry in entries:
                    metric = self._resolve_one(entry, i, target_shapes[i], output_shapes[i])
                    metric._build(target_shapes[i], output_shapes[i])  # state sized for these shapes (R2Score, F1)
                    name = metric.name if len(self.output_names) == 1 else f"{self.output_names[i]}_{metric.name}"
                    if weighted and any(n == name for _, n, _, _ in resolved):
                        name = f"weighted_{name}"
                    resolved.append((i, name, metric, weighted))
        self.metrics = resolved

    def _resolve_one(self, entry, index, target_shape, output_shape):
        if entry in ("accuracy", "acc"):
            return metrics_module.MeanMetricWrapper(self._accuracy_fn(index, target_shape, output_shape), name=entry)
        if entry in ("crossentropy", "ce"):
            loss_name = _loss_name(self.raw_losses[index])
            return metrics_module.get(loss_name if "crossentropy" in loss_name else "categorical_crossentropy",
                                      name=entry)
        metric = metrics_module.get(entry)
        # a shared Metric instance would share state between outputs: Keras copies per output
        return metric

    def _accuracy_fn(self, index, target_shape, output_shape):
        """Keras 3 picks binary / sparse / categorical accuracy from the shapes (and the loss)."""
        loss_name = _loss_name(self.raw_losses[index])
        if loss_name in _SPARSE_LOSSES:
            return metrics_module.sparse_categorical_accuracy
        if "binary" in loss_name:
            return metrics_module.binary_accuracy
        if output_shape[-1:] == (1,) or len(output_shape) == 1:
            return metrics_module.binary_accuracy
        if len(target_shape) < len(output_shape) or target_shape[-1] == 1 and output_shape[-1] > 1:
            return metrics_module.sparse_categorical_accuracy
        return metrics_module.categorical_accuracy

    def check_targets(self, target_shapes: list, output_shapes: list) -> None:
        """Errors, before any compilation, for targets that cannot fit their loss."""
        for name, loss, t, o in zip(self.output_names, self.raw_losses, target_shapes, output_shapes):
            loss_name = _loss_name(loss)
            if loss is None:
                continue
            if loss_name in _CATEGORICAL_LOSSES and (len(t) != len(o) or t[-1] != o[-1]):
                raise ValueError(
                    f"Output {name!r}: loss {loss_name!r} needs one-hot targets shaped like the output "
                    f"{tuple(o)}, but the targets have shape {tuple(t)}. For integer class labels use "
                    f"loss='sparse_categorical_crossentropy', or one-hot encode them with "
                    f"symk.utils.to_categorical(y, {o[-1]}).")
            if loss_name in _SPARSE_LOSSES and len(t) == len(o) and t[-1] != 1 and t[-1] == o[-1] and o[-1] > 1:
                raise ValueError(
                    f"Output {name!r}: loss {loss_name!r} takes integer class labels (shape {tuple(o[:-1])}), but "
                    f"the targets have shape {tuple(t)} like one-hot rows. Use loss='categorical_crossentropy' "
                    "for one-hot targets.")
            if loss_name not in _SPARSE_LOSSES and len(t) == len(o) and t[-1] != o[-1] and 1 not in (t[-1], o[-1]):
                raise ValueError(f"Output {name!r}: targets of shape {tuple(t)} do not match the output shape "
                                 f"{tuple(o)} for loss {loss_name or loss!r}.")

    # -- pure functions used inside the steps -------------------------------------------
    def loss_values(self, ys, preds, sample_weights, mask, logits=None):
        """(total weighted loss, [per-output loss]) of one batch; padded rows (mask 0) excluded
        and 'sum_over_batch_size' divided by the number of real rows, as Keras does.
        `logits`: {output index: logits of its softmax/sigmoid}, used instead of the probabilities."""
        total = jnp.zeros((), jnp.float32)
        per_output = []
        n_valid = jnp.sum(mask)
        # as Keras's losses (dtype floatx): mixed-precision outputs are scored in float32
        preds, logits = _low_floats_to_float32(preds), (_low_floats_to_float32(logits) if logits else logits)
        for i, loss in enumerate(self.losses):
            if loss is None:
                per_output.append(None)
                continue
            loss_mask = None  # values a loss leaves out of its mean (Circle's queries without positives)
            if logits and i in logits and self.logit_losses[i] is not None:
                values = self.logit_losses[i][1](ys[i], logits[i])  # stable: no clipped log of a probability
            elif isinstance(loss, losses_module.Loss):
                values, loss_mask = loss.call_with_mask(ys[i], preds[i])
            else:  # a function: Keras's compile wraps it in a LossFunctionWrapper, which aligns the ranks first
                values = loss(*losses_module.squeeze_or_expand_to_same_rank(ys[i], preds[i]))
            values = jnp.asarray(values, jnp.float32)
            if values.ndim == 0:  # a custom loss that reduced on its own
                value = values
            else:
                weights = mask if sample_weights is None or sample_weights[i] is None else mask * jnp.reshape(
                    sample_weights[i], (mask.shape[0],) + tuple(sample_weights[i].shape[1:]))
                weighted = values * _expand_to(weights, values)
                reduction = getattr(loss, "reduction", "sum_over_batch_size")
                if loss_mask is not None:
                    loss_mask = jnp.asarray(loss_mask, jnp.float32)
                    weighted = weighted * loss_mask
                if reduction == "sum":
                    value = jnp.sum(weighted)
                elif loss_mask is not None:
                    value = jnp.sum(weighted) / jnp.maximum(jnp.sum(_expand_to(mask, values) * loss_mask), 1.0)
                else:
                    per_row = int(np.prod(values.shape[1:])) if values.ndim > 1 else 1
                    value = jnp.sum(weighted) / jnp.maximum(n_valid * per_row, 1.0)
            per_output.append(value)
            total = total + self.loss_weights[i] * value
        return total, per_output

    def initial_metric_state(self):
        state = {"loss": metrics_module.Mean().initial_state()}
        if len(self.output_names) > 1:
            for i, name in enumerate(self.output_names):
                if self.losses[i] is not None:
                    state[f"{name}_loss"] = metrics_module.Mean().initial_state()
        for _, name, metric, _ in self.metrics or []:
            state[name] = metric.initial_state()
        return state

    def update_metrics(self, state, total_loss, per_output, ys, preds, sample_weights, mask):
        n_valid = jnp.sum(mask)
        preds = _low_floats_to_float32(preds)  # metrics, like losses, in float32 (Keras's metric dtype floatx)
        mean = metrics_module.Mean()
        new = {"loss": mean.update(state["loss"], total_loss, None, n_valid)}
        if len(self.output_names) > 1:
            for i, name in enumerate(self.output_names):
                if per_output[i] is not None:
                    new[f"{name}_loss"] = mean.update(state[f"{name}_loss"], per_output[i], None, n_valid)
        for i, name, metric, weighted in self.metrics or []:
            weights = mask
            if weighted and sample_weights is not None and sample_weights[i] is not None:
                weights = mask * jnp.reshape(sample_weights[i], (mask.shape[0],) + tuple(sample_weights[i].shape[1:]))
            elif not metric._has_pure_state():
                # NOTE: a metric written as in Keras 3 sees Keras's sample_weight=None as symk's padding mask (the
                # last batch is padded to a full one), shaped like y_true so the guide's `values * sample_weight`
                # keeps its shape; one that ignores sample_weight counts the padded rows of the last batch
                weights = jnp.reshape(mask, (mask.shape[0],) + (1,) * (jnp.ndim(ys[i]) - 1))
            new[name] = metric.update(state[name], ys[i], preds[i], weights)
        return new

    def results(self, state) -> dict:
        mean = metrics_module.Mean()
        out = {}
        for key, value in state.items():
            metric = next((m for _, n, m, _ in self.metrics or [] if n == key), None)
            out[key] = metric.compute(value) if metric is not None else mean.compute(value)
        return out

    def metric_names(self) -> list:
        return list(self.initial_metric_state())


def _low_floats_to_float32(values):
    """float16/bfloat16 arrays in a list or dict as float32, everything else as it is."""
    def widen(x):
        return x.astype(jnp.float32) if getattr(x, "dtype", None) in (jnp.float16, jnp.bfloat16) else x

    return {k: widen(v) for k, v in values.items()} if isinstance(values, dict) else [widen(v) for v in values]


def _expand_to(weights, values):
    while weights.ndim < values.ndim:
        weights = weights[..., None]
    return weights
