"""symk model -> ONNX: the op graph after the inference pipeline, one ONNX subgraph per op (its
emitter), weights as initializers named by their variable paths, a dynamic batch axis, layer names in
node names.

    symk.onnx.export_model(model, "model.onnx")      # or model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..graph import reachable
from .context import EmitContext, NodeView
from .registry import ONNX_EMITTERS, OnnxExportError, load_families

DEFAULT_OPSET = 18
SKIPPED = {"assign"}   # state updates do not run at inference


def _value_info(name: str, spec, batch_name: str):
    from onnx import helper

    dims = [batch_name if i == 0 and d is None else (f"{name}_dim{i}" if d is None else int(d))
            for i, d in enumerate(spec.shape)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(spec.dtype)), dims)


def _node_prefix(data: dict) -> str:
    return "/".join(list(data.get("scope") or ()) + [data["name"]])


def unsupported_ops(graph) -> list:
    """(op, layer-scoped node name) of every node in `graph` that has no ONNX emitter."""
    load_families()
    plumbing = {"placeholder", "parameter", "constant"} | SKIPPED
    return [(graph.op(n), _node_prefix(graph.node(n))) for n in graph.topological_order()
            if graph.op(n) not in plumbing and graph.op(n) not in ONNX_EMITTERS]


def to_onnx(model, opset: int = DEFAULT_OPSET, batch_name: str = "batch"):
    """The ModelProto for a built symk model (nothing is written)."""
    from onnx import helper

    load_families()
    if model._graph is None:
        raise ValueError(f"Model {model.name!r} is not built: call it on data or build(input_shape) before exporting")
    graph = model._execution_graph(False)
    outputs = [tuple(o) for o in model._output_refs]
    needed = reachable(graph.nx.predecessors, [n for n, _ in outputs])
    missing = [(op, where) for op, where in unsupported_ops(graph)]
    if missing:
        listed = "; ".join(f"op {op!r} in {where!r}" for op, where in missing[:8])
        raise OnnxExportError(f"ONNX export of model {model.name!r}: no ONNX form yet for {listed}"
                              f"{' and more' if len(missing) > 8 else ''}. Replace those layers, or add an emitter "
                              "with symk.onnx.registry.def_onnx.")
    ctx = EmitContext(opset)
    env: dict[int, list] = {}
    input_names = model.input_names
    inputs_info = []
    for node, name in zip(model._input_nodes, input_names):
        env[node] = [name]
        inputs_info.append(_value_info(name, graph.node(node)["specs"][0], batch_name))
    for node in graph.topological_order():
        if node not in needed or node in env:
            continue
        data = graph.node(node)
        op = data["op"]
        if op == "placeholder":
            raise OnnxExportError(f"ONNX export: placeholder {data['name']!r} is needed but is not a model input")
        if op == "parameter":
            value = np.asarray(data["variable"].device_value())
            env[node] = [ctx.initializer(data["attrs"].path, value)]
            continue
        if op == "constant":
            env[node] = [ctx.initializer(f"symk_constant_{node}", data["value"])]
            continue
        if op in SKIPPED:
            continue
        sources = graph.inputs_of(node)
        view = NodeView(op, data["attrs"], [env[s][i] for s, i in sources],
                        [graph.node(s)["specs"][i] for s, i in sources], list(data["specs"]), _node_prefix(data))
        ctx.set_prefix(view.name)
        result = ONNX_EMITTERS[op](ctx, view)
        env[node] = [result] if isinstance(result, str) else list(result)
        if len(env[node]) != len(view.out_specs):
            raise OnnxExportError(f"ONNX emitter of op {op!r} gave {len(env[node])} outputs for "
                                  f"{len(view.out_specs)} ({view.name!r})")
    outputs_info = []
    used = set(input_names)
    for (node, index), name in zip(outputs, _output_names(model)):
        if name in used:
            name = f"{name}_{len(used)}"
        used.add(name)
        ctx.set_prefix(name)
        ctx.nodes.append(helper.make_node("Identity", [env[node][index]], [name], name=f"{name}/output"))
        outputs_info.append(_value_info(name, graph.node(node)["specs"][index], batch_name))
    onnx_graph = helper.make_graph(ctx.nodes, model.name, inputs_info, outputs_info, ctx.initializers)
    proto = helper.make_model(onnx_graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="symk")
    return proto


def _output_names(model) -> list:
    names = list(model.output_names)
    return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]


def export_model(model, path: Optional[str] = None, opset: int = DEFAULT_OPSET, check: bool = True):
    """Write `model` as ONNX to `path` (when given) after onnx.checker's full check; returns the ModelProto."""
    import onnx

    proto = to_onnx(model, opset)
    if check:
        onnx.checker.check_model(proto, full_check=True)
    if path is not None:
        onnx.save(proto, str(path))
    return proto
