"""TrainingAPI: compile / fit / evaluate / train_on_batch / test_on_batch, mixed into Model.

    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2)

Attributes compile() sets (read by saving for `training_config`): `optimizer`, `loss` (as
given), `compiled_loss` (the per-output resolution), `loss_weights`, `compiled_metrics`
(metrics as given), `weighted_metrics`, `run_eagerly`, `steps_per_execution`, `_optimize`.
"""
from __future__ import annotations

import warnings

import jax

from .. import random_state
from .compile_utils import CompiledLossesAndMetrics
from .fit_loop import EpochRunner


class TrainingAPI:
    def _init_training_state(self) -> None:
        self.optimizer = None
        self.stop_training = False
        self.compiled = False
        self._optimize = "default"
        self._steps = None
        self._train_rng = None

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
        if loss is None:
            raise ValueError("compile() needs `loss` (e.g. loss='categorical_crossentropy', or a function "
                             "f(y_true, y_pred))")
        if not (optimize in ("default", "none") or isinstance(optimize, (list, tuple, dict))):
            raise ValueError(f"compile(optimize=...) takes 'default', 'none', a list of pass names or a dict; "
                             f"got {optimize!r}")
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self.loss_weights = loss_weights
        self.compiled_metrics = metrics
        self.weighted_metrics = weighted_metrics
        self.run_eagerly = bool(run_eagerly)
        self.steps_per_execution = int(steps_per_execution)
        self._optimize = optimize
        self._compile_output_names = None
        self.compiled_loss = None
        if self._graph is not None:
            self.compiled_loss = CompiledLossesAndMetrics(self.output_names, loss, loss_weights, metrics,
                                                          weighted_metrics)
        self._steps = None
        self._programs = {}
        self.compiled = True
        self.stop_training = False

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

        program = self._program(training)
        extra = self._symbolic_losses()
        if not extra:
            return program
        key = ("with_losses", training)
        if key not in self._programs:
            graph = self.inputs[0].graph
            try:
                full = extract(graph, self.inputs, self.outputs + extra)
            except GraphError:
                warnings.warn(f"Model {self.name!r}: some add_loss() terms do not depend only on the model's inputs "
                              "and are ignored.")
                return program
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
        if not self.compiled or self.optimizer is None:
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
        self.compiled_loss.resolve(target_shapes, output_shapes)
        if self._steps is None:
            trainable = [v for v in self.trainable_weights]
            paths = {v.path for v in trainable}
            if self.optimizer.built and set(self.optimizer._var_paths) != paths:
                warnings.warn(f"Model {self.name!r}: the trainable weights changed since the optimizer was built; "
                              "its slot variables start afresh. Call compile() again after freezing layers.")
                self.optimizer.built = False
            program_vars = self._training_program(True).variables
            self.optimizer.build([v for v in trainable if v.path in program_vars], prefix=f"{self.name}_")
            self._steps = Steps(self, self.compiled_loss, self.optimizer)
        return self._steps

    def _next_rng(self):
        if self._train_rng is None:
            self._train_rng = random_state.next_key()
        self._train_rng, key = jax.random.split(self._train_rng)
        return key

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
        runner = EpochRunner(self)
        return runner.fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
                          class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
                          validation_batch_size, validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """Loss and metrics over the data: a scalar (loss only), a list, or a dict with return_dict."""
        self._require_compiled("evaluating it")
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
        return self._format_results(EpochRunner(self).one_batch(x, y, sample_weight, class_weight, True,
                                                                reset_metrics), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._require_compiled("evaluating it")
        return self._format_results(EpochRunner(self).one_batch(x, y, sample_weight, None, False, reset_metrics),
                                    return_dict)

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

