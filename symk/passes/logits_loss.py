"""Crossentropy from logits: the trainer's hook that hands a loss the logits of a softmax/sigmoid output.

    model: y = softmax(bias_add(matmul(x, W), b)); loss='categorical_crossentropy'
    step:  loss = categorical_crossentropy(y_true, logits, from_logits=True)   # logits = y's input
Keras clips probabilities to [1e-7, 1 - 1e-7] before the log, so a saturated softmax gets a
zero gradient; the logits formula (log_softmax / log_sigmoid) stays finite and exact. The
program keeps its outputs (metrics read the probabilities) and returns the logits after them.
Enabled whenever the 'stabilize' pass is in the model's pipeline: optimize='none' (or
disabling 'stabilize') computes the loss from probabilities, as Keras's JAX backend does.
"""
from __future__ import annotations

from typing import Optional, Sequence

from .. import losses as losses_module
from ..codegen import Program
from ..graph import Graph
from .fuse_elementwise import FUSED, split_last_step
from .manager import resolve
from .rewrite import Subject, add_op, rewrite_in_place
from .stabilize import logits_of

PASS_NAME = "stabilize"  # the pass whose presence in the pipeline turns the hook on


def enabled(optimize, mode: str) -> bool:
    """Whether the model's `optimize=` setting keeps the stabilize pass for this mode."""
    return any(p.name == PASS_NAME for p in resolve(optimize, mode).passes)


def _through_identities(subject: Subject, ref: tuple) -> tuple:
    # simplify may leave an output as identity(x): the producer behind it is what matters
    while subject.nx.nodes[ref[0]]["op"] == "identity":
        (ref,) = subject.graph.inputs_of(ref[0])
    return tuple(ref)


def _softmax_on_last_axis(subject: Subject, node: int) -> bool:
    data = subject.nx.nodes[node]
    axis = data["attrs"].axis
    return isinstance(axis, int) and axis % len(data["specs"][0].shape) == len(data["specs"][0].shape) - 1


def _unfuse_activation(subject: Subject, node: int, kind: str) -> Optional[tuple]:
    """fused_linear(x, W, b, activation=kind) -> kind(fused_linear(x, W, b)): the logits get a node."""
    data = subject.nx.nodes[node]
    attrs = data["attrs"]
    if data["op"] != "fused_linear" or attrs.activation != kind:
        return None
    inputs = subject.graph.inputs_of(node)
    logits = add_op(subject, "fused_linear", inputs, like=node, provenance=(data["name"],), base=attrs.base,
                    base_attrs=attrs.base_attrs, data_format=attrs.data_format, activation=None, activation_attrs=())
    rewrite_in_place(subject, node, kind, [(logits, 0)], **dict(attrs.activation_attrs))
    return logits, 0


def find_logits(subject: Subject, ref: tuple, kind: str) -> Optional[tuple]:
    """The ref of the logits behind output `ref` when it is `kind` ('softmax' | 'sigmoid') of them, else None.

    May edit the subject's graph (a fused activation is split off), never changing what it computes.
    """
    ref = _through_identities(subject, ref)
    found = logits_of(subject.graph, ref)
    if found is not None and found[1] == kind:
        if kind == "softmax" and not _softmax_on_last_axis(subject, ref[0]):
            return None  # the losses reduce the last axis: a softmax over another axis is not their input
        return tuple(found[0])
    if ref[1] != 0:
        return None
    if kind == "softmax" and subject.nx.nodes[ref[0]]["op"] == "fused_linear":
        axis = dict(subject.nx.nodes[ref[0]]["attrs"].activation_attrs).get("axis", -1)
        if axis not in (-1, len(subject.nx.nodes[ref[0]]["specs"][0].shape) - 1):
            return None
    data = subject.nx.nodes[ref[0]]
    if data["op"] == FUSED and data["attrs"].chain[-1][0] == kind and kind == "sigmoid":
        earlier = split_last_step(subject, ref[0])  # sigmoid(fused(...)): the fused rest are the logits
        return None if earlier is None else (earlier, 0)
    return _unfuse_activation(subject, ref[0], kind)


def expose_logits(program: Program, kinds: Sequence[Optional[str]], optimize, mode: str) -> Program:
    """`program` plus, after its outputs, the logits of output i for each i whose `kinds[i]` is set
    and found. The new program's `logit_slots` maps output index -> position in its outputs."""
    wanted = [(i, kind) for i, kind in enumerate(kinds) if kind]
    if not wanted or not enabled(optimize, mode):
        return program
    graph = Graph(program.graph.nx.copy())  # the model's cached graph stays as it is
    graph.param_nodes = dict(program.graph.param_nodes)
    subject = Subject(graph, list(program.input_nodes), list(program.outputs), mode)
    slots, refs = {}, []
    for index, kind in wanted:
        ref = find_logits(subject, program.outputs[index], kind)
        if ref is not None:
            slots[index] = len(program.outputs) + len(refs)
            refs.append(ref)
    if not refs:
        return program
    exposed = Program(graph, program.input_nodes, list(program.outputs) + refs)
    exposed.logit_slots = slots
    exposed.plain_output_count = len(program.outputs)
    return exposed


def split_logits(program: Program, outputs: list) -> tuple:
    """(the program's own outputs, {output index: logits}) from what an exposed program returned."""
    slots = getattr(program, "logit_slots", None)
    if not slots:
        return outputs, {}
    return outputs[:program.plain_output_count], {i: outputs[slot] for i, slot in slots.items()}


# the per-sample crossentropy functions and the activation whose logits each can take instead
_KINDS = {losses_module.categorical_crossentropy: "softmax", losses_module.sparse_categorical_crossentropy: "softmax",
          losses_module.binary_crossentropy: "sigmoid"}


def logit_loss(loss) -> Optional[tuple]:
    """(activation kind, fn(y_true, logits) -> per-sample values) when `loss` (as losses.get returns it)
    is a crossentropy on probabilities that its logits variant can replace, else None."""
    if isinstance(loss, losses_module.LossFunctionWrapper):
        fn, kwargs = loss.fn, dict(loss.fn_kwargs)
    else:
        fn, kwargs = loss, {}
    kind = _KINDS.get(fn) if callable(fn) else None
    if kind is None or kwargs.get("from_logits"):
        return None
    if kind == "softmax" and kwargs.get("axis", -1) != -1:
        return None  # find_logits only accepts a softmax over the last axis
    kwargs["from_logits"] = True
    # as the loss itself would (Keras's wrapper): targets and logits aligned in rank first
    return kind, lambda y_true, logits: fn(*losses_module.squeeze_or_expand_to_same_rank(y_true, logits), **kwargs)
