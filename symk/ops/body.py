"""Control-flow bodies: a Python function traced into a graph of its own, and that graph run as a function.

A region op (cond, scan, while_loop, ...) holds `Body`s in its attrs. Tracing calls the function on
placeholders of the argument specs; a value it reads from an enclosing graph (an outer tensor, or a
Variable) is *captured*: it gets a placeholder in the body and becomes an extra input of the region
node, so weights enter a program only at the top graph and gradients flow to them.

    body, captured = trace(lambda c, x: (c + x, c), [carry_spec, x_spec], "scan_body")
    region inputs: [...operands, *captured];  lowering: body.run([c, x, *captured_values], rng, training)
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence

import jax

from ..errors import GraphError, ShapeError
from ..graph import Graph, SymbolicTensor, body_scope, current_frame, reachable
from ..shapes import TensorSpec
from .registry import OPS, get_op, is_symbolic, lower_node, to_symbolic


class Body:
    """A traced function: its graph, its input placeholders (arguments, then captures) and its outputs.

    Compared by identity (CSE merges region nodes only when they share one Body object)."""

    def __init__(self, graph: Graph, inputs: Sequence[int], outputs: Sequence[tuple], num_args: int,
                 out_tree, name: str):
        self.graph, self.inputs, self.outputs = graph, tuple(inputs), tuple(outputs)
        self.num_args, self.out_tree, self.name = num_args, out_tree, name
        self._order: Optional[list] = None

    @property
    def num_captures(self) -> int:
        return len(self.inputs) - self.num_args

    @property
    def input_specs(self) -> tuple:
        return tuple(self.graph.node(n)["specs"][0] for n in self.inputs)

    @property
    def output_specs(self) -> tuple:
        return tuple(self.graph.node(n)["specs"][i] for n, i in self.outputs)

    def __repr__(self) -> str:
        return f"<Body {self.name}: {len(self.graph)} nodes, {self.num_args} args, {self.num_captures} captured>"

    def order(self) -> list:
        """The nodes the outputs need, in topological order, with each random node's ordinal (computed once)."""
        if self._order is None:
            needed = reachable(self.graph.nx.predecessors, [n for n, _ in self.outputs])
            nodes = [n for n in self.graph.topological_order() if n in needed]
            salts, count = {}, 0
            for n in nodes:
                salts[n] = count
                count += OPS[self.graph.op(n)].random
            self._order = [(n, salts[n]) for n in nodes]
        return self._order

    def run(self, values: Sequence, rng, training: bool) -> list:
        """Evaluate the body on arrays (called while the enclosing program is traced by JAX)."""
        if len(values) != len(self.inputs):
            raise GraphError(f"body {self.name!r} takes {len(self.inputs)} values, got {len(values)}")
        env = {node: (value,) for node, value in zip(self.inputs, values)}
        for node, salt in self.order():
            if node in env:
                continue
            data = self.graph.node(node)
            if data["op"] == "constant":
                env[node] = (data["value"],)
                continue
            op = get_op(data["op"])
            args = [env[src][idx] for src, idx in self.graph.inputs_of(node)]
            explicit = data.get("training")
            env[node] = lower_node(op, op.attr_dict(data["attrs"]), args, rng, salt,
                                   training if explicit is None else explicit)
        return [env[n][i] for n, i in self.outputs]


class BodyTracer:
    """Captures values from enclosing graphs while a body is traced (see `graph.body_scope`)."""

    def __init__(self, graph: Graph, outer_graph: Graph, parent: Optional["BodyTracer"], name: str):
        self.graph, self.outer_graph, self.parent, self.name = graph, outer_graph, parent, name
        self._captures: dict = {}        # (node, index) in outer_graph -> placeholder tensor in graph
        self.captured: list = []         # the outer tensors, in capture order

    def root_graph(self) -> Graph:
        tracer = self
        while tracer.parent is not None:
            tracer = tracer.parent
        return tracer.outer_graph

    def capture(self, value) -> SymbolicTensor:
        """The body's tensor for `value` (a tensor of this or an enclosing graph, or a Variable)."""
        if not isinstance(value, SymbolicTensor):
            value = value.symbolic(self.root_graph())  # a Variable: its parameter node lives in the top graph
        if value.graph is self.graph:
            return value
        outer = value
        if value.graph is not self.outer_graph:
            if self.parent is None:
                raise GraphError(f"control-flow body {self.name!r} reads tensor {value.name!r} from an unrelated "
                                 "graph; build the body from the tensors of the model it belongs to")
            outer = self.parent.capture(value)
        key = (outer.node, outer.index)
        if key not in self._captures:
            attrs = OPS["placeholder"].attrs_type(shape=tuple(outer.shape), dtype=outer.dtype)
            node = self.graph.add_node("placeholder", attrs, [], [outer.spec], name=f"captured_{outer.name}")
            self._captures[key] = self.graph.tensor(node)
            self.captured.append(outer)
        return self._captures[key]


def _placeholder(graph: Graph, spec: TensorSpec, name: str) -> SymbolicTensor:
    attrs = OPS["placeholder"].attrs_type(shape=tuple(spec.shape), dtype=spec.dtype)
    return graph.tensor(graph.add_node("placeholder", attrs, [], [spec], name=name))


def trace(fn: Callable, arg_specs: Sequence[TensorSpec], name: str, arg_tree=None,
          finish: Optional[Callable] = None):
    """Trace `fn` on placeholders of `arg_specs` (unflattened with `arg_tree`, else passed positionally).

    Returns (body, captured outer tensors). `finish(tracer, outputs)` may add outputs while the body's
    scope is still open (custom_gradient traces its gradient function there)."""
    frame = current_frame()
    graph = Graph()
    tracer = BodyTracer(graph, frame.graph, frame.tracer, name)
    with body_scope(tracer):
        args = [_placeholder(graph, spec, f"{name}_arg{i}") for i, spec in enumerate(arg_specs)]
        result = fn(*jax.tree_util.tree_unflatten(arg_tree, args)) if arg_tree is not None else fn(*args)
        leaves, out_tree = flatten(result)
        outputs = [tracer.capture(leaf) if is_symbolic(leaf) else to_symbolic(leaf) for leaf in leaves]
        extra = finish(tracer, result) if finish is not None else []
    _refuse_state_updates(graph, name)
    refs = [(t.node, t.index) for t in outputs + list(extra)]
    body = Body(graph, [a.node for a in args] + [t.node for t in tracer._captures.values()], refs, len(args),
                out_tree, name)
    return body, list(tracer.captured)


def flatten(tree):
    """Leaves and structure of a function's result; symbolic tensors and Variables are leaves."""
    return jax.tree_util.tree_flatten(tree, is_leaf=is_symbolic)


def _refuse_state_updates(graph: Graph, name: str) -> None:
    for node, data in graph.nx.nodes(data=True):
        if data["op"] == "assign":
            raise ShapeError(
                f"control-flow body {name!r} updates variable {data['attrs'].path!r} (e.g. a BatchNormalization's "
                "moving statistics or a SeedGenerator's state); state updates inside cond/scan/while_loop bodies are "
                "not supported. Move the stateful layer outside the loop, or pass its state as a loop variable")


def bodies_of(attrs) -> list:
    """The bodies a region node's attrs hold, as (attribute name, Body) pairs (empty for other ops)."""
    import dataclasses

    found = []
    for field in dataclasses.fields(attrs) if dataclasses.is_dataclass(attrs) else ():
        value = getattr(attrs, field.name)
        for i, item in enumerate(value if isinstance(value, tuple) else (value,)):
            if isinstance(item, Body):
                found.append((field.name if not isinstance(value, tuple) else f"{field.name}[{i}]", item))
    return found
