"""Numerical stabilization: log(softmax(x)) becomes log_softmax(x), as Keras computes it.

    before: y = log(softmax(x, axis=-1))        after: y = log_softmax(x, axis=-1)
`logits_of` finds the logits behind a softmax/sigmoid output; the trainer uses it (through
symk.passes.logits_loss) to compute crossentropy from logits, while this pass is in the pipeline.
"""
from __future__ import annotations

from typing import Optional

from ..graph import Graph
from .manager import register_pass
from .report import PassReport, ops_by_layer
from .rewrite import Subject, describe, input_refs, remove_unused, rewrite_in_place, single_user


@register_pass("stabilize", position=350, tags=("numerics",))
def stabilize(subject: Subject, report: PassReport) -> None:
    """Rewrite log(softmax(x)) as log_softmax(x) where the softmax has no other user."""
    nxg, dead = subject.nx, []
    for node in subject.graph.topological_order():
        if nxg.nodes[node]["op"] != "log":
            continue
        (src, _), = input_refs(subject, node)
        if nxg.nodes[src]["op"] != "softmax" or single_user(subject, src) != node:
            continue
        message = f"{describe(subject, src)} + {describe(subject, node)} -> log_softmax"
        layers, text = ops_by_layer([dict(nxg.nodes[src]), dict(nxg.nodes[node])])
        rewrite_in_place(subject, node, "log_softmax", input_refs(subject, src), provenance=(nxg.nodes[src]["name"],),
                         axis=nxg.nodes[src]["attrs"].axis)
        report.matched += 1
        report.note(message)
        report.detail("stabilized", layers, f"{text} rewritten as one log_softmax",
                      (nxg.nodes[src]["name"], nxg.nodes[node]["name"]))
        dead.append(src)
    remove_unused(subject, dead)


def logits_of(graph: Graph, ref: tuple) -> Optional[tuple]:
    """(logits ref, 'softmax' | 'sigmoid') when `ref` is a softmax/sigmoid output, else None.

    Losses use it to compute crossentropy from logits, as Keras does for `from_logits=False`.
    """
    node, index = ref
    data = graph.node(node)
    if index != 0 or data["op"] not in ("softmax", "sigmoid"):
        return None
    return graph.inputs_of(node)[0], data["op"]
