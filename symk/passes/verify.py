"""Checks the graph after every pass: known ops, well-formed edges, re-inferred specs, acyclic, outputs kept."""
from __future__ import annotations

import networkx as nx

from ..errors import GraphError, ShapeError
from ..ops.body import bodies_of
from ..ops.registry import OPS, infer
from .rewrite import Subject, describe


class VerificationError(GraphError):
    """A pass left the graph broken; the message names the pass, the node and what is wrong."""


def verify(subject: Subject, output_specs: list, after: str = "") -> None:
    """Raise VerificationError if the graph is malformed or its outputs changed spec."""
    nxg = subject.nx
    where = f"after pass {after!r}: " if after else ""

    def fail(msg: str):
        raise VerificationError(f"{where}{msg}. Disable that pass (optimize={{'disable': [{after!r}]}}) and "
                                "report the graphs (symk.passes.explain(model, export_to=DIR) writes them before and after each pass) so it can be fixed")

    _check_nodes(nxg, fail, lambda node: describe(subject, node))
    for node in subject.inputs:
        if node not in nxg or nxg.nodes[node]["op"] != "placeholder":
            fail(f"input placeholder {node} is gone")
    if len(subject.outputs) != len(output_specs):
        fail(f"the graph had {len(output_specs)} outputs and now has {len(subject.outputs)}")
    for (node, index), spec in zip(subject.outputs, output_specs):
        if node not in nxg:
            fail(f"output node {node} was removed")
        got = nxg.nodes[node]["specs"][index]
        if got != spec:
            fail(f"output {describe(subject, node)}:{index} changed from {spec} to {got}")
    if not nx.is_directed_acyclic_graph(nxg):
        fail("the graph has a cycle")


def _check_nodes(nxg, fail, describe_node) -> None:
    """Known ops, well-formed edges and specs their rules still give; region bodies are checked the same way."""
    for node, data in nxg.nodes(data=True):
        op = OPS.get(data.get("op"))
        if op is None:
            fail(f"node {node} has unknown op {data.get('op')!r}")
        edges = sorted(nxg.in_edges(node, data=True), key=lambda e: e[2]["position"])
        positions = [e[2]["position"] for e in edges]
        if positions != list(range(len(edges))):
            fail(f"{describe_node(node)} has input positions {positions}, not 0..{len(edges) - 1} (a dangling "
                 "or duplicated edge)")
        if op.num_inputs is not None and len(edges) != op.num_inputs:
            fail(f"{describe_node(node)} has {len(edges)} inputs; op {op.name!r} takes {op.num_inputs}")
        specs = []
        for src, _, edge in edges:
            src_specs = nxg.nodes[src]["specs"]
            if not 0 <= edge["index"] < len(src_specs):
                fail(f"{describe_node(node)} reads output {edge['index']} of {describe_node(src)}, "
                     f"which has {len(src_specs)} output(s)")
            specs.append(src_specs[edge["index"]])
        for field, body in bodies_of(data["attrs"]):
            _check_nodes(body.graph.nx, fail,
                         lambda inner, outer=node, field=field, body=body:
                         f"{describe_node(outer)} {field} node {body.graph.node(inner)['name']!r}")
        try:  # bodies first: an error inside one is more precise than the region's
            inferred = infer(op, specs, data["attrs"])
        except ShapeError as err:
            fail(f"{describe_node(node)} no longer passes its shape rule: {err}")
        if tuple(inferred) != tuple(data["specs"]):
            fail(f"{describe_node(node)} stores specs {data['specs']} but its rule now gives {inferred}")


def output_specs(subject: Subject) -> list:
    return [subject.nx.nodes[n]["specs"][i] for n, i in subject.outputs]
