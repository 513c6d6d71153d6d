"""A model's state as Keras 3's JAX trainer sees it: `metrics` (Keras's order), `metrics_variables`,
`reset_metrics`, `get_metrics_result`, the state tuples fit/evaluate/predict carry through a
custom step, and `stateless_call` on the model's own programs. Mixed into TrainingAPI.

`model.metrics`: the loss tracker ('loss'), the compile() metrics as one 'compile_metrics' entry,
one '<output>_loss' tracker per output of a multi-output model, then Metric objects the model
holds as attributes, then those its layers hold (sub-models' own metrics are theirs).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from .. import stateless_scope
from .compile_metrics import CompileMetrics, output_loss_trackers


class ModelStateAPI:
    # -- metrics ------------------------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        out = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            out += [m for m in self._output_loss_trackers or [] if m is not None]
        out += self._attribute_metrics()
        for layer in self._all_sublayers():
            if not hasattr(layer, "compile"):  # a sub-model is a trainer of its own: its metrics stay its own
                out += [m for m in layer._tracked(_metric_class()) if m not in out]
        return out

    def _attribute_metrics(self) -> list:
        """Metric objects the model holds as attributes (directly or in a list/dict), in attribute order;
        what compile() was given and the trainer's own trackers are not attributes in this sense."""
        metric_class, found = _metric_class(), []

        def visit(value, depth=0):
            if isinstance(value, metric_class):
                if all(value is not m for m in found):
                    found.append(value)
            elif isinstance(value, (list, tuple)) and depth < 1:
                for item in value:
                    visit(item, depth + 1)
            elif isinstance(value, dict) and depth < 1:
                for item in value.values():
                    visit(item, depth + 1)

        for key, value in vars(self).items():
            if key not in _NOT_ATTRIBUTE_METRICS:
                visit(value)
        return found

    @property
    def metrics_variables(self) -> list:
        return [v for metric in self.metrics for v in metric.variables]

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self) -> dict:
        out = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[metric.name] = result
        return out

    def _get_metrics_result_or_logs(self, logs) -> dict:
        """The metrics' results when a step's logs name the same keys, else the step's own logs."""
        results = self.get_metrics_result()
        if isinstance(logs, dict) and set(flatten_logs(logs)) == set(results):
            return results
        return logs

    def _flatten_metrics_in_order(self, logs: dict):
        names = []
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                names += [name for _, name, _, _ in metric.compiled.metrics or []]
            else:
                names.append(metric.name)
        values = [logs[n] for n in names if n in logs] + [logs[k] for k in sorted(logs) if k not in names]
        return values[0] if len(values) == 1 else values

    def _ensure_compile_metrics(self, target_shapes, output_shapes) -> None:
        """Resolve compile()'s metrics against the data (once) and make their Metric objects."""
        compiled = self.compiled_loss
        if compiled is None:
            return
        if compiled.metrics is None:
            compiled.resolve(target_shapes, output_shapes)
            for i, _, metric, _ in compiled.metrics:
                if metric.__dict__.get("_state_variables") is None and target_shapes[i] is not None:
                    metric._build(tuple(target_shapes[i]), tuple(output_shapes[i]))
        if self._compile_metrics is None and compiled.metrics:
            self._compile_metrics = CompileMetrics(compiled)
        if self._output_loss_trackers is None:
            self._output_loss_trackers = output_loss_trackers(compiled if compiled.has_loss else None)

    # -- the state tuples -------------------------------------------------------------------------------
    def _state_optimizers(self) -> list:
        """self.optimizer, then other optimizers held as attributes (compile(d_optimizer=..., ...))."""
        from ..optimizers.base import Optimizer

        out = [self.optimizer] if isinstance(self.optimizer, Optimizer) else []
        for value in vars(self).values():
            if isinstance(value, Optimizer) and all(value is not o for o in out):
                out.append(value)
        return out

    def _jax_state(self, kind: str) -> tuple:
        """The state tuple of a 'train', 'test' or 'predict' step, from the Variables' values."""
        values = lambda variables: [stateless_scope.read(v) for v in variables]  # noqa: E731
        trainable, non_trainable = values(self.trainable_variables), values(self.non_trainable_variables)
        if kind == "predict":
            return trainable, non_trainable
        metrics = values(self.metrics_variables)
        if kind == "test":
            return trainable, non_trainable, metrics
        optimizer = values([v for opt in self._state_optimizers() for v in opt.variables])
        return trainable, non_trainable, optimizer, metrics

    def _write_jax_state(self, state: tuple, kind: str) -> None:
        """A step's state back into the Variables (after an epoch, or when a callback needs them)."""
        groups = [self.trainable_variables, self.non_trainable_variables]
        if kind == "train":
            groups.append([v for opt in self._state_optimizers() for v in opt.variables])
        if kind != "predict":
            groups.append(self.metrics_variables)
        for variables, values in zip(groups, state):
            if len(variables) != len(values):
                raise ValueError(f"Model {self.name!r}: the {kind} step returned {len(values)} values for "
                                 f"{len(variables)} variables. A custom {kind}_step must return its state in the "
                                 "layout it received: (trainable, non_trainable, optimizer, metrics) lists.")
            for variable, value in zip(variables, values):
                variable.set_value(_as_array(value, variable))

    # -- stateless calls on the model's own programs -------------------------------------------------------
    def _stateless_forward(self, mapping: dict, inputs, args, kwargs):
        from ..layers.stateless import stateless_key
        from ..passes.derived import with_derived

        kwargs = dict(kwargs)
        training = bool(kwargs.pop("training", False) or False)
        kwargs.pop("mask", None)
        if args or kwargs:  # extra call arguments: trace call() itself, as a layer does
            return super()._stateless_forward(mapping, inputs, args, {"training": training, **kwargs})
        arrays = self._stateless_inputs(inputs)
        program = self._training_program(training)
        values = {p: mapping[p] if p in mapping else v.device_value() for p, v in program.variables.items()}
        if not training:  # the inference pipeline may read folded weights: derive them from the values given
            values = with_derived(program, values)
        outs, new_state = program.jitted(values, {}, arrays, stateless_key(), program.consts, training=training)
        n = len(self.outputs)
        return self._package(list(outs[:n])), new_state, list(outs[n:])

    def _stateless_inputs(self, inputs) -> list:
        """The inputs (arrays or tracers; a dict by input name, a list, or one) in the model's order."""
        if isinstance(inputs, dict):
            names = self.input_names if self._graph is not None else list(inputs)
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(f"Model {self.name!r} expects inputs named {names}; missing {missing}")
            inputs = [inputs[n] for n in names]
        elif not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        arrays = [x if hasattr(x, "shape") and hasattr(x, "dtype") else jnp.asarray(x) for x in inputs]
        arrays = [a.astype(jnp.float32) if a.dtype == jnp.float64 else a for a in arrays]
        self._ensure_graph_for(arrays)
        if len(arrays) != len(self.inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self.inputs)} input(s), but stateless_call received "
                             f"{len(arrays)}.")
        return [a if jnp.dtype(a.dtype).kind == jnp.dtype(t.dtype).kind else a.astype(t.dtype)
                for a, t in zip(arrays, self.inputs)]


_NOT_ATTRIBUTE_METRICS = {"compiled_metrics", "weighted_metrics", "compiled_loss", "_compile_metrics", "_loss_tracker",
                          "_output_loss_trackers", "loss", "_batch_metric_state"}


def flatten_logs(logs) -> dict:
    """Nested result dicts (compile_metrics) lifted to the top level, as Keras's logs show them."""
    out = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            out.update(flatten_logs(value))
        else:
            out[key] = value
    return out


def _as_array(value, variable):
    if hasattr(value, "device_value") and hasattr(value, "path"):
        return value.device_value()
    return jnp.asarray(value, variable.dtype) if not isinstance(value, jax.Array) else value


def _metric_class():
    from ..metrics.base import Metric

    return Metric
