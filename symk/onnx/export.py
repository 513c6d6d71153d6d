"""symk model -> ONNX: the op graph after the pipeline compile(optimize=...) chose, at inference (training
branches resolved, state updates left out, also under optimize="none"), one ONNX subgraph per op (its
emitter; region bodies are emitted by the same walk, `emit_graph`), weights as initializers named by their
variable paths, a dynamic batch axis, layer names in node names.

    symk.onnx.export_model(model, "model.onnx")      # or model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..graph import reachable
from .context import EmitContext, NodeView
from .registry import ONNX_EMITTERS, OnnxExportError, load_families

DEFAULT_OPSET = 18
PLUMBING = {"placeholder", "parameter", "constant"}


def _value_info(name: str, spec, batch_name: str):
    from onnx import helper

    dims = [batch_name if i == 0 and d is None else (f"{name}_dim{i}" if d is None else int(d))
            for i, d in enumerate(spec.shape)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(spec.dtype)), dims)


def body_value_info(name: str, spec):
    """A subgraph's input or output: unknown sizes stay unnamed (they follow the outer graph's)."""
    from onnx import helper

    dims = [None if d is None else int(d) for d in spec.shape]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(spec.dtype)), dims)


def _node_prefix(data: dict) -> str:
    return "/".join(list(data.get("scope") or ()) + [data["name"]])


# -- the inference graph inside any graph -------------------------------------------------
# An exported graph runs at inference only, whatever pipeline compile(optimize=...) chose: training_select
# forwards its inference branch and dropout its input (what specialize_training does), and only what the
# outputs need is emitted, so state updates (assign) and what feeds only them (a SeedGenerator's
# seed_advance, batch-norm's moving-average arithmetic, the training branches) never reach the file.
def inference_alias(graph, node: int):
    """The (source, index) a training-dependent node forwards at inference, or None for other nodes."""
    data = graph.node(node)
    op, explicit = data["op"], data.get("training")
    if op == "training_select":
        return graph.inputs_of(node)[0 if explicit else 1]
    if op == "dropout" and (not explicit or data["attrs"].rate == 0):
        return graph.inputs_of(node)[0]
    if op == "after":   # its anchor only orders state updates, which inference does not run
        return graph.inputs_of(node)[0]
    return None


def _sources(graph, node: int) -> list:
    alias = inference_alias(graph, node)
    return [alias] if alias is not None else graph.inputs_of(node)


def needed_nodes(graph, output_refs) -> set:
    """The nodes the outputs need at inference (training branches and state updates left out)."""
    return reachable(lambda n: [s for s, _ in _sources(graph, n)], [n for n, _ in output_refs])


def _unsupported_in(graph, output_refs, where: tuple) -> list:
    from ..ops.body import bodies_of

    found = []
    needed = needed_nodes(graph, output_refs)
    for n in graph.topological_order():
        if n not in needed or inference_alias(graph, n) is not None:
            continue
        data = graph.node(n)
        op = data["op"]
        if op in PLUMBING:
            continue
        scope = "/".join(where + (_node_prefix(data),))
        if op not in ONNX_EMITTERS:
            found.append((op, scope))
            continue
        for _, body in bodies_of(data["attrs"]):   # a region's body needs emitters too
            found += _unsupported_in(body.graph, body.outputs, where + (_node_prefix(data),))
    return found


def unsupported_ops(graph, output_refs=None) -> list:
    """(op, layer-scoped node name) of every node the export of `graph` would emit (what `output_refs` need at
    inference; when None, every node but the state updates) that has no ONNX emitter, region bodies included."""
    load_families()
    if output_refs is None:
        output_refs = [(n, 0) for n in graph.nx.nodes if graph.op(n) != "assign"]
    return _unsupported_in(graph, output_refs, ())


def emit_graph(ctx: EmitContext, graph, env: dict, output_refs, constant_names: bool = True) -> list:
    """Emit what `output_refs` need of `graph` into `ctx`; `env` maps the nodes already given (inputs) to their
    ONNX names. Returns the ONNX names of `output_refs`. Used for the model graph and, recursively, for region
    bodies (constant_names=False there: body node ids repeat the outer graph's, so constants are keyed by value)."""
    needed = needed_nodes(graph, output_refs)
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
            env[node] = [ctx.initializer(f"symk_constant_{node}", data["value"]) if constant_names
                         else ctx.const(data["value"])]
            continue
        ctx.set_prefix(_node_prefix(data))
        alias = inference_alias(graph, node)
        if alias is not None:
            name, spec = env[alias[0]][alias[1]], graph.node(alias[0])["specs"][alias[1]]
            out_dtype = data["specs"][0].dtype
            env[node] = [name if spec.dtype == out_dtype else ctx.cast(name, out_dtype)]
            continue
        sources = graph.inputs_of(node)
        view = NodeView(op, data["attrs"], [env[s][i] for s, i in sources],
                        [graph.node(s)["specs"][i] for s, i in sources], list(data["specs"]), _node_prefix(data))
        result = ONNX_EMITTERS[op](ctx, view)
        ctx.set_prefix(view.name)
        env[node] = [result] if isinstance(result, str) else list(result)
        if len(env[node]) != len(view.out_specs):
            raise OnnxExportError(f"ONNX emitter of op {op!r} gave {len(env[node])} outputs for "
                                  f"{len(view.out_specs)} ({view.name!r})")
    return [env[n][i] for n, i in output_refs]


def to_onnx(model, opset: int = DEFAULT_OPSET, batch_name: str = "batch"):
    """The ModelProto for a built symk model (nothing is written)."""
    from onnx import helper

    load_families()
    if model._graph is None:
        raise ValueError(f"Model {model.name!r} is not built: call it on data or build(input_shape) before exporting")
    graph = model._execution_graph(False)
    outputs = [tuple(o) for o in model._output_refs]
    missing = unsupported_ops(graph, outputs)
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
    results = emit_graph(ctx, graph, env, outputs)
    outputs_info = []
    used = set(input_names)
    for (node, index), result, name in zip(outputs, results, _output_names(model)):
        if name in used:
            name = f"{name}_{len(used)}"
        used.add(name)
        ctx.set_prefix(name)
        ctx.nodes.append(helper.make_node("Identity", [result], [name], name=f"{name}/output"))
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
