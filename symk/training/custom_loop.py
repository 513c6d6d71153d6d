"""fit / evaluate / predict (and the *_on_batch calls) for a model whose steps are Keras 3 JAX-style
functions over a state tuple (keras_steps.py, or the user's overrides): each step is jitted once
(the train state donated), data batches go in as they come, callbacks, progress bar and History
work as for symk's own step (fit_loop.py).

Array data goes to the device once and each step gathers its batch inside the jitted call from a
small index array; the last, shorter batch compiles once more (a custom step sees real batches
only: there is no padding mask to hand it). Random ops in stateless calls draw from a per-step key.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .. import config
from ..distribution import placement as dist_placement
from . import data_adapter as da
from .keras_steps import unpack_x_y_sample_weight
from .lazy_logs import LazyLogs
from .model_state import flatten_logs
from ..stateless_scope import KeyScope


def pack(x, y=None, sample_weight=None):
    """Keras's `data` of one batch: x alone, (x, y) or (x, y, sample_weight)."""
    if y is None and sample_weight is None:
        return x
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def _host_array(a):
    if hasattr(a, "block_until_ready"):
        return a
    a = np.asarray(a)
    return a.astype(np.float32) if a.dtype == np.float64 else a


def _as_jax(data):
    return jax.tree_util.tree_map(lambda a: jnp.asarray(_host_array(a)), data)


def host_logs(logs) -> dict:
    return {k: float(np.asarray(v)) if np.ndim(v) == 0 else np.asarray(v) for k, v in flatten_logs(logs).items()}


class ArrayData:
    """Array data (any structure of x, y, sample_weight) on the device, batched by index."""

    def __init__(self, data):
        leaves, self.treedef = jax.tree_util.tree_flatten(data)
        self.leaves = [jnp.asarray(_host_array(a)) for a in leaves]
        lengths = {int(a.shape[0]) for a in self.leaves}
        if len(lengths) != 1:
            raise ValueError(f"Data cardinality is ambiguous: the arrays have {sorted(lengths)} samples; x, y and "
                             "sample_weight must have the same number of samples.")
        self.n = lengths.pop()

    def first_batch(self, batch_size):
        return jax.tree_util.tree_unflatten(self.treedef, [a[:batch_size] for a in self.leaves])

    def index_rows(self, batch_size, shuffle):
        plan = da.plan_epoch(self.n, batch_size, shuffle)
        order = np.asarray(plan.order)
        return [order[i, :int(plan.sizes[i])] for i in range(plan.steps)]


class CustomLoop:
    def __init__(self, model):
        from .fit_loop import EpochRunner

        self.model = model
        self.runner = EpochRunner(model)

    # -- the jitted steps -----------------------------------------------------------------------------
    def _functions(self, kind: str):
        """(step on a batch, step gathering its batch by index): jitted once per compile()."""
        model = self.model
        cache = model.__dict__.setdefault("_custom_step_functions", {})
        if kind not in cache:
            method = {"train": model.train_step, "test": model.test_step, "predict": model.predict_step}[kind]

            def step(state, data, key, count):
                with KeyScope(jax.random.fold_in(key, count)):
                    return method(state, data)

            def indexed(state, leaves, index, key, count, treedef):
                data = jax.tree_util.tree_unflatten(treedef, [jnp.take(a, index, axis=0) for a in leaves])
                return step(state, data, key, count)

            if model.run_eagerly:
                from .step import _run_eagerly as compile_step
            else:
                compile_step = jax.jit
            donate = (0,) if kind == "train" else ()  # test/predict keep the weights' own arrays
            cache[kind] = (compile_step(step, donate_argnums=donate),
                           compile_step(indexed, donate_argnums=donate, static_argnums=(5,)))
        return cache[kind]

    # -- before the first step: the model, its compile() metrics and its optimizer built ------------------
    def prepare(self, data, train: bool) -> None:
        model = self.model
        x, y, _ = unpack_x_y_sample_weight(data)
        if model._graph is None and _has_call(model):
            model._standardize_inputs(jax.tree_util.tree_map(np.asarray, x))
        if model._graph is not None and y is not None and model.compiled_loss is None:
            from .compile_utils import CompiledLossesAndMetrics

            model.compiled_loss = CompiledLossesAndMetrics(model.output_names, model.loss, model.loss_weights,
                                                           model.compiled_metrics, model.weighted_metrics,
                                                           require_loss=False)
        if model._graph is not None and y is not None:
            from .compile_metrics import per_output

            targets = [None if t is None else tuple(np.shape(t)) for t in per_output(y, model.output_names)]
            model._ensure_compile_metrics(targets, [tuple(t.shape) for t in model.outputs])
        if train and model.optimizer is not None:
            paths = [v.path for v in model.trainable_variables]
            if model.optimizer.built and list(model.optimizer._var_paths) != paths:
                model.optimizer.built = False  # the trainable weights changed: Keras builds per trainable set
            model.optimizer.build(model.trainable_variables, prefix=f"{model.name}_")

    # -- fit --------------------------------------------------------------------------------------------------
    def fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
            class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
            validation_freq):
        from .fit_loop import _due, _verbosity

        model = self.model
        verbose = _verbosity(verbose)
        (batch_size, epochs, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
         validation_freq) = da.check_fit_arguments(batch_size, epochs, initial_epoch, steps_per_epoch, validation_steps,
                                                   validation_batch_size, validation_freq, validation_split)
        if config.max_epochs() is not None:
            epochs = min(epochs, config.max_epochs())
        max_steps = config.max_steps_per_epoch()
        if max_steps is not None:
            steps_per_epoch = min(steps_per_epoch or max_steps, max_steps)
        source, first = self._source(x, y, sample_weight, class_weight, batch_size or 32)
        if validation_split and validation_data is None:
            if not isinstance(source, ArrayData):
                raise ValueError("validation_split is not supported when x is an iterable of batches; pass "
                                 "validation_data instead")
            source, validation_data = _split(source, validation_split)
        self.prepare(first, train=True)
        _check_has_loss(model)
        steps_total = self._steps_total(source, batch_size or 32, steps_per_epoch)
        cbs, history, batch_hooks = self.runner._callbacks(callbacks, verbose,
                                                           {"epochs": epochs, "steps": steps_total, "verbose": verbose})
        model.stop_training = False
        key = model._next_rng()
        count, state, logs = 0, None, {}
        cbs.on_train_begin()
        try:
            for epoch in range(initial_epoch, epochs):
                model.reset_metrics()
                cbs.on_epoch_begin(epoch)
                state = model._jax_state("train")  # from the Variables: callbacks may have set them
                step_logs = None
                for i, batch in enumerate(self._batches(source, batch_size or 32, shuffle, steps_per_epoch)):
                    cbs.on_train_batch_begin(i)
                    step_logs, state = self._run("train", state, batch, key, count)
                    count += 1
                    if batch_hooks:
                        model._write_jax_state(state, "train")
                    cbs.on_train_batch_end(i, LazyLogs(lambda l=step_logs: host_logs(l)))
                    if model.stop_training:
                        break
                if step_logs is None:
                    raise ValueError("the training data yielded no batches")
                model._write_jax_state(state, "train")
                state = None
                logs = host_logs(model._get_metrics_result_or_logs(step_logs))
                if validation_data is not None and _due(validation_freq, epoch):
                    val_logs = self.validate(validation_data, validation_batch_size or batch_size, validation_steps,
                                             cbs)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, logs)
                if model.stop_training:
                    break
        finally:
            if state is not None:  # interrupted mid-epoch: keep what was trained (the donated arrays are gone)
                model._write_jax_state(state, "train")
        model.optimizer.finalize_variable_values(model.trainable_variables) if hasattr(
            model.optimizer, "finalize_variable_values") else None
        cbs.on_train_end(logs)
        return history

    def validate(self, data, batch_size, steps, cbs) -> dict:
        """fit's validation pass, with the test hooks, by whichever step this model evaluates with."""
        data = tuple(data) if isinstance(data, list) else data
        cbs.on_test_begin()
        if self.model._uses_custom_step("test"):
            logs = self.evaluate_data(data, batch_size, steps, cbs)
        else:
            logs = self.runner.evaluate_data(data, batch_size, steps, cbs)
        cbs.on_test_end(logs)
        return logs

    # -- evaluate -----------------------------------------------------------------------------------------
    def evaluate(self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
        from .fit_loop import _verbosity

        verbose = _verbosity(verbose)
        batch_size, steps = da.check_count(batch_size, "batch_size", "evaluate"), da.check_count(steps, "steps",
                                                                                                   "evaluate")
        data = x if da.is_batch_iterable(x) else pack(x, y, sample_weight)
        source, first = self._source(data, None, None, None, batch_size or 32, packed=True)
        cbs, _, _ = self.runner._callbacks(callbacks, verbose, {"steps": self._steps_total(source, batch_size or 32,
                                                                                            steps),
                                                                 "verbose": verbose}, history=False)
        cbs.on_test_begin()
        logs = self.evaluate_data(source, batch_size, steps, cbs, first=first)
        cbs.on_test_end(logs)
        return logs if return_dict else self.model._flatten_metrics_in_order(logs)

    def evaluate_data(self, data, batch_size, steps=None, cbs=None, first=None) -> dict:
        model = self.model
        if not isinstance(data, (ArrayData, _Iterable)):
            data, first = self._source(data, None, None, None, batch_size or 32, packed=True)
        self.prepare(first, train=False)
        model.reset_metrics()
        state, logs = model._jax_state("test"), None
        key = model._next_rng()
        for i, batch in enumerate(self._batches(data, batch_size or 32, False, steps)):
            if cbs is not None:
                cbs.on_test_batch_begin(i)
            logs, state = self._run("test", state, batch, key, i)
            if cbs is not None:
                cbs.on_test_batch_end(i, LazyLogs(lambda l=logs: host_logs(l)))
        if logs is None:
            raise ValueError("the evaluation data yielded no batches")
        model._write_jax_state(state, "test")
        return host_logs(model._get_metrics_result_or_logs(logs))

    # -- predict ------------------------------------------------------------------------------------------
    def predict(self, x, batch_size, verbose, steps, callbacks):
        from .fit_loop import _verbosity

        model = self.model
        source, first = self._source(x, None, None, None, batch_size or 32, packed=True)
        if model._graph is None and _has_call(model):
            model._standardize_inputs(jax.tree_util.tree_map(np.asarray, unpack_x_y_sample_weight(first)[0]))
        cbs, _, _ = self.runner._callbacks(callbacks, _verbosity(verbose),
                                           {"steps": self._steps_total(source, batch_size or 32, steps),
                                            "verbose": _verbosity(verbose)}, history=False)
        state, key, chunks = model._jax_state("predict"), model._next_rng(), []
        cbs.on_predict_begin()
        for i, batch in enumerate(self._batches(source, batch_size or 32, False, steps)):
            cbs.on_predict_batch_begin(i)
            outputs, non_trainable = self._run("predict", state, batch, key, i)
            if batch[0] == "batch":  # under per-process data: this process's rows of the global outputs
                outputs = dist_placement.custom_outputs(outputs, len(jax.tree_util.tree_leaves(batch[1])[0]))
            state = (state[0], non_trainable)
            chunks.append(outputs)
            cbs.on_predict_batch_end(i, {"outputs": outputs})
        model._write_jax_state(state, "predict")
        cbs.on_predict_end()
        if not chunks:
            raise ValueError("predict: the data yielded no batches")
        return jax.tree_util.tree_map(lambda *parts: np.concatenate([np.asarray(p) for p in parts]), *chunks)

    # -- single batches -----------------------------------------------------------------------------------
    def one_batch(self, kind: str, data, reset_metrics: bool, return_dict: bool):
        model = self.model
        data = _as_jax(data)
        self.prepare(data, train=kind == "train")
        if kind == "train":
            _check_has_loss(model)
        if reset_metrics and kind != "predict":
            model.reset_metrics()
        state = model._jax_state(kind)
        out, state_out = self._functions(kind)[0](state, data, model._next_rng(), 0)
        if kind == "predict":
            model._write_jax_state((state[0], state_out), kind)
            return jax.tree_util.tree_map(np.asarray, out)
        model._write_jax_state(state_out, kind)
        logs = host_logs(out)
        return logs if return_dict else model._flatten_metrics_in_order(logs)

    # -- data ---------------------------------------------------------------------------------------------
    def _source(self, x, y, sample_weight, class_weight, batch_size, packed=False):
        """(ArrayData or an iterable of batches, the first batch) of what fit/evaluate/predict got."""
        if da.is_batch_iterable(x):
            source = _Iterable(x)
            return source, source.peek()
        if packed:
            x, y, sample_weight = unpack_x_y_sample_weight(x)
        if class_weight is not None:
            if y is None or isinstance(y, (list, tuple, dict)):
                raise ValueError("`class_weight` needs one target array (a model of one output)")
            weights = da.class_weights_to_sample_weights(class_weight, y)
            sample_weight = weights if sample_weight is None else np.asarray(sample_weight) * weights
        source = ArrayData(pack(x, y, sample_weight))
        return source, source.first_batch(batch_size)

    @staticmethod
    def _steps_total(source, batch_size, steps):
        if isinstance(source, ArrayData):
            total = -(-source.n // batch_size)
            return min(total, steps) if steps else total
        return steps or source.length

    def _batches(self, source, batch_size, shuffle, steps):
        self._distribution_batch_size = 0  # each pass's first batch sets the size the devices must split
        if isinstance(source, ArrayData) and dist_placement.feeds_local_data():
            yield from _local_batches(source, batch_size, shuffle, steps)  # each process's own slice of the data
            return
        if isinstance(source, ArrayData):
            for i, index in enumerate(source.index_rows(batch_size, shuffle)):
                if steps is not None and i >= steps:
                    return
                yield ("indexed", index, source)
            return
        for batch in da.iterate_batches(source.restart(), steps):
            yield ("batch", _as_jax(batch), None)

    def _run(self, kind, state, batch, key, count):
        plain, indexed = self._functions(kind)
        how, value, source = batch
        state = dist_placement.place_state_tuple(self.model, kind, state)  # no-ops without a distribution
        if how == "indexed":
            leaves, index = dist_placement.place_custom_indexed(self, source, jnp.asarray(value))
            return indexed(state, leaves, index, key, count, source.treedef)
        return plain(state, dist_placement.place_custom_batch(self, value), key, count)


class _Iterable:
    """An iterable of batches; its first batch is read ahead once (to build the model) and replayed."""

    def __init__(self, data):
        self.data, self._first, self._used = data, None, False
        self.length = len(data) if hasattr(data, "__len__") else None

    def peek(self):
        if self._first is None:
            self._iterator = iter(self.data) if not hasattr(self.data, "__next__") else self.data
            self._first = next(self._iterator)
        return self._first

    def restart(self):
        if self._first is not None and not self._used:
            self._used = True
            first, rest = self._first, self._iterator
            return _chain(first, rest)
        return iter(self.data) if not hasattr(self.data, "__next__") else self.data


def _local_batches(source: ArrayData, batch_size: int, shuffle, steps):
    """This process's rows in batches, when each process passed its own slice (distribution/process_input.py)."""
    from ..distribution.process_input import local_order

    total = dist_placement.agree_on_steps(source.n, batch_size, "fit/evaluate/predict", same_count=True)
    order = local_order(source.n, batch_size, shuffle)
    for i in range(total if steps is None else min(steps, total)):
        rows = order[i * batch_size:(i + 1) * batch_size]
        yield ("batch", jax.tree_util.tree_unflatten(source.treedef, [a[rows] for a in source.leaves]), None)


def _chain(first, rest):
    yield first
    yield from rest


def _split(source: ArrayData, split: float):
    """Keras keeps the last `split` of the samples for validation (before any shuffling)."""
    at = int(source.n * (1.0 - split))
    if at == 0 or at == source.n:
        raise ValueError(f"validation_split={split} leaves no training or no validation samples out of {source.n}")
    data = jax.tree_util.tree_unflatten(source.treedef, source.leaves)
    head = jax.tree_util.tree_map(lambda a: a[:at], data)
    tail = jax.tree_util.tree_map(lambda a: np.asarray(a[at:]), data)
    return ArrayData(head), tail


def _has_call(model) -> bool:
    from ..models.model import Model

    return getattr(model, "_functional", False) or type(model).call is not Model.call


def _check_has_loss(model) -> None:
    """compile() without a loss trains only what the model computes itself: say so when it computes nothing."""
    if model._has_compiled_loss() or model._overrides_any("train_step", "compute_loss", "compute_loss_and_updates",
                                                          "stateless_compute_loss"):
        return
    if model._graph is not None and (model._symbolic_losses() or any(
            v.regularizer is not None for v in model.trainable_weights)):
        return
    raise ValueError(f"Model {model.name!r} was compiled without a loss and computes none: fit needs a loss to "
                     "minimize. Pass one to compile(loss=...), add losses in call() with self.add_loss(...), or "
                     "override train_step / compute_loss.")
