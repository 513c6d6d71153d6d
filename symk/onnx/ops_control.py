"""ONNX forms of the control-flow region ops (symk/ops/loops.py): `scan` is ONNX's Scan, its body graph
emitted from the region's body by the exporter itself (symk.onnx.export.emit_graph, recursively).

lax.scan and ONNX Scan agree on the layout: carries first, then the sequences sliced on axis 0, the
per-step outputs stacked on axis 0. A reverse scan reads its sequences from the end and prepends its
outputs, so ys[t] still belongs to xs[t] as in lax.scan. The body reads the region's captured values
(weights) by their outer names, which ONNX subgraphs may. A scan without sequences runs over a
constant one of `length` steps that its body ignores."""
from __future__ import annotations

import numpy as np

from ..shapes import TensorSpec
from .registry import def_onnx

_SCALAR_STEP = TensorSpec.of((), "float32")   # the slice of the constant sequence a sequence-less scan runs over


@def_onnx("scan")
def _scan(ctx, node):
    from onnx import helper

    from .export import body_value_info, emit_graph

    attrs, body = node.attrs, node.attrs.body
    num_carry, num_xs = attrs.num_carry, attrs.num_xs
    carries, xs = node.inputs[:num_carry], node.inputs[num_carry:num_carry + num_xs]
    captured = node.inputs[num_carry + num_xs:]
    sub = ctx.child()
    arg_names = [sub.fresh(f"body_arg{i}") for i in range(body.num_args)]
    env = {placeholder: [name] for placeholder, name in zip(body.inputs, arg_names + list(captured))}
    inputs_info = [body_value_info(name, spec) for name, spec in zip(arg_names, body.input_specs)]
    if not xs:
        if attrs.length is None:
            raise node.fail("a scan with neither sequences nor length", "pass length=")
        xs = [ctx.const(np.zeros((attrs.length,), np.float32))]
        step_name = sub.fresh("step")
        inputs_info.append(body_value_info(step_name, _SCALAR_STEP))
    results = emit_graph(sub, body.graph, env, body.outputs, constant_names=False)
    # every body output gets a name of its own (an output may be a body input, or an outer value)
    out_names = [sub.fresh("body_out") for _ in results]
    sub.nodes += [helper.make_node("Identity", [r], [o], name=f"{o}/identity") for r, o in zip(results, out_names)]
    outputs_info = [body_value_info(name, spec) for name, spec in zip(out_names, body.output_specs)]
    graph = helper.make_graph(sub.nodes, ctx.fresh("scan_body"), inputs_info, outputs_info)
    ctx.set_prefix(node.name)
    num_ys = len(node.out_specs) - num_carry
    direction = 1 if attrs.reverse else None
    return ctx.op("Scan", list(carries) + list(xs), outputs=len(node.out_specs), body=graph,
                  num_scan_inputs=len(xs),
                  scan_input_directions=[direction] * len(xs) if direction else None,
                  scan_output_directions=[direction] * num_ys if direction and num_ys else None)
