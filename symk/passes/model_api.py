"""How models use the passes: the pipeline behind predict/evaluate/fit, `model.optimize()` and `explain`.

OptimizeAPI is mixed into Model. `_optimize` (set by compile(optimize=...)) chooses the
pipeline; the optimized graph is cached per mode and setting. Weight changes need no
invalidation: folded weights are DerivedVariables that recompute from the live weights.
"""
from __future__ import annotations

from ..graph import Graph
from .manager import run_pipeline
from .report import PipelineReport
from .rewrite import Subject
from .snapshots import export_snapshots


def _setting_key(optimize) -> str:
    return repr(optimize)


def optimize_model(model, mode: str = "inference", optimize="default") -> tuple:
    """Run a pipeline on the model's graph; returns (Subject, PipelineReport). The model is unchanged."""
    subject = Subject(model.graph, list(model._input_nodes), list(model._output_refs), mode)
    return run_pipeline(subject, optimize)


def explain(model, mode: str = "inference", optimize=None, export_to=None, format: str = "json") -> str:
    """A printable account of what the pipeline does to this model: the table and every replacement.

    `export_to`: a directory that receives the input graph and one symk.viz pass diff per pass
    that changed it (`format` 'json' | 'graphml' | 'dot' | an image format with Graphviz).
    """
    setting = optimize if optimize is not None else getattr(model, "_optimize", "default")
    if export_to is not None:
        setting = {**(setting if isinstance(setting, dict) else {"passes": setting}), "snapshots": True}
    _, report = optimize_model(model, mode, setting)
    lines = [str(report), ""] + report.messages
    if export_to is not None:
        paths = export_snapshots(report, export_to, format)
        lines += ["", f"graphs before and after each pass: {len(paths)} files in {export_to}"]
    return "\n".join(lines)


class OptimizeAPI:
    """Mixed into Model: `optimize()` and the optimized graph the programs run."""

    @property
    def _optimize(self):
        return self.__dict__.get("_optimize_setting", "default")

    @_optimize.setter
    def _optimize(self, value) -> None:
        # a new setting means new graphs: drop what was built for the old one
        self.__dict__["_optimize_setting"] = value
        self.__dict__["_optimized_graphs"] = {}
        if "_programs" in self.__dict__:
            self._programs = {}

    def optimize(self, mode: str = "inference", optimize=None) -> PipelineReport:
        """Run the pipeline for `mode` ('inference' | 'training') and return its report; nothing changes.

            print(model.optimize())      # pass / matched / removed / added table
        """
        _, report = optimize_model(self, mode, optimize if optimize is not None else self._optimize)
        return report

    def _optimized_graph(self, training: bool) -> Graph:
        mode = "training" if training else "inference"
        cache = self.__dict__.setdefault("_optimized_graphs", {})
        key = (mode, _setting_key(self._optimize))
        cached = cache.get(key)
        if cached is None or cached[0] is not self.graph:  # a rebuilt model graph starts over
            subject, report = optimize_model(self, mode, self._optimize)
            cached = cache[key] = (self.graph, subject.graph)
            self.__dict__.setdefault("_optimize_reports", {})[mode] = report
        return cached[1]
