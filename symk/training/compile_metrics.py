"""CompileMetrics: the metrics given to compile() as one Metric (Keras 3's 'compile_metrics' entry of
`model.metrics`), so stateless train steps update and read them like any other metric.

    logs["compile_metrics"] = model.metrics[1].stateless_result(values)   # {'mae': ..., 'accuracy': ...}
"""
from __future__ import annotations

from ..metrics.base import Mean, Metric


def per_output(value, output_names: list) -> list:
    """Targets / predictions / sample weights as one entry per output (dict by name, list, or one array)."""
    if value is None:
        return [None] * len(output_names)
    if isinstance(value, dict):
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and len(output_names) > 1:
        return list(value)
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return [value[0]]
    return [value] * len(output_names) if len(output_names) > 1 else [value]


class CompileMetrics(Metric):
    """The resolved compile() metrics of one model: [(output index, log name, Metric, weighted)]."""

    def __init__(self, compiled, name="compile_metrics"):
        super().__init__(name=name)
        self.compiled = compiled

    @property
    def metrics(self) -> list:
        return [metric for _, _, metric, _ in self.compiled.metrics or []]

    @property
    def variables(self) -> list:
        return [v for metric in self.metrics for v in metric.variables]

    def update_state(self, y_true, y_pred, sample_weight=None):
        names = self.compiled.output_names
        ys, preds, weights = per_output(y_true, names), per_output(y_pred, names), per_output(sample_weight, names)
        for i, _, metric, weighted in self.compiled.metrics or []:
            # Keras: `metrics` ignore sample weights, `weighted_metrics` use them
            metric.update_state(ys[i], preds[i], weights[i] if weighted else None)

    def result(self) -> dict:
        return {name: metric.result() for _, name, metric, _ in self.compiled.metrics or []}

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()


def output_loss_trackers(compiled) -> list:
    """One Mean per output with a loss, named '<output>_loss', for models of several outputs."""
    if compiled is None or len(compiled.output_names) < 2:
        return []
    return [Mean(name=f"{name}_loss") if loss is not None else None
            for name, loss in zip(compiled.output_names, compiled.losses)]
