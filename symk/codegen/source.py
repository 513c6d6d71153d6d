"""Readable Python source for a lowered program (for debugging: what will XLA see?)."""
from __future__ import annotations


def _value_name(node: int, index: int) -> str:
    return f"v{node}" if index == 0 else f"v{node}_{index}"


def program_source(program) -> str:
    lines = ["def f(params, state, inputs, rng, training):"]
    feeds = {n: i for i, n in enumerate(program.input_nodes)}
    for step in program.steps:
        target = f"v{step.node}"
        name = step.op.name
        scope = "/".join(program.graph.node(step.node).get("scope") or ())
        comment = f"  # {scope}" if scope else ""
        if name == "placeholder":
            lines.append(f"    {target} = inputs[{feeds[step.node]}]")
        elif name == "parameter":
            lines.append(f"    {target} = params[{step.path!r}]")
        elif name == "constant":
            lines.append(f"    {target} = consts[{str(step.node)!r}]")
        elif name == "assign":
            src = _value_name(*step.inputs[0])
            lines.append(f"    state[{step.path!r}] = {src}{comment}")
        else:
            args = [_value_name(s, i) for s, i in step.inputs]
            args += [f"{k}={v!r}" for k, v in step.kwargs.items()]
            if step.op.random:
                args.append(f"rng=fold_in(rng, {step.salt})")
            if step.op.training_dependent:
                args.append("training=" + ("training" if step.training is None else repr(step.training)))
            lines.append(f"    {target} = {name}({', '.join(args)}){comment}")
    outs = ", ".join(_value_name(n, i) for n, i in program.outputs)
    lines.append(f"    return [{outs}], state")
    return "\n".join(lines)
