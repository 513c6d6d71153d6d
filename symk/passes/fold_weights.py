"""Weight folding (inference only): subgraphs that read only weights and constants are computed on
the host and enter the jitted function as one argument each (a DerivedVariable).

    before: kernel' = kernel * gamma * rsqrt(var + eps); y = x @ kernel'
    after:  y = x @ parameter('folded/...')       # computed from kernel, gamma, var on the host
Training pipelines never run it: gradients must reach the original weights.
"""
from __future__ import annotations

from ..graph import Graph
from ..ops.registry import get_op
from .constant_fold import foldable
from .derived import DerivedVariable
from .manager import register_pass
from .report import PassReport, layer_label, layer_name
from .rewrite import Subject, add_op, describe, input_refs, remove_unused, replace_uses

_LEAVES = ("parameter", "constant")


def _weight_only(subject: Subject) -> set:
    nxg, region = subject.nx, set()
    for node in subject.graph.topological_order():
        data = nxg.nodes[node]
        if data["op"] in _LEAVES:
            region.add(node)
            continue
        refs = input_refs(subject, node)
        if refs and foldable(get_op(data["op"])) and all(s in region for s, _ in refs):
            region.add(node)
    return region


def _ancestors_within(subject: Subject, node: int, region: set) -> set:
    seen, stack = {node}, [node]
    while stack:
        for src in subject.nx.predecessors(stack.pop()):
            if src in region and src not in seen:
                seen.add(src)
                stack.append(src)
    return seen


@register_pass("fold_weights", position=600, modes=("inference",), tags=("fold", "weights"))
def fold_weights(subject: Subject, report: PassReport) -> None:
    """Replace each maximal weight-only op subgraph by a host-computed parameter."""
    nxg = subject.nx
    region = _weight_only(subject)
    outputs = subject.output_nodes()
    frontier = [n for n in region if nxg.nodes[n]["op"] not in _LEAVES and n not in outputs
                and len(nxg.nodes[n]["specs"]) == 1 and any(u not in region for u in nxg.successors(n))]
    # First copy every subgraph, then rewrite: a frontier node inside another's subgraph (a scale used by
    # both a kernel and a bias) must still be there, unreplaced, when the later subgraph is copied.
    planned = []
    for node in sorted(frontier):
        data = nxg.nodes[node]
        sub = _ancestors_within(subject, node, region)
        leaves = [n for n in sub if nxg.nodes[n]["op"] in _LEAVES]
        if not any(nxg.nodes[n]["op"] == "parameter" for n in leaves):
            continue  # constants only: constant folding's job (with its size cap)
        leaf_size = sum(nxg.nodes[n]["specs"][0].shape.num_elements() or 0 for n in leaves)
        if (data["specs"][0].shape.num_elements() or 0) > leaf_size:
            report.note(f"kept {describe(subject, node)}: folding would grow the weights")
            continue
        path = f"folded/{node}/{data['name']}"
        names = tuple(nxg.nodes[n]["name"] for n in sorted(leaves))
        weights = tuple(nxg.nodes[n]["attrs"].path for n in sorted(leaves) if nxg.nodes[n]["op"] == "parameter")
        planned.append((node, path, names, weights,
                        DerivedVariable(path, Graph(nxg.subgraph(sub).copy()), (node, 0), data["specs"][0], names)))
    replaced = []
    for node, path, names, weights, variable in planned:
        spec = nxg.nodes[node]["specs"][0]
        data = dict(nxg.nodes[node])  # before replace_uses, which may rewrite an output node in place
        param = add_op(subject, "parameter", [], like=node, provenance=names, name=path, path=path,
                       shape=tuple(spec.shape), dtype=spec.dtype)
        nxg.nodes[param]["variable"] = variable
        if replace_uses(subject, (node, 0), (param, 0)):
            report.matched += 1
            report.note(f"{describe(subject, node)} -> host-computed weight from {', '.join(names)}")
            report.detail("weights_folded", (layer_name(data),),
                          f"{layer_label(data)}: {data['op']} of weights {', '.join(weights)} computed on the host",
                          (data["name"],))
            replaced.append(node)
        else:
            nxg.remove_node(param)
    remove_unused(subject, replaced)
