"""The loops behind fit / evaluate / train_on_batch: data in, callbacks around each execution
(one step, or `steps_per_execution` steps in one dispatch) and epoch, logs out. The steps
themselves are in step.py; predict's loop is in predict_loop.py."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .. import config
from ..distribution import placement as dist_placement
from . import data_adapter as da
from .lazy_logs import LazyLogs
from .steps_tuner import timed, tuner_for


def _verbosity(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


def _ordered(compiled, values) -> dict:
    """Host floats in Keras's order (loss first), whatever order the device dict came back in."""
    return {k: float(values[k]) for k in compiled.metric_names()}


def _due(validation_freq, epoch: int) -> bool:
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def _train_group(steps, carry, group: list):
    """Train on the batches of one execution: one step, or a scan over them stacked."""
    carry = steps.with_host_learning_rate(carry)
    if len(group) == 1:
        return steps.train_batch(carry, *group[0])
    stack = lambda arrays: jnp.stack(arrays)  # noqa: E731
    xs = [stack([b[0][j] for b in group]) for j in range(len(group[0][0]))]
    ys = [stack([b[1][j] for b in group]) for j in range(len(group[0][1]))]
    if all(b[2] is None for b in group):
        sws = None
    else:  # a batch without weights weighs each sample 1
        sws = [stack([b[2][j] if b[2] is not None else jnp.ones_like(b[3]) for b in group])
               for j in range(len(ys))]
    return steps.train_stacked(carry, xs, ys, sws, stack([b[3] for b in group]))


def store_metric_state(model, state: dict) -> None:
    """The epoch's metric sums into the model's Metric objects, so `model.metrics` and
    `get_metrics_result()` tell what the logs told (as after Keras's fit)."""
    trackers = {"loss": model._loss_tracker}
    trackers.update({m.name: m for m in model._output_loss_trackers or [] if m is not None})
    for _, name, metric, _ in (model.compiled_loss.metrics if model.compiled_loss is not None else None) or []:
        trackers[name] = metric
    for name, value in state.items():
        if trackers.get(name) is not None:
            trackers[name]._state = value


class EpochRunner:
    def __init__(self, model):
        self.model = model

    # -- data ---------------------------------------------------------------------------
    def arrays(self, x, y, sample_weight=None, class_weight=None, function: str = "fit"):
        model = self.model
        if y is None and isinstance(x, tuple) and len(x) in (2, 3):
            x, y, sample_weight = da.unpack_batch(x)
        if x is None or y is None:
            raise ValueError(f"Model {model.name!r}: training and evaluation need targets; got "
                             f"{'no x' if x is None else 'no y'}. Pass fit(x, y) (or batches of (x, y)).")
        for value, argument in ((x, "x"), (y, "y"), (sample_weight, "sample_weight")):
            if argument == "x" and model._takes_host_data(x):
                continue  # strings: the model's host layers check and convert them (models/host_prefix.py)
            da.check_numeric(value, argument, function)
        xs = model._standardize_inputs(x)
        ys = da.standardize_targets(model, y)
        sws = da.standardize_sample_weights(model, sample_weight, len(ys))
        if class_weight is not None:
            if len(ys) != 1:
                raise ValueError("`class_weight` is only supported for models with one output; use sample_weight "
                                 "(a dict by output name) for several outputs")
            weights = da.class_weights_to_sample_weights(class_weight, ys[0])
            sws = [weights if sws is None or sws[0] is None else sws[0] * weights]
        da.check_lengths(xs, ys, sws)
        return xs, ys, sws

    @staticmethod
    def _device(xs, ys, sws):
        n = len(xs[0])
        if sws is not None:
            sws = [np.ones(n, np.float32) if w is None else w for w in sws]
            sws = jax.device_put(sws)
        # NOTE: jax.device_put, not jnp.asarray: the latter compiles a staging program per shape and dtype
        return jax.device_put(list(xs)), jax.device_put(list(ys)), sws

    def _batch_arrays(self, batch, pad_to=None):
        if isinstance(batch, dist_placement.LocalBatch):  # this process's rows, already in the model's order
            xs, ys, sws = batch
        else:
            bx, by, bsw = da.unpack_batch(batch)
            xs, ys, sws = self.arrays(bx, by, bsw)
        size = len(xs[0])
        mask = np.ones(pad_to or size, np.float32)
        if pad_to is not None and size < pad_to:
            mask[size:] = 0.0
            xs, ys = da.pad_rows(xs, pad_to), da.pad_rows(ys, pad_to)
            sws = None if sws is None else da.pad_rows(sws, pad_to)
        xs, ys, sws = self._device(xs, ys, sws)
        xs, ys, sws, mask = dist_placement.place_batch(xs, ys, sws, jnp.asarray(mask))  # split over the devices
        return xs, ys, sws, mask, size

    # -- callbacks ----------------------------------------------------------------------
    def _callbacks(self, callbacks, verbose, params, history=True):
        from ..callbacks import CallbackList, History, ProgbarLogger

        verbose = verbose if dist_placement.writes_files() else 0  # several processes: process 0 prints

        user = list(callbacks or [])
        progbar = [ProgbarLogger(verbose=verbose)] if verbose and not any(isinstance(c, ProgbarLogger) for c in user) \
            else []
        hist = History() if history else None
        cbs = CallbackList(progbar + user + ([hist] if hist else []), model=self.model, params=params)
        for cb in user:
            if isinstance(cb, ProgbarLogger):
                cb.verbose = cb.verbose or verbose
        return cbs, hist, any(cb._uses_batch_hooks() for cb in user if not isinstance(cb, ProgbarLogger))

    # -- fit ----------------------------------------------------------------------------
    def fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
            class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
            validation_freq):
        model = self.model
        verbose = _verbosity(verbose)
        iterable = da.is_batch_iterable(x)
        (batch_size, epochs, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
         validation_freq) = da.check_fit_arguments(batch_size, epochs, initial_epoch, steps_per_epoch, validation_steps,
                                                   validation_batch_size, validation_freq, validation_split)
        max_steps = config.max_steps_per_epoch()  # global caps for quick runs (symk.config.set_max_epochs, ...)
        if config.max_epochs() is not None:
            epochs = min(epochs, config.max_epochs())
        if iterable and max_steps is not None:
            steps_per_epoch = min(steps_per_epoch or max_steps, max_steps)
        if iterable:
            if validation_split:
                raise ValueError("validation_split is not supported when x is an iterable of batches; pass "
                                 "validation_data instead")
            steps_total = steps_per_epoch or (len(x) if hasattr(x, "__len__") else None)
        else:
            batch_size = batch_size or 32
            xs, ys, sws = self.arrays(x, y, sample_weight, class_weight, function="fit")
            if validation_split and validation_data is None:
                (xs, ys, sws), validation_data = da.split_validation([xs, ys, sws], validation_split)
                validation_data = tuple(v for v in validation_data if v is not None)
                # split after the host layers ran (models/host_prefix.py): they must not run on it twice
                validation_data = (model._host_computed(validation_data[0]),) + validation_data[1:]
            n = len(xs[0])
            steps_total = -(-n // batch_size) if max_steps is None else min(-(-n // batch_size), max_steps)
            steps = model._build_steps(xs, ys)
            if dist_placement.feeds_local_data():  # each process passed its own slice: fed batch by batch
                x = dist_placement.LocalBatches(xs, ys, sws, batch_size, shuffle, "fit", max_steps)
                iterable, steps_total = True, len(x)
            else:
                data = dist_placement.place_dataset(self._device(xs, ys, sws))
        if validation_data is not None and not da.is_batch_iterable(validation_data):
            self._check_validation_data(validation_data)  # now, not after the first epoch's compile
        params = {"epochs": epochs, "steps": steps_total, "verbose": verbose}
        cbs, history, batch_hooks = self._callbacks(callbacks, verbose, params)
        model.stop_training = False
        carry, unsaved = None, False
        cbs.on_train_begin()
        # BackupAndRestore resumes at the epoch its backup recorded (set in on_train_begin, as Keras's trainers read it)
        initial_epoch = model.__dict__.pop("_initial_epoch", None) or initial_epoch
        logs = {}
        try:
            for epoch in range(initial_epoch, epochs):
                cbs.on_epoch_begin(epoch)
                unsaved = True
                if iterable:
                    carry, logs, steps = self._iterable_epoch(x, steps_per_epoch, carry, cbs, batch_hooks)
                else:
                    carry = self._fresh_carry(steps, carry)
                    carry, logs = self._array_epoch(steps, carry, data, n, batch_size, shuffle, cbs, batch_hooks)
                steps.write_back(carry)
                store_metric_state(model, carry["metrics"])
                unsaved = False
                if validation_data is not None and _due(validation_freq, epoch):
                    cbs.on_test_begin()  # Keras runs the test hooks of fit's callbacks on the validation pass
                    val_logs = self.evaluate_data(validation_data, validation_batch_size or batch_size,
                                                  validation_steps, cbs)
                    cbs.on_test_end(val_logs)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, logs)
                if model.stop_training:
                    break
        finally:
            # an interrupted epoch: keep what it trained (the donated arrays are gone otherwise)
            if carry is not None and unsaved:
                steps.write_back(carry)
        if epochs > initial_epoch and model.optimizer is not None:
            # with use_ema, the weights become their moving averages once training ends, as in Keras
            model.optimizer.finalize_variable_values(model.trainable_weights)
        cbs.on_train_end(logs)
        return history

    def _check_validation_data(self, validation_data) -> None:
        """validation_data's arrays against the model's inputs and the losses' targets, before training."""
        if self.model._graph is None or self.model.compiled_loss is None:
            return  # built by the first batch of an iterable: checked when the validation runs
        data = tuple(validation_data) if isinstance(validation_data, list) else validation_data
        if not isinstance(data, tuple) or not 2 <= len(data) <= 3:
            raise ValueError("fit(validation_data=...) must be a tuple (x_val, y_val) or (x_val, y_val, "
                             f"val_sample_weight), or an iterable of batches; got {type(validation_data).__name__}")
        try:
            xs, ys, _ = self.arrays(*da.unpack_batch(data), function="fit(validation_data)")
            self.model.compiled_loss.check_targets([tuple(y.shape) for y in ys],
                                                   [tuple(t.shape) for t in self.model.outputs])
        except ValueError as err:
            raise ValueError(f"fit(validation_data=...): {err}") from None

    def _fresh_carry(self, steps, carry):
        """The carry for a new epoch: weights and optimizer state from the Variables (they may
        have been set by callbacks, set_weights or a loaded file), metric sums reset."""
        if carry is None:
            return dist_placement.place_carry(steps, steps.initial_carry(self.model._next_rng()))
        params = {p: steps.variables[p].device_value() for p in steps.param_paths}
        state = {p: steps.variables[p].device_value() for p in steps.state_paths}
        return dist_placement.place_carry(steps, {
            "params": params, "state": state, "opt": steps.optimizer._state_from_variables(params),
            "metrics": steps.compiled.initial_metric_state(), "rng": carry["rng"]})

    def _after_execution(self, steps, carry, cbs, last_batch: int, batch_hooks) -> bool:
        """on_train_batch_end once per execution (Keras: with the index of its last batch);
        True when a callback asked training to stop."""
        if batch_hooks:
            steps.write_back(carry)
        metrics = carry["metrics"]
        cbs.on_train_batch_end(last_batch, LazyLogs(lambda m=metrics: _ordered(steps.compiled, steps.results(m))))
        return bool(self.model.stop_training)

    def _steps_tuner(self):
        """How many steps each dispatch runs (symk/training/steps_tuner.py); "auto" keeps measuring across
        epochs until it has chosen, and its choice holds until the next compile()."""
        model = self.model
        if getattr(model, "_steps_tuner", None) is None:
            model._steps_tuner = tuner_for(getattr(model, "steps_per_execution", 1))
        return model._steps_tuner

    def _array_epoch(self, steps, carry, data, n, batch_size, shuffle, cbs, batch_hooks):
        # NOTE: batch-dependent state (batch-norm statistics) must not see padded rows:
        # such models run their last partial batch at its own size (one extra compilation)
        exact_last = bool(steps.train_program.state_updates)
        plan = dist_placement.place_plan(da.plan_epoch(n, batch_size, shuffle))
        own_size_last = int(exact_last and plan.sizes[-1] < batch_size)
        usable = plan.steps - own_size_last
        max_steps = config.max_steps_per_epoch()
        if max_steps is not None and max_steps < plan.steps:
            usable, own_size_last = max_steps, 0
        tuner, first = self._steps_tuner(), 0
        tuner.epoch_steps(usable)
        while first < usable:
            count = tuner.count_for(usable - first)
            cbs.on_train_batch_begin(first)
            carry = steps.with_host_learning_rate(carry)
            if count == 1:
                run = lambda c=carry: steps.train_indexed(c, data, plan.order, plan.mask, first)  # noqa: E731
            else:
                run = lambda c=carry: steps.train_rows(c, data, plan.order, plan.mask, first, count)  # noqa: E731
            carry = timed(tuner, run, count, jax.block_until_ready)
            first += count
            if self._after_execution(steps, carry, cbs, first - 1, batch_hooks):
                break
        else:
            if own_size_last:
                i = plan.steps - 1
                cbs.on_train_batch_begin(i)
                index = plan.order[i, :plan.sizes[i]]
                xs, ys, sws = ([jnp.take(a, index, axis=0) for a in group] if group is not None else None
                               for group in data)
                carry = steps.with_host_learning_rate(carry)
                carry = steps.train_batch(carry, xs, ys, sws, jnp.ones(plan.sizes[i], jnp.float32))
                self._after_execution(steps, carry, cbs, i, batch_hooks)
        return carry, _ordered(steps.compiled, steps.results(carry["metrics"]))

    def _iterable_epoch(self, data, steps_per_epoch, carry, cbs, batch_hooks):
        steps, batch_size = getattr(self.model, "_steps", None), None
        tuner = self._steps_tuner()
        group, stopped = [], False
        for i, batch in enumerate(da.iterate_batches(data, steps_per_epoch)):
            if not group:
                cbs.on_train_batch_begin(i)
            xs, ys, sws, mask, size = self._batch_arrays(batch, pad_to=batch_size)
            if batch_size is None:
                batch_size = size
                steps = self.model._build_steps(xs, ys)
                carry = self._fresh_carry(steps, carry)
            if size > batch_size:
                raise ValueError(f"batch {i} has {size} samples, more than the first batch's {batch_size}; the "
                                 "first batch of an epoch sets the batch size")
            group.append((xs, ys, sws, mask))
            if len(group) == tuner.next_count():
                carry = timed(tuner, lambda c=carry, g=group: _train_group(steps, c, g), len(group),
                              jax.block_until_ready)
                group = []
                if self._after_execution(steps, carry, cbs, i, batch_hooks):
                    stopped = True
                    break
        if group and not stopped:  # the epoch's last, shorter execution (single steps if the tuner says so)
            runs = [group] if tuner.count_for(len(group)) == len(group) else [[batch] for batch in group]
            first_index = i - len(runs) + 1  # its begin hook ran when the group started
            for index, part in enumerate(runs, start=first_index):
                if index > first_index:
                    cbs.on_train_batch_begin(index)
                carry = _train_group(steps, carry, part)
                if self._after_execution(steps, carry, cbs, index, batch_hooks):
                    break
        if carry is None:
            raise ValueError("the training data yielded no batches")
        return carry, _ordered(steps.compiled, steps.results(carry["metrics"])), steps

    # -- evaluate -----------------------------------------------------------------------
    def evaluate(self, x, y, batch_size, verbose, sample_weight, steps, callbacks):
        verbose = _verbosity(verbose)
        batch_size, steps = da.check_count(batch_size, "batch_size", "evaluate"), da.check_count(steps, "steps",
                                                                                                   "evaluate")
        data = x if da.is_batch_iterable(x) or y is None and isinstance(x, tuple) else (x, y, sample_weight)
        total = steps or (len(x) if da.is_batch_iterable(x) and hasattr(x, "__len__") else None)
        if not da.is_batch_iterable(x):
            n = len(self.arrays(*da.unpack_batch(data), function="evaluate")[0][0])
            total = -(-n // int(batch_size or 32))
        cbs, _, _ = self._callbacks(callbacks, verbose, {"steps": total, "verbose": verbose}, history=False)
        cbs.on_test_begin()
        logs = self.evaluate_data(data, batch_size, steps, cbs)
        cbs.on_test_end(logs)
        return logs

    def evaluate_data(self, data, batch_size, steps=None, cbs=None) -> dict:
        model = self.model
        if da.is_batch_iterable(data):
            metrics, size, runner = None, None, None
            for i, batch in enumerate(da.iterate_batches(data, steps)):
                if cbs is not None:
                    cbs.on_test_batch_begin(i)
                xs, ys, sws, mask, real = self._batch_arrays(batch, pad_to=size)
                if size is None:
                    size, runner = real, model._build_steps(xs, ys)
                    weights, metrics = dist_placement.place_weights(runner, runner.weights()), \
                        runner.compiled.initial_metric_state()
                metrics = runner.test_batch(metrics, weights, xs, ys, sws, mask)
                if cbs is not None:
                    cbs.on_test_batch_end(i, LazyLogs(lambda m=metrics: _ordered(runner.compiled, runner.results(m))))
            if runner is None:
                raise ValueError("the evaluation data yielded no batches")
            return _ordered(runner.compiled, runner.results(metrics))
        xs, ys, sws = self.arrays(*da.unpack_batch(tuple(data) if isinstance(data, list) else data))
        batch_size = int(batch_size or 32)
        if dist_placement.feeds_local_data():  # each process passed its own slice: fed batch by batch
            return self.evaluate_data(dist_placement.LocalBatches(xs, ys, sws, batch_size, False, "evaluate"),
                                      batch_size, steps, cbs)
        runner = model._build_steps(xs, ys)
        device_data = dist_placement.place_dataset(self._device(xs, ys, sws))
        plan = dist_placement.place_plan(da.plan_epoch(len(xs[0]), batch_size, shuffle=False))
        weights = dist_placement.place_weights(runner, runner.weights())
        metrics = runner.compiled.initial_metric_state()
        for i in range(plan.steps):
            if cbs is not None:
                cbs.on_test_batch_begin(i)
            metrics = runner.test_indexed(metrics, weights, device_data, plan.order, plan.mask, i)
            if cbs is not None:
                cbs.on_test_batch_end(i, LazyLogs(lambda m=metrics: _ordered(runner.compiled, runner.results(m))))
        return _ordered(runner.compiled, runner.results(metrics))

    # -- single batches -----------------------------------------------------------------
    def one_batch(self, x, y, sample_weight, class_weight, train: bool, reset_metrics: bool) -> dict:
        model = self.model
        xs, ys, sws = self.arrays(x, y, sample_weight, class_weight,
                                  function="train_on_batch" if train else "test_on_batch")
        steps = model._build_steps(xs, ys)
        xs, ys, sws = self._device(xs, ys, sws)
        xs, ys, sws, mask = dist_placement.place_batch(xs, ys, sws, jnp.ones(len(xs[0]), jnp.float32))
        kept = getattr(model, "_batch_metric_state", None)
        metrics = steps.compiled.initial_metric_state() if reset_metrics or kept is None else kept
        if train:
            carry = dist_placement.place_carry(steps, steps.initial_carry(model._next_rng()))
            carry["metrics"] = dist_placement.place_tree_replicated(metrics)
            carry = steps.with_host_learning_rate(carry)
            carry = steps.train_batch(carry, xs, ys, sws, mask)
            steps.write_back(carry)
            metrics = carry["metrics"]
        else:
            metrics = steps.test_batch(metrics, dist_placement.place_weights(steps, steps.weights()), xs, ys, sws, mask)
        model._batch_metric_state = None if reset_metrics else metrics
        return _ordered(steps.compiled, steps.results(metrics))
