"""Exporting the graphs a pipeline went through: one symk.viz pass diff per pass that changed something.

    report = model.optimize(optimize={"snapshots": True})
    export_snapshots(report, "passes_out/", format="json")   # 00_input.json, 01_specialize_training.json, ...
Each file after the first is `symk.viz.pass_diff(before, after)`: nodes and edges marked removed,
added, fused, rewritten or kept, so a numerical difference can be bisected to one pass.
"""
from __future__ import annotations

import os

from .report import PipelineReport

TEXT_FORMATS = ("json", "graphml", "dot")


def export_snapshots(report: PipelineReport, directory: str, format: str = "json") -> list:
    """Write the report's snapshots into `directory` (created if missing); returns the paths written."""
    from ..viz import op_view, pass_diff, write_view

    snapshots = getattr(report, "snapshots", None)
    if not snapshots:
        raise ValueError("this report holds no graph snapshots: run the pipeline with optimize={'snapshots': True} "
                         "(or call symk.passes.explain(model, export_to=...))")
    os.makedirs(directory, exist_ok=True)
    (first_name, first), paths = snapshots[0], []
    paths.append(write_view(op_view(first, name=first_name), os.path.join(directory, f"00_{first_name}.{format}"),
                            format=format))
    for index, ((_, before), (name, after)) in enumerate(zip(snapshots, snapshots[1:]), start=1):
        view = pass_diff(before, after, name=f"after {name}")
        paths.append(write_view(view, os.path.join(directory, f"{index:02d}_{name}.{format}"), format=format))
    return paths
