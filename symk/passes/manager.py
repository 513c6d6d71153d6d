"""The pass manager: passes registered by name (tags, position, modes), pipelines resolved from a
user's `optimize=` setting, run in order to a fixpoint with verification after every pass.

    report = symk.passes.run_pass("cse", graph)          # one pass on any graph
    subject, report = run_pipeline(subject, "default")   # the default pipeline for subject.mode
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Union

from ..graph import Graph
from .report import PassReport, PipelineReport
from .rewrite import Subject, refresh_param_index, subject_of
from .verify import output_specs, verify

MODES = ("inference", "training")
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Pass:
    """A registered pass: `fn(subject, report)` edits the subject (a private copy) in place."""

    name: str
    fn: Callable
    position: int                 # order in the default pipeline (low first)
    modes: tuple = MODES          # the pipelines it may run in; weight folding is inference-only
    default: bool = True          # in the 'default' pipeline; False: available by name only
    tags: tuple = ()
    doc: str = ""


PASSES: dict[str, Pass] = {}


def register_pass(name: str, position: int, modes: tuple = MODES, default: bool = True, tags: tuple = ()):
    """Decorator registering `fn(subject, report)` as a pass."""
    def wrap(fn):
        if name in PASSES:
            raise ValueError(f"pass {name!r} is registered twice")
        PASSES[name] = Pass(name, fn, position, tuple(modes), default, tuple(tags), (fn.__doc__ or "").strip())
        return fn
    return wrap


def get_pass(name: Union[str, Pass]) -> Pass:
    if isinstance(name, Pass):
        return name
    try:
        return PASSES[name]
    except KeyError:
        raise ValueError(f"unknown pass {name!r}; registered passes: {', '.join(sorted(PASSES))}") from None


@dataclass
class PipelineSpec:
    """A resolved `optimize=` setting for one mode."""

    passes: list
    disabled: tuple = ()
    fixpoint: bool = True
    verify: bool = True
    verbose: bool = False
    snapshots: bool = False


def resolve(optimize, mode: str) -> PipelineSpec:
    """`optimize` is 'default' | 'none' | None | [pass names] | {'passes':..., 'disable': [...],
    'enable': [...], 'fixpoint': bool, 'verify': bool, 'verbose': bool, 'snapshots': bool}."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    options = dict(optimize) if isinstance(optimize, dict) else {"passes": optimize}
    unknown = set(options) - {"passes", "disable", "enable", "fixpoint", "verify", "verbose", "snapshots"}
    if unknown:
        raise ValueError(f"optimize got unknown option(s) {sorted(unknown)}; use passes, disable, enable, fixpoint, "
                         "verify, verbose, snapshots")
    chosen = options.get("passes", "default")
    if chosen in (None, False, "none"):
        names = []
    elif chosen in ("default", True):
        names = [p.name for p in sorted(PASSES.values(), key=lambda p: p.position) if p.default]
        extra = [get_pass(n).name for n in options.get("enable", ())]
        names = sorted(set(names) | set(extra), key=lambda n: PASSES[n].position)
    elif isinstance(chosen, str):
        raise ValueError(f"optimize={chosen!r} is not a pipeline; use 'default', 'none', a list of pass names "
                         f"or a dict. Registered passes: {', '.join(sorted(PASSES))}")
    else:
        names = [get_pass(n).name for n in chosen]
    disable = options.get("disable", ())
    disable = (disable,) if isinstance(disable, str) else tuple(disable)
    for n in disable:
        get_pass(n)  # a typo in a disabled name is an error, not a silent no-op
    skipped = [n for n in names if mode not in PASSES[n].modes]
    passes = [PASSES[n] for n in names if n not in disable and n not in skipped]
    return PipelineSpec(passes, tuple(disable) + tuple(f"{n} ({'/'.join(PASSES[n].modes)} only)" for n in skipped),
                        options.get("fixpoint", True), options.get("verify", True), options.get("verbose", False),
                        options.get("snapshots", False))


def _apply(pass_: Pass, subject: Subject, spec: PipelineSpec, expected: list, snapshots: Optional[list]) -> PassReport:
    report = PassReport(pass_.name, nodes_before=len(subject.graph))
    before, rewritten, edges = set(subject.nx.nodes), subject.rewritten, subject.nx.number_of_edges()
    start = time.perf_counter()
    pass_.fn(subject, report)
    refresh_param_index(subject)
    report.seconds = time.perf_counter() - start
    after = set(subject.nx.nodes)
    report.removed, report.added = len(before - after), len(after - before)
    report.replaced = subject.rewritten - rewritten
    report.nodes_after = len(after)
    untouched = not report.changed and subject.nx.number_of_edges() == edges
    if spec.verify and not untouched:  # a pass that changed nothing cannot have broken the graph
        verify(subject, expected, after=pass_.name)
    if spec.verbose:
        for message in report.messages:
            print(f"{pass_.name}: {message}")
    subject.log += [(pass_.name, m) for m in report.messages]
    if snapshots is not None and report.changed:
        snapshots.append((pass_.name, subject.graph.copy()))
    return report


def run_pipeline(subject: Subject, optimize="default") -> tuple:
    """Run a pipeline on a copy of `subject`; returns (new subject, PipelineReport). Input untouched."""
    spec = optimize if isinstance(optimize, PipelineSpec) else resolve(optimize, subject.mode)
    work = Subject(Graph(subject.nx.copy()), list(subject.inputs), list(subject.outputs), subject.mode, [])
    work.graph.param_nodes = dict(subject.graph.param_nodes)
    expected = output_specs(work)
    report = PipelineReport(subject.mode, nodes_before=len(work.graph), disabled=spec.disabled)
    report.snapshots = [("input", subject.graph)] if spec.snapshots else None
    for _ in range(MAX_ROUNDS if spec.fixpoint else 1):
        report.rounds += 1
        round_reports = [_apply(p, work, spec, expected, report.snapshots) for p in spec.passes]
        report.passes += round_reports
        if not any(r.changed for r in round_reports):
            break
    report.nodes_after = len(work.graph)
    return work, report


def run_pass(pass_name: Union[str, Pass], graph: Graph, outputs: Optional[Iterable] = None,
             inputs: Optional[Iterable] = None, mode: str = "inference", verify_graph: bool = True) -> tuple:
    """Run one pass on any graph (outputs default to its sinks). Returns (new Graph, PassReport)."""
    pass_ = get_pass(pass_name)
    if mode not in pass_.modes:
        raise ValueError(f"pass {pass_.name!r} only runs in {pass_.modes} mode, not {mode!r}")
    subject = subject_of(graph, outputs, inputs, mode)
    spec = PipelineSpec([pass_], fixpoint=False, verify=verify_graph)
    work, report = run_pipeline(subject, spec)
    return work.graph, report.passes[0]
