"""Shared helpers for the passes tests: run a Subject's graph before/after a pipeline on the same data."""
from __future__ import annotations

import numpy as np

from symk.codegen import Program
from symk.passes import Subject


def run_subject(subject: Subject, inputs: list, training: bool = False) -> list:
    program = Program(subject.graph, subject.inputs, subject.outputs)
    params = {p: v.device_value() for p, v in program.variables.items()}
    outs, _ = program.run(params, {}, inputs, training=training)
    return [np.asarray(o) for o in outs]


def run_with_state(subject: Subject, inputs: list, training: bool = True):
    program = Program(subject.graph, subject.inputs, subject.outputs)
    params = {p: v.device_value() for p, v in program.variables.items()}
    outs, state = program.run(params, {}, inputs, training=training)
    return [np.asarray(o) for o in outs], {k: np.asarray(v) for k, v in state.items()}


def ops_of(subject: Subject) -> list:
    return sorted(d for _, d in subject.nx.nodes(data="op"))
