"""Graph -> one pure JAX function `f(params, state, inputs, rng, training) -> (outputs, new_state)`.

The graph is walked once, here, into a list of steps; at trace time the steps run in
order, so the walk costs nothing at run time. Constants are passed as an argument
(never captured: XLA constant-folds captured arrays slowly).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import jax

from ..errors import GraphError
from ..graph import Graph, reachable
from ..ops.registry import OpDef, get_op, lower_node


_DEFAULT_KEY = []


def default_key():
    """jax.random.PRNGKey(0), made once: building a key costs a dispatch (~80 us), more than a small
    model's whole predict step. Keys are immutable and the programs never donate them."""
    if not _DEFAULT_KEY:
        _DEFAULT_KEY.append(jax.random.PRNGKey(0))
    return _DEFAULT_KEY[0]


@dataclass(frozen=True)
class Step:
    node: int
    op: OpDef
    kwargs: dict
    inputs: tuple          # ((source node, output index), ...)
    training: Optional[bool]  # an explicit flag from the layer call, else the run's flag
    path: str = ""         # for parameters and assignments: the variable path
    salt: int = 0          # for random ops: their ordinal among the program's random steps (folded into the key)


class Program:
    """A graph lowered to steps. Call `jitted` (or `run`) to execute."""

    def __init__(self, graph: Graph, input_nodes: Sequence[int], outputs: Sequence[tuple]):
        self.graph = graph
        self.input_nodes = list(input_nodes)
        self.outputs = [tuple(o) for o in outputs]
        # state updates run when the program's inputs alone drive them (not another call's placeholders)
        foreign = [n for n in graph.nx.nodes if graph.op(n) == "placeholder" and n not in self.input_nodes]
        tainted = reachable(graph.nx.successors, foreign)
        assigns = [n for n in graph.nx.nodes if graph.op(n) == "assign" and n not in tainted]
        needed = reachable(graph.nx.predecessors, [n for n, _ in self.outputs] + assigns)
        for n in self.input_nodes:
            if graph.op(n) != "placeholder":
                raise GraphError(f"program input {graph.node(n)['name']!r} is a {graph.op(n)!r} node, not a placeholder")
        self.steps: list[Step] = []
        self.consts: dict[str, object] = {}
        self.state_updates: dict[str, tuple] = {}   # variable path -> (source node, index)
        self.variables: dict[str, object] = {}     # variable path -> Variable
        random_steps = 0
        for node in graph.topological_order():
            if node not in needed:
                continue
            data = graph.node(node)
            op = get_op(data["op"])
            attrs = data["attrs"]
            path = getattr(attrs, "path", "")
            if op.name == "constant":
                self.consts[str(node)] = data["value"]
            if op.name == "parameter":
                self.variables[path] = data["variable"]
            if op.name == "placeholder" and node not in self.input_nodes:
                raise GraphError(f"placeholder {data['name']!r} is needed but is not one of the program's inputs")
            # NOTE: a random step's key folds in its ordinal, not its node id: node ids grow across builds in one
            # session, so the same seed and the same build must give the same dropout masks
            step = Step(node, op, op.attr_dict(attrs) if op.lower else {}, tuple(graph.inputs_of(node)),
                        data.get("training"), path, salt=random_steps)
            random_steps += op.random
            if op.name == "assign":
                self.state_updates[path] = step.inputs[0]
            self.steps.append(step)
        self.jitted = jax.jit(self.__call__, static_argnames=("training",))

    def __call__(self, params: dict, state: dict, inputs: Sequence, rng, consts: dict, training: bool = False):
        env: dict[int, tuple] = {}
        feeds = dict(zip(self.input_nodes, inputs))
        for step in self.steps:
            name = step.op.name
            if name == "placeholder":
                env[step.node] = (feeds[step.node],)
            elif name == "parameter":
                env[step.node] = (params[step.path] if step.path in params else state[step.path],)
            elif name == "constant":
                env[step.node] = (consts[str(step.node)],)
            elif name == "assign":
                continue
            else:
                args = [env[src][idx] for src, idx in step.inputs]
                env[step.node] = lower_node(step.op, step.kwargs, args, rng, step.salt,
                                            training if step.training is None else step.training)
        outputs = [env[n][i] for n, i in self.outputs]
        new_state = {path: env[n][i] for path, (n, i) in self.state_updates.items()}
        return outputs, new_state

    def run(self, params, state, inputs, rng=None, training: bool = False):
        if rng is None:
            rng = default_key()
        return self.jitted(params, state, list(inputs), rng, self.consts, training=training)

    def source(self) -> str:
        from .source import program_source

        return program_source(self)
