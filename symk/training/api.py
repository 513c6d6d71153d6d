"""TrainingAPI: compile / fit / evaluate / train_on_batch / test_on_batch, mixed into Model.

    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2)

Attributes compile() sets (read by saving for `training_config`): `optimizer`, `loss` (as
given), `compiled_loss` (the per-output resolution), `loss_weights`, `compiled_metrics`
(metrics as given), `weighted_metrics`, `run_eagerly`, `steps_per_execution`, `_optimize`.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import random_state
from .compile_utils import CompiledLossesAndMetrics
from .fit_loop import EpochRunner
from .keras_steps import KerasStepsAPI
from .model_state import ModelStateAPI
from .steps_tuner import check_steps_per_execution

# the step API a model may override (Keras 3 JAX style); any override routes its loop to custom_loop.py
_STEP_METHODS = {
    "train": ("train_step", "compute_loss_and_updates", "stateless_compute_loss", "compute_loss", "compute_metrics",
              "metrics", "reset_metrics", "get_metrics_result"),
    "test": ("test_step", "compute_loss_and_updates", "stateless_compute_loss", "compute_loss", "compute_metrics",
             "metrics", "reset_metrics", "get_metrics_result"),
    "predict": ("predict_step",),
}


class TrainingAPI(KerasStepsAPI, ModelStateAPI):
    def _init_training_state(self) -> None:
        self.optimizer = None
        self.stop_training = False
        self.compiled = False
        self._optimize = "default"
        self._steps = None
        self._train_rng = None
        self.loss = None
        self.compiled_loss = None
        self._loss_tracker = None
        self._compile_metrics = None
        self._output_loss_trackers = None
        self._losses_override = None
        self._compiled_trainable_state = {}

    # -- compile ------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True,
                optimize="default", **kwargs):
        """Configure training. `optimize` picks the graph passes ('default', 'none', a list or a dict)."""
        from .. import optimizers

        for legacy in ("sample_weight_mode", "target_tensors", "distribute", "options"):
            kwargs.pop(legacy, None)
        if kwargs:
            raise TypeError(f"compile() got unexpected argument(s) {sorted(kwargs)}")
        if not (optimize in ("default", "none") or isinstance(optimize, (list, tuple, dict))):
            raise ValueError(f"compile(optimize=...) takes 'default', 'none', a list of pass names or a dict; "
                             f"got {optimize!r}")
        self.optimizer = optimizers.get(optimizer)
        if auto_scale_loss and self.dtype_policy.name == "mixed_float16" and self.optimizer is not None:
            # as Keras: float16 gradients underflow without dynamic loss scaling
            from ..optimizers.loss_scale import LossScaleOptimizer

            if not isinstance(self.optimizer, LossScaleOptimizer):
                self.optimizer = LossScaleOptimizer(self.optimizer, name="loss_scale_optimizer")
        self.loss = loss
        self.loss_weights = loss_weights
        self.compiled_metrics = metrics
        self.weighted_metrics = weighted_metrics
        self.run_eagerly = bool(run_eagerly)
        self.steps_per_execution = check_steps_per_execution(steps_per_execution)
        self._steps_tuner = None  # fit's choice of steps per dispatch is made again after each compile()
        self._optimize = optimize
        self._compile_output_names = None
        self.compiled_loss = None
        if self._graph is not None:
            # no loss is valid (Keras): the model computes its own (add_loss, compute_loss, train_step)
            self.compiled_loss = CompiledLossesAndMetrics(self.output_names, loss, loss_weights, metrics,
                                                          weighted_metrics, require_loss=False)
        from ..metrics import Mean

        self._loss_tracker = Mean(name="loss")
        self._compile_metrics, self._output_loss_trackers = None, None
        self.__dict__.pop("_custom_step_functions", None)
        # Keras: the trainable weights are those of compile() time (freeze, then compile again to change them)
        self._compiled_trainable_state = {id(layer): (layer, layer._trainable) for layer in self._layers_for_state()}
        self._steps = None
        self._step_cache = {}
        self._programs = {}
        self.compiled = True
        self.stop_training = False

    # -- which loop runs ----------------------------------------------------------------------------------
    def _overrides_any(self, *names) -> bool:
        return any(getattr(type(self), n, None) is not getattr(TrainingAPI, n, None) for n in names)

    def _has_compiled_loss(self) -> bool:
        if self.compiled_loss is not None:
            return self.compiled_loss.has_loss
        return self.loss is not None

    def _uses_custom_step(self, kind: str) -> bool:
        """True when fit/evaluate/predict must run the Keras-style step functions (custom_loop.py):
        the model overrides part of the step API, or was compiled without a loss."""
        if self._overrides_any(*_STEP_METHODS[kind]):
            return True
        return kind != "predict" and self.compiled and not self._has_compiled_loss()

    def _layers_for_state(self) -> list:
        out, seen = [], set()
        todo = [self]
        while todo:
            layer = todo.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            todo += list(layer._weight_layers()) + list(layer._sublayers())
        return out

    def _compile_time_trainable_weights(self) -> list:
        """trainable_weights with each layer's `trainable` as it was at compile() (later toggles ignored)."""
        snapshot = getattr(self, "_compiled_trainable_state", {}) or {}
        current = {key: layer._trainable for key, (layer, _) in snapshot.items()}
        try:
            for layer, flag in snapshot.values():
                layer._trainable = flag
            return list(self.trainable_weights)
        finally:
            for key, (layer, _) in snapshot.items():
                layer._trainable = current[key]

    @property
    def metrics_names(self) -> list:
        if self.compiled_loss is None or self.compiled_loss.metrics is None:
            return ["loss"]
        return self.compiled_loss.metric_names()

    def _training_program(self, training: bool):
        """The forward program; add_loss()/activity-regularizer tensors become extra outputs."""
        from ..codegen import Program
        from ..errors import GraphError
        from ..graph import SymbolicTensor
        from ..models.extraction import extract

        extra = self._symbolic_losses()
        if not extra:
            return self._program(training)
        key = ("with_losses", training)
        if key not in self._programs:
            graph = self.inputs[0].graph
            try:
                full = extract(graph, self._graph_inputs(), self.outputs + extra)  # after any host layers
            except GraphError:
                warnings.warn(f"Model {self.name!r}: some add_loss() terms do not depend only on the model's inputs "
                              "and are ignored.")
                return self._program(training)
            refs = [(t.node, t.index) for t in self.outputs + extra if isinstance(t, SymbolicTensor)]
            self._programs[key] = Program(full, self._input_nodes, refs)
        return self._programs[key]

    def _symbolic_losses(self) -> list:
        from ..graph import SymbolicTensor

        if not self.inputs:
            return []
        graph = self.inputs[0].graph
        layers = [self] + list(self._weight_layers())
        out, seen = [], set()
        for layer in layers:
            for loss in getattr(layer, "_losses", []):
                if isinstance(loss, SymbolicTensor) and loss.graph is graph and (loss.node, loss.index) not in seen:
                    seen.add((loss.node, loss.index))
                    out.append(loss)
        return out

    def _require_compiled(self, what: str) -> None:
        if not self.compiled or (self.optimizer is None and what == "training it"):
            raise RuntimeError(f"You must compile your model before {what}: call model.compile(optimizer, loss).")

    def _build_steps(self, xs, ys):
        """Resolve losses/metrics against the data's shapes and build (once) the jitted steps."""
        from .step import Steps

        if self._graph is None:
            self._standardize_inputs([x[:1] for x in xs] if len(xs) > 1 else xs[0][:1])
        if self.compiled_loss is None or self.compiled_loss.output_names != self.output_names:
            self.compiled_loss = CompiledLossesAndMetrics(self.output_names, self.loss, self.loss_weights,
                                                          self.compiled_metrics, self.weighted_metrics)
        target_shapes = [tuple(y.shape) for y in ys]
        output_shapes = [tuple(t.shape) for t in self.outputs]
        self.compiled_loss.check_targets(target_shapes, output_shapes)
        self._ensure_compile_metrics(target_shapes, output_shapes)
        if self._steps is None:
            trainable = self._compile_time_trainable_weights()
            paths = {v.path for v in trainable}
            if self.optimizer.built and set(self.optimizer._var_paths) != paths:
                warnings.warn(f"Model {self.name!r}: the trainable weights changed since the optimizer was built; "
                              "its slot variables start afresh. Call compile() again after freezing layers.")
                self.optimizer.built = False
            program_vars = self._training_program(True).variables
            self.optimizer.build([v for v in trainable if v.path in program_vars], prefix=f"{self.name}_")
            self._steps = Steps(self, self.compiled_loss, self.optimizer, trainable=trainable)
        return self._steps

    def _next_rng(self):
        """A fresh key for each fit, evaluate or custom step call, drawn on the host from this model's own
        generator (seeded from the global one): jax.random.split would be an XLA program to compile."""
        if self._train_rng is None:
            self._train_rng = np.random.default_rng(random_state.next_seed())
        return random_state.host_key(int(self._train_rng.integers(0, 2**63)))

    # -- fit / evaluate -------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1, **kwargs):
        """Train for `epochs`; returns a History (`history.history` = per-epoch logs)."""
        self._require_compiled("training it")
        kwargs.pop("max_queue_size", None), kwargs.pop("workers", None), kwargs.pop("use_multiprocessing", None)
        if "nb_epoch" in kwargs:  # Keras 1
            epochs = kwargs.pop("nb_epoch")
        if kwargs:
            raise TypeError(f"fit() got unexpected argument(s) {sorted(kwargs)}")
        if self._uses_custom_step("train"):
            from .custom_loop import CustomLoop

            runner = CustomLoop(self)
        else:
            runner = EpochRunner(self)
        return runner.fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
                          class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
                          validation_batch_size, validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """Loss and metrics over the data: a scalar (loss only), a list, or a dict with return_dict."""
        self._require_compiled("evaluating it")
        if kwargs:
            raise TypeError(f"evaluate() got unexpected argument(s) {sorted(kwargs)}")
        if self._uses_custom_step("test"):
            from .custom_loop import CustomLoop

            return CustomLoop(self).evaluate(x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict)
        logs = EpochRunner(self).evaluate(x, y, batch_size, verbose, sample_weight, steps, callbacks)
        return self._format_results(logs, return_dict)

    def _format_results(self, logs: dict, return_dict: bool):
        if return_dict:
            return logs
        values = [logs[k] for k in logs]
        return values[0] if len(values) == 1 else values

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        """One gradient step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("training it")
        if self._uses_custom_step("train"):
            return self._custom_one_batch("train", x, y, sample_weight, class_weight, reset_metrics, return_dict)
        return self._format_results(EpochRunner(self).one_batch(x, y, sample_weight, class_weight, True,
                                                                reset_metrics), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._require_compiled("evaluating it")
        if self._uses_custom_step("test"):
            return self._custom_one_batch("test", x, y, sample_weight, None, reset_metrics, return_dict)
        return self._format_results(EpochRunner(self).one_batch(x, y, sample_weight, None, False, reset_metrics),
                                    return_dict)

    def _custom_one_batch(self, kind, x, y, sample_weight, class_weight, reset_metrics, return_dict):
        from . import data_adapter as da
        from .custom_loop import CustomLoop, pack

        if class_weight is not None:
            weights = da.class_weights_to_sample_weights(class_weight, y)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        return CustomLoop(self).one_batch(kind, pack(x, y, sample_weight), reset_metrics, return_dict)

    def predict_batches(self, batches, steps=None, verbose=0, callbacks=None):
        """predict() over an iterable/generator of input batches (or (x, y) batches)."""
        from .predict_loop import PredictLoop

        return PredictLoop(self).batches(batches, steps, verbose, callbacks)

    # Keras 2 generator API
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, **kwargs):
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, **kwargs)

    def evaluate_generator(self, generator, steps=None, **kwargs):
        return self.evaluate(generator, steps=steps, **kwargs)

    def predict_generator(self, generator, steps=None, **kwargs):
        return self.predict_batches(generator, steps=steps, verbose=kwargs.get("verbose", 0))

